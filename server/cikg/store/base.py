"""The ``TripleStore`` port: what every store adapter offers.

Data lives in one named graph per *source* (a harvested site, a vocabulary release, a loaded file).
A source has a stable IRI; each load of it becomes a new *version graph*, and a small registry in the
system graph says which version is current. Replacing a source is therefore: bulk-load the new version
graph (the fast, non-transactional path), let the caller validate it, then flip the registry entry in
one transaction and drop the old version. Readers see the old version or the new one, never a mix,
and a crash at any point leaves the registry pointing at a complete graph (leftovers are collected on
the next open).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

import pyoxigraph as ox

from cikg.namespaces import CIKGS, SYSTEM_GRAPH
from cikg.store.results import QueryResult

CURRENT_GRAPH = CIKGS + "currentGraph"
"""Registry predicate: <source> cikg:currentGraph <version graph> (in the system graph)."""
LOADED_AT = CIKGS + "loadedAt"
TRIPLE_COUNT = CIKGS + "triples"
RETIRED_AT = CIKGS + "retiredAt"
"""System graph: <version graph> cikg:retiredAt <time>, for superseded graphs a remote store drops later."""
SOURCE_CLASS = CIKGS + "Source"


class StoreError(RuntimeError):
    """A store operation failed; the message says what and where, stored data is unchanged."""


class StoreLockedError(StoreError):
    """The embedded store's directory is in use by another process."""


class SourceRejected(StoreError):
    """The caller's validation rejected a staged version; the previous version is kept."""

    def __init__(self, message: str, report: object = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class RdfData:
    """RDF to load: a file (format from its suffix unless given), bytes, or triples."""

    path: Path | None = None
    data: bytes | None = None
    triples: Iterable[ox.Triple] | None = None
    format: ox.RdfFormat | None = None
    base_iri: str | None = None

    @classmethod
    def file(cls, path: str | Path, format: ox.RdfFormat | None = None) -> RdfData:
        p = Path(path)
        return cls(path=p, format=format or guess_format(p))

    @classmethod
    def of_bytes(cls, data: bytes, format: ox.RdfFormat) -> RdfData:
        return cls(data=data, format=format)

    @classmethod
    def of_triples(cls, triples: Iterable[ox.Triple]) -> RdfData:
        return cls(triples=triples)

    def describe(self) -> str:
        if self.path is not None:
            return str(self.path)
        if self.data is not None:
            return f"{len(self.data)} bytes of {self.format.name if self.format else 'RDF'}"
        return "triples"


_SUFFIX_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".n3": ox.RdfFormat.N3,
}


def guess_format(path: Path) -> ox.RdfFormat:
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (".gz",)]
    for suffix in reversed(suffixes):
        if suffix in _SUFFIX_FORMATS:
            return _SUFFIX_FORMATS[suffix]
    raise StoreError(
        f"{path}: cannot tell the RDF format from the file name; use one of "
        + ", ".join(sorted(_SUFFIX_FORMATS))
    )


@dataclass(frozen=True)
class SourceInfo:
    source: str
    graph: str
    loaded_at: dt.datetime | None
    triples: int | None


@dataclass(frozen=True)
class Dataset:
    """An explicit query dataset (default graph = union of ``default``; ``named`` for GRAPH)."""

    default: tuple[str, ...]
    named: tuple[str, ...]


Validator = Callable[["StagedGraph"], None]
"""Called with the staged version before it becomes current; raise :class:`SourceRejected` to refuse."""


@dataclass(frozen=True)
class StagedGraph:
    source: str
    graph: str
    store: TripleStore


def registry_flip_update(info: SourceInfo) -> str:
    """One SPARQL Update operation that points ``info.source`` at ``info.graph`` (atomic everywhere)."""
    from cikg.namespaces import RDF, XSD

    sys_g, src = f"<{SYSTEM_GRAPH}>", f"<{info.source}>"
    at = (info.loaded_at or dt.datetime.now(dt.UTC)).isoformat()
    return f"""DELETE {{ GRAPH {sys_g} {{ {src} ?p ?o }} }}
INSERT {{ GRAPH {sys_g} {{ {src} <{RDF}type> <{SOURCE_CLASS}> ; <{CURRENT_GRAPH}> <{info.graph}> ;
  <{LOADED_AT}> "{at}"^^<{XSD}dateTime> ; <{TRIPLE_COUNT}> {info.triples or 0} }} }}
WHERE {{ OPTIONAL {{ GRAPH {sys_g} {{ {src} ?p ?o
  FILTER(?p IN (<{CURRENT_GRAPH}>, <{LOADED_AT}>, <{TRIPLE_COUNT}>)) }} }} }}"""


