"""The doctor's PDF and the FHIR export, for bench/RESULTS.md (issue 13): run by hand.

Targets: `render_pdf` ≤ 300 ms warm per report, `fhir_json` ≤ 20 ms, the report's cold start
documented. For each case the report is made once (`make_report`, timed too), then each
renderer runs twice unmeasured (fonts, templates, schema caches) and `--runs` times measured;
the medians and ranges are printed, with the PDF's pages and size.

Cases: the hemifacial spasm answers of `tests/cli/answers/`; the same with 3 years of diary
(`bench.first_paint.seed_three_years`: daily episodes and factors, 12 injections, ratings,
measurements) in a temporary SQLite file; and that with a video analysis as well (the 2.4 s
clip of the shared folder's media, analysed once, not timed). Then the cold start of
`facespasm report --answers tests/cli/answers/hemifacial_spasm.json --pdf P` as a whole
process, median of `--cold` runs after one unmeasured.

    .venv/bin/python -m bench.report [--runs 21] [--cold 7]
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.first_paint import seed_three_years
from facespasm.diary.database import open_database
from facespasm.diary.store import Diary
from facespasm.report.fhir import fhir_json
from facespasm.report.pdf import render_pdf
from facespasm.sharing import make_report

REPO = Path(__file__).parents[1]
ANSWERS_FILE = REPO / "tests/cli/answers/hemifacial_spasm.json"
SHARED = Path(os.environ.get("FACESPASM_SHARED", REPO.parent / "shared"))
CLIP = SHARED / "media/single_face.mp4"


def timed(function: Callable[[], object], runs: int, warm: int = 2) -> list[float]:
    """Wall seconds of each of `runs` calls, after `warm` calls not measured."""
    return timed_both(function, runs, warm)[0]


def timed_both(
    function: Callable[[], object], runs: int, warm: int = 2
) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds (this process's) of each of `runs` calls, after `warm` unmeasured.

    On a shared machine the CPU time is the steadier figure: the wall time of a call that had
    to wait for a core counts the waiting.
    """
    for _ in range(warm):
        function()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return walls, cpus


def ms(times: list[float]) -> str:
    """The median (and range) in milliseconds."""
    low, median, high = min(times), statistics.median(times), max(times)
    return f"{median * 1000:.1f} ms ({low * 1000:.1f}–{high * 1000:.1f})"


def pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def cases(folder: Path) -> dict[str, dict[str, Any]]:
    """Each case's arguments to `make_report`."""
    answers = json.loads(ANSWERS_FILE.read_text())
    url = f"sqlite:///{folder / 'diary.sqlite3'}"
    engine = open_database(url, schema="upgrade")
    diary = Diary(engine)
    seed_three_years(diary)
    found: dict[str, dict[str, Any]] = {
        "answers": {"answers": answers},
        "answers + 3 years of diary": {"answers": answers, "diary": diary},
    }
    if CLIP.exists():
        from facespasm.video.analysis import analyze_video

        video = analyze_video(CLIP)
        found["answers + diary + video"] = {"answers": answers, "diary": diary, "video": video}
    return found


def cold(runs: int, folder: Path) -> list[float]:
    """Wall seconds of `facespasm report --pdf` as a whole process, after one unmeasured run."""
    command = [
        str(Path(sys.executable).with_name("facespasm")),
        "report",
        "--answers",
        str(ANSWERS_FILE),
        "--pdf",
        str(folder / "cold.pdf"),
    ]
    env = {**os.environ, "FACESPASM_DATABASE_URL": f"sqlite:///{folder / 'cold.sqlite3'}"}
    return timed(
        lambda: subprocess.run(command, check=True, capture_output=True, env=env, cwd=REPO),
        runs,
        warm=1,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="measured runs per renderer")
    parser.add_argument("--cold", type=int, default=7, help="measured cold starts")
    options = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")  # fmt: skip
    print(f"command: {sys.executable} -m bench.report --runs {options.runs} --cold {options.cold}")
    with tempfile.TemporaryDirectory(prefix="facespasm-bench-report-") as name:
        folder = Path(name)
        print("\nwall medians (range); cpu: this process's CPU time, median (range)\n")
        print("| case | make_report | render_pdf | cpu | PDF | fhir_json | cpu | FHIR |")
        print("|---|---|---|---|---|---|---|---|")
        for case, arguments in cases(folder).items():
            made = timed(functools.partial(make_report, **arguments), options.runs)
            report = make_report(**arguments)
            pdf = render_pdf(report)
            # The PDF already made goes in the Bundle (a video's DiagnosticReport), as the
            # command line does: the export's own time, not the PDF's again.
            fhir = fhir_json(report, pdf=pdf)
            pdf_times, pdf_cpu = timed_both(functools.partial(render_pdf, report), options.runs)
            fhir_times, fhir_cpu = timed_both(
                functools.partial(fhir_json, report, pdf=pdf), options.runs
            )
            print(
                f"| {case} | {ms(made)} | {ms(pdf_times)} | {ms(pdf_cpu)} | {pages(pdf)} pages, "
                f"{len(pdf) / 1024:.0f} KiB | {ms(fhir_times)} | {ms(fhir_cpu)} "
                f"| {len(fhir) / 1024:.0f} KiB |"
            )
        if options.cold:
            print(f"\ncold `facespasm report --answers {ANSWERS_FILE.relative_to(REPO)} --pdf P`: "
                  f"{ms(cold(options.cold, folder))} over {options.cold} runs")  # fmt: skip


if __name__ == "__main__":
    main()
