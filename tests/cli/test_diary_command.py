"""`facespasm diary ...` end to end, against a real SQLite file (and PostgreSQL where provisioned)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from facespasm.diary.database import open_database

from .conftest import Run

START = dt.date(2026, 1, 1)


def write_diary(path: Path, days: int = 90, seed: int = 1) -> Path:
    """A simulated diary in which each coffee multiplies the day's twitches by 1.4."""
    rng = np.random.default_rng(seed)
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["date", "episodes", "sleep_hours", "caffeine_drinks", "alcohol_drinks",
                         "stress_0_10", "screen_hours", "nicotine"])  # fmt: skip
        for n in range(days):
            coffee = int(rng.integers(0, 6))
            sleep = round(float(rng.normal(7, 1)), 1)
            stress = int(rng.integers(0, 11))
            episodes = int(rng.poisson(1.0 * 1.4**coffee))
            writer.writerow([(START + dt.timedelta(days=n)).isoformat(), episodes, sleep, coffee,
                             int(rng.integers(0, 3)), stress, round(float(rng.uniform(2, 10)), 1),
                             int(rng.random() < 0.2)])  # fmt: skip
    return path


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A diary database made as a person makes one: `facespasm db upgrade --db URL`."""
    url = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    open_database(url, schema="upgrade").dispose()
    return url


def test_import_show_export_round_trip(facespasm: Run, tmp_path: Path, db: str) -> None:
    source = write_diary(tmp_path / "days.csv")
    done = facespasm("diary", "import", str(source), "--db", db)
    assert done.returncode == 0, done.stderr
    assert "Imported 90 days" in done.stdout
    shown = facespasm("diary", "show", "--days", "5", "--db", db)
    assert "2026-03-31" in shown.stdout
    exported = facespasm("diary", "export", "--db", db)
    assert exported.returncode == 0, exported.stderr
    assert list(csv.reader(exported.stdout.splitlines()))[1][0] == "2026-01-01"
    assert len(exported.stdout.strip().splitlines()) == 91


def test_triggers_find_the_coffee(facespasm: Run, tmp_path: Path, db: str) -> None:
    facespasm("diary", "import", str(write_diary(tmp_path / "days.csv")), "--db", db)
    plot = tmp_path / "forest.png"
    done = facespasm("diary", "triggers", "--json", "--plot", str(plot), "--db", db)
    assert done.returncode == 0, done.stderr
    factors = {f["factor"]: f for f in json.loads(done.stdout)["factors"]}
    coffee = factors["caffeine_drinks"]
    assert set(coffee) == {"factor", "rate_ratio", "ci_low", "ci_high", "p_value", "significant"}
    assert coffee["significant"] and coffee["ci_low"] < 1.4 < coffee["ci_high"]
    assert plot.read_bytes()[:4] == b"\x89PNG"
    readable = facespasm("diary", "triggers", "--db", db)
    assert "not proof of cause" in readable.stdout


def test_a_bad_csv_imports_nothing_and_names_row_and_column(
    facespasm: Run, tmp_path: Path, db: str
):
    good = write_diary(tmp_path / "good.csv", days=20)
    facespasm("diary", "import", str(good), "--db", db)
    before = facespasm("diary", "export", "--db", db).stdout
    lines = write_diary(tmp_path / "bad.csv", days=30, seed=3).read_text().splitlines()
    fields = lines[12].split(",")
    fields[5] = "12"  # stress_0_10 out of range on data row 12
    lines[12] = ",".join(fields)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    done = facespasm("diary", "import", str(bad), "--db", db)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    message = done.stderr.strip().splitlines()[-1]
    assert "stress_0_10" in message and "12" in message
    assert facespasm("diary", "export", "--db", db).stdout == before


def test_log_day_treatment_and_cycles(facespasm: Run, db: str) -> None:
    assert facespasm("diary", "log", "--side", "left", "--region", "eyelid", "--region", "cheek",
                     "--severity", "3", "--timezone", "Europe/London", "--db", db).returncode == 0  # fmt: skip
    assert facespasm("diary", "day", "--sleep", "5", "--caffeine", "4", "--db", db).returncode == 0
    added = facespasm("diary", "treatment", "add", "--kind", "botulinum_toxin", "--side", "left",
                      "--dose", "20", "--db", db)  # fmt: skip
    assert added.returncode == 0, added.stderr
    cycles = facespasm("diary", "cycles", "--json", "--db", db)
    assert cycles.returncode == 0, cycles.stderr
    assert len(json.loads(cycles.stdout)) == 1
    shown = facespasm("diary", "show", "--db", db)
    assert dt.date.today().isoformat() in shown.stdout


def test_assess_uses_the_last_two_weeks_of_the_diary(facespasm: Run, db: str) -> None:
    for days_ago in range(5):
        date = (dt.date.today() - dt.timedelta(days=days_ago)).isoformat()
        facespasm("diary", "day", "--date", date, "--stress", "8", "--caffeine", "5", "--db", db)
    done = facespasm("assess", "--diary", "--db", db, "--json")
    assert done.returncode == 0, done.stderr
    evidence = json.loads(done.stdout)["evidence"]
    assert evidence["stress"]["origin"] == "diary" and evidence["stress"]["value"] is True
    assert evidence["caffeine"]["value"] is True


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("log", "--side", "up", "--region", "eyelid"), "side"),
        (("day", "--date", "yesterday"), "not a date"),
        (("day", "--stress", "15"), "stress"),
        (("treatment", "add", "--kind", "acupuncture"), "--kind must be"),
        (("import", "missing.csv"), "missing.csv"),
    ],
)
def test_bad_input_is_one_line(facespasm: Run, db: str, arguments: tuple[str, ...], message: str):
    done = facespasm("diary", *arguments, "--db", db)
    assert done.returncode == 2, done.stdout
    assert "Traceback" not in done.stderr
    assert message in done.stderr.strip().splitlines()[-1]


def test_an_unusable_database_url_is_one_line(facespasm: Run) -> None:
    done = facespasm("diary", "show", "--db", "nosuchdb://x")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
