"""The Beacon v2.1.1 framework documents: info, service-info, map, configuration, entry types.

Pure builders over a :class:`BeaconContext` (the node-level facts from settings). Every document
validates against the official framework schemas (tests/beacon/test_schemas.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

API_VERSION = "v2.1.1"
SCHEMA_BASE = "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/"
ENTRY_TYPES: dict[str, dict[str, Any]] = {
    "dataset": {
        "path": "datasets",
        "name": "Dataset",
        "ontology": {"id": "NCIT:C47824", "label": "Data set"},
        "description": "A cikg collection (DCAT-AP Dataset; MIABIS Collection) as a Beacon dataset.",
        "schema": "models/json/beacon-v2-default-model/datasets/defaultSchema.json",
    },
    "cohort": {
        "path": "cohorts",
        "name": "Cohort",
        "ontology": {"id": "NCIT:C61512", "label": "Cohort"},
        "description": "A cikg collection's subjects as a study-defined Beacon cohort.",
        "schema": "models/json/beacon-v2-default-model/cohorts/defaultSchema.json",
    },
}


@dataclass(frozen=True)
class BeaconContext:
    beacon_id: str
    name: str
    base_url: str  # the node's public base URL; the Beacon lives at <base_url>/beacon
    version: str
    organization: str
    organization_url: str | None = None
    description: str | None = None

    @property
    def root(self) -> str:
        return self.base_url + "/beacon"


def default_beacon_id(base_url: str) -> str:
    """``http://cikg.example.org:8000`` -> ``org.example.cikg.beacon``."""
    host = urlsplit(base_url).hostname or "localhost"
    parts = host.split(".")
    if not all(p.isdigit() for p in parts):
        parts = list(reversed(parts))
    return ".".join([*parts, "beacon"])


def schema_ref(entry_type: str) -> dict[str, str]:
    return {"entityType": entry_type, "schema": SCHEMA_BASE + ENTRY_TYPES[entry_type]["schema"]}


def informational_meta(ctx: BeaconContext, schemas: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"beaconId": ctx.beacon_id, "apiVersion": API_VERSION, "returnedSchemas": schemas or []}


def info(ctx: BeaconContext) -> dict[str, Any]:
    organization: dict[str, Any] = {"id": ctx.organization, "name": ctx.organization}
    if ctx.organization_url:
        organization["welcomeUrl"] = ctx.organization_url
    response: dict[str, Any] = {
        "id": ctx.beacon_id,
        "name": ctx.name,
        "apiVersion": API_VERSION,
        "environment": "prod",
        "organization": organization,
        "version": f"v{ctx.version}",
        "welcomeUrl": ctx.base_url + "/",
        "info": {"software": "cikg", "version": ctx.version},
    }
    if ctx.description:
        response["description"] = ctx.description
    return {"meta": informational_meta(ctx), "response": response}


def service_info(ctx: BeaconContext) -> dict[str, Any]:
    return {
        "id": ctx.beacon_id,
        "name": ctx.name,
        "type": {"group": "org.ga4gh", "artifact": "beacon", "version": API_VERSION},
        "organization": {"name": ctx.organization, "url": ctx.organization_url or ctx.base_url + "/"},
        "version": ctx.version,
        "environment": "prod",
        "documentationUrl": ctx.base_url + "/docs",
        **({"description": ctx.description} if ctx.description else {}),
    }


def _entry_type(name: str) -> dict[str, Any]:
    et = ENTRY_TYPES[name]
    return {
        "id": name,
        "name": et["name"],
        "description": et["description"],
        "ontologyTermForThisType": et["ontology"],
        "partOfSpecification": f"Beacon {API_VERSION}",
        "defaultSchema": {
            "id": f"beacon-{name}-{API_VERSION}",
            "name": f"Default schema for {et['name'].lower()}s",
            "referenceToSchemaDefinition": SCHEMA_BASE + et["schema"],
            "schemaVersion": API_VERSION,
        },
        "nonFilteredQueriesAllowed": True,
    }


def entry_types(ctx: BeaconContext) -> dict[str, Any]:
    return {
        "meta": informational_meta(ctx),
        "response": {"entryTypes": {name: _entry_type(name) for name in ENTRY_TYPES}},
    }


def configuration(ctx: BeaconContext) -> dict[str, Any]:
    return {
        "meta": informational_meta(ctx),
        "response": {
            "$schema": SCHEMA_BASE + "framework/json/configuration/beaconConfigurationSchema.json",
            "maturityAttributes": {"productionStatus": "PROD"},
            "securityAttributes": {"defaultGranularity": "count", "securityLevels": ["PUBLIC", "CONTROLLED"]},
            "entryTypes": {name: _entry_type(name) for name in ENTRY_TYPES},
        },
    }


def beacon_map(ctx: BeaconContext) -> dict[str, Any]:
    sets = {}
    for name, et in ENTRY_TYPES.items():
        root = f"{ctx.root}/{et['path']}"
        sets[name] = {
            "entryType": name,
            "rootUrl": root,
            "singleEntryUrl": root + "/{id}",
            "filteringTermsUrl": ctx.root + "/filtering_terms",
        }
    return {
        "meta": informational_meta(ctx),
        "response": {
            "$schema": SCHEMA_BASE + "framework/json/configuration/beaconMapSchema.json",
            "endpointSets": sets,
        },
    }
