"""Flickers: a small, fast (3-8 Hz) ripple of one eyelid, myokymia's sign on video.

Myokymia's EMG bursts are 3-8 Hz (Medscape 1213160) and it is confined to the eyelid; a flicker
is measured against this eye's own noise floor in each frequency bin, away from other events,
gaps without a face and smiles. The ripple is looked for in the lids' skin velocity measured from
the pixels (lid_motion.py: the bands below the lower lid and above the upper lid), which follows a
ripple the face mesh's landmarks barely show; where there are no pixel measures (a recorded
aperture trace), in the landmarks' eye aperture. Thresholds in data/thresholds.yaml.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter1d

from facespasm.video.lid_motion import BANDS
from facespasm.video.measures import SIDES, Measures, Side
from facespasm.video.signals import merged, segments, span
from facespasm.video.thresholds import thresholds

Flicker = tuple[float, float, Side, float]  # start_s, end_s, side, peak closure


def flickers(
    measures: Measures,
    closure: dict[Side, NDArray[np.float64]],
    narrowing: dict[Side, NDArray[np.float64]],
    busy: NDArray[np.bool_],
    regions: dict[Side, dict[str, NDArray[np.float64]]],
    smiling: NDArray[np.bool_],
) -> list[Flicker]:
    """Fast small ripples of one eye's aperture, away from blinks and spasms.

    Each eye's closure is cut into one-second windows (one per frame); a window's ripple is its
    strongest 3-8 Hz frequency bin over that bin's median across the clip -- this eye's own
    noise floor at that frequency -- so a 5 Hz ripple of a millimetre stands out of landmark
    jitter that spreads over every bin. A flicker is a run of windows rippling well above the
    floor and well above the other eye, lasting a few cycles (jitter passes the floor for
    moments only), that narrows the eye less than `still_closed`, while the cheek and the mouth
    corner of that side stay still (`flicker_face_still_z`): a lid rippling while the cheek rises
    or the mouth pulls is the co-contraction of hemifacial spasm or synkinesis (or a smile), not
    myokymia, which is confined to the eyelid. Smiles are kept clear of like events: the cheeks
    push the lids as a smile starts and ends, a step that ripples the window around it. Where
    the lids' skin was measured from the pixels, the ripple is one lid's (`pixel_one_lid_ratio`):
    both lids of an eye rippling together is taken for the whole orbicularis twitching, as in a
    clonic burst of hemifacial spasm, not myokymia's flicker of a lid (an in-house rule), and no
    lid's skin sweeps further than a fine ripple does (`pixel_largest_sweep`, about a
    millimetre): a lid twitching further is a twitch, as hemifacial spasm's clonic ones are;
    and the eye's aperture, the lids' margin, which a fine ripple of the skin barely moves,
    never twitched shut meanwhile (`flicker_most_closed`, clearly out of the eye's noise):
    hemifacial spasm's clonic jerks close the eye (Yaltho 2011). All three hold for the eye over
    the whole clip: an eye whose lids rippled together, or one of them further than a fine
    ripple, or that twitched shut, for a flicker's length once has no flicker at all, its fine
    one-lid ripples being the same twitching seen in part (myokymia's lids, when several
    twitch, twitch independently: Medscape 1213160).
    """
    limits = thresholds()
    fps = measures.fps
    if fps < limits.min_fps_for_flicker:
        return []
    clearance = max(1, round(limits.flicker_clearance_s * fps))
    # Frames without a face are a step in the signal, not a ripple: kept clear of, like events.
    gone = np.isnan(closure["left"]) | np.isnan(closure["right"])
    # A smile's onset and end are steps of the lids too (the cheeks push them): cleared likewise.
    held = busy | gone | smiling
    quiet = ~(uniform_filter1d(held.astype(float), size=2 * clearance + 1) > 0)
    if not quiet.any():
        return []
    rippling, ripple = _rippling(measures, closure, quiet)
    # Where the lids' skin was measured the ripple is the skin's, and the aperture is the lid's
    # margin, which a flicker barely moves; else the ripple is the aperture's own.
    pixels = any(signal != "aperture" for _, signal in ripple)
    events: list[Flicker] = []
    gap = max(1, round(limits.merge_gap_s * fps))
    for side in SIDES:
        runs = []
        for first, last in merged(segments(rippling[side]), gap):
            start, end = span(measures, first, last)
            if end - start >= limits.shortest_flicker_s:
                runs.append((first, last, start, end))
        # An eye whose lids rippled together, or one of them further than a fine ripple, or
        # that twitched shut, at any time twitched (a clonic burst), and its fine one-lid
        # ripples are that twitching seen in part: none of them is myokymia's.
        if not all(
            _one_lid(ripple, side, first, last)
            and _fine(measures, side, first, last)
            and not (pixels and _twitched_shut(closure[side], narrowing[side], first, last))
            for first, last, _, _ in runs
        ):
            continue
        for first, last, start, end in runs:
            peak = float(np.nanmax(closure[side][first:last]))
            face_moved = max(
                float(regions[side]["cheek"][first:last].max()),
                float(regions[side]["mouth"][first:last].max()),
            )
            if peak < limits.still_closed and face_moved < limits.flicker_face_still_z:
                events.append((start, end, side, peak))
    return events


def _one_lid(
    ripple: dict[tuple[Side, str], NDArray[np.float64]], side: Side, first: int, last: int
) -> bool:
    """Whether one lid's band rippled over frames first..last-1 and the eye's other did not.

    Each band's median ripple over the run; the stronger at least `pixel_one_lid_ratio` times
    the weaker. True when the lids' pixels were not measured (one signal: the aperture).
    """
    levels = sorted(
        float(np.median(power[first:last])) for (of, _), power in ripple.items() if of == side
    )
    if len(levels) < 2:
        return True
    return levels[-1] >= thresholds().pixel_one_lid_ratio * max(levels[0], 1e-12)


def _twitched_shut(
    closure: NDArray[np.float64], narrowing: NDArray[np.float64], first: int, last: int
) -> bool:
    """Whether the eye twitched shut over frames first..last-1, further than a fine ripple does.

    In some frame it lost `flicker_most_closed` of its usual aperture while clearly out of its
    own noise (`narrowing_z`).
    """
    limits = thresholds()
    shut = (np.nan_to_num(closure[first:last]) >= limits.flicker_most_closed) & (
        narrowing[first:last] >= limits.narrowing_z
    )
    return bool(shut.any())


def _fine(measures: Measures, side: Side, first: int, last: int) -> bool:
    """Whether no lid of the eye swept further than a fine ripple over frames first..last-1.

    Each band's position is its velocity summed over the run, less its mean over the slowest
    ripple's cycle (1 / `flicker_low_hz`: a slow drift is not the ripple); the sweep is the 5th
    to 95th percentile of that. True when the lids' pixels were not measured.
    """
    limits = thresholds()
    size = max(3, round(measures.fps / limits.flicker_low_hz))
    for band in BANDS:
        velocity = measures.series(f"lid_{band}", side)[first:last]
        if np.isnan(velocity).all() or len(velocity) <= size:
            continue
        position = np.cumsum(np.nan_to_num(velocity))
        ripple = (position - uniform_filter1d(position, size=size, mode="nearest"))[
            size // 2 : len(position) - size // 2
        ]
        sweep = float(np.percentile(ripple, 95) - np.percentile(ripple, 5))
        if sweep >= limits.pixel_largest_sweep:
            return False
    return True


def _rippling(
    measures: Measures, closure: dict[Side, NDArray[np.float64]], quiet: NDArray[np.bool_]
) -> tuple[dict[Side, NDArray[np.bool_]], dict[tuple[Side, str], NDArray[np.float64]]]:
    """Per eye, the quiet frames whose one-second window ripples well above floor and other eye.

    The ripple is looked for in each band of the lids' skin (pixels) when they were measured,
    else in the landmarks' aperture; each is compared with the other eye's most rippling signal:
    myokymia is one lid's, and a lid rippling while either lid of the other eye ripples too is
    the head, the light, or a twitch of the other eye spilling over (the other eye's clonic
    jerks in a hemifacial spasm: the tenth blind set's v10_034, development half).
    Also returns each signal's ripple over its floor, per (side, band).
    """
    limits = thresholds()
    fps = measures.fps
    pixel = {(side, band): measures.series(f"lid_{band}", side) for side in SIDES for band in BANDS}
    if all(np.isnan(values).all() for values in pixel.values()):
        signals: dict[tuple[Side, str], NDArray[np.float64]] = {
            (side, "aperture"): closure[side] for side in SIDES
        }
        floor_ratio, other_ratio = limits.flicker_floor_ratio, limits.flicker_other_ratio
    else:
        signals = pixel
        floor_ratio, other_ratio = limits.pixel_floor_ratio, limits.pixel_other_ratio
    ripple = {key: _ripple(values, fps, quiet) for key, values in signals.items()}
    out: dict[Side, NDArray[np.bool_]] = {}
    # Each eye's strongest ripple, frame by frame, over its signals (its lids' bands, or its
    # aperture): a flicker ripples one lid well above every signal of the other eye.
    strongest = {
        side: np.max([power for (of, _), power in ripple.items() if of == side], axis=0)
        for side in SIDES
    }
    for side in SIDES:
        other: Side = "left" if side == "right" else "right"
        out[side] = np.zeros(len(quiet), dtype=bool)
        for (of, _), power in ripple.items():
            if of == side:
                out[side] |= (power >= floor_ratio) & (power >= other_ratio * strongest[other])
        out[side] &= quiet
    return out, ripple


def _ripple(
    closure: NDArray[np.float64], fps: float, quiet: NDArray[np.bool_]
) -> NDArray[np.float64]:
    """Per frame, the strongest 3-8 Hz bin of the one-second window around it, over its floor.

    The floor is that bin's median over the quiet part of the clip; 0 where it cannot be measured.
    The clip's first `settling_frames` are held at the first settled value: the face mesh, and
    the lids' bands placed by it, are still settling on the face there (events.py), and their
    step would ripple every window that reaches back to the clip's start, a second of frames
    (the nineteenth blind set's development half: 20-44 times the floor, a "flicker" of the
    other eye that made a hemifacial spasm clip myokymia at self-care).
    """
    from numpy.lib.stride_tricks import sliding_window_view

    limits = thresholds()
    size = max(8, round(fps))
    signal = np.nan_to_num(closure - np.nanmedian(closure), nan=0.0)
    if len(signal) < 2 * size:
        return np.zeros_like(signal)
    settled = int(limits.settling_frames)
    signal[:settled] = signal[settled]
    padded = np.pad(signal, (size // 2, size - 1 - size // 2), mode="edge")
    windows = sliding_window_view(padded, size)
    windows = windows - windows.mean(axis=1, keepdims=True)
    power = np.abs(np.fft.rfft(windows * np.hanning(size), axis=1)) ** 2
    frequency = np.fft.rfftfreq(size, 1.0 / fps)
    band = (frequency >= limits.flicker_low_hz) & (frequency <= limits.flicker_high_hz)
    if not band.any():
        return np.zeros_like(signal)
    power = power[:, band]
    floor = np.median(power[quiet], axis=0)
    floor = np.maximum(floor, 1e-12)
    return np.asarray((power / floor).max(axis=1), dtype=np.float64)
