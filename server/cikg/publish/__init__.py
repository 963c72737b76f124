"""Publishing: what other infrastructures harvest from a node.

DCAT-AP 3.0.1 (:mod:`.dcat`), HealthDCAT-AP Release 8 (:mod:`.healthdcat`), EUCAIM DCAT-AP v2.0
(:mod:`.eucaim`), FAIR Data Point v1.2 (:mod:`.fdp`) and schema.org (:mod:`.schemaorg`) views over the
stored model (:mod:`.model`), with the node-level facts from settings (:mod:`.context`).
:class:`Publisher` is what the facade holds: it reads the store once per change of its sources.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from cikg.publish import pages, schemaorg
from cikg.publish.concepts import Concept, ConceptFallback, ConceptIndex
from cikg.publish.context import PublishContext, PublishingNotConfigured
from cikg.publish.dcat import DcatAp
from cikg.publish.eucaim import EucaimDcatAp
from cikg.publish.fdp import Fdp
from cikg.publish.graph import Document
from cikg.publish.healthdcat import HealthDcatAp
from cikg.publish.model import Obj, Snapshot, read_snapshot
from cikg.publish.terms import PROFILES
from cikg.settings import Settings
from cikg.store import TripleStore

VIEWS: dict[str, type[DcatAp]] = {
    "dcat-ap": DcatAp,
    "healthdcat-ap": HealthDcatAp,
    "eucaim-dcat-ap": EucaimDcatAp,
}
KINDS = ("collection", "distribution", "holder")


class UnknownProfile(ValueError):
    """A profile name cikg does not publish."""


class UnknownResource(LookupError):
    """No resource of that kind and id in the store."""


@dataclass
class Publication:
    """A document and what the profile could not say (missing mandatory facts, unmapped codes)."""

    document: Document
    gaps: list[str] = field(default_factory=list)
    defaults: list[str] = field(default_factory=list)


class Publisher:
    """Profile views of one store, re-read when its sources change."""

    def __init__(
        self, store: TripleStore, settings: Settings, concepts: ConceptFallback | None = None
    ) -> None:
        self.store = store
        self._fallback = concepts
        self.context = PublishContext.from_settings(settings)
        self._lock = threading.Lock()
        self._key: tuple[tuple[str, str], ...] | None = None
        self._cached: tuple[Snapshot, ConceptIndex] | None = None
        self._catalogues: dict[tuple[object, str], Publication] = {}

    def current(self) -> tuple[Snapshot, ConceptIndex]:
        """The snapshot and its concepts (cached until a source is loaded, replaced or dropped)."""
        key = tuple(sorted((s.source, s.graph) for s in self.store.sources()))
        with self._lock:
            if self._cached is not None and key == self._key:
                return self._cached
        snapshot = read_snapshot(self.store, self.context.base)
        concepts = ConceptIndex.load(self.store, _coded_values(snapshot), self._fallback)
        with self._lock:
            self._key, self._cached = key, (snapshot, concepts)
        return snapshot, concepts

    def view(self, profile: str) -> DcatAp:
        if profile not in VIEWS:
            raise UnknownProfile(f"unknown profile {profile!r}; use one of {', '.join(PROFILES)}")
        snapshot, concepts = self.current()
        return VIEWS[profile](snapshot, concepts, self.context)

    def catalogue(self, profile: str = "dcat-ap") -> Publication:
        """The whole catalogue (kept until the store's sources change: harvesters ask often)."""
        view = self.view(profile)  # refreshes the snapshot (and the key) when sources changed
        key = (self._key, profile)
        with self._lock:
            cached = self._catalogues.get(key)
        if cached is not None:
            return cached
        pub = Publication(view.catalogue_document(), list(view.gaps), list(self.context.defaults))
        with self._lock:
            self._catalogues = {k: v for k, v in self._catalogues.items() if k[0] == self._key}
            self._catalogues[key] = pub
        return pub

    def resource(self, kind: str, local_id: str, profile: str = "dcat-ap") -> Publication:
        view = self.view(profile)
        obj = self.find(kind, local_id)
        documents = {
            "collection": view.collection_document,
            "distribution": view.distribution_document,
            "holder": view.holder_document,
        }
        doc = documents[kind](obj)
        return Publication(doc, list(view.gaps), list(self.context.defaults))

    def find(self, kind: str, local_id: str) -> Obj:
        if kind not in KINDS:
            raise UnknownResource(f"unknown resource kind {kind!r}; use one of {', '.join(KINDS)}")
        snapshot, _ = self.current()
        obj = snapshot.local(kind, local_id)
        if obj is None:
            raise UnknownResource(f"no {kind} {local_id!r} in this catalogue")
        return obj

    def fdp(self, kind: str = "fdp", local_id: str | None = None) -> Publication:
        """A FAIR Data Point record: ``fdp``, ``catalog``, ``dataset`` or ``distribution``."""
        snapshot, concepts = self.current()
        point = Fdp(snapshot, concepts, self.context)
        if kind == "fdp":
            doc = point.fdp_document()
        elif kind == "catalog":
            doc = point.catalog_document()
        elif kind == "dataset" and local_id is not None:
            doc = point.dataset_document(self.find("collection", local_id))
        elif kind == "distribution" and local_id is not None:
            doc = point.distribution_document(self.find("distribution", local_id))
        else:
            raise UnknownResource(f"no FAIR Data Point record {kind!r}")
        return Publication(doc, list(point.gaps), list(self.context.defaults))

    def schemaorg(self, local_id: str) -> dict[str, Any]:
        snapshot, concepts = self.current()
        return schemaorg.dataset(snapshot, concepts, self.context, self.find("collection", local_id))

    # -- what the HTML pages show -------------------------------------------------------------------
    def home_page(self) -> dict[str, Any]:
        snapshot, concepts = self.current()
        return pages.home(snapshot, concepts, self.context)

    def collection_page(self, local_id: str) -> dict[str, Any]:
        snapshot, concepts = self.current()
        coll = self.find("collection", local_id)
        jsonld = schemaorg.dataset(snapshot, concepts, self.context, coll)
        return pages.collection(snapshot, concepts, self.context, coll, jsonld)

    def listing(self, kind: str) -> list[pages.Link]:
        """Every resource of ``kind`` (for pages that point the way)."""
        snapshot, _ = self.current()
        table = {
            "collection": snapshot.collections,
            "distribution": snapshot.distributions,
            "holder": snapshot.holders,
        }
        label_slot = {"collection": "title", "distribution": "title", "holder": "name"}
        return sorted(
            (
                pages.Link(str(obj.get(label_slot[kind]) or iri), pages.local_href(iri, self.context.base))
                for iri, obj in table.get(kind, {}).items()
            ),
            key=lambda link: link.label,
        )

    def document_page(self, doc: Document) -> list[dict[str, Any]]:
        _, concepts = self.current()
        return pages.document_rows(doc, concepts, self.context.base)


def _coded_values(snapshot: Snapshot) -> set[str]:
    from cikg import rdfmap

    plan = rdfmap.plan()
    found: set[str] = set()
    for objs, cls in ((snapshot.collections, "Collection"), (snapshot.holders, "DataHolder")):
        slots = [s.name for s in plan[cls].slots.values() if s.kind == "enum"] + (
            ["annotation_label"] if cls == "Collection" else []
        )
        for obj in objs.values():
            for slot in slots:
                found.update(str(v) for v in obj.all(slot))
            for nested in obj.all("sex_count") + obj.all("condition_count"):
                if isinstance(nested, Obj) and nested.get("concept"):
                    found.add(str(nested.get("concept")))
    for dist in snapshot.distributions.values():
        found.update(str(v) for v in dist.all("access_condition"))
    return found


__all__ = [
    "KINDS",
    "PROFILES",
    "Concept",
    "Document",
    "Publication",
    "Publisher",
    "PublishingNotConfigured",
    "UnknownProfile",
    "UnknownResource",
]
