"""Triage: the care level, set by the most urgent rule in care.yaml that holds.

The rules are data; this module only evaluates them. The level is the highest any rule demands,
and self-care only when none does. Findings nobody answered never trigger a rule (we do not
guess "yes"), but they are not taken as "no" either: unanswered red flags are listed with the
result so the person knows what would change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from facespasm.knowledge import CareRule, Condition, KnowledgeBase
from facespasm.reasoning.evidence import Evidence, Value


@dataclass(frozen=True)
class Reason:
    """Why the care level is what it is: one rule that holds."""

    rule: str
    level: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Triage:
    """The care level, the reasons for it, what to do next, and the red flags not yet asked."""

    level: str
    label: str
    summary: str
    reasons: tuple[Reason, ...]
    next_steps: tuple[str, ...]
    sources: tuple[str, ...]
    unanswered_red_flags: tuple[str, ...]


def triage(
    evidence: Evidence, probabilities: Mapping[str, float], knowledge: KnowledgeBase
) -> Triage:
    """The care level these findings and this differential call for."""
    fired = [rule for rule in knowledge.care_rules if holds(rule.when, evidence, probabilities)]
    fired.sort(key=lambda rule: -knowledge.level_rank(rule.level))
    level = knowledge.care_levels[0] if not fired else knowledge.care_level(fired[0].level)
    return Triage(
        level=level.id,
        label=level.label,
        summary=level.summary,
        reasons=tuple(_reason(rule) for rule in fired),
        next_steps=level.next_steps,
        sources=level.sources,
        unanswered_red_flags=tuple(f for f in knowledge.red_flags if f not in evidence),
    )


def holds(condition: Condition, evidence: Evidence, probabilities: Mapping[str, float]) -> bool:
    """Whether a rule's condition is true; a test of an unknown finding is false."""
    if condition.any_of is not None:
        return any(holds(part, evidence, probabilities) for part in condition.any_of)
    if condition.all_of is not None:
        return all(holds(part, evidence, probabilities) for part in condition.all_of)
    if condition.cause is not None:
        p = probabilities[condition.cause]
        if condition.probability_at_least is not None:
            return p >= condition.probability_at_least
        return condition.probability_below is not None and p < condition.probability_below
    value = evidence.value(condition.finding or "")
    return value is not None and _test_value(condition, value)


def _test_value(condition: Condition, value: Value) -> bool:
    if condition.equals is not None:
        return value == condition.equals
    if isinstance(value, float):
        if condition.above is not None:
            return value > condition.above
        return condition.below is not None and value < condition.below
    if isinstance(value, tuple):
        if condition.includes is not None:
            return condition.includes in value
        return condition.count_at_least is not None and len(value) >= condition.count_at_least
    return False


def _reason(rule: CareRule) -> Reason:
    return Reason(rule=rule.id, level=rule.level, text=rule.reason, sources=rule.sources)
