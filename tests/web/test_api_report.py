"""`POST /api/v1/report` (the doctor's PDF) and `POST /api/v1/fhir` (a FHIR R4B Bundle).

Both take the body of `/assess` plus `diary` and `name`; both answer an attachment named with
the date, in its own media type; anything sent wrong is a 4xx in the API's JSON error shape.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from facespasm.web.api_report import printable
from tests.answers import SAFE

REPORT = "/api/v1/report"
FHIR = "/api/v1/fhir"
HEMIFACIAL = {
    "age": 58, "side": "one", "regions": ["eyelid", "mouth"], "duration_days": "2 years",
    "spread_to_lower_face": True, **SAFE,
}  # fmt: skip
DATED = re.compile(r'^attachment; filename="facespasm-[a-z-]*\d{4}-\d{2}-\d{2}\.[a-z.]+"$')


def _dated_today(disposition: str) -> bool:
    found = re.search(r"(\d{4}-\d{2}-\d{2})", disposition)
    assert found, disposition
    today = dt.datetime.now(dt.UTC).date()
    return abs((dt.date.fromisoformat(found.group(1)) - today).days) <= 1


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def resources(bundle: Bundle) -> list[str]:
    return [e.resource.get_resource_type() for e in bundle.entry or [] if e.resource is not None]


def test_the_report_is_a_dated_pdf(client):
    response = client.post(REPORT, json={"answers": HEMIFACIAL})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response.headers["content-disposition"]
    assert DATED.match(disposition)
    assert _dated_today(disposition)


def test_a_name_is_on_the_pdf_only_when_typed(client):
    named = client.post(REPORT, json={"answers": HEMIFACIAL, "name": "  Ada Quill  "})
    assert named.status_code == 200, named.text
    assert "Ada Quill" in pdf_text(named.content)
    unnamed = client.post(REPORT, json={"answers": HEMIFACIAL})
    assert "Ada Quill" not in pdf_text(unnamed.content)


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("Ada\u00adQuill", "AdaQuill"),  # a soft hyphen (format character): dropped
        ("Ada \U000769d5Quill", "Ada Quill"),  # an unassigned code point: dropped
        ("\u200b", None),  # only a zero-width space: no name
        ("  Zoë Ng  ", "Zoë Ng"),  # letters of any script stay; spaces around go
    ],
)
def test_a_name_keeps_what_a_page_can_show(typed, printed):
    assert printable(typed) == printed


def test_the_export_is_an_r4b_bundle(client):
    response = client.post(FHIR, json={"answers": HEMIFACIAL, "text": "it started at my eye"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/fhir+json"
    disposition = response.headers["content-disposition"]
    assert DATED.match(disposition)
    assert disposition.endswith('.fhir.json"')
    assert _dated_today(disposition)
    bundle = Bundle.model_validate_json(response.content)
    assert "RiskAssessment" in resources(bundle)
    assert "QuestionnaireResponse" in resources(bundle)


@pytest.mark.parametrize(
    "body",
    [
        {"answers": {"age": None}},  # one "don't know" is an answer
        {"text": ""},  # an empty description is a description
        {"video_evidence": {"facial_pain": None, "sudden_weakness": None}},  # evidence, unknowns
    ],
)
def test_what_assess_takes_is_reported(client, body):
    assert client.post("/api/v1/assess", json=body).status_code == 200
    response = client.post(FHIR, json=body)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("path", [REPORT, FHIR])
@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "nothing to assess"),  # no answers, no text, no video
        ({"answers": {"side": "sideways"}}, "side"),  # a value the finding does not take
        ({"answers": {"not_a_finding": True}}, "not_a_finding"),  # an unknown finding
        ({"side": "one"}, "inside"),  # an answer beside `answers`
        ({"answers": HEMIFACIAL, "diary": "yes"}, "diary"),  # not a boolean
        ({"answers": HEMIFACIAL, "name": "Ada\nQuill"}, "name"),  # a control character
        ({"answers": HEMIFACIAL, "name": "A" * 101}, "name"),  # too long
        ({"answers": HEMIFACIAL, "colour": "red"}, "colour"),  # unknown field
    ],
)
def test_a_bad_body_is_a_422_saying_why(client, path, body, says):
    response = client.post(path, json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    assert says in response.json()["error"]["message"]


@pytest.mark.parametrize("path", [REPORT, FHIR])
def test_a_body_that_is_not_json_is_refused_in_the_error_shape(client, path):
    response = client.post(path, content=b"answers=1", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "message" in response.json()["error"]
    broken = client.post(path, content=b"{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 422
    assert "message" in broken.json()["error"]


def injected_on() -> str:
    return (dt.datetime.now().astimezone().date() - dt.timedelta(days=20)).isoformat()


def _inject(client) -> None:
    day = injected_on()
    injection = {
        "date": day,
        "kind": "botulinum_toxin",
        "side": "left",
        "dose_units": 25,
        "name": "onabotulinumtoxinA",
        "units_left": 25,
    }
    added = client.post("/api/v1/diary/treatments", json=injection)
    assert added.status_code == 201, added.text


INJECTION_RESOURCES = {"Procedure", "MedicationAdministration"}


def test_the_diary_joins_the_export_only_when_asked(client):
    _inject(client)
    without = Bundle.model_validate_json(client.post(FHIR, json={"answers": HEMIFACIAL}).content)
    assert not INJECTION_RESOURCES & set(resources(without))
    response = client.post(FHIR, json={"answers": HEMIFACIAL, "diary": True})
    assert response.status_code == 200, response.text
    bundle = Bundle.model_validate_json(response.content)
    assert INJECTION_RESOURCES & set(resources(bundle))
    assert "onabotulinumtoxinA" in response.text


def test_the_diary_joins_the_pdf_only_when_asked(client):
    _inject(client)
    without = pdf_text(client.post(REPORT, json={"answers": HEMIFACIAL}).content)
    assert "onabotulinumtoxinA" not in without
    with_diary = client.post(REPORT, json={"answers": HEMIFACIAL, "diary": True})
    assert with_diary.status_code == 200, with_diary.text
    text = pdf_text(with_diary.content)
    assert "onabotulinumtoxinA" in text
    assert f"Injection on {injected_on()}" in text


def test_the_answers_are_documented_in_their_media_types(client):
    paths = client.get("/openapi.json").json()["paths"]
    pdf = paths[REPORT]["post"]["responses"]["200"]["content"]
    fhir = paths[FHIR]["post"]["responses"]["200"]["content"]
    assert list(pdf) == ["application/pdf"]
    assert list(fhir) == ["application/fhir+json"]
    for path in (REPORT, FHIR):
        body = paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert {"diary", "name", "answers", "text", "wrong", "video_evidence"} <= set(
            body["properties"]
        )
