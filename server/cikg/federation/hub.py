"""The hub: one query to every node at once over one shared async HTTP client, answers merged.

Every node gets its own deadline (its ``timeout``); a dead, slow or garbled node is reported with its
status and never delays the answer beyond that deadline nor fails it. Statuses:

* ``ok``: a well-formed answer;
* ``timeout``: no complete answer within the node's timeout;
* ``refused``: the connection was refused (nothing listens), or the node refused the request
  (HTTP 401 / 403 / 429);
* ``error``: anything else, with the reason (HTTP status, invalid JSON, not the expected shape,
  a query the node's protocol cannot express, a transport error).

The merged answer lists each node's collections keyed by ``<node id>/<collection id>``, the nodes'
totals side by side, and ``partial: true`` when any node did not answer ``ok``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from cikg.federation.beacon_client import beacon_results
from cikg.federation.nodes import Node
from cikg.federation.protection import CountPolicy, protect

Status = Literal["ok", "timeout", "error", "refused"]
SEARCH_PATH = "/api/search"
BEACON_PATH = "/datasets"
REFUSING_STATUSES = frozenset({401, 403, 429})


@dataclass
class NodeAnswer:
    node: Node
    status: Status
    latency_ms: float
    reason: str | None = None
    answer: dict[str, Any] = field(default_factory=dict)

    def report(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.node.id,
            "name": self.node.name,
            "protocol": self.node.protocol,
            "status": self.status,
            "latency_ms": round(self.latency_ms, 2),
        }
        if self.reason:
            out["reason"] = self.reason
        if self.status == "ok":
            out["total"] = self.answer.get("total", {})
            if "exists" in self.answer:
                out["exists"] = self.answer["exists"]
        return out


def _refused(exc: BaseException) -> bool:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, ConnectionRefusedError):
            return True
        cur = cur.__cause__ or cur.__context__
    return "connection refused" in str(exc).lower() or "connect call failed" in str(exc).lower()


def _check_cikg(answer: Any) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise ValueError("not a JSON object")
    if not isinstance(answer.get("collections"), list):
        raise ValueError("no `collections` list")
    if not isinstance(answer.get("total"), dict):
        raise ValueError("no `total` object")
    for i, c in enumerate(answer["collections"]):
        if not isinstance(c, dict) or "id" not in c:
            raise ValueError(f"collections[{i}] has no `id`")
    return answer


async def query_node(
    client: httpx.AsyncClient,
    node: Node,
    body: dict[str, Any] | bytes | Exception,
    *,
    method: str = "POST",
    path: str | None = None,
    policy: CountPolicy | None = None,
) -> NodeAnswer:
    """Send ``body`` to one node within its timeout; never raises. With ``policy``, the node's answer
    is protected as soon as it arrives (while slower nodes are still answering)."""
    start = time.perf_counter()

    def done(status: Status, reason: str | None = None, answer: dict[str, Any] | None = None) -> NodeAnswer:
        return NodeAnswer(node, status, (time.perf_counter() - start) * 1000, reason, answer or {})

    if isinstance(body, Exception):
        return done("error", f"query not sent: {body}")
    if path is None:
        path = SEARCH_PATH if node.protocol == "cikg" else BEACON_PATH
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    if node.token:
        headers["Authorization"] = f"Bearer {node.token}"
    try:
        async with asyncio.timeout(node.timeout):
            if method == "GET":
                response = await client.get(node.base_url + path, headers=headers, timeout=node.timeout)
            else:
                response = await client.post(
                    node.base_url + path, content=content, headers=headers, timeout=node.timeout
                )
    except (TimeoutError, httpx.TimeoutException):
        return done("timeout", f"no answer within {node.timeout:g} s")
    except httpx.HTTPError as exc:
        if _refused(exc):
            return done("refused", "connection refused")
        return done("error", f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    if response.status_code in REFUSING_STATUSES:
        return done("refused", f"HTTP {response.status_code}")
    if response.status_code >= 300:
        return done("error", f"HTTP {response.status_code}: {_detail(response)}")
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return done("error", f"invalid JSON: {exc}")
    if method == "GET":
        return done("ok", answer=data if isinstance(data, dict) else {"value": data})
    try:
        checked = _check_cikg(data) if node.protocol == "cikg" else beacon_results(data)
    except ValueError as exc:
        return done("error", f"unexpected answer: {exc}")
    return done("ok", answer=checked if policy is None else protect(checked, policy))


def _detail(response: httpx.Response) -> str:
    text = response.text[:200]
    try:
        data = response.json()
    except ValueError:
        return text
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        return data["detail"][:200]
    return text


async def fan_out(
    client: httpx.AsyncClient,
    nodes: Iterable[Node],
    bodies: Mapping[str, dict[str, Any] | Exception],
    policy: CountPolicy | None = None,
) -> list[NodeAnswer]:
    """Query every node concurrently (``bodies`` per protocol); answers in node order, each protected
    with ``policy`` on arrival (``None``: as the nodes gave them)."""
    encoded = {k: v if isinstance(v, Exception) else json.dumps(v).encode() for k, v in bodies.items()}
    return list(
        await asyncio.gather(*(query_node(client, n, encoded[n.protocol], policy=policy) for n in nodes))
    )


async def health(client: httpx.AsyncClient, nodes: Iterable[Node]) -> list[dict[str, Any]]:
    """Each node's status and latency for a cheap request (cikg: /health, Beacon: /info)."""

    async def one(node: Node) -> dict[str, Any]:
        path = "/health" if node.protocol == "cikg" else "/info"
        got = await query_node(client, node, {}, method="GET", path=path)
        report = got.report()
        report.pop("total", None)
        report["base_url"] = node.base_url
        return report

    return list(await asyncio.gather(*(one(n) for n in nodes)))


