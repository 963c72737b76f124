"""A live federation for the hub tests: five real cikg nodes with harvested data, plus faulty nodes
(one per test session: the hub and union tests share it)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from cikg.catalogue import Catalogue
from cikg.settings import Settings
from tests.federation.cluster import (
    INVALID_JSON,
    REFUSING,
    NodeData,
    Process,
    dead_port,
    harvest_node,
    processes,
    raw_server,
    write_nodes,
)
from tests.support.live_server import free_tcp_port, live_server

NODE_TIMEOUT = 3.0
SLOW_DELAY = 30.0
NODE0_TOKEN = "node0-secret-token"  # node0 gives the hub exact counts; the hub must protect them again
HUB_TOKEN = "hub-secret-token"


@dataclass
class Federation:
    hub: str  # the hub's base URL
    nodes: list[dict[str, Any]]  # nodes.yaml entries
    data: dict[str, NodeData]  # healthy cikg nodes: what they hold
    urls: dict[str, str]  # node id -> base URL
    hub_catalogue: Catalogue


@pytest.fixture(scope="session")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    root = tmp_path_factory.mktemp("federation")
    procs, data, entries, urls = [], {}, [], {}
    for i in range(5):
        node_id = f"node{i}"
        port = free_tcp_port()
        env = {"CIKG_ACCESS_TOKENS": json.dumps([NODE0_TOKEN])} if i == 0 else {}
        proc = Process(root / node_id / "data", port, env=env)
        data[node_id] = harvest_node(proc.data_dir, node_id, seed=i, base_url=proc.url)
        procs.append(proc)
        urls[node_id] = proc.url
        entry = {"id": node_id, "name": f"Hospital {i}", "base_url": proc.url, "protocol": "cikg"}
        if i == 0:
            entry["credentials"] = {"token": NODE0_TOKEN}
        entries.append(entry)
    with ExitStack() as stack:
        stack.enter_context(processes(procs))
        faults = {
            "dead": f"http://127.0.0.1:{dead_port()}",
            "slow": stack.enter_context(raw_server(None, delay=SLOW_DELAY)),
            "garbage": stack.enter_context(raw_server(INVALID_JSON)),
            "closed": stack.enter_context(raw_server(REFUSING)),
        }
        for name, url in faults.items():
            entries.append({"id": name, "name": name, "base_url": url, "protocol": "cikg"})
            urls[name] = url
        port = free_tcp_port()
        settings = Settings(
            data_dir=root / "hub",
            port=port,
            base_url=f"http://127.0.0.1:{port}",
            nodes_file=write_nodes(root / "nodes.yaml", entries),
            federation_timeout=NODE_TIMEOUT,
            access_tokens=[HUB_TOKEN],
        )
        cat = stack.enter_context(Catalogue(settings))
        from cikg.web import create_app

        hub = stack.enter_context(live_server(create_app(catalogue=cat), port=port))
        # warm up: every node's search index and term index, and the hub's own background builds, are
        # built before the timed requests (a cold start is not what the time bound is about)
        for node_id in data:
            httpx.post(urls[node_id] + "/api/search", json={}, timeout=120).raise_for_status()
        cat.warm_vocabulary()
        httpx.post(hub + "/api/federated/search", json={}, timeout=120).raise_for_status()
        yield Federation(hub, entries, data, urls, cat)


EXPECTED_FAULTS = {"dead": "refused", "slow": "timeout", "garbage": "error", "closed": "refused"}


def statuses(reports: list[dict[str, Any]]) -> dict[str, str]:
    return {r["id"]: r["status"] for r in reports}
