"""SSSOM TSV reading and writing: labels with quotes, tabs and backslashes survive a round trip (and
every review rewrite) unchanged, in the dialect sssom-py (pandas) reads; the file still validates
against the SSSOM JSON Schema; a stray quote is an error naming file and line, not merged rows."""

from __future__ import annotations

import csv
from pathlib import Path

import jsonschema
import pytest

from cikg.vocab import VocabularyError, sssom
from cikg.vocab.build import sssom_to_json
from tests.support import standards

META = {
    "curie_map": {"CIKG": "https://w3id.org/cikg/ontology/", "LOCAL": "urn:cikg:local:"},
    "mapping_set_id": "urn:cikg:mappings:test",
    "license": "https://creativecommons.org/publicdomain/zero/1.0/",
}
LABELS = [
    '5" nodule',
    '"Ca" pulmón',
    "tab\tinside",
    "back\\slash \\t",
    'ends with a quote"',
    "plain",
]


def _rows() -> list[dict[str, str]]:
    return [
        {
            "subject_id": f"LOCAL:condition/{i}",
            "subject_label": label,
            "predicate_id": "skos:exactMatch",
            "object_id": "CIKG:lung_cancer",
            "mapping_justification": "semapv:LexicalMatching",
            "comment": f"row {i}: {label}",
        }
        for i, label in enumerate(LABELS)
    ]


def test_quotes_tabs_and_backslashes_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "local.sssom.tsv"
    path.write_text(sssom.dumps(META, _rows()), encoding="utf-8")
    first = sssom.read(path)
    assert [r["subject_label"] for r in first.rows] == LABELS
    assert first.rows[0]["comment"] == 'row 0: 5" nodule'
    # a review rewrites the file: nothing accumulates (the old writer added a backslash per rewrite)
    for _ in range(3):
        path.write_text(sssom.dumps(first.metadata, first.rows), encoding="utf-8")
        again = sssom.read(path)
        assert again.rows == first.rows
    # one mapping per line, in the dialect of sssom-py (pandas.read_csv(sep="\t"): CSV quoting)
    table = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert len(table) == 1 + len(LABELS)
    assert '\t"5"" nodule"\t' in table[1]
    assert "\tplain\t" in table[-1]
    parsed = list(csv.DictReader(table, delimiter="\t"))
    assert [r["subject_label"] for r in parsed] == LABELS
    # the shipped-file reader agrees, and the JSON form validates
    doc = sssom_to_json(path.read_text(encoding="utf-8"))
    assert [m["subject_label"] for m in doc["mappings"]] == LABELS
    jsonschema.validate(sssom.to_json(first.metadata, first.rows), standards.sssom_json_schema())


def test_line_breaks_become_spaces() -> None:
    rows = _rows()[:1]
    rows[0]["subject_label"] = "two\nlines\r\nhere"
    text = sssom.dumps(META, rows)
    assert "two lines here" in text
    assert len([line for line in text.splitlines() if not line.startswith("#")]) == 2


def test_a_stray_quote_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.sssom.tsv"
    path.write_text(
        "# mapping_set_id: urn:x\n"
        "subject_id\tsubject_label\tpredicate_id\tobject_id\tmapping_justification\n"
        "LOCAL:a\tfine\tskos:exactMatch\tCIKG:lung_cancer\tsemapv:LexicalMatching\n"
        'LOCAL:b\t"unclosed\tskos:exactMatch\tCIKG:lung_cancer\tsemapv:LexicalMatching\n'
        "LOCAL:c\tswallowed\tskos:exactMatch\tCIKG:lung_cancer\tsemapv:LexicalMatching\n",
        encoding="utf-8",
    )
    with pytest.raises(VocabularyError, match=r"bad\.sssom\.tsv, line 4: a double quote opens a cell"):
        sssom.read(path)
