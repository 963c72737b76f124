"""Core commands: serve, load, query, export, stats, sources, gen."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from cikg.cli.common import (
    DataDir,
    Host,
    JsonOut,
    Port,
    console,
    err_console,
    open_catalogue,
    print_json,
    print_table,
    settings_for,
)

FORMATS = ["table", "json", "csv", "tsv", "xml", "ttl", "nt", "jsonld"]


def serve(data_dir: Path | None = DataDir, host: str | None = Host, port: int | None = Port) -> None:
    """Run the web service (SPARQL, REST, pages) on the data dir's store."""
    import uvicorn

    from cikg.web import create_app

    settings = settings_for(data_dir, host, port)
    console.print(f"cikg serving {settings.data_dir} at [bold]http://{settings.host}:{settings.port}[/]")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")


def load(
    files: list[Path] = typer.Argument(..., help="RDF files (Turtle, N-Triples, RDF/XML, JSON-LD)."),
    graph: str = typer.Option(
        ..., "--graph", "-g", help="Source id: the files become (or replace) this source."
    ),
    data_dir: Path | None = DataDir,
) -> None:
    """Load RDF files as one source, replacing its previous version atomically."""
    with open_catalogue(data_dir) as cat, console.status(f"loading {len(files)} file(s) into {graph} ..."):
        info = cat.load(files, graph)
    console.print(
        f"[green]loaded[/] {info.triples} triples into source {graph} ({info.graph})", soft_wrap=True
    )


def query(
    sparql: str = typer.Argument(..., help="A SPARQL query, or @FILE to read it from a file."),
    fmt: str = typer.Option(
        "table", "--format", "-f", help="table, json, csv, tsv, xml; graphs: ttl, nt, jsonld."
    ),
    data_dir: Path | None = DataDir,
) -> None:
    """Run a read-only SPARQL query against the store."""
    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    text = Path(sparql[1:]).read_text(encoding="utf-8") if sparql.startswith("@") else sparql
    with open_catalogue(data_dir, read_only=True) as cat:
        if fmt == "table":
            from cikg.store.endpoint import check_query

            info = check_query(text, cat.settings.service_allowlist)
            if info.form.is_graph:
                fmt = "ttl"
            else:
                result = cat.query(text)
                if result.boolean is not None:
                    console.print("true" if result.boolean else "false")
                    return
                rows = [[_show(row[v]) for v in result.variables] for row in result.rows()]
                print_table(result.variables, rows)
                console.print(f"[dim]{len(rows)} row(s)[/]")
                return
        out = cat.sparql(text, format={"ttl": "turtle", "nt": "ntriples"}.get(fmt, fmt))
        sys.stdout.buffer.write(out.body)
        sys.stdout.flush()


def _show(term: object) -> str:
    if term is None:
        return ""
    return str(getattr(term, "value", term))


def export(
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write (default: stdout)."),
    source: list[str] | None = typer.Option(None, "--source", "-s", help="Only these sources (repeatable)."),
    fmt: str | None = typer.Option(
        None, "--format", "-f", help="nquads or trig; with --profile: turtle, jsonld, rdfxml or ntriples."
    ),
    profile: str | None = typer.Option(
        None, "--profile", "-p", help="Publish the catalogue as dcat-ap, healthdcat-ap or eucaim-dcat-ap."
    ),
    data_dir: Path | None = DataDir,
) -> None:
    """Export the current graphs (N-Quads or TriG), or the catalogue in a publishing profile."""
    if profile is not None:
        from cikg.cli.publish import export_profile

        if source:
            from cikg.catalogue import InvalidRequest

            raise InvalidRequest("--source and --profile do not go together: a profile publishes everything")
        export_profile(profile, output, fmt or "turtle", data_dir)
        return
    fmt = fmt or "nquads"
    with open_catalogue(data_dir, read_only=True) as cat:
        if output is None:
            n = cat.export(sys.stdout.buffer, sources=source, fmt=fmt)
        else:
            with output.open("wb") as out:
                n = cat.export(out, sources=source, fmt=fmt)
    err_console.print(f"exported {n} quads")


def stats(data_dir: Path | None = DataDir, as_json: bool = JsonOut) -> None:
    """Triples, sources and instances per class in the store."""
    with open_catalogue(data_dir, read_only=True) as cat:
        s = cat.stats()
    if as_json:
        print_json(
            {
                "triples": s.triples,
                "sources": [{"source": i.source, "graph": i.graph, "triples": i.triples} for i in s.sources],
                "classes": s.classes,
            }
        )
        return
    console.print(f"[bold]{s.triples}[/] triples in {len(s.sources)} source(s)")
    print_table(
        ["source", "triples", "loaded"],
        [
            [i.source, i.triples, i.loaded_at.isoformat(timespec="seconds") if i.loaded_at else ""]
            for i in s.sources
        ],
        title="sources",
    )
    print_table(["class", "instances"], list(s.classes.items()), title="classes")


def gen(
    check: bool = typer.Option(
        False, "--check", help="Only report artifacts that differ from a fresh build."
    ),
) -> None:
    """Regenerate every artifact from the schema and the ontology sources (needs the `gen` extra)."""
    from cikg import resources
    from cikg.generate import generate

    paths = generate(check=check)
    root = resources.root()
    if check:
        if paths:
            for p in paths:
                err_console.print(f"[red]drift:[/] {p.relative_to(root)}")
            raise typer.Exit(1)
        console.print("[green]all generated artifacts are up to date[/]")
        return
    console.print(f"wrote {len(paths)} artifact(s)")


def register(app: typer.Typer) -> None:
    for command in (serve, load, query, export, stats, gen):
        app.command()(command)
