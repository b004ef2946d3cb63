"""Triage: the care level, set by the most urgent rule in care.yaml that holds.

The rules are data; this module only evaluates them. The level is the highest any rule demands.
A rule about a finding nobody answered neither holds nor fails: it is *open* (three-valued logic,
Kleene's), and the red flags behind open rules are what the result calls `pending`.

⚑ Self-care needs every red flag ruled out (DESIGN.md). A red flag that is unknown, answered
"don't know" or never reached keeps the level at least "see a doctor": the rule with
`red_flag_open` in care.yaml says so, naming what was not ruled out. A red flag mentioned with a
hedge ("maybe a bit numb?") counts as present for the level until the person says no; the reason
says it was not certain. `complete` is true when no answer still missing could raise the level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from facespasm.knowledge import CareRule, Condition, Finding, KnowledgeBase
from facespasm.reasoning.evidence import Evidence, Value


@dataclass(frozen=True)
class Reason:
    """Why the care level is what it is: one rule that holds.

    `uncertain` names the red flags the person mentioned without being sure that make it hold;
    `findings` the red flags a `red_flag_open` rule found not ruled out.
    """

    rule: str
    level: str
    text: str
    sources: tuple[str, ...]
    uncertain: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Triage:
    """The care level, the reasons for it, what to do next, and the red flags still open.

    `pending` are the red flags whose answer could still raise the level (or, mentioned with a
    hedge, lower it); `complete` is true when there are none.
    """

    level: str
    label: str
    summary: str
    reasons: tuple[Reason, ...]
    next_steps: tuple[str, ...]
    sources: tuple[str, ...]
    complete: bool
    pending: tuple[str, ...]


def triage(
    evidence: Evidence, probabilities: Mapping[str, float], knowledge: KnowledgeBase
) -> Triage:
    """The care level these findings and this differential call for."""
    sure = evidence.definite()
    uncertain = [f for f in knowledge.red_flags if f in evidence and not sure.knows(f)]
    open_flags = open_red_flags(sure, probabilities, knowledge)
    fired = [
        rule
        for rule in knowledge.care_rules
        if (open_flags if rule.when.red_flag_open else holds(rule.when, evidence, probabilities))
    ]
    fired.sort(key=lambda rule: -knowledge.level_rank(rule.level))
    level = knowledge.care_levels[0] if not fired else knowledge.care_level(fired[0].level)
    rank = knowledge.level_rank(level.id)
    could_raise = [f for f, rule_rank in open_flags.items() if rule_rank > rank or f in uncertain]
    pending = tuple(dict.fromkeys(uncertain + could_raise))
    return Triage(
        level=level.id,
        label=level.label,
        summary=level.summary,
        reasons=tuple(
            _reason(rule, sure, probabilities, uncertain, tuple(open_flags), knowledge)
            for rule in fired
        ),
        next_steps=level.next_steps,
        sources=level.sources,
        complete=not pending,
        pending=pending,
    )


def open_red_flags(
    evidence: Evidence, probabilities: Mapping[str, float], knowledge: KnowledgeBase
) -> dict[str, int]:
    """Red flags not known for sure in a rule that may still hold: id -> that rule's level rank.

    In the order of `knowledge.red_flags` (most urgent rule first). A red flag whose every rule
    is already settled is not open: asking it could change nothing. Nor is one whose `ask_when`
    does not hold ("is it hard to breathe?" is for someone who has started a new medicine).
    """
    found = open_findings(evidence, probabilities, knowledge, knowledge.red_flag_rank)
    return {f: found[f] for f in knowledge.red_flags if f in found}


def open_findings(
    evidence: Evidence,
    probabilities: Mapping[str, float],
    knowledge: KnowledgeBase,
    from_rank: int = 1,
) -> dict[str, int]:
    """Findings whose answer could still make a rule at `from_rank` or above hold.

    Each with the highest level rank of such a rule, in the order of `safety_findings`.
    """
    found: dict[str, int] = {}
    for rule in knowledge.care_rules:
        rank = knowledge.level_rank(rule.level)
        if rule.when.red_flag_open or rank < from_rank:
            continue
        if decide(rule.when, evidence, probabilities) is not None:
            continue
        for finding in knowledge.rule_findings[rule.id]:
            if not evidence.knows(finding):
                found[finding] = max(rank, found.get(finding, -1))
    return {
        f: found[f]
        for f in knowledge.safety_findings
        if f in found and _worth_asking(knowledge.findings[f], evidence, probabilities)
    }


def _worth_asking(finding: Finding, evidence: Evidence, probabilities: Mapping[str, float]) -> bool:
    """A finding with an `ask_when` is asked only once that holds (or it was mentioned)."""
    if finding.ask_when is None or finding.id in evidence:
        return True
    return decide(finding.ask_when, evidence, probabilities) is True


def holds(condition: Condition, evidence: Evidence, probabilities: Mapping[str, float]) -> bool:
    """Whether a rule's condition is true; a test of an unknown finding is not."""
    return decide(condition, evidence, probabilities) is True


def decide(
    condition: Condition, evidence: Evidence, probabilities: Mapping[str, float]
) -> bool | None:
    """A condition's truth in three values: None when it turns on a finding nobody knows."""
    if condition.any_of is not None:
        parts = [decide(part, evidence, probabilities) for part in condition.any_of]
        return True if True in parts else (None if None in parts else False)
    if condition.all_of is not None:
        parts = [decide(part, evidence, probabilities) for part in condition.all_of]
        return False if False in parts else (None if None in parts else True)
    if condition.cause is not None:
        p = probabilities[condition.cause]
        if condition.probability_at_least is not None:
            return p >= condition.probability_at_least
        return condition.probability_below is not None and p < condition.probability_below
    if condition.red_flag_open:
        return False  # decided by `triage` itself, which knows the open red flags
    value = evidence.value(condition.finding or "")
    return None if value is None else _test_value(condition, value)


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


def _reason(
    rule: CareRule,
    sure: Evidence,
    probabilities: Mapping[str, float],
    uncertain: list[str],
    open_flags: tuple[str, ...],
    knowledge: KnowledgeBase,
) -> Reason:
    if rule.when.red_flag_open:
        labels = "; ".join(knowledge.findings[f].label for f in open_flags)
        text = rule.reason.format(findings=labels)
        return Reason(rule.id, rule.level, text, rule.sources, findings=open_flags)
    # Red flags the person was unsure of, when the rule would not hold without them.
    unsure: tuple[str, ...] = ()
    if uncertain and decide(rule.when, sure, probabilities) is not True:
        unsure = tuple(f for f in uncertain if f in knowledge.rule_findings[rule.id])
    return Reason(rule.id, rule.level, rule.reason, rule.sources, uncertain=unsure)
