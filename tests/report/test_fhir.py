"""The FHIR R4B export: a document Bundle that parses, keeps FHIR's rules and resolves inside.

`fhir.resources` checks structure only; FHIR's invariants, the reference rules and the
QuestionnaireResponse's fit to its Questionnaire are checked by `fhir_checks.py`.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import datetime as dt
import io
import json
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facespasm.diary.database import open_database
from facespasm.diary.records import Day, Episode, Rating, Treatment
from facespasm.diary.store import Diary
from facespasm.knowledge import KnowledgeBase
from facespasm.report.case_report import CaseReport
from facespasm.report.fhir import fhir_bundle, fhir_json, percent_decimal
from facespasm.report.fhir_codes import (
    ANSWER_SYSTEM,
    CAUSE_SYSTEM,
    FINDING_SYSTEM,
    MEASURE_SYSTEM,
    QUESTIONNAIRE_URL,
    UCUM,
    code_systems,
    questionnaire,
)
from facespasm.sharing import make_report
from facespasm.video.analysis import VideoAnalysis
from tests.report import fhir_checks
from tests.report.cases import HEMIFACIAL, clip_analysis
from tests.report.conftest import all_red_flags_ruled_out

NOW = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)
# One case is made in Berlin in winter: instants keep their offset.
BERLIN_NOW = dt.datetime(2026, 11, 30, 10, 15, tzinfo=dt.timezone(dt.timedelta(hours=1)))
# The invariants that matter most here, by the resource type they belong to: each must have
# been evaluated wherever that type is in the Bundle, not merely passed.
KEY_INVARIANTS = {
    "Bundle": {"bdl-7", "bdl-9", "bdl-10", "bdl-11"},  # unique fullUrls; a document's rules
    "Composition": {"cmp-1"},  # every section has text or entries
    "Observation": {"obs-6", "obs-7", "qty-3"},  # value or absent reason; UCUM system named
    "RiskAssessment": {"ras-2"},  # a probability is at most 100
    "QuestionnaireResponse": {"qrs-1"},  # an item has answers or sub-items, not both
    "Questionnaire": {"que-2"},  # linkIds are unique
}


@pytest.fixture(scope="module")
def diary(tmp_path_factory: pytest.TempPathFactory) -> Diary:
    """Three months of counts, injections split by side, JRS ratings and a kept measurement."""
    path = tmp_path_factory.mktemp("fhir") / "diary.db"
    own = Diary(open_database(f"sqlite:///{path}", schema="upgrade"))
    start = dt.date(2026, 8, 1)
    for n in range(120):
        own.days.record(Day(start + dt.timedelta(days=n), episodes=3 if n % 7 else 8))
    own.treatments.add(
        Treatment(dt.date(2026, 9, 15), "botulinum_toxin", side="both", dose_units=35,
                  name="Xeomin", units_left=20, units_right=15)
    )  # fmt: skip
    own.treatments.add(Treatment(dt.date(2026, 11, 10), "botulinum_toxin", dose_units=30))
    for date, score in ((dt.date(2026, 9, 10), 7.0), (dt.date(2026, 10, 12), 4.0)):
        own.ratings.add(Rating(date, "jrs", (("severity", 4), ("frequency", 3)), score))
    own.episodes.add(
        Episode(dt.datetime(2026, 11, 3, 8, tzinfo=dt.UTC), dt.date(2026, 11, 3), "UTC", "right",
                ("eyelid", "cheek"))
    )  # fmt: skip
    own.measurements.save(
        clip_analysis(seconds=60, spasms_right=4, blinks=12).to_dict(),
        at=dt.datetime(2026, 11, 21, 10, tzinfo=dt.UTC),
    )
    return own


def measured_clip() -> VideoAnalysis:
    """A clip with spasms on the left and blinks, its lid openings measured in millimetres.

    The planted traces have no face to scale, so the openings are set as a clip of a real face
    would have them (9.6 mm right, 8.1 mm left: the left eye narrowed by its spasms).
    """
    analysis = clip_analysis(spasms_left=3, blinks=10)
    summary = dataclasses.replace(analysis.summary, usual_aperture_mm={"right": 9.6, "left": 8.1})
    return dataclasses.replace(analysis, summary=summary)


@pytest.fixture(scope="module")
def cases(knowledge: KnowledgeBase, diary: Diary) -> dict[str, CaseReport]:
    """The reports every structural test runs on, by name."""
    harmless = {
        **all_red_flags_ruled_out(knowledge),
        "age": 22,
        "side": "one",
        "regions": ["eyelid"],
        "small_flicker": True,
        "duration_days": 5,
        "stress": True,
        "sex": None,  # "don't know": no answer in the response
    }
    return {
        # Answers only, every red flag answered "no".
        "answers": make_report(harmless, now=NOW),
        # Hemifacial spasm with a video of spasms on the left, a name typed, made in Berlin.
        "video": make_report(
            HEMIFACIAL,
            video=measured_clip(),
            name="Ada Lovelace",
            now=BERLIN_NOW,
        ),
        # The diary: injections by side, JRS ratings, a kept measurement.
        "diary": make_report(HEMIFACIAL, diary=diary, now=NOW),
        # Stroke signs: an emergency.
        "emergency": make_report(
            {"sudden_weakness": True, "side": "one", "regions": ["eyelid", "mouth"]}, now=NOW
        ),
        # A diagnosis the person says a doctor made, and a description in their words.
        "known": make_report(
            {**HEMIFACIAL, "known_diagnosis": "hemifacial_spasm"},
            text="my neurologist said it is hemifacial spasm; it started at my right eye",
            now=NOW,
        ),
    }


CASES = ("answers", "video", "diary", "emergency", "known")


def bundle_of(report: CaseReport) -> dict[str, Any]:
    """The report's Bundle as JSON (no PDF: that is tested on its own)."""
    result: dict[str, Any] = json.loads(fhir_json(report, pdf=False))
    return result


