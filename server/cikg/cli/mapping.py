"""`cikg map ...`: suggest, review and export mappings of a site's local terms."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from cikg.cli.common import DataDir, JsonOut, console, open_catalogue, print_json, print_table, settings_for

app = typer.Typer(help="Map a site's local terms to the hyperontology (SSSOM), review, export for OMOP.")


@app.command()
def suggest(
    terms: Path = typer.Argument(
        ..., help="CSV/TSV of local terms: a `term` column, optional `kind`, `code`."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="SSSOM TSV to write (default: TERMS.sssom.tsv)."
    ),
    kind: str | None = typer.Option(
        None, "--kind", help="Kind of every term (condition, body_part, modality...)."
    ),
    top: int = typer.Option(5, "--top", help="Candidates per term."),
    data_dir: Path | None = DataDir,
    json_out: bool = JsonOut,
) -> None:
    """Propose ranked candidate concepts for each local term (semapv:LexicalMatching)."""
    target = out or terms.with_suffix(".sssom.tsv")
    with open_catalogue(data_dir, read_only=_has_store(data_dir)) as cat:
        result = cat.map_suggest(terms, target, top=top, kind=kind)
    if json_out:
        print_json(result)
        return
    print_table(
        ["row", "local term", "concept", "label", "confidence", "rule"],
        [
            [
                r["row"],
                r["subject_label"],
                r["object_id"],
                r["object_label"],
                r["confidence"],
                r["similarity_measure"],
            ]
            for r in result["suggestions"]
        ],
    )
    console.print(
        f"[green]wrote[/] {result['rows']} candidate row(s) for {result['terms']} term(s) to {target}"
    )
    console.print(f"review with: cikg map review {target} --accept ROW ... --reviewer NAME")


@app.command()
def review(
    file: Path = typer.Argument(..., help="An SSSOM file written by `cikg map suggest`."),
    accept: list[int] = typer.Option([], "--accept", "-a", help="Row number(s) to accept."),
    reject: list[int] = typer.Option([], "--reject", "-r", help="Row number(s) to reject."),
    reviewer: str | None = typer.Option(None, "--reviewer", help="Who reviews (recorded in the file)."),
    keep_others: bool = typer.Option(False, "--keep-others", help="Do not reject a term's other candidates."),
    data_dir: Path | None = DataDir,
    json_out: bool = JsonOut,
) -> None:
    """Accept or reject suggested rows (manual curation, reviewer, date); prompts in a terminal."""
    with open_catalogue(data_dir, read_only=_has_store(data_dir)) as cat:
        if not accept and not reject:
            if not sys.stdin.isatty():
                raise typer.BadParameter("give --accept / --reject row numbers (no terminal for prompts)")
            accept, reject = _prompt(cat.map_rows(file))
        if not reviewer:
            if not sys.stdin.isatty():
                raise typer.BadParameter("give --reviewer NAME")
            reviewer = typer.prompt("reviewer")
        counts = cat.map_review(
            file, accept=accept, reject=reject, reviewer=reviewer, reject_others=not keep_others
        )
    if json_out:
        print_json(counts)
        return
    console.print(f"[green]reviewed[/] {file}: {counts['accepted']} accepted, {counts['rejected']} rejected")


def _prompt(rows: list[dict[str, str]]) -> tuple[list[int], list[int]]:
    accept: list[int] = []
    reject: list[int] = []
    by_term: dict[str, list[int]] = {}
    for i, row in enumerate(rows, start=1):
        if row.get("mapping_justification") != "semapv:ManualMappingCuration":
            by_term.setdefault(row.get("subject_label", ""), []).append(i)
    for term, idx in by_term.items():
        console.print(f"\n[bold]{term}[/]")
        for n in idx:
            r = rows[n - 1]
            console.print(f"  {n:4d}  {r.get('object_id')}  {r.get('object_label')}  ({r.get('confidence')})")
        answer = typer.prompt("accept row (number), r = reject all, s = skip", default="s")
        if answer.isdigit() and int(answer) in idx:
            accept.append(int(answer))
        elif answer.lower() == "r":
            reject.extend(idx)
    return accept, reject


@app.command()
def export(
    file: Path = typer.Argument(..., help="A reviewed SSSOM file."),
    fmt: str = typer.Option("omop-stcm", "--format", help="omop-stcm: OMOP SOURCE_TO_CONCEPT_MAP."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output (default: FILE.stcm.tsv)."),
    vocabulary_id: str = typer.Option("CIKG_LOCAL", "--vocabulary-id", help="source_vocabulary_id to write."),
    data_dir: Path | None = DataDir,
    json_out: bool = JsonOut,
) -> None:
    """Write accepted mappings as OMOP SOURCE_TO_CONCEPT_MAP rows (+ a sidecar: status, equivalence)."""
    target = out or file.with_name(file.name.removesuffix(".sssom.tsv") + ".stcm.tsv")
    with open_catalogue(data_dir, read_only=_has_store(data_dir)) as cat:
        result = cat.map_export(file, target, fmt=fmt, vocabulary_id=vocabulary_id)
    if json_out:
        print_json(result)
        return
    console.print(
        f"[green]wrote[/] {result['rows']} SOURCE_TO_CONCEPT_MAP row(s) to {result['out']} "
        f"(status and equivalence in {result['sidecar']})"
    )


@app.command()
def evaluate(
    gold: Path = typer.Argument(
        ...,
        help="Labelled TSV: term, kind, expected (+ language, variation), e.g. "
        "tests/data/mapping/local_terms_gold.tsv.",
    ),
    no_kind: bool = typer.Option(False, "--no-kind", help="Ignore the kind column (search every branch)."),
    misses: bool = typer.Option(False, "--misses", help="Also list the terms whose top candidate is wrong."),
    data_dir: Path | None = DataDir,
    json_out: bool = JsonOut,
) -> None:
    """Suggestion quality on a labelled set: precision@1 and recall@5, overall and per variation."""
    with open_catalogue(data_dir, read_only=_has_store(data_dir)) as cat:
        ev = cat.map_evaluate(gold, use_kind=not no_kind)
    if json_out:
        print_json(ev.as_dict())
        return
    console.print(ev.report(), highlight=False)
    if ev.unknown_expected:
        console.print(f"[yellow]skipped[/] (expected concept unknown): {', '.join(ev.unknown_expected)}")
    if misses:
        print_table(
            ["local term", "kind", "expected", "top 5"],
            [[t, k, e, ", ".join(got)] for t, k, e, got in ev.misses],
        )


@app.command("import-usagi")
def import_usagi(
    file: Path = typer.Argument(..., help="A Usagi CSV export."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="SSSOM TSV to write (default: FILE.sssom.tsv)."
    ),
    kind: str | None = typer.Option(None, "--kind", help="Kind of the source terms (condition, ...)."),
    data_dir: Path | None = DataDir,
    json_out: bool = JsonOut,
) -> None:
    """Read a Usagi export into SSSOM (APPROVED rows become reviewed mappings)."""
    target = out or file.with_suffix(".sssom.tsv")
    with open_catalogue(data_dir, read_only=_has_store(data_dir)) as cat:
        result = cat.map_import_usagi(file, target, kind=kind)
    if json_out:
        print_json(result)
        return
    console.print(f"[green]wrote[/] {result['rows']} mapping row(s) to {result['out']}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="map")


def _has_store(data_dir: Path | None) -> bool:
    """Read-only when a store exists (works beside a running server); else create it."""
    return (settings_for(data_dir).store_dir / "CURRENT").is_file()
