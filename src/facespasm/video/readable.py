"""A video analysis in words: the summary's figures and the evidence, as a person reads them.

The ⚑ analysis JSON keeps machine keys (`blink_rate_per_min`, `usual_aperture_mm: {left,
right}`, finding ids) for programs. People are shown these lines instead -- by the terminal
report and, under `readable` in `/api/v1/analyze`'s answer, by the video page -- so neither
shows a raw key or a raw dict, and the wording lives once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from facespasm.knowledge import KnowledgeBase, load_knowledge
from facespasm.reasoning.explain import describe
from facespasm.video.analysis import VideoAnalysis

SIDES = ("left", "right")

# Said when the clip caught no sign (`VideoAnalysis.shows_a_sign`): the twitch did not happen.
NOTHING_CAUGHT = (
    "The video caught no twitch, spasm or closure, so on its own it cannot tell what causes "
    "yours. Film again while it happens, or answer the questions."
)


@dataclass(frozen=True)
class EvidenceLine:
    """One finding the video showed: in words, how sure, and why."""

    finding: str
    text: str
    confidence: str
    why: str


def summary_lines(summary: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The summary's figures as (what, how much) pairs: ("Blinks per minute", "25")."""
    per_minute = summary.get("events_per_min") or {}
    lines = [
        ("Face in view", _seconds(60 * (summary.get("face_minutes") or 0.0))),
        ("Blinks per minute", _number(summary.get("blink_rate_per_min"))),
        ("Spasms per minute", _number(per_minute.get("spasm"))),
        ("Flickers per minute", _number(per_minute.get("flicker"))),
        ("Longest closure", _seconds(summary.get("longest_closure_s"))),
        ("Both eyes shut, in all", _seconds(summary.get("eyes_closed_s"))),
    ]
    opening = summary.get("usual_aperture_mm") or {}
    sides = [f"{side} {opening[side]:g} mm" for side in SIDES if opening.get(side) is not None]
    lines.append(("Usual eyelid opening", ", ".join(sides) or "not measured"))
    by_side = summary.get("events_by_side") or {}
    counts = {side: sum(n for key, n in by_side.items() if key.endswith(side)) for side in SIDES}
    lines.append(("Spasms and flickers by side", f"left {counts['left']}, right {counts['right']}"))
    return tuple(lines)


def evidence_lines(
    analysis: VideoAnalysis, knowledge: KnowledgeBase | None = None
) -> tuple[EvidenceLine, ...]:
    """What the video shows as evidence for the assessment, finding by finding, in words."""
    knowledge = knowledge or load_knowledge()
    return tuple(
        EvidenceLine(
            finding=finding_id,
            text=describe(knowledge.findings[finding_id], item.value),
            confidence=f"{item.confidence:.0%}",
            why=item.why,
        )
        for finding_id, item in analysis.evidence.items()
    )


def readable(analysis: VideoAnalysis, knowledge: KnowledgeBase | None = None) -> dict[str, Any]:
    """All three, as JSON: the summary's pairs, the evidence's lines and a note.

    `{"summary": [[what, how much], ...], "evidence": [{finding, text, ...}], "note"}`; the
    note is a sentence when the clip caught no sign, else null.
    """
    return {
        "note": None if analysis.shows_a_sign else NOTHING_CAUGHT,
        "summary": [list(line) for line in summary_lines(analysis.summary.to_dict())],
        "evidence": [
            {"finding": e.finding, "text": e.text, "confidence": e.confidence, "why": e.why}
            for e in evidence_lines(analysis, knowledge)
        ],
    }


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, int | float) else "not measured"


def _seconds(value: object) -> str:
    return f"{value:.1f} s" if isinstance(value, int | float) else "not measured"
