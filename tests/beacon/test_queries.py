"""Beacon datasets / cohorts queries on a real node (harvested DICOM, uvicorn on 127.0.0.1): filters
answered through Catalogue.search, every response valid against the official schemas, GET and POST,
boolean / count / record, never record level (nor a count below k) for anonymous callers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cikg.catalogue import Catalogue
from cikg.federation import exposed_counts
from cikg.settings import Settings
from tests.beacon.schemas import errors
from tests.federation.cluster import NodeData, harvest_node
from tests.support.live_server import free_tcp_port, live_server

TOKEN = "beacon-test-token"


class Node:
    def __init__(self, url: str, held: list[NodeData], cat: Catalogue) -> None:
        self.url, self.held, self.cat = url, held, cat

    def ask(self, path: str, *, method: str = "POST", token: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.request(method, self.url + "/beacon" + path, headers=headers, timeout=60, **kw)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    root: Path = tmp_path_factory.mktemp("beacon")
    port = free_tcp_port()
    base = f"http://127.0.0.1:{port}"
    data_dir = root / "data"
    # two harvests into one store: four collections (lung CT, prostate MR, breast MR, colorectal CT mix)
    held = [harvest_node(data_dir, "a", 0, base_url=base), harvest_node(data_dir, "b", 5, base_url=base)]
    settings = Settings(data_dir=data_dir, port=port, base_url=base, access_tokens=[TOKEN], min_count=10)
    with Catalogue(settings) as cat:
        from cikg.web import create_app

        with live_server(create_app(catalogue=cat), port=port) as url:
            yield Node(url, held, cat)


def body(filters: list[Any], granularity: str = "record") -> dict[str, Any]:
    return {
        "meta": {"apiVersion": "v2.1.1"},
        "query": {"filters": filters, "requestedGranularity": granularity},
    }


def ids(doc: dict[str, Any]) -> set[str]:
    return {c["id"] for c in doc["response"]["collections"]}


def local_ids(node: Node, query: dict[str, Any]) -> set[str]:
    return {c["id"] for c in node.cat.search({**query, "page_size": 0})["collections"]}


def check(doc: dict[str, Any], entry_type: str) -> None:
    assert errors(doc["meta"]["returnedGranularity"], doc) == []
    for record in (doc.get("response") or {}).get("collections", []):
        assert errors(entry_type, record) == []


@pytest.mark.parametrize("path,entry_type", [("/datasets", "dataset"), ("/cohorts", "cohort")])
def test_filters_answer_like_the_local_search(node: Node, path: str, entry_type: str) -> None:
    cases = [
        ([], {}),
        (["NCIT:C7377"], {"query": {"field": "condition", "value": "NCIT:C7377"}}),
        (["DCM:MR"], {"query": {"field": "modality", "value": "DCM:MR"}}),
        (
            ["CIKG:malignant_neoplasm", {"id": "age", "operator": ">=", "value": "60"}],
            {
                "query": {
                    "and": [
                        {"field": "condition", "value": "malignant_neoplasm"},
                        {"field": "age", "min": 60},
                    ]
                }
            },
        ),
        (
            [{"id": "modality", "operator": "!", "value": "CT"}],
            {"query": {"not": {"field": "modality", "value": "CT"}}},
        ),
    ]
    for filters, query in cases:
        r = node.ask(path, json=body(filters), token=TOKEN)
        assert r.status_code == 200, r.text
        doc = r.json()
        check(doc, entry_type)
        assert doc["meta"]["returnedGranularity"] == "record"
        assert ids(doc) == local_ids(node, query), filters
        assert doc["responseSummary"]["numTotalResults"] == len(ids(doc))
    if entry_type == "cohort":
        sizes = {
            c["id"]: c["cohortSize"]
            for c in node.ask(path, json=body([]), token=TOKEN).json()["response"]["collections"]
        }
        assert sizes == {cid: n for h in node.held for cid, n in h.collections.items()}


def test_descendants_by_default_and_include_descendant_terms_honoured(node: Node) -> None:
    parent = [{"id": "CIKG:malignant_neoplasm"}]
    with_desc = node.ask("/datasets", json=body(parent), token=TOKEN).json()
    assert len(ids(with_desc)) == 4  # every collection is of a cancer below malignant_neoplasm
    exact = node.ask(
        "/datasets", json=body([{**parent[0], "includeDescendantTerms": False}]), token=TOKEN
    ).json()
    check(exact, "dataset")
    assert ids(exact) == set() and exact["responseSummary"]["exists"] is False
    got = node.ask(
        "/datasets",
        method="GET",
        params={
            "filters": "CIKG:malignant_neoplasm",
            "includeDescendantTerms": "false",
            "requestedGranularity": "record",
        },
        token=TOKEN,
    ).json()
    assert ids(got) == set()


@pytest.mark.parametrize("path,entry_type", [("/datasets", "dataset"), ("/cohorts", "cohort")])
@pytest.mark.parametrize("granularity", ["boolean", "count", "record"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_anonymous_granularity(node: Node, path: str, entry_type: str, granularity: str, method: str) -> None:
    if method == "GET":
        r = node.ask(
            path,
            method="GET",
            params={"filters": "CIKG:malignant_neoplasm", "requestedGranularity": granularity},
        )
    else:
        r = node.ask(path, json=body(["CIKG:malignant_neoplasm"], granularity))
    assert r.status_code == 200, r.text
    doc = r.json()
    check(doc, entry_type)
    returned = doc["meta"]["returnedGranularity"]
    assert returned != "record" and "response" not in doc
    assert doc["responseSummary"]["exists"] is True
    # 4 collections match: below k=10, so no count is shown to an anonymous caller
    assert returned == "boolean" and "numTotalResults" not in doc["responseSummary"]
    assert all(n >= 10 for n in exposed_counts(doc))
    assert doc["meta"]["receivedRequestSummary"]["requestedGranularity"] == granularity


def test_counts_for_an_authorised_caller_and_single_entries(node: Node) -> None:
    doc = node.ask("/cohorts", json=body([], "count"), token=TOKEN).json()
    check(doc, "cohort")
    assert doc["meta"]["returnedGranularity"] == "count" and doc["responseSummary"]["numTotalResults"] == 4
    one = next(iter(node.held[0].collections))
    got = node.ask(f"/datasets/{one}", method="GET", params={"requestedGranularity": "record"}, token=TOKEN)
    assert got.status_code == 200 and ids(got.json()) == {one}
    missing = node.ask("/datasets/nope", method="GET", token=TOKEN)
    assert missing.status_code == 404 and errors("error", missing.json()) == []


@pytest.mark.parametrize(
    "filters,names",
    [
        (["NOPE:123"], "filters[0] (NOPE:123)"),
        ([{"id": "age", "operator": "~", "value": "3"}], "operator '~'"),
        ([{"id": "age", "operator": ">", "value": "old"}], "not a number"),
        ([{"id": "shoe_size", "operator": "=", "value": "3"}], "unknown alphanumeric filter"),
        (["CIKG:left"], "searches do not cover"),
    ],
)
def test_bad_filters_are_beacon_errors_naming_the_filter(node: Node, filters: list[Any], names: str) -> None:
    r = node.ask("/datasets", json=body(filters))
    assert r.status_code == 400
    doc = r.json()
    assert errors("error", doc) == []
    assert names in doc["error"]["errorMessage"]
    assert node.ask("/info", method="GET").status_code == 200  # still answering
