"""A realistic, synthetic catalogue built through the real model and loaded into a real store.

Three data holders (one with an e-mail contact, one with a contact page, one with none), five
collections covering every access level (PUBLIC, RESTRICTED, NON_PUBLIC), distributions with and
without download URLs, harvest runs, and a small slice of the hyperontology (labels and EUCAIM exact
matches as the ontology build writes them). Every name and number is invented; no patient data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from cikg.catalogue import Catalogue, source_iri
from cikg.namespaces import collection_iri, distribution_iri, holder_iri
from cikg.rdfmap import to_triples
from cikg.store import RdfData

ONTOLOGY_TTL = """
@prefix CIKG: <https://w3id.org/cikg/ontology/> .
@prefix EUCAIM: <https://hyperontology.eucaim.cancerimage.eu/#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
CIKG:prostate_cancer a owl:Class ; skos:prefLabel "prostate cancer"@en, "cáncer de próstata"@es ;
  skos:exactMatch EUCAIM:CLIN1000075, <http://snomed.info/id/399068003> .
CIKG:lung_cancer a owl:Class ; skos:prefLabel "lung cancer"@en ;
  skos:exactMatch EUCAIM:CLIN1000065, <http://snomed.info/id/363358000> .
CIKG:breast_cancer a owl:Class ; skos:prefLabel "breast cancer"@en ; skos:exactMatch EUCAIM:CLIN1000060 .
CIKG:colorectal_cancer a owl:Class ; skos:prefLabel "colorectal cancer"@en ;
  skos:exactMatch EUCAIM:CLIN1000054 .
