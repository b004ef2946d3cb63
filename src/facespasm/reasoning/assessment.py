"""`assess()`: evidence in, an explained and sourced assessment out.

This is the one core every front end drives -- the terminal interview, `--answers --json`, and
later the web app -- so they all show the same result. `Assessment.to_dict()` is the ⚑ JSON of
DESIGN.md.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

import orjson

from facespasm.knowledge import Advice, Cause, KnowledgeBase, Source, Treatment, load_knowledge
from facespasm.reasoning.differential import differential
from facespasm.reasoning.entailment import entailed
from facespasm.reasoning.evidence import Evidence
from facespasm.reasoning.explain import Factor, explain_all
from facespasm.reasoning.memo import KnowledgeMemo
from facespasm.reasoning.triage import Triage, triage

DISCLAIMER = (
    "facespasm gives information, not a diagnosis. Only a clinician who examines you can "
    "diagnose the cause of your twitching. If you are worried or your symptoms change, "
    "contact a doctor."
)

# Treatments are shown for causes at least this probable, and always for the most likely one.
TREATMENT_THRESHOLD = 0.10


@dataclass(frozen=True)
class ConditionResult:
    """One cause in the differential: how likely it is and why."""

    id: str
    name: str
    medical_name: str
    tier: str
    probability: float
    supporting: tuple[Factor, ...]
    opposing: tuple[Factor, ...]
    mechanism: str
    codes: dict[str, str]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    """Ranked causes, the care level, advice, treatments, the evidence used, and sources."""

    conditions: tuple[ConditionResult, ...]
    triage: Triage
    advice: tuple[Advice, ...]
    relevant_advice: frozenset[str]
    treatments: tuple[Treatment, ...]
    evidence: Evidence
    sources: tuple[Source, ...]
    knowledge_version: str
    disclaimer: str = DISCLAIMER
    # The description it was read from, if any (`facespasm.language.Reading`): the JSON's "text".
    reading: Any = None

    @property
    def top(self) -> ConditionResult:
        """The most likely cause."""
        return self.conditions[0]

    def to_dict(self) -> dict[str, Any]:
        """The ⚑ assessment JSON (DESIGN.md), ready for `json.dumps`."""
        return plain(self._document())  # type: ignore[no-any-return]

    def to_json(self) -> bytes:
        """The same JSON as `to_dict`, encoded (compact UTF-8) for the web API's hot path.

        orjson encodes the frozen dataclasses directly, so the ~1,000 small dicts and lists
        that `to_dict` builds for one assessment are never made: 0.13 ms per request saved.
        """
        return orjson.dumps(self._document())

    def _document(self) -> dict[str, Any]:
        """The JSON's shape, with the dataclasses left in for the encoder."""
        return {
            "conditions": self.conditions,
            "triage": self.triage,
            "advice": [
                {**_shallow(advice), "relevant": advice.id in self.relevant_advice}
                for advice in self.advice
            ],
            "treatments": self.treatments,
            "evidence": {
                item.finding: {
                    "value": item.value,
                    "origin": str(item.origin),
                    **({"detail": item.detail} if item.detail else {}),
                    **({"spans": item.spans} if item.spans else {}),
                    **({"hedged": True} if item.hedged else {}),
                    **({"implied_by": item.implied_by} if item.implied_by else {}),
                }
                for item in self.evidence
            },
            "sources": self.sources,
            "disclaimer": self.disclaimer,
            "knowledge_version": self.knowledge_version,
            **({"text": self.reading.to_dict()} if self.reading is not None else {}),
        }


