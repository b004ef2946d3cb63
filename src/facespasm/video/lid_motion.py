"""Fine motion of the eyelids' skin, from the pixels: myokymia's ripple that landmarks miss.

The face mesh is a regression over a 192 px crop of the face: it barely follows a ripple of a
millimetre in the lid's skin (a planted flicker moves every landmark lid measure only 1-2.5x
above its jitter; bench/RESULTS.md, issue 15). The pixels do show it. For each eye, a small patch
of skin is sampled in a frame fixed to that eye's corners (33/133 and 263/362, which do not move
with the lids): a band just below the lower lid and one just above the upper lid, each
`PATCH_WIDTH` x `PATCH_HEIGHT` grey pixels, the eyeball left out so a glance does not count.
Each patch is normalised (zero mean, unit spread: a change of brightness or contrast is not
motion), and its vertical shift since the previous frame's patch is estimated in one
Lucas-Kanade step (least squares of the brightness change against the vertical gradient), in
eye widths per frame. A 5 Hz ripple of the lid's skin is then a 5 Hz ripple of that velocity;
flickers.py looks for it against this eye's own floor and against the other eye.

Only the previous frame's two patches per eye are kept, so memory does not grow with the clip;
`MeasureSeries` owns one `LidMotion`, and a segment of a clip (segments.py) starts with a fresh
series, so the motion restarts at each seam however many workers share the clip. The first frame
of a segment, and a frame after one without a face, have no motion (NaN).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Side = Literal["left", "right"]  # as measures.py names them (which imports this module)

# Eye corners per side, in the person's anatomical sides (measures.py says why 33 is the right).
CORNERS: dict[Side, tuple[int, int]] = {"right": (33, 133), "left": (263, 362)}
# The bands, in eye widths (the corners' distance) below (+) the corners' chord: the skin under
# the lower lid's margin and the skin over the upper lid below its crease; x spans the middle
# +-HALF_WIDTH of the eye. The lids sit about 0.1-0.15 eye widths from the chord when open.
BANDS: dict[str, tuple[float, float]] = {"upper": (-0.4, -0.15), "lower": (0.1, 0.35)}
HALF_WIDTH = 0.4
PATCH_WIDTH, PATCH_HEIGHT = 24, 12


class LidMotion:
    """Each eye's lid-skin velocity from frame to frame (keeps only the previous patches)."""

    def __init__(self) -> None:
        self._previous: NDArray[np.float32] | None = None  # (sides, bands, rows, columns)

    def reset(self) -> None:
        """Forget the previous frame (the next frame has no motion)."""
        self._previous = None

    def measure(
        self, image: NDArray[np.uint8] | None, points: NDArray[np.floating] | None
    ) -> dict[tuple[Side, str], float]:
        """Per (side, band), the skin's vertical velocity in eye widths per frame, down positive.

        Args:
            image: the frame, HxWx3 uint8 RGB; None: no frame (motion restarts).
            points: its (478, >=2) landmarks in pixels; None: no face (motion restarts).

        Returns:
            NaN for every band when there is no previous patch to compare with.
        """
        current = None if image is None or points is None else _patches(image, points)
        previous, self._previous = self._previous, current
        if current is None or previous is None:
            return dict.fromkeys(_KEYS, np.nan)
        shifts = _vertical_shifts(previous, current) * _ROW_HEIGHT
        return dict(zip(_KEYS, shifts.ravel().tolist(), strict=True))


# One warp per eye covers both bands at the same row height (both bands are 0.25 eye widths
# tall); the bands are its first and last PATCH_HEIGHT rows (the eyeball between is not used).
_TOP, _BOTTOM = BANDS["upper"][0], BANDS["lower"][1]
_ROW_HEIGHT = (BANDS["lower"][1] - BANDS["lower"][0]) / (PATCH_HEIGHT - 1)
_ROWS = round((_BOTTOM - _TOP) / _ROW_HEIGHT) + 1
_KEYS: tuple[tuple[Side, str], ...] = tuple((side, band) for side in CORNERS for band in BANDS)


def _patches(image: NDArray[np.uint8], points: NDArray[np.floating]) -> NDArray[np.float32] | None:
    """Both eyes' bands, (side, band, row, column), each normalised; None where one cannot be.

    Plain floats for the geometry and one warp per eye: beside decoding and the face mesh, each
    numpy call on these tiny arrays costs microseconds (bench/lid_motion_cost.py).
    """
    import cv2

    strips = []
    for first_index, second_index in CORNERS.values():
        x1, y1 = float(points[first_index, 0]), float(points[first_index, 1])
        x2, y2 = float(points[second_index, 0]), float(points[second_index, 1])
        if x1 > x2:
            x1, y1, x2, y2 = x2, y2, x1, y1
        width = math.hypot(x2 - x1, y2 - y1)
        if not math.isfinite(width) or width < 2:
            return None
        ax, ay = (x2 - x1) / width, (y2 - y1) / width  # along the eye
        dx, dy = -ay, ax  # down the face (image y grows downwards)
        across, rows = 2 * HALF_WIDTH * width / (PATCH_WIDTH - 1), _ROW_HEIGHT * width
        ox = (x1 + x2) / 2 - ax * HALF_WIDTH * width + dx * _TOP * width
        oy = (y1 + y2) / 2 - ay * HALF_WIDTH * width + dy * _TOP * width
        # Patch pixel (column, row) -> image point (ox, oy) + column * across + row * rows.
        matrix = np.array([[ax * across, dx * rows, ox], [ay * across, dy * rows, oy]])
        strip = cv2.warpAffine(
            image,
            matrix,
            (PATCH_WIDTH, _ROWS),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REPLICATE,
        )
        strips.append(cv2.cvtColor(strip, cv2.COLOR_RGB2GRAY) if strip.ndim == 3 else strip)
    grey = np.stack(strips).astype(np.float32)  # (side, row, column)
    bands = np.stack((grey[:, :PATCH_HEIGHT], grey[:, -PATCH_HEIGHT:]), axis=1)
    bands -= bands.mean(axis=(2, 3), keepdims=True)
    spread = bands.std(axis=(2, 3), keepdims=True)
    if float(spread.min()) < 1e-3:
        return None  # a flat patch (off the frame, a blank image): no texture to follow
    return np.asarray(bands / spread, dtype=np.float32)


def _vertical_shifts(
    previous: NDArray[np.float32], current: NDArray[np.float32]
) -> NDArray[np.float64]:
    """How many rows each patch's texture moved down from `previous` (one Lucas-Kanade step).

    The least-squares shift that explains the brightness change by the vertical gradient.
    """
    change = current - previous
    gradient = np.gradient((current + previous) / 2, axis=2)
    energy = (gradient * gradient).sum(axis=(2, 3))
    along = (gradient * change).sum(axis=(2, 3))
    return np.where(energy > 1e-9, -along / np.maximum(energy, 1e-9), 0.0).astype(np.float64)
