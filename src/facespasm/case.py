"""`assess_case()`: one assessment of a whole case, the call every front end makes.

A case is what a person gives facespasm at once: answers to questions, a description in their
own words (less what they marked as misread), the evidence measured from a video and the
diary's. The terminal (`facespasm assess`), `POST /api/v1/assess`, `/api/v1/interview` and the
result page all assemble it here, so the rule of precedence lives once (⚑ DESIGN.md): what the
person *answered* outranks what their *text* says, which outranks what a *video* measured, which
outranks the *diary* (`Evidence.merged`). A "don't know" answer changes nothing below it, and a
red flag mentioned with a hedge stays counted until the person answers "no".

The callers do the input and output -- reading a file, running the video analysis, opening the
diary -- and pass the evidence in: the case itself is pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from facespasm.amounts import typed_answer
from facespasm.errors import InputError
from facespasm.knowledge import KnowledgeBase, load_knowledge
from facespasm.language import Reading, read
from facespasm.reasoning import Assessment, Evidence, Origin, Value, assess
from facespasm.reasoning.evidence import parse_value
from facespasm.reasoning.interview import Interview, with_answers

# What an answer may be given as: a mapping, or (finding, value) pairs in the order answered.
Answers = Mapping[str, object] | Sequence[tuple[str, object]]


@dataclass(frozen=True)
class Case:
    """Everything one person gave, parsed and checked; `evidence()` joins it by precedence."""

    answers: tuple[tuple[str, Value | None], ...] = ()
    reading: Reading | None = None
    wrong: tuple[str, ...] = ()
    video: Evidence = field(default_factory=Evidence)
    diary: Evidence = field(default_factory=Evidence)

    def known(self) -> Evidence:
        """What the case says before any answer: the text (less `wrong`), the video, the diary."""
        known = self.video.merged(self.diary)
        if self.reading is not None:
            text = self.reading.evidence()
            for finding_id in self.wrong:
                text = text.without(finding_id)
            known = text.merged(known)
        return known

    def evidence(self) -> Evidence:
        """All of it, the answers on top."""
        return with_answers(self.known(), self.answers)

    def interview(self, knowledge: KnowledgeBase | None = None) -> Interview:
        """The interview of this case: what is known is not asked, the answers are replayed."""
        interview = Interview(knowledge=knowledge, known=self.known())
        for finding_id, value in self.answers:
            interview.answer(finding_id, value)
        return interview


def make_case(
    answers: Answers | None = None,
    *,
    text: str | None = None,
    wrong: Iterable[str] = (),
    video: Evidence | Mapping[str, object] | None = None,
    diary: Evidence | None = None,
    knowledge: KnowledgeBase | None = None,
    today: dt.date | None = None,
) -> Case:
    """Check and parse what a person gave.

    Args:
        answers: ⚑ answers, `{finding_id: value}` or pairs in order; None means "don't know". A
            number may be given as the text a person typed ("3 weeks"; `amounts.py`).
        text: a description in the person's own words.
        wrong: findings read from `text` that the person says are wrong (they are asked).
        video: the ⚑ `evidence` of a video analysis (or an `Evidence`).
        diary: evidence from the diary (`diary_evidence`).
        knowledge: the knowledge base; the packaged one by default.
        today: the date relative times in `text` count back from.

    Raises:
        InputError: an unknown finding or a value that does not fit it.
    """
    knowledge = knowledge or load_knowledge()
    pairs = list(answers.items()) if isinstance(answers, Mapping) else list(answers or ())
    parsed = tuple(
        (f, parse_value(knowledge, f, typed_answer(knowledge, f, raw))) for f, raw in pairs
    )
    wrong = tuple(wrong)
    for finding_id in wrong:
        parse_value(knowledge, finding_id, None)  # an unknown id fails with its name
    return Case(
        answers=parsed,
        reading=read(text, today=today) if text is not None else None,
        wrong=wrong,
        video=_video_evidence(video, knowledge),
        diary=diary or Evidence(),
    )


def assess_case(
    answers: Answers | None = None,
    *,
    text: str | None = None,
    wrong: Iterable[str] = (),
    video: Evidence | Mapping[str, object] | None = None,
    diary: Evidence | None = None,
    knowledge: KnowledgeBase | None = None,
    today: dt.date | None = None,
) -> Assessment:
    """The assessment of a whole case (arguments as `make_case`); the reading rides along.

    Raises:
        InputError: nothing to assess, an unknown finding or a value that does not fit it.
    """
    if not answers and text is None and not video and not diary:
        raise InputError(
            "nothing to assess: give answers, a description (text) or a video's evidence"
        )
    case = make_case(
        answers, text=text, wrong=wrong, video=video, diary=diary, knowledge=knowledge, today=today
    )
    return assess(case.evidence(), knowledge, reading=case.reading)


def _video_evidence(
    video: Evidence | Mapping[str, object] | None, knowledge: KnowledgeBase
) -> Evidence:
    if video is None or isinstance(video, Evidence):
        return video or Evidence()
    try:
        return Evidence.from_answers(video, origin=Origin.VIDEO, knowledge=knowledge)
    except InputError as error:
        raise InputError(f"video evidence: {error}") from None
