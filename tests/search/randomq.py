"""Seeded random criterion trees over the values of the search fixture (tests/search/fixture.py)."""

from __future__ import annotations

import random
from typing import Any

VALUES: dict[str, list[str]] = {
    "condition": [
        "lung_cancer",
        "ICD10:C34",
        "non_small_cell_lung_carcinoma",
        "lung adenocarcinoma",
        "small_cell_lung_carcinoma",
        "breast_cancer",
        "prostate_cancer",
        "colorectal_cancer",
        "malignant_neoplasm",
    ],
    "modality": ["CT", "MR", "DCM:MG", "modality_pt"],
    "body_part": ["bp_chest", "bp_brain", "bp_prostate", "bp_abdomen", "bp_breast", "bp_pelvis"],
    "manufacturer": ["siemens", "ge_healthcare", "philips"],
    "sex": ["female", "male", "other_sex"],
    "acquisition": ["t2_weighted", "diffusion_weighted"],
    "dataset_type": ["image_data", "clinical_data"],
    "access_rights": ["PUBLIC", "RESTRICTED", "NON_PUBLIC"],
    "data_holder": ["hosp-es", "hosp-it", "hosp-gr"],
    "country": ["ES", "IT", "GR"],
    "annotation_type": ["manual_annotation"],
}
NUMERIC: dict[str, tuple[float, float]] = {
    "age": (30, 90),
    "field_strength": (1, 3),
    "subjects_count": (0, 10),
    "studies_count": (0, 14),
}
TEXT = ["lung", "valencia", "synthetic", "cohort", "zzz"]


def leaf(rng: random.Random) -> dict[str, Any]:
    kind = rng.random()
    if kind < 0.7:
        field = rng.choice(sorted(VALUES))
        vals = rng.sample(VALUES[field], min(len(VALUES[field]), rng.choice([1, 1, 2])))
        return {
            "field": field,
            "value": vals if len(vals) > 1 else vals[0],
            "descendants": rng.random() < 0.7,
        }
    if kind < 0.93:
        field = rng.choice(sorted(NUMERIC))
        lo, hi = NUMERIC[field]
        a, b = sorted(round(rng.uniform(lo, hi), 1) for _ in range(2))
        crit: dict[str, Any] = {"field": field}
        if rng.random() < 0.8:
            crit["min"] = a
        if rng.random() < 0.8 or "min" not in crit:
            crit["max"] = b
        return crit
    return {"field": "text", "value": rng.choice(TEXT)}


def tree(rng: random.Random, depth: int = 3) -> dict[str, Any]:
    r = rng.random()
    if depth == 0 or r < 0.35:
        return leaf(rng)
    if r < 0.45:
        return {"not": tree(rng, depth - 1)}
    op = "and" if r < 0.75 else "or"
    return {op: [tree(rng, depth - 1) for _ in range(rng.randint(2, 3))]}
