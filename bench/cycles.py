"""Toxin cycles on simulated diaries, for bench/RESULTS.md (issue 12): accuracy and speed.

Run by hand from the repository: `.venv/bin/python -m bench.cycles [--diaries 400] [--seed 12]
[--before REV] [--no-reports] [--cli-db FILE]`. `--before REV` runs the same diaries through the
cycles module of a git revision as well (e.g. 6650e0a, before issue 12), read with `git show`.

Accuracy, over diaries from `tests/diary/simulated_cycles.random_diary` (overlapping cycles,
missing days, noise, drift; see there):
- wear-off error (estimate - truth, days) over the working injections whose wear-off the diary
  shows (the climb back ends before a later relief begins and 14 days before the end): median
  and 90th percentile of |error|, the share found, and the share of true wear-offs inside the
  90% interval;
- wear-offs claimed for working injections whose wear-off the diary does not show;
- response sensitivity (working injections said to have worked) and specificity (injections that
  did not work, not said to have worked), over injections with at least 42 diary days after them;
  the share left undecided ("cannot tell yet") of each.
Speed: the analysis of a year of daily data with four injections, in process. `--cli-db FILE`
instead writes that year (episodes and every factor, four injections) into a new SQLite file
through the command line (`db upgrade`, `diary import`, `diary treatment add`), for timing
`facespasm diary cycles --db sqlite:///FILE` and `diary triggers` as whole processes.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tests.diary.simulated_cycles import (
    PlantedInjection,
    SimulatedDiary,
    issue_12_diary,
    random_diary,
)

from facespasm.diary.cycles import toxin_cycles
from facespasm.diary.records import FACTORS

REPO = Path(__file__).parents[1]
TODAY = None
EVALUABLE_AFTER_DAYS = 42


@dataclass
class Tally:
    """What one analysis got right and wrong over the simulated diaries."""

    errors: list[int] = field(default_factory=list)
    covered: int = 0
    with_interval: int = 0
    visible: int = 0
    partial_errors: list[int] = field(default_factory=list)
    partial: int = 0
    hidden: int = 0
    hidden_claimed: int = 0
    working: int = 0
    working_yes: int = 0
    working_undecided: int = 0
    failing: int = 0
    failing_yes: int = 0
    failing_no: int = 0

    def add(self, diary: SimulatedDiary, cycles: list[Any]) -> None:
        last_day = diary.days[-1].date
        for planted, cycle in zip(diary.injections, cycles, strict=True):
            assert cycle.injection == planted.date
            if (last_day - planted.date).days >= EVALUABLE_AFTER_DAYS:
                if planted.works:
                    self.working += 1
                    self.working_yes += cycle.responded is True
                    self.working_undecided += cycle.responded is None
                else:
                    self.failing += 1
                    self.failing_yes += cycle.responded is True
                    self.failing_no += cycle.responded is False
            if not planted.works:
                continue
            if planted.visible:
                self.visible += 1
                if cycle.wear_off is not None:
                    self.errors.append((cycle.wear_off - planted.wear_off).days)
                    low = getattr(cycle, "wear_off_low", None)
                    high = getattr(cycle, "wear_off_high", None)
                    if low is not None and high is not None:
                        self.with_interval += 1
                        self.covered += low <= planted.wear_off <= high
            elif _climb_began(diary, planted):
                self.partial += 1
                if cycle.wear_off is not None:
                    self.partial_errors.append((cycle.wear_off - planted.wear_off).days)
            else:
                self.hidden += 1
                self.hidden_claimed += cycle.wear_off is not None

    def rows(self) -> list[tuple[str, str]]:
        absolute = sorted(abs(e) for e in self.errors)
        p90 = absolute[int(0.9 * (len(absolute) - 1))] if absolute else float("nan")
        within = sum(e <= 7 for e in absolute)
        return [
            (
                "wear-off |error|, median (days)",
                f"{statistics.median(absolute):.0f}" if absolute else "—",
            ),
            ("wear-off |error|, 90th percentile (days)", f"{p90:.0f}" if absolute else "—"),
            (
                "wear-off signed error, median (days)",
                f"{statistics.median(self.errors):+.0f}" if self.errors else "—",
            ),
            ("visible wear-offs found", _share(len(self.errors), self.visible)),
            ("found within 7 days", _share(within, len(absolute))),
            ("truth inside the 90% interval", _share(self.covered, self.with_interval)),
            (
                "climb cut short by the next relief: wear-off given",
                _share(len(self.partial_errors), self.partial),
            ),
            ("... its |error|, median / 90th percentile (days)", _median_p90(self.partial_errors)),
            (
                "climb hidden by the next relief: wear-off wrongly given",
                _share(self.hidden_claimed, self.hidden),
            ),
            ("response sensitivity", _share(self.working_yes, self.working)),
            (
                "response specificity (not said to work)",
                _share(self.failing - self.failing_yes, self.failing),
            ),
            ("non-working said not to work", _share(self.failing_no, self.failing)),
            ("working left undecided", _share(self.working_undecided, self.working)),
        ]


def _climb_began(diary: SimulatedDiary, planted: PlantedInjection) -> bool:
    """Whether a working injection's climb back began before a later relief did."""
    start = diary.days[0].date
    climb = (planted.date - start).days + planted.wear_off_days - planted.climb_days / 2
    later = [
        (other.date - start).days + other.onset_days
        for other in diary.injections
        if other.works and other.date > planted.date
    ]
    return climb < min([*later, len(diary.days)])


