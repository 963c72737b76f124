"""What each profile says, and what it refuses to make up (a real store, the fixture catalogue)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from cikg.catalogue import Catalogue, InvalidRequest, NotFound, source_iri
from cikg.namespaces import collection_iri, distribution_iri, holder_iri
from cikg.publish import PublishingNotConfigured
from cikg.publish.context import PublishContext
from cikg.publish.model import read_snapshot
from cikg.rdfmap import to_triples
from cikg.settings import Settings
from cikg.store import RdfData
from tests.publish import fixtures

DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
HEALTH = "http://healthdataportal.eu/ns/health#"
EUCAIM = "https://hyperontology.eucaim.cancerimage.eu/#"
CIKG = "https://w3id.org/cikg/ontology/"
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")
XSD_NON_NEGATIVE = URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
CATEGORIES = "https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/"


def graph(node: Catalogue, profile: str) -> Graph:
    return Graph().parse(
        data=node.publication(profile).document.serialize(ox.RdfFormat.N_TRIPLES), format="nt"
    )


def coll(node: Catalogue, local: str) -> URIRef:
    return URIRef(collection_iri(node.settings.base_url, local))


def test_the_snapshot_reads_back_what_the_harvest_wrote(node: Catalogue) -> None:
    """Reading the store and writing again with the model's writer gives the same triples."""
    from cikg.publish.concepts import ConceptIndex
    from cikg.publish.dcat import DcatAp

    base = node.settings.base_url
    snap = read_snapshot(node.store, base)
    assert sorted(c.get("identifier") for c in snap.collections.values()) == sorted(fixtures.COLLECTION_IDS)
    assert len(snap.distributions) == len(fixtures.DISTRIBUTION_IDS) and len(snap.holders) == 3
    view = DcatAp(snap, ConceptIndex({}), PublishContext.from_settings(node.settings))
    for site in fixtures.SITES:
        for cls, obj in fixtures.site_objects(base, site):
            if cls not in ("Collection", "DataHolder", "Distribution"):
                continue
            table = {
                "Collection": snap.collections,
                "DataHolder": snap.holders,
                "Distribution": snap.distributions,
            }
            read = table[cls][obj["id"]]
            written = ox.serialize(list(to_triples([(cls, obj)])), format=ox.RdfFormat.N_TRIPLES)
            again = ox.serialize(view.mapper.triples(_plain(read), cls), format=ox.RdfFormat.N_TRIPLES)
            g1, g2 = Graph().parse(data=written, format="nt"), Graph().parse(data=again, format="nt")
            _normalise_integers(g1), _normalise_integers(g2)
            assert isomorphic(g1, g2), obj["id"]


def _plain(obj: object) -> object:
    from cikg.publish.dcat import _as_dict
    from cikg.publish.model import Obj

    assert isinstance(obj, Obj)
    return _as_dict(obj)


def _normalise_integers(g: Graph) -> None:
    for s, p, o in list(g):
        if isinstance(o, Literal) and o.datatype in (XSD_NON_NEGATIVE, XSD_INTEGER):
            g.remove((s, p, o))
            g.add((s, p, Literal(int(o), datatype=XSD_INTEGER)))


