"""DCAT-AP 3.0.1: the catalogue, its collections, distributions and data holders as a DCAT-AP view.

The view is the stored model description (so nothing the model says is lost: counts, coded values,
age bins, provenance) plus what DCAT-AP needs on top: the catalogue record, typed references
(agents, concepts, licences, media types ... so ``sh:class`` constraints hold), the health theme,
the countries as ``dct:spatial``, and the SPARQL endpoint as a data service. The HealthDCAT-AP and
EUCAIM profiles (:mod:`.healthdcat`, :mod:`.eucaim`) extend this class through its hooks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from cikg import rdfmap
from cikg.namespaces import CIKG, DCAT, DCTERMS, EUCAIM, FOAF, HEALTHDCATAP, PROV, RDFS, SKOS, VCARD, XSD
from cikg.publish.concepts import ConceptIndex
from cikg.publish.context import Agent, PublishContext
from cikg.publish.graph import Document, GraphBuilder, Subject
from cikg.publish.model import Obj, Snapshot
from cikg.publish.terms import (
    DATA_THEME,
    IANA_MEDIA_TYPES,
    PREFIXES,
    SCHEMES,
    SPARQL_11_PROTOCOL,
    THEME_HEALTH,
)

CIKG_SCHEME = "https://w3id.org/cikg/ontology"
CIKG_SCHEME_TITLE = "cikg cancer imaging hyperontology"
ELI_LEGAL_RESOURCE = "http://data.europa.eu/eli/ontology#LegalResource"

# DCAT-AP ranges of the references the model makes (so class constraints hold on them)
DATASET_REF_CLASSES = {
    DCTERMS + "license": DCTERMS + "LicenseDocument",
    DCTERMS + "accessRights": DCTERMS + "RightsStatement",
    DCAT + "landingPage": FOAF + "Document",
}
DISTRIBUTION_REF_CLASSES = {
    DCTERMS + "license": DCTERMS + "LicenseDocument",
    DCAT + "mediaType": DCTERMS + "MediaType",
    DCTERMS + "format": DCTERMS + "MediaTypeOrExtent",
    DCTERMS + "rights": DCTERMS + "RightsStatement",
}


NON_NEGATIVE = {
    HEALTHDCATAP + "numberOfRecords",
    HEALTHDCATAP + "numberOfUniqueIndividuals",
    HEALTHDCATAP + "minTypicalAge",
    HEALTHDCATAP + "maxTypicalAge",
    EUCAIM + "nbrOfSegmentations",
}
"""Properties HealthDCAT-AP and EUCAIM DCAT-AP type ``xsd:nonNegativeInteger``."""
_NON_NEGATIVE = ox.NamedNode(XSD + "nonNegativeInteger")


def _plan_predicates(cls: str, kinds: tuple[str, ...]) -> dict[str, str]:
    plan = rdfmap.plan()[cls]
    return {s.predicate.value: s.name for s in plan.slots.values() if s.kind in kinds}


class DcatAp:
    """The DCAT-AP 3.0.1 view of a snapshot of the store."""

    profile = "dcat-ap"

    def __init__(self, snapshot: Snapshot, concepts: ConceptIndex, context: PublishContext) -> None:
        self.snap = snapshot
        self.concepts = concepts
        self.ctx = context
        self.mapper = rdfmap.RdfMapper()
        self.coded_predicates = _plan_predicates("Collection", ("enum",)) | {
            rdfmap.plan()["Collection"].slots["annotation_label"].predicate.value: "annotation_label"
        }
        self.gaps: list[str] = []
        """Requirements of the profile the data cannot meet (reported, never papered over)."""

    def gap(self, message: str) -> None:
        if message not in self.gaps:
            self.gaps.append(message)

    # -- documents ------------------------------------------------------------------------------------
    def catalogue_document(self) -> Document:
        b = GraphBuilder()
        self.add_catalogue(b)
        for coll in self._collections():
            self.add_collection(b, coll, in_catalogue=True)
        return self._document(b, self.ctx.catalogue, self.ctx.title)

    def collection_document(self, coll: Obj) -> Document:
        b = GraphBuilder()
        self.add_collection(b, coll, in_catalogue=False)
        assert coll.iri is not None
        return self._document(b, coll.iri, str(coll.get("title") or coll.iri))

    def distribution_document(self, dist: Obj) -> Document:
        b = GraphBuilder()
        coll = self.snap.collection_of(dist.iri or "")
        self.add_distribution(b, dist, coll)
        if coll is not None and coll.iri is not None:
            b.add(coll.iri, DCAT + "distribution", dist.iri or "")
        assert dist.iri is not None
        return self._document(b, dist.iri, str(dist.get("title") or dist.iri))

    def holder_document(self, holder: Obj) -> Document:
        b = GraphBuilder()
        self.add_holder(b, holder)
        assert holder.iri is not None
        for coll in self.snap.collections_of(holder.iri):
            if coll.iri:  # the link only: the collections are described at their own IRIs
                b.add(coll.iri, DCTERMS + "publisher", holder.iri)
                b.text(coll.iri, DCTERMS + "title", coll.get("title"), language=None)
        return self._document(b, holder.iri, str(holder.get("name") or holder.iri))

    def _document(self, b: GraphBuilder, subject: str, title: str) -> Document:
        return Document(b.triples(), subject, title, dict(PREFIXES), self.profile)

    def _collections(self) -> list[Obj]:
        return sorted(self.snap.collections.values(), key=lambda c: str(c.get("identifier") or c.iri))

    # -- the catalogue ------------------------------------------------------------------------------
    def add_catalogue(self, b: GraphBuilder) -> None:
        cat = self.ctx.catalogue
        stored = self.snap.catalogue
        b.type(cat, DCAT + "Catalog")
        b.text(cat, DCTERMS + "title", (stored.get("title") if stored else None) or self.ctx.title)
        b.text(
            cat,
            DCTERMS + "description",
            (stored.get("description") if stored else None) or self.ctx.description,
        )
        self.add_agent(b, self.ctx.publisher, catalogue_publisher=True)
        b.add(cat, DCTERMS + "publisher", self.ctx.publisher.iri)
        self.add_typed(b, cat, DCTERMS + "license", self.ctx.license, DCTERMS + "LicenseDocument")
        for lang in self.ctx.languages:
            self.add_typed(b, cat, DCTERMS + "language", lang, DCTERMS + "LinguisticSystem")
            self.add_concept(b, lang)
        self.add_typed(b, cat, FOAF + "homepage", self.ctx.base + "/", FOAF + "Document")
        b.add(cat, DCAT + "themeTaxonomy", DATA_THEME)
        self.add_scheme(b, DATA_THEME)
        issued, modified = self.snap.issued, self.snap.modified
        if issued is not None:
            b.lit(cat, DCTERMS + "issued", issued.replace(microsecond=0), XSD + "dateTime")
        if modified is not None:
            b.lit(cat, DCTERMS + "modified", modified.replace(microsecond=0), XSD + "dateTime")
        countries = sorted({h.get("country") for h in self.snap.holders.values() if h.get("country")})
        for country in countries:
            self.add_typed(b, cat, DCTERMS + "spatial", country, DCTERMS + "Location")
            self.add_concept(b, country)
        for coll in self._collections():
            if coll.iri:
                b.add(cat, DCAT + "dataset", coll.iri)
        self.add_sparql_service(b)
        self.catalogue_extra(b)

    def add_sparql_service(self, b: GraphBuilder) -> None:
        cat, svc = self.ctx.catalogue, self.ctx.base + "/sparql"
        b.type(svc, DCAT + "DataService")
        b.text(svc, DCTERMS + "title", "SPARQL 1.1 endpoint of the catalogue's knowledge graph")
        self.add_typed(b, svc, DCAT + "endpointURL", svc, RDFS + "Resource")
        self.add_typed(b, svc, DCAT + "endpointDescription", svc, RDFS + "Resource")
        self.add_typed(b, svc, DCTERMS + "conformsTo", SPARQL_11_PROTOCOL, DCTERMS + "Standard")
        for coll in self._collections():
            if coll.iri:
                b.add(svc, DCAT + "servesDataset", coll.iri)
        b.add(cat, DCAT + "service", svc)

    # -- collections --------------------------------------------------------------------------------
    def add_collection(self, b: GraphBuilder, coll: Obj, *, in_catalogue: bool) -> None:
        assert coll.iri is not None
        node = coll.iri
        for t in self.native(coll):
            obj = t.object
            if t.subject == ox.NamedNode(node) and t.predicate.value in self.coded_predicates:
                translated = self.coded(obj.value, t.predicate.value)  # type: ignore[union-attr]
                if translated is None:
                    continue
                obj = ox.NamedNode(translated)
                self.add_concept(b, translated)
            b.extend([ox.Triple(t.subject, t.predicate, obj)])
        for predicate, cls in DATASET_REF_CLASSES.items():
            for value in b.iris(node, predicate):
                b.type(value, cls)
        access = coll.get("access_rights")
        if access:
            self.add_concept(b, access)
        b.add(node, DCAT + "theme", THEME_HEALTH)
        self.add_concept(b, THEME_HEALTH)
        for country in coll.all("spatial_coverage"):
            self.add_typed(b, node, DCTERMS + "spatial", country, DCTERMS + "Location")
            self.add_concept(b, country)
        holder_iri = coll.get("data_holder")
        holder = self.snap.holders.get(holder_iri) if holder_iri else None
        if holder is not None:
            self.add_holder(b, holder)
        elif holder_iri:
            self.gap(f"{node}: data holder {holder_iri} is not described in the store")
            b.type(holder_iri, FOAF + "Agent")
        for dist_iri in coll.all("distribution"):
            dist = self.snap.distributions.get(dist_iri)
            if dist is not None:
                self.add_distribution(b, dist, coll)
            else:
                self.gap(f"{node}: distribution {dist_iri} is not described in the store")
        run_iri = coll.get("was_generated_by")
        run = self.snap.runs.get(run_iri) if run_iri else None
        if run is not None and self.include_harvest_runs:
            b.extend(self.native(run))
        elif run_iri:
            b.remove_predicates(node, [PROV + "wasGeneratedBy"])
        if in_catalogue:
            b.add(self.ctx.catalogue, DCAT + "dataset", node)
        self.collection_extra(b, coll)

    include_harvest_runs = True

    # -- distributions, agents, concepts ------------------------------------------------------------
    def add_distribution(self, b: GraphBuilder, dist: Obj, coll: Obj | None) -> None:
        assert dist.iri is not None
        b.extend(self.native(dist))
        for predicate, cls in DISTRIBUTION_REF_CLASSES.items():
            for value in b.iris(dist.iri, predicate):
                b.type(value, cls)
                if predicate in (DCTERMS + "rights", DCTERMS + "format") and self.scheme_of(value):
                    self.add_concept(b, value)
        self.distribution_extra(b, dist, coll)

    def add_holder(self, b: GraphBuilder, holder: Obj) -> None:
        assert holder.iri is not None
        b.extend(self.native(holder))
        b.type(holder.iri, FOAF + "Agent")
        homepage = holder.get("homepage")
        if homepage:
            b.type(homepage, FOAF + "Document")
        country = holder.get("country")
        if country:
            b.type(country, DCTERMS + "Location")
            self.add_concept(b, country)
        self.holder_extra(b, holder)

    def add_agent(self, b: GraphBuilder, agent: Agent, *, catalogue_publisher: bool = False) -> None:
        b.type(agent.iri, FOAF + "Agent")
        b.text(agent.iri, FOAF + "name", agent.name)
        if agent.url:
            self.add_typed(b, agent.iri, FOAF + "homepage", agent.url, FOAF + "Document")
        if agent.mailto:
            b.add(agent.iri, FOAF + "mbox", agent.mailto)

    def add_typed(self, b: GraphBuilder, s: Subject | str, p: str, value: str, cls: str) -> None:
        b.add(s, p, value)
        b.type(value, cls)

    def add_concept(self, b: GraphBuilder, iri: str) -> None:
        """Type a referenced concept (``skos:Concept`` with label and scheme) so class constraints hold."""
        if ("concept", iri) in b.done_pairs:
            return
        b.done_pairs.add(("concept", iri))
        concept = self.concepts.get(iri)
        b.type(iri, SKOS + "Concept")
        b.text(iri, SKOS + "prefLabel", concept.label)
        scheme = self.scheme_of(iri)
        if scheme:
            b.add(iri, SKOS + "inScheme", scheme)
            self.add_scheme(b, scheme)
        if iri.startswith(CIKG):
            for match in concept.exact:
                b.add(iri, SKOS + "exactMatch", match)

    def scheme_of(self, iri: str) -> str | None:
        if iri.startswith(CIKG):
            return CIKG_SCHEME
        for prefix, (scheme, _) in SCHEMES.items():
            if iri.startswith(prefix):
                return scheme
        return None

    def add_scheme(self, b: GraphBuilder, scheme: str) -> None:
        if ("scheme", scheme) in b.done_pairs:
            return
        b.done_pairs.add(("scheme", scheme))
        title = CIKG_SCHEME_TITLE if scheme == CIKG_SCHEME else None
        title = title or next((label for s, label in SCHEMES.values() if s == scheme), scheme)
        b.type(scheme, SKOS + "ConceptScheme")
        b.text(scheme, DCTERMS + "title", title)
        b.text(scheme, SKOS + "prefLabel", title)

    # -- the stored model, as triples ---------------------------------------------------------------
    def native(self, obj: Obj) -> list[ox.Triple]:
        """The triples the model writes for ``obj`` (cikg.rdfmap), typed as the profiles require.

        Counts the profiles define as ``xsd:nonNegativeInteger`` are written so whatever datatype the
        store keeps (Oxigraph normalises integer subtypes to ``xsd:integer``).
        """
        out = []
        for t in self.mapper.triples(_as_dict(obj), obj.cls):
            if _is_empty_literal(t):
                continue
            if t.predicate.value in NON_NEGATIVE and isinstance(t.object, ox.Literal):
                t = ox.Triple(t.subject, t.predicate, ox.Literal(t.object.value, datatype=_NON_NEGATIVE))
            out.append(t)
        return out

    # -- hooks for the profiles built on this one ---------------------------------------------------
    def coded(self, iri: str, predicate: str | None = None) -> str | None:
        """The IRI a coded value is published as (DCAT-AP: the hyperontology concept itself)."""
        return iri

    def collection_extra(self, b: GraphBuilder, coll: Obj) -> None:
        """Profile additions to a collection."""

    def distribution_extra(self, b: GraphBuilder, dist: Obj, coll: Obj | None) -> None:
        """Profile additions to a distribution."""
        media = dist.get("media_type")
        if media and not media.startswith(IANA_MEDIA_TYPES):
            self.gap(f"{dist.iri}: media type {media} is not an IANA media type IRI")

    def holder_extra(self, b: GraphBuilder, holder: Obj) -> None:
        """Profile additions to a data holder."""

    def catalogue_extra(self, b: GraphBuilder) -> None:
        """Profile additions to the catalogue record."""

    # -- shared derivations (each documented in docs/publishing.md) ---------------------------------
    def record_version(self, obj: Obj, coll: Obj | None = None) -> str:
        """``dcat:version``: the stored version, else the date its source was loaded (calendar version)."""
        version = obj.get("version") or (coll.get("version") if coll is not None else None)
        if version:
            return str(version)
        loaded = self.snap.loaded_at(coll or obj) or self.snap.modified
        return loaded.strftime("%Y.%m.%d") if loaded else "unversioned"

    def contact_of(self, coll: Obj) -> Obj | None:
        """A collection's contact: its own, else its data holder's."""
        own = coll.get("contact_point")
        if isinstance(own, Obj):
            return own
        holder = self.snap.holders.get(coll.get("data_holder") or "")
        found = holder.get("contact_point") if holder is not None else None
        return found if isinstance(found, Obj) else None

    def provenance_statement(self, coll: Obj) -> str:
        """How cikg got this collection, from its harvest run (or its source) when none is stored."""
        run = self.snap.runs.get(coll.get("was_generated_by") or "")
        if run is not None:
            agent = run.get("harvester")
            name = agent.get("name") if isinstance(agent, Obj) else None
            version = agent.get("software_version") if isinstance(agent, Obj) else None
            kind = str(run.get("source_kind") or "").rsplit("/", 1)[-1] or "source"
            ended = run.get("ended_at")
            when = f" on {ended.date().isoformat()}" if isinstance(ended, dt.datetime) else ""
            harvester = f"{name} {version}".strip() if name else "the cikg harvester"
            return (
                f"Aggregated metadata harvested by {harvester} from a {kind} source{when}; counts are "
                "computed over keyed pseudonyms, no record-level data is published."
            )
        source = self.snap.source_of(coll)
        loaded = f" on {source.loaded_at.date().isoformat()}" if source and source.loaded_at else ""
        return (
            f"Metadata loaded into the cikg node at {self.ctx.base}{loaded} as RDF following the cikg model."
        )

    def derived_keywords(self, coll: Obj) -> list[str]:
        """Keywords from the labels of the collection's conditions, modalities and body parts."""
        words: list[str] = []
        for slot in ("primary_cancer_condition", "image_modality", "body_part"):
            for iri in coll.all(slot):
                label = self.concepts.label(iri)
                if label not in words:
                    words.append(label)
        return words


