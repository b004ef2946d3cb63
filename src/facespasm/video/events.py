"""Blinks, closures, spasms and flickers, found against this person's own baseline.

Everything is relative to the person: an eye's "closure" is 1 - aperture / its median aperture
over the clip, so 0 is open as usual and 1 is shut, whatever the eye's shape or the camera's
distance. Lower-face regions (brow, cheek, mouth corner) are judged in units of their own noise
(a robust standard deviation from the median absolute deviation).

The kinds (DESIGN.md ⚑):
- blink: both eyes close together for at most 0.5 s (normal blinks last 100-400 ms);
- closure: both eyes shut for 0.5 s or longer; `forceful` when the brows are pulled down at the
  same time, as in blepharospasm's squeeze (a gentle voluntary closure leaves the brows);
- spasm: one side contracts while the other does not -- an eye shuts or narrows, a cheek rises
  or a mouth corner pulls -- with every region of that side that moved in the same moment;
- flicker: a small, fast (3-8 Hz) ripple of one eye's aperture above the landmark noise floor,
  without closing it (myokymia's EMG bursts are 3-8 Hz; Medscape 1213160).
A one-sided eye narrowing while both mouth corners lift (a smile) is marked `with_smile`: the
eye closing when smiling is the mark of synkinesis (source article).
One-sidedness is what separates a spasm from an expression: a smile lifts both mouth corners
and a wink aside, faces are symmetric when we move them on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter1d

from facespasm.video.measures import SIDES, Measures, Side

Kind = Literal["blink", "closure", "spasm", "flicker"]

USUAL_OPEN_PERCENTILE = 75
CLOSED = 0.5  # an eye is closed below half its usual aperture...
STILL_CLOSED = 0.3  # ...and stays closed until it is back above 70% (hysteresis)
OTHER_EYE_OPEN = 0.35  # in a one-sided spasm the other eye stays above 65% of its aperture
LONGEST_BLINK_S = 0.5
MERGE_GAP_S = 0.1  # closures closer than this are one event (a blink split by a noisy frame)
SHORTEST_SPASM_S = 0.06  # two frames at 30 fps: a clonic twitch can be as short as 150 ms
REGION_ACTIVE_Z = 6.0  # a brow, cheek or mouth corner moved (robust z-score)...
ASYMMETRY = 2.0  # ...and moved at least twice as much as the other side's
SMILE_SYMMETRY = 1.5  # a smile raises both corners within half again of each other
SMILE_NARROWING = 0.2  # one eye a fifth narrower during a smile, the other barely
BROW_SQUEEZE_Z = 4.0  # brows pulled down this far during a closure: forceful
FLICKER_BAND_HZ = (3.0, 8.0)
FLICKER_FLOOR_RATIO = 3.0  # ripple power this many times the clip's noise floor...
FLICKER_OTHER_RATIO = 2.0  # ...and this many times the other eye's
SHORTEST_FLICKER_S = 0.3
FLICKER_SMALLEST_SWING = 0.08  # 8% of the aperture, peak to peak: above landmark jitter
FLICKER_CYCLES = 3  # a ripple, not a single step: at least three ups and downs
FLICKER_CLEARANCE_S = 0.3  # a ripple this close to a blink or spasm belongs to it
MIN_FPS_FOR_FLICKER = 15.0  # below this an 8 Hz ripple is past the Nyquist frequency


@dataclass(frozen=True, slots=True)
class Event:
    """One thing the face did: when, what, which side, where, and how strongly (0-1)."""

    start_s: float
    end_s: float
    kind: Kind
    side: Literal["left", "right", "both"]
    regions: tuple[str, ...]
    peak: float
    forceful: bool = False
    with_smile: bool = False

    @property
    def duration_s(self) -> float:
        """How long it lasted."""
        return self.end_s - self.start_s


def find_events(measures: Measures) -> list[Event]:
    """Every event in the clip, in time order."""
    closure = {side: eye_closure(measures, side) for side in SIDES}
    regions = {side: _region_activity(measures, side) for side in SIDES}
    events = _eye_events(measures, closure, regions)
    busy = np.zeros(len(measures.time), dtype=bool)
    for event in events:
        busy |= (measures.time >= event.start_s) & (measures.time <= event.end_s)
    events += _lower_face_spasms(measures, closure, regions, busy)
    events += _flickers(measures, closure, busy)
    return sorted(events, key=lambda event: event.start_s)


def eye_closure(measures: Measures, side: Side) -> NDArray[np.float64]:
    """0 when the eye is open as usual, 1 when shut; NaN where no face was found.

    "As usual" is the 75th percentile of the aperture rather than the median, so that a clip
    in which the eyes are closed or downcast for up to three quarters of the time still has
    the open eye as its reference.
    """
    aperture = measures.series("aperture", side)
    known = aperture[~np.isnan(aperture)]
    usual = float(np.percentile(known, USUAL_OPEN_PERCENTILE)) if known.size else np.nan
    return np.clip(1.0 - aperture / usual, 0.0, 1.0)


def segments(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Runs of True as (first, last + 1) frame indices."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _hysteresis(signal: NDArray[np.float64], high: float, low: float) -> NDArray[np.bool_]:
    """Frames inside runs that stay above `low` and reach `high` somewhere."""
    above_low = np.nan_to_num(signal, nan=0.0) >= low
    keep = np.zeros(len(signal), dtype=bool)
    for first, last in segments(above_low):
        if np.nanmax(signal[first:last]) >= high:
            keep[first:last] = True
    return keep


def _merged(runs: list[tuple[int, int]], gap: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, last in runs:
        if merged and first - merged[-1][1] <= gap:
            merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return merged


def _times(measures: Measures, first: int, last: int) -> tuple[float, float]:
    """Start and end time of frames first..last-1 (a frame lasts 1/fps)."""
    return float(measures.time[first]), float(measures.time[last - 1]) + 1.0 / measures.fps


def _robust_z(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Distance from the median in robust standard deviations (MAD × 1.4826)."""
    if np.all(np.isnan(values)):
        return np.zeros_like(values)
    centre = np.nanmedian(values)
    spread = 1.4826 * np.nanmedian(np.abs(values - centre))
    spread = max(float(spread), 1e-6, 1e-3 * abs(float(centre)))
    return np.asarray((values - centre) / spread, dtype=np.float64)


