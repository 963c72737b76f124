"""The label index behind search and autocomplete, on a synthetic vocabulary shaped like an Athena import
(a few medical words recombined, each label ending in a numeric code): typo correction, prefix pages,
and that the shortcuts the index takes never change the answer."""

from __future__ import annotations

import random

import pytest

from cikg.vocab.search import Entry, LabelIndex

WORDS = [
    "malignant",
    "neoplasm",
    "carcinoma",
    "adenocarcinoma",
    "squamous",
    "cell",
    "small",
    "lung",
    "breast",
    "prostate",
    "colon",
    "hepatocellular",
    "kidney",
    "bladder",
    "lymphoma",
    "leukaemia",
    "melanoma",
    "sarcoma",
    "lobe",
    "left",
    "right",
    "primary",
    "secondary",
    "childhood",
    "familial",
    "oesophageal",
    "nasopharyngeal",
    "retinoblastoma",
]


@pytest.fixture(scope="module")
def index() -> LabelIndex:
    rng = random.Random(3)
    entries = [Entry("Lung cancer", 0, "en", True, 0), Entry("Carcinoma de pulmón", 0, "es", False, 1)]
    for i in range(1, 6000):
        text = " ".join(rng.sample(WORDS, rng.randint(2, 4))) + f" {i}"
        entries.append(Entry(text, i, "en", True, 2))
        if i % 2:
            entries.append(Entry(text + " synonym", i, "en", False, 3))
    return LabelIndex(entries)


def test_typo_correction_finds_the_word_and_never_compares_numeric_codes(index: LabelIndex) -> None:
    assert index.correct("lymphmoa")[0][0] == "lymphoma"
    assert index.correct("kdiney")[0][0] == "kidney"
    assert index.correct("heptaocell", prefix=True) == [("hepatocellular", 0.9)]  # one entry per word
    assert index.correct("lung") == [("lung", 1.0)]
    # words are compared only with words of nearly the same shape (length, digits), so never with codes
    assert index.correct("lugn") == [("lung", 0.75)]
    codes = index.correct("4711")
    assert codes[0] == ("4711", 1.0) and all(w.isdigit() for w, _ in codes)
    assert index.correct("ab") == []  # too short to correct


@pytest.mark.parametrize(
    "query,expected",
    [("heptaocell", "hepatocellular"), ("kdiney lobe", "kidney"), ("lugn canc", "lung")],
)
def test_typos_in_autocomplete(index: LabelIndex, query: str, expected: str) -> None:
    top = index.search(query, limit=5)
    assert len(top) == 5 and all(expected in index.norm[m.entry] for m in top)
    if query == "lugn canc":
        assert index.norm[top[0].entry] == "lung cancer"


def test_skipping_the_word_pass_never_changes_the_page(index: LabelIndex) -> None:
    """A page filled by whole-label prefix matches is the top of the unabridged ranking."""
    rng = random.Random(5)
    queries = [w[: rng.randint(1, len(w))] for w in WORDS] + ["lung c", "small ce", "carcinoma de p"]
    for q in queries:
        page = index.search(q, limit=10)
        full = index.search(q, limit=100_000)  # never filled by prefix matches alone: every pass runs
        assert [(m.target, m.score) for m in page] == [(m.target, m.score) for m in full[:10]], q


def test_ranking_and_filters(index: LabelIndex) -> None:
    assert index.target[index.search("lung cancer")[0].entry] == 0
    assert index.target[index.search("carcinoma de pulm")[0].entry] == 0
    accept = [False] * 6000
    accept[7] = True
    assert {m.target for m in index.search("a", accept=accept)} <= {7}
    assert index.target[index.search("pulmon")[0].entry] == 0
    assert index.search("pulmon", langs={"en"}) == []  # only the Spanish label has it
    assert index.search("  ") == []


def test_a_longer_query_may_miss_a_word_when_nothing_matches_all(index: LabelIndex) -> None:
    # "left" is an indexed word, but no label has lung, cancer and left: the best partial match wins
    top = index.search("lung cancer left", limit=3)
    assert index.norm[top[0].entry] == "lung cancer"
    assert top[0].score < index.search("lung cancer", limit=1)[0].score
    # two words are not enough to drop one
    assert index.search("cancer left", fuzzy=True) == []
