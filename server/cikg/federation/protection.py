"""Count protection at the node: what an anonymous or federated caller may see of a count.

Pure functions over answers in the search contract's JSON shape (docs/federation.md):

* counts below the threshold ``k`` (``CIKG_MIN_COUNT``, default 10) become the string ``"<k"``, never
  the number (zero included: "none" is a count below k as well);
* counts at or above ``k`` are optionally rounded to a step (``CIKG_COUNT_ROUNDING``), never below k;
* record-level detail (keys in :data:`RECORD_LEVEL`) is dropped;
* authorised callers (a token from ``CIKG_ACCESS_TOKENS``) get the answer unchanged.

Which values are counts: every ``subjects_count``, ``studies_count``, ``series_count`` and ``count``
(facets, Beacon), and the values of a ``sex`` breakdown. ``total.collections`` (how many collections
matched), ``page`` and ``page_size`` are not counts of people or records and stay as they are.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

COUNT_KEYS = frozenset({"subjects_count", "studies_count", "series_count", "count"})
BREAKDOWN_KEYS = frozenset({"sex"})
RECORD_LEVEL = frozenset({"records", "subjects", "series", "subject_keys", "study_keys", "series_keys"})


@dataclass(frozen=True)
class CountPolicy:
    """How counts are shown to callers without an authorised token."""

    min_count: int = 10
    step: int = 0

    def __post_init__(self) -> None:
        if self.min_count < 1:
            raise ValueError(f"min_count must be at least 1, not {self.min_count}")
        if self.step < 0:
            raise ValueError(f"count rounding step must be 0 (none) or positive, not {self.step}")

    @property
    def hidden(self) -> str:
        """What a count below the threshold is shown as."""
        return f"<{self.min_count}"

    @property
    def unit(self) -> int:
        """The width of what a hidden count hides: k, made a multiple of the rounding step."""
        if self.step > 1:
            return self.step * -(-self.min_count // self.step)
        return self.min_count

    def visible(self, n: int) -> int | None:
        """The number that may be shown for ``n``, or ``None`` when it must be hidden."""
        if n < self.min_count:
            return None
        if self.step > 1:
            return max(self.min_count, ((2 * n + self.step) // (2 * self.step)) * self.step)
        return n

    def show(self, n: int) -> int | str:
        """``n`` as an anonymous caller sees it: the (rounded) number, or ``"<k"``."""
        shown = self.visible(n)
        return self.hidden if shown is None else shown


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def protect(answer: Any, policy: CountPolicy) -> Any:
    """A copy of ``answer`` (any JSON value) with every count protected and record detail dropped.

    Differencing: a visible whole minus its visible parts would give away a hidden part. So where a
    part is hidden, the whole is shown rounded down to a multiple of k (an interval as wide as ``"<k"``
    itself; with rounding, k made a multiple of the step): a record's ``subjects_count`` when a value
    of its ``sex`` breakdown is hidden, and an answer's ``total`` counts when any collection or facet
    count is hidden or the page is incomplete.
    """
    return _blur(_protect(answer, policy), policy)


def _protect(answer: Any, policy: CountPolicy) -> Any:
    if isinstance(answer, list):
        return [_protect(item, policy) for item in answer]
    if not isinstance(answer, Mapping):
        return answer
    out: dict[str, Any] = {}
    for key, value in answer.items():
        if key in RECORD_LEVEL:
            continue
        if key in COUNT_KEYS and _is_count(value):
            out[key] = policy.show(value)
        elif key in BREAKDOWN_KEYS and isinstance(value, Mapping):
            out[key] = {k: policy.show(v) if _is_count(v) else _protect(v, policy) for k, v in value.items()}
        else:
            out[key] = _protect(value, policy)
    return out


def _hidden(value: Any, policy: CountPolicy) -> bool:
    """Whether a protected value holds a count shown as ``"<k"``."""
    if isinstance(value, list):
        return any(_hidden(v, policy) for v in value)
    if isinstance(value, Mapping):
        for key, v in value.items():
            if (key in COUNT_KEYS or key in BREAKDOWN_KEYS) and v == policy.hidden:
                return True
            if key in BREAKDOWN_KEYS and isinstance(v, Mapping) and policy.hidden in v.values():
                return True
            if _hidden(v, policy):
                return True
    return False


def _floor(value: Any, policy: CountPolicy) -> Any:
    """``value`` rounded down to a multiple of the policy's :attr:`~CountPolicy.unit`."""
    if not _is_count(value):
        return value
    floored = (value // policy.unit) * policy.unit
    return floored if floored >= policy.min_count else policy.hidden


def _blur(answer: Any, policy: CountPolicy) -> Any:
    if isinstance(answer, list):
        return [_blur(item, policy) for item in answer]
    if not isinstance(answer, dict):
        return answer
    out = {key: _blur(value, policy) for key, value in answer.items()}
    sex = out.get("sex")
    if isinstance(sex, Mapping) and policy.hidden in sex.values():
        out["subjects_count"] = _floor(out.get("subjects_count"), policy)
    total = out.get("total")
    collections = out.get("collections")
    if isinstance(total, dict) and (isinstance(collections, list) or "facets" in out):
        incomplete = (
            isinstance(collections, list)
            and _is_count(total.get("collections"))
            and total["collections"] > len(collections)
        )
        if incomplete or _hidden(collections, policy) or _hidden(out.get("facets"), policy):
            out["total"] = {k: _floor(v, policy) if k in COUNT_KEYS else v for k, v in total.items()}
    return out


def exposed_counts(answer: Any) -> Iterable[int]:
    """Every number shown where :func:`protect` guards counts (what the property tests inspect)."""
    if isinstance(answer, list):
        for item in answer:
            yield from exposed_counts(item)
    elif isinstance(answer, Mapping):
        for key, value in answer.items():
            if key in COUNT_KEYS and _is_count(value):
                yield value
            elif key in BREAKDOWN_KEYS and isinstance(value, Mapping):
                yield from (v for v in value.values() if _is_count(v))
                yield from exposed_counts([v for v in value.values() if not _is_count(v)])
            else:
                yield from exposed_counts(value)


def authorised(token: str | None, tokens: Iterable[str]) -> bool:
    """Whether ``token`` is one of the configured access tokens (constant-time comparison)."""
    if not token:
        return False
    found = False
    for candidate in tokens:
        if candidate and hmac.compare_digest(token.encode(), candidate.encode()):
            found = True
    return found


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
