"""A clinician's report of a person's records: their latest kept assessment and their diary."""

from __future__ import annotations

import datetime as dt

import pytest

from facespasm import assess
from facespasm.diary.database import open_database
from facespasm.diary.store import Diary
from facespasm.errors import ConflictError
from facespasm.sharing import records_report

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def diary(tmp_path) -> Diary:
    return Diary(open_database(f"sqlite:///{tmp_path / 'diary.sqlite3'}", schema="upgrade"))


def test_an_empty_record_is_a_conflict_saying_there_is_nothing_to_report_yet(diary: Diary) -> None:
    with pytest.raises(ConflictError, match="nothing to report yet: this person has kept no"):
        records_report(diary, now=NOW)


def test_the_latest_kept_assessment_is_the_case(diary: Diary) -> None:
    earlier = assess({"side": "one", "regions": ["eyelid"]}).to_dict()
    latest = assess({"side": "one", "regions": ["eyelid", "mouth"], "spread_to_lower_face": True})
    diary.assessments.save(earlier, timezone="UTC")
    diary.assessments.save(latest.to_dict(), timezone="UTC")
    report = records_report(diary, now=NOW)
    assert report.assessment.causes[0].id == latest.conditions[0].id == "hemifacial_spasm"
