"""The adaptive interview: which question to ask next, and when to stop.

1. Red flags first -- the findings a care rule can raise to "see a doctor soon" or "emergency"
   -- in the order of their rules' urgency, skipping any whose rules other answers have already
   settled. A "yes" to stroke signs ends the interview at once. A red flag the person mentioned
   with a hedge is asked like one never mentioned: only a "no" clears it.
2. If the most likely cause has a near-necessary antecedent nobody has asked about (synkinesis
   needs an earlier facial palsy: `requires` in causes.yaml), that comes next: a cause should
   not lead on a history never asked for.
3. Then the question with the highest expected information gain about the differential: the
   drop in entropy (bits) of P(cause) we expect from its answer, averaging over the answers the
   current differential predicts (Shannon; as in Heckerman's Pathfinder).
4. Stop when the most likely cause is likely (≥ 90%) and stable (unchanged over the last two
   answers), or when no question left could move the differential by more than 0.01 bit. Before
   stopping, every finding that could still make a care rule hold is asked, because those
   answers can change the care level even when they cannot change the differential.

"Don't know" is always allowed and is simply not used as evidence. `back()` undoes the last
answer, so that question is asked again and its new answer replaces the old one. The interview
is a plain object holding its answers in order, so the terminal, the web app and tests drive the
same thing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from facespasm.knowledge import Finding, KnowledgeBase, load_knowledge
from facespasm.reasoning.assessment import Assessment, assess
from facespasm.reasoning.differential import Probabilities, differential, posterior
from facespasm.reasoning.entailment import entailed
from facespasm.reasoning.evidence import Evidence, EvidenceItem, Origin, Value, parse_value
from facespasm.reasoning.likelihood import likelihoods, possible_answers
from facespasm.reasoning.triage import open_findings, open_red_flags, triage

LIKELY = 0.90
STABLE_OVER = 2
NOTHING_TO_LEARN_BITS = 0.01


@dataclass(frozen=True, slots=True)
class Question:
    """The next thing to ask, with the answer given before if the person went back."""

    finding: Finding
    number: int
    red_flag: bool
    previous: Value | None = None


class Interview:
    """One person's interview: ask `next_question()`, then `answer()` or `back()`."""

    def __init__(
        self, knowledge: KnowledgeBase | None = None, known: Evidence | None = None
    ) -> None:
        """Start an interview; `known` evidence (from text, video, diary) is not asked again."""
        self.knowledge = knowledge or load_knowledge()
        self.known = known or Evidence()
        self._answers: list[tuple[str, Value | None]] = []
        self._undone: dict[str, Value | None] = {}

    @property
    def answers(self) -> tuple[tuple[str, Value | None], ...]:
        """Every answer so far, in order; None stands for "don't know"."""
        return tuple(self._answers)

    def evidence(self) -> Evidence:
        """What is known: the starting evidence, below every answer that was not "don't know"."""
        return with_answers(self.known, self._answers)

    def answer(self, finding_id: str, raw: object) -> None:
        """Record an answer (None: don't know), replacing any earlier answer to that finding.

        Raises:
            InputError: the finding is unknown or the value does not fit it.
        """
        value = parse_value(self.knowledge, finding_id, raw)
        self._answers = [(f, v) for f, v in self._answers if f != finding_id]
        self._answers.append((finding_id, value))
        self._undone.pop(finding_id, None)

    def back(self) -> str | None:
        """Undo the last answer; its question comes next again. Returns its finding id."""
        if not self._answers:
            return None
        finding_id, value = self._answers.pop()
        self._undone[finding_id] = value
        return finding_id

    def next_question(self) -> Question | None:
        """The question to ask now, or None when the interview is complete."""
        evidence = entailed(self.evidence(), self.knowledge).definite()
        probabilities = differential(evidence, self.knowledge)
        if self._is_emergency(evidence, probabilities):
            return None
        asked = {finding_id for finding_id, _ in self._answers} | set(evidence.items)
        pending = [f for f in self._undone if f not in asked]
        open_flags = open_red_flags(evidence, probabilities, self.knowledge)
        red_flags = [f for f in open_flags if f not in asked]
        if pending:
            return self._question(pending[-1], red_flag=pending[-1] in self.knowledge.red_flags)
        if red_flags:
            return self._question(red_flags[0], red_flag=True)
        top = max(probabilities, key=lambda cause: probabilities[cause])
        antecedents = [f for f in self.knowledge.cause(top).requires if f not in asked]
        if antecedents:  # "not asked" is not "no": ask it before letting this cause lead
            return self._question(antecedents[0], red_flag=False)
        gains = {
            finding.id: information_gain(finding, probabilities, self.knowledge)
            for finding in self.knowledge.findings.values()
            if finding.id not in asked
            and finding.likelihood is not None
            and finding.category != "measured"  # only a video gives it
        }
        best = max(gains, key=lambda f: gains[f], default=None)
        if best is not None and not self._settled(probabilities, gains[best]):
            return self._question(best, red_flag=False)
        safety = [
            f for f in open_findings(evidence, probabilities, self.knowledge) if f not in asked
        ]
        return self._question(safety[0], red_flag=False) if safety else None

    def result(self) -> Assessment:
        """The assessment of everything known so far."""
        return assess(self.evidence(), self.knowledge)

    def _question(self, finding_id: str, *, red_flag: bool) -> Question:
        return Question(
            finding=self.knowledge.findings[finding_id],
            number=len(self._answers) + 1,
            red_flag=red_flag,
            previous=self._undone.get(finding_id),
        )

    def _is_emergency(self, evidence: Evidence, probabilities: Probabilities) -> bool:
        top_level = self.knowledge.care_levels[-1].id
        return triage(evidence, probabilities, self.knowledge).level == top_level

    def _settled(self, probabilities: Probabilities, best_gain: float) -> bool:
        if best_gain < NOTHING_TO_LEARN_BITS:
            return True
        top = max(probabilities, key=lambda cause: probabilities[cause])
        if probabilities[top] < LIKELY:
            return False
        informative = [(f, v) for f, v in self._answers if v is not None]
        if len(informative) < STABLE_OVER:
            return False
        for drop in range(1, STABLE_OVER + 1):
            earlier = dict(informative[:-drop])
            before = posterior(_known_prior(self), earlier, self.knowledge)
            if max(before, key=lambda cause: before[cause]) != top:
                return False
        return True


