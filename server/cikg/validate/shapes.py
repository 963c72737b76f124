"""The generated SHACL shapes, read into plain objects the fast validator compiles to SPARQL.

Only what ``schemas/generated/cikg.shacl.ttl`` uses is supported (node shapes with ``sh:targetClass``,
``sh:closed`` + ``sh:ignoredProperties``, property shapes on predicate paths with ``sh:class``,
``sh:datatype``, ``sh:nodeKind``, ``sh:minCount``, ``sh:maxCount``, ``sh:in``, ``sh:pattern`` (+
``sh:flags``), ``sh:minInclusive``, ``sh:maxInclusive``, ``sh:minExclusive``, ``sh:maxExclusive``,
``sh:minLength``, ``sh:maxLength``, ``sh:hasValue``). Anything else raises
:class:`UnsupportedShape`, so a schema change that needs a new constraint kind fails loudly (the
pySHACL reference path still validates it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from cikg import resources
from cikg.namespaces import RDF, SH

_SH = SH
_IGNORED_PARAMS = {_SH + p for p in ("order", "description", "name", "group", "defaultValue", "message")}
_PROPERTY_PARAMS = {
    _SH + p
    for p in (
        "path",
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "in",
        "pattern",
        "flags",
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "minLength",
        "maxLength",
        "hasValue",
        "severity",
    )
}
_NODE_PARAMS = {_SH + p for p in ("targetClass", "closed", "ignoredProperties", "property", "severity")} | {
    RDF + "type",
    "http://www.w3.org/2000/01/rdf-schema#comment",
    "http://www.w3.org/2000/01/rdf-schema#label",
}


class UnsupportedShape(ValueError):
    """The shapes use a SHACL feature the fast path does not compile."""


@dataclass
class PropertyShape:
    node: str  # the shape's node, as N-Triples text (for messages)
    path: str  # predicate IRI
    class_: list[str] = field(default_factory=list)
    datatype: str | None = None
    node_kind: str | None = None  # SHACL node kind IRI
    min_count: int | None = None
    max_count: int | None = None
    in_: list[ox.NamedNode | ox.Literal | ox.BlankNode] | None = None
    patterns: list[str] = field(default_factory=list)
    flags: str | None = None
    min_inclusive: ox.Literal | None = None
    max_inclusive: ox.Literal | None = None
    min_exclusive: ox.Literal | None = None
    max_exclusive: ox.Literal | None = None
    min_length: int | None = None
    max_length: int | None = None
    has_value: list[ox.NamedNode | ox.Literal | ox.BlankNode] = field(default_factory=list)
    severity: str = _SH + "Violation"


@dataclass
class NodeShape:
    iri: str
    target_classes: list[str]
    closed: bool = False
    ignored: list[str] = field(default_factory=list)
    properties: list[PropertyShape] = field(default_factory=list)
    severity: str = _SH + "Violation"

    @property
    def allowed_predicates(self) -> set[str]:
        return {p.path for p in self.properties} | set(self.ignored)


@dataclass
class Shapes:
    path: Path
    node_shapes: list[NodeShape]
    text: str

    @property
    def target_classes(self) -> set[str]:
        return {c for s in self.node_shapes for c in s.target_classes}


def _list(store: ox.Store, head: Any) -> list[Any]:
    out: list[Any] = []
    first, rest, nil = ox.NamedNode(RDF + "first"), ox.NamedNode(RDF + "rest"), RDF + "nil"
    node: Any = head
    while not (isinstance(node, ox.NamedNode) and node.value == nil):
        firsts = [q.object for q in store.quads_for_pattern(node, first, None)]
        rests = [q.object for q in store.quads_for_pattern(node, rest, None)]
        if len(firsts) != 1 or len(rests) != 1:
            raise UnsupportedShape(f"malformed RDF list at {node}")
        out.append(firsts[0])
        node = rests[0]
    return out


def _term(term: object) -> Any:
    return term


def _int(term: object) -> int:
    assert isinstance(term, ox.Literal)
    return int(term.value)


def load_shapes(path: Path | None = None) -> Shapes:
    """Read a SHACL shapes file (default: the generated ``cikg.shacl.ttl``)."""
    path = path or resources.shacl_path()
    text = path.read_text(encoding="utf-8")
    store = ox.Store()
    store.load(text.encode("utf-8"), ox.RdfFormat.TURTLE)
    node_shapes: list[NodeShape] = []
    rdf_type = ox.NamedNode(RDF + "type")
    for quad in store.quads_for_pattern(None, rdf_type, ox.NamedNode(_SH + "NodeShape")):
        subject = quad.subject
        assert isinstance(subject, ox.NamedNode | ox.BlankNode)
        shape = NodeShape(iri=str(subject), target_classes=[])
        for q in store.quads_for_pattern(subject, None, None):
            p, o = q.predicate.value, _term(q.object)
            if p == _SH + "targetClass":
                shape.target_classes.append(o.value)
            elif p == _SH + "closed":
                shape.closed = o.value == "true"
            elif p == _SH + "ignoredProperties":
                shape.ignored = [n.value for n in _list(store, o)]
            elif p == _SH + "property":
                assert isinstance(o, ox.NamedNode | ox.BlankNode)
                shape.properties.append(_property(store, o))
            elif p == _SH + "severity":
                shape.severity = o.value
            elif p not in _NODE_PARAMS and p not in _IGNORED_PARAMS:
                raise UnsupportedShape(f"node shape {subject}: unsupported parameter <{p}>")
        if not shape.target_classes:
            raise UnsupportedShape(f"node shape {subject} has no sh:targetClass")
        shape.properties.sort(key=lambda ps: ps.path)
        node_shapes.append(shape)
    node_shapes.sort(key=lambda s: s.iri)
    return Shapes(path=path, node_shapes=node_shapes, text=text)


def _property(store: ox.Store, node: ox.NamedNode | ox.BlankNode) -> PropertyShape:
    ps = PropertyShape(node=str(node), path="")
    for q in store.quads_for_pattern(node, None, None):
        p, o = q.predicate.value, _term(q.object)
        if p in _IGNORED_PARAMS:
            continue
        if p not in _PROPERTY_PARAMS:
            raise UnsupportedShape(f"property shape {node}: unsupported parameter <{p}>")
        key = p[len(_SH) :]
        if key == "path":
            if not isinstance(o, ox.NamedNode):
                raise UnsupportedShape(f"property shape {node}: only predicate paths are supported")
            ps.path = o.value
        elif key == "class":
            ps.class_.append(o.value)
        elif key == "datatype":
            ps.datatype = o.value
        elif key == "nodeKind":
            ps.node_kind = o.value
        elif key == "minCount":
            ps.min_count = _int(o)
        elif key == "maxCount":
            ps.max_count = _int(o)
        elif key == "in":
            ps.in_ = _list(store, o)
        elif key == "pattern":
            ps.patterns.append(o.value)
        elif key == "flags":
            ps.flags = o.value
        elif key in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            assert isinstance(o, ox.Literal)
            setattr(
                ps,
                {
                    "minInclusive": "min_inclusive",
                    "maxInclusive": "max_inclusive",
                    "minExclusive": "min_exclusive",
                    "maxExclusive": "max_exclusive",
                }[key],
                o,
            )
        elif key == "minLength":
            ps.min_length = _int(o)
        elif key == "maxLength":
            ps.max_length = _int(o)
        elif key == "hasValue":
            ps.has_value.append(o)
        elif key == "severity":
            ps.severity = o.value
    if not ps.path:
        raise UnsupportedShape(f"property shape {node} has no sh:path")
    return ps


@cache
def default_shapes() -> Shapes:
    return load_shapes()
