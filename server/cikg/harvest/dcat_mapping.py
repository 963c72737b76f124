"""Harvested DCAT RDF -> model objects: what the DCAT harvester stores (docs/decisions/0003-foreign-dcat.md).

A remote catalogue's graph is *projected onto the model*: every ``dcat:Catalog`` and ``dcat:Dataset``
(and the data holders, distributions, contact points, periods, counts ... they point at) is read back
into a model object through the same plan :mod:`cikg.rdfmap` writes with, so a cikg node's own DCAT
output comes back as the objects it was written from, and passes the SHACL gate. Foreign DCAT-AP /
HealthDCAT-AP is read the same way, with a few documented fallbacks for what foreign catalogues state
differently (language-tagged titles, ``xsd:dateTime`` for dates, a publisher without a country or
juridical person, conditions as ``dct:subject`` / ``dcat:theme`` codes). Everything outside the model
is dropped and counted per predicate; a dataset that still lacks a required field is left out and
reported with the fields it lacks. Nothing here writes: the caller publishes the objects through the
SHACL gate like every other harvest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyoxigraph as ox

from cikg.harvest.base import MappingTally, Problem
from cikg.namespaces import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, VCARD, XSD
from cikg.rdfmap import ClassPlan, SlotPlan, plan

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Node = ox.NamedNode | ox.BlankNode

HEALTHDCATAP = "http://healthdataportal.eu/ns/health#"
EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"

SLOT_KINDS: dict[str, str] = {
    "sex": "sex",
    "primary_cancer_condition": "condition",
    "condition": "condition",
    "image_modality": "modality",
    "modality": "modality",
    "body_part": "body_part",
    "manufacturer": "manufacturer",
    "laterality": "laterality",
    "acquisition_semantics": "acquisition_semantics",
    "sop_class": "sop_class",
    "dataset_type": "dataset_type",
    "annotation_method": "annotation_method",
    "collection_method": "collection_method",
}
"""Enum slots whose values a foreign catalogue may code its own way: asked of the value mapper."""

CONDITION_FALLBACKS = (
    DCTERMS + "subject",
    DCAT + "theme",
    HEALTHDCATAP + "healthTheme",
    HEALTHDCATAP + "healthCategory",
)
"""Where HealthDCAT-AP / DCAT-AP datasets name what they are about when ``eucaim:hasCondition`` is absent."""

NAME_FALLBACKS = (FOAF + "name", VCARD + "fn", SKOS + "prefLabel", RDFS + "label", DCTERMS + "title")
TOP_CLASSES = ("Catalogue", "Collection")
"""Classes read wherever they are typed; the others only where a mapped object points at them."""
SKIPPED_CLASSES = frozenset({"HarvestRun", "SoftwareAgent", "SeriesSummary"})
"""A remote node's provenance and series summaries are not copied (the local run is the provenance)."""


@cache
def required_slots() -> dict[str, frozenset[str]]:
    """Required slots per class (from the schema, as the SHACL shapes say ``sh:minCount 1``)."""
    from linkml_runtime import SchemaView

    from cikg import resources

    sv = SchemaView(str(resources.schema_path()))
    return {
        cls: frozenset(s.name for s in sv.class_induced_slots(cls) if s.required and not s.identifier)
        for cls in sv.all_classes()
    }


@cache
def _reverse_enums() -> dict[str, dict[str, str]]:
    """Per enum slot (by its plan identity): value IRI / literal -> permissible-value name."""
    out: dict[str, dict[str, str]] = {}
    for cplan in plan().values():
        for slot in cplan.slots.values():
            if slot.enum:
                out[f"{cplan.name}.{slot.name}"] = {term.value: name for name, term in slot.enum.items()}
    return out


@dataclass
class MappingOptions:
    """What the steward adds for foreign catalogues (the command line's --country / --condition / ...)."""

    country: str | None = None
    """ISO 3166-1 alpha-2 code for data holders that state none."""
    conditions: tuple[str, ...] = ()
    """Conditions (concept ids) for datasets that name none the hyperontology knows."""
    run_iri: str | None = None
    """The local harvest run: every mapped collection's ``was_generated_by``."""


@dataclass
class MappingResult:
    objects: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    catalogues: int = 0
    collections: int = 0
    datasets_seen: int = 0
    skipped_records: int = 0
    problems: list[Problem] = field(default_factory=list)
    dropped_predicates: Counter[str] = field(default_factory=Counter)
    dropped_values: Counter[str] = field(default_factory=Counter)


