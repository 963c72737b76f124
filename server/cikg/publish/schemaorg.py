"""schema.org ``Dataset`` for a collection page (JSON-LD embedded in the HTML, for dataset search).

Name, description, creator, licence, keywords, variables measured (the coded facets, each value a
``DefinedTerm`` with its hyperontology IRI), spatial and temporal coverage, the catalogue it is part
of and its distributions. Every node is typed, so the schema.org shapes apply to it.
"""

from __future__ import annotations

from typing import Any

from cikg.publish.concepts import ConceptIndex
from cikg.publish.context import PublishContext
from cikg.publish.dcat import CIKG_SCHEME
from cikg.publish.model import Obj, Snapshot

CONTEXT = "https://schema.org/"

VARIABLES = (
    (
        "primary_cancer_condition",
        "Cancer condition",
        "https://hyperontology.eucaim.cancerimage.eu/#hasCondition",
    ),
    ("image_modality", "Imaging modality", "https://hyperontology.eucaim.cancerimage.eu/#hasImageModality"),
    ("body_part", "Body part examined", "https://hyperontology.eucaim.cancerimage.eu/#hasImageBodyPart"),
    ("sex", "Sex", "https://hyperontology.eucaim.cancerimage.eu/#hasBirthSex"),
    (
        "manufacturer",
        "Equipment manufacturer",
        "https://hyperontology.eucaim.cancerimage.eu/#hasEquipmentManufacturer",
    ),
    ("acquisition_semantics", "Acquisition", "https://w3id.org/cikg/schema/acquisitionSemantics"),
)
"""(slot, variable name, property IRI) of the facets published as ``variableMeasured``."""


def dataset(snapshot: Snapshot, concepts: ConceptIndex, context: PublishContext, coll: Obj) -> dict[str, Any]:
    """The schema.org JSON-LD object for one collection."""
    assert coll.iri is not None
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Dataset",
        "@id": coll.iri,
        "name": coll.get("title"),
        "description": coll.get("description"),
        "identifier": coll.get("identifier"),
        "url": coll.get("landing_page") or coll.iri,
    }
    if coll.get("license"):
        doc["license"] = coll.get("license")
    if coll.get("version"):
        doc["version"] = coll.get("version")
    keywords = list(coll.all("keyword"))
    for slot in ("primary_cancer_condition", "image_modality", "body_part"):
        keywords += [concepts.label(i) for i in coll.all(slot) if concepts.label(i) not in keywords]
    if keywords:
        doc["keywords"] = keywords
    holder = snapshot.holders.get(coll.get("data_holder") or "")
    if holder is not None and holder.iri:
        creator: dict[str, Any] = {"@type": "Organization", "@id": holder.iri, "name": holder.get("name")}
        if holder.get("homepage"):
            creator["url"] = holder.get("homepage")
        doc["creator"] = creator
    variables = []
    for slot, name, prop in VARIABLES:
        values = coll.all(slot)
        if not values:
            continue
        variables.append(
            {
                "@type": "PropertyValue",
                "name": name,
                "propertyID": {"@id": prop},
                "description": ", ".join(concepts.label(v) for v in values),
                "valueReference": [_term(concepts, v) for v in values],
            }
        )
    counts = [
        ("number_of_subjects", "Number of subjects"),
        ("number_of_studies", "Number of imaging studies"),
        ("number_of_series", "Number of imaging series"),
    ]
    for slot, name in counts:
        if coll.get(slot) is not None:
            variables.append(
                {"@type": "PropertyValue", "name": name, "description": f"{name}: {coll.get(slot)}"}
            )
    if variables:
        doc["variableMeasured"] = variables
    modalities = coll.all("image_modality")
    if modalities:
        doc["measurementTechnique"] = [_term(concepts, m) for m in modalities]
    countries = coll.all("spatial_coverage")
    if countries:
        doc["spatialCoverage"] = [
            {"@type": "Place", "name": concepts.label(c), "sameAs": c} for c in countries
        ]
    period = coll.get("temporal_coverage")
    if isinstance(period, Obj) and (period.get("start_date") or period.get("end_date")):
        doc["temporalCoverage"] = f"{period.get('start_date') or '..'}/{period.get('end_date') or '..'}"
    doc["includedInDataCatalog"] = {"@type": "DataCatalog", "@id": context.catalogue, "name": context.title}
    distributions = []
    for iri in coll.all("distribution"):
        dist = snapshot.distributions.get(iri)
        if dist is None:
            continue
        entry: dict[str, Any] = {"@type": "DataDownload", "@id": iri, "name": dist.get("title") or "Access"}
        if dist.get("download_url") or dist.get("access_url"):
            entry["contentUrl"] = dist.get("download_url") or dist.get("access_url")
        if dist.get("media_type"):
            entry["encodingFormat"] = str(dist.get("media_type")).rsplit("media-types/", 1)[-1]
        distributions.append(entry)
    if distributions:
        doc["distribution"] = distributions
    access = str(coll.get("access_rights") or "")
    doc["isAccessibleForFree"] = access.endswith("/PUBLIC")
    return {k: v for k, v in doc.items() if v not in (None, [], "")}


def _term(concepts: ConceptIndex, iri: str) -> dict[str, Any]:
    term: dict[str, Any] = {"@type": "DefinedTerm", "@id": iri, "name": concepts.label(iri)}
    if iri.startswith(CIKG_SCHEME):
        term["inDefinedTermSet"] = CIKG_SCHEME
    return term
