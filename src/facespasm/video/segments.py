"""One clip on several cores: fixed time segments measured in parallel, stitched in order.

The landmark model is the slow part of an analysis and runs on one core. To use more, a file is
cut into segments of `SEGMENT_S` seconds (the last one takes the remainder), each measured with a
fresh landmark model that finds the face again just before its start and follows it into the
segment (pipeline.py's `WARM_UP_FRAMES`), and reduced at once to the dozen
measures per frame of `MeasureSeries`. The parent stitches the segments' rows, in time order,
into one series: events are then found, and measures normalised, over the whole clip, so an
event across a seam is neither split nor counted twice.

The seams depend only on the clip (its declared duration), never on the number of workers, and
one worker resets its model at the same seams (pipeline.py's `seams`), so the result is the same
with 1 worker or 8 (tests/video/test_segments.py). Decoding from a key frame is exact, so a
worker that starts reading mid-clip (`LEAD_S` before its segment, for the warm-up) sees the very
frames a reader from the start sees.

The work is shared out so that seeking is rare: the parent's own thread is one worker and reads
the clip from the start, without a seek, as long as it finds the next segment free; each extra
worker is a spawned process (spawn: no fork of a process whose MediaPipe and decoder threads
run) that is given work only once it has started (importing MediaPipe takes it a second), and
takes the middle of the longest run of segments nobody has claimed, then carries on from there.
At most one segment per worker is in flight, and a segment comes back as ~100 bytes a frame, so
memory stays flat however long the clip is.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from facespasm.errors import InputError, VideoError
from facespasm.video.frames import Frame, FrameStream, VideoInfo, read_frames
from facespasm.video.landmarks import FaceLandmarks, MeshFactory
from facespasm.video.measures import MEASURES, MeasureSeries
from facespasm.video.pipeline import landmark_stream

SEGMENT_S = 5.0  # long enough that the face found again at a seam is a small part of a segment
MAX_WORKERS = 32
# A worker process costs about 1.5 s of CPU to start (Python, PyAV, MediaPipe), and one stream
# already keeps 1.3-1.5 cores busy (decoding beside the model): on two cores a second process is
# slower on a 20 s clip (0.7-0.9x) and faster on a 2-minute one (1.3-1.7x), so each worker gets
# at least half a minute of video (bench/RESULTS.md, issue 15).
MIN_SEGMENTS_PER_WORKER = 6
# A segment read after a seek starts this much earlier, so that its model can follow the face
# through the `WARM_UP_FRAMES` frames before it (pipeline.py), as one reading on would: enough
# for clips down to 3 fps.
LEAD_S = 2.0
_PROGRESS_EVERY_S = 0.25

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True, slots=True)
class Segment:
    """Frames from `start_s` (included) to `end_s` (excluded; None: to the end of the clip)."""

    index: int
    start_s: float
    end_s: float | None


@dataclass(frozen=True)
class SegmentRows:
    """What a worker sends back for a segment: per frame, its time, measures and faces seen.

    Attributes:
        segment: which segment.
        times: (n,) presentation times in seconds.
        data: (n, 16) `MeasureSeries` rows (12 from the landmarks, 4 from the lids' pixels); NaN
            where no face was found.
        faces_seen: (n,) faces found in each frame (0: none).
        problem: why the file broke off in this segment, if it did.
    """

    segment: Segment
    times: NDArray[np.float64]
    data: NDArray[np.float64]
    faces_seen: NDArray[np.int16]
    problem: str | None = None


def plan_segments(info: VideoInfo, segment_s: float = SEGMENT_S) -> tuple[Segment, ...]:
    """The segments of a clip: from its declared duration, one if it cannot be read from a time.

    Args:
        info: the clip, as `probe_video` describes it.
        segment_s: the length of a segment; the last one is up to twice as long.

    Returns:
        Consecutive segments covering the whole clip, the last open-ended.
    """
    duration = info.duration_s if info.seekable else None
    count = max(1, int((duration or 0.0) // segment_s))
    return tuple(
        Segment(index, index * segment_s, None if index == count - 1 else (index + 1) * segment_s)
        for index in range(count)
    )


def seams_of(segments: tuple[Segment, ...]) -> tuple[float, ...]:
    """The times where a new segment starts (each segment's start but the first's)."""
    return tuple(segment.start_s for segment in segments[1:])


def useful_workers(segments: tuple[Segment, ...], workers: int) -> int:
    """How many of `workers` a clip can use: each gets `MIN_SEGMENTS_PER_WORKER` segments."""
    return max(1, min(check_workers(workers), len(segments) // MIN_SEGMENTS_PER_WORKER))


def check_workers(workers: object) -> int:
    """The number of workers, checked.

    Raises:
        InputError: not a whole number from 1 to `MAX_WORKERS`.
    """
    if isinstance(workers, int) and not isinstance(workers, bool) and 1 <= workers <= MAX_WORKERS:
        return workers
    raise InputError(f"workers must be a whole number from 1 to {MAX_WORKERS}, not {workers!r}")


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS says)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)  # pragma: no cover - macOS, Windows


class SegmentReader:
    """Measures segments of one clip, continuing its open stream when asked for the next one.

    Reading the segment that follows the last one read needs no seek and no new decoder: the
    stream stays open, with its first frame of the next segment held back.
    """

    def __init__(
        self,
        path: Path,
        max_side: int,
        mesh_factory: MeshFactory,
        seams: tuple[float, ...],
        *,
        slice_threads: bool = True,
    ) -> None:
        self.key = (str(path), max_side, seams)
        self.factory = mesh_factory
        self._path, self._max_side, self._seams = Path(path), max_side, seams
        self._slice_threads = slice_threads
        self._frames: FrameStream | None = None
        self._stream: Iterator[tuple[Frame, FaceLandmarks | None]] | None = None
        self._held: tuple[Frame, FaceLandmarks | None] | None = None
        self._next_start: float | None = None
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        """Stop the segment being measured (from another thread): it ends early, unused."""
        self._cancelled.set()

    def measure(self, segment: Segment, on_frame: Callable[[], None] | None = None) -> SegmentRows:
        """The rows of `segment`, from the open stream when it follows on, else from a seek."""
        if self._stream is None or self._next_start != segment.start_s:
            self.close()
            # From a little before the segment: its model follows the face into it.
            self._frames = read_frames(
                self._path,
                self._max_side,
                start_s=max(0.0, segment.start_s - LEAD_S),
                slice_threads=self._slice_threads,
            )
            self._stream = landmark_stream(
                self._frames, self.factory, seams=self._seams, start_s=segment.start_s
            )
        # Rows only: whatever `finish()` does with a series is done once, to the whole clip.
        series = MeasureSeries(fps=30.0)
        faces: list[int] = []
        ended = False
        while not self._cancelled.is_set():
            item = self._held if self._held is not None else next(self._stream, None)
            self._held = None
            if item is None:
                ended = True
                break
            frame, landmarks = item
            if segment.end_s is not None and frame.time_s >= segment.end_s:
                self._held = item
                break
            series.add(frame.time_s, None if landmarks is None else landmarks.points, frame.image)
            faces.append(0 if landmarks is None else landmarks.faces_seen)
            if on_frame is not None:
                on_frame()
        problem = self._frames.problem if ended and self._frames is not None else None
        if ended:
            self.close()
        else:
            self._next_start = segment.end_s
        data = np.vstack(series.rows) if series.rows else np.empty((0, len(MEASURES) * 2))
        return SegmentRows(
            segment,
            np.asarray(series.times, dtype=np.float64),
            data,
            np.asarray(faces, dtype=np.int16),
            problem,
        )

    def close(self) -> None:
        """Stop the open stream, if any (its decoder thread and its model)."""
        stream, self._stream, self._held, self._next_start = self._stream, None, None, None
        if stream is not None:
            close = getattr(stream, "close", None)
            if callable(close):
                close()
        if self._frames is not None:
            self._frames.close()
            self._frames = None


def measure_segments(
    path: Path,
    segments: tuple[Segment, ...],
    *,
    max_side: int,
    mesh_factory: MeshFactory,
    workers: int = 1,
    progress: Progress | None = None,
    expected: int | None = None,
) -> list[SegmentRows]:
    """Every segment's rows, in order, measured by up to `workers` workers.

    Args:
        path: the clip (seekable when there are several segments).
        segments: from `plan_segments`.
        max_side: the longest side of the frames given to the model.
        mesh_factory: makes a landmark model; picklable when `workers > 1`.
        workers: this thread plus `workers - 1` spawned processes (never more than segments).
        progress: called with (frames done, frames expected) as the work goes on.
        expected: the frames the clip is expected to hold, for `progress`.

    Raises:
        VideoError: the clip cannot be read (from any worker).
        InputError: `mesh_factory` cannot be sent to a worker process.
    """
    seams = seams_of(segments)
    extra = min(check_workers(workers), len(segments)) - 1
    if extra:
        try:
            pickle.dumps(mesh_factory)
        except (pickle.PicklingError, AttributeError, TypeError) as error:
            raise InputError(
                "mesh_factory must be picklable (a class or a module-level function) to run "
                f"in worker processes ({error}); or use workers=1"
            ) from None
    done_frames = _Counter()
    # With workers on the other cores, FFmpeg's own threads only add overhead.
    local = SegmentReader(path, max_side, mesh_factory, seams, slice_threads=not extra)
    team = _Team(local, done_frames.add)
    try:
        for _ in range(extra):
            team.spawn(mesh_factory)
        schedule = _Schedule(len(segments))
        results: dict[int, SegmentRows] = {}

        def give(worker: int) -> None:
            index = schedule.next_for(worker)
            if index is not None:
                team.send(worker, (str(path), max_side, seams, segments[index]))
            elif worker:  # a process with nothing left to do ends (this thread waits, idle)
                team.stop(worker)

        give(0)
        while len(results) < len(segments):
            for worker, message in team.messages(_PROGRESS_EVERY_S):
                if message is None:  # a worker process died (out of memory?): others carry on
                    schedule.give_back(worker)
                    if team.idle(0):
                        give(0)
                    continue
                kind, payload = message
                if kind == "error":
                    raise payload
                if kind == "rows":
                    results[payload.segment.index] = payload
                    if worker:
                        done_frames.add(len(payload.times))
                give(worker)
            if progress is not None:
                progress(done_frames.value, expected)
    finally:
        team.close()
    return [results[index] for index in range(len(segments))]


Message = tuple[str, Any]


class _Team:
    """The workers: 0 is a thread of this process, the others spawned processes; each has a pipe.

    A worker answers each task (path, max_side, seams, segment) with ("rows", SegmentRows) or
    ("error", exception); a process first says ("ready", None) once it has loaded MediaPipe.
    """

    def __init__(self, local: SegmentReader, on_frame: Callable[[], None]) -> None:
        ours, theirs = multiprocessing.Pipe()
        self._local = local
        self._pipes: list[Connection] = [ours]
        self._processes: list[BaseProcess | None] = [None]
        self._busy = [False]
        self._thread = threading.Thread(
            target=_serve,
            args=(theirs, local.factory, local, on_frame),
            name="facespasm-segment",
            daemon=True,
        )
        self._thread.start()

    def spawn(self, mesh_factory: MeshFactory) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of MediaPipe's threads
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_serve_in_process, args=(theirs, mesh_factory), daemon=True
        )
        process.start()
        theirs.close()
        self._pipes.append(ours)
        self._processes.append(process)
        self._busy.append(True)  # starting up

    def send(self, worker: int, task: object) -> None:
        self._busy[worker] = True
        self._pipes[worker].send(task)

    def idle(self, worker: int) -> bool:
        return not self._busy[worker] and not self._pipes[worker].closed

    def stop(self, worker: int) -> None:
        """Tell an idle worker to finish (its open stream closed, its process ended)."""
        pipe = self._pipes[worker]
        if not pipe.closed:
            with contextlib.suppress(OSError):
                pipe.send(None)
            pipe.close()

    def messages(self, timeout: float) -> Iterator[tuple[int, Message | None]]:
        """What the workers said within `timeout`; None for a worker process that died."""
        watched: dict[Any, int] = {}  # pipes and process sentinels
        for worker, pipe in enumerate(self._pipes):
            if not pipe.closed:
                watched[pipe] = worker
                process = self._processes[worker]
                if process is not None:
                    watched[process.sentinel] = worker
        for ready in wait_for(list(watched), timeout):
            worker = watched[ready]
            pipe = self._pipes[worker]
            if pipe.closed:
                continue
            if isinstance(ready, Connection):
                try:
                    message = pipe.recv()
                except EOFError:
                    message = None
            else:
                message = None
            if message is None:
                pipe.close()
            self._busy[worker] = False
            yield worker, message

    def close(self) -> None:
        """End every worker: idle ones are told to, the others (mid-task, loading) stopped."""
        if self._busy[0]:
            self._local.cancel()
        for worker, process in enumerate(self._processes):
            if process is not None and self._busy[worker]:
                process.terminate()
            self.stop(worker)
        for process in self._processes:
            if process is not None:
                process.join(timeout=5)
                if process.is_alive():  # pragma: no cover - a worker stuck in native code
                    process.kill()
                    process.join()
        self._thread.join()


def _serve(
    pipe: Connection,
    mesh_factory: MeshFactory,
    reader: SegmentReader | None,
    on_frame: Callable[[], None] | None,
) -> None:
    """A worker's loop: measure each segment asked for until told to stop (None)."""
    try:
        while True:
            try:
                task = pipe.recv()
            except (EOFError, OSError):
                return
            if task is None:
                return
            path, max_side, seams, segment = task
            if reader is None or reader.key != (path, max_side, seams):
                if reader is not None:
                    reader.close()
                # Only a worker process makes its own reader, and other workers share the cores.
                reader = SegmentReader(
                    Path(path), max_side, mesh_factory, seams, slice_threads=False
                )
            try:
                answer: Message = ("rows", reader.measure(segment, on_frame))
            except Exception as error:  # the caller raises it
                answer = ("error", _sendable(error))
            with contextlib.suppress(OSError):  # the caller has stopped listening
                pipe.send(answer)
    finally:
        if reader is not None:
            reader.close()
        pipe.close()


def _serve_in_process(pipe: Connection, mesh_factory: MeshFactory) -> None:
    """A spawned worker: load MediaPipe (a second or so), say so, then serve."""
    import av  # noqa: F401

    try:
        with mesh_factory():
            pass
    except Exception as error:
        pipe.send(("error", _sendable(error)))
        return
    pipe.send(("ready", None))
    _serve(pipe, mesh_factory, None, None)


def _sendable(error: Exception) -> Exception:
    """The error itself if it can be pickled back, else a VideoError with its message."""
    try:
        pickle.dumps(error)
    except Exception:
        return VideoError(str(error) or type(error).__name__)
    return error


class _Schedule:
    """Which worker measures which segment: following on where it can, else splitting the rest."""

    def __init__(self, count: int) -> None:
        self._free = [True] * count
        self._last: dict[int, int] = {}
        self._current: dict[int, int] = {}

    def next_for(self, worker: int) -> int | None:
        self._current.pop(worker, None)
        last = self._last.get(worker)
        if last is not None and last + 1 < len(self._free) and self._free[last + 1]:
            chosen: int | None = last + 1
        else:
            chosen = self._middle_of_longest_run()
        if chosen is not None:
            self._free[chosen] = False
            self._last[worker] = self._current[worker] = chosen
        return chosen

    def give_back(self, worker: int) -> None:
        index = self._current.pop(worker, None)
        if index is not None:
            self._free[index] = True

    def _middle_of_longest_run(self) -> int | None:
        best_start, best_length, start = 0, 0, None
        for index, free in enumerate([*self._free, False]):
            if free and start is None:
                start = index
            elif not free and start is not None:
                if index - start > best_length:
                    best_start, best_length = start, index - start
                start = None
        if best_length == 0:
            return None
        # A run at the very start is taken from its start (no seek for a reader from 0).
        return best_start if best_start == 0 else best_start + best_length // 2


class _Counter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self, count: int = 1) -> None:
        with self._lock:
            self.value += count


def frames_expected(info: VideoInfo) -> int | None:
    """The frames a clip is expected to hold (the container's estimate), for progress."""
    if info.frame_count:
        return info.frame_count
    if info.duration_s:
        return math.ceil(info.duration_s * info.fps)
    return None
