"""The derived columnar index: one row per series (integer-coded numpy columns), built from the graph
and rebuilt per source graph whenever the store's registry points a source at a new version.

The graph stays the source of truth; :class:`SearchIndex` is a cache of it that answers the same
questions as the SPARQL compiler (``tests/search/test_index_equals_sparql.py`` checks that on
randomised queries). Criteria become boolean masks over subjects; distinct counts use a boolean
'seen' array or ``np.bincount``, never ``np.unique`` on the query path.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from cikg.search.answer import SUBJECT_FIELDS, Answer, CollectionCounts, collection_leaf, seriesless_matches
from cikg.search.collections import CollectionInfo, load_collections
from cikg.search.fields import FIELDS, MULTIVALUED_SERIES, SINGLE_SERIES, predicates
from cikg.search.query import Holders, Leaf, Node

Bool = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
AGE_SLOTS = 91  # ages are capped at 90 by the model


class Codes:
    """An append-only dictionary of graph values (IRIs) -> small integers, one per field."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.values: list[str] = []

    def code(self, value: str) -> int:
        found = self.ids.get(value)
        if found is None:
            found = self.ids[value] = len(self.values)
            self.values.append(value)
        return found

    def indices(self, iris: frozenset[str]) -> list[int]:
        return sorted(self.ids[v] for v in iris if v in self.ids)


@dataclass
class Partition:
    """The series rows of one source graph, with local numbers (subjects, studies, value codes).

    A version graph never changes once current, so a partition is cached on disk under its graph IRI
    and re-read from the graph only when the source points at a new version.
    """

    graph: str
    colls: list[str]
    row_coll: Ints
    row_subj: Ints
    row_study: Ints
    n_subjects: int
    n_studies: int
    single: dict[str, Ints]
    multi: dict[str, tuple[Ints, Ints]]
    numeric: dict[str, Floats]
    values: dict[str, list[str]]
    """field -> the graph values (IRIs) its local codes stand for."""

    def save(self, path: Path) -> None:
        arrays: dict[str, Any] = {
            "row_coll": self.row_coll,
            "row_subj": self.row_subj,
            "row_study": self.row_study,
        }
        arrays.update({f"single.{f}": v for f, v in self.single.items()})
        arrays.update({f"multi_rows.{f}": v[0] for f, v in self.multi.items()})
        arrays.update({f"multi_codes.{f}": v[1] for f, v in self.multi.items()})
        arrays.update({f"numeric.{f}": v for f, v in self.numeric.items()})
        meta = {
            "version": CACHE_VERSION,
            "graph": self.graph,
            "colls": self.colls,
            "n_subjects": self.n_subjects,
            "n_studies": self.n_studies,
            "values": self.values,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, meta=np.asarray(json.dumps(meta)), **arrays)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, graph: str) -> Partition | None:
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if meta.get("version") != CACHE_VERSION or meta.get("graph") != graph:
                    return None
                return cls(
                    graph,
                    list(meta["colls"]),
                    z["row_coll"],
                    z["row_subj"],
                    z["row_study"],
                    int(meta["n_subjects"]),
                    int(meta["n_studies"]),
                    {f: z[f"single.{f}"] for f in SINGLE_SERIES},
                    {f: (z[f"multi_rows.{f}"], z[f"multi_codes.{f}"]) for f in MULTIVALUED_SERIES},
                    {f: z[f"numeric.{f}"] for f in ("age", "field_strength")},
                    {f: list(v) for f, v in meta["values"].items()},
                )
        except (OSError, ValueError, KeyError):
            return None


CACHE_VERSION = 1


