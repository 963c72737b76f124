"""Reading the sources of the term index: the hyperontology (OWL Turtle), its SSSOM mapping sets,
stewards' reviewed SSSOM files, and the imported vocabularies (named graphs of the store).

Everything is read into plain Python structures (:class:`RawTerm`), from which
:class:`cikg.vocab.vocabulary.Vocabulary` builds its indexes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from cikg import namespaces
from cikg.namespaces import CIKG, OBOINOWL, OWL, RDF, RDFS, SKOS
from cikg.vocab import sssom
from cikg.vocab.model import Mapping, VocabularyError

log = logging.getLogger(__name__)

MATCH_PREDICATES = {
    SKOS + "exactMatch": "skos:exactMatch",
    SKOS + "closeMatch": "skos:closeMatch",
    SKOS + "broadMatch": "skos:broadMatch",
    SKOS + "narrowMatch": "skos:narrowMatch",
    SKOS + "relatedMatch": "skos:relatedMatch",
    OWL + "equivalentClass": "owl:equivalentClass",
    OBOINOWL + "hasDbXref": "oboInOwl:hasDbXref",
}
PARENT_PREDICATES = {RDFS + "subClassOf", SKOS + "broader"}
VOCAB_SOURCE_PREFIX = "vocab-"
"""Imported vocabularies are sources ``urn:cikg:source:vocab-<kind>``."""
SOURCE_IRI_PREFIX = "urn:cikg:source:"


@dataclass
class RawTerm:
    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    definition: str | None = None
    parents: list[str] = field(default_factory=list)
    notations: list[str] = field(default_factory=list)
    subsets: list[str] = field(default_factory=list)
    matches: list[tuple[str, str]] = field(default_factory=list)  # (predicate curie, object IRI)
    is_class: bool = False
    deprecated: bool = False

    def add_label(self, text: str, lang: str | None, preferred: bool) -> None:
        lang = (lang or "en").split("-")[0].lower()
        if preferred and lang not in self.labels:
            self.labels[lang] = text
        elif text != self.labels.get(lang):
            syns = self.synonyms.setdefault(lang, [])
            if text not in syns:
                syns.append(text)


def _lang(term: ox.Literal) -> str | None:
    return term.language


def read_terms(triples: Iterable[ox.Triple]) -> dict[str, RawTerm]:
    """Terms (classes and SKOS concepts with labels) from OWL / SKOS triples, keyed by IRI."""
    terms: dict[str, RawTerm] = {}

    def term(iri: str) -> RawTerm:
        t = terms.get(iri)
        if t is None:
            t = terms[iri] = RawTerm(iri)
        return t

    for tr in triples:
        s = tr.subject
        if not isinstance(s, ox.NamedNode):
            continue
        p = tr.predicate.value
        o = tr.object
        if p == SKOS + "prefLabel" and isinstance(o, ox.Literal):
            term(s.value).add_label(o.value, _lang(o), True)
        elif p == RDFS + "label" and isinstance(o, ox.Literal):
            t = term(s.value)
            lang = (_lang(o) or "en").split("-")[0].lower()
            t.synonyms.setdefault("_rdfs", []).append(f"{lang}\x1f{o.value}")
        elif p in (SKOS + "altLabel", SKOS + "hiddenLabel", OBOINOWL + "hasExactSynonym") and isinstance(
            o, ox.Literal
        ):
            term(s.value).add_label(o.value, _lang(o), False)
        elif p == SKOS + "definition" and isinstance(o, ox.Literal):
            t = term(s.value)
            if t.definition is None or o.language in (None, "en"):
                t.definition = o.value
        elif p == SKOS + "notation" and isinstance(o, ox.Literal):
            term(s.value).notations.append(o.value)
        elif p in PARENT_PREDICATES and isinstance(o, ox.NamedNode):
            term(s.value).parents.append(o.value)
        elif p == OBOINOWL + "inSubset" and isinstance(o, ox.NamedNode):
            term(s.value).subsets.append(o.value)
        elif p in MATCH_PREDICATES and isinstance(o, ox.NamedNode):
            term(s.value).matches.append((MATCH_PREDICATES[p], o.value))
        elif p == RDF + "type" and isinstance(o, ox.NamedNode):
            if o.value in (OWL + "Class", SKOS + "Concept"):
                term(s.value).is_class = True
        elif p == OWL + "deprecated" and isinstance(o, ox.Literal) and o.value in ("true", "1"):
            term(s.value).deprecated = True
    for t in terms.values():
        rdfs = t.synonyms.pop("_rdfs", [])
        for packed in rdfs:
            lang, _, text = packed.partition("\x1f")
            t.add_label(text, lang, True)
    return terms


def read_ontology(path: Path) -> dict[str, RawTerm]:
    """The hyperontology's concepts (classes in the CIKG namespace), keyed by slug."""
    if not path.is_file():
        raise VocabularyError(f"{path}: the hyperontology is missing; run `make gen` to build it")
    try:
        triples = [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    except SyntaxError as exc:
        raise VocabularyError(f"{path}: not valid Turtle: {exc}") from exc
    out: dict[str, RawTerm] = {}
    for iri, t in read_terms(triples).items():
        if iri.startswith(CIKG) and t.is_class and not t.deprecated:
            slug = iri[len(CIKG) :]
            if slug and not slug.startswith("subset_"):
                out[slug] = t
    return out


@dataclass(frozen=True, slots=True)
class MappingRow:
    subject: str  # CURIE (standardised)
    predicate: str
    object: str  # CURIE (standardised) or IRI
    object_label: str | None
    subject_label: str | None
    justification: str | None
    source: str
    negated: bool = False
    category: str | None = None
    reviewers: str | None = None


def standard_curie(value: str, curie_map: dict[str, str] | None = None) -> str:
    """A CURIE with the project's preferred prefix; IRIs are compressed when a prefix knows them."""
    conv = namespaces.converter()
    value = value.strip()
    if conv.is_iri(value):
        return conv.compress_or_iri(value)
    prefix, sep, local = value.partition(":")
    if not sep:
        return value
    found = conv.lookup(prefix)
    if found is not None:
        return f"{found.prefix}:{local}"
    if curie_map and prefix in curie_map:
        iri = str(curie_map[prefix]) + local
        return conv.compress_or_iri(iri)
    return value


def read_sssom(path: Path, *, default_source: str | None = None) -> Iterator[MappingRow]:
    """Rows of an SSSOM TSV file, CURIEs standardised; the source is the mapping set id (or file name)."""
    meta, rows = sssom.iter_rows(path)
    curie_map = meta.get("curie_map") or {}
    source = default_source or str(meta.get("mapping_set_id") or path.name)
    for line, row in rows:
        subject, obj = (row.get("subject_id") or "").strip(), (row.get("object_id") or "").strip()
        predicate = sssom.predicate_of(row)
        if not subject or not obj or not predicate:
            raise VocabularyError(
                f"{path}, line {line}: a mapping needs subject_id, predicate_id and object_id"
            )
        yield MappingRow(
            subject=standard_curie(subject, curie_map),
            predicate=standard_curie(predicate, curie_map),
            object=standard_curie(obj, curie_map),
            object_label=(row.get("object_label") or "").strip() or None,
            subject_label=(row.get("subject_label") or "").strip() or None,
            justification=standard_curie(row.get("mapping_justification") or "", curie_map) or None,
            source=source,
            negated=sssom.is_negated(row),
            category=(row.get("subject_category") or "").strip() or None,
            reviewers=(row.get("reviewer_label") or row.get("reviewer_id") or "").strip() or None,
        )


def as_mapping(row: MappingRow) -> Mapping:
    return Mapping(row.predicate, row.object, row.object_label, row.source, row.justification)


def vocab_sources(sources: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(source id, graph)`` of the imported vocabularies among the store's sources."""
    out = []
    for iri, graph in sources:
        if iri.startswith(SOURCE_IRI_PREFIX + VOCAB_SOURCE_PREFIX):
            out.append((iri[len(SOURCE_IRI_PREFIX) :], graph))
    return sorted(out)
