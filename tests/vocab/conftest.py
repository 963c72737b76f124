"""Fixtures for the term service: the fixture hyperontology (tests/data/vocab/ontology) and a
Vocabulary over it, optionally with imported vocabularies in a real Oxigraph store."""

from __future__ import annotations

from pathlib import Path

import pytest

from cikg.vocab import Vocabulary, VocabularyInputs, load_vocabulary

DATA = Path(__file__).resolve().parents[1] / "data" / "vocab"
FIXTURE_ONTOLOGY = DATA / "ontology"


@pytest.fixture(scope="session")
def fixture_inputs() -> VocabularyInputs:
    return VocabularyInputs.from_dir(FIXTURE_ONTOLOGY)


@pytest.fixture(scope="session")
def vocab(fixture_inputs: VocabularyInputs) -> Vocabulary:
    return load_vocabulary(inputs=fixture_inputs)
