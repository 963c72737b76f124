"""The hub asking Beacon v2 nodes: native queries as Beacon filters, Beacon answers read back."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from cikg.catalogue import Catalogue
from cikg.federation import NotExpressible, beacon_request, beacon_results
from cikg.settings import Settings
from tests.beacon.schemas import errors
from tests.federation.cluster import http_response, raw_server, write_nodes


def _curie(value: str) -> str:
    return value if ":" in value else f"CIKG:{value}"


def test_native_and_query_becomes_beacon_filters() -> None:
    body = beacon_request(
        {
            "query": {
                "and": [
                    {"field": "condition", "value": "lung_cancer"},
                    {"field": "modality", "value": "DCM:CT", "descendants": False},
                    {"field": "age", "min": 50, "max": 70},
                ]
            }
        },
        _curie,
    )
    assert errors("request", body) == []
    assert body["query"]["filters"] == [
        {"id": "CIKG:lung_cancer", "includeDescendantTerms": True},
        {"id": "DCM:CT", "includeDescendantTerms": False},
        {"id": "age", "operator": ">=", "value": "50"},
        {"id": "age", "operator": "<=", "value": "70"},
    ]
    assert beacon_request({}, _curie)["query"]["filters"] == []


@pytest.mark.parametrize(
    ("criterion", "reason"),
    [
        ({"or": [{"field": "sex", "value": "female"}]}, "conjunction"),
        ({"not": {"field": "sex", "value": "female"}}, "conjunction"),
        ({"field": "modality", "value": ["CT", "MR"]}, "several values"),
        ({"field": "text", "value": "lung"}, "free-text"),
        ({"field": "subjects_count", "min": 3}, "numeric field"),
    ],
)
def test_what_beacon_filters_cannot_say_is_refused(criterion: dict[str, Any], reason: str) -> None:
    with pytest.raises(NotExpressible, match=reason):
        beacon_request({"query": criterion}, _curie)


def test_beacon_answers_are_read_or_rejected() -> None:
    assert beacon_results({"meta": {}, "responseSummary": {"exists": True, "numTotalResults": 12}}) == {
        "exists": True,
        "total": {"collections": 12},
        "collections": [],
    }
    with pytest.raises(ValueError, match="responseSummary"):
        beacon_results({"collections": []})


def _count_response(n: int) -> bytes:
    doc = {
        "meta": {
            "beaconId": "org.example.remote",
            "apiVersion": "v2.1.1",
            "returnedSchemas": [],
            "returnedGranularity": "count",
            "receivedRequestSummary": {
                "apiVersion": "v2.1.1",
                "requestedSchemas": [],
                "pagination": {},
                "requestedGranularity": "count",
            },
        },
        "responseSummary": {"exists": n > 0, "numTotalResults": n},
    }
    assert errors("count", doc) == []
    return http_response("200 OK", json.dumps(doc).encode())


def test_hub_mixes_cikg_and_beacon_nodes(tmp_path: Path) -> None:
    """A Beacon node answering a count, one that is not a Beacon, and an OR query it cannot express."""
    with raw_server(_count_response(14)) as remote, raw_server(http_response("200 OK", b"[]")) as odd:
        nodes = write_nodes(
            tmp_path / "nodes.yaml",
            [
                {"id": "remote", "name": "Remote Beacon", "base_url": remote, "protocol": "beacon"},
                {"id": "odd", "name": "Not a Beacon", "base_url": odd, "protocol": "beacon", "timeout": 1},
            ],
        )
        settings = Settings(data_dir=tmp_path / "hub", nodes_file=nodes)

        async def ask(query: dict[str, Any]) -> dict[str, Any]:
            with Catalogue(settings) as cat:
                async with httpx.AsyncClient() as client:
                    return await cat.federated_search(client, query, None)

        answer = asyncio.run(ask({"query": {"field": "modality", "value": "CT"}}))
        by_id = {n["id"]: n for n in answer["nodes"]}
        assert by_id["remote"]["status"] == "ok" and by_id["remote"]["total"]["collections"] == 14
        assert by_id["remote"]["exists"] is True
        assert by_id["odd"]["status"] == "error" and "unexpected answer" in by_id["odd"]["reason"]
        assert answer["partial"] is True
        answer = asyncio.run(ask({"query": {"or": [{"field": "modality", "value": "CT"}]}}))
        assert {n["status"] for n in answer["nodes"]} == {"error"}
        assert all("conjunction" in n["reason"] for n in answer["nodes"])
