"""Amounts typed as text -- "10", "3 weeks", "2 years", "56" -- as the number a finding holds.

The terminal interview and the web pages both let a person type how long or how old in their
own way, and both read it with this one rule: a number, optionally followed by a unit. For a
finding counted in days, a plain number is days and the units day, week (7), month (30) and
year (365) convert (singular, plural or abbreviated: "3 wk", "2 mo", "1 yr"); for any other
number finding the only unit accepted is its own ("56 years" for an age). A month of 30 days
and a year of 365 are close enough for every threshold in care.yaml (14 and 21 days).

A reply that is not such an amount, or is outside the finding's range, is an `AmountError`
whose message names the finding by its label (what the person was asked about), not its id.
"""

from __future__ import annotations

import re

from facespasm.errors import InputError
from facespasm.knowledge import Finding, KnowledgeBase

DAYS_PER = {"day": 1, "d": 1, "week": 7, "w": 7, "wk": 7, "month": 30, "mo": 30, "m": 30,
            "year": 365, "y": 365, "yr": 365}  # fmt: skip
_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z]*?)s?$")
DAYS_EXAMPLE = "for example 10 (days), '3 weeks' or '2 years'"


class AmountError(InputError):
    """Typed text that is not an amount of a finding (or is out of its range)."""


def parse_amount(finding: Finding, text: str) -> float:
    """The number of `finding`'s unit that `text` means: "3 weeks" -> 21.0 for days.

    Raises:
        AmountError: `text` is not a number with a unit this finding accepts, or out of range.
    """
    match = _AMOUNT.match(text.strip().lower())
    if match is None:
        raise AmountError(f"{finding.label}: {_shown(text)} is not {_expected(finding)}")
    amount, unit = float(match.group(1)), match.group(2)
    if finding.unit == "days" and unit:
        if unit not in DAYS_PER:
            raise AmountError(f"{finding.label}: {_shown(text)} is not {_expected(finding)}")
        amount *= DAYS_PER[unit]
    elif unit and not (finding.unit or "").startswith(unit):
        raise AmountError(f"{finding.label}: {_shown(text)} is not {_expected(finding)}")
    low, high = finding.minimum, finding.maximum
    if (low is not None and amount < low) or (high is not None and amount > high):
        raise AmountError(
            f"{finding.label}: {_shown(text)} is not between {low:g} and {high:g} {finding.unit}"
        )
    return amount


def typed_answer(knowledge: KnowledgeBase, finding_id: str, raw: object) -> object:
    """An answer as given, except a number finding's text ("2 years"), which is parsed.

    Unknown findings and every other value pass through unchanged, so the core's own checks
    (`parse_value`) still name what is wrong with them.

    Raises:
        AmountError: text given for a number finding is not an amount of it.
    """
    finding = knowledge.findings.get(finding_id)
    if finding is None or finding.type != "number" or not isinstance(raw, str):
        return raw
    return parse_amount(finding, raw)


def _expected(finding: Finding) -> str:
    if finding.unit == "days":
        return f"a length of time; type {DAYS_EXAMPLE}"
    return f"a number of {finding.unit}"


def _shown(text: str) -> str:
    text = text.strip()
    return f"'{text}'" if len(text) <= 30 else f"'{text[:27]}...'"
