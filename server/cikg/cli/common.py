"""Shared CLI pieces: options that every command reads the same way, output helpers, error guard."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cikg.settings import Settings

console = Console()
err_console = Console(stderr=True)

DataDir = typer.Option(
    None,
    "--data-dir",
    envvar="CIKG_DATA_DIR",
    help="Data directory (store, index, harvest state).",
    show_default="./cikg-data",
)
Host = typer.Option(None, "--host", envvar="CIKG_HOST", help="Interface to bind.", show_default="127.0.0.1")
Port = typer.Option(None, "--port", envvar="CIKG_PORT", help="Port to bind.", show_default="8000")
JsonOut = typer.Option(False, "--json", help="Print JSON instead of a table.")


def settings_for(data_dir: Path | None = None, host: str | None = None, port: int | None = None) -> Settings:
    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    settings = Settings(**overrides)
    if (host is not None or port is not None) and "base_url" not in settings.model_fields_set:
        shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
        settings = settings.model_copy(update={"base_url": f"http://{shown}:{settings.port}"})
    return settings


@contextmanager
def open_catalogue(data_dir: Path | None, *, read_only: bool = False) -> Iterator[Any]:
    from cikg.catalogue import Catalogue

    cat = Catalogue(settings_for(data_dir), read_only=read_only)
    try:
        yield cat
    finally:
        cat.close()


def print_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    table = Table(*columns, title=title, show_lines=False)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


def print_json(data: Any) -> None:
    console.print_json(json.dumps(data, default=str, ensure_ascii=False))


def run_guarded(app: typer.Typer) -> int:
    """Run the app; known errors print one clear line (no traceback) and exit 1 (2 for usage)."""
    from cikg.catalogue import InvalidRequest, NotFound
    from cikg.store import StoreError
    from cikg.vocab import UnknownTerm

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app(standalone_mode=False)
    except (InvalidRequest, NotFound, StoreError, ValueError, FileNotFoundError, UnknownTerm) as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True, highlight=False)
        return 1
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        err_console.print("aborted")
        return 1
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    except Exception as exc:  # click's usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        raise
    return 0
