"""Instance records -> series summaries and the collection description (shared by the DICOM folder and
DICOMweb harvesters).

Counting is on keyed pseudonyms (subjects, studies, series, instances). A subject's sex and age are
those of its first record seen with a value; ages are binned per subject in 10-year bins. Every coded
value goes through the :class:`MappingTally`; a series whose modality does not map gets no series
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
        subjects: dict[str, _Series] = {}
        for s in self.series.values():
            first = subjects.get(s.subject)
            if first is None or (first.age is None and s.age is not None) or (first.sex is None and s.sex):
                subjects[s.subject] = s
        obj: dict[str, Any] = dict(base)
        obj["number_of_subjects"] = len({s.subject for s in self.series.values()})
        obj["number_of_studies"] = len({s.study for s in self.series.values()})
        obj["number_of_series"] = len(self.series)
        obj["number_of_instances"] = sum(self._instances(s) for s in self.series.values())

        def mapped_set(kind: str, attr: str) -> list[str]:
            counts: Counter[str] = Counter()
            for s in self.series.values():
                counts.update(set(getattr(s, attr)))  # unmapped values are counted per series
            return sorted({c for v, n in counts.items() if (c := tally.map(kind, v, count=n)) is not None})

        _put(obj, "image_modality", mapped_set("modality", "modality"))
        _put(obj, "body_part", mapped_set("body_part", "body_part"))
        _put(obj, "manufacturer", mapped_set("manufacturer", "manufacturer"))
        mapped_set("laterality", "laterality")  # series-level only; maps (and reports) the values
        mapped_set("sop_class", "sop_class")
        semantics = Counter(label for s in self.series.values() for label in s.semantics)
        _put(
            obj,
            "acquisition_semantics",
            sorted(
                {
                    c
                    for label, n in semantics.items()
                    if (c := tally.map("acquisition_semantics", label, count=n))
                }
            ),
        )
        _put(
            obj,
            "magnetic_field_strength",
            sorted({f for s in self.series.values() for f in s.field_strength}),
        )
        # sex: subjects per concept
        sex_plan = plan()["Collection"].slots["sex"].enum or {}
        per_sex: Counter[str] = Counter()
        for s in subjects.values():
            concept = tally.map("sex", s.sex, withheld=True) if s.sex else None  # counted per subject
            if concept:
                per_sex[concept] += 1
        _put(obj, "sex", sorted(per_sex))
        if per_sex:
            obj["sex_count"] = [
                {"concept": sex_plan[c].value if c in sex_plan else c, "count": n}
                for c, n in sorted(per_sex.items())
            ]
        ages = [s.age for s in subjects.values() if s.age is not None]
        if ages:
            obj["min_typical_age"], obj["max_typical_age"] = min(ages), max(ages)
            bins: Counter[int] = Counter((a // 10) * 10 for a in ages)
            obj["age_bin"] = [{"lower": lo, "upper": lo + 10, "count": n} for lo, n in sorted(bins.items())]
        months = sorted({m for s in self.series.values() for m in s.months})
        if months:
            obj["temporal_coverage"] = {"start_date": months[0], "end_date": months[-1]}
        # dataset types and annotations from SOP classes
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


def _put(obj: dict[str, Any], key: str, values: list[Any]) -> None:
    if values:
        obj[key] = values
