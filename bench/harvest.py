"""DICOM harvest throughput: the harvester's header reader vs plain pydicom on the same files, same run.

Writes N synthetic Part 10 files (default 6,000; realistic headers: a 6 KiB private block like a
vendor's CSA header, ~60 public elements, small pixel data), then measures (medians of 3 runs):

* files/s per core: ``cikg.harvest.dicom.read_instance`` (allow-listed fields, pseudonyms) vs
  ``pydicom.dcmread(path, stop_before_pixels=True)`` over the same files, one process each;
* scaling: the full read stage (``collect_records``: workers, resume state) with 1 vs 2 workers.

    .venv/bin/python bench/harvest.py [N]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pydicom
from pydicom.uid import generate_uid

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.harvest.dicomgen import make

from cikg.harvest.base import RunReport
from cikg.harvest.dicom import collect_records, quiet_pydicom, read_instance
from cikg.harvest.pseudonym import Pseudonymiser
from cikg.harvest.state import HarvestState


def build(root: Path, n: int) -> list[Path]:
    template = make(
        root / "template.dcm",
        extra={
            "StudyDescription": "MRI PROSTATE",
            "ProtocolName": "t2_tse_tra",
            "InstitutionName": "Hospital",
            "ReferringPhysicianName": "Doe^Jane",
            "AccessionNumber": "A1",
            "StudyID": "1",
            "SliceThickness": "3",
            "RepetitionTime": "4000",
            "EchoTime": "100",
            "EchoTrainLength": "16",
            "PixelSpacing": ["0.5", "0.5"],
            "ImagePositionPatient": ["0", "0", "0"],
            "ImageOrientationPatient": ["1", "0", "0", "0", "1", "0"],
            "WindowCenter": "100",
            "WindowWidth": "200",
        },
    )
    ds = pydicom.dcmread(template)
    block = ds.private_block(0x0029, "SIEMENS CSA HEADER", create=True)
    block.add_new(0x10, "OB", os.urandom(6144))
    files = []
    per_series = 50
    for i in range(n):
        if i % per_series == 0:
            ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.PatientID = generate_uid(), generate_uid(), f"P{i}"
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        p = root / f"s{i // per_series:04d}" / f"{i:06d}.dcm"
        p.parent.mkdir(parents=True, exist_ok=True)
        ds.save_as(p, enforce_file_format=True)
        files.append(p)
    template.unlink()
    return files


def rate(fn, files: list[Path]) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    for f in files:
        fn(f)
    return len(files) / (time.perf_counter() - t0)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 6000
    quiet_pydicom()
    pseudo = Pseudonymiser(b"b" * 32)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        t0 = time.perf_counter()
        files = build(root, n)
        print(
            f"wrote {len(files)} files ({sum(f.stat().st_size for f in files) / 1e6:.1f} MB) in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        ours, base = [], []
        for _ in range(3):
            base.append(rate(lambda f: pydicom.dcmread(f, stop_before_pixels=True), files))
            ours.append(rate(lambda f: read_instance(f, pseudo), files))
        b, o = statistics.median(base), statistics.median(ours)
        print(
            f"per core: pydicom.dcmread(stop_before_pixels=True) {b:,.0f} files/s; "
            f"cikg read_instance {o:,.0f} files/s; ratio {o / b:.2f}x (target >= 1.5x)"
        )
        scaling = {}
        for workers in (1, 2):
            runs = []
            for r in range(3):
                with HarvestState(Path(tmp) / f"state-{workers}-{r}.sqlite") as state:
                    report = RunReport(
                        source_id="b", source_kind="dicom", source_url="file:b", harvester="bench"
                    )
                    t0 = time.perf_counter()
                    count = sum(
                        1 for _ in collect_records(root, state, pseudo, report, workers=workers, resume=False)
                    )
                    runs.append(count / (time.perf_counter() - t0))
            scaling[workers] = statistics.median(runs)
        print(
            f"read stage (walk + read + state): 1 worker {scaling[1]:,.0f} files/s; 2 workers "
            f"{scaling[2]:,.0f} files/s; speed-up {scaling[2] / scaling[1]:.2f}x on {os.cpu_count()} cores"
        )


if __name__ == "__main__":
    main()
