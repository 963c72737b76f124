"""Issue 5's acceptance on the demo through the search API (docs/search.md, the search contract): lung
cancer by ICD-10, SNOMED CT, NCIt, OMOP id, English or Spanish label finds the collections coded only
with NSCLC / lung adenocarcinoma; with expansion off it does not. (The same check in SPARQL against the
store is in test_demo.py, so it holds whether or not the search module is installed.)"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import httpx
import pytest

from cikg.catalogue import Catalogue
from cikg.demo import NSCLC_ONLY
from tests.support.live_server import live_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("cikg.search") is None, reason="cikg.search not installed"),
]

CODES = ["ICD10:C34", "SNOMEDCT:363358000", "NCIT:C7377", "OMOP:443388", "lung cancer", "cáncer de pulmón"]


@pytest.fixture
def api(demo_catalogue: Catalogue) -> Iterator[str]:
    from cikg.web import create_app

    with live_server(create_app(catalogue=demo_catalogue)) as url:
        yield url


def found(api: str, value: str, *, descendants: bool) -> set[str]:
    body = {
        "query": {"field": "condition", "value": value, "descendants": descendants},
        "facets": False,
        "page_size": 100,
    }
    r = httpx.post(api + "/api/search", json=body, timeout=60)
    assert r.status_code == 200, r.text
    return {c["id"] for c in r.json()["collections"]}


@pytest.mark.parametrize("code", CODES)
def test_lung_cancer_finds_nsclc_only_collections_only_with_expansion(api: str, code: str) -> None:
    expanded = found(api, code, descendants=True)
    exact = found(api, code, descendants=False)
    assert set(NSCLC_ONLY) <= expanded
    assert not set(NSCLC_ONLY) & exact
