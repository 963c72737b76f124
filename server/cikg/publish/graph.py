"""A published document: a set of triples built term by term, and the builder the profiles share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from cikg.namespaces import RDF, XSD

Subject = ox.NamedNode | ox.BlankNode
Value = ox.NamedNode | ox.BlankNode | ox.Literal
_TYPE = ox.NamedNode(RDF + "type")


def iri(value: str | ox.NamedNode) -> ox.NamedNode:
    return value if isinstance(value, ox.NamedNode) else ox.NamedNode(value)


def literal(value: object, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    """A literal for a Python value: typed by ``datatype`` or by the value's own type."""
    if isinstance(value, ox.Literal):
        return value
    if language:
        return ox.Literal(str(value), language=language)
    if datatype is not None:
        text = value.isoformat() if isinstance(value, dt.date | dt.datetime) else str(value)
        if isinstance(value, bool):
            text = "true" if value else "false"
        return ox.Literal(text, datatype=ox.NamedNode(datatype))
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, dt.datetime):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))
    if isinstance(value, dt.date):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    return ox.Literal(str(value))


@dataclass
class Document:
    """What a resource IRI (or an export) answers: triples, the main subject, prefixes for Turtle."""

    triples: list[ox.Triple]
    subject: str
    title: str
    prefixes: dict[str, str] = field(default_factory=dict)
    profile: str | None = None

    def serialize(self, fmt: ox.RdfFormat) -> bytes:
        """The document in ``fmt``, grouped by subject (the main subject first) for readers."""
        triples = sorted(self.triples, key=self.order)
        if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) and self.prefixes:
            iris = _iris(triples)
            used = {k: v for k, v in self.prefixes.items() if any(i.startswith(v) for i in iris)}
            return ox.serialize(triples, format=fmt, prefixes=used) or b""
        return ox.serialize(triples, format=fmt) or b""

    def order(self, t: ox.Triple) -> tuple[int, int, str, int, str, str]:
        s = t.subject
        return (
            0 if isinstance(s, ox.NamedNode) and s.value == self.subject else 1,
            1 if isinstance(s, ox.BlankNode) else 0,
            s.value if isinstance(s, ox.NamedNode | ox.BlankNode) else "",
            0 if t.predicate == _TYPE else 1,
            t.predicate.value,
            str(t.object),
        )

    def __len__(self) -> int:
        return len(self.triples)


class GraphBuilder:
    """Collects triples without duplicates, in insertion order, indexed by (subject, predicate)."""

    def __init__(self) -> None:
        self.done_pairs: set[tuple[str, str]] = set()
        """Keys of parts already added (concepts, schemes), for builders that add them often."""
        self._triples: dict[ox.Triple, None] = {}
        self._index: dict[tuple[Subject, ox.NamedNode], list[ox.Triple]] = {}

    def _put(self, t: ox.Triple) -> None:
        if t not in self._triples:
            self._triples[t] = None
            self._index.setdefault((t.subject, t.predicate), []).append(t)  # type: ignore[arg-type]

    def add(self, s: Subject | str, p: str, o: Value | str) -> None:
        subject = ox.NamedNode(s) if isinstance(s, str) else s
        obj = ox.NamedNode(o) if isinstance(o, str) else o
        self._put(ox.Triple(subject, ox.NamedNode(p), obj))

    def lit(self, s: Subject | str, p: str, value: object, datatype: str | None = None) -> None:
        if value is None:
            return
        self.add(s, p, literal(value, datatype))

    def text(self, s: Subject | str, p: str, value: str | None, language: str | None = "en") -> None:
        if value:
            self.add(s, p, literal(value, language=language))

    def type(self, s: Subject | str, *classes: str) -> None:
        for c in classes:
            self.add(s, RDF + "type", c)

    def extend(self, triples: Iterable[ox.Triple]) -> None:
        for t in triples:
            self._put(t)

    def remove_predicates(self, subject: Subject | str, predicates: Iterable[str]) -> None:
        """Drop every triple of ``subject`` with one of ``predicates``."""
        s = ox.NamedNode(subject) if isinstance(subject, str) else subject
        for p in predicates:
            for t in self._index.pop((s, ox.NamedNode(p)), []):
                del self._triples[t]

    def objects(self, subject: Subject | str, predicate: str) -> list[Value]:
        s = ox.NamedNode(subject) if isinstance(subject, str) else subject
        return [t.object for t in self._index.get((s, ox.NamedNode(predicate)), [])]  # type: ignore[misc]

    def iris(self, subject: Subject | str, predicate: str) -> list[str]:
        """The IRI values of ``predicate`` on ``subject``."""
        return [o.value for o in self.objects(subject, predicate) if isinstance(o, ox.NamedNode)]

    def __iter__(self) -> Iterator[ox.Triple]:
        return iter(self._triples)

    def triples(self) -> list[ox.Triple]:
        return list(self._triples)


def _iris(triples: Iterable[ox.Triple]) -> set[str]:
    """Every IRI the triples use (terms and literal datatypes), once."""
    found: set[str] = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                found.add(term.value)
            elif isinstance(term, ox.Literal):
                found.add(term.datatype.value)
    return found


def is_type(t: ox.Triple) -> bool:
    return t.predicate == _TYPE
