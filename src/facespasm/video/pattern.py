"""From events to a summary of the clip and to the same evidence the interview collects.

Only what the video shows is claimed, each with a confidence and the reason: a clip of 30
seconds without a spasm does not prove there are none, so absence becomes evidence only where
the literature gives a rate to compare with (blinking: a rest rate above 27/min with rest above
conversation separates blepharospasm from normal blinking, sensitivity 92%, specificity 82%;
Bentivoglio 2006 -- normal is about 17/min at rest, Bentivoglio 1997). A normal rate reassures,
so it is said only of the time the eyes were open: closures of both eyes (a look down, a squeeze)
leave fewer seconds in which a blink could be seen.

Side: one-sided events on one side give `side: one`; on both sides, or closures of both eyes
that outnumber the one-sided events, give `side: both` -- forceful ones (blepharospasm's squeeze)
or ones held a second or more, again and again, inside the clip (blepharospasm's closures with
the brows not seen to move; a closure cut by the clip's start or end, such as a look down at the
start, is not judged). A flicker of the other eye beside one eye's spasms makes it both: the
side is never narrowed to one on a guess (the video may over-refer, never under-refer).

Spread to the lower face is read from the order of regions across a side's spasms: the eye alone
first, the cheek or mouth later (as hemifacial spasm spreads; source article). The eye and the
mouth moving in one spasm is not spread: that is where it moved (`regions`), and it is also how
synkinesis moves (the mouth corner lifts with the eye's closure in 85%; synkinesis patterns
study). Every threshold is in `data/thresholds.yaml` with its source.

One eye's spasms are read by how they close it: shut completely (`eye_closes_completely`), held
narrowed half a second or more (`eye_narrows_in_spasm`, a tonic spasm), or jerked a third or
more shut and open again (a fifth far beyond its noise, a tenth again and again) while the other
eye stayed within its noise (`eye_twitches_partly_shut`, a clonic twitch). Myokymia's ripple
does none of these. Both eyes dipping partly shut together in quick bursts is blepharospasm's
eyelid fluttering (`eyes_flutter`, flutters.py). A spasm of one eye alone that reads as none of
these -- a jerk during which the other eye moved too, as in a blink the face mesh follows
unevenly on a turned head -- stays an event of the clip but is no evidence: it cannot say which
side twitched or how, and one side's eyelid alone is what a harmless myokymia looks like, so
counting it could reassure about a twitch the video could not read (the video may over-refer,
never under-refer).

A clip with enough face time to count blinks (`min_seconds_for_rate`) in which the eyes were never
seen to close, not even in a blink, is one whose lids the face mesh did not follow (a small, dim
or turned face; blind writers' blinks at 11-16 a minute on some faces measured none) or a person
who blinked far less than the 17 a minute usual at rest (Bentivoglio 1997): `lids_unseen`. It then
says nothing about blinking, and its flickers are no evidence: a flicker is told from a clonic
twitch by the lid's closing (flickers.py), which was not seen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from facespasm.video.event import Event, frames_during
from facespasm.video.eyes import eye_closure, eye_narrowing
from facespasm.video.flutters import flutters
from facespasm.video.measures import SIDES, Measures, Side
from facespasm.video.summary import VideoSummary
from facespasm.video.thresholds import thresholds


@dataclass(frozen=True, slots=True)
class Finding:
    """One item of ⚑ evidence read from the video, how sure we are, and why."""

    value: bool | str | tuple[str, ...]
    confidence: float
    why: str


def summarise(measures: Measures, events: list[Event]) -> VideoSummary:
    """Rates, durations and asymmetry of the clip: what a clinician would count by eye."""
    minutes = _face_minutes(measures)
    kinds = Counter(event.kind for event in events)
    per_minute = {kind: round(kinds[kind] / minutes, 2) if minutes else None
                  for kind in ("blink", "closure", "spasm", "flicker")}  # fmt: skip
    by_side = Counter(f"{e.kind}_{e.side}" for e in events if e.kind in ("spasm", "flicker"))
    by_region = Counter(
        region for e in events if e.kind in ("spasm", "flicker") for region in e.regions
    )
    closures = [e.duration_s for e in events if e.kind in ("closure", "blink")]
    closed = thresholds().closed
    both_shut = np.minimum(*(eye_closure(measures, side) for side in SIDES)) >= closed
    aperture_mm = {side: _median(measures.series("aperture_mm", side)) for side in SIDES}
    spasm_sides = Counter(e.side for e in events if e.kind == "spasm")
    spasms = sum(spasm_sides.values())
    return VideoSummary(
        face_minutes=round(minutes, 3),
        # Not one blink in face time enough to count them: the rate was not measured.
        blink_rate_per_min=None if lids_unseen(measures, events) else per_minute["blink"],
        events_per_min=per_minute,
        events_by_side=dict(by_side),
        events_by_region=dict(by_region),
        longest_closure_s=round(max(closures, default=0.0), 3),
        eyes_closed_s=round(float(np.count_nonzero(both_shut)) / measures.fps, 3),
        usual_aperture_mm=aperture_mm,
        spasm_asymmetry=(
            round((spasm_sides["left"] - spasm_sides["right"]) / spasms, 3) if spasms else None
        ),
    )


def read_evidence(measures: Measures, events: list[Event]) -> dict[str, Finding]:
    """The ⚑ findings this clip shows, each with a confidence in 0-1 and a reason."""
    found: dict[str, Finding] = {}
    unseen = lids_unseen(measures, events)
    flickers = [] if unseen else [e for e in events if e.kind == "flicker"]
    closures = [e for e in events if e.kind == "closure"]
    eye = _EyeSpasms.read(measures, [e for e in events if e.kind == "spasm"])
    spasms = eye.read_spasms
    one_sided = spasms + flickers
    forceful = [e for e in closures if e.forceful]
    held = _held_closures(measures, closures)
    both_eyes = forceful + held
    if one_sided or both_eyes:
        sides = {e.side for e in one_sided}
        bilateral = len(sides) > 1 or len(both_eyes) > len(one_sided)
        where = " and ".join(sorted(sides))
        why = (
            (
                f"{len(one_sided)} one-sided event(s) on the {where} side"
                if one_sided
                else "no one-sided event"
            )
            + (f", {len(forceful)} forceful closure(s) of both eyes" if forceful else "")
            + (f", {len(held)} held closure(s) of both eyes" if held else "")
        )
        found["side"] = Finding(
            "both" if bilateral else "one", _by_count(len(one_sided) + len(both_eyes)), why
        )
        regions = tuple(dict.fromkeys(r for e in one_sided + both_eyes for r in e.regions))
        found["regions"] = Finding(
            regions,
            _by_count(len(one_sided) + len(both_eyes)),
            f"seen to move: {', '.join(regions)}",
        )
    if forceful:
        found["forceful_closure"] = Finding(
            True, _by_count(len(forceful)),
            f"{len(forceful)} closure(s) of both eyes with the brows pulled down",
        )  # fmt: skip
    found.update(_how_the_eyes_close(eye, flickers, held))
    spread = _spread(spasms)
    if spread:
        found["spread_to_lower_face"] = Finding(True, 0.5, spread)
    smiles = [e for e in spasms if e.with_smile]
    if smiles:
        found["with_voluntary_movement"] = Finding(
            True,
            _by_count(len(smiles)),
            f"{len(smiles)} time(s) one eye narrowed in a smile, a pucker or talking",
        )
        # The measured sign itself (knowledge: a finding only a video gives, never asked).
        found["eye_narrows_with_smile"] = Finding(
            True,
            _by_count(len(smiles)),
            f"{len(smiles)} time(s) one eye narrowed well beyond the other while both mouth "
            "corners rose or drew in, or as the person started talking",
        )
    found.update(_fluttering(measures))
    if not unseen:
        found.update(_blinking(measures, events))
    return found


def lids_unseen(measures: Measures, events: list[Event]) -> bool:
    """Whether the clip had face time enough to count blinks and the eyes never closed in it.

    Enough is `min_seconds_for_rate`; closing is a blink or a closure of both eyes (the module
    docstring says what such a clip means).
    """
    enough = _face_minutes(measures) * 60 >= thresholds().min_seconds_for_rate
    return enough and not any(e.kind in ("blink", "closure") for e in events)


def _fluttering(measures: Measures) -> dict[str, Finding]:
    """`eyes_flutter`, when both eyes fluttered together in quick bursts (flutters.py)."""
    bursts = flutters(measures)
    if not bursts:
        return {}
    dips = sum(count for _, _, count in bursts)
    return {
        "eyes_flutter": Finding(
            True,
            _by_count(len(bursts)),
            f"{len(bursts)} burst(s) of quick partial closures of both eyes together ({dips} "
            f"dips, first at {bursts[0][0]:.1f} s)",
        )
    }


@dataclass(frozen=True)
class _EyeSpasms:
    """The clip's spasms, and how each that moved one eye alone closed it (the module docstring).

    `narrowed`: held narrowed; `jerks`: jerked partly shut with the other eye still; `shut`:
    shut completely; `unread`: one eye's spasms that are none of these nor came with a smile.
    """

    spasms: list[Event]
    narrowed: list[Event]
    jerks: list[Event]
    shut: list[Event]
    unread: list[Event]

    @classmethod
    def read(cls, measures: Measures, spasms: list[Event]) -> _EyeSpasms:
        """Sort the clip's spasms by how each closed one eye."""
        limits = thresholds()
        eyelid = [e for e in spasms if "eyelid" in e.regions and not e.with_smile]
        narrowed = [e for e in eyelid if e.duration_s >= limits.held_spasm_s]
        # A brief jerk of one eye a third or more shut (but not completely), a fifth far beyond
        # its noise (`faint_narrowing`), or a tenth again and again (`small_narrowing`;
        # narrowings.py finds so small a one only when it recurs), is hemifacial spasm's clonic
        # twitch, which myokymia's ripple never is; a face mesh under-reads how far a lid
        # closes, so such a jerk may be a complete closure the mesh followed partway. A jerk
        # inside a smile, a pucker or a talk under way is that movement's narrowing (events.py
        # marks it `with_smile`): synkinesis's sign, not a clonic twitch.
        jerks = _with_the_other_eye_still(
            measures,
            [
                e
                for e in eyelid
                if e.duration_s < limits.held_spasm_s
                and limits.small_narrowing <= e.peak < limits.complete_closure
            ],
        )
        shut = [e for e in spasms if "eyelid" in e.regions and e.peak >= limits.complete_closure]
        read = narrowed + jerks + shut
        unread = [e for e in eyelid if e.regions == ("eyelid",) and e not in read]
        return cls(spasms, narrowed, jerks, shut, unread)

    @property
    def read_spasms(self) -> list[Event]:
        """The spasms that are evidence: all but the `unread` ones."""
        return [e for e in self.spasms if e not in self.unread]


