"""Bulk loading N-Triples into the on-disk store through cikg vs raw pyoxigraph, in the same run.

    python bench/load.py [--triples 1000000] [--rounds 3]

Prints the median throughput of each and the ratio (target: cikg >= 0.8 of raw). cikg's path is the
real one (`Catalogue.load`: staged version graph via bulk_load, count, atomic registry flip).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from cikg.catalogue import Catalogue
from cikg.settings import Settings


def write_ntriples(path: Path, n: int) -> int:
    """Series-summary-like triples (IRIs, typed literals, strings), ``n`` of them."""
    base = "https://node.example/collection/c{}/series/{:064x}"
    cikgs = "https://w3id.org/cikg/schema/"
    onto = "https://w3id.org/cikg/ontology/"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    modalities = ["modality_ct", "modality_mr", "modality_pt", "modality_mg"]
    written = 0
    with path.open("w", encoding="utf-8") as f:
        i = 0
        while written < n:
            s = "<" + base.format(i % 40, i) + ">"
            rows = [
                f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{cikgs}SeriesSummary> .",
                f"{s} <http://purl.org/dc/terms/isPartOf> <https://node.example/collection/c{i % 40}> .",
                f'{s} <{cikgs}seriesKey> "{i:064x}" .',
                f'{s} <{cikgs}subjectKey> "{i // 7:064x}" .',
                f"{s} <{cikgs}modality> <{onto}{modalities[i % 4]}> .",
                f'{s} <{cikgs}numberOfInstances> "{i % 300}"^^<{xsd}nonNegativeInteger> .',
                f'{s} <{cikgs}acquisitionMonth> "20{10 + i % 14}-{1 + i % 12:02d}"^^<{xsd}gYearMonth> .',
                f'{s} <{cikgs}subjectAge> "{20 + i % 70}"^^<{xsd}nonNegativeInteger> .',
                f'{s} <{cikgs}manufacturerModelName> "Model {i % 97}" .',
                f'{s} <{cikgs}magneticFieldStrength> "{1.5 if i % 2 else 3.0}"^^<{xsd}float> .',
            ]
            f.write("\n".join(rows) + "\n")
            written += len(rows)
            i += 1
    return written


def raw(path: Path, workdir: Path) -> float:
    store_dir = workdir / "raw"
    store = ox.Store(str(store_dir))
    t0 = time.perf_counter()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:bench:g"))
    store.flush()
    elapsed = time.perf_counter() - t0
    del store
    shutil.rmtree(store_dir)
    return elapsed


def through_cikg(path: Path, workdir: Path) -> float:
    settings = Settings(data_dir=workdir / "cikg")
    cat = Catalogue(settings)
    t0 = time.perf_counter()
    cat.load([path], "bench")
    cat.store.flush()  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - t0
    cat.close()
    del cat
    shutil.rmtree(workdir / "cikg")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cikg-bench-load-") as tmp:
        workdir = Path(tmp)
        data = workdir / "data.nt"
        n = write_ntriples(data, args.triples)
        print(f"input: {n:,} triples, {data.stat().st_size / 1e6:.1f} MB N-Triples")
        times: dict[str, list[float]] = {"raw pyoxigraph bulk_load": [], "cikg load": []}
        for r in range(args.rounds):  # alternate so drift on a shared machine hits both alike
            times["raw pyoxigraph bulk_load"].append(raw(data, workdir))
            times["cikg load"].append(through_cikg(data, workdir))
            raw_t, cikg_t = times["raw pyoxigraph bulk_load"][-1], times["cikg load"][-1]
            print(f"round {r + 1}: raw {raw_t:.2f} s, cikg {cikg_t:.2f} s")
        medians = {k: statistics.median(v) for k, v in times.items()}
        for name, t in medians.items():
            print(f"{name:28s} median {t:6.2f} s  {n / t:>10,.0f} triples/s")
        ratio = medians["raw pyoxigraph bulk_load"] / medians["cikg load"]
        print(f"ratio cikg/raw throughput: {ratio:.2f} (target >= 0.8)")


if __name__ == "__main__":
    main()
