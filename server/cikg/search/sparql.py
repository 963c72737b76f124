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


def _iri_list(iris: frozenset[str]) -> str:
    return ", ".join(f"<{i}>" for i in sorted(iris))


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
    """SPARQL text for the criteria; ``n`` numbers fresh variables."""

    def __init__(self) -> None:
        self.p = predicates()
        self.n = 0

    def var(self) -> str:
        self.n += 1
        return f"?v{self.n}"

    def base(self) -> str:
        """The (?c, ?k) subject pairs: series with a subject key in a known collection."""
        p, s = self.p, self.p.series
        c = self.p.collection
        return (
            f"SELECT DISTINCT ?c ?k WHERE {{ ?s a <{p.series_class}> ; <{s['is_part_of']}> ?c ; "
            f"<{s['subject_key']}> ?k ; <{s['study_key']}> ?st0 . "
            f"?c a <{p.collection_class}> ; <{c['identifier']}> ?cid }}"
        )

    def collection_leaf(self, leaf: Leaf) -> str:
        p = self.p
        c = p.collection
        spec = leaf.spec
        v = self.var()
        if spec.kind == "text":
            t = _lit((leaf.text or "").lower())
            preds = ", ".join(f"<{c[s]}>" for s in ("title", "description", "keyword"))
            h = self.var()
            tp = f"?tp{self.n}"
            return (
                f"(EXISTS {{ ?c {tp} {v} FILTER({tp} IN ({preds}) && CONTAINS(LCASE(STR({v})), {t})) }}"
                f" || EXISTS {{ ?c <{c['data_holder']}> {h} . {h} <{p.holder_name}> {v}x "
                f"FILTER(CONTAINS(LCASE(STR({v}x)), {t})) }})"
            )
        if spec.kind == "numeric":
            slot = spec.collection_slots[0]
            if leaf.field == "age":
                lo, hi = self.var(), self.var()
                cond = []
                if leaf.max is not None:
                    cond.append(f"{lo} <= {float(leaf.max)!r}")
                if leaf.min is not None:
                    cond.append(f"{hi} >= {float(leaf.min)!r}")
                return (
                    f"EXISTS {{ ?c <{c['min_typical_age']}> {lo} ; <{c['max_typical_age']}> {hi} "
                    f"FILTER({' && '.join(cond) or 'true'}) }}"
                )
            return f"EXISTS {{ ?c <{c[slot]}> {v} FILTER({_range(v, leaf)}) }}"
        if not leaf.iris:
            return "false"
        vals = _iri_list(leaf.iris)
        alts = [f"EXISTS {{ ?c <{c[slot]}> {v} FILTER({v} IN ({vals})) }}" for slot in spec.collection_slots]
        if leaf.field == "country":
            h = self.var()
            alts.append(
                f"EXISTS {{ ?c <{c['data_holder']}> {h} . {h} <{p.holder_country}> {v} "
                f"FILTER({v} IN ({vals})) }}"
            )
        return "(" + " || ".join(alts) + ")"

    def subject_leaf(self, leaf: Leaf) -> str:
        """True for (?c, ?k) when one of the subject's series satisfies the criterion."""
        if leaf.spec.grain == "collection":
            return self.collection_leaf(leaf)
        s = self.p.series
        x, v = self.var(), self.var()
        head = (
            f"{x} <{s['is_part_of']}> ?c ; <{s['subject_key']}> ?k ; <{s[leaf.spec.series_slot or '']}> {v} ."
        )
        if leaf.spec.kind == "numeric":
            return f"EXISTS {{ {head} FILTER({_range(v, leaf)}) }}"
        if not leaf.iris and leaf.field != "condition":
            return "false"
        own = f"EXISTS {{ {head} FILTER({v} IN ({_iri_list(leaf.iris)})) }}" if leaf.iris else "false"
        if leaf.field != "condition":
            return own
        y, w = self.var(), self.var()
        none = (
            f"NOT EXISTS {{ {y} <{s['is_part_of']}> ?c ; <{s['subject_key']}> ?k ; <{s['condition']}> {w} }}"
        )
        return f"({own} || ({none} && {self.collection_leaf(leaf)}))"

    def row_leaf(self, leaf: Leaf, row: str) -> str:
        """True for the series ``row`` when it satisfies a subject-grain criterion."""
        s = self.p.series
        v = self.var()
        pred = s[leaf.spec.series_slot or ""]
        if leaf.spec.kind == "numeric":
            return f"EXISTS {{ {row} <{pred}> {v} FILTER({_range(v, leaf)}) }}"
        own = (
            f"EXISTS {{ {row} <{pred}> {v} FILTER({v} IN ({_iri_list(leaf.iris)})) }}"
            if leaf.iris
            else "false"
        )
        if leaf.field != "condition":
            return own
        y, w = self.var(), self.var()
        none = (
            f"NOT EXISTS {{ {y} <{s['is_part_of']}> ?c ; <{s['subject_key']}> ?k ; <{s['condition']}> {w} }}"
        )
        return f"({own} || ({none} && {self.collection_leaf(leaf)}))"

    def expr(self, node: Node) -> str:
        if node.leaf is not None:
            return self.subject_leaf(node.leaf)
        if node.op == "not":
            return f"!({self.expr(node.children[0])})"
        joiner = " && " if node.op == "and" else " || "
        return "(" + joiner.join(self.expr(c) for c in node.children) + ")"

    def matching(self, root: Node | None, extra: str | None = None) -> str:
        """A group graph pattern binding ?c ?k to the matching subjects."""
        conds = [self.expr(root)] if root is not None else []
        if extra:
            conds.append(extra)
        filt = f" FILTER({' && '.join(conds)})" if conds else ""
        return f"{{ {self.base()} }}{filt}"


