"""``cikg demo``: build (or reuse) the synthetic AI4HI federation in the data dir, then serve it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from cikg.cli.common import DataDir, Host, Port, console, settings_for

PHASES = {
    "generate": "writing sources (DICOM, eCRF, OMOP, FHIR)",
    "harvest": "harvesting through the SHACL gate",
}


def demo(
    data_dir: Path | None = DataDir,
    scale: int | None = typer.Option(
        None, "--scale", help="Image series in the federation (default 2000; e.g. 1000000 for benchmarks)."
    ),
    seed: int = typer.Option(1, "--seed", help="Random seed of the synthetic data."),
    host: str | None = Host,
    port: int | None = Port,
    workers: int | None = typer.Option(
        None, "--workers", help="Processes that write and read files (default: all cores)."
    ),
    force: bool = typer.Option(False, "--force", help="Rebuild even if a complete demo is in the data dir."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Build the demo, do not start the service."),
) -> None:
    """Generate a synthetic federation of the five AI4HI projects (CHAIMELEON, EuCanImage, INCISIVE,
    ProCAncer-I, PRIMAGE), harvest it into the store through the real harvesters, and serve it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from cikg.catalogue import Catalogue
    from cikg.demo.build import demo_settings

    started = time.perf_counter()
    settings = demo_settings(settings_for(data_dir, host, port))
    tasks: dict[str, Any] = {}
    with Progress(
        TextColumn("{task.description:<44}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bars:

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bars.add_task(PHASES.get(phase, phase), total=total)
            bars.update(tasks[phase], completed=done, total=total)

        with Catalogue(settings) as cat:
            result = cat.build_demo(scale=scale, seed=seed, workers=workers, force=force, progress=progress)
            n_sources = len(cat.sources())
    took = time.perf_counter() - started
    what = "reused the demo in" if result["reused"] else "built the demo in"
    console.print(
        f"[green]{what}[/] {settings.data_dir} ({len(result['sources'])} collections, "
        f"scale {result['scale']}, {n_sources} sources in the store) in {took:.1f} s"
    )
    if no_serve:
        return
    import uvicorn

    from cikg.web import create_app

    base = settings.base_url
    console.print(
        f"cikg demo serving at [bold]{base}/[/]  ·  catalogue {base}/catalog  ·  FAIR Data Point {base}/fdp"
        f"  ·  SPARQL {base}/sparql  ·  API docs {base}/docs"
    )
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command()(demo)
