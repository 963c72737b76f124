"""The cikg command line, end to end on a temp data dir (typer's runner, real store)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cikg import __version__
from cikg.cli import app

runner = CliRunner()
TTL = '@prefix ex: <http://example.org/> . ex:a a ex:Thing ; ex:title "Alpha" . ex:b a ex:Thing .\n'


def run(*args: str) -> object:
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_help_lists_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cikg", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("serve", "load", "query", "export", "stats", "gen"):
        assert command in result.stdout


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cikg", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"cikg {__version__}"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    (tmp_path / "a.ttl").write_text(TTL)
    return tmp_path


def test_load_query_stats_export(data: Path) -> None:
    dd = str(data / "dd")
    r = run("load", str(data / "a.ttl"), "--graph", "site-a", "--data-dir", dd)
    assert r.exit_code == 0 and "3 triples" in r.stdout  # type: ignore[attr-defined]
    r = run(
        "query", "SELECT ?t WHERE { ?s <http://example.org/title> ?t }", "--format", "json", "--data-dir", dd
    )
    assert json.loads(r.stdout)["results"]["bindings"][0]["t"]["value"] == "Alpha"  # type: ignore[attr-defined]
    r = run("query", "SELECT ?s WHERE { ?s a <http://example.org/Thing> } ORDER BY ?s", "--data-dir", dd)
    assert "http://example.org/a" in r.stdout and "2 row(s)" in r.stdout  # type: ignore[attr-defined]
    r = run("query", "ASK { ?s ?p ?o }", "--data-dir", dd)
    assert r.stdout.strip() == "true"  # type: ignore[attr-defined]
    r = run(
        "query", "CONSTRUCT WHERE { ?s <http://example.org/title> ?t }", "--format", "nt", "--data-dir", dd
    )
    assert r.stdout.strip() == '<http://example.org/a> <http://example.org/title> "Alpha" .'  # type: ignore[attr-defined]
    r = run("stats", "--json", "--data-dir", dd)
    stats = json.loads(r.stdout)  # type: ignore[attr-defined]
    assert stats["sources"][0]["source"] == "urn:cikg:source:site-a" and stats["sources"][0]["triples"] == 3
    out = data / "dump.nq"
    r = run("export", "--output", str(out), "--data-dir", dd)
    assert r.exit_code == 0  # type: ignore[attr-defined]
    assert '"Alpha"' in out.read_text()


def _cli(*args: str, env_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = None
    if env_dir is not None:
        import os

        env = {**os.environ, "CIKG_DATA_DIR": str(env_dir)}
    return subprocess.run([sys.executable, "-m", "cikg", *args], capture_output=True, text=True, env=env)


def test_errors_are_one_clear_line_and_store_unchanged(data: Path) -> None:
    dd = data / "dd"
    assert _cli("load", str(data / "a.ttl"), "-g", "s", env_dir=dd).returncode == 0
    (data / "bad.ttl").write_text("ex:a ex:b .")
    for args, needle in [
        (("load", str(data / "missing.ttl"), "-g", "s"), "no such file"),
        (("load", str(data / "bad.ttl"), "-g", "s"), "bad.ttl: not valid Turtle"),
        (("load", str(data / "a.ttl"), "-g", "no spaces"), "invalid source id"),
        (("query", "INSERT DATA { <a:b> <a:c> <a:d> }"), "read-only"),
        (("query", "SELECT * WHERE {"), "syntax error"),
    ]:
        r = _cli(*args, env_dir=dd)
        assert r.returncode == 1, r
        assert needle in r.stderr and "Traceback" not in r.stderr
    r = _cli("stats", "--json", env_dir=dd)
    assert json.loads(r.stdout)["sources"][0]["triples"] == 3
