"""Resolvable IRIs: every resource in every format, over real HTTP (uvicorn), parsed by rdflib."""

from __future__ import annotations

import httpx
import pytest
from rdflib import Graph, URIRef

from cikg.catalogue import Catalogue
from cikg.namespaces import catalogue_iri, collection_iri, distribution_iri, holder_iri
from tests.publish import fixtures

FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
PATHS = (
    ["catalog", "fdp", "fdp/catalog"]
    + [f"collection/{c}" for c in fixtures.COLLECTION_IDS]
    + [f"distribution/{d}" for d in fixtures.DISTRIBUTION_IDS]
    + [f"holder/{h}" for h in fixtures.HOLDER_IDS]
    + [f"fdp/dataset/{c}" for c in fixtures.COLLECTION_IDS]
    + [f"fdp/distribution/{d}" for d in fixtures.DISTRIBUTION_IDS]
)


@pytest.mark.parametrize("path", PATHS)
def test_every_format_of_every_resource_parses(base: str, path: str) -> None:
    graphs = {}
    for media_type, rdflib_format in FORMATS.items():
        r = httpx.get(f"{base}/{path}", headers={"accept": media_type}, timeout=60)
        assert r.status_code == 200, f"{path} {media_type}: {r.status_code} {r.text[:200]}"
        assert r.headers["content-type"].split(";")[0] == media_type
        assert r.headers["vary"] == "Accept"
        graphs[media_type] = Graph().parse(data=r.content, format=rdflib_format)
        assert len(graphs[media_type]) >= 3
    sizes = {len(g) for g in graphs.values()}
    assert len(sizes) == 1, f"{path}: the formats carry different graphs {sizes}"
    html = httpx.get(f"{base}/{path}", headers={"accept": "text/html,application/xhtml+xml"}, timeout=60)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "<h1>" in html.text


def test_documents_are_about_the_iri_they_answer_at(base: str, node: Catalogue) -> None:
    b = node.settings.base_url
    for path, iri in [
        ("catalog", catalogue_iri(b)),
        ("collection/prostate-mpmri", collection_iri(b, "prostate-mpmri")),
        ("distribution/prostate-mpmri-access", distribution_iri(b, "prostate-mpmri-access")),
        ("holder/la-fe", holder_iri(b, "la-fe")),
    ]:
        g = Graph().parse(data=httpx.get(f"{base}/{path}?format=turtle").text, format="turtle")
        assert (URIRef(iri), None, None) in g, path


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("turtle", "text/turtle"),
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("rdfxml", "application/rdf+xml"),
        ("nt", "application/n-triples"),
        ("html", "text/html"),
    ],
)
def test_format_parameter_overrides_accept(base: str, fmt: str, media_type: str) -> None:
    r = httpx.get(f"{base}/collection/lung-ct-screening?format={fmt}", headers={"accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media_type)


def test_fdp_defaults_to_turtle_and_the_home_page_to_html(base: str) -> None:
    for path in ("fdp", "fdp/catalog", "fdp/dataset/prostate-mpmri"):
        assert (
            httpx.get(f"{base}/{path}", headers={"accept": "*/*"})
            .headers["content-type"]
            .startswith("text/turtle")
        )
    home = httpx.get(base + "/", headers={"accept": "text/html"})
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    for link in ("/sparql", "/docs", "/fdp", "/catalog", "/collection/prostate-mpmri", "/holder/la-fe"):
        assert f'href="{link}' in home.text, link
    for title in ("Prostate mpMRI with PI-RADS annotations", "Open mammography sample"):
        assert title in home.text
    # an FDP index pinged with the base URL reads the FDP record there
    fdp = Graph().parse(data=httpx.get(base + "/", headers={"accept": "text/turtle"}).text, format="turtle")
    assert (URIRef(base + "/fdp"), None, URIRef("https://w3id.org/fdp/fdp-o#FAIRDataPoint")) in fdp


def test_unknown_resources_get_a_helpful_404(base: str) -> None:
    page = httpx.get(f"{base}/collection/no-such-thing", headers={"accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "no-such-thing" in page.text and 'href="/collection/prostate-mpmri"' in page.text
    machine = httpx.get(f"{base}/collection/no-such-thing", headers={"accept": "text/turtle"})
    assert machine.status_code == 404 and machine.headers["content-type"] == "application/problem+json"
    assert "no collection 'no-such-thing'" in machine.json()["detail"]
    for path in ("holder/x", "distribution/x", "fdp/dataset/x", "fdp/distribution/x"):
        assert httpx.get(f"{base}/{path}", headers={"accept": "text/turtle"}).status_code == 404, path


def test_unsupported_types_and_profiles_are_refused(base: str) -> None:
    for path in ("catalog", "collection/prostate-mpmri", "fdp", "holder/la-fe"):
        r = httpx.get(f"{base}/{path}", headers={"accept": "image/png"})
        assert r.status_code == 406, path
        assert "text/turtle" in r.json()["detail"]
    bad = httpx.get(f"{base}/collection/prostate-mpmri?format=pdf")
    assert bad.status_code == 406 and "turtle" in bad.json()["detail"]
    profile = httpx.get(f"{base}/catalog?profile=dcat-ap-2", headers={"accept": "text/turtle"})
    assert profile.status_code == 400 and "eucaim-dcat-ap" in profile.json()["detail"]


def test_collection_page_shows_the_collection(base: str) -> None:
    page = httpx.get(f"{base}/collection/prostate-mpmri", headers={"accept": "text/html"}).text
    for text in (
        "412",
        "455",
        "prostate cancer",
        "magnetic resonance",
        "Non-public",
        "/holder/la-fe",
        "/distribution/prostate-mpmri-access",
        "?format=turtle",
        "/fdp/dataset/prostate-mpmri",
    ):
        assert text in page, text
