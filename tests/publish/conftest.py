"""One loaded catalogue (the synthetic fixture) per test module, and the web service over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cikg.catalogue import Catalogue
from cikg.settings import Settings
from tests.publish import fixtures
from tests.support.live_server import free_tcp_port, live_server

EVIDENCE: list[str] = []
"""Conformance evidence (shape set, documents, focus nodes), printed at the end of the run."""


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalogue]:
    """A cikg node holding the fixture catalogue, with the fixture's publishing settings."""
    port = free_tcp_port()
    data: Path = tmp_path_factory.mktemp("node")
    settings = Settings(data_dir=data, port=port, base_url=f"http://127.0.0.1:{port}", **fixtures.PUBLISHING)
    cat = Catalogue(settings)
    fixtures.load_catalogue(cat)
    yield cat
    cat.close()


@pytest.fixture(scope="module")
def base(node: Catalogue) -> Iterator[str]:
    """The node's web service under a real uvicorn server (its base URL)."""
    from cikg.web import create_app

    with live_server(create_app(catalogue=node), port=node.settings.port) as url:
        yield url


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if EVIDENCE:
        terminalreporter.section("publishing conformance evidence")
        for line in EVIDENCE:
            terminalreporter.write_line(line)
