"""A small, explicit value mapper for the clinical harvester tests (the real one is the vocabulary).

It answers like :meth:`cikg.vocab.Vocabulary.map_value`: a hyperontology concept id (an enum
permissible-value name) or ``None``. ``ANCESTORS`` stands in for the vocabulary's ``ancestors``.
"""

from __future__ import annotations

from collections.abc import Iterable

VALUES: dict[str, dict[str, str]] = {
    "sex": {
        "OMOP:8507": "male",
        "OMOP:8532": "female",
        "OMOP:8551": "unknown_sex",
        "male": "male",
        "female": "female",
        "unknown": "unknown_sex",
        "other": "other_sex",
    },
    "condition": {
        "OMOP:4163261": "prostate_cancer",
        "OMOP:4112853": "breast_cancer",
        "OMOP:4115276": "non_small_cell_lung_carcinoma",
        "OMOP:443392": "malignant_neoplasm",
        "SNOMEDCT:399068003": "prostate_cancer",
        "SNOMEDCT:254837009": "breast_cancer",
        "SNOMEDCT:254637007": "non_small_cell_lung_carcinoma",
        "ICD10:C61": "prostate_cancer",
        "ICD10:C50.9": "breast_cancer",
        "ICD10:C34.1": "lung_cancer",
    },
    "modality": {
        "OMOP:2000001001": "modality_mr",
        "OMOP:2000001002": "modality_ct",
        "MR": "modality_mr",
        "CT": "modality_ct",
        "DCM:MR": "modality_mr",
        "DCM:CT": "modality_ct",
    },
    "body_part": {
        "OMOP:2000002001": "bp_prostate",
        "OMOP:2000002002": "bp_breast",
        "OMOP:2000002003": "bp_chest",
        "PROSTATE": "bp_prostate",
        "CHEST": "bp_chest",
        "SNOMEDCT:41216001": "bp_prostate",
        "SNOMEDCT:51185008": "bp_chest",
    },
}

ANCESTORS: dict[str, tuple[str, ...]] = {
    "prostate_cancer": ("malignant_neoplasm",),
    "breast_cancer": ("malignant_neoplasm",),
    "lung_cancer": ("malignant_neoplasm",),
    "non_small_cell_lung_carcinoma": ("lung_cancer", "malignant_neoplasm"),
}


class DictMapper:
    def __init__(self, values: dict[str, dict[str, str]] | None = None) -> None:
        self.values = values if values is not None else VALUES
        self.calls: list[tuple[str, str]] = []

    def map_value(self, kind: str, value: str) -> str | None:
        self.calls.append((kind, value))
        return self.values.get(kind, {}).get(value)


def ancestors(concept: str) -> Iterable[str]:
    return ANCESTORS.get(concept, ())


DictMapper.ancestors = staticmethod(ancestors)  # type: ignore[attr-defined]
"""Like the vocabulary, the test mapper also answers ``ancestors`` (the facade picks it up)."""
