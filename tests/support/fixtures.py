"""Session-scoped pytest fixtures for the real external servers in `tests.support.servers`.

Loaded from `tests/conftest.py` with ``pytest_plugins``. A test that uses any of these fixtures
(directly or through another fixture) is marked ``integration`` automatically.

Policy: a missing binary FAILS the test (it never skips): CI must run these tests, so a machine
without the servers is a broken machine; the failure says to run `.ci/system-deps.sh`.

The servers are shared by the whole session: tests use their own graph IRIs, database names and
DICOM UIDs (or clean up, e.g. `orthanc.clear()`), never assume an empty server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from tests.support.servers import (
    BinaryNotFound,
    ChromiumBrowser,
    ManagedServer,
    OrthancServer,
    OxigraphServer,
    PostgresServer,
    ServerError,
    VirtuosoServer,
)

S = TypeVar("S", bound=ManagedServer)

SERVER_FIXTURES = frozenset({"virtuoso", "oxigraph_server", "orthanc", "postgres", "chromium"})


def _serve(factory: Callable[[], S]) -> Iterator[S]:
    server = factory()
    failure = None
    try:
        server.start()
    except BinaryNotFound as exc:
        failure = f"{exc}\n(integration tests never skip: CI must run them)"
    except ServerError as exc:
        failure = str(exc)
    if failure is not None:  # outside the except block: one clean message, no chained traceback
        pytest.fail(failure, pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def virtuoso() -> Iterator[VirtuosoServer]:
    """Virtuoso 7: `sparql_query_url`, `sparql_update_url`, `gsp_url`; writes with digest auth
    (`user`, `password`, `auth == "digest"`, or `httpx_auth()`); `store_kwargs()` for RemoteSparqlStore."""
    yield from _serve(VirtuosoServer)


@pytest.fixture(scope="session")
def oxigraph_server() -> Iterator[OxigraphServer]:
    """The Oxigraph server: `/query`, `/update`, `/store` (no auth); same attributes as `virtuoso`."""
    yield from _serve(OxigraphServer)


@pytest.fixture(scope="session")
def orthanc() -> Iterator[OrthancServer]:
    """Orthanc + DICOMweb: `base_url`, `dicomweb_url`, `upload(path_or_bytes)`, `clear()`."""
    yield from _serve(OrthancServer)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """PostgreSQL: `dsn` (superuser `postgres`, trust auth), `create_database(name) -> dsn`."""
    yield from _serve(PostgresServer)


@pytest.fixture(scope="session")
def chromium() -> Iterator[ChromiumBrowser]:
    """chromedriver + headless Chromium: ``with chromium.session() as page: page.navigate(url)``."""
    yield from _serve(ChromiumBrowser)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)
