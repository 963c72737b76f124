"""Round trip: a second cikg node harvests the first one's DCAT / FDP output and ends up with the same
collections (identifiers, titles, counts, coded values). Two real ``cikg serve`` processes, and the
real ``cikg harvest dcat`` command in between."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import RDF, Graph, URIRef

from cikg.catalogue import Catalogue
from cikg.settings import Settings
from tests.publish import fixtures
from tests.support.live_server import free_tcp_port

pytestmark = pytest.mark.slow

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
HEALTH = "http://healthdataportal.eu/ns/health#"
EUCAIM = "https://hyperontology.eucaim.cancerimage.eu/#"
CODED = [
    EUCAIM + "hasCondition",
    EUCAIM + "hasImageModality",
    EUCAIM + "hasImageBodyPart",
    EUCAIM + "hasBirthSex",
    EUCAIM + "hasEquipmentManufacturer",
    EUCAIM + "collectionMethod",
    EUCAIM + "interoperabilityLevel",
    DCT + "accessRights",
]
COUNTS = [HEALTH + "numberOfUniqueIndividuals", HEALTH + "numberOfRecords"]


def node_env(port: int) -> dict[str, str]:
    settings = {f"CIKG_{k.upper()}": v for k, v in fixtures.PUBLISHING.items()}
    return {**os.environ, **settings, "CIKG_BASE_URL": f"http://127.0.0.1:{port}", "CIKG_PORT": str(port)}


@contextmanager
def serve(data: Path, port: int) -> Iterator[str]:
    """``cikg serve`` as its own process; yields its base URL once /health answers."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cikg", "serve", "--data-dir", str(data), "--port", str(port)],
        env=node_env(port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read().decode() if proc.stdout else ""
                raise RuntimeError(f"cikg serve exited: {out}")
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("cikg serve did not start")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def harvest(url: str, data: Path, port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cikg", "harvest", "dcat", url, "--data-dir", str(data)],
        env=node_env(port),
        capture_output=True,
        text=True,
        timeout=600,
    )


def collections(base: str) -> dict[str, dict[str, Any]]:
    """identifier -> title, counts, coded values, as the node publishes them (DCAT-AP, Turtle)."""
    g = Graph().parse(data=httpx.get(base + "/catalog?format=turtle", timeout=60).text, format="turtle")
    out = {}
    for ds in g.subjects(RDF.type, URIRef(DCAT + "Dataset")):
        ident = str(g.value(ds, URIRef(DCT + "identifier")))
        out[ident] = {
            "title": str(g.value(ds, URIRef(DCT + "title"))),
            **{p.rsplit("#", 1)[-1]: int(g.value(ds, URIRef(p))) for p in COUNTS},
            **{
                p.rsplit("#", 1)[-1].rsplit("/", 1)[-1]: sorted(map(str, g.objects(ds, URIRef(p))))
                for p in CODED
            },
            "distributions": len(list(g.objects(ds, URIRef(DCAT + "distribution")))),
        }
    return out


@pytest.fixture(scope="module")
def first_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip(
        "cikg.harvest.dcat", reason="the remote DCAT harvester (branch clinical) is not merged"
    )
    port = free_tcp_port()
    data = tmp_path_factory.mktemp("node-a")
    cat = Catalogue(Settings(data_dir=data, base_url=f"http://127.0.0.1:{port}"))
    fixtures.load_catalogue(cat)
    cat.close()
    with serve(data, port) as base:
        yield base


@pytest.mark.parametrize("entry", ["/catalog", "/fdp", "/"])
def test_a_second_node_harvests_the_first_and_has_the_same_collections(
    first_node: str, tmp_path: Path, entry: str
) -> None:
    port = free_tcp_port()
    data = tmp_path / "node-b"
    result = harvest(first_node + entry, data, port)
    assert result.returncode == 0, result.stdout + result.stderr
    with serve(data, port) as second:
        original, copied = collections(first_node), collections(second)
    assert sorted(original) == sorted(fixtures.COLLECTION_IDS)
    assert copied == original
