"""LOINC table (Loinc.csv, comma-separated, quoted): LOINC_NUM, LONG_COMMON_NAME, SHORTNAME,
COMPONENT ..., STATUS. Deprecated codes are kept and flagged. (LOINC's notice applies: the content
is loaded unmodified.)"""

from __future__ import annotations

from pathlib import Path

from cikg.vocab.importers.base import (
    T_ALT,
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


def files(path: Path) -> list[Path]:
    found = [
        p for p in find_files(path, ["Loinc.csv", "LoincTable*.csv", "*.csv"]) if "loinc" in p.name.lower()
    ]
    if not found:
        raise ImportFormatError(path, None, "no Loinc.csv here")
    return found[:1]


def run(ctx: Context) -> None:
    scheme = scheme_iri(ctx.kind)
    out = ctx.out
    for path in ctx.paths:
        for line, row in read_table(ctx, path, ("LOINC_NUM", "LONG_COMMON_NAME"), delimiter=","):
            code = row["loinc_num"].strip()
            if not code or "-" not in code:
                raise ImportFormatError(path, line, f"LOINC_NUM {code!r} is not a LOINC code (NNNNN-N)")
            s = iri("LOINC", code)
            out.term(s, scheme, code)
            name = row["long_common_name"].strip()
            if name:
                out.add(s, T_PREF, literal(name, "en"))
            for col in ("shortname", "component", "display_name", "consumer_name"):
                value = (row.get(col) or "").strip()
                if value and value != name:
                    out.add(s, T_ALT, literal(value, "en"))
            if (row.get("status") or "").strip().upper() in ("DEPRECATED", "DISCOURAGED"):
                out.add(s, T_DEPRECATED, literal("true"))
