"""The IDC steward mapping set (mappings/idc.sssom.tsv): valid SSSOM, reviewed, complete, used by harvests."""

from __future__ import annotations

import pytest

from cikg import resources
from cikg.mapping import curation
from cikg.vocab import Vocabulary, build, sssom
from cikg.vocab.cache import VocabularyInputs, load_vocabulary, split_mapping_sets

IDC_SET = resources.mappings_dir() / "idc.sssom.tsv"
NO_TERM = "sssom:NoTermFound"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return sssom.read(IDC_SET).rows


@pytest.fixture(scope="module")
def shipped_vocab() -> Vocabulary:
    return load_vocabulary(inputs=VocabularyInputs.default())


def test_validates_against_the_sssom_json_schema() -> None:
    import jsonschema

    from tests.support import standards

    doc = build.sssom_to_json(IDC_SET.read_text(encoding="utf-8"))
    jsonschema.validate(doc, standards.sssom_json_schema())
    for key in ("license", "mapping_set_id", "mapping_set_version", "mapping_date", "curie_map"):
        assert doc.get(key), key


def test_is_a_steward_set_not_an_ontology_set() -> None:
    ontology_sets, steward_sets = split_mapping_sets(resources.mappings_dir())
    assert IDC_SET in steward_sets and IDC_SET not in ontology_sets


def test_every_row_is_reviewed_and_names_a_known_concept(
    rows: list[dict[str, str]], shipped_vocab: Vocabulary
) -> None:
    assert len(rows) >= 400
    for row in rows:
        assert row["mapping_justification"] == curation.MANUAL, row["subject_label"]
        assert row["reviewer_label"] and row["review_date"]
        target = row["object_id"]
        if target != NO_TERM:
            assert target.startswith("CIKG:") and target[5:] in shipped_vocab, target
            assert shipped_vocab.branch_of(target[5:]) == shipped_vocab.branch_root(row["subject_category"])


def test_every_idc_value_is_covered_and_maps_as_reviewed(
    rows: list[dict[str, str]], shipped_vocab: Vocabulary
) -> None:
    pytest.importorskip("duckdb")
    from cikg.harvest.idc import IdcIndex, split_values

    con = IdcIndex.installed().connect()
    reviewed = {(r["subject_category"], r["subject_label"]): r["object_id"] for r in rows}
    values: set[tuple[str, str]] = set()
    for (text,) in con.execute("SELECT cancer_types FROM collections").fetchall():
        values.update(("condition", v) for v in split_values(text))
    for column, kind in (
        ("BodyPartExamined", "body_part"),
        ("Manufacturer", "manufacturer"),
        ("Modality", "modality"),
    ):
        sql = f"SELECT DISTINCT trim({column}) FROM series WHERE {column} IS NOT NULL"
        values.update((kind, v) for (v,) in con.execute(sql).fetchall())
    con.close()
    assert sorted(values - set(reviewed)) == []
    wrong = []
    for kind, value in sorted(values):
        target = reviewed[(kind, value)]
        got = shipped_vocab.map_value(kind, value)
        if target != NO_TERM and got != target[5:]:
            wrong.append((kind, value, target, got))
    assert wrong == []


def test_non_cancer_values_map_to_concepts_a_search_can_exclude(shipped_vocab: Vocabulary) -> None:
    for value, concept in (
        ("Non-Cancer", "no_cancer"),
        ("Healthy Controls (non-cancer)", "no_cancer"),
        ("Phantom", "phantom"),
        ("COVID-19 (non-cancer)", "covid_19"),
    ):
        assert shipped_vocab.map_value("condition", value) == concept
        assert "malignant_neoplasm" not in shipped_vocab.ancestors(concept)
    assert "malignant_neoplasm" in shipped_vocab.ancestors(
        shipped_vocab.map_value("condition", "Pancreas Cancer") or ""
    )
