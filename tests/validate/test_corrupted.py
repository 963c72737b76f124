"""Randomly corrupted graphs: the fast path reports exactly pySHACL's violations.

Each seed takes the valid collection of ``test_gate`` (collection with its blank nodes, data holder,
harvest run, several series), applies a handful of random corruptions drawn from the kinds that break
the generated shapes (required property dropped, value duplicated, wrong datatype, ill-typed lexical
form, wrong or missing class, value outside the enumeration, pattern broken, IRI / literal / blank
node swapped, bound crossed, unknown predicate on a closed shape, type removed) and compares the
(focus, path, constraint component, value) sets of both engines.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pyoxigraph as ox
import pytest

from cikg.rdfmap import RdfMapper
from cikg.validate import validator
from tests.validate.test_gate import COLL, SERIES, L, N, _base, _load

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ONT = "https://w3id.org/cikg/ontology/"
SEEDS = range(12)

# replacement / extra values: right and wrong datatypes, ill-typed lexical forms, bounds, enumerations,
# patterns, classes (typed elsewhere in the graph, untyped) and node kinds
POOL: list[ox.NamedNode | ox.BlankNode | ox.Literal] = [
    L("3"),
    L("d", lang="en"),
    L(""),
    L("PatientID 123"),
    L("a" * 64),
    L("maybe"),
    L("conforms"),
    L("-5", "integer"),
    L("0", "integer"),
    L("90", "integer"),
    L("91", "integer"),
    L("1000", "integer"),
    L("many", "integer"),
    L("2.5", "decimal"),
    L("1e3", "double"),
    L("3.0", "float"),
    L("abc", "float"),
    L("true", "boolean"),
    L("yes", "boolean"),
    L("2020-03", "gYearMonth"),
    L("2020-13", "gYearMonth"),
    L("2020-01-01", "date"),
    L("2020-02-30", "date"),
    L("2024-01-01T00:00:00+00:00", "dateTime"),
    L("yesterday", "dateTime"),
    N(ONT + "modality_mr"),
    N(ONT + "modality_xx"),
    N(ONT + "male"),
    N(COLL),
    N("urn:cikg:run:1"),
    N("http://node.example/data-holder/h1"),
    N("http://node.example/nobody"),
    N("mailto:team@example.org"),
    ox.BlankNode("loose"),
]
Mutation = Callable[[list[ox.Triple], random.Random], list[ox.Triple]]


def _graph() -> list[ox.Triple]:
    out = _base()
    m = RdfMapper()
    for i in range(3):
        key = f"{i + 1:064x}"
        out += m.triples(dict(SERIES, id=f"{COLL}/series/{key}", series_key=key), "SeriesSummary")
    return out


def _pick(ts: list[ox.Triple], rng: random.Random) -> ox.Triple:
    return rng.choice([t for t in ts if t.predicate.value != RDF_TYPE])


def _drop(ts: list[ox.Triple], rng: random.Random) -> list[ox.Triple]:
    t = _pick(ts, rng)
    return [u for u in ts if not (u.subject == t.subject and u.predicate == t.predicate)]


def _replace(ts: list[ox.Triple], rng: random.Random) -> list[ox.Triple]:
    t = _pick(ts, rng)
    return [u for u in ts if u != t] + [ox.Triple(t.subject, t.predicate, rng.choice(POOL))]


def _duplicate(ts: list[ox.Triple], rng: random.Random) -> list[ox.Triple]:
    t = _pick(ts, rng)
    return [*ts, ox.Triple(t.subject, t.predicate, rng.choice(POOL))]


def _unknown_predicate(ts: list[ox.Triple], rng: random.Random) -> list[ox.Triple]:
    t = _pick(ts, rng)
    return [*ts, ox.Triple(t.subject, N("http://example.org/patientName"), L("Doe^John"))]


def _untype(ts: list[ox.Triple], rng: random.Random) -> list[ox.Triple]:
    typed = [t for t in ts if t.predicate.value == RDF_TYPE]
    t = rng.choice(typed)
    return [u for u in ts if u != t]


MUTATIONS: list[Mutation] = [_drop, _replace, _replace, _replace, _duplicate, _unknown_predicate, _untype]


def _corrupted(seed: int) -> list[ox.Triple]:
    rng = random.Random(seed)
    ts = _graph()
    for _ in range(rng.randint(3, 8)):
        ts = rng.choice(MUTATIONS)(ts, rng)
    return ts


@pytest.mark.parametrize("seed", SEEDS)
def test_fast_path_equals_pyshacl_on_randomly_corrupted_graphs(seed: int) -> None:
    store, graph, ctx = _load(_corrupted(seed))
    fast = validator("sparql").validate(store, graph, context_graphs=ctx)
    ref = validator("pyshacl").validate(store, graph, context_graphs=ctx)
    assert fast.keys() == ref.keys(), (
        f"only fast: {fast.keys() - ref.keys()}; only pySHACL: {ref.keys() - fast.keys()}"
    )
    assert not fast.conforms  # every seed breaks something the shapes forbid
    assert fast.focus_nodes > 0


def test_the_corruptions_cover_every_constraint_kind_the_shapes_use() -> None:
    """Across the seeds compared above, every component the generated shapes use is reported."""
    seen: set[str] = set()
    for seed in SEEDS:
        store, graph, ctx = _load(_corrupted(seed))
        report = validator("sparql").validate(store, graph, context_graphs=ctx)
        seen |= {v.component for v in report.violations}
    assert seen >= {
        "ClassConstraintComponent",
        "ClosedConstraintComponent",
        "DatatypeConstraintComponent",
        "InConstraintComponent",
        "MaxCountConstraintComponent",
        "MinCountConstraintComponent",
        "MinInclusiveConstraintComponent",
        "NodeKindConstraintComponent",
        "PatternConstraintComponent",
    }, seen