def _as_dict(obj: Obj) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if obj.iri is not None:
        data["id"] = obj.iri
    for name, value in obj.data.items():
        if isinstance(value, list):
            data[name] = [_as_dict(v) if isinstance(v, Obj) else v for v in value]
        else:
            data[name] = _as_dict(value) if isinstance(value, Obj) else value
    return data


def _is_empty_literal(t: ox.Triple) -> bool:
    return isinstance(t.object, ox.Literal) and not t.object.value.strip()


def vcard_contact(
    b: GraphBuilder, subject: str, contact: Obj | Mapping[str, Any] | None, fallback: Agent
) -> None:
    """Attach a ``dcat:contactPoint`` (vCard Kind): the stored contact, else the fallback agent's."""
    node = ox.BlankNode()
    get = contact.get if contact is not None else (lambda _k, _d=None: None)
    fn = get("fn") or fallback.name
    email = get("email")
    url = get("url")
    if not email and not url:
        email, url = fallback.mailto, fallback.url
    b.add(subject, DCAT + "contactPoint", node)
    b.type(node, VCARD + "Kind")
    b.lit(node, VCARD + "fn", fn)
    if email:
        b.add(node, VCARD + "hasEmail", email)
    elif url:
        b.add(node, VCARD + "hasURL", url)


__all__ = ["CIKG_SCHEME", "ELI_LEGAL_RESOURCE", "RDFS", "DcatAp", "vcard_contact"]
