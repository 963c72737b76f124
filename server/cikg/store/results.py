"""Query results independent of the backend, and their SPARQL 1.1 serialisations.

Every adapter answers with pyoxigraph terms (the remote adapter parses what the endpoint sends), so
one set of serialisers serves the ``/sparql`` endpoint whatever the store. Serialisation honours a
row cap and a deadline, checked between rows.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from cikg.store.sparql_text import QueryForm

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class QueryTimeout(TimeoutError):
    """The query ran past its deadline."""


class ResultTooLarge(ValueError):
    """The answer has more rows than the configured cap."""


@dataclass
class QueryResult:
    """The answer to one query: solutions, a boolean, or triples (lazy iterators)."""

    form: QueryForm
    variables: list[str] = field(default_factory=list)
    solutions: Iterable[Any] = ()
    """Rows supporting ``row[var]`` (pyoxigraph ``QuerySolution``) -> term or None."""
    boolean: bool | None = None
    triples: Iterable[ox.Triple] = ()

    def rows(self) -> Iterator[dict[str, Any]]:
        """Solutions as dicts of variable -> pyoxigraph term (None when unbound)."""
        for sol in self.solutions:
            yield {v: sol[v] for v in self.variables}


SELECT_MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_MEDIA_TYPES = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
_GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def _guard(items: Iterable[Any], cap: int | None, deadline: float | None) -> Iterator[Any]:
    for n, item in enumerate(items):
        if cap is not None and n >= cap:
            raise ResultTooLarge(f"the answer has more than {cap} results; add a LIMIT or narrow the query")
        if deadline is not None and (n & 63) == 0 and time.monotonic() > deadline:
            raise QueryTimeout("the query ran past the endpoint's time limit")
        yield item
    if deadline is not None and time.monotonic() > deadline:
        raise QueryTimeout("the query ran past the endpoint's time limit")


def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
        f"</predicate><object>{_xml_term(term.object)}</object></triple>"
    )


def _csv_term(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


_TURTLE_NUMERIC = {
    XSD + "integer": re.compile(r"^[+-]?\d+$"),
    XSD + "decimal": re.compile(r"^[+-]?\d*\.\d+$"),
    XSD + "double": re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)[eE][+-]?\d+$"),
    XSD + "boolean": re.compile(r"^(true|false)$"),
}


def _tsv_term(term: Term | None) -> str:
    """Turtle / N-Triples term syntax, with Turtle's short forms for numbers and booleans."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal) and not term.language:
        pattern = _TURTLE_NUMERIC.get(term.datatype.value)
        if pattern is not None and pattern.match(term.value):
            return term.value
    return str(term)


def serialize_select(
    result: QueryResult, fmt: str, *, cap: int | None = None, deadline: float | None = None
) -> bytes:
    """SELECT and ASK answers in SPARQL 1.1 JSON, XML, CSV or TSV."""
    if fmt not in SELECT_MEDIA_TYPES:
        raise ValueError(f"unsupported results format {fmt!r}; use one of {sorted(SELECT_MEDIA_TYPES)}")
    if result.form is QueryForm.ASK:
        return _serialize_boolean(bool(result.boolean), fmt)
    variables = result.variables
    rows = _guard(result.rows(), cap, deadline)
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in row.items() if t is not None} for row in rows]
        return json.dumps(
            {"head": {"vars": variables}, "results": {"bindings": bindings}}, ensure_ascii=False
        ).encode()
    if fmt == "xml":
        parts = [
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>',
            *(f"<variable name={quoteattr(v)}/>" for v in variables),
            "</head><results>",
        ]
        for row in rows:
            parts.append("<result>")
            parts.extend(
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in row.items()
                if t is not None
            )
            parts.append("</result>")
        parts.append("</results></sparql>")
        return "".join(parts).encode()
    buf = io.StringIO()
    if fmt == "csv":
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([_csv_term(row[v]) for v in variables])
    else:
        buf.write("\t".join("?" + v for v in variables) + "\n")
        for row in rows:
            buf.write("\t".join(_tsv_term(row[v]) for v in variables) + "\n")
    return buf.getvalue().encode()


def _serialize_boolean(value: bool, fmt: str) -> bytes:
    text = "true" if value else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
            f"<boolean>{text}</boolean></sparql>"
        ).encode()
    # CSV/TSV have no boolean form in the spec; answer one column, as most endpoints do
    return f"_askResult\r\n{text}\r\n".encode() if fmt == "csv" else f"?_askResult\n{text}\n".encode()


def serialize_graph(
    triples: Iterable[ox.Triple],
    fmt: str,
    *,
    cap: int | None = None,
    deadline: float | None = None,
    prefixes: dict[str, str] | None = None,
) -> bytes:
    """CONSTRUCT / DESCRIBE answers (and exports) as Turtle, N-Triples, JSON-LD or RDF/XML."""
    if fmt not in _GRAPH_FORMATS:
        raise ValueError(f"unsupported graph format {fmt!r}; use one of {sorted(_GRAPH_FORMATS)}")
    data = list(_guard(triples, cap, deadline))
    out = ox.serialize(data, format=_GRAPH_FORMATS[fmt], prefixes=prefixes if fmt == "turtle" else None)
    return out if out is not None else b""


def solutions_from_rows(variables: Sequence[str], rows: Iterable[dict[str, Term | None]]) -> QueryResult:
    """A SELECT result from plain rows (for answers computed outside a store)."""

    class _Row(dict[str, Any]):
        def __getitem__(self, key: str) -> Any:
            return self.get(key)

    return QueryResult(form=QueryForm.SELECT, variables=list(variables), solutions=(_Row(r) for r in rows))
