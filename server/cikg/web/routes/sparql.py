"""SPARQL 1.1 Protocol endpoint (read-only): GET, POST form and POST sparql-query."""

from __future__ import annotations

import asyncio
import threading
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from cikg.catalogue import Catalogue
from cikg.store import QueryTimeout
from cikg.store.endpoint import QueryRefused, SparqlAnswer
from cikg.web.deps import caller_token, catalogue
from cikg.web.pages import render

router = APIRouter(tags=["sparql"])

_FORMAT_PARAMS = ("format", "output", "results")


async def _params(request: Request) -> list[tuple[str, str]]:
    params = list(request.query_params.multi_items())
    if request.method == "POST":
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = (await request.body()).decode("utf-8", errors="replace")
        if ctype == "application/x-www-form-urlencoded":
            params += parse_qsl(body, keep_blank_values=True)
        elif ctype == "application/sparql-query":
            params.append(("query", body))
        elif ctype == "application/sparql-update":
            raise QueryRefused("this endpoint is read-only: SPARQL Update is not allowed")
        else:
            raise ValueError(
                f"unsupported content type {ctype!r}: POST application/x-www-form-urlencoded or "
                "application/sparql-query"
            )
    return params


async def _run(request: Request, cat: Catalogue, params: list[tuple[str, str]]) -> SparqlAnswer:
    queries = [v for k, v in params if k == "query"]
    if any(k == "update" for k, _ in params):
        raise QueryRefused("this endpoint is read-only: SPARQL Update is not allowed")
    if len(queries) != 1:
        raise ValueError("give exactly one `query` parameter")
    fmt = [v for k, v in params if k in _FORMAT_PARAMS and v]
    slots: threading.BoundedSemaphore = request.app.state.query_slots
    limit = cat.settings.query_timeout
    abandoned = threading.Event()

    def work() -> SparqlAnswer:
        # a slot is held for as long as the store works, even after the client was answered "timeout"
        if not slots.acquire(timeout=limit):
            raise QueryTimeout("the endpoint is busy; try again")
        try:
            if abandoned.is_set():
                raise QueryTimeout("abandoned")
            return cat.sparql(
                queries[0],
                accept=request.headers.get("accept"),
                format=fmt,
                default_graphs=[v for k, v in params if k == "default-graph-uri"],
                named_graphs=[v for k, v in params if k == "named-graph-uri"],
            )
        finally:
            slots.release()

    try:
        return await asyncio.wait_for(run_in_threadpool(work), timeout=limit)
    except QueryTimeout:
        raise
    except TimeoutError as exc:
        abandoned.set()
        raise QueryTimeout(
            f"the query ran past the endpoint's time limit ({limit:g} s); narrow it or add a LIMIT"
        ) from exc


_SPARQL_DOC = dict(
    summary="SPARQL 1.1 query endpoint (read-only)",
    response_class=Response,
    responses={200: {"content": {"application/sparql-results+json": {}, "text/turtle": {}}}},
)


@router.get("/sparql", operation_id="sparql_get", **_SPARQL_DOC)  # type: ignore[arg-type]
@router.post("/sparql", operation_id="sparql_post", **_SPARQL_DOC)  # type: ignore[arg-type]
async def sparql(
    request: Request, cat: Catalogue = Depends(catalogue), token: str | None = Depends(caller_token)
) -> Response:
    cat.check_sparql_access(token)
    params = await _params(request)
    if not any(k == "query" for k, _ in params) and request.method == "GET":
        if "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(render("sparql.html", title="SPARQL"))
        return Response(_service_description(str(request.url).split("?")[0]), media_type="text/turtle")
    result = await _run(request, cat, params)
    return Response(result.body, media_type=result.media_type)


def _service_description(endpoint: str) -> str:
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix fmt: <http://www.w3.org/ns/formats/> .
<{endpoint}> a sd:Service ;
  sd:endpoint <{endpoint}> ;
  sd:supportedLanguage sd:SPARQL11Query ;
  sd:resultFormat fmt:SPARQL_Results_JSON, fmt:SPARQL_Results_XML, fmt:SPARQL_Results_CSV,
    fmt:SPARQL_Results_TSV, fmt:Turtle, fmt:N-Triples, fmt:JSON-LD, fmt:RDF_XML ;
  sd:feature sd:UnionDefaultGraph ;
  sd:defaultDataset [ a sd:Dataset ] .
"""
