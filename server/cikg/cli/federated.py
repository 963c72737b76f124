"""``cikg federated``: the hub's search over the node list (nodes.yaml) and the nodes' health."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from cikg.cli.common import DataDir, JsonOut, console, open_catalogue, print_json, print_table, settings_for

federated_app = typer.Typer(help="Federated search across the nodes of nodes.yaml, and their health.")
T = TypeVar("T")

Nodes = typer.Option(
    None, "--nodes", envvar="CIKG_NODES_FILE", help="Node list (default <data-dir>/nodes.yaml)."
)


def _run(data_dir: Path | None, nodes: Path | None, call: Callable[[Any, Any], Awaitable[T]]) -> T:
    from cikg.federation import http_client

    async def go(cat: Any) -> T:
        async with http_client() as client:  # one client for the whole fan-out
            return await call(cat, client)

    # read-only beside a running service on the same data dir; a hub without a store yet gets one
    with open_catalogue(data_dir, read_only=settings_for(data_dir).store_dir.exists()) as cat:
        if nodes is not None:
            cat.settings = cat.settings.model_copy(update={"nodes_file": nodes})
        return asyncio.run(go(cat))


Token = typer.Option(None, "--token", envvar="CIKG_TOKEN", help="Access token at the hub (exact counts).")


@federated_app.command("search")
def search(
    query: str = typer.Argument(
        "{}",
        help='Native search query JSON (docs/search.md), e.g. \'{"query": {"field": "modality", '
        '"value": "CT"}}\', or @FILE.',
    ),
    token: str | None = Token,
    nodes: Path | None = Nodes,
    data_dir: Path | None = DataDir,
    as_json: bool = JsonOut,
) -> None:
    """Send one query to every node at once; merged collections and each node's status."""
    text = Path(query[1:]).read_text(encoding="utf-8") if query.startswith("@") else query
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the query is not valid JSON: {exc}") from exc
    show_federated(body, data_dir=data_dir, nodes=nodes, token=token, as_json=as_json)


def show_federated(
    body: dict[str, Any], *, data_dir: Path | None, nodes: Path | None, token: str | None, as_json: bool
) -> None:
    """Run a federated search and print it (also `cikg search --federated`)."""
    answer = _run(data_dir, nodes, lambda cat, client: cat.federated_search(client, body, token))
    if as_json:
        print_json(answer)
        return
    print_table(
        ["node", "status", "latency ms", "subjects", "reason"],
        [
            [n["id"], n["status"], n["latency_ms"], n.get("total", {}).get("subjects_count"), n.get("reason")]
            for n in answer["nodes"]
        ],
        title="nodes" + (" (partial answer)" if answer["partial"] else ""),
    )
    print_table(
        ["collection", "title", "subjects", "studies"],
        [
            [c["key"], c.get("title"), c.get("subjects_count"), c.get("studies_count")]
            for c in answer["collections"]
        ],
        title=f"{len(answer['collections'])} collection(s)",
    )
    total = answer["total"]
    console.print(
        f"total: {total['subjects_count']} subjects, {total['studies_count']} studies"
        + (" (lower bound: some counts are below the threshold)" if total.get("approximate") else "")
    )


@federated_app.command("nodes")
def nodes_health(
    nodes: Path | None = Nodes, data_dir: Path | None = DataDir, as_json: bool = JsonOut
) -> None:
    """The node list with each node's status and latency."""
    reports = _run(data_dir, nodes, lambda cat, client: cat.federation_health(client))
    if as_json:
        print_json(reports)
        return
    print_table(
        ["node", "protocol", "base URL", "status", "latency ms", "reason"],
        [
            [r["id"], r["protocol"], r["base_url"], r["status"], r["latency_ms"], r.get("reason")]
            for r in reports
        ],
    )


def register(app: typer.Typer) -> None:
    app.add_typer(federated_app, name="federated")
