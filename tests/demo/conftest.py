"""One small demo federation per test session, built by the real `cikg demo --no-serve` command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from cikg.catalogue import Catalogue
from cikg.demo.build import demo_settings
from cikg.settings import Settings
from tests.support.live_server import free_tcp_port

SCALE = 240


@dataclass(frozen=True)
class Demo:
    data_dir: Path
    port: int
    build_output: str

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self) -> Settings:
        return demo_settings(Settings(data_dir=self.data_dir, port=self.port, base_url=self.base_url))


def demo_command(data_dir: Path, port: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "cikg",
        "demo",
        "--data-dir",
        str(data_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--scale",
        str(SCALE),
        *extra,
    ]


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    port = free_tcp_port()
    done = subprocess.run(
        demo_command(data_dir, port, "--no-serve"), capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return Demo(data_dir, port, done.stdout)


@pytest.fixture
def demo_catalogue(demo: Demo) -> Iterator[Catalogue]:
    cat = Catalogue(demo.settings())
    yield cat
    cat.close()


@contextmanager
def running(command: list[str], base: str, env: dict[str, str] | None = None) -> Iterator[float]:
    """Start ``command``; yields the seconds it took until ``/health`` answered."""
    started = time.monotonic()
    proc = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() - started > 120:
                out = proc.stdout.read().decode() if proc.stdout else ""
                raise AssertionError(f"{command[3]} did not come up: {out}")
            time.sleep(0.2)
        yield time.monotonic() - started
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
