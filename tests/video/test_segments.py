"""One clip on several cores: the same result with any number of workers, seams that depend only
on the clip, frames read from a time exactly as from the start, and memory flat in length."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import tracemalloc
from pathlib import Path
from types import TracebackType
from typing import Self

import numpy as np
import pytest

from facespasm.errors import InputError, VideoError
from facespasm.video import segments as segments_module
from facespasm.video.analysis import analyze_video
from facespasm.video.frames import Frame, FrameStream, VideoInfo, probe_video, read_frames
from facespasm.video.landmarks import FaceLandmarks, FaceMesh
from facespasm.video.measures import column
from facespasm.video.pipeline import landmark_stream
from facespasm.video.segments import (
    SEGMENT_S,
    measure_segments,
    plan_segments,
    useful_workers,
)

from .conftest import ClipMaker


def clip_info(duration_s: float | None, *, seekable: bool = True) -> VideoInfo:
    return VideoInfo("clip.mp4", 640, 360, 30.0, None, duration_s, 0, "h264", seekable=seekable)


@pytest.mark.parametrize(
    ("duration_s", "seekable", "starts"),
    [
        (4.9, True, [0.0]),  # shorter than a segment: one
        (9.9, True, [0.0]),  # the last segment takes the remainder, up to twice as long
        (10.0, True, [0.0, 5.0]),
        (23.0, True, [0.0, 5.0, 10.0, 15.0]),
        (60.0, False, [0.0]),  # cannot be read from a time: one segment, one worker
        (None, True, [0.0]),  # no declared duration
    ],
)
def test_segments_depend_only_on_the_clip(
    duration_s: float | None, seekable: bool, starts: list[float]
) -> None:
    segments = plan_segments(clip_info(duration_s, seekable=seekable))

    assert SEGMENT_S == 5.0
    assert [s.start_s for s in segments] == starts
    assert [s.end_s for s in segments] == [*starts[1:], None]  # consecutive, the last open


@pytest.mark.parametrize("key_every", [1, 12, 250])  # every frame a key frame; a few; one only
def test_frames_read_from_a_time_are_those_read_from_the_start(
    make_clip: ClipMaker, key_every: int
) -> None:
    clip = make_clip(f"keys{key_every}.mp4", frames=90, codec_options={"g": str(key_every)})
    whole = list(read_frames(clip))

    for start_s in (0.5, 1.0, 2.0 + 1 / 60):
        part = list(read_frames(clip, start_s=start_s))
        expected = [frame for frame in whole if frame.time_s >= start_s]
        assert [f.time_s for f in part] == [f.time_s for f in expected]
        for mine, theirs in zip(part, expected, strict=True):
            np.testing.assert_array_equal(mine.image, theirs.image)


def test_a_seek_that_lands_too_late_falls_back_to_decoding_from_the_start(
    make_clip: ClipMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file with a poor index can make FFmpeg land after the time asked for; simulated here by
    # seeking a second too far. The frames from 1 s on must still all come, none missed.
    clip = make_clip("keys12-late.mp4", frames=90, codec_options={"g": "12"})
    seek = FrameStream._seek
    monkeypatch.setattr(FrameStream, "_seek", lambda self, start_s: seek(self, start_s + 1.0))

    part = [frame.time_s for frame in read_frames(clip, start_s=1.0)]

    assert part == [frame.time_s for frame in read_frames(clip) if frame.time_s >= 1.0]


def test_reading_from_past_the_end_gives_nothing_and_no_error(gradient_clip: Path) -> None:
    stream = read_frames(gradient_clip, start_s=60.0)

    assert list(stream) == []
    assert stream.problem is None
    assert probe_video(gradient_clip).seekable


class CountingModel:
    """A landmark model that finds nothing and counts how many were made (a test double)."""

    made = 0

    def __init__(self, *, face: int = 0) -> None:
        CountingModel.made += 1

    def find(self, frame: Frame) -> FaceLandmarks | None:
        return None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


class InAWorker(CountingModel):
    """Finds nothing; in a worker process, does `in_worker` once it has a frame to work on.

    The parent's model waits until a worker has done so (it leaves a file named by the
    environment, which spawned workers inherit), so a worker certainly takes part.
    """

    def find(self, frame: Frame) -> FaceLandmarks | None:
        marker = Path(os.environ["FACESPASM_TEST_MARKER"])
        if multiprocessing.parent_process() is not None:
            marker.touch()
            self.in_worker()
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return None

    def in_worker(self) -> None:
        return None


class FailingInAWorker(InAWorker):
    def in_worker(self) -> None:
        raise VideoError("the model broke in a worker")


class DyingInAWorker(InAWorker):
    def in_worker(self) -> None:
        os._exit(1)  # as a worker killed for running out of memory


@pytest.fixture
def marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where a worker says it has started work (see `InAWorker`)."""
    path = tmp_path / "a-worker-started"
    monkeypatch.setenv("FACESPASM_TEST_MARKER", str(path))
    return path


