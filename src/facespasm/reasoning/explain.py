"""Why each cause got its probability: the findings for it and against it, with their weight.

A finding's weight for a cause is its likelihood ratio: how much more (or less) often that answer
occurs with this cause than with the other causes, each weighted by its base rate. "Eyelids
squeeze shut: 9.6× as common in blepharospasm as in the other causes" is something a person and
a clinician can both check against the cited source. Ratios near 1 are left out as noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from facespasm.knowledge import Finding, KnowledgeBase
from facespasm.reasoning.evidence import Evidence, EvidenceItem, Value
from facespasm.reasoning.likelihood import bin_index, probability

# A finding must shift the odds by at least a fifth to be shown as a reason.
MEANINGFUL_RATIO = 1.2


@dataclass(frozen=True, slots=True)
class Factor:
    """One finding's part in the case for or against a cause."""

    finding: str
    value: Value
    text: str
    likelihood_ratio: float
    sources: tuple[str, ...]


def explain(
    cause_id: str, evidence: Evidence, knowledge: KnowledgeBase
) -> tuple[tuple[Factor, ...], tuple[Factor, ...]]:
    """The findings supporting and opposing one cause, strongest first."""
    factors = [
        _factor(item, knowledge.findings[item.finding], cause_id, knowledge) for item in evidence
    ]
    shown = [f for f in factors if f is not None]
    shown.sort(key=lambda f: -abs(math.log(f.likelihood_ratio)))
    supporting = tuple(f for f in shown if f.likelihood_ratio > 1)
    opposing = tuple(f for f in shown if f.likelihood_ratio < 1)
    return supporting, opposing


def describe(finding: Finding, value: Value) -> str:
    """A finding's value as a short phrase: "eyelids squeeze shut", "side of the face: one side"."""
    if finding.type == "boolean":
        return finding.label if value is True else f"not: {finding.label}"
    if finding.type == "number":
        assert isinstance(value, float)
        bin_label = finding.bins[bin_index(finding, value)].label
        return f"{finding.label}: {value:g} {finding.unit} ({bin_label})"
    labels = {choice.value: choice.label for choice in finding.choices}
    chosen = value if isinstance(value, tuple) else (str(value),)
    return f"{finding.label}: {', '.join(labels[v].lower() for v in chosen)}"


def _factor(
    item: EvidenceItem, finding: Finding, cause_id: str, knowledge: KnowledgeBase
) -> Factor | None:
    if finding.likelihood is None:
        return None
    others = [cause for cause in knowledge.causes if cause.id != cause_id]
    weight = math.fsum(cause.prior.probability for cause in others)
    elsewhere = math.fsum(
        cause.prior.probability / weight * probability(finding, item.value, cause.id)
        for cause in others
    )
    ratio = probability(finding, item.value, cause_id) / elsewhere
    if 1 / MEANINGFUL_RATIO < ratio < MEANINGFUL_RATIO:
        return None
    return Factor(
        finding=finding.id,
        value=item.value,
        text=describe(finding, item.value),
        likelihood_ratio=ratio,
        sources=finding.sources,
    )