def registry_remove_update(source: str) -> str:
    from cikg.namespaces import RDF

    sys_g, src = f"<{SYSTEM_GRAPH}>", f"<{source}>"
    return (
        f"DELETE {{ GRAPH {sys_g} {{ {src} ?p ?o }} }} WHERE {{ GRAPH {sys_g} {{ {src} ?p ?o "
        f"FILTER(?p IN (<{RDF}type>, <{CURRENT_GRAPH}>, <{LOADED_AT}>, <{TRIPLE_COUNT}>)) }} }}"
    )


REGISTRY_QUERY = f"""SELECT ?s ?g ?at ?n WHERE {{ GRAPH <{SYSTEM_GRAPH}> {{
  ?s <{CURRENT_GRAPH}> ?g OPTIONAL {{ ?s <{LOADED_AT}> ?at }} OPTIONAL {{ ?s <{TRIPLE_COUNT}> ?n }} }} }}"""


def registry_from_rows(rows: Iterable[dict[str, Any]]) -> dict[str, SourceInfo]:
    registry: dict[str, SourceInfo] = {}
    for row in rows:
        s, g, at, n = (row.get(k) for k in ("s", "g", "at", "n"))
        assert s is not None and g is not None
        registry[s.value] = SourceInfo(
            source=s.value,
            graph=g.value,
            loaded_at=dt.datetime.fromisoformat(at.value) if at is not None else None,
            triples=int(n.value) if n is not None else None,
        )
    return registry


_VERSION_RE = re.compile(r"/version/\d{8}T\d{6}-[0-9a-f]{8}$")


def is_version_graph(graph: str) -> bool:
    return bool(_VERSION_RE.search(graph))


def new_version_graph(source: str) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"{source}/version/{stamp}-{uuid.uuid4().hex[:8]}"


@runtime_checkable
class TripleStore(Protocol):
    """Port for the embedded and remote stores (one compliance suite tests every adapter)."""

    name: str

    def query(self, sparql: str, *, dataset: Dataset | None = None, graph: str | None = None) -> QueryResult:
        """Run a SELECT / ASK / CONSTRUCT / DESCRIBE.

        By default the query sees the union of every current source graph and the system graph, both
        as default graph and as named graphs. ``graph`` restricts it to one (e.g. a staged) graph;
        ``dataset`` gives an explicit dataset. A query with its own FROM clauses keeps them.
        """
        ...

    def replace_source(self, source: str, data: RdfData, *, validate: Validator | None = None) -> SourceInfo:
        """Load ``data`` as the new current version of ``source``, atomically for readers."""
        ...

    def drop_source(self, source: str) -> bool:
        """Remove a source (registry entry first, then its graph). False if it did not exist."""
        ...

    def sources(self) -> list[SourceInfo]: ...

    def source(self, source: str) -> SourceInfo | None: ...

    def update_system(self, sparql_update: str) -> None:
        """Run a SPARQL Update that touches only the system graph (registry, provenance)."""
        ...

    def triples(self, graph: str) -> Iterator[ox.Triple]:
        """Every triple of one graph (a version graph or the system graph)."""
        ...

    def ntriples(self, graph: str) -> bytes:
        """One graph as N-Triples, one triple per line, terms written as ``str()`` of pyoxigraph terms
        (the bulk read of the SHACL fast path: no Python object per triple)."""
        ...

    def dump(self, out: IO[bytes], fmt: ox.RdfFormat, *, graphs: list[str] | None = None) -> int:
        """Write the current graphs (or the given ones) as N-Quads / TriG; returns quads written."""
        ...

    def count(self, graph: str | None = None) -> int: ...

    def collect_garbage(self) -> list[str]:
        """Drop version graphs no source points at (left by crashes or replaced). Returns them."""
        ...

    def close(self) -> None: ...


__all__ = [
    "CURRENT_GRAPH",
    "SYSTEM_GRAPH",
    "Dataset",
    "RdfData",
    "SourceInfo",
    "SourceRejected",
    "StagedGraph",
    "StoreError",
    "StoreLockedError",
    "TripleStore",
    "Validator",
    "guess_format",
    "new_version_graph",
]
