"""DICOM folder harvester: a folder tree (or a DICOMDIR) -> one Collection + its SeriesSummaries.

Headers only, allow-listed attributes only (:mod:`cikg.harvest.phi`), on N worker processes (default:
all cores). The fast header reader (:mod:`cikg.harvest.dicom_header`) handles the common Part 10
files; pydicom reads the rest. Resumable: files whose path, size and mtime are unchanged since the
last run are not read again (:mod:`cikg.harvest.state`). Unreadable and non-DICOM files are listed in
the run report with their path relative to the harvest root and a fixed-phrase reason, counted, and
never fatal.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cikg.harvest.aggregate import Aggregator
from cikg.harvest.base import (
    MappingTally,
    RunReport,
    ValueMapper,
    harvest_dir,
    pseudonymiser,
    publish,
)
from cikg.harvest.collection_meta import build, default_description
from cikg.harvest.dicom_header import (
    MEDIA_STORAGE_SOP_CLASS,
    NeedsPydicom,
    NotDicom,
    Truncated,
    decode,
    read_header,
)
from cikg.harvest.ids import collection_iri
from cikg.harvest.phi import (
    ALLOWED_TAGS,
    CONTENT_SEQUENCES,
    LAST_TAG,
    MEDIA_DIRECTORY_SOP_CLASS,
    VR_OF,
    MissingIdentity,
    derive,
    raw_from_dataset,
)
from cikg.harvest.pseudonym import Pseudonymiser
from cikg.harvest.state import HarvestState
from cikg.settings import Settings
from cikg.store.base import SourceInfo, TripleStore, Validator

HARVESTER = "cikg-dicom"
DIRECTORY = "<dicomdir>"
"""Failure marker for DICOMDIR files: recognised, neither an instance nor a failure."""

Progress = Callable[[int, int, int], None]
"""``progress(done, total, failed)``: counts only, never a path or a value."""


# -- reading one file (runs in the workers) ------------------------------------------------------------


def quiet_pydicom() -> None:
    """pydicom may log or warn about a malformed value *with the value*: silence it entirely."""
    import pydicom

    pydicom.config.settings.reading_validation_mode = pydicom.config.IGNORE
    for name in ("pydicom",):
        lg = logging.getLogger(name)
        lg.setLevel(logging.CRITICAL + 1)
        lg.propagate = False
    warnings.filterwarnings("ignore", module=r"pydicom\..*")


def _raw_fast(fh: Any, size: int) -> dict[str, Any]:
    found = read_header(fh, size, ALLOWED_TAGS, CONTENT_SEQUENCES, LAST_TAG)
    out: dict[str, Any] = {}
    for tag, raw in found.items():
        if tag == MEDIA_STORAGE_SOP_CLASS:
            out["MediaStorageSOPClassUID"] = decode(raw, "UI")
            continue
        kw = ALLOWED_TAGS[tag]
        value = decode(raw, VR_OF[kw])
        if value not in ("", [], None, False):
            out[kw] = value
    return out


def _raw_pydicom(path: Path) -> dict[str, Any]:
    import pydicom
    from pydicom.errors import InvalidDicomError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds = pydicom.dcmread(
                str(path), stop_before_pixels=True, force=True, specific_tags=list(ALLOWED_TAGS)
            )
            raw = raw_from_dataset(ds)
        except InvalidDicomError as exc:
            raise NotDicom("not a DICOM file") from exc
        except (EOFError, struct_error()) as exc:
            raise Truncated("the file ends inside its header") from exc
    meta = getattr(ds, "file_meta", None)
    if meta is not None and meta.get("MediaStorageSOPClassUID"):
        raw["MediaStorageSOPClassUID"] = str(meta.MediaStorageSOPClassUID)
    if not raw.get("SOPClassUID") and not (meta and "TransferSyntaxUID" in meta):
        raise NotDicom("no DICM prefix and not a readable DICOM data set")
    return raw


def struct_error() -> type[Exception]:
    import struct

    return struct.error


def read_instance(path: Path, pseudo: Pseudonymiser) -> tuple[dict[str, Any] | None, str | None]:
    """``(record, None)`` for a usable instance, ``(None, reason)`` otherwise. Reasons are fixed
    phrases (plus byte counts): never a value from the file."""
    try:
        size = path.stat().st_size
        if size == 0:
            return None, "empty file (0 bytes)"
        try:
            with path.open("rb", buffering=16384) as fh:
                raw = _raw_fast(fh, size)
        except NeedsPydicom:
            raw = _raw_pydicom(path)
        if MEDIA_DIRECTORY_SOP_CLASS in (raw.get("SOPClassUID"), raw.pop("MediaStorageSOPClassUID", None)):
            return None, DIRECTORY
        return derive(raw, pseudo), None
    except NotDicom as exc:
        return None, f"not DICOM: {exc}"
    except Truncated as exc:
        return None, f"truncated: {exc}"
    except MissingIdentity as exc:
        return None, f"not a usable instance: {exc}"
    except OSError as exc:
        return None, f"cannot read the file ({type(exc).__name__}, errno {exc.errno})"
    except Exception as exc:  # a malformed header pydicom could not parse: its message may hold values
        return None, f"unreadable DICOM header ({type(exc).__name__})"


_WORKER_PSEUDO: Pseudonymiser | None = None


def _init_worker(key: bytes) -> None:
    global _WORKER_PSEUDO
    _WORKER_PSEUDO = Pseudonymiser(key)
    quiet_pydicom()


def _read_chunk(paths: list[str]) -> list[tuple[dict[str, Any] | None, str | None]]:
    assert _WORKER_PSEUDO is not None
    return [read_instance(Path(p), _WORKER_PSEUDO) for p in paths]


# -- walking ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileEntry:
    rel: str
    path: str
    size: int
    mtime_ns: int


def walk(root: Path) -> Iterator[FileEntry]:
    """Every regular file under ``root`` (directory symlinks not followed), or the files a DICOMDIR
    references when ``root`` is a DICOMDIR file (plus the DICOMDIR itself)."""
    if root.is_file():
        yield from _dicomdir_files(root)
        return
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.is_file():
                    st = entry.stat()
                    rel = Path(entry.path).relative_to(root).as_posix()
                    yield FileEntry(rel, entry.path, st.st_size, st.st_mtime_ns)
            except OSError:
                continue


def _dicomdir_files(dicomdir: Path) -> Iterator[FileEntry]:
    from pydicom.fileset import FileSet

    quiet_pydicom()
    base = dicomdir.parent
    st = dicomdir.stat()
    yield FileEntry(dicomdir.name, str(dicomdir), st.st_size, st.st_mtime_ns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fs = FileSet(str(dicomdir))
        except Exception as exc:
            raise ValueError(f"{dicomdir.name}: not a readable DICOMDIR ({type(exc).__name__})") from exc
        for instance in fs:
            path = Path(instance.path)
            rel = path.relative_to(base).as_posix() if path.is_relative_to(base) else path.name
            try:
                s = path.stat()
            except OSError:
                yield FileEntry(rel, str(path), -1, -1)
                continue
            yield FileEntry(rel, str(path), s.st_size, s.st_mtime_ns)


# -- the harvest -----------------------------------------------------------------------------------------


@dataclass
class DicomHarvest:
    report: RunReport
    info: SourceInfo | None
    collection: dict[str, Any]


def collect_records(
    root: Path,
    state: HarvestState,
    pseudo: Pseudonymiser,
    report: RunReport,
    *,
    workers: int,
    resume: bool = True,
    progress: Progress | None = None,
    chunk: int = 32,
) -> Iterator[dict[str, Any]]:
    """Read (or resume) every file under ``root``; yields the instance records of this run."""
    files = list(walk(root))
    by_key = {pseudo.path(f.rel): f for f in files}
    known = state.known() if resume else {}
    state.forget(set(known) - set(by_key))
    todo = [(k, f) for k, f in by_key.items() if known.get(k) != (f.size, f.mtime_ns)]
    report.items_seen = len(files)
    report.items_skipped = len(by_key) - len(todo)
    total, done, failed = len(by_key), report.items_skipped, 0
    if progress:
        progress(done, total, failed)
    batches = [todo[i : i + chunk] for i in range(0, len(todo), chunk)]

    def store_batch(batch: list[tuple[str, FileEntry]], results: list[tuple[Any, Any]]) -> None:
        nonlocal done, failed
        rows = []
        for (k, f), (rec, why) in zip(batch, results, strict=True):
            rows.append((k, f.size, f.mtime_ns, rec, why))
            if rec is None and why != DIRECTORY:
                failed += 1
        state.put_many(rows)
        done += len(batch)
        if progress:
            progress(done, total, failed)

    missing = [(k, f) for k, f in todo if f.size < 0]
    if missing:
        store_batch(missing, [(None, "referenced by the DICOMDIR but missing")] * len(missing))
        batches = [[(k, f) for k, f in b if f.size >= 0] for b in batches]
        batches = [b for b in batches if b]
    if workers <= 1 or len(batches) <= 1:
        quiet_pydicom()
        for batch in batches:
            store_batch(batch, [read_instance(Path(f.path), pseudo) for _, f in batch])
    else:
        import multiprocessing as mp

        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(pseudo._key,)
        ) as pool:
            futures = [(b, pool.submit(_read_chunk, [f.path for _, f in b])) for b in batches]
            for batch, fut in futures:
                store_batch(batch, fut.result())
    for k, rec, why in state.records(set(by_key)):
        if rec is not None:
            report.items_harvested += 1
            yield rec
        elif why == DIRECTORY:
            report.summary["dicomdir_files"] = report.summary.get("dicomdir_files", 0) + 1
        else:
            report.problem(by_key[k].rel, why or "unreadable")
    report.problems.sort(key=lambda p: p.where)


def harvest_dicom(
    store: TripleStore,
    settings: Settings,
    *,
    root: Path,
    collection_id: str,
    metadata: Mapping[str, Any],
    mapper: ValueMapper,
    gate: Validator | None,
    workers: int | None = None,
    resume: bool = True,
    progress: Progress | None = None,
    violation_rows: Callable[[object], list[dict[str, Any]]] | None = None,
) -> DicomHarvest:
    """Harvest a DICOM folder (or DICOMDIR) into source ``collection_id`` (see module docstring)."""
    if not root.exists():
        raise FileNotFoundError(f"{root}: no such folder or file")
    from cikg.harvest.collection_meta import check

    check(metadata)
    report = RunReport(
        source_id=collection_id,
        source_kind="dicom",
        source_url=f"file:{root.resolve().name}",
        harvester=HARVESTER,
    )
    work = harvest_dir(settings, collection_id)
    pseudo = pseudonymiser(settings)
    tally = MappingTally(mapper)
    agg = Aggregator()
    with HarvestState(work / "state.sqlite") as state:
        for rec in collect_records(
            root,
            state,
            pseudo,
            report,
            workers=workers or os.cpu_count() or 1,
            resume=resume,
            progress=progress,
        ):
            agg.add(rec)
    coll_iri = collection_iri(settings.base_url, collection_id)
    base, extra = build(
        metadata, collection_id=collection_id, collection=coll_iri, base_url=settings.base_url, tally=tally
    )
    collection = agg.collection(base, tally)
    collection.setdefault("description", default_description(collection))
    collection["was_generated_by"] = report.run_iri
    series = list(agg.series_summaries(coll_iri, tally))
    report.unmapped = tally.rows()
    report.summary.update(
        {
            "subjects": collection["number_of_subjects"],
            "studies": collection["number_of_studies"],
            "series": collection["number_of_series"],
            "instances": collection["number_of_instances"],
            "series_summaries": len(series),
        }
    )
    objects: list[tuple[str, Mapping[str, Any]]] = [*extra, ("Collection", collection)]
    objects.extend(("SeriesSummary", s) for s in series)
    info = publish(store, objects, report, work_dir=work, gate=gate, violation_rows=violation_rows)
    return DicomHarvest(report=report, info=info, collection=collection)
