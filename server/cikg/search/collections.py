"""Collection-level facts both engines and the response need, read from the graph in a few queries:
descriptions, data holders, declared counts and the collection-level values of every field."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from cikg.search.fields import FIELDS, predicates
from cikg.search.query import Holders


@dataclass
class CollectionInfo:
    iri: str
    identifier: str = ""
    title: str = ""
    description: str = ""
    holder: str | None = None
    holder_country: str | None = None
    keywords: list[str] = field(default_factory=list)
    subjects: int = 0
    studies: int = 0
    series: int = 0
    values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """field name -> collection-level graph values (IRIs) of concept fields."""
    numbers: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    """field name -> collection-level numbers (field strengths; age: [min, max])."""
    sex_counts: dict[str, int] = field(default_factory=dict)

    title_given: bool = False
    declares_subjects: bool = False
    declares_studies: bool = False

    def text_parts(self, holders: Holders) -> list[str]:
        """What free text searches: title, description, keywords and the data holder's name."""
        parts = [self.title] if self.title_given else []
        parts += [self.description] if self.description else []
        parts += self.keywords
        if self.holder and self.holder in holders.names:
            parts.append(holders.names[self.holder])
        return parts


def _int(term: Any) -> int:
    try:
        return int(float(term.value))
    except (TypeError, ValueError):
        return 0


def load_collections(store: Any) -> tuple[dict[str, CollectionInfo], Holders]:
    """Every collection (dcat:Dataset with an identifier) of the current graphs, and the data holders."""
    p = predicates()
    c = p.collection
    out: dict[str, CollectionInfo] = {}
    q = f"""SELECT ?c ?id ?title ?desc ?h ?ns ?nt ?nr ?amin ?amax WHERE {{
  ?c a <{p.collection_class}> ; <{c["identifier"]}> ?id .
  OPTIONAL {{ ?c <{c["title"]}> ?title }} OPTIONAL {{ ?c <{c["description"]}> ?desc }}
  OPTIONAL {{ ?c <{c["data_holder"]}> ?h }}
  OPTIONAL {{ ?c <{c["number_of_subjects"]}> ?ns }} OPTIONAL {{ ?c <{c["number_of_studies"]}> ?nt }}
  OPTIONAL {{ ?c <{c["number_of_series"]}> ?nr }}
  OPTIONAL {{ ?c <{c["min_typical_age"]}> ?amin }} OPTIONAL {{ ?c <{c["max_typical_age"]}> ?amax }} }}"""
    for row in store.query(q).rows():
        iri = row["c"].value
        if iri in out:
            continue
        info = CollectionInfo(iri, identifier=row["id"].value)
        info.title = row["title"].value if row["title"] is not None else info.identifier
        info.title_given = row["title"] is not None
        info.declares_subjects = row["ns"] is not None
        info.declares_studies = row["nt"] is not None
        info.description = row["desc"].value if row["desc"] is not None else ""
        info.holder = row["h"].value if row["h"] is not None else None
        info.subjects = _int(row["ns"]) if row["ns"] is not None else 0
        info.studies = _int(row["nt"]) if row["nt"] is not None else 0
        info.series = _int(row["nr"]) if row["nr"] is not None else 0
        if row["amin"] is not None and row["amax"] is not None:
            info.numbers["age"] = [float(_int(row["amin"])), float(_int(row["amax"]))]
        out[iri] = info
    for name, spec in FIELDS.items():
        if spec.kind != "concept" and name != "field_strength":
            continue
        for slot in spec.collection_slots:
            pred = c[slot]
            for row in store.query(f"SELECT DISTINCT ?c ?v WHERE {{ ?c <{pred}> ?v }}").rows():
                found = out.get(row["c"].value)
                if found is None:
                    continue
                if spec.kind == "concept":
                    found.values[name].add(row["v"].value)
                else:
                    try:
                        found.numbers[name].append(float(row["v"].value))
                    except ValueError:
                        continue
    for row in store.query(f"SELECT DISTINCT ?c ?k WHERE {{ ?c <{c['keyword']}> ?k }}").rows():
        if row["c"].value in out:
            out[row["c"].value].keywords.append(row["k"].value)
    sc = f"""SELECT ?c ?v ?n WHERE {{ ?c <{c["sex_count"]}> ?x . ?x <{p.concept}> ?v ; <{p.count}> ?n }}"""
    for row in store.query(sc).rows():
        if row["c"].value in out:
            out[row["c"].value].sex_counts[row["v"].value] = _int(row["n"])
    holders: dict[str, tuple[str, str]] = {}
    names: dict[str, str] = {}
    hq = f"""SELECT ?h ?id ?name ?country WHERE {{ ?c <{c["data_holder"]}> ?h .
  OPTIONAL {{ ?h <{p.holder_identifier}> ?id }} OPTIONAL {{ ?h <{p.holder_name}> ?name }}
  OPTIONAL {{ ?h <{p.holder_country}> ?country }} }}"""
    for row in store.query(hq).rows():
        h = row["h"].value
        ident = row["id"].value if row["id"] is not None else h.rstrip("/").rsplit("/", 1)[-1]
        name = row["name"].value if row["name"] is not None else ident
        holders.setdefault(h, (ident, name))
        if row["name"] is not None:
            names.setdefault(h, row["name"].value)
        if row["country"] is not None:
            for info in out.values():
                if info.holder == h:
                    info.values["country"].add(row["country"].value)
                    info.holder_country = row["country"].value
    return out, Holders(holders, names)
