"""Publishing commands: ``cikg export --profile ...`` (its profile half) and ``cikg fdp ping``."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from cikg.cli.common import DataDir, console, err_console, open_catalogue, settings_for

fdp_app = typer.Typer(help="FAIR Data Point: announce this node to an FDP index.", no_args_is_help=True)


def export_profile(profile: str, output: Path | None, fmt: str, data_dir: Path | None) -> None:
    """Write the catalogue in ``profile``; say which documented defaults and gaps apply."""
    with open_catalogue(data_dir, read_only=True) as cat:
        pub, body = cat.export_profile(profile, fmt)
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        output.write_bytes(body)
    for default in pub.defaults:
        err_console.print(f"[yellow]default:[/] {default}", soft_wrap=True, highlight=False)
    for gap in pub.gaps:
        err_console.print(f"[yellow]gap:[/] {gap}", soft_wrap=True, highlight=False)
    err_console.print(f"exported {len(pub.document)} triples ({profile})")


@fdp_app.command("ping")
def ping(
    index_url: str = typer.Argument(
        ..., help="The FDP index's ping endpoint, e.g. https://home.fairdatapoint.org"
    ),
    data_dir: Path | None = DataDir,
) -> None:
    """POST {"clientUrl": <this node's base URL>} to an FDP index, as the reference FDP does.

    Needs no store (so it runs next to ``cikg serve``): the base URL (CIKG_BASE_URL) is the FDP.
    """
    from cikg.catalogue import InvalidRequest
    from cikg.publish.ping import PingFailed
    from cikg.publish.ping import ping as send

    settings = settings_for(data_dir)
    try:
        result = send(index_url, settings.base_url)
    except PingFailed as exc:
        raise InvalidRequest(str(exc)) from exc
    console.print(
        f"[green]pinged[/] {result.index} with clientUrl {result.client_url} (HTTP {result.status})"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(fdp_app, name="fdp")
