"""The case report model: one case, every part decided once (`facespasm.sharing.make_report`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from facespasm.diary.database import open_database
from facespasm.diary.store import Diary
from facespasm.errors import InputError
from facespasm.knowledge import KnowledgeBase
from facespasm.report.case_report import CaseReport
from facespasm.sharing import make_report
from facespasm.video.analysis import VideoAnalysis

from .cases import HEMIFACIAL, NOW, clip_analysis, planted_diary
from .conftest import MACHINE_FIELDS, all_red_flags_ruled_out


def test_the_report_is_dated_and_named_only_when_a_name_was_typed() -> None:
    report = make_report(HEMIFACIAL, now=NOW)
    assert report.made_at == NOW
    assert report.made_at_text == "30 November 2026, 09:15 UTC"
    assert report.name is None
    assert make_report(HEMIFACIAL, name="  Ann   Smith ", now=NOW).name == "Ann Smith"
    assert make_report(HEMIFACIAL, name="   ", now=NOW).name is None
    assert "information, not a diagnosis" in report.disclaimer


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x" * 101, "at most 100"),  # a paragraph is not a name
        ("Ann\x1b[31m", "control characters"),  # a terminal escape
    ],
)
def test_a_name_that_is_not_one_is_refused(name: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        make_report(HEMIFACIAL, name=name, now=NOW)


def test_a_report_without_a_time_zone_is_refused() -> None:
    with pytest.raises(InputError, match="time zone"):
        make_report(HEMIFACIAL, now=dt.datetime(2026, 11, 30, 9, 15))


def test_sources_are_numbered_once_across_the_report_the_assessments_first() -> None:
    report = make_report(HEMIFACIAL, video=clip_analysis(spasms_left=3, blinks=10), now=NOW)
    numbers = [source.number for source in report.sources]
    assert numbers == list(range(1, len(numbers) + 1))
    assert report.sources[: len(report.assessment.sources)] == report.assessment.sources
    assert len({source.citation for source in report.sources}) == len(report.sources)
    # The 27-a-minute line cites Bentivoglio 2006, numbered within the same list.
    assert report.video is not None
    cited = [report.sources[n - 1].citation for n in report.video.blink.cites.numbers]
    assert any("Bentivoglio AR et al. Mov Disord 2006" in citation for citation in cited)


def test_red_flags_are_yes_no_unknown_or_not_asked(knowledge: KnowledgeBase) -> None:
    answers = {**HEMIFACIAL, "facial_weakness": False, "facial_pain": None}
    report = make_report(answers, text="maybe a bit numb in my arm?", now=NOW)
    status = {flag.finding: flag.status for flag in report.red_flags}
    assert set(status) == set(knowledge.red_flags)
    assert status["facial_weakness"] == "no"  # answered
    assert status["facial_pain"] == "unknown"  # "don't know"
    assert status["other_neuro_symptoms"] == "unknown"  # mentioned with a hedge
    assert status["hearing_change"] == "not asked"
    answered = {flag.finding for flag in report.red_flags_answered}
    assert answered == {"facial_weakness"}
    assert len(report.red_flags_open) == len(report.red_flags) - 1


def test_the_key_history_says_what_was_answered_and_what_was_not() -> None:
    report = make_report({**HEMIFACIAL, "head_injury": None}, now=NOW)
    items = {item.finding: item for item in report.history.items}
    assert items["persists_in_sleep"].text == "carries on during sleep"
    assert items["persists_in_sleep"].origin_words == "your answer"
    assert items["head_injury"].text == "started after a head injury: don't know"
    assert items["prior_facial_palsy"].text.endswith(": not asked")
    assert not items["prior_facial_palsy"].answered
    assert report.history.onset == dt.date(2025, 10, 26)  # 400 days before the report


@pytest.mark.parametrize(
    ("answers", "video", "code", "note"),
    [
        # the side unknown: the unspecified code
        (HEMIFACIAL, None, "G51.39", "side not known"),
        # every one-sided event of the video on the person's left
        (HEMIFACIAL, clip_analysis(spasms_left=4), "G51.32", "side from your video"),
        # ...and on their right
        (HEMIFACIAL, clip_analysis(spasms_right=4), "G51.31", "side from your video"),
        # spasms on both sides of the video: the side is not one side
        (HEMIFACIAL, clip_analysis(spasms_left=2, spasms_right=2), "G51.39", "side not known"),
        # the person says both sides
        ({**HEMIFACIAL, "side": "both"}, None, "G51.33", "side from your answer"),
    ],
)
def test_hemifacial_spasm_is_coded_by_side_where_the_side_is_known(
    answers: dict[str, object], video: VideoAnalysis | None, code: str, note: str
) -> None:
    report = make_report(answers, video=video, now=NOW)
    icd = [
        c for c in report.codes if c.cause == "hemifacial_spasm" and c.system_name == "ICD-10-CM"
    ]
    assert [(c.code, c.note) for c in icd] == [(code, note)]
    assert icd[0].system == "http://hl7.org/fhir/sid/icd-10-cm"
    hpo = [c for c in report.codes if c.cause == "hemifacial_spasm" and c.system_name == "HPO"]
    assert [(c.code, c.system) for c in hpo] == [
        ("HP:0010828", "http://human-phenotype-ontology.org")
    ]


def test_every_code_is_one_the_knowledge_base_names(knowledge: KnowledgeBase) -> None:
    for side in ("one", "both"):
        report = make_report(
            {**HEMIFACIAL, "side": side}, video=clip_analysis(spasms_left=3), now=NOW
        )
        for condition in report.conditions:
            cause = knowledge.cause(condition.id)
            named = f"{cause.codes.icd10} {cause.codes.hpo} {cause.codes.note}"
            assert all(code.code in named for code in condition.codes)


def test_an_emergency_shows_what_to_do_but_keeps_the_data() -> None:
    report = make_report({"sudden_weakness": True, **HEMIFACIAL}, now=NOW)
    assert report.is_emergency
    assert report.assessment.causes == ()  # nothing to reassure or distract
    assert report.conditions and report.codes  # machines still get the case
    assert {"sudden_weakness": "yes"}.items() <= {
        f.finding: f.status for f in report.red_flags
    }.items()


def test_the_answers_say_where_each_came_from() -> None:
    report = make_report(
        {"age": 40, "facial_pain": None},
        text="my left eyelid flickers",
        video=clip_analysis(blinks=20),
        now=NOW,
    )
    origins = {answer.finding: (answer.origin, answer.value) for answer in report.answers}
    assert origins["age"] == ("answer", 40.0)
    assert origins["facial_pain"] == ("answer", None)
    assert origins["increased_blinking"][0] == "video"
    assert any(origin == "text" for origin, _ in origins.values())


def test_a_diagnosis_a_doctor_made_is_carried_with_its_codes() -> None:
    report = make_report({"known_diagnosis": "blepharospasm", "side": "both"}, now=NOW)
    assert report.known_diagnosis is not None
    assert report.known_diagnosis.cause == "blepharospasm"
    assert [c.code for c in report.known_diagnosis.codes] == ["G24.5", "HP:0000643"]
    assert make_report(HEMIFACIAL, now=NOW).known_diagnosis is None


def test_the_blink_rate_is_read_against_the_27_a_minute_line() -> None:
    fast = make_report(HEMIFACIAL, video=clip_analysis(seconds=60, blinks=35), now=NOW).video
    usual = make_report(HEMIFACIAL, video=clip_analysis(seconds=60, blinks=15), now=NOW).video
    brief = make_report(HEMIFACIAL, video=clip_analysis(seconds=10, blinks=2), now=NOW).video
    brief_fast = make_report(HEMIFACIAL, video=clip_analysis(seconds=10, blinks=6), now=NOW).video
    briefer = make_report(HEMIFACIAL, video=clip_analysis(seconds=8, blinks=6), now=NOW).video
    assert fast is not None and usual is not None and brief is not None
    assert brief_fast is not None and briefer is not None
    assert fast.blink.line_per_minute == 27
    assert fast.blink.above is True
    assert fast.blink.text.startswith("35 blinks a minute: above the 27-a-minute line")
    assert usual.blink.above is False
    assert usual.blink.text.startswith("15 blinks a minute: not above the 27-a-minute line")
    # As the evidence reads it (video/pattern.py): 10 s of face is too little to call a rate
    # normal (under 15 s) but enough to call it high; under 10 s, too little for either.
    assert brief.blink.above is None
    assert "too little to compare" in brief.blink.text
    assert brief_fast.blink.above is True
    assert briefer.blink.above is None


def test_the_video_part_counts_per_minute_of_face_by_side_and_region() -> None:
    report = make_report(HEMIFACIAL, video=clip_analysis(seconds=60, spasms_left=6), now=NOW)
    video = report.video
    assert video is not None
    left = next(r for r in video.by_side if r.kind == "spasm" and r.side == "left")
    right = next(r for r in video.by_side if r.kind == "spasm" and r.side == "right")
    assert (left.count, left.per_minute, right.count) == (6, 6.0, 0)
    assert left.text == "Spasms, left: 6.0 a minute (6 seen)"
    assert [(r.region, r.count) for r in video.by_region] == [("eyelid", 6)]
    assert video.eyes_closed_percent == 0
    assert video.eyes_closed_text == "both eyes shut <1% of the time the face was in view"
    assert [o.side for o in video.lid_opening] == ["right", "left"]
    assert [(e.kind, e.side) for e in video.timeline] == [("spasm", "left")] * 6
    assert video.timeline[0].text == "2.0–2.6 s: spasm, left (eyelid)"


def test_no_video_and_no_diary_means_no_such_part() -> None:
    report = make_report(HEMIFACIAL, now=NOW)
    assert report.video is None and report.diary is None


@pytest.fixture
def diary(tmp_path: Path) -> Diary:
    """Six months of counts, two injections, JRS ratings, measurements, a left-sided episode."""
    return planted_diary(tmp_path / "diary.db")


def test_the_diary_part_covers_90_days_and_the_latest_cycle(diary: Diary) -> None:
    report = make_report(HEMIFACIAL, diary=diary, now=NOW)
    part = report.diary
    assert part is not None
    assert (part.start, part.end) == (dt.date(2026, 9, 2), dt.date(2026, 11, 30))
    assert len(part.days) == 90
    assert [i.date for i in part.injections] == [dt.date(2026, 9, 30)]
    assert part.injections[0].text == "2026-09-30: Botox (left), left 25 U, total 25 U"
    assert part.cycles[-1].injection == dt.date(2026, 9, 30)
    assert part.cycles[-1].next_due is not None
    jrs = next(series for series in part.ratings if series.scale == "jrs")
    assert [p.date for p in jrs.points] == [dt.date(2026, 9, 28), dt.date(2026, 10, 20)]
    assert jrs.minimal_important_change == 2
    assert jrs.points[-1].important == "better"
    assert jrs.cites.numbers  # the 2-point change has its source, numbered with the rest
    assert [(m.date, m.spasms_per_min_left) for m in part.measurements] == [
        (dt.date(2026, 11, 20), 3.0)
    ]
    # The one logged episode is on the left: hemifacial spasm's code names the side.
    assert any(c.code == "G51.32" and c.note == "side from your diary" for c in report.codes)


def test_the_model_is_frozen_plain_data() -> None:
    report = make_report(HEMIFACIAL, video=clip_analysis(spasms_left=2), now=NOW)
    assert isinstance(report, CaseReport)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.name = "someone"  # type: ignore[misc]


def test_nothing_to_report_is_one_clear_error(knowledge: KnowledgeBase) -> None:
    with pytest.raises(InputError, match="nothing to assess"):
        make_report(now=NOW)
    with pytest.raises(InputError, match="no video file"):
        make_report(all_red_flags_ruled_out(knowledge), video="/nonexistent/clip.mp4", now=NOW)


def test_a_clip_of_ordinary_blinking_alone_is_refused_but_counts_beside_answers() -> None:
    # 12 blinks in 40 s and nothing else: the twitch did not happen on camera, so the clip alone
    # cannot say what causes it (VideoAnalysis.refuse_alone); beside answers it is reported.
    ordinary = clip_analysis(blinks=12)
    assert not ordinary.shows_a_sign
    with pytest.raises(InputError, match="planted: the video showed nothing to assess"):
        make_report(video=ordinary, now=NOW)
    report = make_report(HEMIFACIAL, video=ordinary, now=NOW)
    assert report.video is not None


def test_the_timeline_shows_what_is_not_a_blink_and_at_most_40_events() -> None:
    blinking = make_report(HEMIFACIAL, video=clip_analysis(seconds=60, blinks=30), now=NOW).video
    many = make_report(HEMIFACIAL, video=clip_analysis(seconds=200, spasms_left=60), now=NOW).video
    assert blinking is not None and many is not None
    assert (blinking.timeline, blinking.events_total, blinking.timeline_note) == ((), 0, None)
    assert (len(many.timeline), many.events_total) == (40, 60)
    assert many.timeline_note == "the first 40 of 60 closures, spasms and flickers"


def test_a_videos_evidence_alone_counts_but_has_nothing_to_show() -> None:
    # What `/api/v1/assess` takes: the ⚑ evidence of a video analysed elsewhere.
    report = make_report(HEMIFACIAL, video={"forceful_closure": True}, now=NOW)
    assert report.video is None
    origins = {answer.finding: answer.origin for answer in report.answers}
    assert origins["forceful_closure"] == "video"
    with pytest.raises(InputError, match="video evidence"):
        make_report(HEMIFACIAL, video={"no_such_finding": True}, now=NOW)


def test_an_empty_diary_is_90_unrecorded_days(tmp_path: Path) -> None:
    empty = Diary(open_database(f"sqlite:///{tmp_path / 'empty.db'}", schema="upgrade"))
    part = make_report(HEMIFACIAL, diary=empty, now=NOW).diary
    assert part is not None
    assert [day.episodes for day in part.days] == [None] * 90
    assert (part.injections, part.cycles, part.ratings, part.measurements) == ((), (), (), ())
    assert part.triggers == () and part.triggers_note


# Fields of the case report that hold ids, codes and machine values, not words a person reads.
CASE_MACHINE_FIELDS = MACHINE_FIELDS | {
    "cause", "system", "code", "kind", "side", "region", "regions", "scale", "status",
    "wear_off_status", "next_due_basis", "important", "knowledge_version", "system_name",
}  # fmt: skip


def test_people_read_words_not_ids(knowledge: KnowledgeBase, tmp_path: Path) -> None:
    report = make_report(
        {**HEMIFACIAL, "known_diagnosis": "hemifacial_spasm", "stress": True},
        video=clip_analysis(seconds=60, spasms_left=3, blinks=20),
        diary=planted_diary(tmp_path / "diary.db"),
        now=NOW,
    )
    # An id with an underscore is never a word ("myokymia" and "stress" are both).
    ids = {i for i in (*knowledge.findings, *knowledge.cause_ids) if "_" in i}
    shown = [
        text
        for field in dataclasses.fields(report)
        if field.name not in CASE_MACHINE_FIELDS
        for text in words_of(getattr(report, field.name))
    ]
    assert shown
    leaked = [(text, i) for text in shown for i in ids if i in text]
    assert leaked == []


def words_of(value: object) -> list[str]:
    """Every string a person reads in a part of the case report (machine fields left out)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple | list):
        return [text for item in value for text in words_of(item)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            text
            for field in dataclasses.fields(value)
            if field.name not in CASE_MACHINE_FIELDS
            for text in words_of(getattr(value, field.name))
        ]
    return []