def resources(bundle: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    """The Bundle's resources of one type, in order."""
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == type_]


def one(bundle: dict[str, Any], type_: str) -> dict[str, Any]:
    """The Bundle's only resource of one type."""
    (found,) = resources(bundle, type_)
    return found


# --- FHIR's rules ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_the_bundle_keeps_every_invariant_of_fhir_r4b(
    cases: dict[str, CaseReport], case: str
) -> None:
    bundle = bundle_of(cases[case])
    problems, evaluated = fhir_checks.invariant_problems(bundle)
    assert problems == []  # errors and warnings alike (dom-6: every resource has a narrative)
    present = {"Bundle"} | {e["resource"]["resourceType"] for e in bundle["entry"]}
    for type_, keys in KEY_INVARIANTS.items():
        assert type_ not in present or evaluated >= keys, type_


@pytest.mark.parametrize("case", CASES)
def test_the_bundle_is_a_document_whose_references_all_resolve_inside(
    cases: dict[str, CaseReport], case: str
) -> None:
    bundle = bundle_of(cases[case])
    assert bundle["type"] == "document"
    assert bundle["entry"][0]["resource"]["resourceType"] == "Composition"
    assert all(e["fullUrl"].startswith("urn:uuid:") for e in bundle["entry"])
    assert all(e["resource"]["id"] == e["fullUrl"][9:] for e in bundle["entry"])
    assert fhir_checks.unresolved_references(bundle) == []
    assert fhir_checks.unreachable_entries(bundle) == []


@pytest.mark.parametrize("case", CASES)
def test_the_answers_fit_the_questionnaire_in_the_bundle(
    cases: dict[str, CaseReport], case: str
) -> None:
    bundle = bundle_of(cases[case])
    response = one(bundle, "QuestionnaireResponse")
    assert fhir_checks.questionnaire_response_problems(response, one(bundle, "Questionnaire")) == []


