"""The embedded store: pyoxigraph on disk (RocksDB), the default backend.

Fast paths: sources are bulk-loaded (``Store.bulk_load``) into a fresh version graph; queries use the
union of all graphs as default graph (one index scan per pattern) whenever the store holds nothing but
current graphs, and an explicit graph list only while a version is being staged or dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from cikg.namespaces import SYSTEM_GRAPH
from cikg.store.base import (
    REGISTRY_QUERY,
    Dataset,
    RdfData,
    SourceInfo,
    StagedGraph,
    StoreError,
    StoreLockedError,
    Validator,
    new_version_graph,
    registry_flip_update,
    registry_from_rows,
    registry_remove_update,
)
from cikg.store.results import QueryResult
from cikg.store.rwlock import RWLock
from cikg.store.sparql_text import QueryForm, inspect

log = logging.getLogger(__name__)

_QUAD_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)


def _iri(value: str) -> str:
    if any(c in value for c in '<>"{}|^`\\ \n'):
        raise StoreError(f"not a valid IRI: {value!r}")
    return f"<{value}>"


class OxigraphStore:
    """Embedded pyoxigraph store (``path=None``: in memory, for tests and throwaway work)."""

    name = "oxigraph"

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"the store at {path} is in use by another process (is `cikg serve` running on this "
                    "data dir?). Stop it, or point this command at another --data-dir."
                ) from exc
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc
        self.read_only = read_only
        self._mode_lock = RWLock()
        self._write_lock = threading.RLock()
        self._registry: dict[str, SourceInfo] = {}
        self._extra: set[str] = set()
        self._reload_registry()

    # -- registry ---------------------------------------------------------------------------------
    def _reload_registry(self) -> None:
        registry = registry_from_rows(self.query(REGISTRY_QUERY, graph=SYSTEM_GRAPH).rows())
        live = {info.graph for info in registry.values()} | {SYSTEM_GRAPH}
        extra = {g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)} - live
        with self._mode_lock.write():
            self._registry = registry
            self._extra = extra

    def sources(self) -> list[SourceInfo]:
        return sorted(self._registry.values(), key=lambda s: s.source)

    def source(self, source: str) -> SourceInfo | None:
        return self._registry.get(source)

    # -- reading ----------------------------------------------------------------------------------
    def _dataset_kwargs(self, sparql: str, dataset: Dataset | None, graph: str | None) -> dict[str, Any]:
        if graph is not None:
            node = ox.NamedNode(graph)
            return {"default_graph": [node], "named_graphs": [node]}
        if dataset is not None:
            return {
                "default_graph": [ox.NamedNode(g) for g in dataset.default],
                "named_graphs": [ox.NamedNode(g) for g in dataset.named],
            }
        if inspect(sparql).has_dataset:
            return {}
        if not self._extra:
            return {"use_default_graph_as_union": True}
        live = [ox.NamedNode(info.graph) for info in self._registry.values()]
        live.append(ox.NamedNode(SYSTEM_GRAPH))
        return {"default_graph": live, "named_graphs": live}

    def query(self, sparql: str, *, dataset: Dataset | None = None, graph: str | None = None) -> QueryResult:
        try:
            with self._mode_lock.read():  # the snapshot is taken inside store.query: mode and snapshot agree
                raw = self._store.query(sparql, **self._dataset_kwargs(sparql, dataset, graph))
        except SyntaxError as exc:
            raise ValueError(f"SPARQL syntax error: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"the store could not answer: {exc}") from exc
        return _to_result(raw)

    def triples(self, graph: str) -> Iterator[ox.Triple]:
        for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            yield quad.triple

    def ntriples(self, graph: str) -> bytes:
        return self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            graphs = [info.graph for info in self._registry.values()] + [SYSTEM_GRAPH]
        else:
            graphs = [graph]
        total = 0
        for g in graphs:
            res = self._store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_iri(g)} {{ ?s ?p ?o }} }}")
            for sol in res:  # type: ignore[union-attr]
                total += int(sol["n"].value)
        return total

    def dump(self, out: IO[bytes], fmt: ox.RdfFormat, *, graphs: list[str] | None = None) -> int:
        if fmt not in _QUAD_FORMATS:
            raise StoreError("a store dump keeps its graphs: use N-Quads or TriG")
        names = graphs if graphs is not None else [SYSTEM_GRAPH, *(s.graph for s in self.sources())]
        written = 0

        def counted() -> Iterator[ox.Quad]:
            nonlocal written
            for g in names:
                for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(g)):
                    written += 1
                    yield quad

        ox.serialize(counted(), out, format=fmt)
        return written

    # -- writing ----------------------------------------------------------------------------------
    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError("this store was opened read-only")

    def _load(self, graph: str, data: RdfData) -> None:
        target = ox.NamedNode(graph)
        if data.format in _QUAD_FORMATS:
            raise StoreError(
                f"{data.describe()}: N-Quads / TriG carry their own graphs; a source is one graph, "
                "load a triples format (Turtle, N-Triples, RDF/XML, JSON-LD)"
            )
        try:
            if data.triples is not None:
                self._store.bulk_extend(
                    ox.Quad(t.subject, t.predicate, t.object, target) for t in data.triples
                )
            elif data.path is not None:
                self._store.bulk_load(
                    path=str(data.path), format=data.format, to_graph=target, base_iri=data.base_iri
                )
            elif data.data is not None:
                self._store.bulk_load(data.data, data.format, to_graph=target, base_iri=data.base_iri)
            else:
                raise StoreError("nothing to load")
        except SyntaxError as exc:
            raise StoreError(f"{data.describe()}: not valid {_fmt_name(data.format)}: {exc}") from exc
        except (OSError, ValueError) as exc:
            raise StoreError(f"{data.describe()}: cannot load: {exc}") from exc

    def replace_source(self, source: str, data: RdfData, *, validate: Validator | None = None) -> SourceInfo:
        self._check_writable()
        _iri(source)
        with self._write_lock:
            version = new_version_graph(source)
            with self._mode_lock.write():
                self._extra.add(
                    version
                )  # readers switch to the explicit dataset before any staged triple lands
            try:
                self._load(version, data)
                if validate is not None:
                    validate(StagedGraph(source=source, graph=version, store=self))
                n = self.count(version)
                info = SourceInfo(source, version, dt.datetime.now(dt.UTC), n)
                self._flip(info)
            except BaseException:
                self._drop_graph(version)
                raise
            old = self._registry.get(source)
            with self._mode_lock.write():
                self._registry[source] = info
                self._extra.discard(version)
                if old is not None:
                    self._extra.add(old.graph)
            if old is not None:
                self._drop_graph(old.graph)
            return info

    def _flip(self, info: SourceInfo) -> None:
        self._store.update(registry_flip_update(info))

    def _drop_graph(self, graph: str) -> None:
        try:
            self._store.remove_graph(ox.NamedNode(graph))
        except OSError as exc:  # leave it for collect_garbage on the next open
            log.warning("could not drop graph %s yet: %s", graph, exc)
            return
        with self._mode_lock.write():
            self._extra.discard(graph)

    def drop_source(self, source: str) -> bool:
        self._check_writable()
        with self._write_lock:
            old = self._registry.get(source)
            if old is None:
                return False
            self._store.update(registry_remove_update(source))
            with self._mode_lock.write():
                del self._registry[source]
                self._extra.add(old.graph)
            self._drop_graph(old.graph)
            return True

    def update_system(self, sparql_update: str) -> None:
        self._check_writable()
        try:
            self._store.update(sparql_update)
        except SyntaxError as exc:
            raise ValueError(f"SPARQL Update syntax error: {exc}") from exc

    def collect_garbage(self) -> list[str]:
        if self.read_only:
            return []
        with self._write_lock:
            self._reload_registry()
            dropped = sorted(self._extra)
            for graph in dropped:
                self._drop_graph(graph)
            return dropped

    def flush(self) -> None:
        if not self.read_only and self.path is not None:
            self._store.flush()

    def optimize(self) -> None:
        if not self.read_only and self.path is not None:
            self._store.optimize()

    def close(self) -> None:
        self.flush()
        # pyoxigraph closes RocksDB when the object is collected
        del self._store


def _fmt_name(fmt: ox.RdfFormat | None) -> str:
    return fmt.name if fmt is not None else "RDF"


def _to_result(raw: Any) -> QueryResult:
    if isinstance(raw, ox.QuerySolutions):
        return QueryResult(form=QueryForm.SELECT, variables=[v.value for v in raw.variables], solutions=raw)
    if isinstance(raw, ox.QueryBoolean):
        return QueryResult(form=QueryForm.ASK, boolean=bool(raw))
    return QueryResult(form=QueryForm.CONSTRUCT, triples=raw)
