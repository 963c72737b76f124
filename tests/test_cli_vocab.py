"""`cikg vocab ...` and `cikg map ...` through the real command line (typer runner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cikg.cli import app
from tests.vocab.conftest import DATA


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIKG_VOCABULARY_DIR", str(DATA / "ontology"))
    monkeypatch.setenv("CIKG_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_vocab_commands(env: Path) -> None:
    out = run("vocab", "import", "snomed", str(DATA / "snomed"), "--json")
    assert json.loads(out)["terms"] == 4
    assert json.loads(run("vocab", "search", "lung adeno", "--json"))[0]["id"] == "lung_adenocarcinoma"
    assert "Lung cancer" in run("vocab", "search", "cancer de pulmon", "--limit", "1")
    shown = json.loads(run("vocab", "show", "SNOMEDCT:254637007", "--json"))
    assert (
        shown["id"] == "non_small_cell_lung_carcinoma"
        and shown["resolution"]["predicate"] == "skos:exactMatch"
    )
    assert "NSCLC" in run("vocab", "show", "NCIT:C2926")
    tr = json.loads(run("vocab", "translate", "ICD10:C34.1", "--json"))
    assert tr["resolution"]["concept"] == "lung_cancer"
    assert "Lung cancer" in run("vocab", "translate", "ICD10:C34.1")
    assert "SNOMEDCT:254634000" in json.loads(run("vocab", "descendants", "lung_cancer", "--codes", "--json"))
    assert "malignant_neoplasm" in json.loads(run("vocab", "ancestors", "CIKG:lung_cancer", "--json"))


def test_unknown_code_is_one_clear_line(env: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "cikg", "vocab", "show", "ICD10:C99.9"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "unknown code ICD10:C99.9" in proc.stderr and "Traceback" not in proc.stderr


def test_map_commands(env: Path) -> None:
    terms = env / "terms.csv"
    terms.write_text("term,kind\nCa. pulmón,condition\nRMN,modality\n", encoding="utf-8")
    out = env / "terms.sssom.tsv"
    result = json.loads(run("map", "suggest", str(terms), "--out", str(out), "--json"))
    rows = result["suggestions"]
    first = next(r["row"] for r in rows if r["subject_label"] == "Ca. pulmón")
    run("map", "review", str(out), "--accept", str(first), "--reviewer", "steward")
    exported = json.loads(run("map", "export", str(out), "--format", "omop-stcm", "--json"))
    assert exported["rows"] == 1 and Path(exported["sidecar"]).is_file()