@pytest.mark.parametrize("case", CASES)
def test_the_bundle_round_trips_through_json_to_the_same_model(
    cases: dict[str, CaseReport], case: str
) -> None:
    model = fhir_bundle(cases[case], pdf=False)
    written = fhir_json(cases[case], pdf=False)
    assert Bundle.model_validate_json(written) == model
    assert Bundle.model_validate_json(model.model_dump_json()) == model
    # fhir_json writes the very JSON the model would (it skips the slower serialiser).
    assert json.loads(written) == json.loads(model.model_dump_json(exclude_none=True))


def test_the_same_report_gives_the_same_bundle_and_another_report_another(
    cases: dict[str, CaseReport],
) -> None:
    assert fhir_json(cases["video"], pdf=False) == fhir_json(cases["video"], pdf=False)
    identifiers = {bundle_of(cases[case])["identifier"]["value"] for case in CASES}
    assert len(identifiers) == len(CASES)


# Each row breaks one rule the checks must catch.
BROKEN: list[tuple[str, str]] = [
    ("obs-6", "an Observation with both a value and a reason it is absent"),
    ("ras-2", "a probability above 100"),
    ("bdl-10", "a document without its timestamp"),
    ("bdl-11", "a document that does not start with its Composition"),
    ("bdl-7", "two entries with one fullUrl"),
    ("qty-3", "a coded quantity without its system"),
]


def _break(bundle: dict[str, Any], key: str) -> None:
    if key == "obs-6":
        resources(bundle, "Observation")[0]["dataAbsentReason"] = {"text": "not measured"}
    elif key == "ras-2":
        one(bundle, "RiskAssessment")["prediction"][0]["probabilityDecimal"] = 150
    elif key == "bdl-10":
        del bundle["timestamp"]
    elif key == "bdl-11":
        bundle["entry"].reverse()
    elif key == "bdl-7":
        bundle["entry"][2]["fullUrl"] = bundle["entry"][1]["fullUrl"]
    elif key == "qty-3":
        del resources(bundle, "Observation")[0]["valueQuantity"]["system"]


@pytest.mark.parametrize(("key", "broken"), BROKEN)
def test_the_checks_catch_a_broken_bundle(
    cases: dict[str, CaseReport], key: str, broken: str
) -> None:
    bundle = copy.deepcopy(bundle_of(cases["video"]))
    _break(bundle, key)
    problems, _ = fhir_checks.invariant_problems(bundle)
    assert key in {problem.key for problem in problems}, broken


def test_the_checks_catch_a_dangling_reference_and_a_stray_answer(
    cases: dict[str, CaseReport],
) -> None:
    bundle = copy.deepcopy(bundle_of(cases["video"]))
    one(bundle, "RiskAssessment")["subject"]["reference"] = "Patient/elsewhere"
    assert fhir_checks.unresolved_references(bundle) == ["Patient/elsewhere"]
    response = one(bundle, "QuestionnaireResponse")
    response["item"][0]["linkId"] = "favourite_colour"
    problems = fhir_checks.questionnaire_response_problems(response, one(bundle, "Questionnaire"))
    assert problems == ["favourite_colour: no such item in the Questionnaire"]


# --- what the Bundle says ------------------------------------------------------------------------


def test_the_patient_has_a_name_only_when_one_was_typed(cases: dict[str, CaseReport]) -> None:
    assert one(bundle_of(cases["video"]), "Patient")["name"] == [{"text": "Ada Lovelace"}]
    assert "name" not in one(bundle_of(cases["answers"]), "Patient")


@pytest.mark.parametrize("case", ["answers", "video", "diary", "emergency"])
def test_no_condition_unless_the_person_says_a_doctor_diagnosed_it(
    cases: dict[str, CaseReport], case: str
) -> None:
    assert resources(bundle_of(cases[case]), "Condition") == []


def test_a_diagnosis_a_doctor_made_is_an_unconfirmed_condition_the_person_asserts(
    cases: dict[str, CaseReport],
) -> None:
    bundle = bundle_of(cases["known"])
    condition = one(bundle, "Condition")
    codes = {(c["system"], c["code"]) for c in condition["code"]["coding"]}
    assert ("http://hl7.org/fhir/sid/icd-10-cm", "G51.39") in codes
    assert ("http://human-phenotype-ontology.org", "HP:0010828") in codes
    assert (CAUSE_SYSTEM, "hemifacial_spasm") in codes
    assert condition["verificationStatus"]["coding"][0]["code"] == "unconfirmed"
    assert (
        condition["asserter"]
        == condition["subject"]
        == {"reference": one(bundle, "Composition")["subject"]["reference"]}
    )


