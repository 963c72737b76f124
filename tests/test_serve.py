"""`cikg serve` as a real process: answers /health and /sparql on the data dir's store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import free_tcp_port


@pytest.mark.slow
def test_cikg_serve_answers_health_and_sparql(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ttl = tmp_path / "a.ttl"
    ttl.write_text('<http://example.org/a> <http://purl.org/dc/terms/title> "Alpha" .\n')
    load = [sys.executable, "-m", "cikg", "load", str(ttl), "-g", "a", "--data-dir", str(data)]
    subprocess.run(load, check=True)
    port = free_tcp_port()
    env = {**os.environ, "CIKG_DATA_DIR": str(data), "CIKG_PORT": str(port)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cikg", "serve", "--host", "127.0.0.1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode() if proc.stdout else ""
                raise AssertionError(f"cikg serve did not come up: {out}")
            time.sleep(0.2)
        assert httpx.get(base + "/health").json()["sources"] == 1
        query = "SELECT ?t WHERE { ?s <http://purl.org/dc/terms/title> ?t }"
        r = httpx.get(base + "/sparql", params={"query": query})
        assert r.json()["results"]["bindings"][0]["t"]["value"] == "Alpha"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
