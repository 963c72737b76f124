"""Smoke tests: each real server starts, does the job the integration tests rely on, and stops cleanly."""

from __future__ import annotations

import functools
import http.server
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
from pydicom.data import get_testdata_file

from tests.support.servers import (
    BinaryNotFound,
    ChromiumBrowser,
    ManagedServer,
    OrthancServer,
    OxigraphServer,
    PostgresServer,
    ServerError,
    VirtuosoServer,
    WebDriverError,
    _alive,
    find_binary,
    free_ports,
)

SPARQL_JSON = {"Accept": "application/sparql-results+json"}
TURTLE = {"Content-Type": "text/turtle"}


def _graph() -> str:
    return f"http://example.org/test-graph/{uuid.uuid4()}"


def _select(
    client: httpx.Client, server: VirtuosoServer | OxigraphServer, query: str, **params: list[str]
) -> list:
    form: dict[str, str | list[str]] = {"query": query}
    form.update({key.replace("_", "-"): value for key, value in params.items()})
    resp = client.post(server.sparql_query_url, data=form, headers=SPARQL_JSON)
    assert resp.status_code == 200, resp.text
    return [{k: v["value"] for k, v in row.items()} for row in resp.json()["results"]["bindings"]]


def exercise_sparql_server(server: VirtuosoServer | OxigraphServer) -> None:
    """GSP PUT/GET/DELETE, SPARQL Update, and queries with default-graph-uri / named-graph-uri."""
    g1, g2 = _graph(), _graph()
    with httpx.Client(auth=server.httpx_auth(), timeout=30) as client:
        put = client.put(
            server.gsp_url, params={"graph": g1}, content=b"<urn:x:a> <urn:x:p> <urn:x:b> .", headers=TURTLE
        )
        assert put.status_code in (200, 201, 204), put.text
        update = client.post(
            server.sparql_update_url,
            content=f'INSERT DATA {{ GRAPH <{g2}> {{ <urn:x:c> <urn:x:p> "c" }} }}'.encode(),
            headers={"Content-Type": "application/sparql-update"},
        )
        assert update.status_code in (200, 204), update.text

        rows = _select(
            client, server, "SELECT ?s WHERE { ?s <urn:x:p> ?o } ORDER BY ?s", default_graph_uri=[g1, g2]
        )
        assert [r["s"] for r in rows] == ["urn:x:a", "urn:x:c"]
        rows = _select(client, server, "SELECT ?s WHERE { ?s <urn:x:p> ?o }", default_graph_uri=[g2])
        assert [r["s"] for r in rows] == ["urn:x:c"]
        rows = _select(
            client, server, "SELECT ?g ?s WHERE { GRAPH ?g { ?s <urn:x:p> ?o } }", named_graph_uri=[g1]
        )
        assert rows == [{"g": g1, "s": "urn:x:a"}]

        got = client.get(server.gsp_url, params={"graph": g1}, headers={"Accept": "text/turtle"})
        assert got.status_code == 200, got.text
        triples = set(rdflib.Graph().parse(data=got.text, format="turtle"))
        assert triples == {(rdflib.URIRef("urn:x:a"), rdflib.URIRef("urn:x:p"), rdflib.URIRef("urn:x:b"))}
        assert client.delete(server.gsp_url, params={"graph": g1}).status_code in (200, 204)
        assert (
            client.get(server.gsp_url, params={"graph": g1}, headers={"Accept": "text/turtle"}).status_code
            == 404
        )


def test_virtuoso(virtuoso: VirtuosoServer) -> None:
    assert virtuoso.auth == "digest" and virtuoso.gsp_url.endswith("/sparql-graph-crud-auth")
    exercise_sparql_server(virtuoso)
    # Anonymous writes are refused: the credentials are what make them work.
    refused = httpx.post(
        f"{virtuoso.base_url}/sparql",
        content=f"INSERT DATA {{ GRAPH <{_graph()}> {{ <urn:x:a> <urn:x:p> 1 }} }}".encode(),
        headers={"Content-Type": "application/sparql-update"},
    )
    assert refused.status_code >= 400
    # SQL through isql-vt: errors are raised (isql-vt itself exits 0 on them).
    assert "1" in virtuoso.isql("SELECT 1;")
    with pytest.raises(ServerError, match="SQ200"):
        virtuoso.isql("SELECT nonsense FROM nowhere;")


def test_virtuoso_default_graph_is_the_union(virtuoso: VirtuosoServer) -> None:
    g = _graph()
    with httpx.Client(auth=virtuoso.httpx_auth(), timeout=30) as client:
        client.put(virtuoso.gsp_url, params={"graph": g}, content=b"<urn:x:u> <urn:x:q> 1 .", headers=TURTLE)
        assert _select(client, virtuoso, "SELECT ?s WHERE { ?s <urn:x:q> 1 }") == [{"s": "urn:x:u"}]


