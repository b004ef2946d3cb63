"""Video throughput and memory for bench/RESULTS.md: run by hand, never a pass/fail test.

`.venv/bin/python bench/video_throughput.py` prints markdown tables. Issue 3's targets:

1. end-to-end `landmark_stream(read_frames(path))` ≥ 0.8× the bare face-mesh model on the same
   frames (both measured here, side by side);
2. ≥ 10× real time for a 720p 30 fps clip on the 2-core machine;
3. peak memory independent of the video's length.

Issue 15 adds one clip on both cores (`--workers-only` runs just that part, and the seams):

4. end to end ≥ 1.6× the bare single-stream model: first the machine's own ceiling (the bare
   model in one process, and in two processes at once), then `analyze_video(workers=1)` against
   `workers=2` on 360p30, 720p30 (20 s and 2 min each) and 1080p30 (20 s) clips, in this
   process (spawned workers included), as fps and as CPU ms a frame of every process;
5. how close the segmented analysis (a fresh model every `SEGMENT_S` seconds) is to one unbroken
   stream, on the real recording.

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
from itertools import islice
from pathlib import Path
from typing import Any

import av
import av.video.stream
import numpy as np

from facespasm.video.frames import probe_video, read_frames
from facespasm.video.landmarks import FaceMesh, MeshFactory, quiet_native_logs
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


def bare_fps(path: Path, max_side: int, factory: MeshFactory) -> float:
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


def end_to_end_fps(path: Path, max_side: int, factory: MeshFactory) -> float:
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


def three_faces(*, face: int = 0) -> FaceMesh:
    return FaceMesh(max_num_faces=3, face=face)


def analysis_fps(path: Path) -> float:
    """Frames per second of the whole analysis: decode, landmarks, measures, events, evidence."""
    from facespasm.video.analysis import analyze_video

    started = time.perf_counter()
    result = analyze_video(path)
    return int(str(result.video["frames"])) / (time.perf_counter() - started)


def load() -> str:
    """The load average over the last minute (other work on the machine)."""
    return f"load {os.getloadavg()[0]:.1f}"


def workers_fps(path: Path, workers: int) -> tuple[float, float, float]:
    """Median fps of `analyze_video(workers=...)`, the best run, and CPU ms a frame (all processes).

    CPU time is what other work on a shared machine cannot take away: on an idle machine with
    C cores the wall time is at least CPU time ÷ C.
    """
    from facespasm.video.analysis import analyze_video

    rates, cpu = [], []
    for _ in range(RUNS):
        before = _cpu_seconds()
        started = time.perf_counter()
        result = analyze_video(path, workers=workers)
        frames = int(str(result.video["frames"]))
        rates.append(frames / (time.perf_counter() - started))
        cpu.append((_cpu_seconds() - before) / frames * 1000)
    return statistics.median(rates), max(rates), statistics.median(cpu)


def _cpu_seconds() -> float:
    import resource

    mine = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # worker processes, once ended
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def bare_cpu_ms(path: Path) -> float:
    """CPU ms a frame of the bare model (frames decoded beforehand)."""
    from facespasm.video.limits import DEFAULT_MAX_SIDE

    frames = list(islice(read_frames(path, DEFAULT_MAX_SIDE), BARE_FRAMES))
    with FaceMesh() as mesh:
        mesh.find(frames[0])
        before = time.process_time()
        for frame in frames:
            mesh.find(frame)
        return (time.process_time() - before) / len(frames) * 1000


def _bare_in_process(path: str, max_side: int, start: Any, answer: Any) -> None:
    """One bare model in a process of its own, timed from `start` (so two can run at once)."""
    with quiet_native_logs():
        frames = list(islice(read_frames(Path(path), max_side), BARE_FRAMES))
        with FaceMesh() as mesh:
            mesh.find(frames[0])
            start.wait()
            started = time.perf_counter()
            for frame in frames:
                mesh.find(frame)
            answer.put(len(frames) / (time.perf_counter() - started))


def bare_processes(path: Path, max_side: int, count: int) -> float:
    """Frames per second of `count` bare models running at once, one per process, in all."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    start, answers = context.Barrier(count), context.Queue()
    processes = [
        context.Process(target=_bare_in_process, args=(str(path), max_side, start, answers))
        for _ in range(count)
    ]
    for process in processes:
        process.start()
    total = sum(answers.get() for _ in processes)
    for process in processes:
        process.join()
    return total


