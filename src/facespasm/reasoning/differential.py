"""The differential: how probable each cause is, given the evidence (Bayes' rule).

    P(cause | evidence) ∝ P(cause) × Π P(finding value | cause)

Findings are treated as independent given the cause (naive Bayes). That overstates certainty
when findings go together; where one finding entails another (findings.yaml `implies`) only one
of them is counted, and elsewhere the likelihood tables stay moderate and triage never rests on
the differential alone. Unknown
findings are left out: "don't know" neither helps nor hurts a cause. Work is done in log space
so that thirty findings never underflow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from facespasm.knowledge import KnowledgeBase
from facespasm.reasoning.entailment import weighed_items
from facespasm.reasoning.evidence import Evidence, Origin, Value
from facespasm.reasoning.likelihood import log_likelihoods
from facespasm.reasoning.memo import KnowledgeMemo

Probabilities = dict[str, float]


def differential(evidence: Evidence, knowledge: KnowledgeBase) -> Probabilities:
    """Every cause with its posterior probability, in the knowledge base's order; sums to 1.

    Only what is known for sure counts, each piece of information once (`entailment.py`); what a
    video measured is weighed as the video shows it (`likelihood.py`).
    """
    weighed = weighed_items(evidence, knowledge)
    answers = {item.finding: item.value for item in weighed}
    from_video = frozenset(item.finding for item in weighed if item.origin is Origin.VIDEO)
    return posterior(prior(knowledge), answers, knowledge, from_video=from_video)


def prior(knowledge: KnowledgeBase) -> Probabilities:
    """The base rates, normalised (a fresh copy: callers may change it)."""
    return dict(_PRIORS.get(knowledge, "prior", lambda: _normalise(_log_priors(knowledge))))


def _log_priors(knowledge: KnowledgeBase) -> dict[str, float]:
    return {cause.id: math.log(cause.prior.probability) for cause in knowledge.causes}


_PRIORS: KnowledgeMemo[Probabilities] = KnowledgeMemo()


def posterior(
    start: Mapping[str, float],
    answers: Mapping[str, Value],
    knowledge: KnowledgeBase,
    *,
    from_video: frozenset[str] = frozenset(),
) -> Probabilities:
    """Update `start` probabilities with each known answer (`from_video`: those a video gave)."""
    causes = knowledge.cause_ids
    logs = [math.log(start[c]) if start[c] > 0 else -math.inf for c in causes]
    for finding_id, value in answers.items():
        finding = knowledge.findings[finding_id]
        row = log_likelihoods(finding, value, knowledge, from_video=finding_id in from_video)
        logs = [log + add for log, add in zip(logs, row, strict=True)]
    return _normalise(dict(zip(causes, logs, strict=True)))


def _normalise(logs: Mapping[str, float]) -> Probabilities:
    top = max(logs.values())
    weights = {cause: math.exp(log - top) for cause, log in logs.items()}
    total = math.fsum(weights.values())
    return {cause: weight / total for cause, weight in weights.items()}
