"""Evidence: the values of the ⚑ vocabulary a person has given, and where each came from.

Answers, free text, a measured video and the diary all become the same `Evidence`, so the
differential and triage never care how a finding was learnt -- but the result still shows it.
When two origins give the same finding, what the person answered outranks what was read from
their text, which outranks what a video measured, which outranks the diary: a person can always
correct the program.

Values are checked against the knowledge base when evidence is made, so a bad answers file
fails with one clear line naming the finding and the problem.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from facespasm.errors import InputError
from facespasm.knowledge import Finding, KnowledgeBase, load_knowledge

Value = bool | float | str | tuple[str, ...]


class Origin(StrEnum):
    """Where an item of evidence came from, from most to least authoritative."""

    ANSWER = "answer"
    TEXT = "text"
    VIDEO = "video"
    DIARY = "diary"


_RANK = {origin: rank for rank, origin in enumerate(Origin)}


def outranks(first: Origin, second: Origin) -> bool:
    """Whether what came from `first` wins over what came from `second` (answer > text > ...)."""
    return _RANK[first] < _RANK[second]


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One finding's value, where it came from, and optional detail (a text span, a confidence).

    `spans` are the (start, end) character offsets of the words it was read from, for evidence
    read from free text. A `hedged` item is a red flag the person mentioned without being sure
    ("maybe a bit numb?"): triage counts it as present until they say no, but it is a question,
    not a value, for everything else. `implied_by` names the finding whose answer entails this
    one (`entailment.py`).
    """

    finding: str
    value: Value
    origin: Origin = Origin.ANSWER
    detail: str | None = None
    spans: tuple[tuple[int, int], ...] = ()
    hedged: bool = False
    implied_by: str | None = None


@dataclass(frozen=True)
class Evidence:
    """What is known about one person's twitching; a finding that is absent is unknown."""

    items: Mapping[str, EvidenceItem] = field(default_factory=dict)

    @classmethod
    def from_answers(
        cls,
        answers: Mapping[str, object],
        origin: Origin = Origin.ANSWER,
        knowledge: KnowledgeBase | None = None,
    ) -> Evidence:
        """Evidence from a ⚑ answers object `{finding_id: value}`; `None` means "don't know".

        Raises:
            InputError: a finding id is unknown or a value does not fit its finding.
        """
        knowledge = knowledge or load_knowledge()
        items = {}
        for finding_id, raw in answers.items():
            value = parse_value(knowledge, finding_id, raw)
            if value is not None:
                items[finding_id] = EvidenceItem(finding_id, value, origin)
        return cls(items)

    def value(self, finding_id: str) -> Value | None:
        """The value of a finding, or None when it is unknown."""
        item = self.items.get(finding_id)
        return None if item is None else item.value

    def with_value(self, finding_id: str, value: Value, origin: Origin = Origin.ANSWER) -> Evidence:
        """A copy with one finding set (values are assumed already checked)."""
        return Evidence({**self.items, finding_id: EvidenceItem(finding_id, value, origin)})

    def without(self, finding_id: str) -> Evidence:
        """A copy in which one finding is unknown again."""
        return Evidence({key: item for key, item in self.items.items() if key != finding_id})

    def merged(self, other: Evidence) -> Evidence:
        """Both together; where both know a finding, the more authoritative origin wins."""
        items = dict(self.items)
        for finding_id, item in other.items.items():
            current = items.get(finding_id)
            if current is None or outranks(item.origin, current.origin):
                items[finding_id] = item
        return Evidence(items)

    def answers(self) -> dict[str, Value]:
        """The plain ⚑ answers object for the findings known for sure (hedged ones left out)."""
        return {
            finding_id: item.value for finding_id, item in self.items.items() if not item.hedged
        }

    def definite(self) -> Evidence:
        """These findings without the hedged ones: what is known for sure."""
        if not any(item.hedged for item in self.items.values()):
            return self
        return Evidence({key: item for key, item in self.items.items() if not item.hedged})

    def knows(self, finding_id: str) -> bool:
        """Whether a finding has a value for sure (not unknown, not only hedged)."""
        item = self.items.get(finding_id)
        return item is not None and not item.hedged

    def __contains__(self, finding_id: object) -> bool:
        return finding_id in self.items

    def __iter__(self) -> Iterator[EvidenceItem]:
        return iter(self.items.values())

    def __len__(self) -> int:
        return len(self.items)


# Beyond this an answer is no measurement but a typing accident (or an attack on float()).
_HUGE = 10**15


def parse_value(knowledge: KnowledgeBase, finding_id: str, raw: object) -> Value | None:
    """Check one raw answer against its finding and return it in canonical form.

    Booleans must be true/false, choices one of the listed values, multiple choices a list of
    them, numbers a finite number within the finding's range. `None` stays `None` (unknown).

    Raises:
        InputError: with a message that names the finding and what it expects.
    """
    finding = knowledge.findings.get(finding_id)
    if finding is None:
        raise InputError(_unknown_finding_message(knowledge, finding_id))
    if raw is None:
        return None
    if finding.type == "boolean":
        if not isinstance(raw, bool):
            raise InputError(f"'{finding_id}' must be true or false, not {_show(raw)}")
        return raw
    if finding.type == "number":
        return _parse_number(finding, raw)
    if finding.type == "choice":
        if not isinstance(raw, str) or raw not in finding.choice_values:
            raise InputError(f"'{finding_id}' must be one of {_listing(finding)}, not {_show(raw)}")
        return raw
    return _parse_choices(finding, raw)


def _parse_number(finding: Finding, raw: object) -> float:
    not_finite = isinstance(raw, float) and not math.isfinite(raw)
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not_finite:
        raise InputError(f"'{finding.id}' must be a number of {finding.unit}, not {_show(raw)}")
    # An int too large for a float (a 4,000-digit age) is out of every range, not a crash.
    huge = isinstance(raw, int) and abs(raw) >= _HUGE
    value = (math.inf if raw > 0 else -math.inf) if huge else float(raw)
    low, high = finding.minimum, finding.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        raise InputError(
            f"'{finding.id}' must be between {low:g} and {high:g} {finding.unit}, not {_show(raw)}"
        )
    return value


def _parse_choices(finding: Finding, raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list | tuple) or not all(isinstance(item, str) for item in raw):
        raise InputError(f"'{finding.id}' must be a list drawn from {_listing(finding)}")
    unknown = [item for item in raw if item not in finding.choice_values]
    if unknown:
        raise InputError(
            f"'{finding.id}' has {_show(unknown[0])}, which is not one of {_listing(finding)}"
        )
    if not raw:
        raise InputError(f"'{finding.id}' needs at least one of {_listing(finding)}")
    # Canonical order (the question's), without repeats, so equal answers compare equal.
    return tuple(value for value in finding.choice_values if value in raw)


def _unknown_finding_message(knowledge: KnowledgeBase, finding_id: str) -> str:
    close = difflib.get_close_matches(finding_id, knowledge.findings, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else " (see `facespasm knowledge`)"
    return f"unknown finding '{finding_id}'{hint}"


def _listing(finding: Finding) -> str:
    return ", ".join(f"'{value}'" for value in finding.choice_values)


def _show(raw: object) -> str:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if abs(raw) >= _HUGE:
            return "a number that large"
        if math.isfinite(raw):
            return f"{raw:g}"
    text = json.dumps(raw, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."
