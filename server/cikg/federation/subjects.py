"""Subjects present in several collections of a node, so node totals do not count them twice.

Within a node every subject key is the same keyed pseudonym (one per-site secret) whichever collection
its series belong to, so the overlap of a set of collections is the sum of their distinct subject keys
minus the distinct keys of their union. Collections without series (clinical aggregates) carry no keys
and add no overlap: their subjects cannot be matched, and the total says so (docs/federation.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from cikg.namespaces import CIKGS, DCTERMS
from cikg.store import TripleStore


def subject_overlap(store: TripleStore, collections: Iterable[str]) -> int:
    """How many subject counts of ``collections`` (IRIs) are repeats of a subject already counted."""
    iris = sorted(set(collections))
    if len(iris) < 2:
        return 0
    values = " ".join(f"<{iri}>" for iri in iris)
    per_collection = f"""
        SELECT (SUM(?n) AS ?total) WHERE {{
          SELECT ?c (COUNT(DISTINCT ?k) AS ?n) WHERE {{
            VALUES ?c {{ {values} }}
            ?s <{DCTERMS}isPartOf> ?c ; <{CIKGS}subjectKey> ?k .
          }} GROUP BY ?c
        }}"""
    union = f"""
        SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE {{
          VALUES ?c {{ {values} }}
          ?s <{DCTERMS}isPartOf> ?c ; <{CIKGS}subjectKey> ?k .
        }}"""
    total = _number(store, per_collection, "total")
    distinct = _number(store, union, "n")
    return max(0, total - distinct)


def _number(store: TripleStore, sparql: str, var: str) -> int:
    for row in store.query(sparql).rows():
        term = row.get(var)
        if term is not None:
            return int(float(term.value))
    return 0
