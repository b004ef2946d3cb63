"""Blinks, closures, spasms and flickers, found against this person's own baseline.

Everything is relative to the person: an eye's "closure" is 1 - aperture / its median aperture
over the clip, so 0 is open as usual and 1 is shut, whatever the eye's shape or the camera's
distance. Lower-face regions (brow, cheek, mouth corner) are judged in units of their own noise
(a robust standard deviation from the median absolute deviation).

The kinds (DESIGN.md ⚑):
- blink: both eyes close together for at most 0.5 s (normal blinks last 100-400 ms), or dip
  together clearly but partway, as the face mesh follows a small face's blink;
- closure: both eyes shut for 0.5 s or longer; `forceful` when the brows are pulled down at the
  same time, as in blepharospasm's squeeze (a gentle voluntary closure leaves the brows);
- spasm: one side contracts while the other does not -- an eye shuts or narrows, a cheek rises
  or a mouth corner pulls -- with every region of that side that moved in the same moment; an
  eye that loses a third of its aperture, far beyond its own noise, while the other stays in
  its own, is a spasm too (the face mesh does not always follow a lid all the way down), unless
  it settles from a blink or comes with a smile or a pucker;
- flicker: a small, fast (3-8 Hz) ripple of one eye's aperture above the landmark noise floor,
  without closing it (myokymia's EMG bursts are 3-8 Hz; Medscape 1213160).
A one-sided eye narrowing while both mouth corners lift (a smile) or draw in (a pucker) is
marked `with_smile`: the eye closing when smiling is the mark of synkinesis (source article),
and the eye narrows with a lip pucker in 82% (synkinesis patterns study). The movement is judged
over the whole narrowing (both corners' mean move in their pooled noise, and the two moves within
`smile_symmetry` of each other), not frame by frame. One that starts as the person starts
talking and lasts while they talk is marked so too: synkinesis is an involuntary movement that
accompanies a voluntary one (knowledge notes 2.4; smiles.py). A closure is `forceful` when the brows
stay down through at least half of it on both sides (a glance down dips them for a moment).
One-sidedness is what separates a spasm from an expression: a smile lifts both mouth corners, a
pucker draws both in, and a wink aside, faces are symmetric when we move them on purpose.

Every threshold is in `data/thresholds.yaml` with its source, and every one is relative to the
person (issue 15: the evidence must transfer across faces): closures are shares of this eye's
usual aperture; brow, cheek and mouth movements are robust z-scores after the slow drifts of head
pose, distance and light are taken out (a rolling median over a few seconds), in units of this
person's own noise; a flicker is ripple power over this eye's own noise floor in each frequency
bin. Both eyes took part in an event when the less closed one closed a fixed share of the more
closed one (a turned head shows the far eye's closure smaller): at their deepest in a blink, and
typically (their medians) in anything longer, so that a blink crossing one eye's held narrowing
does not make it both eyes'. An event's regions are those that
moved one-sidedly and at least half as much as its strongest region, so that the face mesh's
coupling of cheek to brow does not name the brow.

Smiles and puckers are found in smiles.py, flickers in flickers.py, and the per-frame signal
tools (runs of frames, robust z-scores) are in signals.py; this module finds the eye and
lower-face events and puts every kind together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter1d

from facespasm.video.flickers import flickers
from facespasm.video.measures import SIDES, Measures, Side
from facespasm.video.signals import hysteresis, merged, robust_z, segments, span
from facespasm.video.smiles import (
    CornerShift,
    Talking,
    corner_shifts,
    expressed,
    smile_frames,
    talking,
)
from facespasm.video.thresholds import thresholds

Kind = Literal["blink", "closure", "spasm", "flicker"]


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
    shifts = corner_shifts(measures)
    smiling = smile_frames(measures, shifts)
    voluntary = _Voluntary(measures.fps, shifts, talking(measures), smiling)
    events = _eye_events(measures, closure, regions, voluntary)
    busy = frames_during(measures, events)
    events += _lower_face_spasms(measures, closure, regions, busy, shifts)
    events += [
        Event(start, end, "flicker", side, ("eyelid",), peak)
        for start, end, side, peak in flickers(measures, closure, busy, regions, smiling)
    ]
    return sorted(events, key=lambda event: event.start_s)


def frames_during(
    measures: Measures, events: list[Event], margin_s: float = 0.0
) -> NDArray[np.bool_]:
    """The frames within `margin_s` of any of these events."""
    during = np.zeros(len(measures.time), dtype=bool)
    for event in events:
        during |= (measures.time >= event.start_s - margin_s) & (
            measures.time <= event.end_s + margin_s
        )
    return during


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


def _region_activity(measures: Measures, side: Side) -> dict[str, NDArray[np.float64]]:
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


def _one_sided(
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


def _attributed(
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


@dataclass(frozen=True)
class _Voluntary:
    """The voluntary movements of the mouth an eye's narrowing may come with (smiles.py)."""

    fps: float
    shifts: tuple[CornerShift, ...]
    talk: Talking
    smiling: NDArray[np.bool_]

    def moved(self, first: int, last: int) -> bool:
        """Whether the person smiled, puckered, or started talking, over frames first..last-1."""
        return expressed(self.shifts, first, last, self.fps) or self.talk.accompanies(first, last)

    def narrowed_with(
        self, regions: tuple[str, ...], closure: NDArray[np.float64], first: int, last: int
    ) -> bool:
        """Whether one eye's narrowing over frames first..last-1 came with a voluntary movement.

        A mouth corner pulled one-sidedly (`regions`) is a spasm's pull, not a smile; an eye
        shut completely (its `closure`: the deepest of a jerk, the typical (median) of a held
        narrowing, which a blink may cross) is a spasm set off by the movement, not an eye that
        narrows with it. A narrowing held `shortest_smile_s` or longer is judged with the
        movement over its own frames; a shorter one (a jerk) only inside a smile, pucker or talk
        found on its own (`smile_frames`, `talking`): too brief to tell a movement from the
        mouth's noise.
        """
        limits = thresholds()
        held = (last - first) / self.fps >= limits.shortest_smile_s
        if "mouth" in regions or _depth(closure, first, last, held=held) >= limits.complete_closure:
            return False
        if held:
            return self.moved(first, last)
        return bool((self.smiling[first:last] | self.talk.frames[first:last]).all())


