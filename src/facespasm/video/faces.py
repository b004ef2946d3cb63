"""Faces to plant events in: the astronaut, or a face cropped from any photo or video frame.

The synthetic set must not be one face (issue 15): a detector tuned on one face learns that
face. A `FaceImage` names a picture -- scikit-image's astronaut (public domain, NASA, shipped
with the package), or a frame of a recording or a photo given by path, optionally a part of it
and one of several faces in it -- and `face_picture` turns it into a square image framed like the
astronaut (the face about half the frame's width) and the face's 478 landmarks, found by the face
mesh itself in that image. Nothing is shipped or downloaded: the recordings are read where the
caller keeps them (the tests and bench use the project's shared media).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from facespasm.errors import VideoError

Image = npt.NDArray[np.uint8]
Points = npt.NDArray[np.float32]

# A cropped face fills this share of the square's width (the astronaut's face at 512 px is about
# 190 px wide, 0.37; a little closer keeps small faces from multi_face.jpg well above the mesh's
# detection limit at 320 px).
FACE_SHARE = 0.42
MOST_FACES = 6


@dataclass(frozen=True, slots=True)
class FaceImage:
    """A face to render events on.

    Attributes:
        name: a short label for tables and file names.
        path: a photo or video; None is the astronaut.
        at_s: for a video, the time of the frame to take.
        pick: with several faces in view, which one, counted from the image's left.
        part: (top, bottom, left, right) fractions of the image to look in (None: all of it).
    """

    name: str
    path: Path | None = None
    at_s: float = 0.0
    pick: int = 0
    part: tuple[float, float, float, float] | None = None


ASTRONAUT = FaceImage("astronaut")


@functools.cache
def face_picture(face: FaceImage, size: int) -> tuple[Image, Points]:
    """The face as a size × size RGB image and its 478 face-mesh landmarks in its pixels.

    Raises:
        VideoError: the file cannot be read, has no frame at `at_s`, or the face mesh finds no
            face (or fewer than `pick + 1`) in it.
    """
    import cv2

    image: npt.NDArray[np.generic]
    if face.path is None:
        image = _astronaut(size)
    else:
        source = _frame(face)
        if face.part is not None:
            top, bottom, left, right = face.part
            h, w = source.shape[:2]
            source = source[int(top * h) : int(bottom * h), int(left * w) : int(right * w)]
        faces = sorted(
            _landmarks(np.ascontiguousarray(source), MOST_FACES), key=lambda p: p[:, 0].mean()
        )
        if len(faces) <= face.pick:
            raise VideoError(
                f"{face.name}: found {len(faces)} face(s), not a face number {face.pick + 1}"
            )
        points = faces[face.pick]
        low, high = points.min(axis=0), points.max(axis=0)
        centre = (low + high) / 2
        side = float(high[0] - low[0]) / FACE_SHARE
        half = side / 2
        x0, y0 = round(float(centre[0]) - half), round(float(centre[1]) - half)
        x1, y1 = x0 + round(side), y0 + round(side)
        h, w = source.shape[:2]
        pad = max(0, -x0, -y0, x1 - w, y1 - h)
        if pad:
            source = cv2.copyMakeBorder(source, pad, pad, pad, pad, cv2.BORDER_REPLICATE)  # type: ignore[assignment]
        crop = source[y0 + pad : y1 + pad, x0 + pad : x1 + pad]
        shrinking = crop.shape[0] > size
        image = np.asarray(
            cv2.resize(
                crop, (size, size), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC
            ),
            dtype=np.uint8,
        )
    found = _landmarks(np.ascontiguousarray(image), 1)
    if not found:
        raise VideoError(f"face mesh found no face in {face.name} at {size} px")
    return np.ascontiguousarray(image, dtype=np.uint8), found[0]


def _astronaut(size: int) -> Image:
    import cv2
    from skimage import data

    image: Image = data.astronaut()  # type: ignore[no-untyped-call]
    if image.shape[0] != size:
        image = np.asarray(cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA))
    return np.ascontiguousarray(image, dtype=np.uint8)


def _frame(face: FaceImage) -> Image:
    from facespasm.video.frames import read_frames

    assert face.path is not None
    stream = read_frames(face.path, max_side=1280)
    try:
        for frame in stream:
            if frame.time_s >= face.at_s - 1e-6:
                return np.asarray(frame.image, dtype=np.uint8)
    finally:
        stream.close()
    raise VideoError(f"{face.name}: {face.path.name} has no frame at {face.at_s:g} s")


def _landmarks(image: Image, faces: int) -> list[Points]:
    """Every face the mesh finds in a still image, as (478, 2) pixel coordinates."""
    import mediapipe as mp  # type: ignore[import-untyped]

    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True, refine_landmarks=True, max_num_faces=faces
    ) as mesh:
        result = mesh.process(image)
    height, width = image.shape[:2]
    return [
        np.array([[p.x * width, p.y * height] for p in found.landmark], dtype=np.float32)
        for found in result.multi_face_landmarks or []
    ]
