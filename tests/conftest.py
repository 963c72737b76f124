"""Shared fixtures: settings on a temp data dir, an open Catalogue, the web app under a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cikg.catalogue import Catalogue
from cikg.settings import Settings
from tests.support.live_server import free_tcp_port, live_server

# Real external servers (Virtuoso, Oxigraph server, Orthanc, PostgreSQL, Chromium) for integration tests.
pytest_plugins = ("tests.support.fixtures",)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    port = free_tcp_port()
    return Settings(data_dir=tmp_path / "data", port=port, base_url=f"http://127.0.0.1:{port}")


@pytest.fixture
def catalogue(settings: Settings) -> Iterator[Catalogue]:
    cat = Catalogue(settings)
    yield cat
    cat.close()


@pytest.fixture
def live_app(catalogue: Catalogue) -> Iterator[str]:
    """Base URL of the cikg web service over ``catalogue``, served by uvicorn on 127.0.0.1."""
    from cikg.web import create_app

    with live_server(create_app(catalogue=catalogue), port=catalogue.settings.port) as url:
        yield url
