"""Narrowings that never reach "closed": one eye's partial spasms and both eyes' shallow blinks.

A face mesh does not always follow a lid all the way down (a small face, a turned head), so a
hemifacial spasm's twitch may read as one eye losing a third of its aperture, or a tenth again
and again, and a blink as both eyes dipping partway. These finders read such narrowings against
each eye's own noise, after events.py has found the closures; an eye narrowing with a smile, a
pucker or a talk is synkinesis's sign (smiles.py). Thresholds in data/thresholds.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter1d

from facespasm.video.event import Event, frames_during
from facespasm.video.measures import SIDES, Measures, Side
from facespasm.video.regions import attributed
from facespasm.video.signals import hysteresis, merged, segments, span
from facespasm.video.smiles import Voluntary
from facespasm.video.thresholds import thresholds


@dataclass(frozen=True)
class Eyes:
    """What the one-eye finders read, computed once per clip.

    Each eye's closure and its z out of the eye's own noise (eyes.py), each side's regions and
    where they moved one-sidedly (regions.py), and the voluntary movements (smiles.py).
    """

    measures: Measures
    closure: dict[Side, NDArray[np.float64]]
    narrowing: dict[Side, NDArray[np.float64]]
    regions: dict[Side, dict[str, NDArray[np.float64]]]
    moved: dict[Side, dict[str, NDArray[np.bool_]]]
    voluntary: Voluntary


def shallow_blinks(
    measures: Measures,
    closure: dict[Side, NDArray[np.float64]],
    narrowing: dict[Side, NDArray[np.float64]],
    found: list[Event],
) -> list[Event]:
    """Blinks the face mesh follows only partway: both eyes dip together, briefly and clearly.

    On a small face the mesh may take the lids only a quarter to half of the way down, so a
    blink never reaches `closed`. Both eyes losing `shallow_blink` of their aperture together,
    both out of their own noise (`eye_noise_z`) and one far beyond it (`narrowing_z`: on moving
    footage one eye's noise is wide enough that such a dip reaches 3-4 of it), for no longer
    than a blink -- the movement counted from where both eyes leave their noise to where either
    is back, a return into it shorter than `merge_gap_s` not ending it -- and clear of the
    events already found, is a blink.
    """
    limits = thresholds()
    both = np.minimum(narrowing["left"], narrowing["right"])
    deep = np.minimum(np.nan_to_num(closure["left"]), np.nan_to_num(closure["right"]))
    taken = frames_during(measures, found, limits.narrowing_clearance_s)
    either = np.maximum(narrowing["left"], narrowing["right"])
    dipped = (
        (deep >= limits.shallow_blink)
        & (both >= limits.eye_noise_z)
        & (either >= limits.narrowing_z)
    )
    events = []
    gap = max(1, round(limits.merge_gap_s * measures.fps))
    for first, last in merged(segments(both >= limits.eye_noise_z), gap):
        if not dipped[first:last].any() or taken[first:last].any():
            continue
        start, end = span(measures, first, last)
        if end - start <= limits.longest_blink_s:
            peak = float(deep[first:last].max())
            events.append(Event(start, end, "blink", "both", ("eyelid",), peak))
    return events


def partial_narrowings(eyes: Eyes, found: list[Event]) -> list[Event]:
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
    other eye did not take part (`_one_eye`).
    """
    limits = thresholds()
    taken = _taken(eyes.measures, found)
    events = []
    for side in SIDES:
        closed = np.nan_to_num(eyes.closure[side])
        narrowing = eyes.narrowing[side]
        clear = (closed >= limits.partial_narrowing) & (narrowing >= limits.narrowing_z)
        # Or a smaller narrowing, for a twitch's length (`shortest_spasm_s`) far beyond the noise
        # (a ripple's trough passes it for a noisy frame at most) or held: a ripple swings back
        # within its cycle, a tonic spasm stays (the closure itself must stay, frame by frame;
        # its z only out of the noise).
        faint = (closed >= limits.faint_narrowing) & (narrowing >= limits.faint_narrowing_z)
        kept = (closed >= limits.held_narrowing) & hysteresis(
            narrowing, limits.narrowing_z, limits.eye_noise_z
        )
        clear |= _lasting(faint, limits.shortest_spasm_s, eyes.measures.fps)
        clear |= _lasting(kept, limits.held_spasm_s, eyes.measures.fps)
        events += _one_eye(eyes, side, clear, taken)
    return events


def recurring_twitches(eyes: Eyes, found: list[Event]) -> list[Event]:
    """One eye narrowing a little, briefly, again and again, while the other eye stays still.

    Early hemifacial spasm is repeated clonic twitches of one eye (Yaltho 2011); a mild one
    closes the eye little and the face mesh follows it only partway. Such a twitch loses
    `small_narrowing` of the aperture, `small_narrowing_z` out of this eye's noise, for a
    twitch's length and under `held_spasm_s`, with the other eye still and no smile (`_one_eye`)
    nor a talk starting with it; it is a spasm where this eye twitches so at least
    `small_narrowing_repeats` times in the clip. One alone is an expression or the mesh's
    jitter. They are found after every other event, flickers included, and a ripple's troughs
    are not twitches (myokymia's 3-8 Hz flicker, Medscape 1213160, where the flicker finder did
    not take it): an eye whose small narrowings ran together for `held_spasm_s` has none, and
    `ripple_troughs` or more in a row, each within a cycle of the slowest ripple of the one
    before, are not counted.
    """
    limits = thresholds()
    taken = _taken(eyes.measures, found)
    events = []
    for side in SIDES:
        little = (np.nan_to_num(eyes.closure[side]) >= limits.small_narrowing) & (
            eyes.narrowing[side] >= limits.small_narrowing_z
        )
        marked = _lasting(little, limits.shortest_spasm_s, eyes.measures.fps)
        narrowed = _one_eye(eyes, side, marked, taken)
        if any(event.duration_s >= limits.held_spasm_s for event in narrowed):
            continue  # small narrowings run together: this eye ripples
        twitches = _outside_ripples([e for e in narrowed if not e.with_smile], eyes.measures.fps)
        if len(twitches) >= limits.small_narrowing_repeats:
            events += twitches
    return events


def _outside_ripples(twitches: list[Event], fps: float) -> list[Event]:
    """The twitches outside a ripple's rhythm.

    That is, outside runs of `ripple_troughs` or more, each starting within a cycle of
    myokymia's slowest ripple (1 / `flicker_low_hz`, to the half frame) of the one before.
    """
    limits = thresholds()
    cycle = 1.0 / limits.flicker_low_hz + 0.5 / fps
    runs: list[list[Event]] = []
    for twitch in twitches:
        if runs and twitch.start_s - runs[-1][-1].start_s <= cycle:
            runs[-1].append(twitch)
        else:
            runs.append([twitch])
    return [twitch for run in runs if len(run) < limits.ripple_troughs for twitch in run]


def _taken(measures: Measures, found: list[Event]) -> NDArray[np.bool_]:
    """The frames a new narrowing must keep clear of.

    Those of the events already found (it is part of that event), and those within
    `narrowing_clearance_s` of a blink or a closure (the lids settling from it).
    """
    fps = measures.fps
    eyes_shut = frames_during(measures, [e for e in found if e.kind in ("blink", "closure")])
    clearance = max(1, round(thresholds().narrowing_clearance_s * fps))
    near_shut = uniform_filter1d(eyes_shut.astype(float), size=2 * clearance + 1) > 0
    return frames_during(measures, found) | near_shut


def _one_eye(
    eyes: Eyes, side: Side, marked: NDArray[np.bool_], taken: NDArray[np.bool_]
) -> list[Event]:
    """This eye's narrowings through a `marked` frame that the other eye took no part in.

    A narrowing runs from where the eye leaves its own noise (`eye_noise_z`) to where it is
    back. One through a `taken` frame is no new event (`_taken`); one with the other eye moving
    too is both eyes' (`_took_part`); one with a smile is synkinesis's sign (`smile_narrowing`
    finds it) or an expression: none is a spasm here. One that starts as the
    person starts talking and lasts while they talk is marked `with_smile` (synkinesis's sign:
    `Voluntary.narrowed_with`).
    """
    limits = thresholds()
    measures, closure, narrowing = eyes.measures, eyes.closure, eyes.narrowing
    other: Side = "left" if side == "right" else "right"
    gap = max(1, round(limits.merge_gap_s * measures.fps))
    events = []
    for first, last in merged(segments(narrowing[side] >= limits.eye_noise_z), gap):
        if taken[first:last].any() or not marked[first:last].any():
            continue
        start, end = span(measures, first, last)
        if (
            end - start < limits.shortest_spasm_s
            or _took_part(closure[other], narrowing[other], first, last, closure[side])
            or eyes.voluntary.smiling[first:last].any()
        ):
            continue
        with_it = attributed(eyes.regions[side], eyes.moved[side], first, last)
        peak = float(np.nanmax(closure[side][first:last]))
        with_talking = eyes.voluntary.narrowed_with(with_it, closure[side], first, last)
        events.append(
            Event(start, end, "spasm", side, ("eyelid", *with_it), peak, with_smile=with_talking)
        )
    return events


def _lasting(mask: NDArray[np.bool_], seconds: float, fps: float) -> NDArray[np.bool_]:
    """The runs of `mask` that last `seconds` or longer."""
    kept = np.zeros_like(mask)
    for first, last in segments(mask):
        if (last - first) / fps >= seconds:
            kept[first:last] = True
    return kept


def smile_narrowing(
    measures: Measures,
    closure: dict[Side, NDArray[np.float64]],
    closed: dict[Side, NDArray[np.bool_]],
    voluntary: Voluntary,
) -> list[Event]:
    """One eye narrowing (but not shutting) more than the other with a smile, pucker or talk.

    A smile narrows both eyes a little (the cheeks rise); the side is the eye that narrowed
    by a set share more than the other (the issue: a left synkinesis was found on the right).
    Once past that share, the narrowing lasts while it stays `smile_narrowing_held` more, so
    that it spans the movement rather than the frames the landmarks' jitter left above the
    share. The movement is judged over the whole narrowing, not frame by frame: both mouth
    corners rose (or drew in) on average by a set number of their pooled noise units, within
    `smile_symmetry` of each other (a one-sided pull of the mouth is a spasm, not a smile); or
    the person started talking as it started, and talked through it.
    """
    limits = thresholds()
    events = []
    gap = max(1, round(limits.merge_gap_s * measures.fps))
    for side in SIDES:
        other: Side = "left" if side == "right" else "right"
        more = np.nan_to_num(closure[side]) - np.nan_to_num(closure[other])
        held = hysteresis(more, limits.smile_narrowing, limits.smile_narrowing_held)
        narrowed = held & ~closed[side]
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