def load_partition(store: Any, graph: str) -> Partition:
    """Read one source graph's series rows (one SELECT for the single-valued slots, one per
    multi-valued slot)."""
    p = predicates()
    s = p.series
    single_preds = {f: s[FIELDS[f].series_slot or ""] for f in SINGLE_SERIES}
    q = f"""SELECT ?s ?c ?k ?st ?age ?fs {" ".join("?" + f for f in SINGLE_SERIES)} WHERE {{
  ?s a <{p.series_class}> ; <{s["is_part_of"]}> ?c ; <{s["subject_key"]}> ?k ; <{s["study_key"]}> ?st .
  {" ".join(f"OPTIONAL {{ ?s <{pred}> ?{f} }}" for f, pred in single_preds.items())}
  OPTIONAL {{ ?s <{s["subject_age"]}> ?age }} OPTIONAL {{ ?s <{s["magnetic_field_strength"]}> ?fs }} }}"""
    codes: dict[str, Codes] = {f: Codes() for f in (*SINGLE_SERIES, *MULTIVALUED_SERIES)}
    coll_ids: dict[str, int] = {}
    subj_ids: dict[tuple[int, str], int] = {}
    study_ids: dict[tuple[int, str], int] = {}
    row_of: dict[str, int] = {}
    cols: dict[str, list[int]] = {f: [] for f in SINGLE_SERIES}
    rc: list[int] = []
    rs: list[int] = []
    rt: list[int] = []
    ages: list[float] = []
    fss: list[float] = []
    nan = math.nan
    for row in store.query(q, graph=graph).rows():
        sid = row["s"].value
        if sid in row_of:
            continue
        c = coll_ids.setdefault(row["c"].value, len(coll_ids))
        row_of[sid] = len(rc)
        rc.append(c)
        rs.append(subj_ids.setdefault((c, row["k"].value), len(subj_ids)))
        rt.append(study_ids.setdefault((c, row["st"].value), len(study_ids)))
        for f in SINGLE_SERIES:
            v = row[f]
            cols[f].append(codes[f].code(v.value) if v is not None else -1)
        ages.append(_float(row["age"]) if row["age"] is not None else nan)
        fss.append(_float(row["fs"]) if row["fs"] is not None else nan)
    multi: dict[str, tuple[Ints, Ints]] = {}
    for f in MULTIVALUED_SERIES:
        pred = s[FIELDS[f].series_slot or ""]
        rows_: list[int] = []
        vals: list[int] = []
        for row in store.query(f"SELECT ?s ?v WHERE {{ ?s <{pred}> ?v }}", graph=graph).rows():
            r = row_of.get(row["s"].value)
            if r is not None:
                rows_.append(r)
                vals.append(codes[f].code(row["v"].value))
        multi[f] = (np.asarray(rows_, dtype=np.int64), np.asarray(vals, dtype=np.int64))
    return Partition(
        graph,
        list(coll_ids),
        np.asarray(rc, dtype=np.int64),
        np.asarray(rs, dtype=np.int64),
        np.asarray(rt, dtype=np.int64),
        len(subj_ids),
        len(study_ids),
        {f: np.asarray(v, dtype=np.int64) for f, v in cols.items()},
        multi,
        {"age": np.asarray(ages, dtype=np.float64), "field_strength": np.asarray(fss, dtype=np.float64)},
        {f: list(c.values) for f, c in codes.items()},
    )


def _float(term: Any) -> float:
    try:
        return float(term.value)
    except (TypeError, ValueError):
        return math.nan


def _pairs(subj: Ints, code: Ints, n_codes: int) -> tuple[Ints, Ints]:
    """Distinct (subject, code) pairs (build time only)."""
    ok = code >= 0
    key = np.unique(subj[ok] * (n_codes + 1) + code[ok])
    return key // (n_codes + 1), key % (n_codes + 1)


@dataclass
class Postings:
    """Items (rows or subjects) grouped by a small integer key (a value code, a subject, a collection)."""

    items: Ints
    offsets: Ints

    @classmethod
    def of(cls, keys: Ints, items: Ints, n_keys: int) -> Postings:
        ok = keys >= 0
        keys, items = keys[ok], items[ok]
        order = np.argsort(keys, kind="stable")
        return cls(items[order], np.searchsorted(keys[order], np.arange(n_keys + 1)))

    def take(self, keys: list[int]) -> Ints:
        n = len(self.offsets) - 1
        parts = [self.items[self.offsets[k] : self.offsets[k + 1]] for k in keys if 0 <= k < n]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def gather(self, keys: Ints) -> Ints:
        """Items of many keys at once (vectorised ranges)."""
        return self.items[ranges(self.offsets, keys)]


