"""What every importer shares: N-Triples writing to a temp file, progress, clear format errors, and
the atomic load into the vocabulary's own named graph (``urn:cikg:source:vocab-<kind>``).

An importer is a generator of N-Triples lines: rows are streamed from the release files and written
one by one, so memory stays bounded whatever the release size; the store bulk-loads the file. Any
error (a missing column, a malformed row) stops the import before the store is touched.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import quote

import pyoxigraph as ox

from cikg import namespaces
from cikg.namespaces import DCTERMS, OWL, RDF, RDFS, SKOS
from cikg.store import RdfData, SourceInfo, TripleStore
from cikg.vocab.model import VocabularyError

Progress = Callable[[int], None]
"""Called with the number of bytes just read."""

SOURCE_PREFIX = "urn:cikg:source:vocab-"
SCHEME_BASE = "https://w3id.org/cikg/vocab/"

T_TYPE = f"<{RDF}type>"
T_CONCEPT = f"<{SKOS}Concept>"
T_SCHEME = f"<{SKOS}inScheme>"
T_PREF = f"<{SKOS}prefLabel>"
T_ALT = f"<{SKOS}altLabel>"
T_DEF = f"<{SKOS}definition>"
T_NOTATION = f"<{SKOS}notation>"
T_BROADER = f"<{SKOS}broader>"
T_DEPRECATED = f"<{OWL}deprecated>"
T_LABEL = f"<{RDFS}label>"
T_SOURCE = f"<{DCTERMS}source>"
MATCH = {
    "skos:exactMatch": f"<{SKOS}exactMatch>",
    "skos:closeMatch": f"<{SKOS}closeMatch>",
    "skos:broadMatch": f"<{SKOS}broadMatch>",
    "skos:narrowMatch": f"<{SKOS}narrowMatch>",
    "skos:relatedMatch": f"<{SKOS}relatedMatch>",
    "oboInOwl:hasDbXref": "<http://www.geneontology.org/formats/oboInOwl#hasDbXref>",
    "owl:equivalentClass": f"<{OWL}equivalentClass>",
}


class ImportFormatError(VocabularyError):
    """The release file is not in the expected format; the message names file, line and problem."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")
        self.path = str(path)
        self.line = line
        self.problem = problem


@dataclass
class ImportReport:
    kind: str
    source: str
    files: list[str]
    rows: int = 0
    triples: int = 0
    terms: int = 0
    seconds: float = 0.0
    skipped: dict[str, int] = field(default_factory=dict)
    info: SourceInfo | None = None

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "source": self.source,
            "files": self.files,
            "rows": self.rows,
            "triples": self.triples,
            "terms": self.terms,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second),
            "skipped": self.skipped,
            "graph": self.info.graph if self.info else None,
        }


def iri(prefix: str, local: str) -> str:
    """``<IRI>`` of a code in a scheme of the prefix map (the local part %-escaped where needed)."""
    found = namespaces.converter().lookup(prefix)
    if found is None:
        raise VocabularyError(f"scheme prefix {prefix!r} is not in mappings/prefixes.yaml")
    return f"<{found.uri_prefix}{quote(local.strip(), safe='/:.-_~+')}>"


