"""Eyelid fluttering: quick bursts of partial closures of both eyes (blepharospasm, JRS grade 2)."""

from __future__ import annotations

import numpy as np
import pytest

from facespasm.case import assess_case
from facespasm.video.events import find_events
from facespasm.video.flutters import flutters
from facespasm.video.measures import Measures
from facespasm.video.pattern import read_evidence

from .test_events import FPS, lift, ripple, shut, trace, with_a_still_face


def dips(eyes: tuple[np.ndarray, ...], start_s: float, count: int, hz: float, depth: float) -> None:
    """`count` partial closures of these eyes, two frames each, recurring `hz` times a second."""
    for n in range(count):
        at = start_s + n / hz
        for eye in eyes:
            shut(eye, at, at + 2 / FPS, depth=depth)


def test_both_eyes_dipping_six_times_a_second_is_a_flutter() -> None:
    left, right = trace()
    dips((left, right), 4.0, count=4, hz=6.0, depth=0.3)
    dips((left, right), 12.0, count=3, hz=7.5, depth=0.3)
    measures = with_a_still_face(left, right)
    bursts = flutters(measures)
    assert [count for _, _, count in bursts] == [4, 3]
    assert bursts[0][0] == pytest.approx(4.0, abs=0.1)
    finding = read_evidence(measures, find_events(measures))["eyes_flutter"]
    assert finding.value is True
    assert finding.why.startswith("2 burst(s) of quick partial closures of both eyes")


@pytest.mark.parametrize(
    ("eyes", "count", "hz", "depth", "why"),
    [
        ("both", 3, 3.0, 0.95, "a triple blink: no faster than a blink takes"),
        ("both", 2, 6.0, 0.3, "two dips are a double blink, not a burst"),
        ("both", 4, 6.0, 0.04, "far out of a clean clip's noise, but too shallow for a lid"),
        ("one", 4, 6.0, 0.3, "one eye's quick twitches (hemifacial spasm's clonic ones)"),
    ],
)
def test_what_is_not_a_flutter(eyes: str, count: int, hz: float, depth: float, why: str) -> None:
    left, right = trace(noise=0.001)
    dips((left, right) if eyes == "both" else (right,), 4.0, count, hz, depth)
    assert flutters(with_a_still_face(left, right)) == [], why


def test_a_ripple_of_one_eyelid_is_myokymias_flicker_not_a_flutter() -> None:
    left, right = trace()
    ripple(right, 4.0, 3.0)
    assert flutters(with_a_still_face(left, right)) == []


def test_dips_of_both_eyes_while_smiling_are_the_smile_not_a_flutter() -> None:
    left, right = trace()
    dips((left, right), 4.0, count=4, hz=6.0, depth=0.3)
    measures = with_a_still_face(left, right)
    lift(measures, "mouth_y", ("left", "right"), 3.5, 5.5, by=6.0)  # laughing: both corners up
    assert flutters(measures) == []


def test_a_clip_too_slow_for_the_ripple_has_no_flutter() -> None:
    left, right = trace()
    dips((left, right), 4.0, count=4, hz=6.0, depth=0.3)
    slow = Measures.from_apertures(10.0, left[::3], right[::3])
    assert flutters(slow) == []


def test_fluttering_eyes_on_video_put_blepharospasm_first_and_see_a_doctor(knowledge) -> None:
    # A blind blepharospasm clip: flutter bursts of both eyes and blinking above 27 a minute.
    # Blinking alone leaves the harmless twitch first (its prior); the flutter names it.
    ruled_out = dict.fromkeys(knowledge.red_flags, False)
    blinking = {"increased_blinking": True}
    assert assess_case(video=blinking).top.id == "myokymia"
    fluttering = assess_case(ruled_out, video={**blinking, "eyes_flutter": True})
    assert fluttering.top.id == "blepharospasm"
    assert fluttering.triage.level == "see_doctor"
