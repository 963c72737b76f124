"""The ``cikg`` command line: one typer app, one module per command group, each a few lines over
the Catalogue facade."""

from __future__ import annotations

import sys

import typer

from cikg import __version__
from cikg.cli import core, demo, federated, harvest, mapping, publish, search, vocab
from cikg.cli.common import console, err_console, run_guarded

app = typer.Typer(
    name="cikg",
    help=(
        "cikg, the cancer imaging knowledge graph: hyperontology, harvesting, search, federation, "
        "FAIR publishing."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"cikg {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """cikg command line."""


core.register(app)
demo.register(app)
harvest.register(app)
publish.register(app)
vocab.register(app)
mapping.register(app)
federated.register(app)
search.register(app)


def main() -> None:
    sys.exit(run_guarded(app))


__all__ = ["app", "err_console", "main"]
