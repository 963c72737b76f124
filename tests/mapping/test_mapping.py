"""Mapping suggestions, review, OMOP export and Usagi import; every SSSOM file written validates
against the SSSOM JSON Schema (../shared/standards/sssom-schema)."""

from __future__ import annotations

import csv
from pathlib import Path

import jsonschema
import pytest

from cikg.mapping import curation
from cikg.mapping.evaluate import read_gold
from cikg.mapping.suggest import Suggester
from cikg.store.oxigraph import OxigraphStore
from cikg.vocab import Vocabulary, VocabularyInputs, load_vocabulary, sssom
from cikg.vocab.importers import import_vocabulary
from tests.support import standards
from tests.vocab.conftest import DATA

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "data" / "mapping" / "local_terms_gold.tsv"


def validate_sssom(path: Path) -> None:
    f = sssom.read(path)
    jsonschema.validate(sssom.to_json(f.metadata, f.rows), standards.sssom_json_schema())


def test_suggestions_on_the_fixture(vocab: Vocabulary) -> None:
    s = Suggester(vocab)
    assert s.suggest("Ca. pulmón", "condition")[0].concept_id == "lung_cancer"
    assert s.suggest("CPCNP", "condition")[0].concept_id == "non_small_cell_lung_carcinoma"
    top = s.suggest("C34.1 tumor pulmón", "condition")[0]
    assert top.concept_id == "lung_cancer" and top.rule.startswith("code ICD10:C34.1")
    assert s.suggest("Resonancia magnetica", "modality")[0].concept_id == "modality_mr"
    assert s.suggest("Siemnes", "manufacturer")[0].concept_id == "siemens"
    assert s.suggest("T2", "acquisition_semantics")[0].concept_id == "t2_weighted"
    assert s.suggest("   ") == []
    # a scheme name and a code, or a bare OMOP concept id
    nsclc = "non_small_cell_lung_carcinoma"
    assert s.suggest("NCIT C2926", "condition")[0].concept_id == nsclc
    top = s.suggest("4115276", "condition")[0]
    assert top.concept_id == nsclc and top.rule.startswith("code OMOP:4115276")
    assert s.suggest("de 4115276 xx")[0].concept_id == nsclc
    # a label that is a mere subset of the term's words ("tumore" = neoplasm) is the broader concept
    top3 = [c.concept_id for c in s.suggest("Tumore polmonare", "condition")[:3]]
    assert top3[0] == "lung_cancer" and "neoplasm" in top3


