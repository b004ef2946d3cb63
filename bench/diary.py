"""Diary speed for bench/RESULTS.md (issue 4): import ten years of days, analyse a year.

Run by hand: `.venv/bin/python bench/diary.py`. Targets: 3,650 daily rows import in < 1 s on
SQLite; trigger analysis on a year in < 2 s.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from facespasm.diary.csv_io import import_csv
from facespasm.diary.database import open_database
from facespasm.diary.records import CSV_COLUMNS, Day
from facespasm.diary.store import Diary
from facespasm.diary.triggers import trigger_analysis


def ten_years(path: Path) -> Path:
    rng = np.random.default_rng(0)
    start = dt.date(2016, 1, 1)
    lines = [",".join(CSV_COLUMNS)]
    for n in range(3650):
        lines.append(
            f"{start + dt.timedelta(days=n)},{rng.poisson(2)},{rng.normal(7, 1):.1f},"
            f"{rng.integers(0, 5)},{rng.integers(0, 3)},{rng.integers(0, 11)},"
            f"{rng.uniform(1, 10):.1f},{int(rng.random() < 0.2)}"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def a_year() -> list[Day]:
    rng = np.random.default_rng(1)
    days = []
    for n in range(365):
        coffee = int(rng.integers(0, 6))
        days.append(
            Day(
                dt.date(2025, 1, 1) + dt.timedelta(days=n),
                int(rng.poisson(1.3**coffee)),
                float(rng.normal(7, 1)),
                coffee,
                int(rng.integers(0, 3)),
                int(rng.integers(0, 11)),
                float(rng.uniform(1, 10)),
                bool(rng.random() < 0.2),
            )
        )
    return days


def main() -> None:
    imports = []
    with tempfile.TemporaryDirectory() as folder:
        csv_path = ten_years(Path(folder) / "ten_years.csv")
        for run in range(5):
            engine = open_database(f"sqlite:///{folder}/diary{run}.sqlite3", schema="upgrade")
            started = time.perf_counter()
            import_csv(Diary(engine), csv_path)
            imports.append(time.perf_counter() - started)
            engine.dispose()
    year = a_year()
    started = time.perf_counter()
    trigger_analysis(year)
    first = time.perf_counter() - started
    again = []
    for _ in range(5):
        started = time.perf_counter()
        trigger_analysis(year)
        again.append(time.perf_counter() - started)
    print("| measure | median | target |")
    print("|---|---|---|")
    print(f"| import 3,650 daily rows into a new SQLite diary (5 runs) | "
          f"{statistics.median(imports) * 1e3:.0f} ms | < 1 s |")  # fmt: skip
    name = "trigger analysis of 365 days, first call (imports statsmodels)"
    print(f"| {name} | {first:.2f} s | < 2 s |")
    print(f"| trigger analysis of 365 days, later calls (5 runs) | "
          f"{statistics.median(again) * 1e3:.0f} ms | < 2 s |")  # fmt: skip


if __name__ == "__main__":
    main()
