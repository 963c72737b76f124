"""Collection-level aggregates of clinical sources (OMOP CDM, FHIR, CSV / eCRF), shared by their harvesters.

A clinical harvester reads person-level records and keeps only what the model allows: counts of
distinct subjects (through keyed pseudonyms where subjects must be told apart in Python; inside the
database for OMOP), counts per sex and per condition concept (with its ancestors), the range and a
histogram of ages at diagnosis (years, capped at 90), the imaging modalities and body parts present,
the number of imaging studies and series, and the acquisition period at month precision. Nothing
else leaves a harvester: no identifier, no date finer than a month, no free text.

:class:`ClinicalAggregate` is the result; :meth:`ClinicalAggregate.collection_slots` turns it into
the Collection slots of the model (enum values as permissible-value names, condition counts as
``CIKG:`` CURIEs) for the facade to merge with the steward's collection description.

:class:`SubjectTally` is the in-memory per-subject aggregation FHIR and CSV share (OMOP aggregates in
SQL instead): it is keyed by pseudonym and holds, per subject, only the facts the aggregate needs.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cikg.harvest.base import MappingTally, RunReport
    from cikg.settings import Settings
    from cikg.store.base import SourceInfo, TripleStore, Validator

AGE_CAP = 90
"""Ages at or above this are reported as this (ages over 89 identify people; HIPAA safe harbour)."""
AGE_BIN_WIDTH = 10
"""Age bins are [lower, lower + 10), as the DICOM harvester's; the bin [90, 100) holds every capped age."""

CONCEPT_PREFIX = "CIKG:"


def concept_name(concept: str) -> str:
    """``CIKG:prostate_cancer``, its IRI or ``prostate_cancer`` -> ``prostate_cancer``."""
    for prefix in (CONCEPT_PREFIX, "https://w3id.org/cikg/ontology/"):
        if concept.startswith(prefix):
            return concept[len(prefix) :]
    return concept


def concept_curie(concept: str) -> str:
    return CONCEPT_PREFIX + concept_name(concept)


@cache
def enum_names(enum_slot: str, cls: str = "Collection") -> frozenset[str]:
    """Permissible-value names of the enum a Collection slot takes (e.g. ``primary_cancer_condition``)."""
    from cikg.rdfmap import plan

    slot = plan()[cls].slots[enum_slot]
    return frozenset(slot.enum or ())


def cap_age(age: int) -> int:
    return min(age, AGE_CAP)


