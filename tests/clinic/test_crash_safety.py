"""`kill -9` mid-write loses no acknowledged write: a clinic server with two workers, killed twice.

The real server (`facespasm serve --clinic --workers 2`) on a SQLite file and on PostgreSQL (as
the app's role, under row security); writers put days into a patient's diary and remember every
day the server answered 2xx for. Mid-writes one worker is killed with SIGKILL (uvicorn starts
another; writes go on), then the whole server with its workers. After a restart, every
acknowledged day is in the database with the values sent -- a 2xx is sent only after the
transaction committed (`run_write`), so a crash can lose only writes nobody was told about.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import Engine

from facespasm.clinic import add_account
from facespasm.diary.database import open_database
from facespasm.diary.store import Diary
from tests.clinic.conftest import PASSWORD
from tests.diary.postgres_roles import clinic_database
from tests.servers import free_port, wait_until_up

SECRET = "k" * 40
EMAIL = "crash@patients.example"
FIRST = dt.date(1950, 1, 1)  # each writer has 3,000 days of its own from here
WRITERS = 4
# How long the writers write before the worker is killed, and before the server is.
BEFORE_WORKER_KILL_S = 1.5
BEFORE_SERVER_KILL_S = 2.0
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    """A running `facespasm serve --clinic` in a process group of its own."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def workers(self) -> list[int]:
        """The process ids of the server's workers (the uvicorn supervisor's children)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = [int(pid) for pid in children.read_text().split()]
        # multiprocessing's resource tracker is a child too; the workers run the server.
        return [pid for pid in pids if "resource_tracker" not in _command_line(pid)]

    def kill_all(self) -> None:
        """SIGKILL the supervisor and every worker at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@contextmanager
def serving(url: str, folder: Path, workers: int) -> Iterator[Server]:
    """Start the server on a free port and wait until it answers; kill it afterwards."""
    port = free_port()
    log = folder / f"server-{port}.log"
    command = [sys.executable, "-m", "facespasm", "serve", "--clinic", "--db", url,
               "--port", str(port), "--workers", str(workers)]  # fmt: skip
    env = {**os.environ, "FACESPASM_SECRET_KEY": SECRET, "FACESPASM_UPLOAD_DIR": str(folder)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO,
            start_new_session=True,
        )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_up(server.url, process, log, seconds=60)
        yield server
    finally:
        if process.poll() is None:
            server.kill_all()


@dataclass
class Writers:
    """Threads putting days into the diary; each day the server acknowledged, with its values."""

    url: str
    token: str
    acknowledged: dict[str, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    failed: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def write(self, writer: int) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=5) as client:
            n = 0
            while not self.stop.is_set():
                date = (FIRST + dt.timedelta(days=writer * 3000 + n)).isoformat()
                episodes = (writer * 7 + n) % 50
                try:
                    answer = client.put(
                        f"/api/v1/diary/days/{date}",
                        json={"episodes": episodes, "note": f"writer {writer} #{n}"},
                    )
                except httpx.HTTPError:  # the worker died under this request: not acknowledged
                    with self.lock:
                        self.failed += 1
                    n += 1
                    continue
                with self.lock:
                    if 200 <= answer.status_code < 300:
                        self.acknowledged[date] = episodes
                    elif answer.status_code < 500:
                        self.refused.append(f"{answer.status_code} {answer.text[:200]}")
                n += 1

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


def _sign_in(url: str) -> str:
    answer = httpx.post(
        url + "/api/v1/auth/token", data={"username": EMAIL, "password": PASSWORD}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def check_kills_lose_no_acknowledged_write(url: str, engine: Engine, folder: Path) -> None:
    """The scenario, on one database: write, kill a worker, write, kill everything, restart."""
    patient = add_account(engine, EMAIL, "patient", PASSWORD)
    with serving(url, folder, workers=2) as server:
        writers = Writers(server.url, _sign_in(server.url))
        threads = [threading.Thread(target=writers.write, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(BEFORE_WORKER_KILL_S)
            victim = server.workers()[0]
            os.kill(victim, signal.SIGKILL)
            at_worker_kill = writers.count()
            time.sleep(BEFORE_SERVER_KILL_S)
            at_server_kill = writers.count()
            server.kill_all()
        finally:
            writers.stop.set()
            for thread in threads:
                thread.join(timeout=10)
    assert not writers.refused, writers.refused[:3]
    assert at_worker_kill > 0, "nothing was written before the worker was killed"
    assert at_server_kill > at_worker_kill, "no write was acknowledged after the worker died"
    stored = {
        day.date.isoformat(): day.episodes for day in Diary(engine, patient.person_id).days.all()
    }
    lost = {
        date: episodes
        for date, episodes in writers.acknowledged.items()
        if stored.get(date) != episodes
    }
    assert not lost, (
        f"{len(lost)} of {len(writers.acknowledged)} acknowledged writes lost: {list(lost.items())[:5]}"
    )
    with serving(url, folder, workers=1) as again:
        # The restarted server reads them back too (through its own, fresh, engine).
        token = _sign_in(again.url)
        last = max(writers.acknowledged)
        answer = httpx.get(
            f"{again.url}/api/v1/diary/days/{last}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert answer.status_code == 200 and answer.json()["episodes"] == writers.acknowledged[last]


def test_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    engine = open_database(url, schema="upgrade")
    try:
        check_kills_lose_no_acknowledged_write(url, engine, tmp_path)
    finally:
        engine.dispose()


def test_on_postgresql_as_the_app_role(postgres_server, tmp_path):
    with clinic_database(postgres_server, "crash") as clinic:
        check_kills_lose_no_acknowledged_write(clinic.url(clinic.app_role), clinic.app, tmp_path)
