"""With several faces in view, the face analysed is a living one.

The largest face with both eyes in the picture is followed first (landmarks.py). But a face that
neither blinks nor moves through a clip, beside one that does, is most likely a picture: a photo
on the wall, a poster, a screen. The analysis then measures the next largest face, keeps the
first that shows anything, and says so; a face that showed anything is never dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from facespasm.video.analysis import VideoAnalysis, analyze_video
from facespasm.video.annotate import annotate_video
from facespasm.video.face_warp import frames as warped_frames
from facespasm.video.frames import read_frames
from facespasm.video.synthetic import PlantedEvent
from facespasm.video.writer import write_mp4

FPS = 30.0
SECONDS = 16.0
BLINKS_AT = (1.0, 4.5, 8.0, 11.5, 15.0)  # 5 blinks in 16 s: about 19 a minute


def blinking_face(size: int) -> Iterator[np.ndarray]:
    """The astronaut blinking at a usual rate in square frames of `size`, with a little sway and
    sensor noise."""
    blinks = [PlantedEvent("blink", at, at + 0.2, "both", ("eyelid",)) for at in BLINKS_AT]
    return warped_frames(blinks, SECONDS, FPS, size=size, noise=1.0, seed=0, sway_px=1.0)


def photo(media: Path, height: int) -> np.ndarray:
    """single_face.jpg scaled to `height`: a face that never moves."""
    import cv2

    stream = read_frames(media / "single_face.jpg")
    image = next(stream).image
    stream.close()
    width = round(image.shape[1] * height / image.shape[0])
    return np.asarray(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA))


def side_by_side(still: np.ndarray, moving: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    """Each moving frame with the still picture on its left, on one black canvas."""
    for frame in moving:
        size = frame.shape[0]
        canvas = np.zeros((max(still.shape[0], size), still.shape[1] + size, 3), np.uint8)
        canvas[: still.shape[0], : still.shape[1]] = still
        canvas[:size, still.shape[1] :] = frame
        yield canvas


@pytest.fixture(scope="module")
def photo_beside_a_person(media: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A still photo of a face on the left, a smaller face blinking on the right (their
    landmarks span 13,300 and 10,300 square pixels)."""
    path = tmp_path_factory.mktemp("crowded") / "photo_beside_a_person.mp4"
    write_mp4(path, FPS, side_by_side(photo(media, 320), blinking_face(512)))
    return path


@pytest.fixture(scope="module")
def analysed(photo_beside_a_person: Path) -> VideoAnalysis:
    return analyze_video(photo_beside_a_person)


def test_a_larger_face_that_never_moves_is_not_the_one_analysed(analysed: VideoAnalysis) -> None:
    assert analysed.face == 1
    assert len([e for e in analysed.events if e.kind == "blink"]) == len(BLINKS_AT)
    assert analysed.summary.blink_rate_per_min == pytest.approx(
        len(BLINKS_AT) / SECONDS * 60, rel=0.05
    )
    assert analysed.warnings[0].startswith("the largest face did not blink or move in 16 s")
    assert not any("not one blink" in warning for warning in analysed.warnings)


def test_the_annotated_clip_draws_the_face_analysed(
    analysed: VideoAnalysis, photo_beside_a_person: Path, media: Path, tmp_path: Path
) -> None:
    output = tmp_path / "annotated.mp4"
    annotate_video(photo_beside_a_person, analysed, output)

    still_width = photo(media, 320).shape[1]
    first_second = zip(
        islice(read_frames(output), 30), islice(read_frames(photo_beside_a_person), 30), strict=True
    )
    drawn = np.mean(
        [np.abs(a.image.astype(int) - b.image).sum(axis=2) > 150 for a, b in first_second], axis=0
    )
    # the dots and labels are drawn over the blinking face, right of the photo
    assert drawn[:, still_width:].sum() > 20 * drawn[:, :still_width].sum()


def test_the_largest_face_is_kept_when_it_moves(media: Path, tmp_path: Path) -> None:
    # A still photo's face beside a larger one that blinks (landmarks spanning 7,500 and 10,400
    # square pixels): the larger is analysed, as always, and nothing is said about the photo.
    clip = tmp_path / "a_small_photo_beside_a_person.mp4"
    write_mp4(clip, FPS, side_by_side(photo(media, 240), blinking_face(512)))

    analysis = analyze_video(clip)

    assert analysis.face == 0
    assert len([e for e in analysis.events if e.kind == "blink"]) == len(BLINKS_AT)
    assert any("several faces" in warning for warning in analysis.warnings)
    assert not any("did not blink or move" in warning for warning in analysis.warnings)
