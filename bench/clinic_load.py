"""The clinic server under load: 50 clients across 20 patients, reads and writes (issue 14, item 8).

Run by hand: `.venv/bin/python bench/clinic_load.py [--seconds 20] [--clients 50] [--patients 20]
[--workers 2]`; PostgreSQL is the test server of `scripts/postgres-for-tests`
($FACESPASM_TEST_POSTGRES_URL, or the script is run to start it).

Set up as docs/clinic.md tells a clinic (as `scripts/demo-clinic` does): a fresh database owned by
an owner role that creates the tables (`db upgrade`) and grants the app's role (`db grant`); the
server (`facespasm serve --clinic --workers N`) connects as the app's role, neither owner nor
superuser, so PostgreSQL's row security is on. The patients are added and sign in through the
API; then each client (asyncio and httpx, one connection each; client n is patient n mod 20) loops
for `--seconds`: half reads (its days, its episodes), half writes (a day's note, an episode), every
note carrying its own patient's tag. Afterwards, as the server's superuser (which row security
does not bind), every stored row is checked: its note's tag must be its own person's. Prints
latency percentiles by kind, errors (any answer but 2xx, any failed request) and misplaced rows;
the figures go to bench/RESULTS.md with the machine's load average (other jobs share its cores).
Everything is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from facespasm.clinic import add_account
from facespasm.diary.database import open_database
from facespasm.diary.row_security import grant_app_role

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "load test password"
SECRET = "b" * 48


def _server_url() -> str:
    url = os.environ.get("FACESPASM_TEST_POSTGRES_URL")
    if url:
        return url
    started = subprocess.run(
        [str(REPO / "scripts" / "postgres-for-tests")], check=True, capture_output=True, text=True
    )
    return started.stdout.strip()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def client_loop(
    url: str, token: str, tag: str, number: int, until: float, results: dict[str, list[float]],
    errors: list[str],
) -> None:  # fmt: skip
    """One client: its patient's reads and writes, each timed, until `until`."""
    rng = random.Random(number)
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=1)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=30, limits=limits
    ) as client:
        n = 0
        while time.monotonic() < until:
            n += 1
            kind = rng.choice(("read days", "read episodes", "write day", "write episode"))
            if kind == "read days":
                request = client.get("/api/v1/diary/days", params={"limit": 30})
            elif kind == "read episodes":
                request = client.get("/api/v1/diary/episodes", params={"limit": 20})
            elif kind == "write day":
                day = f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}"
                body = {"note": f"{tag} client {number} #{n}", "sleep_hours": 7}
                request = client.put(f"/api/v1/diary/days/{day}", json=body)
            else:
                note = f"{tag} client {number} #{n}"
                body = {"side": "left", "regions": ["eyelid"], "severity": rng.randint(0, 10),
                        "note": note, "timezone": "Europe/Berlin"}  # fmt: skip
                request = client.post("/api/v1/diary/episodes", json=body)
            started = time.perf_counter()
            try:
                answer = await request
            except httpx.HTTPError as failed:
                errors.append(f"{kind}: {type(failed).__name__}")
                continue
            results[kind].append(time.perf_counter() - started)
            if not 200 <= answer.status_code < 300:
                errors.append(f"{kind}: {answer.status_code} {answer.text[:120]}")


async def run_clients(
    url: str, tokens: list[str], tags: list[str], clients: int, seconds: float
) -> tuple[dict[str, list[float]], list[str]]:
    """Every client at once for `seconds`; latencies by kind and the errors."""
    results: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    until = time.monotonic() + seconds
    await asyncio.gather(
        *(
            client_loop(
                url, tokens[n % len(tokens)], tags[n % len(tags)], n, until, results, errors
            )
            for n in range(clients)
        )
    )
    return results, errors


