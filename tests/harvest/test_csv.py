"""CSV / eCRF harvester: column mapping, the steward's reviewed SSSOM value mappings, PHI markers."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from cikg.catalogue import Catalogue
from cikg.harvest.base import MappingTally, Pseudonymiser
from cikg.harvest.csvfile import CsvError, harvest_csv, read_column_mapping, read_steward_mappings
from tests.harvest.clinical_mapper import DictMapper, ancestors

DATA = Path(__file__).resolve().parents[1] / "data" / "csv"
MARKER = "PHIMARK"


def run(csv_path: Path = DATA / "ecrf.csv", mapping: Path = DATA / "mapping.yaml"):  # type: ignore[no-untyped-def]
    tally = MappingTally(DictMapper())
    result = harvest_csv(
        [csv_path], read_column_mapping(mapping), tally, Pseudonymiser(b"k" * 32), ancestors=ancestors
    )
    return result, tally


def test_ecrf_export() -> None:
    result, tally = run()
    agg = result.aggregate
    assert result.rows == 7 and result.used_rows == 6
    assert agg.subjects == 5
    assert agg.sex_counts == Counter({"male": 1, "female": 3})
    assert agg.condition_counts == Counter(
        {
            "prostate_cancer": 2,  # "Ca. próstata" (steward), "C61" (ICD10 system of the column)
            "breast_cancer": 1,  # C50.9
            "non_small_cell_lung_carcinoma": 1,  # steward mapping of the Spanish label
            "lung_cancer": 1,
            "malignant_neoplasm": 4,
        }
    )
    # 001: 65; 002: 49; 003: birth date in the wrong format (no age); 004: 95 -> 90
    assert agg.ages == Counter({65: 1, 49: 1, 90: 1})
    assert agg.studies == 3
    assert agg.modalities == Counter({"modality_mr": 1, "modality_ct": 1})
    assert agg.body_parts == Counter({"bp_prostate": 1, "bp_chest": 1})
    assert (agg.first_month, agg.last_month) == ("2015-07", "2020-06")
    unmapped = dict(tally.unmapped)
    assert unmapped[("sex", "Desconocido")] == 1
    assert unmapped[("condition", "C77.2")] == 1
    assert unmapped[("condition", "Diabetes")] == 1  # its only mapping is an unreviewed suggestion
    assert unmapped[("body_part", "Mama")] == 1  # its mapping was rejected at review
    assert unmapped[("modality", "MG")] == 1
    assert result.steward.used == 8
    assert result.steward.ignored == Counter({"not reviewed": 1, "negated": 1})
    problems = [(p.where, p.reason) for p in result.problems]
    assert problems == [
        ("ecrf.csv row 5", "column 'fecha_nacimiento': not a date in the format %d/%m/%Y"),
        ("ecrf.csv row 7", "empty subject column 'codigo_paciente': row skipped"),
    ]
    text = repr(result) + repr(tally.rows())
    assert MARKER not in text
    for secret in ("10/03/1950", "05/05/1970", "15-01-1980"):
        assert secret not in text


def test_steward_mappings_reader() -> None:
    steward = read_steward_mappings([DATA / "hospital-a.sssom.tsv"])
    assert steward.lookup("condition", "  ca. PRÓSTATA ") == "prostate_cancer"
    assert steward.lookup("sex", "Hombre") == "male"
    assert steward.lookup("condition", "Hombre") is None  # scoped by subject_category
    assert steward.lookup("condition", "Diabetes") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns: {sex: sexo}", "columns.subject is required"),
        ("columns: {subject: a, colour: b}", "unknown role 'colour'"),
        ("columns: {subject: a, birth_date: b}", r"columns.birth_date needs a `format:`"),
        ("columns: {subject: {col: a}}", "must be a column name or a mapping with `column:`"),
        ("columns: {subject: a}\nextra: 1", r"unknown key\(s\) \['extra'\]"),
        ("columns: {subject: a}\nvalue_mappings: [nope.tsv]", "value_mappings: nope.tsv: no such file"),
        ("columns: {subject: a}\nformat: {encoding: klingon}", "not a known encoding"),
        ("- just\n- a list", "must be a YAML mapping"),
        ("columns: [unclosed", "cannot read the column mapping"),
    ],
)
def test_bad_column_mappings_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(text)
    with pytest.raises(CsvError, match=message) as info:
        read_column_mapping(path)
    assert str(path) in str(info.value)


def test_missing_column_lists_the_header(tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns: {subject: patient, sex: gender}")
    with pytest.raises(
        CsvError, match=r"ecrf.csv, line 1: column\(s\) 'patient' \(columns.subject\), 'gender'"
    ):
        run(mapping=mapping)


def test_wrong_encoding_says_what_to_do(tmp_path: Path) -> None:
    data = tmp_path / "latin1.csv"
    data.write_bytes("id;sexo\n1;Var\xf3n\n".encode("latin-1"))
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns: {subject: id, sex: sexo}")
    with pytest.raises(CsvError, match=r"not utf-8-sig text .* give format.encoding"):
        run(data, mapping)
    mapping.write_text("format: {encoding: latin-1}\ncolumns: {subject: id, sex: sexo}")
    result, tally = run(data, mapping)
    assert result.aggregate.subjects == 1 and dict(tally.unmapped) == {("sex", "Varón"): 1}


def test_delimiter_is_sniffed_and_quotes_respected(tmp_path: Path) -> None:
    data = tmp_path / "comma.csv"
    data.write_text('id,notes,sex\n1,"PHIMARK, with a comma",male\n2,,female\n')
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns: {subject: id, sex: sex}")
    result, _ = run(data, mapping)
    assert result.aggregate.sex_counts == Counter({"male": 1, "female": 1})


def test_broken_quoting_names_the_line(tmp_path: Path) -> None:
    data = tmp_path / "broken.csv"
    data.write_text('id;sex\n1;male\n2;"fem\x00ale\n')
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns: {subject: id, sex: sex}")
    with pytest.raises(CsvError, match=r"broken.csv, line \d+"):
        run(data, mapping)


# -- end to end ---------------------------------------------------------------------------------------

HOLDER = {
    "data_holder": {
        "id": "hospital-a",
        "name": "Hospital A",
        "country": "ES",
        "juridical_person": "Hospital A",
    },
    "title": "Synthetic eCRF export",
    "access_rights": "RESTRICTED",
}


def test_harvest_into_the_store_and_cli(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from cikg.cli import app
    from tests.harvest.test_omop import dump_everything

    catalogue.value_mapper = DictMapper()
    result = catalogue.harvest_csv(
        [DATA / "ecrf.csv"], DATA / "mapping.yaml", "csv-syn", metadata=dict(HOLDER)
    )
    assert result.report.outcome == "conforms"
    coll = result.collection
    assert coll["number_of_subjects"] == 5
    assert coll["primary_cancer_condition"] == [
        "breast_cancer",
        "non_small_cell_lung_carcinoma",
        "prostate_cancer",
    ]
    assert coll["min_typical_age"] == 49 and coll["max_typical_age"] == 90
    everything = dump_everything(catalogue, catalogue.settings.data_dir)
    assert MARKER not in everything
    for secret in ("10/03/1950", "1950-03-10", "Garcia"):
        assert secret not in everything

    monkeypatch.setattr(Catalogue, "value_mapper", DictMapper(), raising=False)
    meta = tmp_path / "collection.yaml"
    meta.write_text(json.dumps(HOLDER))
    args = ["harvest", "csv", str(DATA / "ecrf.csv"), "--mapping", str(DATA / "mapping.yaml")]
    args += ["--collection", "csv-cli", "--metadata", str(meta), "--data-dir", str(tmp_path / "d")]
    out = CliRunner().invoke(app, args, catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert "conforms" in out.output and "ecrf.csv row 7" in out.output
    assert MARKER not in out.output
    bad = CliRunner().invoke(app, [*args[:3], "--mapping", str(DATA / "ecrf.csv"), *args[5:]])
    assert bad.exit_code == 1
    assert isinstance(bad.exception, CsvError) and "column mapping" in str(bad.exception)


def test_age_column_series_and_bad_age(tmp_path: Path) -> None:
    data = tmp_path / "ages.csv"
    data.write_text("pid,age,dx,study,series\n1,64,C61,s1,a\n1,64,C61,s1,b\n2,97,C50.9,s2,a\n3,sixty,C61,,\n")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "columns: {subject: pid, age: age, condition: {column: dx, system: ICD10}, "
        "study: study, series: series}"
    )
    result, _ = run(data, mapping)
    agg = result.aggregate
    assert agg.ages == Counter({64: 1, 90: 1})  # 97 capped
    assert (agg.studies, agg.series) == (2, 3)
    assert [(p.where, p.reason) for p in result.problems] == [
        ("ages.csv row 5", "column 'age': not an age in years")
    ]
