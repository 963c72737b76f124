"""GA4GH Beacon v2.1.1 under /beacon: framework documents and the datasets / cohorts entry types."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from cikg.catalogue import Catalogue
from cikg.web.deps import caller_token, catalogue

router = APIRouter(prefix="/beacon", tags=["beacon"])
DOCUMENTS = ("info", "service-info", "map", "configuration", "entry_types", "filtering_terms")
ENTRY_PATHS = {"datasets": "dataset", "cohorts": "cohort"}


@router.api_route("", methods=["GET", "POST"], summary="Beacon information (same as /beacon/info)")
@router.api_route("/", methods=["GET", "POST"], include_in_schema=False)
def root(cat: Catalogue = Depends(catalogue)) -> dict[str, Any]:
    return cat.beacon_document("info")


def _document(name: str) -> Any:
    def handler(cat: Catalogue = Depends(catalogue)) -> dict[str, Any]:
        return cat.beacon_document(name)

    handler.__name__ = f"beacon_{name.replace('-', '_')}"
    return handler


for _name in DOCUMENTS:
    router.add_api_route(f"/{_name}", _document(_name), methods=["GET", "POST"], summary=f"Beacon {_name}")


def _entries(path: str, single: bool) -> Any:
    entry_type = ENTRY_PATHS[path]

    async def handler(
        request: Request, cat: Catalogue = Depends(catalogue), token: str | None = Depends(caller_token)
    ) -> JSONResponse:
        body = None
        if request.method == "POST":
            raw = await request.body()
            body = await request.json() if raw.strip() else {}
        entry_id = request.path_params.get("entry_id") if single else None
        status, answer = cat.beacon_query(
            entry_type,
            params=dict(request.query_params) if request.method == "GET" else None,
            body=body,
            token=token,
            entry_id=entry_id,
        )
        return JSONResponse(answer, status_code=status)

    handler.__name__ = f"beacon_{path}{'_one' if single else ''}"
    return handler


for _path in ENTRY_PATHS:
    router.add_api_route(
        f"/{_path}", _entries(_path, False), methods=["GET", "POST"], summary=f"Beacon {_path} query"
    )
    router.add_api_route(
        f"/{_path}/{{entry_id}}", _entries(_path, True), methods=["GET", "POST"], summary=f"One of {_path}"
    )
