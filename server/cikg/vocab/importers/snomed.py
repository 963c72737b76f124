"""SNOMED CT RF2 snapshot: sct2_Concept_Snapshot, sct2_Description_Snapshot-<lang> and
sct2_Relationship_Snapshot (tab-separated, header row). Active is-a relationships (typeId 116680003)
become ``skos:broader``; the fully specified name is the preferred label (its semantic tag dropped)
and kept as a synonym with the other active descriptions."""

from __future__ import annotations

import re
from pathlib import Path

from cikg.vocab.importers.base import (
    T_ALT,
    T_BROADER,
    T_DEPRECATED,
    T_PREF,
    Context,
    ImportFormatError,
    find_files,
    iri,
    literal,
    read_table,
    scheme_iri,
)

IS_A = "116680003"
FSN = "900000000000003001"
_TAG = re.compile(r"\s*\([^()]*\)\s*$")


def files(path: Path) -> list[Path]:
    found = find_files(
        path,
        ["sct2_Concept_*Snapshot*.txt", "sct2_Description_*Snapshot*.txt", "sct2_Relationship_Snapshot*.txt"],
    )
    if not any(p.name.startswith("sct2_Concept_") for p in found):
        raise ImportFormatError(path, None, "an RF2 snapshot needs sct2_Concept_Snapshot_*.txt (not found)")
    return found


def _sctid(path: Path, line: int, value: str, column: str) -> str:
    if not value.isdigit() or len(value) < 6:
        raise ImportFormatError(path, line, f"{column} {value!r} is not an SCTID")
    return value


def run(ctx: Context) -> None:
    scheme = scheme_iri(ctx.kind)
    out = ctx.out
    for path in ctx.paths:
        name = path.name
        if name.startswith("sct2_Concept_"):
            for line, row in read_table(ctx, path, ("id", "active", "definitionStatusId"), delimiter="\t"):
                sid = _sctid(path, line, row["id"], "id")
                s = iri("SNOMEDCT", sid)
                out.term(s, scheme, sid)
                if row["active"] != "1":
                    out.add(s, T_DEPRECATED, literal("true"))
        elif name.startswith("sct2_Description_"):
            desc_cols = ("id", "active", "conceptId", "languageCode", "typeId", "term")
            for line, row in read_table(ctx, path, desc_cols, delimiter="\t"):
                if row["active"] != "1":
                    continue
                s = iri("SNOMEDCT", _sctid(path, line, row["conceptid"], "conceptId"))
                lang = row["languagecode"].strip() or "en"
                term = row["term"].strip()
                if row["typeid"] == FSN:
                    out.add(s, T_PREF, literal(_TAG.sub("", term), lang))
                out.add(s, T_ALT, literal(term, lang))
        elif name.startswith("sct2_Relationship_"):
            cols = ("active", "sourceId", "destinationId", "typeId")
            for line, row in read_table(ctx, path, cols, delimiter="\t"):
                if row["active"] != "1" or row["typeid"] != IS_A:
                    continue
                src = _sctid(path, line, row["sourceid"], "sourceId")
                dst = _sctid(path, line, row["destinationid"], "destinationId")
                out.add(iri("SNOMEDCT", src), T_BROADER, iri("SNOMEDCT", dst))
