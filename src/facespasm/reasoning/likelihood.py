"""P(answer | cause) for each kind of finding, read from the knowledge base's likelihood tables.

One function answers the question for all four answer types, so the differential, the
explanations and the interview's information gain all read the tables the same way:

- boolean: the table holds P(yes); P(no) is its complement.
- choice: the table holds P(value) directly.
- number: the value falls in one bin (bins are closed below, open above); the table holds P(bin).
- multiple_choice: each option is present or absent independently of the others (a naive but
  stated assumption); P(set) is the product over options, given that at least one is present
  (a person who twitches twitches somewhere).

A video's answer to a multiple-choice finding is weighed as what the video *shows*: an option
involved with P(option | cause) is shown with the video's sensitivity for it (findings.yaml
`video`), so a region the video did not show counts less against a cause than a person's "not
there", and one it never sees (the neck) counts for nothing.

`likelihoods` gives one answer's row across all causes and remembers it (`memo.py`); a number
is remembered by its bin, so the rows stay as few as the tables' cells.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterator

from facespasm.knowledge import Finding, KnowledgeBase
from facespasm.reasoning.evidence import Value
from facespasm.reasoning.memo import KnowledgeMemo

_ROWS: KnowledgeMemo[tuple[float, ...]] = KnowledgeMemo()


def likelihoods(
    finding: Finding, value: Value, knowledge: KnowledgeBase, *, from_video: bool = False
) -> tuple[float, ...]:
    """P(this answer | cause) for every cause, in the knowledge base's order of causes.

    `from_video`: the answer is what a video measured (weighed as the video shows it).
    """
    return _ROWS.get(
        knowledge,
        _answer_key(finding, value, from_video),
        lambda: tuple(
            probability(finding, value, cause.id, from_video=from_video)
            for cause in knowledge.causes
        ),
    )


def log_likelihoods(
    finding: Finding, value: Value, knowledge: KnowledgeBase, *, from_video: bool = False
) -> tuple[float, ...]:
    """The natural logarithms of `likelihoods`, for the differential's sums."""
    return _LOG_ROWS.get(
        knowledge,
        _answer_key(finding, value, from_video),
        lambda: tuple(
            math.log(p) for p in likelihoods(finding, value, knowledge, from_video=from_video)
        ),
    )


_LOG_ROWS: KnowledgeMemo[tuple[float, ...]] = KnowledgeMemo()


def _answer_key(finding: Finding, value: Value, from_video: bool) -> Hashable:
    """What tells this answer's likelihoods apart from another's."""
    seen = from_video and finding.video is not None
    if finding.likelihood is None:
        return finding.id, None  # every answer is 1.0
    if finding.type == "number":
        assert isinstance(value, float)
        return finding.id, bin_index(finding, value)
    if isinstance(value, tuple):
        return finding.id, frozenset(value), seen
    return finding.id, value, seen


def probability(
    finding: Finding, value: Value, cause_id: str, *, from_video: bool = False
) -> float:
    """P(this answer | cause); 1.0 for a finding the knowledge base gives no likelihood."""
    if finding.likelihood is None:
        return 1.0
    table = finding.likelihood[cause_id]
    if finding.type == "boolean":
        assert isinstance(table, float)
        return table if value is True else 1.0 - table
    if finding.type == "number":
        assert isinstance(table, tuple) and isinstance(value, float)
        return table[bin_index(finding, value)]
    assert isinstance(table, dict)
    if finding.type == "choice":
        assert isinstance(value, str)
        return table[value]
    if from_video and finding.video is not None:
        table = _shown_on_video(table, finding.video.sensitivity)
    chosen = set(value) if isinstance(value, tuple) else {value}
    none_at_all = math.prod(1.0 - p for p in table.values())
    product = math.prod(p if option in chosen else 1.0 - p for option, p in table.items())
    return product / (1.0 - none_at_all)


def _shown_on_video(table: dict[str, float], sensitivity: dict[str, float]) -> dict[str, float]:
    """P(the video shows an option | cause), leaving out the options a video never sees."""
    shown = {option: p * sensitivity.get(option, 1.0) for option, p in table.items()}
    return {option: p for option, p in shown.items() if p > 0}


def bin_index(finding: Finding, value: float) -> int:
    """Which of a number finding's bins holds this value."""
    for index, bin_ in enumerate(finding.bins):
        if bin_.below is None or value < bin_.below:
            return index
    return len(finding.bins) - 1


def possible_answers(finding: Finding) -> Iterator[Value]:
    """One representative of every distinguishable answer, for expected information gain."""
    if finding.type == "boolean":
        yield from (True, False)
    elif finding.type == "choice":
        yield from finding.choice_values
    elif finding.type == "number":
        lower = finding.minimum if finding.minimum is not None else 0.0
        for bin_ in finding.bins:
            yield float(lower)
            lower = bin_.below if bin_.below is not None else lower
    else:
        options = finding.choice_values
        for size in range(1, len(options) + 1):
            yield from itertools.combinations(options, size)
