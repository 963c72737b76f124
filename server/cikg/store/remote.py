"""A remote store: any SPARQL 1.1 endpoint with the Protocol, Update and the Graph Store Protocol.

Tested against Virtuoso 7 and the Oxigraph server. Version graphs are uploaded whole with one Graph
Store Protocol PUT (blank nodes keep their identity), the registry flip is one SPARQL Update operation,
and every query carries an explicit dataset (the current graphs and the system graph) so a staged or
superseded version is never visible.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pyoxigraph as ox

from cikg.namespaces import SYSTEM_GRAPH
from cikg.store.base import (
    REGISTRY_QUERY,
    RETIRED_AT,
    Dataset,
    RdfData,
    SourceInfo,
    StagedGraph,
    StoreError,
    Validator,
    is_version_graph,
    new_version_graph,
    registry_flip_update,
    registry_from_rows,
    registry_remove_update,
)
from cikg.store.results import QueryResult
from cikg.store.sparql_text import QueryForm, inspect

log = logging.getLogger(__name__)

_UPLOAD_AS_IS = {ox.RdfFormat.TURTLE: "text/turtle", ox.RdfFormat.N_TRIPLES: "text/turtle"}


class RemoteSparqlStore:
    name = "sparql"

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        gsp_url: str | None = None,
        *,
        user: str | None = None,
        password: str | None = None,
        auth: str = "digest",
        timeout: float = 300.0,
        retire_grace: float = 300.0,
    ) -> None:
        """``retire_grace``: seconds a superseded version graph is kept before it is dropped, so a reader
        that read the registry just before a flip still finds the version it was told about."""
        self.retire_grace = retire_grace
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.gsp_url = gsp_url
        credentials: httpx.Auth | None = None
        if user is not None:
            credentials = (
                httpx.DigestAuth(user, password or "")
                if auth == "digest"
                else httpx.BasicAuth(user, password or "")
            )
        self._client = httpx.Client(auth=credentials, timeout=timeout)

    # -- transport --------------------------------------------------------------------------------
    def _post(self, url: str, **kwargs: Any) -> httpx.Response:
        try:
            resp = self._client.post(url, **kwargs)
        except httpx.HTTPError as exc:
            raise StoreError(f"SPARQL endpoint {url} unreachable: {exc}") from exc
        if resp.status_code >= 400:
            raise StoreError(f"SPARQL endpoint {url} answered {resp.status_code}: {resp.text[:500]}")
        return resp

    def _registry(self) -> dict[str, SourceInfo]:
        result = self._raw_query(REGISTRY_QUERY, QueryForm.SELECT, [])
        return registry_from_rows(result.rows())

    def _raw_query(self, sparql: str, form: QueryForm, params: list[tuple[str, str]]) -> QueryResult:
        accept = "text/turtle" if form.is_graph else "application/sparql-results+json"
        form_data: dict[str, Any] = {"query": sparql}
        for key, value in params:  # repeated parameters (default-graph-uri, named-graph-uri)
            form_data.setdefault(key, []).append(value)
        resp = self._post(self.query_url, data=form_data, headers={"Accept": accept})
        try:
            if form.is_graph:
                triples = [q.triple for q in ox.parse(resp.content, format=ox.RdfFormat.TURTLE)]
                return QueryResult(form=form, triples=triples)
            parsed = ox.parse_query_results(resp.content, format=ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise StoreError(f"SPARQL endpoint {self.query_url} sent an unreadable answer: {exc}") from exc
        if isinstance(parsed, ox.QueryBoolean):
            return QueryResult(form=QueryForm.ASK, boolean=bool(parsed))
        solutions = list(parsed)
        return QueryResult(form=form, variables=[v.value for v in parsed.variables], solutions=solutions)

    # -- reading ----------------------------------------------------------------------------------
    def query(self, sparql: str, *, dataset: Dataset | None = None, graph: str | None = None) -> QueryResult:
        info = inspect(sparql)
        params: list[tuple[str, str]] = []
        if graph is not None:
            params = [("default-graph-uri", graph), ("named-graph-uri", graph)]
        elif dataset is not None:
            params = [("default-graph-uri", g) for g in dataset.default]
            params += [("named-graph-uri", g) for g in dataset.named]
        elif not info.has_dataset:
            live = [s.graph for s in self._registry().values()] + [SYSTEM_GRAPH]
            params = [("default-graph-uri", g) for g in live] + [("named-graph-uri", g) for g in live]
        return self._raw_query(sparql, info.form, params)

    def sources(self) -> list[SourceInfo]:
        return sorted(self._registry().values(), key=lambda s: s.source)

    def source(self, source: str) -> SourceInfo | None:
        return self._registry().get(source)

    def _gsp(self) -> str:
        if not self.gsp_url:
            raise StoreError("this remote store has no Graph Store Protocol URL (CIKG_SPARQL_GSP_URL)")
        return self.gsp_url

    def triples(self, graph: str) -> Iterator[ox.Triple]:
        try:
            resp = self._client.get(self._gsp(), params={"graph": graph}, headers={"Accept": "text/turtle"})
        except httpx.HTTPError as exc:
            raise StoreError(f"Graph Store {self.gsp_url} unreachable: {exc}") from exc
        if resp.status_code == 404:
            return
        if resp.status_code >= 400:
            raise StoreError(f"Graph Store {self.gsp_url} answered {resp.status_code}: {resp.text[:300]}")
        for quad in ox.parse(resp.content, format=ox.RdfFormat.TURTLE):
            yield quad.triple

    def ntriples(self, graph: str) -> bytes:
        return ox.serialize(self.triples(graph), format=ox.RdfFormat.N_TRIPLES) or b""

    def count(self, graph: str | None = None) -> int:
        graphs = [graph] if graph else [s.graph for s in self._registry().values()] + [SYSTEM_GRAPH]
        total = 0
        for g in graphs:
            res = self._raw_query(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}", QueryForm.SELECT, []
            )
            for row in res.rows():
                n = row["n"]
                total += int(n.value) if n is not None else 0
        return total

    def dump(self, out: IO[bytes], fmt: ox.RdfFormat, *, graphs: list[str] | None = None) -> int:
        if fmt not in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            raise StoreError("a store dump keeps its graphs: use N-Quads or TriG")
        names = graphs if graphs is not None else [SYSTEM_GRAPH, *(s.graph for s in self.sources())]
        written = 0

        def quads() -> Iterator[ox.Quad]:
            nonlocal written
            for g in names:
                node = ox.NamedNode(g)
                for t in self.triples(g):
                    written += 1
                    yield ox.Quad(t.subject, t.predicate, t.object, node)

        ox.serialize(quads(), out, format=fmt)
        return written

    # -- writing ----------------------------------------------------------------------------------
    def _update(self, sparql_update: str) -> None:
        self._post(
            self.update_url,
            content=sparql_update.encode(),
            headers={"Content-Type": "application/sparql-update"},
        )

    def update_system(self, sparql_update: str) -> None:
        self._update(sparql_update)

    def _upload(self, graph: str, data: RdfData) -> None:
        with contextlib.ExitStack() as stack:
            if data.path is not None and data.format in _UPLOAD_AS_IS:
                body: Any = stack.enter_context(data.path.open("rb"))
            elif data.data is not None and data.format in _UPLOAD_AS_IS:
                body = data.data
            else:  # normalise to N-Triples on disk, then stream it
                tmp = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "upload.nt"
                try:
                    if data.triples is not None:
                        ox.serialize(data.triples, str(tmp), format=ox.RdfFormat.N_TRIPLES)
                    else:
                        source: Any = str(data.path) if data.path is not None else data.data
                        quads = (
                            ox.parse(path=source, format=data.format, base_iri=data.base_iri)
                            if data.path is not None
                            else ox.parse(source, format=data.format, base_iri=data.base_iri)
                        )
                        ox.serialize((q.triple for q in quads), str(tmp), format=ox.RdfFormat.N_TRIPLES)
                except SyntaxError as exc:
                    raise StoreError(f"{data.describe()}: not valid RDF: {exc}") from exc
                body = stack.enter_context(tmp.open("rb"))
            try:
                resp = self._client.put(
                    self._gsp(),
                    params={"graph": graph},
                    content=body,
                    headers={"Content-Type": "text/turtle"},
                )
            except httpx.HTTPError as exc:
                raise StoreError(f"Graph Store {self.gsp_url} unreachable: {exc}") from exc
            if resp.status_code >= 400:
                raise StoreError(
                    f"{data.describe()}: the Graph Store refused it ({resp.status_code}): {resp.text[:500]}"
                )

    def _drop(self, graph: str) -> None:
        try:
            self._update(f"DROP SILENT GRAPH <{graph}>")
        except StoreError as exc:
            log.warning("could not drop graph %s yet: %s", graph, exc)

    def replace_source(self, source: str, data: RdfData, *, validate: Validator | None = None) -> SourceInfo:
        version = new_version_graph(source)
        try:
            self._upload(version, data)
            if validate is not None:
                validate(StagedGraph(source=source, graph=version, store=self))
            info = SourceInfo(source, version, dt.datetime.now(dt.UTC), self.count(version))
            old = self._registry().get(source)
            self._update(registry_flip_update(info))
        except BaseException:
            self._drop(version)
            raise
        if old is not None:
            self._retire(old.graph)
        self._drop_expired()
        return info

    def drop_source(self, source: str) -> bool:
        old = self._registry().get(source)
        if old is None:
            return False
        self._update(registry_remove_update(source))
        self._retire(old.graph)
        self._drop_expired()
        return True

    def _retire(self, graph: str) -> None:
        now = dt.datetime.now(dt.UTC).isoformat()
        self._update(
            f'INSERT DATA {{ GRAPH <{SYSTEM_GRAPH}> {{ <{graph}> <{RETIRED_AT}> "{now}"'
            "^^<http://www.w3.org/2001/XMLSchema#dateTime> } }"
        )

    def _retired(self) -> dict[str, dt.datetime]:
        query = f"SELECT ?g ?at WHERE {{ GRAPH <{SYSTEM_GRAPH}> {{ ?g <{RETIRED_AT}> ?at }} }}"
        res = self._raw_query(query, QueryForm.SELECT, [])
        out: dict[str, dt.datetime] = {}
        for row in res.rows():
            at = dt.datetime.fromisoformat(row["at"].value.replace("Z", "+00:00"))
            out[row["g"].value] = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
        return out

    def _forget(self, graph: str) -> None:
        self._drop(graph)
        self._update(f"DELETE WHERE {{ GRAPH <{SYSTEM_GRAPH}> {{ <{graph}> <{RETIRED_AT}> ?at }} }}")

    def _drop_expired(self) -> list[str]:
        now = dt.datetime.now(dt.UTC)
        expired = [g for g, at in self._retired().items() if (now - at).total_seconds() >= self.retire_grace]
        for g in expired:
            self._forget(g)
        return expired

    def collect_garbage(self) -> list[str]:
        dropped = self._drop_expired()
        live = {s.graph for s in self._registry().values()}
        retired = self._retired()  # still within their grace period
        res = self._raw_query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", QueryForm.SELECT, [])
        for row in res.rows():
            g = row["g"]
            if g is not None and is_version_graph(g.value) and g.value not in live and g.value not in retired:
                self._drop(g.value)
                dropped.append(g.value)
        return sorted(dropped)

    def close(self) -> None:
        self._client.close()
