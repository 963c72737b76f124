"""REST term service under /api/terms: search / autocomplete, lookup, translate, descendants, ancestors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from cikg.catalogue import Catalogue
from cikg.web.deps import catalogue

router = APIRouter(prefix="/api/terms", tags=["terms"])


@router.get("", summary="Search / autocomplete concepts by label or synonym (any language, typo-tolerant)")
def search(
    q: str = Query(..., min_length=1, description="Words or a prefix."),
    lang: str | None = Query(
        None, description="Match labels of this language only (en, es, it, el, fr, de)."
    ),
    branch: str | None = Query(None, description="Only this branch (condition, body_part, modality, ...)."),
    limit: int = Query(10, ge=1, le=100),
    cat: Catalogue = Depends(catalogue),
) -> dict[str, Any]:
    hits = cat.term_search(q, lang=lang, branch=branch, limit=limit)
    return {"q": q, "results": [h.as_dict() for h in hits]}


@router.get("/translate", summary="A code in any scheme -> the concept -> every other scheme")
def translate(
    code: str = Query(..., description="CURIE (ICD10:C34.1), IRI, concept id or label."),
    to: str | None = Query(None, description="Only this scheme (SNOMEDCT, NCIT, OMOP, ...)."),
    cat: Catalogue = Depends(catalogue),
) -> dict[str, Any]:
    res, codes = cat.translate(code, to=to)
    return {"resolution": res.as_dict(), "translations": [t.as_dict() for t in codes]}


@router.get("/descendants", summary="Every concept under a concept (transitive, itself included)")
def descendants(
    code: str = Query(...),
    codes: bool = Query(False, description="Also the external codes under it (imported vocabularies too)."),
    cat: Catalogue = Depends(catalogue),
) -> dict[str, Any]:
    return {"code": code, "descendants": cat.descendants(code, include_codes=codes)}


@router.get("/ancestors", summary="Every concept above a concept (transitive)")
def ancestors(code: str = Query(...), cat: Catalogue = Depends(catalogue)) -> dict[str, Any]:
    return {"code": code, "ancestors": cat.ancestors(code)}


@router.get("/{code:path}", summary="One concept by CURIE (any scheme), IRI or id, with how it resolved")
def show(code: str, cat: Catalogue = Depends(catalogue)) -> dict[str, Any]:
    return cat.term_details(code)