def literal(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def scheme_iri(kind: str) -> str:
    return f"<{SCHEME_BASE}{kind}>"


class Writer:
    """Collects N-Triples lines into a temp file and counts them."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.triples = 0
        self.terms = 0

    def add(self, s: str, p: str, o: str) -> None:
        self.handle.write(f"{s} {p} {o} .\n")
        self.triples += 1

    def term(self, s: str, scheme: str, code: str | None = None) -> None:
        self.add(s, T_TYPE, T_CONCEPT)
        self.add(s, T_SCHEME, scheme)
        if code is not None:
            self.add(s, T_NOTATION, literal(code))
        self.terms += 1


@dataclass
class Context:
    """What an importer gets: the files, a writer, the report to fill, the progress callback."""

    kind: str
    paths: list[Path]
    out: Writer
    report: ImportReport
    progress: Progress

    def skip(self, reason: str) -> None:
        self.report.skipped[reason] = self.report.skipped.get(reason, 0) + 1


def open_text(path: Path) -> IO[str]:
    try:
        return path.open("r", encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ImportFormatError(path, None, f"cannot read: {exc.strerror or exc}") from exc


def read_table(
    ctx: Context, path: Path, required: Iterable[str], *, delimiter: str | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV / TSV release table as dicts, checked for the ``required`` columns; streams."""
    csv.field_size_limit(sys.maxsize)
    with open_text(path) as handle:
        first = handle.readline()
        if not first:
            raise ImportFormatError(path, 1, "the file is empty")
        if delimiter is None:
            delimiter = "\t" if first.count("\t") >= first.count(",") else ","
        header = next(csv.reader([first], delimiter=delimiter))
        header = [h.strip().strip('"') for h in header]
        lowered = {h.lower(): h for h in header}
        missing = [c for c in required if c.lower() not in lowered]
        if missing:
            raise ImportFormatError(
                path, 1, f"missing column(s) {', '.join(missing)} (found: {', '.join(header) or 'none'})"
            )
        ctx.progress(len(first))
        if delimiter == "\t":
            reader = csv.reader(handle, delimiter=delimiter, quoting=csv.QUOTE_NONE)
        else:
            reader = csv.reader(handle, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL)
        n = 1
        pending = 0
        try:
            for values in reader:
                n += 1
                if not values:
                    continue
                if len(values) != len(header):
                    raise ImportFormatError(
                        path, reader.line_num + 1, f"{len(values)} fields, the header has {len(header)}"
                    )
                row = {h.lower(): v for h, v in zip(header, values, strict=True)}
                pending += sum(len(v) for v in values) + len(values)
                if pending > 1 << 16:
                    ctx.progress(pending)
                    pending = 0
                ctx.report.rows += 1
                yield reader.line_num + 1, row  # +1: the header was read apart
        except csv.Error as exc:
            raise ImportFormatError(
                path, reader.line_num + 1, f"not valid {'TSV' if delimiter == chr(9) else 'CSV'}: {exc}"
            ) from exc
        ctx.progress(pending)


def find_files(path: Path, patterns: Iterable[str]) -> list[Path]:
    """``path`` itself, or the files under it matching any pattern (release folders)."""
    if path.is_file():
        return [path]
    if not path.exists():
        raise ImportFormatError(path, None, "no such file or folder")
    found: list[Path] = []
    for pattern in patterns:
        found.extend(sorted(p for p in path.rglob(pattern) if p.is_file()))
    return list(dict.fromkeys(found))


Importer = Callable[[Context], None]


def run_import(
    store: TripleStore,
    kind: str,
    importer: Importer,
    paths: list[Path],
    *,
    progress: Progress | None = None,
    tmp_dir: Path | None = None,
    source_id: str | None = None,
) -> ImportReport:
    """Stream ``paths`` through ``importer`` into N-Triples, then replace the vocabulary's source."""
    source = source_id or f"vocab-{kind}"
    report = ImportReport(kind=kind, source=source, files=[str(p) for p in paths])
    started = time.perf_counter()
    fd, tmp = tempfile.mkstemp(prefix=f"cikg-import-{kind}-", suffix=".nt", dir=tmp_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            writer = Writer(handle)
            ctx = Context(kind, paths, writer, report, progress or (lambda n: None))
            src = f"<urn:cikg:source:{source}>"
            writer.add(scheme_iri(kind), T_TYPE, f"<{SKOS}ConceptScheme>")
            writer.add(scheme_iri(kind), T_SOURCE, src)
            for p in paths:
                writer.add(scheme_iri(kind), T_SOURCE, literal(p.name))
            writer.add(
                scheme_iri(kind),
                f"<{DCTERMS}created>",
                f'"{dt.datetime.now(dt.UTC).isoformat()}"^^<http://www.w3.org/2001/XMLSchema#dateTime>',
            )
            importer(ctx)
        report.triples = writer.triples
        report.terms = writer.terms
        if writer.terms == 0:
            raise ImportFormatError(
                ", ".join(str(p) for p in paths), None, f"no {kind} terms found: is this the right file?"
            )
        report.info = store.replace_source(
            f"urn:cikg:source:{source}", RdfData.file(Path(tmp), ox.RdfFormat.N_TRIPLES)
        )
    finally:
        Path(tmp).unlink(missing_ok=True)
    report.seconds = time.perf_counter() - started
    return report


def total_size(paths: Iterable[Path]) -> int:
    return sum(p.stat().st_size for p in paths if p.is_file())
