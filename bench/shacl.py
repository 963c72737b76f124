"""The SHACL gate on >= 1M triples: the fast path vs pySHACL, same graph, same run.

Builds one collection with enough series summaries for --triples (default ~1.05M: 66,000 series)
through the real writer, with deliberate violations (0.5% bad series keys, 0.5% ages over 90, a few
closed-shape breaches), loads it into an embedded store and validates it with both engines. Prints the
triples, both times (fast path: median of --repeat runs), the ratio, the violation counts and whether
both engines report the same (focus, path, constraint, value) set; exits 1 if they differ.

    .venv/bin/python bench/shacl.py [--triples 1050000] [--repeat 3] [--skip-reference]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.validate.test_gate import COLLECTION, HOLDER_OBJ, RUN

from cikg.rdfmap import RdfMapper
from cikg.store.base import RdfData
from cikg.store.oxigraph import OxigraphStore
from cikg.validate import ValidationReport, context_graphs_for, validator


def triples(n: int) -> list[ox.Triple]:
    m = RdfMapper()
    out = list(m.triples(COLLECTION, "Collection")) + list(m.triples(HOLDER_OBJ, "DataHolder"))
    out += list(m.triples(RUN, "HarvestRun"))
    coll = COLLECTION["id"]
    for i in range(n):
        key = f"{i:064x}"
        s = dict(
            id=f"{coll}/series/{key}",
            is_part_of=coll,
            series_key=key if i % 200 else f"bad-{i}",
            study_key=f"{i // 4:064x}",
            subject_key=f"{i // 8:064x}",
            modality="modality_mr",
            body_part="bp_prostate",
            manufacturer="siemens",
            manufacturer_model_name="Skyra",
            magnetic_field_strength=3.0,
            acquisition_semantics=["t2_weighted"],
            contrast_agent=False,
            instance_count=24,
            acquisition_month="2020-03",
            subject_sex="male",
            subject_age=95 if i % 200 == 7 else 40 + i % 40,
        )
        out += list(m.triples(s, "SeriesSummary"))
        if i % 20000 == 3:
            out.append(
                ox.Triple(ox.NamedNode(s["id"]), ox.NamedNode("http://example.org/extra"), ox.Literal("x"))
            )
    return out


def series_for(target: int) -> int:
    """How many series summaries make about ``target`` triples (with the collection, holder and run)."""
    fixed = len(triples(0))
    per_series = len(triples(1)) - fixed
    return max(1, round((target - fixed) / per_series))


def by_component(report: ValidationReport) -> str:
    counts = Counter(v.component.removesuffix("ConstraintComponent") for v in report.violations)
    return ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_050_000, help="about how many triples (default 1.05M)")
    ap.add_argument("--repeat", type=int, default=3, help="fast path runs (the median is reported)")
    ap.add_argument(
        "--skip-reference", action="store_true", help="fast path only (pySHACL takes ~30 min at 1M)"
    )
    args = ap.parse_args()
    data = triples(series_for(args.triples))
    store = OxigraphStore()
    t0 = time.perf_counter()
    info = store.replace_source("urn:cikg:source:bench", RdfData.of_triples(data))
    print(f"graph: {info.triples:,} triples (loaded in {time.perf_counter() - t0:.1f} s)", flush=True)
    ctx = context_graphs_for(store, "urn:cikg:source:bench")
    fast_runs, fast = [], None
    for _ in range(max(1, args.repeat)):
        fast = validator("sparql").validate(store, info.graph, context_graphs=ctx)
        fast_runs.append(fast.seconds)
    assert fast is not None
    f = statistics.median(fast_runs)
    runs = ", ".join(f"{x:.2f}" for x in fast_runs)
    print(
        f"fast path: {f:.2f} s (median of {len(fast_runs)}: {runs}), {len(fast.violations)} violations",
        flush=True,
    )
    print(f"  {by_component(fast)}", flush=True)
    if args.skip_reference:
        return
    t0 = time.perf_counter()
    ref = validator("pyshacl").validate(store, info.graph, context_graphs=ctx)
    r = time.perf_counter() - t0
    print(f"pySHACL (incl. reading the graph into rdflib): {r:.1f} s, {len(ref.violations)} violations")
    print(f"  {by_component(ref)}")
    same = fast.keys() == ref.keys()
    print(f"ratio: fast path {r / f:.1f}x faster than pySHACL (target >= 10x)")
    print(f"same violations (focus, path, constraint, value): {same}")
    if not same:
        print(f"  only fast: {len(fast.keys() - ref.keys())}; only pySHACL: {len(ref.keys() - fast.keys())}")
        sys.exit(1)


if __name__ == "__main__":
    main()
