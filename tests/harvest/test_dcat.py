"""Remote DCAT / HealthDCAT-AP / FAIR Data Point harvester against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from cikg.catalogue import Catalogue
from cikg.harvest.dcat import DcatError
from tests.harvest.clinical_mapper import DictMapper
from tests.harvest.dcat_server import CatalogueServer, Route, catalogue_server

DATA = Path(__file__).resolve().parents[1] / "data" / "dcat"
TTL, JSONLD, RDFXML = "text/turtle; charset=utf-8", "application/ld+json", "application/rdf+xml"
H = "http://healthdataportal.eu/ns/health#"


@pytest.fixture
def server() -> Iterator[CatalogueServer]:
    with catalogue_server() as s:
        yield s


@pytest.fixture
def fdp(server: CatalogueServer) -> CatalogueServer:
    """An FDP: root (Turtle) -> catalogue (JSON-LD, remote context) -> datasets (RDF/XML, Turtle)."""
    server.serve_file("/fdp", DATA / "fdp.ttl", TTL, etag='"fdp-v1"')
    server.serve_file("/fdp/catalog/c1", DATA / "catalog-c1.jsonld", JSONLD, etag='"c1-v1"')
    server.serve_file("/context.jsonld", DATA / "context.jsonld", JSONLD)
    server.serve_file(
        "/fdp/dataset/d1", DATA / "dataset-d1.rdf", RDFXML, last_modified="Mon, 01 Jan 2024 00:00:00 GMT"
    )
    server.serve_file("/fdp/dataset/d2", DATA / "dataset-d2.ttl", TTL, etag='"d2-v1"')
    return server


def harvest(catalogue: Catalogue, url: str, source: str = "remote", **kw: object):  # type: ignore[no-untyped-def]
    catalogue.value_mapper = DictMapper()
    return catalogue.harvest_dcat(url, source, **kw)  # type: ignore[arg-type]


def collections(catalogue: Catalogue) -> dict[str, dict[str, str]]:
    rows = catalogue.query(
        f"PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX h: <{H}> PREFIX dct: <http://purl.org/dc/terms/> "
        "SELECT ?d ?title ?n ?holder ?country WHERE { ?d a dcat:Dataset ; dct:title ?title ; "
        "h:numberOfUniqueIndividuals ?n ; dct:publisher ?holder . ?holder dct:spatial ?country }"
    ).rows()
    return {
        r["d"].value: {"title": r["title"].value, "n": r["n"].value, "country": r["country"].value}
        for r in rows
    }


def test_fair_data_point_walk(catalogue: Catalogue, fdp: CatalogueServer) -> None:
    result = harvest(catalogue, fdp.url("/fdp"))
    report = result.report
    assert report.outcome == "conforms", report.violations
    assert result.documents == 4  # fdp, catalogue, d1, d2 (the JSON-LD context is not a document)
    assert fdp.hits["/context.jsonld"] == 1
    found = collections(catalogue)
    assert found == {
        fdp.url("/fdp/dataset/d1"): {
            "title": "Prostate MRI cohort",
            "n": "120",
            "country": "http://publications.europa.eu/resource/authority/country/ESP",
        }
    }
    # d2 is plain DCAT-AP: left out, and the report says which fields it lacks
    (problem,) = [p for p in report.problems if p.where == fdp.url("/fdp/dataset/d2")]
    assert "number_of_subjects (healthdcatap:numberOfUniqueIndividuals)" in problem.reason
    assert "access_rights (dcterms:accessRights)" in problem.reason
    # the condition came from dct:subject (SNOMED CT), the period is kept at month precision
    q = catalogue.query(
        "PREFIX e: <https://hyperontology.eucaim.cancerimage.eu/#> PREFIX dct: <http://purl.org/dc/terms/> "
        "PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT ?c ?start ?end WHERE { ?d e:hasCondition ?c ; "
        "dct:temporal [ dcat:startDate ?start ; dcat:endDate ?end ] }"
    ).rows()
    assert [(r["c"].value.rsplit("/", 1)[-1], r["start"].value, r["end"].value) for r in q] == [
        ("prostate_cancer", "2015-03", "2019-11")
    ]
    catalogues = catalogue.query(
        "PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT ?c ?d WHERE { ?c a dcat:Catalog ; dcat:dataset ?d }"
    ).rows()
    assert [(r["c"].value, r["d"].value) for r in catalogues] == [
        (fdp.url("/fdp/catalog/c1"), fdp.url("/fdp/dataset/d1"))
    ]
    dropped = report.summary["dropped_predicates"]
    assert dropped["healthdcatap:hdab"] == 1 and dropped["dcterms:spatial"] >= 1
    # one named graph for the source, with provenance
    info = catalogue.store.source("urn:cikg:source:remote")
    assert info is not None and info.graph == report.graph
    status = [s for s in catalogue.harvest_status() if s.source == "urn:cikg:source:remote"]
    assert [(s.source_kind, s.outcome, s.current) for s in status] == [("dcat", "conforms", True)]


def test_conditional_requests_and_no_op(catalogue: Catalogue, fdp: CatalogueServer) -> None:
    first = harvest(catalogue, fdp.url("/fdp"))
    before = catalogue.store.source("urn:cikg:source:remote")
    assert fdp.conditional_hits.total() == 0
    second = harvest(catalogue, fdp.url("/fdp"))
    # every document was asked conditionally (ETag or Last-Modified) and answered 304
    for path in ("/fdp", "/fdp/catalog/c1", "/fdp/dataset/d1", "/fdp/dataset/d2"):
        assert fdp.not_modified[path] == 1, path
    assert second.unchanged and second.report.outcome == "unchanged"
    assert catalogue.store.source("urn:cikg:source:remote") == before  # no new version: a no-op
    assert first.report.graph == second.report.graph
    # one document changes: everything is rebuilt from the fresh one and the cached others
    route = fdp.routes["/fdp/dataset/d1"]
    route.body = route.body.replace(b">120<", b">121<")
    route.last_modified = "Tue, 02 Jan 2024 00:00:00 GMT"
    third = harvest(catalogue, fdp.url("/fdp"))
    assert not third.unchanged and third.report.items_skipped == 3
    assert collections(catalogue)[fdp.url("/fdp/dataset/d1")]["n"] == "121"
    after = catalogue.store.source("urn:cikg:source:remote")
    assert after is not None and before is not None and after.graph != before.graph
    # --force ignores the stored validators
    fdp.not_modified.clear()
    harvest(catalogue, fdp.url("/fdp"), force=True)
    assert fdp.not_modified.total() == 0


def test_pagination_hydra_and_link_header(catalogue: Catalogue, server: CatalogueServer) -> None:
    server.serve_file("/paged", DATA / "page-1.ttl", TTL)
    server.serve_file(
        "/paged?page=2", DATA / "page-2.ttl", TTL, link=f'<{server.url("/paged?page=3")}>; rel="next"'
    )
    server.serve_file("/paged?page=3", DATA / "page-3.ttl", TTL)
    result = harvest(catalogue, server.url("/paged"), "paged")
    assert result.documents == 3
    assert sorted(v["n"] for v in collections(catalogue).values()) == ["10", "20", "30"]
    # datasets are described inline: no request for them
    assert server.hits["/paged/ds1"] == 0


def test_cikg_node_output_round_trips(catalogue: Catalogue, server: CatalogueServer) -> None:
    """What a cikg node publishes (model triples + DCAT-AP extras) comes back as the same model graph."""
    from cikg.rdfmap import RdfMapper

    base = server.url("")
    holder = {
        "id": f"{base}/data-holder/h1",
        "identifier": "h1",
        "name": "Node hospital",
        "country": "PT",
        "juridical_person": "Node hospital foundation",
        "contact_point": {"fn": "Desk", "email": "mailto:desk@node.example"},
    }
    coll = {
        "id": f"{base}/collection/c1",
        "identifier": "c1",
        "title": "Breast MRI",
        "description": "A cikg collection",
        "data_holder": holder["id"],
        "access_rights": "NON_PUBLIC",
        "number_of_subjects": 42,
        "number_of_studies": 50,
        "number_of_series": 300,
        "sex": ["female"],
        "sex_count": [{"concept": "CIKG:female", "count": 42}],
        "min_typical_age": 31,
        "max_typical_age": 77,
        "age_bin": [{"lower": 30, "upper": 40, "count": 12}, {"lower": 40, "upper": 50, "count": 30}],
        "primary_cancer_condition": ["breast_cancer"],
        "condition_count": [{"concept": "CIKG:breast_cancer", "count": 42}],
        "image_modality": ["modality_mr"],
        "body_part": ["bp_breast"],
        "dataset_type": ["image_data"],
        "temporal_coverage": {"start_date": "2019-01", "end_date": "2021-12"},
        "keyword": ["breast", "DCE"],
        "distribution": [f"{base}/distribution/c1-access"],
        "issued": "2024-01-01",
    }
    dist = {"id": f"{base}/distribution/c1-access", "access_url": "https://negotiator.example/c1"}
    cat = {
        "id": f"{base}/catalog",
        "title": "Node catalogue",
        "description": "All collections",
        "publisher": holder["id"],
        "dataset": [coll["id"]],
        "data_holder": [holder["id"]],
    }
    mapper = RdfMapper()
    model = [
        *mapper.triples(holder, "DataHolder"),
        *mapper.triples(coll, "Collection"),
        *mapper.triples(dist, "Distribution"),
        *mapper.triples(cat, "Catalogue"),
    ]
    extras = """
    @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
    @prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    <BASE/collection/c1> dcat:theme <http://publications.europa.eu/resource/authority/data-theme/HEAL> ;
        dct:spatial <http://publications.europa.eu/resource/authority/country/PRT> .
    <BASE/data-holder/h1> a foaf:Agent .
    <https://w3id.org/cikg/ontology/breast_cancer> a skos:Concept ; skos:prefLabel "Breast cancer"@en .
    <BASE/catalog/record/c1> a dcat:CatalogRecord ; foaf:primaryTopic <BASE/collection/c1> .
    <BASE/catalog> dcat:record <BASE/catalog/record/c1> .
    """.replace("BASE", base)
    body = ox.serialize(model, format=ox.RdfFormat.TURTLE) + extras.encode()
    server.routes["/catalog"] = Route(body=body, content_type=TTL)
    result = harvest(catalogue, server.url("/catalog"), "node")
    assert result.report.outcome == "conforms", result.report.violations
    stored = ox.Dataset()
    graph = catalogue.store.source("urn:cikg:source:node").graph  # type: ignore[union-attr]
    wanted = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in model)
    for t in catalogue.store.triples(graph):
        if t.predicate.value == "http://www.w3.org/ns/prov#wasGeneratedBy":
            continue
        if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(
            ("urn:cikg:run:", "urn:cikg:harvester:")
        ):
            continue  # the local run's provenance
        stored.add(ox.Quad(t.subject, t.predicate, t.object))
    wanted.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    stored.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    assert sorted(map(str, stored)) == sorted(map(str, wanted))


# -- bad sources: a clear error, the store unchanged ---------------------------------------------------


@pytest.fixture
def seeded(catalogue: Catalogue, server: CatalogueServer) -> tuple[Catalogue, CatalogueServer, object]:
    """The source "remote" holds a good version; each test then points it at a bad document."""
    server.serve_file("/paged", DATA / "page-1.ttl", TTL)
    server.serve_file(
        "/paged?page=2", DATA / "page-2.ttl", TTL, link=f'<{server.url("/paged?page=3")}>; rel="next"'
    )
    server.serve_file("/paged?page=3", DATA / "page-3.ttl", TTL)
    harvest(catalogue, server.url("/paged"))
    before = catalogue.store.source("urn:cikg:source:remote")
    assert before is not None
    return catalogue, server, before


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (Route(status=500, body=b"boom", content_type="text/plain"), r"/bad: HTTP 500 Internal Server Error"),
        (Route(status=404, body=b"", content_type="text/plain"), r"/bad: HTTP 404 Not Found"),
        (
            Route(body=(DATA / "landing.html").read_bytes(), content_type="text/html"),
            r"an HTML page \(text/html\)",
        ),
        (Route(body=(DATA / "bad.ttl").read_bytes(), content_type=TTL), r"malformed Turtle: .*line 6"),
        (Route(body=(DATA / "bad.jsonld").read_bytes(), content_type=JSONLD), r"malformed JSON-LD: "),
        (Route(body=(DATA / "bad-keyword.jsonld").read_bytes(), content_type=JSONLD), r"malformed JSON-LD: "),
        (Route(body=b"<rdf:RDF", content_type=RDFXML), r"malformed RDF/XML: "),
        (Route(body=b"x", content_type="application/pdf"), r"application/pdf, not an RDF media type"),
        (
            Route(
                body=b"@prefix dcat: <http://www.w3.org/ns/dcat#> . </x> a dcat:Dataset .", content_type=TTL
            ),
            r"nothing in the 1 document\(s\) fits the model",
        ),
    ],
    ids=["500", "404", "html", "turtle", "jsonld-truncated", "jsonld-keyword", "rdfxml", "pdf", "nothing"],
)
def test_bad_source_is_rejected_and_store_unchanged(seeded, route: Route, message: str) -> None:  # type: ignore[no-untyped-def]
    catalogue, server, before = seeded
    server.routes["/bad"] = route
    with pytest.raises(DcatError, match=message):
        harvest(catalogue, server.url("/bad"))
    assert catalogue.store.source("urn:cikg:source:remote") == before
    last = next(s for s in catalogue.harvest_status() if s.source == "urn:cikg:source:remote")
    assert last.outcome == "not_validated" and not last.current


def test_hanging_server_times_out(seeded) -> None:  # type: ignore[no-untyped-def]
    catalogue, server, before = seeded
    server.routes["/hang"] = Route(hang=True)
    started = time.monotonic()
    with pytest.raises(DcatError, match=r"/hang: no answer within 1 s \(timeout\)"):
        harvest(catalogue, server.url("/hang"), timeout=1.0)
    assert time.monotonic() - started < 10
    assert catalogue.store.source("urn:cikg:source:remote") == before


def test_broken_child_names_its_parent(seeded) -> None:  # type: ignore[no-untyped-def]
    catalogue, server, before = seeded
    server.routes["/cat"] = Route(
        body=b"@prefix dcat: <http://www.w3.org/ns/dcat#> . "
        b"</cat> a dcat:Catalog ; dcat:dataset </cat/ds9> .",
        content_type=TTL,
    )
    server.routes["/cat/ds9"] = Route(status=500)
    with pytest.raises(DcatError, match=r"/cat/ds9: HTTP 500 .* \(linked from .*/cat\)"):
        harvest(catalogue, server.url("/cat"))
    assert catalogue.store.source("urn:cikg:source:remote") == before


def test_shacl_invalid_graph_is_rejected(seeded) -> None:  # type: ignore[no-untyped-def]
    from cikg.harvest.base import HarvestRejected

    catalogue, server, before = seeded
    server.serve_file("/invalid", DATA / "bad-email.ttl", TTL, etag='"inv-1"')
    with pytest.raises(HarvestRejected) as info:
        harvest(catalogue, server.url("/invalid"))
    assert any(v["path"].endswith("hasEmail") for v in info.value.run.violations)
    assert catalogue.store.source("urn:cikg:source:remote") == before
    # the rejected version's validators were not stored: the next run fetches it again in full
    server.not_modified.clear()
    with pytest.raises(HarvestRejected):
        harvest(catalogue, server.url("/invalid"))
    assert server.not_modified.total() == 0


def test_country_for_publishers_that_state_none(catalogue: Catalogue, server: CatalogueServer) -> None:
    body = (
        (DATA / "page-1.ttl")
        .read_bytes()
        .replace(
            b"dct:spatial <http://publications.europa.eu/resource/authority/country/ITA>",
            b'dct:identifier "x"',
        )
    )
    body = body.replace(b"hydra:next </paged?page=2>", b"a hydra:PartialCollectionView")
    server.routes["/nocountry"] = Route(body=body, content_type=TTL)
    first = harvest(catalogue, server.url("/nocountry"), "nc")
    assert first.report.summary["collections"] == 0 and first.report.summary["catalogues"] == 1
    reasons = " | ".join(p.reason for p in first.report.problems)
    assert "DataHolder left out: no country (dcterms:spatial)" in reasons
    assert "Collection left out: its data_holder" in reasons
    result = harvest(catalogue, server.url("/nocountry"), "nc", country="IT")
    assert result.report.outcome == "conforms"
    assert next(iter(collections(catalogue).values()))["country"].endswith("/ITA")


def test_cli(fdp: CatalogueServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cikg.cli import app

    monkeypatch.setattr(Catalogue, "value_mapper", DictMapper(), raising=False)
    args = ["harvest", "dcat", fdp.url("/fdp"), "--source", "fdp-cli", "--data-dir", str(tmp_path)]
    out = CliRunner().invoke(app, args, catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert "fdp-cli" in out.output and "conforms" in out.output
    again = CliRunner().invoke(app, args, catch_exceptions=False)
    assert again.exit_code == 0 and "unchanged" in again.output
    bad = CliRunner().invoke(app, ["harvest", "dcat", fdp.url("/nope"), "--data-dir", str(tmp_path)])
    assert bad.exit_code == 1 and isinstance(bad.exception, DcatError)
