"""Amounts typed as text -- "10", "3 weeks", "2 years", "56" -- as the number a finding holds.

The terminal interview and the web pages both let a person type how long or how old in their
own way, and both read it with this one rule: a number, optionally followed by a unit. For a
finding counted in days, a plain number is days and the units day, week (7), month (30) and
year (365) convert (singular, plural or abbreviated: "3 wk", "2 mo", "1 yr"); for any other
number finding the only unit accepted is its own ("56 years" for an age). A month of 30 days
and a year of 365 are close enough for every threshold in care.yaml (14 and 21 days).

A reply that is not such an amount, or is outside the finding's range, is an `AmountError`
whose message names the finding by its label (what the person was asked about), not its id.

`amount_pattern(finding)` is that rule as one regular expression (ECMA-262 and Python alike),
which the API publishes in its schema: a number of ASCII digits within the finding's range in
the unit used, spaces around, the units in any case and with an optional plural "s". Every text
it matches is read, and `parse_amount` reads nothing else, so the published schema is exactly
what is accepted. (Within a unit's range its largest whole number may take only zero decimals:
"100.0 years", not "5214.2 weeks" -- a few hours that no person types.)
"""

from __future__ import annotations

import functools
import math
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
    if re.fullmatch(amount_pattern(finding), text) is None:
        raise AmountError(f"{finding.label}: {_shown(text)} is not {_expected(finding)}")
    return amount


def amount_pattern(finding: Finding) -> str:
    """The regular expression of every text `parse_amount` reads for `finding`, anchored.

    Args:
        finding: A number finding.

    Returns:
        A pattern valid in ECMA-262 (JSON Schema) and Python alike.
    """
    return _pattern(finding.unit or "", finding.minimum, finding.maximum)


@functools.cache
def _pattern(unit: str, low: float | None, high: float | None) -> str:
    factors: dict[str, float] = {"": 1}
    if unit == "days":
        factors |= {name: float(days) for name, days in DAYS_PER.items()}
    elif unit:
        factors |= {unit[0]: 1, unit.removesuffix("s"): 1}
    by_range: dict[str, list[str]] = {}
    for name, factor in factors.items():
        number = _number_between((low or 0) / factor, None if high is None else high / factor)
        if number is not None:
            by_range.setdefault(number, []).append(name)
    alternatives = []
    for number, names in by_range.items():
        words = [_any_case(name) for name in sorted(names, key=len, reverse=True) if name]
        unit_part = f" *(?:{'|'.join(words)})(?:[sS])?" if words else ""
        optional = "?" if "" in names else ""
        alternatives.append(f"{number}(?:{unit_part}){optional}" if unit_part else number)
    return f"^ *(?:{'|'.join(alternatives)}) *$"


def _number_between(low: float, high: float | None) -> str | None:
    """A pattern of decimal numbers within [low, high] (a subset, exact for whole bounds)."""
    first = math.ceil(low)
    fraction = r"(?:\.[0-9]+)?"
    if high is None:
        return f"0*{_integers_from(first)}{fraction}"
    last = math.floor(high)
    if last < first:
        return None
    whole_last = f"{last}(?:\\.0+)?"
    if last == first:
        return f"0*{whole_last}"
    return f"0*(?:{_integers(first, last - 1)}{fraction}|{whole_last})"


def _integers_from(low: int) -> str:
    digits = len(str(low))
    return f"(?:{_integers(low, 10**digits - 1)}|[1-9]{_any_digits(digits)}[0-9]*)"


def _integers(low: int, high: int) -> str:
    """A pattern of the whole numbers low..high, without leading zeros."""
    parts = []
    for length in range(len(str(low)), len(str(high)) + 1):
        start = max(low, 10 ** (length - 1) if length > 1 else 0)
        end = min(high, 10**length - 1)
        if start <= end:
            parts.append(_same_length(str(start), str(end)))
    return f"(?:{'|'.join(parts)})"


def _same_length(low: str, high: str) -> str:
    """A pattern of the numbers low..high, both written with the same number of digits."""
    if low == high:
        return low
    if len(low) == 1:
        return _digit(low, high)
    if low[0] == high[0]:
        return low[0] + _same_length(low[1:], high[1:])
    rest = len(low) - 1
    if low[1:] == "0" * rest and high[1:] == "9" * rest:
        return _digit(low[0], high[0]) + _any_digits(rest)
    parts = [low[0] + _same_length(low[1:], "9" * rest)]
    if int(low[0]) + 1 <= int(high[0]) - 1:
        parts.append(_digit(str(int(low[0]) + 1), str(int(high[0]) - 1)) + _any_digits(rest))
    parts.append(high[0] + _same_length("0" * rest, high[1:]))
    return f"(?:{'|'.join(parts)})"


def _digit(low: str, high: str) -> str:
    return low if low == high else f"[{low}-{high}]"


def _any_digits(count: int) -> str:
    return "[0-9]" if count == 1 else f"[0-9]{{{count}}}"


def _any_case(word: str) -> str:
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


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