@pytest.mark.slow
def test_suggestion_quality_on_the_gold_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cikg map evaluate` on the labelled set of local terms, over the real hyperontology:
    precision@1 >= 0.85 and recall@5 >= 0.95 (with and without the kind column)."""
    import json

    from typer.testing import CliRunner

    from cikg import resources
    from cikg.cli import app

    if not resources.ontology_path().is_file():
        pytest.skip("the hyperontology is not built here (ontology/cikg.ttl): run `make gen`")
    monkeypatch.delenv("CIKG_VOCABULARY_DIR", raising=False)
    monkeypatch.setenv("CIKG_DATA_DIR", str(tmp_path / "data"))
    gold = read_gold(GOLD)
    assert len(gold) >= 200
    langs = {r["language"] for r in gold}
    variations = {r["variation"] for r in gold}
    assert {"en", "es", "it", "el", "fr", "de"} <= langs
    assert {"abbreviation", "typo", "local_code", "translation", "site_spelling"} <= variations
    results = {}
    for flags in ((), ("--no-kind",)):
        run = CliRunner().invoke(
            app, ["map", "evaluate", str(GOLD), "--json", *flags], catch_exceptions=False
        )
        assert run.exit_code == 0, run.output
        results[flags] = json.loads(run.output)
    ev, blind = results[()], results[("--no-kind",)]
    with capsys.disabled():
        print(
            f"\nsuggestion quality, kind given: {ev['terms']} terms, p@1 {ev['precision_at_1']:.3f}, "
            f"r@5 {ev['recall_at_5']:.3f}; without the kind column: p@1 {blind['precision_at_1']:.3f}, "
            f"r@5 {blind['recall_at_5']:.3f}"
        )
    assert ev["terms"] == len(gold) and not ev["unknown_expected"], ev["unknown_expected"]
    assert ev["precision_at_1"] >= 0.85
    assert ev["recall_at_5"] >= 0.95
    assert blind["precision_at_1"] >= 0.85 and blind["recall_at_5"] >= 0.95
    assert ev["by_variation"]["typo"]["recall_at_5"] >= 0.95
    assert ev["by_variation"]["local_code"]["precision_at_1"] >= 0.85


def test_suggest_review_export_cycle(tmp_path: Path, vocab: Vocabulary) -> None:
    from cikg.catalogue import Catalogue
    from cikg.settings import Settings

    terms = tmp_path / "local_terms.csv"
    terms.write_text(
        "term,kind\nCa. pulmón,condition\nRMN,modality\nC61 ca prostata,condition\n", encoding="utf-8"
    )
    out = tmp_path / "local.sssom.tsv"
    settings = Settings(data_dir=tmp_path / "data", vocabulary_dir=DATA / "ontology", local_mappings=[out])
    with Catalogue(settings) as cat:
        result = cat.map_suggest(terms, out)
        assert result["terms"] == 3
        validate_sssom(out)
        rows = cat.map_rows(out)
        assert all(r["mapping_justification"] == "semapv:LexicalMatching" for r in rows)
        first = {r["subject_label"]: i for i, r in reversed(list(enumerate(rows, start=1)))}
        assert rows[first["Ca. pulmón"] - 1]["object_id"] == "CIKG:lung_cancer"
        # harvesting uses reviewed mappings only
        assert cat.vocabulary.map_value("condition", "Ca. pulmón") is None
        counts = cat.map_review(
            out, accept=[first["Ca. pulmón"], first["RMN"]], reject=[], reviewer="Dr. Steward"
        )
        assert counts["accepted"] == 2
        validate_sssom(out)
        reviewed = cat.map_rows(out)
        accepted = reviewed[first["Ca. pulmón"] - 1]
        assert accepted["mapping_justification"] == "semapv:ManualMappingCuration"
        assert accepted["reviewer_label"] == "Dr. Steward" and accepted["review_date"]
        assert any(r.get("predicate_modifier") == "Not" for r in reviewed)
        assert cat.vocabulary.map_value("condition", "Ca. pulmón") == "lung_cancer"
        assert cat.vocabulary.map_value("modality", "RMN") == "modality_mr"
        stcm = tmp_path / "local.stcm.tsv"
        exported = cat.map_export(out, stcm)
        assert exported["rows"] == 2
        with stcm.open(encoding="utf-8") as f:
            table = list(csv.DictReader(f, delimiter="\t"))
        assert list(table[0]) == curation.STCM_COLUMNS
        assert {r["source_code"] for r in table} == {"Ca. pulmón", "RMN"}
        assert all(r["source_concept_id"] == "0" for r in table)
        with Path(exported["sidecar"]).open(encoding="utf-8") as f:
            side = list(csv.DictReader(f))
        assert {r["mapping_status"] for r in side} == {"APPROVED", "REJECTED", "UNCHECKED"}
        assert any(r["equivalence"] == "EQUAL" for r in side)
        with pytest.raises(ValueError, match="no row 999"):
            cat.map_review(out, accept=[999], reject=[], reviewer="x")


def test_breast_cancer_exports_its_omop_id(tmp_path: Path, vocab: Vocabulary) -> None:
    out = tmp_path / "x.sssom.tsv"
    terms = [curation.LocalTerm("Ca mama", "condition")]
    rows = curation.suggestion_rows(terms, [Suggester(vocab).suggest("Ca mama", "condition", 1)])
    curation.write(out, curation.mapping_set("x"), rows)
    curation.review(out, accept=[1], reviewer="me")
    n, _ = curation.export_stcm(vocab, out, tmp_path / "x.stcm.tsv")
    assert n == 1
    assert "\t4112853\tOMOP\t" in (tmp_path / "x.stcm.tsv").read_text(encoding="utf-8")


def test_usagi_import(tmp_path: Path, fixture_inputs: VocabularyInputs) -> None:
    store = OxigraphStore()
    import_vocabulary(store, "omop", DATA / "omop")
    vocab = load_vocabulary(store, inputs=fixture_inputs)
    usagi = tmp_path / "usagi.csv"
    usagi.write_text(
        "sourceCode,sourceName,sourceFrequency,sourceAutoAssignedConceptIds,matchScore,mappingStatus,equivalence,"
        "statusSetBy,statusSetOn,conceptId,conceptName,domainId,mappingType,comment,createdBy,createdOn\n"
        "HX-ONC-017,Ca pulmon no microcitico,12,,0.82,APPROVED,EQUAL,maria,1718000000000,4115276,"
        "Non-small cell lung cancer,Condition,MAPS_TO,,maria,1718000000000\n"
        "HX-ONC-020,Ca mama,7,,0.77,UNCHECKED,UNREVIEWED,,,4112853,Malignant tumor of breast,Condition,"
        "MAPS_TO,,,\n",
        encoding="utf-8",
    )
    meta, rows = curation.import_usagi(vocab, usagi, kind="condition")
    out = tmp_path / "usagi.sssom.tsv"
    curation.write(out, meta, rows)
    validate_sssom(out)
    assert rows[0]["object_id"] == "CIKG:non_small_cell_lung_carcinoma"
    assert rows[0]["mapping_justification"] == "semapv:ManualMappingCuration"
    assert rows[0]["reviewer_label"] == "maria" and rows[0]["review_date"] == "2024-06-10"
    assert rows[1]["object_id"] == "CIKG:breast_cancer"
    assert rows[1]["mapping_justification"] == "semapv:LexicalMatching"
    bad = tmp_path / "bad.csv"
    bad.write_text("sourceName,conceptId\nx,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a Usagi export"):
        curation.import_usagi(vocab, bad)


def test_local_terms_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such file"):
        curation.read_local_terms(tmp_path / "missing.csv")
    plain = tmp_path / "plain.txt"
    plain.write_text("Ca pulmón\nRMN\n", encoding="utf-8")
    assert [t.term for t in curation.read_local_terms(plain)] == ["Ca pulmón", "RMN"]
