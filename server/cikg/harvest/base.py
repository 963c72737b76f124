"""What every harvester shares: value mapping, the run report, provenance and the publish step.

A harvester reads its source, builds model objects (dicts keyed by LinkML slot names), and hands them
to :func:`publish`, which

1. writes them, plus the run's ``HarvestRun`` (PROV-O), as N-Triples to a staging file under
   ``<data_dir>/harvest/<source-id>/`` (bounded memory, whatever the source's size);
2. calls ``store.replace_source(source, file, validate=gate)``: the store bulk-loads a fresh version
   graph, the SHACL gate checks it, and only then flips the registry entry (all or nothing);
3. records the run in the system graph (:func:`record_run`) whatever the outcome, so
   ``cikg harvest status`` shows rejected runs too (a rejected source keeps its previous version);
4. writes the local run report (JSON) next to the staging file: per-item problems (paths relative to
   the harvest root) and unmapped values stay there, never in the graph.

Coded values reach the model through a :class:`ValueMapper` the facade passes in (the vocabulary);
:class:`MappingTally` wraps it so every value that does not map is counted and reported, never dropped
silently. Values of attributes that are themselves identifying (DICOM PS3.15 Annex E, e.g. a malformed
Patient's Sex) are counted without their value (``withheld``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox

from cikg import __version__
from cikg.harvest.pseudonym import Pseudonymiser, load_or_create_secret, secret_path
from cikg.namespaces import CIKGS, PROV, SYSTEM_GRAPH
from cikg.rdfmap import RdfMapper
from cikg.settings import Settings
from cikg.store.base import RdfData, SourceInfo, SourceRejected, StoreError, TripleStore, Validator

log = logging.getLogger(__name__)

KINDS = (
    "modality",
    "body_part",
    "manufacturer",
    "sex",
    "laterality",
    "sop_class",
    "acquisition_semantics",
    "condition",
)
"""The kinds of coded value a harvester asks the vocabulary to map."""

WITHHELD = "<withheld>"
"""Stands for the value of an unmapped value whose attribute is identifying (never shown)."""


@runtime_checkable
class ValueMapper(Protocol):
    """Maps a source's coded value to a hyperontology concept (an enum permissible-value name).

    ``kind`` is one of :data:`KINDS`; ``value`` is the source's code or label as found (DICOM
    ``"MR"``, ``"SIEMENS"``, ``"M"``, a SOP Class UID, an ICD-10 code, ...). For
    ``acquisition_semantics`` the value is one of the labels of
    :data:`cikg.harvest.semantics.SEMANTIC_LABELS` (derived from several DICOM attributes).
    Returns ``None`` when the value has no concept.
    """

    def map_value(self, kind: str, value: str) -> str | None: ...


class MappingTally:
    """A :class:`ValueMapper` wrapper that remembers (and counts) every value that did not map."""

    def __init__(self, mapper: ValueMapper) -> None:
        self._mapper = mapper
        self._cache: dict[tuple[str, str], str | None] = {}
        self.unmapped: Counter[tuple[str, str]] = Counter()

    def map(self, kind: str, value: str | None, *, count: int = 1, withheld: bool = False) -> str | None:
        """The concept for ``value`` (``None``: empty or unmapped, counted ``count`` times; the
        harvester counts each unmapped value once per unit it reports, e.g. per series)."""
        if value is None:
            return None
        value = str(value).strip()
        if not value:
            return None
        key = (kind, value)
        if key in self._cache:
            concept = self._cache[key]
        else:
            concept = self._mapper.map_value(kind, value)
            self._cache[key] = concept
        if concept is None and count > 0:
            self.unmapped[(kind, WITHHELD if withheld else value)] += count
        return concept

    def add_unmapped(self, kind: str, value: str, count: int = 1) -> None:
        self.unmapped[(kind, value)] += count

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"kind": k, "value": v, "count": n}
            for (k, v), n in sorted(self.unmapped.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))
        ]


@dataclass
class Problem:
    """One item the harvest could not use: where (relative path, URL path, row) and why."""

    where: str
    reason: str


@dataclass
class RunReport:
    """Everything about one harvest run. Its JSON is the local run report; its counts go to PROV-O."""

    source_id: str
    source_kind: str
    source_url: str
    harvester: str
    harvester_version: str = __version__
    run_iri: str = field(default_factory=lambda: f"urn:cikg:run:{uuid.uuid4()}")
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    ended_at: dt.datetime | None = None
    items_seen: int = 0
    items_harvested: int = 0
    items_skipped: int = 0
    items_failed: int = 0
    problems: list[Problem] = field(default_factory=list)
    unmapped: list[dict[str, Any]] = field(default_factory=list)
    outcome: str | None = None  # conforms | violations | not_validated
    violations: list[dict[str, Any]] = field(default_factory=list)
    graph: str | None = None
    triples: int | None = None
    error: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    report_path: str | None = None

    @property
    def source_iri(self) -> str:
        from cikg.harvest.ids import source_iri

        return source_iri(self.source_id)

    def problem(self, where: str, reason: str) -> None:
        self.problems.append(Problem(where, reason))
        self.items_failed += 1

    def finish(self) -> None:
        self.ended_at = dt.datetime.now(dt.UTC)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["ended_at"] = self.ended_at.isoformat() if self.ended_at else None
        data["source_iri"] = self.source_iri
        return data

    def write(self, directory: Path) -> Path:
        """Write the report as ``<directory>/runs/<stamp>.json`` (and ``last-run.json``)."""
        runs = directory / "runs"
        runs.mkdir(parents=True, exist_ok=True)
        stamp = self.started_at.strftime("%Y%m%dT%H%M%S%f")
        path = runs / f"{stamp}.json"
        self.report_path = str(path)
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False, default=str)
        path.write_text(text, encoding="utf-8")
        (directory / "last-run.json").write_text(text, encoding="utf-8")
        return path


def harvest_dir(settings: Settings, source_id: str) -> Path:
    """The per-source working folder: resume state, staging file, run reports."""
    from cikg.harvest.ids import check_source_id

    path = settings.data_dir / "harvest" / check_source_id(source_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def pseudonymiser(settings: Settings) -> Pseudonymiser:
    """The site's pseudonymiser (its secret is created, mode 0600, on first use)."""
    return Pseudonymiser(load_or_create_secret(secret_path(settings)))


