"""SSSOM files of local-term mappings: writing suggestions, reviewing them, reading Usagi exports,
exporting OMOP SOURCE_TO_CONCEPT_MAP rows.

Local terms are subjects ``LOCAL:<kind>/<term>`` (prefix ``LOCAL`` = ``urn:cikg:local:`` in the
file's curie_map), with the raw term as ``subject_label`` and the kind (body_part, condition ...) as
``subject_category``. A suggestion has ``mapping_justification semapv:LexicalMatching``; review
turns an accepted row into ``semapv:ManualMappingCuration`` (reviewer, date) and a rejected one into
``predicate_modifier Not``. Only reviewed, non-negated rows are used by harvesting.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from cikg import __version__
from cikg.mapping.suggest import Candidate
from cikg.vocab import Vocabulary, VocabularyError, sssom

LOCAL_PREFIX = "urn:cikg:local:"
LEXICAL = "semapv:LexicalMatching"
MANUAL = "semapv:ManualMappingCuration"
CURIE_MAP = {
    "CIKG": "https://w3id.org/cikg/ontology/",
    "LOCAL": LOCAL_PREFIX,
    "OMOP": "https://athena.ohdsi.org/search-terms/terms/",
    "semapv": "https://w3id.org/semapv/vocab/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}


def local_id(term: str, kind: str | None) -> str:
    return f"LOCAL:{quote(kind or 'term', safe='')}/{quote(term.strip(), safe='')}"


def term_of(subject_id: str) -> str:
    return unquote(subject_id.split("/", 1)[1]) if "/" in subject_id else subject_id


@dataclass
class LocalTerm:
    term: str
    kind: str | None = None
    code: str | None = None
    frequency: str | None = None


def read_local_terms(path: Path) -> list[LocalTerm]:
    """A CSV / TSV of local terms: a ``term`` column (or the first column), optional ``kind``,
    ``code`` and ``frequency``."""
    if not path.is_file():
        raise VocabularyError(f"{path}: no such file")
    text = path.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0] if text else ""
    delimiter = "\t" if first.count("\t") >= max(first.count(","), 1) else ","
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    if not rows:
        raise VocabularyError(f"{path}: empty")
    header = [h.strip().lower() for h in rows[0]]
    term_col = next(
        (
            header.index(c)
            for c in ("term", "source_term", "sourcename", "local_term", "value")
            if c in header
        ),
        None,
    )
    start = 1
    if term_col is None:
        term_col, start, header = 0, 0, []
    col = {name: header.index(name) for name in ("kind", "code", "frequency") if name in header}
    out = []
    for n, row in enumerate(rows[start:], start=start + 1):
        if not row or not row[term_col].strip():
            continue
        if len(row) <= max([term_col, *col.values()]):
            raise VocabularyError(f"{path}, line {n}: {len(row)} fields, expected {len(header)}")
        out.append(
            LocalTerm(
                row[term_col].strip(),
                *(row[col[c]].strip() or None if c in col else None for c in ("kind", "code", "frequency")),
            )
        )
    return out


def mapping_set(title: str, *, source: str | None = None) -> dict[str, Any]:
    return {
        "curie_map": dict(CURIE_MAP),
        "mapping_set_id": f"urn:cikg:mappings:local:{quote(title, safe='')}",
        "mapping_set_title": title,
        "license": "https://creativecommons.org/publicdomain/zero/1.0/",
        "mapping_tool": "cikg map",
        "mapping_tool_version": __version__,
        "mapping_date": dt.date.today().isoformat(),
        "subject_source": source or "local",
        "object_source": "https://w3id.org/cikg/ontology",
    }


def suggestion_rows(
    terms: Sequence[LocalTerm], candidates: Sequence[Sequence[Candidate]]
) -> list[dict[str, str]]:
    rows = []
    for term, cands in zip(terms, candidates, strict=True):
        for c in cands:
            rows.append(
                {
                    "subject_id": local_id(term.term, term.kind),
                    "subject_label": term.term,
                    "subject_category": term.kind or "",
                    "predicate_id": "skos:exactMatch",
                    "object_id": f"CIKG:{c.concept_id}",
                    "object_label": c.label,
                    "mapping_justification": LEXICAL,
                    "confidence": f"{c.confidence:.4f}",
                    "similarity_score": f"{c.confidence:.4f}",
                    "similarity_measure": c.rule,
                    "match_string": c.matched,
                    "mapping_date": dt.date.today().isoformat(),
                    "mapping_tool": "cikg map suggest",
                    "comment": f"candidate for {term.term!r}: {c.rule}",
                }
            )
    return rows


def write(path: Path, meta: dict[str, Any], rows: list[dict[str, str]]) -> None:
    path.write_text(sssom.dumps(meta, rows), encoding="utf-8")


def read(path: Path) -> tuple[dict[str, Any], list[dict[str, str]]]:
    f = sssom.read(path)
    return f.metadata, f.rows


def review(
    path: Path,
    *,
    accept: Iterable[int] = (),
    reject: Iterable[int] = (),
    reviewer: str,
    reject_others: bool = True,
    out: Path | None = None,
) -> dict[str, int]:
    """Accept / reject rows (1-based data row numbers). Accepting a row rejects the other candidates
    for the same local term unless ``reject_others`` is false."""
    if not reviewer.strip():
        raise VocabularyError("give the reviewer's name (--reviewer)")
    meta, rows = read(path)
    accept, reject = list(accept), list(reject)
    for n in [*accept, *reject]:
        if not 1 <= n <= len(rows):
            raise VocabularyError(f"{path}: no row {n} (the file has {len(rows)} mapping rows)")
    if set(accept) & set(reject):
        raise VocabularyError(f"rows both accepted and rejected: {sorted(set(accept) & set(reject))}")
    today = dt.date.today().isoformat()
    counts = {"accepted": 0, "rejected": 0}

    def mark(row: dict[str, str], ok: bool) -> None:
        row["mapping_justification"] = MANUAL
        row["reviewer_label"] = reviewer
        row["review_date"] = today
        row["author_label"] = row.get("author_label") or reviewer
        row["predicate_modifier"] = "" if ok else "Not"
        row["confidence"] = "1.0" if ok else row.get("confidence", "")
        counts["accepted" if ok else "rejected"] += 1

    for n in accept:
        row = rows[n - 1]
        mark(row, True)
        if reject_others:
            for i, other in enumerate(rows, start=1):
                same_term = other.get("subject_id") == row.get("subject_id")
                if i != n and same_term and i not in accept and other.get("mapping_justification") != MANUAL:
                    mark(other, False)
    for n in reject:
        mark(rows[n - 1], False)
    write(out or path, meta, rows)
    return counts


# -- OMOP SOURCE_TO_CONCEPT_MAP --------------------------------------------------------------------
STCM_COLUMNS = [
    "source_code",
    "source_concept_id",
    "source_vocabulary_id",
    "source_code_description",
    "target_concept_id",
    "target_vocabulary_id",
    "valid_start_date",
    "valid_end_date",
    "invalid_reason",
]
SIDECAR_COLUMNS = [
    "source_code",
    "source_code_description",
    "target_concept_id",
    "cikg_concept",
    "mapping_status",
    "equivalence",
    "predicate_id",
    "confidence",
    "reviewer",
    "review_date",
    "mapping_justification",
]
EQUIVALENCE = {
    "skos:exactMatch": "EQUAL",
    "skos:closeMatch": "EQUIVALENT",
    "skos:broadMatch": "WIDER",
    "skos:narrowMatch": "NARROWER",
    "skos:relatedMatch": "INEXACT",
}


def omop_concept_id(vocab: Vocabulary, concept_id: str) -> str:
    c = vocab.concepts.get(concept_id)
    if c is None:
        return "0"
    for pred in ("skos:exactMatch", "skos:closeMatch"):
        for m in c.mappings:
            if m.predicate == pred and m.object_id.startswith("OMOP:"):
                return m.object_id[5:]
    return "0"


def export_stcm(
    vocab: Vocabulary,
    path: Path,
    out: Path,
    *,
    vocabulary_id: str = "CIKG_LOCAL",
    include_unreviewed: bool = False,
) -> tuple[int, Path]:
    """SOURCE_TO_CONCEPT_MAP rows for the accepted mappings (tab-separated, OMOP column order) and a
    sidecar CSV keeping what Usagi drops: status, equivalence, confidence, reviewer."""
    _, rows = read(path)
    stcm: list[list[str]] = []
    sidecar: list[list[str]] = []
    for row in rows:
        reviewed = row.get("mapping_justification") == MANUAL
        negated = (row.get("predicate_modifier") or "").lower() == "not"
        status = "REJECTED" if negated else ("APPROVED" if reviewed else "UNCHECKED")
        slug = row.get("object_id", "").removeprefix("CIKG:")
        target = omop_concept_id(vocab, slug)
        code = row.get("subject_label") or term_of(row.get("subject_id", ""))
        sidecar.append(
            [
                code,
                code,
                target,
                row.get("object_id", ""),
                status,
                EQUIVALENCE.get(row.get("predicate_id", ""), "UNREVIEWED"),
                row.get("predicate_id", ""),
                row.get("confidence", ""),
                row.get("reviewer_label", ""),
                row.get("review_date", ""),
                row.get("mapping_justification", ""),
            ]
        )
        if negated or not (reviewed or include_unreviewed):
            continue
        stcm.append(
            [
                code[:50],
                "0",
                vocabulary_id[:20],
                code[:255],
                target,
                "OMOP" if target != "0" else "None",
                (row.get("review_date") or dt.date.today().isoformat()).replace("-", ""),
                "20991231",
                "",
            ]
        )
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(STCM_COLUMNS)
        w.writerows(stcm)
    side = out.with_name(out.stem + ".status.csv")
    with side.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(SIDECAR_COLUMNS)
        w.writerows(sidecar)
    return len(stcm), side


# -- Usagi ----------------------------------------------------------------------------------------
USAGI_EQUIVALENCE = {
    "EQUAL": "skos:exactMatch",
    "EQUIVALENT": "skos:closeMatch",
    "WIDER": "skos:broadMatch",
    "NARROWER": "skos:narrowMatch",
    "INEXACT": "skos:relatedMatch",
    "UNMATCHED": "skos:relatedMatch",
    "UNREVIEWED": "skos:exactMatch",
}


def import_usagi(
    vocab: Vocabulary, path: Path, *, kind: str | None = None
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Usagi's CSV export as SSSOM rows: APPROVED -> manual curation, FLAGGED / UNCHECKED -> lexical
    candidates, IGNORED -> negated; the OMOP conceptId is resolved to the hyperontology concept
    (and kept as ``other`` when it maps to none)."""
    if not path.is_file():
        raise VocabularyError(f"{path}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        required = {"sourceCode", "sourceName", "conceptId", "mappingStatus"}
        missing = required - set(reader.fieldnames or [])
        if missing:
            raise VocabularyError(
                f"{path}, line 1: not a Usagi export: missing column(s) {', '.join(sorted(missing))}"
            )
        rows: list[dict[str, str]] = []
        for row in reader:
            n = reader.line_num
            status = (row.get("mappingStatus") or "").strip().upper()
            concept = (row.get("conceptId") or "").strip()
            if not concept or concept == "0":
                continue
            if not concept.isdigit():
                raise VocabularyError(f"{path}, line {n}: conceptId {concept!r} is not an OMOP concept id")
            try:
                target = vocab.resolve(f"OMOP:{concept}").id
            except LookupError:
                raise VocabularyError(
                    f"{path}, line {n}: OMOP concept {concept} ({row.get('conceptName', '')}) maps to no "
                    "hyperontology concept; import the Athena vocabularies (cikg vocab import omop) first"
                ) from None
            term = (row.get("sourceName") or row.get("sourceCode") or "").strip()
            reviewed = status == "APPROVED"
            out = {
                "subject_id": local_id(term, kind),
                "subject_label": term,
                "subject_category": kind or "",
                "predicate_id": USAGI_EQUIVALENCE.get(
                    (row.get("equivalence") or "").strip().upper(), "skos:exactMatch"
                ),
                "predicate_modifier": "Not" if status == "IGNORED" else "",
                "object_id": f"CIKG:{target}",
                "object_label": vocab.concepts[target].label(),
                "mapping_justification": MANUAL if reviewed else LEXICAL,
                "confidence": _score(row.get("matchScore")),
                "reviewer_label": (row.get("statusSetBy") or "").strip() if reviewed else "",
                "review_date": _date(row.get("statusSetOn")) if reviewed else "",
                "mapping_tool": "OHDSI Usagi",
                "comment": f"Usagi {status or 'UNCHECKED'}; OMOP:{concept} {row.get('conceptName', '')}",
            }
            rows.append(out)
    return mapping_set(f"usagi-{path.stem}", source=str(path.name)), rows


def _score(value: str | None) -> str:
    try:
        return f"{min(max(float(value or ''), 0.0), 1.0):.4f}"
    except ValueError:
        return ""


def _date(value: str | None) -> str:
    if not value or not value.strip():
        return ""
    v = value.strip()
    if v.isdigit() and len(v) >= 10:  # Usagi writes epoch milliseconds
        return dt.datetime.fromtimestamp(int(v) / 1000, dt.UTC).date().isoformat()
    try:
        return dt.date.fromisoformat(v[:10]).isoformat()
    except ValueError:
        return ""
