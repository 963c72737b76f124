"""/sparql as SPARQL 1.1 Protocol: real clients (SPARQLWrapper, rdflib's SPARQLStore) over real HTTP."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from cikg.catalogue import Catalogue
from cikg.store import RdfData

EX = "http://example.org/"
DATA = f"""
@prefix ex: <{EX}> .
ex:c1 a ex:Collection ; ex:title "Lung CT"@en ; ex:subjects 120 .
ex:c2 a ex:Collection ; ex:title "Próstata RM"@es ; ex:subjects 45 .
ex:c3 a ex:Collection ; ex:title "Breast \\"MG\\", with, commas" ; ex:subjects 7 .
""".encode()

SELECT = f"SELECT ?c ?t ?n WHERE {{ ?c a <{EX}Collection> ; <{EX}title> ?t ; <{EX}subjects> ?n }} ORDER BY ?n"
CONSTRUCT = f"CONSTRUCT {{ ?c <{EX}label> ?t }} WHERE {{ ?c <{EX}title> ?t }}"


@pytest.fixture
def loaded(catalogue: Catalogue) -> Catalogue:
    catalogue.store.replace_source("urn:cikg:source:t", RdfData.of_bytes(DATA, ox.RdfFormat.TURTLE))
    return catalogue


@pytest.fixture
def endpoint(loaded: Catalogue, live_app: str) -> str:
    return live_app + "/sparql"


def wrapper(endpoint: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    w = SPARQLWrapper(endpoint)
    w.setQuery(query)
    w.setReturnFormat(fmt)
    w.setMethod(method)
    return w


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json(endpoint: str, method: str) -> None:
    res = wrapper(endpoint, SELECT, JSON, method).query().convert()
    rows = res["results"]["bindings"]  # type: ignore[index]
    assert [r["n"]["value"] for r in rows] == ["7", "45", "120"]
    assert rows[1]["t"] == {"type": "literal", "value": "Próstata RM", "xml:lang": "es"}
    assert rows[0]["n"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_sparqlwrapper_select_xml(endpoint: str) -> None:
    doc = wrapper(endpoint, SELECT, XML).query().convert()
    values = [b.firstChild.data for b in doc.getElementsByTagName("literal")]  # type: ignore[union-attr]
    assert values[:2] == ['Breast "MG", with, commas', "7"]
    assert "Lung CT" in values and "45" in values
    langs = [b.getAttribute("xml:lang") for b in doc.getElementsByTagName("literal")]  # type: ignore[union-attr]
    assert "es" in langs


def test_sparqlwrapper_select_csv_and_tsv(endpoint: str) -> None:
    raw = wrapper(endpoint, SELECT, CSV).query().convert()
    rows = list(csv.reader(io.StringIO(raw.decode())))  # type: ignore[union-attr]
    assert rows[0] == ["c", "t", "n"]
    assert rows[1] == [EX + "c3", 'Breast "MG", with, commas', "7"]
    raw = wrapper(endpoint, SELECT, TSV).query().convert()
    lines = raw.decode().splitlines()  # type: ignore[union-attr]
    assert lines[0] == "?c\t?t\t?n"
    assert lines[2] == f'<{EX}c2>\t"Próstata RM"@es\t45'


def test_sparqlwrapper_ask(endpoint: str) -> None:
    assert wrapper(endpoint, f"ASK {{ <{EX}c1> ?p ?o }}", JSON).query().convert()["boolean"] is True  # type: ignore[index]
    assert wrapper(endpoint, f"ASK {{ <{EX}nope> ?p ?o }}", JSON).query().convert()["boolean"] is False  # type: ignore[index]
    doc = wrapper(endpoint, f"ASK {{ <{EX}c1> ?p ?o }}", XML).query().convert()
    assert doc.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD])
def test_sparqlwrapper_construct_every_graph_format(endpoint: str, fmt: str) -> None:
    result = wrapper(endpoint, CONSTRUCT, fmt).query()
    g = rdflib.Graph()
    body = result.response.read()
    ctype = result.response.headers.get("Content-Type", "").split(";")[0]
    g.parse(
        data=body,
        format={
            "text/turtle": "turtle",
            "application/rdf+xml": "xml",
            "application/ld+json": "json-ld",
            "application/n-triples": "nt",
        }[ctype],
    )
    assert len(g) == 3
    assert (
        rdflib.URIRef(EX + "c2"),
        rdflib.URIRef(EX + "label"),
        rdflib.Literal("Próstata RM", lang="es"),
    ) in g


def test_rdflib_sparqlstore_client(endpoint: str) -> None:
    store = SPARQLStore(endpoint)
    g = rdflib.Graph(store=store)
    rows = list(g.query(SELECT))
    assert [int(r.n) for r in rows] == [7, 45, 120]  # type: ignore[union-attr]
    assert bool(g.query(f"ASK {{ <{EX}c1> ?p ?o }}").askAnswer) is True
    constructed = g.query(CONSTRUCT).graph
    assert constructed is not None and len(constructed) == 3
    assert (rdflib.URIRef(EX + "c1"), rdflib.URIRef(EX + "subjects"), rdflib.Literal(120)) in g


@pytest.mark.parametrize(
    ("accept", "ctype"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
        ("text/html;q=0.9, text/csv", "text/csv"),
    ],
)
def test_accept_header_negotiation(endpoint: str, accept: str, ctype: str) -> None:
    r = httpx.get(endpoint, params={"query": SELECT}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(ctype)


def test_post_sparql_query_body(endpoint: str) -> None:
    r = httpx.post(endpoint, content=SELECT, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 3


def test_unacceptable_type_is_406(endpoint: str) -> None:
    r = httpx.get(endpoint, params={"query": SELECT}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.json()["detail"]


def _triples(cat: Catalogue) -> list[str]:
    return sorted(str(t) for s in cat.sources() for t in cat.store.triples(s.graph))


@pytest.mark.parametrize(
    "query",
    [
        f"INSERT DATA {{ <{EX}x> <{EX}p> 1 }}",
        f"DELETE WHERE {{ <{EX}c1> ?p ?o }}",
        "DROP ALL",
        f"DROP GRAPH <{EX}g>",
        "CLEAR DEFAULT",
        "LOAD <http://example.org/data.ttl>",
        f"PREFIX ex: <{EX}> # comment\nINSERT {{ ?s ex:q 1 }} WHERE {{ ?s ?p ?o }}",
    ],
)
def test_updates_are_refused_and_store_unchanged(loaded: Catalogue, endpoint: str, query: str) -> None:
    before = _triples(loaded)
    for r in (
        httpx.get(endpoint, params={"query": query}),
        httpx.post(endpoint, data={"query": query}),
        httpx.post(endpoint, data={"update": query}),
        httpx.post(endpoint, content=query, headers={"Content-Type": "application/sparql-update"}),
    ):
        assert 400 <= r.status_code < 500, r.text
        assert "read-only" in r.json()["detail"] or "not valid" in r.json()["detail"].lower()
    assert _triples(loaded) == before


def test_sparqlwrapper_update_is_refused(loaded: Catalogue, endpoint: str) -> None:
    before = _triples(loaded)
    w = SPARQLWrapper(endpoint)
    w.setQuery(f"INSERT DATA {{ <{EX}x> <{EX}p> 1 }}")
    w.setMethod("POST")
    with pytest.raises((SPARQLWrapperException, Exception)) as err:
        w.query()
    assert "read-only" in str(err.value) or "403" in str(err.value)
    assert _triples(loaded) == before


def test_service_to_unknown_host_refused(loaded: Catalogue, endpoint: str) -> None:
    before = _triples(loaded)
    q = "SELECT * WHERE { SERVICE <http://evil.example.com/sparql> { ?s ?p ?o } }"
    r = httpx.get(endpoint, params={"query": q})
    assert r.status_code == 403
    assert "evil.example.com" in r.json()["detail"] and "allow-list" in r.json()["detail"]
    q2 = "PREFIX e: <http://evil.example.com/> SELECT * WHERE { SERVICE SILENT e:sparql { ?s ?p ?o } }"
    assert httpx.get(endpoint, params={"query": q2}).status_code == 403
    assert _triples(loaded) == before


def test_keywords_inside_strings_and_iris_are_not_updates(endpoint: str) -> None:
    q = f'SELECT ?c WHERE {{ ?c <{EX}title> ?t FILTER(?t != "INSERT DATA DROP ALL") }} # DROP ALL'
    r = httpx.get(endpoint, params={"query": q})
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 3


def test_syntax_error_is_400_with_message(endpoint: str) -> None:
    r = httpx.get(endpoint, params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert "syntax" in r.json()["detail"].lower()


def test_result_cap(catalogue: Catalogue, live_app: str) -> None:
    body = "\n".join(f"<{EX}s{i}> <{EX}p> {i} ." for i in range(50)).encode()
    catalogue.store.replace_source("urn:cikg:source:many", RdfData.of_bytes(body, ox.RdfFormat.TURTLE))
    catalogue.settings.result_cap = 20
    r = httpx.get(live_app + "/sparql", params={"query": f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }}"})
    assert r.status_code == 400 and "more than 20" in r.json()["detail"]
    r = httpx.get(live_app + "/sparql", params={"query": f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }} LIMIT 20"})
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 20


@pytest.mark.slow
def test_query_timeout(catalogue: Catalogue, live_app: str) -> None:
    body = "\n".join(f"<{EX}s{i}> <{EX}p> {i} ." for i in range(400)).encode()
    catalogue.store.replace_source("urn:cikg:source:many", RdfData.of_bytes(body, ox.RdfFormat.TURTLE))
    catalogue.settings.query_timeout = 0.5
    cross = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a <{EX}p> ?x . ?b <{EX}p> ?y . ?c <{EX}p> ?z }}"
    r = httpx.get(live_app + "/sparql", params={"query": cross}, timeout=30)
    assert r.status_code == 503
    assert "time limit" in r.json()["detail"]
    assert httpx.get(live_app + "/health").status_code == 200


def test_service_description_and_form(endpoint: str) -> None:
    r = httpx.get(endpoint, headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (None, rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#endpoint"), None) in g
    r = httpx.get(endpoint, headers={"Accept": "text/html"})
    assert r.status_code == 200 and "<textarea" in r.text


def test_health_and_openapi(live_app: str) -> None:
    h = httpx.get(live_app + "/health").json()
    assert h["status"] == "ok" and h["store"] == "oxigraph"
    spec = httpx.get(live_app + "/openapi.json").json()
    assert "/sparql" in spec["paths"] and "/health" in spec["paths"]


def test_default_graph_uri_param(loaded: Catalogue, endpoint: str) -> None:
    info = loaded.store.source("urn:cikg:source:t")
    assert info is not None
    r = httpx.get(
        endpoint,
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": info.graph},
    )
    assert r.status_code == 200
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "9"
    assert json.loads(r.text)["head"]["vars"] == ["n"]
    ET.fromstring(httpx.get(endpoint, params={"query": SELECT, "format": "xml"}).content)
