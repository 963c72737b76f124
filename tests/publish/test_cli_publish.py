"""``cikg export --profile`` and ``cikg fdp ping`` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from typer.testing import CliRunner

from cikg.catalogue import Catalogue
from cikg.cli import app
from cikg.settings import Settings
from tests.publish import fixtures

runner = CliRunner()


def run(*args: str, environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The installed command in a child process (errors go to the real stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "cikg", *args], capture_output=True, text=True, env={**os.environ, **environ}
    )


DATASET = URIRef("http://www.w3.org/ns/dcat#Dataset")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    cat = Catalogue(Settings(data_dir=folder, base_url="http://127.0.0.1:8000"))
    fixtures.load_catalogue(cat)
    cat.close()
    return folder


def env(**extra: str) -> dict[str, str]:
    settings = {f"CIKG_{k.upper()}": v for k, v in fixtures.PUBLISHING.items()}
    return {**settings, "CIKG_BASE_URL": "http://127.0.0.1:8000", **extra}


@pytest.mark.parametrize(
    ("profile", "fmt", "parser"),
    [
        ("dcat-ap", "turtle", "turtle"),
        ("healthdcat-ap", "jsonld", "json-ld"),
        ("eucaim-dcat-ap", "rdfxml", "xml"),
        ("dcat-ap", "ntriples", "nt"),
    ],
)
def test_export_profile(data_dir: Path, tmp_path: Path, profile: str, fmt: str, parser: str) -> None:
    out = tmp_path / f"catalogue.{fmt}"
    args = ["export", "--profile", profile, "--format", fmt, "-o", str(out), "--data-dir", str(data_dir)]
    result = runner.invoke(app, args, env=env())
    assert result.exit_code == 0, result.output
    g = Graph().parse(out, format=parser)
    assert len(set(g.subjects(RDF.type, DATASET))) == len(fixtures.COLLECTION_IDS)
    assert f"({profile})" in result.stderr


def test_export_profile_to_stdout_and_the_plain_dump_still_works(data_dir: Path) -> None:
    result = runner.invoke(app, ["export", "-p", "dcat-ap", "--data-dir", str(data_dir)], env=env())
    assert result.exit_code == 0
    assert len(Graph().parse(data=result.stdout, format="turtle")) > 100
    dump = runner.invoke(app, ["export", "--data-dir", str(data_dir)], env=env())
    assert dump.exit_code == 0 and "urn:cikg:source:site-la-fe" in dump.stdout


def test_export_says_which_defaults_and_gaps_apply(data_dir: Path) -> None:
    bare = {"CIKG_BASE_URL": "http://127.0.0.1:8000"}
    result = runner.invoke(app, ["export", "-p", "dcat-ap", "--data-dir", str(data_dir)], env=bare)
    assert result.exit_code == 0
    assert "default: publisher name" in result.stderr
    eucaim = runner.invoke(app, ["export", "-p", "eucaim-dcat-ap", "--data-dir", str(data_dir)], env=env())
    assert (
        eucaim.exit_code == 0 and "gap:" in eucaim.stderr and "no EUCAIM hyperontology code" in eucaim.stderr
    )


def test_export_errors_are_clear_and_write_nothing(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "h.ttl"
    bare = {"CIKG_BASE_URL": "http://127.0.0.1:8000"}
    args = ["export", "-p", "healthdcat-ap", "-o", str(out), "--data-dir", str(data_dir)]
    result = run(*args, environ=bare)
    assert result.returncode == 1 and "CIKG_HDAB_NAME" in result.stderr and not out.exists()
    assert "Traceback" not in result.stderr
    for bad, message in (
        (["-p", "dcat-ap-9"], "unknown profile"),
        (["-p", "dcat-ap", "-f", "nquads"], "turtle, ntriples, jsonld, rdfxml"),
        (["-p", "dcat-ap", "-s", "site-la-fe"], "do not go together"),
    ):
        r = run("export", *bad, "--data-dir", str(data_dir), environ=env())
        assert r.returncode == 1 and message in r.stderr, (bad, r.stderr)


@contextmanager
def tiny_index(status: int = 204) -> Iterator[tuple[str, list[dict[str, object]]]]:
    """An FDP index stand-in: records every ping it gets (POST /ping, JSON)."""
    received: list[dict[str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            received.append(
                {
                    "path": self.path,
                    "type": self.headers.get("content-type"),
                    "body": json.loads(self.rfile.read(length) or b"{}"),
                }
            )
            self.send_response(status if self.path == "/ping" else 404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_fdp_ping_posts_the_client_url_to_the_index(data_dir: Path) -> None:
    with tiny_index() as (index, received):
        result = runner.invoke(app, ["fdp", "ping", index + "/ping", "--data-dir", str(data_dir)], env=env())
    assert result.exit_code == 0, result.output
    assert received == [
        {"path": "/ping", "type": "application/json", "body": {"clientUrl": "http://127.0.0.1:8000"}}
    ]
    assert "pinged" in result.stdout


def test_fdp_ping_failures_are_clear(data_dir: Path) -> None:
    with tiny_index(status=500) as (index, _):
        refused = run("fdp", "ping", index + "/ping", environ=env())
    assert refused.returncode == 1 and "answered 500" in refused.stderr
    with tiny_index() as (index, _):
        unreachable = index
    gone = run("fdp", "ping", unreachable + "/ping", environ=env())
    assert gone.returncode == 1 and "could not reach the FDP index" in gone.stderr
    bad = run("fdp", "ping", "ftp://index.example", environ=env())
    assert bad.returncode == 1 and "not an http(s) URL" in bad.stderr
