"""From events to a summary of the clip and to the same evidence the interview collects.

Only what the video shows is claimed, each with a confidence and the reason: a clip of 30
seconds without a spasm does not prove there are none, so absence becomes evidence only where
the literature gives a rate to compare with (blinking: a rest rate above 27/min with rest above
conversation separates blepharospasm from normal blinking, sensitivity 92%, specificity 82%;
Bentivoglio 2006 -- normal is about 17/min at rest, Bentivoglio 1997).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from facespasm.video.events import Event, eye_closure
from facespasm.video.measures import SIDES, Measures

INCREASED_BLINK_RATE = 27.0  # per minute at rest (Bentivoglio 2006)
NORMAL_BLINK_RATE = 20.0  # comfortably inside the normal range at rest (Bentivoglio 1997)
MIN_MINUTES_FOR_RATE = 0.5  # a rate from less face time than this is too noisy to use
COMPLETE_CLOSURE = 0.85  # a spasm that brings the aperture below 15% shuts the eye


@dataclass(frozen=True, slots=True)
class Finding:
    """One item of ⚑ evidence read from the video, how sure we are, and why."""

    value: bool | str | tuple[str, ...]
    confidence: float
    why: str


def summarise(measures: Measures, events: list[Event]) -> dict[str, object]:
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
    both_shut = np.minimum(*(eye_closure(measures, side) for side in SIDES)) >= 0.5
    aperture_mm = {side: _median(measures.series("aperture_mm", side)) for side in SIDES}
    spasm_sides = Counter(e.side for e in events if e.kind == "spasm")
    spasms = sum(spasm_sides.values())
    return {
        "face_minutes": round(minutes, 3),
        "blink_rate_per_min": per_minute["blink"],
        "events_per_min": per_minute,
        "events_by_side": dict(by_side),
        "events_by_region": dict(by_region),
        "longest_closure_s": round(max(closures, default=0.0), 3),
        "eyes_closed_s": round(float(np.count_nonzero(both_shut)) / measures.fps, 3),
        "usual_aperture_mm": aperture_mm,
        "spasm_asymmetry": (
            round((spasm_sides["left"] - spasm_sides["right"]) / spasms, 3) if spasms else None
        ),
    }


def read_evidence(measures: Measures, events: list[Event]) -> dict[str, Finding]:
    """The ⚑ findings this clip shows, each with a confidence in 0-1 and a reason."""
    found: dict[str, Finding] = {}
    spasms = [e for e in events if e.kind == "spasm"]
    flickers = [e for e in events if e.kind == "flicker"]
    closures = [e for e in events if e.kind == "closure"]
    one_sided = spasms + flickers
    if one_sided:
        sides = {e.side for e in one_sided}
        found["side"] = Finding(
            "one" if len(sides) == 1 else "both",
            _by_count(len(one_sided)),
            f"{len(one_sided)} one-sided event(s), on the {' and '.join(sorted(sides))} side",
        )
        regions = tuple(dict.fromkeys(r for e in one_sided for r in e.regions))
        found["regions"] = Finding(
            regions, _by_count(len(one_sided)), f"seen to move: {', '.join(regions)}"
        )
    forceful = [e for e in closures if e.forceful]
    if forceful:
        found["forceful_closure"] = Finding(
            True, _by_count(len(forceful)),
            f"{len(forceful)} closure(s) of both eyes with the brows pulled down",
        )  # fmt: skip
    if flickers:
        found["small_flicker"] = Finding(
            True, _by_count(len(flickers)), f"{len(flickers)} small ripple(s) of one eyelid"
        )
    shut = [e for e in spasms if "eyelid" in e.regions and e.peak >= COMPLETE_CLOSURE]
    if shut:
        found["eye_closes_completely"] = Finding(
            True, _by_count(len(shut)), f"{len(shut)} spasm(s) shut the eye completely"
        )
    with_mouth = [e for e in spasms if {"eyelid", "mouth"} <= set(e.regions)]
    if with_mouth:
        found["spread_to_lower_face"] = Finding(
            True, 0.5, f"{len(with_mouth)} spasm(s) moved the eye and the mouth together"
        )
    smiles = [e for e in spasms if e.with_smile]
    if smiles:
        found["with_voluntary_movement"] = Finding(
            True, _by_count(len(smiles)), f"{len(smiles)} time(s) one eye narrowed in a smile"
        )
    minutes = _face_minutes(measures)
    if minutes >= MIN_MINUTES_FOR_RATE:
        rate = sum(e.kind == "blink" for e in events) / minutes
        if rate > INCREASED_BLINK_RATE:
            found["increased_blinking"] = Finding(
                True, 0.7, f"{rate:.0f} blinks a minute (above 27, Bentivoglio 2006)"
            )
        elif rate <= NORMAL_BLINK_RATE:
            found["increased_blinking"] = Finding(
                False, 0.5, f"{rate:.0f} blinks a minute (normal at rest is about 17)"
            )
    return found


def _face_minutes(measures: Measures) -> float:
    return float(np.count_nonzero(measures.face_found)) / measures.fps / 60.0


def _by_count(count: int) -> float:
    """More sightings, more confidence: 0.6 for one, rising to 0.9."""
    return round(min(0.9, 0.5 + 0.1 * count), 2)


def _median(values: np.ndarray) -> float | None:
    """The median of what was measured, or None when nothing was (a trace without this measure)."""
    known = values[~np.isnan(values)]
    return round(float(np.median(known)), 2) if known.size else None
