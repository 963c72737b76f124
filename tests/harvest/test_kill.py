"""``kill -9`` of a harvest in the middle of replacing a source graph: the store keeps the old version
or the new one, never a mix (real subprocesses, the embedded on-disk store)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cikg.store.oxigraph import OxigraphStore

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from cikg.settings import Settings
    from cikg.store.oxigraph import OxigraphStore
    from cikg.harvest.dicom import harvest_dicom
    from cikg.harvest.interim_mapper import InterimValueMapper
    from cikg.validate import ShaclGate
    from tests.harvest.conftest import METADATA

    data, root, signal_file, mode = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    settings = Settings(data_dir=data)
    store = OxigraphStore(settings.store_dir)
    gate = ShaclGate()

    def slow_gate(staged):
        gate(staged)
        if mode == "validate":
            signal_file.write_text(staged.graph)  # the new version is staged and valid: kill me now
            time.sleep(60)

    harvest_dicom(store, settings, root=root, collection_id="k", metadata=METADATA,
                  mapper=InterimValueMapper(), gate=slow_gate, workers=1)
    store.close()
    """
)


def _run_child(data: Path, root: Path, signal_file: Path, mode: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data), str(root), str(signal_file), mode],
        cwd=Path(__file__).resolve().parents[2],
    )


def _state(data: Path) -> tuple[str | None, int, set[str]]:
    store = OxigraphStore(data / "store")
    try:
        info = store.source("urn:cikg:source:k")
        graph = info.graph if info else None
        n = store.count(graph) if graph else 0
        q = "SELECT DISTINCT ?n WHERE { ?c <http://healthdataportal.eu/ns/health#numberOfRecords> ?n }"
        studies = {r["n"].value for r in store.query(q).rows()}
        store.collect_garbage()
        return graph, n, studies
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["validate", "load"])
def test_kill_9_mid_replace_leaves_old_or_new(tmp_path: Path, mode: str) -> None:
    from tests.harvest.dicomgen import make

    data, root = tmp_path / "data", tmp_path / "site"
    make(root / "a.dcm", patient_id="A")
    first = _run_child(data, root, tmp_path / "unused", "none")
    assert first.wait(120) == 0
    old_graph, old_n, old_studies = _state(data)
    assert old_graph and old_studies == {"1"}
    for i in range(40):  # the new version: more studies
        make(root / f"b{i}.dcm", patient_id=f"B{i}")
    signal_file = tmp_path / "staged"
    child = _run_child(data, root, signal_file, mode)
    deadline = time.time() + 120
    if mode == "validate":
        while not signal_file.exists() and time.time() < deadline and child.poll() is None:
            time.sleep(0.02)
        assert signal_file.exists(), "the child never reached the staged graph"
    else:  # somewhere during reading / loading: kill as soon as the staging file appears
        staged = data / "harvest" / "k" / "staged.nt"
        while not staged.exists() and time.time() < deadline and child.poll() is None:
            time.sleep(0.005)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(30)
    graph, n, studies = _state(data)
    if graph == old_graph:
        assert (n, studies) == (old_n, old_studies)
    else:  # the flip happened before the kill: the complete new version
        assert studies == {"41"}
    # a later harvest completes and replaces it
    assert _run_child(data, root, tmp_path / "unused", "none").wait(120) == 0
    assert _state(data)[2] == {"41"}
