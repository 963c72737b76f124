"""A federation on 127.0.0.1 for tests and the benchmark: real cikg nodes, each a `cikg serve` process
with its own embedded store holding DICOM it harvested, and the faulty nodes a network has (a dead
port, a node slower than the timeout, a node that answers invalid JSON, a node that refuses).
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from cikg.catalogue import Catalogue
from cikg.settings import Settings
from tests.harvest.dicomgen import CT, make
from tests.support.live_server import free_tcp_port

PROFILES = [
    # modality, SOP class, body part, condition, manufacturer
    ("CT", CT, "CHEST", "lung_cancer", "SIEMENS"),
    ("MR", "1.2.840.10008.5.1.4.1.1.4", "PROSTATE", "prostate_cancer", "Philips"),
    ("MR", "1.2.840.10008.5.1.4.1.1.4", "BREAST", "breast_cancer", "GE MEDICAL SYSTEMS"),
    ("CT", CT, "ABDOMEN", "colorectal_cancer", "TOSHIBA"),
]
COUNTRIES = ["ES", "IT", "FR", "DE", "PT", "GR", "NL", "BE"]


@dataclass
class NodeData:
    node_id: str
    collections: dict[str, int] = field(default_factory=dict)  # collection id -> subjects
    shared_subjects: int = 0  # subjects present in both collections of the node


def harvest_node(data_dir: Path, node_id: str, seed: int, *, base_url: str) -> NodeData:
    """Two DICOM collections per node (different profiles, some subjects in both), harvested for real."""
    rng = random.Random(seed)
    settings = Settings(data_dir=data_dir, base_url=base_url)
    out = NodeData(node_id)
    shared = rng.randint(0, 4)
    out.shared_subjects = shared
    profiles = rng.sample(PROFILES, 2)
    with Catalogue(settings) as cat:
        for j, (modality, sop, body, condition, maker) in enumerate(profiles):
            cid = f"{node_id}-c{j}"
            n = rng.randint(3, 24)
            root = data_dir.parent / f"dicom-{node_id}-{j}"
            for s in range(n):
                pid = f"{node_id}-shared-{s}" if s < shared else f"{node_id}-{j}-{s}"
                make(
                    root / f"{s}.dcm",
                    patient_id=pid,
                    sop_class=sop,
                    modality=modality,
                    body_part=body,
                    manufacturer=maker,
                    sex=rng.choice("MF"),
                    age=f"{rng.randint(30, 85):03d}Y",
                )
            metadata = {
                "title": f"{node_id} {condition.replace('_', ' ')} {modality}",
                "description": f"Synthetic {modality} collection {j} of node {node_id}",
                "data_holder": {
                    "id": f"holder-{node_id}",
                    "name": f"Hospital {node_id}",
                    "country": COUNTRIES[seed % len(COUNTRIES)],
                    "juridical_person": f"Foundation {node_id}",
                },
                "primary_cancer_condition": [condition],
            }
            cat.harvest_dicom(root, cid, metadata=metadata, workers=1)
            out.collections[cid] = n
        cat.warm_vocabulary()  # the term index cache lands in the data dir: the process starts warm
    return out


class Process:
    """`cikg serve` in a subprocess on 127.0.0.1 (real uvicorn, real embedded store)."""

    def __init__(self, data_dir: Path, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.port = port or free_tcp_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.env = {**os.environ, "CIKG_BASE_URL": self.url, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cikg",
                "serve",
                "--data-dir",
                str(self.data_dir),
                "--port",
                str(self.port),
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait(self, timeout: float = 90) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"cikg serve on {self.port} exited: {err[-2000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"cikg serve on {self.port} did not start in {timeout} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextmanager
def processes(procs: list[Process]) -> Iterator[list[Process]]:
    try:
        for p in procs:
            p.start()
        for p in procs:
            p.wait()
        yield procs
    finally:
        for p in procs:
            p.stop()


# -- faulty nodes ---------------------------------------------------------------------------------
def dead_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    return free_tcp_port()


@contextmanager
def raw_server(answer: bytes | None, delay: float = 0.0) -> Iterator[str]:
    """A tiny HTTP server: after ``delay`` s, sends ``answer`` (a whole HTTP response; ``None``: holds
    the connection until closed). Runs in a thread; yields its base URL."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.settimeout(0.2)
    stop = threading.Event()
    conns: list[socket.socket] = []

    def handle(conn: socket.socket) -> None:
        try:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            if stop.wait(delay) or answer is None:
                stop.wait()
                return
            conn.sendall(answer)
        except OSError:
            pass
        finally:
            conn.close()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conns.append(conn)
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        sock.close()


def http_response(status: str, body: bytes, content_type: str = "application/json") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    return (head + "Connection: close\r\n\r\n").encode() + body


INVALID_JSON = http_response("200 OK", b'{"total": {"collections": 1}, "collections": [')
REFUSING = http_response("403 Forbidden", b'{"detail": "not on this network"}')


def write_nodes(path: Path, nodes: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump({"nodes": nodes}, sort_keys=False), encoding="utf-8")
    return path
