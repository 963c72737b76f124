"""The steward's collection metadata: inline data holder and distributions, and clear errors."""

from __future__ import annotations

import pytest

from cikg.harvest.base import MappingTally
from cikg.harvest.collection_meta import MetadataError, build
from tests.harvest.clinical_mapper import DictMapper

BASE = "http://node.example"
META = {
    "title": "A collection",
    "data_holder": {"id": "site-a", "name": "Site A", "country": "ES"},
    "primary_cancer_condition": ["ICD10:C61"],
    "distribution": [
        {"id": "a-access", "title": "Access on request", "access_url": "https://portal.example/request"},
        "https://elsewhere.example/distribution/x",
    ],
}


def test_inline_distributions_are_emitted_and_linked() -> None:
    obj, extra = build(
        META,
        collection_id="a",
        collection=f"{BASE}/collection/a",
        base_url=BASE,
        tally=MappingTally(DictMapper()),
    )
    assert obj["distribution"] == [
        f"{BASE}/distribution/a-access",
        "https://elsewhere.example/distribution/x",
    ]
    kinds = {cls: o for cls, o in extra}
    assert kinds["Distribution"]["id"] == f"{BASE}/distribution/a-access"
    assert kinds["Distribution"]["access_url"] == "https://portal.example/request"
    assert kinds["DataHolder"]["id"] == f"{BASE}/holder/site-a"


def test_a_distribution_without_access_url_is_a_clear_error() -> None:
    bad = {**META, "distribution": [{"id": "a-access", "title": "no URL"}]}
    with pytest.raises(MetadataError, match="access_url"):
        build(
            bad,
            collection_id="a",
            collection=f"{BASE}/collection/a",
            base_url=BASE,
            tally=MappingTally(DictMapper()),
        )
