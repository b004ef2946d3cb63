"""`/api/v1/diary/rating-scales` and `/api/v1/diary/ratings/...`: rate, list, trend, remind."""

from __future__ import annotations

import datetime as dt
import typing

import pytest

from facespasm.diary.reviewed import load_diary_knowledge
from facespasm.web.api_ratings import ImpactAnswers, JrsAnswers, ScaleId

DIARY = "/api/v1/diary"
RATINGS = f"{DIARY}/ratings"
# A person with hemifacial spasm: one side, eyelid then cheek and mouth.
HFS = {
    "age": 55, "side": "one", "regions": ["eyelid", "cheek", "mouth"],
    "spread_to_lower_face": True, "persists_in_sleep": True, "duration_days": 400,
    "frequency": "daily", "known_diagnosis": "hemifacial_spasm",
}  # fmt: skip
# Myokymia: a flicker of one eyelid for a few days.
FLICKER = {"side": "one", "regions": ["eyelid"], "small_flicker": True, "duration_days": 4}


def rate(client, scale: str, date: str, **answers: int) -> dict:
    response = client.post(RATINGS, json={"scale": scale, "date": date, "answers": answers})
    assert response.status_code == 201, response.text
    return response.json()


def test_the_scales_are_published_with_their_exact_wording_and_sources(client):
    scales = client.get(f"{DIARY}/rating-scales").json()
    jrs, impact = scales["scales"]
    assert (jrs["id"], jrs["validated"], jrs["label"]) == ("jrs", True, None)
    assert jrs["minimal_important_change"] == 2
    assert jrs["items"][0]["options"][3]["wording"] == (
        "Moderate, very noticeable spasm of eyelids only, mildly incapacitating"
    )
    assert any("Mov Disord 2009" in s["citation"] for s in jrs["sources"])
    assert impact["label"] == "facespasm's own, not a validated scale"
    assert impact["minimal_important_change"] is None
    assert impact["items"][0]["not_applicable"] == "I don't drive"
    assert scales["reminder"] == {"min_days": 3, "max_days": 7, "default_days": 3}


def test_the_bodies_are_the_reviewed_scales() -> None:
    reviewed = load_diary_knowledge().ratings
    assert set(typing.get_args(ScaleId)) == {scale.id for scale in reviewed.scales}
    for model, scale in ((JrsAnswers, "jrs"), (ImpactAnswers, "impact")):
        items = reviewed.scale(scale).items
        assert list(model.model_fields) == [item.id for item in items]
        assert all(item.scores == (0, 1, 2, 3, 4) for item in items)  # the bodies' bounds


def test_a_jrs_rating_says_whether_it_changed_by_2_points_since_the_injection(client):
    client.post(f"{DIARY}/treatments",
                json={"date": "2026-03-01", "kind": "botulinum_toxin", "side": "left"})  # fmt: skip
    rate(client, "jrs", "2026-02-27", severity=3, frequency=3)
    saved = rate(client, "jrs", "2026-03-15", severity=2, frequency=1)
    assert saved["score"] == 3 and saved["maximum"] == 8 and saved["label"] is None
    assert saved["since_injection"]["change"] == -3
    assert saved["since_injection"]["important"] == "better"
    assert "clinically important change (2 points or more)" in saved["text"]
    stored = client.get(f"{RATINGS}/{saved['id']}").json()
    assert stored == {"id": saved["id"], "date": "2026-03-15", "scale": "jrs",
                      "answers": {"severity": 2, "frequency": 1}, "score": 3.0, "note": None}  # fmt: skip
    trend = client.get(f"{RATINGS}/trend", params={"scale": "jrs"}).json()
    (jrs,) = trend["scales"]
    assert jrs["injections"][0]["threshold"] == 4  # 6 before, less 2 points
    assert [p["important"] for p in jrs["points"]] == [None, "better"]
    assert trend["smc_grade"] is None


