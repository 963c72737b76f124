"""The hub's added latency over the slowest healthy node, fanning out to N real node processes.

    python bench/federation.py [--nodes 20] [--requests 200] [--warmup 20]

Starts N `cikg serve` processes on 127.0.0.1 (each with its own store holding harvested DICOM) and a
hub (`cikg serve` with a nodes.yaml listing them). For each request it posts one native search query to
the hub's /api/federated/search and computes

    added = wall time of the hub request - latency of the slowest node (as the hub measured it)

i.e. everything the hub adds: the client-hub HTTP round trip, scheduling the fan-out, the merge, count
protection and serialisation; split into the part inside the hub (its `took_ms` minus the slowest node)
and the client-hub HTTP hop (wall minus `took_ms`), with a plain GET /health round trip for scale.
Baseline in the same run: the same fan-out done directly by the benchmark (one shared
httpx.AsyncClient, all nodes at once), its wall time against its own slowest node.
Target: hub added latency p50 <= 10 ms. Prints medians, p99 and the ratio hub wall / direct wall.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.federation.cluster import Process, harvest_node, processes, write_nodes
from tests.support.live_server import free_tcp_port

QUERIES: list[dict[str, Any]] = [
    {},
    {"query": {"field": "modality", "value": "CT"}},
    {"query": {"field": "condition", "value": "prostate_cancer"}},
    {"query": {"and": [{"field": "modality", "value": "MR"}, {"field": "age", "min": 40, "max": 80}]}},
]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def direct(client: httpx.AsyncClient, urls: list[str], query: dict[str, Any]) -> tuple[float, float]:
    """(wall ms, slowest node ms) of the same fan-out done by hand."""

    async def one(url: str) -> float:
        t = time.perf_counter()
        r = await client.post(url + "/api/search", json=query, timeout=30)
        r.raise_for_status()
        r.json()
        return (time.perf_counter() - t) * 1000

    t0 = time.perf_counter()
    lat = await asyncio.gather(*(one(u) for u in urls))
    return (time.perf_counter() - t0) * 1000, max(lat)


async def through_hub(
    client: httpx.AsyncClient, hub: str, query: dict[str, Any]
) -> tuple[float, float, float]:
    """(wall ms, slowest node ms as the hub measured it, the hub's own took_ms) of one federated search."""
    t0 = time.perf_counter()
    r = await client.post(hub + "/api/federated/search", json=query, timeout=60)
    wall = (time.perf_counter() - t0) * 1000
    r.raise_for_status()
    answer = r.json()
    bad = [n for n in answer["nodes"] if n["status"] != "ok"]
    if bad:
        raise RuntimeError(f"nodes not ok: {bad[:3]}")
    return wall, max(n["latency_ms"] for n in answer["nodes"]), answer["took_ms"]


async def round_trip(client: httpx.AsyncClient, hub: str) -> float:
    """One plain request to the hub (GET /health): the HTTP hop any service pays, for scale."""
    t0 = time.perf_counter()
    (await client.get(hub + "/health", timeout=60)).raise_for_status()
    return (time.perf_counter() - t0) * 1000


async def measure(hub: str, urls: list[str], requests: int, warmup: int) -> dict[str, list[float]]:
    keys = ("hub_wall", "hub_added", "hub_inside", "hub_hop", "health_hop", "direct_wall", "direct_added")
    out: dict[str, list[float]] = {k: [] for k in keys}
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=100)) as client:
        # the hub builds its term index in the background at start: wait for it (not part of a query)
        (await client.get(hub + "/api/terms", params={"q": "lung"}, timeout=300)).raise_for_status()
        for i in range(warmup + requests):
            query = QUERIES[i % len(QUERIES)]
            # alternate which path goes first so drift on the shared machine hits both alike
            if i % 2:
                wall, slowest, took = await through_hub(client, hub, query)
                d_wall, d_slowest = await direct(client, urls, query)
            else:
                d_wall, d_slowest = await direct(client, urls, query)
                wall, slowest, took = await through_hub(client, hub, query)
            hop = await round_trip(client, hub)
            if i < warmup:
                continue
            out["hub_wall"].append(wall)
            out["hub_added"].append(wall - slowest)
            out["hub_inside"].append(took - slowest)
            out["hub_hop"].append(wall - took)
            out["health_hop"].append(hop)
            out["direct_wall"].append(d_wall)
            out["direct_added"].append(d_wall - d_slowest)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nodes", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cikg-bench-fed-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        nodes, entries = [], []
        for i in range(args.nodes):
            proc = Process(root / f"node{i}" / "data", free_tcp_port(), env={"CIKG_LOG_LEVEL": "WARNING"})
            harvest_node(proc.data_dir, f"node{i}", seed=i, base_url=proc.url)
            nodes.append(proc)
            entries.append({"id": f"node{i}", "name": f"node {i}", "base_url": proc.url, "timeout": 30})
        hub_dir = root / "hub"
        hub_dir.mkdir()
        hub = Process(
            hub_dir / "data", env={"CIKG_NODES_FILE": str(write_nodes(hub_dir / "nodes.yaml", entries))}
        )
        print(
            f"built {args.nodes} nodes in {time.perf_counter() - t0:.1f} s; starting processes ...",
            flush=True,
        )
        with processes([*nodes, hub]):
            figures = asyncio.run(measure(hub.url, [n.url for n in nodes], args.requests, args.warmup))
    print(f"\nfan-out to {args.nodes} node processes, {args.requests} requests (after {args.warmup} warm-up)")
    print(f"{'':30} {'p50 ms':>9} {'p90 ms':>9} {'p99 ms':>9}")
    for key, label in (
        ("hub_added", "hub added over slowest node"),
        ("hub_inside", "  of which inside the hub"),
        ("hub_hop", "  of which client-hub HTTP"),
        ("health_hop", "GET /health round trip"),
        ("direct_added", "direct: over slowest node"),
        ("hub_wall", "hub wall"),
        ("direct_wall", "direct wall (baseline)"),
    ):
        v = figures[key]
        print(f"{label:30} {statistics.median(v):9.2f} {pct(v, 0.9):9.2f} {pct(v, 0.99):9.2f}")
    ratio = statistics.median(figures["hub_wall"]) / statistics.median(figures["direct_wall"])
    p50 = statistics.median(figures["hub_added"])
    print(f"ratio hub wall / direct wall (medians): {ratio:.2f}")
    print(f"target hub added p50 <= 10 ms: {'met' if p50 <= 10 else 'NOT met'} ({p50:.2f} ms)")


if __name__ == "__main__":
    main()
