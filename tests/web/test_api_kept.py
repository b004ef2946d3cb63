"""`/api/v1/diary/assessments` and `/measurements`: results kept, listed, compared, deleted."""

from __future__ import annotations

from facespasm.diary.measurements import measurement_of
from facespasm.diary.store import Diary
from tests.answers import EYELID

DIARY = "/api/v1/diary"
SPREAD = {**EYELID, "regions": ["eyelid", "mouth"], "spread_to_lower_face": True}


def keep(client, answers: dict) -> dict:
    response = client.post(
        f"{DIARY}/assessments", json={"answers": answers, "timezone": "Europe/Berlin"}
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_an_assessment_is_kept_with_its_headline_and_whole(client):
    kept = keep(client, EYELID)
    assessed = client.post("/api/v1/assess", json={"answers": EYELID}).json()
    assert kept["care_level"] == assessed["triage"]["level"]
    assert kept["complete"] is True
    assert kept["top_cause"] == assessed["conditions"][0]["id"]
    assert kept["top_probability"] == assessed["conditions"][0]["probability"]
    assert kept["timezone"] == "Europe/Berlin"
    assert client.get(f"{DIARY}/assessments").json() == [kept]
    assert client.get(f"{DIARY}/assessments/{kept['id']}").json() == kept
    assert client.get(f"{DIARY}/assessments/{kept['id']}/result").json() == assessed


def test_what_changed_since_an_earlier_assessment(client):
    earlier = keep(client, EYELID)
    keep(client, SPREAD)
    changes = client.get(f"{DIARY}/assessments/{earlier['id']}/changes")
    assert changes.status_code == 200, changes.text
    body = changes.json()
    assert body["since"] == earlier["local_date"]
    assert body["summary"].startswith("Since ")
    assert "began at the eye and spread to cheek or mouth" in body["summary"]
    assert {f["finding"]: f["change"] for f in body["findings"]} == {
        "regions": "changed",
        "spread_to_lower_face": "new",
    }
    assert body["top_cause"]["changed"] == (
        body["top_cause"]["before"] != body["top_cause"]["after"]
    )


def test_a_case_that_cannot_be_assessed_is_not_kept(client):
    response = client.post(f"{DIARY}/assessments", json={"answers": {"age": -3}})
    assert response.status_code == 422
    response = client.post(f"{DIARY}/assessments", json={"answers": EYELID, "timezone": "Mars"})
    assert response.status_code == 422
    assert client.get(f"{DIARY}/assessments").json() == []


def test_a_kept_assessment_is_deleted_whole(client):
    kept = keep(client, EYELID)
    assert client.delete(f"{DIARY}/assessments/{kept['id']}").status_code == 204
    assert client.get(f"{DIARY}/assessments/{kept['id']}/result").status_code == 404
    assert client.get(f"{DIARY}/assessments/{kept['id']}/changes").status_code == 404


def test_measurements_are_listed_read_whole_and_deleted(client, tmp_path):
    # Kept as `POST /analyze` with save=true keeps them (tests/web/test_api_analyze.py).
    analysis = {"summary": {"face_minutes": 0.5, "blink_rate_per_min": 30.0,
                            "events_by_side": {"spasm_right": 2}, "eyes_closed_s": 6.0}}  # fmt: skip
    from facespasm.diary.database import open_database

    engine = open_database(f"sqlite:///{tmp_path / 'diary.sqlite3'}")
    kept = Diary(engine).measurements.save(analysis, timezone="UTC")
    engine.dispose()
    (listed,) = client.get(f"{DIARY}/measurements").json()
    expected = measurement_of(
        analysis, measured_at=kept.measured_at, local_date=kept.local_date, timezone="UTC"
    )
    assert listed["spasms_per_min_right"] == expected.spasms_per_min_right == 4.0
    assert listed["eyes_closed_pct"] == 20.0
    assert client.get(f"{DIARY}/measurements/{kept.id}/analysis").json() == analysis
    assert client.delete(f"{DIARY}/measurements/{kept.id}").status_code == 204
    assert client.get(f"{DIARY}/measurements").json() == []
    assert client.get(f"{DIARY}/measurements/{kept.id}").status_code == 404