def _number(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def merge(
    answers: list[NodeAnswer], policy: CountPolicy | None, *, parts_protected: bool = False
) -> dict[str, Any]:
    """The federated answer; counts protected with ``policy`` (``None``: an authorised caller).

    Totals add the numbers the nodes show; a node total shown as ``"<k"`` adds nothing and makes the
    sum ``approximate`` (a lower bound). Facet counts add the same way. For an anonymous caller each
    node's answer is protected *before* the sums (unless ``parts_protected``: :func:`fan_out` did it on
    arrival): a node that gave the hub exact counts (the hub holds its token) must not leak a hidden
    count through the difference between a sum and its other parts. The sums are protected last.
    """
    if policy is not None and not parts_protected:
        answers = [
            NodeAnswer(a.node, a.status, a.latency_ms, a.reason, protect(a.answer, policy)) for a in answers
        ]
    collections: list[dict[str, Any]] = []
    totals = {"subjects_count": 0, "studies_count": 0, "collections": 0}
    approximate = False
    facets: dict[str, dict[str, dict[str, Any]]] = {}
    for got in answers:
        if got.status != "ok":
            continue
        for c in got.answer.get("collections", []):
            entry = dict(c)
            entry["node"] = got.node.id
            entry["key"] = f"{got.node.id}/{c['id']}"
            collections.append(entry)
        node_total = got.answer.get("total", {})
        for key in totals:
            value = node_total.get(key)
            if isinstance(value, str):
                approximate = True
            totals[key] += _number(value)
        for dim, items in (got.answer.get("facets") or {}).items():
            if not isinstance(items, list):
                continue
            merged = facets.setdefault(dim, {})
            for item in items:
                if not isinstance(item, dict) or "id" not in item:
                    continue
                slot = merged.setdefault(item["id"], {**item, "count": 0})
                if isinstance(item.get("count"), str):
                    approximate = True
                slot["count"] += _number(item.get("count"))
    out: dict[str, Any] = {
        "partial": any(a.status != "ok" for a in answers),
        "total": {**totals, "nodes": sum(a.status == "ok" for a in answers), "approximate": approximate},
        "collections": collections,
        "nodes": [a.report() for a in answers],
    }
    if facets:
        out["facets"] = {
            dim: sorted(items.values(), key=lambda f: (-_number(f["count"]), str(f["id"])))
            for dim, items in facets.items()
        }
    if policy is not None:  # the parts are protected: only the sums are left
        out["total"] = protect(out["total"], policy)
        if "facets" in out:
            out["facets"] = protect(out["facets"], policy)
    return out
