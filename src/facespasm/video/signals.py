"""Per-frame signals: runs of frames, and how far a value is from its usual, in its own noise.

The small tools every detector in this package uses: runs of True frames (`segments`, merged
across short gaps, kept when they reach a higher level somewhere), a run's start and end time,
and robust z-scores against the clip's median or a rolling one (so that slow drifts of head
pose, distance and light are not taken for movements).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from facespasm.video.measures import Measures
from facespasm.video.thresholds import thresholds


def segments(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Runs of True as (first, last + 1) frame indices."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def hysteresis(signal: NDArray[np.float64], high: float, low: float) -> NDArray[np.bool_]:
    """Frames inside runs that stay above `low` and reach `high` somewhere."""
    above_low = np.nan_to_num(signal, nan=0.0) >= low
    keep = np.zeros(len(signal), dtype=bool)
    for first, last in segments(above_low):
        if np.nanmax(signal[first:last]) >= high:
            keep[first:last] = True
    return keep


def merged(runs: list[tuple[int, int]], gap: int) -> list[tuple[int, int]]:
    """Runs closer than `gap` frames joined into one."""
    merged: list[tuple[int, int]] = []
    for first, last in runs:
        if merged and first - merged[-1][1] <= gap:
            merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return merged


def span(measures: Measures, first: int, last: int) -> tuple[float, float]:
    """Start and end time of frames first..last-1 (a frame lasts 1/fps)."""
    return float(measures.time[first]), float(measures.time[last - 1]) + 1.0 / measures.fps


def robust_z(values: NDArray[np.float64], fps: float | None = None) -> NDArray[np.float64]:
    """Distance from the usual value in robust standard deviations (MAD × 1.4826).

    With `fps`, the usual value is a rolling median over the baseline window, so that slow
    drifts of head pose, distance and light are not taken for movements; without, the clip's
    median.
    """
    if np.all(np.isnan(values)):
        return np.zeros_like(values)
    centre: NDArray[np.float64] | float = np.nanmedian(values)
    if fps is not None:
        centre = rolling_median(values, max(3, round(thresholds().baseline_window_s * fps)))
    deviation = values - centre
    spread = 1.4826 * np.nanmedian(np.abs(deviation))
    spread = max(float(spread), 1e-6, 1e-3 * abs(float(np.nanmedian(values))))
    return np.asarray(deviation / spread, dtype=np.float64)


def rolling_median(values: NDArray[np.float64], window: int) -> NDArray[np.float64]:
    """The median of the `window` frames around each frame (gaps filled from their neighbours)."""
    from scipy.ndimage import median_filter

    known = ~np.isnan(values)
    index = np.arange(len(values))
    filled = np.interp(index, index[known], values[known])
    return np.asarray(median_filter(filled, size=window | 1, mode="nearest"), dtype=np.float64)
