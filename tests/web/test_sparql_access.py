"""`CIKG_SPARQL_REQUIRES_TOKEN`: /sparql answers series-level rows, so a node protecting small counts can
close it to anonymous callers; authorised callers (a token of `CIKG_ACCESS_TOKENS`) still query it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cikg.catalogue import Catalogue
from cikg.settings import Settings
from cikg.web import create_app

QUERY = {"query": "ASK { ?s ?p ?o }"}
JSON = {"Accept": "application/sparql-results+json"}


def client_for(tmp_path: Path, **settings: object) -> Iterator[TestClient]:
    cat = Catalogue(Settings(data_dir=tmp_path / "data", **settings))  # type: ignore[arg-type]
    with cat, TestClient(create_app(catalogue=cat)) as c:
        yield c


@pytest.fixture
def closed(tmp_path: Path) -> Iterator[TestClient]:
    yield from client_for(tmp_path, sparql_requires_token=True, access_tokens=["s3cret"])


def test_open_by_default(tmp_path: Path) -> None:
    for c in client_for(tmp_path):
        assert c.get("/sparql", params=QUERY, headers=JSON).status_code == 200


def test_anonymous_callers_get_401_with_a_clear_message(closed: TestClient) -> None:
    for method in ("get", "post"):
        r = getattr(closed, method)("/sparql", params=QUERY, headers=JSON)
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert "access token" in r.json()["detail"]
    wrong = closed.get("/sparql", params=QUERY, headers={**JSON, "Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_authorised_callers_query(closed: TestClient) -> None:
    r = closed.get("/sparql", params=QUERY, headers={**JSON, "Authorization": "Bearer s3cret"})
    assert r.status_code == 200 and r.json()["boolean"] is False
    assert closed.get("/health").status_code == 200