def age_bins(ages: Counter[int]) -> list[dict[str, int]]:
    """``AgeBin`` objects: 10-year bins [lower, lower + 10); ages of 90 and over fall in [90, 100)."""
    bins: Counter[int] = Counter()
    for age, n in ages.items():
        if age < 0 or n <= 0:
            continue
        bins[cap_age(age) // AGE_BIN_WIDTH * AGE_BIN_WIDTH] += n
    out = []
    for lower in sorted(bins):
        out.append({"lower": lower, "upper": lower + AGE_BIN_WIDTH, "count": bins[lower]})
    return out


def age_in_years(birth: dt.date, at: dt.date) -> int:
    """Completed years between two dates."""
    return at.year - birth.year - ((at.month, at.day) < (birth.month, birth.day))


def month_of(day: dt.date | dt.datetime) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@dataclass
class ClinicalAggregate:
    """Collection-level facts of one clinical source (aggregates only)."""

    subjects: int = 0
    studies: int = 0
    series: int | None = None
    sex_counts: Counter[str] = field(default_factory=Counter)
    condition_counts: Counter[str] = field(default_factory=Counter)
    """Subjects per condition concept, the concept's ancestors included."""
    primary_conditions: Counter[str] = field(default_factory=Counter)
    """Subjects per condition concept as mapped from the source's own code (before any ancestor):
    the candidates for ``primary_cancer_condition``."""
    ages: Counter[int] = field(default_factory=Counter)
    """Subjects per age at diagnosis (years, capped at 90)."""
    modalities: Counter[str] = field(default_factory=Counter)
    body_parts: Counter[str] = field(default_factory=Counter)
    first_month: str | None = None
    last_month: str | None = None

    def see_month(self, month: str | None) -> None:
        if not month:
            return
        if self.first_month is None or month < self.first_month:
            self.first_month = month
        if self.last_month is None or month > self.last_month:
            self.last_month = month

    def collection_slots(self) -> dict[str, Any]:
        """The Collection slots these facts fill (no id / title / data holder: the steward's part)."""
        slots: dict[str, Any] = {
            "number_of_subjects": self.subjects,
            "number_of_studies": self.studies,
        }
        if self.series is not None:
            slots["number_of_series"] = self.series
        sexes = enum_names("sex")
        sex_counts = {concept_name(c): n for c, n in self.sex_counts.items() if n > 0}
        if sex_counts:
            slots["sex"] = sorted(s for s in sex_counts if s in sexes)
            slots["sex_count"] = [
                {"concept": concept_curie(c), "count": n} for c, n in sorted(sex_counts.items())
            ]
        conditions = {concept_name(c): n for c, n in self.condition_counts.items() if n > 0}
        if conditions:
            slots["condition_count"] = [
                {"concept": concept_curie(c), "count": n} for c, n in sorted(conditions.items())
            ]
        cancer = enum_names("primary_cancer_condition")
        primary = sorted({concept_name(c) for c, n in self.primary_conditions.items() if n > 0} & cancer)
        if primary:
            slots["primary_cancer_condition"] = primary
        ages = Counter({a: n for a, n in self.ages.items() if n > 0 and a >= 0})
        if ages:
            slots["min_typical_age"] = cap_age(min(ages))
            slots["max_typical_age"] = cap_age(max(ages))
            slots["age_bin"] = age_bins(ages)
        modalities = sorted({concept_name(c) for c, n in self.modalities.items() if n > 0})
        if modalities:
            slots["image_modality"] = [m for m in modalities if m in enum_names("image_modality")]
        body_parts = sorted({concept_name(c) for c, n in self.body_parts.items() if n > 0})
        if body_parts:
            slots["body_part"] = [b for b in body_parts if b in enum_names("body_part")]
        if self.first_month or self.last_month:
            period: dict[str, str] = {}
            if self.first_month:
                period["start_date"] = self.first_month
            if self.last_month:
                period["end_date"] = self.last_month
            slots["temporal_coverage"] = period
        return {k: v for k, v in slots.items() if v not in ([], None)}


Ancestors = Callable[[str], Iterable[str]]
"""A hyperontology concept's ancestors (the vocabulary's ``ancestors``), for condition counts."""


def no_ancestors(concept: str) -> Iterable[str]:
    return ()


def safe_ancestors(fn: Callable[[str], Iterable[str]] | None) -> Ancestors:
    """The vocabulary's ``ancestors`` made total: an unknown concept has none (instead of raising)."""
    if fn is None:
        return no_ancestors

    def ancestors(concept: str) -> Iterable[str]:
        try:
            return tuple(fn(concept))
        except (LookupError, ValueError):
            return ()

    return ancestors


def check_clinical_metadata(metadata: Mapping[str, Any]) -> None:
    """:func:`cikg.harvest.collection_meta.check`, except that the condition may come from the data."""
    from cikg.harvest.collection_meta import check

    check({**metadata, "primary_cancer_condition": metadata.get("primary_cancer_condition") or ["<data>"]})


@dataclass
class _Subject:
    sex: str | None = None
    birth: dt.date | None = None
    age: int | None = None  # an age given directly (CSV), at diagnosis
    conditions: set[str] = field(default_factory=set)
    diagnosed: dt.date | None = None


class SubjectTally:
    """Per-subject facts keyed by pseudonym, folded into a :class:`ClinicalAggregate` at the end.

    Records may arrive in any order (a Condition before its Patient, rows of one subject spread over a
    file): each call adds to the subject's state. Only the facts the aggregate needs are kept: sex
    concept, birth date (in memory only, to compute an age), condition concepts, first diagnosis date.
    """

    def __init__(self, ancestors: Ancestors = no_ancestors) -> None:
        self._subjects: dict[str, _Subject] = {}
        self._ancestors = ancestors
        self.studies: set[str] = set()
        self.series: set[str] = set()
        self.series_counted = 0
        self.modalities: Counter[str] = Counter()
        self.body_parts: Counter[str] = Counter()
        self.months: list[str] = []
        self.negative_ages = 0

    def __len__(self) -> int:
        return len(self._subjects)

    def subject(self, key: str) -> _Subject:
        found = self._subjects.get(key)
        if found is None:
            found = self._subjects[key] = _Subject()
        return found

    def set_sex(self, key: str, concept: str | None) -> None:
        s = self.subject(key)
        if concept is not None:
            s.sex = concept

    def set_birth(self, key: str, birth: dt.date | None) -> None:
        s = self.subject(key)
        if birth is not None:
            s.birth = birth

    def set_age(self, key: str, age: int | None) -> None:
        s = self.subject(key)
        if age is not None:
            s.age = age

    def add_condition(self, key: str, concept: str | None, diagnosed: dt.date | None = None) -> None:
        s = self.subject(key)
        if concept is None:
            return
        s.conditions.add(concept_name(concept))
        if diagnosed is not None and (s.diagnosed is None or diagnosed < s.diagnosed):
            s.diagnosed = diagnosed

    def add_study(
        self,
        subject: str | None,
        study: str,
        *,
        modalities: Iterable[str] = (),
        body_parts: Iterable[str] = (),
        month: str | None = None,
        series: Iterable[str] = (),
    ) -> None:
        if subject is not None:
            self.subject(subject)
        self.studies.add(study)
        for m in set(modalities):
            self.modalities[concept_name(m)] += 1
        for b in set(body_parts):
            self.body_parts[concept_name(b)] += 1
        if month:
            self.months.append(month)
        self.series.update(series)

    def aggregate(self) -> ClinicalAggregate:
        agg = ClinicalAggregate(subjects=len(self._subjects), studies=len(self.studies))
        if self.series:
            agg.series = len(self.series)
        cache: dict[str, frozenset[str]] = {}

        def with_ancestors(concept: str) -> frozenset[str]:
            got = cache.get(concept)
            if got is None:
                got = cache[concept] = frozenset(
                    {concept, *(concept_name(a) for a in self._ancestors(concept))}
                )
            return got

        for s in self._subjects.values():
            if s.sex is not None:
                agg.sex_counts[concept_name(s.sex)] += 1
            if s.conditions:
                expanded: set[str] = set()
                for c in s.conditions:
                    expanded |= with_ancestors(c)
                for c in expanded:
                    agg.condition_counts[c] += 1
                for c in s.conditions:
                    agg.primary_conditions[c] += 1
            age = s.age
            if age is None and s.birth is not None and s.diagnosed is not None:
                age = age_in_years(s.birth, s.diagnosed)
            if age is not None:
                if age < 0:
                    self.negative_ages += 1
                else:
                    agg.ages[cap_age(age)] += 1
        agg.modalities = Counter(self.modalities)
        agg.body_parts = Counter(self.body_parts)
        for m in self.months:
            agg.see_month(m)
        return agg


# -- publishing -------------------------------------------------------------------------------------


class _Concepts:
    """A value mapper for values that already are hyperontology concepts (``CIKG:x`` -> ``x``)."""

    def map_value(self, kind: str, value: str) -> str | None:
        return concept_name(value) if value.startswith(CONCEPT_PREFIX) else None


class SourceKindMismatch(ValueError):
    """The source id already holds a harvest of another kind (replacing it would lose that data)."""


def check_source_kind(store: TripleStore, source_id: str, kind: str) -> None:
    """Refuse to replace, say, a DICOM collection's graph with an OMOP harvest under the same id."""
    from cikg.harvest.base import harvest_status
    from cikg.harvest.ids import source_iri

    iri = source_iri(source_id)
    for run in harvest_status(store):
        if run.source == iri and run.current and run.source_kind and run.source_kind != kind:
            raise SourceKindMismatch(
                f"source {source_id!r} holds a {run.source_kind} harvest; a {kind} harvest would replace "
                f"it: give this collection its own id (e.g. --collection {source_id}-{kind})"
            )


@dataclass
class ClinicalHarvest:
    """What a clinical harvest did: the run report, the installed version, the Collection written."""

    report: RunReport
    info: SourceInfo | None
    collection: dict[str, Any]


def publish_clinical(
    store: TripleStore,
    settings: Settings,
    *,
    report: RunReport,
    collection_id: str,
    metadata: Mapping[str, Any],
    aggregate: ClinicalAggregate,
    tally: MappingTally,
    gate: Validator | None,
    violation_rows: Callable[[object], list[dict[str, Any]]] | None = None,
    what: str = "clinical",
) -> ClinicalHarvest:
    """The Collection (steward metadata + aggregates), through the SHACL gate, as source ``collection_id``.

    The primary cancer conditions are the steward's (``--condition``) when given, else those the data
    names (mapped from the source's own codes). Without either the harvest stops with a clear error.
    """
    from cikg.harvest.base import MappingTally, harvest_dir, publish
    from cikg.harvest.collection_meta import MetadataError, build
    from cikg.harvest.ids import collection_iri

    slots = aggregate.collection_slots()
    meta = dict(metadata)
    steward_tally = tally
    if meta.get("primary_cancer_condition"):
        slots.pop("primary_cancer_condition", None)
    else:
        derived = slots.pop("primary_cancer_condition", None)
        if not derived:
            raise MetadataError(
                f"no {what} record names a cancer condition the hyperontology knows (see the unmapped "
                "values): give the collection's condition with --condition"
            )
        meta["primary_cancer_condition"] = [concept_curie(c) for c in derived]
        steward_tally = MappingTally(_Concepts())
    coll_iri = collection_iri(settings.base_url, collection_id)
    base, extra = build(
        meta,
        collection_id=collection_id,
        collection=coll_iri,
        base_url=settings.base_url,
        tally=steward_tally,
    )
    collection: dict[str, Any] = {**base, **slots}
    types = set(collection.get("dataset_type") or ())
    types.add("clinical_data")
    if aggregate.studies:
        types.add("image_data")
    collection["dataset_type"] = sorted(t for t in types if t in enum_names("dataset_type"))
    collection.setdefault(
        "description",
        f"{what} data harvested by cikg: {aggregate.subjects} subjects, {aggregate.studies} imaging studies.",
    )
    collection["was_generated_by"] = report.run_iri
    report.unmapped = tally.rows()
    report.summary.update(
        {
            "subjects": aggregate.subjects,
            "studies": aggregate.studies,
            "conditions": len(aggregate.condition_counts),
            "primary_cancer_condition": collection.get("primary_cancer_condition", []),
        }
    )
    if aggregate.series is not None:
        report.summary["series"] = aggregate.series
    objects: list[tuple[str, Mapping[str, Any]]] = [*extra, ("Collection", collection)]
    work = harvest_dir(settings, collection_id)
    info = publish(store, objects, report, work_dir=work, gate=gate, violation_rows=violation_rows)
    return ClinicalHarvest(report=report, info=info, collection=collection)


__all__ = [
    "AGE_CAP",
    "Ancestors",
    "ClinicalAggregate",
    "ClinicalHarvest",
    "SourceKindMismatch",
    "SubjectTally",
    "age_bins",
    "age_in_years",
    "cap_age",
    "check_clinical_metadata",
    "check_source_kind",
    "concept_curie",
    "concept_name",
    "enum_names",
    "month_of",
    "no_ancestors",
    "publish_clinical",
    "safe_ancestors",
]