def misplaced_rows(superuser_url: str, tags: dict[int, str]) -> tuple[int, int]:
    """(rows checked, rows whose note's tag is not their own person's), read past row security."""
    engine = create_engine(superuser_url)
    checked = wrong = 0
    try:
        with engine.connect() as connection:
            for table in ("day_factors", "episodes"):
                query = text(f"SELECT person_id, note FROM {table} WHERE note IS NOT NULL")
                for person, note in connection.execute(query):
                    checked += 1
                    if not note.startswith(tags.get(person, "?") + " "):
                        wrong += 1
    finally:
        engine.dispose()
    return checked, wrong


def main() -> None:  # noqa: PLR0915
    """Set up, load, check, report, drop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--patients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

    server = create_engine(_server_url(), isolation_level="AUTOCOMMIT")
    suffix = uuid.uuid4().hex[:8]
    database, owner, app = f"fs_load_{suffix}", f"fs_load_owner_{suffix}", f"fs_load_app_{suffix}"
    with server.connect() as connection:
        connection.execute(text(f"CREATE ROLE {owner} LOGIN"))
        connection.execute(text(f"CREATE ROLE {app} LOGIN"))
        connection.execute(text(f"CREATE DATABASE {database} OWNER {owner}"))
    at = server.url.set(database=database)
    owner_url = at.set(username=owner).render_as_string(hide_password=False)
    app_url = at.set(username=app).render_as_string(hide_password=False)
    superuser_url = at.render_as_string(hide_password=False)
    process = None
    log = Path(f"/tmp/facespasm-clinic-load-{suffix}.log")
    try:
        owned = open_database(owner_url, schema="upgrade")
        grant_app_role(owned, app)
        owned.dispose()
        engine = open_database(app_url)
        patients = [
            add_account(engine, f"patient{n:02d}-{suffix}@load.example", "patient", PASSWORD)
            for n in range(options.patients)
        ]
        engine.dispose()
        tags = {p.person_id: f"[p{n:02d}]" for n, p in enumerate(patients)}

        port = _free_port()
        command = [sys.executable, "-m", "facespasm", "serve", "--clinic", "--db", app_url,
                   "--port", str(port), "--workers", str(options.workers)]  # fmt: skip
        env = {**os.environ, "FACESPASM_SECRET_KEY": SECRET}
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.2)
        tokens = []
        for patient in patients:
            answer = httpx.post(
                url + "/api/v1/auth/token",
                data={"username": patient.email, "password": PASSWORD},
                timeout=30,
            )
            answer.raise_for_status()
            tokens.append(answer.json()["access_token"])

        load_before = os.getloadavg()
        started = time.monotonic()
        results, errors = asyncio.run(
            run_clients(
                url, tokens, [tags[p.person_id] for p in patients], options.clients,
                options.seconds,
            )
        )  # fmt: skip
        elapsed = time.monotonic() - started
        load_after = os.getloadavg()
        checked, wrong = misplaced_rows(superuser_url, tags)

        every = [v for values in results.values() for v in values]
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}")  # fmt: skip
        print(f"command: {' '.join(sys.argv)}")
        print(f"{options.clients} clients, {options.patients} patients, {options.workers} workers, "
              f"{elapsed:.1f} s; load average before {load_before[0]:.2f}, "
              f"after {load_after[0]:.2f} (1 min)")  # fmt: skip
        print(f"requests: {len(every) + len(errors)} ({(len(every)) / elapsed:.0f}/s answered); "
              f"errors: {len(errors)}")  # fmt: skip
        for error in sorted(set(errors))[:10]:
            print(f"  error: {error}")
        print(f"{'kind':<15}{'n':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
        for kind, values in [*sorted(results.items()), ("all", every)]:
            print(f"{kind:<15}{len(values):>7}{statistics.median(values) * 1000:>9.0f}"
                  f"{percentile(values, 0.99) * 1000:>9.0f}{max(values) * 1000:>9.0f}")  # fmt: skip
        print(f"rows checked past row security: {checked}; under the wrong person: {wrong}")
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, 9)
            process.wait()
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
            connection.execute(text(f"DROP ROLE IF EXISTS {app}"))
            connection.execute(text(f"DROP ROLE IF EXISTS {owner}"))
        server.dispose()


if __name__ == "__main__":
    main()