def test_an_error_in_a_worker_reaches_the_caller_and_no_process_is_left(
    gradient_clip: Path, marker: Path
) -> None:
    segments = plan_segments(probe_video(gradient_clip), segment_s=0.5)  # 64 frames: 4 segments

    with pytest.raises(VideoError, match="the model broke in a worker"):
        measure_segments(
            gradient_clip, segments, max_side=1280, mesh_factory=FailingInAWorker, workers=2
        )

    assert marker.exists()
    assert multiprocessing.active_children() == []
    assert [t for t in threading.enumerate() if t.name.startswith("facespasm-")] == []


def test_a_worker_process_that_dies_leaves_its_segment_to_the_others(
    gradient_clip: Path, marker: Path
) -> None:
    segments = plan_segments(probe_video(gradient_clip), segment_s=0.5)

    parts = measure_segments(
        gradient_clip, segments, max_side=1280, mesh_factory=DyingInAWorker, workers=2
    )

    assert marker.exists()
    assert [part.segment for part in parts] == list(segments)
    assert np.concatenate([p.times for p in parts]).tolist() == [
        f.time_s for f in read_frames(gradient_clip)
    ]
    assert multiprocessing.active_children() == []


def test_a_fresh_model_starts_each_segment(gradient_clip: Path) -> None:
    CountingModel.made = 0
    frames = list(landmark_stream(read_frames(gradient_clip), CountingModel, seams=(0.5, 1.0)))

    assert len(frames) == 64  # every frame, in order
    assert [f.time_s for f, _ in frames] == sorted(f.time_s for f, _ in frames)
    assert CountingModel.made == 3


