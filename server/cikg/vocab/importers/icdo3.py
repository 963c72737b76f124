"""ICD-O-3 tables as the WHO (ICD-O-3.2) and SEER distribute them, saved as CSV: a code column
(``ICDO3.2``, ``Code``, ``Histology/Behavior``, ``Morphology``, ``Topography``...), a term column
(``Term``, ``Title``, ``Description``, ``Label``...) and optionally ``Level`` (``Preferred`` /
``Synonym`` / ``Related``). Morphology (``8140/3``) and topography (``C34.1``) share the ICDO3 scheme;
topography codes get their category (``C34``) as ``skos:broader``."""

from __future__ import annotations

import re
from pathlib import Path

from cikg.vocab.importers.base import (
    T_ALT,
    T_BROADER,
    T_PREF,
    Context,
    ImportFormatError,
    find_files,
    iri,
    literal,
    open_text,
    read_table,
    scheme_iri,
)

CODE_COLUMNS = (
    "icdo3.2",
    "icdo3",
    "icd-o-3",
    "code",
    "histology/behavior",
    "morphology",
    "topography",
    "icd-o-3 code",
    "site code",
)
TERM_COLUMNS = (
    "term",
    "title",
    "description",
    "label",
    "histology/behavior description",
    "site description",
    "name",
)
MORPHOLOGY = re.compile(r"^\d{4}/\d$")
TOPOGRAPHY = re.compile(r"^C\d\d(\.\d)?$")


def files(path: Path) -> list[Path]:
    found = find_files(path, ["*.csv", "*.tsv", "*.txt"])
    if not found:
        raise ImportFormatError(path, None, "no ICD-O-3 CSV here")
    return found


def _pick(header: list[str], names: tuple[str, ...], path: Path, what: str) -> str:
    for name in names:
        if name in header:
            return name
    raise ImportFormatError(
        path, 1, f"no {what} column (expected one of {', '.join(names)}; found {', '.join(header)})"
    )


def run(ctx: Context) -> None:
    scheme = scheme_iri(ctx.kind)
    out = ctx.out
    seen: set[str] = set()
    for path in ctx.paths:
        with open_text(path) as handle:
            first = handle.readline()
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        header = [h.strip().strip('"').lower() for h in first.rstrip("\r\n").split(delimiter)]
        code_col = _pick(header, CODE_COLUMNS, path, "code")
        term_col = _pick(header, TERM_COLUMNS, path, "term")
        for line, row in read_table(ctx, path, (code_col, term_col), delimiter=delimiter):
            code = row[code_col].strip().upper()
            if not code:
                continue
            if len(code) == 4 and code[0] == "C" and code[1:].isdigit():  # C341 -> C34.1
                code = f"{code[:3]}.{code[3]}"
            if not (MORPHOLOGY.match(code) or TOPOGRAPHY.match(code)):
                raise ImportFormatError(
                    path,
                    line,
                    f"{code!r} is neither an ICD-O-3 morphology (8140/3) nor a topography (C34.1) code",
                )
            s = iri("ICDO3", code)
            if code not in seen:
                seen.add(code)
                out.term(s, scheme, code)
                if "." in code:
                    out.add(s, T_BROADER, iri("ICDO3", code.split(".")[0]))
            term = row[term_col].strip()
            if not term:
                continue
            level = (row.get("level") or "").strip().lower()
            out.add(s, T_PREF if level in ("", "preferred", "1", "title") else T_ALT, literal(term, "en"))
