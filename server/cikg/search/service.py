"""The search as the Catalogue uses it: parse a request (native or EUCAIM AST), resolve it against the
vocabulary, answer it from the columnar index (or the SPARQL reference engine), and shape the response
(docs/search.md, /work/wt/SEARCH_CONTRACT.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cikg.search.answer import Answer
from cikg.search.collections import CollectionInfo, load_collections
from cikg.search.eucaim import ast_to_criterion, eucaim_response
from cikg.search.fields import FACETS, FIELDS
from cikg.search.index import SearchIndex
from cikg.search.query import Holders, Node, SearchError, VocabularyLike, display, parse, resolve
from cikg.search.sparql import answer_sparql, sparql_text

SORT_KEYS = ("subjects_count", "studies_count", "series_count", "title", "id")
SEX_KEYS = {"female": "female", "male": "male", "other_sex": "other", "unknown_sex": "unknown"}
LIST_FIELDS = {
    "modalities": "modality",
    "body_parts": "body_part",
    "manufacturers": "manufacturer",
}


@dataclass
class Request:
    root: Node | None
    facets: bool = True
    explain: bool = False
    sort: tuple[str, bool] = ("subjects_count", True)
    page: int = 1
    page_size: int = 50
    engine: str = "index"
    eucaim_id: str | None = None
    eucaim: bool = False


def parse_request(body: Any) -> Request:
    """A native query body, or a EUCAIM Explorer ``{"ast": ..., "id": ...}`` body."""
    if not isinstance(body, Mapping):
        raise SearchError("the search body must be a JSON object")
    if "ast" in body:
        crit = ast_to_criterion(body["ast"])
        qid = body.get("id")
        return Request(
            parse(crit) if crit else None,
            facets=False,
            page_size=0,
            eucaim_id=str(qid) if qid is not None else None,
            eucaim=True,
            engine=str(body.get("engine", "index")),
        )
    known = {"query", "facets", "explain", "sort", "page", "page_size", "engine"}
    extra = sorted(set(body) - known)
    if extra:
        raise SearchError(f"unknown key(s) {extra} in the search body; use {sorted(known)}")
    root = parse(body["query"]) if body.get("query") else None
    sort = str(body.get("sort") or "subjects_count:desc")
    key, _, direction = sort.partition(":")
    if key not in SORT_KEYS or direction not in ("", "asc", "desc"):
        raise SearchError(f"sort {sort!r}: use KEY[:asc|desc] with KEY one of {', '.join(SORT_KEYS)}")
    desc = direction == "desc" or (direction == "" and key.endswith("_count"))
    page, size = body.get("page", 1), body.get("page_size", 50)
    if not isinstance(page, int) or isinstance(page, bool) or page < 1:
        raise SearchError("page must be an integer >= 1")
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= 1000:
        raise SearchError("page_size must be an integer between 0 and 1000 (0: every collection)")
    engine = str(body.get("engine", "index"))
    if engine not in ("index", "sparql"):
        raise SearchError("engine must be 'index' or 'sparql'")
    return Request(
        root,
        facets=bool(body.get("facets", True)),
        explain=bool(body.get("explain", False)),
        sort=(key, desc),
        page=page,
        page_size=size,
        engine=engine,
    )


class Searcher:
    """Owns the columnar index over a store; answers search requests."""

    def __init__(
        self,
        store: Any,
        vocabulary: Callable[[], VocabularyLike],
        *,
        use_index: bool = True,
        cache_dir: Path | None = None,
    ) -> None:
        self._store = store
        self._vocab = vocabulary
        self.index = SearchIndex(store, cache_dir) if use_index else None

    def warm(self) -> None:
        if self.index is not None:
            self.index.refresh()

    def _collections(self) -> tuple[dict[str, CollectionInfo], Holders]:
        if self.index is not None:
            b = self.index.refresh()
            return b.infos, b.holders
        return load_collections(self._store)

    def resolve(self, req: Request) -> tuple[dict[str, CollectionInfo], Holders]:
        infos, holders = self._collections()
        if req.root is not None:
            resolve(req.root, self._vocab(), holders)
        return infos, holders

    def answer(self, req: Request) -> tuple[Answer, dict[str, CollectionInfo], Holders]:
        infos, holders = self.resolve(req)
        if req.engine == "sparql" or self.index is None:
            ans = answer_sparql(self._store, req.root, facets=True, collections=(infos, holders))
        else:
            ans = self.index.answer(req.root)
        return ans, infos, holders

    def search(self, body: Any) -> dict[str, Any]:
        req = parse_request(body)
        ans, infos, holders = self.answer(req)
        native = build_response(req, ans, infos, holders, self._labeller())
        if req.eucaim:
            return eucaim_response(native, req.eucaim_id)
        return native

    def collection_summary(self, collection_id: str) -> dict[str, Any] | None:
        infos, holders = self._collections()
        for iri, info in infos.items():
            if collection_id in (info.identifier, iri):
                req = Request(None, facets=True)
                ans = self.index.answer(None) if self.index is not None else answer_sparql(self._store, None)
                sub = Answer(
                    collections={k: v for k, v in ans.collections.items() if k == iri},
                    facets={f: {k: n for k, n in v.items() if k[0] == iri} for f, v in ans.facets.items()},
                    seriesless={k: v for k, v in ans.seriesless.items() if k == iri},
                )
                out = build_response(req, sub, infos, holders, self._labeller())
                coll = out["collections"][0]
                coll["facets"] = out["facets"]
                return dict(coll)
        return None

    def _labeller(self) -> Labeller:
        vocab: Any = self._vocab()  # once per request: the property checks the store

        def label(field: str, iri: str, holders: Holders) -> tuple[str, str]:
            ident = display(iri, holders)
            if field == "data_holder":
                return ident, holders.by_iri.get(iri, (ident, ident))[1]
            if FIELDS[field].enum_slot is not None:
                return ident, ident
            concept = vocab.get(ident)
            return ident, concept.label() if concept is not None else ident

        return label


Labeller = Callable[[str, str, Holders], tuple[str, str]]


def build_response(
    req: Request, ans: Answer, infos: dict[str, CollectionInfo], holders: Holders, label: Labeller
) -> dict[str, Any]:
    root = req.root
    subject_grain = root is not None and any(lf.spec.grain == "subject" for lf in root.leaves())
    leaves = {lf.index: lf for lf in root.leaves()} if root is not None else {}
    rows: list[dict[str, Any]] = []
    subjects_of: dict[str, int] = {}
    facet_counts: dict[str, Counter[str]] = {f: Counter() for f in FACETS}
    facet_colls: dict[str, Counter[str]] = {f: Counter() for f in FACETS}
    by_coll: dict[str, dict[str, dict[str, int]]] = {}
    for f, counts in ans.facets.items():
        for (c, v), n in counts.items():
            by_coll.setdefault(c, {}).setdefault(f, {})[v] = n
    for iri in [*ans.collections, *ans.seriesless]:
        info = infos.get(iri)
        if info is None:
            continue
        per_value: dict[str, dict[str, int]] = {}
        if iri in ans.collections:
            cc = ans.collections[iri]
            subjects, studies, series = cc.subjects, cc.studies, cc.series
            age = {"min": cc.age_min, "max": cc.age_max}
            matched = cc.matched
            per_value = by_coll.get(iri, {})
            if not subject_grain:
                subjects = info.subjects if info.declares_subjects else subjects
                studies = info.studies if info.declares_studies else studies
                series = info.series or series
        else:
            subjects, studies, series = info.subjects, info.studies, info.series
            ages = info.numbers.get("age", [])
            age = {"min": int(ages[0]), "max": int(ages[1])} if len(ages) == 2 else {"min": None, "max": None}
            matched = ans.seriesless[iri]
            for f in ("modality", "body_part", "manufacturer", "acquisition", "condition"):
                per_value[f] = {v: subjects for v in info.values.get(f, ())}
            per_value["sex"] = dict(info.sex_counts) or {v: subjects for v in info.values.get("sex", ())}
        subjects_of[iri] = subjects
        sex = {"female": 0, "male": 0, "other": 0, "unknown": 0}
        for v, n in per_value.get("sex", {}).items():
            key = SEX_KEYS.get(display(v), "unknown")
            sex[key] += n
        sex["unknown"] += max(0, subjects - sum(sex.values()))
        for f in FACETS:
            values = per_value.get(f, {}) if FIELDS[f].grain == "subject" else {}
            if not values and (f == "condition" or FIELDS[f].grain == "collection"):
                # collection-grain values (and conditions the series do not carry) count every subject
                values = {v: subjects for v in info.values.get(f, ())}
            for v, n in values.items():
                facet_counts[f][v] += n
                facet_colls[f][v] += 1
        holder = info.holder
        row: dict[str, Any] = {
            "id": info.identifier,
            "iri": iri,
            "title": info.title,
            "description": info.description,
            "data_holder": {
                "id": holders.by_iri[holder][0] if holder in holders.by_iri else (holder or ""),
                "name": holders.by_iri[holder][1] if holder in holders.by_iri else "",
                "country": display(info.holder_country) if info.holder_country else None,
            },
            "subjects_count": subjects,
            "studies_count": studies,
            "series_count": series,
            "age_range": age,
            "sex": sex,
        }
        for key, f in LIST_FIELDS.items():
            row[key] = sorted(display(v) for v, n in per_value.get(f, {}).items() if n) or sorted(
                display(v) for v in info.values.get(f, ())
            )
        row["conditions"] = sorted(display(v) for v in info.values.get("condition", ()))
        row["matched"] = [leaves[i].describe() for i in sorted(matched) if i in leaves]
        rows.append(row)
    key, desc = req.sort
    if key in ("title", "id"):
        rows.sort(key=lambda r: (str(r[key]).lower(), r["id"]), reverse=desc)
    else:
        rows.sort(key=lambda r: (r[key], r["id"]) if not desc else (-r[key], r["id"]))
    total = {
        "collections": len(rows),
        "subjects_count": sum(r["subjects_count"] for r in rows),
        "studies_count": sum(r["studies_count"] for r in rows),
    }
    page_rows = rows
    if req.page_size:
        start = (req.page - 1) * req.page_size
        page_rows = rows[start : start + req.page_size]
    out: dict[str, Any] = {
        "total": total,
        "collections": page_rows,
        "page": req.page,
        "page_size": req.page_size,
    }
    if req.facets:
        facets: dict[str, list[dict[str, Any]]] = {}
        for f in FACETS:
            items: list[dict[str, Any]] = []
            for v, n in facet_counts[f].items():
                ident, lab = label(f, v, holders)
                items.append({"id": ident, "label": lab, "count": n, "collections": facet_colls[f][v]})
            items.sort(key=lambda x: (-int(x["count"]), str(x["id"])))
            facets[f] = items
        out["facets"] = facets
    if req.explain:
        out["explain"] = explain(req)
    return out


def explain(req: Request) -> dict[str, Any]:
    root = req.root
    criteria = []
    for lf in root.leaves() if root is not None else ():
        item: dict[str, Any] = {"index": lf.index, "field": lf.field, "grain": lf.spec.grain}
        if lf.spec.kind == "concept":
            item["descendants"] = lf.descendants
            item["expanded"] = {v: ids for v, ids in lf.concepts.items()}
        elif lf.spec.kind == "numeric":
            item["min"], item["max"] = lf.min, lf.max
        else:
            item["text"] = lf.text
        item["description"] = lf.describe()
        criteria.append(item)
    return {"engine": req.engine, "criteria": criteria, "sparql": sparql_text(root)}
