"""`cikg demo` as `make demo` runs it: a real process that reuses the built demo and serves it (uvicorn);
`cikg serve` on the same data dir answers too."""

from __future__ import annotations

import sys

import httpx
import pytest

from cikg.demo import COLLECTIONS
from tests.demo.conftest import Demo, demo_command, running

pytestmark = pytest.mark.slow  # one demo build per session (~20 s), then real processes


def test_cikg_demo_serves_the_catalogue(demo: Demo) -> None:
    base = demo.base_url
    with running(demo_command(demo.data_dir, demo.port), base) as took:
        health = httpx.get(base + "/health", timeout=60).json()
        assert health["status"] == "ok" and health["sources"] == len(COLLECTIONS)
        home = httpx.get(base + "/", headers={"Accept": "text/html"}, timeout=60)
        assert home.status_code == 200
        assert "cikg demo: a synthetic AI4HI cancer imaging federation" in home.text
        for spec in COLLECTIONS:
            assert spec.title in home.text, spec.title
        catalog = httpx.get(base + "/catalog", headers={"Accept": "text/turtle"}, timeout=60)
        assert catalog.status_code == 200 and "cikg demo node" in catalog.text
        fdp = httpx.get(base + "/fdp", headers={"Accept": "text/turtle"}, timeout=60)
        assert fdp.status_code == 200 and base in fdp.text
        page = httpx.get(
            base + "/collection/incisive-athens-lung-imaging", headers={"Accept": "text/html"}, timeout=60
        )
        assert page.status_code == 200 and "Demo site Athens" in page.text
    assert took < 60


def test_cikg_serve_answers_on_the_demo_data_dir(demo: Demo) -> None:
    base = demo.base_url
    serve = [
        sys.executable,
        "-m",
        "cikg",
        "serve",
        "--data-dir",
        str(demo.data_dir),
        "--port",
        str(demo.port),
    ]
    with running(serve, base):
        assert httpx.get(base + "/health", timeout=60).json()["sources"] == len(COLLECTIONS)
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/dcat#Dataset> }"
        r = httpx.get(
            base + "/sparql",
            params={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        assert int(r.json()["results"]["bindings"][0]["n"]["value"]) >= len(COLLECTIONS)
