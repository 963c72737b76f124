"""The search dimensions: what each criterion field means in the graph (predicates from the model's plan).

A field is one of three kinds:

* ``concept`` - a coded value; criteria give a code, concept id or label, expanded through the
  hyperontology;
* ``numeric`` - a number range (``min`` / ``max``);
* ``text`` - free text over the collection's title, description, keywords and data holder name.

and one of two grains: ``subject`` (held per series: a subject satisfies the criterion when one of
its series does) or ``collection`` (a property of the whole collection, true for all its subjects).
Subject-grain fields also name the collection-level slot used for collections harvested without
series (clinical-only or remote catalogues): docs/search.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from cikg.rdfmap import plan


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "concept" | "numeric" | "text"
    grain: str  # "subject" | "collection"
    branch: str | None = None
    """Hyperontology branch of a concept field (None: not hyperontology-coded)."""
    series_slot: str | None = None
    collection_slots: tuple[str, ...] = ()
    enum_slot: str | None = None
    """For enum-coded collection fields outside the hyperontology (access rights, country)."""
    facet: bool = True


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("condition", "concept", "subject", "condition", "condition", ("primary_cancer_condition",)),
        Field("body_part", "concept", "subject", "body_structure", "body_part", ("body_part",)),
        Field("modality", "concept", "subject", "imaging_modality", "modality", ("image_modality",)),
        Field(
            "acquisition",
            "concept",
            "subject",
            "acquisition_semantics",
            "acquisition_semantics",
            ("acquisition_semantics",),
        ),
        Field(
            "manufacturer", "concept", "subject", "equipment_manufacturer", "manufacturer", ("manufacturer",)
        ),
        Field("sex", "concept", "subject", "sex", "subject_sex", ("sex",)),
        Field(
            "annotation_type",
            "concept",
            "collection",
            None,
            None,
            ("annotation_method", "annotation_label"),
        ),
        Field("dataset_type", "concept", "collection", "dataset_type", None, ("dataset_type",)),
        Field("access_rights", "concept", "collection", None, None, ("access_rights",), "access_rights"),
        Field("data_holder", "concept", "collection", None, None, ("data_holder",)),
        Field("country", "concept", "collection", None, None, ("spatial_coverage",), "spatial_coverage"),
        Field(
            "field_strength",
            "numeric",
            "subject",
            None,
            "magnetic_field_strength",
            ("magnetic_field_strength",),
        ),
        Field("age", "numeric", "subject", None, "subject_age", ("min_typical_age", "max_typical_age")),
        Field("subjects_count", "numeric", "collection", None, None, ("number_of_subjects",), facet=False),
        Field("studies_count", "numeric", "collection", None, None, ("number_of_studies",), facet=False),
        Field("text", "text", "collection", facet=False),
    )
}
CONCEPT_FIELDS = tuple(n for n, f in FIELDS.items() if f.kind == "concept")
SUBJECT_CONCEPT_FIELDS = tuple(n for n in CONCEPT_FIELDS if FIELDS[n].grain == "subject")
COLLECTION_CONCEPT_FIELDS = tuple(n for n in CONCEPT_FIELDS if FIELDS[n].grain == "collection")
NUMERIC_FIELDS = tuple(n for n, f in FIELDS.items() if f.kind == "numeric")
FACETS = tuple(n for n, f in FIELDS.items() if f.facet and f.kind == "concept")
MULTIVALUED_SERIES = ("acquisition", "condition")
SINGLE_SERIES = ("modality", "body_part", "manufacturer", "sex")


@dataclass(frozen=True)
class Predicates:
    """Predicate IRIs (strings) of the model slots the search reads."""

    series_class: str
    collection_class: str
    holder_country: str
    holder_name: str
    holder_identifier: str
    concept: str
    count: str
    series: dict[str, str]
    collection: dict[str, str]


@cache
def predicates() -> Predicates:
    p = plan()
    series = p["SeriesSummary"]
    coll = p["Collection"]
    holder = p["DataHolder"]
    s = {k: v.predicate.value for k, v in series.slots.items()}
    c = {k: v.predicate.value for k, v in coll.slots.items()}
    return Predicates(
        series_class=series.class_iri.value,
        collection_class=coll.class_iri.value,
        holder_country=holder.slots["country"].predicate.value,
        holder_name=holder.slots["name"].predicate.value,
        holder_identifier=holder.slots["identifier"].predicate.value,
        concept=p["ConceptCount"].slots["concept"].predicate.value,
        count=p["ConceptCount"].slots["count"].predicate.value,
        series=s,
        collection=c,
    )


@cache
def enum_values(slot: str) -> dict[str, str]:
    """Permissible value -> IRI of an enum-coded Collection slot (access rights, country)."""
    enum = plan()["Collection"].slots[slot].enum or {}
    return {k: v.value for k, v in enum.items()}
