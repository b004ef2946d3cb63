"""`PUT /api/v1/diary/days/{date}` under load on a 100,000-day diary (bench/RESULTS.md, issue 11).

Run by hand: `.venv/bin/python bench/diary_load.py [--runs 2] [--seconds 10] [--clients 50]
[--databases sqlite,postgresql] [--code DIR]`.

The diary is written straight into the tables (100,000 days, as the issue's probe had; dates
before 1900 included, which the program itself no longer accepts), then `facespasm serve` (one
uvicorn worker) is started on it in a subprocess and `wrk` sends PUTs of random days among the
last 10,000 from `--clients` connections. `--code DIR` runs the server from another checkout's
`src/` (e.g. `git archive HEAD` unpacked), to measure before and after on the same machine.
PostgreSQL is the test server of `scripts/postgres-for-tests` ($FACESPASM_TEST_POSTGRES_URL),
each run in a schema of its own. Target: p99 < 100 ms on both.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from facespasm.diary.database import open_database
from facespasm.diary.models import DEFAULT_PERSON_ID, DayFactors

DAYS = 100_000
LAST = dt.date(2026, 11, 1)
SERVE = "import typer; from facespasm.cli.serve import serve_command; typer.run(serve_command)"
PUT_SCRIPT = """math.randomseed(42)
local last = os.time({{year = 2026, month = 11, day = 1, hour = 12}})
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{{"sleep_hours": 6.5, "stress_0_10": 4}}'
request = function()
  local day = os.date("!%Y-%m-%d", last - math.random(0, {recent} - 1) * 86400)
  return wrk.format(nil, "/api/v1/diary/days/" .. day)
end
"""


def seed(url: str) -> None:
    """The schema (migrated by the current code), then DAYS days written straight in."""
    engine = open_database(url, schema="upgrade")
    rows = [
        {
            "person_id": DEFAULT_PERSON_ID,
            "date": LAST - dt.timedelta(days=n),
            "episodes": n % 5,
            "sleep_hours": 7.0,
            "caffeine_drinks": float(n % 4),
            "stress_0_10": float(n % 11),
            "nicotine": n % 7 == 0,
        }
        for n in range(DAYS)
    ]
    with engine.begin() as connection:
        connection.execute(insert(DayFactors), rows)
    engine.dispose()


def start_server(port: int, url: str, code: Path | None, log: Path) -> subprocess.Popen[bytes]:
    """The server, its output in `log` (a pipe nobody reads fills up and stalls the server)."""
    import httpx

    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code / "src")
    command = [sys.executable, "-c", SERVE, "--port", str(port), "--db", url]
    with log.open("wb") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.kill()
    raise SystemExit(f"server did not start:\n{log.read_text()[-3000:]}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wrk(url: str, seconds: int, clients: int, script: Path) -> tuple[float, float, str]:
    """Requests per second, p99 latency (ms) and errors of one wrk run (60 s timeout each)."""
    command = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "60s", "--latency"]
    output = subprocess.run(
        [*command, "-s", str(script), url], capture_output=True, text=True, check=True
    ).stdout
    errors = re.findall(r"(Non-2xx or 3xx responses: \d+|Socket errors: .*)", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    if rate is None or p99 is None:
        raise SystemExit(f"could not read wrk's output:\n{output}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return float(rate.group(1)), float(p99.group(1)) * scale, "; ".join(errors) or "none"


def postgres_url() -> str:
    url = (
        os.environ.get("FACESPASM_TEST_POSTGRES_URL")
        or subprocess.run(
            ["scripts/postgres-for-tests"], capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{url}?options=-csearch_path%3D{schema}"


def measure(
    database: str, args: argparse.Namespace, folder: Path
) -> list[tuple[float, float, str]]:
    url = f"sqlite:///{folder / f'{database}.sqlite3'}" if database == "sqlite" else postgres_url()
    seed(url)
    script = folder / "put.lua"
    script.write_text(PUT_SCRIPT.format(recent=10_000))
    port = free_port()
    server = start_server(port, url, args.code, folder / f"{database}-server.log")
    base = f"http://127.0.0.1:{port}/api/v1/diary/days/2026-11-01"
    try:
        wrk(base, 3, args.clients, script)  # warm-up
        return [wrk(base, args.seconds, args.clients, script) for _ in range(args.runs)]
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # still busy with queued requests
            server.kill()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--code", type=Path, default=None, help="a checkout whose src/ to serve")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; code: "
          f"{args.code or 'this checkout'}")  # fmt: skip
    print(f"wrk -t1 -c{args.clients} -d{args.seconds}s, 1 uvicorn worker, {DAYS:,} days")
    print("| database | run | PUT day req/s | PUT day p99 | errors |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for database in args.databases.split(","):
            runs = measure(database, args, Path(folder))
            for number, (rate, p99, errors) in enumerate(runs, start=1):
                print(f"| {database} | {number} | {rate:,.1f} | {p99:,.1f} ms | {errors} |")


if __name__ == "__main__":
    main()