def _how_the_eyes_close(
    eye: _EyeSpasms, flickers: list[Event], held: list[Event]
) -> dict[str, Finding]:
    """How the spasms, flickers and held closures close the eyes (see the module docstring)."""
    found: dict[str, Finding] = {}
    limits = thresholds()
    # A flicker of an eye that also narrowed in a held spasm is that eye's clonic twitching
    # between its tonic spasms (hemifacial spasm's "irregular clonic or tonic contractions",
    # Yaltho 2011), not myokymia's ripple, which never narrows the eye so: not a small flicker.
    narrowed_sides = {e.side for e in eye.narrowed}
    ripples = [e for e in flickers if e.side not in narrowed_sides]
    if ripples:
        found["small_flicker"] = Finding(
            True, _by_count(len(ripples)), f"{len(ripples)} small ripple(s) of one eyelid"
        )
    if eye.narrowed:
        # The measured sign (knowledge: a finding only a video gives, never asked).
        deepest = max(e.peak for e in eye.narrowed)
        found["eye_narrows_in_spasm"] = Finding(
            True,
            _by_count(len(eye.narrowed)),
            f"{len(eye.narrowed)} time(s) one eye narrowed and stayed so {limits.held_spasm_s:g} "
            f"s or longer (at most by {deepest:.0%} of its opening) while the other eye did not",
        )
    if eye.jerks:
        found["eye_twitches_partly_shut"] = Finding(
            True,
            _by_count(len(eye.jerks)),
            f"{len(eye.jerks)} time(s) one eye jerked partly shut (by "
            f"{min(e.peak for e in eye.jerks):.0%} to {max(e.peak for e in eye.jerks):.0%} of its "
            f"opening), for under {limits.held_spasm_s:g} s, while the other eye did not",
        )
    if eye.shut:
        found["eye_closes_completely"] = Finding(
            True, _by_count(len(eye.shut)), f"{len(eye.shut)} spasm(s) shut the eye completely"
        )
    if held and "eye_closes_completely" not in found:
        found["eye_closes_completely"] = Finding(
            True,
            _by_count(len(held)),
            f"{len(held)} closures of both eyes held {limits.held_closure_s:g} s or longer",
        )
    return found


