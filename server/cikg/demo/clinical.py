"""Clinical sources of the demo: eCRF / OMOP-extract CSV files (with their column mapping and the
steward's SSSOM) and FHIR R4 bundles, each written in its site's coding habit.

Identifying columns and elements (names, free-text notes, addresses) are filled with the marker
``DEMO-PHI`` so a test can check that nothing of them reaches the graph.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

from cikg.demo.federation import ADENO_ES, NSCLC_ES, CollectionSpec

PHI = "DEMO-PHI"
"""Marker in every identifying value of the clinical sources (never harvested)."""

SNOMED = "http://snomed.info/sct"
DCM = "http://dicom.nema.org/resources/ontology/DCM"

STEWARD = "Data steward, demo site Valencia"
STEWARD_ROWS = (
    ("sex", "Hombre", "male"),
    ("sex", "Mujer", "female"),
    ("condition", NSCLC_ES, "non_small_cell_lung_carcinoma"),
    ("condition", ADENO_ES, "lung_adenocarcinoma"),
    ("modality", "TC", "modality_ct"),
    ("modality", "PET-TC", "modality_pt"),
    ("modality", "RX", "modality_cr"),
    ("body_part", "Tórax", "bp_chest"),
)
"""The Valencia steward's reviewed mappings of the site's local terms: (kind, term, concept)."""


def steward_sssom() -> str:
    """The steward's SSSOM file (the convention of :mod:`cikg.mapping.curation`)."""
    from urllib.parse import quote

    head = [
        "# curie_map:",
        "#   CIKG: https://w3id.org/cikg/ontology/",
        '#   LOCAL: "urn:cikg:local:"',
        "#   semapv: https://w3id.org/semapv/vocab/",
        "#   skos: http://www.w3.org/2004/02/skos/core#",
        "# mapping_set_id: https://demo.cikg.example.org/valencia/local-terms.sssom.tsv",
        "# mapping_set_description: Local terms of the demo site Valencia, reviewed by its data steward",
        "# license: https://creativecommons.org/publicdomain/zero/1.0/",
        "\t".join(
            [
                "subject_id",
                "subject_label",
                "subject_category",
                "predicate_id",
                "object_id",
                "mapping_justification",
                "reviewer_label",
            ]
        ),
    ]
    rows = [
        "\t".join(
            [
                f"LOCAL:{kind}/{quote(term)}",
                term,
                kind,
                "skos:exactMatch",
                f"CIKG:{concept}",
                "semapv:ManualMappingCuration",
                STEWARD,
            ]
        )
        for kind, term, concept in STEWARD_ROWS
    ]
    return "\n".join([*head, *rows]) + "\n"


VALENCIA_MAPPING = """# Column mapping of the Valencia eCRF export (cikg harvest csv --mapping).
# Only these columns are read: nombre, apellidos and notas are never looked at.
format: {delimiter: ";", encoding: utf-8}
columns:
  subject: {column: nhc, issuer: DEMO-VALENCIA}
  sex: sexo
  birth_date: {column: fecha_nacimiento, format: "%d/%m/%Y"}
  condition: diagnostico
  diagnosis_date: {column: fecha_dx, format: "%d/%m/%Y"}
  study: estudio
  modality: modalidad
  body_part: region
  study_date: {column: fecha_estudio, format: "%d/%m/%Y"}
value_mappings: [valencia.sssom.tsv]
"""

OMOP_MAPPING = """# Column mapping of the Uppsala OMOP CDM extract (person, condition and image occurrences).
columns:
  subject: {column: person_source_value, issuer: DEMO-UPPSALA}
  sex: {column: gender_concept_id, system: OMOP}
  age: age_at_diagnosis
  condition: {column: condition_concept_id, system: OMOP}
  diagnosis_date: {column: condition_start_date, format: "%Y-%m-%d"}
  study: image_occurrence_id
  modality: modality_source_value
  body_part: anatomic_site_source_value
  study_date: {column: image_occurrence_date, format: "%Y-%m-%d"}
"""


def _persons(spec: CollectionSpec, seed: int, n: int) -> list[dict[str, Any]]:
    rng = random.Random(f"{seed}/{spec.id}/persons")
    out = []
    for i in range(n):
        female = rng.random() < spec.female
        age = rng.randint(*spec.ages)
        year = rng.randint(*spec.years)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        out.append(
            {
                "i": i,
                "female": female,
                "age": age,
                "birth": (year - age, rng.randint(1, 12), rng.randint(1, 28)),
                "dx": (year, month, day),
                "condition": rng.choice(spec.habit.conditions),
                "studies": rng.randint(1, 3),
                "rng": rng.random(),
            }
        )
    return out


