"""What an engine answers (counts per collection and facet counts over subjects with series), and the
collection-level evaluation both engines share for collections harvested without series."""

from __future__ import annotations

from dataclasses import dataclass, field

from cikg.search.collections import CollectionInfo
from cikg.search.fields import FIELDS
from cikg.search.query import Holders, Leaf, Node


@dataclass
class CollectionCounts:
    subjects: int = 0
    studies: int = 0
    series: int = 0
    age_min: int | None = None
    age_max: int | None = None
    matched: set[int] = field(default_factory=set)
    """Indexes of the positive leaves at least one matching subject satisfies."""


@dataclass
class Answer:
    """One engine's answer over the subjects that have series, plus which series-less collections match."""

    collections: dict[str, CollectionCounts] = field(default_factory=dict)
    facets: dict[str, dict[tuple[str, str], int]] = field(default_factory=dict)
    """subject-grain field -> (collection IRI, value IRI) -> matching subjects with that value."""
    seriesless: dict[str, set[int]] = field(default_factory=dict)
    """Matching collections without any series -> the positive leaves they satisfy."""

    def comparable(self) -> tuple[object, ...]:
        """Everything an engine computes, in a form two engines' answers can be compared by."""
        colls = {
            c: (v.subjects, v.studies, v.series, v.age_min, v.age_max, sorted(v.matched))
            for c, v in self.collections.items()
        }
        facets = {f: dict(sorted(v.items())) for f, v in self.facets.items() if v}
        seriesless = {c: sorted(v) for c, v in self.seriesless.items()}
        return colls, facets, seriesless


def collection_leaf(leaf: Leaf, info: CollectionInfo, holders: Holders) -> bool:
    """A criterion evaluated on a collection's own description (its collection-level slots)."""
    spec = leaf.spec
    if spec.kind == "concept":
        return bool(info.values.get(leaf.field, set()) & leaf.iris)
    if spec.kind == "text":
        needle = (leaf.text or "").lower()
        return any(needle in part.lower() for part in info.text_parts(holders))
    lo = -float("inf") if leaf.min is None else float(leaf.min)
    hi = float("inf") if leaf.max is None else float(leaf.max)
    if leaf.field == "subjects_count":
        return info.declares_subjects and lo <= info.subjects <= hi
    if leaf.field == "studies_count":
        return info.declares_studies and lo <= info.studies <= hi
    values = info.numbers.get(leaf.field, [])
    if leaf.field == "age":
        return len(values) == 2 and values[0] <= hi and values[1] >= lo
    return any(lo <= v <= hi for v in values)


def evaluate_collection(node: Node, info: CollectionInfo, holders: Holders) -> bool:
    """The whole criterion tree on a collection without series (its one 'subject' is the collection)."""
    if node.leaf is not None:
        return collection_leaf(node.leaf, info, holders)
    if node.op == "not":
        return not evaluate_collection(node.children[0], info, holders)
    results = (evaluate_collection(c, info, holders) for c in node.children)
    return all(results) if node.op == "and" else any(results)


def seriesless_matches(
    root: Node | None, infos: dict[str, CollectionInfo], with_series: set[str], holders: Holders
) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for iri, info in infos.items():
        if iri in with_series:
            continue
        if root is None:
            out[iri] = set()
        elif evaluate_collection(root, info, holders):
            out[iri] = {leaf.index for leaf in root.positive_leaves() if collection_leaf(leaf, info, holders)}
    return out


SUBJECT_FIELDS = tuple(n for n, f in FIELDS.items() if f.grain == "subject")
