"""What each frame's landmarks say about each side of the face: eye, brow, cheek, mouth corner.

Sides are the person's anatomical sides. MediaPipe's canonical mesh already names them so: the
landmarks 33/133/159/145 are the person's right eye, which a camera (not a mirror) shows on the
image's left (checked on scikit-image's astronaut).

Head movement and distance are taken out with a face frame built from stable landmarks: the
inner corners of the eyes (133, 362) do not move with expressions, so their midpoint is the
origin, the line through them the x axis, and their distance the unit. Measures are then
rotation- and scale-free. The eye aperture is the six-point eye aspect ratio (lid distance over
eye width, Soukupová & Čech 2016), which is also insensitive to turning the head; its size in
millimetres uses the iris, whose horizontal diameter is about 11.7 mm in adults.

No temporal smoothing is done here: a blink lasts 100-150 ms, three frames at 30 fps, and
smoothing would flatten it. Events are found on the raw series against a robust baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from facespasm.video.lid_motion import LidMotion

Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")
IRIS_DIAMETER_MM = 11.7

# Six-point eye outline per side: outer corner, two upper-lid points, inner corner, two lower-lid
# points (p1..p6 of the eye aspect ratio).
EYE = {
    "right": (33, 160, 158, 133, 153, 144),
    "left": (263, 387, 385, 362, 380, 373),
}
LID_MIDDLE = {"right": (159, 145), "left": (386, 374)}
IRIS_WIDTH = {"right": (469, 471), "left": (474, 476)}
BROW = {"right": (105, 66, 107), "left": (334, 296, 336)}
CHEEK = {"right": (205, 50), "left": (425, 280)}
MOUTH_CORNER = {"right": 61, "left": 291}
# The inner lips halfway between the middle and each corner: upper, lower.
LIPS = {"right": (82, 87), "left": (312, 317)}
INNER_CANTHUS = {"right": 133, "left": 362}
# Both eyes' lid points: each outline less its corners, and the lids' middles.
_LIDS = tuple(
    index for side in SIDES for index in (*EYE[side][1:3], *EYE[side][4:6], *LID_MIDDLE[side])
)

# The columns of a frame's measure vector, per side: first what its landmarks say
# (`measure_frame`), then the lids' skin velocity from its pixels (lid_motion.py; eye widths per
# frame, down positive, NaN without the frame or the previous one).
LANDMARK_MEASURES = ("aperture", "aperture_mm", "brow", "cheek", "mouth_x", "mouth_y", "lips")
PIXEL_MEASURES = ("lid_lower", "lid_upper")
MEASURES = LANDMARK_MEASURES + PIXEL_MEASURES


def column(measure: str, side: Side) -> int:
    """Where a side's measure sits in the vector `measure_frame` returns."""
    return MEASURES.index(measure) * 2 + SIDES.index(side)


def eyes_in_picture(points: NDArray[np.floating], shape: tuple[int, ...]) -> bool:
    """Whether both eyes' lids lie inside a picture of this (height, width, ...) shape.

    A face cut off at the eyes (a phone held low, a crop through the lids) is still found, but
    its lids' landmarks beyond the edge are the model's guess: nothing measured of them is real.
    The lids are the eye outline less its corners: a corner just off the side of a close-up
    leaves the lids, and the eye's opening, in view.
    """
    height, width = shape[:2]
    lids = points[list(_LIDS), :2]
    return bool((lids >= 0).all() and (lids[:, 0] < width).all() and (lids[:, 1] < height).all())


