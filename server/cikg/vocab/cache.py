"""Building the Vocabulary from the project resources and the store, with a compiled copy on disk.

The key of the on-disk copy is a hash of everything it was built from: the ontology and mapping
files (content hashes), the stewards' files, and the version graph of every imported vocabulary
(a new import is a new version graph). A changed input means a rebuild; an unchanged one loads the
pickle (tens of milliseconds for the hyperontology alone).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from cikg import resources
from cikg.store import TripleStore
from cikg.vocab.loader import vocab_sources
from cikg.vocab.vocabulary import Vocabulary

log = logging.getLogger(__name__)
FORMAT_VERSION = 4


@dataclass(frozen=True)
class VocabularyInputs:
    ontology: Path
    mapping_files: tuple[Path, ...]
    local_files: tuple[Path, ...]
    branches_file: Path | None

    @classmethod
    def default(cls, extra_local: Sequence[Path] = ()) -> VocabularyInputs:
        """The shipped ontology and mapping sets, the shipped steward mapping sets (e.g.
        ``mappings/idc.sssom.tsv``) and the stewards' files in mappings/local/."""
        mdir = resources.mappings_dir()
        ontology_sets, steward_sets = split_mapping_sets(mdir)
        branches = resources.ontology_src_dir() / "branches.yaml"
        return cls(
            ontology=resources.ontology_path(),
            mapping_files=ontology_sets,
            local_files=tuple([*steward_sets, *extra_local]),
            branches_file=branches if branches.is_file() else None,
        )

    @classmethod
    def from_dir(cls, root: Path, extra_local: Sequence[Path] = ()) -> VocabularyInputs:
        """A folder laid out like the fixture: cikg.ttl, branches.yaml, mappings/*.sssom.tsv."""
        mdir = root / "mappings"
        ontology_sets, steward_sets = split_mapping_sets(mdir)
        branches = root / "branches.yaml"
        return cls(
            ontology=root / "cikg.ttl",
            mapping_files=ontology_sets,
            local_files=tuple([*steward_sets, *extra_local]),
            branches_file=branches if branches.is_file() else None,
        )

    def files(self) -> list[Path]:
        out = [self.ontology, *self.mapping_files, *self.local_files]
        if self.branches_file is not None:
            out.append(self.branches_file)
        return out


ONTOLOGY_SET_PREFIX = "cikg_"
"""``mappings/cikg_<scheme>.sssom.tsv``: the hyperontology's own mapping sets (concepts as subjects).
Every other ``*.sssom.tsv`` in ``mappings/`` (and ``mappings/local/``) is a steward mapping set: a
source's local terms as subjects (``subject_label``, ``subject_category``), concepts as objects."""


def split_mapping_sets(mdir: Path) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """``(ontology mapping sets, steward mapping sets)`` under a mappings folder."""
    shipped = sorted(mdir.glob("*.sssom.tsv"))
    local = sorted((mdir / "local").glob("*.sssom.tsv")) if (mdir / "local").is_dir() else []
    ontology = tuple(p for p in shipped if p.name.startswith(ONTOLOGY_SET_PREFIX))
    steward = tuple([*(p for p in shipped if not p.name.startswith(ONTOLOGY_SET_PREFIX)), *local])
    return ontology, steward


def read_branches(path: Path | None) -> dict[str, str]:
    """Branch root concept id -> enum name."""
    if path is None or not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        spec["root"]: name for name, spec in (data.get("branches") or {}).items() if spec and spec.get("root")
    }


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cache_key(inputs: VocabularyInputs, imported: Iterable[tuple[str, str]]) -> str:
    h = hashlib.sha256(f"v{FORMAT_VERSION}".encode())
    for p in inputs.files():
        h.update(str(p).encode())
        h.update(_hash_file(p).encode() if p.is_file() else b"missing")
    for source, graph in imported:
        h.update(f"{source}={graph}".encode())
    return h.hexdigest()[:24]


def imported_graphs(store: TripleStore | None) -> list[tuple[str, str]]:
    if store is None:
        return []
    return vocab_sources((s.source, s.graph) for s in store.sources())


def build(inputs: VocabularyInputs, store: TripleStore | None = None) -> Vocabulary:
    graphs = imported_graphs(store)
    assert store is not None or not graphs
    return Vocabulary.build(
        inputs.ontology,
        inputs.mapping_files,
        local_files=inputs.local_files,
        imported=[(source, store.triples(graph)) for source, graph in graphs] if store else [],
        branches=read_branches(inputs.branches_file),
    )


def load_vocabulary(
    store: TripleStore | None = None,
    *,
    inputs: VocabularyInputs | None = None,
    cache_dir: Path | None = None,
) -> Vocabulary:
    """The Vocabulary for these inputs and the store's imported vocabularies (from the disk cache when
    nothing changed)."""
    inputs = inputs or VocabularyInputs.default()
    graphs = imported_graphs(store)
    if cache_dir is None:
        return build(inputs, store)
    key = cache_key(inputs, graphs)
    path = cache_dir / f"vocabulary-{key}.pickle"
    if path.is_file():
        started = time.perf_counter()
        try:
            with path.open("rb") as f:
                vocab: Vocabulary = pickle.load(f)
            log.info("term index loaded from %s in %.3f s", path, time.perf_counter() - started)
            return vocab
        except Exception as exc:  # a stale or truncated cache is rebuilt, never fatal
            log.warning("ignoring the term index cache %s: %s", path, exc)
    vocab = build(inputs, store)
    _save(vocab, path, cache_dir)
    return vocab


def _save(vocab: Vocabulary, path: Path, cache_dir: Path) -> None:
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for old in cache_dir.glob("vocabulary-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(vocab, f, protocol=pickle.HIGHEST_PROTOCOL)
        Path(tmp).replace(path)
    except OSError as exc:
        log.warning("could not write the term index cache %s: %s", path, exc)
