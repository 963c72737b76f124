"""The node's catalogue: ``GET /catalog`` in a publishing profile, and the home page ``GET /``.

``/`` is the home page for browsers and the FAIR Data Point record for RDF clients (an FDP index pinged
with the base URL harvests from there).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from cikg.catalogue import Catalogue
from cikg.web import negotiation
from cikg.web.deps import catalogue
from cikg.web.documents import respond
from cikg.web.pages import render

router = APIRouter(tags=["catalogue"])


@router.get(
    "/", summary="Home page (HTML); the FAIR Data Point record for RDF clients", response_class=Response
)
def home(request: Request, format: str | None = Query(None), cat: Catalogue = Depends(catalogue)) -> Response:
    return respond(
        request,
        lambda: cat.fdp_record("fdp"),
        lambda _pub: render("home.html", title="Catalogue", page=cat.home_page()),
        (negotiation.HTML, negotiation.TURTLE, negotiation.JSONLD, negotiation.RDFXML, negotiation.NTRIPLES),
    )


@router.get(
    "/catalog", summary="The catalogue (dcat:Catalog) in a publishing profile", response_class=Response
)
def catalog(
    request: Request,
    profile: str = Query("dcat-ap", description="dcat-ap, healthdcat-ap or eucaim-dcat-ap"),
    format: str | None = Query(None, description="html, turtle, jsonld, rdfxml or ntriples"),
    cat: Catalogue = Depends(catalogue),
) -> Response:
    return respond(
        request,
        lambda: cat.publication(profile),
        lambda _pub: render("home.html", title="Catalogue", page=cat.home_page()),
    )
