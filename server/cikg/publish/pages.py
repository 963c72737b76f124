"""What the HTML pages show: plain data for the templates (labels resolved, links made local).

The web layer renders these with Jinja2; nothing here knows about HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from cikg.namespaces import CIKG, converter
from cikg.publish.concepts import ConceptIndex
from cikg.publish.context import PublishContext
from cikg.publish.graph import Document
from cikg.publish.model import Obj, Snapshot
from cikg.publish.terms import PREFIXES

FACETS = (
    ("primary_cancer_condition", "Cancer conditions"),
    ("image_modality", "Imaging modalities"),
    ("body_part", "Body parts"),
    ("sex", "Sex"),
    ("manufacturer", "Equipment manufacturers"),
    ("acquisition_semantics", "Acquisition"),
    ("collection_method", "Collection method"),
    ("interoperability_tier", "Interoperability tier"),
    ("dataset_type", "Dataset type"),
    ("annotation_method", "Annotation method"),
    ("health_category", "Health category (EHDS Art. 51)"),
    ("spatial_coverage", "Countries"),
)
COUNTS = (
    ("number_of_subjects", "Subjects"),
    ("number_of_studies", "Imaging studies"),
    ("number_of_series", "Series"),
    ("number_of_instances", "Instances"),
    ("number_of_segmentations", "Segmented studies"),
)


@dataclass
class Link:
    label: str
    href: str | None = None
    title: str | None = None


@dataclass
class Row:
    label: str
    values: list[Link] = field(default_factory=list)


def local_href(iri: str, base: str) -> str:
    """A link the node can answer itself: its own IRIs as paths, concepts at ``/ontology/{id}``."""
    if iri.startswith(base + "/"):
        return iri[len(base) :]
    if iri.startswith(CIKG):
        return "/ontology/" + iri[len(CIKG) :]
    return iri


def concept_link(concepts: ConceptIndex, iri: str, base: str) -> Link:
    return Link(concepts.label(iri), local_href(iri, base), iri)


def _access_label(concepts: ConceptIndex, coll: Obj) -> str:
    access = coll.get("access_rights")
    return concepts.label(access) if access else "not stated"


def home(snapshot: Snapshot, concepts: ConceptIndex, ctx: PublishContext) -> dict[str, Any]:
    """The node's home page: the catalogue and a table of its collections."""
    rows = []
    for coll in sorted(snapshot.collections.values(), key=lambda c: str(c.get("title") or c.iri)):
        holder = snapshot.holders.get(coll.get("data_holder") or "")
        rows.append(
            {
                "title": coll.get("title") or coll.get("identifier"),
                "href": local_href(coll.iri or "", ctx.base),
                "holder": Link(str(holder.get("name")), local_href(holder.iri or "", ctx.base))
                if holder is not None
                else None,
                "access": _access_label(concepts, coll),
                "subjects": coll.get("number_of_subjects"),
                "studies": coll.get("number_of_studies"),
                "conditions": [
                    concept_link(concepts, c, ctx.base) for c in coll.all("primary_cancer_condition")
                ],
                "modalities": [concept_link(concepts, m, ctx.base) for m in coll.all("image_modality")],
            }
        )
    subjects = sum(int(c.get("number_of_subjects") or 0) for c in snapshot.collections.values())
    studies = sum(int(c.get("number_of_studies") or 0) for c in snapshot.collections.values())
    return {
        "title": ctx.title,
        "description": ctx.description,
        "publisher": ctx.publisher.name,
        "collections": rows,
        "holders": len(snapshot.holders),
        "subjects": subjects,
        "studies": studies,
        "modified": snapshot.modified,
    }


def collection(
    snapshot: Snapshot, concepts: ConceptIndex, ctx: PublishContext, coll: Obj, jsonld: dict[str, Any]
) -> dict[str, Any]:
    """A collection page: facts, coded facets, distributions, and its schema.org JSON-LD."""
    holder = snapshot.holders.get(coll.get("data_holder") or "")
    facets = []
    for slot, label in FACETS:
        values = coll.all(slot)
        if values:
            facets.append(Row(label, [concept_link(concepts, v, ctx.base) for v in values]))
    counts = [(label, coll.get(slot)) for slot, label in COUNTS if coll.get(slot) is not None]
    low, high = coll.get("min_typical_age"), coll.get("max_typical_age")
    if low is not None and high is not None:
        counts.append(("Typical age (years)", f"{low}–{high}"))
    period = coll.get("temporal_coverage")
    if isinstance(period, Obj):
        counts.append(("Acquired", f"{period.get('start_date') or '?'} to {period.get('end_date') or '?'}"))
    distributions = []
    for iri in coll.all("distribution"):
        dist = snapshot.distributions.get(iri)
        if dist is None:
            continue
        distributions.append(
            {
                "title": dist.get("title") or "Access",
                "href": local_href(iri, ctx.base),
                "access_url": dist.get("access_url"),
                "download_url": dist.get("download_url"),
                "media_type": str(dist.get("media_type") or "").rsplit("media-types/", 1)[-1] or None,
                "conditions": [concepts.label(c) for c in dist.all("access_condition")],
            }
        )
    return {
        "title": coll.get("title") or coll.get("identifier"),
        "iri": coll.iri,
        "identifier": coll.get("identifier"),
        "description": coll.get("description"),
        "version": coll.get("version"),
        "keywords": coll.all("keyword"),
        "license": coll.get("license"),
        "landing_page": coll.get("landing_page"),
        "access": _access_label(concepts, coll),
        "holder": Link(str(holder.get("name")), local_href(holder.iri or "", ctx.base)) if holder else None,
        "counts": counts,
        "facets": facets,
        "distributions": distributions,
        "jsonld": json.dumps(jsonld, ensure_ascii=False, indent=1).replace("</", "<\\/"),
    }


def document_rows(doc: Document, concepts: ConceptIndex, base: str) -> list[dict[str, Any]]:
    """A generic page for any document: one table per subject, predicates as CURIEs."""
    conv = converter()
    own = dict(PREFIXES)

    def curie(iri: str) -> str:
        for prefix, ns in sorted(own.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns) :]}"
        return conv.compress(iri) or iri

    def show(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Link:
        if isinstance(term, ox.Literal):
            return Link(term.value)
        if isinstance(term, ox.BlankNode):
            return Link(f"_:{term.value[:8]}", f"#b{term.value}")
        if term.value.startswith(CIKG) or concepts.get(term.value).labels:
            return Link(concepts.label(term.value), local_href(term.value, base), term.value)
        return Link(curie(term.value), local_href(term.value, base), term.value)

    subjects: dict[str, dict[str, Any]] = {}
    for t in _ordered(doc):
        s = t.subject
        key = s.value if isinstance(s, ox.NamedNode | ox.BlankNode) else str(s)
        entry = subjects.setdefault(
            key,
            {
                "id": key,
                "anchor": f"b{key}" if isinstance(s, ox.BlankNode) else None,
                "label": key if isinstance(s, ox.NamedNode) else f"_:{key[:8]}",
                "href": local_href(key, base) if isinstance(s, ox.NamedNode) else None,
                "rows": {},
            },
        )
        entry["rows"].setdefault(curie(t.predicate.value), []).append(show(t.object))  # type: ignore[arg-type]
    return [
        {**e, "rows": sorted(e["rows"].items(), key=lambda kv: (kv[0] != "rdf:type", kv[0]))}
        for e in subjects.values()
    ]


def _ordered(doc: Document) -> Iterable[ox.Triple]:
    return sorted(doc.triples, key=doc.order)