def both_cores(temp: Path) -> None:
    """Issue 15: the bare model, then the whole analysis on one and on two workers.

    First the machine itself: the bare model alone, and two bare models at once in two
    processes (frames decoded beforehand), which is the most any split of one clip can reach.
    Then per clip: the bare model, and `analyze_video` with 1 and 2 workers, as fps (median and
    best of `RUNS`) and CPU ms a frame of every process.
    """
    from facespasm.video import segments
    from facespasm.video.limits import DEFAULT_MAX_SIDE

    wolfgang = MEDIA / "WolfgangLanger_Pexels.mp4"
    jefapato = MEDIA / "jefapato_2sec.mp4"
    cores = segments.available_cores()
    print(f"\nOne clip on both cores ({cores} cores; {load()} at the start)\n")
    probe = make_clip(wolfgang, temp / "probe-720p.mp4", 1280, 720, 12)
    one = statistics.median(bare_processes(probe, DEFAULT_MAX_SIDE, 1) for _ in range(RUNS))
    two = statistics.median(bare_processes(probe, DEFAULT_MAX_SIDE, 2) for _ in range(RUNS))
    print("| bare model on 720p frames | fps in all |")
    print("|---|---|")
    print(f"| one process | {one:.0f} |")
    print(f"| two processes at once | {two:.0f} ({two / one:.2f}×) |")
    print(f"\n({load()})\n")
    print(
        "| clip | bare model: fps, CPU ms/frame | workers=1: fps (best), CPU ms/frame "
        "| workers=2: fps (best), CPU ms/frame | 2 ÷ bare (best) | load after |"
    )
    print("|---|---|---|---|---|---|")
    clips = [
        ("360p30 (640x360)", wolfgang, 640, 360, 20),
        ("360p30 (640x360)", wolfgang, 640, 360, 120),
        ("720p30", wolfgang, 1280, 720, 20),
        ("720p30", wolfgang, 1280, 720, 120),
        ("1080p30", jefapato, 1920, 1080, 20),
    ]
    for name, source, width, height, seconds in clips:
        clip = make_clip(source, temp / f"{height}p30-{seconds}.mp4", width, height, seconds)
        bare = bare_fps(clip, DEFAULT_MAX_SIDE, FaceMesh)
        bare_cpu = bare_cpu_ms(clip)
        one_fps, one_best, one_cpu = workers_fps(clip, 1)
        policy = segments.MIN_SEGMENTS_PER_WORKER
        segments.MIN_SEGMENTS_PER_WORKER = 1  # two workers even where the policy says one
        try:
            two_fps, two_best, two_cpu = workers_fps(clip, 2)
        finally:
            segments.MIN_SEGMENTS_PER_WORKER = policy
        print(
            f"| {name}, {seconds} s | {bare:.0f}, {bare_cpu:.1f} | {one_fps:.0f} ({one_best:.0f}), "
            f"{one_cpu:.1f} | {two_fps:.0f} ({two_best:.0f}), {two_cpu:.1f} | "
            f"{two_fps / bare:.2f} ({two_best / bare:.2f}) | {os.getloadavg()[0]:.1f} |"
        )
        clip.unlink()


def seams() -> None:
    """Issue 15: segmented (a fresh model at each seam) against one unbroken stream.

    For scale, the same comparison for the unbroken stream started one frame later: MediaPipe
    tracks from where it last found the face, so where tracking starts changes every later
    frame a little (the model is deterministic: the same stream twice is identical).
    """
    from facespasm.video.analysis import VideoAnalysis, analyze_frames, analyze_video
    from facespasm.video.measures import MEASURES
    from facespasm.video.segments import SEGMENT_S

    clip = MEDIA / "WolfgangLanger_Pexels.mp4"
    fps = probe_video(clip).fps
    unbroken = analyze_frames(read_frames(clip), source=str(clip), fps=fps)
    variants = {
        f"segmented (a seam every {SEGMENT_S:g} s)": analyze_video(clip),
        "unbroken, started one frame later": analyze_frames(
            islice(read_frames(clip), 1, None), source=str(clip), fps=fps
        ),
    }
    reference = unbroken.measures
    quartiles = np.nanpercentile(reference.data, [75, 25], axis=0)
    spread = quartiles[0] - quartiles[1]  # each measure's interquartile range over the clip

    def events(analysis: VideoAnalysis) -> set[tuple[str, str, float]]:
        return {(e.kind, e.side, round(e.start_s, 1)) for e in analysis.events}

    print(f"\nSeams: {clip.name}, {len(reference.time)} frames; each variant against one")
    print("unbroken stream, from 5 s on (the first segment is the same stream)\n")
    print("| variant | identical frames | difference ÷ IQR: 95th centile, max | events |")
    print("|---|---|---|---|")
    for name, analysis in variants.items():
        times = (round(t, 4) for t in analysis.measures.time)
        mine = dict(zip(times, analysis.measures.data, strict=True))
        keys = [round(t, 4) for t in reference.time if t >= SEGMENT_S and round(t, 4) in mine]
        theirs = dict(zip((round(t, 4) for t in reference.time), reference.data, strict=True))
        difference = np.abs(np.array([mine[k] - theirs[k] for k in keys])) / spread
        same = int((difference == 0).all(axis=1).sum())
        p95 = float(np.nanpercentile(difference, 95))
        worst = float(np.nanmax(difference))
        found, expected = events(analysis), events(unbroken)
        print(
            f"| {name} | {same} of {len(keys)} | {p95:.1%}, {worst:.1%} | "
            f"{len(found & expected)} of {len(expected)} the same, {len(found - expected)} other |"
        )
    print(f"\n(measures: {', '.join(MEASURES)}, each side; events matched by kind, side, start)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long-minutes", type=float, default=2.0, help="the long 1080p clip")
    parser.add_argument(
        "--workers-only", action="store_true", help="only issue 15's both-cores part and seams"
    )
    arguments = parser.parse_args()
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, PyAV {av.__version__}\n"
    )
    with tempfile.TemporaryDirectory(prefix="facespasm-bench-") as folder, quiet_native_logs():
        temp = Path(folder)
        if arguments.workers_only:
            seams()
            both_cores(temp)
            return
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
        seams()
        both_cores(temp)


if __name__ == "__main__":
    main()
