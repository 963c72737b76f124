"""`cikg vocab ...`: the term service (search, show, translate, descendants, ancestors, import)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from cikg.cli.common import DataDir, JsonOut, console, open_catalogue, print_json, print_table, settings_for

app = typer.Typer(help="The hyperontology term service: search, show, translate, expand, import releases.")


@app.command()
def search(
    query: str = typer.Argument(..., help="Words, a prefix, in any shipped language (typos tolerated)."),
    lang: str | None = typer.Option(None, "--lang", help="Match labels of this language only (en, es, ...)."),
    branch: str | None = typer.Option(None, "--branch", help="Only this branch (condition, body_part, ...)."),
    limit: int = typer.Option(10, "--limit", "-n", help="At most this many answers."),
    data_dir: Path | None = DataDir,
    json_out: bool = JsonOut,
) -> None:
    """Search concepts by label or synonym, ranked."""
    with open_catalogue(data_dir, read_only=_has_store(data_dir)) as cat:
        hits = cat.term_search(query, lang=lang, branch=branch, limit=limit)
    if json_out:
        print_json([h.as_dict() for h in hits])
        return
    print_table(
        ["concept", "label", "matched", "lang", "branch", "score"],
        [[h.curie, h.label, h.matched, h.lang or "", h.branch or "", f"{h.score:.2f}"] for h in hits],
    )


@app.command()
def show(
    code: str = typer.Argument(..., help="A CURIE (SNOMEDCT:254637007), IRI, concept id or label."),
    data_dir: Path | None = DataDir,
    json_out: bool = JsonOut,
) -> None:
    """Show a concept: labels in every language, parents, children, mappings, and how CODE resolved."""
    with open_catalogue(data_dir, read_only=_has_store(data_dir)) as cat:
        data = cat.term_details(code)
    if json_out:
        print_json(data)
        return
    res = data["resolution"]
    console.print(f"[bold]{data['curie']}[/] {data['label']}  [dim]({data['branch'] or 'no branch'})[/]")
    console.print(f"[dim]{code} -> {res['predicate']} via {res['via']} ({res['source']}): {res['how']}[/]")
    if data["definition"]:
        console.print(data["definition"])
    rows = [[lang, text, "preferred"] for lang, text in data["labels"].items()]
    rows += [[lang, s, "synonym"] for lang, syns in data["synonyms"].items() for s in syns]
    print_table(["lang", "label", ""], rows, title="labels")
    print_table(["parents", "children"], [[", ".join(data["parents"]), ", ".join(data["children"])]])
    print_table(
        ["predicate", "code", "label", "source"],
        [[m["predicate"], m["object_id"], m["object_label"] or "", m["source"]] for m in data["mappings"]],
        title="mappings",
    )


@app.command()
def translate(
    code: str = typer.Argument(..., help="A code in any scheme (ICD10:C34.1), an IRI or a label."),
    to: str | None = typer.Option(None, "--to", help="Only this scheme (SNOMEDCT, NCIT, OMOP, ...)."),
    data_dir: Path | None = DataDir,
    json_out: bool = JsonOut,
) -> None:
    """Translate a code to the hyperontology concept and on to every other scheme."""
    with open_catalogue(data_dir, read_only=_has_store(data_dir)) as cat:
        res, codes = cat.translate(code, to=to)
    if json_out:
        print_json({"resolution": res.as_dict(), "translations": [t.as_dict() for t in codes]})
        return
    console.print(
        f"{code} -> [bold]{res.concept.curie}[/] {res.concept.label()} ({res.predicate}; {res.how})"
    )
    print_table(
        ["scheme", "code", "label", "predicate", "source"],
        [
            [t.scheme, t.code, t.label or "", t.predicate, t.source + (f" via {t.via}" if t.via else "")]
            for t in codes
        ],
    )


@app.command()
def descendants(
    code: str = typer.Argument(..., help="A concept (id, CURIE of any scheme, IRI or label)."),
    codes: bool = typer.Option(False, "--codes", help="Also the external codes under it (imports included)."),
    data_dir: Path | None = DataDir,
    json_out: bool = JsonOut,
) -> None:
    """Every concept under CODE (transitively, itself included)."""
    with open_catalogue(data_dir, read_only=_has_store(data_dir)) as cat:
        ids = cat.descendants(code, include_codes=codes)
        rows = [[i, _label(cat, i)] for i in ids]
    if json_out:
        print_json(ids)
        return
    print_table(["concept", "label"], rows)


@app.command()
def ancestors(
    code: str = typer.Argument(..., help="A concept (id, CURIE of any scheme, IRI or label)."),
    data_dir: Path | None = DataDir,
    json_out: bool = JsonOut,
) -> None:
    """Every concept above CODE (transitively)."""
    with open_catalogue(data_dir, read_only=_has_store(data_dir)) as cat:
        ids = cat.ancestors(code)
        rows = [[i, _label(cat, i)] for i in ids]
    if json_out:
        print_json(ids)
        return
    print_table(["concept", "label"], rows)


def _label(cat: object, cid: str) -> str:
    c = cat.vocabulary.get(cid)  # type: ignore[attr-defined]
    return c.label() if c is not None else ""


@app.command("import")
def import_(
    kind: str = typer.Argument(..., help="omop, snomed, loinc, radlex, ncit, mondo, icd10 or icdo3."),
    path: Path = typer.Argument(..., help="The release file or folder (e.g. the unzipped Athena download)."),
    data_dir: Path | None = DataDir,
    json_out: bool = JsonOut,
) -> None:
    """Import a licensed vocabulary release into its own named graph (replacing the previous one)."""
    with (
        open_catalogue(data_dir) as cat,
        Progress(
            TextColumn(f"importing {kind}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=json_out,
        ) as bar,
    ):
        task = bar.add_task(kind, total=None)
        report = cat.import_vocabulary(
            kind,
            path,
            progress=lambda n: bar.advance(task, n),
            start=lambda total: bar.update(task, total=total),
        )
    if json_out:
        print_json(report.as_dict())
        return
    console.print(
        f"[green]imported[/] {report.terms} {kind} terms ({report.rows} rows, {report.triples} triples) in "
        f"{report.seconds:.1f} s ({report.rows_per_second:,.0f} rows/s) as source {report.source}",
        soft_wrap=True,
    )
    for reason, n in sorted(report.skipped.items()):
        console.print(f"[dim]skipped {n} row(s): {reason}[/]")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="vocab")


def _has_store(data_dir: Path | None) -> bool:
    """Read-only when a store exists (works beside a running server); else create it."""
    return (settings_for(data_dir).store_dir / "CURRENT").is_file()