def test_the_risk_assessment_predicts_every_cause_in_percent_coded(
    knowledge: KnowledgeBase, cases: dict[str, CaseReport]
) -> None:
    report = cases["video"]
    assessment = one(bundle_of(report), "RiskAssessment")
    predictions = assessment["prediction"]
    assert len(predictions) == len(knowledge.causes)
    assert sum(p["probabilityDecimal"] for p in predictions) == pytest.approx(100, abs=0.1)
    by_cause = {
        c["code"]: p
        for p in predictions
        for c in p["outcome"]["coding"]
        if c["system"] == CAUSE_SYSTEM
    }
    assert set(by_cause) == set(knowledge.cause_ids)
    for condition in report.conditions:
        prediction = by_cause[condition.id]
        assert prediction["probabilityDecimal"] == percent_decimal(condition.probability)
        assert 0 < prediction["probabilityDecimal"] < 100
        for code in condition.codes:  # ICD-10-CM and HPO wherever the knowledge has them
            assert {"system": code.system, "code": code.code, "display": code.display} in (
                prediction["outcome"]["coding"]
            )
    # The video's spasms were all on the left: hemifacial spasm is coded for that side.
    assert any(c["code"] == "G51.32" for p in predictions for c in p["outcome"]["coding"])


# Each row: a probability, and the percentage a machine reads.
PERCENTS = [
    (0.9826, 98.26),  # as it is, to 4 decimals
    (1e-9, 0.0001),  # tiny, but not impossible
    (0.9999999, 99.9999),  # nearly certain, but not certain
    (0.0, 0.0),  # ruled out (no cause here ever is)
    (1.0, 100.0),  # certain (likewise)
]


@pytest.mark.parametrize(("probability", "percent"), PERCENTS)
def test_a_probability_is_written_in_percent_never_rounded_to_certainty(
    probability: float, percent: float
) -> None:
    assert percent_decimal(probability) == percent


def test_an_emergency_says_what_to_do_first_and_keeps_the_data(
    cases: dict[str, CaseReport],
) -> None:
    bundle = bundle_of(cases["emergency"])
    care = one(bundle, "Composition")["section"][0]
    assert care["title"] == "Care advised"
    assert care["text"]["div"].startswith(
        '<div xmlns="http://www.w3.org/1999/xhtml"><p>Emergency: call'
    )
    assert len(one(bundle, "RiskAssessment")["prediction"]) == len(cases["emergency"].conditions)


def _quantities(bundle: dict[str, Any]) -> dict[str, list[tuple[str, float, str]]]:
    found: dict[str, list[tuple[str, float, str]]] = {}
    for observation in resources(bundle, "Observation"):
        (code,) = observation["code"]["coding"]
        value = observation["valueQuantity"]
        assert value["system"] == UCUM and value["code"] == value["unit"]
        found.setdefault(code["code"], []).append(
            (observation["code"]["text"], value["value"], value["unit"])
        )
    return found


def test_the_video_measures_are_observations_in_ucum_units(cases: dict[str, CaseReport]) -> None:
    report = cases["video"]
    video = report.video
    assert video is not None and video.blink.per_minute is not None
    bundle = bundle_of(report)
    measured = _quantities(bundle)
    assert measured["blink-rate"] == [("Blink rate", round(video.blink.per_minute, 2), "/min")]
    left = next(rate for rate in video.by_side if rate.kind == "spasm" and rate.side == "left")
    assert left.per_minute
    assert ("Spasms, left", left.per_minute, "/min") in measured["events-per-minute"]
    assert [unit for *_, unit in measured["eyes-closed-percent"]] == ["%"]
    # Palpebral fissure height: LOINC by eye, in millimetres.
    assert measured["79855-3"] == [("Palpebral fissure height, right eye", 9.6, "mm")]
    assert measured["79856-1"] == [("Palpebral fissure height, left eye", 8.1, "mm")]
    report_resource = one(bundle, "DiagnosticReport")
    observations = {
        e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"
    }
    assert {r["reference"] for r in report_resource["result"]} == observations
    assert "presentedForm" not in report_resource  # pdf=False


