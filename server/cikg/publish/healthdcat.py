"""HealthDCAT-AP Release 8: the DCAT-AP view plus what the health profile requires, per access level.

Each collection conforms to the shape set of its own access level (``dct:accessRights`` PUBLIC,
RESTRICTED or NON_PUBLIC); the NON_PUBLIC set also requires contact point, keywords, type and
provenance, which every collection gets here so a collection does not change shape when its access
level does. Where the model is silent, the derivations of :class:`~cikg.publish.dcat.DcatAp` apply
(docs/publishing.md lists them).
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from cikg.namespaces import CIKG, DCAT, DCTERMS, FOAF, RDFS
from cikg.publish.context import Agent
from cikg.publish.dcat import ELI_LEGAL_RESOURCE, DcatAp, vcard_contact
from cikg.publish.graph import GraphBuilder
from cikg.publish.model import Obj
from cikg.publish.terms import CV, DCATAP, GEODCATAP, HEALTH_CATEGORIES, THEME_CANCER

HEALTHDCATAP = "http://healthdataportal.eu/ns/health#"

CATEGORY_BY_METHOD = {
    CIKG + "clinical_trial": "EHCT",
    CIKG + "observational_study": "RQSH",
    CIKG + "clinical_routine": "EHRS",
}
"""Health category derived from the collection method when the collection states none."""
DEFAULT_CATEGORY = "EHRS"
"""Medical images and their reports are electronic health record data (EHDS Art. 51(1)(a))."""

IMAGE_DATA = CIKG + "image_data"
NOT_CANCER = {CIKG + "no_cancer", CIKG + "phantom"}
CODE_SYSTEMS = {
    "http://snomed.info/id/": "SNOMED CT",
    "http://purl.obolibrary.org/obo/NCIT_": "NCIt",
    "https://icd.who.int/browse10/2019/en#/": "ICD-10",
    "https://w3id.org/cikg/icdo3/": "ICD-O-3",
}
"""Code systems whose codes of a collection's conditions are listed as ``healthdcatap:hasCodeValues``."""


