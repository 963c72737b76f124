"""The vocabularies the publishing profiles speak, named after their standards.

Only IRIs that the model (schemas/cikg.yaml) does not already give: the profiles' own properties and
classes, and the EU authority tables they require.
"""

from __future__ import annotations

from cikg.namespaces import ADMS, DCAT, DCTERMS, EUCAIM, FOAF, HEALTHDCATAP, PROV, RDF, RDFS, SKOS, VCARD, XSD

DCATAP = "http://data.europa.eu/r5r/"
CV = "http://data.europa.eu/m8g/"
GEODCATAP = "http://data.europa.eu/930/"
DPV = "https://w3id.org/dpv#"
FDPO = "https://w3id.org/fdp/fdp-o#"
LDP = "http://www.w3.org/ns/ldp#"
SCHEMA = "http://schema.org/"
SD = "http://www.w3.org/ns/sparql-service-description#"
R3D = "http://www.re3data.org/schema/3-0#"

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
DATA_THEME = EU_AUTHORITY + "data-theme"
THEME_HEALTH = DATA_THEME + "/HEAL"
ACCESS_RIGHT = EU_AUTHORITY + "access-right"
LANGUAGE = EU_AUTHORITY + "language"
COUNTRY = EU_AUTHORITY + "country"
FILE_TYPE = EU_AUTHORITY + "file-type"
HEALTH_CATEGORIES = "https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories"
HEALTH_THEMES = "https://hdeu-dcat.data.health.europa.eu/resource/authority/health-theme"
THEME_CANCER = HEALTH_THEMES + "/CANCER_DISEASE"
ACCESS_CONDITIONS = "https://eucaim.github.io/eucaim_dcat_ap/resource/authority/access-condition"
ACCESS_CONDITION_PREFIX = (
    "https://eucaim.github.io/eucaim_dcat_ap/releases/controlled-vocabularies/access-conditions/#"
)
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

EHDS = "http://data.europa.eu/eli/reg/2025/327/oj"
"""ELI of the European Health Data Space Regulation (EU) 2025/327."""

CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
SPARQL_11_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
FDP_SPEC = "https://specs.fairdatapoint.org/fdp-specs-v1.2.html"

SCHEMES: dict[str, tuple[str, str]] = {
    # IRI prefix of a concept -> (its concept scheme, the scheme's label)
    DATA_THEME + "/": (DATA_THEME, "Data theme"),
    ACCESS_RIGHT + "/": (ACCESS_RIGHT, "Access right"),
    LANGUAGE + "/": (LANGUAGE, "Languages"),
    COUNTRY + "/": (COUNTRY, "Countries and territories"),
    FILE_TYPE + "/": (FILE_TYPE, "File type"),
    HEALTH_CATEGORIES + "/": (HEALTH_CATEGORIES, "Health Categories"),
    HEALTH_THEMES + "/": (HEALTH_THEMES, "Health themes"),
    ACCESS_CONDITION_PREFIX: (ACCESS_CONDITIONS, "EUCAIM Access Conditions"),
    EUCAIM: ("https://hyperontology.eucaim.cancerimage.eu/", "EUCAIM hyperontology"),
}
"""The authority tables whose concepts the profiles reference, with the ``skos:inScheme`` they need."""

LABELS = {
    THEME_HEALTH: "Health",
    THEME_CANCER: "Cancer",
    LANGUAGE + "/ENG": "English",
    ACCESS_RIGHT + "/PUBLIC": "Public",
    ACCESS_RIGHT + "/RESTRICTED": "Restricted",
    ACCESS_RIGHT + "/NON_PUBLIC": "Non-public",
}
"""English labels of the authority concepts the profiles always use (the tables' own labels)."""

PROFILES = ("dcat-ap", "healthdcat-ap", "eucaim-dcat-ap")
"""Profile names accepted by ``cikg export --profile`` and ``?profile=``."""

PROFILE_SPECS = {
    "dcat-ap": "https://semiceu.github.io/DCAT-AP/releases/3.0.1/",
    "healthdcat-ap": "https://healthdataeu.pages.code.europa.eu/healthdcat-ap/releases/release-8/",
    "eucaim-dcat-ap": "https://github.com/EUCAIM/eucaim_dcat_ap/tree/main/releases/v2.0",
}

PREFIXES = {
    "adms": ADMS,
    "cikg": "https://w3id.org/cikg/ontology/",
    "cikgs": "https://w3id.org/cikg/schema/",
    "cv": CV,
    "dcat": DCAT,
    "dcatap": DCATAP,
    "dct": DCTERMS,
    "dpv": DPV,
    "eucaim": EUCAIM,
    "fdp": FDPO,
    "foaf": FOAF,
    "geodcatap": GEODCATAP,
    "healthdcatap": HEALTHDCATAP,
    "ldp": LDP,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": SCHEMA,
    "skos": SKOS,
    "vcard": VCARD,
    "xsd": XSD,
}
"""Prefixes for Turtle output (readability only)."""
