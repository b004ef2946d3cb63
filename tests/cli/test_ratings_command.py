"""`facespasm diary rate` and `diary ratings`, run as a person runs them, on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from facespasm.diary.database import open_database

from .conftest import Run


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A diary database made as a person makes one: `facespasm db upgrade --db URL`."""
    url = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    open_database(url, schema="upgrade").dispose()
    return url


def _injected(facespasm: Run, db: str, on: str = "2026-03-01") -> None:
    done = facespasm("diary", "treatment", "add", "--kind", "botulinum_toxin", "--date", on,
                     "--side", "left", "--dose", "20", "--db", db)  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_the_interactive_jrs_asks_in_the_scales_words_and_scores(facespasm: Run, db: str) -> None:
    done = facespasm("diary", "rate", "--date", "2026-02-25", "--db", db, stdin="x\n3\n4\n")
    assert done.returncode == 0, done.stderr
    assert "Blepharospasm severity" in done.stdout
    assert (
        "  3  Moderate, very noticeable spasm of eyelids only, mildly incapacitating" in done.stdout
    )
    assert "Please type one of 0, 1, 2, 3, 4." in done.stdout  # "x" asked again
    assert "JRS 7 of 8 on 2026-02-25" in done.stdout


def test_the_jrs_says_whether_it_moved_by_the_important_2_points(facespasm: Run, db: str) -> None:
    _injected(facespasm, db)
    facespasm("diary", "rate", "--date", "2026-02-26", "--answer", "severity=3",
              "--answer", "frequency=3", "--db", db)  # fmt: skip
    better = facespasm("diary", "rate", "--date", "2026-03-15", "--answer", "severity=2",
                       "--answer", "frequency=2", "--db", db)  # fmt: skip
    assert better.returncode == 0, better.stderr
    assert "2 points lower than before the injection of 1 March 2026: better" in better.stdout
    slight = facespasm("diary", "rate", "--date", "2026-03-20", "--answer", "severity=3",
                       "--answer", "frequency=2", "--db", db)  # fmt: skip
    assert "less than the clinically important change (2 points or more)" in slight.stdout


def test_the_impact_rating_says_it_is_not_validated_and_allows_skipping(
    facespasm: Run, db: str
) -> None:
    done = facespasm("diary", "rate", "--scale", "impact", "--date", "2026-04-02", "--db", db,
                     stdin="2\nn\n1\n3\nn\n")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "  n  I don't drive" in done.stdout
    assert "facespasm's own, not a validated scale" in done.stdout
    assert "Impact 2 of 4 on 2026-04-02" in done.stdout  # mean of 2, 1, 3


def test_ratings_list_the_trend_against_injections_with_sources(facespasm: Run, db: str) -> None:
    _injected(facespasm, db)
    facespasm("diary", "rate", "--date", "2026-02-27", "--answer", "severity=4",
              "--answer", "frequency=3", "--db", db)  # fmt: skip
    facespasm("diary", "rate", "--date", "2026-03-12", "--answer", "severity=1",
              "--answer", "frequency=1", "--db", db)  # fmt: skip
    facespasm("diary", "rate", "--scale", "impact", "--date", "2026-03-12",
              "--answer", "reading=1", "--db", db)  # fmt: skip
    shown = facespasm("diary", "ratings", "--db", db)
    assert shown.returncode == 0, shown.stderr
    assert "Injection 2026-03-01: 7 before, best 2 after (better)." in shown.stdout
    assert "facespasm impact rating (facespasm's own, not a validated scale)" in shown.stdout
    assert "Mov Disord 2009;24:407" in shown.stdout
    listed = json.loads(facespasm("diary", "ratings", "--json", "--db", db).stdout)
    jrs, impact = listed["scales"]
    assert [p["important"] for p in jrs["points"]] == [None, "better"]
    assert jrs["minimal_important_change"] == 2 and jrs["label"] is None
    assert impact["label"] == "facespasm's own, not a validated scale"
    assert impact["ratings"][0]["answers"] == {"reading": 1}
    assert listed["smc_grade"] is None  # no kept assessment
    only = json.loads(
        facespasm("diary", "ratings", "--scale", "impact", "--json", "--db", db).stdout
    )
    assert [s["scale"] for s in only["scales"]] == ["impact"]