def ranges(offsets: Ints, keys: Ints) -> Ints:
    """Concatenated ``arange(offsets[k], offsets[k + 1])`` for every k of ``keys``."""
    starts = offsets[keys]
    lens = offsets[keys + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    return np.arange(total, dtype=np.int64) + np.repeat(starts - (np.cumsum(lens) - lens), lens)


@dataclass
class Sorted:
    """Items ordered by a numeric value (missing values last), for range criteria."""

    values: Floats
    items: Ints

    @classmethod
    def of(cls, values: Floats, items: Ints) -> Sorted:
        order = np.argsort(values, kind="stable")
        return cls(values[order], items[order])

    def between(self, lo: float | None, hi: float | None) -> Ints:
        a = 0 if lo is None else int(np.searchsorted(self.values, lo, "left"))
        b = int(np.searchsorted(self.values, np.inf if hi is None else hi, "right"))
        return self.items[a:b]


@dataclass
class Built:
    """The concatenated, query-ready arrays."""

    infos: dict[str, CollectionInfo]
    holders: Holders
    coll_iris: list[str]
    coll_index: dict[str, int]
    subj_coll: Ints
    study_coll: Ints
    row_coll: Ints
    row_subj: Ints
    row_study: Ints
    row_single: dict[str, Ints]
    row_multi: dict[str, tuple[Ints, Ints]]
    row_numeric: dict[str, Floats]
    pairs: dict[str, tuple[Ints, Ints]]
    """subject-grain concept field -> distinct (subject, code)."""
    num_pairs: dict[str, tuple[Ints, Floats]]
    """numeric subject field -> distinct (subject, value)."""
    has_condition: Bool
    known: Bool
    """Subjects of a known collection."""
    with_series: set[str]
    facet_keys: dict[str, tuple[Ints, Ints, list[str]]]
    """subject-grain concept field -> (pair subject, collection * n_codes + code, code values)."""
    age_keys: tuple[Ints, Ints]
    """(pair subject, collection * AGE_SLOTS + age)."""
    row_post: dict[str, Postings]
    """concept field -> series rows by value code."""
    row_sorted: dict[str, Sorted]
    subj_post: dict[str, Postings]
    """concept field -> subjects by value code."""
    subj_sorted: dict[str, Sorted]
    subj_rows: Postings
    """subject -> its series rows."""
    coll_rows: Postings
    """collection -> its series rows."""
    facet_off: dict[str, Ints]
    """subject -> range of its entries in ``facet_keys`` (the pairs are sorted by subject)."""
    age_off: Ints
    everything: Answer | None = None
    """The answer without a query (computed once per build)."""

    @property
    def n_subjects(self) -> int:
        return len(self.subj_coll)


class SearchIndex:
    """Columnar index over the store's current graphs; :meth:`refresh` follows the source registry."""

    def __init__(self, store: Any, cache_dir: Path | None = None) -> None:
        self._store = store
        self._cache_dir = cache_dir
        self._lock = threading.Lock()
        self.codes: dict[str, Codes] = {f: Codes() for f in SUBJECT_FIELDS if FIELDS[f].kind == "concept"}
        self._parts: dict[str, Partition] = {}
        self._key: tuple[tuple[str, str], ...] | None = None
        self._built: Built | None = None
        self.rebuilds = 0

    # -- maintenance -----------------------------------------------------------------------------
    def registry_key(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((s.source, s.graph) for s in self._store.sources()))

    def refresh(self) -> Built:
        """The index for the current graphs: unchanged sources keep their partition, replaced or new
        ones are re-read from their version graph, dropped ones go."""
        key = self.registry_key()
        built = self._built
        if built is not None and key == self._key:
            return built
        with self._lock:
            if self._built is not None and key == self._key:
                return self._built
            graphs = {g for _, g in key}
            for g in list(self._parts):
                if g not in graphs:
                    del self._parts[g]
            for g in sorted(graphs - set(self._parts)):
                self._parts[g] = self._partition(g)
            self._built = self._concat([self._parts[g] for g in sorted(self._parts)])
            self._key = key
            self.rebuilds += 1
            return self._built

    def _partition(self, graph: str) -> Partition:
        path = None
        if self._cache_dir is not None:
            path = self._cache_dir / (hashlib.sha256(graph.encode()).hexdigest()[:32] + ".npz")
            found = Partition.load(path, graph) if path.is_file() else None
            if found is not None:
                return found
        part = load_partition(self._store, graph)
        if path is not None:
            with contextlib.suppress(OSError):  # a read-only data dir: the index works, it is not kept
                part.save(path)
        return part

    def invalidate(self) -> None:
        """Forget everything (e.g. when the store was swapped); rebuilt on next use."""
        with self._lock:
            self._parts.clear()
            self._key = None
            self._built = None

    def _concat(self, parts: list[Partition]) -> Built:
        infos, holders = load_collections(self._store)
        coll_iris = list(infos)
        coll_index = {c: i for i, c in enumerate(coll_iris)}
        subj_coll: list[Ints] = []
        study_coll: list[Ints] = []
        rc: list[Ints] = []
        rs: list[Ints] = []
        rt: list[Ints] = []
        single: dict[str, list[Ints]] = {f: [] for f in SINGLE_SERIES}
        multi: dict[str, tuple[list[Ints], list[Ints]]] = {f: ([], []) for f in MULTIVALUED_SERIES}
        numeric: dict[str, list[Floats]] = {"age": [], "field_strength": []}
        s_off = t_off = r_off = 0
        for part in parts:
            cmap = np.asarray([coll_index.get(c, -1) for c in part.colls], dtype=np.int64)
            keep = cmap[part.row_coll] >= 0 if len(part.row_coll) else np.zeros(0, dtype=bool)
            # subject / study -> collection (first row decides; keys are per collection already)
            sc = np.full(part.n_subjects, -1, dtype=np.int64)
            sc[part.row_subj] = cmap[part.row_coll]
            tc = np.full(part.n_studies, -1, dtype=np.int64)
            tc[part.row_study] = cmap[part.row_coll]
            subj_coll.append(sc)
            study_coll.append(tc)
            new_row = np.cumsum(keep) - 1 + r_off
            rc.append(cmap[part.row_coll][keep])
            rs.append(part.row_subj[keep] + s_off)
            rt.append(part.row_study[keep] + t_off)
            gmap = {f: self._global(f, part.values.get(f, [])) for f in (*SINGLE_SERIES, *MULTIVALUED_SERIES)}
            for f in SINGLE_SERIES:
                single[f].append(gmap[f][part.single[f][keep]])
            for f in MULTIVALUED_SERIES:
                rows_, vals = part.multi[f]
                ok = keep[rows_] if len(rows_) else np.zeros(0, dtype=bool)
                multi[f][0].append(new_row[rows_[ok]])
                multi[f][1].append(gmap[f][vals[ok]])
            for f in numeric:
                numeric[f].append(part.numeric[f][keep])
            s_off += part.n_subjects
            t_off += part.n_studies
            r_off += int(keep.sum())

        def cat(xs: list[Any], dtype: Any = np.int64) -> Any:
            return np.concatenate(xs) if xs else np.zeros(0, dtype=dtype)

        row_subj = cat(rs)
        row_single = {f: cat(v) for f, v in single.items()}
        row_multi = {f: (cat(a), cat(b)) for f, (a, b) in multi.items()}
        row_numeric = {f: cat(v, np.float64) for f, v in numeric.items()}
        pairs: dict[str, tuple[Ints, Ints]] = {}
        for f in SINGLE_SERIES:
            pairs[f] = _pairs(row_subj, row_single[f], len(self.codes[f].values))
        for f in MULTIVALUED_SERIES:
            r, v = row_multi[f]
            pairs[f] = _pairs(row_subj[r], v, len(self.codes[f].values))
        num_pairs: dict[str, tuple[Ints, Floats]] = {}
        for f, vals in row_numeric.items():
            ok = ~np.isnan(vals)
            if ok.any():
                # distinct (subject, value): sort by subject then value, drop repeats
                s_, v_ = row_subj[ok], vals[ok]
                order = np.lexsort((v_, s_))
                s_, v_ = s_[order], v_[order]
                first = np.ones(len(s_), dtype=bool)
                first[1:] = (s_[1:] != s_[:-1]) | (v_[1:] != v_[:-1])
                num_pairs[f] = (s_[first], v_[first])
            else:
                num_pairs[f] = (np.zeros(0, np.int64), np.zeros(0, np.float64))
        n_subj = s_off
        has_cond = np.zeros(n_subj, dtype=bool)
        has_cond[pairs["condition"][0]] = True
        a_s, a_v = num_pairs["age"]
        subj_coll_all = cat(subj_coll)
        safe = np.maximum(subj_coll_all, 0)  # unknown collections never pass the 'known' mask
        ages = np.clip(np.round(a_v), 0, AGE_SLOTS - 1).astype(np.int64)
        facet_keys = {}
        subj_ids = np.arange(n_subj + 1)
        for f, (ps, pc) in pairs.items():
            values = list(self.codes[f].values)
            facet_keys[f] = (ps, safe[ps] * max(1, len(values)) + pc, values)
        n_rows = len(row_subj)
        row_ids = np.arange(n_rows, dtype=np.int64)
        row_post = {f: Postings.of(row_single[f], row_ids, len(self.codes[f].values)) for f in SINGLE_SERIES}
        for f in MULTIVALUED_SERIES:
            r, v = row_multi[f]
            row_post[f] = Postings.of(v, r, len(self.codes[f].values))
        row_coll_all = cat(rc)
        built = Built(
            infos=infos,
            holders=holders,
            coll_iris=coll_iris,
            coll_index=coll_index,
            subj_coll=subj_coll_all,
            study_coll=cat(study_coll),
            row_coll=row_coll_all,
            row_subj=row_subj,
            row_study=cat(rt),
            row_single=row_single,
            row_multi=row_multi,
            row_numeric=row_numeric,
            pairs=pairs,
            num_pairs=num_pairs,
            has_condition=has_cond,
            known=subj_coll_all >= 0,
            with_series={coll_iris[i] for i in set(cat(rc).tolist())} if r_off else set(),
            facet_keys=facet_keys,
            age_keys=(a_s, safe[a_s] * AGE_SLOTS + ages),
            row_post=row_post,
            row_sorted={f: Sorted.of(v, row_ids) for f, v in row_numeric.items()},
            subj_post={f: Postings.of(pc, ps, len(self.codes[f].values)) for f, (ps, pc) in pairs.items()},
            subj_sorted={f: Sorted.of(v, ps) for f, (ps, v) in num_pairs.items()},
            subj_rows=Postings.of(row_subj, row_ids, n_subj),
            coll_rows=Postings.of(row_coll_all, row_ids, len(coll_iris)),
            facet_off={f: np.searchsorted(ps, subj_ids) for f, (ps, _pc) in pairs.items()},
            age_off=np.searchsorted(a_s, subj_ids),
        )
        return built

    def _global(self, field: str, values: list[str]) -> Ints:
        """Local code -> global code of ``field`` (the spare last slot maps -1, missing, to -1)."""
        codes = self.codes[field]
        return np.asarray([*(codes.code(v) for v in values), -1], dtype=np.int64)

    # -- answering -------------------------------------------------------------------------------
    def answer(self, root: Node | None) -> Answer:
        b = self.refresh()
        if root is None and b.everything is not None:
            return b.everything
        out = self._answer(b, root)
        if root is None:
            b.everything = out
        return out

    def _answer(self, b: Built, root: Node | None) -> Answer:
        ev = _Evaluator(self, b)
        n_coll = len(b.coll_iris)
        subjects: Bool = b.known if root is None else ev.subjects(root) & b.known
        members = np.flatnonzero(subjects)
        few = len(members) * 3 < b.n_subjects  # gather by subject ranges rather than scan everything
        per_coll = np.bincount(b.subj_coll[members], minlength=n_coll)
        # rows that make the counts: rows of matching subjects satisfying a positive criterion
        positive = [lf for lf in root.positive_leaves() if lf.spec.grain == "subject"] if root else []
        if positive:
            rel = np.zeros(len(b.row_subj), dtype=bool)
            for lf in positive:
                rel[ev.rows(lf)] = True
            rows = np.flatnonzero(rel)
            rows = rows[subjects[b.row_subj[rows]]]
        else:
            rows = b.subj_rows.gather(members)
        series = np.bincount(b.row_coll[rows], minlength=n_coll)
        seen = np.zeros(len(b.study_coll), dtype=bool)
        seen[b.row_study[rows]] = True
        studies = np.bincount(b.study_coll[np.flatnonzero(seen)], minlength=n_coll)
        a_s, a_key = b.age_keys
        present = np.zeros(n_coll * AGE_SLOTS, dtype=bool)
        present[a_key[ranges(b.age_off, members)] if few else a_key[subjects[a_s]]] = True
        present2 = present.reshape(n_coll, AGE_SLOTS)
        has_age: Bool = np.asarray(present2.any(axis=1), dtype=bool)
        age_min = present2.argmax(axis=1)
        age_max = AGE_SLOTS - 1 - present2[:, ::-1].argmax(axis=1)
        out = Answer()
        matched_leaf: dict[int, Ints] = {}
        for lf in root.positive_leaves() if root else ():
            m = np.flatnonzero(ev.subjects_of_leaf(lf) & subjects)
            matched_leaf[lf.index] = np.bincount(b.subj_coll[m], minlength=n_coll)
        for ci in np.nonzero(per_coll)[0].tolist():
            c = b.coll_iris[ci]
            out.collections[c] = CollectionCounts(
                subjects=int(per_coll[ci]),
                studies=int(studies[ci]),
                series=int(series[ci]),
                age_min=int(age_min[ci]) if has_age[ci] else None,
                age_max=int(age_max[ci]) if has_age[ci] else None,
                matched={i for i, counts in matched_leaf.items() if counts[ci] > 0},
            )
        for f, (ps, keys, vals) in b.facet_keys.items():
            n_codes = len(vals)
            if n_codes == 0:
                continue
            picked = keys[ranges(b.facet_off[f], members)] if few else keys[subjects[ps]]
            counts = np.bincount(picked, minlength=n_coll * n_codes)
            nz = np.flatnonzero(counts)
            out.facets[f] = {
                (b.coll_iris[k // n_codes], vals[k % n_codes]): int(counts[k]) for k in nz.tolist()
            }
        out.seriesless = seriesless_matches(root, b.infos, b.with_series, b.holders)
        return out


class _Evaluator:
    """Evaluates a resolved tree to a boolean mask over subjects (and leaves over rows)."""

    def __init__(self, index: SearchIndex, built: Built) -> None:
        self.ix = index
        self.b = built
        self._cache: dict[int, Bool] = {}

    def coll_mask(self, leaf: Leaf) -> Bool:
        b = self.b
        return np.fromiter(
            (collection_leaf(leaf, b.infos[c], b.holders) for c in b.coll_iris),
            dtype=bool,
            count=len(b.coll_iris),
        )

    def _by_coll(self, cm: Bool) -> Bool:
        """A collection mask spread over subjects (subjects of unknown collections: False)."""
        ext = np.append(cm, False)
        return ext[self.b.subj_coll]

    def subjects_of_leaf(self, leaf: Leaf) -> Bool:
        found = self._cache.get(leaf.index)
        if found is not None:
            return found
        b = self.b
        spec = leaf.spec
        if spec.grain == "collection":
            m = self._by_coll(self.coll_mask(leaf))
        elif spec.kind == "numeric":
            m = np.zeros(b.n_subjects, dtype=bool)
            m[b.subj_sorted[leaf.field].between(leaf.min, leaf.max)] = True
        else:
            m = np.zeros(b.n_subjects, dtype=bool)
            m[b.subj_post[leaf.field].take(self.ix.codes[leaf.field].indices(leaf.iris))] = True
            if leaf.field == "condition":
                m |= ~b.has_condition & self._by_coll(self.coll_mask(leaf))
        self._cache[leaf.index] = m
        return m

    def subjects(self, node: Node) -> Bool:
        if node.leaf is not None:
            return self.subjects_of_leaf(node.leaf)
        if node.op == "not":
            return ~self.subjects(node.children[0])
        masks = [self.subjects(c) for c in node.children]
        out = masks[0].copy()
        for m in masks[1:]:
            if node.op == "and":
                out &= m
            else:
                out |= m
        return out

    def rows(self, leaf: Leaf) -> Ints:
        """The series rows a subject-grain criterion holds for (row numbers, maybe repeated)."""
        b = self.b
        if leaf.spec.kind == "numeric":
            return b.row_sorted[leaf.field].between(leaf.min, leaf.max)
        found = b.row_post[leaf.field].take(self.ix.codes[leaf.field].indices(leaf.iris))
        if leaf.field != "condition":
            return found
        colls = np.flatnonzero(self.coll_mask(leaf))
        fallback = b.coll_rows.gather(colls)
        fallback = fallback[~b.has_condition[b.row_subj[fallback]]]
        return np.concatenate([found, fallback])