# -- provenance --------------------------------------------------------------------------------------


def harvest_run_object(report: RunReport, *, generated: str | None = None) -> dict[str, Any]:
    """The model's ``HarvestRun`` for a report (counts and outcome only, no per-item detail)."""
    obj: dict[str, Any] = {
        "id": report.run_iri,
        "source": report.source_url,
        "source_kind": report.source_kind,
        "harvester": {
            "id": f"urn:cikg:harvester:{report.harvester}:{report.harvester_version}",
            "name": report.harvester,
            "software_version": report.harvester_version,
        },
        "started_at": report.started_at,
        "ended_at": report.ended_at or dt.datetime.now(dt.UTC),
        "catalogue_source": report.source_iri,
        "items_seen": report.items_seen,
        "items_harvested": report.items_harvested,
        "items_skipped": report.items_skipped,
        "items_failed": report.items_failed,
        "validation_outcome": report.outcome or "not_validated",
    }
    if generated:
        obj["generated"] = generated
    if report.triples is not None:
        obj["triples"] = report.triples
    return obj


def record_run(store: TripleStore, report: RunReport) -> None:
    """Add the run's ``HarvestRun`` to the system graph (every run, accepted or rejected)."""
    obj = harvest_run_object(report, generated=report.graph)
    triples = list(RdfMapper().triples(obj, "HarvestRun"))
    body = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    store.update_system(f"INSERT DATA {{ GRAPH <{SYSTEM_GRAPH}> {{\n{body}}} }}")


@dataclass(frozen=True)
class RunSummary:
    """One row of ``cikg harvest status``."""

    source: str
    run: str
    source_kind: str
    harvester: str
    started_at: str
    ended_at: str
    outcome: str
    items_seen: int | None
    items_harvested: int | None
    items_skipped: int | None
    items_failed: int | None
    generated: str | None
    current: bool


_STATUS_QUERY = f"""PREFIX prov: <{PROV}>
PREFIX cikgs: <{CIKGS}>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?run ?source ?kind ?name ?version ?start ?end ?outcome ?seen ?ok ?skip ?fail ?gen WHERE {{
  GRAPH <{SYSTEM_GRAPH}> {{
    ?run a prov:Activity ; cikgs:catalogueSource ?source ; cikgs:sourceKind ?kind ;
         prov:startedAtTime ?start ; prov:endedAtTime ?end ; cikgs:validationOutcome ?outcome ;
         prov:wasAssociatedWith ?agent .
    ?agent foaf:name ?name ; cikgs:softwareVersion ?version .
    OPTIONAL {{ ?run cikgs:itemsSeen ?seen }} OPTIONAL {{ ?run cikgs:itemsHarvested ?ok }}
    OPTIONAL {{ ?run cikgs:itemsSkipped ?skip }} OPTIONAL {{ ?run cikgs:itemsFailed ?fail }}
    OPTIONAL {{ ?run prov:generated ?gen }}
  }}
}} ORDER BY ?source DESC(?start)"""