def _median_p90(errors: list[int]) -> str:
    absolute = sorted(abs(e) for e in errors)
    if not absolute:
        return "—"
    return f"{statistics.median(absolute):.0f} / {absolute[int(0.9 * (len(absolute) - 1))]}"


def _share(count: int, total: int) -> str:
    return f"{count / total:.1%} ({count}/{total})" if total else "—"


def old_cycles(revision: str) -> Callable[..., list[Any]]:
    """`toxin_cycles` as it was at a git revision."""
    source = subprocess.run(
        ["git", "show", f"{revision}:src/facespasm/diary/cycles.py"],
        cwd=REPO, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    folder = Path(tempfile.mkdtemp())
    path = folder / f"cycles_{revision}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"cycles_{revision}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    function: Callable[..., list[Any]] = module.toxin_cycles
    return function


def without_reports(diary: SimulatedDiary) -> SimulatedDiary:
    from dataclasses import replace

    treatments = [replace(t, reported_onset=None, reported_wear_off=None) for t in diary.treatments]
    return replace(diary, treatments=treatments)


def speed() -> tuple[float, float]:
    """Seconds for a year with four injections: the first call (cold caches), then the median."""
    from facespasm.diary.cycle_model import fit_history  # noqa: F401  (imported before timing)

    rng = np.random.default_rng(4)
    diary = random_diary(rng)
    while len(diary.injections) != 4 or len(diary.days) > 400:
        diary = random_diary(rng)
    started = time.perf_counter()
    toxin_cycles(diary.days, diary.treatments)
    first = time.perf_counter() - started
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        toxin_cycles(diary.days, diary.treatments)
        runs.append(time.perf_counter() - started)
    return first, statistics.median(runs)


def cli_diary(path: Path) -> str:
    """A year of daily data with four injections, written into a new SQLite file by the CLI.

    Returns:
        The database URL.
    """
    import csv

    rng = np.random.default_rng(4)
    diary = random_diary(rng)
    while len(diary.injections) != 4 or len(diary.days) > 400:
        diary = random_diary(rng)
    if path.exists():
        raise SystemExit(f"{path} exists: give a new file")
    url = f"sqlite:///{path}"
    facespasm = [sys.executable, "-m", "facespasm"]
    subprocess.run([*facespasm, "db", "upgrade", "--db", url], check=True)
    with tempfile.TemporaryDirectory() as folder:
        spreadsheet = Path(folder) / "year.csv"
        with spreadsheet.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["date", "episodes", *FACTORS])
            for day in diary.days:
                writer.writerow([
                    day.date.isoformat(), "" if day.episodes is None else day.episodes,
                    round(float(rng.normal(7, 1)), 1), int(rng.poisson(2)), int(rng.poisson(1)),
                    int(rng.integers(0, 11)), round(float(rng.uniform(1, 9)), 1),
                    int(rng.random() < 0.2),
                ])  # fmt: skip
        subprocess.run([*facespasm, "diary", "import", str(spreadsheet), "--db", url], check=True)
    for injection in diary.injections:
        subprocess.run([*facespasm, "diary", "treatment", "add", "--kind", "botulinum_toxin",
                        "--date", injection.date.isoformat(), "--side", "left", "--dose", "20",
                        "--db", url], check=True, capture_output=True)  # fmt: skip
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--diaries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--before", help="also run the cycles module of this git revision")
    parser.add_argument("--no-reports", action="store_true", help="drop reported dates")
    parser.add_argument("--cli-db", type=Path, help="write a year's diary into this new file")
    arguments = parser.parse_args()
    if arguments.cli_db:
        url = cli_diary(arguments.cli_db)
        print(f"facespasm diary cycles --db {url}\nfacespasm diary triggers --db {url}")
        return
    analyses: dict[str, Callable[..., list[Any]]] = {"after": toxin_cycles}
    if arguments.before:
        analyses = {"before": old_cycles(arguments.before), **analyses}
    tallies = {name: Tally() for name in analyses}
    rng = np.random.default_rng(arguments.seed)
    started = time.perf_counter()
    for _ in range(arguments.diaries):
        diary = random_diary(rng)
        if arguments.no_reports:
            diary = without_reports(diary)
        for name, analyse in analyses.items():
            tallies[name].add(diary, analyse(diary.days, diary.treatments))
    elapsed = time.perf_counter() - started
    names = list(tallies)
    print(f"{arguments.diaries} diaries (seed {arguments.seed}"
          f"{', no reported dates' if arguments.no_reports else ''}), {elapsed:.0f} s")  # fmt: skip
    print("| measure | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    rows = {name: dict(tally.rows()) for name, tally in tallies.items()}
    for measure in rows[names[0]]:
        print(f"| {measure} | " + " | ".join(rows[name][measure] for name in names) + " |")
    issue = issue_12_diary(np.random.default_rng(12))
    for name, analyse in analyses.items():
        found = [c.responded for c in analyse(issue.days, issue.treatments)]
        print(f"issue 12's diary ({name}): responded = {found}")
    first, later = speed()
    print(f"speed, a year with four injections: first call {first * 1e3:.0f} ms, "
          f"later calls {later * 1e3:.0f} ms (median of 5)")  # fmt: skip


if __name__ == "__main__":
    main()
