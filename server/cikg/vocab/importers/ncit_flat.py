"""NCIt flat file (Thesaurus.txt, tab-separated, no header): code, concept IRI, parents (``|``),
synonyms (``|``, the first is the preferred name), definition, display name, concept status,
semantic type."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from cikg.vocab.importers.base import (
    T_ALT,
    T_BROADER,
    T_DEF,
    T_DEPRECATED,
    T_PREF,
    Context,
    ImportFormatError,
    find_files,
    iri,
    literal,
    open_text,
    scheme_iri,
)


def files(path: Path) -> list[Path]:
    found = find_files(path, ["Thesaurus*.txt", "*.txt"])
    if not found:
        raise ImportFormatError(path, None, "no Thesaurus.txt here")
    return found[:1]


def run(ctx: Context) -> None:
    csv.field_size_limit(sys.maxsize)
    scheme = scheme_iri(ctx.kind)
    out = ctx.out
    for path in ctx.paths:
        with open_text(path) as handle:
            for n, line in enumerate(handle, start=1):
                ctx.progress(len(line))
                if not line.strip():
                    continue
                fields = line.rstrip("\r\n").split("\t")
                if len(fields) < 4:
                    raise ImportFormatError(
                        path,
                        n,
                        f"{len(fields)} tab-separated fields; the NCIt flat file has 8 "
                        "(code, IRI, parents, synonyms, definition, display name, status, semantic type)",
                    )
                code = fields[0].strip()
                if not code or not code[0].isalpha() or not code[1:].isdigit():
                    raise ImportFormatError(path, n, f"{code!r} is not an NCIt code (C followed by digits)")
                ctx.report.rows += 1
                s = iri("NCIT", code)
                out.term(s, scheme, code)
                for parent in filter(None, (p.strip() for p in fields[2].split("|"))):
                    out.add(s, T_BROADER, iri("NCIT", parent))
                synonyms = [x.strip() for x in fields[3].split("|") if x.strip()]
                display = fields[5].strip() if len(fields) > 5 else ""
                if synonyms:
                    out.add(s, T_PREF, literal(synonyms[0], "en"))
                for syn in dict.fromkeys([*synonyms[1:], display]):
                    if syn and syn != (synonyms[0] if synonyms else None):
                        out.add(s, T_ALT, literal(syn, "en"))
                if len(fields) > 4 and fields[4].strip():
                    out.add(s, T_DEF, literal(fields[4].strip(), "en"))
                status = fields[6].strip() if len(fields) > 6 else ""
                if "Retired" in status or "Obsolete" in status:
                    out.add(s, T_DEPRECATED, literal("true"))