def harvest_status(store: TripleStore, *, history: bool = False) -> list[RunSummary]:
    """Runs recorded in the system graph: the last one per source (or all, newest first)."""
    current = {info.source: info.graph for info in store.sources()}
    out: list[RunSummary] = []
    seen: set[str] = set()
    for row in store.query(_STATUS_QUERY, graph=SYSTEM_GRAPH).rows():

        def val(name: str, row: Mapping[str, Any] = row) -> str | None:
            term = row.get(name)
            return None if term is None else str(term.value)

        def num(name: str) -> int | None:
            v = val(name)
            return int(v) if v is not None else None

        source = val("source") or ""
        if not history and source in seen:
            continue
        seen.add(source)
        outcome = (val("outcome") or "").rsplit("/", 1)[-1]
        gen = val("gen")
        out.append(
            RunSummary(
                source=source,
                run=val("run") or "",
                source_kind=(val("kind") or "").rsplit("/", 1)[-1],
                harvester=f"{val('name')} {val('version')}",
                started_at=val("start") or "",
                ended_at=val("end") or "",
                outcome=outcome,
                items_seen=num("seen"),
                items_harvested=num("ok"),
                items_skipped=num("skip"),
                items_failed=num("fail"),
                generated=gen,
                current=gen is not None and current.get(source) == gen,
            )
        )
    return out


# -- publishing --------------------------------------------------------------------------------------

ModelObjects = Iterable[tuple[str, Mapping[str, Any]]]
"""``(class name, object)`` pairs, e.g. ``("Collection", {...})``."""


def write_ntriples(objects: ModelObjects, path: Path) -> int:
    """Stream model objects to an N-Triples file (atomically: written aside, then renamed)."""
    mapper = RdfMapper()
    tmp = path.with_suffix(path.suffix + ".part")
    n = 0

    def triples() -> Iterator[ox.Triple]:
        nonlocal n
        for cls, obj in objects:
            for t in mapper.triples(obj, cls):
                n += 1
                yield t

    with tmp.open("wb") as out:
        ox.serialize(triples(), out, format=ox.RdfFormat.N_TRIPLES)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)
    return n


class HarvestRejected(StoreError):
    """The harvested graph failed the SHACL gate; the previous version of the source is kept."""

    def __init__(self, message: str, report: RunReport, validation: object = None) -> None:
        super().__init__(message)
        self.run = report
        self.validation = validation


def publish(
    store: TripleStore,
    objects: ModelObjects,
    report: RunReport,
    *,
    work_dir: Path,
    gate: Validator | None = None,
    violation_rows: Callable[[object], list[dict[str, Any]]] | None = None,
) -> SourceInfo:
    """Write, gate and atomically install a harvest's objects as the new version of its source.

    Raises :class:`HarvestRejected` when the gate refuses the graph (the run is recorded, the
    previous version kept) and re-raises load errors after recording the run as ``not_validated``.
    """
    report.finish()
    report.outcome = "conforms" if gate is not None else "not_validated"
    run = harvest_run_object(report)
    staged = work_dir / "staged.nt"

    def with_run() -> Iterator[tuple[str, Mapping[str, Any]]]:
        yield from objects
        yield "HarvestRun", run

    report.triples = write_ntriples(with_run(), staged)
    try:
        info = store.replace_source(report.source_iri, RdfData.file(staged), validate=gate)
    except SourceRejected as exc:
        report.outcome = "violations"
        report.error = str(exc)
        if violation_rows is not None and exc.report is not None:
            report.violations = violation_rows(exc.report)
        report.graph = None
        _finish_run(store, report, work_dir, staged)
        raise HarvestRejected(str(exc), report, exc.report) from exc
    except BaseException as exc:
        report.outcome = "not_validated"
        report.error = f"{type(exc).__name__}: {exc}"
        report.graph = None
        _finish_run(store, report, work_dir, staged)
        raise
    report.graph = info.graph
    report.triples = info.triples
    _finish_run(store, report, work_dir, staged)
    return info


def _finish_run(store: TripleStore, report: RunReport, work_dir: Path, staged: Path) -> None:
    try:
        record_run(store, report)
    except Exception as exc:  # the run report still says what happened
        log.warning("could not record the harvest run in the system graph: %s", type(exc).__name__)
    report.write(work_dir)
    staged.unlink(missing_ok=True)


__all__ = [
    "KINDS",
    "WITHHELD",
    "HarvestRejected",
    "MappingTally",
    "ModelObjects",
    "Problem",
    "Pseudonymiser",
    "RunReport",
    "RunSummary",
    "ValueMapper",
    "harvest_dir",
    "harvest_run_object",
    "harvest_status",
    "pseudonymiser",
    "publish",
    "record_run",
    "write_ntriples",
]
