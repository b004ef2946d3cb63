"""Amounts typed as text: one rule for the terminal and the web ("3 weeks", "2 years", "10")."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facespasm.amounts import AmountError, amount_pattern, parse_amount, typed_answer
from facespasm.knowledge import KnowledgeBase


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("10", 10),  # a plain number is days
        ("10 days", 10),
        ("1 day", 1),
        ("3 weeks", 21),
        ("3wk", 21),  # abbreviated, no space
        ("2 months", 60),  # a month is 30 days
        ("2 years", 730),
        ("1 yr", 365),
        ("1.5 years", 547.5),
        ("  2 Years ", 730),  # spaces and capitals as people type them
    ],
)
def test_a_duration_is_read_in_days(knowledge: KnowledgeBase, text: str, days: float) -> None:
    assert parse_amount(knowledge.findings["duration_days"], text) == days


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("soon", "is not a length of time"),
        ("3 fortnights", "is not a length of time"),  # a unit it does not know
        ("-3", "is not a length of time"),  # not a number of anything
        ("200 years", "is not between 0 and 36500 days"),  # past the finding's range
    ],
)
def test_what_is_not_a_duration_is_explained_in_words(
    knowledge: KnowledgeBase, text: str, problem: str
) -> None:
    with pytest.raises(AmountError) as raised:
        parse_amount(knowledge.findings["duration_days"], text)
    message = str(raised.value)
    assert problem in message
    assert message.startswith("how long it has lasted:")  # the finding's label, not its id
    assert "duration_days" not in message


@pytest.mark.parametrize(
    ("text", "years"),
    [("56", 56), ("56 years", 56), ("56y", 56)],  # an age in its own unit, or none
)
def test_another_number_takes_only_its_own_unit(
    knowledge: KnowledgeBase, text: str, years: float
) -> None:
    assert parse_amount(knowledge.findings["age"], text) == years


def test_an_age_in_weeks_is_refused(knowledge: KnowledgeBase) -> None:
    with pytest.raises(AmountError, match="age: '56 weeks' is not a number of years"):
        parse_amount(knowledge.findings["age"], "56 weeks")


@pytest.mark.parametrize(
    ("finding", "raw", "answer"),
    [
        ("duration_days", "2 years", 730),  # text for a number: read
        ("duration_days", 14, 14),  # a number: as given
        ("side", "one", "one"),  # text for a choice: as given, for the core to check
        ("facial_pain", "maybe", "maybe"),  # the core says what is wrong with it
        ("no_such_finding", "2 years", "2 years"),  # and names an unknown finding
    ],
)
def test_only_text_for_a_number_is_read(
    knowledge: KnowledgeBase, finding: str, raw: object, answer: object
) -> None:
    assert typed_answer(knowledge, finding, raw) == answer


@pytest.mark.parametrize("finding_id", ["age", "duration_days"])
def test_the_published_pattern_is_exactly_what_is_read(
    knowledge: KnowledgeBase, finding_id: str
) -> None:
    """What the API's schema publishes (`amount_pattern`) is read; what it does not, is refused."""
    finding = knowledge.findings[finding_id]
    pattern = amount_pattern(finding)

    @given(st.from_regex(pattern, fullmatch=True))
    def matched_is_read(text: str) -> None:
        amount = parse_amount(finding, text)
        assert finding.minimum is not None and finding.maximum is not None
        assert finding.minimum <= amount <= finding.maximum

    @given(st.text(alphabet="0123456789 .dwkmoyearsDWYS", max_size=12))
    def read_is_matched(text: str) -> None:
        try:
            parse_amount(finding, text)
        except AmountError:
            assert re.fullmatch(pattern, text) is None
        else:
            assert re.fullmatch(pattern, text) is not None

    matched_is_read()
    read_is_matched()


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("36500", True),  # the range's end, in days
        ("36501", False),  # one past it
        ("100 years", True),  # the end in years
        ("100.0 years", True),
        ("100.5 years", False),  # past the end
        ("5214 weeks", True),  # the last whole week within 36,500 days
        ("007 days", True),  # leading zeros are a number still
        ("3\tweeks", False),  # only spaces between number and unit, as the schema says
        ("٣ weeks", False),  # Arabic-Indic digits: ASCII only
    ],
)
def test_the_range_is_in_the_pattern(knowledge: KnowledgeBase, text: str, read: bool) -> None:
    finding = knowledge.findings["duration_days"]
    assert (re.fullmatch(amount_pattern(finding), text) is not None) is read
    if read:
        parse_amount(finding, text)
    else:
        with pytest.raises(AmountError):
            parse_amount(finding, text)
