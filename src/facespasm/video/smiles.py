"""Smiles: both mouth corners rising together, from the corners' own rolling baselines.

A smile is an expression, not a spasm: it raises both corners by about as much. The detectors
use it three ways: a one-sided eye narrowing during a smile is synkinesis's sign (events.py), a
pull of the mouth during one is not a spasm, and the lids' steps as a smile starts and ends are
not a flicker (flickers.py). Thresholds in data/thresholds.yaml.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter1d

from facespasm.video.measures import SIDES, Measures, Side
from facespasm.video.signals import rolling_median, segments
from facespasm.video.thresholds import thresholds


def smiled(
    rise: dict[Side, NDArray[np.float64]], pooled: float, first: int, last: int, fps: float
) -> bool:
    """Whether both mouth corners rose, by about as much, over frames first..last-1.

    Each corner's rise is its mean over the frames against its median in the moments just
    before and after them (`smile_reference_s`), so that a baseline the smile itself pulled up
    does not hide it.
    """
    limits = thresholds()
    reach = max(2, round(limits.smile_reference_s * fps))
    rose = []
    for side in SIDES:
        around = np.concatenate(
            (rise[side][max(0, first - reach) : first], rise[side][last : last + reach])
        )
        reference = float(np.median(around)) if around.size else 0.0
        rose.append((float(np.mean(rise[side][first:last])) - reference) / pooled)
    low, high = sorted(rose)
    return low >= limits.smile_rise_z and high < limits.smile_symmetry * low


def smile_frames(measures: Measures) -> NDArray[np.bool_]:
    """Frames in which the person smiles: both mouth corners up, held.

    Each corner's rise over its rolling baseline, in the corners' pooled noise and averaged over
    `smile_smoothing_s`, is at least `smile_rise_z` on both sides, for `shortest_smile_s` or longer.
    """
    limits = thresholds()
    rise, pooled = mouth_rise(measures)
    size = max(1, round(limits.smile_smoothing_s * measures.fps))
    both_up = np.minimum(*(uniform_filter1d(rise[side], size=size) for side in SIDES)) / pooled
    smiling = np.zeros(len(both_up), dtype=bool)
    for first, last in segments(both_up >= limits.smile_rise_z):
        if (last - first) / measures.fps >= limits.shortest_smile_s:
            smiling[first:last] = True
    return smiling


def mouth_rise(measures: Measures) -> tuple[dict[Side, NDArray[np.float64]], float]:
    """Each mouth corner's rise above its rolling baseline, and the two corners' pooled noise."""
    window = max(3, round(thresholds().baseline_window_s * measures.fps))
    rise: dict[Side, NDArray[np.float64]] = {}
    noise = []
    for side in SIDES:
        up = measures.series("mouth_y", side)
        if np.all(np.isnan(up)):
            rise[side] = np.zeros(len(up))
            continue
        rise[side] = np.nan_to_num(up - rolling_median(up, window))
        noise.append(1.4826 * float(np.median(np.abs(rise[side]))))
    return rise, max(float(np.mean(noise)) if noise else 0.0, 1e-6)
