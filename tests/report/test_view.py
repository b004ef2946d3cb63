"""The presentation model: the display rules every renderer shares, decided once."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facespasm.case import assess_case
from facespasm.knowledge import KnowledgeBase
from facespasm.reasoning import Assessment
from facespasm.report import report_view
from facespasm.report.citations import Cited
from facespasm.report.view import (
    EXPLAIN_THRESHOLD,
    FACTORS_SHOWN,
    ReportView,
    percent,
    ratio_text,
)

from .conftest import words

# --- the emergency view ------------------------------------------------------------------------


def test_an_emergency_view_holds_only_what_to_do_now(
    stroke: Assessment, knowledge: KnowledgeBase
) -> None:
    view = report_view(stroke)
    assert view.care.level == "emergency" and view.emergency is not None
    # nothing about causes, probabilities, treatments, self-care or the evidence
    assert view.causes == () and view.treatments == () and view.advice == ()
    assert view.used == () and view.pending is None
    text = " ".join(words(view))
    assert not re.search(r"\d\s*%", text), "a probability in an emergency"
    for distraction in ("harmless", "myokymia", "Hemifacial", "botulinum"):
        assert distraction.lower() not in text.lower()
    # what to do now: the numbers to call, the FAST signs, the time, not driving
    level = knowledge.care_level("emergency")
    assert [call.number for call in view.emergency.calls] == [c.number for c in level.call]
    assert all(call.href == f"tel:{call.number}" for call in view.emergency.calls)
    assert view.emergency.signs == level.signs
    steps = " ".join(view.care.next_steps)
    assert "Note the time" in steps and "do not drive" in steps
    assert view.disclaimer.startswith("facespasm gives information, not a diagnosis")


def test_an_emergency_gives_only_the_reasons_for_the_emergency(stroke: Assessment) -> None:
    view = report_view(stroke)
    fired = {reason.rule for reason in stroke.triage.reasons}
    assert "red_flags_not_ruled_out" in fired  # the other red flags were never asked...
    assert [r.text for r in view.care.reasons] == [  # ...but only the stroke signs are shown
        r.text for r in stroke.triage.reasons if r.level == "emergency"
    ]
    cited = {n for reason in view.care.reasons for n in reason.cites.numbers}
    assert {source.number for source in view.sources} >= cited


# --- open safety questions ---------------------------------------------------------------------


def test_an_incomplete_triage_brings_its_open_questions(
    open_flags: Assessment, knowledge: KnowledgeBase
) -> None:
    assert not open_flags.triage.complete
    view = report_view(open_flags)
    assert view.care.level != "self_care"
    assert view.pending is not None
    questions = view.pending.questions
    assert [q.finding for q in questions] == list(open_flags.triage.pending)
    for question in questions:
        finding = knowledge.findings[question.finding]
        assert (question.question, question.help, question.label) == (
            finding.question,
            finding.help,
            finding.label,
        )
        assert [(a.label, a.value) for a in question.answers] == [
            ("Yes", "true"),
            ("No", "false"),
            ("Don't know", "null"),
        ]
    assert view.pending.intro.cites.numbers  # why it matters, with its sources


def test_a_complete_triage_has_no_open_questions(harmless: Assessment) -> None:
    assert harmless.triage.complete
    assert report_view(harmless).pending is None


def test_a_red_flag_the_person_was_unsure_of_is_named_in_words(hemifacial: Assessment) -> None:
    view = report_view(hemifacial)
    unsure = [reason.uncertain for reason in view.care.reasons if reason.uncertain]
    assert unsure == [("other nerve symptoms (numbness, vision, balance, limb weakness)",)]
    hedged = next(item for item in view.used if item.finding == "other_neuro_symptoms")
    assert hedged.hedged and hedged.origin_words == "your description"
    assert hedged.detail is not None and "numb" in hedged.detail


# --- percentages and bars ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("probability", "shown"),
    [
        (0.0, "<1%"),  # never a flat 0%
        (0.004, "<1%"),
        (0.0099, "<1%"),
        (0.01, "1%"),  # the cut-off itself is shown as it is
        (0.374, "37%"),
        (0.99, "99%"),
        (0.9901, ">99%"),
        (1.0, ">99%"),  # never a flat 100%
    ],
)
def test_a_probability_is_shown_by_one_rule(probability: float, shown: str) -> None:
    assert percent(probability) == shown


@given(st.floats(min_value=0, max_value=1))
def test_no_probability_claims_certainty(probability: float) -> None:
    assert percent(probability) not in ("0%", "100%")


def test_each_cause_has_its_percentage_and_a_bar(hemifacial: Assessment) -> None:
    view = report_view(hemifacial)
    assert [c.id for c in view.causes] == [c.id for c in hemifacial.conditions]
    for cause, condition in zip(view.causes, hemifacial.conditions, strict=True):
        assert cause.percent == percent(condition.probability)
        assert 0 <= cause.bar <= 1 and cause.bar == pytest.approx(condition.probability)


def test_the_likely_causes_are_explained_and_the_rest_are_not(hemifacial: Assessment) -> None:
    view = report_view(hemifacial)
    assert view.causes[0].explained  # the most likely one, always
    for cause, condition in zip(view.causes[1:], hemifacial.conditions[1:], strict=True):
        assert cause.explained == (condition.probability >= EXPLAIN_THRESHOLD)
        if not cause.explained:
            assert cause.mechanism is None and not cause.supporting and not cause.opposing
    top = view.causes[0]
    assert top.mechanism is not None and top.supporting
    assert len(top.supporting) <= FACTORS_SHOWN and len(top.opposing) <= FACTORS_SHOWN


@pytest.mark.parametrize(
    ("ratio", "text"),
    [
        (9.64, "9.6× as common with this cause"),
        (1.0, "1.0× as common with this cause"),
        (0.5, "2.0× less common with this cause"),  # below 1 as "less common", not "0.5×"
    ],
)
def test_a_likelihood_ratio_is_written_for_people(ratio: float, text: str) -> None:
    assert ratio_text(ratio) == text


# --- citations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numbers", "text"),
    [
        ((), ""),  # nothing cited, nothing written
        ((3,), "[3]"),
        ((2, 3), "[2, 3]"),  # a pair stays a pair
        ((1, 2, 3), "[1–3]"),  # three in a row are a range
        ((1, 4, 5, 6, 7), "[1, 4–7]"),
        ((1, 2, 4, 5), "[1, 2, 4, 5]"),
    ],
)
def test_citation_numbers_are_written_as_ranges(numbers: tuple[int, ...], text: str) -> None:
    assert Cited(numbers).text == text


def cited_in_reading_order(view: ReportView) -> list[int]:
    """Every citation's numbers, in the order the view is read."""
    found: list[int] = []

    def walk(value: object) -> None:
        if isinstance(value, Cited):
            found.extend(value.numbers)
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item)
        elif hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:
                if name != "sources":
                    walk(getattr(value, name))

    walk(view)
    return found


