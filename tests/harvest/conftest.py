"""Harvest test helpers: the real vocabulary as value mapper, collection metadata, a fresh embedded store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cikg.settings import Settings
from cikg.store.oxigraph import OxigraphStore
from cikg.vocab import Vocabulary
from tests.support.vocab import real_vocabulary

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
def mapper() -> Vocabulary:
    return real_vocabulary()


@pytest.fixture
def store(settings: Settings) -> Iterator[OxigraphStore]:
    s = OxigraphStore(settings.store_dir)
    yield s
    s.close()
