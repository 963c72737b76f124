"""The label index behind search and autocomplete: token postings, prefix ranges, typo tolerance.

Every label and synonym (all languages) of every concept, hyperontology and imported, is an *entry*.
Entries are numbered in static priority order (hyperontology preferred labels first, then its
synonyms, then imported labels; shorter before longer), so every posting list is already sorted by
priority and the first candidates found are the best ones. A query is normalised like the labels
(case, accents, Greek tonos, punctuation); its last word is a prefix (autocomplete); a word that is
not in the index is corrected to the closest indexed words (optimal string alignment distance, so a
swap of two letters is one edit: at most 1 edit for words up to 5 characters, 2 beyond).
"""

from __future__ import annotations

import bisect
import heapq
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from cikg.vocab.text import normalize

CANDIDATE_CAP = 4000
"""At most this many entries are scored per query (the best by static priority)."""
AUTOCOMPLETE_CAP = 300
"""The tighter cap of prefix (autocomplete) queries: only the best-priority candidates are scored."""
SHORT_PREFIX = 2
"""Prefixes up to this length have their best entries precomputed."""
SHORT_TOP = 256
FULL_PREFIX_SCORE = 92.0
"""The score of an entry whose whole label starts with the query (before tier and length penalties:
at most 0.5 per tier, 3 tiers, and 2.0 for length)."""
WORD_SCORE = 85.0
"""The best score of an entry matching the query word by word (plus 2.0 when its first word leads)."""
FUZZY_WORD_SCORE = 70.0
assert WORD_SCORE + 2.0 < FULL_PREFIX_SCORE - 3 * 0.5 - 2.0
MIN_TYPO_LENGTH = 3
"""Words shorter than this are never corrected (see ``_max_edits``)."""


@dataclass(frozen=True, slots=True)
class Entry:
    text: str
    target: int
    lang: str | None
    preferred: bool
    tier: int
    """0: hyperontology label, 1: hyperontology synonym / notation, 2: imported label, 3: imported synonym."""


@dataclass(frozen=True, slots=True)
class Match:
    target: int
    entry: int
    score: float


def _max_edits(word: str) -> int:
    return 0 if len(word) < MIN_TYPO_LENGTH else 1 if len(word) <= 5 else 2