def test_stitched_segments_are_the_same_with_any_number_of_workers(media: Path) -> None:
    # A real face, cut into half-second segments, measured by this thread alone and by it with
    # two worker processes: the same rows, bit for bit, in the same order.
    clip = media / "single_face.mp4"
    segments = plan_segments(probe_video(clip), segment_s=0.5)
    assert len(segments) == 4

    def rows(workers: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        parts = measure_segments(
            clip, segments, max_side=1280, mesh_factory=FaceMesh, workers=workers
        )
        assert [part.segment for part in parts] == list(segments)
        return (
            np.concatenate([p.times for p in parts]),
            np.vstack([p.data for p in parts]),
            np.concatenate([p.faces_seen for p in parts]),
        )

    alone, shared = rows(1), rows(2)

    assert len(alone[0]) == 72 and (alone[2] == 1).all()
    for mine, theirs in zip(alone, shared, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_the_analysis_is_the_same_with_one_worker_or_two(
    media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 19.7 s of a real face (three segments): workers change the timing, nothing else. The
    # model is injected, and made once per segment.
    made = []

    def counted(*, face: int = 0) -> FaceMesh:
        made.append(1)
        return FaceMesh(face=face)

    processes: list[int] = []

    def watch(done: int, expected: int | None) -> None:
        processes.append(len(multiprocessing.active_children()))

    clip = media / "WolfgangLanger_Pexels.mp4"
    one = analyze_video(clip, workers=1, mesh_factory=counted).to_dict()
    monkeypatch.setattr(segments_module, "MIN_SEGMENTS_PER_WORKER", 1)  # a process for 20 s
    two = analyze_video(clip, workers=2, progress=watch).to_dict()
    del one["timing"], two["timing"]

    assert max(processes) == 1
    assert one == two
    assert one["video"]["frames"] == one["video"]["face_frames"] == 472  # type: ignore[index]
    assert len(made) == 3


@pytest.mark.parametrize(
    ("duration_s", "workers", "used"),
    [
        (19.7, 2, 1),  # a process costs more to start than it saves on 20 s
        (59.9, 2, 1),
        (60.0, 2, 2),  # each worker gets at least half a minute
        (120.0, 2, 2),
        (120.0, 8, 4),
        (3600.0, 8, 8),
        (3600.0, 1, 1),  # never more than asked for
    ],
)
def test_each_worker_gets_at_least_half_a_minute_of_video(
    duration_s: float, workers: int, used: int
) -> None:
    assert useful_workers(plan_segments(clip_info(duration_s)), workers) == used


def test_a_model_that_cannot_go_to_a_worker_process_is_refused_at_once(media: Path) -> None:
    def local_factory(*, face: int = 0) -> FaceMesh:  # a function in a function cannot be pickled
        return FaceMesh(face=face)

    with pytest.raises(InputError, match="mesh_factory must be picklable"):
        measure_segments(
            media / "WolfgangLanger_Pexels.mp4",
            plan_segments(probe_video(media / "WolfgangLanger_Pexels.mp4")),
            max_side=1280,
            mesh_factory=local_factory,
            workers=2,
        )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_side": 10}, "max_side must be between 64 and 4096 pixels, not 10"),
        ({"max_side": 5000}, "max_side must be between 64 and 4096 pixels, not 5000"),
        ({"max_side": 640.5}, "max_side must be between"),  # pixels are whole
        ({"seconds": 0}, "seconds must be more than 0 and at most 600, not 0"),
        ({"seconds": 601}, "seconds must be more than 0 and at most 600"),
        ({"seconds": float("nan")}, "seconds must be more than 0"),
        ({"workers": 0}, "workers must be a whole number from 1 to 32, not 0"),
        ({"workers": True}, "workers must be a whole number"),  # a flag is not a count
    ],
)
def test_options_are_checked_in_the_core(
    gradient_clip: Path, options: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError, match=message) as refused:
        analyze_video(gradient_clip, **options)  # type: ignore[arg-type]

    assert "\n" not in str(refused.value)


def test_memory_stays_flat_however_long_the_clip(make_clip: ClipMaker) -> None:
    # 320x240 frames are 230 kB each: a pipeline that kept the frames of a 40 s clip would grow
    # by 276 MB over an 8 s one. What may grow is the dozen measures per frame (~0.2 kB).
    def peak(seconds: int) -> int:
        clip = make_clip(
            f"long{seconds}.mp4",
            frames=seconds * 30,
            width=320,
            height=240,
            codec_options={"preset": "ultrafast"},
        )
        segments = plan_segments(probe_video(clip))
        tracemalloc.start()
        try:
            parts = measure_segments(
                clip, segments, max_side=1280, mesh_factory=CountingModel, workers=1
            )
            assert sum(len(p.times) for p in parts) == seconds * 30
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    short, long = peak(8), peak(40)

    assert long - short < 8 * 2**20, (short, long)


def test_a_file_that_breaks_off_is_reported_by_its_segment(truncated_clip: Path) -> None:
    # Half a file, in one-second segments: the frames before the break are measured, and the
    # segment where it breaks says so in the words a reader from the start would use.
    whole = read_frames(truncated_clip)
    times = [frame.time_s for frame in whole]
    segments = plan_segments(probe_video(truncated_clip), segment_s=1.0)
    parts = measure_segments(
        truncated_clip, segments, max_side=1280, mesh_factory=CountingModel, workers=1
    )

    assert np.concatenate([p.times for p in parts]).tolist() == times
    assert next(p.problem for p in parts if p.problem) == whole.problem
    assert whole.problem is not None and "breaks off" in whole.problem


class StillFace(CountingModel):
    """A landmark model that finds the same face in every frame: eye corners on a line."""

    def find(self, frame: Frame) -> FaceLandmarks | None:
        points = np.zeros((478, 3), dtype=np.float32)
        points[:, :2] = (80.0, 60.0)
        for index, x in ((33, 40.0), (133, 70.0), (362, 90.0), (263, 120.0)):
            points[index, :2] = (x, 60.0)
        return FaceLandmarks(points, 1)


def test_the_lids_pixel_motion_restarts_at_each_segment(gradient_clip: Path) -> None:
    # Motion compares a frame with the one before it: never across a seam, so a segment is
    # measured alike by whichever worker takes it, from the start or after a seek.
    segments = plan_segments(probe_video(gradient_clip), segment_s=0.5)
    parts = measure_segments(
        gradient_clip, segments, max_side=1280, mesh_factory=StillFace, workers=1
    )
    lids = [
        column(f"lid_{band}", side) for band in ("lower", "upper") for side in ("left", "right")
    ]

    assert len(parts) == 4
    for part in parts:
        assert np.isnan(part.data[0, lids]).all()
        assert np.isfinite(part.data[1:, lids]).all()
