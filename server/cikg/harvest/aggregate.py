"""Instance records -> series summaries and the collection description (shared by the DICOM folder and
DICOMweb harvesters); :class:`SeriesRollup` builds the collection description from series (also what the
IDC index harvester streams into).

Counting is on keyed pseudonyms (subjects, studies, series, instances). A subject's sex is that of its
first record seen with a value, its age the lowest seen; ages are binned per subject in 10-year bins.
Every coded value goes through the :class:`MappingTally`; a series whose modality does not map gets no series
summary (the model requires one) but still counts, and the unmapped modality is reported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from cikg.harvest.base import MappingTally
from cikg.harvest.ids import series_iri
from cikg.harvest.phi import RTSTRUCT_SOP_CLASS, SEG_SOP_CLASSES
from cikg.rdfmap import plan

_SR_PREFIX = "1.2.840.10008.5.1.4.1.1.88."
_ALGORITHMS = {
    "MANUAL": "manual_annotation",
    "SEMIAUTOMATIC": "semi_automatic_annotation",
    "AUTOMATIC": "automatic_annotation",
}
_LABEL_SCHEMES = {"SCT": "SNOMEDCT", "SRT": "SNOMEDCT", "DCM": "DCM", "UBERON": "UBERON", "NCIT": "NCIT"}


@dataclass
class _Series:
    subject: str
    study: str
    records: int = 0
    instances: set[str] = field(default_factory=set)
    modality: Counter[str] = field(default_factory=Counter)
    sop_class: Counter[str] = field(default_factory=Counter)
    body_part: Counter[str] = field(default_factory=Counter)
    laterality: Counter[str] = field(default_factory=Counter)
    manufacturer: Counter[str] = field(default_factory=Counter)
    model: Counter[str] = field(default_factory=Counter)
    field_strength: Counter[float] = field(default_factory=Counter)
    semantics: set[str] = field(default_factory=set)
    contrast: bool = False
    months: set[str] = field(default_factory=set)
    sex: str | None = None
    age: int | None = None


def _top(counter: Counter[Any]) -> Any:
    return counter.most_common(1)[0][0] if counter else None


class Aggregator:
    """Collects instance records (in any order) and builds the model objects."""

    def __init__(self) -> None:
        self.series: dict[str, _Series] = {}
        self.records = 0
        self.segmentation_instances = 0
        self.segments = 0
        self.seg_labels: set[tuple[str, str]] = set()
        self.seg_algorithms: set[str] = set()
        self.sop_classes: Counter[str] = Counter()

    def add(self, rec: Mapping[str, Any]) -> None:
        self.records += 1
        s = self.series.get(rec["series"])
        if s is None:
            s = self.series[rec["series"]] = _Series(subject=rec["subject"], study=rec["study"])
        s.records += 1
        if rec.get("instance"):
            s.instances.add(rec["instance"])
        for key in ("modality", "sop_class", "body_part", "laterality", "manufacturer", "model"):
            value = rec.get(key)
            if value:
                getattr(s, key)[value] += 1
        if rec.get("field_strength"):
            s.field_strength[rec["field_strength"]] += 1
        s.semantics.update(rec.get("semantics") or ())
        s.contrast = s.contrast or bool(rec.get("contrast"))
        if rec.get("month"):
            s.months.add(rec["month"])
        if s.sex is None and rec.get("sex"):
            s.sex = rec["sex"]
        if s.age is None and rec.get("age") is not None:
            s.age = rec["age"]
        sop = rec.get("sop_class") or ""
        self.sop_classes[sop] += 1
        if sop in SEG_SOP_CLASSES or sop == RTSTRUCT_SOP_CLASS:
            self.segmentation_instances += 1
            self.segments += int(rec.get("segments") or 0)
            self.seg_labels.update(tuple(x) for x in rec.get("seg_labels") or ())
            self.seg_algorithms.update(rec.get("seg_algorithms") or ())

    @staticmethod
    def _instances(s: _Series) -> int:
        return max(len(s.instances), s.records) if not s.instances else len(s.instances)

    # -- output -------------------------------------------------------------------------------------
    def series_summaries(self, collection: str, tally: MappingTally) -> Iterator[dict[str, Any]]:
        for key in sorted(self.series):
            s = self.series[key]
            modality = tally.map("modality", _top(s.modality), count=0)
            if modality is None:
                if not s.modality:
                    tally.add_unmapped("modality", "<missing>")
                continue  # the model requires a modality: counted in the collection, reported
            obj: dict[str, Any] = {
                "id": series_iri(collection, key),
                "is_part_of": collection,
                "series_key": key,
                "study_key": s.study,
                "subject_key": s.subject,
                "modality": modality,
                "instance_count": self._instances(s),
                "contrast_agent": s.contrast,
            }
            optional = {
                "body_part": tally.map("body_part", _top(s.body_part), count=0),
                "laterality": tally.map("laterality", _top(s.laterality), count=0),
                "manufacturer": tally.map("manufacturer", _top(s.manufacturer), count=0),
                "manufacturer_model_name": _top(s.model),
                "magnetic_field_strength": _top(s.field_strength),
                "sop_class": tally.map("sop_class", _top(s.sop_class), count=0),
                "acquisition_month": min(s.months) if s.months else None,
                "subject_sex": tally.map("sex", s.sex, withheld=True, count=0),
                "subject_age": s.age,
            }
            obj.update({k: v for k, v in optional.items() if v is not None})
            semantics = sorted(
                {c for c in (tally.map("acquisition_semantics", lb, count=0) for lb in s.semantics) if c}
            )
            if semantics:
                obj["acquisition_semantics"] = semantics
            yield obj

    def collection(self, base: Mapping[str, Any], tally: MappingTally) -> dict[str, Any]:
        """The collection object: ``base`` (steward metadata, already mapped) plus the aggregates."""
        rollup = SeriesRollup()
        for s in self.series.values():
            rollup.add(
                subject=s.subject,
                study=s.study,
                instances=self._instances(s),
                values={
                    "modality": set(s.modality),
                    "body_part": set(s.body_part),
                    "manufacturer": set(s.manufacturer),
                    "laterality": set(s.laterality),
                    "sop_class": set(s.sop_class),
                },
                semantics=s.semantics,
                field_strengths=s.field_strength,
                months=s.months,
                sex=s.sex,
                age=s.age,
            )
        rollup.sop_classes = set(self.sop_classes)
        obj = rollup.collection(base, tally)
        if self.segmentation_instances:
            obj["number_of_segmentations"] = self.segmentation_instances
        allowed_methods = plan()["Collection"].slots["annotation_method"].enum or {}
        _put(
            obj,
            "annotation_method",
            sorted({m for a in self.seg_algorithms if (m := _ALGORITHMS.get(a)) and m in allowed_methods}),
        )
        labels = []
        for scheme, code in sorted(self.seg_labels):
            prefix = _LABEL_SCHEMES.get(scheme.upper())
            if prefix is None:
                tally.add_unmapped("annotation_label", f"{scheme}:{code}")
            else:
                labels.append(f"{prefix}:{code}")
        _put(obj, "annotation_label", labels)
        return obj


_ROLLUP_KINDS = ("modality", "body_part", "manufacturer", "laterality", "sop_class")
"""Series values a collection lists (laterality and SOP class are mapped and reported only)."""
_LISTED = {"modality": "image_modality", "body_part": "body_part", "manufacturer": "manufacturer"}


class SeriesRollup:
    """Collection-level aggregates from a stream of series, in memory bounded by the collection's
    subjects and studies (not its series): distinct study keys, per-subject sex and age, and per raw
    value the number of series that carry it.

    A subject's sex is the first one seen with a value; its age is the lowest seen (its age at its first
    imaged study). Ages are binned per subject in 10-year bins.
    """

    def __init__(self) -> None:
        self.subjects: dict[str, list[Any]] = {}  # key -> [sex, age]
        self.studies: set[str] = set()
        self.series = 0
        self.instances = 0
        self.values: dict[str, Counter[str]] = {k: Counter() for k in _ROLLUP_KINDS}
        self.semantics: Counter[str] = Counter()
        self.field_strengths: set[float] = set()
        self.first_month: str | None = None
        self.last_month: str | None = None
        self.sop_classes: set[str] = set()

    def add(
        self,
        *,
        subject: str,
        study: str,
        instances: int,
        values: Mapping[str, Any],
        semantics: Any = (),
        field_strengths: Any = (),
        months: Any = (),
        sex: str | None = None,
        age: int | None = None,
    ) -> None:
        """One series; ``values`` maps a kind of :data:`_ROLLUP_KINDS` to the series' raw value(s)."""
        self.series += 1
        self.instances += instances
        self.studies.add(study)
        entry = self.subjects.get(subject)
        if entry is None:
            entry = self.subjects[subject] = [None, None]
        if entry[0] is None and sex:
            entry[0] = sex
        if age is not None and (entry[1] is None or age < entry[1]):
            entry[1] = age
        for kind, raw in values.items():
            found = {raw} if isinstance(raw, str) else set(raw or ())
            found.discard("")
            self.values[kind].update(found)
            if kind == "sop_class":
                self.sop_classes.update(found)
        self.semantics.update(semantics)
        self.field_strengths.update(field_strengths)
        for m in months:
            if self.first_month is None or m < self.first_month:
                self.first_month = m
            if self.last_month is None or m > self.last_month:
                self.last_month = m

    def collection(self, base: Mapping[str, Any], tally: MappingTally) -> dict[str, Any]:
        """``base`` (steward metadata, already mapped) plus the aggregates."""
        obj: dict[str, Any] = dict(base)
        obj["number_of_subjects"] = len(self.subjects)
        obj["number_of_studies"] = len(self.studies)
        obj["number_of_series"] = self.series
        obj["number_of_instances"] = self.instances
        for kind in _ROLLUP_KINDS:  # unmapped values are counted per series
            mapped = sorted(
                {c for v, n in self.values[kind].items() if (c := tally.map(kind, v, count=n)) is not None}
            )
            if kind in _LISTED:
                _put(obj, _LISTED[kind], mapped)
        _put(
            obj,
            "acquisition_semantics",
            sorted(
                {
                    c
                    for label, n in self.semantics.items()
                    if (c := tally.map("acquisition_semantics", label, count=n))
                }
            ),
        )
        _put(obj, "magnetic_field_strength", sorted(self.field_strengths))
        sex_plan = plan()["Collection"].slots["sex"].enum or {}
        per_sex: Counter[str] = Counter()
        for sex, _ in self.subjects.values():
            concept = tally.map("sex", sex, withheld=True) if sex else None  # counted per subject
            if concept:
                per_sex[concept] += 1
        _put(obj, "sex", sorted(per_sex))
        if per_sex:
            obj["sex_count"] = [
                {"concept": sex_plan[c].value if c in sex_plan else c, "count": n}
                for c, n in sorted(per_sex.items())
            ]
        ages = [age for _, age in self.subjects.values() if age is not None]
        if ages:
            obj["min_typical_age"], obj["max_typical_age"] = min(ages), max(ages)
            bins: Counter[int] = Counter((a // 10) * 10 for a in ages)
            obj["age_bin"] = [{"lower": lo, "upper": lo + 10, "count": n} for lo, n in sorted(bins.items())]
        if self.first_month and self.last_month:
            obj["temporal_coverage"] = {"start_date": self.first_month, "end_date": self.last_month}
        types: set[str] = set()
        for sop in self.sop_classes:
            if sop in SEG_SOP_CLASSES or sop == RTSTRUCT_SOP_CLASS:
                types.add("segmentation_data")
            elif sop.startswith(_SR_PREFIX):
                types.add("structured_report")
            elif sop:
                types.add("image_data")
        allowed_types = plan()["Collection"].slots["dataset_type"].enum or {}
        _put(obj, "dataset_type", sorted(t for t in types if t in allowed_types))
        return obj


def _put(obj: dict[str, Any], key: str, values: list[Any]) -> None:
    if values:
        obj[key] = values
