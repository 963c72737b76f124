"""Model objects to RDF, driven by the LinkML schema: the one fast writer every harvester uses.

The plan (class IRIs, slot predicates, datatypes, enum meanings) is compiled once from
schemas/cikg.yaml with linkml-runtime's SchemaView, so nothing here restates the schema. Output is
pyoxigraph triples, ready for the store's bulk path or an N-Triples file. A contract test checks the
output is isomorphic to linkml-runtime's reference RDF serialisation of the same objects.

Objects are plain dicts keyed by slot name (or Pydantic models from :mod:`cikg.model.cikg`); enum
values are permissible-value names (e.g. ``"lung_cancer"``); references to other objects are IRIs;
inlined objects are dicts and become blank nodes, as in LinkML's RDF.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyoxigraph as ox

from cikg import resources
from cikg.namespaces import RDF, XSD

_RDF_TYPE = ox.NamedNode(RDF + "type")


class ModelError(ValueError):
    """An object does not fit the model (unknown slot or class, a value outside its enum)."""


@dataclass
class SlotPlan:
    name: str
    predicate: ox.NamedNode
    kind: str  # "literal" | "iri" | "enum" | "ref" | "inline"
    multivalued: bool
    datatype: ox.NamedNode | None = None
    enum: dict[str, ox.NamedNode | ox.Literal] | None = None
    range_class: str | None = None


@dataclass
class ClassPlan:
    name: str
    class_iri: ox.NamedNode
    slots: dict[str, SlotPlan] = field(default_factory=dict)
    identifier: str | None = None


_XSD_STRING = XSD + "string"


@cache
def plan() -> dict[str, ClassPlan]:
    """The compiled mapping of every class of the model (cached; ~1 s on first use)."""
    from linkml_runtime import SchemaView

    sv = SchemaView(str(resources.schema_path()))
    enums: dict[str, dict[str, ox.NamedNode | ox.Literal]] = {}
    for ename, edef in sv.all_enums().items():
        # a value with a `meaning` is its concept IRI; one without is a plain string (as in LinkML's RDF)
        enums[ename] = {
            pv_name: ox.NamedNode(sv.expand_curie(pv.meaning)) if pv.meaning else ox.Literal(pv_name)
            for pv_name, pv in (edef.permissible_values or {}).items()
        }
    classes = sv.all_classes()
    types = sv.all_types()
    plans: dict[str, ClassPlan] = {}
    for cname in classes:
        cplan = ClassPlan(cname, ox.NamedNode(sv.get_uri(cname, expand=True)))
        for slot in sv.class_induced_slots(cname):
            if slot.identifier:
                cplan.identifier = slot.name
                continue
            predicate = ox.NamedNode(sv.get_uri(slot, expand=True))
            rng = slot.range or sv.schema.default_range or "string"
            multivalued = bool(slot.multivalued)
            if rng in classes:
                inlined = bool(slot.inlined or slot.inlined_as_list) or sv.get_identifier_slot(rng) is None
                kind = "inline" if inlined else "ref"
                cplan.slots[slot.name] = SlotPlan(slot.name, predicate, kind, multivalued, range_class=rng)
            elif rng in enums:
                cplan.slots[slot.name] = SlotPlan(slot.name, predicate, "enum", multivalued, enum=enums[rng])
            else:
                t = types[rng]
                uri = sv.expand_curie(t.uri) if t.uri else _XSD_STRING
                base = t
                while base.typeof and not t.uri:
                    base = types[base.typeof]
                    uri = sv.expand_curie(base.uri) if base.uri else uri
                if uri in (XSD + "anyURI",) or rng in ("uri", "uriorcurie", "curie"):
                    cplan.slots[slot.name] = SlotPlan(slot.name, predicate, "iri", multivalued)
                else:
                    cplan.slots[slot.name] = SlotPlan(
                        slot.name, predicate, "literal", multivalued, datatype=ox.NamedNode(uri)
                    )
        plans[cname] = cplan
    return plans


def _literal(value: Any, datatype: ox.NamedNode | None) -> ox.Literal:
    if datatype is None or datatype.value == _XSD_STRING:
        return ox.Literal(str(value))
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=datatype)
    if hasattr(value, "isoformat"):
        return ox.Literal(value.isoformat(), datatype=datatype)
    return ox.Literal(str(value), datatype=datatype)


class RdfMapper:
    """Turns model objects into triples. ``expand`` turns CURIEs in IRI-valued slots into IRIs."""

    def __init__(self) -> None:
        self._plans = plan()
        from cikg.namespaces import converter

        self._conv = converter()
        self._bnodes = itertools.count()

    def _iri(self, value: str) -> ox.NamedNode:
        scheme = value.split(":", 1)[0].lower()
        if scheme in ("http", "https", "urn", "mailto", "file", "tag", "doi"):
            return ox.NamedNode(value)
        try:
            return ox.NamedNode(self._conv.to_iri(value))
        except ValueError as exc:
            raise ModelError(f"not an IRI or a known CURIE: {value!r}") from exc

    def _enum_value(self, slot: SlotPlan, value: Any, cls: str) -> ox.NamedNode | ox.Literal:
        key = getattr(value, "value", value)
        assert slot.enum is not None
        found = slot.enum.get(str(key))
        if found is not None:
            return found
        if ":" in str(key):  # also accept the concept itself, as CURIE or IRI
            iri = self._iri(str(key)).value
            if any(n.value == iri for n in slot.enum.values()):
                return ox.NamedNode(iri)
        raise ModelError(f"{cls}.{slot.name}: {key!r} is not a permissible value")

    def triples(
        self, obj: Mapping[str, Any] | Any, cls: str, subject: ox.NamedNode | ox.BlankNode | None = None
    ) -> Iterator[ox.Triple]:
        """Triples for one object of class ``cls`` (its own node first, then inlined objects)."""
        data = obj if isinstance(obj, Mapping) else obj.model_dump(exclude_none=True)
        cplan = self._plans.get(cls)
        if cplan is None:
            raise ModelError(f"unknown class {cls!r}")
        if subject is None:
            if cplan.identifier is not None:
                ident = data.get(cplan.identifier)
                if not ident:
                    raise ModelError(f"{cls}: missing {cplan.identifier}")
                subject = self._iri(str(ident))
            else:
                subject = ox.BlankNode()
        yield ox.Triple(subject, _RDF_TYPE, cplan.class_iri)
        for name, value in data.items():
            if value is None or name == cplan.identifier:
                continue
            slot = cplan.slots.get(name)
            if slot is None:
                raise ModelError(f"{cls}: unknown slot {name!r}")
            values: Iterable[Any] = value if isinstance(value, list | tuple | set | frozenset) else [value]
            for v in values:
                if v is None:
                    continue
                if slot.kind == "literal":
                    yield ox.Triple(subject, slot.predicate, _literal(v, slot.datatype))
                elif slot.kind == "iri":
                    yield ox.Triple(subject, slot.predicate, self._iri(str(v)))
                elif slot.kind == "enum":
                    yield ox.Triple(subject, slot.predicate, self._enum_value(slot, v, cls))
                elif slot.kind == "ref":
                    ref = v if isinstance(v, str) else (v.get("id") if isinstance(v, Mapping) else v.id)
                    yield ox.Triple(subject, slot.predicate, self._iri(str(ref)))
                else:
                    assert slot.range_class is not None
                    # an inlined object with an identifier keeps its IRI (as in LinkML's RDF)
                    ident_slot = self._plans[slot.range_class].identifier
                    ident = v.get(ident_slot) if ident_slot and isinstance(v, Mapping) else None
                    node = self._iri(str(ident)) if ident else ox.BlankNode()
                    yield ox.Triple(subject, slot.predicate, node)
                    yield from self.triples(v, slot.range_class, node)


def to_triples(objects: Iterable[tuple[str, Mapping[str, Any] | Any]]) -> Iterator[ox.Triple]:
    """Triples for ``(class name, object)`` pairs."""
    mapper = RdfMapper()
    for cls, obj in objects:
        yield from mapper.triples(obj, cls)