class LabelIndex:
    """Built once from entries; read-only afterwards (safe to share between threads)."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        staged = [(e, normalize(e.text)) for e in entries]
        staged = [(e, n) for e, n in staged if n]
        staged.sort(key=lambda en: (en[0].tier, len(en[1]), en[1]))
        self.text: list[str] = [e.text for e, _ in staged]
        self.norm: list[str] = [n for _, n in staged]
        self.target = array("i", (e.target for e, _ in staged))
        self.lang: list[str | None] = [e.lang for e, _ in staged]
        self.tier = array("b", (e.tier for e, _ in staged))
        by_word: dict[str, list[int]] = {}
        for eid, norm in enumerate(self.norm):
            for tok in set(norm.split(" ")):
                by_word.setdefault(tok, []).append(eid)
        self.postings = Postings(by_word)
        self.tokens: list[str] = self.postings.words
        order = sorted(range(len(self.norm)), key=self.norm.__getitem__)
        self.full_sorted: list[str] = [self.norm[i] for i in order]
        self.full_ids = array("i", order)
        self._short: dict[str, list[int]] = {}
        self._build_short_prefixes()
        self._word_shapes: dict[tuple[int, int], list[str]] = {}
        self._prefix_shapes: dict[tuple[int, int], list[str]] = {}
        self._build_shapes()

    def __len__(self) -> int:
        return len(self.norm)

    # -- building blocks ----------------------------------------------------------------------------
    def _build_short_prefixes(self) -> None:
        prefixes = {tok[:n] for tok in self.tokens for n in range(1, min(len(tok), SHORT_PREFIX) + 1)}
        for prefix in prefixes:
            self._short[prefix] = self._best_of_run(prefix, SHORT_TOP)

    def _best_of_run(self, prefix: str, cap: int) -> list[int]:
        """The best ``cap`` entries of all the words starting with ``prefix`` (one contiguous run)."""
        lo = bisect.bisect_left(self.tokens, prefix)
        hi = bisect.bisect_left(self.tokens, prefix + "\uffff", lo)
        return heapq.nsmallest(cap, set(self.postings.run(lo, hi)))

    def _build_shapes(self) -> None:
        """Indexed words, and their distinct prefixes, grouped by shape (length, number of digits).

        One edit changes a word's length and its digit count by at most one, so a word within
        ``k`` edits of the query has a shape within ``k`` of the query's on both axes: typo
        correction only compares the query against those groups (a misspelt ``lymphom`` is never
        compared with the 100,000 numeric codes of an imported vocabulary).
        """
        words: dict[tuple[int, int], list[str]] = {}
        prefixes: dict[tuple[int, int], set[str]] = {}
        for tok in self.tokens:
            digits = 0
            for n, ch in enumerate(tok, start=1):
                digits += ch.isdigit()
                if n >= MIN_TYPO_LENGTH:
                    prefixes.setdefault((n, digits), set()).add(tok[:n])
            words.setdefault((len(tok), digits), []).append(tok)
        self._word_shapes = words
        self._prefix_shapes = {k: sorted(v) for k, v in prefixes.items()}

    def token_range(self, prefix: str) -> list[str]:
        lo = bisect.bisect_left(self.tokens, prefix)
        hi = bisect.bisect_left(self.tokens, prefix + "\uffff")
        return self.tokens[lo:hi]

    def prefix_entries(self, prefix: str, cap: int = CANDIDATE_CAP) -> list[int]:
        """Entries with a word starting with ``prefix``, best (lowest id) first, at most ``cap``."""
        if len(prefix) <= SHORT_PREFIX and cap <= SHORT_TOP:
            return self._short.get(prefix, [])[:cap]
        toks = self.token_range(prefix)
        if not toks:
            return []
        if len(toks) == 1:
            return list(self.postings.head(toks[0], cap))
        if len(toks) > 16:  # merging many short lists costs more than one pass over their run
            return self._best_of_run(prefix, cap)
        return _dedup_first(heapq.merge(*(self.postings[t] for t in toks)), cap)

    def prefix_size(self, prefix: str) -> int:
        lo = bisect.bisect_left(self.tokens, prefix)
        hi = bisect.bisect_left(self.tokens, prefix + "\uffff", lo)
        return self.postings.span(lo, hi)

    def full_prefix_entries(self, norm: str, cap: int) -> list[int]:
        """Entries whose whole normalised text starts with ``norm``."""
        lo = bisect.bisect_left(self.full_sorted, norm)
        hi = bisect.bisect_left(self.full_sorted, norm + "\uffff", lo)
        if hi - lo <= cap:
            return sorted(self.full_ids[lo:hi])
        return sorted(self.full_ids[lo : lo + cap])  # the alphabetically first: shortest completions

    def exact_entries(self, norm: str) -> list[int]:
        lo = bisect.bisect_left(self.full_sorted, norm)
        out = []
        while lo < len(self.full_sorted) and self.full_sorted[lo] == norm:
            out.append(self.full_ids[lo])
            lo += 1
        return sorted(out)

    def correct(self, word: str, *, prefix: bool = False, limit: int = 4) -> list[tuple[str, float]]:
        """Indexed words (or word prefixes, for the last word) within the edit budget of ``word``."""
        edits = _max_edits(word)
        if edits == 0:
            return []
        shapes = self._prefix_shapes if prefix else self._word_shapes
        size, digits = len(word), sum(ch.isdigit() for ch in word)
        found: list[tuple[str, int, int]] = []
        for n in range(max(size - edits, 1), size + edits + 1):
            for d in range(max(digits - edits, 0), min(digits + edits, n) + 1):
                choices = shapes.get((n, d))
                if choices:
                    found.extend(
                        process.extract(
                            word, choices, scorer=OSA.distance, score_cutoff=edits, limit=limit * 3
                        )
                    )
        out: dict[str, float] = {}  # best first: a word reached twice keeps its first (best) score
        for choice, dist, _ in sorted(found, key=lambda f: (f[1], f[0]))[: limit * 3]:
            sim = 1.0 - dist / max(size, 1)
            for tok in self.token_range(choice)[:limit] if prefix else (choice,):
                out.setdefault(tok, sim)
        return list(out.items())[: limit * 3]

    # -- the query --------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        prefix: bool = True,
        fuzzy: bool = True,
        accept: Sequence[bool] | None = None,
        langs: set[str] | None = None,
    ) -> list[Match]:
        """The best entry per target for ``query``; ``accept[target]`` filters targets (e.g. a branch)."""
        full = normalize(query)
        if not full:
            return []
        words = full.split(" ")
        scored: dict[int, tuple[float, int]] = {}  # target -> (best score, its entry)
        target, tier, norm, lang = self.target, self.tier, self.norm, self.lang
        qlen = len(full)

        def consider(eid: int, score: float) -> None:
            tgt = target[eid]
            if accept is not None and not accept[tgt]:
                return
            if langs is not None and lang[eid] is not None and lang[eid] not in langs:
                return
            score -= tier[eid] * 0.5
            extra = len(norm[eid]) - qlen
            if extra > 0:
                score -= min(extra, 40) * 0.05
            best = scored.get(tgt)
            if best is None or score > best[0]:
                scored[tgt] = (score, eid)

        for eid in self.exact_entries(full):
            consider(eid, 100.0)
        cap = AUTOCOMPLETE_CAP if prefix else CANDIDATE_CAP
        for eid in self.full_prefix_entries(full, cap if prefix else 0):
            consider(eid, FULL_PREFIX_SCORE)
        # word-level: every query word must match a word of the entry (the last one as a prefix).
        # A word-level match scores below every whole-label prefix match (at most
        # WORD_SCORE + 2 < FULL_PREFIX_SCORE - the largest penalty), so when the whole-label prefixes
        # already fill the page the word-level pass could not change it and is skipped.
        if not (prefix and len(scored) >= limit):
            self._word_matches(words, prefix, consider, corrected=False, cap=cap)
        if fuzzy and (not scored if prefix else len(scored) < limit):
            self._word_matches(words, prefix, consider, corrected=True, cap=cap)
        best = heapq.nsmallest(limit, scored.items(), key=lambda kv: (-kv[1][0], kv[1][1]))
        return [Match(tgt, eid, score) for tgt, (score, eid) in best]

    def _word_matches(
        self,
        words: list[str],
        prefix: bool,
        consider: Callable[[int, float], None],
        *,
        corrected: bool,
        cap: int = CANDIDATE_CAP,
    ) -> None:
        options: list[list[tuple[str, float, bool]]] = []  # per word: (word, similarity, as prefix)
        for i, word in enumerate(words):
            last = prefix and i == len(words) - 1
            opts: list[tuple[str, float, bool]] = []
            if last:
                if self.token_range(word):
                    opts.append((word, 1.0, True))
            elif word in self.postings:
                opts.append((word, 1.0, False))
            if corrected:
                have = {w for w, _, _ in opts}
                opts.extend((w, s, False) for w, s in self.correct(word, prefix=False) if w not in have)
                if last:
                    opts.extend((w, s, True) for w, s in self.correct(word, prefix=True) if w not in have)
            if not opts:
                if not corrected:
                    return
                continue  # a word nothing resembles: ignore it in fuzzy mode
            options.append(opts)
        if not options:
            return
        # In fuzzy mode a longer query may miss a word or two ("... του πνεύμονα" for a label without
        # "του"); an entry missing at most `missing` words holds one of the `missing + 1` rarest.
        missing = 0 if not corrected or len(options) < 3 else 1 if len(options) < 6 else 2
        sizes = [sum(self._size(w, p) for w, _, p in opts) for opts in options]
        order = sorted(range(len(options)), key=sizes.__getitem__)
        anchors = order[: missing + 1]
        anchor_ids: list[int] = []
        for a in anchors:
            for w, _, p in options[a]:
                anchor_ids.extend(self.prefix_entries(w, cap) if p else self.postings.head(w, cap))
        base = WORD_SCORE if not corrected else FUZZY_WORD_SCORE
        n_words = len(words)
        # the anchor's entries came from its postings: a single anchor option needs no re-check
        anchor = anchors[0]
        single = missing == 0 and len(options[anchor]) == 1
        anchor_sim = options[anchor][0][1] if single else 0.0
        checks = [opts for i, opts in enumerate(options) if not (single and i == anchor)]
        need = len(options) - missing
        first = words[0]
        norm = self.norm
        for eid in sorted(set(anchor_ids))[:cap]:
            text = norm[eid]
            ewords = text.split(" ")
            sim_total = anchor_sim
            matched = 1 if single else 0
            lost = 0
            for opts in checks:
                best = 0.0
                for w, s, p in opts:
                    if s > best and ((p and any(x.startswith(w) for x in ewords)) or (not p and w in ewords)):
                        best = s
                if best == 0.0:
                    lost += 1
                    if lost > missing:
                        break
                    continue
                sim_total += best
                matched += 1
            if matched < need:
                continue
            extra = max(len(ewords) - n_words, 0)
            score = base * (matched / n_words) * (sim_total / matched) - extra * 1.5
            if text.startswith(first):
                score += 2.0
            consider(eid, score)

    def _size(self, word: str, as_prefix: bool) -> int:
        if as_prefix:
            return self.prefix_size(word) if len(word) > SHORT_PREFIX else SHORT_TOP
        return self.postings.count(word)

    def similarity(self, query: str, eid: int) -> float:
        return float(fuzz.WRatio(normalize(query), self.norm[eid])) / 100.0


class Postings:
    """The entries (ascending ids) of every indexed word, all in one array: word ``i`` of the sorted
    ``words`` owns ``ids[start[i]:start[i + 1]]``, so a range of words sharing a prefix owns one
    contiguous run. Three objects instead of one array per word: the index's disk copy loads fast."""

    def __init__(self, by_word: dict[str, list[int]]) -> None:
        self.words: list[str] = sorted(by_word)
        self.ids = array("i")
        self.start = array("i", [0])
        for word in self.words:
            self.ids.extend(by_word[word])
            self.start.append(len(self.ids))

    def _find(self, word: str) -> int:
        i = bisect.bisect_left(self.words, word)
        return i if i < len(self.words) and self.words[i] == word else -1

    def __contains__(self, word: str) -> bool:
        return self._find(word) >= 0

    def __getitem__(self, word: str) -> array[int]:
        i = self._find(word)
        if i < 0:
            raise KeyError(word)
        return self.ids[self.start[i] : self.start[i + 1]]

    def head(self, word: str, cap: int) -> array[int]:
        """The first (best) ``cap`` entries of ``word`` (none when it is not indexed)."""
        i = self._find(word)
        if i < 0:
            return array("i")
        lo = self.start[i]
        return self.ids[lo : min(self.start[i + 1], lo + cap)]

    def count(self, word: str) -> int:
        i = self._find(word)
        return 0 if i < 0 else self.start[i + 1] - self.start[i]

    def run(self, lo: int, hi: int) -> array[int]:
        """The entries of words ``lo`` to ``hi - 1`` (positions in ``words``), word after word."""
        return self.ids[self.start[lo] : self.start[hi]]

    def span(self, lo: int, hi: int) -> int:
        """How many entries words ``lo`` to ``hi - 1`` (positions in ``words``) hold together."""
        return self.start[hi] - self.start[lo]


def _dedup_first(items: Iterator[int], cap: int) -> list[int]:
    out: list[int] = []
    last = -1
    for eid in items:
        if eid != last:
            out.append(eid)
            last = eid
            if len(out) >= cap:
                break
    return out
