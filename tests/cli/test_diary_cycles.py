"""`facespasm diary cycles` end to end: issue 12's year, imported and injected as a person would."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from facespasm.diary.database import open_database
from tests.diary.simulated_cycles import SimulatedDiary, issue_12_diary

from .conftest import Run


def run_facespasm(*args: str) -> subprocess.CompletedProcess[str]:
    """`facespasm ARGS...` in a fresh process (the module's diary is made once)."""
    return subprocess.run([sys.executable, "-m", "facespasm", *args], capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip


CONTRACT = {"injection", "responded", "wear_off", "wear_off_days", "next_due"}  # ⚑


@pytest.fixture(scope="module")
def year() -> SimulatedDiary:
    """A year, three injections 12 weeks apart, each 8 → 1.6 twitches a day for 10 weeks."""
    return issue_12_diary(np.random.default_rng(12), wear_off_days=70.0)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, year: SimulatedDiary) -> str:
    """The year in a diary file: `db upgrade`, `diary import`, one `treatment add` each."""
    tmp_path = tmp_path_factory.mktemp("cycles")
    facespasm = run_facespasm
    url = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    open_database(url, schema="upgrade").dispose()
    spreadsheet = tmp_path / "year.csv"
    with spreadsheet.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["date", "episodes", "sleep_hours", "caffeine_drinks", "alcohol_drinks",
                         "stress_0_10", "screen_hours", "nicotine"])  # fmt: skip
        for day in year.days:
            count = "" if day.episodes is None else day.episodes
            writer.writerow([day.date.isoformat(), count, "", "", "", "", "", ""])
    assert facespasm("diary", "import", str(spreadsheet), "--db", url).returncode == 0
    for treatment in year.treatments:
        added = facespasm("diary", "treatment", "add", "--kind", "botulinum_toxin", "--date",
                          treatment.date.isoformat(), "--side", "left", "--dose", "20", "--db", url)  # fmt: skip
        assert added.returncode == 0, added.stderr
    return url


def test_json_keeps_the_contract_keys_and_finds_each_wear_off(
    facespasm: Run, db: str, year: SimulatedDiary
) -> None:
    done = facespasm("diary", "cycles", "--json", "--db", db)
    assert done.returncode == 0, done.stderr
    cycles = json.loads(done.stdout)
    assert len(cycles) == 3
    for planted, cycle in zip(year.injections, cycles, strict=True):
        assert set(cycle) >= CONTRACT
        assert cycle["injection"] == planted.date.isoformat()
        assert cycle["responded"] is True
        wear_off = dt.date.fromisoformat(cycle["wear_off"])
        assert abs((wear_off - planted.wear_off).days) <= 7
        assert cycle["wear_off_days"] == (wear_off - planted.date).days
    assert [c["next_due"] is None for c in cycles] == [True, True, False]


def test_the_table_shows_each_wear_off_and_its_range(facespasm: Run, db: str) -> None:
    cycles = json.loads(facespasm("diary", "cycles", "--json", "--db", db).stdout)
    done = facespasm("diary", "cycles", "--db", db)
    assert done.returncode == 0, done.stderr
    table = done.stdout.split("Injection on ")[0]
    assert "Wore off" in table and "90% range" in table
    rows = [line for line in table.splitlines() if line.startswith("│ 20")]
    assert len(rows) == 3
    for row, cycle in zip(rows, cycles, strict=True):
        cells = [cell.strip() for cell in row.strip("│").split("│")]
        assert cells[0] == cycle["injection"]
        assert cells[1] == "yes"
        assert cells[3] == cycle["wear_off"]  # the estimate, not "—"
        assert cells[4].startswith(cycle["wear_off_low"][5:])
    assert rows[-1].rstrip("│ ").endswith(cycles[-1]["next_due"])
    assert "Next injection due" in done.stdout


def test_the_plot_is_written(facespasm: Run, db: str, tmp_path: Path) -> None:
    picture = tmp_path / "cycles.png"
    done = facespasm("diary", "cycles", "--plot", str(picture), "--db", db)
    assert done.returncode == 0, done.stderr
    assert picture.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
