"""What to plant in a synthetic video: events, their checks, and scripts of events.

A planted event says what the face does, when, on which anatomical side and in which regions,
and how strongly; everything that cannot happen in a face (a one-eyed blink, an end before its
start) is refused with a one-line `InputError`, so a script file's mistakes are reported, not
rendered. `default_script` is a realistic mix for demos (issue 3): blinks at about 15 a minute,
clonic and tonic one-sided spasms spreading eye → cheek → mouth, a forceful closure, a flicker,
and a smile that narrows one eye.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np

from facespasm.errors import InputError
from facespasm.files import read_json_file

Kind = Literal["blink", "closure", "spasm", "flicker", "smile_closure"]
Side = Literal["left", "right", "both"]
KINDS: tuple[str, ...] = get_args(Kind)
SIDES: tuple[str, ...] = get_args(Side)
REGIONS = ("eyelid", "brow", "cheek", "mouth")

FLICKER_HZ = 5.0


@dataclass(frozen=True, slots=True)
class PlantedEvent:
    """One event planted in a synthetic video: what, when, where and how strongly.

    Attributes:
        kind: blink, closure (both eyes forcefully shut), spasm (one contraction), flicker
            (lower-lid ripple) or smile_closure (a smile with one eye narrowing).
        start_s: when the movement starts, in seconds from the first frame.
        end_s: when the face is back at rest.
        side: the person's anatomical side; "both" for blinks and closures.
        regions: the regions that move, from "eyelid", "brow", "cheek", "mouth".
        amplitude: 0..1, the fraction of full closure (eyelid) or full displacement (others).
    """

    kind: Kind
    start_s: float
    end_s: float
    side: Side
    regions: tuple[str, ...]
    amplitude: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "regions", tuple(self.regions))
        problem = _event_problem(self)
        if problem:
            raise InputError(problem)

    def to_dict(self) -> dict[str, Any]:
        """The event as a JSON-ready object."""
        return {
            "kind": self.kind,
            "start_s": self.start_s,
            "end_s": self.end_s,
            "side": self.side,
            "regions": list(self.regions),
            "amplitude": self.amplitude,
        }


def _event_problem(event: PlantedEvent) -> str | None:
    return next(_event_problems(event), None)


def _number_problems(event: PlantedEvent) -> Iterator[str]:
    for name in ("start_s", "end_s", "amplitude"):
        value = getattr(event, name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            yield f"{name} must be a number, not {value!r}"
        elif not math.isfinite(value):
            yield f"{name} must be finite, not {value!r}"


def _event_problems(event: PlantedEvent) -> Iterator[str]:
    """What is wrong with an event, most basic first (only the first is ever reported)."""
    if event.kind not in KINDS:
        yield f"unknown kind {event.kind!r} (expected one of {', '.join(KINDS)})"
    if event.side not in SIDES:
        yield f"unknown side {event.side!r} (expected one of {', '.join(SIDES)})"
    if not event.regions:
        yield "no regions (expected some of eyelid, brow, cheek, mouth)"
    unknown = [r for r in event.regions if r not in REGIONS]
    if unknown:
        yield f"unknown region {unknown[0]!r} (expected eyelid, brow, cheek or mouth)"
    yield from _number_problems(event)
    if event.start_s < 0:
        yield f"start_s is negative ({event.start_s} s)"
    if event.end_s <= event.start_s:
        yield f"end_s ({event.end_s} s) is not after start_s ({event.start_s} s)"
    if not 0 < event.amplitude <= 1:
        yield f"amplitude must be in (0, 1], not {event.amplitude}"
    yield from _anatomy_problems(event)


def _anatomy_problems(event: PlantedEvent) -> Iterator[str]:
    if event.kind in ("blink", "closure") and event.side != "both":
        yield f"a {event.kind} involves both eyes; side must be 'both', not {event.side!r}"
    if event.kind in ("flicker", "smile_closure") and event.side == "both":
        yield f"a {event.kind} involves one eye; side must be 'left' or 'right'"
    if event.kind != "spasm" and "eyelid" not in event.regions:
        yield f"a {event.kind} moves the eyelid; its regions must include 'eyelid'"


@dataclass(frozen=True, slots=True)
class Script:
    """A parsed script: the events to plant, and the duration and fps it asks for, if any."""

    events: tuple[PlantedEvent, ...]
    duration_s: float | None = None
    fps: float | None = None


def parse_script(data: object) -> Script:
    """A script from parsed JSON: a list of events, or an object with "events".

    The object may also give "duration_s" and "fps", so that a ground-truth file can be
    replayed as a script. Events are kept in the script's order, so that errors can name them
    by number.

    Raises:
        InputError: naming the first event or setting that is malformed and what is wrong.
    """
    settings: dict[str, float | None] = {"duration_s": None, "fps": None}
    if isinstance(data, dict):
        for name in settings:
            value = data.get(name)
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                    raise InputError(f"{name} must be a positive number, not {value!r}")
                settings[name] = float(value)
        data = data.get("events")
    if not isinstance(data, list):
        raise InputError('a script must be a JSON list of events or an object with "events"')
    events = tuple(_event_from_json(number, item) for number, item in enumerate(data, start=1))
    if settings["duration_s"] is not None:
        check_within(events, settings["duration_s"])
    return Script(events, settings["duration_s"], settings["fps"])


def _event_from_json(number: int, item: object) -> PlantedEvent:
    if not isinstance(item, dict):
        raise InputError(f"event {number} is not a JSON object")
    missing = [k for k in ("kind", "start_s", "end_s", "side", "regions") if k not in item]
    if missing:
        raise InputError(f"event {number} lacks {', '.join(missing)}")
    extra = sorted(set(item) - {"kind", "start_s", "end_s", "side", "regions", "amplitude"})
    if extra:
        raise InputError(f"event {number} has unknown field {extra[0]!r}")
    regions = item["regions"]
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise InputError(f"event {number}: regions must be a list of names")
    try:
        return PlantedEvent(
            kind=item["kind"],
            start_s=item["start_s"],
            end_s=item["end_s"],
            side=item["side"],
            regions=tuple(regions),
            amplitude=item.get("amplitude", 1.0),
        )
    except InputError as error:
        raise InputError(f"event {number}: {error}") from None


def check_within(events: Sequence[PlantedEvent], duration_s: float) -> None:
    """Check that every event ends within a video of `duration_s`.

    Raises:
        InputError: naming the first event (by its number in `events`) that ends too late.
    """
    for number, event in enumerate(events, start=1):
        if event.end_s > duration_s:
            raise InputError(
                f"event {number} ends at {event.end_s:g} s, after the end of the "
                f"{duration_s:g} s video"
            )


def read_script(path: Path) -> Script:
    """A script from a JSON file (see `parse_script`).

    Raises:
        InputError: the file is missing, unreadable, not JSON, or holds a bad event; the
            message names the file.
    """
    data = read_json_file(path, "script file", MAX_SCRIPT_BYTES)
    try:
        return parse_script(data)
    except InputError as error:
        raise InputError(f"{path}: {error}") from None


MAX_SCRIPT_BYTES = 1_000_000  # a script of a few hundred events is a few tens of kB

_Planned = tuple[Kind, float, float, Side, tuple[str, ...], float]


def default_script(duration_s: float = 20.0, seed: int = 0) -> tuple[PlantedEvent, ...]:
    """A realistic mix for a hemifacial-spasm demo, laid out without overlaps.

    About 15 blinks a minute (100–300 ms), two or three spasm episodes on one side (clonic bursts
    of 150–300 ms contractions spreading eye → cheek → mouth, or a 1 s tonic hold), one forceful
    bilateral closure of 0.6–1.2 s, one 1–2 s flicker of a lower lid and one smile with the eye
    on the spasm side narrowing. Episodes that do not fit a short duration are left out.

    Args:
        duration_s: length of the video the script is for.
        seed: the same seed gives the same script.

    Raises:
        InputError: the duration is not positive.
    """
    if not duration_s > 0:
        raise InputError(f"duration must be positive, not {duration_s}")
    rng = np.random.default_rng(seed)
    spasm_side: Side = "right" if rng.random() < 0.5 else "left"
    flicker_side: Side = "left" if rng.random() < 0.5 else "right"
    episodes: list[list[_Planned]] = []
    for number in range(int(rng.integers(2, 4))):
        if number == 1:
            hold = 1.0
            regions = ("eyelid", "cheek", "mouth")
            episodes.append([("spasm", 0.0, hold, spasm_side, regions, 0.9)])
            continue
        burst: list[_Planned] = []
        t = 0.0
        twitches = int(rng.integers(4, 8))
        for twitch in range(twitches):
            length = round(float(rng.uniform(0.15, 0.3)), 3)
            # Synkinetic spread: the eye first, then the cheek, then the mouth joins in.
            spread = ("eyelid", "cheek", "mouth")[: 1 + (3 * twitch) // twitches]
            strength = round(float(rng.uniform(0.7, 1)), 2)
            burst.append(("spasm", t, t + length, spasm_side, spread, strength))
            t = round(t + length + float(rng.uniform(0.05, 0.25)), 3)
        episodes.append(burst)
    closure = round(float(rng.uniform(0.6, 1.2)), 3)
    episodes.append([("closure", 0.0, closure, "both", ("eyelid", "brow", "cheek"), 1.0)])
    flicker = round(float(rng.uniform(1.0, 2.0)), 3)
    amplitude = round(float(rng.uniform(0.1, 0.2)), 2)
    episodes.append([("flicker", 0.0, flicker, flicker_side, ("eyelid",), amplitude)])
    smile = ("eyelid", "cheek", "mouth")
    episodes.append([("smile_closure", 0.0, 1.5, spasm_side, smile, 0.6)])
    order = rng.permutation(len(episodes))

    events: list[PlantedEvent] = []
    t = float(rng.uniform(0.8, 1.5))
    for index in order:
        episode = episodes[index]
        length = episode[-1][2]
        if t + length > duration_s - 0.5:
            continue
        for kind, start, end, side, regions, amp in episode:
            events.append(
                PlantedEvent(kind, round(t + start, 3), round(t + end, 3), side, regions, amp)
            )
        t += length + float(rng.uniform(0.8, 2.0))
    busy = [(e.start_s - 0.4, e.end_s + 0.4) for e in events]
    for _ in range(round(15 * duration_s / 60)):
        for _attempt in range(50):
            start = float(rng.uniform(0.3, duration_s - 0.6))
            end = start + float(rng.uniform(0.1, 0.3))
            if all(end < lo or start > hi for lo, hi in busy):
                events.append(
                    PlantedEvent("blink", round(start, 3), round(end, 3), "both", ("eyelid",), 1.0)
                )
                busy.append((start - 0.4, end + 0.4))
                break
    return tuple(sorted(events, key=lambda e: e.start_s))
