"""Mondo SSSOM mapping sets (mondo_exactmatch_ncit.sssom.tsv, ...): each row links a Mondo disease to
a code of another scheme with its SSSOM predicate; Mondo labels come along (Mondo is CC BY 4.0).
Rows whose object prefix cikg does not know (e.g. OncoTree) are counted as skipped."""

from __future__ import annotations

from pathlib import Path

from cikg import namespaces
from cikg.vocab import sssom
from cikg.vocab.importers.base import (
    MATCH,
    T_PREF,
    Context,
    ImportFormatError,
    find_files,
    literal,
    scheme_iri,
)
from cikg.vocab.model import VocabularyError


def files(path: Path) -> list[Path]:
    found = find_files(path, ["*.sssom.tsv"])
    if not found:
        raise ImportFormatError(path, None, "no *.sssom.tsv files here")
    return found


def _expand(value: str, curie_map: dict[str, str]) -> str | None:
    conv = namespaces.converter()
    value = value.strip()
    if conv.is_iri(value):
        return value
    prefix, sep, local = value.partition(":")
    if not sep:
        return None
    found = conv.lookup(prefix)
    if found is not None:
        return found.uri_prefix + local
    if prefix in curie_map:
        iri = str(curie_map[prefix]) + local
        return iri if conv.compress(iri) else None
    return None


def run(ctx: Context) -> None:
    scheme = scheme_iri(ctx.kind)
    out = ctx.out
    seen: set[str] = set()
    for path in ctx.paths:
        ctx.progress(0)
        try:
            meta, rows = sssom.iter_rows(path)
            curie_map = {str(k): str(v) for k, v in (meta.get("curie_map") or {}).items()}
            for line, row in rows:
                ctx.report.rows += 1
                subject = _expand(row.get("subject_id", ""), curie_map)
                obj = _expand(row.get("object_id", ""), curie_map)
                predicate = sssom.predicate_of(row)
                if subject is None:
                    raise ImportFormatError(
                        path, line, f"subject_id {row.get('subject_id')!r} is not a CURIE"
                    )
                pred = MATCH.get(predicate) or MATCH.get(_short(predicate))
                if pred is None:
                    ctx.skip(f"predicate {predicate}")
                    continue
                if obj is None:
                    ctx.skip(f"object prefix {row.get('object_id', '').split(':')[0]}")
                    continue
                if sssom.is_negated(row):
                    ctx.skip("negated")
                    continue
                s = f"<{subject}>"
                if subject not in seen:
                    seen.add(subject)
                    out.term(s, scheme)
                    label = (row.get("subject_label") or "").strip()
                    if label:
                        out.add(s, T_PREF, literal(label, "en"))
                out.add(s, pred, f"<{obj}>")
        except VocabularyError as exc:
            if isinstance(exc, ImportFormatError):
                raise
            raise ImportFormatError(path, None, str(exc)) from exc
        ctx.progress(path.stat().st_size)


def _short(predicate: str) -> str:
    conv = namespaces.converter()
    return conv.compress_or_iri(predicate) if conv.is_iri(predicate) else predicate
