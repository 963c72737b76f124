"""The PHI guard: a unique marker in every Annex E attribute and in private tags never reaches the
graph, the data dir (state, run reports, secrets), logs, the CLI's output or error messages."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

from cikg.harvest.annex_e import ANNEX_E
from cikg.harvest.dicom import harvest_dicom
from cikg.harvest.interim_mapper import InterimValueMapper
from cikg.harvest.phi import ALLOW_LIST
from cikg.settings import Settings
from cikg.store.oxigraph import OxigraphStore
from cikg.validate import ShaclGate, report_rows
from tests.harvest.conftest import METADATA
from tests.harvest.dicomgen import make, make_marked


def test_verbatim_attributes_are_not_in_annex_e_and_derived_ones_are_declared() -> None:
    for a in ALLOW_LIST:
        if a.use == "verbatim":
            assert a.tag not in ANNEX_E, a.keyword
        assert a.tag >> 16 & 1 == 0, f"{a.keyword}: a private tag"
    assert len(ANNEX_E) > 600


def _hits(text: str, markers: list[str]) -> list[str]:
    low = text.lower()
    return [m for m in markers if m.lower() in low]


def _scan_dir(root: Path, markers: list[str]) -> list[str]:
    found = []
    for p in root.rglob("*"):
        if p.is_file():
            data = p.read_bytes().decode("latin-1").lower()
            found += [f"{p}: {m}" for m in markers if m.lower() in data]
    return found


@pytest.mark.slow
def test_no_marker_anywhere_after_a_folder_harvest(
    tmp_path: Path, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "site"
    markers: list[str] = []
    for n in range(3):
        _, ms = make_marked(root / f"marked{n}.dcm", start=1000 * n)
        markers += ms
    make(root / "plain.dcm")
    (root / "broken.dcm").write_bytes((root / "marked0.dcm").read_bytes()[:900])  # truncated, markers inside
    assert len(markers) > 1500
    caplog.clear()  # (writing the marked files made pydicom log; the harvest starts here)
    caplog.set_level(logging.DEBUG)
    store = OxigraphStore(settings.store_dir)
    try:
        result = harvest_dicom(
            store,
            settings,
            root=root,
            collection_id="phi",
            metadata=METADATA,
            mapper=InterimValueMapper(),
            gate=ShaclGate(),
            violation_rows=report_rows,
            workers=2,
        )
        assert result.report.outcome == "conforms" and result.report.items_harvested == 4
        dump = io.BytesIO()
        graphs = [g.value for g in store._store.named_graphs()]
        store.dump(dump, ox.RdfFormat.N_QUADS, graphs=graphs)
    finally:
        store.close()
    assert not _hits(dump.getvalue().decode(), markers), "marker in the store"
    assert not _hits(str(result.report.to_json()), markers), "marker in the run report"
    assert not _hits(caplog.text, markers), "marker in the logs"
    assert not _scan_dir(settings.data_dir, markers), "marker in the data dir"

    # the same through the CLI, in a subprocess: stdout and stderr too
    meta = tmp_path / "meta.yaml"
    meta.write_text(yaml.safe_dump(METADATA))
    env = dict(os.environ, CIKG_DATA_DIR=str(tmp_path / "cli-data"), PYTHONWARNINGS="always")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cikg",
            "harvest",
            "dicom",
            str(root),
            "-c",
            "phi",
            "--metadata",
            str(meta),
            "--workers",
            "2",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not _hits(proc.stdout + proc.stderr, markers), "marker in the CLI output"
    status = subprocess.run(
        [sys.executable, "-m", "cikg", "harvest", "status", "--json"], capture_output=True, text=True, env=env
    )
    assert status.returncode == 0 and not _hits(status.stdout + status.stderr, markers)
    assert not _scan_dir(tmp_path / "cli-data", markers), "marker in the CLI's data dir"
    key = tmp_path / "cli-data" / "secrets" / "pseudonym.key"
    assert key.stat().st_mode & 0o777 == 0o600
