"""Cohort questions on the IDC harvest: cikg's search vs the same questions as SQL in DuckDB, same run.

    python bench/search_idc.py --data-dir /tmp/idc-full [--repeat 30] [--warmup 3] [--json out.json]

``--data-dir`` holds a store built by ``cikg harvest idc``. For every question the script times
``Catalogue.search`` (the columnar search index with ontology expansion: concept ids resolved and
expanded to their descendants per request) and the equivalent DuckDB SQL over the idc-index-data
parquet (loaded once into DuckDB in-memory tables, the strongest form of how ``idc-index`` answers
such questions; the steward mapping is given to DuckDB as a value -> concept table and the ontology as
an ancestor -> descendant closure table, so both sides do the same expansion). Prints p50 / p99 per
question (p99 of ``--repeat`` runs), the DuckDB / cikg ratio at p50, whether the per-collection subject
counts are identical (they must be where the question is the same), and the process's memory.

Subjects are (collection, patient) pairs; a subject matches when at least one of its series satisfies
each criterion (docs/search.md: subject grain); conditions are the collection's (IDC links none to
series).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cikg.catalogue import Catalogue
from cikg.harvest.idc import SOURCE_PREFIX, IdcIndex, split_values
from cikg.settings import Settings

AGE = (
    "(SELECT CASE WHEN a IS NULL THEN NULL ELSE least(90, a) END FROM (SELECT "
    "TRY_CAST(regexp_extract(PatientAge, '^(\\d{3})[DWMY]$', 1) AS INTEGER) "
    "// CASE regexp_extract(PatientAge, '^\\d{3}([DWMY])$', 1) "
    "WHEN 'Y' THEN 1 WHEN 'M' THEN 12 WHEN 'W' THEN 52 WHEN 'D' THEN 365 END AS a))"
)
"""DICOM PatientAge (nnnY / nnnM / nnnW / nnnD) in whole years, capped at 90, as cikg reads it."""


def rss_mib() -> float:
    """Current resident set size (VmRSS) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- DuckDB side -------------------------------------------------------------------------------------------


def harvested(cat: Catalogue) -> list[str]:
    """The IDC collection ids the store holds (every collection after a full harvest)."""
    prefix = "urn:cikg:source:" + SOURCE_PREFIX
    return sorted(s.source[len(prefix) :] for s in cat.sources() if s.source.startswith(prefix))


def duckdb_setup(cat: Catalogue, threads: int) -> Any:
    """In-memory tables: the series columns the questions use (of the harvested collections), the
    value -> concept mapping (the steward's reviewed mappings as cikg applies them), per-collection
    conditions and the ontology closure."""
    vocab = cat.vocabulary
    con = IdcIndex.installed().connect(memory_limit="4GB", threads=threads)
    con.execute("CREATE TABLE harvested (collection_id VARCHAR)")
    con.executemany("INSERT INTO harvested VALUES (?)", [(c,) for c in harvested(cat)])
    con.execute(
        f"""CREATE TABLE s AS SELECT collection_id, PatientID, StudyInstanceUID, Modality, BodyPartExamined,
        Manufacturer, PatientSex, {AGE} AS age FROM series
        WHERE collection_id IN (SELECT collection_id FROM harvested)"""
    )
    rows: list[tuple[str, str, str]] = []
    for kind, column in (
        ("modality", "Modality"),
        ("body_part", "BodyPartExamined"),
        ("manufacturer", "Manufacturer"),
    ):
        for (value,) in con.execute(f"SELECT DISTINCT {column} FROM s WHERE {column} IS NOT NULL").fetchall():
            concept = vocab.map_value(kind, value)
            if concept:
                rows.append((kind, value, concept))
    for value in ("F", "M", "O"):
        concept = vocab.map_value("sex", value)
        if concept:
            rows.append(("sex", value, concept))
    con.execute("CREATE TABLE value_map (kind VARCHAR, value VARCHAR, concept VARCHAR)")
    con.executemany("INSERT INTO value_map VALUES (?, ?, ?)", rows)
    conds: list[tuple[str, str]] = []
    sql = (
        "SELECT collection_id, cancer_types FROM collections WHERE collection_id IN (SELECT * FROM harvested)"
    )
    for cid, text in con.execute(sql).fetchall():
        for value in split_values(text):
            concept = vocab.map_value("condition", value)
            if concept:
                conds.append((cid, concept))
    con.execute("CREATE TABLE coll_cond (collection_id VARCHAR, concept VARCHAR)")
    con.executemany("INSERT INTO coll_cond VALUES (?, ?)", sorted(set(conds)))
    closure: set[tuple[str, str]] = set()
    used = {c for _, _, c in rows} | {c for _, c in conds}
    for concept in used:
        for ancestor in vocab.ancestors(concept, include_self=True):
            closure.add((ancestor, concept))
    con.execute("CREATE TABLE closure (ancestor VARCHAR, concept VARCHAR)")
    con.executemany("INSERT INTO closure VALUES (?, ?)", sorted(closure))
    # one row per series with its mapped concepts (what a user of the index with a mapping table has)
    con.execute(
        """CREATE TABLE sx AS SELECT s.collection_id, s.PatientID, s.age, s.Modality,
             bp.concept AS body_part, mf.concept AS manufacturer, sx.concept AS sex
           FROM s
           LEFT JOIN value_map bp ON bp.kind = 'body_part' AND bp.value = s.BodyPartExamined
           LEFT JOIN value_map mf ON mf.kind = 'manufacturer' AND mf.value = s.Manufacturer
           LEFT JOIN value_map sx ON sx.kind = 'sex' AND sx.value = s.PatientSex"""
    )
    return con


