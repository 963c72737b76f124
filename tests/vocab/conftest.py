"""Fixtures for the hyperontology and term-service tests: the merged ontology, the official standards
folder, and a Vocabulary over the fixture hyperontology (tests/data/vocab/ontology)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cikg.vocab import Vocabulary, VocabularyInputs, build, load_vocabulary
from tests.support import standards

DATA = Path(__file__).resolve().parents[1] / "data" / "vocab"
FIXTURE_ONTOLOGY = DATA / "ontology"


@pytest.fixture(scope="session")
def onto() -> build.Ontology:
    return build.load()


@pytest.fixture(scope="session")
def standards_dir() -> Path:
    return standards.standards_dir()


@pytest.fixture(scope="session")
def sssom_json_schema() -> dict[str, Any]:
    return standards.sssom_json_schema()


@pytest.fixture(scope="session")
def fixture_inputs() -> VocabularyInputs:
    return VocabularyInputs.from_dir(FIXTURE_ONTOLOGY)


@pytest.fixture(scope="session")
def vocab(fixture_inputs: VocabularyInputs) -> Vocabulary:
    return load_vocabulary(inputs=fixture_inputs)