def _region_activity(measures: Measures, side: Side) -> dict[str, NDArray[np.float64]]:
    """Per region, how far it moved from its usual place, in robust z (0 where no face)."""
    mouth = np.hypot(
        _robust_z(measures.series("mouth_x", side)), _robust_z(measures.series("mouth_y", side))
    )
    activity = {
        "brow": np.abs(_robust_z(measures.series("brow", side))),
        "cheek": np.maximum(_robust_z(measures.series("cheek", side)), 0.0),  # raised only
        "mouth": mouth,
    }
    return {region: np.nan_to_num(values, nan=0.0) for region, values in activity.items()}


def _one_sided(
    regions: dict[Side, dict[str, NDArray[np.float64]]], side: Side
) -> dict[str, NDArray[np.bool_]]:
    """Frames where a region of `side` moved clearly and much more than the other side's."""
    other: Side = "left" if side == "right" else "right"
    return {
        region: (values >= REGION_ACTIVE_Z) & (values >= ASYMMETRY * regions[other][region])
        for region, values in regions[side].items()
    }


def _eye_events(
    measures: Measures,
    closure: dict[Side, NDArray[np.float64]],
    regions: dict[Side, dict[str, NDArray[np.float64]]],
) -> list[Event]:
    closed = {side: _hysteresis(closure[side], CLOSED, STILL_CLOSED) for side in SIDES}
    brows_down = {
        side: np.nan_to_num(_robust_z(measures.series("brow", side))) <= -BROW_SQUEEZE_Z
        for side in SIDES
    }
    moved = {side: _one_sided(regions, side) for side in SIDES}
    smiling = _smiling(measures)
    gap = max(1, round(MERGE_GAP_S * measures.fps))
    events = []
    for first, last in _merged(segments(closed["left"] | closed["right"]), gap):
        peak = {side: float(np.nanmax(closure[side][first:last])) for side in SIDES}
        start, end = _times(measures, first, last)
        if min(peak.values()) >= OTHER_EYE_OPEN:  # both eyes: a blink or a closure
            long = end - start >= LONGEST_BLINK_S
            squeeze = all(brows_down[side][first:last].any() for side in SIDES)
            kind: Kind = "closure" if long else "blink"
            events.append(
                Event(start, end, kind, "both", ("eyelid",), min(peak.values()), long and squeeze)
            )
            continue
        side: Side = max(SIDES, key=lambda s: peak[s])
        if end - start < SHORTEST_SPASM_S:
            continue
        with_it = tuple(r for r in ("brow", "cheek", "mouth") if moved[side][r][first:last].any())
        events.append(
            Event(
                start,
                end,
                "spasm",
                side,
                ("eyelid", *with_it),
                peak[side],
                with_smile=bool(smiling[first:last].any()),
            )
        )
    events += _smile_narrowing(measures, closure, closed, smiling)
    return events


def _smiling(measures: Measures) -> NDArray[np.bool_]:
    """Both mouth corners clearly raised, by about as much: a smile, not a one-sided pull."""
    rise, significant = {}, {}
    for side in SIDES:
        up = measures.series("mouth_y", side)
        known = up[~np.isnan(up)]
        rise[side] = np.nan_to_num(up - (np.median(known) if known.size else 0.0))
        significant[side] = np.nan_to_num(_robust_z(up)) >= REGION_ACTIVE_Z
    left, right = rise["left"], rise["right"]
    symmetric = (left < SMILE_SYMMETRY * right) & (right < SMILE_SYMMETRY * left)
    return significant["left"] & significant["right"] & symmetric