def under(field: str, concept: str) -> str:
    """SQL: the series' ``field`` concept is ``concept`` or one of its descendants."""
    return f"{field} IN (SELECT concept FROM closure WHERE ancestor = '{concept}')"


def cond(concept: str) -> str:
    """SQL: the series' collection has a condition under ``concept``."""
    return (
        "collection_id IN (SELECT collection_id FROM coll_cond WHERE concept IN "
        f"(SELECT concept FROM closure WHERE ancestor = '{concept}'))"
    )


def per_subject(having: str) -> str:
    """SQL: matching subjects per collection, every criterion evaluated per subject (bool_or)."""
    return (
        "SELECT collection_id, count(*) FROM (SELECT collection_id, PatientID FROM sx "
        f"GROUP BY collection_id, PatientID HAVING {having}) GROUP BY collection_id"
    )


# -- the questions ------------------------------------------------------------------------------------------


@dataclass
class Question:
    name: str
    body: dict[str, Any]
    sql: str
    facet_sql: list[str] = field(default_factory=list)


def crit(name: str, value: Any, descendants: bool = True) -> dict[str, Any]:
    return {"field": name, "value": value, "descendants": descendants}


def both(*items: Any) -> dict[str, Any]:
    return {"and": list(items)}


FACET_SQL = [
    "SELECT Modality, count(DISTINCT (collection_id, PatientID)) FROM sx {where} GROUP BY 1",
    "SELECT body_part, count(DISTINCT (collection_id, PatientID)) FROM sx {where} GROUP BY 1",
    "SELECT manufacturer, count(DISTINCT (collection_id, PatientID)) FROM sx {where} GROUP BY 1",
    "SELECT sex, count(DISTINCT (collection_id, PatientID)) FROM sx {where} GROUP BY 1",
]


