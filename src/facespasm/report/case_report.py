"""`CaseReport`: one presentation model of a whole case, for every renderer (issue 13).

The terminal, the HTML page, the PDF and the FHIR Bundle draw this model and nothing else, so a
rule is decided here once:

- **The assessment** is the existing `report_view` (its emergency view included: when the care
  level is the highest, `assessment` holds only what to do now, and renderers show it first);
  the model still carries the history, codes and conditions for machine renderers.
- **Sources are numbered once** across the report: the assessment's first, in its reading order,
  then the video's and the diary's (`citations.Numbering`, continued).
- **What counts as answered**: a red flag is "yes" or "no" when the case has a definite value
  (an answer, the person's own words, a video), "unknown" when they answered "don't know" or
  mentioned it with a hedge, and "not asked" otherwise.
- **Codes** are the knowledge base's (`causes.yaml`, knowledge-notes §6), never invented:
  ICD-10-CM and HPO for the causes a report explains (the most likely one and any at least
  `EXPLAIN_THRESHOLD` likely) and for a diagnosis the person says a doctor made. Hemifacial
  spasm's ICD-10-CM code is side-specific (G51.31 right, G51.32 left, G51.33 both sides, G51.39
  unspecified): the specific code is used where the side is known -- "both sides" from the case,
  or the one side every one-sided event of the video and every logged episode of the diary was
  on -- and only if the knowledge base's own note on the code names it.
- **A name** only if the person typed one; the date and time of the report always; the
  "information, not a diagnosis" disclaimer always.

`case_report()` is pure: `facespasm.sharing.make_report` does the reading and calls it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from facespasm.knowledge import Cause, KnowledgeBase
from facespasm.reasoning import Assessment, EvidenceItem, Value
from facespasm.reasoning.explain import describe
from facespasm.report.case_diary import DiaryRecords, DiarySection, diary_section
from facespasm.report.citations import Numbering, SourceView
from facespasm.report.view import EXPLAIN_THRESHOLD, ORIGIN_WORDS, ReportView, percent, report_view

if TYPE_CHECKING:
    from facespasm.report.case_video import VideoSection
    from facespasm.video.analysis import VideoAnalysis

TITLE = "Facial twitching: a summary for the doctor"
ICD10CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
HPO_SYSTEM = "http://human-phenotype-ontology.org"
# ICD-10-CM G51.3 (clonic hemifacial spasm) is a header; its codes name the side (knowledge-notes
# §6.1; causes.yaml's note on hemifacial_spasm). Keyed by the unspecified code the knowledge holds.
SIDE_WORDS = {"right": "right side", "left": "left side", "both": "both sides"}
# The key history a neurologist asks for, in the order they ask: (topic, finding).
HISTORY = (
    ("How long", "duration_days"),
    ("Side", "side"),
    ("Where", "regions"),
    ("Spread", "spread_to_lower_face"),
    ("In sleep", "persists_in_sleep"),
    ("Triggers", "worse_with_stress_or_fatigue"),
    ("Earlier facial palsy", "prior_facial_palsy"),
    ("Multiple sclerosis", "multiple_sclerosis"),
    ("Head injury", "head_injury"),
    ("Medicines", "new_medicine"),
)
# Lifestyle findings are listed under "Triggers" when the case knows them.
TRIGGER_CATEGORY = "lifestyle"
NOT_ASKED = "not asked"
DONT_KNOW = "don't know"

Side = Literal["left", "right", "both"]
FlagStatus = Literal["yes", "no", "unknown", "not asked"]
FLAG_WORDS: dict[FlagStatus, str] = {
    "yes": "yes",
    "no": "no",
    "unknown": "not sure",
    "not asked": "not asked",
}


@dataclass(frozen=True)
class HistoryItem:
    """One item of the key history: the finding, its value (None: not known) and words."""

    topic: str
    finding: str
    label: str
    value: Value | None
    answered: bool
    text: str
    origin: str | None
    origin_words: str | None


@dataclass(frozen=True)
class History:
    """The key history, and what the case says about its onset and side."""

    items: tuple[HistoryItem, ...]
    onset: dt.date | None
    onset_text: str | None
    side: Side | None
    side_text: str | None


@dataclass(frozen=True)
class RedFlagView:
    """One red flag and whether it was answered: "yes", "no", "unknown" or "not asked"."""

    finding: str
    label: str
    question: str
    status: FlagStatus
    status_text: str
    answered: bool
    pending: bool
    origin: str | None


@dataclass(frozen=True)
class CodeView:
    """A standard code: its system (URL and name), code, display, and the cause it codes."""

    system: str
    system_name: str
    code: str
    display: str
    cause: str
    note: str | None = None


@dataclass(frozen=True)
class ConditionView:
    """A cause as machines read it: id, names, probability (and in words), codes."""

    id: str
    name: str
    medical_name: str
    probability: float
    percent: str
    codes: tuple[CodeView, ...]


@dataclass(frozen=True)
class AnswerView:
    """What the case holds for one finding, and where it came from (None value: "don't know")."""

    finding: str
    value: Value | None
    origin: str
    origin_words: str
    text: str
    hedged: bool = False
    implied: bool = False


@dataclass(frozen=True)
class KnownDiagnosis:
    """A diagnosis the person says a doctor made."""

    cause: str
    name: str
    origin: str
    text: str
    codes: tuple[CodeView, ...]


@dataclass(frozen=True)
class CaseReport:
    """Everything a report of one case shows, for every renderer."""

    title: str
    made_at: dt.datetime
    made_at_text: str
    name: str | None
    assessment: ReportView
    history: History
    red_flags: tuple[RedFlagView, ...]
    video: VideoSection | None
    diary: DiarySection | None
    codes: tuple[CodeView, ...]
    conditions: tuple[ConditionView, ...]
    answers: tuple[AnswerView, ...]
    known_diagnosis: KnownDiagnosis | None
    disclaimer: str
    sources: tuple[SourceView, ...]
    knowledge_version: str

    @property
    def is_emergency(self) -> bool:
        """Whether the care level is an emergency (renderers show what to do first)."""
        return self.assessment.emergency is not None

    @property
    def red_flags_answered(self) -> tuple[RedFlagView, ...]:
        """The red flags answered "yes" or "no"."""
        return tuple(flag for flag in self.red_flags if flag.answered)

    @property
    def red_flags_open(self) -> tuple[RedFlagView, ...]:
        """The red flags not answered: "unknown" or "not asked"."""
        return tuple(flag for flag in self.red_flags if not flag.answered)


def case_report(
    result: Assessment,
    *,
    made_at: dt.datetime,
    knowledge: KnowledgeBase,
    answers: Sequence[tuple[str, Value | None]] = (),
    name: str | None = None,
    video: VideoAnalysis | None = None,
    diary: DiaryRecords | None = None,
) -> CaseReport:
    """The presentation model of a case.

    Args:
        result: the case's assessment (`case.assess_case`).
        made_at: when the report is made (aware).
        knowledge: the knowledge base `result` was made with.
        answers: the person's answers as parsed (`Case.answers`); a None value is "don't know".
        name: the name the person typed, or None.
        video: the video analysis the case used, if any.
        diary: the person's diary records, if the report covers the diary.
    """
    cite = Numbering(knowledge)
    view = report_view(result, knowledge, cite=cite)
    dont_know = {finding for finding, value in answers if value is None}
    today = made_at.date()
    video_part = None
    if video is not None:
        from facespasm.report.case_video import video_section

        video_part = video_section(video, knowledge, cite, made_at=made_at)
    diary_part = (
        None if diary is None else diary_section(diary, today=today, knowledge=knowledge, cite=cite)
    )
    side, side_from = _laterality(result, video, diary_part)
    conditions = tuple(
        ConditionView(
            id=c.id,
            name=c.name,
            medical_name=c.medical_name,
            probability=c.probability,
            percent=percent(c.probability),
            codes=_codes(knowledge.cause(c.id), side, side_from),
        )
        for c in result.conditions
    )
    known = _known_diagnosis(result, knowledge, side, side_from)
    coded = [c for c in result.conditions if c is result.top or c.probability >= EXPLAIN_THRESHOLD]
    codes = [code for c in conditions if any(c.id == k.id for k in coded) for code in c.codes]
    if known is not None:
        codes += [code for code in known.codes if code not in codes]
    return CaseReport(
        title=TITLE,
        made_at=made_at,
        made_at_text=_when(made_at),
        name=name,
        assessment=view,
        history=_history(result, knowledge, dont_know, today, side, side_from),
        red_flags=_red_flags(result, knowledge, dont_know),
        video=video_part,
        diary=diary_part,
        codes=tuple(codes),
        conditions=conditions,
        answers=_answers(result, knowledge, dont_know),
        known_diagnosis=known,
        disclaimer=result.disclaimer,
        sources=cite.sources(),
        knowledge_version=result.knowledge_version,
    )


def _when(made_at: dt.datetime) -> str:
    zone = made_at.tzname() or ""
    return f"{made_at.day} {made_at:%B %Y, %H:%M} {zone}".rstrip()


def _item_text(knowledge: KnowledgeBase, item: EvidenceItem) -> str:
    text = describe(knowledge.findings[item.finding], item.value)
    return text + (" (not sure)" if item.hedged else "")


def _history(
    result: Assessment,
    knowledge: KnowledgeBase,
    dont_know: set[str],
    today: dt.date,
    side: Side | None,
    side_from: str | None,
) -> History:
    rows = list(HISTORY)
    triggers_at = next(n for n, (topic, _) in enumerate(rows) if topic == "Triggers") + 1
    lifestyle = [
        ("Triggers", f.id)
        for f in knowledge.findings.values()
        if f.category == TRIGGER_CATEGORY and f.id in result.evidence
    ]
    rows[triggers_at:triggers_at] = lifestyle
    items = []
    for topic, finding_id in rows:
        finding = knowledge.findings.get(finding_id)
        if finding is None:  # a knowledge base without it (a test's, an older one)
            continue
        item = result.evidence.items.get(finding_id)
        if item is not None:
            text, answered = _item_text(knowledge, item), True
            origin, origin_words = str(item.origin), ORIGIN_WORDS[item.origin]
        else:
            status = DONT_KNOW if finding_id in dont_know else NOT_ASKED
            text, answered, origin, origin_words = f"{finding.label}: {status}", False, None, None
        value = item.value if item is not None else None
        items.append(
            HistoryItem(
                topic, finding_id, finding.label, value, answered, text, origin, origin_words
            )
        )
    onset = onset_text = None
    duration = result.evidence.value("duration_days")
    if isinstance(duration, float):
        onset = today - dt.timedelta(days=round(duration))
        onset_text = f"began about {onset.isoformat()} ({duration:g} days before this report)"
    side_text = None
    if side is not None:
        side_text = f"{SIDE_WORDS[side]} (from {side_from})"
    return History(tuple(items), onset, onset_text, side, side_text)


def _red_flags(
    result: Assessment, knowledge: KnowledgeBase, dont_know: set[str]
) -> tuple[RedFlagView, ...]:
    flags = []
    pending = set(result.triage.pending)
    for finding_id in knowledge.red_flags:
        finding = knowledge.findings[finding_id]
        item = result.evidence.items.get(finding_id)
        status: FlagStatus
        if item is not None and not item.hedged:
            status = "no" if item.value is False else "yes"
        elif item is not None or finding_id in dont_know:
            status = "unknown"
        else:
            status = "not asked"
        flags.append(
            RedFlagView(
                finding=finding_id,
                label=finding.label,
                question=finding.question,
                status=status,
                status_text=FLAG_WORDS[status],
                answered=status in ("yes", "no"),
                pending=finding_id in pending,
                origin=None if item is None else str(item.origin),
            )
        )
    return tuple(flags)


def _answers(
    result: Assessment, knowledge: KnowledgeBase, dont_know: set[str]
) -> tuple[AnswerView, ...]:
    views = []
    for finding_id, finding in knowledge.findings.items():
        item = result.evidence.items.get(finding_id)
        if item is not None:
            views.append(
                AnswerView(
                    finding=finding_id,
                    value=item.value,
                    origin=str(item.origin),
                    origin_words=ORIGIN_WORDS[item.origin],
                    text=_item_text(knowledge, item),
                    hedged=item.hedged,
                    implied=item.implied_by is not None,
                )
            )
        elif finding_id in dont_know:
            views.append(
                AnswerView(
                    finding_id, None, "answer", "your answer", f"{finding.label}: {DONT_KNOW}"
                )
            )
    return tuple(views)


def _laterality(
    result: Assessment, video: VideoAnalysis | None, diary: DiarySection | None
) -> tuple[Side | None, str | None]:
    """The side of the face, where the case shows it, and where that came from (in words)."""
    stated = result.evidence.items.get("side")
    if stated is not None and stated.value == "both":
        return "both", ORIGIN_WORDS[stated.origin]
    seen: dict[str, set[str]] = {}
    if video is not None:
        for event in video.events:
            if event.kind in ("spasm", "flicker") and event.side in ("left", "right"):
                seen.setdefault("your video", set()).add(event.side)
    if diary is not None:
        for side, _ in diary.episode_sides:
            sides = {"left", "right"} if side == "both" else {side}
            seen.setdefault("your diary", set()).update(sides)
    every = set().union(*seen.values()) if seen else set()
    if len(every) != 1:
        return None, None
    (side,) = every
    return ("left" if side == "left" else "right"), " and ".join(seen)


def _codes(cause: Cause, side: Side | None, side_from: str | None) -> tuple[CodeView, ...]:
    codes = []
    icd10 = cause.codes.icd10
    if icd10:
        by_side = cause.codes.icd10_by_side or {}
        specific = by_side.get(side) if side is not None else None
        if specific:
            assert side is not None
            display = f"{cause.medical_name}, {SIDE_WORDS[side]}"
            from_where = f"side from {side_from}"
            codes.append(
                CodeView(ICD10CM_SYSTEM, "ICD-10-CM", specific, display, cause.id, from_where)
            )
        else:
            unknown = "side not known" if by_side else None
            codes.append(
                CodeView(ICD10CM_SYSTEM, "ICD-10-CM", icd10, cause.medical_name, cause.id, unknown)
            )
    if cause.codes.hpo:
        display = cause.codes.hpo_label or cause.medical_name
        codes.append(CodeView(HPO_SYSTEM, "HPO", cause.codes.hpo, display, cause.id))
    return tuple(codes)


def _known_diagnosis(
    result: Assessment, knowledge: KnowledgeBase, side: Side | None, side_from: str | None
) -> KnownDiagnosis | None:
    item = result.evidence.items.get("known_diagnosis")
    if item is None or item.hedged or not isinstance(item.value, str):
        return None
    if item.value not in knowledge.cause_ids:
        return None
    cause = knowledge.cause(item.value)
    return KnownDiagnosis(
        cause=cause.id,
        name=cause.name,
        origin=str(item.origin),
        text=f"A doctor has said it is: {cause.name} ({ORIGIN_WORDS[item.origin]})",
        codes=_codes(cause, side, side_from),
    )
