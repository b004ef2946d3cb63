"""How far each region of one side (brow, cheek, mouth corner) moved, and which moved alone.

Each region is judged in units of its own noise (a robust z after the slow drifts of head pose,
distance and light); a region moved one-sidedly when it moved clearly and much more than the
other side's (a smile or a frown moves both). Thresholds in data/thresholds.yaml.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from facespasm.video.measures import Measures, Side
from facespasm.video.signals import robust_z
from facespasm.video.thresholds import thresholds


def region_activity(measures: Measures, side: Side) -> dict[str, NDArray[np.float64]]:
    """Per region, how far it moved from its usual place, in robust z (0 where no face)."""
    fps = measures.fps
    mouth = np.hypot(
        robust_z(measures.series("mouth_x", side), fps),
        robust_z(measures.series("mouth_y", side), fps),
    )
    activity = {
        "brow": np.abs(robust_z(measures.series("brow", side), fps)),
        "cheek": np.maximum(robust_z(measures.series("cheek", side), fps), 0.0),  # raised only
        "mouth": mouth,
    }
    return {region: np.nan_to_num(values, nan=0.0) for region, values in activity.items()}


def one_sided(
    regions: dict[Side, dict[str, NDArray[np.float64]]], side: Side
) -> dict[str, NDArray[np.bool_]]:
    """Frames where a region of `side` moved clearly and much more than the other side's."""
    other: Side = "left" if side == "right" else "right"
    limits = thresholds()
    return {
        region: (values >= limits.region_active_z)
        & (values >= limits.asymmetry * regions[other][region])
        for region, values in regions[side].items()
    }


def attributed(
    regions: dict[str, NDArray[np.float64]],
    moved: dict[str, NDArray[np.bool_]],
    first: int,
    last: int,
) -> tuple[str, ...]:
    """The regions that moved one-sidedly in frames first..last-1, as much as the strongest.

    "As much" is at least a set share (region_share) of the strongest region's movement, so that
    a pull the face mesh passes on to a neighbour is not named.
    """
    peaks = {
        region: float(regions[region][first:last].max()) if moved[region][first:last].any() else 0.0
        for region in ("brow", "cheek", "mouth")
    }
    strongest = max(peaks.values())
    share = thresholds().region_share
    return tuple(r for r, peak in peaks.items() if peak > 0 and peak >= share * strongest)
