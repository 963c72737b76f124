"""Remote catalogue harvester: DCAT-AP / HealthDCAT-AP / FAIR Data Point metadata over HTTP.

``cikg harvest dcat URL`` fetches the URL (Turtle, JSON-LD, RDF/XML, N-Triples; chosen by content
negotiation, read by the response's ``Content-Type``), then walks:

* **children**: ``ldp:contains``, ``dcat:catalog``, ``dcat:dataset``, ``dcat:distribution``,
  ``dcat:service``, ``fdp-o:metadataCatalog``, ``r3d:dataCatalog`` and ``rdfs:seeAlso`` objects that
  are on the same origin as the start URL (``--follow-external`` lifts that) and that the documents read
  so far do not already describe (a DCAT-AP dump describes its datasets inline; an FDP links them);
* **pages**: ``hydra:next`` / ``hydra:nextPage`` in a document and ``Link: <...>; rel="next"`` headers.

Every request is conditional when an earlier successful run stored the URL's ``ETag`` /
``Last-Modified`` (in ``<data_dir>/harvest/<source>/dcat-cache/``, with the body): a ``304`` reuses the
stored body, and when *every* document answers ``304`` the harvest is a no-op (nothing is written, the
store is unchanged). The cache is only updated after the store accepted the new version, so a rejected
harvest is retried in full next time.

The documents are projected onto the model (:mod:`cikg.harvest.dcat_mapping`, ADR 0003) and the result
replaces the source's graph through the SHACL gate, one named graph per source. Any document that
cannot be fetched or read (a timeout, an HTTP error, HTML instead of RDF, malformed Turtle / JSON-LD /
RDF/XML) stops the harvest with an error naming the URL (and the line, where the parser gives it); the
store is unchanged and the failed run is recorded for ``cikg harvest status``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urldefrag, urlsplit

import httpx
import pyoxigraph as ox

from cikg import __version__
from cikg.harvest.base import (
    MappingTally,
    RunReport,
    ValueMapper,
    harvest_dir,
    publish,
    record_run,
)
from cikg.harvest.dcat_mapping import MappingOptions, project
from cikg.namespaces import DCAT, RDF, RDFS
from cikg.settings import Settings
from cikg.store.base import SourceInfo, TripleStore, Validator

log = logging.getLogger(__name__)

HARVESTER = "cikg-dcat"
LDP = "http://www.w3.org/ns/ldp#"
FDPO = "https://w3id.org/fdp/fdp-o#"
R3D = "http://www.re3data.org/schema/3-0#"
HYDRA = "http://www.w3.org/ns/hydra/core#"
RDF_TYPE = RDF + "type"

CHILD_PREDICATES = (
    LDP + "contains",
    DCAT + "catalog",
    DCAT + "dataset",
    DCAT + "distribution",
    DCAT + "service",
    FDPO + "metadataCatalog",
    R3D + "dataCatalog",
    RDFS + "seeAlso",
)
NEXT_PREDICATES = (HYDRA + "next", HYDRA + "nextPage")
ACCEPT = (
    "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8, application/n-triples;q=0.7, "
    "application/trig;q=0.5, */*;q=0.1"
)
MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/xml": ox.RdfFormat.RDF_XML,
    "text/xml": ox.RdfFormat.RDF_XML,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "text/n3": ox.RdfFormat.N3,
}
SUFFIXES: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".nt": ox.RdfFormat.N_TRIPLES,
}


class DcatError(ValueError):
    """A remote catalogue cannot be harvested: the message names the URL and what went wrong."""


@dataclass(frozen=True)
class DcatOptions:
    timeout: float = 30.0
    """Seconds to connect, and to wait for any byte of an answer; and the most one document may take x 4."""
    max_documents: int = 10_000
    max_bytes: int = 64 * 1024 * 1024
    follow: bool = True
    follow_external: bool = False
    force: bool = False
    """Ignore stored ETag / Last-Modified: fetch and rebuild everything."""


@dataclass
class Document:
    url: str
    final_url: str
    status: int  # 200, or 304 (the cached body was used)
    content_type: str
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    link_next: str | None = None
    triples: list[ox.Triple] = field(default_factory=list)


# -- the cache of validators and bodies ------------------------------------------------------------------


class DocumentCache:
    """ETag / Last-Modified and body per URL, for conditional requests (one folder per source)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.index_path = folder / "index.json"
        try:
            self.index: dict[str, dict[str, Any]] = json.loads(self.index_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            self.index = {}

    @staticmethod
    def _name(url: str) -> str:
        return hashlib.sha256(url.encode("utf-8")).hexdigest()

    def validators(self, url: str) -> dict[str, str]:
        entry = self.index.get(url)
        if not entry or not (self.folder / self._name(url)).is_file():
            return {}
        headers = {}
        if entry.get("etag"):
            headers["If-None-Match"] = entry["etag"]
        if entry.get("last_modified"):
            headers["If-Modified-Since"] = entry["last_modified"]
        return headers

    def cached(self, url: str) -> tuple[dict[str, Any], bytes] | None:
        entry = self.index.get(url)
        path = self.folder / self._name(url)
        if entry is None or not path.is_file():
            return None
        return entry, path.read_bytes()

    def commit(self, documents: list[Document]) -> None:
        """Store the documents of an accepted harvest (written aside, then renamed)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        index: dict[str, dict[str, Any]] = {}
        for doc in documents:
            name = self._name(doc.url)
            tmp = self.folder / f".{name}.part"
            tmp.write_bytes(doc.body)
            tmp.replace(self.folder / name)
            index[doc.url] = {
                "final_url": doc.final_url,
                "content_type": doc.content_type,
                "etag": doc.etag,
                "last_modified": doc.last_modified,
            }
        keep = {self._name(u) for u in index}
        for f in self.folder.iterdir():
            if f.is_file() and f.name != "index.json" and f.name not in keep:
                f.unlink(missing_ok=True)
        tmp = self.folder / ".index.json.part"
        tmp.write_text(json.dumps(index, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(self.index_path)
        self.index = index


# -- fetching and parsing --------------------------------------------------------------------------------


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def rdf_format(content_type: str, url: str) -> ox.RdfFormat:
    media = _media_type(content_type)
    if media in MEDIA_TYPES:
        return MEDIA_TYPES[media]
    if media in ("text/html", "application/xhtml+xml"):
        raise DcatError(
            f"{url}: the server answered with an HTML page ({media}), not RDF; is this a landing page? "
            "Give the URL of the catalogue's RDF (Turtle, JSON-LD or RDF/XML)"
        )
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if media in ("", "application/octet-stream", "text/plain") and suffix in SUFFIXES:
        return SUFFIXES[suffix]
    raise DcatError(
        f"{url}: the server answered with {media or 'no Content-Type'}, not an RDF media type "
        "(text/turtle, application/ld+json, application/rdf+xml, application/n-triples)"
    )


class Fetcher:
    """One httpx client for a harvest; every request bounded in time and size."""

    def __init__(self, options: DcatOptions, cache: DocumentCache) -> None:
        self.opts = options
        self.cache = cache
        self.client = httpx.Client(
            timeout=httpx.Timeout(options.timeout),
            follow_redirects=True,
            max_redirects=5,
            headers={"User-Agent": f"cikg/{__version__} (DCAT harvester)", "Accept": ACCEPT},
        )
        self.contexts: dict[str, Any] = {}

    def close(self) -> None:
        self.client.close()

    def get(self, url: str, *, conditional: bool = True, accept: str | None = None) -> Document:
        headers = self.cache.validators(url) if conditional and not self.opts.force else {}
        if accept:
            headers["Accept"] = accept
        deadline = time.monotonic() + self.opts.timeout * 4
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    cached = self.cache.cached(url)
                    if cached is None:  # the server sent 304 to an unconditional request
                        raise DcatError(f"{url}: HTTP 304 Not Modified, but nothing is cached for it")
                    entry, body = cached
                    return Document(
                        url,
                        entry.get("final_url") or url,
                        304,
                        entry.get("content_type") or "",
                        body,
                        etag=entry.get("etag"),
                        last_modified=entry.get("last_modified"),
                    )
                if response.status_code >= 400:
                    reason = response.reason_phrase or ""
                    raise DcatError(f"{url}: HTTP {response.status_code} {reason}".rstrip())
                if response.status_code != 200:
                    raise DcatError(f"{url}: unexpected HTTP {response.status_code} (expected 200 or 304)")
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.opts.max_bytes:
                        raise DcatError(f"{url}: larger than {self.opts.max_bytes} bytes (--max-bytes)")
                    if time.monotonic() > deadline:
                        raise DcatError(f"{url}: still sending after {self.opts.timeout * 4:g} s (timeout)")
                    chunks.append(chunk)
                doc = Document(
                    url,
                    str(response.url),
                    200,
                    response.headers.get("content-type", ""),
                    b"".join(chunks),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
                doc_links = response.headers.get_list("link")
        except httpx.TimeoutException as exc:
            raise DcatError(f"{url}: no answer within {self.opts.timeout:g} s (timeout)") from exc
        except httpx.TooManyRedirects as exc:
            raise DcatError(f"{url}: more than 5 redirects") from exc
        except httpx.HTTPError as exc:
            raise DcatError(f"{url}: {type(exc).__name__}: {exc}") from exc
        doc.link_next = _link_next(doc_links, doc.final_url)
        return doc

    # -- JSON-LD remote contexts (pyoxigraph does not fetch them) --------------------------------------
    def inline_contexts(self, data: Any, url: str, depth: int = 0) -> Any:
        if depth > 8:
            raise DcatError(f"{url}: JSON-LD contexts nest deeper than 8 levels")
        if isinstance(data, list):
            return [self.inline_contexts(v, url, depth) for v in data]
        if not isinstance(data, dict):
            return data
        out = {}
        for key, value in data.items():
            if key == "@context":
                out[key] = self._context(value, url, depth)
            else:
                out[key] = self.inline_contexts(value, url, depth)
        return out

    def _context(self, value: Any, url: str, depth: int) -> Any:
        if isinstance(value, list):
            return [self._context(v, url, depth) for v in value]
        if isinstance(value, str):
            from urllib.parse import urljoin

            ctx_url = urljoin(url, value)
            if ctx_url not in self.contexts:
                doc = self.get(ctx_url, conditional=False, accept="application/ld+json, application/json")
                try:
                    loaded = json.loads(doc.body)
                except ValueError as exc:
                    raise DcatError(f"{ctx_url}: the JSON-LD context is not JSON: {exc}") from exc
                if not isinstance(loaded, dict) or "@context" not in loaded:
                    raise DcatError(f"{ctx_url}: not a JSON-LD context document (no @context)")
                self.contexts[ctx_url] = self._context(loaded["@context"], ctx_url, depth + 1)
            return self.contexts[ctx_url]
        if isinstance(value, dict):
            return self.inline_contexts(value, url, depth + 1)
        return value

    def parse(self, doc: Document) -> list[ox.Triple]:
        fmt = rdf_format(doc.content_type, doc.final_url)
        body = doc.body
        if fmt == ox.RdfFormat.JSON_LD:
            try:
                data = json.loads(body)
            except UnicodeDecodeError as exc:
                raise DcatError(f"{doc.url}: malformed JSON-LD: not UTF-8 ({exc.reason})") from exc
            except ValueError as exc:
                raise DcatError(f"{doc.url}: malformed JSON-LD: {exc}") from exc
            body = json.dumps(self.inline_contexts(data, doc.final_url)).encode("utf-8")
        try:
            quads = ox.parse(body, format=fmt, base_iri=doc.final_url, rename_blank_nodes=True)
            return [q.triple for q in quads]
        except SyntaxError as exc:
            raise DcatError(f"{doc.url}: malformed {_format_name(fmt)}: {exc}") from exc


def _format_name(fmt: ox.RdfFormat) -> str:
    return {
        ox.RdfFormat.TURTLE: "Turtle",
        ox.RdfFormat.JSON_LD: "JSON-LD",
        ox.RdfFormat.RDF_XML: "RDF/XML",
        ox.RdfFormat.N_TRIPLES: "N-Triples",
        ox.RdfFormat.TRIG: "TriG",
        ox.RdfFormat.N_QUADS: "N-Quads",
        ox.RdfFormat.N3: "N3",
    }.get(fmt, str(fmt))


def _link_next(values: list[str], base: str) -> str | None:
    from urllib.parse import urljoin

    for header in values:
        for part in header.split(","):
            segs = [s.strip() for s in part.split(";")]
            if not segs or not segs[0].startswith("<") or not segs[0].endswith(">"):
                continue
            rels = [s.split("=", 1)[1].strip().strip('"') for s in segs[1:] if s.lower().startswith("rel=")]
            if any("next" in r.lower().split() for r in rels):
                return urljoin(base, segs[0][1:-1])
    return None


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def walk(start: str, fetcher: Fetcher, options: DcatOptions) -> list[Document]:
    """Fetch the start URL and everything it leads to (see the module docstring)."""
    start = urldefrag(start)[0]
    origin = _origin(start)
    queue: list[tuple[str, str | None]] = [(start, None)]
    seen: set[str] = {start}
    described: set[str] = set()
    docs: list[Document] = []
    while queue:
        url, parent = queue.pop(0)
        if len(docs) >= options.max_documents:
            raise DcatError(f"{start}: more than {options.max_documents} documents (--max-documents)")
        try:
            doc = fetcher.get(url)
            doc.triples = fetcher.parse(doc)
        except DcatError as exc:
            raise DcatError(f"{exc} (linked from {parent})" if parent else str(exc)) from exc
        docs.append(doc)
        seen.add(doc.final_url)
        for t in doc.triples:  # a subject with more than its type is described here
            if isinstance(t.subject, ox.NamedNode) and t.predicate.value not in (RDF_TYPE, RDFS + "seeAlso"):
                described.add(urldefrag(t.subject.value)[0])
        candidates: list[str] = []
        if doc.link_next:
            candidates.append(doc.link_next)
        for t in doc.triples:
            if t.predicate.value in NEXT_PREDICATES and isinstance(t.object, ox.NamedNode):
                candidates.append(t.object.value)
        pages = set(candidates)
        if options.follow:
            for t in doc.triples:
                if t.predicate.value in CHILD_PREDICATES and isinstance(t.object, ox.NamedNode):
                    candidates.append(t.object.value)
        for cand in candidates:
            target = urldefrag(cand)[0]
            if not target.startswith(("http://", "https://")) or target in seen:
                continue
            if target not in pages:
                if target in described:
                    continue  # described inline already
                if _origin(target) != origin and not options.follow_external:
                    continue
            seen.add(target)
            queue.append((target, doc.url))
    return docs


# -- the harvest ------------------------------------------------------------------------------------------


@dataclass
class DcatHarvest:
    report: RunReport
    info: SourceInfo | None
    documents: int
    unchanged: bool = False


def _default_source_id(url: str) -> str:
    import re

    parts = urlsplit(url)
    text = f"dcat-{parts.netloc}{parts.path}".rstrip("/")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:128]


def run_dcat(
    store: TripleStore,
    settings: Settings,
    *,
    url: str,
    source_id: str | None,
    mapper: ValueMapper,
    gate: Validator | None,
    options: DcatOptions | None = None,
    mapping: MappingOptions | None = None,
    violation_rows: Callable[[object], list[dict[str, Any]]] | None = None,
) -> DcatHarvest:
    """Harvest a remote DCAT / FDP catalogue into source ``source_id`` (default: from the URL)."""
    from cikg.harvest.ids import check_source_id, source_iri

    if not url.startswith(("http://", "https://")):
        raise DcatError(f"{url}: not an http(s) URL")
    opts = options or DcatOptions()
    sid = check_source_id(source_id or _default_source_id(url))
    work = harvest_dir(settings, sid)
    cache = DocumentCache(work / "dcat-cache")
    report = RunReport(source_id=sid, source_kind="dcat", source_url=url, harvester=HARVESTER)
    fetcher = Fetcher(opts, cache)
    try:
        try:
            docs = walk(url, fetcher, opts)
        except DcatError as exc:
            _failed(store, report, work, str(exc))
            raise
    finally:
        fetcher.close()
    report.items_seen = len(docs)
    current = store.source(source_iri(sid))
    if current is not None and docs and all(d.status == 304 for d in docs):
        report.finish()
        report.items_skipped = len(docs)
        report.outcome = "unchanged"
        report.graph = current.graph
        report.summary["documents"] = len(docs)
        report.write(work)
        return DcatHarvest(report=report, info=current, documents=len(docs), unchanged=True)
    tally = MappingTally(mapper)
    mopts = mapping or MappingOptions()
    mopts.run_iri = report.run_iri
    result = project((t for d in docs for t in d.triples), tally, mopts)
    report.items_harvested = len(docs)
    report.items_skipped = sum(1 for d in docs if d.status == 304)
    for problem in result.problems:
        report.problem(problem.where, problem.reason)
    report.unmapped = tally.rows()
    report.summary.update(
        {
            "documents": len(docs),
            "triples_read": sum(len(d.triples) for d in docs),
            "catalogues": result.catalogues,
            "collections": result.collections,
            "datasets_seen": result.datasets_seen,
            "fdp_records_skipped": result.skipped_records,
            "dropped_predicates": dict(result.dropped_predicates.most_common()),
            "dropped_values": dict(result.dropped_values.most_common()),
        }
    )
    if not result.collections and not result.catalogues:
        message = (
            f"{url}: nothing in the {len(docs)} document(s) fits the model: {result.datasets_seen} "
            "dcat:Dataset read, none with the fields a collection needs (see the problems); "
            "the store is unchanged"
        )
        _failed(store, report, work, message)
        raise DcatError(message)
    info = publish(store, result.objects, report, work_dir=work, gate=gate, violation_rows=violation_rows)
    cache.commit(docs)
    return DcatHarvest(report=report, info=info, documents=len(docs))


def _failed(store: TripleStore, report: RunReport, work: Path, message: str) -> None:
    """Record a harvest that stopped before publishing (status shows it; the store is unchanged)."""
    report.finish()
    report.outcome = "not_validated"
    report.error = message
    report.items_failed = max(report.items_failed, 1)
    try:
        record_run(store, report)
    except Exception as exc:
        log.warning("could not record the failed harvest run: %s", type(exc).__name__)
    report.write(work)


__all__ = [
    "CHILD_PREDICATES",
    "HARVESTER",
    "DcatError",
    "DcatHarvest",
    "DcatOptions",
    "Document",
    "DocumentCache",
    "Fetcher",
    "rdf_format",
    "run_dcat",
    "walk",
]
