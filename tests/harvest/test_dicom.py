"""The DICOM folder harvester on real files: pydicom's own test data, synthetic files, bad inputs."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pydicom
import pytest

from cikg.harvest.base import HarvestRejected
from cikg.harvest.dicom import harvest_dicom, quiet_pydicom
from cikg.harvest.dicom_header import NeedsPydicom
from cikg.harvest.interim_mapper import InterimValueMapper
from cikg.harvest.pseudonym import Pseudonymiser
from cikg.settings import Settings
from cikg.store.oxigraph import OxigraphStore
from cikg.validate import ShaclGate, report_rows
from tests.harvest.conftest import METADATA
from tests.harvest.dicomgen import CT, make


def _pydicom_files(dest: Path) -> list[Path]:
    """Every file pydicom ships as test data that is on disk, copied with its relative layout."""
    from pydicom.data import get_testdata_files

    root = Path(pydicom.__file__).parent / "data" / "test_files"
    out = []
    for f in get_testdata_files():
        p = Path(f)
        if not p.is_file():
            continue
        rel = p.relative_to(root) if p.is_relative_to(root) else Path(p.name)
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, target)
        out.append(target)
    return out


def _independent(files: list[Path]) -> dict[str, set[str]]:
    """Modalities, body parts and manufacturers as plain pydicom reads them (full header read),
    for files that are usable instances (Study/Series UIDs, SOP class, not a DICOMDIR)."""
    quiet_pydicom()
    seen: dict[str, set[str]] = {"modality": set(), "body_part": set(), "manufacturer": set()}
    for f in files:
        try:
            ds = pydicom.dcmread(f, stop_before_pixels=True, force=True)
        except Exception:
            continue
        if not (ds.get("StudyInstanceUID") and ds.get("SeriesInstanceUID") and ds.get("SOPClassUID")):
            continue
        for kind, kw in (
            ("modality", "Modality"),
            ("body_part", "BodyPartExamined"),
            ("manufacturer", "Manufacturer"),
        ):
            value = str(ds.get(kw) or "").strip()
            if value:
                seen[kind].add(value)
    return seen


def _harvest(store: OxigraphStore, settings: Settings, root: Path, cid: str = "c1", **kw: Any) -> Any:
    return harvest_dicom(
        store,
        settings,
        root=root,
        collection_id=cid,
        metadata=kw.pop("metadata", METADATA),
        mapper=InterimValueMapper(),
        gate=ShaclGate(),
        violation_rows=report_rows,
        workers=kw.pop("workers", 2),
        **kw,
    )


def _collection_values(store: OxigraphStore, pred: str) -> set[str]:
    q = f"SELECT DISTINCT ?v WHERE {{ ?c a <http://www.w3.org/ns/dcat#Dataset> ; <{pred}> ?v }}"
    return {row["v"].value for row in store.query(q).rows()}


@pytest.mark.slow
def test_pydicom_test_files_equal_an_independent_read(
    tmp_path: Path, settings: Settings, store: OxigraphStore
) -> None:
    files = _pydicom_files(tmp_path / "pydicom")
    assert len(files) > 100
    result = _harvest(store, settings, tmp_path / "pydicom")
    report = result.report
    assert report.outcome == "conforms"
    mapper = InterimValueMapper()
    expected = _independent(files)
    unmapped = {(u["kind"], u["value"]) for u in report.unmapped}
    eucaim = "https://hyperontology.eucaim.cancerimage.eu/#"
    preds = {
        "modality": "hasImageModality",
        "body_part": "hasImageBodyPart",
        "manufacturer": "hasEquipmentManufacturer",
    }
    from cikg.rdfmap import plan

    for kind, values in expected.items():
        slot = {"modality": "image_modality", "body_part": "body_part", "manufacturer": "manufacturer"}[kind]
        enum = plan()["Collection"].slots[slot].enum or {}
        mapped = {enum[c].value for v in values if (c := mapper.map_value(kind, v))}
        assert _collection_values(store, eucaim + preds[kind]) == mapped, kind
        # every value that did not map is reported, with its value
        reported = {v for k, v in unmapped if k == kind and v != "<missing>"}
        assert {v for v in values if mapper.map_value(kind, v) is None} == reported
    # every file is accounted for: harvested, a DICOMDIR, or listed with a reason
    assert report.items_seen == len(files)
    assert report.items_harvested + report.items_failed + report.summary.get("dicomdir_files", 0) == len(
        files
    )
    assert all(p.reason and not p.where.startswith("/") for p in report.problems)
    assert any(p.where == "README.txt" for p in report.problems)


@pytest.mark.slow
def test_fast_reader_agrees_with_pydicom_on_every_test_file(tmp_path: Path) -> None:
    from cikg.harvest import dicom as mod

    files = _pydicom_files(tmp_path / "pydicom")
    pseudo = Pseudonymiser(b"k" * 32)
    quiet_pydicom()
    compared = 0
    for f in files:
        try:
            with f.open("rb") as fh:
                fast = mod._raw_fast(fh, f.stat().st_size)
        except NeedsPydicom:
            continue
        except Exception:
            continue
        try:
            slow = mod._raw_pydicom(f)
        except Exception:
            continue
        fast.pop("MediaStorageSOPClassUID", None)
        slow.pop("MediaStorageSOPClassUID", None)
        from cikg.harvest.phi import MissingIdentity, derive

        try:
            assert derive(fast, pseudo) == derive(slow, pseudo), f.name
        except MissingIdentity:
            continue
        compared += 1
    assert compared > 50


def test_counts_sex_age_semantics_and_resume(
    tmp_path: Path, settings: Settings, store: OxigraphStore
) -> None:
    root = tmp_path / "site"
    study = pydicom.uid.generate_uid()
    series = pydicom.uid.generate_uid()
    for i in range(3):
        make(root / f"p1/s1/{i}.dcm", patient_id="P1", study_uid=study, series_uid=series)
    make(root / "p1/s2/0.dcm", patient_id="P1", study_uid=study, description="ep2d_diff_b800 ADC")
    make(
        root / "p2/0.dcm",
        patient_id="P2",
        sex="F",
        age="045Y",
        date="20210102",
        modality="CT",
        sop_class=CT,
        manufacturer="GE MEDICAL SYSTEMS",
        body_part="CHEST",
        implicit=True,
        description="",
    )
    first = _harvest(store, settings, root, workers=1)
    c = first.collection
    assert (
        c["number_of_subjects"],
        c["number_of_studies"],
        c["number_of_series"],
        c["number_of_instances"],
    ) == (2, 2, 3, 5)
    assert set(c["image_modality"]) == {"modality_mr", "modality_ct"}
    assert set(c["manufacturer"]) == {"siemens", "ge_healthcare"}
    assert c["sex_count"] == [
        {"concept": "https://w3id.org/cikg/ontology/female", "count": 1},
        {"concept": "https://w3id.org/cikg/ontology/male", "count": 1},
    ]
    assert (c["min_typical_age"], c["max_typical_age"]) == (45, 66)
    assert c["temporal_coverage"] == {"start_date": "2020-03", "end_date": "2021-01"}
    assert {"t2_weighted", "diffusion_weighted", "apparent_diffusion_coefficient"} <= set(
        c["acquisition_semantics"]
    )
    # resume: nothing changed -> nothing read again, same collection
    second = _harvest(store, settings, root, workers=2)
    assert second.report.items_skipped == 5 and second.collection["number_of_instances"] == 5
    # one file changed, one removed, one added
    make(root / "p3/0.dcm", patient_id="P3")
    (root / "p2/0.dcm").unlink()
    third = _harvest(store, settings, root)
    assert third.report.items_skipped == 4
    assert (
        third.collection["number_of_subjects"] == 2
        and "modality_ct" not in third.collection["image_modality"]
    )
    assert len(store.sources()) == 1


def test_bad_inputs_are_listed_and_the_rest_continues(
    tmp_path: Path, settings: Settings, store: OxigraphStore
) -> None:
    root = tmp_path / "site"
    good = make(root / "good.dcm")
    (root / "empty.dcm").write_bytes(b"")
    (root / "notes.txt").write_text("not an image\n")
    (root / "image.dcm").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 300)  # mislabelled
    data = good.read_bytes()
    (root / "truncated.dcm").write_bytes(data[:200])
    (root / "mislabelled.png").write_bytes(data)  # a DICOM file named .png: harvested
    result = _harvest(store, settings, root)
    reasons = {p.where: p.reason for p in result.report.problems}
    assert reasons["empty.dcm"] == "empty file (0 bytes)"
    assert reasons["notes.txt"].startswith("not DICOM")
    assert reasons["image.dcm"].startswith("not DICOM")
    assert reasons["truncated.dcm"].startswith("truncated")
    assert "mislabelled.png" not in reasons and "good.dcm" not in reasons
    assert result.report.items_harvested == 2 and result.report.items_failed == 4
    assert result.report.outcome == "conforms"


def test_shacl_invalid_collection_is_rejected_and_the_store_unchanged(
    tmp_path: Path, settings: Settings, store: OxigraphStore
) -> None:
    root = tmp_path / "site"
    make(root / "a.dcm")
    ok = _harvest(store, settings, root)
    before = store.source(ok.report.source_iri)
    assert before is not None
    make(root / "b.dcm", patient_id="P9")
    bad = dict(METADATA, data_holder="no-such-holder")  # a data holder nobody describes: sh:class
    with pytest.raises(HarvestRejected) as err:
        _harvest(store, settings, root, metadata=bad)
    run = err.value.run
    assert run.outcome == "violations"
    assert any(v["constraint"] == "Class" and v["path"] == "dcterms:publisher" for v in run.violations)
    assert store.source(ok.report.source_iri) == before  # previous version kept
    from cikg.harvest.base import harvest_status

    status = harvest_status(store, history=True)
    assert [r.outcome for r in status] == ["violations", "conforms"]
    assert not status[0].current and status[1].current
