"""Fixtures for the report tests: assessments of a few typical cases, and ways to read a view."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from facespasm.case import assess_case
from facespasm.knowledge import KnowledgeBase
from facespasm.reasoning import Assessment

# Fields of the view that hold ids and codes for programs (and the page's script), not words.
MACHINE_FIELDS = {"finding", "id", "level", "origin", "colour", "value", "number"}


def all_red_flags_ruled_out(knowledge: KnowledgeBase) -> dict[str, object]:
    """A "no" to every red flag."""
    return dict.fromkeys(knowledge.red_flags, False)


@pytest.fixture(scope="session")
def stroke(knowledge: KnowledgeBase) -> Assessment:
    """Stroke signs, with a typical hemifacial spasm besides: an emergency."""
    return assess_case({"sudden_weakness": True, "side": "one", "regions": ["eyelid", "mouth"]})


@pytest.fixture(scope="session")
def open_flags() -> Assessment:
    """A twitch of one eyelid with no safety question answered: not complete."""
    return assess_case({"side": "one", "regions": ["eyelid"], "small_flicker": True})


@pytest.fixture(scope="session")
def harmless(knowledge: KnowledgeBase) -> Assessment:
    """A few days of a stressed student's eyelid flicker, every red flag answered "no"."""
    answers = {
        **all_red_flags_ruled_out(knowledge),
        "age": 22,
        "side": "one",
        "regions": ["eyelid"],
        "small_flicker": True,
        "duration_days": 5,
        "stress": True,
        "caffeine": True,
    }
    return assess_case(answers)


@pytest.fixture(scope="session")
def hemifacial(knowledge: KnowledgeBase) -> Assessment:
    """Typical hemifacial spasm: one side, spreading from the eye to the mouth, for a year."""
    return assess_case(
        {
            "age": 55,
            "side": "one",
            "regions": ["eyelid", "cheek", "mouth"],
            "spread_to_lower_face": True,
            "persists_in_sleep": True,
            "duration_days": 400,
        },
        text="it began at my left eye, now my cheek pulls too; maybe a bit numb in my arm?",
    )


def words(view: object) -> Iterator[str]:
    """Every string of a view that a person reads (ids and codes for programs left out)."""
    if isinstance(view, str):
        yield view
    elif isinstance(view, tuple | list):
        for item in view:
            yield from words(item)
    elif dataclasses.is_dataclass(view) and not isinstance(view, type):
        for field in dataclasses.fields(view):
            if field.name not in MACHINE_FIELDS:
                yield from words(getattr(view, field.name))