def write_valencia_csv(spec: CollectionSpec, seed: int, folder: Path, persons: int) -> tuple[Path, Path]:
    """The Spanish eCRF export (one row per imaging study), its column mapping and the steward's SSSOM."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "valencia.sssom.tsv").write_text(steward_sssom(), encoding="utf-8")
    mapping = folder / "mapping.yaml"
    mapping.write_text(VALENCIA_MAPPING, encoding="utf-8")
    path = folder / "ecrf.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(
            [
                "nhc",
                "nombre",
                "apellidos",
                "fecha_nacimiento",
                "sexo",
                "diagnostico",
                "fecha_dx",
                "estudio",
                "modalidad",
                "region",
                "fecha_estudio",
                "notas",
            ]
        )
        for p in _persons(spec, seed, persons):
            by, bm, bd = p["birth"]
            y, m, d = p["dx"]
            for k in range(p["studies"]):
                modality = ("TC", "PET-TC", "RX")[k % 3]
                first = k == 0
                w.writerow(
                    [
                        f"NHC{seed:02d}{p['i']:07d}",
                        f"{PHI}-nombre-{p['i']}",
                        f"{PHI}-apellidos",
                        f"{bd:02d}/{bm:02d}/{by}" if first else "",
                        ("Mujer" if p["female"] else "Hombre") if first else "",
                        p["condition"] if first else "",
                        f"{d:02d}/{m:02d}/{y}" if first else "",
                        f"EST{seed:02d}{p['i']:07d}{k}",
                        modality,
                        "Tórax",
                        f"{min(d + 7 * k, 28):02d}/{m:02d}/{y}",
                        f"{PHI} nota libre; paciente {p['i']}",
                    ]
                )
    return path, mapping


def write_omop_csv(spec: CollectionSpec, seed: int, folder: Path, persons: int) -> tuple[Path, Path]:
    """An OMOP CDM extract as CSV: OMOP concept ids for sex and condition, DICOM terms for imaging."""
    folder.mkdir(parents=True, exist_ok=True)
    mapping = folder / "mapping.yaml"
    mapping.write_text(OMOP_MAPPING, encoding="utf-8")
    path = folder / "omop_extract.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "person_source_value",
                "gender_concept_id",
                "age_at_diagnosis",
                "condition_concept_id",
                "condition_start_date",
                "image_occurrence_id",
                "modality_source_value",
                "anatomic_site_source_value",
                "image_occurrence_date",
                "note_text",
            ]
        )
        for p in _persons(spec, seed, persons):
            y, m, d = p["dx"]
            code = p["condition"].split(":", 1)[1]
            for k in range(p["studies"]):
                w.writerow(
                    [
                        f"UPS{seed:02d}{p['i']:07d}",
                        "8532" if p["female"] else "8507",
                        p["age"],
                        code,
                        f"{y}-{m:02d}-{d:02d}",
                        f"{seed:02d}{p['i']:07d}{k}",
                        ("MG", "US", "MR")[k % 3],
                        "BREAST",
                        f"{y}-{m:02d}-{min(d + 7 * k, 28):02d}",
                        f"{PHI} free text",
                    ]
                )
    return path, mapping


def write_fhir(spec: CollectionSpec, seed: int, folder: Path, persons: int, body_site: str) -> list[Path]:
    """FHIR R4 transaction bundles (one per 50 patients), conditions coded with SNOMED CT."""
    folder.mkdir(parents=True, exist_ok=True)
    people = _persons(spec, seed, persons)
    paths = []
    for start in range(0, len(people), 50):
        entries: list[dict[str, Any]] = []
        for p in people[start : start + 50]:
            pid = f"urn:uuid:{seed:08d}-0000-4000-8000-{p['i']:012d}"
            by, bm, bd = p["birth"]
            y, m, d = p["dx"]
            code = p["condition"].split(":", 1)[1]
            entries.append(
                _entry(
                    pid,
                    {
                        "resourceType": "Patient",
                        "name": [{"family": f"{PHI}-family", "given": [f"{PHI}-given"]}],
                        "address": [{"city": f"{PHI}-city"}],
                        "gender": "female" if p["female"] else "male",
                        "birthDate": f"{by}-{bm:02d}-{bd:02d}",
                    },
                )
            )
            entries.append(
                _entry(
                    f"{pid}-c",
                    {
                        "resourceType": "Condition",
                        "subject": {"reference": pid},
                        "code": {"coding": [{"system": SNOMED, "code": code}]},
                        "onsetDateTime": f"{y}-{m:02d}-{d:02d}",
                        "note": [{"text": f"{PHI} clinician note"}],
                    },
                )
            )
            for k in range(p["studies"]):
                modality = ("CT", "MR", "PT")[k % 3] if body_site != "liver" else ("MR", "CT")[k % 2]
                entries.append(
                    _entry(
                        f"{pid}-s{k}",
                        {
                            "resourceType": "ImagingStudy",
                            "status": "available",
                            "subject": {"reference": pid},
                            "identifier": [
                                {"system": "urn:dicom:uid", "value": f"urn:oid:2.25.{seed}{p['i']:09d}{k}"}
                            ],
                            "started": f"{y}-{m:02d}-{min(d + 7 * k, 28):02d}",
                            "series": [
                                {
                                    "uid": f"2.25.{seed}{p['i']:09d}{k}1",
                                    "modality": {"system": DCM, "code": modality},
                                    "bodySite": {"system": SNOMED, "code": _BODY_SITES[body_site]},
                                }
                            ],
                        },
                    )
                )
        bundle = {"resourceType": "Bundle", "type": "transaction", "entry": entries}
        path = folder / f"bundle-{start // 50:04d}.json"
        path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


_BODY_SITES = {"lung": "39607008", "liver": "10200004"}
"""SNOMED CT body structures: lung structure, liver structure."""


def _entry(full_url: str, resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "fullUrl": full_url,
        "resource": resource,
        "request": {"method": "POST", "url": resource["resourceType"]},
    }
