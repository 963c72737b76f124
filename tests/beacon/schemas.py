"""The official Beacon v2.1.1 JSON schemas as validators, with every ``$ref`` resolved locally.

Schemas are read from the standards folder (tests/support/standards.py) by their ``file:`` URI, so the
schemas' relative ``$ref``s resolve inside the folder. Upstream defects worked around here only:

* some model schemas ``$ref`` the framework by its GitHub URL
  (``https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/...``): mapped to the local copy;
  nothing is fetched from the network (an unknown URI fails the test);
* the default model's entry schemas (datasets, individuals, ...) ``$ref`` ``../common/info.json``, a file
  the model's ``common/`` folder does not have: mapped to the framework's ``common/info.json`` (the same
  "Info" object every framework response uses).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012 as _DRAFT

from tests.support.standards import require_standards

UPSTREAM = "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/"

RESPONSES = {
    "info": "framework/json/responses/beaconInfoResponse.json",
    "map": "framework/json/responses/beaconMapResponse.json",
    "configuration": "framework/json/responses/beaconConfigurationResponse.json",
    "entry_types": "framework/json/responses/beaconEntryTypesResponse.json",
    "filtering_terms": "framework/json/responses/beaconFilteringTermsResponse.json",
    "service-info": "framework/json/responses/ga4gh-service-info-1-0-0-schema.json",
    "boolean": "framework/json/responses/beaconBooleanResponse.json",
    "count": "framework/json/responses/beaconCountResponse.json",
    "record": "framework/json/responses/beaconCollectionsResponse.json",
    "error": "framework/json/responses/beaconErrorResponse.json",
    "dataset": "models/json/beacon-v2-default-model/datasets/defaultSchema.json",
    "cohort": "models/json/beacon-v2-default-model/cohorts/defaultSchema.json",
    "request": "framework/json/requests/beaconRequestBody.json",
}


def beacon_dir() -> Path:
    folder = require_standards() / "beacon-v2.1.1"
    assert folder.is_dir(), f"{folder}: the standards folder is present but has no Beacon v2.1.1 schemas"
    return folder


def _retrieve(uri: str) -> Resource[Any]:
    root = beacon_dir()
    if uri.startswith(UPSTREAM):
        path = root / uri[len(UPSTREAM) :]
    elif uri.startswith("file://"):
        path = Path(uri[len("file://") :])
    else:
        raise NoSuchResource(ref=uri)
    model_info = root / "models/json/beacon-v2-default-model/common/info.json"
    if path.resolve() == model_info.resolve() and not path.is_file():
        path = root / "framework/json/common/info.json"
    if not path.is_file():
        raise NoSuchResource(ref=uri)
    return Resource.from_contents(json.loads(path.read_text(encoding="utf-8")), default_specification=_DRAFT)


@cache
def validator(kind: str) -> Draft202012Validator:
    """A validator for one Beacon response (or model) schema."""
    uri = (beacon_dir() / RESPONSES[kind]).resolve().as_uri()
    registry: Registry[Any] = Registry(retrieve=_retrieve)  # type: ignore[call-arg]
    return Draft202012Validator({"$ref": uri}, registry=registry)


def errors(kind: str, document: Any) -> list[str]:
    """Every schema violation of ``document`` (empty: valid), each with its path."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in sorted(validator(kind).iter_errors(document), key=str)
    ]