def questions() -> list[Question]:
    q = [
        Question(
            "all collections + facets",
            {"facets": True},
            "SELECT collection_id, count(DISTINCT PatientID) FROM sx GROUP BY 1",
            [s.format(where="") for s in FACET_SQL],
        ),
        Question("modality CT", {"query": crit("modality", "CT")}, per_subject("bool_or(Modality = 'CT')")),
        Question("modality MR", {"query": crit("modality", "MR")}, per_subject("bool_or(Modality = 'MR')")),
        Question(
            "modality SM (slides)", {"query": crit("modality", "SM")}, per_subject("bool_or(Modality = 'SM')")
        ),
        Question(
            "modality PT OR NM",
            {"query": {"or": [crit("modality", "PT"), crit("modality", "NM")]}},
            per_subject("bool_or(Modality IN ('PT', 'NM'))"),
        ),
        Question(
            "lung cancer (+descendants)",
            {"query": crit("condition", "lung_cancer")},
            per_subject(f"bool_or({cond('lung_cancer')})"),
        ),
        Question(
            "'cáncer de mama' (+descendants)",
            {"query": crit("condition", "cáncer de mama")},
            per_subject(f"bool_or({cond('breast_cancer')})"),
        ),
        Question(
            "sarcoma (+descendants)",
            {"query": crit("condition", "sarcoma")},
            per_subject(f"bool_or({cond('sarcoma')})"),
        ),
        Question(
            "prostate cancer AND MR",
            {"query": both(crit("condition", "prostate_cancer"), crit("modality", "MR"))},
            per_subject(f"bool_or({cond('prostate_cancer')}) AND bool_or(Modality = 'MR')"),
        ),
        Question(
            "lung cancer as ICD10:C34 (+desc) AND CT",
            {"query": both(crit("condition", "ICD10:C34"), crit("modality", "CT"))},
            per_subject(f"bool_or({cond('lung_cancer')}) AND bool_or(Modality = 'CT')"),
        ),
        Question(
            "breast AND female AND age 50-70",
            {
                "query": both(
                    crit("condition", "breast_cancer"),
                    crit("sex", "female"),
                    {"field": "age", "min": 50, "max": 70},
                )
            },
            per_subject(
                f"bool_or({cond('breast_cancer')}) AND bool_or(sex = 'female') "
                "AND bool_or(age BETWEEN 50 AND 70)"
            ),
        ),
        Question(
            "body part chest (+desc)",
            {"query": crit("body_part", "bp_chest")},
            per_subject(f"bool_or({under('body_part', 'bp_chest')})"),
        ),
        Question(
            "body part breast",
            {"query": crit("body_part", "bp_breast")},
            per_subject(f"bool_or({under('body_part', 'bp_breast')})"),
        ),
        Question(
            "manufacturer Siemens",
            {"query": crit("manufacturer", "siemens")},
            per_subject("bool_or(manufacturer = 'siemens')"),
        ),
        Question(
            "manufacturer GE AND MR",
            {"query": both(crit("manufacturer", "ge_healthcare"), crit("modality", "MR"))},
            per_subject("bool_or(manufacturer = 'ge_healthcare') AND bool_or(Modality = 'MR')"),
        ),
        Question("sex female", {"query": crit("sex", "female")}, per_subject("bool_or(sex = 'female')")),
        Question(
            "age 40-60",
            {"query": {"field": "age", "min": 40, "max": 60}},
            per_subject("bool_or(age BETWEEN 40 AND 60)"),
        ),
        Question(
            "NOT modality CT",
            {"query": {"not": crit("modality", "CT")}},
            per_subject("NOT bool_or(Modality = 'CT')"),
        ),
        Question(
            "non-cancer subjects (no_cancer)",
            {"query": crit("condition", "no_cancer")},
            per_subject(f"bool_or({cond('no_cancer')})"),
        ),
        Question(
            "CT, excluding phantoms",
            {"query": both(crit("modality", "CT"), {"not": crit("condition", "phantom")})},
            per_subject(f"bool_or(Modality = 'CT') AND NOT bool_or({cond('phantom')})"),
        ),
        Question(
            "melanoma (+desc) AND SM",
            {"query": both(crit("condition", "melanoma"), crit("modality", "SM"))},
            per_subject(f"bool_or({cond('melanoma')}) AND bool_or(Modality = 'SM')"),
        ),
        Question(
            "kidney cancer (+desc) AND CT AND age 50-80",
            {
                "query": both(
                    crit("condition", "kidney_cancer"),
                    crit("modality", "CT"),
                    {"field": "age", "min": 50, "max": 80},
                )
            },
            per_subject(
                f"bool_or({cond('kidney_cancer')}) AND bool_or(Modality = 'CT') "
                "AND bool_or(age BETWEEN 50 AND 80)"
            ),
        ),
        Question(
            "MG AND female AND age 50-70",
            {
                "query": both(
                    crit("modality", "MG"), crit("sex", "female"), {"field": "age", "min": 50, "max": 70}
                )
            },
            per_subject(
                "bool_or(Modality = 'MG') AND bool_or(sex = 'female') AND bool_or(age BETWEEN 50 AND 70)"
            ),
        ),
        Question(
            "lung cancer (+desc) + facets",
            {"query": crit("condition", "lung_cancer"), "facets": True},
            per_subject(f"bool_or({cond('lung_cancer')})"),
            [s.format(where=f"WHERE {cond('lung_cancer')}") for s in FACET_SQL],
        ),
        Question(
            "EUCAIM AST: prostate cancer AND MR",
            {
                "ast": {
                    "operand": "AND",
                    "children": [
                        {
                            "key": "SNOMEDCT439401001",
                            "system": "",
                            "type": "EQUALS",
                            "value": "SNOMEDCT399068003",
                        },
                        {"key": "RID10311", "system": "", "type": "EQUALS", "value": "RID10312"},
                    ],
                },
                "id": "bench",
            },
            per_subject(f"bool_or({cond('prostate_cancer')}) AND bool_or(Modality = 'MR')"),
        ),
    ]
    for item in q:
        if "ast" not in item.body:
            item.body.setdefault("facets", False)
            item.body["page_size"] = 0
    return q


# -- running ------------------------------------------------------------------------------------------------


def timed(fn: Callable[[], Any], repeat: int, warmup: int) -> tuple[list[float], Any]:
    out = None
    for _ in range(warmup):
        out = fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return times, out


def pct(times: list[float], p: float) -> float:
    s = sorted(times)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]


