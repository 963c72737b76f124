"""Beacon v2 answers for the collection entry types (datasets, cohorts) from a native search answer.

Granularity: ``boolean`` answers whether any collection matches; ``count`` adds how many; ``record``
lists them, and only for an authorised caller (anyone else gets ``count``). A count below the node's
threshold k is never shown: the answer falls back to ``boolean`` (``numTotalResults`` is an integer
in Beacon v2, so it cannot say ``"<k"``). ``info.cikg`` carries the protected subject and study totals.
"""

from __future__ import annotations

from typing import Any

from cikg.beacon.framework import API_VERSION, BeaconContext, schema_ref
from cikg.beacon.request import BeaconRequest
from cikg.federation.protection import CountPolicy, protect


def response_meta(
    ctx: BeaconContext, entry_type: str, request: BeaconRequest, granularity: str
) -> dict[str, Any]:
    schema = schema_ref(entry_type)
    return {
        "beaconId": ctx.beacon_id,
        "apiVersion": API_VERSION,
        "returnedSchemas": [schema],
        "returnedGranularity": granularity,
        "receivedRequestSummary": request.summary(schema),
        "testMode": request.test_mode,
    }


def error_response(
    ctx: BeaconContext, entry_type: str, request: BeaconRequest | None, status: int, message: str
) -> dict[str, Any]:
    request = request or BeaconRequest()
    return {
        "meta": response_meta(ctx, entry_type, request, "boolean"),
        "error": {"errorCode": status, "errorMessage": message},
    }


def _record(entry_type: str, c: dict[str, Any]) -> dict[str, Any]:
    info = {
        k: c[k]
        for k in (
            "description",
            "data_holder",
            "subjects_count",
            "studies_count",
            "series_count",
            "age_range",
            "modalities",
            "body_parts",
            "conditions",
        )
        if k in c
    }
    if entry_type == "dataset":
        return {"id": str(c["id"]), "name": str(c.get("title") or c["id"]), "info": info}
    cohort: dict[str, Any] = {
        "id": str(c["id"]),
        "name": str(c.get("title") or c["id"]),
        "cohortType": "study-defined",
        "info": info,
    }
    if isinstance(c.get("subjects_count"), int):
        cohort["cohortSize"] = c["subjects_count"]
    return cohort


def collections_response(
    ctx: BeaconContext,
    entry_type: str,
    request: BeaconRequest,
    answer: dict[str, Any],
    policy: CountPolicy | None,
) -> dict[str, Any]:
    """The Beacon response for a native search ``answer``; ``policy`` ``None``: authorised caller."""
    found = answer.get("collections") or []
    total = answer.get("total") or {}
    n = total.get("collections", len(found))
    n = n if isinstance(n, int) else len(found)
    extra = {k: total[k] for k in ("subjects_count", "studies_count") if k in total}
    granularity = request.granularity
    if granularity == "record" and policy is not None:
        granularity = "count"
    shown: int | None = n if policy is None else policy.visible(n)
    if granularity == "count" and shown is None:
        granularity = "boolean"
    out: dict[str, Any] = {
        "meta": response_meta(ctx, entry_type, request, granularity),
        "responseSummary": {"exists": n > 0},
        "info": {"cikg": extra if policy is None else protect(extra, policy)},
    }
    if granularity in ("count", "record"):
        out["responseSummary"]["numTotalResults"] = shown
    if granularity == "record":
        limit = request.limit or len(found)
        page = found[request.skip * limit : request.skip * limit + limit] if limit else found
        out["response"] = {"collections": [_record(entry_type, c) for c in page]}
    return out
