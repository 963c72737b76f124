"""The facade: everything the CLI and the web service do is a method here.

The Catalogue owns the store and wires the concepts together (vocabulary, harvesters, the SHACL gate,
search, publishing, federation). Edges (cli/, web/) parse input, call one method and render.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox

from cikg import __version__
from cikg.namespaces import SOURCE_PREFIX
from cikg.namespaces import source_iri as _source_iri
from cikg.publish import Concept as PublishedConcept
from cikg.publish import Document, Publication, Publisher, UnknownProfile, UnknownResource
from cikg.publish.ping import PingFailed, PingResult, ping
from cikg.settings import Settings
from cikg.store import RdfData, SourceInfo, StoreError, TripleStore, open_store
from cikg.store.base import Dataset
from cikg.store.endpoint import SparqlAnswer, answer
from cikg.store.results import QueryResult

if TYPE_CHECKING:
    import httpx

    from cikg.beacon import BeaconContext, BeaconRequest
    from cikg.federation import CountPolicy, Node
    from cikg.mapping.evaluate import Evaluation
    from cikg.search import Searcher
    from cikg.vocab import Concept, Hit, Resolution, Translation, Vocabulary, VocabularyInputs
    from cikg.vocab.importers import ImportReport

SKOS_EXACT = "http://www.w3.org/2004/02/skos/core#exactMatch"


class InvalidRequest(ValueError):
    """Bad input from a user: the message names what and where."""


class NotFound(LookupError):
    """No such resource."""


class Unauthorised(PermissionError):
    """The caller needs a valid access token (``CIKG_ACCESS_TOKENS``) for this."""


def source_iri(source_id: str) -> str:
    try:
        return _source_iri(source_id)
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from exc


def source_id(iri: str) -> str:
    return iri[len(SOURCE_PREFIX) :] if iri.startswith(SOURCE_PREFIX) else iri


@dataclass(frozen=True)
class Stats:
    triples: int
    sources: list[SourceInfo]
    classes: dict[str, int]


class Catalogue:
    """One cikg node: its store and every operation on it."""

    def __init__(
        self,
        settings: Settings,
        store: TripleStore | None = None,
        *,
        read_only: bool = False,
        vocabulary_inputs: VocabularyInputs | None = None,
    ) -> None:
        self.settings = settings
        self._store = store if store is not None else open_store(settings, read_only=read_only)
        self._publisher: Publisher | None = None
        self._vocab_inputs = vocabulary_inputs
        self._vocab: Vocabulary | None = None
        self._vocab_key: tuple[tuple[str, str], ...] | None = None
        self._vocab_lock = threading.Lock()
        self._nodes: tuple[float, list[Node]] | None = None
        self._searcher: Searcher | None = None
        self._search_lock = threading.Lock()

    @property
    def store(self) -> TripleStore:
        return self._store

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- service ----------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "version": __version__,
            "store": self._store.name,
            "sources": len(self._store.sources()),
        }

    def sparql(
        self,
        query: str,
        *,
        accept: str | None = None,
        format: str | list[str] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> SparqlAnswer:
        """Answer a SPARQL 1.1 Protocol request (read-only, allow-listed SERVICE, cap, time limit)."""
        dataset = None
        if default_graphs or named_graphs:
            dataset = Dataset(tuple(default_graphs or ()), tuple(named_graphs or ()))
        return answer(
            self._store,
            query,
            accept=accept,
            format_override=format,
            dataset=dataset,
            service_allowlist=self.settings.service_allowlist,
            timeout=self.settings.query_timeout,
            cap=self.settings.result_cap,
        )

    def query(self, sparql: str) -> QueryResult:
        """Internal query over the current graphs (no protocol checks)."""
        return self._store.query(sparql)

    # -- sources ----------------------------------------------------------------------------------
    def load(self, paths: Iterable[Path], source: str, *, fmt: ox.RdfFormat | None = None) -> SourceInfo:
        """Load RDF files as one source (replacing its previous version atomically)."""
        files = list(paths)
        if not files:
            raise InvalidRequest("nothing to load: give at least one file")
        for p in files:
            if not p.is_file():
                raise InvalidRequest(f"{p}: no such file")
        iri = source_iri(source)
        if len(files) == 1:
            return self._store.replace_source(iri, RdfData.file(files[0], fmt))
        return self._store.replace_source(iri, RdfData.of_triples(_concat(files, fmt)))

    def sources(self) -> list[SourceInfo]:
        return self._store.sources()

    def drop_source(self, source: str) -> None:
        if not self._store.drop_source(source_iri(source)):
            raise NotFound(f"no source {source!r}")

    def export(self, out: IO[bytes], *, sources: list[str] | None = None, fmt: str = "nquads") -> int:
        """Write the current graphs (all, or the named sources) as N-Quads or TriG."""
        formats = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
        if fmt not in formats:
            raise InvalidRequest(f"export format {fmt!r}: use one of {sorted(formats)}")
        graphs = None
        if sources:
            graphs = []
            for s in sources:
                info = self._store.source(source_iri(s))
                if info is None:
                    raise NotFound(f"no source {s!r}")
                graphs.append(info.graph)
        return self._store.dump(out, formats[fmt], graphs=graphs)

    def stats(self) -> Stats:
        classes: dict[str, int] = {}
        res = self._store.query("SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)")
        for row in res.rows():
            c, n = row["c"], row["n"]
            if c is not None and n is not None:
                classes[c.value] = int(n.value)
        return Stats(triples=self._store.count(), sources=self._store.sources(), classes=classes)

    def collect_garbage(self) -> list[str]:
        return self._store.collect_garbage()

    # -- harvesting -------------------------------------------------------------------------------
    value_mapper: Any = None
    """The ValueMapper harvesters get; ``None`` (the default): the vocabulary (``map_value`` over the
    hyperontology, imported vocabularies and the stewards' reviewed SSSOM mappings)."""

    def _harvest_mapper(self) -> Any:
        return self.value_mapper if self.value_mapper is not None else self.vocabulary

    @staticmethod
    def _harvest_gate(engine: str = "sparql") -> Any:
        from cikg.validate import ShaclGate

        return ShaclGate(engine)  # type: ignore[arg-type]

    def harvest_dicom(
        self,
        root: Path,
        collection_id: str,
        *,
        metadata: dict[str, Any],
        workers: int | None = None,
        resume: bool = True,
        progress: Any = None,
        engine: str = "sparql",
    ) -> Any:
        """Harvest a DICOM folder (or DICOMDIR) into source ``collection_id`` through the SHACL gate."""
        from cikg.harvest.dicom import harvest_dicom
        from cikg.validate import report_rows

        source_iri(collection_id)
        return harvest_dicom(
            self._store,
            self.settings,
            root=root,
            collection_id=collection_id,
            metadata=metadata,
            mapper=self._harvest_mapper(),
            gate=self._harvest_gate(engine),
            workers=workers,
            resume=resume,
            progress=progress,
            violation_rows=report_rows,
        )

    def harvest_dicomweb(
        self,
        url: str,
        collection_id: str,
        *,
        metadata: dict[str, Any],
        timeout: float = 30.0,
        page_size: int = 500,
        progress: Any = None,
        engine: str = "sparql",
    ) -> Any:
        """Harvest a PACS over DICOMweb QIDO-RS into source ``collection_id`` through the SHACL gate."""
        from cikg.harvest.dicomweb import harvest_dicomweb
        from cikg.validate import report_rows

        source_iri(collection_id)
        return harvest_dicomweb(
            self._store,
            self.settings,
            url=url,
            collection_id=collection_id,
            metadata=metadata,
            mapper=self._harvest_mapper(),
            gate=self._harvest_gate(engine),
            timeout=timeout,
            page_size=page_size,
            progress=progress,
            violation_rows=report_rows,
        )

    def _harvest_ancestors(self) -> Any:
        """The vocabulary's ``ancestors`` (condition counts include them), when the mapper has one."""
        from cikg.harvest.clinical import safe_ancestors

        return safe_ancestors(getattr(self._harvest_mapper(), "ancestors", None))

    def harvest_omop(
        self,
        dsn: str,
        collection_id: str,
        *,
        metadata: dict[str, Any],
        cdm_schema: str = "public",
        vocab_schema: str | None = None,
        statement_timeout: float = 3600.0,
        connect_timeout: int = 10,
        engine: str = "sparql",
    ) -> Any:
        """Aggregate an OMOP CDM v5.4 database (PostgreSQL) into source ``collection_id``."""
        from cikg.harvest.omop import OmopSource, run_omop
        from cikg.validate import report_rows

        source_iri(collection_id)
        return run_omop(
            self._store,
            self.settings,
            source=OmopSource(
                dsn,
                cdm_schema=cdm_schema,
                vocab_schema=vocab_schema,
                connect_timeout=connect_timeout,
                statement_timeout=statement_timeout,
            ),
            collection_id=collection_id,
            metadata=metadata,
            mapper=self._harvest_mapper(),
            gate=self._harvest_gate(engine),
            ancestors=self._harvest_ancestors(),
            violation_rows=report_rows,
        )

    def harvest_fhir(
        self, paths: list[Path], collection_id: str, *, metadata: dict[str, Any], engine: str = "sparql"
    ) -> Any:
        """Aggregate FHIR R4 Bundles / Bulk Data NDJSON files into source ``collection_id``."""
        from cikg.harvest.fhir import run_fhir
        from cikg.validate import report_rows

        source_iri(collection_id)
        return run_fhir(
            self._store,
            self.settings,
            paths=paths,
            collection_id=collection_id,
            metadata=metadata,
            mapper=self._harvest_mapper(),
            gate=self._harvest_gate(engine),
            ancestors=self._harvest_ancestors(),
            violation_rows=report_rows,
        )

    def harvest_csv(
        self,
        paths: list[Path],
        mapping: Path,
        collection_id: str,
        *,
        metadata: dict[str, Any],
        engine: str = "sparql",
    ) -> Any:
        """Aggregate CSV / eCRF exports (a column mapping + the steward's SSSOM) into ``collection_id``."""
        from cikg.harvest.csvfile import run_csv
        from cikg.validate import report_rows

        source_iri(collection_id)
        return run_csv(
            self._store,
            self.settings,
            paths=paths,
            mapping_path=mapping,
            collection_id=collection_id,
            metadata=metadata,
            mapper=self._harvest_mapper(),
            gate=self._harvest_gate(engine),
            ancestors=self._harvest_ancestors(),
            violation_rows=report_rows,
        )

    def harvest_dcat(
        self,
        url: str,
        source_id: str | None = None,
        *,
        timeout: float = 30.0,
        max_documents: int = 10_000,
        follow: bool = True,
        follow_external: bool = False,
        force: bool = False,
        country: str | None = None,
        conditions: list[str] | None = None,
        engine: str = "sparql",
    ) -> Any:
        """Harvest a remote DCAT-AP / HealthDCAT-AP / FAIR Data Point catalogue as one source."""
        from cikg.harvest.base import MappingTally
        from cikg.harvest.dcat import DcatOptions, run_dcat
        from cikg.harvest.dcat_mapping import MappingOptions
        from cikg.validate import report_rows

        if source_id is not None:
            source_iri(source_id)
        mapper = self._harvest_mapper()
        concepts: list[str] = []
        tally = MappingTally(mapper)
        for value in conditions or ():
            concept = tally.map("condition", value)
            if concept is None:
                raise InvalidRequest(
                    f"--condition {value!r}: no hyperontology condition has that code or name"
                )
            concepts.append(concept)
        return run_dcat(
            self._store,
            self.settings,
            url=url,
            source_id=source_id,
            mapper=mapper,
            gate=self._harvest_gate(engine),
            options=DcatOptions(
                timeout=timeout,
                max_documents=max_documents,
                follow=follow,
                follow_external=follow_external,
                force=force,
            ),
            mapping=MappingOptions(country=country.upper() if country else None, conditions=tuple(concepts)),
            violation_rows=report_rows,
        )

    def build_demo(
        self,
        *,
        scale: int | None = None,
        seed: int = 1,
        workers: int | None = None,
        force: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> dict[str, Any]:
        """Generate the demo federation's sources under ``<data_dir>/demo`` and harvest every one through
        its real harvester and the SHACL gate. A complete demo of the same scale, seed and base URL is
        reused as it is (``reused: true``). Use settings from :func:`cikg.demo.build.demo_settings`."""
        from cikg.demo.build import (
            DEFAULT_SERIES,
            DemoSettings,
            prepare,
            read_manifest,
            steward_mappings,
            write_manifest,
        )

        if scale is not None and scale < 100:
            raise InvalidRequest(f"--scale {scale}: give at least 100 series")
        if steward_mappings(self.settings.data_dir) not in self.settings.local_mappings:
            raise InvalidRequest("build_demo needs the demo settings (cikg.demo.build.demo_settings)")
        wanted = DemoSettings(scale or DEFAULT_SERIES, seed, base_url=self.settings.base_url)
        known = read_manifest(self.settings.data_dir)
        current = {info.source for info in self._store.sources()}
        if (
            not force
            and known is not None
            and known.generation_key() == wanted.generation_key()
            and known.base_url == wanted.base_url
            and known.sources
            and all(source_iri(s) in current for s in known.sources)
        ):
            return {"reused": True, "sources": known.sources, "scale": known.scale, "seed": known.seed}
        jobs = prepare(self.settings.data_dir, wanted, workers=workers, progress=progress)
        self._vocab_key = None  # the steward's SSSOM is written now: (re)build the term index with it
        total = sum(j.size for j in jobs)
        done = 0
        outcomes: dict[str, Any] = {}
        for job in jobs:
            if progress:
                progress("harvest", done, total)

            def files(n: int, of: int, _failed: int, base: int = done, size: int = job.size) -> None:
                if progress and of:
                    progress("harvest", base + size * n // of, total)

            if job.kind == "dicom":
                run = self.harvest_dicom(
                    job.paths[0], job.source_id, metadata=job.metadata, workers=workers, progress=files
                )
            elif job.kind == "csv":
                assert job.mapping is not None
                run = self.harvest_csv(job.paths, job.mapping, job.source_id, metadata=job.metadata)
            else:
                run = self.harvest_fhir(job.paths, job.source_id, metadata=job.metadata)
            outcomes[job.source_id] = run.report.summary
            done += job.size
        if progress:
            progress("harvest", total, total)
        wanted.sources = [j.source_id for j in jobs]
        write_manifest(self.settings.data_dir, wanted)
        return {
            "reused": False,
            "sources": wanted.sources,
            "scale": wanted.scale,
            "seed": seed,
            "summaries": outcomes,
        }

    def harvest_idc(
        self,
        *,
        collections: list[str] | None = None,
        limit: int | None = None,
        force: bool = False,
        progress: Any = None,
        engine: str = "sparql",
    ) -> Any:
        """Harvest the installed NCI Imaging Data Commons index: one source per IDC collection."""
        from cikg.harvest.idc import IdcError, harvest_idc
        from cikg.validate import report_rows

        try:
            return harvest_idc(
                self._store,
                self.settings,
                mapper=self._harvest_mapper(),
                gate=self._harvest_gate(engine),
                collections=collections,
                limit=limit,
                force=force,
                progress=progress,
                violation_rows=report_rows,
            )
        except IdcError as exc:
            raise InvalidRequest(str(exc)) from exc

    @staticmethod
    def idc_collections() -> list[Any]:
        """The collections of the installed IDC index (id, name, cancer types, series), no harvest."""
        from cikg.harvest.idc import IdcError, IdcIndex, list_collections

        try:
            con = IdcIndex.installed().connect()
        except IdcError as exc:
            raise InvalidRequest(str(exc)) from exc
        try:
            return list_collections(con)
        finally:
            con.close()

    def harvest_status(self, *, history: bool = False) -> list[Any]:
        """Harvested sources: last run (or every run), outcome and counts, from the system graph."""
        from cikg.harvest.base import harvest_status

        return harvest_status(self._store, history=history)

    def validate_source(self, source: str, *, engine: str = "sparql") -> Any:
        """Run the SHACL gate on a current source graph: a report; nothing changes."""
        info = self._store.source(source_iri(source))
        if info is None:
            raise NotFound(f"no source {source!r}")
        return self._harvest_gate(engine).check(self._store, info.graph, info.source)

    # -- publishing -------------------------------------------------------------------------------
    @property
    def publisher(self) -> Publisher:
        """The profile views of this node's store (built on first use)."""
        if self._publisher is None:
            self._publisher = Publisher(self._store, self.settings, self._hyperontology_concept)
        return self._publisher

    def _hyperontology_concept(self, iri: str) -> PublishedConcept | None:
        """Labels and exact matches of a hyperontology concept from the term service, when it is built."""
        from cikg.namespaces import CIKG, converter
        from cikg.vocab import VocabularyError

        try:
            found = self.vocabulary.concepts.get(iri[len(CIKG) :])
        except (VocabularyError, OSError):
            return None
        if found is None:
            return None
        conv = converter()
        exact = []
        for m in found.mappings:
            if m.predicate in ("skos:exactMatch", SKOS_EXACT):
                try:
                    exact.append(conv.to_iri(m.object_id))
                except ValueError:
                    continue
        notation = found.notations[0] if found.notations else None
        return PublishedConcept(iri, dict(found.labels), exact, notation)

    def publication(self, profile: str = "dcat-ap") -> Publication:
        """The whole catalogue in a publishing profile (dcat-ap, healthdcat-ap, eucaim-dcat-ap)."""
        with _publishing_errors():
            return self.publisher.catalogue(profile)

    def describe(self, kind: str, local_id: str, profile: str = "dcat-ap") -> Publication:
        """One collection, distribution or data holder, in a publishing profile."""
        with _publishing_errors():
            return self.publisher.resource(kind, local_id, profile)

    def fdp_record(self, kind: str = "fdp", local_id: str | None = None) -> Publication:
        """A FAIR Data Point record: the FDP itself, its catalog, a dataset or a distribution."""
        with _publishing_errors():
            return self.publisher.fdp(kind, local_id)

    def home_page(self) -> dict[str, Any]:
        return self.publisher.home_page()

    def collection_page(self, local_id: str) -> dict[str, Any]:
        with _publishing_errors():
            return self.publisher.collection_page(local_id)

    def document_page(self, document: Document) -> list[dict[str, Any]]:
        return self.publisher.document_page(document)

    def listing(self, kind: str) -> list[Any]:
        """Label and link of every collection, distribution or data holder."""
        return self.publisher.listing(kind)

    def export_profile(self, profile: str, fmt: str = "turtle") -> tuple[Publication, bytes]:
        """The catalogue in ``profile``, serialised (Turtle, N-Triples, JSON-LD or RDF/XML).

        Built completely before anything is written, so a failure leaves no half-written file.
        """
        formats = {
            "turtle": ox.RdfFormat.TURTLE,
            "ntriples": ox.RdfFormat.N_TRIPLES,
            "jsonld": ox.RdfFormat.JSON_LD,
            "rdfxml": ox.RdfFormat.RDF_XML,
        }
        if fmt not in formats:
            raise InvalidRequest(f"with a profile, the format must be one of {', '.join(formats)}")
        publication = self.publication(profile)
        return publication, publication.document.serialize(formats[fmt])

    def fdp_ping(self, index_url: str) -> PingResult:
        """Announce this node's FAIR Data Point (its base URL) to an FDP index."""
        try:
            return ping(index_url, self.settings.base_url)
        except PingFailed as exc:
            raise InvalidRequest(str(exc)) from exc

    # -- count protection and federation (docs/federation.md) -------------------------------------
    def count_policy(self) -> CountPolicy:
        from cikg.federation import CountPolicy

        return CountPolicy(self.settings.min_count, self.settings.count_rounding)

    def check_sparql_access(self, token: str | None) -> None:
        """With ``sparql_requires_token``, only authorised callers may query /sparql: it answers with
        series-level rows, from which the protected small counts could be computed."""
        if self.settings.sparql_requires_token and not self.authorised(token):
            raise Unauthorised(
                "this node answers SPARQL only with an access token (Authorization: Bearer ...); "
                "use /api/search or /beacon for protected counts"
            )

    def authorised(self, token: str | None) -> bool:
        """Whether ``token`` is one of the node's access tokens (exact counts, record-level detail)."""
        from cikg.federation import authorised

        return authorised(token, self.settings.access_tokens)

    def protect(self, answer: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        """``answer`` as the caller may see it: unchanged for an authorised token, else counts only,
        each below the threshold shown as ``"<k"``."""
        from cikg.federation import protect

        return answer if self.authorised(token) else protect(answer, self.count_policy())

    def search_for(self, query: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        """The search answer a caller may see: node totals count a subject in several matched
        collections once; counts protected unless ``token`` is authorised (docs/federation.md)."""
        answer = self.search(query)
        total = answer.get("total")
        collections = answer.get("collections")
        if isinstance(total, dict) and isinstance(total.get("subjects_count"), int) and collections:
            if isinstance(total.get("collections"), int) and total["collections"] > len(collections):
                every = self.search({**query, "page": 1, "page_size": 0, "facets": False})
                collections = every.get("collections") or collections
            iris = [str(c["iri"]) for c in collections if isinstance(c, dict) and c.get("iri")]
            overlap = self.subject_overlap(iris)
            if overlap:
                largest = max((c.get("subjects_count", 0) for c in collections), default=0)
                total = {**total, "subjects_count": max(largest, total["subjects_count"] - overlap)}
                answer = {**answer, "total": total}
        return self.protect(answer, token)

    def subject_overlap(self, collection_iris: Iterable[str]) -> int:
        """Subject counts of these collections that repeat a subject counted in another one of them."""
        from cikg.federation.subjects import subject_overlap

        return subject_overlap(self._store, collection_iris)

    def nodes(self) -> list[Node]:
        """The hub's node list (``nodes.yaml``), re-read when the file changes."""
        from cikg.federation import NodeListError, load_nodes

        path = self.settings.nodes_path
        try:
            stamp = path.stat().st_mtime if path.is_file() else -1.0
        except OSError:
            stamp = -1.0
        cached = self._nodes
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            nodes = load_nodes(path, default_timeout=self.settings.federation_timeout)
        except NodeListError as exc:
            raise InvalidRequest(str(exc)) from exc
        self._nodes = (stamp, nodes)
        return nodes

    def _beacon_curie(self, value: str) -> str:
        """The CURIE a Beacon node is asked for a native query value (a concept id, a code, a label)."""
        if ":" in value:
            return value
        try:
            return self.vocabulary.resolve(value).curie
        except LookupError as exc:
            raise InvalidRequest(f"unknown value {value!r}: {exc}") from exc

    async def federated_search(
        self, client: httpx.AsyncClient, query: dict[str, Any], token: str | None = None
    ) -> dict[str, Any]:
        """Send a native search query to every node at once; their answers merged, with each
        node's status and latency (``partial`` when any node failed)."""
        from cikg.federation import NotExpressible, beacon_request, fan_out, merge

        start = time.perf_counter()
        nodes = self.nodes()
        if not nodes:
            raise InvalidRequest(f"no nodes: the node list {self.settings.nodes_path} is absent or empty")
        bodies: dict[str, dict[str, Any] | Exception] = {"cikg": query}
        if any(n.protocol == "beacon" for n in nodes):
            try:
                bodies["beacon"] = beacon_request(query, self._beacon_curie)
            except (NotExpressible, InvalidRequest) as exc:
                bodies["beacon"] = exc
        policy = None if self.authorised(token) else self.count_policy()
        answers = await fan_out(client, nodes, bodies, policy)
        rejected = [a for a in answers if a.status == "error" and (a.reason or "").startswith("HTTP 400")]
        if rejected and not any(a.status == "ok" for a in answers):
            # no node could answer and the nodes say the query is wrong: that is the caller's error
            raise InvalidRequest(f"node {rejected[0].node.id}: {rejected[0].reason}")
        merged = merge(answers, policy, parts_protected=True)
        merged["took_ms"] = round((time.perf_counter() - start) * 1000, 2)
        return merged

    async def federation_health(self, client: httpx.AsyncClient) -> list[dict[str, Any]]:
        """Every node's status and latency for a cheap request."""
        from cikg.federation import health

        return await health(client, self.nodes())

    # -- Beacon v2 (docs/beacon.md) ----------------------------------------------------------------
    def beacon_context(self) -> BeaconContext:
        from cikg.beacon import BeaconContext, default_beacon_id

        s = self.settings
        return BeaconContext(
            beacon_id=s.beacon_id or default_beacon_id(s.base_url),
            name=s.catalogue_title or f"cikg Beacon at {s.base_url}",
            base_url=s.base_url,
            version=__version__,
            organization=s.publisher_name or s.base_url,
            organization_url=s.publisher_url,
            description=s.catalogue_description,
        )

    def beacon_document(self, name: str) -> dict[str, Any]:
        """A Beacon framework document: info, service-info, map, configuration, entry_types,
        filtering_terms."""
        from cikg import beacon

        ctx = self.beacon_context()
        if name == "filtering_terms":
            return beacon.filtering_terms(ctx, self.vocabulary, self._concepts_in_use())
        builders = {
            "info": beacon.info,
            "service-info": beacon.service_info,
            "map": beacon.beacon_map,
            "configuration": beacon.configuration,
            "entry_types": beacon.entry_types,
        }
        if name not in builders:
            raise NotFound(f"no Beacon document {name!r}")
        return builders[name](ctx)

    def _concepts_in_use(self) -> list[str]:
        from cikg.namespaces import CIKG, DCAT

        sparql = f"""SELECT DISTINCT ?v WHERE {{
            ?c a <{DCAT}Dataset> ; ?p ?v . FILTER(isIRI(?v) && STRSTARTS(STR(?v), "{CIKG}"))
        }}"""
        return [row["v"].value[len(CIKG) :] for row in self._store.query(sparql).rows() if row.get("v")]

    def beacon_query(
        self,
        entry_type: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        token: str | None = None,
        entry_id: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Answer a Beacon datasets / cohorts request (GET ``params`` or POST ``body``):
        ``(HTTP status, Beacon response)``; a bad request is a Beacon error response naming the
        parameter or filter at fault."""
        from cikg import beacon

        if entry_type not in beacon.ENTRY_TYPES:
            raise NotFound(f"no Beacon entry type {entry_type!r}")
        ctx = self.beacon_context()
        request: BeaconRequest | None = None
        try:
            request = beacon.from_body(body) if params is None else beacon.from_params(params)
            query = beacon.to_query(request, lambda term: beacon.field_of(self.vocabulary, term))
            answer = self.search(query)
        except (beacon.BeaconRequestError, InvalidRequest) as exc:
            return 400, beacon.error_response(ctx, entry_type, request, 400, str(exc))
        if entry_id is not None:
            found = [c for c in answer.get("collections", []) if str(c.get("id")) == entry_id]
            if not found:
                return 404, beacon.error_response(
                    ctx, entry_type, request, 404, f"no {entry_type} {entry_id!r}"
                )
            answer = {"total": {"collections": len(found)}, "collections": found}
        policy = None if self.authorised(token) else self.count_policy()
        return 200, beacon.collections_response(ctx, entry_type, request, answer, policy)

    def _search_answer(self, query: dict[str, Any]) -> dict[str, Any]:
        """The node's local search answer (the search contract's JSON), exact counts."""
        return self.search(query)

    # -- search -----------------------------------------------------------------------------------
    @property
    def searcher(self) -> Searcher:
        """The search over this store: a columnar index derived from the graph, rebuilt per source
        whenever a source graph is replaced (docs/search.md)."""
        if self._searcher is None:
            from cikg.search import Searcher

            with self._search_lock:
                if self._searcher is None:
                    self._searcher = Searcher(
                        self._store,
                        lambda: self.vocabulary,
                        cache_dir=self.settings.data_dir / "cache" / "search",
                    )
        assert self._searcher is not None
        return self._searcher

    def warm_search(self) -> None:
        """Build the search index now (the service does it in the background at start)."""
        self.searcher.warm()

    def search(self, query: dict[str, Any]) -> dict[str, Any]:
        """Answer a native search body or a EUCAIM Explorer AST body (the SEARCH_CONTRACT shapes)."""
        from cikg.search import SearchError

        try:
            return self.searcher.search(query)
        except SearchError as exc:
            raise InvalidRequest(str(exc)) from exc

    def collection_summary(self, collection_id: str) -> dict[str, Any]:
        """One collection as search answers it (counts, age range, sex, modalities, ...) with its facets."""
        found = self.searcher.collection_summary(collection_id)
        if found is None:
            raise NotFound(f"no collection {collection_id!r}")
        return found

    # -- vocabulary -------------------------------------------------------------------------------
    @property
    def vocabulary(self) -> Vocabulary:
        """The term index (built on first use, or loaded from the data dir's cache; rebuilt when an
        imported vocabulary changes)."""
        from cikg.vocab.cache import imported_graphs, load_vocabulary

        key = tuple(imported_graphs(self._store))
        vocab = self._vocab
        if vocab is not None and key == self._vocab_key:
            return vocab
        with self._vocab_lock:
            if self._vocab is None or key != self._vocab_key:
                self._vocab = load_vocabulary(
                    self._store, inputs=self._inputs(), cache_dir=self.settings.data_dir / "cache"
                )
                self._vocab_key = key
            return self._vocab

    def _inputs(self) -> VocabularyInputs:
        from cikg.vocab.cache import VocabularyInputs

        if self._vocab_inputs is not None:
            return self._vocab_inputs
        extra = list(self.settings.local_mappings)
        if self.settings.vocabulary_dir is not None:
            return VocabularyInputs.from_dir(self.settings.vocabulary_dir, extra)
        return VocabularyInputs.default(extra)

    def warm_vocabulary(self) -> None:
        """Build (or load) the term index now, e.g. in the background when the service starts."""
        _ = self.vocabulary

    def term_search(
        self, q: str, *, lang: str | None = None, branch: str | None = None, limit: int = 10
    ) -> list[Hit]:
        if not 0 < limit <= 100:
            raise InvalidRequest("limit must be between 1 and 100")
        return self.vocabulary.search(q, lang=lang, branch=branch, limit=limit)

    def term(self, code: str) -> Resolution:
        """The concept for a CURIE, IRI, slug or label, with how it was found."""
        from cikg.vocab import UnknownTerm

        try:
            return self.vocabulary.resolve_match(code)
        except UnknownTerm as exc:
            raise NotFound(str(exc)) from exc

    def concept(self, concept_id: str) -> Concept:
        from cikg.vocab import UnknownTerm

        try:
            return self.vocabulary.concept(concept_id)
        except UnknownTerm as exc:
            raise NotFound(str(exc)) from exc

    def term_details(self, code: str) -> dict[str, Any]:
        """A concept with its resolution, parents, children and branch (what `show` and the API print)."""
        res = self.term(code)
        vocab = self.vocabulary
        c = res.concept
        data = c.as_dict()
        data["resolution"] = res.as_dict()
        data["children"] = list(vocab.children(c.id))
        data["ancestors"] = sorted(vocab.ancestors(c.id))
        return data

    def translate(self, code: str, *, to: str | None = None) -> tuple[Resolution, list[Translation]]:
        from cikg.namespaces import UnknownPrefixError
        from cikg.vocab import UnknownTerm

        try:
            return self.vocabulary.translate(code, to=to)
        except UnknownTerm as exc:
            raise NotFound(str(exc)) from exc
        except UnknownPrefixError as exc:
            raise InvalidRequest(str(exc)) from exc

    def descendants(self, code: str, *, include_self: bool = True, include_codes: bool = False) -> list[str]:
        cid = self.term(code).concept.id
        return sorted(self.vocabulary.descendants(cid, include_self, include_codes=include_codes))

    def ancestors(self, code: str, *, include_self: bool = False) -> list[str]:
        cid = self.term(code).concept.id
        return sorted(self.vocabulary.ancestors(cid, include_self))

    def concept_triples(self, concept_id: str) -> list[ox.Triple]:
        from cikg.vocab.vocabulary import concept_triples

        try:
            return concept_triples(self.vocabulary, concept_id)  # type: ignore[return-value]
        except LookupError as exc:
            raise NotFound(str(exc)) from exc

    def import_vocabulary(
        self,
        kind: str,
        path: Path,
        *,
        progress: Callable[[int], None] | None = None,
        start: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Import a licensed release as the source ``vocab-<kind>`` (atomic)."""
        from cikg.vocab.importers import import_vocabulary

        tmp = self.settings.data_dir / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        report = import_vocabulary(self._store, kind, path, progress=progress, start=start, tmp_dir=tmp)
        return report

    # -- mapping (stewards' local terms) ----------------------------------------------------------
    def map_suggest(
        self, terms_file: Path, out: Path, *, top: int = 5, kind: str | None = None
    ) -> dict[str, Any]:
        """Ranked candidates for each local term, written as SSSOM (semapv:LexicalMatching)."""
        from cikg.mapping import curation
        from cikg.mapping.suggest import Suggester

        terms = curation.read_local_terms(terms_file)
        suggester = Suggester(self.vocabulary)
        cands = [
            suggester.suggest(t.term if not t.code else f"{t.code} {t.term}", t.kind or kind, top)
            for t in terms
        ]
        for t in terms:
            t.kind = t.kind or kind
        rows = curation.suggestion_rows(terms, cands)
        curation.write(out, curation.mapping_set(terms_file.stem, source=terms_file.name), rows)
        return {
            "terms": len(terms),
            "rows": len(rows),
            "out": str(out),
            "without_candidate": [t.term for t, c in zip(terms, cands, strict=True) if not c],
            "suggestions": [{"row": i + 1, **r} for i, r in enumerate(rows)],
        }

    def map_review(
        self, file: Path, *, accept: list[int], reject: list[int], reviewer: str, reject_others: bool = True
    ) -> dict[str, int]:
        from cikg.mapping import curation

        counts = curation.review(
            file, accept=accept, reject=reject, reviewer=reviewer, reject_others=reject_others
        )
        self._vocab_key = None  # reviewed mappings feed map_value: rebuild on next use
        return counts

    def map_evaluate(self, gold: Path, *, use_kind: bool = True) -> Evaluation:
        """Suggestion quality (precision@1, recall@5) on a labelled set of local terms."""
        from cikg.mapping.evaluate import evaluate, read_gold

        return evaluate(self.vocabulary, read_gold(gold), use_kind=use_kind)

    def map_rows(self, file: Path) -> list[dict[str, str]]:
        from cikg.mapping import curation

        return curation.read(file)[1]

    def map_export(
        self, file: Path, out: Path, *, fmt: str = "omop-stcm", vocabulary_id: str = "CIKG_LOCAL"
    ) -> dict[str, Any]:
        from cikg.mapping import curation

        if fmt != "omop-stcm":
            raise InvalidRequest(f"export format {fmt!r}: use omop-stcm")
        n, sidecar = curation.export_stcm(self.vocabulary, file, out, vocabulary_id=vocabulary_id)
        return {"rows": n, "out": str(out), "sidecar": str(sidecar)}

    def map_import_usagi(self, file: Path, out: Path, *, kind: str | None = None) -> dict[str, Any]:
        from cikg.mapping import curation

        meta, rows = curation.import_usagi(self.vocabulary, file, kind=kind)
        curation.write(out, meta, rows)
        return {"rows": len(rows), "out": str(out)}


@contextmanager
def _publishing_errors() -> Iterator[None]:
    try:
        yield
    except UnknownResource as exc:
        raise NotFound(str(exc)) from exc
    except UnknownProfile as exc:
        raise InvalidRequest(str(exc)) from exc


def _concat(files: list[Path], fmt: ox.RdfFormat | None) -> Iterable[ox.Triple]:
    from cikg.store.base import guess_format

    for p in files:
        try:
            for quad in ox.parse(path=str(p), format=fmt or guess_format(p)):
                yield quad.triple
        except SyntaxError as exc:
            raise StoreError(f"{p}: not valid RDF: {exc}") from exc
