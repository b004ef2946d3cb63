"""Scripts of planted events that look like each disorder, and what a video of it should show.

Each disorder is planted as the source article and issue 3 describe it, on one anatomical side
where it is one-sided:

- hemifacial spasm: clonic bursts that begin at the eye and later take in the cheek and the
  mouth (eye-only twitches first, then eye and cheek, then eye, cheek and mouth), and a tonic
  hold of the whole side; ordinary blinking;
- blepharospasm: forceful closures of both eyes with the brows pulled down, and blinking at
  about 35 a minute (above Bentivoglio 2006's 27/min);
- synkinesis: smiles during which the eye on the affected side narrows; ordinary blinking;
- myokymia: fine 5 Hz ripples of one lower lid; ordinary blinking;
- ordinary blinks: blinking at about 15 a minute and nothing else.

`expected_evidence` is the ⚑ evidence a reader of such a clip should come away with: what the
synthetic set is scored against (bench/video_faces.py and tests/video).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

import numpy as np

from facespasm.errors import InputError
from facespasm.video.planted import PlantedEvent

Disorder = Literal["hemifacial_spasm", "blepharospasm", "synkinesis", "myokymia", "blinks"]
DISORDERS: tuple[str, ...] = get_args(Disorder)
OneSide = Literal["left", "right"]

# Blinks per minute planted at rest: ordinary (Bentivoglio 1997: about 17 at rest), and in
# blepharospasm (the issue's hidden set used 35, above Bentivoglio 2006's 27).
ORDINARY_BLINKS_PER_MIN = 15.0
MANY_BLINKS_PER_MIN = 35.0
_BLINK_CLEARANCE_S = 0.35  # blinks are kept this far from each other and from other events

_Episode = list[tuple[str, float, float, tuple[str, ...], float]]


def disorder_script(
    disorder: str, duration_s: float, seed: int = 0, side: OneSide = "left"
) -> tuple[PlantedEvent, ...]:
    """A clip's worth of planted events typical of `disorder`, on `side` where one-sided.

    Raises:
        InputError: an unknown disorder or side, or a clip too short (under 6 s) to hold one.
    """
    if disorder not in DISORDERS:
        raise InputError(f"unknown disorder {disorder!r} (expected one of {', '.join(DISORDERS)})")
    if side not in ("left", "right"):
        raise InputError(f"side must be 'left' or 'right', not {side!r}")
    if not duration_s >= 6.0:
        raise InputError(f"a disorder's clip needs at least 6 seconds, not {duration_s:g}")
    rng = np.random.default_rng(seed)
    episodes = _episodes(disorder, duration_s, rng)
    events: list[PlantedEvent] = []
    t = float(rng.uniform(0.8, 1.2))
    for episode in episodes:
        length = max(end for _, _, end, _, _ in episode)
        if t + length > duration_s - 0.6:
            break
        for kind, start, end, regions, amplitude in episode:
            where = "both" if kind in ("blink", "closure") else side
            events.append(
                PlantedEvent(
                    kind,  # type: ignore[arg-type]
                    round(t + start, 3),
                    round(t + end, 3),
                    where,
                    regions,
                    amplitude,
                )
            )
        t += length + float(rng.uniform(1.0, 2.0)) * duration_s / 20.0
    rate = MANY_BLINKS_PER_MIN if disorder == "blepharospasm" else ORDINARY_BLINKS_PER_MIN
    events += _blinks(events, duration_s, rate, rng)
    return tuple(sorted(events, key=lambda e: e.start_s))


def _episodes(disorder: str, duration_s: float, rng: np.random.Generator) -> list[_Episode]:
    count = max(1, round(3 * duration_s / 20.0))
    eye, cheek, mouth = ("eyelid",), ("eyelid", "cheek"), ("eyelid", "cheek", "mouth")
    episodes: list[_Episode] = []
    if disorder == "hemifacial_spasm":
        for number in range(count):
            # The first burst is the eye alone; later ones spread to the cheek and the mouth.
            spread = (eye, eye) if number == 0 else (eye, cheek, mouth)
            burst: _Episode = []
            t = 0.0
            for regions in spread:
                length = round(float(rng.uniform(0.2, 0.35)), 3)
                burst.append(
                    ("spasm", t, t + length, regions, round(float(rng.uniform(0.75, 1)), 2))
                )
                t = round(t + length + float(rng.uniform(0.25, 0.4)), 3)
            episodes.append(burst)
        episodes.append([("spasm", 0.0, 1.0, mouth, 0.9)])  # a tonic hold of the whole side
    elif disorder == "blepharospasm":
        for _ in range(count):
            length = round(float(rng.uniform(0.7, 1.4)), 3)
            episodes.append([("closure", 0.0, length, ("eyelid", "brow", "cheek"), 1.0)])
    elif disorder == "synkinesis":
        for _ in range(count):
            length = round(float(rng.uniform(1.4, 2.0)), 3)
            amplitude = round(float(rng.uniform(0.5, 0.7)), 2)
            episodes.append([("smile_closure", 0.0, length, mouth, amplitude)])
    elif disorder == "myokymia":
        for _ in range(count):
            length = round(float(rng.uniform(1.2, 2.2)), 3)
            amplitude = round(float(rng.uniform(0.12, 0.2)), 2)
            episodes.append([("flicker", 0.0, length, eye, amplitude)])
    return episodes


def _blinks(
    planted: list[PlantedEvent], duration_s: float, per_min: float, rng: np.random.Generator
) -> list[PlantedEvent]:
    busy = [(e.start_s - _BLINK_CLEARANCE_S, e.end_s + _BLINK_CLEARANCE_S) for e in planted]
    blinks = []
    for _ in range(round(per_min * duration_s / 60.0)):
        for _attempt in range(100):
            start = float(rng.uniform(0.3, duration_s - 0.5))
            end = start + float(rng.uniform(0.12, 0.3))
            if all(end < low or start > high for low, high in busy):
                blinks.append(
                    PlantedEvent("blink", round(start, 3), round(end, 3), "both", ("eyelid",))
                )
                busy.append((start - _BLINK_CLEARANCE_S, end + _BLINK_CLEARANCE_S))
                break
    return blinks


def expected_evidence(disorder: str) -> dict[str, object]:
    """The ⚑ evidence a clip of `disorder` (from `disorder_script`) should give.

    `regions` lists the regions that must be among those found; a finding set to False must be
    absent or False.
    """
    absent = {
        "small_flicker": False,
        "forceful_closure": False,
        "with_voluntary_movement": False,
        "spread_to_lower_face": False,
    }
    expected: dict[str, dict[str, object]] = {
        "hemifacial_spasm": {
            "side": "one",
            "regions": ("eyelid", "cheek", "mouth"),
            "spread_to_lower_face": True,
            "increased_blinking": False,
        },
        "blepharospasm": {
            "side": "both",
            "forceful_closure": True,
            "increased_blinking": True,
        },
        "synkinesis": {
            "side": "one",
            "regions": ("eyelid",),
            "with_voluntary_movement": True,
            "increased_blinking": False,
        },
        "myokymia": {
            "side": "one",
            "regions": ("eyelid",),
            "small_flicker": True,
            "increased_blinking": False,
        },
        "blinks": {"increased_blinking": False},
    }
    if disorder not in expected:
        raise InputError(f"unknown disorder {disorder!r} (expected one of {', '.join(DISORDERS)})")
    return {**absent, **expected[disorder]}


def agreement(expected: Mapping[str, object], found: Mapping[str, object]) -> tuple[int, int]:
    """How many of the expected findings the evidence `found` agrees with, out of how many.

    A region list agrees when it holds every expected region; a finding expected False agrees
    when it is absent or False; any other finding agrees when it is equal.
    """
    agreed = 0
    for finding, value in expected.items():
        seen = found.get(finding)
        if finding == "regions":
            agreed += isinstance(seen, list | tuple) and set(value) <= set(seen)  # type: ignore[call-overload]
        elif value is False:
            agreed += seen is None or seen is False
        else:
            agreed += seen == value
    return agreed, len(expected)


def event_scores(
    planted: tuple[PlantedEvent, ...], found: list[tuple[float, float, str, str]]
) -> dict[str, int]:
    """Planted events found, found events that were planted, and sides right.

    Found events are given as (start_s, end_s, kind, side); a planted event is found by a found
    event of its kind that overlaps it in time.

    A smile that narrows one eye is found as a spasm of that eye; a clonic burst may be found as
    one spasm covering several planted contractions (each counts as found).
    """
    as_found = {"smile_closure": "spasm"}

    def overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
        return a[0] < b[1] and b[0] < a[1]

    recalled = sum(
        any(
            kind == as_found.get(p.kind, p.kind) and overlaps((start, end), (p.start_s, p.end_s))
            for start, end, kind, _ in found
        )
        for p in planted
    )
    precise = sum(
        any(overlaps((start, end), (p.start_s, p.end_s)) for p in planted)
        for start, end, _, _ in found
    )
    one_sided = [
        (side, p.side)
        for start, end, kind, side in found
        if kind in ("spasm", "flicker")
        for p in planted
        if p.side != "both" and overlaps((start, end), (p.start_s, p.end_s))
    ]
    return {
        "planted": len(planted),
        "recalled": recalled,
        "found": len(found),
        "precise": precise,
        "sided": len(one_sided),
        "side_right": sum(side == truth for side, truth in one_sided),
    }