class _Graph:
    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.props: dict[Node, dict[str, list[Term]]] = {}
        self.types: dict[Node, set[str]] = {}
        for t in triples:
            s = t.subject
            if not isinstance(s, ox.NamedNode | ox.BlankNode):
                continue
            p = t.predicate.value
            o = t.object
            if not isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal):
                continue
            if p == RDF + "type" and isinstance(o, ox.NamedNode):
                self.types.setdefault(s, set()).add(o.value)
            else:
                self.props.setdefault(s, {}).setdefault(p, []).append(o)

    def values(self, node: Node, predicate: str) -> list[Term]:
        return self.props.get(node, {}).get(predicate, [])

    def typed(self, class_iri: str) -> list[Node]:
        return sorted((n for n, ts in self.types.items() if class_iri in ts), key=lambda n: str(n))


def _pick_text(values: list[Term]) -> list[ox.Literal]:
    """For a single-valued text slot: English, else no language, else the first (sorted)."""
    lits = [v for v in values if isinstance(v, ox.Literal)]
    for wanted in ("en", None):
        found = [
            v
            for v in lits
            if (v.language or None) == wanted or (wanted == "en" and (v.language or "").startswith("en-"))
        ]
        if found:
            return sorted(found, key=lambda v: v.value)[:1]
    return sorted(lits, key=lambda v: (v.language or "", v.value))[:1]


