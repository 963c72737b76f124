"""OMOP vocabularies as downloaded from Athena: CONCEPT, CONCEPT_RELATIONSHIP, CONCEPT_ANCESTOR and
CONCEPT_SYNONYM (tab-separated, with a header row, despite the .csv names).

Each concept becomes ``OMOP:<concept_id>`` with its name, code and, for source vocabularies cikg knows
(SNOMED, ICD10, ICDO3, LOINC, NCIt ...), ``skos:exactMatch`` to the code in that scheme, so an OMOP id
resolves wherever its SNOMED / ICD code does. ``Maps to`` becomes ``skos:exactMatch`` between OMOP
ids; ``Is a`` and direct ancestors (min_levels_of_separation = 1) become ``skos:broader``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cikg.vocab.importers.base import (
    MATCH,
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

VOCABULARY_PREFIXES = {
    "snomed": "SNOMEDCT",
    "icd10": "ICD10",
    "icdo3": "ICDO3",
    "loinc": "LOINC",
    "ncit": "NCIT",
    "radlex": "RADLEX",
    "mondo": "MONDO",
    "uberon": "UBERON",
    "dicom": "DCM",
}
LANGUAGE_CONCEPTS = {
    "4180186": "en",
    "4182511": "es",
    "4180190": "fr",
    "4182504": "de",
    "4182507": "it",
    "4181536": "el",
}
CONCEPT_COLUMNS = ("concept_id", "concept_name", "vocabulary_id", "concept_code", "invalid_reason")
FILES = ("CONCEPT.csv", "CONCEPT_RELATIONSHIP.csv", "CONCEPT_ANCESTOR.csv", "CONCEPT_SYNONYM.csv")


def files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    found = {p.name.upper(): p for p in find_files(path, ["*.csv", "*.CSV", "*.tsv"])}
    if "CONCEPT.CSV" not in found:
        raise ImportFormatError(path, None, "an Athena download needs CONCEPT.csv (not found in this folder)")
    return [found[n.upper()] for n in FILES if n.upper() in found]


def _id(path: Path, line: int, value: str, column: str) -> str:
    v = value.strip()
    if not v.isdigit():
        raise ImportFormatError(path, line, f"{column} {value!r} is not a concept id (digits)")
    return v


def run(ctx: Context) -> None:
    by_name = {p.name.upper(): p for p in ctx.paths}
    concept = by_name.get("CONCEPT.CSV")
    if concept is None:
        raise ImportFormatError(", ".join(str(p) for p in ctx.paths), None, "CONCEPT.csv is required")
    scheme = scheme_iri(ctx.kind)
    out = ctx.out
    for line, row in _table(ctx, concept, CONCEPT_COLUMNS):
        cid = _id(concept, line, row["concept_id"], "concept_id")
        s = iri("OMOP", cid)
        code = row["concept_code"].strip()
        out.term(s, scheme, code or None)
        name = row["concept_name"].strip()
        if name:
            out.add(s, T_PREF, literal(name, "en"))
        if row["invalid_reason"].strip():
            out.add(s, T_DEPRECATED, literal("true"))
            continue
        prefix = VOCABULARY_PREFIXES.get(row["vocabulary_id"].strip().lower())
        if prefix and code:
            out.add(s, MATCH["skos:exactMatch"], iri(prefix, code))
    rel = by_name.get("CONCEPT_RELATIONSHIP.CSV")
    if rel is not None:
        for line, row in _table(
            ctx, rel, ("concept_id_1", "concept_id_2", "relationship_id", "invalid_reason")
        ):
            if row["invalid_reason"].strip():
                continue
            a = _id(rel, line, row["concept_id_1"], "concept_id_1")
            b = _id(rel, line, row["concept_id_2"], "concept_id_2")
            kind = row["relationship_id"].strip()
            if kind == "Maps to" and a != b:
                out.add(iri("OMOP", a), MATCH["skos:exactMatch"], iri("OMOP", b))
            elif kind == "Is a":
                out.add(iri("OMOP", a), T_BROADER, iri("OMOP", b))
            else:
                ctx.skip(f"relationship {kind}")
    anc = by_name.get("CONCEPT_ANCESTOR.CSV")
    if anc is not None:
        cols = ("ancestor_concept_id", "descendant_concept_id", "min_levels_of_separation")
        for line, row in _table(ctx, anc, cols):
            if row["min_levels_of_separation"].strip() != "1":
                continue
            a = _id(anc, line, row["ancestor_concept_id"], "ancestor_concept_id")
            d = _id(anc, line, row["descendant_concept_id"], "descendant_concept_id")
            out.add(iri("OMOP", d), T_BROADER, iri("OMOP", a))
    syn = by_name.get("CONCEPT_SYNONYM.CSV")
    if syn is not None:
        for line, row in _table(ctx, syn, ("concept_id", "concept_synonym_name", "language_concept_id")):
            cid = _id(syn, line, row["concept_id"], "concept_id")
            name = row["concept_synonym_name"].strip()
            if name:
                out.add(
                    iri("OMOP", cid),
                    T_ALT,
                    literal(name, LANGUAGE_CONCEPTS.get(row["language_concept_id"].strip())),
                )


def _table(ctx: Context, path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    return read_table(ctx, path, required, delimiter="\t")
