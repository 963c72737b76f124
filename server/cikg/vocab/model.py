"""The term service's value objects: concepts, mappings, resolutions, search hits, and its errors."""

from __future__ import annotations

import marshal
from collections import abc
from dataclasses import dataclass, field
from typing import Any, TypeVar

V = TypeVar("V")

LANGUAGES = ("en", "es", "it", "el", "fr", "de")
"""The languages every hyperontology concept is labelled in (first: the default)."""

# Mapping predicates from strongest to weakest; a code resolves to the concept of the strongest one.
PREDICATE_RANK: dict[str, int] = {
    "skos:exactMatch": 0,
    "owl:equivalentClass": 0,
    "skos:closeMatch": 1,
    "skos:narrowMatch": 2,
    "skos:broadMatch": 3,
    "skos:relatedMatch": 4,
    "oboInOwl:hasDbXref": 5,
}
PREDICATE_MEANING = {
    "skos:exactMatch": "the code means exactly this concept",
    "owl:equivalentClass": "the code means exactly this concept",
    "skos:closeMatch": "the code means nearly this concept",
    "skos:narrowMatch": "the code is narrower than this concept (it falls under it)",
    "skos:broadMatch": "the code is broader than this concept",
    "skos:relatedMatch": "the code is related to this concept",
    "oboInOwl:hasDbXref": "the code is a database cross-reference of this concept",
}
INVERSE = {
    "skos:exactMatch": "skos:exactMatch",
    "owl:equivalentClass": "owl:equivalentClass",
    "skos:closeMatch": "skos:closeMatch",
    "skos:narrowMatch": "skos:broadMatch",
    "skos:broadMatch": "skos:narrowMatch",
    "skos:relatedMatch": "skos:relatedMatch",
    "oboInOwl:hasDbXref": "oboInOwl:hasDbXref",
}


def predicate_rank(predicate: str) -> int:
    return PREDICATE_RANK.get(predicate, 9)


def compose(first: str, second: str) -> str:
    """The predicate of a chain ``A first B``, ``B second C`` as ``A ? C`` (the weaker wins)."""
    if first == second or second in ("skos:exactMatch", "owl:equivalentClass"):
        return first
    if first in ("skos:exactMatch", "owl:equivalentClass"):
        return second
    pair = {first, second}
    if pair <= {"skos:exactMatch", "skos:closeMatch", "owl:equivalentClass"}:
        return "skos:closeMatch"
    if pair == {"skos:closeMatch", "skos:narrowMatch"}:
        return "skos:narrowMatch"
    if pair == {"skos:closeMatch", "skos:broadMatch"}:
        return "skos:broadMatch"
    return "skos:relatedMatch"


class VocabularyError(ValueError):
    """Something the term service cannot do with this input; the message says what."""


class UnknownTerm(LookupError):
    """No concept for a code or label; the message names the term (and close matches, if any)."""

    def __init__(self, term: str, message: str | None = None, suggestions: tuple[str, ...] = ()) -> None:
        text = message or f"unknown term {term!r}"
        if suggestions:
            text += f" (did you mean {', '.join(suggestions)}?)"
        super().__init__(text)
        self.term = term
        self.suggestions = suggestions


@dataclass(frozen=True, slots=True)
class Mapping:
    """``subject predicate object`` where the subject is a hyperontology concept (or an imported code)."""

    predicate: str
    object_id: str
    object_label: str | None = None
    source: str = ""
    """The mapping set it comes from (its id or file), or the imported vocabulary's source id."""
    justification: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "predicate": self.predicate,
            "object_id": self.object_id,
            "object_label": self.object_label,
            "source": self.source,
            "justification": self.justification,
        }


