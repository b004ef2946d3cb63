"""`/api/v1/diary/...`: the diary over HTTP, on a real SQLite file per test."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from facespasm.diary import csv_io
from facespasm.diary.database import open_database
from facespasm.diary.models import DEFAULT_PERSON_ID, DayFactors, Treatments

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
    (stored,) = client.get("/api/v1/diary/treatments").json()
    assert {key: stored[key] for key in treatment} == treatment
    assert stored["name"] is None and stored["note"] is None
    assert client.get("/api/v1/diary/cycles").status_code == 200


def test_bad_diary_values_are_422(client):
    response = client.post(
        "/api/v1/diary/episodes", json={"side": "left", "regions": ["knee"], "timezone": "UTC"}
    )
    assert response.status_code == 422
    assert "body.regions.0: Input should be 'eyelid'" in response.json()["error"]["message"]
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


EPISODE = {"side": "left", "regions": ["eyelid"], "timezone": "UTC"}


@pytest.mark.parametrize(
    ("method", "path", "body", "message"),
    [
        # nothing is coerced: strings and booleans are no numbers, "yes" is no boolean
        (
            "put",
            "/days/2026-03-01",
            {"nicotine": "yes"},
            "body.nicotine: Input should be a valid boolean",
        ),
        ("put", "/days/2026-03-01", {"nicotine": 1}, "body.nicotine"),
        (
            "put",
            "/days/2026-03-01",
            {"sleep_hours": "7"},
            "body.sleep_hours: Input should be a valid number",
        ),
        ("put", "/days/2026-03-01", {"episodes": 2.5}, "body.episodes"),
        ("post", "/episodes", {**EPISODE, "severity": True}, "body.severity"),
        ("post", "/episodes", {**EPISODE, "severity": "3"}, "body.severity"),
        # a path date is a date, not a number of seconds since 1970
        ("put", "/days/0", {}, "path.date: must be a date from 1900-01-01 to"),
        ("put", "/days/20260301", {}, "date: must be a date"),
        # dates and times within 1900 .. a year ahead; a time never overflows
        ("put", "/days/0001-01-01", {}, "path.date: 0001-01-01 is before 1900-01-01"),
        ("put", "/days/9999-12-31", {}, "is more than a year ahead"),
        ("put", "/days/2023-02-29", {}, "2023-02-29 is not a calendar date"),
        ("post", "/episodes", {**EPISODE, "at": "0001-01-01T00:00:00+14:00"}, "body.at"),
        ("post", "/episodes", {**EPISODE, "at": 0}, "body.at"),
        ("post", "/treatments", {"date": "9999-12-31", "kind": "botulinum_toxin"}, "body.date"),
        # text the database cannot or should not store
        (
            "post",
            "/episodes",
            {**EPISODE, "note": "nul \u0000"},
            "must not hold control characters",
        ),
        (
            "post",
            "/treatments",
            {"date": "2026-01-01", "kind": "medication", "name": "x" * 201},
            "body.name",
        ),
        (
            "post",
            "/treatments",
            {"date": "2026-01-01", "kind": "medication", "name": "a\nb"},
            "body.name",
        ),
        ("post", "/episodes", {**EPISODE, "timezone": "Mars/Olympus"}, "unknown time zone"),
        # numbers bounded as the database's columns are
        (
            "post",
            "/treatments",
            {"date": "2026-01-01", "kind": "botulinum_toxin", "dose_units": 1e9},
            "body.dose_units",
        ),
        ("post", "/episodes", {**EPISODE, "duration_s": 1e300}, "body.duration_s"),
        (
            "post",
            "/episodes",
            {**EPISODE, "regions": ["eyelid", "eyelid"]},
            "each region at most once",
        ),
        # paging is bounded
        ("get", "/days?limit=0", None, "query.limit: must be a whole number from 1 to 5000"),
        ("get", "/days?limit=1_000", None, "query.limit"),
        ("get", "/treatments?offset=-1", None, "query.offset"),
    ],
)
def test_what_the_diary_cannot_keep_is_422(client, method, path, body, message):
    response = client.request(method.upper(), "/api/v1/diary" + path, json=body)
    assert response.status_code == 422, response.text
    assert message in response.json()["error"]["message"]


def test_a_whole_number_may_be_written_with_a_decimal_point(client):
    # JSON Schema counts 3.0 an integer, so the published schema allows it: it is accepted.
    response = client.put("/api/v1/diary/days/2026-03-01", json={"episodes": 3.0})
    assert response.status_code == 200
    assert response.json()["episodes"] == 3


def test_the_published_schema_states_the_bounds(client):
    spec = client.get("/openapi.json").json()
    day = spec["paths"]["/api/v1/diary/days/{date}"]["put"]
    (date,) = day["parameters"]
    assert date["schema"]["format"] == "date"
    assert date["schema"]["pattern"].startswith("^(?:(?:19[0-9][0-9]|20")
    body = day["requestBody"]["content"]["application/json"]["schema"]
    assert body["additionalProperties"] is False
    stress = body["properties"]["stress_0_10"]["anyOf"][0]
    assert (stress["minimum"], stress["maximum"]) == (0, 10)
    episode = spec["paths"]["/api/v1/diary/episodes"]["post"]["requestBody"]
    fields = episode["content"]["application/json"]["schema"]["properties"]
    assert "Europe/Berlin" in fields["timezone"]["enum"]
    assert fields["note"]["anyOf"][0]["maxLength"] == 10_000
    assert fields["regions"]["uniqueItems"] is True


def test_lists_come_a_page_at_a_time_newest_first(client):
    for day in range(1, 6):
        client.put(f"/api/v1/diary/days/2026-03-0{day}", json={"sleep_hours": 7})
    first = client.get("/api/v1/diary/days", params={"limit": 2}).json()
    second = client.get("/api/v1/diary/days", params={"limit": 2, "offset": 2}).json()
    assert [d["date"] for d in first + second] == [f"2026-03-0{n}" for n in (5, 4, 3, 2)]
    for n in range(3):
        client.post(
            "/api/v1/diary/treatments", json={"date": f"2026-0{n + 1}-01", "kind": "medication"}
        )
    page = client.get("/api/v1/diary/treatments", params={"limit": 2}).json()
    assert [t["date"] for t in page] == ["2026-03-01", "2026-02-01"]


def test_a_csv_over_the_limit_is_413_before_it_is_read_whole(client, monkeypatch):
    monkeypatch.setattr(csv_io, "MAX_BYTES", 1000)
    big = GOOD_CSV + ",,,,,,,\n" * 200
    response = client.post("/api/v1/diary/import", files={"file": ("days.csv", big)})
    assert response.status_code == 413
    assert "larger than 1000 bytes" in response.json()["error"]["message"]


def test_dates_stored_out_of_range_never_break_the_analyses(client, tmp_path):
    # As an older version stored them: a day at 0001-01-01 and an injection on 9999-12-31.
    client.put("/api/v1/diary/days/2026-03-01", json={"episodes": 2})
    engine = open_database(f"sqlite:///{tmp_path / 'diary.sqlite3'}")
    me = {"person_id": DEFAULT_PERSON_ID}
    with engine.begin() as connection:
        connection.execute(insert(DayFactors), [{**me, "date": dt.date(1, 1, 1), "episodes": 1}])
        connection.execute(
            insert(Treatments), [{**me, "date": dt.date(9999, 12, 31), "kind": "botulinum_toxin"}]
        )
    engine.dispose()
    triggers = client.get("/api/v1/diary/triggers")
    assert triggers.status_code == 200
    assert any("1 day dated outside 1900-01-01" in note for note in triggers.json()["notes"])
    cycles = client.get("/api/v1/diary/cycles")
    assert (cycles.status_code, cycles.json()) == (200, [])


def test_an_episode_is_read_edited_and_deleted_by_its_id(client):
    body = {**EPISODE, "severity": 4, "note": "coffee", "at": "2026-03-01T23:30:00+00:00"}
    new_id = client.post("/api/v1/diary/episodes", json=body).json()["id"]
    episode = client.get(f"/api/v1/diary/episodes/{new_id}").json()
    assert (episode["severity"], episode["local_date"]) == (4, "2026-03-01")
    edited = client.patch(
        f"/api/v1/diary/episodes/{new_id}",
        json={"severity": None, "regions": ["mouth", "eyelid"], "timezone": "Europe/Berlin"},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json() == {
        **episode, "severity": None, "regions": ["eyelid", "mouth"], "timezone": "Europe/Berlin",
        "local_date": "2026-03-02",  # the same instant is already 2 March in Berlin
    }  # fmt: skip
    assert client.get("/api/v1/diary/days").json()[0]["date"] == "2026-03-02"
    refused = client.patch(f"/api/v1/diary/episodes/{new_id}", json={"side": None})
    assert refused.status_code == 422
    assert client.delete(f"/api/v1/diary/episodes/{new_id}").status_code == 204
    assert client.get(f"/api/v1/diary/episodes/{new_id}").status_code == 404
    assert client.get("/api/v1/diary/days").json() == []


def test_a_day_is_read_edited_with_nulls_and_deleted(client):
    client.put("/api/v1/diary/days/2026-03-01", json={"sleep_hours": 6, "note": "exam"})
    response = client.put("/api/v1/diary/days/2026-03-01", json={"sleep_hours": None})
    assert response.status_code == 200
    assert response.json() == {
        "date": "2026-03-01", "episodes": None, "sleep_hours": None, "caffeine_drinks": None,
        "alcohol_drinks": None, "stress_0_10": None, "screen_hours": None, "nicotine": None,
        "note": "exam",
    }  # fmt: skip
    assert client.get("/api/v1/diary/days/2026-03-01").json() == response.json()
    assert client.delete("/api/v1/diary/days/2026-03-01").status_code == 204
    for gone in (
        client.get("/api/v1/diary/days/2026-03-01"),
        client.delete("/api/v1/diary/days/2026-03-01"),
    ):
        assert gone.status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/episodes/0", "/episodes/2147483648", "/episodes/1.0", "/episodes/+1", "/treatments/x"],
)
def test_an_id_is_a_whole_number_a_database_can_hold(client, path):
    response = client.get("/api/v1/diary" + path)
    assert response.status_code == 422
    assert "path.id: must be a whole number from 1 to 2147483647" in response.text
