"""Ranked concept suggestions for a site's local terms (abbreviations, misspellings, other
languages, embedded codes), written as SSSOM with ``semapv:LexicalMatching``.

Each candidate carries a confidence in [0, 1] and the rule that produced it:
* ``code``: a code found in the term (ICD-10 ``C34.1``, ICD-O ``8140/3``, a SNOMED id or OMOP
  concept id, a CURIE or a scheme name and code such as ``NCIT C3058``, a DICOM UID) resolves to
  the concept through the ontology's mappings (confidence by predicate);
* ``exact``: the normalised term (case, accents, punctuation) equals a label or synonym;
* ``expanded``: equal after expanding abbreviations and dropping stop words;
* ``fuzzy``: string similarity (rapidfuzz: token sort / token set / edit ratio) to the labels and
  synonyms in every language, plus the term index's typo-tolerant word search.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

from cikg import namespaces
from cikg.mapping.lexicon import ABBREVIATIONS, STOPWORDS
from cikg.vocab import UnknownTerm, Vocabulary, VocabularyError
from cikg.vocab.text import compact, fold, normalize

TOP = 5
_ICD10 = re.compile(r"(?<![A-Za-z0-9])([A-Z]\d\d(?:\.\d{1,2})?)(?![A-Za-z0-9])")
_ICDO_MORPH = re.compile(r"(?<!\d)(\d{4}/\d)(?!\d)")
_SCTID = re.compile(r"(?<![\d.])(\d{6,18})(?![\d.])")
_UID = re.compile(r"(?<![\d.])(1\.2\.840\.[\d.]*\d)")
_CURIE = re.compile(r"\b([A-Za-z][A-Za-z0-9_-]*:[A-Za-z0-9_./-]+)")
_SCHEME_SPACE_CODE = re.compile(r"\b([A-Za-z][A-Za-z0-9_-]*)\s+([A-Za-z]{0,3}\d[A-Za-z0-9_./-]*)")
"""``NCIT C3058``, ``OMOP 4115276``: a scheme name, a space, a code (kept when the scheme is known)."""
_CODE_WORDS = re.compile(r"\b(icd-?10|icd-?o-?3?|snomed(?:ct)?|sct|cie-?10|code|codigo|código)\b", re.I)
CODE_CONFIDENCE = {
    "skos:exactMatch": 0.98,
    "owl:equivalentClass": 0.98,
    "skos:closeMatch": 0.9,
    "skos:narrowMatch": 0.88,
    "skos:broadMatch": 0.6,
    "skos:relatedMatch": 0.5,
}


@dataclass(frozen=True)
class Candidate:
    concept_id: str
    label: str
    confidence: float
    rule: str
    matched: str


class Suggester:
    """Suggests hyperontology concepts for free-text local terms (build once per vocabulary)."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab

    @cached_property
    def _entries(self) -> dict[str | None, tuple[list[str], list[str], list[bool]]]:
        """Per branch root (None: all): normalised label texts, their concept ids, preferred flags."""
        out: dict[str | None, tuple[list[str], list[str], list[bool]]] = {}
        all_texts: list[str] = []
        all_ids: list[str] = []
        all_pref: list[bool] = []
        for cid, c in self.vocab.concepts.items():
            texts = [(t, p) for t, _, p in c.all_labels()] + [(n, False) for n in c.notations]
            for text, pref in texts:
                norm = _clean(text)
                if not norm:
                    continue
                all_texts.append(norm)
                all_ids.append(cid)
                all_pref.append(pref)
        out[None] = (all_texts, all_ids, all_pref)
        for root in self.vocab.branches():
            members = self.vocab.descendants(root)
            idx = [i for i, cid in enumerate(all_ids) if cid in members]
            out[root] = ([all_texts[i] for i in idx], [all_ids[i] for i in idx], [all_pref[i] for i in idx])
        return out

    def suggest(self, term: str, kind: str | None = None, top: int = TOP) -> list[Candidate]:
        root = self.vocab.branch_root(kind) if kind else None
        best: dict[str, Candidate] = {}

        def offer(cid: str, conf: float, rule: str, matched: str) -> None:
            if root is not None and cid != root and root not in self.vocab.ancestors(cid):
                return
            old = best.get(cid)
            if old is None or conf > old.confidence:
                best[cid] = Candidate(
                    cid, self.vocab.concepts[cid].label(), round(min(conf, 1.0), 4), rule, matched
                )

        raw = term.strip()
        if not raw:
            return []
        # 1. codes inside the term
        for code in _codes(raw):
            try:
                res = self.vocab.resolve_match(code, branch=root)
            except (UnknownTerm, VocabularyError):
                continue
            offer(
                res.concept.id,
                CODE_CONFIDENCE.get(res.predicate, 0.5),
                f"code {res.via} {res.predicate}",
                code,
            )
        text = _CODE_WORDS.sub(" ", _strip_codes(raw))
        norm = _clean(text)
        if norm:
            # 2. exact label / synonym / notation
            folded = fold(text).strip()
            for cid in self.vocab.exact_label(text, root):
                same = any(fold(t).strip() == folded for t, _, _ in self.vocab.concepts[cid].all_labels())
                # equal after normalisation only (e.g. "T2" vs "T2*"): a hair below a literal match
                offer(cid, 1.0 if same else 0.985, "exact label or synonym", text)
            if root is not None and kind is not None:
                mapped = self.vocab.map_value(kind, text) if kind in _KINDS else None
                if mapped:
                    offer(mapped, 0.98, "exact value (DICOM term / synonym)", text)
            # 3. abbreviations expanded, stop words dropped
            for variant in _variants(norm):
                for cid in self.vocab.exact_label(variant, root):
                    offer(cid, 0.95, f"expanded abbreviation: {variant}", variant)
            # 4. fuzzy
            self._fuzzy(norm, root, offer)
        ranked = sorted(
            best.values(), key=lambda c: (-c.confidence, self.vocab.depth(c.concept_id), c.concept_id)
        )
        return ranked[:top]

    def _fuzzy(self, norm: str, root: str | None, offer: Callable[[str, float, str, str], None]) -> None:
        texts, ids, prefs = self._entries.get(root) or self._entries[None]
        queries = dict.fromkeys([norm, *_variants(norm)])
        for q in queries:
            if not q:
                continue
            for scorer, weight, name in (
                (fuzz.token_sort_ratio, 1.0, "token sort"),
                (fuzz.token_set_ratio, 0.85, "token set"),
                (fuzz.ratio, 1.0, "edit ratio"),
            ):
                for _, score, i in process.extract(q, texts, scorer=scorer, limit=8, score_cutoff=55):
                    conf = score / 100.0 * weight * (0.9 if q != norm else 0.92)
                    if scorer is fuzz.token_set_ratio:
                        # a label holding fewer words than the term scores 100 when they are a subset
                        # ("tumor" in "tumor maligno pulmon"): the broader concept, not the answer
                        n_label = texts[i].count(" ") + 1
                        n_query = len([w for w in q.split(" ") if w not in STOPWORDS]) or 1
                        if n_label < n_query:
                            conf *= 0.85 + 0.15 * n_label / n_query
                    if not prefs[i]:
                        conf *= 0.99
                    offer(ids[i], conf, f"fuzzy {name} {score:.0f}", texts[i])
            squeezed = compact(q)
            if len(squeezed) >= 4:
                for _, score, i in process.extract(
                    squeezed, [compact(t) for t in texts], scorer=fuzz.ratio, limit=5, score_cutoff=80
                ):
                    offer(ids[i], score / 100.0 * 0.9, f"fuzzy compact {score:.0f}", texts[i])
        for hit in self.vocab.search(norm, branch=root, prefix=False, imported=False, limit=5):
            offer(hit.id, min(hit.score, 0.9) * 0.9, "term index word match", hit.matched)


