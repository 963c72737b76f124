"""/api/terms and /ontology/{id} over a real app (fixture hyperontology + an imported SNOMED slice)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from cikg.catalogue import Catalogue
from cikg.settings import Settings
from cikg.web import create_app
from cikg.web.negotiation import NotAcceptable, choose
from tests.vocab.conftest import DATA


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data", vocabulary_dir=DATA / "ontology")
    with Catalogue(settings) as cat:
        cat.import_vocabulary("snomed", DATA / "snomed")
        with TestClient(create_app(catalogue=cat)) as c:
            yield c


def test_search_and_autocomplete(client: TestClient) -> None:
    r = client.get("/api/terms", params={"q": "cáncer de pul", "limit": 3})
    assert r.status_code == 200
    assert r.json()["results"][0]["id"] == "lung_cancer"
    r = client.get("/api/terms", params={"q": "prostat", "branch": "body_part"})
    assert [h["id"] for h in r.json()["results"]] == ["bp_prostate"]
    r = client.get("/api/terms", params={"q": "πνευμ", "lang": "el"})
    assert r.json()["results"] and all(h["lang"] == "el" for h in r.json()["results"])
    assert client.get("/api/terms", params={"q": "x", "branch": "nope"}).status_code == 400
    assert client.get("/api/terms", params={"q": "x", "limit": 0}).status_code == 422


def test_lookup_translate_closure(client: TestClient) -> None:
    r = client.get("/api/terms/SNOMEDCT:254637007")
    assert r.status_code == 200 and r.json()["id"] == "non_small_cell_lung_carcinoma"
    r = client.get("/api/terms/http://purl.obolibrary.org/obo/NCIT_C2926")
    assert r.json()["id"] == "non_small_cell_lung_carcinoma"
    r = client.get("/api/terms/ICD10:C99.9")
    assert r.status_code == 404 and "unknown code ICD10:C99.9" in r.json()["detail"]
    r = client.get("/api/terms/translate", params={"code": "ICD10:C34.1"})
    body = r.json()
    assert (
        body["resolution"]["concept"] == "lung_cancer"
        and body["resolution"]["predicate"] == "skos:narrowMatch"
    )
    assert any(
        t["code"] == "SNOMEDCT:363358000" and t["predicate"] == "skos:exactMatch"
        for t in body["translations"]
    )
    r = client.get("/api/terms/descendants", params={"code": "lung_cancer", "codes": True})
    assert {"non_small_cell_lung_carcinoma", "lung_adenocarcinoma", "SNOMEDCT:254634000"} <= set(
        r.json()["descendants"]
    )
    r = client.get("/api/terms/ancestors", params={"code": "SNOMEDCT:254626006"})
    assert "lung_cancer" in r.json()["ancestors"]


def test_concept_iri_content_negotiation(client: TestClient) -> None:
    html = client.get("/ontology/lung_cancer", headers={"Accept": "text/html"})
    assert (
        html.status_code == 200
        and "Καρκίνος του πνεύμονα" in html.text
        and "/ontology/non_small_cell_lung_carcinoma" in html.text
    )
    ttl = client.get("/ontology/lung_cancer", headers={"Accept": "text/turtle"})
    assert ttl.headers["content-type"].startswith("text/turtle")
    g = list(ox.parse(ttl.content, format=ox.RdfFormat.TURTLE))
    assert any(q.object == ox.Literal("Cáncer de pulmón", language="es") for q in g)
    for accept, fmt in [
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ]:
        r = client.get("/ontology/lung_cancer", headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
        assert len(list(ox.parse(r.content, format=fmt))) == len(g)
    assert client.get("/ontology/lung_cancer?format=ttl").headers["content-type"].startswith("text/turtle")
    missing = client.get("/ontology/lung_cancr", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "/ontology/lung_cancer" in missing.text
    assert client.get("/ontology/lung_cancr", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/ontology/lung_cancer", headers={"Accept": "image/png"}).status_code == 406


def test_negotiation_rules() -> None:
    assert choose(None).name == "html"
    assert choose("text/turtle;q=0.5, application/ld+json").name == "jsonld"
    assert choose("application/*").name in ("jsonld", "rdfxml", "ntriples")
    assert choose("*/*;q=0.1, text/turtle").name == "turtle"
    with pytest.raises(NotAcceptable):
        choose("image/png")
    with pytest.raises(NotAcceptable):
        choose(None, "pdf")
