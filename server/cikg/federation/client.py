"""The hub's one shared async HTTP client, with one connection pool per node.

httpx keeps every connection of a client in one pool and, for each request, checks every pooled
connection for expiry (a socket poll each): with N nodes a fan-out costs O(N²) checks, all on the event
loop. One pool per origin (scheme, host, port) behind the same client makes it O(N) and keeps the
hub's added latency flat as nodes are added (bench/federation.py).
"""

from __future__ import annotations

import httpx

MAX_CONNECTIONS_PER_NODE = 20


class PerOriginTransport(httpx.AsyncBaseTransport):
    """Dispatches each request to a transport (and connection pool) of its own origin."""

    def __init__(self, limits: httpx.Limits | None = None) -> None:
        self._limits = limits or httpx.Limits(
            max_connections=MAX_CONNECTIONS_PER_NODE, max_keepalive_connections=MAX_CONNECTIONS_PER_NODE
        )
        self._pools: dict[tuple[bytes, bytes, int | None], httpx.AsyncHTTPTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = (url.raw_scheme, url.raw_host, url.port)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = httpx.AsyncHTTPTransport(limits=self._limits)
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()


def http_client() -> httpx.AsyncClient:
    """The client a hub shares across all its federated requests (create once, close at shutdown)."""
    return httpx.AsyncClient(transport=PerOriginTransport(), follow_redirects=False)