def test_the_doctors_pdf_is_the_video_reports_presented_form(
    cases: dict[str, CaseReport],
) -> None:
    pypdf = pytest.importorskip("pypdf")
    bundle = json.loads(fhir_json(cases["video"]))
    (form,) = one(bundle, "DiagnosticReport")["presentedForm"]
    assert form["contentType"] == "application/pdf"
    pdf = base64.b64decode(form["data"], validate=True)
    assert pdf.startswith(b"%PDF")
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Ada Lovelace" in text
    problems, _ = fhir_checks.invariant_problems(bundle)
    assert problems == []  # att-1: data comes with its content type


def test_a_pdf_given_is_used_as_it_is(cases: dict[str, CaseReport]) -> None:
    bundle = json.loads(fhir_json(cases["video"], pdf=b"%PDF-1.7 given"))
    (form,) = one(bundle, "DiagnosticReport")["presentedForm"]
    assert base64.b64decode(form["data"]) == b"%PDF-1.7 given"


def test_injections_carry_their_dose_by_side_and_ratings_their_scores(
    cases: dict[str, CaseReport],
) -> None:
    bundle = bundle_of(cases["diary"])
    given = [
        (
            a["effectiveDateTime"],
            a["medicationCodeableConcept"]["text"],
            a["dosage"].get("site", {}).get("text"),
            a["dosage"]["dose"]["value"],
            a["dosage"]["dose"]["code"],
        )
        for a in resources(bundle, "MedicationAdministration")
    ]
    assert given == [
        ("2026-09-15", "Xeomin", "face, left side", 20, "{units}"),
        ("2026-09-15", "Xeomin", "face, right side", 15, "{units}"),
        ("2026-11-10", "botulinum toxin", None, 30, "{units}"),
    ]
    measured = _quantities(bundle)
    assert [(value, unit) for _, value, unit in measured["jrs-total"]] == [
        (7.0, "{score}"),
        (4.0, "{score}"),
    ]
    jrs = [
        o for o in resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == "jrs-total"
    ]
    assert [o["effectiveDateTime"] for o in jrs] == ["2026-09-10", "2026-10-12"]
    assert ("Spasm or flicker events per minute", 4.0, "/min") in measured["events-per-minute"]


def test_the_response_holds_what_the_person_said_and_not_dont_know(
    cases: dict[str, CaseReport],
) -> None:
    response = one(bundle_of(cases["answers"]), "QuestionnaireResponse")
    answers = {item["linkId"]: item["answer"] for item in response["item"]}
    assert answers["age"] == [{"valueDecimal": 22.0}]
    assert answers["small_flicker"] == [{"valueBoolean": True}]
    ((region,),) = [[a["valueCoding"] for a in answers["regions"]]]
    assert (region["system"], region["code"]) == (ANSWER_SYSTEM, "regions.eyelid")
    assert "sex" not in answers  # "don't know" is no answer
    assert response["questionnaire"].startswith(QUESTIONNAIRE_URL + "|")


# --- the definitions -----------------------------------------------------------------------------


def test_the_questionnaire_is_the_knowledge_bases_findings(knowledge: KnowledgeBase) -> None:
    written = json.loads(questionnaire(knowledge).model_dump_json(exclude_none=True))
    assert written["url"] == QUESTIONNAIRE_URL
    assert written["version"] == knowledge.version
    items = {item["linkId"]: item for item in written["item"]}
    assert list(items) == list(knowledge.findings)
    for finding in knowledge.findings.values():
        item = items[finding.id]
        assert item["text"] == finding.question
        assert item["code"] == [
            {"system": FINDING_SYSTEM, "code": finding.id, "display": finding.label}
        ]
        assert item["type"] == {"boolean": "boolean", "number": "decimal"}.get(
            finding.type, "choice"
        )
        assert item.get("repeats", False) == (finding.type == "multiple_choice")
        options = [o["valueCoding"]["display"] for o in item.get("answerOption", [])]
        assert options == [choice.label for choice in finding.choices]
    problems, evaluated = fhir_checks.invariant_problems(_alone(written))
    assert problems == [] and "que-2" in evaluated


