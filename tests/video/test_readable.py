"""A video's summary in words: what a person reads instead of the JSON's keys and dicts."""

from __future__ import annotations

from facespasm.video.readable import summary_lines

SUMMARY = {
    "face_minutes": 0.5,
    "blink_rate_per_min": 25.0,
    "events_per_min": {"blink": 25.0, "closure": 0.0, "spasm": 4.0, "flicker": 0.0},
    "events_by_side": {"spasm_left": 2, "flicker_left": 1, "spasm_right": 1},
    "events_by_region": {"eyelid": 3},
    "longest_closure_s": 0.167,
    "eyes_closed_s": 0.067,
    "usual_aperture_mm": {"left": 7.62, "right": None},
    "spasm_asymmetry": 0.33,
}


def test_the_summary_is_said_in_words() -> None:
    lines = dict(summary_lines(SUMMARY))
    assert lines == {
        "Face in view": "30.0 s",
        "Blinks per minute": "25",
        "Spasms per minute": "4",
        "Flickers per minute": "0",
        "Longest closure": "0.2 s",
        "Both eyes shut, in all": "0.1 s",
        "Usual eyelid opening": "left 7.62 mm",  # a side not measured is left out
        "Spasms and flickers by side": "left 3, right 1",
    }


def test_what_was_not_measured_says_so() -> None:
    lines = dict(summary_lines({**SUMMARY, "blink_rate_per_min": None, "usual_aperture_mm": {}}))
    assert lines["Blinks per minute"] == "not measured"
    assert lines["Usual eyelid opening"] == "not measured"
