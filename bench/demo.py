"""`cikg demo` from command to serving, against `cikg serve` on the same data dir, same run.

    python bench/demo.py [--rounds 3] [--scale N]

Times, as medians over the rounds, with real processes (what `make demo` runs):

* baseline: `cikg serve` on the built demo's data dir, from the command to the first `/health` answer
  (Python start-up, imports, store opening, uvicorn);
* fresh: `cikg demo` on an empty data dir (generate the sources, harvest all 16 through the SHACL gate,
  serve), from the command to the first `/health` answer;
* reuse: `cikg demo` again on the data dir of a complete demo.

With ``--scale N`` it instead times one `cikg demo --scale N --no-serve` build and prints series per
second of generation + harvest (the default demo's rate in the same run is the baseline).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.live_server import free_tcp_port


def until_health(command: list[str], port: int) -> float:
    """Seconds from starting ``command`` to the first 200 from ``/health`` (then the process is stopped)."""
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise SystemExit(f"{command[3]} ended: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)


def cikg(*args: str) -> list[str]:
    return [sys.executable, "-m", "cikg", *args]


def demo(data: Path, port: int, *extra: str) -> list[str]:
    return cikg("demo", "--data-dir", str(data), "--port", str(port), *extra)


def build_time(data: Path, *extra: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        cikg("demo", "--data-dir", str(data), "--no-serve", *extra), check=True, capture_output=True
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.scale:
            base = build_time(root / "default")
            big = build_time(root / "big", "--scale", str(args.scale))
            du = subprocess.run(
                ["du", "-sh", str(root / "big")], capture_output=True, text=True
            ).stdout.split()[0]
            print(f"default demo (2,000 series): {base:.1f} s = {2000 / base:,.0f} series/s")
            print(
                f"--scale {args.scale:,}: {big:.1f} s = {args.scale / big:,.0f} series/s "
                f"(ratio {args.scale / big / (2000 / base):.2f}), {du} on disk"
            )
            return
        port = free_tcp_port()
        fresh, reuse, serve = [], [], []
        for r in range(args.rounds):
            data = root / f"d{r}"
            fresh.append(until_health(demo(data, port), port))
            reuse.append(until_health(demo(data, port), port))
            serve.append(until_health(cikg("serve", "--data-dir", str(data), "--port", str(port)), port))
        base = statistics.median(serve)
        for name, values in (
            ("baseline: cikg serve", serve),
            ("cikg demo, fresh", fresh),
            ("cikg demo, reuse", reuse),
        ):
            med = statistics.median(values)
            runs = ", ".join(f"{v:.1f}" for v in values)
            print(f"{name:<22} median {med:6.2f} s  (runs {runs})  ratio {med / base:5.2f}")


if __name__ == "__main__":
    main()
