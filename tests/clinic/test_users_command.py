"""`facespasm users ...` and `facespasm serve --clinic`, run as an administrator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from facespasm.diary.database import open_database
from tests.clinic.conftest import PASSWORD


def facespasm(*args: str, stdin: str | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "facespasm", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    """A migrated SQLite database for the module's accounts."""
    url = f"sqlite:///{tmp_path_factory.mktemp('users') / 'clinic.sqlite3'}"
    open_database(url, schema="upgrade").dispose()
    return url


def test_add_list_disable_enable_reset(db):
    added = facespasm("users", "add", "Dr.Lee@Clinic.example", "--role", "clinician",
                      "--password-stdin", "--db", db, stdin=PASSWORD + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "dr.lee@clinic.example" in added.stdout and PASSWORD not in added.stdout + added.stderr
    listed = json.loads(facespasm("users", "list", "--json", "--db", db).stdout)
    assert [(a["email"], a["role"], a["disabled"]) for a in listed] == [
        ("dr.lee@clinic.example", "clinician", False)
    ]
    assert facespasm("users", "disable", "dr.lee@clinic.example", "--db", db).returncode == 0
    assert "(disabled)" in facespasm("users", "list", "--db", db).stdout
    assert facespasm("users", "enable", "DR.LEE@clinic.example", "--db", db).returncode == 0
    reset = facespasm("users", "reset", "dr.lee@clinic.example", "--password-stdin", "--db", db,
                      stdin="another long password\n")  # fmt: skip
    assert reset.returncode == 0 and "another long password" not in reset.stdout + reset.stderr


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ("add", "x@clinic.example", "--role", "doctor", "--password-stdin"),
            PASSWORD,
            "unknown role",
        ),
        (
            ("add", "x@clinic.example", "--role", "patient", "--password-stdin"),
            "short",
            "at least 12",
        ),
        (
            ("add", "x@clinic.example", "--role", "patient"),
            None,
            "--password-stdin",
        ),  # no argv password
        (("disable", "nobody@clinic.example"), None, "no account for nobody@clinic.example"),
        (("reset", "nobody@clinic.example", "--password-stdin"), PASSWORD, "no account"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(db, args, stdin, message):
    done = facespasm("users", *args, "--db", db, stdin=stdin)
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.count("\n") == 1
    if stdin:
        assert stdin not in done.stderr + done.stdout


def test_a_duplicate_email_is_exit_2(db):
    first = facespasm("users", "add", "dup@clinic.example", "--role", "patient", "--password-stdin",
                      "--db", db, stdin=PASSWORD)  # fmt: skip
    assert first.returncode == 0
    again = facespasm("users", "add", "DUP@clinic.example", "--role", "admin", "--password-stdin",
                      "--db", db, stdin=PASSWORD)  # fmt: skip
    assert again.returncode == 2 and "already an account for dup@clinic.example" in again.stderr


@pytest.mark.parametrize(
    "key",
    [None, "short-but-secret-value"],  # none at all; 22 bytes
)
def test_serve_clinic_refuses_without_a_long_secret(db, key):
    env = {"FACESPASM_SECRET_KEY": key} if key else {}
    if key is None:
        env["FACESPASM_SECRET_KEY"] = ""
    done = facespasm("serve", "--clinic", "--db", db, "--port", "8999", env=env)
    assert done.returncode == 2
    assert "FACESPASM_SECRET_KEY of at least 32 bytes" in done.stderr
    assert done.stderr.count("\n") == 1 and (key is None or key not in done.stderr)
