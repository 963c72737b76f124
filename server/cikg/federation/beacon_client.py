"""The hub's side of Beacon v2 nodes: a native query as a Beacon request, a Beacon answer as results.

Beacon v2 filters are a conjunction: a native query made only of ANDs of concept criteria (one value
or several, descendants or not) and numeric ranges translates; OR, NOT, several values in one criterion
and free text do not, and the node is reported as ``error`` with that reason (the other nodes answer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BEACON_API_VERSION = "v2.1.1"
NUMERIC_FILTER_IDS = {"age": "age", "field_strength": "field_strength"}


class NotExpressible(ValueError):
    """The native query has no Beacon v2 filter equivalent."""


def beacon_request(query: dict[str, Any], curie_of: Callable[[str], str]) -> dict[str, Any]:
    """The Beacon v2 request body (count granularity) for a native search query."""
    filters: list[dict[str, Any]] = []
    criterion = query.get("query")
    if criterion is not None:
        _collect(criterion, filters, curie_of)
    return {
        "meta": {"apiVersion": BEACON_API_VERSION},
        "query": {"filters": filters, "requestedGranularity": "count", "includeResultsetResponses": "HIT"},
    }


def _collect(criterion: Any, out: list[dict[str, Any]], curie_of: Callable[[str], str]) -> None:
    if not isinstance(criterion, dict):
        raise NotExpressible("a criterion must be an object")
    if "and" in criterion:
        for part in criterion["and"]:
            _collect(part, out, curie_of)
        return
    if "or" in criterion or "not" in criterion:
        raise NotExpressible("Beacon v2 filters are a conjunction: OR and NOT have no equivalent")
    field = criterion.get("field")
    if field == "text":
        raise NotExpressible("free-text criteria have no Beacon v2 filter equivalent")
    if "min" in criterion or "max" in criterion:
        if field not in NUMERIC_FILTER_IDS:
            raise NotExpressible(f"numeric field {field!r} has no Beacon filter on this network")
        for key, op in (("min", ">="), ("max", "<=")):
            if criterion.get(key) is not None:
                out.append({"id": NUMERIC_FILTER_IDS[field], "operator": op, "value": str(criterion[key])})
        return
    value = criterion.get("value")
    values = value if isinstance(value, list) else [value]
    if len(values) != 1 or not isinstance(values[0], str):
        raise NotExpressible(f"{field}: several values in one criterion are an OR (no Beacon equivalent)")
    out.append(
        {
            "id": curie_of(values[0]),
            "includeDescendantTerms": bool(criterion.get("descendants", True)),
        }
    )


def beacon_results(answer: Any) -> dict[str, Any]:
    """A Beacon v2 count, boolean or collections response as the native answer shape.

    Raises ``ValueError`` (naming what is wrong) when the document is not a Beacon response.
    """
    if not isinstance(answer, dict):
        raise ValueError("not a JSON object")
    summary = answer.get("responseSummary")
    if not isinstance(summary, dict) or not isinstance(summary.get("exists"), bool):
        raise ValueError("not a Beacon response: no responseSummary.exists")
    count = summary.get("numTotalResults")
    collections: list[dict[str, Any]] = []
    response = answer.get("response")
    if isinstance(response, dict) and isinstance(response.get("collections"), list):
        for item in response["collections"]:
            if isinstance(item, dict) and "id" in item:
                entry = {"id": str(item["id"]), "title": item.get("name", str(item["id"]))}
                if isinstance(item.get("cohortSize"), int):
                    entry["subjects_count"] = item["cohortSize"]
                collections.append(entry)
    total: dict[str, Any] = {"collections": count if isinstance(count, int) else len(collections)}
    return {"exists": summary["exists"], "total": total, "collections": collections}
