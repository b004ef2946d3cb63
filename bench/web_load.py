"""Web API load for bench/RESULTS.md (issue 5): /api/v1/assess against the trivial /health.

Run by hand: `.venv/bin/python bench/web_load.py [--runs 3] [--seconds 10] [--clients 50]`.
It starts `facespasm serve` (uvicorn, one worker) on a free loopback port in a subprocess and
loads it from a second process with `wrk` (Debian's package; `make bench` installs it), a C
load generator: a Python client saturates before the server does and measures itself. Health
and assess alternate for `--runs` rounds after a warm-up. Targets: assess throughput ≥ 0.5×
health's; assess p99 < 50 ms at 50 concurrent clients.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ANSWERS = {
    "answers": {
        "age": 45,
        "sex": "female",
        "side": "one",
        "regions": ["eyelid"],
        "small_flicker": True,
        "duration_days": 10,
        "frequency": "daily",
        "stress": True,
        "caffeine": True,
        "poor_sleep": True,
    }
}
SERVE = "import typer; from facespasm.cli.serve import serve_command; typer.run(serve_command)"
POST_SCRIPT = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = {body}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(port: int, db: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", SERVE, "--port", str(port), "--db", f"sqlite:///{db}"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(
        f"server did not start:\n{server.stdout.read().decode() if server.stdout else ''}"
    )


def wrk(url: str, seconds: int, clients: int, script: Path | None) -> tuple[float, float]:
    """Requests per second and p99 latency (ms) of one wrk run."""
    command = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--latency", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"{url} answered errors under load:\n{output}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    if rate is None or p99 is None:
        raise SystemExit(f"could not read wrk's output:\n{output}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return float(rate.group(1)), float(p99.group(1)) * scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (or run `make bench`)")
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "assess.lua"
        script.write_text(POST_SCRIPT.format(body=json.dumps(json.dumps(ANSWERS))))
        server = start_server(port, Path(folder) / "diary.sqlite3")
        base = f"http://127.0.0.1:{port}/api/v1"
        try:
            wrk(f"{base}/health", 3, args.clients, None)  # warm-up
            wrk(f"{base}/assess", 3, args.clients, script)
            rounds = [
                (
                    wrk(f"{base}/health", args.seconds, args.clients, None),
                    wrk(f"{base}/assess", args.seconds, args.clients, script),
                )
                for _ in range(args.runs)
            ]
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"wrk -t1 -c{args.clients} -d{args.seconds}s, 1 uvicorn worker, loopback")
    print("| run | /health req/s | /assess req/s | ratio | /assess p99 |")
    print("|---|---|---|---|---|")
    for number, ((health_rate, _), (assess_rate, assess_p99)) in enumerate(rounds, start=1):
        ratio = assess_rate / health_rate
        print(
            f"| {number} | {health_rate:,.0f} | {assess_rate:,.0f} | {ratio:.2f} | "
            f"{assess_p99:.1f} ms |"
        )
    print("targets: ratio ≥ 0.5, p99 < 50 ms")


if __name__ == "__main__":
    main()