@pytest.mark.integration
def test_virtuoso_anonymous_update() -> None:
    with VirtuosoServer(anonymous_update=True) as server:
        assert server.user is None and server.gsp_url.endswith("/sparql-graph-crud")
        exercise_sparql_server(server)


def test_oxigraph_server(oxigraph_server: OxigraphServer) -> None:
    assert oxigraph_server.auth is None
    exercise_sparql_server(oxigraph_server)


def test_oxigraph_default_graph_is_not_the_union(oxigraph_server: OxigraphServer) -> None:
    g = _graph()
    with httpx.Client(timeout=30) as client:
        client.put(
            oxigraph_server.gsp_url, params={"graph": g}, content=b"<urn:x:u> <urn:x:q> 1 .", headers=TURTLE
        )
        assert _select(client, oxigraph_server, "SELECT ?s WHERE { ?s <urn:x:q> 1 }") == []


def test_orthanc_upload_and_qido(orthanc: OrthancServer) -> None:
    path = get_testdata_file("CT_small.dcm")
    assert path is not None
    answer = orthanc.upload(path)
    assert answer["Status"] in ("Success", "AlreadyStored")
    study_uid = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"
    dicom_json = {"Accept": "application/dicom+json"}
    studies = httpx.get(
        f"{orthanc.dicomweb_url}/studies", params={"StudyInstanceUID": study_uid}, headers=dicom_json
    )
    assert studies.status_code == 200
    assert [s["0020000D"]["Value"][0] for s in studies.json()] == [study_uid]
    series = httpx.get(f"{orthanc.dicomweb_url}/studies/{study_uid}/series", headers=dicom_json).json()
    assert [s["00080060"]["Value"][0] for s in series] == ["CT"]
    instances = httpx.get(f"{orthanc.dicomweb_url}/instances", params={"StudyInstanceUID": study_uid}).json()
    assert len(instances) == 1
    assert httpx.get(f"{orthanc.dicomweb_url}/series", headers=dicom_json).status_code == 200


def test_postgres(postgres: PostgresServer) -> None:
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    dsn = postgres.create_database(name)
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TABLE collection (id integer PRIMARY KEY, title text NOT NULL)")
        conn.execute("INSERT INTO collection VALUES (1, 'Lung CT'), (2, 'Próstata RM')")
        assert conn.execute("SELECT title FROM collection ORDER BY id").fetchall() == [
            ("Lung CT",),
            ("Próstata RM",),
        ]
        assert conn.execute("SELECT current_database()").fetchone() == (name,)


@pytest.fixture
def static_site(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>cikg</title></head>"
        "<body><h1 id='greeting'>Hello, imaging</h1>"
        "<script>document.title += ' ready'; window.answer = 6 * 7;</script></body></html>"
    )
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_chromium(chromium: ChromiumBrowser, static_site: str) -> None:
    with chromium.session() as page:
        page.navigate(static_site)
        assert page.title == "cikg ready"
        assert page.text("#greeting") == "Hello, imaging"
        assert page.execute_script("return [window.answer, arguments[0]]", "x") == [42, "x"]
        assert page.screenshot().startswith(b"\x89PNG\r\n\x1a\n")
        with pytest.raises(WebDriverError) as excinfo:
            page.find("#absent")
        assert excinfo.value.error == "no such element"


# -- the machinery itself (no real server needed) ----------------------------------------------------


def test_free_ports_are_distinct() -> None:
    ports = free_ports(5)
    assert len(set(ports)) == 5 and all(1024 < p < 65536 for p in ports)


def test_missing_binary_names_the_installer() -> None:
    with pytest.raises(BinaryNotFound, match=r"\.ci/system-deps\.sh"):
        find_binary("cikg-no-such-binary", "/nonexistent/cikg-no-such-binary", package="cikg-nothing")


class _Crashing(ManagedServer):
    name = "crashing"

    def _command(self) -> list[str]:
        return [sys.executable, "-c", "import sys; print('boom: bad config line 3'); sys.exit(3)"]

    def _ready(self) -> bool:
        return False


def test_failed_start_reports_the_log_tail_and_cleans_up() -> None:
    server = _Crashing(start_timeout=10)
    with pytest.raises(ServerError, match=r"(?s)exited with code 3.*boom: bad config line 3"):
        server.start()
    assert server.tmpdir is None and not server.running


@pytest.mark.integration
def test_stop_leaves_nothing_behind() -> None:
    server = OxigraphServer().start()
    tmpdir, pid = server.tmpdir, server.pid
    assert tmpdir is not None and tmpdir.is_dir() and pid is not None
    server.stop()
    server.stop()  # idempotent
    assert not tmpdir.exists()
    assert not _alive(pid)
