"""Writes the synthetic FHIR R4 fixtures of this folder (run: python tests/data/fhir/make_fixtures.py).

Made-up people only. Every identifying element (ids, identifiers, names, addresses, telecom, narrative,
notes, descriptions, extensions) carries the marker `PHIMARK`, which must never appear in any output of
a harvest. The expected aggregates are spelled out in tests/harvest/test_fhir.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCT = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
DCM = "http://dicom.nema.org/resources/ontology/DCM"


def patient(pid: str, gender: str | None, birth: str | None) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Patient",
        "id": pid,
        "text": {"status": "generated", "div": f"<div>PHIMARK narrative of {pid}</div>"},
        "identifier": [{"system": "urn:oid:1.2.999.1", "value": f"PHIMARK-MRN-{pid}"}],
        "name": [{"family": "PHIMARK-Family", "given": ["PHIMARK-Given"]}],
        "telecom": [{"system": "phone", "value": "PHIMARK-+34-600-000-000"}],
        "address": [{"line": ["PHIMARK street 1"], "city": "PHIMARK-City", "postalCode": "PHIMARK-28000"}],
        "extension": [{"url": "http://example.org/birthPlace", "valueString": "PHIMARK-birthplace"}],
    }
    if gender is not None:
        res["gender"] = gender
    if birth is not None:
        res["birthDate"] = birth
    return res


def condition(cid: str, subject: str, coding: list[dict[str, str]] | None, **extra: Any) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Condition",
        "id": cid,
        "subject": {"reference": subject},
        "note": [{"text": "PHIMARK clinician note"}],
        "code": {"coding": coding} if coding else {},
    }
    res.update(extra)
    return res


def imaging_study(
    sid: str, subject: str, uid: str, started: str, series: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "resourceType": "ImagingStudy",
        "id": sid,
        "status": "available",
        "subject": {"reference": subject},
        "identifier": [
            {"system": "urn:dicom:uid", "value": f"urn:oid:{uid}"},
            {"type": {"text": "accession"}, "value": "PHIMARK-ACC-1"},
        ],
        "started": started,
        "description": "PHIMARK study description",
        "numberOfSeries": len(series),
        "series": series,
    }


def series(uid: str, modality: str, body_site: dict[str, str] | None = None) -> dict[str, Any]:
    s: dict[str, Any] = {
        "uid": uid,
        "modality": {"system": DCM, "code": modality},
        "description": "PHIMARK series description",
    }
    if body_site:
        s["bodySite"] = body_site
    return s


def bundle_a() -> dict[str, Any]:
    a1, a2, a3, a4 = (f"PHIMARK-a{i}" for i in range(1, 5))
    uuid = {
        p: f"urn:uuid:0000000{i}-0000-4000-8000-00000000000{i}" for i, p in enumerate((a1, a2, a3, a4), 1)
    }
    resources: list[tuple[str | None, dict[str, Any]]] = [
        (uuid[a1], patient(a1, "male", "1950-03-10")),
        (uuid[a2], patient(a2, "female", "1970-05")),
        (uuid[a3], patient(a3, "female", "1980")),
        (uuid[a4], patient(a4, "unknown", None)),
        # a1: prostate cancer by SNOMED, onset 2015-06-01 (age 65)
        (
            None,
            condition(
                "PHIMARK-c1",
                uuid[a1],
                [{"system": SCT, "code": "399068003"}],
                onsetDateTime="2015-06-01T10:00:00+01:00",
            ),
        ),
        # a2: breast cancer by ICD-10, recorded 2020-05-04 (born mid-May 1970: age 49)
        (
            None,
            condition(
                "PHIMARK-c2", f"Patient/{a2}", [{"system": ICD10, "code": "C50.9"}], recordedDate="2020-05-04"
            ),
        ),
        # a3: a refuted breast cancer (skipped) and an NSCLC histology observation, 2021-01-15 (age 40)
        (
            None,
            condition(
                "PHIMARK-c3",
                f"Patient/{a3}",
                [{"system": SCT, "code": "254837009"}],
                verificationStatus={"coding": [{"code": "refuted"}]},
                onsetDateTime="2001-01-01",
            ),
        ),
        (
            None,
            {
                "resourceType": "Observation",
                "id": "PHIMARK-o1",
                "status": "final",
                "subject": {"reference": f"Patient/{a3}"},
                "code": {"coding": [{"system": "http://loinc.org", "code": "31205-8"}]},
                "valueCodeableConcept": {"coding": [{"system": SCT, "code": "254637007"}]},
                "effectiveDateTime": "2021-01-15",
                "note": [{"text": "PHIMARK pathologist note"}],
            },
        ),
        (
            None,
            {
                "resourceType": "Observation",
                "id": "PHIMARK-o2",
                "status": "final",
                "subject": {"reference": f"Patient/{a3}"},
                "code": {"coding": [{"system": "http://loinc.org", "code": "2857-1"}]},
                "valueQuantity": {"value": 4.2, "unit": "ng/mL"},
            },
        ),
        # a4: a diagnosis in free text only (tried, never reported)
        (
            None,
            condition(
                "PHIMARK-c4",
                f"Patient/{a4}",
                None,
                code={"text": "PHIMARK free-text diagnosis of the patient"},
            ),
        ),
        # imaging: a1 MR prostate (2 series), a2 mammography (MG does not map)
        (
            None,
            imaging_study(
                "PHIMARK-s1",
                f"Patient/{a1}",
                "1.2.999.77.1",
                "2015-07-10T09:00:00Z",
                [
                    series("1.2.999.77.1.1", "MR"),
                    series("1.2.999.77.1.2", "MR", {"system": SCT, "code": "41216001"}),
                ],
            ),
        ),
        (
            None,
            imaging_study(
                "PHIMARK-s2", uuid[a2], "1.2.999.77.2", "2020-06", [series("1.2.999.77.2.1", "MG")]
            ),
        ),
        (None, {"resourceType": "Encounter", "id": "PHIMARK-e1", "status": "finished"}),
    ]
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                **({"fullUrl": full} if full else {}),
                "resource": res,
                "request": {"method": "POST", "url": res["resourceType"]},
            }
            for full, res in resources
        ],
    }


def write_ndjson(path: Path, resources: list[dict[str, Any]], extra_lines: list[str] = ()) -> None:  # type: ignore[assignment]
    lines = [json.dumps(r, ensure_ascii=False) for r in resources] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    (HERE / "bundle-a.json").write_text(
        json.dumps(bundle_a(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    bulk = HERE / "bulk"
    bulk.mkdir(exist_ok=True)
    b1, b2 = "PHIMARK-b1", "PHIMARK-b2"
    write_ndjson(bulk / "Patient.ndjson", [patient(b1, "male", "1948"), patient(b2, "other", "1930-01-01")])
    write_ndjson(
        bulk / "Condition.ndjson",
        [
            condition(
                "PHIMARK-c5", f"Patient/{b1}", [{"system": ICD10, "code": "C61"}], onsetDateTime="2019-02-01"
            ),
            condition(
                "PHIMARK-c6",
                f"Patient/{b1}",
                [{"system": "http://example.org/local-codes", "code": "X1"}],
                onsetDateTime="2018-01-01",
            ),
            condition(
                "PHIMARK-c7",
                f"https://fhir.example.org/r4/Patient/{b2}",
                [{"system": SCT, "code": "254837009", "display": "Malignant tumor of breast"}],
                onsetDateTime="2025-01-01",
            ),
            # a subject known only through this reference (no Patient resource): counted, no age
            condition("PHIMARK-c8", "Patient/PHIMARK-c9", [{"system": SCT, "code": "399068003"}]),
        ],
        extra_lines=['{"resourceType": "Condition", "subject": '],  # a truncated line
    )
    write_ndjson(
        bulk / "ImagingStudy.ndjson",
        [
            imaging_study(
                "PHIMARK-s3",
                f"Patient/{b1}",
                "1.2.999.77.3",
                "2019-03-05",
                [series("1.2.999.77.3.1", "CT", {"system": SCT, "code": "51185008"})],
            )
        ],
    )
    bad = HERE / "bad"
    bad.mkdir(exist_ok=True)
    (bad / "truncated.json").write_text(
        '{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Pat', encoding="utf-8"
    )
    (bad / "array.json").write_text("[1, 2, 3]\n", encoding="utf-8")


if __name__ == "__main__":
    main()
