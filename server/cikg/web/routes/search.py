"""REST search under /api: POST /api/search (native JSON or the EUCAIM Explorer AST), GET /api/search
for simple criteria, GET /api/collections/{id}."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Query

from cikg.catalogue import Catalogue
from cikg.search.fields import CONCEPT_FIELDS
from cikg.web.deps import caller_token, catalogue

router = APIRouter(prefix="/api", tags=["search"])


@router.post("/search", summary="Search collections: native query JSON or a EUCAIM Explorer AST")
def search_post(
    body: dict[str, Any] = Body(
        ...,
        examples=[
            {
                "query": {
                    "and": [
                        {"field": "condition", "value": "ICD10:C34"},
                        {"or": [{"field": "modality", "value": "CT"}, {"field": "modality", "value": "MR"}]},
                    ]
                },
                "facets": True,
            }
        ],
    ),
    cat: Catalogue = Depends(catalogue),
    token: str | None = Depends(caller_token),
) -> dict[str, Any]:
    return cat.search_for(body, token)


@router.get("/search", summary="Search collections with simple criteria (AND of the parameters given)")
def search_get(
    condition: list[str] | None = Query(None, description="Code, concept id or label; repeat for OR."),
    body_part: list[str] | None = Query(None),
    modality: list[str] | None = Query(None),
    acquisition: list[str] | None = Query(None),
    manufacturer: list[str] | None = Query(None),
    sex: list[str] | None = Query(None),
    annotation_type: list[str] | None = Query(None),
    dataset_type: list[str] | None = Query(None),
    access_rights: list[str] | None = Query(None),
    data_holder: list[str] | None = Query(None),
    country: list[str] | None = Query(None),
    age_min: float | None = Query(None),
    age_max: float | None = Query(None),
    field_strength_min: float | None = Query(None),
    field_strength_max: float | None = Query(None),
    q: str | None = Query(None, description="Free text (title, description, keywords, data holder)."),
    descendants: bool = Query(True, description="Expand every concept to its descendants."),
    facets: bool = Query(True),
    explain: bool = Query(False),
    sort: str = Query("subjects_count:desc"),
    page: int = Query(1),
    page_size: int = Query(50),
    cat: Catalogue = Depends(catalogue),
    token: str | None = Depends(caller_token),
) -> dict[str, Any]:
    given = locals()
    crits: list[dict[str, Any]] = []
    for name in CONCEPT_FIELDS:
        values = given[name]
        if values:
            crits.append({"field": name, "value": values, "descendants": descendants})
    for name in ("age", "field_strength"):
        lo, hi = given[f"{name}_min"], given[f"{name}_max"]
        if lo is not None or hi is not None:
            crits.append({"field": name, "min": lo, "max": hi})
    if q:
        crits.append({"field": "text", "value": q})
    body: dict[str, Any] = {
        "facets": facets,
        "explain": explain,
        "sort": sort,
        "page": page,
        "page_size": page_size,
    }
    if crits:
        body["query"] = crits[0] if len(crits) == 1 else {"and": crits}
    return cat.search_for(body, token)


@router.get("/collections/{collection_id}", summary="One collection: counts, ages, sex, modalities, facets")
def collection(
    collection_id: str, cat: Catalogue = Depends(catalogue), token: str | None = Depends(caller_token)
) -> dict[str, Any]:
    return cat.protect(cat.collection_summary(collection_id), token)
