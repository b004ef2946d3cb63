"""`facespasm analyze VIDEO`: spasm events per side and region, blink rate, and evidence."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from facespasm.cli.diary_options import local_timezone, open_diary
from facespasm.cli.outputs import check_writable, writing
from facespasm.errors import InputError
from facespasm.video.limits import DEFAULT_MAX_SIDE

if TYPE_CHECKING:
    from facespasm.video.analysis import Progress, VideoAnalysis


def analyze_command(
    video: Annotated[
        Path | None, typer.Argument(help="A face video (mp4, mov, webm, avi...).", metavar="VIDEO")
    ] = None,
    camera: Annotated[
        int | None, typer.Option(help="Record from this camera (0 is the first) instead.")
    ] = None,
    seconds: Annotated[float, typer.Option(help="How long to record from the camera.")] = 30.0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the analysis as JSON (for other programs).")
    ] = False,
    plot: Annotated[
        Path | None, typer.Option(help="Write a timeline per side and region (PNG).")
    ] = None,
    annotate: Annotated[
        Path | None, typer.Option(help="Write the video with landmarks and events drawn (MP4).")
    ] = None,
    max_side: Annotated[
        int, typer.Option(help="Downscale frames so their longer side is at most this.")
    ] = DEFAULT_MAX_SIDE,
    save: Annotated[
        bool,
        typer.Option(
            "--save", help="Keep the result in your diary as a dated measurement (not the video)."
        ),
    ] = False,
    db: Annotated[
        str | None, typer.Option("--db", help="Diary database URL (with --save).")
    ] = None,
    workers: Annotated[
        str,
        typer.Option(
            help="Processes to measure a video file on: a number, or auto (one per core, "
            "each given at least half a minute of video). The result is the same with any "
            "number."
        ),
    ] = "auto",
) -> None:
    """Measure twitching in a face video: when, where and on which side the face moved."""
    if annotate is not None and video is None:
        raise InputError("--annotate needs a video file")
    count = worker_count(workers)
    check_writable(plot, "--plot")
    check_writable(annotate, "--annotate")
    # The diary is opened first: a database that cannot be used is said before minutes of work.
    diary = open_diary(db) if save else None
    analysis = run_analysis(video, camera=camera, seconds=seconds, max_side=max_side, workers=count)
    if diary is not None:
        kept = diary.measurements.save(analysis.to_dict(), timezone=local_timezone())
        typer.echo(f"facespasm: kept in your diary as measurement {kept.id}.", err=True)
    if plot is not None:
        from facespasm.video.plot import plot_timeline

        with writing(plot):
            plot_timeline(analysis, plot)
    if annotate is not None:
        from facespasm.video.annotate import annotate_video
        from facespasm.video.landmarks import quiet_native_logs

        assert video is not None
        with writing(annotate), quiet_native_logs():
            annotate_video(video, analysis, annotate, max_side=max_side)
    if as_json:
        typer.echo(json.dumps(analysis.to_dict(), indent=2, ensure_ascii=False))
        return
    from rich.console import Console

    from facespasm.cli.video_report import render_analysis

    render_analysis(analysis, Console(highlight=False))


def worker_count(workers: str) -> int:
    """`--workers`: "auto" (one per core this process may use) or a whole number.

    Raises:
        InputError: neither.
    """
    from facespasm.video.segments import MAX_WORKERS, available_cores, check_workers

    if workers.strip().lower() == "auto":
        # A process per core: on two cores a 2-minute clip is measured 1.3x (720p) to 1.7x
        # (360p) faster by two than by one; a clip too short to pay for a process's start
        # keeps fewer (segments.MIN_SEGMENTS_PER_WORKER; bench/RESULTS.md, issue 15).
        return max(1, min(available_cores(), MAX_WORKERS))
    try:
        count = int(workers)
    except ValueError:
        raise InputError(f"--workers must be auto or a number from 1 to {MAX_WORKERS}") from None
    return check_workers(count)


def run_analysis(
    video: Path | None,
    *,
    camera: int | None,
    seconds: float,
    max_side: int,
    workers: int | None = None,
) -> VideoAnalysis:
    """Analyse with a progress bar on stderr when a person is watching.

    MediaPipe's start-up chatter is kept off stderr here: a person reads it. `workers` None
    uses every core (`assess --video` and `report --video` call this too).

    Raises:
        InputError: a bad option (checked before any video library starts), or a video that
            cannot be analysed.
    """
    from facespasm.video.analysis import analyze_video, check_options

    workers = worker_count("auto") if workers is None else workers
    check_options(seconds=seconds, max_side=max_side, workers=workers)
    if (video is None) == (camera is None):
        raise InputError("give a VIDEO file or --camera N (one of them)")
    if camera is not None:
        from facespasm.video.frames import check_camera

        check_camera(camera)
    from facespasm.video.landmarks import quiet_native_logs

    def analyze(progress: Progress | None = None) -> VideoAnalysis:
        with quiet_native_logs():
            return analyze_video(
                video,
                camera=camera,
                seconds=seconds,
                max_side=max_side,
                workers=workers,
                progress=progress,
            )

    if not sys.stderr.isatty():
        return analyze()
    from rich.console import Console
    from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    columns = (TextColumn("analysing"), BarColumn(), TextColumn("{task.completed} frames"))
    console = Console(stderr=True)
    # The bar starts first, while stderr is still the terminal it draws on.
    with Bar(*columns, TimeRemainingColumn(), console=console, transient=True) as bar:
        task = bar.add_task("frames", total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        return analyze(update)
