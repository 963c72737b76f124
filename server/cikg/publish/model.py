"""What the store holds, read back as model objects: the input of every publishing profile.

One CONSTRUCT fetches the catalogue-level resources (catalogue, data holders, collections,
distributions, harvest runs) with their inlined blank nodes; the LinkML plan of :mod:`cikg.rdfmap`
turns them back into dicts keyed by slot name, exactly the shape harvesters write. Series summaries
are never read here (they can be millions; collections carry their aggregates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from cikg import rdfmap
from cikg.namespaces import NODE_PATHS, RDF, SYSTEM_GRAPH, XSD
from cikg.store import SourceInfo, TripleStore

CLASSES = ("Catalogue", "DataHolder", "Collection", "Distribution", "HarvestRun")
"""Model classes published as resources, in the order they are read."""

_INTEGER = {XSD + t for t in ("integer", "nonNegativeInteger", "int", "long", "positiveInteger")}
_FLOAT = {XSD + t for t in ("float", "double", "decimal")}


@dataclass
class Obj:
    """One model object: its IRI (None when inlined), class name and slot values.

    Multivalued slots hold lists; IRI, enum and reference values are IRI strings; inlined objects are
    :class:`Obj` too.
    """

    iri: str | None
    cls: str
    data: dict[str, Any] = field(default_factory=dict)
    graph: str | None = None
    """The graph the object came from (a source's current version graph, or the system graph)."""

    def get(self, slot: str, default: Any = None) -> Any:
        return self.data.get(slot, default)

    def all(self, slot: str) -> list[Any]:
        value = self.data.get(slot)
        if value is None:
            return []
        return value if isinstance(value, list) else [value]


@dataclass
class Snapshot:
    """The catalogue-level content of the store at one moment."""

    base: str
    catalogue: Obj | None
    holders: dict[str, Obj]
    collections: dict[str, Obj]
    distributions: dict[str, Obj]
    runs: dict[str, Obj]
    sources: list[SourceInfo]

    def loaded_at(self, obj: Obj) -> dt.datetime | None:
        """When the source holding ``obj`` was (last) loaded."""
        for s in self.sources:
            if s.graph == obj.graph:
                return s.loaded_at
        return None

    def source_of(self, obj: Obj) -> SourceInfo | None:
        return next((s for s in self.sources if s.graph == obj.graph), None)

    @property
    def modified(self) -> dt.datetime | None:
        stamps = [s.loaded_at for s in self.sources if s.loaded_at is not None]
        return max(stamps) if stamps else None

    @property
    def issued(self) -> dt.datetime | None:
        stamps = [s.loaded_at for s in self.sources if s.loaded_at is not None]
        return min(stamps) if stamps else None

    def local(self, kind: str, local_id: str) -> Obj | None:
        """The resource of ``kind`` ('collection', 'distribution', 'holder') whose IRI ends in ``/kind/id``.

        Resolved by the path below the base URL, so a node keeps answering for the IRIs it minted
        when it is reached under another host name.
        """
        from urllib.parse import quote

        table = {"collection": self.collections, "distribution": self.distributions, "holder": self.holders}
        if kind not in table:
            raise ValueError(f"unknown resource kind {kind!r}")
        suffix = f"/{NODE_PATHS[kind]}/{quote(local_id, safe='-._~')}"
        exact = table[kind].get(self.base + suffix)
        if exact is not None:
            return exact
        found = [o for iri, o in table[kind].items() if iri.endswith(suffix)]
        return found[0] if len(found) == 1 else None

    def collections_of(self, holder_iri: str) -> list[Obj]:
        return [c for c in self.collections.values() if c.get("data_holder") == holder_iri]

    def collection_of(self, distribution_iri: str) -> Obj | None:
        return next((c for c in self.collections.values() if distribution_iri in c.all("distribution")), None)


def _fetch_query() -> str:
    plans = rdfmap.plan()
    classes = " ".join(f"<{plans[c].class_iri.value}>" for c in CLASSES)
    inline = sorted(
        {s.predicate.value for p in plans.values() for s in p.slots.values() if s.kind == "inline"}
    )
    nested = ", ".join(f"<{i}>" for i in inline)
    return f"""CONSTRUCT {{ ?s ?p ?o . ?o ?p2 ?o2 . ?o2 ?p3 ?o3 }} WHERE {{
  VALUES ?c {{ {classes} }}
  ?s a ?c ; ?p ?o .
  OPTIONAL {{ ?o ?p2 ?o2 FILTER(isBlank(?o) || ?p IN ({nested}))
    OPTIONAL {{ ?o2 ?p3 ?o3 FILTER(isBlank(?o2) || ?p2 IN ({nested})) }} }}
}}"""


def _graphs_query() -> str:
    plans = rdfmap.plan()
    classes = " ".join(f"<{plans[c].class_iri.value}>" for c in CLASSES)
    return f"SELECT DISTINCT ?s ?g WHERE {{ VALUES ?c {{ {classes} }} GRAPH ?g {{ ?s a ?c }} }}"


def read_snapshot(store: TripleStore, base: str) -> Snapshot:
    """Read the catalogue-level resources of ``store`` (IRIs minted under ``base`` or elsewhere)."""
    graph = ox.Store()
    graph.extend(ox.Quad(t.subject, t.predicate, t.object) for t in store.query(_fetch_query()).triples)
    where: dict[str, str] = {}
    for row in store.query(_graphs_query()).rows():
        s, g = row["s"], row["g"]
        # a resource described in a source graph wins over the system graph
        if (
            isinstance(s, ox.NamedNode)
            and g is not None
            and (s.value not in where or where[s.value] == SYSTEM_GRAPH)
        ):
            where[s.value] = g.value
    reader = _Reader(graph)
    found: dict[str, dict[str, Obj]] = {c: {} for c in CLASSES}
    plans = rdfmap.plan()
    for cls in CLASSES:
        for quad in graph.quads_for_pattern(None, ox.NamedNode(RDF + "type"), plans[cls].class_iri):
            if isinstance(quad.subject, ox.NamedNode):
                obj = reader.read(quad.subject, cls)
                obj.graph = where.get(quad.subject.value)
                found[cls][quad.subject.value] = obj
    catalogues = found["Catalogue"]
    from cikg.namespaces import catalogue_iri

    return Snapshot(
        base=base,
        catalogue=catalogues.get(catalogue_iri(base)),
        holders=found["DataHolder"],
        collections=found["Collection"],
        distributions=found["Distribution"],
        runs=found["HarvestRun"],
        sources=store.sources(),
    )


class _Reader:
    def __init__(self, graph: ox.Store) -> None:
        self.graph = graph
        self.plans = rdfmap.plan()
        self.reverse = {
            name: {slot.predicate.value: slot for slot in plan.slots.values()}
            for name, plan in self.plans.items()
        }

    def read(self, node: ox.NamedNode | ox.BlankNode, cls: str) -> Obj:
        obj = Obj(iri=node.value if isinstance(node, ox.NamedNode) else None, cls=cls)
        slots = self.reverse[cls]
        for quad in self.graph.quads_for_pattern(node, None, None):
            slot = slots.get(quad.predicate.value)
            if slot is None:
                continue
            value = self._value(slot, quad.object)
            if value is None:
                continue
            if slot.multivalued:
                obj.data.setdefault(slot.name, []).append(value)
            else:
                obj.data[slot.name] = value
        for name, value in obj.data.items():
            if isinstance(value, list):
                obj.data[name] = _sorted(value)
        return obj

    def _value(self, slot: rdfmap.SlotPlan, term: Any) -> Any:
        if slot.kind == "inline":
            if isinstance(term, ox.NamedNode | ox.BlankNode) and slot.range_class:
                return self.read(term, slot.range_class)
            return None
        if slot.kind in ("iri", "enum", "ref"):
            return term.value if isinstance(term, ox.NamedNode) else None
        if isinstance(term, ox.Literal):
            return to_python(term)
        return None


def to_python(term: ox.Literal) -> Any:
    """A literal's Python value (numbers, booleans, dates and date-times; text otherwise)."""
    dtype = term.datatype.value
    try:
        if dtype in _INTEGER:
            return int(term.value)
        if dtype in _FLOAT:
            return float(term.value)
        if dtype == XSD + "boolean":
            return term.value in ("true", "1")
        if dtype == XSD + "date":
            return dt.date.fromisoformat(term.value)
        if dtype == XSD + "dateTime":
            return dt.datetime.fromisoformat(term.value.replace("Z", "+00:00"))
    except ValueError:
        return term.value
    return term.value


def _sorted(values: Iterable[Any]) -> list[Any]:
    return sorted(values, key=lambda v: (type(v).__name__, v.iri or "" if isinstance(v, Obj) else str(v)))
