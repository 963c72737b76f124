"""Beacon datasets / cohorts responses: valid against the official schemas for every granularity,
and no count below k for anonymous callers (property-based)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cikg.beacon import BeaconContext, BeaconRequest, collections_response, error_response
from cikg.federation import CountPolicy, exposed_counts
from tests.beacon.schemas import errors

CTX = BeaconContext("org.example.beacon", "Test beacon", "http://127.0.0.1:1", "0.1.0", "Example")
counts = st.integers(0, 300)


@st.composite
def answers(draw: Any) -> dict[str, Any]:
    cols = [
        {
            "id": f"c{i}",
            "title": draw(st.text(min_size=1, max_size=8)),
            "description": "d",
            "subjects_count": draw(counts),
            "studies_count": draw(counts),
            "series_count": draw(counts),
            "age_range": {"min": 30, "max": 80},
            "modalities": ["CT"],
        }
        for i in range(draw(st.integers(0, 25)))
    ]
    return {
        "total": {
            "collections": len(cols),
            "subjects_count": sum(c["subjects_count"] for c in cols),
            "studies_count": sum(c["studies_count"] for c in cols),
        },
        "collections": cols,
    }


def _check(doc: dict[str, Any], entry_type: str) -> None:
    granularity = doc["meta"]["returnedGranularity"]
    assert errors(granularity, doc) == []
    for record in (doc.get("response") or {}).get("collections", []):
        assert errors(entry_type, record) == []


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(
    answers(),
    st.sampled_from(["dataset", "cohort"]),
    st.sampled_from(["boolean", "count", "record"]),
    st.integers(1, 20),
    st.booleans(),
)
def test_every_granularity_validates_and_hides_small_counts(
    answer: dict[str, Any], entry_type: str, granularity: str, k: int, authorised: bool
) -> None:
    request = BeaconRequest(granularity=granularity, limit=0)
    policy = None if authorised else CountPolicy(k)
    doc = collections_response(CTX, entry_type, request, answer, policy)
    _check(doc, entry_type)
    returned = doc["meta"]["returnedGranularity"]
    assert doc["responseSummary"]["exists"] == bool(answer["collections"])
    if authorised:
        assert returned == granularity
        if granularity != "boolean":
            assert doc["responseSummary"]["numTotalResults"] == len(answer["collections"])
    else:
        assert returned != "record"  # never record level for anonymous callers
        assert all(n >= k for n in exposed_counts(doc))
        total = doc["responseSummary"].get("numTotalResults")
        assert total is None or total >= k
        if granularity != "boolean" and len(answer["collections"]) < k:
            assert returned == "boolean"


def test_record_page_and_cohort_size() -> None:
    answer = {
        "total": {"collections": 3, "subjects_count": 60},
        "collections": [{"id": f"c{i}", "title": f"C{i}", "subjects_count": 20} for i in range(3)],
    }
    doc = collections_response(
        CTX, "cohort", BeaconRequest(granularity="record", skip=1, limit=2), answer, None
    )
    _check(doc, "cohort")
    assert [c["id"] for c in doc["response"]["collections"]] == ["c2"]
    assert doc["response"]["collections"][0]["cohortSize"] == 20


def test_the_validator_rejects_what_the_schema_forbids() -> None:
    """The loader really enforces the schemas (a count response without its count is invalid)."""
    doc = collections_response(CTX, "dataset", BeaconRequest(granularity="count"), {"collections": []}, None)
    assert errors("count", doc) == []
    del doc["responseSummary"]["numTotalResults"]
    assert errors("count", doc)
    assert errors("dataset", {"id": "x"})  # name is required
    bad = error_response(CTX, "dataset", None, 400, "filters[0] (XYZ:1): unknown")
    assert errors("error", bad) == []
    bad["error"]["errorCode"] = "400"
    assert errors("error", bad)


@pytest.mark.parametrize("kind", ["dataset", "cohort", "boolean", "count", "record", "info", "map"])
def test_schemas_resolve_every_reference(kind: str) -> None:
    """Resolving happens lazily: validate a trivially wrong document to walk the references."""
    assert errors(kind, {"unexpected": True}) is not None
