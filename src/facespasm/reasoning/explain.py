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
from facespasm.reasoning.evidence import Evidence, Value
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
    return explain_all(evidence, knowledge)[cause_id]


def explain_all(
    evidence: Evidence, knowledge: KnowledgeBase
) -> dict[str, tuple[tuple[Factor, ...], tuple[Factor, ...]]]:
    """For every cause, the findings supporting and opposing it, strongest first.

    Each answer's likelihood under each cause is computed once and shared by all causes: this
    runs on every assessment, and per-cause recomputation was most of its time.
    """
    priors = [cause.prior.probability for cause in knowledge.causes]
    total = math.fsum(priors)
    rows = []
    for item in evidence:
        finding = knowledge.findings[item.finding]
        if finding.likelihood is None:
            continue
        likelihoods = [probability(finding, item.value, c.id) for c in knowledge.causes]
        expected = math.fsum(p * lk for p, lk in zip(priors, likelihoods, strict=True))
        rows.append((item, finding, likelihoods, expected, describe(finding, item.value)))
    explained = {}
    for index, cause in enumerate(knowledge.causes):
        others = total - priors[index]
        shown = []
        for item, finding, likelihoods, expected, text in rows:
            # The answer's likelihood under the other causes, weighted by their priors.
            elsewhere = (expected - priors[index] * likelihoods[index]) / others
            ratio = likelihoods[index] / elsewhere
            if not 1 / MEANINGFUL_RATIO < ratio < MEANINGFUL_RATIO:
                shown.append(Factor(finding.id, item.value, text, ratio, finding.sources))
        shown.sort(key=lambda f: -abs(math.log(f.likelihood_ratio)))
        explained[cause.id] = (
            tuple(f for f in shown if f.likelihood_ratio > 1),
            tuple(f for f in shown if f.likelihood_ratio < 1),
        )
    return explained


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
