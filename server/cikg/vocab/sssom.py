"""SSSOM TSV reading and writing (YAML metadata header in ``#`` lines, then a TSV table).

Reading is streaming and tolerant (older dialects such as ``match_type`` are accepted and noted);
writing is strict: the metadata and rows written validate against the SSSOM JSON Schema.

The table dialect is the one sssom-py (pandas) writes and reads: tab-separated, and a cell holding a
tab or a double quote is put in double quotes with its quotes doubled (``"5"" nodule"``). Line breaks
inside a cell are written as spaces, so every mapping is one line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from cikg.vocab.model import VocabularyError

MULTIVALUED = {
    "author_id",
    "author_label",
    "creator_id",
    "creator_label",
    "reviewer_id",
    "reviewer_label",
    "curation_rule",
    "curation_rule_text",
    "see_also",
    "subject_preprocessing",
    "object_preprocessing",
    "subject_match_field",
    "object_match_field",
    "mapping_set_source",
    "match_string",
}
FLOATS = {"confidence", "similarity_score", "reviewer_agreement", "mapping_set_confidence"}
# a steward-friendly column order (SSSOM slot order for the ones we write)
COLUMN_ORDER = [
    "subject_id",
    "subject_label",
    "subject_category",
    "predicate_id",
    "predicate_modifier",
    "object_id",
    "object_label",
    "mapping_justification",
    "confidence",
    "similarity_score",
    "similarity_measure",
    "match_string",
    "author_label",
    "reviewer_label",
    "mapping_date",
    "review_date",
    "mapping_tool",
    "comment",
]


def table_writer(out: TextIO) -> Any:
    """A csv writer in the SSSOM TSV dialect (write cells through :func:`cell`)."""
    return csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def table_reader(lines: Iterable[str]) -> Any:
    """A csv reader in the SSSOM TSV dialect (``line_num`` counts physical lines)."""
    return csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_MINIMAL)


def cell(value: Any) -> str:
    """The text of a table cell: line breaks become spaces (quotes and tabs are the writer's job)."""
    if value is None:
        return ""
    return str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


@dataclass
class SssomFile:
    metadata: dict[str, Any]
    rows: list[dict[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)


def _split_header(handle: TextIO) -> tuple[str, str]:
    header_lines: list[str] = []
    while True:
        pos = handle.tell()
        line = handle.readline()
        if not line:
            break
        if line.startswith("#"):
            header_lines.append(line[1:].removeprefix(" ") if line.startswith("# ") else line[1:])
        else:
            handle.seek(pos)
            break
    return "".join(header_lines), ""


def read_metadata(handle: TextIO, path: Path | str) -> dict[str, Any]:
    header, _ = _split_header(handle)
    if not header.strip():
        return {}
    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as exc:
        raise VocabularyError(f"{path}: the SSSOM metadata header is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise VocabularyError(f"{path}: the SSSOM metadata header must be a YAML mapping")
    return meta


def iter_rows(path: Path) -> tuple[dict[str, Any], Iterator[tuple[int, dict[str, str]]]]:
    """The metadata and a lazy iterator of ``(line number, row)``; rows are dicts of column -> text."""
    handle = path.open("r", encoding="utf-8", newline="")
    meta = read_metadata(handle, path)
    header_line_count = sum(1 for _ in _count_header(path))

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            reader = table_reader(handle)
            columns = next(reader, None)
            if columns is None:
                return
            columns = [c.strip() for c in columns]
            if "subject_id" not in columns or "object_id" not in columns:
                raise VocabularyError(
                    f"{path}, line {header_line_count + 1}: not an SSSOM table: the header needs "
                    f"subject_id and object_id columns (found {', '.join(columns)})"
                )
            start = header_line_count + 2
            for values in reader:
                n, start = start, header_line_count + 1 + reader.line_num
                if not values or (len(values) == 1 and not values[0].strip()):
                    continue
                if any("\n" in v or "\r" in v for v in values):
                    raise VocabularyError(
                        f"{path}, line {n}: a double quote opens a cell that is not closed on this line "
                        f'(quote the whole cell and double its quotes: "5"" nodule")'
                    )
                if len(values) > len(columns):
                    raise VocabularyError(
                        f"{path}, line {n}: {len(values)} fields, the header has {len(columns)}"
                    )
                yield n, {c: v for c, v in zip(columns, values, strict=False)}
        except csv.Error as exc:
            raise VocabularyError(f"{path}, line {header_line_count + 1 + reader.line_num}: {exc}") from exc
        finally:
            handle.close()

    return meta, rows()


def _count_header(path: Path) -> Iterator[None]:
    with path.open("r", encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                return
            yield None


def read(path: Path) -> SssomFile:
    meta, rows = iter_rows(path)
    out = SssomFile(metadata=meta)
    for _, row in rows:
        out.rows.append(row)
        if not out.columns:
            out.columns = list(row)
    return out


def predicate_of(row: dict[str, str]) -> str:
    """The row's predicate, accepting the old ``match_type``-era dialects that put it elsewhere."""
    return (row.get("predicate_id") or row.get("predicate") or "").strip()


def is_negated(row: dict[str, str]) -> bool:
    return (row.get("predicate_modifier") or "").strip().lower() == "not"


def to_json(meta: dict[str, Any], rows: list[dict[str, str]]) -> dict[str, Any]:
    """The JSON form of a mapping set (what the SSSOM JSON Schema validates)."""
    doc: dict[str, Any] = {}
    for key, value in meta.items():
        doc[key] = _typed(key, value)
    mappings = []
    for row in rows:
        item: dict[str, Any] = {}
        for key, value in row.items():
            if value is None or value == "":
                continue
            item[key] = _typed(key, value)
        mappings.append(item)
    doc["mappings"] = mappings
    return doc


def _typed(key: str, value: Any) -> Any:
    if key in MULTIVALUED:
        if isinstance(value, list):
            return [str(v) for v in value]
        return [v.strip() for v in str(value).split("|") if v.strip()]
    if key in FLOATS and isinstance(value, str):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def dumps(meta: dict[str, Any], rows: list[dict[str, str]], columns: list[str] | None = None) -> str:
    """SSSOM TSV text: the YAML header as ``#`` lines, then the table (columns in SSSOM order)."""
    if columns is None:
        present = {k for row in rows for k, v in row.items() if v not in (None, "")}
        columns = [c for c in COLUMN_ORDER if c in present]
        columns += sorted(present - set(columns))
    header = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10_000)
    buf = io.StringIO()
    for line in header.splitlines():
        buf.write(f"# {line}\n")
    writer = table_writer(buf)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(c, "")) for c in columns])
    return buf.getvalue()
