"""`make_report()`: a whole case as a `CaseReport` -- the one call the CLI and the web make.

`facespasm report` and `POST /api/v1/report` / `/api/v1/fhir` take the same inputs as
`facespasm assess` and `/api/v1/assess` -- answers, a description, a video, the diary -- and
hand them here; the case is assessed by `case.assess_case` (the rule of precedence lives there)
and drawn into the presentation model by `report.case_report`. This module does the reading:
the video analysis (when given a path), the diary's records; the clock is a parameter.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from facespasm.case import Answers, assess_case, make_case
from facespasm.errors import ConflictError, InputError
from facespasm.knowledge import KnowledgeBase, load_knowledge

if TYPE_CHECKING:
    from facespasm.diary.store import Diary
    from facespasm.reasoning import Evidence
    from facespasm.report.case_report import CaseReport
    from facespasm.video.analysis import VideoAnalysis

# A name is for the header of a page; anything longer is not one.
MAX_NAME_CHARS = 100


def make_report(
    answers: Answers | None = None,
    text: str | None = None,
    video: Path | str | VideoAnalysis | Mapping[str, object] | None = None,
    diary: Diary | None = None,
    *,
    wrong: Iterable[str] = (),
    name: str | None = None,
    now: dt.datetime | None = None,
    knowledge: KnowledgeBase | None = None,
) -> CaseReport:
    """The report of a case.

    Args:
        answers: ⚑ answers, as `/api/v1/assess` and `--answers` take them (None: "don't know").
        text: a description in the person's own words.
        wrong: findings read from `text` that the person says are wrong.
        video: a face video's path, or its analysis already made; or only the ⚑ `evidence` of
            one (as `/api/v1/assess` takes it), which counts but has no measures to show.
        diary: the person's diary, to cover its last 90 days and use its evidence; None: none.
        name: the person's name, only if they typed one (blank: none).
        now: the time of the report (aware); default: now, in this computer's time zone.
        knowledge: the knowledge base; the packaged one by default.

    Raises:
        InputError: nothing to assess, an unknown finding or a bad value, a video that cannot be
            analysed, a name that is not one, or a naive `now`.
    """
    from facespasm.report.case_report import case_report

    knowledge = knowledge or load_knowledge()
    now = now or dt.datetime.now().astimezone()
    if now.tzinfo is None or now.utcoffset() is None:
        raise InputError("the time of a report must say its time zone")
    today = now.date()
    analysis = None if isinstance(video, Mapping) else _analysis(video)
    records = None
    diary_evidence = None
    if diary is not None:
        from facespasm.diary.evidence import diary_evidence as from_diary
        from facespasm.report.case_diary import DiaryRecords

        records = DiaryRecords(
            days=tuple(diary.days.all()),
            episodes=tuple(diary.episodes.all()),
            treatments=tuple(diary.treatments.all()),
            ratings=tuple(diary.ratings.all()),
            measurements=tuple(diary.measurements.all()),
        )
        diary_evidence = from_diary(records.days, today=today)
    video_evidence: Evidence | Mapping[str, object] | None = (
        analysis.to_evidence() if analysis is not None else None
    )
    if isinstance(video, Mapping):
        # As /api/v1/assess passes it: evidence of only "don't know"s is still a case.
        video_evidence = video
    elif analysis is not None:
        analysis.refuse_alone(
            alone=not answers and text is None and diary is None,
            instead="add answers or a description",
        )
    result = assess_case(
        answers,
        text=text,
        wrong=wrong,
        video=video_evidence,
        diary=diary_evidence,
        knowledge=knowledge,
        today=today,
    )
    # The answers alone, parsed as the assessment parsed them: "don't know" is kept here.
    parsed = make_case(answers, knowledge=knowledge).answers
    return case_report(
        result,
        made_at=now,
        knowledge=knowledge,
        answers=parsed,
        name=clean_name(name),
        video=analysis,
        diary=records,
    )


def records_report(
    diary: Diary, *, now: dt.datetime | None = None, knowledge: KnowledgeBase | None = None
) -> CaseReport:
    """The report of a person's own records, for a clinician they share them with.

    The case is the person's latest kept assessment -- its evidence as they gave it (answers and
    description as answers, the video's as a video's) -- and their diary, whose evidence is read
    again as of `now`. A diary with neither a kept assessment nor enough recent days to say
    anything is refused with a sentence a clinician can act on (a conflict with what the records
    hold, not a bad request: 409 on the web).

    Args:
        diary: the person's diary.
        now: the time of the report (aware); default: now.
        knowledge: the knowledge base; the packaged one by default.

    Raises:
        ConflictError: nothing to report yet.
        InputError: a naive `now`.
    """
    from facespasm.reasoning.evidence import Origin

    answers: dict[str, object] = {}
    video: dict[str, object] = {}
    latest = diary.assessments.page(limit=1, newest_first=True)
    if latest and latest[0].id is not None:
        kept = diary.assessments.result(latest[0].id).result.get("evidence", {})
        for finding, item in kept.items() if isinstance(kept, dict) else ():
            if not isinstance(item, dict) or item.get("origin") == Origin.DIARY:
                continue
            (video if item.get("origin") == Origin.VIDEO else answers)[finding] = item.get("value")
    if not answers and not video and not diary.days.page(limit=1):
        raise ConflictError(
            "nothing to report yet: this person has kept no assessment and logged no days"
        )
    try:
        return make_report(answers, video=video or None, diary=diary, now=now, knowledge=knowledge)
    except InputError as error:
        if not str(error).startswith("nothing to assess"):
            raise
        raise ConflictError(
            "nothing to report yet: this person has kept no assessment, and their diary has "
            "fewer than 3 days with sleep, caffeine or stress logged in the last 2 weeks"
        ) from None


def clean_name(name: str | None) -> str | None:
    """The name as typed, trimmed; None when blank.

    Raises:
        InputError: it is too long to be a name, or holds control characters.
    """
    if name is None or not name.strip():
        return None
    name = " ".join(name.split())
    if len(name) > MAX_NAME_CHARS:
        raise InputError(f"a name is at most {MAX_NAME_CHARS} characters")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise InputError("a name cannot hold control characters")
    return name


def _analysis(video: Path | str | VideoAnalysis | None) -> VideoAnalysis | None:
    if video is None:
        return None
    if isinstance(video, str | Path):
        from facespasm.video.analysis import analyze_video

        path = Path(video)
        if not path.is_file():
            raise InputError(f"no video file at {path}")
        return analyze_video(path)
    return video
