"""Resolvable concept IRIs: GET /ontology/{id} in HTML, Turtle, JSON-LD, RDF/XML or N-Triples."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from cikg import namespaces
from cikg.catalogue import Catalogue, NotFound
from cikg.web.deps import catalogue
from cikg.web.negotiation import choose, render_graph
from cikg.web.pages import render

router = APIRouter(tags=["ontology"])


@router.get(
    "/ontology/{concept_id}", summary="A hyperontology concept (content negotiation)", response_class=Response
)
def concept(
    concept_id: str, request: Request, format: str | None = None, cat: Catalogue = Depends(catalogue)
) -> Response:
    rep = choose(request.headers.get("accept"), format)
    try:
        c = cat.concept(concept_id)
        if c.imported:
            raise NotFound(f"{concept_id} is not a hyperontology concept")
    except NotFound as exc:
        if rep.format is None:
            hits = cat.term_search(concept_id.replace("_", " "), limit=5)
            page = render(
                "concept_missing.html", title="Unknown concept", id=concept_id, message=str(exc), hits=hits
            )
            return HTMLResponse(page, status_code=404)
        raise
    headers = {"Vary": "Accept", "Link": f'<{c.iri}>; rel="canonical"'}
    if rep.format is None:
        vocab = cat.vocabulary
        parents = [vocab.concepts[p] for p in c.parents if p in vocab.concepts]
        children = [vocab.concepts[ch] for ch in vocab.children(c.id) if ch in vocab.concepts]
        page = render("concept.html", title=c.label(), c=c, parents=parents, children=children)
        return HTMLResponse(page, headers=headers)
    body = render_graph(cat.concept_triples(c.id), rep, namespaces.converter().as_dict())
    return Response(body, media_type=rep.media_type, headers=headers)
