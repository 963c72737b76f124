"""Content negotiation for resource pages: pick a representation from ``?format=`` or the Accept
header (q-values, wildcards), and render a graph of triples in the chosen RDF format.

Generic on purpose: any route with "a graph of triples about a resource" (concepts, collections,
catalogue records) uses :func:`choose` and :func:`render_graph`; HTML stays the route's job.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from cikg.store.endpoint import NotAcceptable, accept_items


@dataclass(frozen=True)
class Representation:
    name: str
    media_type: str
    format: ox.RdfFormat | None  # None: HTML (rendered by the route)
    aliases: tuple[str, ...] = ()


HTML = Representation("html", "text/html", None, ("htm",))
TURTLE = Representation("turtle", "text/turtle", ox.RdfFormat.TURTLE, ("ttl",))
JSONLD = Representation("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, ("json-ld", "json"))
RDFXML = Representation("rdfxml", "application/rdf+xml", ox.RdfFormat.RDF_XML, ("rdf", "xml", "owl"))
NTRIPLES = Representation("ntriples", "application/n-triples", ox.RdfFormat.N_TRIPLES, ("nt",))
RDF_REPRESENTATIONS: tuple[Representation, ...] = (HTML, TURTLE, JSONLD, RDFXML, NTRIPLES)


def choose(
    accept: str | None,
    format_override: str | None = None,
    offered: Sequence[Representation] = RDF_REPRESENTATIONS,
) -> Representation:
    """The representation to send. ``?format=`` (a name, alias or media type) wins over Accept; no
    Accept (or ``*/*``) gives the first offered."""
    if format_override:
        wanted = format_override.strip().lower()
        for rep in offered:
            if wanted in (rep.name, rep.media_type, *rep.aliases):
                return rep
        raise NotAcceptable(
            f"unknown format {format_override!r}; use one of {', '.join(r.name for r in offered)}"
        )
    if not accept or not accept.strip():
        return offered[0]
    best: tuple[float, int, int] | None = None
    chosen: Representation | None = None
    for media, q, order in accept_items(accept):
        if q <= 0:
            continue
        for rank, rep in enumerate(offered):
            if media in (rep.media_type, "*/*") or (
                media.endswith("/*") and rep.media_type.startswith(media[:-1])
            ):
                specific = 0 if media.endswith("*") else 1
                key = (q, specific, -rank if specific == 0 else -order)
                if best is None or key > best:
                    best, chosen = key, rep
                if media.endswith("*"):
                    break
    if chosen is None:
        raise NotAcceptable(
            f"none of the accepted types ({accept}) is available; offered: "
            + ", ".join(r.media_type for r in offered)
        )
    return chosen


def render_graph(
    triples: Iterable[ox.Triple], rep: Representation, prefixes: dict[str, str] | None = None
) -> bytes:
    """``triples`` serialised as ``rep`` (an RDF representation)."""
    if rep.format is None:
        raise ValueError(f"{rep.name} is not an RDF format")
    data = list(triples)
    if rep.format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) and prefixes:
        used = {k: v for k, v in prefixes.items() if any(_uses(t, v) for t in data)}
        body = ox.serialize(data, format=rep.format, prefixes=used)
    else:
        body = ox.serialize(data, format=rep.format)
    assert body is not None
    return body


def _uses(triple: ox.Triple, namespace: str) -> bool:
    return any(isinstance(term, ox.NamedNode) and term.value.startswith(namespace) for term in triple)
