"""The SHACL gate on >= 1M triples: the SPARQL fast path vs pySHACL, same graph, same run.

Builds one collection with N series summaries (default 66,000: ~1.05M triples) through the real
writer, with deliberate violations (0.5% bad series keys, 0.5% ages over 90, a few closed-shape
breaches), loads it into an embedded store and validates it with both engines. Prints the times
(fast path: median of 3), the ratio and whether both report the same violations.

    .venv/bin/python bench/shacl.py [N]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.validate.test_gate import COLLECTION, HOLDER_OBJ, RUN

from cikg.rdfmap import RdfMapper
from cikg.store.base import RdfData
from cikg.store.oxigraph import OxigraphStore
from cikg.validate import context_graphs_for, validator


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


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 66_000
    data = triples(n)
    store = OxigraphStore()
    t0 = time.perf_counter()
    info = store.replace_source("urn:cikg:source:bench", RdfData.of_triples(data))
    print(f"{info.triples:,} triples loaded in {time.perf_counter() - t0:.1f} s")
    ctx = context_graphs_for(store, "urn:cikg:source:bench")
    fast_runs, fast = [], None
    for _ in range(3):
        fast = validator("sparql").validate(store, info.graph, context_graphs=ctx)
        fast_runs.append(fast.seconds)
    assert fast is not None
    f = statistics.median(fast_runs)
    print(f"fast path (SPARQL on Oxigraph): {f:.2f} s median of 3, {len(fast.violations)} violations")
    t0 = time.perf_counter()
    ref = validator("pyshacl").validate(store, info.graph, context_graphs=ctx)
    r = time.perf_counter() - t0
    print(f"pySHACL (incl. reading the graph into rdflib): {r:.1f} s, {len(ref.violations)} violations")
    same = fast.keys() == ref.keys()
    print(f"ratio {r / f:.1f}x faster (target >= 10x); same violations: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
