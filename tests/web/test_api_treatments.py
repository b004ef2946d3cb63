"""`/api/v1/diary/treatments`: treatments as clinics record them, edited, deleted, tapped."""

from __future__ import annotations

import pytest

TREATMENTS = "/api/v1/diary/treatments"
INJECTION = {
    "date": "2026-03-02",
    "kind": "botulinum_toxin",
    "side": "both",
    "dose_units": 50,
    "name": "incobotulinumtoxinA",
    "units_left": 25,
    "units_right": 25,
    "sites": [{"site": "left upper lid", "units": 2.5}, {"site": "right upper lid", "units": 2.5}],
}
STORED = {
    **INJECTION,
    "note": None,
    "until": None,
    "reported_onset": None,
    "reported_wear_off": None,
}


def add(client, body: dict) -> int:
    response = client.post(TREATMENTS, json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_an_injection_comes_back_as_it_was_sent(client):
    new_id = add(client, INJECTION)
    assert client.get(f"{TREATMENTS}/{new_id}").json() == {**STORED, "id": new_id}
    assert client.get(TREATMENTS).json() == [{**STORED, "id": new_id}]


def test_a_medicine_has_its_last_day(client):
    medicine = {
        "date": "2026-01-01",
        "kind": "medication",
        "dose_units": 400,
        "until": "2026-02-01",
    }
    new_id = add(client, medicine)
    assert client.get(f"{TREATMENTS}/{new_id}").json()["until"] == "2026-02-01"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # each kind has its own fields: a medicine has no sides, an injection no last day
        ({"date": "2026-01-01", "kind": "medication", "units_left": 5}, "body.units_left: Extra"),
        ({**INJECTION, "until": "2026-04-01"}, "body.until: Extra inputs are not permitted"),
        ({"date": "2026-01-01", "kind": "acupuncture"}, "does not match any of the expected tags"),
        # the parts fit together, as the core says
        ({**INJECTION, "units_left": 30}, "units_left and units_right add up to 55"),
        ({**INJECTION, "reported_onset": "2026-03-01"}, "reported_onset: 2026-03-01 is before"),
        ({**INJECTION, "side": "left"}, "units_right: the injection was on the left side only"),
        # a site is named, and bounded
        ({**INJECTION, "sites": [{"site": "", "units": 1}]}, "body.sites.0.site"),
        ({**INJECTION, "sites": [{"site": "lid", "units": 2000}]}, "body.sites.0.units"),
        ({**INJECTION, "sites": [{"site": "lid", "units": 1, "depth": 2}]}, "body.sites.0.depth"),
    ],
)
def test_a_treatment_that_does_not_fit_is_422_naming_the_field(client, body, message):
    response = client.post(TREATMENTS, json=body)
    assert response.status_code == 422, response.text
    assert message in response.json()["error"]["message"]
    assert client.get(TREATMENTS).json() == []


def test_an_edit_sets_what_it_names_and_clears_what_is_null(client):
    new_id = add(client, INJECTION)
    response = client.patch(
        f"{TREATMENTS}/{new_id}", json={"note": "less next time", "sites": None, "name": None}
    )
    assert response.status_code == 200, response.text
    expected = {**STORED, "id": new_id, "note": "less next time", "sites": [], "name": None}
    assert response.json() == expected
    assert client.get(f"{TREATMENTS}/{new_id}").json() == expected
    refused = client.patch(f"{TREATMENTS}/{new_id}", json={"dose_units": 10})
    assert refused.status_code == 422
    assert "more than the dose of 10" in refused.json()["error"]["message"]
    assert client.patch(f"{TREATMENTS}/{new_id}", json={"kind": "medication"}).status_code == 422


def test_a_deleted_treatment_is_gone_and_a_missing_one_is_404(client):
    new_id = add(client, INJECTION)
    assert client.delete(f"{TREATMENTS}/{new_id}").status_code == 204
    for response in (
        client.get(f"{TREATMENTS}/{new_id}"),
        client.delete(f"{TREATMENTS}/{new_id}"),
        client.patch(f"{TREATMENTS}/{new_id}", json={"note": "x"}),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["message"] == f"no treatment {new_id} in this diary"


def test_onset_and_wear_off_are_one_tap_for_the_latest_injection(client):
    first = add(client, INJECTION)
    second = add(client, {**INJECTION, "date": "2026-06-01"})
    onset = client.post(f"{TREATMENTS}/latest-injection/onset", json={"date": "2026-03-09"})
    assert onset.status_code == 200, onset.text
    assert (onset.json()["id"], onset.json()["reported_onset"]) == (first, "2026-03-09")
    wore_off = client.post(f"{TREATMENTS}/latest-injection/wore-off", json={"date": "2026-06-20"})
    assert (wore_off.json()["id"], wore_off.json()["reported_wear_off"]) == (second, "2026-06-20")
    conflict = client.post(f"{TREATMENTS}/latest-injection/onset", json={"date": "2026-06-25"})
    assert conflict.status_code == 409
    assert "reported wearing off on 2026-06-20" in conflict.json()["error"]["message"]
    none = client.post(f"{TREATMENTS}/latest-injection/onset", json={"date": "2026-01-01"})
    assert none.status_code == 404
    assert client.post(f"{TREATMENTS}/latest-injection/onset", json={}).status_code == 422


def test_the_published_schema_tells_the_kinds_apart(client):
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/api/v1/diary/treatments"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert schema["discriminator"] == {"propertyName": "kind"}
    kinds = {variant["properties"]["kind"]["const"]: variant for variant in schema["oneOf"]}
    assert set(kinds) == {"botulinum_toxin", "medication", "microvascular_decompression"}
    assert all(variant["additionalProperties"] is False for variant in kinds.values())
    assert "until" in kinds["medication"]["properties"]
    assert "units_left" not in kinds["medication"]["properties"]
    sites = kinds["botulinum_toxin"]["properties"]["sites"]
    assert sites["maxItems"] == 40
    assert sites["items"]["properties"]["site"]["maxLength"] == 100
    assert "$ref" not in str(schema)
