"""The read-only SPARQL 1.1 Protocol service over any store: checks, limits and result formats.

Refuses SPARQL Update (and LOAD), and SERVICE calls to hosts that are not allow-listed, before the
store sees the query; enforces the result cap and the time limit while serialising.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from cikg.store.base import Dataset, TripleStore
from cikg.store.results import (
    GRAPH_MEDIA_TYPES,
    SELECT_MEDIA_TYPES,
    serialize_graph,
    serialize_select,
)
from cikg.store.sparql_text import QueryInfo, ReadOnlyViolation, inspect


class QueryRefused(ValueError):
    """The request is not allowed here (an update, a SERVICE to a host not allow-listed, ...)."""


@dataclass(frozen=True)
class SparqlAnswer:
    media_type: str
    body: bytes


_SELECT_ALIASES = {
    "json": "json",
    "srj": "json",
    "application/sparql-results+json": "json",
    "application/json": "json",
    "xml": "xml",
    "srx": "xml",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "csv": "csv",
    "text/csv": "csv",
    "tsv": "tsv",
    "text/tab-separated-values": "tsv",
}
_GRAPH_ALIASES = {
    "turtle": "turtle",
    "ttl": "turtle",
    "text/turtle": "turtle",
    "application/turtle": "turtle",
    "application/x-turtle": "turtle",
    "n3": "turtle",
    "text/n3": "turtle",
    "text/rdf+n3": "turtle",
    "ntriples": "ntriples",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "application/ld+json": "jsonld",
    "application/x-json+ld": "jsonld",
    "json": "jsonld",
    "application/json": "jsonld",
    "rdfxml": "rdfxml",
    "xml": "rdfxml",
    "rdf": "rdfxml",
    "application/rdf+xml": "rdfxml",
    "rdf+xml": "rdfxml",
    "rdf/xml": "rdfxml",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
}


class NotAcceptable(ValueError):
    """No result format the client accepts fits this kind of answer."""


def accept_items(header: str | None) -> list[tuple[str, float, int]]:
    """(media type, q, position) of each range in an Accept header, as written (q=0 included)."""
    items = []
    for pos, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        items.append((media, q, pos))
    return items


def parse_accept(header: str | None) -> list[str]:
    """Media types of an Accept header, best first (q-values honoured, order kept on ties)."""
    return [m for m, q, _ in sorted(accept_items(header), key=lambda i: (-i[1], i[2])) if q > 0]


def choose_format(info: QueryInfo, accept: str | None, override: str | list[str] | None) -> str:
    """The answer format: an explicit ``format``/``output`` parameter first, then the Accept header."""
    aliases = _GRAPH_ALIASES if info.form.is_graph else _SELECT_ALIASES
    default = "turtle" if info.form.is_graph else "json"
    wanted = [override] if isinstance(override, str) else list(override or [])
    if wanted:
        for value in wanted:
            if value.lower() in aliases:
                return aliases[value.lower()]
        raise NotAcceptable(
            f"format {wanted[0]!r} does not fit a {info.form.value} answer; use one of "
            + ", ".join(sorted(set(aliases.values())))
        )
    media = parse_accept(accept)
    if not media:
        return default
    for m in media:
        if m in aliases:
            return aliases[m]
        if m in ("*/*", "application/*", "text/*"):
            return default
    raise NotAcceptable(
        f"none of the accepted types ({accept}) fits a {info.form.value} answer; this endpoint offers "
        + ", ".join(sorted((GRAPH_MEDIA_TYPES if info.form.is_graph else SELECT_MEDIA_TYPES).values()))
    )


def check_query(text: str, service_allowlist: list[str]) -> QueryInfo:
    try:
        info = inspect(text)
    except ReadOnlyViolation as exc:
        raise QueryRefused(str(exc)) from exc
    allowed = {h.lower() for h in service_allowlist}
    for target in info.services:
        if target.startswith(("?", "$")):
            raise QueryRefused(f"SERVICE with a variable endpoint ({target}) is not allowed")
        host = (urlsplit(target).hostname or target).lower()
        if host not in allowed:
            raise QueryRefused(
                f"SERVICE <{target}> is not allowed: host {host!r} is not in this node's allow-list"
            )
    return info


def answer(
    store: TripleStore,
    text: str,
    *,
    accept: str | None = None,
    format_override: str | list[str] | None = None,
    dataset: Dataset | None = None,
    service_allowlist: list[str] | None = None,
    timeout: float | None = None,
    cap: int | None = None,
) -> SparqlAnswer:
    """Answer one SPARQL Protocol query; raises QueryRefused / NotAcceptable / ValueError / QueryTimeout."""
    info = check_query(text, service_allowlist or [])
    fmt = choose_format(info, accept, format_override)
    deadline = time.monotonic() + timeout if timeout else None
    failure: tuple[type[Exception], str] | None = None
    try:
        return _evaluate(store, text, info.form.is_graph, fmt, dataset, cap, deadline)
    except Exception as exc:
        # pyoxigraph result iterators must die on the thread that made them: drop the traceback (and the
        # frames holding them) here, and raise a fresh error of the same kind
        failure = (type(exc), str(exc))
    raise failure[0](failure[1])


def _evaluate(
    store: TripleStore,
    text: str,
    is_graph: bool,
    fmt: str,
    dataset: Dataset | None,
    cap: int | None,
    deadline: float | None,
) -> SparqlAnswer:
    result = store.query(text, dataset=dataset)
    if is_graph:
        return SparqlAnswer(
            GRAPH_MEDIA_TYPES[fmt], serialize_graph(result.triples, fmt, cap=cap, deadline=deadline)
        )
    return SparqlAnswer(SELECT_MEDIA_TYPES[fmt], serialize_select(result, fmt, cap=cap, deadline=deadline))