class HealthDcatAp(DcatAp):
    """The HealthDCAT-AP Release 8 view."""

    profile = "healthdcat-ap"

    def catalogue_document(self) -> Any:
        self.ctx.require_hdab(self.profile)
        return super().catalogue_document()

    def collection_document(self, coll: Obj) -> Any:
        self.ctx.require_hdab(self.profile)
        return super().collection_document(coll)

    # -- hooks --------------------------------------------------------------------------------------
    def catalogue_extra(self, b: GraphBuilder) -> None:
        self.add_legislation(b, self.ctx.catalogue)
        self.add_contact_agent(b, self.ctx.publisher)

    def collection_extra(self, b: GraphBuilder, coll: Obj) -> None:
        assert coll.iri is not None
        node = coll.iri
        self.add_legislation(b, node)
        hdab = self.ctx.require_hdab(self.profile)
        self.add_agent(b, hdab)
        self.add_contact_agent(b, hdab)
        b.add(node, HEALTHDCATAP + "hdab", hdab.iri)
        holder = coll.get("data_holder")
        if holder:  # the data holder publishes the collection and is its custodian
            b.add(node, GEODCATAP + "custodian", holder)
        for category in self.health_categories(coll):
            b.add(node, HEALTHDCATAP + "healthCategory", category)
            self.add_concept(b, category)
        b.lit(node, HEALTHDCATAP + "hasStructuredData", False)
        if any(c not in NOT_CANCER for c in coll.all("primary_cancer_condition")):
            b.add(node, HEALTHDCATAP + "healthTheme", THEME_CANCER)
            self.add_concept(b, THEME_CANCER)
        b.text(node, HEALTHDCATAP + "populationCoverage", self.population_coverage(coll))
        for code in self.code_values(coll):
            b.lit(node, HEALTHDCATAP + "hasCodeValues", code)
        if not b.objects(node, DCAT + "landingPage"):
            page = f"{node}?format=html"
            b.add(node, DCAT + "landingPage", page)
            b.type(page, FOAF + "Document")
        self.add_required_descriptions(b, coll)

    def add_required_descriptions(self, b: GraphBuilder, coll: Obj) -> None:
        """Contact point, keywords, type and provenance: required for NON_PUBLIC, given to all."""
        assert coll.iri is not None
        node = coll.iri
        if not b.objects(node, DCAT + "contactPoint"):
            vcard_contact(b, node, self.contact_of(coll), self.ctx.publisher)
        if not b.objects(node, DCAT + "keyword"):
            for word in self.derived_keywords(coll):
                b.text(node, DCAT + "keyword", word)
        if not b.objects(node, DCTERMS + "type") and (coll.get("number_of_studies") or 0) > 0:
            image_data = self.coded(IMAGE_DATA, DCTERMS + "type") or IMAGE_DATA
            b.add(node, DCTERMS + "type", image_data)
            self.add_concept(b, image_data)
        if not b.objects(node, DCTERMS + "provenance"):
            statement = ox.BlankNode()
            b.add(node, DCTERMS + "provenance", statement)
            b.type(statement, DCTERMS + "ProvenanceStatement")
            b.text(statement, RDFS + "label", self.provenance_statement(coll))
        for type_value in b.iris(node, DCTERMS + "type"):
            self.add_concept(b, type_value)

    def distribution_extra(self, b: GraphBuilder, dist: Obj, coll: Obj | None) -> None:
        super().distribution_extra(b, dist, coll)
        assert dist.iri is not None
        self.add_legislation(b, dist.iri)

    def holder_extra(self, b: GraphBuilder, holder: Obj) -> None:
        """A publisher / custodian needs exactly one ``cv:contactPoint``: its own, else the node's."""
        assert holder.iri is not None
        if b.objects(holder.iri, CV + "contactPoint"):
            return
        contact = holder.get("contact_point")
        email = contact.get("email") if isinstance(contact, Obj) else None
        url = contact.get("url") if isinstance(contact, Obj) else None
        if not email and not url:
            email, url = self.ctx.publisher.email, self.ctx.publisher.url
        self.add_cv_contact(b, holder.iri, email, url)
        description = b.objects(holder.iri, DCTERMS + "description")
        if len(description) > 1:  # at most one publisher note
            b.remove_predicates(holder.iri, [DCTERMS + "description"])
            b.add(holder.iri, DCTERMS + "description", description[0])

    # -- building blocks ----------------------------------------------------------------------------
    def add_legislation(self, b: GraphBuilder, node: str) -> None:
        for eli in self.ctx.legislation:
            b.add(node, DCATAP + "applicableLegislation", eli)
            b.type(eli, ELI_LEGAL_RESOURCE)

    def add_contact_agent(self, b: GraphBuilder, agent: Agent) -> None:
        if not b.objects(agent.iri, CV + "contactPoint"):
            self.add_cv_contact(b, agent.iri, agent.email, agent.url)

    def add_cv_contact(self, b: GraphBuilder, agent: str, email: str | None, url: str | None) -> None:
        node = ox.BlankNode()
        b.add(agent, CV + "contactPoint", node)
        b.type(node, CV + "ContactPoint")
        if email:
            b.lit(node, CV + "email", email.removeprefix("mailto:"))
        if url:
            b.add(node, CV + "contactPage", url)
            b.type(url, FOAF + "Document")

    def population_coverage(self, coll: Obj) -> str:
        """The population in words, from the collection's own counts and codes."""
        parts = [f"{coll.get('number_of_subjects')} subjects"]
        sexes = [self.concepts.label(s) for s in coll.all("sex")]
        if sexes:
            parts.append(" and ".join(sexes))
        low, high = coll.get("min_typical_age"), coll.get("max_typical_age")
        if low is not None and high is not None:
            parts.append(f"typically aged {low} to {high} years")
        conditions = [self.concepts.label(c) for c in coll.all("primary_cancer_condition")]
        text = ", ".join(parts)
        if conditions:
            text += " with " + ", ".join(conditions)
        period = coll.get("temporal_coverage")
        if isinstance(period, Obj) and (period.get("start_date") or period.get("end_date")):
            text += f", imaged {period.get('start_date') or '?'} to {period.get('end_date') or '?'}"
        countries = [self.concepts.label(c) for c in coll.all("spatial_coverage")]
        if countries:
            text += " in " + ", ".join(countries)
        return text + "."

    def code_values(self, coll: Obj) -> list[str]:
        """The collection's conditions as codes of common systems (from the hyperontology mappings)."""
        out: list[str] = []
        for iri in coll.all("primary_cancer_condition"):
            concept = self.concepts.get(iri)
            for match in sorted(concept.exact):
                for prefix, system in CODE_SYSTEMS.items():
                    if match.startswith(prefix):
                        out.append(f"{system} {match[len(prefix) :]} ({concept.label})")
        return out

    def health_categories(self, coll: Obj) -> list[str]:
        """The stored categories, else one per collection method, else EHRS (docs/publishing.md)."""
        stored = coll.all("health_category")
        if stored:
            return stored
        derived = sorted(
            {CATEGORY_BY_METHOD[m] for m in coll.all("collection_method") if m in CATEGORY_BY_METHOD}
        )
        return [f"{HEALTH_CATEGORIES}/{code}" for code in (derived or [DEFAULT_CATEGORY])]