@dataclass(frozen=True, slots=True)
class Concept:
    """A hyperontology concept (``id`` is its slug, e.g. ``lung_cancer``) or an imported term
    (``id`` is its CURIE, e.g. ``SNOMEDCT:254637007``; ``imported`` is true)."""

    id: str
    iri: str
    curie: str
    labels: dict[str, str]
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    definition: str | None = None
    parents: tuple[str, ...] = ()
    notations: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    mappings: tuple[Mapping, ...] = ()
    imported: bool = False
    source: str = "ontology"

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels.get("en") or next(iter(self.labels.values()), self.id)

    @property
    def branch(self) -> str | None:
        return self.branches[0] if self.branches else None

    def all_labels(self) -> list[tuple[str, str, bool]]:
        """``(text, lang, preferred)`` for every label and synonym."""
        out = [(text, lang, True) for lang, text in self.labels.items()]
        for lang, syns in self.synonyms.items():
            out.extend((s, lang, False) for s in syns)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "curie": self.curie,
            "iri": self.iri,
            "label": self.label(),
            "labels": dict(self.labels),
            "synonyms": {k: list(v) for k, v in self.synonyms.items()},
            "definition": self.definition,
            "parents": list(self.parents),
            "notations": list(self.notations),
            "branch": self.branch,
            "mappings": [m.as_dict() for m in self.mappings],
            "imported": self.imported,
            "source": self.source,
        }


class Packed(abc.Mapping[str, V]):
    """A read-only mapping whose values (lists, tuples, strings: what ``marshal`` writes) are kept
    packed and unpacked on access: one bytes object per key instead of a tree of small objects."""

    def __init__(self, items: abc.Mapping[str, V]) -> None:
        self._packed: dict[str, bytes] = {k: marshal.dumps(v) for k, v in items.items()}  # type: ignore[arg-type]

    def __getitem__(self, key: str) -> V:
        value: V = marshal.loads(self._packed[key])
        return value

    def get(self, key: str, default: Any = None) -> Any:  # no KeyError raised per miss
        packed = self._packed.get(key)
        return default if packed is None else marshal.loads(packed)

    def __contains__(self, key: object) -> bool:
        return key in self._packed

    def __iter__(self) -> abc.Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)


class ImportedTerms(abc.MutableMapping[str, Concept]):
    """The terms of the imported vocabularies by CURIE, each kept packed (``marshal`` bytes) and
    unpacked on access.

    An Athena download holds millions of terms; as objects they take most of the term index's memory
    and of the time its disk copy takes to load, while a query touches only a handful of them.
    """

    def __init__(self) -> None:
        self._packed: dict[str, bytes] = {}

    def __getitem__(self, curie: str) -> Concept:
        iri, labels, synonyms, definition, parents, notations, source = marshal.loads(self._packed[curie])
        return Concept(
            curie, iri, curie, labels, synonyms, definition, parents, notations, (), (), True, source
        )

    def __setitem__(self, curie: str, term: Concept) -> None:
        if term.curie != curie or term.mappings or term.branches or not term.imported:
            raise ValueError(f"{curie}: not an imported term")
        self._packed[curie] = marshal.dumps(
            (term.iri, term.labels, term.synonyms, term.definition, term.parents, term.notations, term.source)
        )

    def get(self, curie: str, default: Any = None) -> Any:  # no KeyError raised per miss
        return self[curie] if curie in self._packed else default

    def __delitem__(self, curie: str) -> None:
        del self._packed[curie]

    def __contains__(self, curie: object) -> bool:
        return curie in self._packed

    def __iter__(self) -> abc.Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)


@dataclass(frozen=True, slots=True)
class Resolution:
    """How a code or label was resolved: the concept, through which predicate, from which source."""

    term: str
    concept: Concept
    predicate: str
    via: str
    """What matched: the code (standardised CURIE), the label, or the chain of codes followed."""
    source: str
    how: str
    """One sentence a steward can read."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "concept": self.concept.id,
            "curie": self.concept.curie,
            "label": self.concept.label(),
            "predicate": self.predicate,
            "via": self.via,
            "source": self.source,
            "how": self.how,
        }


@dataclass(frozen=True, slots=True)
class Translation:
    """One code of another scheme for a concept."""

    scheme: str
    code: str
    label: str | None
    predicate: str
    source: str
    via: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "code": self.code,
            "label": self.label,
            "predicate": self.predicate,
            "source": self.source,
            "via": self.via,
        }


@dataclass(frozen=True, slots=True)
class Hit:
    """A search / autocomplete answer: a concept, the text that matched, its language and a score."""

    id: str
    curie: str
    label: str
    matched: str
    lang: str | None
    score: float
    branch: str | None
    imported: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "curie": self.curie,
            "label": self.label,
            "matched": self.matched,
            "lang": self.lang,
            "score": round(self.score, 4),
            "branch": self.branch,
            "imported": self.imported,
        }