CIKG:modality_mr a owl:Class ; skos:prefLabel "magnetic resonance"@en ; skos:notation "MR" .
CIKG:modality_ct a owl:Class ; skos:prefLabel "computed tomography"@en ; skos:notation "CT" .
CIKG:modality_mg a owl:Class ; skos:prefLabel "mammography"@en ; skos:notation "MG" .
CIKG:modality_seg a owl:Class ; skos:prefLabel "segmentation"@en ; skos:notation "SEG" .
CIKG:bp_prostate a owl:Class ; skos:prefLabel "prostate"@en .
CIKG:bp_chest a owl:Class ; skos:prefLabel "chest"@en .
CIKG:bp_breast a owl:Class ; skos:prefLabel "breast"@en .
CIKG:bp_abdomen a owl:Class ; skos:prefLabel "abdomen"@en .
CIKG:female a owl:Class ; skos:prefLabel "female"@en .
CIKG:male a owl:Class ; skos:prefLabel "male"@en .
CIKG:siemens a owl:Class ; skos:prefLabel "Siemens Healthineers"@en .
CIKG:philips a owl:Class ; skos:prefLabel "Philips"@en .
CIKG:ge_healthcare a owl:Class ; skos:prefLabel "GE HealthCare"@en .
CIKG:image_data a owl:Class ; skos:prefLabel "image data"@en .
CIKG:segmentation_data a owl:Class ; skos:prefLabel "segmentation data"@en .
CIKG:clinical_data a owl:Class ; skos:prefLabel "clinical data"@en .
CIKG:clinical_routine a owl:Class ; skos:prefLabel "clinical routine"@en .
CIKG:clinical_trial a owl:Class ; skos:prefLabel "clinical trial"@en .
CIKG:observational_study a owl:Class ; skos:prefLabel "observational study"@en .
CIKG:tier_1 a owl:Class ; skos:prefLabel "interoperability tier 1"@en .
CIKG:tier_2 a owl:Class ; skos:prefLabel "interoperability tier 2"@en .
CIKG:manual_annotation a owl:Class ; skos:prefLabel "manual annotation"@en .
"""

HOLDERS: dict[str, dict[str, Any]] = {
    "la-fe": {
        "identifier": "la-fe",
        "name": "Hospital Universitari i Politècnic La Fe (synthetic)",
        "acronym": "HULAFE",
        "description": "Imaging biobank of a tertiary hospital (synthetic record for tests).",
        "country": "ES",
        "juridical_person": "Fundación para la Investigación del Hospital La Fe (synthetic)",
        "homepage": "https://example.org/la-fe",
        "contact_point": {"fn": "Imaging biobank office", "email": "mailto:biobank@example.org"},
    },
    "charite": {
        "identifier": "charite",
        "name": "Charité imaging research (synthetic)",
        "country": "DE",
        "juridical_person": "Charité – Universitätsmedizin Berlin (synthetic)",
        "contact_point": {"fn": "Data access desk", "url": "https://example.org/charite/contact"},
    },
    "forth": {
        "identifier": "forth",
        "name": "FORTH medical imaging biobank (synthetic)",
        "country": "GR",
        "juridical_person": "Foundation for Research and Technology – Hellas (synthetic)",
    },
}


def _collections(base: str) -> list[dict[str, Any]]:
    return [
        {
            "identifier": "prostate-mpmri",
            "title": "Prostate mpMRI with PI-RADS annotations",
            "description": "Multiparametric prostate MRI (T2, DWI, ADC) of men with biopsy-confirmed cancer.",
            "version": "1.2.0",
            "issued": dt.date(2024, 3, 1),
            "license": "https://creativecommons.org/licenses/by-nc/4.0/",
            "keyword": ["prostate", "mpMRI", "PI-RADS"],
            "data_holder": holder_iri(base, "la-fe"),
            "access_rights": "NON_PUBLIC",
            "number_of_subjects": 412,
            "number_of_studies": 455,
            "number_of_series": 1820,
            "number_of_instances": 91000,
            "sex": ["male"],
            "sex_count": [{"concept": "CIKG:male", "count": 412}],
            "min_typical_age": 48,
            "max_typical_age": 82,
            "age_bin": [{"lower": 40, "upper": 60, "count": 120}, {"lower": 60, "upper": 90, "count": 292}],
            "primary_cancer_condition": ["prostate_cancer"],
            "condition_count": [{"concept": "CIKG:prostate_cancer", "count": 412}],
            "image_modality": ["modality_mr", "modality_seg"],
            "body_part": ["bp_prostate"],
            "manufacturer": ["siemens", "philips"],
            "acquisition_semantics": ["t2_weighted", "diffusion_weighted", "apparent_diffusion_coefficient"],
            "magnetic_field_strength": [1.5, 3.0],
            "collection_method": ["clinical_routine"],
            "interoperability_tier": "tier_2",
            "dataset_type": ["image_data", "segmentation_data"],
            "annotation_method": ["manual_annotation"],
            "number_of_segmentations": 300,
            "temporal_coverage": {"start_date": "2016-01", "end_date": "2022-12"},
            "spatial_coverage": ["ES"],
            "other_identifier": [{"notation": "LAFE-PROST-01", "schema_agency": "La Fe imaging biobank"}],
            "distribution": [distribution_iri(base, "prostate-mpmri-access")],
        },
        {
            "identifier": "lung-ct-screening",
            "title": "Low-dose chest CT screening cohort",
            "description": "Low-dose chest CT of a lung cancer screening programme, with nodule follow-up.",
            "data_holder": holder_iri(base, "charite"),
            "access_rights": "RESTRICTED",
            "number_of_subjects": 1300,
            "number_of_studies": 2900,
            "sex": ["female", "male"],
            "sex_count": [{"concept": "CIKG:female", "count": 610}, {"concept": "CIKG:male", "count": 690}],
            "min_typical_age": 50,
            "max_typical_age": 79,
            "primary_cancer_condition": ["lung_cancer"],
            "image_modality": ["modality_ct"],
            "body_part": ["bp_chest"],
            "manufacturer": ["ge_healthcare"],
            "collection_method": ["observational_study"],
            "interoperability_tier": "tier_1",
            "dataset_type": ["image_data", "clinical_data"],
            "health_category": ["RQSH"],
            "provenance": [
                {"statement": "Screening programme images exported from the hospital PACS, 2018-2023."}
            ],
            "temporal_coverage": {"start_date": "2018-05", "end_date": "2023-11"},
            "spatial_coverage": ["DE"],
            "distribution": [
                distribution_iri(base, "lung-ct-screening-access"),
                distribution_iri(base, "lung-ct-screening-sample"),
            ],
        },
        {
            "identifier": "breast-mg-open",
            "title": "Open mammography sample",
            "description": "A small, openly available sample of screening mammograms with BI-RADS density.",
            "version": "2024.1",
            "license": "https://creativecommons.org/licenses/by/4.0/",
            "keyword": ["mammography"],
            "data_holder": holder_iri(base, "forth"),
            "access_rights": "PUBLIC",
            "number_of_subjects": 60,
            "number_of_studies": 60,
            "sex": ["female"],
            "min_typical_age": 45,
            "max_typical_age": 70,
            "primary_cancer_condition": ["breast_cancer"],
            "image_modality": ["modality_mg"],
            "body_part": ["bp_breast"],
            "manufacturer": ["ge_healthcare"],
            "collection_method": ["clinical_trial"],
            "dataset_type": ["image_data"],
            "spatial_coverage": ["GR"],
            "landing_page": "https://example.org/forth/open-mammography",
            "distribution": [distribution_iri(base, "breast-mg-open-download")],
        },
        {
            "identifier": "crc-ct-staging",
            "title": "Colorectal cancer CT staging",
            "description": "Contrast-enhanced abdominal CT at diagnosis of colorectal cancer.",
            "data_holder": holder_iri(base, "la-fe"),
            "access_rights": "NON_PUBLIC",
            "number_of_subjects": 215,
            "number_of_studies": 230,
            "primary_cancer_condition": ["colorectal_cancer"],
            "image_modality": ["modality_ct"],
            "body_part": ["bp_abdomen"],
            "distribution": [distribution_iri(base, "crc-ct-staging-access")],
        },
        {
            "identifier": "lung-ct-forth",
            "title": "Lung cancer CT follow-up (Crete)",
            "description": "Follow-up chest CT of lung cancer patients treated at one regional centre.",
            "data_holder": holder_iri(base, "forth"),
            "access_rights": "RESTRICTED",
            "number_of_subjects": 88,
            "number_of_studies": 301,
            "sex": ["female", "male"],
            "primary_cancer_condition": ["lung_cancer"],
            "image_modality": ["modality_ct"],
            "body_part": ["bp_chest"],
            "manufacturer": ["siemens"],
            "collection_method": ["clinical_routine"],
            "distribution": [distribution_iri(base, "lung-ct-forth-access")],
        },
    ]


def _distributions(base: str) -> dict[str, dict[str, Any]]:
    negotiator = "https://negotiator.example.org/request?collection="
    return {
        "prostate-mpmri-access": {
            "title": "Access request",
            "description": "Request access through the access negotiation portal.",
            "access_url": negotiator + "prostate-mpmri",
            "media_type": "https://www.iana.org/assignments/media-types/text/html",
            "access_condition": ["IN_SITU_PROCESSING"],
        },
        "lung-ct-screening-access": {
            "title": "Federated processing",
            "access_url": negotiator + "lung-ct-screening",
            "media_type": "https://www.iana.org/assignments/media-types/application/dicom",
            "access_condition": ["REMOTE_PROCESSING"],
        },
        "lung-ct-screening-sample": {
            "title": "Synthetic sample",
            "access_url": "https://example.org/charite/lung-sample",
            "download_url": "https://example.org/charite/lung-sample.zip",
            "media_type": "https://www.iana.org/assignments/media-types/application/zip",
            "format": "http://publications.europa.eu/resource/authority/file-type/ZIP",
        },
        "breast-mg-open-download": {
            "title": "Download (DICOM, zip)",
            "access_url": "https://example.org/forth/open-mammography",
            "download_url": "https://example.org/forth/open-mammography.zip",
            "media_type": "https://www.iana.org/assignments/media-types/application/zip",
            "license": "https://creativecommons.org/licenses/by/4.0/",
        },
        "crc-ct-staging-access": {
            "access_url": negotiator + "crc-ct-staging",
            "media_type": "https://www.iana.org/assignments/media-types/application/dicom",
        },
        "lung-ct-forth-access": {
            "title": "Access request",
            "access_url": negotiator + "lung-ct-forth",
            "media_type": "https://www.iana.org/assignments/media-types/text/html",
        },
    }


def _run(base: str, site: str, kind: str, n: int) -> dict[str, Any]:
    return {
        "id": f"{base}/harvest/{site}/1",
        "source": f"file:{site}-export",
        "source_kind": kind,
        "harvester": {
            "id": f"{base}/harvester/{kind}",
            "name": f"cikg {kind} harvester",
            "software_version": "0.1.0",
        },
        "started_at": dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC),
        "ended_at": dt.datetime(2026, 5, 4, 9, 7, 30, tzinfo=dt.UTC),
        "items_seen": n,
        "items_harvested": n,
        "validation_outcome": "conforms",
    }


SITES = {"la-fe": "dicom", "charite": "dicomweb", "forth": "csv"}


def site_objects(base: str, site: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The (class, object) pairs one site's harvest produces."""
    run = _run(base, site, SITES[site], 1000)
    yield "HarvestRun", run
    yield "DataHolder", {"id": holder_iri(base, site), **HOLDERS[site]}
    dists = _distributions(base)
    for coll in _collections(base):
        if coll["data_holder"] != holder_iri(base, site):
            continue
        yield (
            "Collection",
            {"id": collection_iri(base, coll["identifier"]), **coll, "was_generated_by": run["id"]},
        )
        for d in coll["distribution"]:
            local = d.rsplit("/", 1)[-1]
            yield "Distribution", {"id": d, **dists[local]}


def load_catalogue(cat: Catalogue, *, with_ontology: bool = True) -> None:
    """Load the three sites (one source each) and the ontology slice into ``cat``'s store."""
    base = cat.settings.base_url
    for site in SITES:
        triples = list(to_triples(site_objects(base, site)))
        cat.store.replace_source(source_iri(f"site-{site}"), RdfData.of_triples(triples))
    if with_ontology:
        cat.store.replace_source(
            source_iri("ontology"), RdfData.of_bytes(ONTOLOGY_TTL.encode(), ox.RdfFormat.TURTLE)
        )


COLLECTION_IDS = [c["identifier"] for c in _collections("http://x")]
ACCESS_LEVEL = {c["identifier"]: c["access_rights"] for c in _collections("http://x")}
DISTRIBUTION_IDS = list(_distributions("http://x"))
HOLDER_IDS = list(HOLDERS)

PUBLISHING = {
    "publisher_name": "cikg test node operator (synthetic)",
    "publisher_email": "catalogue@example.org",
    "hdab_name": "Health data access body (synthetic, for tests)",
    "hdab_email": "hdab@example.org",
    "hdab_url": "https://example.org/hdab",
}
"""Node-level publishing settings of the fixture."""
