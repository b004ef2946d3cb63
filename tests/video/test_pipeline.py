"""Decoding and inference side by side: the same landmarks as a plain loop, errors surfacing in
the caller, and no thread left behind when the caller stops early."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from facespasm.errors import VideoError
from facespasm.video.frames import Frame, read_frames
from facespasm.video.landmarks import FaceMesh
from facespasm.video.pipeline import landmark_stream


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


@pytest.fixture
def bad_video(tmp_path: Path) -> Path:
    """A Matroska file whose frames are random bytes: it opens, but nothing decodes."""
    from tests.video.conftest import write_clip

    data = bytearray(write_clip(tmp_path / "ffv1.mkv", frames=8, codec="ffv1").read_bytes())
    data[2000:] = np.random.default_rng(5).integers(0, 256, len(data) - 2000, np.uint8).tobytes()
    path = tmp_path / "garbage.mkv"
    path.write_bytes(bytes(data))
    return path
