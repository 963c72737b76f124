"""Request dependencies (async: trivial lookups, no worker-thread hop per request)."""

from __future__ import annotations

import httpx
from fastapi import Request

from cikg.catalogue import Catalogue


async def catalogue(request: Request) -> Catalogue:
    cat: Catalogue = request.app.state.catalogue
    return cat


async def http_client(request: Request) -> httpx.AsyncClient:
    """The app's one shared async HTTP client (created in the lifespan)."""
    client: httpx.AsyncClient = request.app.state.http
    return client


async def caller_token(request: Request) -> str | None:
    """The bearer token of the request, if any (authorisation is decided by the catalogue)."""
    from cikg.federation import bearer_token

    return bearer_token(request.headers.get("authorization"))
