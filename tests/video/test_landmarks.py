"""Face landmarks on real recordings: a face wherever there is one, none where there is none,
and always the same person followed when several are in view."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
import time
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from facespasm.video.frames import Frame, read_frames
from facespasm.video.landmarks import (
    COUNT_FACES_EVERY,
    LANDMARK_COUNT,
    MOST_FACES,
    FaceLandmarks,
    FaceMesh,
    quiet_native_logs,
)
from facespasm.video.measures import eyes_in_picture


def found(path: Path, limit: int | None = None) -> list[FaceLandmarks | None]:
    """The landmarks of each frame of a file (the first `limit` frames), one mesh per file."""
    with FaceMesh() as mesh:
        return [mesh.find(frame) for frame in islice(read_frames(path), limit)]


def test_landmarks_are_478_points_in_frame_pixels(media: Path) -> None:
    (landmarks,) = found(media / "single_face.jpg")

    assert landmarks is not None
    assert landmarks.faces_seen == 1
    assert landmarks.points.shape == (LANDMARK_COUNT, 3)
    assert landmarks.points.dtype == np.float32
    x, y = landmarks.points[:, 0], landmarks.points[:, 1]
    assert 0 < x.min() < x.max() < 572
    assert 0 < y.min() < y.max() < 562
    # The face fills a good part of the photo: pixels, not MediaPipe's 0-1 coordinates.
    assert np.ptp(x) > 100


def test_landmarks_scale_with_the_frame(media: Path) -> None:
    # The same photo at half size gives the same face at half the pixel coordinates.
    with FaceMesh() as mesh:
        full = mesh.find(next(iter(read_frames(media / "single_face.jpg"))))
    with FaceMesh() as mesh:
        half = mesh.find(next(iter(read_frames(media / "single_face.jpg", max_side=286))))

    assert full is not None and half is not None
    np.testing.assert_allclose(half.points[:, :2] * 2, full.points[:, :2], atol=6)


@pytest.mark.parametrize(
    ("clip", "limit", "frames"),
    [
        ("single_face.mp4", None, 72),  # 2.4 s with a blink: the face stays found through it
        ("jefapato_2sec.mp4", None, 30),  # 1080p webcam, delivered at its own size
        ("WolfgangLanger_Pexels.mp4", 60, 60),  # the first 2.5 s; the whole clip is below
    ],
)
def test_a_face_is_found_in_every_frame_where_there_is_one(
    media: Path, clip: str, limit: int | None, frames: int
) -> None:
    landmarks = found(media / clip, limit)

    assert len(landmarks) == frames
    assert all(face is not None and face.faces_seen == 1 for face in landmarks)


def test_the_face_is_found_throughout_a_20_s_clip_of_expressions(media: Path) -> None:
    # Looking down, eyes closed, smiling: the face must never be lost (472 frames, ~2 s).
    landmarks = found(media / "WolfgangLanger_Pexels.mp4")

    assert len(landmarks) == 472
    assert sum(face is None for face in landmarks) == 0


def test_no_face_is_found_where_there_is_none(media: Path) -> None:
    landmarks = found(media / "no_face.mp4")

    assert len(landmarks) > 0
    assert all(face is None for face in landmarks)


def test_a_face_leaving_the_frame_is_found_only_while_it_is_there(media: Path) -> None:
    landmarks = found(media / "face_noface.mov")

    assert len(landmarks) == 169
    # 72 by MediaPipe Face Mesh when the media were collected (shared/media/README.md).
    assert abs(sum(face is not None for face in landmarks) - 72) <= 5


def test_several_faces_are_counted_and_the_largest_is_followed(three_faces: np.ndarray) -> None:
    with FaceMesh() as mesh:
        landmarks = [mesh.find(Frame(index, index / 30, three_faces)) for index in range(5)]

    # The face detector also counts a fourth face cut by the crop's edge, which the mesh skips.
    assert all(face is not None and face.faces_seen >= 3 for face in landmarks)
    centres = np.array([face.points[:, :2].mean(axis=0) for face in landmarks if face])
    assert np.ptp(centres, axis=0).max() < 3  # the same face in every frame
    sizes = [np.ptp(face.points[:, 0]) for face in landmarks if face]
    assert sizes[0] == pytest.approx(max(sizes), rel=0.02)


def test_a_model_can_follow_the_next_largest_faces_instead(three_faces: np.ndarray) -> None:
    # The analysis asks for them when the largest face never moved (tests/video/test_crowded.py).
    def followed(face: int) -> list[FaceLandmarks | None]:
        with FaceMesh(face=face) as mesh:
            return [mesh.find(Frame(index, index / 30, three_faces)) for index in range(3)]

    by_face = [followed(face) for face in range(MOST_FACES)]

    areas = []
    for landmarks in by_face:
        assert all(found is not None for found in landmarks)
        centres = np.array([found.points[:, :2].mean(axis=0) for found in landmarks if found])
        assert np.ptp(centres, axis=0).max() < 3  # one face throughout
        first = landmarks[0]
        assert first is not None
        areas.append(float(np.prod(np.ptp(first.points[:, :2], axis=0))))
    assert areas == sorted(areas, reverse=True) and len(set(np.round(areas, -1))) == MOST_FACES
    with pytest.raises(ValueError, match="face must be 0 to 2"):
        FaceMesh(face=MOST_FACES)


def test_a_larger_face_cut_at_the_eyes_by_the_edge_is_not_the_one_followed(media: Path) -> None:
    # A face cut by the picture's edge is still found, but its lids beyond the edge are the
    # model's guesses (`eyes_in_picture`): following it would leave the clip without a face.
    import cv2

    stream = read_frames(media / "single_face.jpg")
    face = next(stream).image
    stream.close()
    large = cv2.resize(face, None, fx=1.1, fy=1.1, interpolation=cv2.INTER_CUBIC)
    cut = large[:, int(0.4 * large.shape[1]) :]  # its right eye (on the image's left) is gone
    whole = cv2.resize(face, None, fx=0.75, fy=0.75, interpolation=cv2.INTER_AREA)
    picture = np.zeros((large.shape[0] + 20, cut.shape[1] + whole.shape[1] + 40, 3), np.uint8)
    picture[10 : 10 + cut.shape[0], : cut.shape[1]] = cut
    picture[10 : 10 + whole.shape[0], cut.shape[1] + 20 : cut.shape[1] + 20 + whole.shape[1]] = (
        whole
    )

    with FaceMesh() as mesh:
        followed = [mesh.find(Frame(index, index / 30, picture)) for index in range(3)]

    assert all(face is not None and face.faces_seen == 2 for face in followed)
    assert all(face is not None and face.points[:, 0].min() > cut.shape[1] for face in followed)
    assert all(
        face is not None and eyes_in_picture(face.points, picture.shape) for face in followed
    )


def test_the_face_followed_is_kept_when_a_larger_one_appears(media: Path) -> None:
    # A face alone on the left; then a larger face joins on the right. The person being
    # analysed must stay the one on the left, though a fresh start would take the larger.
    import cv2

    stream = read_frames(media / "single_face.jpg")
    face = next(stream).image
    stream.close()
    small = cv2.resize(face, None, fx=0.7, fy=0.7, interpolation=cv2.INTER_AREA)
    alone = np.zeros((600, 1200, 3), dtype=np.uint8)
    top = (600 - small.shape[0]) // 2
    alone[top : top + small.shape[0], 10 : 10 + small.shape[1]] = small
    joined = alone.copy()
    joined[19 : 19 + face.shape[0], 620 : 620 + face.shape[1]] = face

    with FaceMesh() as mesh:
        first = mesh.find(Frame(0, 0.0, alone))
        # faces are counted every COUNT_FACES_EVERY frames: the newcomer is counted by then
        later = [
            mesh.find(Frame(index, index / 30, joined)) for index in range(1, COUNT_FACES_EVERY + 2)
        ][-1:]
    with FaceMesh() as fresh:
        from_scratch = fresh.find(Frame(0, 0.0, joined))

    assert first is not None and first.faces_seen == 1
    assert all(face is not None and face.faces_seen == 2 for face in later)
    assert all(face is not None and face.points[:, 0].mean() < 600 for face in later)
    assert from_scratch is not None and from_scratch.points[:, 0].mean() > 600


def test_the_whole_group_photo_still_gives_one_face(media: Path) -> None:
    # Five small faces: Face Mesh's short-range detector finds one of them (see `three_faces`).
    (landmarks,) = found(media / "multi_face.jpg")

    assert landmarks is not None
    assert landmarks.faces_seen >= 1


def test_mediapipe_start_up_chatter_is_kept_off_stderr_when_asked(
    media: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with quiet_native_logs():
        found(media / "single_face.mp4", limit=3)
        os.write(2, b"a real error\n")

    err = capfd.readouterr().err
    assert "inference_feedback_manager" not in err
    assert "XNNPACK delegate" not in err
    assert "a real error" in err  # anything else still reaches stderr


def test_a_line_written_as_quieting_ends_still_arrives(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    # The forwarder may find the pipe empty, then be slow to run again (a loaded machine):
    # a line written and the filter turned off meanwhile must still be forwarded.
    found_empty = threading.Event()

    def slow_to_wake(
        read: list[int], write: list[int], error: list[int], timeout: float
    ) -> tuple[list[int], list[int], list[int]]:
        ready = real_select(read, write, error, timeout)
        if not ready[0] and timeout:
            found_empty.set()
            time.sleep(0.2)
        return ready

    real_select = select.select
    monkeypatch.setattr(select, "select", slow_to_wake)
    with quiet_native_logs():
        assert found_empty.wait(2.0)
        os.write(2, b"the last line\n")

    assert "the last line" in capfd.readouterr().err


CHILD_WRITES_THEN_WAITS = (
    "import sys, time; print('from the child', file=sys.stderr, flush=True); time.sleep(30)"
)


def test_quieting_ends_even_while_another_process_holds_stderr(
    capfd: pytest.CaptureFixture[str],
) -> None:
    # A process started meanwhile (multiprocessing's resource tracker, a Ray worker) inherits
    # the filter's pipe as its stderr and may outlive it: turning the filter off must not wait.
    with quiet_native_logs():
        holder = subprocess.Popen([sys.executable, "-c", CHILD_WRITES_THEN_WAITS])
        time.sleep(0.5)
        started = time.monotonic()
    try:
        assert time.monotonic() - started < 2.0
        assert "from the child" in capfd.readouterr().err
        os.write(2, b"after\n")
        assert "after" in capfd.readouterr().err
    finally:
        holder.kill()
        holder.wait()
