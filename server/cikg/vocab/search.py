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
SHORT_PREFIX = 2
"""Prefixes up to this length have their best entries precomputed."""
SHORT_TOP = 256


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
    return 0 if len(word) <= 2 else 1 if len(word) <= 5 else 2


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
        postings: dict[str, list[int]] = {}
        for eid, norm in enumerate(self.norm):
            for tok in set(norm.split(" ")):
                postings.setdefault(tok, []).append(eid)
        self.postings: dict[str, array[int]] = {t: array("i", ids) for t, ids in postings.items()}
        self.tokens: list[str] = sorted(self.postings)
        order = sorted(range(len(self.norm)), key=self.norm.__getitem__)
        self.full_sorted: list[str] = [self.norm[i] for i in order]
        self.full_ids = array("i", order)
        self._short: dict[str, list[int]] = {}
        self._prefix_cache: dict[int, tuple[list[str], dict[str, list[str]]]] = {}
        self._build_short_prefixes()

    def __len__(self) -> int:
        return len(self.norm)

    # -- building blocks ----------------------------------------------------------------------------
    def _build_short_prefixes(self) -> None:
        groups: dict[str, list[str]] = {}
        for tok in self.tokens:
            for n in range(1, SHORT_PREFIX + 1):
                if len(tok) >= n:
                    groups.setdefault(tok[:n], []).append(tok)
        for prefix, toks in groups.items():
            merged = heapq.merge(*(self.postings[t] for t in toks))
            self._short[prefix] = _dedup_first(merged, SHORT_TOP)

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
            return list(self.postings[toks[0]][:cap])
        return _dedup_first(heapq.merge(*(self.postings[t] for t in toks)), cap)

    def prefix_size(self, prefix: str) -> int:
        return sum(len(self.postings[t]) for t in self.token_range(prefix))

    def full_prefix_entries(self, norm: str, cap: int) -> list[int]:
        """Entries whose whole normalised text starts with ``norm``."""
        lo = bisect.bisect_left(self.full_sorted, norm)
        hi = bisect.bisect_left(self.full_sorted, norm + "\uffff", lo)
        if hi - lo <= cap:
            return sorted(self.full_ids[lo:hi])
        return heapq.nsmallest(cap, self.full_ids[lo:hi])

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
        if prefix:
            choices, expand = self._prefixes_of_length(len(word))
        else:
            choices, expand = self.tokens, {}
        found = process.extract(word, choices, scorer=OSA.distance, score_cutoff=edits, limit=limit * 3)
        out: list[tuple[str, float]] = []
        for choice, dist, _ in sorted(found, key=lambda f: (f[1], f[0])):
            sim = 1.0 - dist / max(len(word), 1)
            if prefix:
                out.extend((tok, sim) for tok in expand.get(choice, [choice])[:limit])
            else:
                out.append((choice, sim))
        return out[: limit * 3]

    def _prefixes_of_length(self, n: int) -> tuple[list[str], dict[str, list[str]]]:
        cached = self._prefix_cache.get(n)
        if cached is None:
            expand: dict[str, list[str]] = {}
            for tok in self.tokens:
                expand.setdefault(tok[:n], []).append(tok)
            cached = (sorted(expand), expand)
            self._prefix_cache[n] = cached
        return cached

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
        scored: dict[int, Match] = {}

        def consider(eid: int, score: float) -> None:
            tgt = self.target[eid]
            if accept is not None and not accept[tgt]:
                return
            if langs is not None and self.lang[eid] is not None and self.lang[eid] not in langs:
                return
            score -= self.tier[eid] * 0.5
            score -= min(len(self.norm[eid]) - len(full), 40) * 0.05 if len(self.norm[eid]) > len(full) else 0
            best = scored.get(tgt)
            if best is None or score > best.score:
                scored[tgt] = Match(tgt, eid, score)

        for eid in self.exact_entries(full):
            consider(eid, 100.0)
        for eid in self.full_prefix_entries(full, CANDIDATE_CAP if prefix else 0):
            consider(eid, 92.0)
        # word-level: every query word must match a word of the entry (the last one as a prefix)
        self._word_matches(words, prefix, consider, corrected=False)
        if fuzzy and len(scored) < limit:
            self._word_matches(words, prefix, consider, corrected=True)
        ranked = sorted(scored.values(), key=lambda m: (-m.score, m.entry))
        return ranked[:limit]

    def _word_matches(
        self, words: list[str], prefix: bool, consider: Callable[[int, float], None], *, corrected: bool
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
        # anchor on the word with the fewest candidate entries
        sizes = [sum(self._size(w, p) for w, _, p in opts) for opts in options]
        anchor = min(range(len(options)), key=sizes.__getitem__)
        anchor_ids: list[int] = []
        for w, _, p in options[anchor]:
            anchor_ids.extend(self.prefix_entries(w) if p else self.postings[w][:CANDIDATE_CAP])
        base = 85.0 if not corrected else 70.0
        n_words = len(words)
        for eid in sorted(set(anchor_ids))[:CANDIDATE_CAP]:
            ewords = self.norm[eid].split(" ")
            sim_total = 0.0
            ok = True
            for opts in options:
                best = 0.0
                for w, s, p in opts:
                    if (p and any(x.startswith(w) for x in ewords)) or (not p and w in ewords):
                        best = max(best, s)
                if best == 0.0:
                    ok = False
                    break
                sim_total += best
            if not ok:
                continue
            coverage = len(options) / n_words
            extra = max(len(ewords) - n_words, 0)
            score = base * coverage * (sim_total / len(options)) - extra * 1.5
            if self.norm[eid].startswith(words[0]):
                score += 2.0
            consider(eid, score)

    def _size(self, word: str, as_prefix: bool) -> int:
        if as_prefix:
            return self.prefix_size(word) if len(word) > SHORT_PREFIX else SHORT_TOP
        return len(self.postings.get(word, ()))

    def similarity(self, query: str, eid: int) -> float:
        return float(fuzz.WRatio(normalize(query), self.norm[eid])) / 100.0


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
