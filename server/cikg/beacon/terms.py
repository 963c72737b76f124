"""Beacon filtering terms: the hyperontology's searchable concepts, and the codes in use at this node.

Every concept of a searchable branch is an ontology term (its ``CIKG:`` CURIE); for the concepts the
node's collections actually carry (and their ancestors), their exact matches in the external schemes
(NCIT, SNOMEDCT, ICD10, DCM, RADLEX, ...) are terms too, so a network client can filter with the codes
it knows. Numeric and concept fields are alphanumeric terms.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cikg.beacon.framework import BeaconContext, informational_meta
from cikg.beacon.request import CONCEPT_FIELDS, NUMERIC_FIELDS
from cikg.namespaces import converter
from cikg.vocab import Vocabulary

SCOPES = ["datasets", "cohorts"]
BRANCH_FIELDS = {
    "condition": "condition",
    "body_structure": "body_part",
    "imaging_modality": "modality",
    "acquisition_semantics": "acquisition",
    "equipment_manufacturer": "manufacturer",
    "sex": "sex",
    "dataset_type": "dataset_type",
    "annotation_method": "annotation_type",
}
EXACT = ("skos:exactMatch", "http://www.w3.org/2004/02/skos/core#exactMatch")


def field_of(vocab: Vocabulary, term: str) -> str:
    """The search field a Beacon ontology term constrains (``LookupError`` when there is none)."""
    concept = vocab.resolve(term)
    branch = concept.branch
    if branch not in BRANCH_FIELDS:
        raise LookupError(
            f"{term} ({concept.label()}) is in the {branch} branch, which searches do not cover"
        )
    return BRANCH_FIELDS[branch]


def filtering_terms(ctx: BeaconContext, vocab: Vocabulary, in_use: Iterable[str]) -> dict[str, Any]:
    """The ``/filtering_terms`` response; ``in_use``: hyperontology concept ids the collections carry."""
    terms: list[dict[str, Any]] = []
    seen: set[str] = set()
    prefixes: set[str] = set()

    def add(term_id: str, label: str) -> None:
        if term_id in seen:
            return
        seen.add(term_id)
        prefixes.add(term_id.split(":", 1)[0])
        terms.append({"type": "ontology", "id": term_id, "label": label, "scopes": SCOPES})

    for concept in sorted(vocab.concepts.values(), key=lambda c: c.curie):
        if concept.branch in BRANCH_FIELDS:
            add(concept.curie, concept.label())
    used: set[str] = set()
    for cid in in_use:
        if cid in vocab.concepts:
            used.add(cid)
            used.update(vocab.ancestors(cid))
    for cid in sorted(used):
        concept = vocab.concepts[cid]
        if concept.branch not in BRANCH_FIELDS:
            continue
        for m in concept.mappings:
            if m.predicate in EXACT and ":" in m.object_id:
                add(m.object_id, concept.label())
    for name in sorted(NUMERIC_FIELDS | CONCEPT_FIELDS):
        terms.append({"type": "alphanumeric", "id": name, "label": name.replace("_", " "), "scopes": SCOPES})
    conv = converter()
    resources = []
    for prefix in sorted(prefixes):
        resource: dict[str, Any] = {"id": prefix, "name": prefix, "nameSpacePrefix": prefix}
        found = conv.lookup(prefix)
        iri_prefix = found.uri_prefix if found else None
        if iri_prefix:
            resource["iriPrefix"] = iri_prefix
        resources.append(resource)
    return {
        "meta": informational_meta(ctx),
        "response": {"filteringTerms": terms, "resources": resources},
    }
