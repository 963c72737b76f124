"""FHIR R4 harvester: bundles and Bulk Data NDJSON into collection-level aggregates."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from cikg.catalogue import Catalogue
from cikg.harvest.base import MappingTally, Pseudonymiser
from cikg.harvest.fhir import FhirError, coding_values, fhir_date, harvest_fhir
from tests.harvest.clinical_mapper import DictMapper, ancestors

DATA = Path(__file__).resolve().parents[1] / "data" / "fhir"
MARKER = "PHIMARK"


def run(*paths: Path):  # type: ignore[no-untyped-def]
    tally = MappingTally(DictMapper())
    result = harvest_fhir(list(paths), tally, Pseudonymiser(b"k" * 32), ancestors=ancestors)
    return result, tally


def test_fixture_is_current(tmp_path: Path) -> None:
    """The committed fixtures are what make_fixtures.py writes."""
    import shutil
    import subprocess
    import sys

    copy = tmp_path / "fhir"
    shutil.copytree(DATA, copy)
    subprocess.run([sys.executable, str(copy / "make_fixtures.py")], check=True)
    for f in DATA.rglob("*"):
        if f.is_file() and f.suffix in (".json", ".ndjson"):
            assert (copy / f.relative_to(DATA)).read_bytes() == f.read_bytes(), f


def test_bundle_and_bulk_data() -> None:
    result, tally = run(DATA / "bundle-a.json", DATA / "bulk")
    agg = result.aggregate
    assert result.files == 4
    # a1..a4 (bundle), b1, b2 (Patient.ndjson), c9 (only referenced by a Condition)
    assert agg.subjects == 7
    assert agg.sex_counts == Counter({"male": 2, "female": 2, "unknown_sex": 1, "other_sex": 1})
    assert agg.condition_counts == Counter(
        {
            "prostate_cancer": 3,  # a1 (SNOMED), b1 (ICD-10 C61), c9
            "breast_cancer": 2,  # a2 (ICD-10 C50.9), b2 (SNOMED, absolute reference); a3's is refuted
            "non_small_cell_lung_carcinoma": 1,  # a3, from an Observation value
            "lung_cancer": 1,
            "malignant_neoplasm": 6,
        }
    )
    assert agg.primary_conditions == Counter(
        {"prostate_cancer": 3, "breast_cancer": 2, "non_small_cell_lung_carcinoma": 1}
    )
    # ages at first diagnosis: a1 65, a2 49 (born mid-May), a3 40 (born mid-1980), b1 70, b2 95 -> 90
    assert agg.ages == Counter({65: 1, 49: 1, 40: 1, 70: 1, 90: 1})
    assert agg.studies == 3 and agg.series == 4
    assert agg.modalities == Counter({"modality_mr": 1, "modality_ct": 1})
    assert agg.body_parts == Counter({"bp_prostate": 1, "bp_chest": 1})
    assert (agg.first_month, agg.last_month) == ("2015-07", "2020-06")
    unmapped = {(k, v): n for (k, v), n in tally.unmapped.items()}
    assert unmapped[("modality", "MG")] == 1
    assert unmapped[("condition", "http://example.org/local-codes|X1")] == 1
    assert unmapped[("condition", "<free text withheld>")] == 1
    # the truncated NDJSON line is a problem named by file and line; the rest of the file is used
    assert [(p.where, p.reason.split(":")[0]) for p in result.problems] == [
        ("bulk/Condition.ndjson line 5", "not valid JSON")
    ]
    assert result.resources["Encounter"] == 1 and result.skipped >= 2  # Encounter, refuted Condition
    slots = agg.collection_slots()
    assert slots["min_typical_age"] == 40 and slots["max_typical_age"] == 90
    assert slots["primary_cancer_condition"] == [
        "breast_cancer",
        "non_small_cell_lung_carcinoma",
        "prostate_cancer",
    ]
    text = repr(result) + repr(tally.rows()) + json.dumps(slots)
    assert MARKER not in text
    for uid in ("1.2.999.77.1", "1950-03-10", "1930-01-01"):
        assert uid not in text


def test_bad_files_are_reported_and_skipped() -> None:
    result, _ = run(DATA / "bad", DATA / "bundle-a.json")
    reasons = {p.where: p.reason for p in result.problems}
    assert reasons["bad/truncated.json"].startswith("not valid JSON: line 1 column")
    assert reasons["bad/array.json"] == "not a FHIR resource (the JSON is not an object)"
    assert result.aggregate.subjects == 4  # the good bundle is still harvested


def test_nothing_to_read(tmp_path: Path) -> None:
    with pytest.raises(FhirError, match="no such file"):
        run(tmp_path / "missing.json")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(FhirError, match="no FHIR input"):
        run(tmp_path)


def test_urn_uuid_patient_without_id(tmp_path: Path) -> None:
    """Transaction bundles may give a Patient no id, only a urn:uuid fullUrl its records point at."""
    full = "urn:uuid:11111111-2222-4333-8444-555555555555"
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": full,
                "resource": {"resourceType": "Patient", "gender": "female", "birthDate": "1960-01-01"},
            },
            {
                "resource": {
                    "resourceType": "Condition",
                    "subject": {"reference": full},
                    "code": {"coding": [{"system": "http://snomed.info/sct", "code": "254837009"}]},
                    "onsetDateTime": "2020-01-01",
                }
            },
            {"request": {"method": "DELETE", "url": "Patient/1"}},
        ],
    }
    path = tmp_path / "tx.json"
    path.write_text(json.dumps(bundle))
    result, _ = run(path)
    assert result.aggregate.subjects == 1
    assert result.aggregate.ages == Counter({60: 1})
    assert result.problems == []


def test_fhir_dates() -> None:
    assert str(fhir_date("1970")) == "1970-07-01"
    assert str(fhir_date("1970-05")) == "1970-05-15"
    assert str(fhir_date("1970-05-04T10:00:00Z")) == "1970-05-04"
    assert fhir_date("1970-13-01") is None
    assert fhir_date("yesterday") is None
    assert fhir_date(None) is None


def test_coding_values_order() -> None:
    concept = {
        "coding": [
            {"system": "http://snomed.info/sct", "code": "399068003", "display": "Prostate cancer"},
            {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "MR"},
            {"system": "http://example.org/x", "code": "Z"},
        ],
        "text": "free text",
    }
    assert list(coding_values(concept)) == [
        ("SNOMEDCT:399068003", True),
        ("MR", True),
        ("http://example.org/x|Z", True),
        ("Prostate cancer", False),
        ("free text", False),
    ]


# -- end to end ---------------------------------------------------------------------------------------

HOLDER = {
    "data_holder": {
        "id": "hospital-b",
        "name": "Hospital B",
        "country": "PT",
        "juridical_person": "Hospital B",
    },
    "title": "Synthetic FHIR cohort",
}


def test_harvest_into_the_store(catalogue: Catalogue) -> None:
    from tests.harvest.test_omop import dump_everything

    catalogue.value_mapper = DictMapper()
    result = catalogue.harvest_fhir(
        [DATA / "bundle-a.json", DATA / "bulk", DATA / "bad"], "fhir-syn", metadata=dict(HOLDER)
    )
    report = result.report
    assert report.outcome == "conforms"
    assert report.items_failed == 3  # the truncated NDJSON line and the two bad files
    assert {p.where for p in report.problems} == {
        "bulk/Condition.ndjson line 5",
        "bad/truncated.json",
        "bad/array.json",
    }
    coll = result.collection
    assert coll["number_of_subjects"] == 7 and coll["number_of_studies"] == 3
    assert coll["dataset_type"] == ["clinical_data", "image_data"]
    rows = catalogue.query(
        "PREFIX h: <http://healthdataportal.eu/ns/health#> "
        "SELECT ?n WHERE { ?c h:numberOfUniqueIndividuals ?n }"
    ).rows()
    assert [int(r["n"].value) for r in rows] == [7]
    everything = dump_everything(catalogue, catalogue.settings.data_dir)
    assert MARKER not in everything
    for secret in ("1.2.999.77", "1950-03-10", "1930-01-01", "urn:uuid:0000000"):
        assert secret not in everything, secret


def test_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cikg.cli import app

    monkeypatch.setattr(Catalogue, "value_mapper", DictMapper(), raising=False)
    meta = tmp_path / "collection.yaml"
    meta.write_text(json.dumps(HOLDER))
    args = ["harvest", "fhir", str(DATA / "bundle-a.json"), str(DATA / "bulk"), "--collection", "fhir-cli"]
    args += ["--metadata", str(meta), "--data-dir", str(tmp_path / "d")]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "fhir-cli" in result.output and "conforms" in result.output
    assert "bulk/Condition.ndjson line 5" in result.output
    assert MARKER not in result.output
    missing = CliRunner().invoke(app, [*args[:2], str(tmp_path / "nope.json"), *args[4:]])
    assert missing.exit_code == 1
