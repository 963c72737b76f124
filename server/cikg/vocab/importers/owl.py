"""OWL releases (RadLex OWL, NCIt Thesaurus.owl or its OBO edition): streamed with the RDF/XML or
Turtle parser; each named class becomes a SKOS concept in cikg's shape (labels, synonyms, definition,
``skos:broader`` for named superclasses). Property IRIs differ per release, so each kind lists its
label / synonym / definition properties."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from cikg import namespaces
from cikg.namespaces import OBOINOWL, OWL, RDF, RDFS, SKOS
from cikg.store.base import guess_format
from cikg.vocab.importers.base import (
    T_ALT,
    T_BROADER,
    T_DEF,
    T_DEPRECATED,
    T_PREF,
    Context,
    ImportFormatError,
    find_files,
    literal,
    scheme_iri,
)

NCIT_OWL = "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl#"
RADLEX_RID = "http://radlex.org/RID/"
OBO_NCIT = "http://purl.obolibrary.org/obo/NCIT_"

PROFILES: dict[str, dict[str, set[str]]] = {
    "radlex": {
        "pref": {RADLEX_RID + "Preferred_name", RDFS + "label", SKOS + "prefLabel"},
        "alt": {RADLEX_RID + "Synonym", SKOS + "altLabel"},
        "def": {RADLEX_RID + "Definition", SKOS + "definition"},
    },
    "ncit": {
        "pref": {NCIT_OWL + "P108", RDFS + "label", SKOS + "prefLabel"},
        "alt": {
            NCIT_OWL + "P90",
            NCIT_OWL + "P107",
            OBOINOWL + "hasExactSynonym",
            OBOINOWL + "hasRelatedSynonym",
            SKOS + "altLabel",
        },
        "def": {NCIT_OWL + "P97", "http://purl.obolibrary.org/obo/IAO_0000115", SKOS + "definition"},
    },
}


def files(path: Path) -> list[Path]:
    found = find_files(path, ["*.owl", "*.rdf", "*.ttl", "*.owl.xml"])
    if not found:
        raise ImportFormatError(path, None, "no OWL file (.owl, .rdf, .ttl) here")
    return found


def _local_iri(kind: str) -> Callable[[str], str | None]:
    conv = namespaces.converter()

    def radlex(value: str) -> str | None:
        if value.startswith(RADLEX_RID):
            return value
        if "#RID" in value:  # older RadLex releases: http://www.radlex.org/RID/#RID10312
            return RADLEX_RID + value.rsplit("#", 1)[1]
        return None

    def ncit(value: str) -> str | None:
        if value.startswith(NCIT_OWL):
            return OBO_NCIT + value[len(NCIT_OWL) :]
        if value.startswith(OBO_NCIT):
            return value
        return None

    if kind == "radlex":
        return radlex
    if kind == "ncit":
        return ncit
    return lambda v: v if conv.compress(v) else None


def run(ctx: Context) -> None:
    profile = PROFILES[ctx.kind]
    to_iri = _local_iri(ctx.kind)
    scheme = scheme_iri(ctx.kind)
    out = ctx.out
    typed: set[str] = set()
    for path in ctx.paths:
        try:
            fmt = guess_format(path)
        except Exception as exc:
            raise ImportFormatError(path, None, str(exc)) from exc
        size = path.stat().st_size
        reported = 0
        try:
            parser = ox.parse(path=str(path), format=fmt)
            for n, quad in enumerate(parser):
                if n % 50_000 == 0 and n:
                    ctx.progress(min(size // 100, size - reported))
                    reported += min(size // 100, size - reported)
                s = quad.subject
                if not isinstance(s, ox.NamedNode):
                    continue
                subject = to_iri(s.value)
                if subject is None:
                    continue
                p, o = quad.predicate.value, quad.object
                ctx.report.rows += 1
                node = f"<{subject}>"
                if p == RDF + "type" and isinstance(o, ox.NamedNode) and o.value == OWL + "Class":
                    if subject not in typed:
                        typed.add(subject)
                        out.term(node, scheme)
                elif isinstance(o, ox.Literal):
                    lang = o.language or "en"
                    if p in profile["pref"]:
                        out.add(node, T_PREF, literal(o.value, lang))
                    elif p in profile["alt"]:
                        out.add(node, T_ALT, literal(o.value, lang))
                    elif p in profile["def"]:
                        out.add(node, T_DEF, literal(o.value, lang))
                    elif p == OWL + "deprecated" and o.value in ("true", "1"):
                        out.add(node, T_DEPRECATED, literal("true"))
                elif p == RDFS + "subClassOf" and isinstance(o, ox.NamedNode):
                    parent = to_iri(o.value)
                    if parent is not None:
                        out.add(node, T_BROADER, f"<{parent}>")
        except SyntaxError as exc:
            raise ImportFormatError(path, _line_of(exc), f"not valid {fmt.name}: {exc}") from exc
        ctx.progress(size - reported)


def _line_of(exc: SyntaxError) -> int | None:
    return exc.lineno if isinstance(exc.lineno, int) else None
