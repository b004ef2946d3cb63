"""Reasoning over evidence: the differential, triage, explanations and the adaptive interview."""

from facespasm.reasoning.assessment import DISCLAIMER, Assessment, ConditionResult, assess
from facespasm.reasoning.differential import differential
from facespasm.reasoning.evidence import Evidence, EvidenceItem, Origin, Value
from facespasm.reasoning.explain import Factor
from facespasm.reasoning.triage import Reason, Triage, triage

__all__ = [
    "DISCLAIMER",
    "Assessment",
    "ConditionResult",
    "Evidence",
    "EvidenceItem",
    "Factor",
    "Origin",
    "Reason",
    "Triage",
    "Value",
    "assess",
    "differential",
    "triage",
]