def with_answers(known: Evidence, answers: Iterable[tuple[str, Value | None]]) -> Evidence:
    """`known` evidence below the person's answers; "don't know" (None) leaves it as it was.

    A "don't know" never erases what a description or a video said, nor turns a red flag the
    person mentioned with a hedge into an unknown: it stays counted until they say no.
    """
    given = {
        finding_id: EvidenceItem(finding_id, value, Origin.ANSWER)
        for finding_id, value in answers
        if value is not None
    }
    return Evidence(given).merged(known)


def _known_prior(interview: Interview) -> Probabilities:
    """The differential from the starting evidence alone (what text or video already told us)."""
    return differential(interview.known, interview.knowledge)


def information_gain(
    finding: Finding, probabilities: Mapping[str, float], knowledge: KnowledgeBase
) -> float:
    """Expected drop in the entropy of the differential (bits) from asking this finding."""
    if finding.likelihood is None:
        return 0.0
    causes = knowledge.cause_ids
    expected_entropy = 0.0
    total = 0.0
    for value in possible_answers(finding):
        row = likelihoods(finding, value, knowledge)
        joint = [probabilities[c] * lk for c, lk in zip(causes, row, strict=True)]
        p_answer = math.fsum(joint)
        if p_answer <= 0:
            continue
        total += p_answer
        expected_entropy += p_answer * entropy([j / p_answer for j in joint])
    return entropy(list(probabilities.values())) - expected_entropy / total


def entropy(distribution: list[float]) -> float:
    """Shannon entropy in bits."""
    return -math.fsum(p * math.log2(p) for p in distribution if p > 0)