def test_the_reminder_interval_is_chosen_and_a_due_rating_is_announced(
    facespasm: Run, db: str
) -> None:
    five_ago = (dt.date.today() - dt.timedelta(days=5)).isoformat()
    facespasm("diary", "rate", "--date", five_ago, "--answer", "severity=1",
              "--answer", "frequency=1", "--db", db)  # fmt: skip
    shown = facespasm("diary", "show", "--db", db)
    assert "A rating is due (last one 5 days ago): facespasm diary rate" in shown.stdout
    logged = facespasm("diary", "log", "--side", "left", "--region", "eyelid", "--db", db)
    assert "A rating is due (last one 5 days ago): facespasm diary rate" in logged.stdout
    chosen = facespasm("diary", "rate", "--every", "7", "--db", db)
    assert chosen.returncode == 0, chosen.stderr
    assert "every 7 days" in chosen.stdout
    assert "A rating is due" not in facespasm("diary", "show", "--db", db).stdout
    reminder = json.loads(facespasm("diary", "ratings", "--json", "--db", db).stdout)["reminder"]
    assert reminder["interval_days"] == 7 and reminder["due"] is False


def test_no_reminder_for_someone_who_never_rated(facespasm: Run, db: str) -> None:
    assert "A rating is due" not in facespasm("diary", "show", "--db", db).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale", "bsdi"], "unknown rating scale 'bsdi'"),  # not a scale we have
        (["--answer", "severity=2"], "JRS needs an answer to 'frequency'"),  # a JRS item missing
        (["--answer", "severity=5", "--answer", "frequency=1"], "not a whole number from 0 to 4"),
        (["--answer", "blinks=1"], "JRS has no item 'blinks'"),  # an unknown item
        (["--answer", "severity"], "--answer must be ITEM=SCORE"),  # no score
        (["--answer", "severity=-1"], "is not a whole number"),  # a sign
        (["--every", "9"], "a rating interval is 3 to 7 days, not 9"),  # out of bounds
        (["--date", "2026-13-01", "--answer", "severity=1"], "--date: not a date"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    facespasm: Run, db: str, args: list[str], message: str
) -> None:
    done = facespasm("diary", "rate", *args, "--db", db)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    listed = json.loads(facespasm("diary", "ratings", "--json", "--db", db).stdout)
    assert all(scale["ratings"] == [] for scale in listed["scales"])


def test_an_answer_cut_short_stores_nothing(facespasm: Run, db: str) -> None:
    done = facespasm("diary", "rate", "--db", db, stdin="2\n")
    assert done.returncode == 2
    assert "no answer to 'frequency'" in done.stderr


def test_the_smc_grade_of_a_kept_assessment_is_shown_with_its_source(
    facespasm: Run, db: str, tmp_path: Path
) -> None:
    answers = tmp_path / "hfs.json"
    answers.write_text(json.dumps({
        "age": 55, "side": "one", "regions": ["eyelid", "cheek", "mouth"],
        "spread_to_lower_face": True, "duration_days": 400, "known_diagnosis": "hemifacial_spasm",
    }))  # fmt: skip
    kept = facespasm("assess", "--answers", str(answers), "--json", "--save", "--db", db)
    assert kept.returncode == 0, kept.stderr
    shown = facespasm("diary", "ratings", "--db", db)
    today = dt.date.today()
    assert (
        f"SMC grade II, derived from your assessment of {today.day} {today:%B} {today.year}."
        in shown.stdout
    )
    assert "Stereotact Funct Neurosurg 2012" in shown.stdout
    grade = json.loads(facespasm("diary", "ratings", "--json", "--db", db).stdout)["smc_grade"]
    assert grade["numeral"] == "II" and grade["sources"][0]["id"] == "lee2012.smc"
