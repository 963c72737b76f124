"""Beacon v2 requests (GET parameters or a POST body) and their filters as a native search query.

Filters are a conjunction (Beacon v2). Ontology filters (``{"id": "NCIT:C2926"}``) include the
descendants of the term unless ``includeDescendantTerms`` is false; the term's hyperontology branch says
which search field it constrains (a condition, a modality, ...). Alphanumeric filters (``{"id": "age",
"operator": ">=", "value": "50"}``) constrain numeric fields, or a concept field by value (``=``, ``!``).
Custom filters (``{"id": "..."}``) are resolved like ontology filters (code or label).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cikg.search import fields as search_fields

GRANULARITIES = ("boolean", "count", "record")
NUMERIC_FIELDS = frozenset(search_fields.NUMERIC_FIELDS)
CONCEPT_FIELDS = frozenset(search_fields.CONCEPT_FIELDS)
OPERATORS = ("=", "<", ">", "!", ">=", "<=")


class BeaconRequestError(ValueError):
    """A Beacon request that cannot be answered; the message names the parameter and the value."""


@dataclass
class BeaconRequest:
    filters: list[dict[str, Any]] = field(default_factory=list)
    granularity: str = "count"
    include_descendants: bool = True
    skip: int = 0
    limit: int = 10
    test_mode: bool = False
    api_version: str = "v2.1.1"

    def summary(self, entry_type_schema: dict[str, str]) -> dict[str, Any]:
        """The ``receivedRequestSummary`` of the response meta."""
        return {
            "apiVersion": self.api_version,
            "requestedSchemas": [entry_type_schema],
            "filters": [str(f.get("id")) for f in self.filters],
            "requestedGranularity": self.granularity,
            "pagination": {"skip": self.skip, "limit": self.limit},
            "testMode": self.test_mode,
        }


def _int(value: Any, name: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise BeaconRequestError(f"{name} must be a non-negative integer, not {value!r}") from None
    if n < 0:
        raise BeaconRequestError(f"{name} must be a non-negative integer, not {value!r}")
    return n


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1", "yes"):
        return True
    if str(value).lower() in ("false", "0", "no"):
        return False
    raise BeaconRequestError(f"{name} must be true or false, not {value!r}")


def _granularity(value: Any) -> str:
    g = str(value or "count")
    if g not in GRANULARITIES:
        raise BeaconRequestError(f"requestedGranularity must be one of {', '.join(GRANULARITIES)}, not {g!r}")
    return g


def from_params(params: Mapping[str, str]) -> BeaconRequest:
    """A GET request: ``filters`` (comma-separated ids), ``requestedGranularity``,
    ``includeDescendantTerms``, ``skip``, ``limit``, ``testMode``."""
    include = _bool(params.get("includeDescendantTerms", "true"), "includeDescendantTerms")
    ids = [f.strip() for f in (params.get("filters") or "").split(",") if f.strip()]
    return BeaconRequest(
        filters=[{"id": i, "includeDescendantTerms": include} for i in ids],
        granularity=_granularity(params.get("requestedGranularity")),
        include_descendants=include,
        skip=_int(params.get("skip", 0), "skip"),
        limit=_int(params.get("limit", 10), "limit"),
        test_mode=_bool(params.get("testMode", "false"), "testMode"),
    )


def from_body(body: Any) -> BeaconRequest:
    """A POST request body (Beacon v2 ``beaconRequestBody``)."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise BeaconRequestError("the request body must be a JSON object (beaconRequestBody)")
    meta = body.get("meta") or {}
    query = body.get("query") or {}
    if not isinstance(meta, dict) or not isinstance(query, dict):
        raise BeaconRequestError("`meta` and `query` must be JSON objects")
    filters = query.get("filters") or []
    if not isinstance(filters, list):
        raise BeaconRequestError("query.filters must be a list of filter objects")
    parsed: list[dict[str, Any]] = []
    for i, f in enumerate(filters):
        if isinstance(f, str):
            f = {"id": f}
        if not isinstance(f, dict) or not isinstance(f.get("id"), str) or not f["id"].strip():
            raise BeaconRequestError(f"query.filters[{i}] must be an object with a string `id`")
        parsed.append(f)
    pagination = query.get("pagination") or {}
    if not isinstance(pagination, dict):
        raise BeaconRequestError("query.pagination must be a JSON object")
    return BeaconRequest(
        filters=parsed,
        granularity=_granularity(query.get("requestedGranularity")),
        skip=_int(pagination.get("skip", 0), "query.pagination.skip"),
        limit=_int(pagination.get("limit", 10), "query.pagination.limit"),
        test_mode=_bool(query.get("testMode", False), "query.testMode"),
        api_version=str(meta.get("apiVersion") or "v2.1.1"),
    )


def to_query(request: BeaconRequest, field_of: Callable[[str], str]) -> dict[str, Any]:
    """The native search query for ``request``'s filters; ``field_of(term)`` names the search field a
    code or label constrains (raising ``LookupError`` for an unknown term)."""
    parts = [_criterion(f, i, field_of) for i, f in enumerate(request.filters)]
    query: dict[str, Any] = {"facets": False, "page": 1, "page_size": 1000}
    if len(parts) == 1:
        query["query"] = parts[0]
    elif parts:
        query["query"] = {"and": parts}
    return query


def _number(value: Any, where: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise BeaconRequestError(f"{where}: value {value!r} is not a number") from None


def _criterion(f: dict[str, Any], i: int, field_of: Callable[[str], str]) -> dict[str, Any]:
    where = f"filters[{i}] ({f['id']})"
    term = f["id"].strip()
    if "operator" in f or "value" in f:
        op = f.get("operator", "=")
        if op not in OPERATORS:
            raise BeaconRequestError(f"{where}: operator {op!r} is not one of {' '.join(OPERATORS)}")
        value = f.get("value")
        if term in NUMERIC_FIELDS:
            x = _number(value, where)
            step = 1.0 if x.is_integer() and term != "field_strength" else 1e-9
            ranges = {
                "=": {"min": x, "max": x},
                ">=": {"min": x},
                "<=": {"max": x},
                ">": {"min": x + step},
                "<": {"max": x - step},
                "!": {"min": x, "max": x},
            }
            crit: dict[str, Any] = {"field": term, **ranges[op]}
        elif term in CONCEPT_FIELDS or term == "text":
            if op not in ("=", "!"):
                raise BeaconRequestError(f"{where}: {term} takes the operators = and !, not {op!r}")
            crit = {"field": term, "value": str(value)}
            if term != "text":
                crit["descendants"] = _bool(f.get("includeDescendantTerms", True), where)
        else:
            known = ", ".join(sorted(NUMERIC_FIELDS | CONCEPT_FIELDS | {"text"}))
            raise BeaconRequestError(f"{where}: unknown alphanumeric filter; use one of {known}")
        return {"not": crit} if op == "!" else crit
    try:
        field_name = field_of(term)
    except LookupError as exc:
        raise BeaconRequestError(f"{where}: {exc}") from exc
    return {
        "field": field_name,
        "value": term,
        "descendants": _bool(f.get("includeDescendantTerms", True), where),
    }