def test_dcat_ap_keeps_the_hyperontology_codes_and_every_count(node: Catalogue) -> None:
    g = graph(node, "dcat-ap")
    prostate = coll(node, "prostate-mpmri")
    assert (prostate, URIRef(EUCAIM + "hasCondition"), URIRef(CIKG + "prostate_cancer")) in g
    assert (
        URIRef(CIKG + "prostate_cancer"),
        URIRef("http://www.w3.org/2004/02/skos/core#exactMatch"),
        URIRef(EUCAIM + "CLIN1000075"),
    ) in g
    records = g.value(prostate, URIRef(HEALTH + "numberOfRecords"))
    assert int(records) == 455 and records.datatype == XSD_NON_NEGATIVE
    assert (prostate, URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"), None) in g
    assert (prostate, URIRef("https://w3id.org/cikg/schema/ageBin"), None) in g
    assert (URIRef(node.settings.base_url + "/sparql"), None, URIRef(DCAT + "DataService")) in g


def test_healthdcat_ap_adds_what_the_health_profile_requires(node: Catalogue) -> None:
    g = graph(node, "healthdcat-ap")
    hdab = URIRef(node.settings.base_url + "/catalog#hdab")
    for local in fixtures.COLLECTION_IDS:
        c = coll(node, local)
        assert (c, URIRef(HEALTH + "hdab"), hdab) in g
        assert (
            c,
            URIRef(DCAT + "theme"),
            URIRef("http://publications.europa.eu/resource/authority/data-theme/HEAL"),
        ) in g
        assert g.value(c, URIRef(HEALTH + "hasStructuredData")) == Literal(False)
        assert (c, URIRef(DCT + "provenance"), None) in g and (c, URIRef(DCAT + "contactPoint"), None) in g
        assert (
            c,
            URIRef("http://data.europa.eu/r5r/applicableLegislation"),
            URIRef("http://data.europa.eu/eli/reg/2025/327/oj"),
        ) in g
    category = URIRef(HEALTH + "healthCategory")
    assert set(g.objects(coll(node, "lung-ct-screening"), category)) == {
        URIRef(CATEGORIES + "RQSH")
    }  # stored
    assert set(g.objects(coll(node, "breast-mg-open"), category)) == {URIRef(CATEGORIES + "EHCT")}  # trial
    assert set(g.objects(coll(node, "crc-ct-staging"), category)) == {URIRef(CATEGORIES + "EHRS")}  # default
    stored = g.value(
        g.value(coll(node, "lung-ct-screening"), URIRef(DCT + "provenance")),
        URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    )
    assert "PACS" in str(stored)
    derived = g.value(
        g.value(coll(node, "prostate-mpmri"), URIRef(DCT + "provenance")),
        URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    )
    assert "cikg dicom harvester 0.1.0" in str(derived) and "2026-05-04" in str(derived)
    coverage = str(g.value(coll(node, "prostate-mpmri"), URIRef(HEALTH + "populationCoverage")))
    assert coverage.startswith("412 subjects, male, typically aged 48 to 82 years with prostate cancer")


def test_eucaim_profile_speaks_eucaim_codes_and_reports_what_it_cannot(node: Catalogue) -> None:
    pub = node.publication("eucaim-dcat-ap")
    g = Graph().parse(data=pub.document.serialize(ox.RdfFormat.N_TRIPLES), format="nt")
    prostate = coll(node, "prostate-mpmri")
    assert (prostate, URIRef(EUCAIM + "hasCondition"), URIRef(EUCAIM + "CLIN1000075")) in g
    assert (prostate, URIRef(EUCAIM + "hasCondition"), URIRef(CIKG + "prostate_cancer")) not in g
    assert (prostate, URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"), None) not in g
    # no stored version: the calendar version of the source load (EUCAIM requires one)
    assert re.fullmatch(
        r"\d{4}\.\d{2}\.\d{2}", str(g.value(coll(node, "lung-ct-screening"), URIRef(DCAT + "version")))
    )
    assert str(g.value(prostate, URIRef(DCAT + "version"))) == "1.2.0"
    rights = URIRef(DCT + "rights")
    base = node.settings.base_url
    conditions = (
        "https://eucaim.github.io/eucaim_dcat_ap/releases/controlled-vocabularies/access-conditions/#"
    )
    assert (
        URIRef(distribution_iri(base, "prostate-mpmri-access")),
        rights,
        URIRef(conditions + "IN_SITU_PROCESSING"),
    ) in g
    assert (
        URIRef(distribution_iri(base, "breast-mg-open-download")),
        rights,
        URIRef(conditions + "DOWNLOAD"),
    ) in g
    gaps = "\n".join(pub.gaps)
    assert f"{CIKG}modality_mr: no EUCAIM hyperontology code" in gaps
    assert f"{distribution_iri(base, 'lung-ct-forth-access')}: no EUCAIM access condition" in gaps
    assert f"{collection_iri(base, 'crc-ct-staging')}: no birth sex" in gaps
    assert "prostate_cancer" not in gaps  # mapped, so not a gap


def test_per_resource_documents_and_unknown_ones(node: Catalogue) -> None:
    base = node.settings.base_url
    doc = node.describe("holder", "la-fe").document
    assert doc.subject == holder_iri(base, "la-fe")
    g = Graph().parse(data=doc.serialize(ox.RdfFormat.N_TRIPLES), format="nt")
    linked = set(g.subjects(URIRef(DCT + "publisher"), URIRef(holder_iri(base, "la-fe"))))
    assert linked == {coll(node, "prostate-mpmri"), coll(node, "crc-ct-staging")}
    with pytest.raises(NotFound, match="no collection 'nope'"):
        node.describe("collection", "nope")
    with pytest.raises(InvalidRequest, match="unknown profile"):
        node.describe("collection", "prostate-mpmri", "dcat-ap-2")


def test_health_profiles_need_the_access_body_and_never_invent_one(tmp_path: Path, node: Catalogue) -> None:
    settings = Settings(data_dir=tmp_path / "d", base_url=node.settings.base_url)
    bare = Catalogue(settings, store=node.store)  # same data, no publishing settings
    ctx = PublishContext.from_settings(settings)
    assert ctx.hdab is None and len(ctx.defaults) == 4
    assert bare.publication("dcat-ap").document.triples  # DCAT-AP needs no access body
    for profile in ("healthdcat-ap", "eucaim-dcat-ap"):
        with pytest.raises(PublishingNotConfigured, match="CIKG_HDAB_NAME"):
            bare.publication(profile)


def test_publishing_not_configured_is_a_409(tmp_path: Path) -> None:
    from cikg.web import create_app
    from tests.support.live_server import free_tcp_port, live_server

    port = free_tcp_port()
    cat = Catalogue(Settings(data_dir=tmp_path / "d", port=port, base_url=f"http://127.0.0.1:{port}"))
    try:
        fixtures.load_catalogue(cat)
        with live_server(create_app(catalogue=cat), port=port) as url:
            r = httpx.get(url + "/catalog?profile=healthdcat-ap", headers={"accept": "text/turtle"})
            assert r.status_code == 409 and "CIKG_HDAB_NAME" in r.json()["detail"]
            assert httpx.get(url + "/catalog", headers={"accept": "text/turtle"}).status_code == 200
    finally:
        cat.close()


def test_a_new_harvest_shows_up_and_gaps_are_reported(node: Catalogue) -> None:
    base = node.settings.base_url
    extra = [
        (
            "DataHolder",
            {
                "id": holder_iri(base, "new"),
                "identifier": "new",
                "name": "New site",
                "country": "IT",
                "juridical_person": "New site legal entity",
            },
        ),
        (
            "Collection",
            {
                "id": collection_iri(base, "new-coll"),
                "identifier": "new-coll",
                "title": "New",
                "description": "A collection harvested after the first read.",
                "data_holder": holder_iri(base, "new"),
                "access_rights": "PUBLIC",
                "number_of_subjects": 1,
                "number_of_studies": 1,
                "primary_cancer_condition": ["lung_cancer"],
                "distribution": [distribution_iri(base, "new-dist")],
            },
        ),
        ("Distribution", {"id": distribution_iri(base, "new-dist"), "access_url": "https://example.org/new"}),
    ]
    before = len(node.publication("dcat-ap").document)
    node.store.replace_source(source_iri("site-new"), RdfData.of_triples(list(to_triples(extra))))
    try:
        assert len(node.publication("dcat-ap").document) > before
        assert node.describe("collection", "new-coll").document.title == "New"
        fdp = node.fdp_record("distribution", "new-dist")
        assert any("no media type" in gap for gap in fdp.gaps)
    finally:
        node.store.drop_source(source_iri("site-new"))
    with pytest.raises(NotFound):
        node.describe("collection", "new-coll")
