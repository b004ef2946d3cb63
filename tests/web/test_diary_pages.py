"""The diary's treatments and kept pages, and the HTML fragments their scripts swap in."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest

from tests.answers import EYELID
from tests.web.test_api_kept import SPREAD, keep

DIARY = "/api/v1/diary"
CSV_HEADER = (
    "date,episodes,sleep_hours,caffeine_drinks,alcohol_drinks,stress_0_10,screen_hours,nicotine"
)
INJECTIONS = [dt.date(2023, 3, 1) + dt.timedelta(weeks=12 * k) for k in range(3)]


def year_with_three_injections(client) -> None:
    """A 2023 diary: 8 twitches a day untreated, 1.5 from day 5 to day 70 after each injection."""
    chance = random.Random(7)
    rows = [CSV_HEADER]
    day = dt.date(2023, 1, 2)
    while day <= dt.date(2023, 11, 30):
        relieved = any(5 <= (day - injection).days < 70 for injection in INJECTIONS)
        rate = 1.5 if relieved else 8.0
        count = sum(chance.random() < rate / 40 for _ in range(40))
        rows.append(f"{day},{count},,,,,,")
        day += dt.timedelta(days=1)
    csv = "\n".join(rows) + "\n"
    imported = client.post(f"{DIARY}/import", files={"file": ("year.csv", csv, "text/csv")})
    assert imported.status_code == 200, imported.text
    for injection in INJECTIONS:
        added = client.post(
            f"{DIARY}/treatments",
            json={"kind": "botulinum_toxin", "date": str(injection), "units_left": 20,
                  "units_right": 20, "dose_units": 40},
        )  # fmt: skip
        assert added.status_code == 201, added.text


def cycles_of(html: str) -> list[str]:
    """Each injection's card in the cycles fragment."""
    return re.findall(r'<li class="cycle.*?</li>', html, flags=re.S)


@pytest.mark.parametrize("path", ["/diary/treatments", "/diary/kept"])
def test_each_page_is_served_with_the_diary_navigation_and_its_place_in_it(client, path):
    page = client.get(path)
    assert page.status_code == 200
    assert 'aria-label="Diary"' in page.text
    assert f'<a href="{path}" aria-current="page">' in page.text
    assert "information, not a diagnosis" in page.text


def test_an_empty_diary_says_there_is_nothing_yet(client):
    assert "No treatments in the diary yet" in client.get("/diary/treatments/list").text
    assert "No botulinum toxin injections" in client.get("/diary/treatments/cycles").text
    lists = client.get("/diary/kept/lists").text
    assert "No measurements kept yet" in lists
    assert "No assessments kept yet" in lists


def test_a_treatment_is_listed_in_words_with_its_total_and_sides(client):
    client.post(
        f"{DIARY}/treatments",
        json={"kind": "botulinum_toxin", "date": "2023-03-01", "name": "Botox",
              "units_left": 20, "units_right": 15.5, "dose_units": 35.5,
              "sites": [{"site": "left upper eyelid", "units": 5}]},
    )  # fmt: skip
    client.post(
        f"{DIARY}/treatments",
        json={"kind": "medication", "date": "2023-01-10", "until": "2023-02-20",
              "name": "Clonazepam", "dose_units": 1.5},
    )  # fmt: skip
    listed = client.get("/diary/treatments/list").text
    assert "total 35.5 U; left 20 U, right 15.5 U; sites: left upper eyelid 5 U" in listed
    assert "from 10 Jan 2023, until 20 Feb 2023" in listed
    assert "1.5 a day" in listed
    # Newest first.
    assert listed.index("Botox") < listed.index("Clonazepam")


def test_each_of_three_overlapping_injections_worked_and_only_the_latest_has_next_due(client):
    year_with_three_injections(client)
    cards = cycles_of(client.get("/diary/treatments/cycles").text)
    assert len(cards) == 3
    for card in cards:
        assert "Yes, it worked" in card
        assert "90% range" in card
        assert re.search(r"fewer\. <sup class=\"ref\">\[\d", card)  # the statement is cited
    assert ["Next injection due" in card for card in cards] == [False, False, True]


def test_the_cycles_cite_their_sources_and_mark_the_rules_that_are_facespasms_own(client):
    year_with_three_injections(client)
    html = client.get("/diary/treatments/cycles").text
    numbers = {int(n) for n in re.findall(r'<li value="(\d+)">', html)}
    cited = {
        int(n) for marker in re.findall(r"\[([\d,– ]+)\]", html) for n in re.findall(r"\d+", marker)
    }
    assert numbers and cited <= numbers
    assert "Toxins 2021" in html
    assert "facespasm&#39;s own rule" in html
    assert "not a diagnosis" in html


def test_the_persons_own_dates_are_shown_on_their_injection(client):
    year_with_three_injections(client)
    tapped = client.post(f"{DIARY}/treatments/latest-injection/onset", json={"date": "2023-05-30"})
    assert tapped.status_code == 200, tapped.text
    cards = cycles_of(client.get("/diary/treatments/cycles").text)
    assert "started working 30 May 2023" in cards[1]
    assert "started working" not in cards[0] + cards[2]


def test_a_kept_assessment_opens_with_its_sources_and_says_what_changed(client):
    earlier = keep(client, EYELID)
    later = keep(client, SPREAD)
    lists = client.get("/diary/kept/lists").text
    assert lists.index(f'data-id="{later["id"]}"') < lists.index(f'data-id="{earlier["id"]}"')
    opened = client.get(f"/diary/kept/assessments/{later['id']}").text
    assert '<option value="{}"'.format(earlier["id"]) in opened
    assert '<ol class="sources"' in opened
    assert "Compare" in opened
    compared = client.get(f"/diary/kept/assessments/{later['id']}?since={earlier['id']}").text
    summary = client.get(f"{DIARY}/assessments/{earlier['id']}/changes").json()["summary"]
    assert summary.replace("'", "&#39;") in compared
    assert "mouth" in compared


def test_an_assessment_that_is_not_kept_is_a_404(client):
    answer = client.get("/diary/kept/assessments/99")
    assert answer.status_code == 404


def test_a_kept_measurement_is_listed_in_words_and_a_missing_measure_as_a_dash(client, tmp_path):
    # Half a minute of face: 2 spasms on the right, none counted on the left; 6 s eyes closed.
    analysis = {"summary": {"face_minutes": 0.5, "blink_rate_per_min": 30.0,
                            "events_by_side": {"spasm_right": 2}, "eyes_closed_s": 6.0}}  # fmt: skip
    from facespasm.diary.database import open_database
    from facespasm.diary.store import Diary

    engine = open_database(f"sqlite:///{tmp_path / 'diary.sqlite3'}")
    kept = Diary(engine).measurements.save(analysis, timezone="UTC")
    engine.dispose()
    listed = client.get(f"{DIARY}/measurements/{kept.id}").json()
    row = re.search(rf'<tr data-id="{kept.id}".*?</tr>', client.get("/diary/kept/lists").text, re.S)
    assert row
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), flags=re.S)
    assert "(30 s of face)" in cells[0]
    expected = [listed["spasms_per_min_left"], listed["spasms_per_min_right"]]
    assert [c.strip() for c in cells[1:3]] == [
        "—" if value is None else f"{value:g}" for value in expected
    ]
    assert cells[3].strip() == "20%"  # 6 s of 30
    assert cells[4].strip() == "30"
