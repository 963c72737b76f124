"""``cikg search``: the REST search from the command line (a table, or the JSON response)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from cikg.cli.common import DataDir, JsonOut, console, open_catalogue, print_json, print_table
from cikg.cli.federated import Nodes, Token, show_federated

_CONCEPT_OPTIONS = (
    "condition",
    "body_part",
    "modality",
    "acquisition",
    "manufacturer",
    "sex",
    "dataset_type",
    "access_rights",
    "data_holder",
    "country",
)


def _body(
    query: str | None,
    values: dict[str, list[str]],
    age: tuple[float | None, float | None],
    text: str | None,
    descendants: bool,
) -> dict[str, Any]:
    if query:
        raw = Path(query[1:]).read_text(encoding="utf-8") if query.startswith("@") else query
        try:
            body = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"--query: not JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise ValueError("--query: give a JSON object (a search body or a criterion)")
        if "ast" in body or "query" in body:
            return body
        return {"query": body}
    crits: list[dict[str, Any]] = [
        {"field": f, "value": v, "descendants": descendants} for f, v in values.items() if v
    ]
    if age != (None, None):
        crits.append({"field": "age", "min": age[0], "max": age[1]})
    if text:
        crits.append({"field": "text", "value": text})
    return {"query": crits[0] if len(crits) == 1 else {"and": crits}} if crits else {}


def search(
    condition: list[str] = typer.Option([], "--condition", help="Code, concept id or label (repeat: OR)."),
    body_part: list[str] = typer.Option([], "--body-part"),
    modality: list[str] = typer.Option([], "--modality"),
    acquisition: list[str] = typer.Option([], "--acquisition"),
    manufacturer: list[str] = typer.Option([], "--manufacturer"),
    sex: list[str] = typer.Option([], "--sex"),
    dataset_type: list[str] = typer.Option([], "--dataset-type"),
    access_rights: list[str] = typer.Option([], "--access-rights"),
    data_holder: list[str] = typer.Option([], "--data-holder"),
    country: list[str] = typer.Option([], "--country"),
    age_min: float | None = typer.Option(None, "--age-min"),
    age_max: float | None = typer.Option(None, "--age-max"),
    text: str | None = typer.Option(None, "--text", help="Free text (title, description, keywords)."),
    query: str | None = typer.Option(
        None, "--query", "-q", help="A native query body or criterion, or a EUCAIM AST body, as JSON (@file)."
    ),
    descendants: bool = typer.Option(True, "--descendants/--no-descendants", help="Ontology expansion."),
    sort: str = typer.Option("subjects_count:desc", "--sort"),
    page: int = typer.Option(1, "--page"),
    page_size: int = typer.Option(50, "--page-size"),
    explain: bool = typer.Option(False, "--explain", help="Show the expanded concepts of each criterion."),
    engine: str = typer.Option("index", "--engine", help="index (default) or sparql (the reference)."),
    federated: bool = typer.Option(
        False, "--federated", help="Send the query to every node of the node list (docs/federation.md)."
    ),
    nodes: Path | None = Nodes,
    token: str | None = Token,
    data_dir: Path | None = DataDir,
    as_json: bool = JsonOut,
) -> None:
    """Search collections (criteria given together are ANDed; a repeated option is an OR)."""
    given = locals()
    values = {name: list(given[name]) for name in _CONCEPT_OPTIONS}
    body = _body(query, values, (age_min, age_max), text, descendants)
    if "ast" not in body:
        body.update(
            {"sort": sort, "page": page, "page_size": page_size, "explain": explain, "engine": engine}
        )
    if federated:
        body.pop("engine", None)  # each node answers with its own engine
        show_federated(body, data_dir=data_dir, nodes=nodes, token=token, as_json=as_json)
        return
    with open_catalogue(data_dir, read_only=True) as cat:
        out = cat.search(body)
    if as_json:
        print_json(out)
        return
    total = out["total"]
    console.print(
        f"[bold]{len(out['collections'])}[/] of {total.get('collections', len(out['collections']))} "
        f"collection(s), {total['subjects_count']} subjects, {total['studies_count']} studies"
    )
    print_table(
        ["id", "title", "holder", "subjects", "studies", "ages", "modalities", "conditions"],
        [
            [
                c["id"],
                c.get("title", c.get("name")),
                (c.get("data_holder") or {}).get("name", ""),
                c["subjects_count"],
                c["studies_count"],
                f"{c['age_range']['min']}-{c['age_range']['max']}"
                if c["age_range"]["min"] is not None
                else "",
                ", ".join(c.get("modalities", [])),
                ", ".join(c.get("conditions", [])),
            ]
            for c in out["collections"]
        ],
    )
    for crit in (out.get("explain") or {}).get("criteria", []):
        console.print(f"  [{crit['index']}] {crit['description']}")
        for value, ids in (crit.get("expanded") or {}).items():
            console.print(f"      {value} -> {', '.join(ids)}")


def register(app: typer.Typer) -> None:
    app.command()(search)
