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
the landmarks depend on where the seams are, never on how many processes share the work. A fresh
model first follows the face through the `WARM_UP_FRAMES` frames before its segment (its
landmarks for them unused): the face mesh's first landmarks after finding a face differ from
those of a model that has been tracking it, by 2-4 times the usual change from one frame to the
next, settling over the next few frames (bench/RESULTS.md, issue 15). Without the warm-up every
seam was such a jump, and at 15 fps it lasted long enough to read as a spasm.
"""

from __future__ import annotations

import bisect
import itertools
import queue
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass

from facespasm.video.frames import Frame
from facespasm.video.landmarks import FaceLandmarks, FaceMesh, LandmarkModel, MeshFactory
from facespasm.video.measures import eyes_in_picture

# How often a decoder waiting for room in a full queue checks whether it should stop.
_POLL_S = 0.05
# Frames a fresh model follows the face through before its segment. Measured against a model
# tracking throughout (three clips, two at 24 fps and one at 15 fps): its landmark measures
# differed at its first frame by 2.3-3.9 times the median change from frame to frame with no
# warm-up, 0.5-2.2 after 2 frames, 0.2-0.5 after 5 and 0.1-0.2 after 8. It costs this many extra
# frames of the model per seam: 4% of a 30 fps clip's 150 frames per 5 s segment.
WARM_UP_FRAMES = 6


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
    start_s: float = 0.0,
) -> Iterator[tuple[Frame, FaceLandmarks | None]]:
    """Each frame with the landmarks of the face followed (None where no face was found).

    Frames come out in the order the source gives them, with the same landmarks a plain loop
    over `mesh.find` would give, except that a face without both eyes in the picture is None
    and that each model made after the first frame of the clip first follows the face through
    the `WARM_UP_FRAMES` frames before it. Nothing starts until the first item is asked for.

    Args:
        frames: the source, e.g. `read_frames(path)`; it is iterated in a background thread, and
            closed there if it has a `close()` method.
        mesh_factory: makes the landmark model, in the caller's thread: at the first frame, and
            again at the first frame of each segment.
        queue_size: how many decoded frames may wait for inference.
        seams: times (s, increasing) where a segment starts; a frame at or after a seam is
            given to a fresh model, warmed up on the frames before the seam.
        start_s: frames before this time are not given out: the last `WARM_UP_FRAMES` of them
            warm up the first model. A stream that starts at a seam (`read_frames(start_s=...)`
            a second or so before it, and this `start_s` the seam) then gives the same
            landmarks as one that reached the seam from the start of the clip.

    Returns:
        An iterator of (frame, landmarks or None), in order; close it to stop early.

    Raises:
        ValueError: `queue_size` is less than 1.
    """
    if queue_size < 1:
        raise ValueError(f"queue_size must be at least 1, got {queue_size}")
    if any(later <= earlier for earlier, later in itertools.pairwise(seams)):
        raise ValueError("seams must be increasing times")
    return _stream(frames, mesh_factory, queue_size, tuple(seams), start_s)


def _stream(
    frames: Iterable[Frame],
    mesh_factory: MeshFactory,
    queue_size: int,
    seams: tuple[float, ...],
    start_s: float,
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
    before: deque[Frame] = deque(maxlen=WARM_UP_FRAMES)  # the frames just before this one
    try:
        # Made at once, so MediaPipe loads while the first frames decode.
        mesh: LandmarkModel = models.enter_context(mesh_factory())
        while True:
            item = slots.get()
            if isinstance(item, _End):
                if item.error is not None:
                    raise item.error
                return
            if item.time_s < start_s:
                before.append(item)
                continue
            at = bisect.bisect_right(seams, item.time_s)
            if at != segment:
                if segment is not None:  # a seam: a fresh model for the new segment
                    models.close()
                    mesh = models.enter_context(mesh_factory())
                for frame in before:  # the face followed into the segment, as it was
                    mesh.find(frame)
            segment = at
            before.append(item)
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