@pytest.mark.parametrize("case", ["stroke", "open_flags", "harmless", "hemifacial"])
def test_sources_are_numbered_once_in_the_order_first_cited(
    case: str, request: pytest.FixtureRequest
) -> None:
    view = report_view(request.getfixturevalue(case))
    order = list(dict.fromkeys(cited_in_reading_order(view)))
    assert order == list(range(1, len(order) + 1))  # 1 first, then 2, ...: no gaps
    assert [source.number for source in view.sources] == order  # every one listed, no others


# --- words, not ids ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["stroke", "open_flags", "harmless", "hemifacial"])
def test_a_person_reads_no_ids(case: str, request: pytest.FixtureRequest) -> None:
    text = " ".join(words(report_view(request.getfixturevalue(case))))
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), re.findall(r"\b[a-z]+_[a-z_]+\b", text)
    assert "{" not in text and "Duration days" not in text


def test_what_was_used_is_said_in_words_with_where_it_came_from(
    hemifacial: Assessment, knowledge: KnowledgeBase
) -> None:
    used = {item.finding: item for item in report_view(hemifacial).used}
    assert set(used) == {item.finding for item in hemifacial.evidence}
    assert used["duration_days"].phrase == "how long it has lasted: 400 days (more than a year)"
    assert used["side"].origin_words == "your answer"
    implied = used["getting_worse"]
    assert implied.implied and implied.detail == (
        "follows from: " + knowledge.findings["spread_to_lower_face"].label
    )


def test_the_knowledge_base_is_a_parameter(knowledge: KnowledgeBase) -> None:
    result = assess_case({"sudden_weakness": True}, knowledge=knowledge)
    assert report_view(result, knowledge) == report_view(result)
