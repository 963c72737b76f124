"""``cikg harvest ...``: DICOM folders and DICOMweb PACS into validated collections; run status."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from cikg.cli.common import DataDir, JsonOut, console, err_console, open_catalogue, print_json, print_table

app = typer.Typer(help="Harvest site metadata into validated collections (DICOM, DICOMweb, ...).")

Collection = typer.Option(..., "--collection", "-c", help="Collection (and source) id.")
Title = typer.Option(None, "--title", help="Collection title (default: the id).")
Description = typer.Option(None, "--description", help="Collection description (default: a summary).")
Holder = typer.Option(None, "--data-holder", help="Data holder id (under the base URL) or IRI.")
Access = typer.Option(None, "--access-rights", help="PUBLIC, RESTRICTED (default) or NON_PUBLIC.")
Licence = typer.Option(None, "--license", help="Licence IRI.")
Condition = typer.Option(None, "--condition", help="Primary cancer condition (repeatable).")
Metadata = typer.Option(
    None, "--metadata", help="YAML file of Collection fields (title, data_holder, license, ...)."
)
Engine = typer.Option("sparql", "--engine", help="SHACL gate engine: sparql (fast) or pyshacl.")


def _metadata(
    metadata: Path | None,
    title: str | None,
    description: str | None,
    holder: str | None,
    access: str | None,
    licence: str | None,
    condition: list[str] | None,
) -> dict[str, Any]:
    from cikg.harvest.collection_meta import check, merge, read_metadata_file

    data = read_metadata_file(metadata) if metadata else {}
    merged = merge(
        data,
        {
            "title": title,
            "description": description,
            "data_holder": holder,
            "access_rights": access,
            "license": licence,
            "primary_cancer_condition": condition or None,
        },
    )
    check(merged)
    return merged


@contextmanager
def _progress(label: str) -> Iterator[Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn(f"[bold]{label}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None, failed=0)

        def update(done: int, total: int, failed: int) -> None:  # counts only, never a path
            bar.update(task, completed=done, total=total, failed=failed)

        yield update


def _render(report: Any, as_json: bool) -> None:
    if as_json:
        print_json(report.to_json())
        return
    s = report.summary
    console.print(
        f"[bold]{report.source_id}[/]: {report.outcome}; {report.items_seen} seen, "
        f"{report.items_harvested} harvested, {report.items_skipped} unchanged (resumed), "
        f"{report.items_failed} failed"
        + (
            f"; {s.get('subjects', 0)} subjects, {s.get('studies', 0)} studies, {s.get('series', 0)} series"
            if s
            else ""
        ),
        soft_wrap=True,
    )
    if report.problems:
        rows = [[p.where, p.reason] for p in report.problems[:25]]
        print_table(["file", "reason"], rows, title=f"{len(report.problems)} file(s) not harvested")
    if report.unmapped:
        rows = [[u["kind"], u["value"], u["count"]] for u in report.unmapped[:40]]
        print_table(["kind", "value", "series"], rows, title="values with no hyperontology concept")
    if report.violations:
        rows = [
            [v["focus"], v["path"], v["constraint"], v["value"], v["message"]] for v in report.violations[:50]
        ]
        print_table(["focus", "path", "constraint", "value", "message"], rows, title="SHACL violations")
    if report.report_path:
        console.print(f"[dim]run report: {report.report_path}[/]", soft_wrap=True)


def _run(call: Any, as_json: bool) -> None:
    from cikg.harvest.base import HarvestRejected

    try:
        result = call()
    except HarvestRejected as exc:
        _render(exc.run, as_json)
        err_console.print(
            "[bold red]rejected:[/] the harvested graph failed the SHACL gate; the previous version is kept"
        )
        raise typer.Exit(1) from exc
    _render(result.report, as_json)


@app.command()
def dicom(
    folder: Path = typer.Argument(..., help="A folder of DICOM files, or a DICOMDIR file."),
    collection: str = Collection,
    title: str | None = Title,
    description: str | None = Description,
    data_holder: str | None = Holder,
    access_rights: str | None = Access,
    license: str | None = Licence,
    condition: list[str] | None = Condition,
    metadata: Path | None = Metadata,
    workers: int | None = typer.Option(
        None, "--workers", "-w", help="Worker processes (default: all cores)."
    ),
    no_resume: bool = typer.Option(False, "--no-resume", help="Read every file again."),
    engine: str = Engine,
    data_dir: Path | None = DataDir,
    as_json: bool = JsonOut,
) -> None:
    """Harvest a DICOM folder (headers only) into a validated collection."""
    meta = _metadata(metadata, title, description, data_holder, access_rights, license, condition)
    with open_catalogue(data_dir) as cat, _progress("reading DICOM headers") as progress:
        _run(
            lambda: cat.harvest_dicom(
                folder,
                collection,
                metadata=meta,
                workers=workers,
                resume=not no_resume,
                progress=progress,
                engine=engine,
            ),
            as_json,
        )


@app.command()
def dicomweb(
    url: str = typer.Argument(..., help="DICOMweb base URL (QIDO-RS), e.g. http://pacs:8042/dicom-web"),
    collection: str = Collection,
    title: str | None = Title,
    description: str | None = Description,
    data_holder: str | None = Holder,
    access_rights: str | None = Access,
    license: str | None = Licence,
    condition: list[str] | None = Condition,
    metadata: Path | None = Metadata,
    timeout: float = typer.Option(30.0, "--timeout", help="Per-request timeout, seconds."),
    page_size: int = typer.Option(500, "--page-size", help="QIDO-RS page size (limit/offset)."),
    engine: str = Engine,
    data_dir: Path | None = DataDir,
    as_json: bool = JsonOut,
) -> None:
    """Harvest a PACS over DICOMweb QIDO-RS (study, series, instance metadata) into a collection."""
    meta = _metadata(metadata, title, description, data_holder, access_rights, license, condition)
    with open_catalogue(data_dir) as cat, _progress("querying the PACS") as progress:
        _run(
            lambda: cat.harvest_dicomweb(
                url,
                collection,
                metadata=meta,
                timeout=timeout,
                page_size=page_size,
                progress=progress,
                engine=engine,
            ),
            as_json,
        )


def _render_source(report: Any, as_json: bool, *, what: str) -> None:
    """The run of a clinical or remote-catalogue harvest (counts of its own kind, not DICOM's)."""
    if as_json:
        print_json(report.to_json())
        return
    s = report.summary
    if report.source_kind == "dcat":
        counts = (
            f"{report.items_seen} document(s), {report.items_skipped} unchanged (304); "
            f"{s.get('collections', 0)} collection(s) and {s.get('catalogues', 0)} catalogue(s) kept, "
            f"{report.items_failed} left out"
        )
    else:
        counts = (
            f"{report.items_seen} {what} read, {report.items_failed} with problems; "
            f"{s.get('subjects', 0)} subjects, {s.get('studies', 0)} imaging studies; conditions: "
            + (", ".join(s.get("primary_cancer_condition") or []) or "-")
        )
    console.print(f"[bold]{report.source_id}[/]: {report.outcome}; {counts}", soft_wrap=True)
    if report.problems:
        rows = [[p.where, p.reason] for p in report.problems[:50]]
        print_table(["where", "problem"], rows, title=f"{len(report.problems)} problem(s)")
    if report.unmapped:
        rows = [[u["kind"], u["value"], u["count"]] for u in report.unmapped[:40]]
        print_table(["kind", "value", "count"], rows, title="values with no hyperontology concept")
    if report.violations:
        rows = [
            [v["focus"], v["path"], v["constraint"], v["value"], v["message"]] for v in report.violations[:50]
        ]
        print_table(["focus", "path", "constraint", "value", "message"], rows, title="SHACL violations")
    if report.report_path:
        console.print(f"[dim]run report: {report.report_path}[/]", soft_wrap=True)


def _run_source(call: Any, as_json: bool, *, what: str) -> None:
    from cikg.harvest.base import HarvestRejected

    try:
        result = call()
    except HarvestRejected as exc:
        _render_source(exc.run, as_json, what=what)
        err_console.print(
            "[bold red]rejected:[/] the harvested graph failed the SHACL gate; the previous version is kept"
        )
        raise typer.Exit(1) from exc
    _render_source(result.report, as_json, what=what)


def _clinical_metadata(
    metadata: Path | None,
    title: str | None,
    description: str | None,
    holder: str | None,
    access: str | None,
    licence: str | None,
    condition: list[str] | None,
) -> dict[str, Any]:
    """Like :func:`_metadata`, but the condition may come from the clinical data itself."""
    from cikg.harvest.clinical import check_clinical_metadata
    from cikg.harvest.collection_meta import merge, read_metadata_file

    data = read_metadata_file(metadata) if metadata else {}
    merged = merge(
        data,
        {
            "title": title,
            "description": description,
            "data_holder": holder,
            "access_rights": access,
            "license": licence,
            "primary_cancer_condition": condition or None,
        },
    )
    check_clinical_metadata(merged)
    return merged


ClinicalCondition = typer.Option(
    None, "--condition", help="Primary cancer condition (repeatable; default: those the data names)."
)


@app.command()
def omop(
    dsn: str = typer.Argument(
        ...,
        help="libpq DSN of the OMOP CDM v5.4 database, e.g. postgresql://reader@host/cdm "
        "(keep the password in ~/.pgpass or PGPASSWORD, not here).",
    ),
    collection: str = Collection,
    cdm_schema: str = typer.Option("public", "--cdm-schema", help="Schema of the CDM tables."),
    vocab_schema: str | None = typer.Option(
        None, "--vocab-schema", help="Schema of CONCEPT / CONCEPT_ANCESTOR (default: the CDM schema)."
    ),
    statement_timeout: float = typer.Option(
        3600.0, "--statement-timeout", help="Longest a single aggregate query may run, seconds."
    ),
    title: str | None = Title,
    description: str | None = Description,
    data_holder: str | None = Holder,
    access_rights: str | None = Access,
    license: str | None = Licence,
    condition: list[str] | None = ClinicalCondition,
    metadata: Path | None = Metadata,
    engine: str = Engine,
    data_dir: Path | None = DataDir,
    as_json: bool = JsonOut,
) -> None:
    """Aggregate an OMOP CDM v5.4 database (PostgreSQL, + MI-CDM image_occurrence) into a collection."""
    meta = _clinical_metadata(metadata, title, description, data_holder, access_rights, license, condition)
    with open_catalogue(data_dir) as cat, err_console.status("aggregating the OMOP CDM ..."):
        _run_source(
            lambda: cat.harvest_omop(
                dsn,
                collection,
                metadata=meta,
                cdm_schema=cdm_schema,
                vocab_schema=vocab_schema,
                statement_timeout=statement_timeout,
                engine=engine,
            ),
            as_json,
            what="persons",
        )


@app.command()
def fhir(
    paths: list[Path] = typer.Argument(
        ..., help="FHIR R4 JSON Bundles / resources, Bulk Data .ndjson files, or folders of them."
    ),
    collection: str = Collection,
    title: str | None = Title,
    description: str | None = Description,
    data_holder: str | None = Holder,
    access_rights: str | None = Access,
    license: str | None = Licence,
    condition: list[str] | None = ClinicalCondition,
    metadata: Path | None = Metadata,
    engine: str = Engine,
    data_dir: Path | None = DataDir,
    as_json: bool = JsonOut,
) -> None:
    """Aggregate FHIR R4 Patient, Condition, Observation and ImagingStudy resources into a collection."""
    meta = _clinical_metadata(metadata, title, description, data_holder, access_rights, license, condition)
    with open_catalogue(data_dir) as cat, err_console.status("reading FHIR resources ..."):
        _run_source(
            lambda: cat.harvest_fhir(paths, collection, metadata=meta, engine=engine),
            as_json,
            what="resources",
        )


@app.command(name="csv")
def csv_(
    files: list[Path] = typer.Argument(..., help="CSV / eCRF export file(s) with a header line."),
    mapping: Path = typer.Option(
        ..., "--mapping", "-m", help="Column mapping (YAML): which column is the subject, sex, condition, ..."
    ),
    collection: str = Collection,
    title: str | None = Title,
    description: str | None = Description,
    data_holder: str | None = Holder,
    access_rights: str | None = Access,
    license: str | None = Licence,
    condition: list[str] | None = ClinicalCondition,
    metadata: Path | None = Metadata,
    engine: str = Engine,
    data_dir: Path | None = DataDir,
    as_json: bool = JsonOut,
) -> None:
    """Aggregate a CSV / eCRF export through a column mapping and the steward's SSSOM value mappings."""
    meta = _clinical_metadata(metadata, title, description, data_holder, access_rights, license, condition)
    with open_catalogue(data_dir) as cat, err_console.status("reading the export ..."):
        _run_source(
            lambda: cat.harvest_csv(files, mapping, collection, metadata=meta, engine=engine),
            as_json,
            what="rows",
        )


@app.command()
def dcat(
    url: str = typer.Argument(..., help="URL of a DCAT-AP / HealthDCAT-AP catalogue or a FAIR Data Point."),
    source: str | None = typer.Option(
        None, "--source", "-s", help="Source id (default: from the URL's host and path)."
    ),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds to wait for a server, per request."),
    max_documents: int = typer.Option(10_000, "--max-documents", help="Stop (with an error) beyond this."),
    no_follow: bool = typer.Option(False, "--no-follow", help="Read only the URL (and its next pages)."),
    follow_external: bool = typer.Option(
        False, "--follow-external", help="Also follow links to other hosts than the URL's."
    ),
    force: bool = typer.Option(False, "--force", help="Ignore stored ETag / Last-Modified; rebuild."),
    country: str | None = typer.Option(
        None, "--country", help="ISO 3166-1 alpha-2 country of data holders that state none (e.g. ES)."
    ),
    condition: list[str] | None = typer.Option(
        None, "--condition", help="Condition of datasets that name none the hyperontology knows (repeatable)."
    ),
    engine: str = Engine,
    data_dir: Path | None = DataDir,
    as_json: bool = JsonOut,
) -> None:
    """Harvest a remote catalogue (Turtle, JSON-LD, RDF/XML over HTTP) into its own validated source."""
    with open_catalogue(data_dir) as cat, err_console.status(f"harvesting {url} ..."):
        _run_source(
            lambda: cat.harvest_dcat(
                url,
                source,
                timeout=timeout,
                max_documents=max_documents,
                follow=not no_follow,
                follow_external=follow_external,
                force=force,
                country=country,
                conditions=condition,
                engine=engine,
            ),
            as_json,
            what="documents",
        )


@app.command()
def idc(
    collections: str | None = typer.Option(
        None, "--collections", help="Comma-separated IDC collection_id values (default: every collection)."
    ),
    limit: int | None = typer.Option(None, "--limit", help="At most this many collections (by id)."),
    force: bool = typer.Option(False, "--force", help="Rebuild even where the index version is unchanged."),
    list_only: bool = typer.Option(False, "--list", help="List the index's collections; harvest nothing."),
    engine: str = Engine,
    data_dir: Path | None = DataDir,
    as_json: bool = JsonOut,
) -> None:
    """Harvest the installed NCI Imaging Data Commons index (extra cikg[idc]): a source per collection."""
    if list_only:
        from cikg.catalogue import Catalogue

        found = Catalogue.idc_collections()
        rows = [
            {
                "collection_id": c.collection_id,
                "name": c.name,
                "cancer_types": c.cancer_types,
                "series": c.series,
            }
            for c in found
        ]
        if as_json:
            print_json(rows)
        else:
            print_table(["collection_id", "name", "cancer types", "series"], [list(r.values()) for r in rows])
        return
    wanted = [c.strip() for c in collections.split(",") if c.strip()] if collections else None
    with open_catalogue(data_dir) as cat, _progress("IDC series") as progress:
        result = cat.harvest_idc(
            collections=wanted, limit=limit, force=force, progress=progress, engine=engine
        )
    if as_json:
        print_json(result.to_json())
    else:
        data = result.to_json()
        console.print(
            f"idc-index-data {data['idc_index_data']}: {data['collections']} collections, "
            f"{data['harvested']} harvested, {data['unchanged']} unchanged, {len(data['rejected'])} rejected"
            + (f", {len(data['dropped_sources'])} sources dropped" if data["dropped_sources"] else ""),
            soft_wrap=True,
        )
        if data["rejected"]:
            print_table(["collection", "error"], [[r["collection"], r["error"]] for r in data["rejected"]])
    if result.rejected:
        raise typer.Exit(1)


@app.command()
def status(
    history: bool = typer.Option(False, "--history", help="Every run, not only the last per source."),
    data_dir: Path | None = DataDir,
    as_json: bool = JsonOut,
) -> None:
    """Harvested sources: last run, outcome, counts."""
    with open_catalogue(data_dir, read_only=True) as cat:
        runs = cat.harvest_status(history=history)
    if as_json:
        print_json([r.__dict__ for r in runs])
        return
    print_table(
        [
            "source",
            "kind",
            "harvester",
            "started",
            "ended",
            "outcome",
            "seen",
            "harvested",
            "failed",
            "current",
        ],
        [
            [
                r.source.removeprefix("urn:cikg:source:"),
                r.source_kind,
                r.harvester,
                r.started_at[:19],
                r.ended_at[:19],
                r.outcome,
                r.items_seen,
                r.items_harvested,
                r.items_failed,
                "yes" if r.current else "no",
            ]
            for r in runs
        ],
        title="harvest runs",
    )


@app.command()
def validate(
    source: str = typer.Argument(..., help="Source id."),
    engine: str = Engine,
    data_dir: Path | None = DataDir,
    as_json: bool = JsonOut,
) -> None:
    """Check a current source graph against the SHACL shapes (read-only)."""
    with open_catalogue(data_dir, read_only=True) as cat:
        report = cat.validate_source(source, engine=engine)
    if as_json:
        print_json(report.to_json())
    else:
        console.print(f"{report.summary(limit=0) if not report.conforms else 'conforms'} ({report.engine})")
        if report.violations:
            rows = [[r["focus"], r["path"], r["constraint"], r["value"], r["message"]] for r in report.rows()]
            print_table(["focus", "path", "constraint", "value", "message"], rows[:200])
    if not report.conforms:
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="harvest")
