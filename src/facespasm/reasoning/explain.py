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
from facespasm.reasoning.entailment import weighed_items
from facespasm.reasoning.evidence import Evidence, Origin, Value
from facespasm.reasoning.likelihood import bin_index, likelihoods
from facespasm.reasoning.memo import KnowledgeMemo

# A finding must shift the odds by at least a fifth to be shown as a reason.
MEANINGFUL_RATIO = 1.2


@dataclass(frozen=True)
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
    """For every cause, the findings supporting and opposing it, strongest first."""
    weighed = [
        answer_factors(
            knowledge.findings[item.finding],
            item.value,
            knowledge,
            from_video=item.origin is Origin.VIDEO,
        )
        for item in weighed_items(evidence, knowledge)
    ]
    explained = {}
    for index, cause in enumerate(knowledge.causes):
        present = [weight for factors in weighed if (weight := factors[index]) is not None]
        shown = sorted(present, key=_strongest_first)
        explained[cause.id] = (
            tuple(factor for _, factor in shown if factor.likelihood_ratio > 1),
            tuple(factor for _, factor in shown if factor.likelihood_ratio < 1),
        )
    return explained


Weighed = tuple[float, Factor]


def answer_factors(
    finding: Finding, value: Value, knowledge: KnowledgeBase, *, from_video: bool = False
) -> tuple[Weighed | None, ...]:
    """One answer's factor for each cause (None where it is near 1), with its strength.

    The weight of an answer for a cause depends on nothing else in the evidence (but whether a
    video gave it: `likelihood.py`), so it is worked out once per answer and remembered
    (`memo.py`).
    """
    return _FACTORS.get(
        knowledge,
        (finding.id, value, from_video),
        lambda: _weigh(finding, value, knowledge, from_video),
    )


def _weigh(
    finding: Finding, value: Value, knowledge: KnowledgeBase, from_video: bool
) -> tuple[Weighed | None, ...]:
    priors = [cause.prior.probability for cause in knowledge.causes]
    total = math.fsum(priors)
    row = likelihoods(finding, value, knowledge, from_video=from_video)
    expected = math.fsum(p * lk for p, lk in zip(priors, row, strict=True))
    text = describe(finding, value)
    factors: list[Weighed | None] = []
    for prior, likelihood in zip(priors, row, strict=True):
        # The answer's likelihood under the other causes, weighted by their priors.
        elsewhere = (expected - prior * likelihood) / (total - prior)
        ratio = likelihood / elsewhere
        meaningful = not 1 / MEANINGFUL_RATIO < ratio < MEANINGFUL_RATIO
        factor = Factor(finding.id, value, text, ratio, finding.sources)
        factors.append((-abs(math.log(ratio)), factor) if meaningful else None)
    return tuple(factors)


def _strongest_first(weighed: Weighed) -> float:
    return weighed[0]


_FACTORS: KnowledgeMemo[tuple[Weighed | None, ...]] = KnowledgeMemo()


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
