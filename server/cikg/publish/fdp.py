"""FAIR Data Point v1.2: the FDP's own record, then catalog -> dataset -> distribution records.

FDP records live under ``{base}/fdp`` with their own IRIs, because the FDP reference shapes and
DCAT-AP disagree on details of the same resource (a distribution's ``dcat:mediaType`` is a literal for
the FDP and an IANA IRI for DCAT-AP; FDP wants date-times and exactly one title and version). Each
record links the canonical resource (``rdfs:seeAlso``) and every record that leads to others carries
its LDP ``DirectContainer`` (navigation information, FDP spec 4.1). Records are typed ``dcat:Resource``
as in the reference implementation, so its shapes apply to them.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, unquote

import pyoxigraph as ox

from cikg import __version__
from cikg.namespaces import DCAT, DCTERMS, FOAF, PROV, RDFS, VCARD, XSD
from cikg.publish.concepts import ConceptIndex
from cikg.publish.context import PublishContext
from cikg.publish.dcat import DcatAp
from cikg.publish.graph import Document, GraphBuilder
from cikg.publish.model import Obj, Snapshot
from cikg.publish.terms import FDP_SPEC, FDPO, IANA_MEDIA_TYPES, LDP, PREFIXES, THEME_HEALTH

UI_LANGUAGE = "http://id.loc.gov/vocabulary/iso639-1/en"
DATETIME = XSD + "dateTime"
RESOURCE = DCAT + "Resource"


def fdp_iri(base: str) -> str:
    return f"{base.rstrip('/')}/fdp"


def fdp_catalog_iri(base: str) -> str:
    return f"{fdp_iri(base)}/catalog"


def fdp_dataset_iri(base: str, local_id: str) -> str:
    return f"{fdp_iri(base)}/dataset/{quote(local_id, safe='-._~')}"


def fdp_distribution_iri(base: str, local_id: str) -> str:
    return f"{fdp_iri(base)}/distribution/{quote(local_id, safe='-._~')}"


def local_id(iri: str) -> str:
    """The last path segment of a resource IRI, decoded (the id its FDP record uses)."""
    return unquote(iri.rstrip("/").rsplit("/", 1)[-1])


class Fdp:
    """FAIR Data Point records of a snapshot."""

    def __init__(self, snapshot: Snapshot, concepts: ConceptIndex, context: PublishContext) -> None:
        self.snap = snapshot
        self.ctx = context
        self.dcat = DcatAp(snapshot, concepts, context)
        self.base = context.base
        self.gaps = self.dcat.gaps

    # -- records ------------------------------------------------------------------------------------
    def fdp_document(self) -> Document:
        b = GraphBuilder()
        fdp, catalog = fdp_iri(self.base), fdp_catalog_iri(self.base)
        b.type(fdp, FDPO + "FAIRDataPoint", FDPO + "MetadataService", DCAT + "DataService", RESOURCE)
        b.text(fdp, DCTERMS + "title", f"FAIR Data Point of {self.ctx.title}")
        b.text(fdp, DCTERMS + "description", self.ctx.description)
        self._record(b, fdp, __version__, service_level=True)
        b.lit(fdp, DCTERMS + "hasVersion", __version__)
        b.lit(fdp, FDPO + "hasSoftwareVersion", f"cikg {__version__}")
        b.add(fdp, FDPO + "conformsToFdpSpec", FDP_SPEC)
        b.add(fdp, DCAT + "endpointURL", fdp)
        b.add(fdp, FDPO + "uiLanguage", UI_LANGUAGE)
        b.add(fdp, FDPO + "metadataCatalog", catalog)
        self._container(b, fdp, "#catalogs", "Catalogs", FDPO + "metadataCatalog", [catalog])
        return Document(b.triples(), fdp, f"FAIR Data Point of {self.ctx.title}", dict(PREFIXES), "fdp")

    def catalog_document(self) -> Document:
        b = GraphBuilder()
        fdp, catalog = fdp_iri(self.base), fdp_catalog_iri(self.base)
        b.type(catalog, DCAT + "Catalog", RESOURCE)
        b.text(catalog, DCTERMS + "title", self.ctx.title)
        b.text(catalog, DCTERMS + "description", self.ctx.description)
        modified = self.snap.modified
        self._record(
            b, catalog, modified.strftime("%Y.%m.%d") if modified else __version__, service_level=True
        )
        b.add(catalog, DCTERMS + "isPartOf", fdp)
        b.add(catalog, DCAT + "themeTaxonomy", THEME_HEALTH.rsplit("/", 1)[0])
        b.add(catalog, RDFS + "seeAlso", self.ctx.catalogue)
        for when, p in ((self.snap.issued, "issued"), (modified, "modified")):
            if when is not None:
                b.lit(catalog, DCTERMS + p, when.replace(microsecond=0), DATETIME)
        datasets = [fdp_dataset_iri(self.base, local_id(c.iri)) for c in self._collections() if c.iri]
        for d in datasets:
            b.add(catalog, DCAT + "dataset", d)
        self._container(b, catalog, "#datasets", "Datasets", DCAT + "dataset", datasets)
        return Document(b.triples(), catalog, self.ctx.title, dict(PREFIXES), "fdp")

    def dataset_document(self, coll: Obj) -> Document:
        assert coll.iri is not None
        b = GraphBuilder()
        record = fdp_dataset_iri(self.base, local_id(coll.iri))
        canonical = ox.NamedNode(coll.iri)
        replaced = {DCAT + "contactPoint"}  # an IRI here, see _contact
        skip = {
            PROV + "wasGeneratedBy",  # the harvest run is not part of the record
            DCTERMS + "issued",
            DCTERMS + "modified",
            DCAT + "distribution",
            DCAT + "landingPage",
            DCTERMS + "publisher",
            DCAT + "version",
        }
        # the stored description, re-subjected to the record (counts and codes travel with it)
        native = self.dcat.native(coll)
        dropped = {
            t.object
            for t in native
            if t.subject == canonical
            and t.predicate.value in skip | replaced
            and isinstance(t.object, ox.BlankNode)
        }
        for t in native:
            if t.subject == canonical:
                if t.predicate.value in skip | replaced:
                    continue
                b.extend([ox.Triple(ox.NamedNode(record), t.predicate, t.object)])
            elif t.subject not in dropped:
                b.extend([t])
        b.type(record, RESOURCE)
        self._record(b, record, self.dcat.record_version(coll))
        b.add(record, RDFS + "seeAlso", coll.iri)
        b.add(record, DCTERMS + "isPartOf", fdp_catalog_iri(self.base))
        for p in ("issued", "modified"):
            when = coll.get(p)
            if isinstance(when, dt.date):
                b.lit(record, DCTERMS + p, dt.datetime.combine(when, dt.time(), dt.UTC), DATETIME)
        b.add(record, DCAT + "theme", THEME_HEALTH)
        for condition in coll.all("primary_cancer_condition"):
            b.add(record, DCAT + "theme", condition)
        b.add(record, DCAT + "landingPage", coll.get("landing_page") or f"{coll.iri}?format=html")
        holder = self.snap.holders.get(coll.get("data_holder") or "")
        if holder is not None and holder.iri:
            self._agent(b, record, holder)
        self._contact(b, record, coll)
        dists = [fdp_distribution_iri(self.base, local_id(d)) for d in coll.all("distribution")]
        for d in dists:
            b.add(record, DCAT + "distribution", d)
        self._container(b, record, "#distributions", "Distributions", DCAT + "distribution", dists)
        return Document(b.triples(), record, str(coll.get("title")), dict(PREFIXES), "fdp")

    def distribution_document(self, dist: Obj) -> Document:
        assert dist.iri is not None
        b = GraphBuilder()
        record = fdp_distribution_iri(self.base, local_id(dist.iri))
        coll = self.snap.collection_of(dist.iri)
        b.type(record, DCAT + "Distribution", RESOURCE)
        title = dist.get("title") or (f"Access to {coll.get('title')}" if coll is not None else "Access")
        b.text(record, DCTERMS + "title", title)
        b.text(record, DCTERMS + "description", dist.get("description"))
        self._record(b, record, self.dcat.record_version(dist, coll))
        b.add(record, RDFS + "seeAlso", dist.iri)
        for slot, predicate in (("access_url", "accessURL"), ("download_url", "downloadURL")):
            if dist.get(slot):
                b.add(record, DCAT + predicate, dist.get(slot))
        if dist.get("license"):
            b.add(record, DCTERMS + "license", dist.get("license"))
        media = dist.get("media_type")
        if media:
            b.lit(record, DCAT + "mediaType", media.removeprefix(IANA_MEDIA_TYPES))
        else:
            self.dcat.gap(f"{dist.iri}: no media type (the FAIR Data Point distribution record needs one)")
        if coll is not None and coll.iri:
            b.add(record, DCTERMS + "isPartOf", fdp_dataset_iri(self.base, local_id(coll.iri)))
            holder = self.snap.holders.get(coll.get("data_holder") or "")
            if holder is not None:
                self._agent(b, record, holder)
        return Document(b.triples(), record, str(title), dict(PREFIXES), "fdp")

    # -- parts --------------------------------------------------------------------------------------
    def _collections(self) -> list[Obj]:
        return sorted(self.snap.collections.values(), key=lambda c: str(c.get("identifier") or c.iri))

    def _record(self, b: GraphBuilder, node: str, version: str, *, service_level: bool = False) -> None:
        """What every FDP metadata record carries: version, identifier and dates of the record.

        The FDP and its catalog also get the node's publisher, metadata licence and language; a dataset
        or distribution keeps its own publisher and licence (the node's metadata licence is not the
        data's).
        """
        if service_level:
            agent = self.ctx.publisher
            b.add(node, DCTERMS + "publisher", agent.iri)
            b.type(agent.iri, FOAF + "Agent")
            b.text(agent.iri, FOAF + "name", agent.name)
            b.add(node, DCTERMS + "license", self.ctx.license)
            if self.ctx.languages:
                b.add(node, DCTERMS + "language", self.ctx.languages[0])
            b.add(node, DCTERMS + "conformsTo", FDP_SPEC)
        b.lit(node, DCAT + "version", version)
        b.add(node, FDPO + "metadataIdentifier", f"{node}#identifier")
        issued, modified = self.snap.issued, self.snap.modified
        if issued is not None:
            b.lit(node, FDPO + "metadataIssued", issued.replace(microsecond=0), DATETIME)
        if modified is not None:
            b.lit(node, FDPO + "metadataModified", modified.replace(microsecond=0), DATETIME)

    def _agent(self, b: GraphBuilder, record: str, holder: Obj) -> None:
        assert holder.iri is not None
        b.add(record, DCTERMS + "publisher", holder.iri)
        b.type(holder.iri, FOAF + "Agent", FOAF + "Organization")
        b.lit(holder.iri, FOAF + "name", holder.get("name"))

    def _contact(self, b: GraphBuilder, record: str, coll: Obj) -> None:
        """One contact point, as an IRI (the reference shapes want an IRI here)."""
        contact = self.dcat.contact_of(coll)
        node = f"{record}#contact"
        email = contact.get("email") if contact is not None else None
        url = contact.get("url") if contact is not None else None
        fn = contact.get("fn") if contact is not None else None
        if not email and not url:
            email, url, fn = self.ctx.publisher.mailto, self.ctx.publisher.url, self.ctx.publisher.name
        b.add(record, DCAT + "contactPoint", node)
        b.type(node, VCARD + "Kind")
        b.lit(node, VCARD + "fn", fn or "Contact")
        if email:
            b.add(node, VCARD + "hasEmail", email)
        if url:
            b.add(node, VCARD + "hasURL", url)

    def _container(
        self, b: GraphBuilder, parent: str, fragment: str, title: str, relation: str, members: list[str]
    ) -> None:
        container = parent + fragment
        b.type(container, LDP + "DirectContainer")
        b.text(container, DCTERMS + "title", title)
        b.add(container, LDP + "membershipResource", parent)
        b.add(container, LDP + "hasMemberRelation", relation)
        for m in members:
            b.add(container, LDP + "contains", m)
