"""One harvested multi-collection catalogue per test session (tests/search/fixture.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cikg.catalogue import Catalogue
from cikg.settings import Settings
from tests.search.fixture import build


@pytest.fixture(scope="session")
def search_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalogue]:
    work = tmp_path_factory.mktemp("search")
    settings = Settings(data_dir=work / "data", base_url="http://127.0.0.1:8000")
    cat = Catalogue(settings)
    build(cat, work)
    yield cat
    cat.close()
