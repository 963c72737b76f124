"""Suggestion quality on a labelled set: precision@1 and recall@5 (overall and per variation).

The labelled set is a TSV with the columns ``term``, ``kind`` (may be empty), ``expected`` (a concept
id, CURIE or code the vocabulary resolves) and optionally ``language`` and ``variation`` (how the
term differs from the concept's labels: abbreviation, typo, translation, local_code ...). The
project's own set is tests/data/mapping/local_terms_gold.tsv (`cikg map evaluate` runs it).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from cikg.mapping.suggest import Suggester
from cikg.vocab import UnknownTerm, Vocabulary, VocabularyError

GOLD_COLUMNS = ("term", "kind", "expected")


@dataclass
class Evaluation:
    total: int = 0
    top1: int = 0
    top5: int = 0
    by_variation: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    misses: list[tuple[str, str, str, list[str]]] = field(default_factory=list)
    unknown_expected: list[str] = field(default_factory=list)

    @property
    def precision_at_1(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def recall_at_5(self) -> float:
        return self.top5 / self.total if self.total else 0.0

    def report(self) -> str:
        lines = [
            f"{self.total} terms: precision@1 {self.precision_at_1:.3f}, recall@5 {self.recall_at_5:.3f}"
        ]
        for var, (n, t1, t5) in sorted(self.by_variation.items()):
            lines.append(f"  {var:15s} n={n:3d}  p@1 {t1 / n:.2f}  r@5 {t5 / n:.2f}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "terms": self.total,
            "precision_at_1": round(self.precision_at_1, 4),
            "recall_at_5": round(self.recall_at_5, 4),
            "by_variation": {
                var: {"terms": n, "precision_at_1": round(t1 / n, 4), "recall_at_5": round(t5 / n, 4)}
                for var, (n, t1, t5) in sorted(self.by_variation.items())
            },
            "misses": [
                {"term": term, "kind": kind, "expected": expected, "top5": got}
                for term, kind, expected, got in self.misses
            ],
            "unknown_expected": self.unknown_expected,
        }


def read_gold(path: Path) -> list[dict[str, str]]:
    """The labelled rows of a gold TSV (see the module docstring for its columns)."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = [c for c in GOLD_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise VocabularyError(
                f"{path}, line 1: a labelled set needs the columns {', '.join(GOLD_COLUMNS)} "
                f"(missing: {', '.join(missing)})"
            )
        rows = []
        for row in reader:
            if not (row.get("term") or "").strip():
                continue
            row.setdefault("variation", "")
            row["variation"] = row.get("variation") or "unspecified"
            row["kind"] = row.get("kind") or ""
            rows.append(row)
        return rows


def evaluate(vocab: Vocabulary, gold: list[dict[str, str]], *, use_kind: bool = True) -> Evaluation:
    suggester = Suggester(vocab)
    ev = Evaluation()
    for row in gold:
        expected = row["expected"]
        if expected not in vocab.concepts:
            try:
                expected = vocab.resolve(expected).id
            except UnknownTerm:
                ev.unknown_expected.append(row["expected"])
                continue
        kind = (row["kind"] or None) if use_kind else None
        got = [c.concept_id for c in suggester.suggest(row["term"], kind)]
        ev.total += 1
        stats = ev.by_variation[row["variation"]]
        stats[0] += 1
        if got[:1] == [expected]:
            ev.top1 += 1
            stats[1] += 1
        if expected in got[:5]:
            ev.top5 += 1
            stats[2] += 1
        if got[:1] != [expected]:
            ev.misses.append((row["term"], row["kind"], expected, got[:5]))
    return ev
