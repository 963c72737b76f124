"""The published documents against the official shapes (read from ../shared/standards at test time).

Every document is fetched from the running web service, parsed by rdflib and validated with pySHACL
(no inference). A violation fails the test; the folder's absence skips it. The number of focus nodes
each shape set checked is recorded (tests/publish/conftest.py prints it at the end of the run).
"""

from __future__ import annotations

import json
import re

import httpx
import pytest
from rdflib import RDF, Graph, URIRef

from tests.publish import fixtures
from tests.publish import standards as shapes
from tests.publish.conftest import EVIDENCE

DCAT = "http://www.w3.org/ns/dcat#"
ACCESS_RIGHTS = URIRef("http://purl.org/dc/terms/accessRights")


def fetch(url: str, accept: str = "text/turtle") -> Graph:
    r = httpx.get(url, headers={"accept": accept}, timeout=60)
    assert r.status_code == 200, f"{url}: {r.status_code} {r.text[:300]}"
    return Graph().parse(data=r.text, format="turtle" if accept == "text/turtle" else "json-ld")


def record(shape_set: str, what: str, report: shapes.Report) -> None:
    EVIDENCE.append(
        f"{shape_set}: {what}: {report.focus_nodes} focus nodes, "
        f"{len(report.violations)} violations, {len(report.warnings)} warnings"
    )


def only_level(g: Graph, level: str) -> Graph:
    """The graph with the datasets of other access levels untyped (HealthDCAT-AP shapes are per level)."""
    out = Graph()
    others = {
        ds
        for ds in g.subjects(RDF.type, URIRef(DCAT + "Dataset"))
        if not str(g.value(ds, ACCESS_RIGHTS)).endswith("/" + level)
    }
    for t in g:
        if not (t[0] in others and t[1] == RDF.type):
            out.add(t)
    return out


@pytest.mark.parametrize("profile", ["dcat-ap", "healthdcat-ap", "eucaim-dcat-ap"])
def test_catalogue_conforms_to_dcat_ap_3(base: str, profile: str) -> None:
    g = fetch(f"{base}/catalog?profile={profile}")
    report = shapes.assert_conforms(g, shapes.dcat_ap_shapes(), f"DCAT-AP 3.0.1 / {profile}")
    datasets = set(g.subjects(RDF.type, URIRef(DCAT + "Dataset")))
    assert len(datasets) == len(fixtures.COLLECTION_IDS)
    record("DCAT-AP 3.0.1", f"/catalog?profile={profile}", report)


@pytest.mark.parametrize("profile", ["healthdcat-ap", "eucaim-dcat-ap"])
@pytest.mark.parametrize("level", shapes.LEVELS)
def test_catalogue_conforms_to_healthdcat_ap_per_access_level(base: str, profile: str, level: str) -> None:
    g = only_level(fetch(f"{base}/catalog?profile={profile}"), level)
    report = shapes.assert_conforms(
        g, shapes.healthdcat_shapes(level), f"HealthDCAT-AP R8 {level} / {profile}"
    )
    expected = [c for c, lv in fixtures.ACCESS_LEVEL.items() if lv == level]
    typed = {str(s) for s in g.subjects(RDF.type, URIRef(DCAT + "Dataset"))}
    assert len(typed) == len(expected) > 0
    record(f"HealthDCAT-AP R8 {level}", f"/catalog?profile={profile}", report)


@pytest.mark.parametrize("profile", ["dcat-ap", "healthdcat-ap", "eucaim-dcat-ap"])
def test_every_collection_document_conforms(base: str, profile: str) -> None:
    focus = 0
    for local in fixtures.COLLECTION_IDS:
        g = fetch(f"{base}/collection/{local}?profile={profile}")
        focus += shapes.assert_conforms(
            g, shapes.dcat_ap_shapes(), f"DCAT-AP 3.0.1 {local} / {profile}"
        ).focus_nodes
        if profile != "dcat-ap":
            level = fixtures.ACCESS_LEVEL[local]
            report = shapes.assert_conforms(
                g, shapes.healthdcat_shapes(level), f"HealthDCAT-AP {level} {local}"
            )
            focus += report.focus_nodes
    EVIDENCE.append(
        f"DCAT-AP 3.0.1 (+ HealthDCAT-AP per level): 5 collection documents / {profile}: {focus} focus nodes"
    )