def plain(value: Any) -> Any:
    """Dataclasses, tuples and dicts as JSON-ready dicts and lists.

    `dataclasses.asdict` deep-copies every leaf and took 0.6 ms for one assessment, more than
    the assessment itself; the results are immutable, so nothing needs copying.
    """
    kind: type = type(value)
    if kind in _LEAVES:
        return value
    if kind is tuple or kind is list:
        return [plain(item) for item in value]
    if kind is dict:
        return {key: plain(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {name: plain(getattr(value, name)) for name in _field_names(kind)}
    return value


def _shallow(value: Any) -> dict[str, Any]:
    """A dataclass's fields as a dict, its values left as they are."""
    kind: type = type(value)
    return {name: getattr(value, name) for name in _field_names(kind)}


_LEAVES = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in fields(cls))


def assess(
    evidence: Evidence | Mapping[str, object],
    knowledge: KnowledgeBase | None = None,
    *,
    reading: Any = None,
) -> Assessment:
    """Assess what is known about a person's twitching.

    Args:
        evidence: an `Evidence`, or a ⚑ answers mapping such as `{"side": "one", "age": 34}`.
        knowledge: the knowledge base to reason with; the packaged one by default.
        reading: the description the evidence was partly read from, kept with the result.

    Raises:
        InputError: when `evidence` is a mapping with an unknown finding or a bad value.
    """
    knowledge = knowledge or load_knowledge()
    if not isinstance(evidence, Evidence):
        evidence = Evidence.from_answers(evidence, knowledge=knowledge)
    evidence = entailed(evidence, knowledge)
    probabilities = differential(evidence, knowledge)
    ranked = sorted(knowledge.causes, key=lambda cause: -probabilities[cause.id])
    conditions = []
    explained = explain_all(evidence, knowledge)
    for cause in ranked:
        supporting, opposing = explained[cause.id]
        conditions.append(
            ConditionResult(
                id=cause.id,
                name=cause.name,
                medical_name=cause.medical_name,
                tier=cause.tier,
                probability=probabilities[cause.id],
                supporting=supporting,
                opposing=opposing,
                mechanism=cause.mechanism,
                codes=_codes(cause, knowledge),
                sources=cause.sources,
            )
        )
    care = triage(evidence, probabilities, knowledge)
    relevant = frozenset(
        advice.id for advice in knowledge.advice if any(evidence.value(f) for f in advice.factors)
    )
    advice = tuple(sorted(knowledge.advice, key=lambda a: a.id not in relevant))
    treated = [c for c in conditions if c.probability >= TREATMENT_THRESHOLD] or conditions[:1]
    treatments = tuple(t for c in treated for t in knowledge.treatments_for(c.id))
    return Assessment(
        conditions=tuple(conditions),
        triage=care,
        advice=advice,
        relevant_advice=relevant,
        treatments=treatments,
        evidence=evidence,
        sources=_cited(knowledge, care, conditions, treatments, advice),
        knowledge_version=knowledge.version,
        reading=reading,
    )


def _codes(cause: Cause, knowledge: KnowledgeBase) -> dict[str, str]:
    """The codes a cause has (those it lacks are left out, not null)."""
    return _CODES.get(
        knowledge,
        cause.id,
        lambda: {
            system: code
            for system, code in _shallow(cause.codes).items()
            if isinstance(code, str) and code  # the codes by side are the report's to choose
        },
    )


_CODES: KnowledgeMemo[dict[str, str]] = KnowledgeMemo()


def pending_sources(knowledge: KnowledgeBase, care: Triage) -> tuple[str, ...]:
    """The sources of the rules that a pending red flag would trigger."""
    unanswered = set(care.pending)
    return tuple(
        dict.fromkeys(
            source
            for rule in knowledge.care_rules
            if unanswered & knowledge.rule_findings[rule.id]
            for source in rule.sources
        )
    )


def _cited(
    knowledge: KnowledgeBase,
    care: Triage,
    conditions: Iterable[ConditionResult],
    treatments: Iterable[Treatment],
    advice: Iterable[Advice],
) -> tuple[Source, ...]:
    """Every source the result cites, in the order it is first cited."""
    cited: list[str] = []
    for reason in care.reasons:
        cited += reason.sources
    cited += care.sources
    cited += pending_sources(knowledge, care)
    explained: set[str] = set()  # a finding's factors all cite the finding's sources
    for condition in conditions:
        cited += condition.sources
        for factor in condition.supporting + condition.opposing:
            if factor.finding not in explained:
                explained.add(factor.finding)
                cited += factor.sources
    for treatment in treatments:
        cited += treatment.sources
        for figure in treatment.figures:
            cited += figure.sources
    for item in advice:
        cited += item.sources
    return tuple(knowledge.sources[source_id] for source_id in dict.fromkeys(cited))
