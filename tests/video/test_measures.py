"""Per-side measures from landmarks: the person's own sides, and free of head pose and distance."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facespasm.video.measures import (
    EYE,
    MEASURES,
    SIDES,
    MeasureSeries,
    column,
    eyes_in_picture,
    measure_frame,
)
from facespasm.video.synthetic import astronaut_landmarks


@pytest.fixture(scope="module")
def face() -> np.ndarray:
    """The 478 landmarks MediaPipe finds on scikit-image's astronaut (512 px)."""
    return np.asarray(astronaut_landmarks(512), dtype=np.float64)


def test_the_persons_left_eye_is_on_the_images_right(face: np.ndarray) -> None:
    # A camera is not a mirror: the person's left eye appears on the right of the picture.
    assert face[263, 0] > face[33, 0]


def test_open_eyes_measure_like_open_eyes(face: np.ndarray) -> None:
    values = measure_frame(face)
    for side in SIDES:
        assert 0.2 < values[column("aperture", side)] < 0.45  # eye aspect ratio of an open eye
        assert 6 < values[column("aperture_mm", side)] < 14  # lid opening: about 8-12 mm
        assert values[column("brow", side)] > 0  # brows above the eyes
        assert values[column("mouth_y", side)] < 0  # mouth below them


@settings(max_examples=50, deadline=None)
@given(
    angle=st.floats(-0.5, 0.5),
    scale=st.floats(0.3, 3.0),
    shift=st.tuples(st.floats(-500, 500), st.floats(-500, 500)),
)
def test_head_tilt_distance_and_position_change_nothing(
    face: np.ndarray, angle: float, scale: float, shift: tuple[float, float]
) -> None:
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    moved = face.copy()
    moved[:, :2] = face[:, :2] @ rotation.T * scale + np.array(shift)
    assert np.allclose(measure_frame(moved), measure_frame(face), rtol=1e-6, atol=1e-9)


def test_a_face_is_measured_only_with_both_eyes_lids_in_the_picture(face: np.ndarray) -> None:
    picture = (512, 512, 3)
    assert eyes_in_picture(face, picture)
    right_eye = face[list(EYE["right"]), :2]  # the person's right: the image's left
    # A close-up whose left edge cuts off the eye's outer corner leaves its lids in view ...
    corner_off = face.copy()
    corner_off[:, 0] -= right_eye[0, 0] + 1  # the outer corner (p1) at x = -1
    assert eyes_in_picture(corner_off, picture)
    # ... one whose edge runs through the lids does not, at any side of the picture.
    lids_off = face.copy()
    lids_off[:, 0] -= right_eye[1, 0] + 1  # an upper-lid point (p2) at x = -1
    assert not eyes_in_picture(lids_off, picture)
    top_off = face.copy()
    top_off[:, 1] -= right_eye[:, 1].min() + 1  # the highest eye point at y = -1
    assert not eyes_in_picture(top_off, picture)
    narrow = (512, int(face[EYE["left"][1], 0]), 3)  # the right edge through the left eye's lid
    assert not eyes_in_picture(face, narrow)


def test_closing_one_eye_changes_only_that_sides_aperture(face: np.ndarray) -> None:
    closed = face.copy()
    upper, lower = (159, 160, 158), (145, 144, 153)  # the person's right eye
    for top, bottom in zip(upper, lower, strict=True):
        closed[top, 1] = closed[bottom, 1]
    before, after = measure_frame(face), measure_frame(closed)
    assert after[column("aperture", "right")] < 0.3 * before[column("aperture", "right")]
    assert after[column("aperture", "left")] == before[column("aperture", "left")]


def test_parting_the_lips_opens_the_lips_gap_on_both_sides(face: np.ndarray) -> None:
    # The astronaut smiles with his teeth showing: the inner lips are apart, a little, on each
    # side. Lowering the lower lip (a syllable) opens the gap on both sides, in the face's units
    # (the head is tilted a little, so the face frame's vertical is not quite the image's).
    opened = face.copy()
    unit = float(np.hypot(*(face[362, :2] - face[133, :2])))
    opened[[87, 317], 1] += 0.2 * unit  # the lower inner lip, each side, down a fifth of a unit
    before, after = measure_frame(face), measure_frame(opened)
    for side in SIDES:
        assert 0 <= before[column("lips", side)] < 0.5
        assert after[column("lips", side)] - before[column("lips", side)] == pytest.approx(
            0.2, abs=0.005
        )


def test_frames_without_a_face_are_kept_as_gaps() -> None:
    series = MeasureSeries(fps=30.0)
    series.add(0.0, None)
    measures = series.finish()
    assert measures.data.shape == (1, len(MEASURES) * 2)
    assert not measures.face_found[0]
