"""Video throughput and memory for bench/RESULTS.md: run by hand, never a pass/fail test.

`.venv/bin/python bench/video_throughput.py` prints markdown tables. Issue 3's targets:

1. end-to-end `landmark_stream(read_frames(path))` ≥ 0.8× the bare face-mesh model on the same
   frames (both measured here, side by side);
2. ≥ 10× real time for a 720p 30 fps clip on the 2-core machine;
3. peak memory independent of the video's length.

Clips: the real 640x360 (WolfgangLanger_Pexels.mp4) and 1080p (jefapato_2sec.mp4) recordings,
and clips generated into a temp folder: 720p30 (20 s, WolfgangLanger's frames scaled up and played
forwards then backwards, so there is no jump cut), and 1080p30 of 20 s and 2 min (jefapato's
frames looped the same way) for the memory comparison. Each memory figure comes from a fresh
process (VmHWM: its own peak resident memory).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path

import av
import av.video.stream

from facespasm.video.frames import probe_video, read_frames
from facespasm.video.landmarks import FaceMesh
from facespasm.video.pipeline import landmark_stream

MEDIA = Path(os.environ.get("FACESPASM_SHARED", Path(__file__).parents[2] / "shared")) / "media"
BARE_FRAMES = 300  # pre-decoded frames for the bare model (1080p RGB is 6 MB a frame)
RUNS = 3


def make_clip(source: Path, target: Path, width: int, height: int, seconds: float) -> Path:
    """Re-encode `source` at width x height, 30 fps, looped forwards and backwards to `seconds`."""
    with av.open(str(source)) as container:
        images = [
            frame.to_ndarray(format="rgb24", width=width, height=height, interpolation="AREA")
            for frame in container.decode(video=0)
        ]
    loop = images + images[-2:0:-1]
    with av.open(str(target), "w") as container:
        stream = container.add_stream("libx264", rate=30, options={"preset": "veryfast"})
        assert isinstance(stream, av.video.stream.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(round(seconds * 30)):
            frame = av.VideoFrame.from_ndarray(loop[index % len(loop)], format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return target


def bare_fps(path: Path, max_side: int, factory: Callable[[], FaceMesh]) -> float:
    """Frames per second of `FaceMesh.find` alone, on frames decoded beforehand."""
    frames = list(islice(read_frames(path, max_side), BARE_FRAMES))
    rates = []
    for _ in range(RUNS):
        with factory() as mesh:
            mesh.find(frames[0])  # graph start-up is not the model's throughput
            started = time.perf_counter()
            for frame in frames:
                mesh.find(frame)
            rates.append(len(frames) / (time.perf_counter() - started))
    return statistics.median(rates)


def end_to_end_fps(path: Path, max_side: int, factory: Callable[[], FaceMesh]) -> float:
    """Frames per second of the whole stream from the file, model start-up included."""
    rates = []
    for _ in range(RUNS):
        started = time.perf_counter()
        count = sum(1 for _ in landmark_stream(read_frames(path, max_side), factory))
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates)


def peak_memory_mb(path: Path) -> float:
    """Peak resident memory of a fresh process streaming landmarks for the whole clip."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from facespasm.video.frames import read_frames\n"
        "from facespasm.video.pipeline import landmark_stream\n"
        "count = sum(1 for _ in landmark_stream(read_frames(Path(sys.argv[1]))))\n"
        "status = Path('/proc/self/status').read_text()\n"
        "print(count, status.split('VmHWM:')[1].split()[0])\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(output[1]) / 1024


def three_faces() -> FaceMesh:
    return FaceMesh(max_num_faces=3)


def analysis_fps(path: Path) -> float:
    """Frames per second of the whole analysis: decode, landmarks, measures, events, evidence."""
    from facespasm.video.analysis import analyze_video

    started = time.perf_counter()
    result = analyze_video(path)
    return int(str(result.video["frames"])) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long-minutes", type=float, default=2.0, help="the long 1080p clip")
    arguments = parser.parse_args()
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, PyAV {av.__version__}\n"
    )
    with tempfile.TemporaryDirectory(prefix="facespasm-bench-") as folder:
        temp = Path(folder)
        wolfgang = MEDIA / "WolfgangLanger_Pexels.mp4"
        jefapato = MEDIA / "jefapato_2sec.mp4"
        clip_720 = make_clip(wolfgang, temp / "720p30.mp4", 1280, 720, 20)
        rows = [
            ("640x360 real (WolfgangLanger, 19.7 s)", wolfgang, 1280, FaceMesh),
            ("1080p real (jefapato, 1 s of video)", jefapato, 1280, FaceMesh),
            ("720p30 generated (20 s)", clip_720, 1280, FaceMesh),
            ("720p30, frames downscaled to 640 px", clip_720, 640, FaceMesh),
            ("720p30, looking for 3 faces in every frame", clip_720, 1280, three_faces),
        ]
        print("| clip | frames to model | bare model fps | end-to-end fps | ratio | × real time |")
        print("|---|---|---|---|---|---|")
        for name, path, max_side, factory in rows:
            info = probe_video(path, max_side)
            bare = bare_fps(path, max_side, factory)
            whole = end_to_end_fps(path, max_side, factory)
            print(
                f"| {name} | {info.width}x{info.height} | {bare:.0f} | {whole:.0f} | "
                f"{whole / bare:.2f} | {whole / info.fps:.1f}× |"
            )

        info = probe_video(clip_720, 1280)
        whole = analysis_fps(clip_720)
        name = "720p30: the whole `analyze_video` (measures, events, evidence too)"
        size = f"{info.width}x{info.height}"
        print(f"| {name} | {size} | | {whole:.0f} | | {whole / info.fps:.1f}× |")

        print("\n| 1080p30 clip streamed to the end | frames | peak RSS (fresh process) |")
        print("|---|---|---|")
        for minutes in (1 / 3, arguments.long_minutes):
            path = make_clip(jefapato, temp / f"long{minutes:.2f}.mp4", 1920, 1080, minutes * 60)
            print(
                f"| {minutes * 60:.0f} s | {round(minutes * 60 * 30)} | "
                f"{peak_memory_mb(path):.0f} MB |"
            )
            path.unlink()


if __name__ == "__main__":
    main()
