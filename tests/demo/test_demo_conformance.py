"""The demo catalogue, as `cikg demo` serves it, against the official shapes (issue 7's acceptance).

The same checks as tests/publish/test_conformance.py (which covers a hand-made fixture with every corner
case), here on what the README's main job publishes: every profile of /catalog against DCAT-AP 3.0.1,
HealthDCAT-AP R8 per access level (the demo has PUBLIC, RESTRICTED and NON_PUBLIC collections), the FAIR Data
Point records against the reference shapes and each collection page's schema.org Dataset. A violation fails;
the standards folder missing fails too when CI has it (tests/support/standards.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from rdflib import RDF, Graph, URIRef

from cikg.demo import COLLECTIONS
from tests.demo.conftest import Demo, demo_command, running
from tests.publish import standards as shapes
from tests.publish.test_conformance import fetch, only_level

pytestmark = pytest.mark.slow
DCAT_DATASET = URIRef("http://www.w3.org/ns/dcat#Dataset")


@pytest.fixture(scope="module")
def base(demo: Demo) -> Iterator[str]:
    shapes.require_standards()
    with running(demo_command(demo.data_dir, demo.port), demo.base_url):
        yield demo.base_url


@pytest.mark.parametrize("profile", ["dcat-ap", "healthdcat-ap", "eucaim-dcat-ap"])
def test_demo_catalogue_conforms_to_dcat_ap_3(base: str, profile: str) -> None:
    g = fetch(f"{base}/catalog?profile={profile}")
    shapes.assert_conforms(g, shapes.dcat_ap_shapes(), f"demo DCAT-AP 3.0.1 / {profile}")
    assert len(set(g.subjects(RDF.type, DCAT_DATASET))) == len(COLLECTIONS)


@pytest.mark.parametrize("level", shapes.LEVELS)
def test_demo_catalogue_conforms_to_healthdcat_ap_per_access_level(base: str, level: str) -> None:
    g = only_level(fetch(f"{base}/catalog?profile=healthdcat-ap"), level)
    shapes.assert_conforms(g, shapes.healthdcat_shapes(level), f"demo HealthDCAT-AP R8 {level}")
    expected = [c for c in COLLECTIONS if c.access_rights == level]
    assert len(set(g.subjects(RDF.type, DCAT_DATASET))) == len(expected) > 0


def test_demo_fair_data_point_conforms_to_the_reference_shapes(base: str) -> None:
    paths = ["fdp", "fdp/catalog", *(f"fdp/dataset/{c.id}" for c in COLLECTIONS)]
    for path in paths:
        r = httpx.get(f"{base}/{path}", timeout=60)
        assert r.status_code == 200, path
        shapes.assert_conforms(Graph().parse(data=r.text, format="turtle"), shapes.fdp_shapes(), path)


@pytest.mark.filterwarnings("ignore::pyshacl.errors.ShapeRecursionWarning")
def test_demo_collection_pages_embed_a_conforming_schema_org_dataset(base: str) -> None:
    context = shapes.schemaorg_context()["@context"]
    for spec in COLLECTIONS:
        page = httpx.get(f"{base}/collection/{spec.id}", headers={"accept": "text/html"}, timeout=60).text
        found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, flags=re.S)
        assert len(found) == 1, spec.id
        data = json.loads(found[0])
        assert data["name"] == spec.title
        data["@context"] = context
        g = Graph().parse(data=json.dumps(data), format="json-ld")
        shapes.assert_conforms(g, shapes.schemaorg_shapes(), f"schema.org {spec.id}")
