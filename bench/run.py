"""Speed figures for bench/RESULTS.md: run by hand (`make bench`), never a pass/fail test.

Measures:
1. in-process `assess()` on typical answers (issue 2: < 1 ms);
2. the interview's `next_question()` (it runs the information-gain search each time);
3. cold start of `facespasm assess --answers F --json` and `assess --text "..." --json` against
   `python -c "import typer, pydantic, yaml"` on the same machine (issues 2 and 6: ≤ 1.5×).
"""

from __future__ import annotations

import functools
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

from facespasm import assess
from facespasm.knowledge import load_knowledge
from facespasm.reasoning.interview import Interview

ANSWERS = {
    "few answers": {"side": "one", "regions": ["eyelid"], "duration_days": 5},
    "full hemifacial spasm": json.loads(
        (Path(__file__).parents[1] / "tests/cli/answers/hemifacial_spasm.json").read_text()
    ),
}

DESCRIPTION = (
    "my left eye has been jumping for three weeks, I'm drinking way too much coffee and "
    "sleeping badly because of exams; it doesn't hurt and nothing else is wrong"
)


def per_call(function: Callable[[], object], seconds: float = 1.0) -> tuple[float, int]:
    """Median seconds per call over repeated batches lasting about `seconds` in all."""
    function()
    batch, samples, started = 50, [], time.perf_counter()
    while time.perf_counter() - started < seconds:
        begin = time.perf_counter()
        for _ in range(batch):
            function()
        samples.append((time.perf_counter() - begin) / batch)
    return statistics.median(samples), len(samples) * batch


def wall(command: list[str], runs: int = 21, env: dict[str, str] | None = None) -> float:
    """Median wall-clock seconds of a command (after a warm-up run when runs > 1)."""
    if runs > 1:
        subprocess.run(command, check=True, capture_output=True, env=env)
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - begin)
    return statistics.median(times)


def main() -> None:
    knowledge = load_knowledge()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")  # fmt: skip
    print(f"command: {sys.executable} bench/run.py\n")

    print("| in-process | median per call | calls |")
    print("|---|---|---|")
    for name, answers in ANSWERS.items():
        seconds, calls = per_call(functools.partial(assess, answers, knowledge))
        print(f"| assess(), {name} | {seconds * 1e6:.0f} µs | {calls} |")
    interview = Interview(knowledge)
    for red_flag in knowledge.red_flags:
        interview.answer(red_flag, False)
    seconds, calls = per_call(interview.next_question)
    print(f"| Interview.next_question() after the red flags | {seconds * 1e6:.0f} µs | {calls} |")

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as stream:
        json.dump(ANSWERS["full hemifacial spasm"], stream)
    # As on a person's machine, Python keeps compiled bytecode (site-packages has it from the
    # install; this sandbox sets PYTHONDONTWRITEBYTECODE, which would recompile facespasm's own
    # modules on every run and charge that to the command alone).
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["FACESPASM_CACHE_DIR"] = tempfile.mkdtemp()
    baseline = wall([sys.executable, "-c", "import typer, pydantic, yaml"], env=env)
    ours = wall([sys.executable, "-m", "facespasm", "assess", "--answers", stream.name, "--json"],
                env=env)  # fmt: skip
    print("\n| cold start (median of 21) | wall time | ratio |")
    print("|---|---|---|")
    print(f'| python -c "import typer, pydantic, yaml" | {baseline * 1e3:.0f} ms | 1.00 |')
    print(f"| facespasm assess --answers F --json | {ours * 1e3:.0f} ms | {ours / baseline:.2f} |")
    text = wall([sys.executable, "-m", "facespasm", "assess", "--text", DESCRIPTION, "--json"],
                env=env)  # fmt: skip
    print(f'| facespasm assess --text "…" --json | {text * 1e3:.0f} ms | {text / baseline:.2f} |')
    first = statistics.median(
        wall([sys.executable, "-m", "facespasm", "assess", "--answers", stream.name, "--json"],
             runs=1, env={**env, "FACESPASM_CACHE_DIR": tempfile.mkdtemp()})
        for _ in range(5)
    )  # fmt: skip
    print(f"| the same, first run after install or a knowledge edit (validates the YAML) "
          f"| {first * 1e3:.0f} ms | {first / baseline:.2f} |")  # fmt: skip
    Path(stream.name).unlink()


if __name__ == "__main__":
    main()