def cikg_counts(answer: dict[str, Any]) -> dict[str, int]:
    out = {}
    for c in answer.get("collections", []):
        ident = str(c.get("id", ""))
        ident = ident.rsplit("/", 1)[-1].removeprefix(SOURCE_PREFIX)
        n = int(c.get("subjects_count") or 0)
        if n:
            out[ident] = n
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2, help="DuckDB threads (the machine has 2 cores)")
    ap.add_argument("--json", type=Path, help="write the figures here too")
    args = ap.parse_args()

    rss0 = rss_mib()
    cat = Catalogue(Settings(data_dir=args.data_dir), read_only=True)
    t = time.perf_counter()
    cat.vocabulary  # noqa: B018 - build or load the term index
    vocab_s = time.perf_counter() - t
    t = time.perf_counter()
    cat.search({"facets": False, "page_size": 1})  # builds the columnar index from the store
    index_s = time.perf_counter() - t
    rss_cikg = rss_mib()
    t = time.perf_counter()
    con = duckdb_setup(cat, args.threads)
    duck_setup_s = time.perf_counter() - t
    rss_both = rss_mib()
    series = con.execute("SELECT count(*) FROM s").fetchone()[0]
    print(
        f"store {args.data_dir}: {series:,} series in the index; cikg vocabulary {vocab_s:.1f} s, "
        f"search index built in {index_s:.1f} s; DuckDB tables in {duck_setup_s:.1f} s"
        f" ({args.threads} threads)"
    )
    print(
        f"memory: process before {rss0:.0f} MiB, after cikg warm-up {rss_cikg:.0f} MiB "
        f"(serving: +{rss_cikg - rss0:.0f} MiB), after DuckDB tables {rss_both:.0f} MiB "
        f"(+{rss_both - rss_cikg:.0f} MiB); peak {peak_mib():.0f} MiB"
    )
    print(f"{len(questions())} questions, {args.repeat} timed runs each after {args.warmup} warm-up runs\n")
    header = (
        f"{'question':44s} {'cikg p50':>9s} {'p99':>8s} {'duckdb p50':>11s} {'p99':>8s} {'ratio':>7s}  counts"
    )
    print(header)
    print("-" * len(header))
    results = []
    ratios = []
    all_same = True
    for q in questions():
        ct, answer = timed(lambda q=q: cat.search(q.body), args.repeat, args.warmup)

        def duck(q: Question = q) -> tuple[Any, list[Any]]:
            main_rows = con.execute(q.sql).fetchall()
            facets = [con.execute(s).fetchall() for s in q.facet_sql]
            return main_rows, facets

        dt, (rows, _) = timed(duck, args.repeat, args.warmup)
        ours = cikg_counts(answer)
        theirs = {str(cid): int(n) for cid, n in rows if n}
        same = ours == theirs
        all_same &= same
        c50, c99, d50, d99 = pct(ct, 50), pct(ct, 99), pct(dt, 50), pct(dt, 99)
        ratio = d50 / c50 if c50 else float("inf")
        ratios.append(ratio)
        total = sum(ours.values())
        note = f"{'same' if same else 'DIFFER'} ({total:,} subjects in {len(ours)} collections"
        if not same:
            diff = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))[:4]
            note += f"; e.g. {[(k, ours.get(k), theirs.get(k)) for k in diff]}"
        note += ")"
        print(
            f"{q.name:44s} {c50 * 1e3:8.1f}ms {c99 * 1e3:7.1f}ms {d50 * 1e3:10.1f}ms {d99 * 1e3:7.1f}ms "
            f"{ratio:6.1f}x  {note}"
        )
        results.append(
            {
                "question": q.name,
                "cikg_p50_ms": c50 * 1e3,
                "cikg_p99_ms": c99 * 1e3,
                "duckdb_p50_ms": d50 * 1e3,
                "duckdb_p99_ms": d99 * 1e3,
                "ratio_p50": ratio,
                "same_counts": same,
                "subjects": total,
                "collections": len(ours),
            }
        )
    med = statistics.median(ratios)
    print(
        f"\nmedian ratio DuckDB/cikg at p50: {med:.2f}x (min {min(ratios):.2f}x, max {max(ratios):.2f}x); "
        f"{sum(r >= 2 for r in ratios)}/{len(ratios)} questions >= 2x; counts identical: {all_same}"
    )
    print(f"peak RSS {peak_mib():.0f} MiB (cikg + DuckDB in one process); pid {os.getpid()}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "series": series,
                    "index_build_s": index_s,
                    "rss_mib": {
                        "before": rss0,
                        "cikg": rss_cikg,
                        "with_duckdb": rss_both,
                        "peak": peak_mib(),
                    },
                    "median_ratio": med,
                    "questions": results,
                },
                indent=2,
            )
        )
    cat.close()
    con.close()
    return 0 if all_same else 1


if __name__ == "__main__":
    sys.exit(main())