def measure_frame(points: NDArray[np.floating]) -> NDArray[np.float64]:
    """The landmark measures of one face: len(LANDMARK_MEASURES) × 2 (left, right per measure).

    Args:
        points: (478, ≥2) landmark coordinates in pixels (x right, y down).

    Returns:
        aperture (eye aspect ratio), aperture_mm, brow height above the eye line, cheek height
        above the mouth line, mouth-corner x (outward) and y (upward), the gap between the
        inner lips on that side -- all but aperture_mm in units of the inner-canthal distance,
        in the head's own frame.
    """
    xy = np.asarray(points[:, :2], dtype=np.float64)
    origin = (xy[INNER_CANTHUS["right"]] + xy[INNER_CANTHUS["left"]]) / 2
    axis = xy[INNER_CANTHUS["left"]] - xy[INNER_CANTHUS["right"]]
    unit = float(np.hypot(*axis))
    if unit <= 0:
        return np.full(len(LANDMARK_MEASURES) * 2, np.nan)
    cos, sin = axis / unit
    # Face frame: x towards the person's left, y up the face, one unit = inner-canthal distance.
    rotation = np.array([[cos, sin], [sin, -cos]])
    face = (xy - origin) @ rotation.T / unit
    out = np.empty(len(LANDMARK_MEASURES) * 2)
    for side in SIDES:
        p1, p2, p3, p4, p5, p6 = (xy[i] for i in EYE[side])
        width = np.hypot(*(p1 - p4))
        vertical = np.hypot(*(p2 - p6)) + np.hypot(*(p3 - p5))
        out[column("aperture", side)] = vertical / (2 * width) if width > 0 else np.nan
        top, bottom = LID_MIDDLE[side]
        iris = np.hypot(*(xy[IRIS_WIDTH[side][0]] - xy[IRIS_WIDTH[side][1]]))
        lids = np.hypot(*(xy[top] - xy[bottom]))
        out[column("aperture_mm", side)] = lids * IRIS_DIAMETER_MM / iris if iris > 0 else np.nan
        out[column("brow", side)] = float(np.mean(face[list(BROW[side]), 1]))
        out[column("cheek", side)] = float(np.mean(face[list(CHEEK[side]), 1]))
        outward = 1.0 if side == "left" else -1.0
        out[column("mouth_x", side)] = outward * face[MOUTH_CORNER[side], 0]
        out[column("mouth_y", side)] = face[MOUTH_CORNER[side], 1]
        upper, lower = LIPS[side]
        out[column("lips", side)] = float(face[upper, 1] - face[lower, 1])
    return out


@dataclass(frozen=True)
class Measures:
    """Every frame's measures: `data[frame, column(measure, side)]`; NaN where no face was found."""

    fps: float
    time: NDArray[np.float64]
    data: NDArray[np.float64]

    def series(self, measure: str, side: Side) -> NDArray[np.float64]:
        """One measure of one side over time."""
        return self.data[:, column(measure, side)]

    @property
    def face_found(self) -> NDArray[np.bool_]:
        """Whether each frame had a face."""
        return ~np.isnan(self.data[:, column("aperture", "left")])

    @classmethod
    def from_apertures(
        cls, fps: float, left: NDArray[np.floating], right: NDArray[np.floating]
    ) -> Measures:
        """Measures that know only the eye apertures (a recorded eye-aspect-ratio trace)."""
        data = np.full((len(left), len(MEASURES) * 2), np.nan)
        data[:, column("aperture", "left")] = left
        data[:, column("aperture", "right")] = right
        return cls(fps=fps, time=np.arange(len(left)) / fps, data=data)


@dataclass
class MeasureSeries:
    """Collects measures frame by frame: 18 numbers per frame, so long videos stay small.

    The lids' skin velocity compares each frame with the previous one (`lid_motion`), so a series
    holds the previous frame's few small patches and nothing more; a fresh series starts afresh
    (each segment of a clip gets one: segments.py).
    """

    fps: float
    times: list[float] = field(default_factory=list)
    rows: list[NDArray[np.float64]] = field(default_factory=list)
    lid_motion: LidMotion = field(default_factory=LidMotion, repr=False)

    def add(
        self,
        time_s: float,
        points: NDArray[np.floating] | None,
        image: NDArray[np.uint8] | None = None,
    ) -> None:
        """Record one frame; `None` when no face was found (kept as a gap, not dropped).

        Args:
            time_s: the frame's time.
            points: its landmarks in pixels, or None.
            image: the frame itself (HxWx3 RGB), for the pixel measures; without it they are NaN.
        """
        self.times.append(time_s)
        row = np.full(len(MEASURES) * 2, np.nan)
        if points is not None:
            row[: len(LANDMARK_MEASURES) * 2] = measure_frame(points)
        for (side, band), velocity in self.lid_motion.measure(image, points).items():
            row[column(f"lid_{band}", side)] = velocity
        self.rows.append(row)

    def finish(self) -> Measures:
        """The collected measures as arrays."""
        data = np.vstack(self.rows) if self.rows else np.empty((0, len(MEASURES) * 2))
        return Measures(fps=self.fps, time=np.asarray(self.times, dtype=np.float64), data=data)
