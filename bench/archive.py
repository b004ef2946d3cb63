"""Video archives on Ray (issue 15, item 4): clips per minute with 1 and 2 workers, for RESULTS.md.

`.venv/bin/python bench/archive.py` prints markdown. Run by hand, never a pass/fail test.

Clips: `--clips` (12) synthetic clips of `--seconds` (10 s) at 30 fps, `--size` x `--size` pixels
(720: per frame about the work of a 720p phone clip, whose face the mesh sees at 192 px anyway),
each with the generator's default mix of blinks, spasms, a closure, a flicker and a smile
(seed = clip number), rendered once into `--folder` (reused when it already holds them).

Measured:
1. **warm**: one local Ray (`num_cpus=2`) for the whole bench; `analyze_archive` into a fresh
   results file with 1 and then 2 workers, `--runs` times, alternating; wall time including the
   actors' start (MediaPipe loaded once per actor). Median clips per minute, and the scaling
   ratio 2 workers / 1 worker. Also the median per-clip analysis time (the `analysis_s` column).
2. **cold**: the real command once per worker count, a fresh process each
   (`facespasm archive analyze DIR --out F --workers N`): Ray's start and stop included.

The machine's load (`os.getloadavg`) is printed before and after each measurement: other jobs
share its 2 cores, and a loaded machine inflates every figure.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from facespasm.archive import analyze_archive, read_results
from facespasm.video.synthetic import default_script, render


def make_clips(folder: Path, count: int, seconds: float, size: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    clips = []
    for seed in range(count):
        path = folder / f"clip{seed:02d}.mp4"
        if not path.exists():
            render(path, default_script(seconds, seed=seed), seconds, size=size, seed=seed)
        clips.append(path)
    return clips


def load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def warm_run(folder: Path, workers: int) -> tuple[float, list[float]]:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "results.parquet"
        started = time.perf_counter()
        run = analyze_archive(folder, out, workers=workers)
        wall = time.perf_counter() - started
        rows = read_results(out)
        errors = {row["error"] for row in rows if not row["ok"]}
        if errors or run.analysed != run.videos:
            raise SystemExit(f"the bench's clips failed ({run}): {sorted(errors)[:3]}")
        return wall, [row["analysis_s"] for row in rows]


def cold_run(folder: Path, workers: int) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "results.parquet"
        command = [sys.executable, "-m", "facespasm", "archive", "analyze", str(folder)]
        started = time.perf_counter()
        subprocess.run([*command, "--out", str(out), "--workers", str(workers)], check=True,
                       capture_output=True)  # fmt: skip
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--size", type=int, default=720)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "fs-archive")
    options = parser.parse_args()
    folder = options.folder / f"{options.clips}x{options.seconds:g}s-{options.size}"
    started = time.perf_counter()
    make_clips(folder, options.clips, options.seconds, options.size)
    print(f"clips ready in {folder} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)

    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; {options.clips} clips of {options.seconds:g} s, "
          f"{options.size}x{options.size}, 30 fps")  # fmt: skip
    import ray

    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    before = load()
    started = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    print(f"\nray.init (local, 2 CPUs): {time.perf_counter() - started:.1f} s (load {before})")
    walls: dict[int, list[float]] = {1: [], 2: []}
    per_clip: dict[int, list[float]] = {1: [], 2: []}
    loads = []
    for _ in range(options.runs):
        for workers in (1, 2):
            loads.append(load())
            wall, seconds = warm_run(folder, workers)
            walls[workers].append(wall)
            per_clip[workers] += seconds
            print(f"  {workers} worker(s): {wall:.1f} s", file=sys.stderr)
    ray.shutdown()
    print(f"\n| workers | wall (median of {options.runs}) | clips / min | per-clip analysis |")
    print("|---|---|---|---|")
    rate = {}
    for workers in (1, 2):
        wall = statistics.median(walls[workers])
        rate[workers] = options.clips / wall * 60
        clip = statistics.median(per_clip[workers])
        print(f"| {workers} | {wall:.1f} s | {rate[workers]:.1f} | {clip:.2f} s |")
    print(f"\nScaling 2 workers / 1: {rate[2] / rate[1]:.2f}x. Load (1/5/15 min) before each "
          f"run: {', '.join(loads)}")  # fmt: skip
    print("\n| cold command | wall | clips / min |")
    print("|---|---|---|")
    for workers in (1, 2):
        before = load()
        wall = cold_run(folder, workers)
        print(f"| --workers {workers} | {wall:.1f} s | {options.clips / wall * 60:.1f} "
              f"(load {before}) |")  # fmt: skip


if __name__ == "__main__":
    main()
