"""Smiles and puckers: both mouth corners moving alike, from the corners' own rolling baselines.

A smile raises both corners by about as much, a pucker draws both in: expressions, not spasms.
The detectors use them three ways: a one-sided eye narrowing during one is synkinesis's sign
(events.py; the eye narrows with a lip pucker in 82% of people with synkinesis, synkinesis
patterns study), a pull of the mouth during one is not a spasm, and the lids' steps as one
starts and ends are not a flicker (flickers.py). Thresholds in data/thresholds.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter1d

from facespasm.video.measures import SIDES, Measures, Side
from facespasm.video.signals import rolling_median, segments
from facespasm.video.thresholds import thresholds

# How each movement moves a mouth corner: the measure, and the sign that makes the move positive
# (mouth_y is upward: a smile raises it; mouth_x is outward: a pucker draws it in).
MOVEMENTS: dict[str, tuple[str, float]] = {"smile": ("mouth_y", 1.0), "pucker": ("mouth_x", -1.0)}


@dataclass(frozen=True)
class CornerShift:
    """Each mouth corner's move, for one movement, over its rolling baseline; and their noise."""

    by_side: dict[Side, NDArray[np.float64]]
    pooled: float

    def moved_together(self, first: int, last: int, fps: float) -> bool:
        """Whether both corners made this move, by about as much, over frames first..last-1.

        Each corner's move is its mean over the frames against its median in the moments just
        before and after them (`smile_reference_s`), so that a baseline the movement itself
        pulled along does not hide it.
        """
        limits = thresholds()
        reach = max(2, round(limits.smile_reference_s * fps))
        moved = []
        for side in SIDES:
            shift = self.by_side[side]
            around = np.concatenate(
                (shift[max(0, first - reach) : first], shift[last : last + reach])
            )
            reference = float(np.median(around)) if around.size else 0.0
            moved.append((float(np.mean(shift[first:last])) - reference) / self.pooled)
        low, high = sorted(moved)
        return low >= limits.smile_rise_z and high < limits.smile_symmetry * low


def corner_shifts(measures: Measures) -> tuple[CornerShift, ...]:
    """The corners' moves for each movement (a smile's, a pucker's)."""
    window = max(3, round(thresholds().baseline_window_s * measures.fps))
    shifts = []
    for measure, sign in MOVEMENTS.values():
        by_side: dict[Side, NDArray[np.float64]] = {}
        noise = []
        for side in SIDES:
            values = sign * measures.series(measure, side)
            if np.all(np.isnan(values)):
                by_side[side] = np.zeros(len(values))
                continue
            by_side[side] = np.nan_to_num(values - rolling_median(values, window))
            noise.append(1.4826 * float(np.median(np.abs(by_side[side]))))
        shifts.append(CornerShift(by_side, max(float(np.mean(noise)) if noise else 0.0, 1e-6)))
    return tuple(shifts)


def expressed(shifts: tuple[CornerShift, ...], first: int, last: int, fps: float) -> bool:
    """Whether the person smiled or puckered over frames first..last-1."""
    return any(shift.moved_together(first, last, fps) for shift in shifts)


def smile_frames(measures: Measures, shifts: tuple[CornerShift, ...]) -> NDArray[np.bool_]:
    """Frames in which the person smiles or puckers: both mouth corners moved alike, held.

    Each corner's move over its rolling baseline, in the corners' pooled noise and averaged
    over `smile_smoothing_s`, is at least `smile_rise_z` on both sides, for `shortest_smile_s`
    or longer; `shifts` are the clip's `corner_shifts`.
    """
    limits = thresholds()
    size = max(1, round(limits.smile_smoothing_s * measures.fps))
    smiling = np.zeros(len(measures.time), dtype=bool)
    for shift in shifts:
        both = np.minimum(*(uniform_filter1d(shift.by_side[s], size=size) for s in SIDES))
        for first, last in segments(both / shift.pooled >= limits.smile_rise_z):
            if (last - first) / measures.fps >= limits.shortest_smile_s:
                smiling[first:last] = True
    return smiling
