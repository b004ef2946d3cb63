"""How open each eye is, against this person's own usual: the signals every eye event is read from.

An eye's closure is a share of its usual aperture (0 open as usual, 1 shut), whatever the eye's
shape or the camera's distance; its narrowing is how far it closed in units of its own noise,
after the slow drifts of head pose and light. Thresholds in data/thresholds.yaml.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from facespasm.video.measures import Measures, Side
from facespasm.video.signals import robust_z
from facespasm.video.thresholds import thresholds


def eye_closure(measures: Measures, side: Side) -> NDArray[np.float64]:
    """0 when the eye is open as usual, 1 when shut; NaN where no face was found.

    "As usual" is the 75th percentile of the aperture rather than the median, so that a clip
    in which the eyes are closed or downcast for up to three quarters of the time still has
    the open eye as its reference.
    """
    aperture = measures.series("aperture", side)
    known = aperture[~np.isnan(aperture)]
    percentile = thresholds().usual_open_percentile
    usual = float(np.percentile(known, percentile)) if known.size else np.nan
    return np.clip(1.0 - aperture / usual, 0.0, 1.0)


def eye_narrowing(measures: Measures, side: Side) -> NDArray[np.float64]:
    """How far an eye narrowed from its usual, in its own noise (after the slow drifts).

    0 where no face was found.
    """
    return np.nan_to_num(-robust_z(measures.series("aperture", side), measures.fps))


def depth(closure: NDArray[np.float64], first: int, last: int, *, held: bool) -> float:
    """How far an eye closed over frames first..last-1.

    At its deepest in a blink or a jerk; typically (the median) in anything held, which a blink
    may cross for a moment.
    """
    return float((np.nanmedian if held else np.nanmax)(closure[first:last]))
