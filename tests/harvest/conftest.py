"""Harvest test helpers: the interim value mapper (INTERIM: the lead switches these tests to the
vocabulary's ``map_value`` at merge), collection metadata, a fresh embedded store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cikg.harvest.interim_mapper import InterimValueMapper
from cikg.settings import Settings
from cikg.store.oxigraph import OxigraphStore

METADATA: dict[str, Any] = {
    "title": "Synthetic test collection",
    "data_holder": {
        "id": "h1",
        "name": "Test holder",
        "country": "ES",
        "juridical_person": "Test foundation",
    },
    "primary_cancer_condition": ["prostate_cancer"],
}


@pytest.fixture
def mapper() -> InterimValueMapper:
    return InterimValueMapper()


@pytest.fixture
def store(settings: Settings) -> Iterator[OxigraphStore]:
    s = OxigraphStore(settings.store_dir)
    yield s
    s.close()
