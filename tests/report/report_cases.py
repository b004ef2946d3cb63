"""Case reports for the document and PDF tests: an ordinary case, an emergency, and a case with a
video and three months of diary -- made by `make_report` at a fixed time, so their text is stable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from facespasm.diary.database import open_database
from facespasm.diary.records import Day, Episode, Rating, Treatment
from facespasm.diary.store import Diary
from facespasm.knowledge import KnowledgeBase
from facespasm.report.case_report import CaseReport
from facespasm.sharing import make_report
from facespasm.video.analysis import VideoAnalysis
from tests.report import cases
from tests.report.cases import NOW, clip_analysis

MADE = "30 November 2026, 09:15 UTC"
HEMIFACIAL = {**cases.HEMIFACIAL, "facial_weakness": False, "facial_pain": None}
DESCRIPTION = "it began at my left eye, now my cheek pulls too; maybe a bit numb in my arm?"


def planted_clip(seconds: float = 40.0, spasms_left: int = 6, blinks: int = 14) -> VideoAnalysis:
    """A clip's analysis from planted eyelid traces: left eyelid spasms and blinks of both eyes."""
    return clip_analysis(seconds, spasms_left=spasms_left, blinks=blinks)


def sample_diary(folder: Path) -> Diary:
    """Six months of daily counts (every eleventh day unrecorded), two Botox injections, three
    Jankovic ratings, an episode on the left and a kept video measurement."""
    diary = Diary(open_database(f"sqlite:///{folder / 'diary.db'}", schema="upgrade"))
    start = dt.date(2026, 6, 1)
    for n in range(183):
        if n % 11 == 5:
            continue
        relieved = n >= 30 and 7 <= (n - 30) % 91 <= 75
        diary.days.record(Day(start + dt.timedelta(days=n), episodes=2 if relieved else 9))
    for date, units in ((dt.date(2026, 7, 1), 20.0), (dt.date(2026, 9, 30), 25.0)):
        diary.treatments.add(
            Treatment(date, "botulinum_toxin", side="left", dose_units=units, name="Botox",
                      units_left=units)
        )  # fmt: skip
    for date, score in ((dt.date(2026, 9, 28), 6.0), (dt.date(2026, 10, 20), 3.0)):
        diary.ratings.add(Rating(date, "jrs", (("severity", 3), ("frequency", 3)), score))
    diary.episodes.add(
        Episode(dt.datetime(2026, 11, 2, 8, tzinfo=dt.UTC), dt.date(2026, 11, 2), "UTC", "left",
                ("eyelid",))
    )  # fmt: skip
    diary.measurements.save(
        planted_clip(seconds=60, spasms_left=3, blinks=12).to_dict(),
        at=dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC),
    )
    return diary


def ordinary(knowledge: KnowledgeBase) -> CaseReport:
    """A stressed student's eyelid flicker for five days, every red flag answered "no"."""
    answers = {
        **dict.fromkeys(knowledge.red_flags, False),
        "age": 22,
        "side": "one",
        "regions": ["eyelid"],
        "small_flicker": True,
        "duration_days": 5,
        "stress": True,
        "caffeine": True,
    }
    return make_report(answers, now=NOW)


def emergency(name: str | None = None) -> CaseReport:
    """Stroke signs now, with a typical hemifacial spasm besides."""
    return make_report({**HEMIFACIAL, "sudden_weakness": True}, name=name, now=NOW)


def full(folder: Path, *, emergency: bool = False) -> CaseReport:
    """Hemifacial spasm from answers, a description, a video and the diary, named."""
    answers = {**HEMIFACIAL, "sudden_weakness": True} if emergency else HEMIFACIAL
    return make_report(
        answers,
        text=DESCRIPTION,
        video=planted_clip(),
        diary=sample_diary(folder),
        name="Ann Smith",
        now=NOW,
    )


def crowded(folder: Path) -> CaseReport:
    """Much to say: several likely causes, hedged red flags, a long description, video, diary."""
    answers = {
        "side": "one",
        "regions": ["eyelid", "mouth"],
        "age": 45,
        "duration_days": 60,
        "prior_facial_palsy": True,
        "multiple_sclerosis": None,
    }
    text = (
        "my left eye twitches for 3 months, sometimes my mouth too, worse with stress and coffee, "
        "maybe my hearing is a bit off? I had Bell's palsy years ago, and maybe numbness in my "
        "arm, not sure, also double vision sometimes"
    )
    return make_report(
        answers,
        text=text,
        video=planted_clip(seconds=60, spasms_left=12, blinks=30),
        diary=sample_diary(folder),
        name="A very long name of somebody Who-Has-Many Names",
        now=NOW,
    )
