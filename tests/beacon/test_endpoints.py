"""The Beacon framework endpoints of a real node (uvicorn on 127.0.0.1), validated against the official
v2.1.1 schemas, GET and POST."""

from __future__ import annotations

import httpx
import pytest

from tests.beacon.schemas import errors

DOCUMENTS = {
    "": "info",
    "/": "info",
    "/info": "info",
    "/service-info": "service-info",
    "/map": "map",
    "/configuration": "configuration",
    "/entry_types": "entry_types",
    "/filtering_terms": "filtering_terms",
}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_framework_documents_validate(live_app: str, method: str) -> None:
    with httpx.Client(base_url=live_app, timeout=60) as client:
        for path, kind in DOCUMENTS.items():
            r = client.request(method, "/beacon" + path, **({"json": {}} if method == "POST" else {}))
            assert r.status_code == 200, (path, r.text)
            assert errors(kind, r.json()) == [], path


def test_map_and_terms_describe_this_node(live_app: str) -> None:
    with httpx.Client(base_url=live_app, timeout=60) as client:
        endpoint_sets = client.get("/beacon/map").json()["response"]["endpointSets"]
        assert endpoint_sets["dataset"]["rootUrl"] == live_app + "/beacon/datasets"
        assert endpoint_sets["cohort"]["rootUrl"] == live_app + "/beacon/cohorts"
        terms = client.get("/beacon/filtering_terms").json()["response"]
    ids = {t["id"]: t for t in terms["filteringTerms"]}
    # hyperontology concepts of every searchable branch, and the alphanumeric fields
    assert ids["CIKG:lung_cancer"]["label"] == "Lung cancer"
    assert ids["CIKG:lung_cancer"]["scopes"] == ["datasets", "cohorts"]
    assert {"CIKG:modality_ct", "age", "field_strength", "modality"} <= set(ids)
    assert ids["age"]["type"] == "alphanumeric"
    assert all(t["type"] in ("ontology", "alphanumeric") for t in terms["filteringTerms"])
    assert {r["id"] for r in terms["resources"]} >= {"CIKG"}