def test_the_impact_rating_is_labelled_and_never_marked(client):
    client.post(f"{DIARY}/treatments",
                json={"date": "2026-03-01", "kind": "botulinum_toxin", "side": "left"})  # fmt: skip
    rate(client, "impact", "2026-02-28", driving=4, reading=4)
    saved = rate(client, "impact", "2026-03-20", reading=0)
    assert saved["label"] == "facespasm's own, not a validated scale"
    assert saved["skipped"] == ["driving", "screens", "work", "social"]
    assert saved["text"] is None
    (impact,) = client.get(f"{RATINGS}/trend", params={"scale": "impact"}).json()["scales"]
    assert impact["points"][1]["change"] == -4 and impact["points"][1]["important"] is None


def test_the_smc_grade_comes_from_a_kept_assessment_of_hemifacial_spasm(client):
    kept = client.post(f"{DIARY}/assessments", json={"answers": HFS, "timezone": "UTC"})
    assert kept.status_code == 201, kept.text
    grade = client.get(f"{RATINGS}/trend").json()["smc_grade"]
    assert grade["numeral"] == "II"
    today = dt.date.today()
    assert grade["text"] == (
        f"SMC grade II, derived from your assessment of {today.day} {today:%B} {today.year}"
    )
    assert grade["sources"][0]["id"] == "lee2012.smc"


def test_no_smc_grade_where_hemifacial_spasm_is_not_in_question(client):
    client.post(f"{DIARY}/assessments", json={"answers": FLICKER, "timezone": "UTC"})
    assert client.get(f"{RATINGS}/trend").json()["smc_grade"] is None


def test_ratings_are_listed_newest_first_and_deleted(client):
    first = rate(client, "jrs", "2026-01-02", severity=1, frequency=1)["id"]
    second = rate(client, "impact", "2026-01-05", work=2)["id"]
    assert [r["id"] for r in client.get(RATINGS).json()] == [second, first]
    assert client.delete(f"{RATINGS}/{first}").status_code == 204
    assert client.get(f"{RATINGS}/{first}").status_code == 404
    assert client.delete(f"{RATINGS}/{first}").status_code == 404


def test_the_reminder_is_chosen_and_says_when_a_rating_is_due(client):
    fresh = client.get(f"{RATINGS}/reminder").json()
    assert fresh["interval_days"] == 3 and fresh["due"] is True and fresh["last_rated"] is None
    five_ago = dt.date.today() - dt.timedelta(days=5)
    rate(client, "jrs", five_ago.isoformat(), severity=1, frequency=0)
    due = client.get(f"{RATINGS}/reminder").json()
    assert due["due"] is True and due["text"] == "A rating is due (last one 5 days ago)"
    assert due["next_rating"] == dt.date.today().isoformat()
    chosen = client.put(f"{RATINGS}/reminder", json={"interval_days": 7})
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["due"] is False and chosen.json()["text"] is None
    assert chosen.json()["next_rating"] == (five_ago + dt.timedelta(days=7)).isoformat()
    assert client.get(f"{RATINGS}/reminder").json()["interval_days"] == 7


@pytest.mark.parametrize(
    "body",
    [
        {"scale": "bsdi", "date": "2026-01-01", "answers": {"severity": 1}},  # unknown scale
        {"scale": "jrs", "date": "2026-01-01", "answers": {"severity": 1}},  # a JRS item missing
        {"scale": "jrs", "date": "2026-01-01", "answers": {"severity": 5, "frequency": 1}},
        {
            "scale": "jrs",
            "date": "2026-01-01",
            "answers": {"severity": 1, "frequency": 1, "blinks": 2},
        },  # an unknown item
        {"scale": "impact", "date": "2026-01-01", "answers": {}},  # nothing answered
        {"scale": "impact", "date": "2026-01-01", "answers": {"driving": None}},  # null
        {"scale": "jrs", "date": "2026-02-30", "answers": {"severity": 1, "frequency": 1}},
    ],
)
def test_bad_ratings_are_refused_and_nothing_is_stored(client, body):
    response = client.post(RATINGS, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"]
    assert client.get(RATINGS).json() == []


@pytest.mark.parametrize("days", [2, 8, "5", 5.5, None])
def test_a_reminder_out_of_bounds_is_refused(client, days):
    response = client.put(f"{RATINGS}/reminder", json={"interval_days": days})
    assert response.status_code == 422
    assert client.get(f"{RATINGS}/reminder").json()["interval_days"] == 3
