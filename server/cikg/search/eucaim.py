"""The EUCAIM Explorer query AST (GUIDE.md §4), accepted as is, and its response shape.

``{"ast": {"operand": "AND"|"OR", "children": [...]}, "id": "..."}``; leaves
``{"key", "system", "type", "value"}`` with types EQUALS, NOT_EQUALS, IN, BETWEEN, LOWER_THAN,
GREATER_THAN, CONTAINS. The AST becomes a native criterion (same parser, same resolution), so an AST
and the equivalent native query give the same collections and counts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from cikg.search.fields import FIELDS
from cikg.search.query import SearchError

KEYS: dict[str, str] = {
    "SNOMEDCT439401001": "condition",  # diagnosis
    "SNOMEDCT263495000": "sex",  # gender
    "RID10311": "modality",  # imaging modality
    "SNOMEDCT123037004": "body_part",  # body structure
    "SNOMEDCT423493009": "age",  # age at diagnosis
}
_CODE = re.compile(r"^(SNOMEDCT|SCTID|RID|ICD10|NCIT|OMOP|LOINC|MONDO)[:_]?([0-9A-Za-z.]+)$")
_PREFIX = {"SCTID": "SNOMEDCT", "RID": "RADLEX"}


def _value(v: Any) -> str:
    """EUCAIM codes run scheme and code together (``SNOMEDCT254637007``, ``RID10312``)."""
    text = str(v).strip()
    m = _CODE.match(text)
    if m is None:
        return text
    scheme, code = m.group(1), m.group(2)
    if scheme == "RID":
        return f"RADLEX:RID{code}"
    return f"{_PREFIX.get(scheme, scheme)}:{code}"


def _number(v: Any, where: str) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise SearchError(f"{where}: {v!r} is not a number") from None
    if math.isnan(x):
        raise SearchError(f"{where}: {v!r} is not a number")
    return x


def ast_to_criterion(node: Any, where: str = "ast") -> dict[str, Any]:
    """A EUCAIM AST node -> the native criterion JSON."""
    if not isinstance(node, Mapping):
        raise SearchError(f"{where}: an AST node must be an object")
    if "operand" in node or "children" in node:
        op = str(node.get("operand", "")).upper()
        if op not in ("AND", "OR"):
            raise SearchError(f"{where}: operand must be AND or OR, got {node.get('operand')!r}")
        children = node.get("children")
        if not isinstance(children, list):
            raise SearchError(f"{where}: 'children' must be a list")
        items = [ast_to_criterion(c, f"{where}.children[{i}]") for i, c in enumerate(children)]
        if not items:  # an empty group (what the Explorer sends for "no criteria") matches everything
            return {}
        return items[0] if len(items) == 1 else {op.lower(): items}
    key = node.get("key")
    field = KEYS.get(str(key), str(key))
    if field not in FIELDS:
        raise SearchError(f"{where}: unknown key {key!r}; use one of {', '.join([*KEYS, *FIELDS])}")
    kind = str(node.get("type", "EQUALS")).upper()
    value = node.get("value")
    numeric = FIELDS[field].kind == "numeric"
    if kind in ("EQUALS", "NOT_EQUALS", "IN"):
        if numeric:
            x = _number(value, where)
            crit: dict[str, Any] = {"field": field, "min": x, "max": x}
        else:
            values = value if isinstance(value, list) else [value]
            crit = {"field": field, "value": [_value(v) for v in values]}
        return {"not": crit} if kind == "NOT_EQUALS" else crit
    if kind == "BETWEEN":
        if isinstance(value, Mapping):
            lo, hi = value.get("min"), value.get("max")
        elif isinstance(value, list) and len(value) == 2:
            lo, hi = value
        else:
            raise SearchError(f"{where}: BETWEEN takes {{'min', 'max'}} or [min, max]")
        out: dict[str, Any] = {"field": field}
        if lo is not None:
            out["min"] = _number(lo, where)
        if hi is not None:
            out["max"] = _number(hi, where)
        return out
    if kind == "LOWER_THAN":
        return {"field": field, "max": math.nextafter(_number(value, where), -math.inf)}
    if kind == "GREATER_THAN":
        return {"field": field, "min": math.nextafter(_number(value, where), math.inf)}
    if kind == "CONTAINS":
        return {"field": "text", "value": str(value)}
    raise SearchError(f"{where}: unknown type {kind!r}")


def eucaim_response(native: Mapping[str, Any], query_id: str | None) -> dict[str, Any]:
    """The native response in the EUCAIM Explorer shape."""
    colls = []
    for c in native["collections"]:
        sex = c.get("sex") or {}
        colls.append(
            {
                "id": c["id"],
                "name": c["title"],
                "description": c["description"],
                "subjects_count": c["subjects_count"],
                "studies_count": c["studies_count"],
                "age_range": c["age_range"],
                "gender": [k for k in ("female", "male", "other", "unknown") if sex.get(k)],
                "modalities": c["modalities"],
                "body_parts": c["body_parts"],
            }
        )
    total = native["total"]
    out: dict[str, Any] = {
        "collections": colls,
        "total": {"subjects_count": total["subjects_count"], "studies_count": total["studies_count"]},
    }
    if query_id is not None:
        out["id"] = query_id
    return out
