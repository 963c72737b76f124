"""IRI constants and the CURIE converter built from ``mappings/prefixes.yaml``.

CURIEs are read case-insensitively and through prefix synonyms (``snomed:254637007``,
``SCTID:254637007`` and ``SNOMEDCT:254637007`` are one code); they are always written with the
canonical (bioregistry preferred) prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import yaml

from cikg import resources

CIKG = "https://w3id.org/cikg/ontology/"
"""Hyperontology concepts."""
CIKGS = "https://w3id.org/cikg/schema/"
"""The metadata model's own terms (only where no standard term exists)."""

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
PROV = "http://www.w3.org/ns/prov#"
ADMS = "http://www.w3.org/ns/adms#"
HEALTHDCATAP = "http://healthdataportal.eu/ns/health#"
EUCAIM = "https://hyperontology.eucaim.cancerimage.eu/#"
SEMAPV = "https://w3id.org/semapv/vocab/"
SSSOM = "https://w3id.org/sssom/"
OBOINOWL = "http://www.geneontology.org/formats/oboInOwl#"
SH = "http://www.w3.org/ns/shacl#"

SYSTEM_GRAPH = CIKGS + "graph/system"
"""The named graph holding the source registry and harvest provenance."""


class UnknownPrefixError(ValueError):
    """A CURIE whose prefix is not in mappings/prefixes.yaml."""


@dataclass(frozen=True)
class Prefix:
    prefix: str
    uri_prefix: str
    synonyms: tuple[str, ...] = ()


class Converter:
    """Expands and compresses CURIEs with the project prefix map (case-insensitive on input)."""

    def __init__(self, prefixes: list[Prefix]) -> None:
        self.prefixes = prefixes
        self._by_key: dict[str, Prefix] = {}
        for p in prefixes:
            for key in (p.prefix, *p.synonyms):
                lowered = key.lower()
                if lowered in self._by_key and self._by_key[lowered] is not p:
                    raise ValueError(f"prefix {key!r} is ambiguous (case-insensitively) in the prefix map")
                self._by_key[lowered] = p
        self._exact = {p.prefix: p for p in prefixes}
        # longest namespace first so nested namespaces compress to the most specific prefix
        self._by_uri = sorted(prefixes, key=lambda p: len(p.uri_prefix), reverse=True)

    def lookup(self, prefix: str) -> Prefix | None:
        return self._exact.get(prefix) or self._by_key.get(prefix.lower())

    def standardize_prefix(self, prefix: str) -> str:
        found = self.lookup(prefix)
        if found is None:
            raise UnknownPrefixError(f"unknown CURIE prefix {prefix!r}; known: {self.known_prefixes()}")
        return found.prefix

    def known_prefixes(self) -> str:
        return ", ".join(p.prefix for p in self.prefixes)

    def expand(self, curie: str) -> str:
        prefix, sep, local = curie.partition(":")
        if not sep:
            raise ValueError(f"not a CURIE (PREFIX:local): {curie!r}")
        found = self.lookup(prefix.strip())
        if found is None:
            raise UnknownPrefixError(
                f"unknown CURIE prefix {prefix!r} in {curie!r}; known: {self.known_prefixes()}"
            )
        return found.uri_prefix + local.strip()

    def standardize_curie(self, curie: str) -> str:
        prefix, _, local = curie.partition(":")
        return f"{self.standardize_prefix(prefix.strip())}:{local.strip()}"

    def compress(self, iri: str) -> str | None:
        for p in self._by_uri:
            if iri.startswith(p.uri_prefix) and len(iri) > len(p.uri_prefix):
                return f"{p.prefix}:{iri[len(p.uri_prefix) :]}"
        return None

    def compress_or_iri(self, iri: str) -> str:
        return self.compress(iri) or iri

    def is_iri(self, value: str) -> bool:
        return value.startswith(("http://", "https://", "urn:"))

    def to_iri(self, value: str) -> str:
        """An IRI for a CURIE or an IRI (IRIs pass through)."""
        return value if self.is_iri(value) else self.expand(value)

    def as_dict(self) -> dict[str, str]:
        return {p.prefix: p.uri_prefix for p in self.prefixes}


@cache
def converter() -> Converter:
    data = yaml.safe_load(resources.prefixes_path().read_text(encoding="utf-8"))
    return Converter(
        [
            Prefix(item["prefix"], item["uri_prefix"], tuple(item.get("synonyms") or ()))
            for item in data["prefixes"]
        ]
    )


# -- IRIs minted under the node's base URL ------------------------------------------------------
# The one place that decides the paths of catalogue content: harvesters mint the IRIs of what they
# store with these functions and the web service resolves the same paths. ``base`` is
# ``Settings.base_url`` (no trailing slash); local ids are percent-encoded, so any id is safe.

NODE_PATHS = {
    "catalogue": "catalog",
    "collection": "collection",
    "distribution": "distribution",
    "holder": "holder",
}
"""Resource kind -> the first path segment of its IRIs."""


_SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
SOURCE_PREFIX = "urn:cikg:source:"
"""Sources (a harvested site, a vocabulary release, a loaded file) are ``urn:cikg:source:<id>``."""


def check_source_id(source_id: str) -> str:
    if not _SOURCE_ID.match(source_id):
        raise ValueError(
            f"invalid source id {source_id!r}: use letters, digits, '.', '_' or '-' (at most 128 characters)"
        )
    return source_id


def source_iri(source_id: str) -> str:
    return SOURCE_PREFIX + check_source_id(source_id)


def _segment(local_id: str) -> str:
    from urllib.parse import quote

    if not local_id:
        raise ValueError("an IRI needs a non-empty local id")
    return quote(local_id, safe="-._~")


def catalogue_iri(base: str) -> str:
    """The node's catalogue (a ``dcat:Catalog``)."""
    return f"{base.rstrip('/')}/{NODE_PATHS['catalogue']}"


def collection_iri(base: str, local_id: str) -> str:
    """A collection (a ``dcat:Dataset``) held by this node."""
    return f"{base.rstrip('/')}/{NODE_PATHS['collection']}/{_segment(local_id)}"


def distribution_iri(base: str, local_id: str) -> str:
    """A distribution of a collection."""
    return f"{base.rstrip('/')}/{NODE_PATHS['distribution']}/{_segment(local_id)}"


def holder_iri(base: str, local_id: str) -> str:
    """A data holder (a site or imaging biobank, ``foaf:Organization``)."""
    return f"{base.rstrip('/')}/{NODE_PATHS['holder']}/{_segment(local_id)}"


def node_iri(base: str, kind: str, local_id: str | None = None) -> str:
    """The IRI of a resource of ``kind`` (a key of :data:`NODE_PATHS`)."""
    if kind == "catalogue":
        return catalogue_iri(base)
    minters = {"collection": collection_iri, "distribution": distribution_iri, "holder": holder_iri}
    if kind not in minters or local_id is None:
        raise ValueError(f"unknown resource kind {kind!r} (or a missing local id)")
    return minters[kind](base, local_id)
