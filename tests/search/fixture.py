"""A small multi-site catalogue built through the real harvesters.

Five DICOM collections (synthetic headers written by tests/harvest/dicomgen.py, seeded), each with its
own coding habit for the condition (SNOMED CT, a label, ICD-10, a concept id), one FHIR collection
(tests/data/fhir, no series) and one source with series-level conditions written through the model's
RDF mapper (what a clinical-linked harvest gives), all on a real embedded store.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from cikg.catalogue import Catalogue
from cikg.namespaces import CIKG
from cikg.rdfmap import to_triples
from tests.harvest.dicomgen import CT, make

DATA = Path(__file__).resolve().parents[1] / "data"

HOLDERS: dict[str, dict[str, Any]] = {
    "hosp-es": {"id": "hosp-es", "name": "Hospital Uno Valencia", "country": "ES", "juridical_person": "F1"},
    "hosp-it": {"id": "hosp-it", "name": "Ospedale Due Torino", "country": "IT", "juridical_person": "F2"},
    "hosp-gr": {"id": "hosp-gr", "name": "Nosokomeio Tria Athens", "country": "GR", "juridical_person": "F3"},
}

# collection id -> (holder, condition as the site codes it, access rights, series recipe)
COLLECTIONS: dict[str, tuple[str, str, str, list[dict[str, Any]]]] = {
    "nsclc-es": (
        "hosp-es",
        "SNOMEDCT:254637007",  # non-small cell lung carcinoma, coded in SNOMED CT
        "RESTRICTED",
        [
            {"modality": "CT", "body_part": "CHEST", "manufacturer": "SIEMENS"},
            {"modality": "CT", "body_part": "CHEST", "manufacturer": "GE MEDICAL SYSTEMS"},
            {"modality": "MR", "body_part": "BRAIN", "manufacturer": "SIEMENS", "field_strength": "1.5"},
        ],
    ),
    "adeno-it": (
        "hosp-it",
        "lung adenocarcinoma",  # a label
        "PUBLIC",
        [
            {"modality": "CT", "body_part": "CHEST", "manufacturer": "Philips"},
            {
                "modality": "MR",
                "body_part": "BRAIN",
                "manufacturer": "GE MEDICAL SYSTEMS",
                "field_strength": "3",
            },
        ],
    ),
    "prostate-es": (
        "hosp-es",
        "ICD10:C61",
        "RESTRICTED",
        [
            {"modality": "MR", "body_part": "PROSTATE", "manufacturer": "SIEMENS", "field_strength": "3"},
            {
                "modality": "MR",
                "body_part": "PROSTATE",
                "manufacturer": "SIEMENS",
                "field_strength": "1.5",
                "description": "ep2d_diff_b800",
            },
            {"modality": "CT", "body_part": "ABDOMEN", "manufacturer": "Philips"},
        ],
    ),
    "breast-gr": (
        "hosp-gr",
        "C50",
        "NON_PUBLIC",
        [
            {
                "modality": "MR",
                "body_part": "BREAST",
                "manufacturer": "GE MEDICAL SYSTEMS",
                "field_strength": "1.5",
            },
            {"modality": "CT", "body_part": "CHEST", "manufacturer": "SIEMENS"},
        ],
    ),
    "colorectal-it": (
        "hosp-it",
        "colorectal_cancer",
        "RESTRICTED",
        [
            {"modality": "CT", "body_part": "ABDOMEN", "manufacturer": "GE MEDICAL SYSTEMS"},
            {"modality": "MR", "body_part": "PELVIS", "manufacturer": "Philips", "field_strength": "3"},
        ],
    ),
}
SUBJECTS_PER_COLLECTION = 8


def write_dicom(root: Path, cid: str, recipe: list[dict[str, Any]], rng: random.Random) -> None:
    from pydicom.uid import generate_uid

    for subj in range(SUBJECTS_PER_COLLECTION):
        pid = f"{cid}-P{subj}"
        sex = rng.choice(["M", "F", "F", "M", "O"])
        age = rng.randint(35, 85)
        for _study in range(rng.choice([1, 1, 2])):
            study = generate_uid()
            for k, series in enumerate(rng.sample(recipe, rng.randint(1, len(recipe)))):
                kw = dict(series)
                modality = kw.pop("modality")
                extra = {"sop_class": CT} if modality == "CT" else {}
                make(
                    root / cid / f"{pid}-{study[-8:]}-{k}.dcm",
                    patient_id=pid,
                    study_uid=study,
                    modality=modality,
                    sex=sex,
                    age=f"{age:03d}Y",
                    **extra,
                    **kw,
                )


def linked_source(base_url: str) -> list[tuple[str, dict[str, Any]]]:
    """A collection whose series carry their subject's conditions (as a clinical-linked source would)."""
    coll = f"{base_url}/collection/linked-gr"
    objs: list[tuple[str, dict[str, Any]]] = [
        (
            "Collection",
            {
                "id": coll,
                "identifier": "linked-gr",
                "title": "Linked lung and breast cohort",
                "description": "Series linked to diagnoses",
                "data_holder": f"{base_url}/holder/hosp-gr",
                "access_rights": "RESTRICTED",
                "number_of_subjects": 4,
                "number_of_studies": 4,
                "primary_cancer_condition": ["lung_cancer", "breast_cancer"],
                "image_modality": ["modality_ct"],
            },
        )
    ]
    conds = [["small_cell_lung_carcinoma"], ["breast_cancer"], ["lung_adenocarcinoma", "breast_cancer"], []]
    for i, cond in enumerate(conds):
        key = f"{i:064x}"
        obj: dict[str, Any] = {
            "id": f"{coll}/series/{key}",
            "is_part_of": coll,
            "series_key": key,
            "study_key": f"{i + 100:064x}",
            "subject_key": f"{i + 200:064x}",
            "modality": "modality_ct",
            "body_part": "bp_chest",
            "subject_sex": "female" if i % 2 else "male",
            "subject_age": 50 + i,
        }
        if cond:
            obj["condition"] = cond
        objs.append(("SeriesSummary", obj))
    return objs


def build(cat: Catalogue, work: Path, seed: int = 7) -> None:
    rng = random.Random(seed)
    for cid, (holder, condition, access, recipe) in COLLECTIONS.items():
        write_dicom(work / "dicom", cid, recipe, rng)
        meta = {
            "title": f"{cid} collection",
            "description": f"Synthetic {cid} imaging",
            "keyword": [cid.split("-")[0]],
            "data_holder": HOLDERS[holder],
            "primary_cancer_condition": [condition],
            "access_rights": access,
        }
        result = cat.harvest_dicom(work / "dicom" / cid, cid, metadata=meta, workers=1)
        assert result.report.outcome == "conforms", result.report
    fhir_meta = {
        "title": "Clinical-only cohort",
        "data_holder": HOLDERS["hosp-it"],
        "primary_cancer_condition": ["prostate_cancer"],
    }
    result = cat.harvest_fhir([DATA / "fhir" / "bundle-a.json"], "fhir-it", metadata=fhir_meta)
    assert result.report.outcome == "conforms", result.report
    nt = work / "linked.nt"
    with nt.open("w", encoding="utf-8") as out:
        for t in to_triples(linked_source(cat.settings.base_url)):
            out.write(f"{t.subject} {t.predicate} {t.object} .\n")
    cat.load([nt], "linked-gr")


LUNG = CIKG + "lung_cancer"
