"""Flutters: bursts of rapid partial closures of both eyes, blepharospasm's eyelid fluttering.

The Jankovic Rating Scale grades blepharospasm by "spontaneous eyelid fluttering (without actual
spasm)" (severity 2) and "eyelid fluttering lasting less than 1 s" (frequency 2), and
blepharospasm moves both eyes together (StatPearls BEB). On video a flutter is a run of dips of
both eyes at once -- each eye narrowing out of its own noise and losing a share of its usual
opening -- recurring faster than anyone blinks twice (a blink takes a quarter of a second or
more), outside smiles and talking, whose cheeks and jaw narrow both eyes too. Myokymia's flicker
is one lid's and hemifacial spasm's twitch is one eye's, so neither dips both eyes together.
Thresholds in data/thresholds.yaml.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.signal import find_peaks

from facespasm.video.eyes import eye_closure, eye_narrowing
from facespasm.video.measures import SIDES, Measures
from facespasm.video.smiles import corner_shifts, smile_frames, talking
from facespasm.video.thresholds import thresholds

Flutter = tuple[float, float, int]  # the first dip's time, the last's, how many dips


def flutters(measures: Measures) -> list[Flutter]:
    """The bursts of `flutter_dips` or more quick dips of both eyes together, in time order."""
    limits = thresholds()
    fps = measures.fps
    if fps < limits.min_fps_for_flicker or not len(measures.time):
        return []
    together = np.minimum(*(eye_narrowing(measures, side) for side in SIDES))
    depth = np.minimum(*(np.nan_to_num(eye_closure(measures, side)) for side in SIDES))
    shifts = corner_shifts(measures)
    voluntary = smile_frames(measures, shifts) | talking(measures).frames
    peaks, _ = find_peaks(
        together,
        height=limits.flutter_dip_z,
        prominence=limits.flutter_prominence_z,
        distance=max(1, int(fps / limits.flutter_high_hz)),
    )
    dips = [int(p) for p in peaks if depth[p] >= limits.flutter_depth and not voluntary[p]]
    return [
        (float(measures.time[run[0]]), float(measures.time[run[-1]]), len(run))
        for run in _runs(measures.time, dips, limits.flutter_low_hz)
        if len(run) >= limits.flutter_dips
    ]


def _runs(time: NDArray[np.float64], dips: list[int], low_hz: float) -> list[list[int]]:
    """The dips cut into runs where each follows the one before within 1/low_hz seconds."""
    runs: list[list[int]] = []
    for dip in dips:
        if runs and time[dip] - time[runs[-1][-1]] <= 1.0 / low_hz:
            runs[-1].append(dip)
        else:
            runs.append([dip])
    return runs
