"""The hub: federated search over the node list, and the nodes' health (docs/federation.md)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse

from cikg.catalogue import Catalogue
from cikg.web.deps import caller_token, catalogue, http_client

router = APIRouter(prefix="/api/federated", tags=["federation"])


@router.post("/search", summary="One native search query to every node; answers merged, per-node status")
async def federated_search(
    query: dict[str, Any] = Body(..., examples=[{"query": {"field": "condition", "value": "lung_cancer"}}]),
    cat: Catalogue = Depends(catalogue),
    client: httpx.AsyncClient = Depends(http_client),
    token: str | None = Depends(caller_token),
) -> JSONResponse:
    # plain JSON already: skip FastAPI's encoder walk (the hub's own latency is what the bench measures)
    return JSONResponse(await cat.federated_search(client, query, token))


@router.get("/nodes", summary="The node list with each node's health (status, latency)")
async def nodes(
    cat: Catalogue = Depends(catalogue), client: httpx.AsyncClient = Depends(http_client)
) -> dict[str, Any]:
    return {"nodes": await cat.federation_health(client)}
