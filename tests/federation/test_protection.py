"""Count protection: no count below k in what anonymous and federated callers see (property-based)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cikg.federation import CountPolicy, exposed_counts, merge, protect
from cikg.federation.hub import NodeAnswer
from cikg.federation.nodes import Node

counts = st.integers(min_value=0, max_value=500)
policies = st.builds(CountPolicy, min_count=st.integers(1, 50), step=st.sampled_from([0, 1, 5, 10, 25]))


@st.composite
def collections(draw: Any) -> dict[str, Any]:
    return {
        "id": draw(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)),
        "title": draw(st.text(max_size=10)),
        "subjects_count": draw(counts),
        "studies_count": draw(counts),
        "series_count": draw(counts),
        "age_range": {"min": draw(st.integers(0, 40)), "max": draw(st.integers(40, 90))},
        "sex": {k: draw(counts) for k in ("female", "male", "other", "unknown")},
        "modalities": draw(st.lists(st.sampled_from(["CT", "MR", "PT"]), max_size=3)),
        "subjects": ["never", "shown"],
    }


@st.composite
def answers(draw: Any) -> dict[str, Any]:
    cols = draw(st.lists(collections(), max_size=6))
    facet = st.fixed_dictionaries({"id": st.sampled_from(["CT", "MR", "lung"]), "label": st.text(max_size=4)})
    return {
        "total": {
            "collections": len(cols),
            "subjects_count": sum(c["subjects_count"] for c in cols),
            "studies_count": sum(c["studies_count"] for c in cols),
        },
        "collections": cols,
        "facets": {
            "modality": [dict(f, count=draw(counts)) for f in draw(st.lists(facet, max_size=3))],
        },
        "page": 1,
        "page_size": 50,
    }


@given(answers(), policies)
def test_no_count_below_k_in_a_protected_answer(answer: dict[str, Any], policy: CountPolicy) -> None:
    shown = protect(answer, policy)
    assert all(n >= policy.min_count for n in exposed_counts(shown))
    assert all("subjects" not in c for c in shown["collections"])
    # what is hidden is shown as "<k", and nothing else changes shape
    for raw, out in zip(answer["collections"], shown["collections"], strict=True):
        if raw["subjects_count"] < policy.min_count:
            assert out["subjects_count"] == f"<{policy.min_count}"
        assert out["age_range"] == raw["age_range"] and out["id"] == raw["id"]
    assert shown["total"]["collections"] == answer["total"]["collections"]
    # no differencing: where a part is hidden, the whole is an interval as wide as "<k"
    k, unit = policy.min_count, policy.unit
    assert unit >= k
    for out in shown["collections"]:
        if f"<{k}" in out["sex"].values() and isinstance(out["subjects_count"], int):
            assert out["subjects_count"] % unit == 0
    parts = [c[f] for c in shown["collections"] for f in ("subjects_count", "studies_count")]
    parts += [f["count"] for f in shown["facets"]["modality"]]
    if f"<{k}" in parts:
        assert all(
            not isinstance(shown["total"][f], int) or shown["total"][f] % unit == 0
            for f in ("subjects_count", "studies_count")
        )
    assert protect(shown, policy) == shown  # idempotent


@settings(max_examples=60)
@given(st.lists(answers(), min_size=1, max_size=5), policies, st.data())
def test_no_count_below_k_in_a_federated_answer(
    node_answers: list[dict[str, Any]], policy: CountPolicy, data: st.DataObject
) -> None:
    """Nodes protect their own answers (or send exact ones to an authorised hub): the merged answer
    never shows a count below k either way, sums included."""
    got = []
    for i, a in enumerate(node_answers):
        at_node = protect(a, policy) if data.draw(st.booleans()) else a
        got.append(NodeAnswer(Node(f"n{i}", f"n{i}", f"http://n{i}"), "ok", 1.0, answer=at_node))
    merged = merge(got, policy)
    assert all(n >= policy.min_count for n in exposed_counts(merged))
    assert len(merged["collections"]) == sum(len(a["collections"]) for a in node_answers)


@given(counts, policies)
def test_rounding_never_shows_below_k_and_is_idempotent(n: int, policy: CountPolicy) -> None:
    shown = policy.show(n)
    if n < policy.min_count:
        assert shown == f"<{policy.min_count}"
    else:
        assert isinstance(shown, int) and shown >= policy.min_count
        assert policy.show(shown) == shown
        if policy.step > 1:
            assert shown % policy.step == 0 or shown == policy.min_count
            assert abs(shown - n) <= max(policy.step, policy.min_count)


def test_a_hidden_part_is_not_given_away_by_its_whole() -> None:
    p = CountPolicy(10)
    record = {"subjects_count": 27, "sex": {"female": 24, "male": 3, "other": 0, "unknown": 0}}
    assert protect(record, p) == {
        "subjects_count": 20,
        "sex": {"female": 24, "male": "<10", "other": "<10", "unknown": "<10"},
    }
    answer = {
        "total": {"collections": 2, "subjects_count": 35, "studies_count": 40},
        "collections": [
            {"id": "a", "subjects_count": 30, "studies_count": 31},
            {"id": "b", "subjects_count": 5, "studies_count": 9},
        ],
    }
    assert protect(answer, p)["total"] == {"collections": 2, "subjects_count": 30, "studies_count": 40}
    nothing_hidden = {
        "total": {"collections": 1, "subjects_count": 35},
        "collections": [{"id": "a", "subjects_count": 35}],
    }
    assert protect(nothing_hidden, p) == nothing_hidden
    paged = {
        "total": {"collections": 2, "subjects_count": 35},
        "collections": [{"id": "a", "subjects_count": 30}],
    }
    assert protect(paged, p)["total"]["subjects_count"] == 30  # the other page may hide a count


def test_threshold_examples() -> None:
    p = CountPolicy(10)
    assert [p.show(n) for n in (0, 1, 9, 10, 11)] == ["<10", "<10", "<10", 10, 11]
    r = CountPolicy(10, step=5)
    assert [r.show(n) for n in (9, 10, 12, 13, 17, 18)] == ["<10", 10, 10, 15, 15, 20]
    with pytest.raises(ValueError, match="min_count"):
        CountPolicy(0)
    # booleans are not counts; strings already protected pass through
    assert protect({"count": True, "subjects_count": "<10"}, p) == {"count": True, "subjects_count": "<10"}


def test_authorisation_is_by_exact_token() -> None:
    from cikg.federation import authorised, bearer_token

    assert authorised("s3cret", ["other", "s3cret"])
    assert not authorised("s3cre", ["s3cret"])
    assert not authorised(None, ["s3cret"]) and not authorised("", [""])
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("Basic abc") is None and bearer_token(None) is None


def test_sums_do_not_reveal_a_count_hidden_at_a_node() -> None:
    """A hub with exact counts from one node (it holds that node's token) protects each part before
    adding: sum minus the other visible parts never gives away a hidden count."""
    policy = CountPolicy(10)
    exact = {
        "total": {"subjects_count": 9, "studies_count": 30},
        "collections": [{"id": "a", "subjects_count": 9}],
    }
    other = protect({"total": {"subjects_count": 11, "studies_count": 12}, "collections": []}, policy)
    got = [
        NodeAnswer(Node("n0", "n0", "http://n0"), "ok", 1.0, answer=exact),
        NodeAnswer(Node("n1", "n1", "http://n1"), "ok", 1.0, answer=other),
    ]
    merged = merge(got, policy)
    # node n0's answer hides a collection count: its studies total is shown floored (30), n1's is 12
    assert merged["total"]["subjects_count"] == 11 and merged["total"]["approximate"] is True
    assert merged["total"]["studies_count"] == 42
    assert merge(got, None)["total"]["subjects_count"] == 20  # an authorised caller sees exact sums
