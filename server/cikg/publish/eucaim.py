"""EUCAIM DCAT-AP v2.0: the HealthDCAT-AP view with EUCAIM's coded values and requirements.

Coded values are published as EUCAIM hyperontology IRIs (through the ``skos:exactMatch`` mappings of
the cikg hyperontology); a concept with no EUCAIM code keeps its cikg IRI and is reported as a gap.
Distributions state their EUCAIM access condition (``dct:rights``). The harvest run is not published
as ``prov:wasGeneratedBy`` (EUCAIM wants a typed health activity there); its story is the
provenance statement. Mandatory EUCAIM fields the data lacks are listed in :attr:`gaps`.
"""

from __future__ import annotations

from cikg.namespaces import CIKG, DCAT, DCTERMS, EUCAIM, SKOS
from cikg.publish.concepts import ConceptIndex
from cikg.publish.context import PublishContext
from cikg.publish.graph import GraphBuilder
from cikg.publish.healthdcat import HealthDcatAp
from cikg.publish.model import Obj, Snapshot
from cikg.publish.terms import ACCESS_CONDITION_PREFIX

MANDATORY = {
    "interoperability_tier": "interoperability tier (eucaim:interoperabilityLevel)",
    "sex": "birth sex (eucaim:hasBirthSex)",
    "primary_cancer_condition": "cancer condition (eucaim:hasCondition)",
    "collection_method": "collection method (eucaim:collectionMethod)",
    "image_modality": "image modality (eucaim:hasImageModality)",
    "manufacturer": "equipment manufacturer (eucaim:hasEquipmentManufacturer)",
    "body_part": "body part (eucaim:hasImageBodyPart)",
}
"""EUCAIM DCAT-AP v2.0 mandatory dataset fields that only the data can supply."""

DOWNLOAD = ACCESS_CONDITION_PREFIX + "DOWNLOAD"


class EucaimDcatAp(HealthDcatAp):
    """The EUCAIM DCAT-AP v2.0 view."""

    profile = "eucaim-dcat-ap"
    include_harvest_runs = False

    def __init__(self, snapshot: Snapshot, concepts: ConceptIndex, context: PublishContext) -> None:
        super().__init__(snapshot, concepts, context)
        self.translated: dict[str, str] = {}
        """EUCAIM IRI -> the cikg concept it translates."""

    def coded(self, iri: str, predicate: str | None = None) -> str | None:
        if not iri.startswith(CIKG) or not (predicate or "").startswith((EUCAIM, DCTERMS + "type")):
            return iri
        code = self.concepts.get(iri).eucaim
        if code is None:
            self.gap(f"{iri}: no EUCAIM hyperontology code; published as the cikg concept")
            return iri
        self.translated[code] = iri
        return code

    def add_concept(self, b: GraphBuilder, iri: str) -> None:
        source = self.translated.get(iri)
        if source is None:
            super().add_concept(b, iri)
            return
        if ("concept", iri) in b.done_pairs:
            return
        b.done_pairs.add(("concept", iri))
        b.type(iri, SKOS + "Concept")
        b.text(iri, SKOS + "prefLabel", self.concepts.label(source))
        b.add(iri, SKOS + "exactMatch", source)
        scheme = self.scheme_of(iri)
        if scheme:
            b.add(iri, SKOS + "inScheme", scheme)
            self.add_scheme(b, scheme)

    def collection_extra(self, b: GraphBuilder, coll: Obj) -> None:
        super().collection_extra(b, coll)
        assert coll.iri is not None
        for slot, what in MANDATORY.items():
            if not coll.all(slot):
                self.gap(f"{coll.iri}: no {what}, which EUCAIM DCAT-AP v2.0 requires")
        if len(coll.all("primary_cancer_condition")) > 1:
            self.gap(f"{coll.iri}: several primary cancer conditions (EUCAIM expects exactly one)")
        if not b.objects(coll.iri, DCAT + "version"):
            b.lit(coll.iri, DCAT + "version", self.record_version(coll))

    def distribution_extra(self, b: GraphBuilder, dist: Obj, coll: Obj | None) -> None:
        super().distribution_extra(b, dist, coll)
        assert dist.iri is not None
        if b.objects(dist.iri, DCTERMS + "rights"):
            return
        if dist.get("download_url"):
            b.add(dist.iri, DCTERMS + "rights", DOWNLOAD)
            b.type(DOWNLOAD, DCTERMS + "RightsStatement")
            self.add_concept(b, DOWNLOAD)
        else:
            self.gap(f"{dist.iri}: no EUCAIM access condition (dct:rights) and no download URL")
