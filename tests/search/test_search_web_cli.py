"""The thin edges: POST / GET /api/search, GET /api/collections/{id} on a live server, and `cikg search`."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner

from cikg.catalogue import Catalogue
from cikg.cli import app as cli_app
from tests.support.live_server import live_server


@pytest.fixture(scope="module")
def base_url(search_catalogue: Catalogue) -> Iterator[str]:
    from cikg.web import create_app

    with live_server(create_app(catalogue=search_catalogue)) as url:
        yield url


def test_post_native_and_eucaim(base_url: str) -> None:
    body = {
        "query": {
            "and": [{"field": "condition", "value": "cáncer de pulmón"}, {"field": "modality", "value": "CT"}]
        }
    }
    r = httpx.post(f"{base_url}/api/search", json=body, timeout=30)
    assert r.status_code == 200, r.text
    out = r.json()
    assert {c["id"] for c in out["collections"]} == {"nsclc-es", "adeno-it", "linked-gr"}
    assert all(c["matched"] for c in out["collections"])
    ast = {
        "id": "x",
        "ast": {
            "operand": "OR",
            "children": [{"key": "RID10311", "type": "EQUALS", "value": "RID10312", "system": ""}],
        },
    }
    r = httpx.post(f"{base_url}/api/search", json=ast, timeout=30)
    assert r.status_code == 200 and r.json()["id"] == "x" and "total" in r.json()


def test_get_simple_criteria_and_errors(base_url: str) -> None:
    r = httpx.get(
        f"{base_url}/api/search",
        params=[("condition", "C34"), ("modality", "CT"), ("modality", "MR"), ("explain", "true")],
        timeout=30,
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert {"nsclc-es", "adeno-it"} <= {c["id"] for c in out["collections"]}
    assert out["explain"]["criteria"][0]["expanded"]["C34"][0] == "lung_cancer"
    bad = httpx.get(f"{base_url}/api/search", params={"condition": "ICD10:Q99.9"}, timeout=30)
    assert bad.status_code == 400 and "ICD10:Q99.9" in bad.json()["detail"]
    bad = httpx.post(f"{base_url}/api/search", json={"query": {"field": "modality"}}, timeout=30)
    assert bad.status_code == 400 and "modality" in bad.json()["detail"]


def test_collection_endpoint(base_url: str) -> None:
    r = httpx.get(f"{base_url}/api/collections/adeno-it", timeout=30)
    assert r.status_code == 200 and r.json()["conditions"] == ["lung_adenocarcinoma"]
    assert httpx.get(f"{base_url}/api/collections/nope", timeout=30).status_code == 404


def test_cli_table_and_json(search_catalogue: Catalogue) -> None:
    runner = CliRunner()
    data_dir = str(search_catalogue.settings.data_dir)
    res = runner.invoke(cli_app, ["search", "--condition", "C34", "--json", "--data-dir", data_dir])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert {"nsclc-es", "adeno-it"} <= {c["id"] for c in out["collections"]}
    res = runner.invoke(
        cli_app,
        ["search", "--condition", "lung_cancer", "--no-descendants", "--explain", "--data-dir", data_dir],
    )
    assert res.exit_code == 0, res.output
    assert "1 of 1 collection(s), 1 subjects" in res.output  # linked-gr only, its one lung subject
    assert "lung_cancer -> lung_cancer" in res.output
