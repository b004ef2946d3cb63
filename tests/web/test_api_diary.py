"""`/api/v1/diary/...`: the diary over HTTP, on a real SQLite file per test."""

from __future__ import annotations

import datetime as dt

import pytest

GOOD_CSV = (
    "date,episodes,sleep_hours,caffeine_drinks,alcohol_drinks,stress_0_10,screen_hours,nicotine\n"
    "2025-03-01,2,7.5,1,0,3,4,0\n"
    "2025-03-02,5,5,3,1,8,9,1\n"
)
BAD_CSV = GOOD_CSV + "2025-03-03,1,7,1,0,12,4,0\n"  # stress 12 on row 4


def test_episode_day_and_treatment_round_trip(client):
    created = client.post(
        "/api/v1/diary/episodes",
        json={
            "side": "left",
            "regions": ["eyelid"],
            "severity": 4,
            "duration_s": 30,
            "note": "after coffee",
            "at": "2025-03-01T23:30:00",
            "timezone": "Europe/Berlin",
        },
    )
    assert created.status_code == 201, created.text
    episodes = client.get("/api/v1/diary/episodes", params={"limit": 5}).json()
    assert [e["id"] for e in episodes] == [created.json()["id"]]
    assert episodes[0]["local_date"] == "2025-03-01"  # the person's day, not UTC's
    assert episodes[0]["regions"] == ["eyelid"]

    first = client.put("/api/v1/diary/days/2025-03-01", json={"sleep_hours": 6})
    second = client.put("/api/v1/diary/days/2025-03-01", json={"stress_0_10": 7})
    assert first.status_code == second.status_code == 200
    assert second.json()["sleep_hours"] == 6  # merged, not replaced
    assert second.json()["stress_0_10"] == 7
    days = client.get("/api/v1/diary/days").json()
    assert [(d["date"], d["episodes"]) for d in days] == [("2025-03-01", 1)]

    treatment = {"date": "2025-02-01", "kind": "botulinum_toxin", "side": "left", "dose_units": 25}
    assert client.post("/api/v1/diary/treatments", json=treatment).status_code == 201
    assert client.get("/api/v1/diary/treatments").json() == [
        {**treatment, "name": None, "note": None}
    ]
    assert client.get("/api/v1/diary/cycles").status_code == 200


def test_bad_diary_values_are_422(client):
    response = client.post(
        "/api/v1/diary/episodes", json={"side": "left", "regions": ["knee"], "timezone": "UTC"}
    )
    assert response.status_code == 422
    assert "unknown region 'knee'" in response.json()["error"]["message"]
    response = client.put("/api/v1/diary/days/2025-13-40", json={})
    assert response.status_code == 422
    response = client.put("/api/v1/diary/days/2025-03-01", json={"stress_0_10": 12})
    assert response.status_code == 422
    assert "stress_0_10" in response.json()["error"]["message"]


def test_csv_import_and_export_round_trip(client):
    response = client.post("/api/v1/diary/import", files={"file": ("days.csv", GOOD_CSV)})
    assert response.status_code == 200, response.text
    assert response.json() == {"imported": 2}
    exported = client.get("/api/v1/diary/export")
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text == GOOD_CSV.replace("7.5,1,0,3,4,0", "7.5,1,0,3,4,0")


def test_a_bad_csv_imports_nothing_and_names_row_and_column(client):
    response = client.post("/api/v1/diary/import", files={"file": ("days.csv", BAD_CSV)})
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "days.csv, row 4, column stress_0_10" in message
    assert client.get("/api/v1/diary/days").json() == []


def test_a_csv_that_is_not_text_is_422(client):
    response = client.post("/api/v1/diary/import", files={"file": ("days.csv", b"\xff\xfe\x00")})
    assert response.status_code == 422


def test_triggers_json_shape(client):
    start = dt.date(2025, 1, 1)
    rows = [
        f"{start + dt.timedelta(days=i)},{1 + (i % 3) + (2 if i % 2 else 0)},"
        f"{6 + (i % 3)},{i % 4},{i % 2},{i % 10},{3 + i % 5},{i % 2}"
        for i in range(60)
    ]
    csv_text = GOOD_CSV.splitlines()[0] + "\n" + "\n".join(rows) + "\n"
    assert (
        client.post("/api/v1/diary/import", files={"file": ("d.csv", csv_text)}).status_code == 200
    )
    body = client.get("/api/v1/diary/triggers").json()
    assert set(body) == {"factors", "days_used", "model", "notes", "findings"}
    assert body["days_used"] > 0
    for factor in body["factors"]:
        assert set(factor) == {
            "factor",
            "rate_ratio",
            "ci_low",
            "ci_high",
            "p_value",
            "significant",
        }


def test_triggers_of_an_empty_diary_explain_what_is_missing(client):
    body = client.get("/api/v1/diary/triggers").json()
    assert body["factors"] == []
    assert body["notes"]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        # a misspelt field is refused by name, never silently dropped (issue 10, part 8)
        (
            "post",
            "/api/v1/diary/episodes",
            {"side": "left", "regions": ["eyelid"], "sevrity": 9},
            "sevrity",
        ),
        ("put", "/api/v1/diary/days/2026-11-20", {"sleep": 5}, "sleep"),
        (
            "post",
            "/api/v1/diary/treatments",
            {"date": "2026-11-01", "kind": "botulinum_toxin", "dose": 20},
            "dose",
        ),
    ],
)
def test_an_unknown_field_is_refused_by_name(client, method, path, body, field):
    response = getattr(client, method)(path, json=body)
    assert response.status_code == 422
    assert field in response.json()["error"]["message"]