def compile_queries(root: Node | None) -> dict[str, str]:
    """Every SPARQL query the reference engine runs for ``root`` (by name)."""
    cp = Compiler()
    s = cp.p.series
    out: dict[str, str] = {}
    out["subjects"] = f"SELECT ?c (COUNT(*) AS ?n) WHERE {{ {cp.matching(root)} }} GROUP BY ?c"
    positive = [lf for lf in root.positive_leaves() if lf.spec.grain == "subject"] if root else []
    rowf = f" FILTER({' || '.join(cp.row_leaf(lf, '?x') for lf in positive)})" if positive else ""
    out["rows"] = (
        f"SELECT ?c (COUNT(DISTINCT ?x) AS ?series) (COUNT(DISTINCT ?st) AS ?studies) WHERE {{ "
        f"{cp.matching(root)} ?x <{s['is_part_of']}> ?c ; <{s['subject_key']}> ?k ; "
        f"<{s['study_key']}> ?st .{rowf} }} GROUP BY ?c"
    )
    out["ages"] = (
        f"SELECT ?c (MIN(?a) AS ?lo) (MAX(?a) AS ?hi) WHERE {{ {cp.matching(root)} "
        f"?x <{s['is_part_of']}> ?c ; <{s['subject_key']}> ?k ; <{s['subject_age']}> ?a }} GROUP BY ?c"
    )
    for f in SUBJECT_FIELDS:
        spec = FIELDS[f]
        if spec.kind != "concept":
            continue
        out[f"facet:{f}"] = (
            f"SELECT ?c ?val (COUNT(DISTINCT ?k) AS ?n) WHERE {{ {cp.matching(root)} "
            f"?x <{s['is_part_of']}> ?c ; <{s['subject_key']}> ?k ; <{s[spec.series_slot or '']}> ?val }} "
            "GROUP BY ?c ?val"
        )
    for lf in root.positive_leaves() if root else ():
        out[f"matched:{lf.index}"] = (
            f"SELECT DISTINCT ?c WHERE {{ {cp.matching(root, cp.subject_leaf(lf))} }}"
        )
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
