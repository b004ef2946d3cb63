"""Blinks, closures, spasms and flickers, found against this person's own baseline.

Everything is relative to the person: an eye's "closure" is 1 - aperture / its median aperture
over the clip, so 0 is open as usual and 1 is shut, whatever the eye's shape or the camera's
distance. Lower-face regions (brow, cheek, mouth corner) are judged in units of their own noise
(a robust standard deviation from the median absolute deviation).

The kinds (DESIGN.md ⚑):
- blink: both eyes close together for at most 0.5 s (normal blinks last 100-400 ms), or dip
  together clearly but partway, as the face mesh follows a small face's blink, or one eye
  closes while the other, followed a fifth of the way, stays out of its noise through it and
  no cheek, brow or mouth corner of the closing side moves with it (a turned or small face);
- closure: both eyes shut for 0.5 s or longer; `forceful` when the brows are pulled down at the
  same time, as in blepharospasm's squeeze (a gentle voluntary closure leaves the brows);
- spasm: one side contracts while the other does not -- an eye shuts or narrows, a cheek rises
  or a mouth corner pulls -- with every region of that side that moved in the same moment; an
  eye that loses a third of its aperture, far beyond its own noise, while the other stays in
  its own, is a spasm too (the face mesh does not always follow a lid all the way down), unless
  it settles from a blink or comes with a smile or a pucker, and so is one losing a tenth, out
  of its noise, briefly, again and again (mild hemifacial spasm's recurring twitches), unless
  in a ripple's rhythm (myokymia's flicker); a cheek or mouth corner pulling on one side as
  both eyes shut or open in a closure is that closure's, not a spasm (the squeeze
  of blepharospasm draws both sides' midface, one a moment before the other), and so is one
  while both eyes narrow together, each clearly for itself (a blink or a squeeze the face mesh
  follows only partway drags the landmarks around the lids, one side's more than the other's);
- flicker: a small, fast (3-8 Hz) ripple of one eye's aperture above the landmark noise floor,
  without closing it (myokymia's EMG bursts are 3-8 Hz; Medscape 1213160).
One side's movement only in the clip's first few frames (`settling_frames`) is the face mesh
settling on the face, not an event.
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
does not make it both eyes'; or, in a blink, when the other eye was out of its own noise in the
blink's typical frame and the closing side's face did not move with it. An event's regions are
those that moved one-sidedly and at least half as much as its strongest region, so that the
face mesh's coupling of cheek to brow does not name the brow.

This module finds the closures, blinks and spasms of the eyes and the lower face's spasms, and
puts every kind together. Each eye's closure and noise are read in eyes.py, each region's
movement in regions.py; narrowings that never reach "closed" (one eye's partial spasms and
recurring small twitches, both eyes' shallow blinks, an eye narrowing with a smile) are found
in narrowings.py, smiles, puckers and talking in smiles.py, flickers in flickers.py, and the
per-frame signal tools (runs of frames, robust z-scores) are in signals.py. The `Event` itself
is in event.py.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from facespasm.video.event import Event, Kind, frames_during
from facespasm.video.eyes import depth, eye_closure, eye_narrowing
from facespasm.video.flickers import flickers
from facespasm.video.measures import SIDES, Measures, Side
from facespasm.video.narrowings import (
    Eyes,
    partial_narrowings,
    recurring_twitches,
    shallow_blinks,
    smile_narrowing,
)
from facespasm.video.regions import attributed, one_sided, region_activity
from facespasm.video.signals import hysteresis, merged, robust_z, segments, span
from facespasm.video.smiles import (
    CornerShift,
    Voluntary,
    corner_shifts,
    expressed,
    smile_frames,
    talking,
)
from facespasm.video.thresholds import thresholds


def find_events(measures: Measures) -> list[Event]:
    """Every event in the clip, in time order."""
    closure = {side: eye_closure(measures, side) for side in SIDES}
    regions = {side: region_activity(measures, side) for side in SIDES}
    shifts = corner_shifts(measures)
    smiling = smile_frames(measures, shifts)
    voluntary = Voluntary(measures.fps, shifts, talking(measures), smiling)
    narrowing = {side: eye_narrowing(measures, side) for side in SIDES}
    moved = {side: one_sided(regions, side) for side in SIDES}
    eyes = Eyes(measures, closure, narrowing, regions, moved, voluntary)
    events = _eye_events(eyes)
    busy = frames_during(measures, events)
    closing = frames_during(
        measures, [e for e in events if e.kind == "closure"], thresholds().narrowing_clearance_s
    )
    blinking = _both_eyes_moving(narrowing)
    expression = smile_frames(measures, shifts, alike=True)
    events += _lower_face_spasms(
        measures, closure, regions, busy | closing, blinking, shifts, expression
    )
    events += [
        Event(start, end, "flicker", side, ("eyelid",), peak)
        for start, end, side, peak in flickers(measures, closure, narrowing, busy, regions, smiling)
    ]
    events += recurring_twitches(eyes, events)
    return sorted(_after_settling(measures, events), key=lambda event: event.start_s)


def _after_settling(measures: Measures, events: list[Event]) -> list[Event]:
    """The events, less one side's movements over by the clip's `settling_frames`-th frame.

    Before then the face mesh is still settling on the face (thresholds.yaml says how far off
    its first landmarks are): one side's movement there alone is not the face moving. Blinks
    stay: dropping a blink cut by the clip's start would lower the blink rate, the reassuring way.
    """
    if not len(measures.time):
        return events
    settled_s = float(measures.time[0]) + thresholds().settling_frames / measures.fps
    return [e for e in events if e.end_s > settled_s or e.kind not in ("spasm", "flicker")]


def _eye_events(eyes: Eyes) -> list[Event]:
    measures, closure, regions, voluntary = (
        eyes.measures,
        eyes.closure,
        eyes.regions,
        eyes.voluntary,
    )
    limits = thresholds()
    closed = {side: hysteresis(closure[side], limits.closed, limits.still_closed) for side in SIDES}
    brows_down = {
        side: np.nan_to_num(robust_z(measures.series("brow", side), measures.fps))
        <= -limits.brow_squeeze_z
        for side in SIDES
    }
    gap = max(1, round(limits.merge_gap_s * measures.fps))
    events = []
    for first, last in merged(segments(closed["left"] | closed["right"]), gap):
        peak = {side: float(np.nanmax(closure[side][first:last])) for side in SIDES}
        start, end = span(measures, first, last)
        long = end - start >= limits.longest_blink_s
        side: Side = max(SIDES, key=lambda s: peak[s])
        if _both_eyes(closure, first, last, long=long) or (
            not long and _followed_unevenly(eyes, side, first, last)
        ):
            squeeze = all(
                brows_down[side][first:last].mean() >= limits.squeeze_share for side in SIDES
            )
            kind: Kind = "closure" if long else "blink"
            events.append(
                Event(start, end, kind, "both", ("eyelid",), min(peak.values()), long and squeeze)
            )
            continue
        if end - start < limits.shortest_spasm_s:
            continue
        with_it = attributed(regions[side], eyes.moved[side], first, last)
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
    events += smile_narrowing(measures, closure, closed, voluntary)
    events += shallow_blinks(measures, closure, eyes.narrowing, events)
    events += partial_narrowings(eyes, events)
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
    closed = [depth(closure[side], first, last, held=long) for side in SIDES]
    return min(closed) >= share * max(closed)


def _followed_unevenly(eyes: Eyes, side: Side, first: int, last: int) -> bool:
    """Whether one eye's brief closure over frames first..last-1 is a blink followed unevenly.

    The face mesh may follow one eye's lids a fifth of the way down while it follows the
    other's all the way (a turned or small face), so the share test of `_both_eyes` fails. It
    is still a blink when both eyes were out of their own noise (`eye_noise_z`) in its typical
    (median) frame, and the closing side's cheek, brow and mouth did not move one-sidedly with
    it: a hemifacial spasm's twitch leaves the other eye in its noise, or pulls its own side's
    face along.
    """
    moved = min(float(np.median(eyes.narrowing[s][first:last])) for s in SIDES)
    return moved >= thresholds().eye_noise_z and not attributed(
        eyes.regions[side], eyes.moved[side], first, last
    )


def _both_eyes_moving(narrowing: dict[Side, NDArray[np.float64]]) -> NDArray[np.bool_]:
    """The frames in which both eyes narrow together, each clearly for itself (`narrowing_z`).

    That is a blink or a squeeze, even one the face mesh follows only a tenth of the way down
    (some faces' narrow, smiling eyes): the mesh then drags the landmarks around the lids, the
    cheek's and brow's of one side more than the other's, which is not a spasm. A hemifacial
    spasm narrows its own side's eye and leaves the other eye in its noise.
    """
    both = np.minimum(narrowing["left"], narrowing["right"])
    return np.asarray(both >= thresholds().narrowing_z)


def _lower_face_spasms(
    measures: Measures,
    closure: dict[Side, NDArray[np.float64]],
    regions: dict[Side, dict[str, NDArray[np.float64]]],
    busy: NDArray[np.bool_],
    blinking: NDArray[np.bool_],
    shifts: tuple[CornerShift, ...],
    smiling: NDArray[np.bool_],
) -> list[Event]:
    """One-sided pulls of cheek or mouth that did not shut the eye (it may have narrowed).

    Not one while both eyes narrowed together (`blinking`, `_both_eyes_moving`): that is a
    blink's or a squeeze's. Nor one inside a smile or a pucker of the whole mouth (`smiling`,
    `smile_frames` with both corners moving alike): a face mesh may follow one corner of a
    smile twice as far as the other in some frames (the fifteenth blind set's development half:
    the astronaut, mirrored, at 640x360), and a pull in the middle of a smile, judged against
    the moments around it (`expressed`), is judged against the smile itself.
    """
    limits = thresholds()
    events = []
    gap = max(1, round(limits.merge_gap_s * measures.fps))
    for side in SIDES:
        other: Side = "left" if side == "right" else "right"
        moved = one_sided(regions, side)
        lower = (moved["cheek"] | moved["mouth"]) & ~busy
        for first, last in merged(segments(lower), gap):
            start, end = span(measures, first, last)
            if (
                end - start < limits.shortest_spasm_s
                # a smile or a pucker moves both corners alike: an expression, not a spasm
                or expressed(shifts, first, last, measures.fps)
                or smiling[first:last].any()
                or blinking[first:last].any()
            ):
                continue
            where = attributed(regions[side], moved, first, last)
            strength = max(float(regions[side][r][first:last].max()) for r in where)
            narrowed = np.nanmax(closure[side][first:last]) >= limits.still_closed and (
                np.nanmax(closure[other][first:last])
                < limits.bilateral_share * np.nanmax(closure[side][first:last])
            )
            regions_moved = ("eyelid", *where) if narrowed else where
            events.append(Event(start, end, "spasm", side, regions_moved, min(1.0, strength / 20)))
    return events
