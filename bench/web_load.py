"""Web API load for bench/RESULTS.md (issue 5): /api/v1/assess against the trivial /health.

Run by hand: `.venv/bin/python bench/web_load.py [--requests 5000] [--clients 50]`. It starts
`facespasm serve` (uvicorn, one worker) on a free loopback port in a subprocess, waits until it
answers, then drives `--clients` concurrent clients (asyncio + httpx, from this second process)
through a fixed number of requests per endpoint and stops. Targets: assess throughput ≥ 0.5×
health's; assess p99 < 50 ms at 50 concurrent clients.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
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


async def load(
    url: str, body: dict | None, requests: int, clients: int
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    remaining = requests
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                start = time.perf_counter()
                response = await (client.post(url, json=body) if body else client.get(url))
                latencies.append(time.perf_counter() - start)
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return requests / elapsed, latencies


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(port, Path(folder) / "diary.sqlite3")
        try:
            base = f"http://127.0.0.1:{port}/api/v1"
            # Warm up both endpoints (knowledge loading, first-call imports).
            asyncio.run(load(f"{base}/health", None, 500, args.clients))
            asyncio.run(load(f"{base}/assess", ANSWERS, 500, args.clients))
            health_rps, health_lat = asyncio.run(
                load(f"{base}/health", None, args.requests, args.clients)
            )
            assess_rps, assess_lat = asyncio.run(
                load(f"{base}/assess", ANSWERS, args.requests, args.clients)
            )
        finally:
            server.terminate()
            server.wait(timeout=10)
    ms = 1000
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"{args.clients} clients, {args.requests} requests per endpoint, 1 uvicorn worker")
    print(
        f"health: {health_rps:,.0f} req/s  p50 {percentile(health_lat, 50) * ms:.1f} ms  "
        f"p99 {percentile(health_lat, 99) * ms:.1f} ms"
    )
    print(
        f"assess: {assess_rps:,.0f} req/s  p50 {percentile(assess_lat, 50) * ms:.1f} ms  "
        f"p99 {percentile(assess_lat, 99) * ms:.1f} ms"
    )
    print(f"ratio assess/health: {assess_rps / health_rps:.2f} (target ≥ 0.5)")


if __name__ == "__main__":
    main()
