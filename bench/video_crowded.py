"""What a second face costs, when the largest never moved: bench/RESULTS.md figures.

`.venv/bin/python bench/video_crowded.py CLIP [--runs N]` times, in alternating runs,
`analyze_video(CLIP)` (the largest face measured, found never to move, then the next measured and
analysed) against one pass on the face it ends with (`mesh_factory=partial(FaceMesh, face=k)`),
and prints the medians and their ratio. A clip whose largest face moved costs one pass either
way. The figures in RESULTS came from the sixteenth blind set's v16_013
(`bench/blind_video16/make_clips.py --out DIR`, then `DIR/clips/v16_013.mp4`). Run by hand, never
a pass/fail test.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from functools import partial
from pathlib import Path

from facespasm.video.analysis import analyze_video
from facespasm.video.landmarks import FaceMesh, quiet_native_logs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"command: {' '.join(sys.argv)}\n")
    with quiet_native_logs():
        face = analyze_video(args.clip).face
        one_pass, whole = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            analyze_video(args.clip, mesh_factory=partial(FaceMesh, face=face))
            one_pass.append(time.perf_counter() - started)
            started = time.perf_counter()
            analyze_video(args.clip)
            whole.append(time.perf_counter() - started)
    single, both = statistics.median(one_pass), statistics.median(whole)
    print(f"face analysed: {face} (0 is the largest)")
    print("| | median s | runs |\n|---|---|---|")
    print(f"| one pass, face {face} | {single:.2f} | {', '.join(f'{t:.2f}' for t in one_pass)} |")
    print(f"| analyze_video | {both:.2f} | {', '.join(f'{t:.2f}' for t in whole)} |")
    print(f"\nratio: {both / single:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
