"""Header-only DICOM files for the demo, fast enough for a million series.

Each series kind + scanner becomes one *template*: a header from one of pydicom's bundled test files
(CT, MR, US, SEG, RTSTRUCT), its pixel data and large binary values dropped, the kind's attributes set,
written once by pydicom as explicit VR little endian. The attributes that change per file (study,
series and instance UIDs, patient id, sex, age, birth date, the study date) are written with
placeholder values of fixed length; a file is then the template's bytes with those slices replaced, so
writing one costs a copy and a ``write`` (tens of thousands per second per core) instead of a pydicom
``save_as`` (~150 per second here). Files are made in parallel worker processes, by subject ranges,
each deterministic from ``(seed, collection, subject)``.

Nothing here is real: patient ids, names and dates are made up; the test files only give the headers
their realistic shape.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cikg.demo.federation import CollectionSpec, Protocol, Scanner, SeriesKind

TEMPLATES = {
    "ct": "CT_small.dcm",
    "mr": "MR_small.dcm",
    "us": "examples_rgb_color.dcm",
    "seg": "liver_1frame.dcm",
    "rtstruct": "rtstruct.dcm",
}
"""Series template kind -> pydicom test file whose header it is modelled on."""

_UID_LEN = 43  # "2.25.1" + 37 digits: a UUID-derived UID of fixed length (padded to 44 with one NUL)
PLACEHOLDER_UID = {k: "2.25.1" + d * 37 for k, d in (("study", "1"), ("series", "2"), ("sop", "3"))}
PLACEHOLDER_PID = "ZZDEMOPIDPLACEZZ"  # 16 characters
PLACEHOLDER_DATE = "19010101"
PLACEHOLDER_BIRTH = "18990202"
_SEX_SIG = b"\x10\x00\x40\x00CS\x02\x00"
_AGE_SIG = b"\x10\x00\x10\x10AS\x04\x00"
_BIG_BINARY = {"OB", "OW", "OF", "OD", "OL", "OV", "UN"}


@dataclass(frozen=True)
class Template:
    data: bytes
    slots: dict[str, tuple[int, ...]]
    """Field name -> byte offsets of its value in ``data`` (every occurrence)."""


def _load(kind: str) -> object:
    import pydicom
    from pydicom.data import get_testdata_file

    path = get_testdata_file(TEMPLATES[kind])
    if path is None:
        raise FileNotFoundError(f"pydicom's test file {TEMPLATES[kind]} is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydicom.dcmread(path, stop_before_pixels=True, force=True)


def _slots(data: bytes) -> dict[str, tuple[int, ...]]:
    def all_of(needle: bytes) -> tuple[int, ...]:
        found, start = [], 0
        while (i := data.find(needle, start)) >= 0:
            found.append(i)
            start = i + 1
        return tuple(found)

    slots = {name: all_of(uid.encode()) for name, uid in PLACEHOLDER_UID.items()}
    slots["pid"] = all_of(PLACEHOLDER_PID.encode())
    slots["date"] = all_of(PLACEHOLDER_DATE.encode())
    slots["birth"] = all_of(PLACEHOLDER_BIRTH.encode())
    slots["sex"] = tuple(i + len(_SEX_SIG) for i in all_of(_SEX_SIG))
    slots["age"] = tuple(i + len(_AGE_SIG) for i in all_of(_AGE_SIG))
    expected = {"study": 1, "series": 1, "sop": 2, "pid": 1, "sex": 1, "age": 1, "birth": 1}
    for name, n in expected.items():
        if len(slots[name]) != n:
            raise RuntimeError(f"demo template: {name} found {len(slots[name])} times, expected {n}")
    if not slots["date"]:
        raise RuntimeError("demo template: no study date")
    return slots


@cache
def template(kind: SeriesKind, scanner: Scanner) -> Template:
    """The header of ``kind`` acquired on ``scanner``, with placeholders (cached per process)."""
    import pydicom
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import UID, ExplicitVRLittleEndian

    ds = _load(kind.template)
    ds = ds.copy()  # type: ignore[attr-defined]
    for elem in list(ds):
        if elem.tag.is_private or (elem.VR in _BIG_BINARY and elem.tag.group != 0x0002):
            del ds[elem.tag]
        elif elem.VR == "DA":
            elem.value = PLACEHOLDER_DATE
        elif elem.VR == "PN":
            elem.value = "DEMO^SYNTHETIC"
    for keyword in (
        "OtherPatientIDs",
        "AccessionNumber",
        "InstitutionName",
        "InstitutionAddress",
        "StationName",
        "ReferringPhysicianName",
        "OperatorsName",
        "DeviceSerialNumber",
    ):
        if keyword in ds:
            delattr(ds, keyword)
    ds.SOPClassUID = kind.sop_class
    ds.Modality = kind.modality
    ds.Manufacturer = scanner.manufacturer
    ds.ManufacturerModelName = scanner.model
    ds.BodyPartExamined = kind.body_part
    ds.SeriesDescription = kind.description
    ds.StudyDescription = kind.description.split("_")[0].upper()
    if scanner.field_strength is not None and kind.modality == "MR":
        ds.MagneticFieldStrength = scanner.field_strength
    elif "MagneticFieldStrength" in ds:
        del ds.MagneticFieldStrength
    if kind.modality != "MR":
        for kw in ("ScanningSequence", "SequenceVariant", "SequenceName", "EchoTime", "RepetitionTime"):
            if kw in ds:
                delattr(ds, kw)
    if "ContrastBolusAgent" in ds:
        del ds.ContrastBolusAgent
    for keyword, value in kind.attrs:
        setattr(ds, keyword, list(value) if isinstance(value, tuple) else value)
    ds.StudyInstanceUID = PLACEHOLDER_UID["study"]
    ds.SeriesInstanceUID = PLACEHOLDER_UID["series"]
    ds.SOPInstanceUID = PLACEHOLDER_UID["sop"]
    ds.PatientID = PLACEHOLDER_PID
    ds.PatientName = "DEMO^SYNTHETIC"
    ds.PatientSex = "O"
    ds.PatientAge = "000Y"
    ds.PatientBirthDate = PLACEHOLDER_BIRTH
    ds.StudyDate = ds.SeriesDate = PLACEHOLDER_DATE
    ds.StudyID = "1"
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(kind.sop_class)
    meta.MediaStorageSOPInstanceUID = UID(PLACEHOLDER_UID["sop"])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        previous = pydicom.config.settings.writing_validation_mode
        pydicom.config.settings.writing_validation_mode = pydicom.config.IGNORE
        try:
            ds.save_as(buf, enforce_file_format=True)
        finally:
            pydicom.config.settings.writing_validation_mode = previous
    data = buf.getvalue()
    return Template(data, _slots(data))


# -- deterministic synthetic values -----------------------------------------------------------------------


def uid(seed: int, collection: str, what: str, n: int) -> str:
    """A fixed-length UUID-derived UID (2.25 root), deterministic."""
    h = hashlib.blake2b(f"{seed}/{collection}/{what}/{n}".encode(), digest_size=16).digest()
    return "2.25.1" + f"{int.from_bytes(h, 'big') % 10**37:037d}"


@dataclass(frozen=True)
class StudyPlan:
    protocol: Protocol
    scanner: Scanner
    date: str
    series: tuple[SeriesKind, ...]


@dataclass(frozen=True)
class SubjectPlan:
    index: int
    sex: str
    age: int
    birth: str
    studies: tuple[StudyPlan, ...]

    @property
    def series(self) -> int:
        return sum(len(s.series) for s in self.studies)


def subject_plan(spec: CollectionSpec, seed: int, index: int) -> SubjectPlan:
    """Who subject ``index`` of a collection is and which studies they had (deterministic)."""
    rng = random.Random(f"{seed}/{spec.id}/{index}")
    sex = "F" if rng.random() < spec.female else "M"
    age = rng.randint(*spec.ages)
    first_year = rng.randint(*spec.years)
    studies = []
    for k in range(1 + (rng.random() < 0.3)):
        protocol = rng.choices(spec.protocols, weights=[p.weight for p in spec.protocols])[0]
        scanner = rng.choice(protocol.scanners)
        year = min(spec.years[1], first_year + k)
        date = f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        series = protocol.series
        if protocol.annotation is not None and rng.random() < 0.34:
            series = (*series, protocol.annotation)
        studies.append(StudyPlan(protocol, scanner, date, series))
    birth = f"{first_year - age}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    return SubjectPlan(index, sex, age, birth, tuple(studies))


def subjects_for(spec: CollectionSpec, seed: int, series: int) -> int:
    """How many subjects make up (at least) ``series`` series."""
    total, n = 0, 0
    while total < series:
        total += subject_plan(spec, seed, n).series
        n += 1
    return n


def _files(
    spec: CollectionSpec, seed: int, subject: SubjectPlan, instances: int | None
) -> Iterator[tuple[str, bytes]]:
    site = int.from_bytes(hashlib.blake2b(f"{seed}/{spec.id}".encode(), digest_size=4).digest(), "big")
    pid = f"D{site % 10**4:04d}{subject.index:011d}"
    age = f"{min(subject.age, 999):03d}Y".encode()
    sex = (subject.sex + " ").encode()
    for si, study in enumerate(subject.studies):
        study_uid = uid(seed, spec.id, "study", subject.index * 10 + si).encode()
        for ki, kind in enumerate(study.series):
            tpl = template(kind, study.scanner)
            key = (subject.index * 10 + si) * 100 + ki
            series_uid = uid(seed, spec.id, "series", key).encode()
            for n in range(instances if instances is not None else kind.instances):
                sop = uid(seed, spec.id, "sop", key * 1000 + n).encode()
                data = bytearray(tpl.data)
                for name, value in (
                    ("study", study_uid),
                    ("series", series_uid),
                    ("sop", sop),
                    ("pid", pid.encode()),
                    ("date", study.date.encode()),
                    ("birth", subject.birth.encode()),
                    ("sex", sex),
                    ("age", age),
                ):
                    for off in tpl.slots[name]:
                        data[off : off + len(value)] = value
                yield f"{subject.index:07d}-{si}-{ki:02d}-{n}.dcm", bytes(data)


def write_subjects(
    spec: CollectionSpec, seed: int, root: Path, first: int, last: int, instances: int | None
) -> tuple[int, int]:
    """Write subjects ``[first, last)`` of a collection under ``root``; returns (series, files)."""
    folder = root / f"{first // 1000:05d}"
    folder.mkdir(parents=True, exist_ok=True)
    series = files = 0
    for i in range(first, last):
        plan = subject_plan(spec, seed, i)
        series += plan.series
        for name, data in _files(spec, seed, plan, instances):
            (folder / name).write_bytes(data)
            files += 1
    return series, files


def _job(args: tuple[CollectionSpec, int, str, int, int, int | None]) -> tuple[int, int]:
    spec, seed, root, first, last, instances = args
    return write_subjects(spec, seed, Path(root), first, last, instances)


Progress = Callable[[int], None]
"""``progress(series_written)``: called as chunks finish."""


def generate(
    jobs: list[tuple[CollectionSpec, Path, int]],
    *,
    seed: int,
    instances: int | None,
    workers: int | None = None,
    progress: Progress | None = None,
    subjects_per_chunk: int = 1000,
) -> dict[str, tuple[int, int]]:
    """Write every collection's files: ``jobs`` are (spec, folder, subjects); returns per collection
    (series, files). Runs on ``workers`` processes (default: every core)."""
    tasks = []
    for spec, root, subjects in jobs:
        for first in range(0, subjects, subjects_per_chunk):
            tasks.append((spec, seed, str(root), first, min(subjects, first + subjects_per_chunk), instances))
    out: dict[str, tuple[int, int]] = {spec.id: (0, 0) for spec, _, _ in jobs}
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(tasks) <= 1:
        results: Iterator[tuple[int, int]] = map(_job, tasks)
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        results = pool.map(_job, tasks)
    try:
        for task, (series, files) in zip(tasks, results, strict=True):
            s, f = out[task[0].id]
            out[task[0].id] = (s + series, f + files)
            if progress:
                progress(series)
    finally:
        if workers > 1 and len(tasks) > 1:
            pool.shutdown()
    return out
