"""INTERIM value mapper, until ``cikg.vocab.Vocabulary.map_value`` (branch ``vocab``) lands.

Built only from the model's enums (``schemas/cikg_enums.yaml``) and pydicom's SOP class table, with
the obvious DICOM conventions (``MR`` -> ``modality_mr``, ``M`` -> ``male``, ``L`` -> ``left``, a few
manufacturer spellings). The facade uses it when no vocabulary is passed in; the lead switches the
facade and the tests to the real vocabulary at merge. Not a mapping authority: mappings are data
(SSSOM) in cikg, not code.
"""

from __future__ import annotations

import re
from functools import cache

from cikg.rdfmap import plan

_SLOT_FOR_KIND = {
    "modality": ("SeriesSummary", "modality"),
    "body_part": ("SeriesSummary", "body_part"),
    "manufacturer": ("SeriesSummary", "manufacturer"),
    "sex": ("SeriesSummary", "subject_sex"),
    "laterality": ("SeriesSummary", "laterality"),
    "sop_class": ("SeriesSummary", "sop_class"),
    "acquisition_semantics": ("SeriesSummary", "acquisition_semantics"),
    "condition": ("Collection", "primary_cancer_condition"),
}
_SEX = {"M": "male", "F": "female", "O": "other_sex", "U": "unknown_sex"}
_LATERALITY = {"L": "left", "R": "right", "B": "bilateral", "U": "unpaired"}
_MANUFACTURERS = (
    (re.compile(r"siemens", re.I), "siemens"),
    (re.compile(r"^ge\b|general electric|ge medical|gehc", re.I), "ge_healthcare"),
    (re.compile(r"philips", re.I), "philips"),
    (re.compile(r"toshiba|canon", re.I), "canon"),
)


@cache
def _names(kind: str) -> frozenset[str]:
    cls, slot = _SLOT_FOR_KIND[kind]
    return frozenset(plan()[cls].slots[slot].enum or {})


def _snake(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


class InterimValueMapper:
    """Maps DICOM / clinical values to the model's enum names (see module docstring)."""

    def map_value(self, kind: str, value: str) -> str | None:
        if kind not in _SLOT_FOR_KIND:
            return None
        names = _names(kind)
        v = value.strip()
        if v in names:
            return v
        candidate: str | None = None
        if kind == "modality":
            candidate = f"modality_{_snake(v)}"
        elif kind == "body_part":
            candidate = f"bp_{_snake(v)}"
        elif kind == "sex":
            candidate = _SEX.get(v.upper())
        elif kind == "laterality":
            candidate = _LATERALITY.get(v.upper())
        elif kind == "manufacturer":
            candidate = next((name for rx, name in _MANUFACTURERS if rx.search(v)), None)
        elif kind == "sop_class":
            from pydicom.uid import UID

            name = UID(v).name
            candidate = f"sop_{_snake(name)}" if name and name != v else None
        else:
            candidate = _snake(v)
        return candidate if candidate in names else None
