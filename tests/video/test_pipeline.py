"""Decoding and inference side by side: the same landmarks as a plain loop, errors surfacing in
the caller, no thread left behind when the caller stops early, and a fresh model at each seam
that has followed the face into its segment."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Self

import numpy as np
import pytest

from facespasm.errors import VideoError
from facespasm.video.frames import Frame, read_frames
from facespasm.video.landmarks import FaceLandmarks, FaceMesh, MeshFactory
from facespasm.video.measures import measure_frame
from facespasm.video.pipeline import WARM_UP_FRAMES, landmark_stream


def decoder_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "facespasm-decoder"]


def test_the_same_landmarks_as_a_plain_loop(media: Path) -> None:
    clip = media / "single_face.mp4"
    with FaceMesh() as mesh:
        expected = [(frame, mesh.find(frame)) for frame in read_frames(clip)]

    streamed = list(landmark_stream(read_frames(clip)))

    assert [frame.index for frame, _ in streamed] == [frame.index for frame, _ in expected]
    for (frame, landmarks), (plain_frame, plain_landmarks) in zip(streamed, expected, strict=True):
        np.testing.assert_array_equal(frame.image, plain_frame.image)
        assert landmarks is not None and plain_landmarks is not None
        np.testing.assert_allclose(landmarks.points, plain_landmarks.points, atol=1e-3)


def test_frames_without_a_face_come_through_as_none(media: Path) -> None:
    results = list(landmark_stream(islice(read_frames(media / "no_face.mp4"), 20)))

    assert len(results) == 20
    assert all(landmarks is None for _, landmarks in results)


def test_a_decoding_error_is_raised_in_the_caller(bad_video: Path) -> None:
    with pytest.raises(VideoError, match="no frame could be decoded"):
        list(landmark_stream(read_frames(bad_video)))

    assert decoder_threads() == []


def test_frames_before_a_failure_are_delivered_then_the_error(media: Path) -> None:
    def failing() -> Iterator[Frame]:
        yield from islice(read_frames(media / "single_face.mp4"), 3)
        raise VideoError("the camera was unplugged")

    delivered = []
    with pytest.raises(VideoError, match="unplugged"):
        for frame, _ in landmark_stream(failing()):
            delivered.append(frame.index)

    assert delivered == [0, 1, 2]


@pytest.mark.parametrize("queue_size", [1, 8])
def test_stopping_early_stops_the_decoder_thread(media: Path, queue_size: int) -> None:
    baseline = threading.active_count()
    source = read_frames(media / "WolfgangLanger_Pexels.mp4")
    stream = landmark_stream(source, queue_size=queue_size)

    for _ in islice(stream, 5):
        pass
    time.sleep(0.2)  # let the decoder fill the queue and block on it
    assert len(decoder_threads()) == 1
    stream.close()  # type: ignore[attr-defined]

    assert decoder_threads() == []
    assert threading.active_count() == baseline
    with pytest.raises(StopIteration):
        next(source)  # the source was closed by the decoder thread


def test_nothing_starts_until_the_first_frame_is_asked_for(media: Path) -> None:
    stream = landmark_stream(read_frames(media / "single_face.mp4"))

    assert decoder_threads() == []
    next(stream)
    stream.close()  # type: ignore[attr-defined]


def test_the_queue_must_hold_a_frame() -> None:
    with pytest.raises(ValueError, match="queue_size"):
        landmark_stream([], queue_size=0)


def noting(made: list[list[float]]) -> MeshFactory:
    """A factory of landmark models that find no face and note the times of the frames given
    to each model, one list per model made, in `made`."""

    class Noting:
        def __init__(self, *, face: int = 0) -> None:
            self.seen: list[float] = []
            made.append(self.seen)

        def find(self, frame: Frame) -> FaceLandmarks | None:
            self.seen.append(frame.time_s)
            return None

        def __enter__(self) -> Self:
            return self

        def __exit__(self, *exc_info: object) -> None:
            pass

    return Noting


def tenths(count: int) -> list[Frame]:
    """`count` blank frames, one every 0.1 s."""
    image = np.zeros((8, 8, 3), dtype=np.uint8)
    return [Frame(index, round(index / 10, 1), image) for index in range(count)]


# The times of the `WARM_UP_FRAMES` frames of `tenths` just before 1.0 s.
JUST_BEFORE_ONE_SECOND = [round((10 - WARM_UP_FRAMES + i) / 10, 1) for i in range(WARM_UP_FRAMES)]


def test_a_model_made_at_a_seam_first_follows_the_frames_before_it() -> None:
    made: list[list[float]] = []

    delivered = [
        frame.time_s for frame, _ in landmark_stream(tenths(20), noting(made), seams=(1.0,))
    ]

    assert delivered == [index / 10 for index in range(20)]
    first, second = made
    assert first == delivered[:10]
    assert second == JUST_BEFORE_ONE_SECOND + delivered[10:]


def test_frames_before_the_start_only_warm_the_first_model_up() -> None:
    # A reader that seeks to a seam starts a little before it (segments.py): the frames before
    # the seam are not its to deliver, but its model follows the face through the last of them.
    made: list[list[float]] = []

    delivered = [
        frame.time_s
        for frame, _ in landmark_stream(tenths(20), noting(made), seams=(1.0,), start_s=1.0)
    ]

    assert delivered == [index / 10 for index in range(10, 20)]
    (only,) = made
    assert only == JUST_BEFORE_ONE_SECOND + delivered


def test_just_after_a_seam_the_landmarks_are_those_of_a_model_tracking_through(
    tmp_path: Path,
) -> None:
    # A fresh face mesh's first landmarks differ from a tracking one's by 4 times the usual
    # change from one frame to the next on this clip (13 times at 160 px): a jump at every seam,
    # which at 15 fps lasted long enough to read as a one-frame spasm (bench/RESULTS.md).
    from facespasm.video.synthetic import render

    clip = render(tmp_path / "still.mp4", [], 11.0, fps=15.0, size=256).path
    seams = (5.0, 10.0)

    def measures(seams: tuple[float, ...]) -> list[tuple[float, np.ndarray]]:
        return [
            (frame.time_s, measure_frame(found.points))
            for frame, found in landmark_stream(read_frames(clip), seams=seams)
            if found is not None
        ]

    through, segmented = measures(()), measures(seams)

    assert [time for time, _ in segmented] == [time for time, _ in through]
    usual = np.median([np.abs(b - a) for (_, a), (_, b) in itertools.pairwise(through)], axis=0)
    for seam in seams:
        at = next(index for index, (time, _) in enumerate(through) if time >= seam)
        jump = np.median(np.abs(segmented[at][1] - through[at][1]) / (usual + 1e-9))
        assert jump < 2, f"at the seam at {seam} s the landmarks jumped {jump:.1f} usual changes"


@pytest.fixture
def bad_video(tmp_path: Path) -> Path:
    """A Matroska file whose frames are random bytes: it opens, but nothing decodes."""
    from tests.video.conftest import write_clip

    data = bytearray(write_clip(tmp_path / "ffv1.mkv", frames=8, codec="ffv1").read_bytes())
    data[2000:] = np.random.default_rng(5).integers(0, 256, len(data) - 2000, np.uint8).tobytes()
    path = tmp_path / "garbage.mkv"
    path.write_bytes(bytes(data))
    return path
