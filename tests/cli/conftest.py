"""Fixtures for driving the real `facespasm` command in a subprocess, as a user would."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ANSWERS = Path(__file__).parent / "answers"

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def facespasm() -> Run:
    """Run `facespasm ARGS...` in a fresh process; returns the completed process (never raises)."""

    def run(
        *args: str, stdin: str | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "facespasm", *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run
