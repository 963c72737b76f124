"""FAIR Data Point v1.2: ``/fdp`` -> ``/fdp/catalog`` -> ``/fdp/dataset/{id}`` -> ``/fdp/distribution/{id}``.

Turtle by default (JSON-LD, RDF/XML, N-Triples and HTML on request).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from cikg.catalogue import Catalogue, NotFound
from cikg.publish import Publication
from cikg.web.deps import catalogue
from cikg.web.documents import RDF_FIRST, alternates, not_found, respond
from cikg.web.pages import render

router = APIRouter(prefix="/fdp", tags=["fair data point"])
Format = Query(None, description="turtle, jsonld, rdfxml, ntriples or html (overrides Accept)")


def _page(request: Request, cat: Catalogue, pub: Publication, kind: str) -> str:
    doc = pub.document
    return render(
        "resource.html",
        title=doc.title,
        kind=kind,
        iri=doc.subject,
        profile=None,
        subjects=cat.document_page(doc),
        alternates=alternates(request),
    )


def _answer(request: Request, cat: Catalogue, kind: str, local_id: str | None = None) -> Response:
    listing = {"dataset": "collection", "distribution": "distribution"}
    try:
        return respond(
            request,
            lambda: cat.fdp_record(kind, local_id),
            lambda pub: _page(request, cat, pub, f"FAIR Data Point {kind}"),
            RDF_FIRST,
        )
    except NotFound as exc:
        return not_found(request, str(exc), suggestions=cat.listing(listing.get(kind, "collection")))


@router.get("", summary="The FAIR Data Point's own metadata record", response_class=Response)
def fdp(request: Request, format: str | None = Format, cat: Catalogue = Depends(catalogue)) -> Response:
    return _answer(request, cat, "fdp")


@router.get("/catalog", summary="FDP catalog record", response_class=Response)
def fdp_catalog(
    request: Request, format: str | None = Format, cat: Catalogue = Depends(catalogue)
) -> Response:
    return _answer(request, cat, "catalog")


@router.get("/dataset/{local_id}", summary="FDP dataset record (a collection)", response_class=Response)
def fdp_dataset(
    local_id: str, request: Request, format: str | None = Format, cat: Catalogue = Depends(catalogue)
) -> Response:
    return _answer(request, cat, "dataset", local_id)


@router.get("/distribution/{local_id}", summary="FDP distribution record", response_class=Response)
def fdp_distribution(
    local_id: str, request: Request, format: str | None = Format, cat: Catalogue = Depends(catalogue)
) -> Response:
    return _answer(request, cat, "distribution", local_id)
