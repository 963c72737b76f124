"""`cikg vocab ...` and `cikg map ...` through the real command line (typer runner)."""

from __future__ import annotations

import json
import subprocess
import sys
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


def test_map_evaluate(env: Path) -> None:
    gold = env / "gold.tsv"
    gold.write_text(
        "term\tlanguage\tkind\texpected\tvariation\n"
        "Ca. pulmón\tes\tcondition\tlung_cancer\tabbreviation\n"
        "Siemnes\ten\tmanufacturer\tsiemens\ttypo\n"
        "C34.1\ten\tcondition\tICD10:C34\tlocal_code\n"
        "Resonancia magnetica\tes\tmodality\tmodality_mr\ttranslation\n",
        encoding="utf-8",
    )
    ev = json.loads(run("map", "evaluate", str(gold), "--json"))
    assert ev["terms"] == 4 and ev["unknown_expected"] == []
    assert ev["precision_at_1"] == 1.0 and ev["recall_at_5"] == 1.0
    assert set(ev["by_variation"]) == {"abbreviation", "typo", "local_code", "translation"}
    text = run("map", "evaluate", str(gold))
    assert "4 terms: precision@1 1.000, recall@5 1.000" in text
    bad = env / "bad.tsv"
    bad.write_text("term\tconcept\nfoo\tbar\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "cikg", "map", "evaluate", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "bad.tsv, line 1: a labelled set needs the columns term, kind, expected" in proc.stderr
