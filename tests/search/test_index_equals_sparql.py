"""The columnar index answers exactly what the SPARQL compiler answers, on 150 seeded random queries
(nested AND / OR / NOT over every field, expansion on and off) over the harvested fixture."""

from __future__ import annotations

import random

import pytest

from cikg.catalogue import Catalogue
from cikg.search.service import parse_request
from tests.search.randomq import tree

QUERIES = 150


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_index_equals_sparql_on_random_queries(search_catalogue: Catalogue, seed: int) -> None:
    searcher = search_catalogue.searcher
    rng = random.Random(1000 + seed)
    nonempty = 0
    for i in range(QUERIES // 3):
        query = tree(rng)
        by_index, _, _ = searcher.answer(parse_request({"query": query}))
        by_sparql, _, _ = searcher.answer(parse_request({"query": query, "engine": "sparql"}))
        assert by_index.comparable() == by_sparql.comparable(), (i, query)
        nonempty += bool(by_index.collections or by_index.seriesless)
    assert nonempty >= QUERIES // 3 // 4  # the generator is not just producing empty answers


def test_index_equals_sparql_without_a_query(search_catalogue: Catalogue) -> None:
    searcher = search_catalogue.searcher
    by_index, _, _ = searcher.answer(parse_request({}))
    by_sparql, _, _ = searcher.answer(parse_request({"engine": "sparql"}))
    assert by_index.comparable() == by_sparql.comparable()
    assert len(by_index.collections) == 6 and set(by_index.seriesless) == {
        "http://127.0.0.1:8000/collection/fhir-it"
    }
