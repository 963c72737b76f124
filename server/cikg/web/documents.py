"""Negotiated answers for published documents (catalogue, collections, FDP records ...).

Picks the representation with :mod:`cikg.web.negotiation` (``?format=`` wins over Accept), renders
RDF from the document, HTML with the page a route gives, and answers unknown resources with a helpful
404 page for browsers (a problem document for machines).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from cikg.publish import Publication
from cikg.web import negotiation
from cikg.web.errors import problem
from cikg.web.pages import render

RDF_FIRST: tuple[negotiation.Representation, ...] = (
    negotiation.TURTLE,
    negotiation.JSONLD,
    negotiation.RDFXML,
    negotiation.NTRIPLES,
    negotiation.HTML,
)
"""For FAIR Data Point records: Turtle unless the client asks for something else."""

FORMAT_NAMES = {"turtle": "Turtle", "jsonld": "JSON-LD", "rdfxml": "RDF/XML", "ntriples": "N-Triples"}


def choose(
    request: Request, offered: Sequence[negotiation.Representation] = negotiation.RDF_REPRESENTATIONS
) -> negotiation.Representation:
    return negotiation.choose(request.headers.get("accept"), request.query_params.get("format"), offered)


def respond(
    request: Request,
    publication: Callable[[], Publication],
    html: Callable[[Publication], str],
    offered: Sequence[negotiation.Representation] = negotiation.RDF_REPRESENTATIONS,
) -> Response:
    """The representation the client asked for (the publication is built only once chosen)."""
    rep = choose(request, offered)
    pub = publication()
    headers = {"Vary": "Accept", "Link": _links(request)}
    if rep.format is None:
        return HTMLResponse(html(pub), headers=headers)
    return Response(pub.document.serialize(rep.format), media_type=rep.media_type, headers=headers)


def alternates(request: Request) -> list[tuple[str, str]]:
    """(label, href) of the other formats of the current page (for its HTML)."""
    path = request.url.path
    profile = request.query_params.get("profile")
    extra = f"&profile={profile}" if profile else ""
    return [(label, f"{path}?format={name}{extra}") for name, label in FORMAT_NAMES.items()]


def _links(request: Request) -> str:
    path = request.url.path
    return ", ".join(
        f'<{path}?format={rep.name}>; rel="alternate"; type="{rep.media_type}"'
        for rep in negotiation.RDF_REPRESENTATIONS
    )


def not_found(request: Request, message: str, **context: Any) -> Response:
    """404: a page with a way back for browsers, a problem document otherwise."""
    try:
        wants_html = choose(request, (negotiation.HTML, *negotiation.RDF_REPRESENTATIONS[1:])).format is None
    except negotiation.NotAcceptable:
        wants_html = False
    if wants_html and "format" not in request.query_params:
        body = render("not_found.html", title="Not found", message=message, path=request.url.path, **context)
        return HTMLResponse(body, status_code=404)
    return problem(404, "Not Found", message)