def _eye_events(
    measures: Measures,
    closure: dict[Side, NDArray[np.float64]],
    regions: dict[Side, dict[str, NDArray[np.float64]]],
    voluntary: _Voluntary,
) -> list[Event]:
    limits = thresholds()
    closed = {side: hysteresis(closure[side], limits.closed, limits.still_closed) for side in SIDES}
    brows_down = {
        side: np.nan_to_num(robust_z(measures.series("brow", side), measures.fps))
        <= -limits.brow_squeeze_z
        for side in SIDES
    }
    moved = {side: _one_sided(regions, side) for side in SIDES}
    gap = max(1, round(limits.merge_gap_s * measures.fps))
    events = []
    for first, last in merged(segments(closed["left"] | closed["right"]), gap):
        peak = {side: float(np.nanmax(closure[side][first:last])) for side in SIDES}
        start, end = span(measures, first, last)
        long = end - start >= limits.longest_blink_s
        if _both_eyes(closure, first, last, long=long):
            squeeze = all(
                brows_down[side][first:last].mean() >= limits.squeeze_share for side in SIDES
            )
            kind: Kind = "closure" if long else "blink"
            events.append(
                Event(start, end, kind, "both", ("eyelid",), min(peak.values()), long and squeeze)
            )
            continue
        side: Side = max(SIDES, key=lambda s: peak[s])
        if end - start < limits.shortest_spasm_s:
            continue
        with_it = _attributed(regions[side], moved[side], first, last)
        events.append(
            Event(
                start,
                end,
                "spasm",
                side,
                ("eyelid", *with_it),
                peak[side],
                with_smile=voluntary.narrowed_with(with_it, closure[side], first, last),
            )
        )
    narrowing = {side: eye_narrowing(measures, side) for side in SIDES}
    events += _smile_narrowing(measures, closure, closed, voluntary)
    events += _shallow_blinks(measures, closure, narrowing, events)
    events += _partial_narrowings(measures, closure, narrowing, regions, moved, events, voluntary)
    return events


def _both_eyes(
    closure: dict[Side, NDArray[np.float64]], first: int, last: int, *, long: bool
) -> bool:
    """Whether both eyes closed together over frames first..last-1 (`bilateral_share`).

    A blink is judged by the two eyes' deepest closures. Anything longer is judged by their
    typical (median) closures: one eye held narrowed for seconds -- a tonic spasm, or an eye
    that narrows with a smile -- stays that eye's, even when a blink crosses it and shuts the
    other eye for a moment.
    """
    share = thresholds().bilateral_share
    depth = [_depth(closure[side], first, last, held=long) for side in SIDES]
    return min(depth) >= share * max(depth)


def _depth(closure: NDArray[np.float64], first: int, last: int, *, held: bool) -> float:
    """How far an eye closed over frames first..last-1.

    At its deepest in a blink or a jerk; typically (the median) in anything held, which a blink
    may cross for a moment.
    """
    return float((np.nanmedian if held else np.nanmax)(closure[first:last]))


