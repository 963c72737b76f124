"""The PHI guard: the only DICOM attributes any harvester reads, and what may leave the reader.

Two kinds of attribute are read (everything else, every private tag included, is never parsed):

* ``verbatim``: non-identifying technical and coded attributes (Modality, Manufacturer, SOP Class,
  ...). None of them is in DICOM PS3.15 Annex E (a test checks it against :mod:`annex_e`).
* ``derived``: attributes that *are* in Annex E, read only to compute a non-identifying derivative
  inside the reader; the raw value never leaves :func:`derive`:
  identifiers and UIDs -> keyed pseudonyms (HMAC-SHA-512/256), dates -> month, Patient's Age /
  Birth Date -> whole years capped at 90, Patient's Sex -> M / F / O (anything else is *withheld*:
  counted, never shown), Series Description -> acquisition-semantics labels from a fixed list,
  Contrast/Bolus Agent -> present or not.

Instance records (the output of :func:`derive`) hold only verbatim values and derivatives; they are
what workers return, what the resume state stores and what the aggregator sees. Errors never carry a
value: reasons are fixed phrases (see :func:`cikg.harvest.dicom.read_instance`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydicom.datadict import dictionary_VR, tag_for_keyword

from cikg.harvest.pseudonym import Pseudonymiser
from cikg.harvest.semantics import derive_semantics


@dataclass(frozen=True)
class Allowed:
    keyword: str
    use: str  # "verbatim" | "derived"
    why: str

    @property
    def tag(self) -> int:
        tag = tag_for_keyword(self.keyword)
        assert tag is not None, self.keyword
        return int(tag)

    @property
    def vr(self) -> str:
        return str(dictionary_VR(self.tag))


ALLOW_LIST: tuple[Allowed, ...] = (
    Allowed("SOPClassUID", "verbatim", "SOP class -> dataset type, annotation kind"),
    Allowed("ImageType", "verbatim", "acquisition semantics (ADC, DIFFUSION, SUBTRACT ...)"),
    Allowed("Modality", "verbatim", "modality"),
    Allowed("Manufacturer", "verbatim", "manufacturer"),
    Allowed("ManufacturerModelName", "verbatim", "model"),
    Allowed("ContrastBolusAgentSequence", "verbatim", "contrast used (presence only)"),
    Allowed("BodyPartExamined", "verbatim", "body part"),
    Allowed("ScanningSequence", "verbatim", "acquisition semantics"),
    Allowed("SequenceVariant", "verbatim", "acquisition semantics"),
    Allowed("MagneticFieldStrength", "verbatim", "field strength"),
    Allowed("DiffusionBValue", "verbatim", "diffusion weighting"),
    Allowed("Laterality", "verbatim", "laterality"),
    Allowed("ImageLaterality", "verbatim", "laterality"),
    Allowed("SegmentSequence", "verbatim", "SEG: segment count, property type codes, algorithm type"),
    Allowed("StructureSetROISequence", "verbatim", "RTSTRUCT: ROI count only"),
    Allowed("StudyDate", "derived", "acquisition month"),
    Allowed("SeriesDate", "derived", "acquisition month"),
    Allowed("AcquisitionDate", "derived", "acquisition month"),
    Allowed("SeriesDescription", "derived", "acquisition-semantics labels (fixed list)"),
    Allowed("PatientID", "derived", "subject pseudonym"),
    Allowed("IssuerOfPatientID", "derived", "subject pseudonym"),
    Allowed("PatientBirthDate", "derived", "age in years when Patient's Age is absent"),
    Allowed("PatientSex", "derived", "sex (M / F / O, anything else withheld)"),
    Allowed("PatientAge", "derived", "age in years, capped at 90"),
    Allowed("ContrastBolusAgent", "derived", "contrast used (presence only)"),
    Allowed("StudyInstanceUID", "derived", "study pseudonym"),
    Allowed("SeriesInstanceUID", "derived", "series pseudonym"),
    Allowed("SOPInstanceUID", "derived", "instance pseudonym (de-duplication)"),
)
ALLOWED_KEYWORDS: tuple[str, ...] = tuple(a.keyword for a in ALLOW_LIST)
ALLOWED_TAGS: dict[int, str] = {a.tag: a.keyword for a in ALLOW_LIST}
SEQUENCE_TAGS = frozenset(a.tag for a in ALLOW_LIST if a.vr == "SQ")
CONTENT_SEQUENCES = frozenset(
    int(tag_for_keyword(k) or 0) for k in ("SegmentSequence", "StructureSetROISequence")
)  # sequences whose content (not only presence) is used
LAST_TAG = max(ALLOWED_TAGS)
VR_OF: dict[str, str] = {a.keyword: a.vr for a in ALLOW_LIST}

SEG_SOP_CLASSES = {
    "1.2.840.10008.5.1.4.1.1.66.4",  # Segmentation Storage
    "1.2.840.10008.5.1.4.1.1.66.7",  # Label Map Segmentation Storage
}
RTSTRUCT_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.481.3"
MEDIA_DIRECTORY_SOP_CLASS = "1.2.840.10008.1.3.10"

_AGE = re.compile(r"^\s*(\d{1,3})\s*([DWMY])\s*$")
_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})")


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [s.strip() for s in str(value).split("\\") if s.strip()]


def _first(value: Any) -> str | None:
    items = _as_list(value)
    return items[0] if items else None


def dicom_month(value: Any) -> str | None:
    m = _DATE.match(str(value or ""))
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not (1900 <= year <= 2100 and 1 <= month <= 12):
        return None
    return f"{year:04d}-{month:02d}"


def dicom_age_years(value: Any) -> int | None:
    m = _AGE.match(str(value or ""))
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    years = {"Y": n, "M": n // 12, "W": n // 52, "D": n // 365}[unit]
    return min(years, 90)


def _age_from_dates(birth: Any, study: Any) -> int | None:
    b, s = _DATE.match(str(birth or "")), _DATE.match(str(study or ""))
    if not b or not s:
        return None
    try:
        bd = dt.date(int(b.group(1)), int(b.group(2)), int(b.group(3)))
        sd = dt.date(int(s.group(1)), int(s.group(2)), int(s.group(3)))
    except ValueError:
        return None
    years = sd.year - bd.year - ((sd.month, sd.day) < (bd.month, bd.day))
    return min(years, 90) if years >= 0 else None


def _float(value: Any) -> float | None:
    item = _first(value) if not isinstance(value, float | int) else value
    try:
        f = float(item) if item is not None else None
    except (TypeError, ValueError):
        return None
    if f is None or f != f or f <= 0:
        return None
    if f > 20:  # some scanners write gauss
        f = f / 10000
    return round(f, 2)


class MissingIdentity(ValueError):
    """The data set lacks a Study / Series Instance UID or SOP Class UID (not a usable instance)."""


def derive(raw: Mapping[str, Any], pseudo: Pseudonymiser) -> dict[str, Any]:
    """The instance record for allow-listed raw values (keyword -> value); no Annex E value leaves."""
    study_uid, series_uid = _first(raw.get("StudyInstanceUID")), _first(raw.get("SeriesInstanceUID"))
    sop_class = _first(raw.get("SOPClassUID"))
    if not study_uid or not series_uid or not sop_class:
        raise MissingIdentity("no Study Instance UID, Series Instance UID or SOP Class UID")
    patient_id = _first(raw.get("PatientID"))
    issuer = _first(raw.get("IssuerOfPatientID")) or ""
    subject = pseudo.subject(patient_id, issuer) if patient_id else pseudo.key("subject-of-study", study_uid)
    sop_uid = _first(raw.get("SOPInstanceUID"))
    sex_raw = (_first(raw.get("PatientSex")) or "").upper()
    sex = sex_raw if sex_raw in ("M", "F", "O") else ("?" if sex_raw else None)
    age = dicom_age_years(raw.get("PatientAge"))
    if age is None:
        age = _age_from_dates(raw.get("PatientBirthDate"), raw.get("StudyDate"))
    month = (
        dicom_month(raw.get("SeriesDate"))
        or dicom_month(raw.get("AcquisitionDate"))
        or dicom_month(raw.get("StudyDate"))
    )
    contrast = bool(_first(raw.get("ContrastBolusAgent")) or raw.get("ContrastBolusAgentSequence"))
    bvalues = raw.get("DiffusionBValue")
    bmax = max((float(b) for b in bvalues), default=None) if isinstance(bvalues, list) else _float(bvalues)
    laterality = _first(raw.get("Laterality")) or _first(raw.get("ImageLaterality"))
    record: dict[str, Any] = {
        "sop_class": sop_class,
        "modality": _first(raw.get("Modality")),
        "body_part": _first(raw.get("BodyPartExamined")),
        "laterality": laterality.upper() if laterality else None,
        "manufacturer": _first(raw.get("Manufacturer")),
        "model": _first(raw.get("ManufacturerModelName")),
        "field_strength": _float(raw.get("MagneticFieldStrength")),
        "semantics": derive_semantics(
            scanning_sequence=_as_list(raw.get("ScanningSequence")),
            sequence_variant=_as_list(raw.get("SequenceVariant")),
            image_type=_as_list(raw.get("ImageType")),
            series_description=_first(raw.get("SeriesDescription")) or "",
            contrast=contrast,
            max_b_value=bmax,
        ),
        "contrast": contrast,
        "subject": subject,
        "study": pseudo.study(study_uid),
        "series": pseudo.series(series_uid),
        "instance": pseudo.instance(sop_uid) if sop_uid else None,
        "sex": sex,
        "age": age,
        "month": month,
    }
    seg = raw.get("SegmentSequence")
    if isinstance(seg, dict):
        record["segments"] = seg.get("count", 0)
        record["seg_labels"] = seg.get("labels", [])
        record["seg_algorithms"] = seg.get("algorithms", [])
    rois = raw.get("StructureSetROISequence")
    if isinstance(rois, int):
        record["segments"] = rois
    return record


def raw_from_dataset(ds: Any) -> dict[str, Any]:
    """Allow-listed raw values from a pydicom Dataset (only these elements are touched)."""
    out: dict[str, Any] = {}
    for kw in ALLOWED_KEYWORDS:
        tag = ALLOWED_TAGS_BY_KEYWORD[kw]
        if tag not in ds:
            continue
        elem = ds[tag]
        value = elem.value
        if kw == "SegmentSequence":
            out[kw] = _segments(value)
        elif kw == "StructureSetROISequence":
            out[kw] = len(value or [])
        elif kw == "ContrastBolusAgentSequence":
            out[kw] = bool(value)
        elif value is None:
            continue
        elif elem.VR == "FD":
            out[kw] = [float(v) for v in (value if isinstance(value, list | tuple) else [value])]
        elif isinstance(value, bytes):
            continue  # a raw (undecodable) value: not used
        elif hasattr(value, "__iter__") and not isinstance(value, str):
            out[kw] = [str(v) for v in value]
        else:
            out[kw] = str(value)
    return out


def _segments(seq: Any) -> dict[str, Any]:
    labels: set[tuple[str, str]] = set()
    algorithms: set[str] = set()
    for item in seq or []:
        for code in item.get("SegmentedPropertyTypeCodeSequence", None) or []:
            scheme, value = code.get("CodingSchemeDesignator"), code.get("CodeValue")
            if scheme and value:
                labels.add((str(scheme).strip(), str(value).strip()))
        algo = item.get("SegmentAlgorithmType", None)
        if algo:
            algorithms.add(str(algo).strip().upper())
    return {
        "count": len(seq or []),
        "labels": sorted([s, c] for s, c in labels),
        "algorithms": sorted(algorithms),
    }


ALLOWED_TAGS_BY_KEYWORD: dict[str, int] = {a.keyword: a.tag for a in ALLOW_LIST}


def raw_from_json(obj: Mapping[str, Any]) -> dict[str, Any]:
    """Allow-listed raw values from a DICOM JSON object (QIDO-RS); every other key is ignored."""
    out: dict[str, Any] = {}
    for kw in ALLOWED_KEYWORDS:
        entry = obj.get(f"{ALLOWED_TAGS_BY_KEYWORD[kw]:08X}")
        if not isinstance(entry, Mapping):
            continue
        values = entry.get("Value")
        if not values:
            continue
        if kw in ("ContrastBolusAgentSequence",):
            out[kw] = True
            continue
        if kw in ("SegmentSequence", "StructureSetROISequence"):
            continue
        items = [v for v in values if isinstance(v, str | int | float)]
        if not items:
            continue
        if VR_OF[kw] == "FD":
            out[kw] = [float(v) for v in items]
        else:
            out[kw] = [str(v) for v in items] if len(items) > 1 else str(items[0])
    return out