def test_distribution_and_holder_documents_conform_to_dcat_ap_3(base: str) -> None:
    focus = 0
    paths = [f"distribution/{d}" for d in fixtures.DISTRIBUTION_IDS]
    paths += [f"holder/{h}" for h in fixtures.HOLDER_IDS]
    for path in paths:
        focus += shapes.assert_conforms(fetch(f"{base}/{path}"), shapes.dcat_ap_shapes(), path).focus_nodes
    EVIDENCE.append(f"DCAT-AP 3.0.1: 6 distribution + 3 data holder documents: {focus} focus nodes")


def test_fair_data_point_records_conform_to_the_reference_shapes(base: str) -> None:
    paths = ["fdp", "fdp/catalog"]
    paths += [f"fdp/dataset/{c}" for c in fixtures.COLLECTION_IDS]
    paths += [f"fdp/distribution/{d}" for d in fixtures.DISTRIBUTION_IDS]
    focus = 0
    for path in paths:
        # Turtle is the default: no Accept header at all
        r = httpx.get(f"{base}/{path}", timeout=60)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle"), path
        g = Graph().parse(data=r.text, format="turtle")
        report = shapes.assert_conforms(g, shapes.fdp_shapes(), path)
        focus += report.focus_nodes
        for json_ld in (fetch(f"{base}/{path}", "application/ld+json"),):
            assert len(json_ld) == len(g), f"{path}: JSON-LD and Turtle differ"
    EVIDENCE.append(f"FAIR Data Point reference shapes: {len(paths)} records: {focus} focus nodes")


@pytest.mark.filterwarnings("ignore::pyshacl.errors.ShapeRecursionWarning")
def test_schema_org_json_ld_in_collection_pages_conforms(base: str) -> None:
    context = shapes.schemaorg_context()["@context"]
    focus = 0
    for local in fixtures.COLLECTION_IDS:
        page = httpx.get(f"{base}/collection/{local}", headers={"accept": "text/html"}, timeout=60).text
        found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, flags=re.S)
        assert len(found) == 1, local
        data = json.loads(found[0])
        assert data["@context"] == "https://schema.org/" and data["@type"] == "Dataset"
        required = ("name", "description", "creator", "keywords", "variableMeasured", "includedInDataCatalog")
        for key in required:
            assert key in data, f"{local}: no {key}"
        data["@context"] = context  # the official context, read locally (no network)
        g = Graph().parse(data=json.dumps(data), format="json-ld")
        focus += shapes.assert_conforms(g, shapes.schemaorg_shapes(), f"schema.org {local}").focus_nodes
    EVIDENCE.append(f"schema.org 30.0 shapes: 5 collection pages (embedded JSON-LD): {focus} focus nodes")


def test_broken_documents_are_caught(base: str) -> None:
    """The validation is not vacuous: remove what each shape set requires and it reports violations."""
    g = fetch(f"{base}/catalog?profile=healthdcat-ap")
    for predicate in ("http://purl.org/dc/terms/description", "http://healthdataportal.eu/ns/health#hdab"):
        g.remove((None, URIRef(predicate), None))
    assert shapes.validate(g, shapes.dcat_ap_shapes()).violations, (
        "DCAT-AP: datasets without description pass"
    )
    public = only_level(g, "PUBLIC")
    assert shapes.validate(public, shapes.healthdcat_shapes("PUBLIC")).violations, "HealthDCAT-AP: no hdab"
    fdp = fetch(f"{base}/fdp/dataset/{fixtures.COLLECTION_IDS[0]}")
    fdp.remove((None, URIRef("http://www.w3.org/ns/dcat#version"), None))
    assert shapes.validate(fdp, shapes.fdp_shapes()).violations, "FDP: a record without version passes"


def test_the_loader_patches_only_the_known_upstream_defects() -> None:
    # asserted inside the loaders: exactly 5 dangling links (DCAT-AP), exactly 1 path-less shape per level
    assert len(shapes.dcat_ap_shapes()) > 1000
    for level in shapes.LEVELS:
        assert len(shapes.healthdcat_shapes(level)) > 900