def _shallow_blinks(
    measures: Measures,
    closure: dict[Side, NDArray[np.float64]],
    narrowing: dict[Side, NDArray[np.float64]],
    found: list[Event],
) -> list[Event]:
    """Blinks the face mesh follows only partway: both eyes dip together, briefly and clearly.

    On a small face the mesh may take the lids only a quarter to half of the way down, so a
    blink never reaches `closed`. Both eyes losing `shallow_blink` of their aperture together,
    each far beyond its own noise (`narrowing_z`), for no longer than a blink -- the movement
    counted from where both eyes leave their noise (`eye_noise_z`) to where either is back --
    and clear of the events already found, is a blink.
    """
    limits = thresholds()
    both = np.minimum(narrowing["left"], narrowing["right"])
    deep = np.minimum(np.nan_to_num(closure["left"]), np.nan_to_num(closure["right"]))
    taken = frames_during(measures, found, limits.narrowing_clearance_s)
    dipped = (deep >= limits.shallow_blink) & (both >= limits.narrowing_z)
    events = []
    for first, last in segments(both >= limits.eye_noise_z):
        if not dipped[first:last].any() or taken[first:last].any():
            continue
        start, end = span(measures, first, last)
        if end - start <= limits.longest_blink_s:
            peak = float(deep[first:last].max())
            events.append(Event(start, end, "blink", "both", ("eyelid",), peak))
    return events


def _partial_narrowings(
    measures: Measures,
    closure: dict[Side, NDArray[np.float64]],
    narrowing: dict[Side, NDArray[np.float64]],
    regions: dict[Side, dict[str, NDArray[np.float64]]],
    moved: dict[Side, dict[str, NDArray[np.bool_]]],
    found: list[Event],
    voluntary: _Voluntary,
) -> list[Event]:
    """One eye narrowing partway, far beyond its own noise, while the other eye stays still.

    A face mesh does not always follow a lid all the way down (a turned head, a small face), so
    a hemifacial spasm can show as one eye losing a third of its aperture and never "closed".
    The narrowing is the whole movement, from where the eye leaves its own noise (`eye_noise_z`)
    to where it is back; it is a spasm of that eye when somewhere it loses a clear share of the
    aperture (`partial_narrowing`), a smaller one (`faint_narrowing`) for a twitch's length
    twice as far out of the noise (`faint_narrowing_z`: a clonic twitch on a steady face that
    the mesh followed a fifth of the way), or one of `held_narrowing` held for `held_spasm_s`,
    that is also a clear movement for this eye (`narrowing_z`: a face that moves its eyes a lot
    narrows them a third by expression; once past it, a hold lasts while the eye stays out of
    its noise, `eye_noise_z`, so that one noisy frame does not cut it in two), and when the
    other eye did not take part (`_took_part`). A narrowing within `narrowing_clearance_s` of a
    blink or a closure is the lids settling from it, and one with a smile is synkinesis's sign
    (`_smile_narrowing` finds it) or an expression: neither is a spasm here. One that starts
    as the person starts talking and lasts while they talk is marked `with_smile` (synkinesis's
    sign: `_Voluntary.narrowed_with`).
    """
    limits = thresholds()
    fps = measures.fps
    taken = frames_during(measures, found)
    eyes_shut = frames_during(measures, [e for e in found if e.kind in ("blink", "closure")])
    clearance = max(1, round(limits.narrowing_clearance_s * fps))
    near_shut = uniform_filter1d(eyes_shut.astype(float), size=2 * clearance + 1) > 0
    gap = max(1, round(limits.merge_gap_s * fps))
    events = []
    for side in SIDES:
        other: Side = "left" if side == "right" else "right"
        closed = np.nan_to_num(closure[side])
        clear = (closed >= limits.partial_narrowing) & (narrowing[side] >= limits.narrowing_z)
        # Or a smaller narrowing, for a twitch's length (`shortest_spasm_s`) far beyond the noise
        # (a ripple's trough passes it for a noisy frame at most) or held: a ripple swings back
        # within its cycle, a tonic spasm stays (the closure itself must stay, frame by frame;
        # its z only out of the noise).
        faint = (closed >= limits.faint_narrowing) & (narrowing[side] >= limits.faint_narrowing_z)
        kept = (closed >= limits.held_narrowing) & hysteresis(
            narrowing[side], limits.narrowing_z, limits.eye_noise_z
        )
        for small, shortest in ((faint, limits.shortest_spasm_s), (kept, limits.held_spasm_s)):
            for first, last in segments(small):
                if (last - first) / fps >= shortest:
                    clear[first:last] = True
        moving = narrowing[side] >= limits.eye_noise_z
        for first, last in merged(segments(moving), gap):
            if taken[first:last].any() or not clear[first:last].any():
                continue  # part of an event already found, or never a clear narrowing
            start, end = span(measures, first, last)
            if (
                end - start < limits.shortest_spasm_s
                or near_shut[first:last].any()
                or _took_part(closure[other], narrowing[other], first, last, closure[side])
                or voluntary.smiling[first:last].any()
            ):
                continue
            with_it = _attributed(regions[side], moved[side], first, last)
            peak = float(np.nanmax(closure[side][first:last]))
            with_talking = voluntary.narrowed_with(with_it, closure[side], first, last)
            events.append(
                Event(
                    start, end, "spasm", side, ("eyelid", *with_it), peak, with_smile=with_talking
                )
            )
    return events


