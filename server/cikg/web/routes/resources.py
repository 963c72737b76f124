"""Resolvable IRIs of collections, distributions and data holders, with content negotiation.

``GET /collection/{id}`` (and ``/distribution/{id}``, ``/holder/{id}``): HTML, Turtle, JSON-LD,
RDF/XML or N-Triples by Accept or ``?format=``; ``?profile=dcat-ap|healthdcat-ap|eucaim-dcat-ap``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from cikg.catalogue import Catalogue, NotFound
from cikg.publish import Publication
from cikg.web.deps import catalogue
from cikg.web.documents import alternates, not_found, respond
from cikg.web.pages import render

router = APIRouter(tags=["catalogue"])

Profile = Query("dcat-ap", description="dcat-ap, healthdcat-ap or eucaim-dcat-ap")
Format = Query(None, description="html, turtle, jsonld, rdfxml or ntriples (overrides Accept)")
KIND_NAMES = {"collection": "Collection", "distribution": "Distribution", "holder": "Data holder"}


def _generic(request: Request, cat: Catalogue, kind: str, pub: Publication) -> str:
    doc = pub.document
    return render(
        "resource.html",
        title=doc.title,
        kind=KIND_NAMES.get(kind, kind),
        iri=doc.subject,
        profile=doc.profile,
        subjects=cat.document_page(doc),
        alternates=alternates(request),
    )


@router.get("/collection/{local_id}", summary="A collection (dcat:Dataset)", response_class=Response)
def collection(
    local_id: str,
    request: Request,
    profile: str = Profile,
    format: str | None = Format,
    cat: Catalogue = Depends(catalogue),
) -> Response:
    try:
        return respond(
            request,
            lambda: cat.describe("collection", local_id, profile),
            lambda _pub: render(
                "collection.html",
                title=str(_pub.document.title),
                page=cat.collection_page(local_id),
                alternates=alternates(request),
                fdp=f"/fdp/dataset/{local_id}",
            ),
        )
    except NotFound as exc:
        return not_found(request, str(exc), suggestions=cat.listing("collection"))


@router.get("/distribution/{local_id}", summary="A distribution of a collection", response_class=Response)
def distribution(
    local_id: str,
    request: Request,
    profile: str = Profile,
    format: str | None = Format,
    cat: Catalogue = Depends(catalogue),
) -> Response:
    try:
        return respond(
            request,
            lambda: cat.describe("distribution", local_id, profile),
            lambda pub: _generic(request, cat, "distribution", pub),
        )
    except NotFound as exc:
        return not_found(request, str(exc), suggestions=cat.listing("distribution"))


@router.get("/holder/{local_id}", summary="A data holder (site or imaging biobank)", response_class=Response)
def holder(
    local_id: str,
    request: Request,
    profile: str = Profile,
    format: str | None = Format,
    cat: Catalogue = Depends(catalogue),
) -> Response:
    try:
        return respond(
            request,
            lambda: cat.describe("holder", local_id, profile),
            lambda pub: _generic(request, cat, "holder", pub),
        )
    except NotFound as exc:
        return not_found(request, str(exc), suggestions=cat.listing("holder"))