class Projector:
    """Reads model objects out of a harvested graph (see the module docstring)."""

    def __init__(self, triples: Iterable[ox.Triple], tally: MappingTally, options: MappingOptions) -> None:
        from cikg.namespaces import converter

        self.g = _Graph(triples)
        self.tally = tally
        self.opts = options
        self.plans = plan()
        self.conv = converter()
        self.result = MappingResult()
        self._done: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._emitted: set[str] = set()

    # -- values ---------------------------------------------------------------------------------------
    def _curie(self, iri: str) -> str:
        return self.conv.compress(iri) or iri

    def _enum(self, cplan: ClassPlan, slot: SlotPlan, term: Term) -> str | None:
        reverse = _reverse_enums()[f"{cplan.name}.{slot.name}"]
        name = reverse.get(term.value)
        if name is not None:
            return name
        if slot.name in ("country", "spatial_coverage") and isinstance(term, ox.Literal):
            code = term.value.strip().upper()
            return code if code in reverse.values() else None
        kind = SLOT_KINDS.get(slot.name)
        if kind is None:
            return None
        value = self._curie(term.value) if isinstance(term, ox.NamedNode) else term.value
        concept = self.tally.map(kind, value)
        assert slot.enum is not None
        return concept if concept in slot.enum else None

    def _literal(self, slot: SlotPlan, term: Term) -> Any:
        if not isinstance(term, ox.Literal):
            raise ValueError("an IRI where a literal is expected")
        dt_ = slot.datatype.value if slot.datatype else XSD + "string"
        text = term.value.strip()
        if dt_ == XSD + "string":
            return term.value
        if dt_ == XSD + "integer":
            number = (
                int(float(text)) if term.datatype.value in (XSD + "decimal", XSD + "double") else int(text)
            )
            if number < 0:
                raise ValueError("a negative count")
            return number
        if dt_ in (XSD + "float", XSD + "double", XSD + "decimal"):
            return float(text)
        if dt_ == XSD + "boolean":
            if text not in ("true", "false", "1", "0"):
                raise ValueError("not a boolean")
            return text in ("true", "1")
        if dt_ == XSD + "date":
            import datetime as dt

            return dt.date.fromisoformat(text[:10]).isoformat()
        if dt_ == XSD + "gYearMonth":
            import re

            m = re.match(r"^(\d{4})-(0[1-9]|1[0-2])", text)
            if m is None:
                raise ValueError("not a year and month")
            return f"{m.group(1)}-{m.group(2)}"
        if dt_ == XSD + "dateTime":
            import datetime as dt

            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
        return term.value

    # -- objects -------------------------------------------------------------------------------------
    def node(self, node: Node, cls: str, where: str) -> dict[str, Any] | None:
        """The model object for ``node`` as class ``cls`` (None: not enough for the model)."""
        key = (cls, str(node))
        if key in self._done:
            return self._done[key]
        self._done[key] = None  # cycle guard
        cplan = self.plans[cls]
        obj: dict[str, Any] = {}
        if cplan.identifier is not None:
            if not isinstance(node, ox.NamedNode):
                self.result.problems.append(Problem(where, f"a {cls} without an IRI (blank node): left out"))
                return None
            obj[cplan.identifier] = node.value
        by_predicate = {s.predicate.value: s for s in cplan.slots.values()}
        for predicate, values in self.g.props.get(node, {}).items():
            slot = by_predicate.get(predicate)
            if slot is None:
                self.result.dropped_predicates[self._curie(predicate)] += len(values)
                continue
            out = self._slot_values(cplan, slot, values, where)
            if out:
                obj[slot.name] = out if slot.multivalued else out[0]
        self._fallbacks(node, cls, obj, where)
        missing = sorted(required_slots()[cls] - {k for k, v in obj.items() if v not in (None, [], "")})
        if missing:
            names = ", ".join(f"{m} ({self._curie(cplan.slots[m].predicate.value)})" for m in missing)
            self.result.problems.append(Problem(where, f"{cls} left out: no {names}"))
            return None
        self._done[key] = obj
        return obj

    def _slot_values(self, cplan: ClassPlan, slot: SlotPlan, values: list[Term], where: str) -> list[Any]:
        if (
            slot.kind == "literal"
            and not slot.multivalued
            and slot.datatype
            and slot.datatype.value == XSD + "string"
        ):
            values = list(_pick_text(values))
        out: list[Any] = []
        for term in values:
            try:
                if slot.kind == "literal":
                    out.append(self._literal(slot, term))
                elif slot.kind == "iri":
                    if isinstance(term, ox.NamedNode):
                        out.append(term.value)
                    elif isinstance(term, ox.Literal) and term.value.startswith(
                        ("http://", "https://", "mailto:")
                    ):
                        out.append(term.value.strip())
                    else:
                        raise ValueError("not an IRI")
                elif slot.kind == "enum":
                    name = self._enum(cplan, slot, term)
                    if name is None:
                        raise ValueError("no concept of the model")
                    out.append(name)
                elif slot.kind == "ref":
                    if not isinstance(term, ox.NamedNode):
                        raise ValueError("a blank node where an IRI is expected")
                    out.append(term.value)
                else:
                    if not isinstance(term, ox.NamedNode | ox.BlankNode):
                        raise ValueError("a literal where a description is expected")
                    assert slot.range_class is not None
                    inner = self.node_inline(term, slot.range_class, where)
                    if inner is None:
                        raise ValueError(f"an incomplete {slot.range_class}")
                    out.append(inner)
            except (ValueError, TypeError) as exc:
                self.result.dropped_values[f"{self._curie(slot.predicate.value)}: {exc}"] += 1
        if not slot.multivalued:
            distinct = list(dict.fromkeys(str(v) for v in out))
            if len(distinct) > 1:
                self.result.dropped_values[f"{self._curie(slot.predicate.value)}: more than one value"] += 1
                out = sorted(out, key=str)[:1]
        else:
            seen: list[Any] = []
            for v in out:
                if v not in seen:
                    seen.append(v)
            out = seen
        return out

    def node_inline(self, node: Node, cls: str, where: str) -> dict[str, Any] | None:
        obj = self.node(node, cls, where)
        if obj is None:
            return None
        return {k: v for k, v in obj.items() if k != "id"} if self.plans[cls].identifier is None else obj

    def _fallbacks(self, node: Node, cls: str, obj: dict[str, Any], where: str) -> None:
        iri = node.value if isinstance(node, ox.NamedNode) else None
        if cls in ("Collection", "DataHolder") and not obj.get("identifier") and iri:
            obj["identifier"] = iri
        if cls == "DataHolder":
            if not obj.get("name"):
                names = _pick_text([v for p in NAME_FALLBACKS for v in self.g.values(node, p)])
                if names:
                    obj["name"] = names[0].value
            if not obj.get("juridical_person") and obj.get("name"):
                obj["juridical_person"] = obj["name"]
            if not obj.get("country") and self.opts.country:
                obj["country"] = self.opts.country
        if cls == "ContactPoint" and not obj.get("fn"):
            names = _pick_text([v for p in NAME_FALLBACKS for v in self.g.values(node, p)])
            if names:
                obj["fn"] = names[0].value
        if cls == "Collection":
            if not obj.get("primary_cancer_condition"):
                found: list[str] = []
                for predicate in CONDITION_FALLBACKS:
                    for term in self.g.values(node, predicate):
                        if isinstance(term, ox.NamedNode | ox.Literal):
                            value = self._curie(term.value) if isinstance(term, ox.NamedNode) else term.value
                            concept = self.tally.map("condition", value, count=0)
                            allowed = self.plans["Collection"].slots["primary_cancer_condition"].enum or {}
                            if concept in allowed and concept not in found:
                                found.append(concept)
                obj["primary_cancer_condition"] = sorted(found) or list(self.opts.conditions)
            if self.opts.run_iri:
                obj["was_generated_by"] = self.opts.run_iri
            elif "was_generated_by" in obj:
                del obj["was_generated_by"]

    # -- the whole graph -------------------------------------------------------------------------------
    def project(self) -> MappingResult:
        res = self.result
        collections: dict[str, dict[str, Any]] = {}
        dataset_nodes = self.g.typed(self.plans["Collection"].class_iri.value)
        res.datasets_seen = len(dataset_nodes)
        described = {n.value for n in dataset_nodes if isinstance(n, ox.NamedNode)}
        for node in dataset_nodes:
            # an FDP record of a dataset described elsewhere in the harvest (rdfs:seeAlso): skip it
            see_also = {t.value for t in self.g.values(node, RDFS + "seeAlso") if isinstance(t, ox.NamedNode)}
            if see_also & (described - {str(getattr(node, "value", ""))}):
                res.skipped_records += 1
                continue
            where = node.value if isinstance(node, ox.NamedNode) else "a blank-node dataset"
            obj = self.node(node, "Collection", where)
            if obj is None:
                continue
            if not self._resolve_refs("Collection", obj, where):
                continue
            collections[obj["id"]] = obj
        for obj in collections.values():
            self._emit("Collection", obj)
        res.collections = len(collections)
        for node in self.g.typed(self.plans["Catalogue"].class_iri.value):
            where = node.value if isinstance(node, ox.NamedNode) else "a blank-node catalogue"
            obj = self.node(node, "Catalogue", where)
            if obj is None:
                continue
            obj["dataset"] = [d for d in obj.get("dataset", []) if d in collections]
            if not obj["dataset"]:
                del obj["dataset"]
            if not self._resolve_refs("Catalogue", obj, where):
                continue
            self._emit("Catalogue", obj)
            res.catalogues += 1
        return res

    def _resolve_refs(self, cls: str, obj: dict[str, Any], where: str) -> bool:
        """Map what ``obj`` points at (data holders, distributions); drop or refuse what cannot be."""
        cplan = self.plans[cls]
        for slot in cplan.slots.values():
            if slot.kind != "ref" or slot.name not in obj or slot.range_class in SKIPPED_CLASSES:
                continue
            if slot.range_class == "Collection":
                continue  # filtered by the caller
            assert slot.range_class is not None
            refs = obj[slot.name] if slot.multivalued else [obj[slot.name]]
            kept = []
            for ref in refs:
                target = self.node(ox.NamedNode(ref), slot.range_class, ref)
                if target is not None and self._resolve_refs(slot.range_class, target, ref):
                    self._emit(slot.range_class, target)
                    kept.append(ref)
            if slot.multivalued:
                obj[slot.name] = kept
                if not kept:
                    del obj[slot.name]
            elif kept:
                obj[slot.name] = kept[0]
            else:
                del obj[slot.name]
                if slot.name in required_slots()[cls]:
                    self.result.problems.append(
                        Problem(where, f"{cls} left out: its {slot.name} ({ref}) does not fit the model")
                    )
                    return False
        return True

    def _emit(self, cls: str, obj: Mapping[str, Any]) -> None:
        key = f"{cls} {obj.get('id')}"
        if key not in self._emitted:
            self._emitted.add(key)
            self.result.objects.append((cls, dict(obj)))


def project(
    triples: Iterable[ox.Triple], tally: MappingTally, options: MappingOptions | None = None
) -> MappingResult:
    """The model objects a harvested DCAT graph holds (see the module docstring)."""
    return Projector(triples, tally, options or MappingOptions()).project()


__all__ = ["MappingOptions", "MappingResult", "Projector", "project", "required_slots"]
