"""One presentation model of an assessment: what a person is shown, in the order they read it.

The terminal report and the web page render this model and nothing else, so a display rule is
decided here once (issue 10; DESIGN.md "report/"):

- **The emergency view.** When the care level is the highest one, the view carries only what to
  do now -- the numbers to call (as `tel:` links), the FAST signs, the next steps (note the
  time, do not drive), the reasons for that level, their sources and the disclaimer -- and
  nothing about open questions, causes, probabilities, treatments or self-care: a person having
  a stroke must not be reassured or distracted by "92% harmless twitch".
- **Percentages** never claim certainty: below 1% is "<1%", above 99% is ">99%" (`percent`).
- **Which causes are explained:** the most likely one, and any at least `EXPLAIN_THRESHOLD`
  likely, with at most `FACTORS_SHOWN` findings for and against each.
- **Citations** are numbered in reading order (`citations.py`).
- **People read words, not ids:** every finding is shown by its label, its question or
  `describe()`'s phrase; where evidence came from is said in words ("your description").
- **Open safety questions** (`triage.pending`) come with their question, help and the answers
  a renderer can offer, so the web page can ask them in place.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from facespasm.knowledge import Finding, KnowledgeBase, load_knowledge
from facespasm.reasoning import Assessment, ConditionResult, EvidenceItem, Factor, Origin
from facespasm.reasoning.assessment import pending_sources
from facespasm.reasoning.explain import describe
from facespasm.report.citations import Cited, Numbering, SourceView

# Explanations are shown for causes at least this likely (and always for the most likely one).
EXPLAIN_THRESHOLD = 0.05
FACTORS_SHOWN = 4
EMERGENCY_NOTE = "The cause of the twitching can wait: get help for these symptoms first."
PENDING_TITLE = "Safety questions not yet answered"
PENDING_INTRO = (
    "facespasm calls a twitch harmless only when each of these has been answered “no”. "
    "If any of them applies to you, see a doctor soon; for sudden weakness of the face or an "
    "arm, or slurred speech, call your emergency number."
)
NOTHING_FOR_OR_AGAINST = "Nothing you told us speaks for or against it: its base rate."
ORIGIN_WORDS = {
    Origin.ANSWER: "your answer",
    Origin.TEXT: "your description",
    Origin.VIDEO: "your video",
    Origin.DIARY: "your diary",
}


@dataclass(frozen=True)
class Statement:
    """A sentence and the sources behind it."""

    text: str
    cites: Cited


@dataclass(frozen=True)
class ReasonView:
    """Why the care level is what it is; `uncertain` are red flags the person was unsure of."""

    text: str
    cites: Cited
    uncertain: tuple[str, ...] = ()


@dataclass(frozen=True)
class CareView:
    """The care level first: its id, words, colour, summary, reasons and next steps."""

    level: str
    label: str
    colour: str
    summary: Statement
    reasons: tuple[ReasonView, ...]
    next_steps: tuple[str, ...]
    next_steps_cites: Cited


@dataclass(frozen=True)
class CallView:
    """An emergency number, where it is used, and its telephone link."""

    number: str
    where: str

    @property
    def href(self) -> str:
        """The `tel:` link that dials it."""
        return f"tel:{self.number}"


@dataclass(frozen=True)
class EmergencyView:
    """What to do now: the numbers to call and the signs to tell them about."""

    calls: tuple[CallView, ...]
    signs: tuple[str, ...]
    cites: Cited
    note: str = EMERGENCY_NOTE


@dataclass(frozen=True)
class AnswerOption:
    """One answer a renderer can offer for a question; `value` is its JSON ("true", "null")."""

    label: str
    value: str


@dataclass(frozen=True)
class QuestionView:
    """A safety question still open, ready to be asked where the result is shown."""

    finding: str
    label: str
    question: str
    help: str
    answers: tuple[AnswerOption, ...]


@dataclass(frozen=True)
class PendingView:
    """The safety questions still open and why they matter."""

    title: str
    intro: Statement
    questions: tuple[QuestionView, ...]


@dataclass(frozen=True)
class FactorView:
    """A finding for or against a cause, with how much more or less common it is with it."""

    text: str
    ratio: str
    cites: Cited


@dataclass(frozen=True)
class CauseView:
    """One cause: its probability as words and as a bar, and (if explained) why."""

    id: str
    name: str
    percent: str
    bar: float
    explained: bool
    mechanism: Statement | None = None
    supporting: tuple[FactorView, ...] = ()
    opposing: tuple[FactorView, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class TreatmentView:
    """A treatment a doctor may discuss, with its figures."""

    name: str
    summary: Statement
    figures: tuple[Statement, ...]


@dataclass(frozen=True)
class TreatmentGroup:
    """The treatments of one cause."""

    cause: str
    treatments: tuple[TreatmentView, ...]


@dataclass(frozen=True)
class AdviceView:
    """A self-care measure; `relevant` when it answers something the person told us (★)."""

    title: str
    text: str
    cites: Cited
    relevant: bool


@dataclass(frozen=True)
class UsedView:
    """One item of evidence the assessment used, in words, and where it came from."""

    finding: str
    origin: str
    phrase: str
    origin_words: str
    detail: str | None
    hedged: bool
    implied: bool


@dataclass(frozen=True)
class ReportView:
    """Everything a person is shown about one assessment, in reading order.

    An emergency view (`emergency` set) has no causes, treatments, advice, evidence or open
    questions: only what to do now.
    """

    care: CareView
    emergency: EmergencyView | None
    pending: PendingView | None
    causes: tuple[CauseView, ...]
    treatments: tuple[TreatmentGroup, ...]
    advice: tuple[AdviceView, ...]
    any_relevant_advice: bool
    used: tuple[UsedView, ...]
    sources: tuple[SourceView, ...]
    disclaimer: str


def percent(probability: float) -> str:
    """A probability for people, never a flat 0% or 100%: "<1%", "37%", ">99%"."""
    if probability > 0.99:
        return ">99%"
    if probability < 0.01:
        return "<1%"
    return f"{probability:.0%}"


def ratio_text(likelihood_ratio: float) -> str:
    """A likelihood ratio in words: "9.6× as common with this cause" or "2.0× less common"."""
    if likelihood_ratio >= 1:
        return f"{likelihood_ratio:.1f}× as common with this cause"
    return f"{1 / likelihood_ratio:.1f}× less common with this cause"


def report_view(
    result: Assessment, knowledge: KnowledgeBase | None = None, *, cite: Numbering | None = None
) -> ReportView:
    """The presentation model of `result`.

    Args:
        result: the assessment to show.
        knowledge: the knowledge base `result` was made with; the packaged one by default.
        cite: the numbering to continue (a whole case report numbers its sources once, the
            assessment's first); a new one by default.
    """
    knowledge = knowledge or load_knowledge()
    cite = cite or Numbering(knowledge)
    level = knowledge.care_level(result.triage.level)
    is_emergency = level.id == knowledge.care_levels[-1].id
    care = _care(result, knowledge, cite, only_this_level=is_emergency)
    if is_emergency:
        emergency = EmergencyView(
            calls=tuple(CallView(call.number, call.where) for call in level.call),
            signs=level.signs,
            cites=cite(level.sources),
        )
        return ReportView(
            care=care,
            emergency=emergency,
            pending=None,
            causes=(),
            treatments=(),
            advice=(),
            any_relevant_advice=False,
            used=(),
            sources=cite.sources(),
            disclaimer=result.disclaimer,
        )
    pending = _pending(result, knowledge, cite)
    causes = tuple(_cause(condition, result, cite) for condition in result.conditions)
    names = {condition.id: condition.name for condition in result.conditions}
    treatments = tuple(
        TreatmentGroup(
            cause=names[cause_id],
            treatments=tuple(
                TreatmentView(
                    name=t.name,
                    summary=Statement(t.summary, cite(t.sources)),
                    figures=tuple(Statement(f.text, cite(f.sources)) for f in t.figures),
                )
                for t in result.treatments
                if t.cause == cause_id
            ),
        )
        for cause_id in dict.fromkeys(t.cause for t in result.treatments)
    )
    advice = tuple(
        AdviceView(a.title, a.text, cite(a.sources), a.id in result.relevant_advice)
        for a in result.advice
    )
    return ReportView(
        care=care,
        emergency=None,
        pending=pending,
        causes=causes,
        treatments=treatments,
        advice=advice,
        any_relevant_advice=bool(result.relevant_advice),
        used=tuple(_used(item, knowledge) for item in result.evidence),
        sources=cite.sources(),
        disclaimer=result.disclaimer,
    )


def _care(
    result: Assessment, knowledge: KnowledgeBase, cite: Numbering, *, only_this_level: bool
) -> CareView:
    """The care level; `only_this_level` keeps only the reasons for the level itself."""
    triage = result.triage
    summary = Statement(triage.summary, cite(triage.sources))
    reasons = tuple(
        ReasonView(
            reason.text,
            cite(reason.sources),
            uncertain=tuple(knowledge.findings[f].label for f in reason.uncertain),
        )
        for reason in triage.reasons
        if not only_this_level or reason.level == triage.level
    )
    return CareView(
        level=triage.level,
        label=triage.label,
        colour=knowledge.care_level(triage.level).colour,
        summary=summary,
        reasons=reasons,
        next_steps=triage.next_steps,
        next_steps_cites=cite(triage.sources),
    )


def _pending(result: Assessment, knowledge: KnowledgeBase, cite: Numbering) -> PendingView | None:
    if not result.triage.pending:
        return None
    intro = Statement(PENDING_INTRO, cite(pending_sources(knowledge, result.triage)))
    questions = tuple(_question(knowledge.findings[f]) for f in result.triage.pending)
    return PendingView(title=PENDING_TITLE, intro=intro, questions=questions)


def _question(finding: Finding) -> QuestionView:
    dont_know = AnswerOption("Don't know", "null")
    if finding.type == "boolean":
        answers: tuple[AnswerOption, ...] = (
            AnswerOption("Yes", "true"),
            AnswerOption("No", "false"),
            dont_know,
        )
    elif finding.type == "choice":
        choices = tuple(AnswerOption(c.label, json.dumps(c.value)) for c in finding.choices)
        answers = (*choices, dont_know)
    else:  # a red flag is a yes/no question; anything else is answered in the interview
        answers = ()
    return QuestionView(
        finding=finding.id,
        label=finding.label,
        question=finding.question,
        help=finding.help,
        answers=answers,
    )


def _cause(condition: ConditionResult, result: Assessment, cite: Numbering) -> CauseView:
    probability = condition.probability
    shown = percent(probability)
    explained = condition is result.top or probability >= EXPLAIN_THRESHOLD
    if not explained:
        return CauseView(condition.id, condition.name, shown, _bar(probability), explained=False)
    mechanism = Statement(condition.mechanism, cite(condition.sources))
    supporting = _factors(condition.supporting, cite)
    opposing = _factors(condition.opposing, cite)
    return CauseView(
        id=condition.id,
        name=condition.name,
        percent=shown,
        bar=_bar(probability),
        explained=True,
        mechanism=mechanism,
        supporting=supporting,
        opposing=opposing,
        note=None if supporting or opposing else NOTHING_FOR_OR_AGAINST,
    )


def _factors(factors: Iterable[Factor], cite: Numbering) -> tuple[FactorView, ...]:
    shown = tuple(factors)[:FACTORS_SHOWN]
    return tuple(FactorView(f.text, ratio_text(f.likelihood_ratio), cite(f.sources)) for f in shown)


def _bar(probability: float) -> float:
    return min(1.0, max(0.0, probability))


def _used(item: EvidenceItem, knowledge: KnowledgeBase) -> UsedView:
    finding = knowledge.findings[item.finding]
    return UsedView(
        finding=item.finding,
        origin=str(item.origin),
        phrase=describe(finding, item.value),
        origin_words=ORIGIN_WORDS[item.origin],
        detail=item.detail,
        hedged=item.hedged,
        implied=item.implied_by is not None,
    )
