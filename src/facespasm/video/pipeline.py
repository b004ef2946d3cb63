"""Landmarks for a stream of frames, with decoding and inference running side by side.

Decoding a frame (FFmpeg) and finding its landmarks (MediaPipe) both release Python's GIL, so on
a machine with two cores they can overlap: a background thread pulls frames from the source into
a small bounded queue while the caller's thread runs the face mesh on them. The throughput is
then that of the slower of the two (the face mesh) rather than their sum (bench/RESULTS.md).

The queue is bounded so memory stays flat however long the video is, and however much faster
decoding is than inference. The thread never outlives the stream: an error in decoding is
raised in the caller, and closing the stream early (`break`, an exception, `close()`) stops
and joins the thread.

A face is used only with both eyes inside the picture: a face cut off at the eyes is still found
by the model, but the lids it gives beyond the edge are guesses, so such a frame counts as one
without a face (`eyes_in_picture`).

A clip may be cut into segments at `seams` (times): each segment gets a fresh landmark model,
which finds the face again, as a process analysing only that segment would (segments.py). So
the landmarks depend on where the seams are, never on how many processes share the work.
"""

from __future__ import annotations

import bisect
import itertools
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass

from facespasm.video.frames import Frame
from facespasm.video.landmarks import FaceLandmarks, FaceMesh, LandmarkModel, MeshFactory
from facespasm.video.measures import eyes_in_picture

# How often a decoder waiting for room in a full queue checks whether it should stop.
_POLL_S = 0.05


@dataclass(frozen=True, slots=True)
class _End:
    """The decoder's last item: the source ran out, or failed with `error`."""

    error: BaseException | None = None


def landmark_stream(
    frames: Iterable[Frame],
    mesh_factory: MeshFactory = FaceMesh,
    queue_size: int = 8,
    *,
    seams: Sequence[float] = (),
) -> Iterator[tuple[Frame, FaceLandmarks | None]]:
    """Each frame with the landmarks of the face followed (None where no face was found).

    Frames come out in the order the source gives them, with the same landmarks a plain loop
    over `mesh.find` would give, except that a face without both eyes in the picture is None.
    Nothing starts until the first item is asked for.

    Args:
        frames: the source, e.g. `read_frames(path)`; it is iterated in a background thread, and
            closed there if it has a `close()` method.
        mesh_factory: makes the landmark model, in the caller's thread: at the first frame, and
            again at the first frame of each segment.
        queue_size: how many decoded frames may wait for inference.
        seams: times (s, increasing) where a segment starts; a frame at or after a seam is
            given to a fresh model. A stream that starts mid-clip (`read_frames(start_s=...)`)
            starts with a fresh model anyway.

    Returns:
        An iterator of (frame, landmarks or None), in order; close it to stop early.

    Raises:
        ValueError: `queue_size` is less than 1.
    """
    if queue_size < 1:
        raise ValueError(f"queue_size must be at least 1, got {queue_size}")
    if any(later <= earlier for earlier, later in itertools.pairwise(seams)):
        raise ValueError("seams must be increasing times")
    return _stream(frames, mesh_factory, queue_size, tuple(seams))


def _stream(
    frames: Iterable[Frame],
    mesh_factory: MeshFactory,
    queue_size: int,
    seams: tuple[float, ...],
) -> Iterator[tuple[Frame, FaceLandmarks | None]]:
    slots: queue.Queue[Frame | _End] = queue.Queue(maxsize=queue_size)
    stop = threading.Event()
    decoder = threading.Thread(
        target=_decode_into, args=(frames, slots, stop), name="facespasm-decoder", daemon=True
    )
    # Started before the model is built, so the first frames decode while MediaPipe loads.
    decoder.start()
    models = ExitStack()
    segment: int | None = None  # the segment the current model has seen frames of
    try:
        mesh: LandmarkModel = models.enter_context(mesh_factory())
        while True:
            item = slots.get()
            if isinstance(item, _End):
                if item.error is not None:
                    raise item.error
                return
            at = bisect.bisect_right(seams, item.time_s)
            if segment is not None and at != segment:
                models.close()
                mesh = models.enter_context(mesh_factory())
            segment = at
            found = mesh.find(item)
            usable = found is not None and eyes_in_picture(found.points, item.image.shape)
            yield item, found if usable else None
    finally:
        models.close()
        stop.set()
        _drain(slots)  # a decoder blocked on a full queue can now see `stop`
        decoder.join()


def _decode_into(
    frames: Iterable[Frame], slots: queue.Queue[Frame | _End], stop: threading.Event
) -> None:
    # Whatever happens, the consumer gets an `_End` (unless it stopped first): it waits for one.
    end, iterator = _End(), None
    try:
        iterator = iter(frames)
        for frame in iterator:
            if not _put(slots, frame, stop):
                break
    except BaseException as error:  # handed to the consumer, which raises it
        end = _End(error)
    try:
        close = getattr(iterator, "close", None)
        if callable(close):
            close()
    except BaseException as error:
        end = end if end.error is not None else _End(error)
    _put(slots, end, stop)


def _put(slots: queue.Queue[Frame | _End], item: Frame | _End, stop: threading.Event) -> bool:
    """Put `item` once there is room; False if the consumer stopped first."""
    while not stop.is_set():
        try:
            slots.put(item, timeout=_POLL_S)
        except queue.Full:
            continue
        return True
    return False


def _drain(slots: queue.Queue[Frame | _End]) -> None:
    while True:
        try:
            slots.get_nowait()
        except queue.Empty:
            return
