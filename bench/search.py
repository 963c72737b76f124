"""Search speed: facet + count questions with ontology expansion, answered by the columnar index and,
side by side, by the same question compiled to SPARQL on the store (the reference engine); p50 / p99
per question, the ratio, and the serving process's peak RSS.

    .venv/bin/python bench/search.py --data-dir /tmp/demo1m          # an existing store (e.g. the demo)
    .venv/bin/python bench/search.py --synthetic 1000000 --data-dir /tmp/search1m   # build one first

``--synthetic N`` writes N series summaries in the model's shape (plus their collections and data
holders, through the model's RDF mapper) as N-Triples and bulk-loads them, one source per collection;
an existing store in ``--data-dir`` is reused. The measurement runs in a fresh process (open the
store, build the index, answer the questions): its peak RSS is what a serving process needs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BASE = "http://127.0.0.1:8000"
CIKG = "https://w3id.org/cikg/ontology/"

QUESTIONS: dict[str, dict[str, Any]] = {
    "all + facets": {},
    "lung cancer (ICD10:C34, expanded)": {"query": {"field": "condition", "value": "ICD10:C34"}},
    "cáncer de pulmón AND CT": {
        "query": {
            "and": [{"field": "condition", "value": "cáncer de pulmón"}, {"field": "modality", "value": "CT"}]
        }
    },
    "(breast OR prostate) AND MR AND age 50-70": {
        "query": {
            "and": [
                {
                    "or": [
                        {"field": "condition", "value": "C50"},
                        {"field": "condition", "value": "SNOMEDCT:399068003"},
                    ]
                },
                {"field": "modality", "value": "MR"},
                {"field": "age", "min": 50, "max": 70},
            ]
        }
    },
    "NOT Siemens AND >= 3 T AND DWI": {
        "query": {
            "and": [
                {"not": {"field": "manufacturer", "value": "siemens"}},
                {"field": "field_strength", "min": 3},
                {"field": "acquisition", "value": "diffusion_weighted"},
            ]
        }
    },
    "EUCAIM AST: lung AND (CT OR female)": {
        "ast": {
            "operand": "AND",
            "children": [
                {"key": "SNOMEDCT439401001", "type": "EQUALS", "value": "SNOMEDCT363358000", "system": ""},
                {
                    "operand": "OR",
                    "children": [
                        {"key": "RID10311", "type": "EQUALS", "value": "RID10321", "system": ""},
                        {
                            "key": "SNOMEDCT263495000",
                            "type": "EQUALS",
                            "value": "SNOMEDCT248152002",
                            "system": "",
                        },
                    ],
                },
            ],
        },
        "id": "bench",
    },
}

# synthetic store -----------------------------------------------------------------------------------
CONDITIONS = [
    "non_small_cell_lung_carcinoma",
    "lung_adenocarcinoma",
    "small_cell_lung_carcinoma",
    "breast_cancer",
    "prostate_cancer",
    "colorectal_cancer",
    "neuroblastoma",
    "hepatocellular_carcinoma",
]
MODALITIES = {
    "modality_ct": ["bp_chest", "bp_abdomen", "bp_pelvis"],
    "modality_mr": ["bp_prostate", "bp_brain", "bp_breast", "bp_pelvis"],
    "modality_pt": ["bp_chest"],
    "modality_mg": ["bp_breast"],
}
MANUFACTURERS = ["siemens", "ge_healthcare", "philips", "united_imaging"]
SEMANTICS = ["t1_weighted", "t2_weighted", "diffusion_weighted", "dynamic_contrast_enhanced"]
SEXES = ["female", "male"]
COUNTRIES = ["ES", "IT", "GR", "DE", "FR", "NL", "PT", "BE", "AT", "FI"]


def _key(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def build_synthetic(data_dir: Path, n_series: int, collections: int = 40, seed: int = 5) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
    from cikg.catalogue import Catalogue
    from cikg.rdfmap import to_triples
    from cikg.search.fields import predicates
    from cikg.settings import Settings

    p = predicates()
    s = p.series
    rng = random.Random(seed)
    cat = Catalogue(Settings(data_dir=data_dir, base_url=BASE))
    vocab = cat.vocabulary
    valid = {c for c in CONDITIONS if c in vocab}
    conditions = [c for c in CONDITIONS if c in valid]
    per_coll = n_series // collections
    t0 = time.perf_counter()
    triples = 0
    with tempfile.TemporaryDirectory() as tmp:
        for ci in range(collections):
            cid = f"syn-{ci:03d}"
            coll = f"{BASE}/collection/{cid}"
            holder = f"h{ci % 12:02d}"
            conds = rng.sample(conditions, rng.choice([1, 1, 2]))
            path = Path(tmp) / f"{cid}.nt"
            subjects: list[tuple[str, str, int]] = []
            n_subjects = max(1, per_coll // 5)
            for _ in range(n_subjects):
                subjects.append((_key(rng), rng.choice(SEXES), rng.randint(18, 90)))
            mods: set[str] = set()
            bps: set[str] = set()
            mans: set[str] = set()
            studies: dict[str, list[str]] = {}
            with path.open("w", encoding="utf-8") as out:
                for _ in range(per_coll):
                    subj, sex, age = subjects[rng.randrange(n_subjects)]
                    st_list = studies.setdefault(subj, [])
                    if not st_list or rng.random() < 0.3:
                        st_list.append(_key(rng))
                    study = rng.choice(st_list)
                    key = _key(rng)
                    iri = f"<{coll}/series/{key}>"
                    modality = rng.choice(list(MODALITIES))
                    bp = rng.choice(MODALITIES[modality])
                    man = rng.choice(MANUFACTURERS)
                    mods.add(modality)
                    bps.add(bp)
                    mans.add(man)
                    lines = [
                        f"{iri} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{p.series_class}> .",
                        f"{iri} <{s['is_part_of']}> <{coll}> .",
                        f'{iri} <{s["series_key"]}> "{key}" .',
                        f'{iri} <{s["study_key"]}> "{study}" .',
                        f'{iri} <{s["subject_key"]}> "{subj}" .',
                        f"{iri} <{s['modality']}> <{CIKG}{modality}> .",
                        f"{iri} <{s['body_part']}> <{CIKG}{bp}> .",
                        f"{iri} <{s['manufacturer']}> <{CIKG}{man}> .",
                        f"{iri} <{s['subject_sex']}> <{CIKG}{sex}> .",
                        f'{iri} <{s["subject_age"]}> "{age}"^^<http://www.w3.org/2001/XMLSchema#integer> .',
                        f'{iri} <{s["instance_count"]}> "{rng.randint(20, 400)}"'
                        "^^<http://www.w3.org/2001/XMLSchema#integer> .",
                    ]
                    if modality == "modality_mr":
                        fs = rng.choice(["1.5", "3"])
                        lines.append(
                            f'{iri} <{s["magnetic_field_strength"]}> "{fs}"'
                            "^^<http://www.w3.org/2001/XMLSchema#float> ."
                        )
                        for sem in rng.sample(SEMANTICS, rng.randint(1, 2)):
                            lines.append(f"{iri} <{s['acquisition_semantics']}> <{CIKG}{sem}> .")
                    triples += len(lines)
                    out.write("\n".join(lines) + "\n")
                n_studies = sum(len(v) for v in studies.values())
                coll_obj = {
                    "id": coll,
                    "identifier": cid,
                    "title": f"Synthetic collection {ci}",
                    "description": f"{per_coll} synthetic series",
                    "data_holder": f"{BASE}/holder/{holder}",
                    "access_rights": rng.choice(["PUBLIC", "RESTRICTED", "NON_PUBLIC"]),
                    "number_of_subjects": len(studies),
                    "number_of_studies": n_studies,
                    "number_of_series": per_coll,
                    "primary_cancer_condition": conds,
                    "image_modality": sorted(mods),
                    "body_part": sorted(bps),
                    "manufacturer": sorted(mans),
                }
                holder_obj = {
                    "id": f"{BASE}/holder/{holder}",
                    "identifier": holder,
                    "name": f"Hospital {holder}",
                    "country": COUNTRIES[ci % 12 % len(COUNTRIES)],
                    "juridical_person": f"Foundation {holder}",
                }
                for t in to_triples([("Collection", coll_obj), ("DataHolder", holder_obj)]):
                    out.write(f"{t.subject} {t.predicate} {t.object} .\n")
            cat.load([path], cid)
            path.unlink()
            print(f"  {cid}: {per_coll} series loaded ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    cat.close()
    print(
        f"built {collections * per_coll} series, {triples} series triples in {time.perf_counter() - t0:.0f} s"
    )


# measurement (in a fresh process) -------------------------------------------------------------------
def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def measure(
    data_dir: Path,
    reps: int,
    sparql_reps: int,
    sparql_questions: int = 99,
    mode: str = "full",
    only: list[str] | None = None,
) -> dict[str, Any]:
    from cikg.catalogue import Catalogue
    from cikg.settings import Settings

    def rss_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    out: dict[str, Any] = {"questions": {}}
    cat = Catalogue(Settings(data_dir=data_dir, base_url=BASE), read_only=True)
    t = time.perf_counter()
    cat.warm_vocabulary()
    out["vocabulary_s"] = time.perf_counter() - t
    t = time.perf_counter()
    cat.warm_search()
    out["index_build_s"] = time.perf_counter() - t
    index = cat.searcher.index
    assert index is not None
    built = index.refresh()
    out["series"] = len(built.row_subj)
    out["subjects"] = int(built.n_subjects)
    out["collections"] = len(built.coll_iris)
    out["peak_rss_after_index_mb"] = rss_mb()
    from cikg.search.service import parse_request
    from cikg.search.sparql import compile_queries

    chosen = {k: v for k, v in QUESTIONS.items() if not only or any(o.lower() in k.lower() for o in only)}
    for qi, (name, body) in enumerate(chosen.items()):
        res = cat.search(body)  # warm (resolution caches)
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            res = cat.search(body)
            times.append((time.perf_counter() - t) * 1000)
        sp: list[float] = []
        same: bool | None = None
        if qi < sparql_questions:
            if mode == "full":
                sbody = dict(body, engine="sparql")
                for _ in range(sparql_reps):
                    t = time.perf_counter()
                    sres = cat.search(sbody)
                    sp.append((time.perf_counter() - t) * 1000)
                    same = json.dumps(sres, sort_keys=True) == json.dumps(res, sort_keys=True)
            else:  # the question's subject counts per collection, as one SPARQL query
                req = parse_request(body)
                ans, _, _ = cat.searcher.answer(req)
                query = compile_queries(req.root)["subjects"]
                for _ in range(sparql_reps):
                    t = time.perf_counter()
                    counts = {r["c"].value: int(r["n"].value) for r in cat.store.query(query).rows()}
                    sp.append((time.perf_counter() - t) * 1000)
                    same = counts == {c: v.subjects for c, v in ans.collections.items()}
        out["questions"][name] = {
            "index_p50_ms": statistics.median(times),
            "index_p99_ms": _pct(times, 0.99),
            "sparql_p50_ms": statistics.median(sp) if sp else None,
            "ratio": (statistics.median(sp) / statistics.median(times)) if sp else None,
            "same_answer": same,
            "collections": res["total"].get("collections", len(res["collections"])),
            "subjects": res["total"]["subjects_count"],
        }
    out["peak_rss_mb"] = rss_mb()
    cat.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, help="store to measure (built first with --synthetic)")
    ap.add_argument("--synthetic", type=int, default=0, help="build a synthetic store of N series first")
    ap.add_argument("--collections", type=int, default=40)
    ap.add_argument("--reps", type=int, default=100, help="index runs per question")
    ap.add_argument("--sparql-reps", type=int, default=3, help="SPARQL runs per question")
    ap.add_argument("--sparql-questions", type=int, default=99, help="how many questions get the SPARQL side")
    ap.add_argument(
        "--sparql-mode",
        choices=["full", "count"],
        default="full",
        help="full: the whole answer (counts, ages, facets) by the SPARQL engine; count: the subject "
        "counts per collection as one SPARQL query",
    )
    ap.add_argument("--question", action="append", default=[], help="only questions whose name has this")
    ap.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="cikg-search-bench-"))
    if args.measure:
        print(
            json.dumps(
                measure(
                    data_dir,
                    args.reps,
                    args.sparql_reps,
                    args.sparql_questions,
                    args.sparql_mode,
                    args.question,
                )
            )
        )
        return
    if args.synthetic and not (data_dir / "store").exists():
        build_synthetic(data_dir, args.synthetic, args.collections)
    cmd = [
        sys.executable,
        __file__,
        "--measure",
        "--data-dir",
        str(data_dir),
        "--reps",
        str(args.reps),
        "--sparql-reps",
        str(args.sparql_reps),
        "--sparql-questions",
        str(args.sparql_questions),
        "--sparql-mode",
        args.sparql_mode,
        *(x for q in args.question for x in ("--question", q)),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=dict(os.environ))
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(done.returncode)
    r = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"store: {data_dir}; SPARQL side: {args.sparql_mode} answer, {args.sparql_reps} run(s) per question"
    )
    print(
        f"{r['series']} series, {r['subjects']} subjects, {r['collections']} collections; "
        f"index built in {r['index_build_s']:.1f} s (vocabulary {r['vocabulary_s']:.1f} s)"
    )
    print(
        f"{'question':44} {'index p50':>10} {'p99':>8} {'SPARQL p50':>11} {'ratio':>7}  same  colls subjects"
    )
    for name, q in r["questions"].items():
        sp = f"{q['sparql_p50_ms']:.0f}" if q["sparql_p50_ms"] is not None else "-"
        ratio = f"{q['ratio']:.0f}x" if q["ratio"] is not None else "-"
        same = {True: "yes", False: "NO", None: "-"}[q["same_answer"]]
        print(
            f"{name:44} {q['index_p50_ms']:>8.1f}ms {q['index_p99_ms']:>6.1f}ms {sp:>9}ms {ratio:>7}  "
            f"{same:4}  {q['collections']:>5} {q['subjects']:>8}"
        )
    print(
        f"peak RSS of the serving process: {r['peak_rss_mb']:.0f} MB "
        f"(after the index build: {r['peak_rss_after_index_mb']:.0f} MB)"
    )


if __name__ == "__main__":
    main()
