"""The query model compiled to SPARQL: the reference engine (and the fallback when no index is kept).

A subject is a pair (?c, ?k): a collection and a subject pseudonym key of one of its series. The
criterion tree becomes one FILTER expression over that pair (EXISTS per criterion, && / || / !), and
the counts, ages, facets and matched criteria are plain GROUP BY queries over the matching pairs.
It answers exactly what :class:`cikg.search.index.SearchIndex` answers (a randomised test checks it).
"""

from __future__ import annotations

import json
from typing import Any

from cikg.search.answer import SUBJECT_FIELDS, Answer, CollectionCounts, seriesless_matches
from cikg.search.collections import CollectionInfo, load_collections
from cikg.search.fields import FIELDS, predicates
from cikg.search.query import Holders, Leaf, Node


def _lit(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _range(var: str, leaf: Leaf) -> str:
    parts = []
    if leaf.min is not None:
        parts.append(f"{var} >= {float(leaf.min)!r}")
    if leaf.max is not None:
        parts.append(f"{var} <= {float(leaf.max)!r}")
    return " && ".join(parts) or "true"


class Compiler:
    """SPARQL text for the criteria, as set algebra over (?c, ?k) subject pairs: a criterion is a
    sub-select of the pairs satisfying it, AND a join, OR a UNION, NOT a MINUS from every pair (hash
    joins: no per-subject EXISTS). ``n`` numbers fresh variables."""

    def __init__(self) -> None:
        self.p = predicates()
        self.n = 0

    def var(self) -> str:
        self.n += 1
        return f"?v{self.n}"

    def series(self, x: str, c: str = "?c", k: str = "?k") -> str:
        """``x`` is a series (with a study key) of subject ``k`` in a known collection ``c``."""
        p, s, cp = self.p, self.p.series, self.p.collection
        return (
            f"{x} a <{p.series_class}> ; <{s['is_part_of']}> {c} ; <{s['subject_key']}> {k} ; "
            f"<{s['study_key']}> {self.var()} . "
            f"{c} a <{p.collection_class}> ; <{cp['identifier']}> {self.var()} ."
        )

    def base(self) -> str:
        """Every (?c, ?k) subject pair."""
        return f"SELECT DISTINCT ?c ?k WHERE {{ {self.series('?s')} }}"

    def pairs(self, pattern: str) -> str:
        return f"{{ SELECT DISTINCT ?c ?k WHERE {{ {pattern} }} }}"

    def collection_pattern(self, leaf: Leaf) -> str:
        """A pattern binding ?c to the collections whose own description satisfies ``leaf``."""
        p = self.p
        c = p.collection
        spec = leaf.spec
        v = self.var()
        if spec.kind == "text":
            t = _lit((leaf.text or "").lower())
            alts = [
                f"{{ ?c <{c[slot]}> {v}t{i} FILTER(CONTAINS(LCASE(STR({v}t{i})), {t})) }}"
                for i, slot in enumerate(("title", "description", "keyword"))
            ]
            h = self.var()
            alts.append(
                f"{{ ?c <{c['data_holder']}> {h} . {h} <{p.holder_name}> {v}h "
                f"FILTER(CONTAINS(LCASE(STR({v}h)), {t})) }}"
            )
            return " UNION ".join(alts)
        if spec.kind == "numeric":
            if leaf.field == "age":
                lo, hi = self.var(), self.var()
                cond = []
                if leaf.max is not None:
                    cond.append(f"{lo} <= {float(leaf.max)!r}")
                if leaf.min is not None:
                    cond.append(f"{hi} >= {float(leaf.min)!r}")
                return (
                    f"?c <{c['min_typical_age']}> {lo} ; <{c['max_typical_age']}> {hi} "
                    f"FILTER({' && '.join(cond) or 'true'})"
                )
            return f"?c <{c[spec.collection_slots[0]]}> {v} FILTER({_range(v, leaf)})"
        if not leaf.iris:
            return "FILTER(false)"
        vals = f"VALUES {v} {{ {' '.join(f'<{i}>' for i in sorted(leaf.iris))} }}"
        alts = [f"{{ ?c <{c[slot]}> {v} . {vals} }}" for slot in spec.collection_slots]
        if leaf.field == "country":
            h = self.var()
            alts.append(f"{{ ?c <{c['data_holder']}> {h} . {h} <{p.holder_country}> {v} . {vals} }}")
        return " UNION ".join(alts)

    def _without_conditions(self, leaf: Leaf) -> str:
        """Subjects none of whose series carries a condition, in a collection with the condition."""
        s = self.p.series
        y = self.var()
        return (
            f"{{ {self.base()} }} MINUS {{ {self.series(y)} {y} <{s['condition']}> {self.var()} }} "
            f"{{ SELECT DISTINCT ?c WHERE {{ {self.collection_pattern(leaf)} }} }}"
        )

    def leaf(self, leaf: Leaf) -> str:
        """A group binding (?c, ?k) to the subjects satisfying ``leaf`` (one of its series does)."""
        spec = leaf.spec
        if spec.grain == "collection":
            return self.pairs(
                f"{{ {self.base()} }} {{ SELECT DISTINCT ?c WHERE {{ {self.collection_pattern(leaf)} }} }}"
            )
        s = self.p.series
        x, v = self.var(), self.var()
        head = f"{self.series(x)} {x} <{s[spec.series_slot or '']}> {v} ."
        if spec.kind == "numeric":
            own = self.pairs(f"{head} FILTER({_range(v, leaf)})")
        elif leaf.iris:
            own = self.pairs(f"{head} VALUES {v} {{ {' '.join(f'<{i}>' for i in sorted(leaf.iris))} }}")
        else:
            own = self.pairs(f"{head} FILTER(false)")
        if leaf.field != "condition":
            return own
        return f"{{ {own} UNION {self.pairs(self._without_conditions(leaf))} }}"

    def row_leaf(self, leaf: Leaf) -> str:
        """A group binding ?x (with ?c ?k) to the series rows a subject-grain criterion holds for."""
        s = self.p.series
        v = self.var()
        pred = s[leaf.spec.series_slot or ""]
        if leaf.spec.kind == "numeric":
            return f"{{ ?x <{pred}> {v} FILTER({_range(v, leaf)}) }}"
        own = (
            f"{{ ?x <{pred}> {v} VALUES {v} {{ {' '.join(f'<{i}>' for i in sorted(leaf.iris))} }} }}"
            if leaf.iris
            else "{ FILTER(false) }"
        )
        if leaf.field != "condition":
            return own
        return f"{own} UNION {self.pairs(self._without_conditions(leaf))}"

    def subjects(self, node: Node) -> str:
        if node.leaf is not None:
            return self.leaf(node.leaf)
        if node.op == "not":
            return self.pairs(f"{{ {self.base()} }} MINUS {self.subjects(node.children[0])}")
        parts = [self.subjects(c) for c in node.children]
        if node.op == "and":
            return "{ " + " ".join(parts) + " }"
        return "{ " + " UNION ".join(parts) + " }"

    def matching(self, root: Node | None, extra: Leaf | None = None) -> str:
        """A group graph pattern binding ?c ?k (distinct) to the matching subjects."""
        inner = self.subjects(root) if root is not None else f"{{ {self.base()} }}"
        if extra is not None:
            inner += " " + self.leaf(extra)
        return self.pairs(inner)


def compile_queries(root: Node | None) -> dict[str, str]:
    """Every SPARQL query the reference engine runs for ``root`` (by name)."""
    cp = Compiler()
    s = cp.p.series
    out: dict[str, str] = {}
    out["subjects"] = f"SELECT ?c (COUNT(*) AS ?n) WHERE {{ {cp.matching(root)} }} GROUP BY ?c"
    positive = [lf for lf in root.positive_leaves() if lf.spec.grain == "subject"] if root else []
    rows = " UNION ".join(cp.row_leaf(lf) for lf in positive)
    out["rows"] = (
        f"SELECT ?c (COUNT(DISTINCT ?x) AS ?series) (COUNT(DISTINCT ?st) AS ?studies) WHERE {{ "
        f"{cp.matching(root)} ?x a <{cp.p.series_class}> ; <{s['is_part_of']}> ?c ; "
        f"<{s['subject_key']}> ?k ; <{s['study_key']}> ?st . {rows} }} GROUP BY ?c"
    )
    out["ages"] = (
        f"SELECT ?c (MIN(?a) AS ?lo) (MAX(?a) AS ?hi) WHERE {{ {cp.matching(root)} "
        f"{cp.series('?x')} ?x <{s['subject_age']}> ?a }} GROUP BY ?c"
    )
    for f in SUBJECT_FIELDS:
        spec = FIELDS[f]
        if spec.kind != "concept":
            continue
        out[f"facet:{f}"] = (
            f"SELECT ?c ?val (COUNT(DISTINCT ?k) AS ?n) WHERE {{ {cp.matching(root)} "
            f"{cp.series('?x')} ?x <{s[spec.series_slot or '']}> ?val }} GROUP BY ?c ?val"
        )
    for lf in root.positive_leaves() if root else ():
        out[f"matched:{lf.index}"] = f"SELECT DISTINCT ?c WHERE {{ {cp.matching(root, lf)} }}"
    return out


def answer_sparql(
    store: Any,
    root: Node | None,
    *,
    facets: bool = True,
    collections: tuple[dict[str, CollectionInfo], Holders] | None = None,
) -> Answer:
    """The reference answer: every figure from SPARQL over the store's current graphs."""
    infos, holders = collections if collections is not None else load_collections(store)
    queries = compile_queries(root)
    out = Answer()
    for row in store.query(queries["subjects"]).rows():
        out.collections[row["c"].value] = CollectionCounts(subjects=int(row["n"].value))
    for row in store.query(queries["rows"]).rows():
        cc = out.collections.get(row["c"].value)
        if cc is not None:
            cc.series, cc.studies = int(row["series"].value), int(row["studies"].value)
    for row in store.query(queries["ages"]).rows():
        cc = out.collections.get(row["c"].value)
        if cc is not None and row["lo"] is not None:
            cc.age_min, cc.age_max = round(float(row["lo"].value)), round(float(row["hi"].value))
    for name, q in queries.items():
        if name.startswith("matched:"):
            i = int(name.split(":", 1)[1])
            for row in store.query(q).rows():
                cc = out.collections.get(row["c"].value)
                if cc is not None:
                    cc.matched.add(i)
        elif name.startswith("facet:") and facets:
            f = name.split(":", 1)[1]
            out.facets[f] = {
                (row["c"].value, row["val"].value): int(row["n"].value) for row in store.query(q).rows()
            }
    with_series = {
        row["c"].value for row in store.query(f"SELECT DISTINCT ?c WHERE {{ {Compiler().base()} }}").rows()
    }
    out.seriesless = seriesless_matches(root, infos, with_series, holders)
    return out


def sparql_text(root: Node | None) -> str:
    """The compiled queries as one readable text (for ``explain``)."""
    return "\n\n".join(f"# {k}\n{v}" for k, v in compile_queries(root).items())


__all__ = ["Any", "answer_sparql", "compile_queries", "sparql_text"]