_KINDS = {
    "modality",
    "body_part",
    "manufacturer",
    "sex",
    "laterality",
    "sop_class",
    "acquisition_semantics",
    "condition",
}


def _clean(text: str) -> str:
    return normalize(text)


def _codes(raw: str) -> list[str]:
    found: list[str] = []
    for m in _CURIE.finditer(raw):
        found.append(m.group(1))
    for m in _UID.finditer(raw):
        found.append(f"DICOMUID:{m.group(1)}")
    for m in _ICDO_MORPH.finditer(raw):
        found.append(f"ICDO3:{m.group(1)}")
    for m in _ICD10.finditer(raw.upper()):
        found.append(f"ICD10:{m.group(1)}")
    for m in _SCHEME_SPACE_CODE.finditer(raw):
        scheme = namespaces.converter().lookup(m.group(1))
        if scheme is not None:
            found.append(f"{scheme.prefix}:{m.group(2)}")
    for m in _SCTID.finditer(raw):  # a long bare number: a SNOMED CT id or an OMOP concept id
        found.append(f"SNOMEDCT:{m.group(1)}")
        found.append(f"OMOP:{m.group(1)}")
    return list(dict.fromkeys(found))


def _strip_codes(raw: str) -> str:
    text = _UID.sub(" ", raw)
    text = _ICDO_MORPH.sub(" ", text)
    text = _SCTID.sub(" ", text)
    text = re.sub(r"(?<![A-Za-z0-9])[A-Z]\d\d(?:\.\d{1,2})?(?![A-Za-z0-9])", " ", text)
    return text


def _variants(norm: str) -> list[str]:
    """Abbreviations expanded (each alternative), and stop words dropped."""
    words = norm.split(" ")
    options: list[list[str]] = []
    for w in words:
        alts = [w, *ABBREVIATIONS.get(w, ())]
        options.append(alts)
    out: list[str] = []
    # one expansion at a time keeps this small: first alternative of every word, then each other one
    base = [o[1] if len(o) > 1 else o[0] for o in options]
    out.append(" ".join(base))
    for i, alts in enumerate(options):
        for alt in alts[2:]:
            out.append(" ".join([*base[:i], alt, *base[i + 1 :]]))
    no_stop = [w for w in norm.split(" ") if w not in STOPWORDS]
    out.append(" ".join(no_stop))
    out.append(" ".join(w for w in " ".join(base).split(" ") if w not in STOPWORDS))
    return [v for v in dict.fromkeys(out) if v and v != norm]


def suggest_all(
    vocab: Vocabulary, terms: Iterable[tuple[str, str | None]], top: int = TOP
) -> list[list[Candidate]]:
    s = Suggester(vocab)
    return [s.suggest(t, k, top) for t, k in terms]
