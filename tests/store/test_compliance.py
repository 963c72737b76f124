"""One compliance suite for every TripleStore adapter.

The embedded store always; a real Virtuoso and a real Oxigraph server (started on 127.0.0.1 by the
fixtures in tests/support/servers.py) as integration tests. CI installs both and runs these.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from cikg.namespaces import SYSTEM_GRAPH
from cikg.store import RdfData, SourceRejected, StoreError, TripleStore
from cikg.store.oxigraph import OxigraphStore
from cikg.store.remote import RemoteSparqlStore

SRC_A = "urn:cikg:source:a"
SRC_B = "urn:cikg:source:b"
EX = "http://example.org/"


def turtle(n: int, tag: str) -> bytes:
    lines = [f'<{EX}s{i}> <{EX}p> "{tag}-{i}" ; a <{EX}Thing> .' for i in range(n)]
    return "\n".join(lines).encode()


def _remote(server: object) -> RemoteSparqlStore:
    return RemoteSparqlStore(**server.store_kwargs())  # type: ignore[attr-defined]


def _wipe(store: RemoteSparqlStore) -> None:
    store.retire_grace = 0
    for info in store.sources():
        store.drop_source(info.source)
    store.collect_garbage()
    store.update_system(f"DROP SILENT GRAPH <{SYSTEM_GRAPH}>")
    store.retire_grace = 300


@pytest.fixture(params=["embedded", "virtuoso", "oxigraph-server"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TripleStore]:
    if request.param == "embedded":
        s: TripleStore = OxigraphStore(tmp_path / "store")
    else:
        request.applymarker(pytest.mark.integration)
        server = request.getfixturevalue("virtuoso" if request.param == "virtuoso" else "oxigraph_server")
        s = _remote(server)
        _wipe(s)
    yield s
    if request.param != "embedded":
        _wipe(s)
    s.close()


def count_things(store: TripleStore) -> int:
    res = store.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{EX}Thing> }}")
    rows = list(res.rows())
    return int(rows[0]["n"].value)  # type: ignore[union-attr]


def test_replace_source_and_query_union(store: TripleStore) -> None:
    info = store.replace_source(SRC_A, RdfData.of_bytes(turtle(5, "a"), ox.RdfFormat.TURTLE))
    assert info.triples == 10
    store.replace_source(SRC_B, RdfData.of_bytes(turtle(3, "b"), ox.RdfFormat.TURTLE))
    # distinct subjects overlap (s0..s2 in both): the union default graph holds 5 distinct things
    assert count_things(store) == 5
    values = {r["o"].value for r in store.query(f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }}").rows()}  # type: ignore[union-attr]
    assert values == {f"a-{i}" for i in range(5)} | {f"b-{i}" for i in range(3)}
    assert [s.source for s in store.sources()] == [SRC_A, SRC_B]


def test_replacing_swaps_versions_and_drops_the_old_graph(store: TripleStore) -> None:
    first = store.replace_source(SRC_A, RdfData.of_bytes(turtle(4, "v1"), ox.RdfFormat.TURTLE))
    second = store.replace_source(SRC_A, RdfData.of_bytes(turtle(2, "v2"), ox.RdfFormat.TURTLE))
    assert first.graph != second.graph
    values = {r["o"].value for r in store.query(f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }}").rows()}  # type: ignore[union-attr]
    assert values == {"v2-0", "v2-1"}
    graphs = {r["g"].value for r in store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows()}
    assert first.graph not in graphs
    if isinstance(store, RemoteSparqlStore):  # superseded graphs wait out a grace period for slow readers
        assert store.collect_garbage() == []
        assert store.count(first.graph) == 8
        store.retire_grace = 0
        assert store.collect_garbage() == [first.graph]
    assert store.count(first.graph) == 0
    assert store.source(SRC_A) == second


def test_graph_clause_sees_current_version_graphs(store: TripleStore) -> None:
    info = store.replace_source(SRC_A, RdfData.of_bytes(turtle(2, "a"), ox.RdfFormat.TURTLE))
    graphs = {r["g"].value for r in store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows()}  # type: ignore[union-attr]
    assert info.graph in graphs
    assert SYSTEM_GRAPH in graphs


def test_ask_and_construct(store: TripleStore) -> None:
    store.replace_source(SRC_A, RdfData.of_bytes(turtle(2, "a"), ox.RdfFormat.TURTLE))
    assert store.query(f'ASK {{ <{EX}s1> <{EX}p> "a-1" }}').boolean is True
    assert store.query(f'ASK {{ <{EX}s1> <{EX}p> "nope" }}').boolean is False
    triples = list(store.query(f"CONSTRUCT {{ ?s <{EX}q> ?o }} WHERE {{ ?s <{EX}p> ?o }}").triples)
    assert len(triples) == 2
    assert {t.object.value for t in triples} == {"a-0", "a-1"}


def test_invalid_rdf_is_rejected_and_store_unchanged(store: TripleStore) -> None:
    store.replace_source(SRC_A, RdfData.of_bytes(turtle(3, "good"), ox.RdfFormat.TURTLE))
    before = store.sources()
    bad = turtle(3, "bad") + b"\n<broken> <triple> ."
    with pytest.raises(StoreError):
        store.replace_source(SRC_A, RdfData.of_bytes(bad, ox.RdfFormat.TURTLE))
    assert store.sources() == before
    assert count_things(store) == 3
    assert store.collect_garbage() == []


def test_validator_rejection_keeps_previous_version(store: TripleStore) -> None:
    store.replace_source(SRC_A, RdfData.of_bytes(turtle(3, "good"), ox.RdfFormat.TURTLE))
    seen = {}

    def refuse(staged: object) -> None:
        seen["n"] = staged.store.count(staged.graph)  # type: ignore[attr-defined]
        # the staged graph is queryable on its own while the rest of the store still shows the old one
        seen["staged_things"] = len(
            list(staged.store.query(f"SELECT ?s WHERE {{ ?s a <{EX}Thing> }}", graph=staged.graph).rows())  # type: ignore[attr-defined]
        )
        seen["visible"] = count_things(staged.store)  # type: ignore[attr-defined]
        raise SourceRejected("no")

    with pytest.raises(SourceRejected):
        store.replace_source(SRC_A, RdfData.of_bytes(turtle(7, "new"), ox.RdfFormat.TURTLE), validate=refuse)
    assert seen == {"n": 14, "staged_things": 7, "visible": 3}
    values = {r["o"].value for r in store.query(f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }}").rows()}  # type: ignore[union-attr]
    assert values == {"good-0", "good-1", "good-2"}


def test_drop_source(store: TripleStore) -> None:
    info = store.replace_source(SRC_A, RdfData.of_bytes(turtle(2, "a"), ox.RdfFormat.TURTLE))
    assert store.drop_source(SRC_A) is True
    assert store.drop_source(SRC_A) is False
    assert store.sources() == []
    assert count_things(store) == 0
    if isinstance(store, RemoteSparqlStore):
        store.retire_grace = 0
        store.collect_garbage()
    assert store.count(info.graph) == 0


def test_load_from_file_and_triples(store: TripleStore, tmp_path: Path) -> None:
    f = tmp_path / "data.nt"
    f.write_text(f'<{EX}x> <{EX}p> "file" .\n<{EX}x> <{RDF_TYPE}> <{EX}Thing> .\n')
    store.replace_source(SRC_A, RdfData.file(f))
    store.replace_source(
        SRC_B,
        RdfData.of_triples(
            [ox.Triple(ox.NamedNode(EX + "y"), ox.NamedNode(RDF_TYPE), ox.NamedNode(EX + "Thing"))]
        ),
    )
    assert count_things(store) == 2
    info = store.source(SRC_A)
    assert info is not None
    assert sorted(t.object.value for t in store.triples(info.graph)) == sorted([EX + "Thing", "file"])


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def test_ntriples_writes_terms_as_pyoxigraph_does(store: TripleStore) -> None:
    odd = [
        ox.Literal('quote " backslash \\ newline \n tab \t'),
        ox.Literal("Größe ✓ \u2028 sep", language="de"),
        ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.NamedNode(EX + "o"),
    ]
    triples = [ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + f"p{i}"), o) for i, o in enumerate(odd)]
    info = store.replace_source(SRC_A, RdfData.of_triples(triples))
    lines = [line for line in store.ntriples(info.graph).decode().split("\n") if line]
    got = {tuple(line[:-2].split(" ", 2)) for line in lines}
    want = {(str(t.subject), str(t.predicate), str(t.object)) for t in store.triples(info.graph)}
    assert len(got) == len(triples) and got == want


def test_dump_round_trips(store: TripleStore, tmp_path: Path) -> None:
    import io

    store.replace_source(SRC_A, RdfData.of_bytes(turtle(3, "a"), ox.RdfFormat.TURTLE))
    buf = io.BytesIO()
    n = store.dump(buf, ox.RdfFormat.N_QUADS)
    quads = list(ox.parse(buf.getvalue(), format=ox.RdfFormat.N_QUADS))
    assert n == len(quads) and n >= 6
    graphs = {q.graph_name.value for q in quads}
    info = store.source(SRC_A)
    assert info is not None and graphs == {info.graph, SYSTEM_GRAPH}


def test_readers_never_see_a_mix_during_replace(store: TripleStore) -> None:
    """While a source is replaced again and again, every reader sees exactly the old or the new one."""
    sizes = (40, 90)
    store.replace_source(SRC_A, RdfData.of_bytes(turtle(sizes[0], "x"), ox.RdfFormat.TURTLE))
    seen: list[int] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            while not stop.is_set():
                seen.append(count_things(store))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for i in range(6):
            n = sizes[(i + 1) % 2]
            store.replace_source(SRC_A, RdfData.of_bytes(turtle(n, f"r{i}"), ox.RdfFormat.TURTLE))
            time.sleep(0.01)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors
    assert seen, "the readers never ran"
    assert set(seen) <= set(sizes), f"a reader saw a mix: {sorted(set(seen) - set(sizes))}"


def test_leftover_version_graphs_are_collected(store: TripleStore) -> None:
    """A crash after staging leaves an unreferenced version graph; collection removes it."""
    store.replace_source(SRC_A, RdfData.of_bytes(turtle(2, "a"), ox.RdfFormat.TURTLE))
    stray = SRC_A + "/version/20200101T000000-deadbeef"
    if isinstance(store, OxigraphStore):
        store._store.add(
            ox.Quad(
                ox.NamedNode(EX + "z"),
                ox.NamedNode(RDF_TYPE),
                ox.NamedNode(EX + "Thing"),
                ox.NamedNode(stray),
            )
        )
        store._reload_registry()
    else:
        store.update_system(f"INSERT DATA {{ GRAPH <{stray}> {{ <{EX}z> a <{EX}Thing> }} }}")
    assert count_things(store) == 2  # the stray graph is not visible to queries
    assert store.collect_garbage() == [stray]
    assert store.count(stray) == 0
    assert count_things(store) == 2