def _smile_narrowing(
    measures: Measures,
    closure: dict[Side, NDArray[np.float64]],
    closed: dict[Side, NDArray[np.bool_]],
    voluntary: _Voluntary,
) -> list[Event]:
    """One eye narrowing (but not shutting) more than the other with a smile, pucker or talk.

    A smile narrows both eyes a little (the cheeks rise); the side is the eye that narrowed
    by a set share more than the other (the issue: a left synkinesis was found on the right).
    The movement is judged over the whole narrowing, not frame by frame: both mouth corners rose
    (or drew in) on average by a set number of their pooled noise units, within
    `smile_symmetry` of each other (a one-sided pull of the mouth is a spasm, not a smile); or
    the person started talking as it started, and talked through it.
    """
    limits = thresholds()
    events = []
    gap = max(1, round(limits.merge_gap_s * measures.fps))
    for side in SIDES:
        other: Side = "left" if side == "right" else "right"
        narrowed = (
            np.nan_to_num(closure[side]) - np.nan_to_num(closure[other]) >= limits.smile_narrowing
        ) & ~closed[side]
        for first, last in merged(segments(narrowed), gap):
            start, end = span(measures, first, last)
            if end - start < limits.shortest_smile_s:
                continue
            if voluntary.moved(first, last):
                peak = float(np.nanmax(closure[side][first:last]))
                events.append(Event(start, end, "spasm", side, ("eyelid",), peak, with_smile=True))
    return events


def _took_part(
    closure: NDArray[np.float64],
    narrowing: NDArray[np.float64],
    first: int,
    last: int,
    narrowed: NDArray[np.float64],
) -> bool:
    """Whether an eye moved with the other's narrowing over frames first..last-1.

    It did when it left its own noise (`eye_noise_z`) and closed a share (`bilateral_share`) of
    the other eye's closure, as in a blink: a jittery eye's noise alone, or a quiet eye's
    twitch of a few hundredths, is not taking part.
    """
    limits = thresholds()
    return bool(
        np.abs(narrowing[first:last]).max() >= limits.eye_noise_z
        and np.nanmax(np.nan_to_num(closure[first:last]))
        >= limits.bilateral_share * np.nanmax(narrowed[first:last])
    )


def _lower_face_spasms(
    measures: Measures,
    closure: dict[Side, NDArray[np.float64]],
    regions: dict[Side, dict[str, NDArray[np.float64]]],
    busy: NDArray[np.bool_],
    shifts: tuple[CornerShift, ...],
) -> list[Event]:
    """One-sided pulls of cheek or mouth that did not shut the eye (it may have narrowed)."""
    limits = thresholds()
    events = []
    gap = max(1, round(limits.merge_gap_s * measures.fps))
    for side in SIDES:
        other: Side = "left" if side == "right" else "right"
        moved = _one_sided(regions, side)
        lower = (moved["cheek"] | moved["mouth"]) & ~busy
        for first, last in merged(segments(lower), gap):
            start, end = span(measures, first, last)
            if end - start < limits.shortest_spasm_s or expressed(
                shifts, first, last, measures.fps
            ):  # a smile or a pucker moves both corners alike: an expression, not a spasm
                continue
            where = _attributed(regions[side], moved, first, last)
            strength = max(float(regions[side][r][first:last].max()) for r in where)
            narrowed = np.nanmax(closure[side][first:last]) >= limits.still_closed and (
                np.nanmax(closure[other][first:last])
                < limits.bilateral_share * np.nanmax(closure[side][first:last])
            )
            regions_moved = ("eyelid", *where) if narrowed else where
            events.append(Event(start, end, "spasm", side, regions_moved, min(1.0, strength / 20)))
    return events
