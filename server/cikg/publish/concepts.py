"""Labels and mappings of the coded values a publication references.

Hyperontology concepts get their labels and ``skos:exactMatch`` codes from the store when the
ontology is loaded (``ontology/cikg.ttl`` as a source); enum values of the model that are authority
IRIs (countries, access rights, health categories ...) get the description the schema gives them.
Anything else falls back to a label made from the IRI, so a page never shows an empty cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox

from cikg import resources
from cikg.namespaces import CIKG, EUCAIM, RDFS, SKOS
from cikg.publish.terms import LABELS
from cikg.store import TripleStore

_LABELS = (SKOS + "prefLabel", RDFS + "label")


@dataclass
class Concept:
    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    """Language tag ('' for none) -> label."""
    exact: list[str] = field(default_factory=list)
    notation: str | None = None

    @property
    def label(self) -> str:
        for lang in ("en", ""):
            if lang in self.labels:
                return self.labels[lang]
        if self.labels:
            return next(iter(sorted(self.labels.items())))[1]
        return fallback_label(self.iri)

    def match_in(self, namespace: str) -> str | None:
        """The exact match in ``namespace`` (e.g. the EUCAIM hyperontology), if any."""
        found = sorted(m for m in self.exact if m.startswith(namespace))
        return found[0] if found else None

    @property
    def eucaim(self) -> str | None:
        return self.match_in(EUCAIM)


def fallback_label(iri: str) -> str:
    local = re.split(r"[/#]", iri.rstrip("/#"))[-1]
    return local.replace("_", " ")


@cache
def enum_descriptions() -> dict[str, str]:
    """Enum meaning IRI -> the permissible value's description (or name), from the schema."""
    from linkml_runtime import SchemaView

    sv = SchemaView(str(resources.schema_path()))
    out: dict[str, str] = {}
    for edef in sv.all_enums().values():
        for name, pv in (edef.permissible_values or {}).items():
            if pv.meaning:
                out.setdefault(sv.expand_curie(pv.meaning), (pv.description or name).rstrip("."))
    return out


ConceptFallback = Callable[[str], "Concept | None"]
"""Where labels and mappings come from when the store has none for a concept (the term service)."""


class ConceptIndex:
    """Concepts by IRI, read once for a set of IRIs."""

    def __init__(self, concepts: dict[str, Concept]) -> None:
        self._concepts = concepts

    @classmethod
    def load(
        cls, store: TripleStore, iris: Iterable[str], fallback: ConceptFallback | None = None
    ) -> ConceptIndex:
        wanted = sorted(set(iris))
        concepts = {i: Concept(i) for i in wanted}
        described = {**enum_descriptions(), **LABELS}
        for i in wanted:
            if i in described and not i.startswith("https://w3id.org/cikg/ontology/"):
                concepts[i].labels[""] = described[i]
        for chunk in _chunks(wanted, 400):
            values = " ".join(f"<{i}>" for i in chunk)
            query = (
                f"SELECT DISTINCT ?c ?p ?o WHERE {{ VALUES ?c {{ {values} }} ?c ?p ?o "
                f"FILTER(?p IN (<{SKOS}prefLabel>, <{RDFS}label>, <{SKOS}exactMatch>, <{SKOS}notation>)) }}"
            )
            for row in store.query(query).rows():
                c, p, o = row["c"], row["p"], row["o"]
                if c is None or p is None or o is None:
                    continue
                concept = concepts[c.value]
                if p.value in _LABELS and isinstance(o, ox.Literal):
                    lang = o.language or ""
                    if p.value == SKOS + "prefLabel" or lang not in concept.labels:
                        concept.labels[lang] = o.value
                elif p.value == SKOS + "exactMatch" and isinstance(o, ox.NamedNode):
                    if o.value not in concept.exact:
                        concept.exact.append(o.value)
                elif p.value == SKOS + "notation" and isinstance(o, ox.Literal):
                    concept.notation = o.value
        if fallback is not None:
            for iri, concept in concepts.items():
                if iri.startswith(CIKG) and not concept.labels:
                    found = fallback(iri)
                    if found is not None:
                        concept.labels.update(found.labels)
                        concept.exact = concept.exact or list(found.exact)
                        concept.notation = concept.notation or found.notation
        return cls(concepts)

    def get(self, iri: str) -> Concept:
        found = self._concepts.get(iri)
        if found is None:
            found = self._concepts[iri] = Concept(iri)
            described = LABELS.get(iri) or enum_descriptions().get(iri)
            if described:
                found.labels[""] = described
        return found

    def label(self, iri: str) -> str:
        return self.get(iri).label


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