def _blinking(measures: Measures, events: list[Event]) -> dict[str, Finding]:
    """`increased_blinking`, when the clip shows enough face time to count blinks."""
    found: dict[str, Finding] = {}
    limits = thresholds()
    minutes = _face_minutes(measures)
    # Too many blinks may be said from less face time than a normal rate: the error that
    # shorter counts risk is then a referral, not a reassurance.
    if minutes * 60 >= limits.min_seconds_for_increase:
        rate = sum(e.kind == "blink" for e in events) / minutes
        open_rate = _open_rate(measures, events)
        # Less than a minute of face: the rate is less certain (Bentivoglio counted minutes).
        scale = min(1.0, minutes)
        if rate > limits.increased_blink_rate:
            found["increased_blinking"] = Finding(
                True,
                round(0.5 + 0.2 * scale, 2),
                f"{rate:.0f} blinks a minute (above {limits.increased_blink_rate:.0f}, "
                "Bentivoglio 2006)",
            )
        elif open_rate is not None and open_rate <= limits.normal_blink_rate:
            found["increased_blinking"] = Finding(
                False,
                round(0.3 + 0.2 * scale, 2),
                f"{open_rate:.0f} blinks a minute of open eyes (normal at rest is about 17)",
            )
    return found


def _open_rate(measures: Measures, events: list[Event]) -> float | None:
    """Blinks a minute over the time the eyes were open; None with too little of it to say.

    A normal rate is reassuring, so it is said only of what was seen: no one blinks with the
    eyes shut, and a clip with closures of both eyes (a look down, a squeeze) has fewer seconds
    in which a blink could have been seen. Too little is under `min_seconds_for_rate`.
    """
    closed_s = sum(event.duration_s for event in events if event.kind == "closure")
    open_s = _face_minutes(measures) * 60 - closed_s
    if open_s < thresholds().min_seconds_for_rate:
        return None
    return sum(event.kind == "blink" for event in events) / open_s * 60