def test_every_local_code_the_bundles_use_is_defined(
    knowledge: KnowledgeBase, cases: dict[str, CaseReport]
) -> None:
    defined = {
        (system["url"], concept["code"])
        for system in (json.loads(s.model_dump_json()) for s in code_systems(knowledge))
        for concept in system["concept"]
    }
    local = (CAUSE_SYSTEM, FINDING_SYSTEM, ANSWER_SYSTEM, MEASURE_SYSTEM)
    used = {
        (c["system"], c["code"])
        for case in CASES
        for c in _codings(bundle_of(cases[case]))
        if c["system"] in local
    }
    assert used and used <= defined
    for system in code_systems(knowledge):
        problems, _ = fhir_checks.invariant_problems(_alone(json.loads(system.model_dump_json())))
        assert problems == []


def _codings(node: object) -> list[dict[str, str]]:
    if isinstance(node, dict):
        if "system" in node and "code" in node and "value" not in node:
            return [node]
        return [c for value in node.values() for c in _codings(value)]
    if isinstance(node, list):
        return [c for item in node for c in _codings(item)]
    return []


def _alone(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource in a collection Bundle of its own, for the invariant checks."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:6e2f9a9c-4b7e-4a57-9d55-1c3b8f0e2a10", "resource": resource}
        ],
    }


def test_a_report_of_another_knowledge_version_is_refused(
    cases: dict[str, CaseReport], knowledge: KnowledgeBase
) -> None:
    other = copy.copy(knowledge)
    other.version = "0" * 12
    with pytest.raises(ValueError, match="knowledge version"):
        fhir_bundle(cases["answers"], pdf=False, knowledge=other)


# --- any case ------------------------------------------------------------------------------------


@st.composite
def any_answers(draw: st.DrawFn, knowledge: KnowledgeBase) -> dict[str, object]:
    """Answers to any subset of the questions, "don't know" included."""
    answers: dict[str, object] = {}
    for finding in knowledge.findings.values():
        if not draw(st.booleans()):
            continue
        if finding.type == "boolean":
            value: object = draw(st.sampled_from([True, False, None]))
        elif finding.type == "choice":
            value = draw(st.sampled_from([*finding.choice_values, None]))
        elif finding.type == "multiple_choice":
            value = draw(st.lists(st.sampled_from(finding.choice_values), min_size=1, unique=True))
        else:
            low, high = finding.minimum or 0, finding.maximum or 100
            value = draw(st.integers(int(low), int(high)))
        answers[finding.id] = value
    return answers


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_answers_give_a_bundle_that_keeps_the_rules(
    knowledge: KnowledgeBase, data: st.DataObject
) -> None:
    answers = data.draw(any_answers(knowledge))
    if not any(value is not None for value in answers.values()):
        answers["stress"] = True  # something to assess
    bundle = bundle_of(make_report(answers, now=NOW))
    assert Bundle.model_validate(bundle)
    problems, _ = fhir_checks.invariant_problems(bundle)
    assert problems == []
    assert fhir_checks.unresolved_references(bundle) == []
    assert fhir_checks.unreachable_entries(bundle) == []
    response = one(bundle, "QuestionnaireResponse")
    assert fhir_checks.questionnaire_response_problems(response, one(bundle, "Questionnaire")) == []


# --- goldens -------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["video", "diary", "known"])
def test_the_bundle_matches_its_golden(cases: dict[str, CaseReport], case: str, golden) -> None:
    bundle = bundle_of(cases[case])
    golden(f"report_fhir_{case}.json", json.dumps(bundle, indent=1, ensure_ascii=False) + "\n")
