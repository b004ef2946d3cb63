"""The real server in a subprocess, for the tests that talk to it over HTTP.

`running_server` starts `facespasm serve` the way a person does, on a free localhost port, and
stops it when the block ends; `free_port` and `wait_until_up` are its parts, for tests that need
their own way to start or stop one (a process group to kill, a server killed mid-upload).
"""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

FACESPASM = [sys.executable, "-m", "facespasm"]


@dataclass
class Server:
    """A running facespasm server: its address, its log file and its process."""

    url: str
    log: Path
    process: subprocess.Popen[bytes]


def free_port() -> int:
    """A localhost port nobody listens on (the operating system's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(
    url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 30
) -> None:
    """Wait until the server at `url` answers its health check; fail with its log if it died."""
    deadline = time.monotonic() + seconds
    while not _healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the server did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


@contextlib.contextmanager
def running_server(
    options: list[str],
    env: dict[str, str],
    log: Path,
    *,
    stop: signal.Signals = signal.SIGTERM,
) -> Iterator[Server]:
    """`facespasm serve [options]` on a free localhost port, until the block ends.

    Its standard output and error go to `log`. It is stopped with `stop` (SIGINT: as a person
    presses Ctrl-C) and waited for, so its exit status and whole log can be read afterwards.
    """
    port = free_port()
    command = [*FACESPASM, "serve", "--port", str(port), *options]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
        yield Server(url, log, process)
    finally:
        process.send_signal(stop)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/api/v1/health", timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False