def _spread(spasms: list[Event]) -> str | None:
    """Why the spasms show a spread to the lower face, or None.

    On one side, the eye alone first and the cheek or mouth later. A smile's eye narrowing is a
    voluntary movement's companion, not a spasm that spreads.
    """
    for side in SIDES:
        own = [e for e in spasms if e.side == side and not e.with_smile]
        eye_only = [e.start_s for e in own if set(e.regions) == {"eyelid"}]
        lower = [e.start_s for e in own if {"cheek", "mouth"} & set(e.regions)]
        if eye_only and lower and min(eye_only) < min(lower):
            return (
                f"on the {side} side, spasms of the eye alone came first, then the cheek or mouth"
            )
    return None


def _with_the_other_eye_still(measures: Measures, events: list[Event]) -> list[Event]:
    """The one-sided events during which the other eye stayed within its own noise and open.

    A blink the face mesh follows on one eye only (a small or turned face) still moves the
    other eye a little; a clonic twitch of one eye leaves the other still (`eye_noise_z`). A
    jittery eye's noise is wide enough to hide its part in a blink, so the other eye must also
    not have closed `other_eye_rise` further than over as long a moment just before.
    """
    if not events:
        return []
    limits = thresholds()
    narrowing = {side: eye_narrowing(measures, side) for side in SIDES}
    closure = {side: eye_closure(measures, side) for side in SIDES}
    kept = []
    for event in events:
        other: Side = "left" if event.side == "right" else "right"
        during = frames_during(measures, [event])
        before = (measures.time >= 2 * event.start_s - event.end_s) & (
            measures.time < event.start_s
        )
        # Over the frames with a face; none before (the clip's start): the noise alone decides.
        now, then = (closure[other][frames] for frames in (during, before))
        now, then = now[~np.isnan(now)], then[~np.isnan(then)]
        rise = float(now.max() - np.median(then)) if now.size and then.size else 0.0
        if (
            narrowing[other][during].max(initial=0.0) < limits.eye_noise_z
            and rise < limits.other_eye_rise
        ):
            kept.append(event)
    return kept


def _face_minutes(measures: Measures) -> float:
    return float(np.count_nonzero(measures.face_found)) / measures.fps / 60.0


def _held_closures(measures: Measures, closures: list[Event]) -> list[Event]:
    """Closures of both eyes held `held_closure_s` or longer, within the clip, if repeated.

    Only closures that start after the first frame and end before the last are judged (one cut
    by the clip's edge, such as a look down as the recording starts, has no known length), and
    only when there are `held_closures` of them: one held closure is a person closing their eyes.
    Forceful ones are counted as forceful.
    """
    limits = thresholds()
    if not len(measures.time):
        return []
    first, last = float(measures.time[0]), float(measures.time[-1])
    held = [
        e
        for e in closures
        if not e.forceful
        and e.duration_s >= limits.held_closure_s
        and e.start_s > first
        and e.end_s < last
    ]
    return held if len(held) >= limits.held_closures else []


def _by_count(count: int) -> float:
    """More sightings, more confidence: 0.6 for one, rising to 0.9."""
    return round(min(0.9, 0.5 + 0.1 * count), 2)


def _median(values: np.ndarray) -> float | None:
    """The median of what was measured, or None when nothing was (a trace without this measure)."""
    known = values[~np.isnan(values)]
    return round(float(np.median(known)), 2) if known.size else None
