"""Toxin cycles on diaries simulated blind, for bench/RESULTS.md (issue 12).

The diaries come from `bench/blind_cycles/simulate.py`, written by a writer who was given only
the medical facts and the file format -- never this program, its model or its simulator
(bench/blind_cycles/README.md says how it simulates). It is kept exactly as written. The set is
split by a hash of each diary's id into a development half and a **locked** half; nothing was
tuned on either, and the locked half is to stay that way: tune on `dev` only, if ever.

Run by hand from the repository: `.venv/bin/python -m bench.cycles_blind [--n 360] [--seed 41]
[--before 6650e0a]`. Each diary is read as the person would see it at its last day.

Scored per injection dated inside the diary, against the writer's truth (`truth.json`):
- wear-off: over working injections whose wear-off the diary shows (`wear_off_visible`): the
  share found, |error| median and 90th percentile (days), found within 7 days, truth inside the
  90% interval;
- response: over injections with at least 42 diary days after them, sensitivity (working ones
  said to work), specificity (failing ones not said to work), and the share undecided;
- "next due" given for an injection other than the latest (should be none).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.cycles import old_cycles
from facespasm.diary.cycles import toxin_cycles
from facespasm.diary.records import Day, Treatment

HERE = Path(__file__).parent
EVALUABLE_AFTER_DAYS = 42


@dataclass
class BlindDiary:
    """One simulated diary as the program gets it, and the writer's truth."""

    name: str
    days: list[Day]
    treatments: list[Treatment]
    truth: list[dict[str, Any]]


@dataclass
class Score:
    """What one analysis got right and wrong on a set of blind diaries."""

    errors: list[int] = field(default_factory=list)
    visible: int = 0
    with_interval: int = 0
    covered: int = 0
    working: int = 0
    working_yes: int = 0
    working_undecided: int = 0
    failing: int = 0
    failing_yes: int = 0
    due_for_past: int = 0
    diaries: int = 0

    def add(self, diary: BlindDiary, cycles: list[Any]) -> None:
        self.diaries += 1
        first, last = diary.days[0].date, diary.days[-1].date
        by_date = {cycle.injection: cycle for cycle in cycles}
        self.due_for_past += sum(
            getattr(cycle, "next_due", None) is not None for cycle in cycles[:-1]
        )
        for truth in diary.truth:
            date = dt.date.fromisoformat(truth["date"])
            cycle = by_date.get(date)
            if date < first or cycle is None:
                continue
            if (last - date).days >= EVALUABLE_AFTER_DAYS:
                if truth["worked"]:
                    self.working += 1
                    self.working_yes += cycle.responded is True
                    self.working_undecided += cycle.responded is None
                else:
                    self.failing += 1
                    self.failing_yes += cycle.responded is True
            if truth["worked"] and truth["wear_off_visible"]:
                self.visible += 1
                if cycle.wear_off is not None:
                    planted = dt.date.fromisoformat(truth["wear_off"])
                    self.errors.append((cycle.wear_off - planted).days)
                    low = getattr(cycle, "wear_off_low", None)
                    high = getattr(cycle, "wear_off_high", None)
                    if low is not None and high is not None:
                        self.with_interval += 1
                        self.covered += low <= planted <= high

    def rows(self) -> list[tuple[str, str]]:
        absolute = sorted(abs(e) for e in self.errors)
        p90 = f"{absolute[int(0.9 * (len(absolute) - 1))]}" if absolute else "—"
        return [
            ("diaries", str(self.diaries)),
            ("visible wear-offs found", _share(len(absolute), self.visible)),
            (
                "wear-off |error|, median / 90th percentile (days)",
                f"{statistics.median(absolute):.0f} / {p90}" if absolute else "—",
            ),
            ("found within 7 days", _share(sum(e <= 7 for e in absolute), len(absolute))),
            ("truth inside the 90% interval", _share(self.covered, self.with_interval)),
            ("response sensitivity", _share(self.working_yes, self.working)),
            ("response specificity", _share(self.failing - self.failing_yes, self.failing)),
            ("working left undecided", _share(self.working_undecided, self.working)),
            ("next due given for a past injection", str(self.due_for_past)),
        ]


def _share(count: int, total: int) -> str:
    return f"{count / total:.1%} ({count}/{total})" if total else "—"


def locked(name: str) -> bool:
    """Whether a diary is in the locked half (by a hash of its id, never by its content)."""
    return hashlib.sha256(name.encode()).digest()[0] % 2 == 1


def simulate(n: int, seed: int) -> Path:
    """The blind writer's diaries, generated into a temporary folder."""
    out = Path(tempfile.mkdtemp(prefix="blind-cycles-"))
    command = [sys.executable, str(HERE / "blind_cycles" / "simulate.py"), "--out", str(out)]
    command += ["--n", str(n), "--seed", str(seed), "--no-planted"]
    subprocess.run(command, check=True, capture_output=True)
    return out


def read_diary(folder: Path) -> BlindDiary:
    """One diary folder: days.csv, treatments.json, truth.json."""
    with (folder / "days.csv").open(newline="") as file:
        days = [
            Day(dt.date.fromisoformat(row["date"]), int(row["episodes"]))
            for row in csv.DictReader(file)
            if row["episodes"].strip()
        ]
    treatments = [
        Treatment(
            dt.date.fromisoformat(t["date"]),
            "botulinum_toxin",
            reported_onset=_date(t.get("reported_onset")),
            reported_wear_off=_date(t.get("reported_wear_off")),
        )
        for t in json.loads((folder / "treatments.json").read_text())
    ]
    truth = json.loads((folder / "truth.json").read_text())["injections"]
    return BlindDiary(folder.name, days, treatments, truth)


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def score(diaries: list[BlindDiary], analyse: Callable[..., list[Any]]) -> Score:
    """Run one analysis over the diaries, each as seen on its last day."""
    result = Score()
    for diary in diaries:
        if not diary.days:
            continue
        cycles = analyse(diary.days, diary.treatments, today=diary.days[-1].date)
        result.add(diary, cycles)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=360)
    parser.add_argument("--seed", type=int, default=41)
    parser.add_argument("--before", help="also score the cycles module of this git revision")
    parser.add_argument(
        "--half", choices=["dev", "locked", "both"], default="both",
        help="which half to score (tune on dev only)",
    )  # fmt: skip
    options = parser.parse_args()
    folder = simulate(options.n, options.seed)
    diaries = [read_diary(path) for path in sorted(folder.iterdir()) if path.is_dir()]
    halves = {
        "dev": [d for d in diaries if not locked(d.name)],
        "locked": [d for d in diaries if locked(d.name)],
    }
    analyses: dict[str, Callable[..., list[Any]]] = {"now": toxin_cycles}
    if options.before:
        analyses[options.before] = old_cycles(options.before)
    for half, chosen in halves.items():
        if options.half not in (half, "both"):
            continue
        print(f"\n## {half} half (seed {options.seed})\n")
        scores = {name: score(chosen, analyse) for name, analyse in analyses.items()}
        print("| measure | " + " | ".join(scores) + " |")
        print("|---|" + "---|" * len(scores))
        for k, (label, _) in enumerate(next(iter(scores.values())).rows()):
            print(f"| {label} | " + " | ".join(s.rows()[k][1] for s in scores.values()) + " |")


if __name__ == "__main__":
    main()