def _smile_narrowing(
    measures: Measures,
    closure: dict[Side, NDArray[np.float64]],
    closed: dict[Side, NDArray[np.bool_]],
    smiling: NDArray[np.bool_],
) -> list[Event]:
    """One eye narrowing (but not shutting) while the person smiles."""
    events = []
    gap = max(1, round(MERGE_GAP_S * measures.fps))
    for side in SIDES:
        other: Side = "left" if side == "right" else "right"
        narrowed = (
            smiling
            & (np.nan_to_num(closure[side]) >= SMILE_NARROWING)
            & (np.nan_to_num(closure[other]) < SMILE_NARROWING / 2)
            & ~closed[side]
        )
        for first, last in _merged(segments(narrowed), gap):
            start, end = _times(measures, first, last)
            if end - start >= SHORTEST_SPASM_S:
                peak = float(np.nanmax(closure[side][first:last]))
                events.append(Event(start, end, "spasm", side, ("eyelid",), peak, with_smile=True))
    return events


def _lower_face_spasms(
    measures: Measures,
    closure: dict[Side, NDArray[np.float64]],
    regions: dict[Side, dict[str, NDArray[np.float64]]],
    busy: NDArray[np.bool_],
) -> list[Event]:
    """One-sided pulls of cheek or mouth that did not shut the eye (it may have narrowed)."""
    events = []
    gap = max(1, round(MERGE_GAP_S * measures.fps))
    for side in SIDES:
        other: Side = "left" if side == "right" else "right"
        moved = _one_sided(regions, side)
        lower = (moved["cheek"] | moved["mouth"]) & ~busy
        for first, last in _merged(segments(lower), gap):
            start, end = _times(measures, first, last)
            if end - start < SHORTEST_SPASM_S:
                continue
            where = tuple(r for r in ("brow", "cheek", "mouth") if moved[r][first:last].any())
            strength = max(float(regions[side][r][first:last].max()) for r in where)
            narrowed = np.nanmax(closure[side][first:last]) >= STILL_CLOSED and (
                np.nanmax(closure[other][first:last]) < STILL_CLOSED / 2
            )
            regions_moved = ("eyelid", *where) if narrowed else where
            events.append(Event(start, end, "spasm", side, regions_moved, min(1.0, strength / 20)))
    return events


def _flickers(
    measures: Measures, closure: dict[Side, NDArray[np.float64]], busy: NDArray[np.bool_]
) -> list[Event]:
    """Fast small ripples of one eye's aperture, away from blinks and spasms."""
    fps = measures.fps
    if fps < MIN_FPS_FOR_FLICKER:
        return []
    band = {side: _band(closure[side], fps) for side in SIDES}
    ripple = {side: _power(band[side], fps) for side in SIDES}
    clearance = max(1, round(FLICKER_CLEARANCE_S * fps))
    quiet = ~(uniform_filter1d(busy.astype(float), size=2 * clearance + 1) > 0)
    if not quiet.any():
        return []
    floor = float(np.median(np.concatenate([ripple[s][quiet] for s in SIDES])))
    if not floor > 0:
        return []
    events = []
    gap = max(1, round(MERGE_GAP_S * fps))
    for side in SIDES:
        other: Side = "left" if side == "right" else "right"
        rippling = (
            (ripple[side] >= FLICKER_FLOOR_RATIO * floor)
            & (ripple[side] >= FLICKER_OTHER_RATIO * ripple[other])
            & quiet
        )
        for first, last in _merged(segments(rippling), gap):
            start, end = _times(measures, first, last)
            peak = float(np.nanmax(closure[side][first:last]))
            signs = np.signbit(band[side][first:last])
            cycles = np.count_nonzero(signs[1:] != signs[:-1]) / 2
            swing = float(np.ptp(band[side][first:last]))
            if (
                end - start >= SHORTEST_FLICKER_S
                and peak < CLOSED
                and cycles >= FLICKER_CYCLES
                and swing >= FLICKER_SMALLEST_SWING
            ):
                events.append(Event(start, end, "flicker", side, ("eyelid",), peak))
    return events


def _band(closure: NDArray[np.float64], fps: float) -> NDArray[np.float64]:
    """The 3-8 Hz part of an eye's closure: faster than a blink, slower than landmark jitter."""
    from scipy.signal import butter, sosfiltfilt

    signal = np.nan_to_num(closure, nan=0.0)
    sos = butter(2, FLICKER_BAND_HZ, btype="bandpass", fs=fps, output="sos")
    if len(signal) <= 3 * (2 * len(sos) + 1):  # too short to filter forwards and back
        return np.zeros_like(signal)
    return np.asarray(sosfiltfilt(sos, signal), dtype=np.float64)


def _power(band: NDArray[np.float64], fps: float) -> NDArray[np.float64]:
    """Root-mean-square of a band signal over half-second windows."""
    window = max(3, round(0.5 * fps))
    return np.sqrt(np.maximum(uniform_filter1d(band**2, size=window, mode="nearest"), 0.0))
