"""NCI Imaging Data Commons (IDC) index harvester: the ``idc-index-data`` package's parquet files ->
one source per IDC collection (a Collection and one SeriesSummary per series), plus one for the data
holder.

``cikg harvest idc`` (extra ``cikg[idc]``) reads the parquet files installed with the package (no
network) with DuckDB, one collection at a time, streaming its series in batches, so memory
is bounded by one collection's subjects and studies, never by the index's million series.

* **Identity.** Source ``idc-<collection_id>``, collection IRI ``<base>/collection/idc-<collection_id>``;
  ``collection_id`` is the collection's ``dcterms:identifier`` and ``collection_name`` its title. The
  one data holder (NCI Imaging Data Commons) is source ``idc``, written once, not in every collection.
* **PHI.** ``PatientID``, ``StudyInstanceUID`` and ``SeriesInstanceUID`` become keyed pseudonyms (the
  site's HMAC secret, :mod:`cikg.harvest.pseudonym`), exactly as the DICOM harvester does; dates become
  months and ages years capped at 90 (:mod:`cikg.harvest.phi`). No identifier, description or URL of a
  series enters the graph.
* **Values.** Modality, BodyPartExamined, Manufacturer, PatientSex, SOP Class and the collection's
  ``cancer_types`` (split into single values, :func:`split_values`) go through the vocabulary's
  ``map_value`` (so the stewards' reviewed IDC mapping set, ``mappings/idc.sssom.tsv``, applies); what
  does not map is counted in the run report. A series whose modality does not map still counts in its
  collection but gets no series summary (the model requires a modality).
* **Versions.** Each source remembers the ``idc-index-data`` version (and the harvester's) it was built
  from (``<data_dir>/harvest/<source>/idc-state.json``): re-harvesting the same version is a no-op; a new
  version replaces each source graph atomically (:meth:`TripleStore.replace_source`, through the SHACL
  gate) and, on a full harvest, drops the sources of collections no longer in the index.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cikg import __version__
from cikg.harvest.aggregate import SeriesRollup
from cikg.harvest.base import (
    HarvestRejected,
    MappingTally,
    RunReport,
    ValueMapper,
    harvest_dir,
    pseudonymiser,
    publish,
)
from cikg.harvest.ids import collection_iri, data_holder_iri, series_iri, source_iri
from cikg.harvest.phi import dicom_age_years, dicom_month
from cikg.harvest.pseudonym import Pseudonymiser
from cikg.settings import Settings
from cikg.store.base import SourceInfo, TripleStore, Validator

log = logging.getLogger(__name__)

HARVESTER = "cikg-idc"
SOURCE_PREFIX = "idc-"
HOLDER_ID = "nci-idc"
HOLDER_SOURCE = "idc"
"""The source holding the one IDC data holder that every IDC collection names (not ``idc-*``: a
collection's graph does not repeat it, so the union of the graphs holds its triples once)."""
STATE_FILE = "idc-state.json"
LAYOUT = "2"
"""Bumped when what a source holds changes (2: the data holder moved to its own source)."""
BATCH_ROWS = 20_000
IDC_PORTAL = "https://portal.imaging.datacommons.cancer.gov/explore/filters/?collection_id="

Progress = Callable[[int, int, int], None]
"""``progress(series done, series total, collections failed)``: counts only."""

SERIES_COLUMNS = (
    "PatientID",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "PatientAge",
    "PatientSex",
    "StudyDate",
    "SeriesDate",
    "BodyPartExamined",
    "Modality",
    "SOPClassUID",
    "Manufacturer",
    "ManufacturerModelName",
    "instanceCount",
)
"""The columns of ``idc_index.parquet`` the harvester reads (allow-list; nothing else is selected)."""

_QUALIFIERS = {"not otherwise specified", "nos"}


class IdcError(RuntimeError):
    """The IDC index is not installed, or a requested collection is not in it."""


# -- the installed index -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdcIndex:
    """The parquet files of an installed ``idc-index-data`` package (or a folder holding the same)."""

    directory: Path
    version: str

    @classmethod
    def installed(cls) -> IdcIndex:
        try:
            import idc_index_data
        except ImportError as exc:
            raise IdcError(
                "the IDC index is not installed: pip install 'cikg[idc]' (the idc-index-data package)"
            ) from exc
        parquet = idc_index_data.IDC_INDEX_PARQUET_FILEPATH
        if parquet is None:
            raise IdcError("the installed idc-index-data package has no idc_index.parquet")
        return cls(Path(parquet).parent, str(idc_index_data.__version__))

    @property
    def series_parquet(self) -> Path:
        return self.directory / "idc_index.parquet"

    @property
    def collections_parquet(self) -> Path:
        return self.directory / "collections_index.parquet"

    def connect(self, *, memory_limit: str = "512MB", threads: int = 2) -> Any:
        """A DuckDB connection with views ``series`` and ``collections`` over the parquet files."""
        try:
            import duckdb
        except ImportError as exc:
            raise IdcError("DuckDB is not installed: pip install 'cikg[idc]'") from exc
        for path in (self.series_parquet, self.collections_parquet):
            if not path.is_file():
                raise IdcError(f"{path}: not found; is idc-index-data installed completely?")
        con = duckdb.connect()
        con.execute(f"SET memory_limit='{memory_limit}'")
        con.execute(f"SET threads={int(threads)}")
        con.execute("SET preserve_insertion_order=false")
        series = str(self.series_parquet).replace("'", "''")
        colls = str(self.collections_parquet).replace("'", "''")
        con.execute(f"CREATE VIEW series AS SELECT * FROM read_parquet('{series}')")
        con.execute(f"CREATE VIEW collections AS SELECT * FROM read_parquet('{colls}')")
        return con


# -- collection metadata -------------------------------------------------------------------------------


def split_values(text: str | None) -> list[str]:
    """IDC's multi-valued strings as single values: split on commas, keep qualifiers with their value
    ("Renal Cell Carcinoma, Not Otherwise Specified" is one value), drop duplicates, keep order."""
    out: list[str] = []
    for part in re.split(r"[,;]", text or ""):
        value = " ".join(part.split())
        if not value:
            continue
        if value.lower() in _QUALIFIERS and out:
            out[-1] = f"{out[-1]}, {value}"
            continue
        if value not in out:
            out.append(value)
    return out


@dataclass(frozen=True)
class IdcCollection:
    collection_id: str
    name: str
    cancer_types: str
    tumor_locations: str
    species: str
    description: str
    doi: str | None
    license_url: str | None
    license_name: str | None
    series: int

    @property
    def source_id(self) -> str:
        return SOURCE_PREFIX + self.collection_id


_COLLECTIONS_SQL = """
SELECT c.collection_id, c.collection_name, coalesce(c.cancer_types, ''), coalesce(c.tumor_locations, ''),
       coalesce(c.species, ''), coalesce(c.description, ''),
       c.sources[1].source_doi, c.sources[1].license.license_url, c.sources[1].license.license_short_name,
       coalesce(n.series, 0)
FROM collections c
LEFT JOIN (SELECT collection_id, count(*) AS series FROM series GROUP BY collection_id) n
  USING (collection_id)
ORDER BY c.collection_id
"""


def list_collections(con: Any) -> list[IdcCollection]:
    return [IdcCollection(*row) for row in con.execute(_COLLECTIONS_SQL).fetchall()]


def select_collections(
    available: Sequence[IdcCollection], wanted: Sequence[str] | None, limit: int | None
) -> list[IdcCollection]:
    if wanted:
        by_id = {c.collection_id: c for c in available}
        unknown = [w for w in wanted if w not in by_id]
        if unknown:
            raise IdcError(
                f"--collections: {', '.join(unknown)} not in the IDC index "
                f"({len(available)} collections; `cikg harvest idc --list` shows them)"
            )
        chosen = [by_id[w] for w in dict.fromkeys(wanted)]
    else:
        chosen = list(available)
    return chosen[:limit] if limit is not None else chosen


_DESCRIPTION_TAGS = re.compile(r"<[^>]+>")


def _plain(text: str, limit: int = 2000) -> str:
    text = " ".join(_DESCRIPTION_TAGS.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def holder_object(base_url: str) -> dict[str, Any]:
    return {
        "id": data_holder_iri(base_url, HOLDER_ID),
        "identifier": HOLDER_ID,
        "name": "NCI Imaging Data Commons",
        "acronym": "IDC",
        "country": "US",
        "juridical_person": "National Cancer Institute",
        "homepage": "https://imaging.datacommons.cancer.gov/",
    }


def collection_base(
    coll: IdcCollection, *, iri: str, base_url: str, index: IdcIndex, tally: MappingTally
) -> tuple[dict[str, Any], list[str]]:
    """The collection's metadata from the collections index (before the series aggregates), and the
    cancer-type values that did not map."""
    conditions: list[str] = []
    unmapped: list[str] = []
    for value in split_values(coll.cancer_types):
        concept = tally.map("condition", value)
        if concept is None:
            unmapped.append(value)
        elif concept not in conditions:
            conditions.append(concept)
    if not conditions:  # the model requires one; say so rather than invent a diagnosis
        conditions = ["neoplasm"] if coll.cancer_types else ["non_neoplastic_condition"]
    obj: dict[str, Any] = {
        "id": iri,
        "identifier": coll.collection_id,
        "title": coll.name or coll.collection_id,
        "description": _plain(coll.description)
        or f"{coll.name}: an NCI Imaging Data Commons collection ({coll.cancer_types}).",
        "data_holder": data_holder_iri(base_url, HOLDER_ID),
        "access_rights": "PUBLIC",
        "primary_cancer_condition": sorted(conditions),
        "landing_page": IDC_PORTAL + coll.collection_id,
        "version": index.version,
        "keyword": sorted(
            {
                *split_values(coll.cancer_types),
                *split_values(coll.tumor_locations),
                *split_values(coll.species),
            }
        ),
    }
    if coll.license_url:
        obj["license"] = coll.license_url
    if coll.doi:
        obj["other_identifier"] = [{"notation": f"https://doi.org/{coll.doi}", "schema_agency": "DOI"}]
    return obj, unmapped


# -- series ----------------------------------------------------------------------------------------------


def _sex(value: str | None) -> str | None:
    raw = (value or "").strip().upper()
    return raw if raw in ("M", "F", "O") else ("?" if raw else None)


_SERIES_SQL = f"SELECT {', '.join(SERIES_COLUMNS)} FROM series WHERE collection_id = ?"


def series_rows(con: Any, collection_id: str, *, batch_rows: int = BATCH_ROWS) -> Iterator[dict[str, Any]]:
    """The collection's series as dicts of :data:`SERIES_COLUMNS`, streamed ``batch_rows`` at a time
    (DuckDB's result cursor: the whole result is never materialised)."""
    cursor = con.execute(_SERIES_SQL, [collection_id])
    while batch := cursor.fetchmany(batch_rows):
        for row in batch:
            yield dict(zip(SERIES_COLUMNS, row, strict=True))


def series_summary(
    row: Mapping[str, Any], *, collection: str, pseudo: Pseudonymiser, tally: MappingTally
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(series summary or {}, rollup arguments)`` for one index row; identifiers pseudonymised."""
    patient = (row.get("PatientID") or "").strip()
    study_uid = (row.get("StudyInstanceUID") or "").strip()
    series_uid = (row.get("SeriesInstanceUID") or "").strip()
    subject = pseudo.subject(patient) if patient else pseudo.key("subject-of-study", study_uid)
    study = pseudo.study(study_uid)
    key = pseudo.series(series_uid)
    sex = _sex(row.get("PatientSex"))
    age = dicom_age_years(row.get("PatientAge"))
    month = dicom_month(row.get("SeriesDate")) or dicom_month(row.get("StudyDate"))
    instances = int(row.get("instanceCount") or 0)
    raw = {
        "modality": row.get("Modality") or "",
        "body_part": row.get("BodyPartExamined") or "",
        "manufacturer": row.get("Manufacturer") or "",
        "sop_class": row.get("SOPClassUID") or "",
    }
    rollup = {
        "subject": subject,
        "study": study,
        "instances": instances,
        "values": raw,
        "months": (month,) if month else (),
        "sex": sex,
        "age": age,
    }
    modality = tally.map("modality", raw["modality"], count=0)
    if modality is None:
        return {}, rollup
    obj: dict[str, Any] = {
        "id": series_iri(collection, key),
        "is_part_of": collection,
        "series_key": key,
        "study_key": study,
        "subject_key": subject,
        "modality": modality,
        "instance_count": instances,
    }
    optional = {
        "body_part": tally.map("body_part", raw["body_part"], count=0),
        "manufacturer": tally.map("manufacturer", raw["manufacturer"], count=0),
        "manufacturer_model_name": (row.get("ManufacturerModelName") or "").strip() or None,
        "sop_class": tally.map("sop_class", raw["sop_class"], count=0),
        "acquisition_month": month,
        "subject_sex": tally.map("sex", sex, withheld=True, count=0) if sex else None,
        "subject_age": age,
    }
    obj.update({k: v for k, v in optional.items() if v is not None})
    return obj, rollup


# -- one collection ------------------------------------------------------------------------------------


def _read_state(work: Path) -> dict[str, Any]:
    try:
        data = json.loads((work / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _current_version(store: TripleStore, source: str, work: Path, index: IdcIndex) -> SourceInfo | None:
    """The source's current version when it was harvested from this index version (a re-run is a no-op)."""
    current = store.source(source_iri(source))
    state = _read_state(work)
    if current is not None and state == {"graph": current.graph, "fingerprint": _fingerprint(index)}:
        return current
    return None


def _record_version(work: Path, info: SourceInfo, index: IdcIndex) -> None:
    """Remember which version graph this index version produced (after the atomic replace)."""
    tmp = work / (STATE_FILE + ".part")
    state = {"graph": info.graph, "fingerprint": _fingerprint(index)}
    tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
    tmp.replace(work / STATE_FILE)


def _fingerprint(index: IdcIndex) -> dict[str, str]:
    return {"idc_index_data": index.version, "harvester": __version__, "layout": LAYOUT}


@dataclass
class IdcCollectionRun:
    collection_id: str
    source_id: str
    unchanged: bool
    report: RunReport | None = None
    info: SourceInfo | None = None
    error: str | None = None


def harvest_collection(
    store: TripleStore,
    settings: Settings,
    con: Any,
    index: IdcIndex,
    coll: IdcCollection,
    *,
    mapper: ValueMapper,
    gate: Validator | None,
    pseudo: Pseudonymiser,
    force: bool = False,
    on_series: Callable[[int], None] | None = None,
    violation_rows: Callable[[object], list[dict[str, Any]]] | None = None,
) -> IdcCollectionRun:
    """Harvest one IDC collection into its source (a no-op when its version is already current)."""
    sid = coll.source_id
    work = harvest_dir(settings, sid)
    current = _current_version(store, sid, work, index)
    if current is not None and not force:
        if on_series:
            on_series(coll.series)
        return IdcCollectionRun(coll.collection_id, sid, unchanged=True, info=current)
    report = RunReport(
        source_id=sid,
        source_kind="idc",
        source_url=f"https://pypi.org/project/idc-index-data/{index.version}/#{coll.collection_id}",
        harvester=HARVESTER,
    )
    tally = MappingTally(mapper)
    iri = collection_iri(settings.base_url, sid)
    base, unmapped_conditions = collection_base(
        coll, iri=iri, base_url=settings.base_url, index=index, tally=tally
    )
    base["was_generated_by"] = report.run_iri
    report.items_seen = coll.series
    rollup = SeriesRollup()
    counts = {"summaries": 0}

    def objects() -> Iterator[tuple[str, Mapping[str, Any]]]:
        done = 0
        for row in series_rows(con, coll.collection_id):
            obj, args = series_summary(row, collection=iri, pseudo=pseudo, tally=tally)
            rollup.add(**args)
            if obj:
                counts["summaries"] += 1
                yield "SeriesSummary", obj
            done += 1
            if on_series and done % 5000 == 0:
                on_series(5000)
        if on_series:
            on_series(done % 5000)
        collection = rollup.collection(base, tally)
        report.items_harvested = rollup.series
        report.unmapped = tally.rows()
        report.summary.update(
            {
                "subjects": collection["number_of_subjects"],
                "studies": collection["number_of_studies"],
                "series": collection["number_of_series"],
                "instances": collection["number_of_instances"],
                "series_summaries": counts["summaries"],
                "unmapped_cancer_types": unmapped_conditions,
                "idc_index_data": index.version,
            }
        )
        yield "Collection", collection

    report.items_harvested = coll.series  # provenance is written before the series are streamed
    try:
        info = publish(store, objects(), report, work_dir=work, gate=gate, violation_rows=violation_rows)
    except HarvestRejected as exc:
        return IdcCollectionRun(coll.collection_id, sid, unchanged=False, report=exc.run, error=str(exc))
    _record_version(work, info, index)
    return IdcCollectionRun(coll.collection_id, sid, unchanged=False, report=report, info=info)


def harvest_holder(
    store: TripleStore,
    settings: Settings,
    index: IdcIndex,
    *,
    gate: Validator | None,
    force: bool = False,
    violation_rows: Callable[[object], list[dict[str, Any]]] | None = None,
) -> SourceInfo:
    """The IDC data holder as its own small source (a no-op when current)."""
    work = harvest_dir(settings, HOLDER_SOURCE)
    current = _current_version(store, HOLDER_SOURCE, work, index)
    if current is not None and not force:
        return current
    report = RunReport(
        source_id=HOLDER_SOURCE,
        source_kind="idc",
        source_url=f"https://pypi.org/project/idc-index-data/{index.version}/",
        harvester=HARVESTER,
    )
    report.items_seen = report.items_harvested = 1
    objects = [("DataHolder", holder_object(settings.base_url))]
    info = publish(store, objects, report, work_dir=work, gate=gate, violation_rows=violation_rows)
    _record_version(work, info, index)
    return info


# -- the whole index -----------------------------------------------------------------------------------


@dataclass
class IdcHarvest:
    version: str
    runs: list[IdcCollectionRun] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> list[IdcCollectionRun]:
        return [r for r in self.runs if r.error]

    def to_json(self) -> dict[str, Any]:
        return {
            "idc_index_data": self.version,
            "collections": len(self.runs),
            "harvested": sum(1 for r in self.runs if not r.unchanged and not r.error),
            "unchanged": sum(1 for r in self.runs if r.unchanged),
            "rejected": [{"collection": r.collection_id, "error": r.error} for r in self.rejected],
            "dropped_sources": self.dropped,
            "sources": [
                {
                    "collection": r.collection_id,
                    "source": r.source_id,
                    "unchanged": r.unchanged,
                    "triples": r.info.triples if r.info else None,
                    "series": r.report.summary.get("series") if r.report else None,
                    "report": r.report.report_path if r.report else None,
                }
                for r in self.runs
            ],
        }


def harvest_idc(
    store: TripleStore,
    settings: Settings,
    *,
    mapper: ValueMapper,
    gate: Validator | None,
    collections: Sequence[str] | None = None,
    limit: int | None = None,
    force: bool = False,
    index: IdcIndex | None = None,
    progress: Progress | None = None,
    violation_rows: Callable[[object], list[dict[str, Any]]] | None = None,
) -> IdcHarvest:
    """Harvest the installed IDC index (or the ``collections`` named), one source per collection."""
    idx = index or IdcIndex.installed()
    con = idx.connect()
    try:
        chosen = select_collections(list_collections(con), collections, limit)
        result = IdcHarvest(version=idx.version)
        total = sum(c.series for c in chosen)
        state = {"done": 0, "failed": 0}

        def on_series(n: int) -> None:
            state["done"] += n
            if progress:
                progress(state["done"], total, state["failed"])

        if progress:
            progress(0, total, 0)
        pseudo = pseudonymiser(settings)
        harvest_holder(store, settings, idx, gate=gate, force=force, violation_rows=violation_rows)
        for coll in chosen:
            run = harvest_collection(
                store,
                settings,
                con,
                idx,
                coll,
                mapper=mapper,
                gate=gate,
                pseudo=pseudo,
                force=force,
                on_series=on_series,
                violation_rows=violation_rows,
            )
            if run.error:
                state["failed"] += 1
                log.warning("IDC collection %s rejected by the SHACL gate", coll.collection_id)
            result.runs.append(run)
        if not collections and limit is None:  # a full harvest: collections gone from the index go too
            wanted = {source_iri(c.source_id) for c in chosen}
            prefix = source_iri(SOURCE_PREFIX + "x")[:-1]
            for info in store.sources():
                if info.source.startswith(prefix) and info.source not in wanted:
                    store.drop_source(info.source)
                    result.dropped.append(info.source)
        return result
    finally:
        con.close()


__all__ = [
    "HARVESTER",
    "SERIES_COLUMNS",
    "SOURCE_PREFIX",
    "IdcCollection",
    "IdcCollectionRun",
    "IdcError",
    "IdcHarvest",
    "IdcIndex",
    "harvest_collection",
    "harvest_holder",
    "harvest_idc",
    "list_collections",
    "select_collections",
    "series_rows",
    "split_values",
]
