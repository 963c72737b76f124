"""A GA4GH Beacon v2.1.1 face on the node's collections (datasets and cohorts), docs/beacon.md."""

from cikg.beacon.framework import (
    API_VERSION,
    ENTRY_TYPES,
    BeaconContext,
    beacon_map,
    configuration,
    default_beacon_id,
    entry_types,
    info,
    service_info,
)
from cikg.beacon.request import BeaconRequest, BeaconRequestError, from_body, from_params, to_query
from cikg.beacon.responses import collections_response, error_response
from cikg.beacon.terms import field_of, filtering_terms

__all__ = [
    "API_VERSION",
    "ENTRY_TYPES",
    "BeaconContext",
    "BeaconRequest",
    "BeaconRequestError",
    "beacon_map",
    "collections_response",
    "configuration",
    "default_beacon_id",
    "entry_types",
    "error_response",
    "field_of",
    "filtering_terms",
    "from_body",
    "from_params",
    "info",
    "service_info",
    "to_query",
]
