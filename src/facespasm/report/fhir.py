"""The case report as a FHIR R4B document Bundle, for a clinic's system to import.

Decisions, each with its reason:

- **A `document` Bundle, not a `collection`.** A facespasm report is what FHIR calls a
  document: a fixed, dated set of statements about one person, put together by one author, meant
  to be read as a whole and kept as it was. The Composition first in the Bundle says what the
  parts are (sections: care advised, answers, likely causes, video, diary, a diagnosis the person
  reports, about this report), carries each part's narrative for a human reader, and gives the
  Bundle its identifier and timestamp (bdl-9, bdl-10, bdl-11). A `collection` says none of that:
  the receiver would have to guess which resource is the main one. Its type is LOINC 51855-5
  "Patient Note" -- the answers, video and diary are the person's own, compiled by software (the
  author is a Device, facespasm, with its version), not a clinician's note.
- **The resources**: a Patient (a name only if the person typed one), the interview's
  Questionnaire (generated from the knowledge base, `fhir_codes.py`) and a QuestionnaireResponse
  of what the person said (answers and their description; "don't know", answers only implied by
  another and answers said with a hedge are left out); a RiskAssessment with one prediction per
  cause; Observations for the video measures and the JRS ratings; a DiagnosticReport of the video
  analysis, with the doctor's PDF as its `presentedForm` (a report without a video has no such
  DiagnosticReport, and so no PDF inside); Observations of the diary's kept measurements; a
  MedicationAdministration per side of each botulinum toxin injection; a Condition only for a
  diagnosis the person says a doctor made. Every resource carries a short generated narrative.
- **An emergency** is said first, in the "Care advised" section (the numbers to call); the
  probabilities stay in the RiskAssessment. The person's view hides them so that nothing
  distracts from calling for help; a clinic's system is not distracted, and its clinician may
  need them.
- **Injections are MedicationAdministrations**, which issue 13 allows in place of Procedures:
  FHIR's Procedure has no dose, and the dose by side is what a clinic records (`dosage.dose`,
  `dosage.site`). Toxin units are product-specific biological units, not international units,
  so the UCUM code is the annotation `{units}`, never `[iU]`.
- **Probabilities are percentages** in `prediction.probabilityDecimal` (0-100), as R4B's
  definition of the element says ("Decimal values are expressed as percentages as well (max =
  100)", the reason for ras-2), and the outcome is coded ICD-10-CM and HPO where the knowledge
  base has codes (hemifacial spasm by side where the side is known), with facespasm's own cause
  code always.
- **A condition the person reports** is `unconfirmed`, asserted by the Patient: facespasm did
  not see the doctor's diagnosis. facespasm's own probabilities are never Conditions.
- **Every reference resolves inside the Bundle**: fullUrls are `urn:uuid:` names derived from the
  report (a hash of its content), so the same report always gives the same Bundle (goldens stay
  stable) and two different reports never share one. The Questionnaire's name depends on the
  knowledge version alone: every Bundle of one version names the same definition alike.
- **Speed** (issue 13: ≤ 20 ms): the Bundle is written as JSON (plain dicts) and validated once by
  fhir.resources at the end, with the Questionnaire -- half its elements -- validated once per
  knowledge version; `fhir_json` writes the validated JSON with `json.dumps` (the model's own
  serialiser costs more than the validation; a test holds the two equal). fhir.resources is
  imported only here, when a Bundle is made.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from facespasm import __version__
from facespasm.knowledge import Finding, KnowledgeBase, load_knowledge
from facespasm.report.fhir_codes import (
    CAUSE_SYSTEM,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    DEVICE_NAME,
    DOCUMENT_TYPE,
    IDENTIFIER_SYSTEM,
    LOINC,
    LOINC_FISSURE,
    OBSERVATION_CATEGORY,
    QUESTIONNAIRE_URL,
    UCUM,
    answer_coding,
    coding,
    measure,
    narrative,
    questionnaire,
    questionnaire_json,
)

if TYPE_CHECKING:
    from fhir.resources.R4B.bundle import Bundle

    from facespasm.report.case_diary import DiarySection, InjectionView
    from facespasm.report.case_report import CaseReport, CodeView
    from facespasm.report.case_video import VideoSection

__all__ = ["PDF_TITLE", "fhir_bundle", "fhir_json", "percent_decimal", "questionnaire"]

PDF_TITLE = "facespasm report for the doctor (PDF)"
# Evidence the person gave: their answers and their own description.
SAID_BY_THE_PERSON = ("answer", "text")
# The namespace of the uuid5 names of a report's resources (any fixed UUID; never change it).
_NAMESPACE = uuid.UUID("5f3b6d0e-8c4a-5e1f-9b7d-2a6c4e8f0a13")
_SIDE_WORDS = {"left": "left side", "right": "right side", "both": "both sides"}


def fhir_bundle(
    report: CaseReport, *, pdf: bytes | bool = True, knowledge: KnowledgeBase | None = None
) -> Bundle:
    """The report as a FHIR R4B document Bundle (a fhir.resources model).

    Args:
        report: the case report.
        pdf: the doctor's PDF for the video DiagnosticReport's `presentedForm`: True renders it
            with `facespasm.report.pdf.render_pdf` (where that exists), bytes are used as they
            are (a caller that has rendered it already), False leaves it out.
        knowledge: the knowledge base the report was made with (its Questionnaire); the
            packaged one by default. It must have the report's knowledge version.
    """
    return _validated(_bundle_json(report, pdf=pdf, knowledge=knowledge))


def fhir_json(
    report: CaseReport, *, pdf: bytes | bool = True, knowledge: KnowledgeBase | None = None
) -> bytes:
    """The report's Bundle as FHIR JSON (UTF-8), for `application/fhir+json`.

    The arguments are `fhir_bundle`'s.
    """
    written = _bundle_json(report, pdf=pdf, knowledge=knowledge)
    # Validated as `fhir_bundle` validates it, then written from the JSON it was made from:
    # the same JSON as the model's (a test holds them equal) at a third of the cost.
    _validated(written)
    return json.dumps(written, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _validated(written: dict[str, Any]) -> Bundle:
    """The Bundle's model, its Questionnaire validated once per knowledge version, not per call.

    The Questionnaire is about half of the Bundle's elements; pydantic takes a model instance
    as it is, so the cached one is put in place of its JSON.
    """
    from fhir.resources.R4B.bundle import Bundle

    entries = [_cached_model(entry) for entry in written["entry"]]
    return Bundle.model_validate({**written, "entry": entries})


def _cached_model(entry: dict[str, Any]) -> dict[str, Any]:
    resource = entry["resource"]
    if resource["resourceType"] == "Questionnaire":
        url, definition, model = _questionnaire_by_version[resource["version"]]
        if definition is resource:
            return {"fullUrl": url, "resource": model}
    return entry


_questionnaire_by_version: dict[str, tuple[str, dict[str, Any], Any]] = {}


def _bundled_questionnaire(knowledge: KnowledgeBase) -> tuple[str, dict[str, Any], Any]:
    """The interview's Questionnaire as a Bundle holds it: its fullUrl, JSON and model.

    Its name depends on the knowledge version alone, so every Bundle of one version names the
    same Questionnaire the same way. Callers must not modify the JSON.
    """
    found = _questionnaire_by_version.get(knowledge.version)
    if found is None:
        name = str(uuid.uuid5(_NAMESPACE, f"{QUESTIONNAIRE_URL}|{knowledge.version}"))
        definition = {**questionnaire_json(knowledge), "id": name}
        model = questionnaire(knowledge).model_copy(update={"id": name})
        found = (f"urn:uuid:{name}", definition, model)
        _questionnaire_by_version[knowledge.version] = found
    return found


class _Names:
    """Deterministic `urn:uuid:` names for a report's resources."""

    def __init__(self, report: CaseReport) -> None:
        self.seed = hashlib.sha256(repr(report).encode("utf-8")).hexdigest()

    def uuid(self, *parts: object) -> str:
        return str(uuid.uuid5(_NAMESPACE, "/".join([self.seed, *map(str, parts)])))

    def url(self, *parts: object) -> str:
        return f"urn:uuid:{self.uuid(*parts)}"


def _bundle_json(
    report: CaseReport, *, pdf: bytes | bool, knowledge: KnowledgeBase | None
) -> dict[str, Any]:
    knowledge = knowledge or load_knowledge()
    if knowledge.version != report.knowledge_version:
        raise ValueError(
            f"the report was made with knowledge version {report.knowledge_version}, "
            f"not {knowledge.version}"
        )
    names = _Names(report)
    when = _instant(report.made_at)
    builder = _Builder(report, knowledge, names, when)
    return builder.bundle(_pdf_bytes(report, pdf))


def _pdf_bytes(report: CaseReport, pdf: bytes | bool) -> bytes | None:
    """The PDF for the video's DiagnosticReport: only a report with a video has one."""
    if isinstance(pdf, bytes):
        return pdf
    if not pdf or report.video is None:
        return None
    from facespasm.report.pdf import render_pdf  # WeasyPrint: only when a PDF is made

    return render_pdf(report)


def _instant(moment: dt.datetime) -> str:
    """An instant as fhir.resources writes one: seconds, and "Z" for UTC."""
    written = moment.isoformat(timespec="seconds")
    return written[:-6] + "Z" if written.endswith("+00:00") else written


class _Builder:
    """Writes the Bundle's entries; each method adds resources and returns their fullUrls."""

    def __init__(
        self, report: CaseReport, knowledge: KnowledgeBase, names: _Names, when: str
    ) -> None:
        self.report = report
        self.knowledge = knowledge
        self.names = names
        self.when = when
        self.entries: list[dict[str, Any]] = []
        self.patient = names.url("Patient")
        self.device = names.url("Device")
        self.response = ""
        # What the RiskAssessment is based on besides the answers: the video's report.
        self.basis: list[dict[str, str]] = []

    def add(self, url: str, resource: dict[str, Any]) -> str:
        resource = {"resourceType": resource.pop("resourceType"), "id": url[9:], **resource}
        self.entries.append({"fullUrl": url, "resource": resource})
        return url

    def bundle(self, pdf: bytes | None) -> dict[str, Any]:
        report = self.report
        self._patient()
        self._device()
        sections = [self._care_section(), self._answers_section()]
        # The video's report first: the RiskAssessment is based on it.
        video = None if report.video is None else self._video_section(report.video, pdf)
        sections.append(self._causes_section())
        if video is not None:
            sections.append(video)
        if report.diary is not None:
            sections.append(self._diary_section(report.diary))
        if report.known_diagnosis is not None:
            sections.append(self._known_diagnosis_section())
        sections.append({"title": "About this report", "text": narrative(report.disclaimer)})
        composition = {
            "resourceType": "Composition",
            "text": narrative(f"{report.title}, {report.made_at_text}."),
            "status": "final",
            "type": {"coding": [DOCUMENT_TYPE], "text": "Patient note"},
            "subject": {"reference": self.patient},
            "date": self.when,
            "author": [{"reference": self.device, "display": DEVICE_NAME}],
            "title": report.title,
            "section": sections,
        }
        self.add(self.names.url("Composition"), composition)
        first = self.entries.pop()  # written last, as it lists the others; a document's first
        return {
            "resourceType": "Bundle",
            "id": self.names.uuid("Bundle"),
            "identifier": {"system": IDENTIFIER_SYSTEM, "value": self.names.uuid("identifier")},
            "type": "document",
            "timestamp": self.when,
            "entry": [first, *self.entries],
        }

    # --- who -------------------------------------------------------------------------------

    def _patient(self) -> None:
        name = self.report.name
        resource: dict[str, Any] = {
            "resourceType": "Patient",
            "text": narrative(name or "A person using facespasm (no name given)."),
        }
        if name:
            resource["name"] = [{"text": name}]
        self.add(self.patient, resource)

    def _device(self) -> None:
        self.add(
            self.device,
            {
                "resourceType": "Device",
                "text": narrative(f"facespasm {__version__}, software that made this report."),
                "deviceName": [{"name": DEVICE_NAME, "type": "user-friendly-name"}],
                "version": [{"value": __version__}],
            },
        )

    # --- the sections ----------------------------------------------------------------------

    def _care_section(self) -> dict[str, Any]:
        care = self.report.assessment.care
        lines = [f"{care.label}: {care.summary.text}"]
        lines += [reason.text for reason in care.reasons]
        lines += [f"Next: {step}" for step in care.next_steps]
        emergency = self.report.assessment.emergency
        if emergency is not None:
            calls = ", ".join(f"{call.number} ({call.where})" for call in emergency.calls)
            lines.insert(0, f"Emergency: call {calls}. {emergency.note}")
        return {"title": "Care advised", "text": _paragraphs(lines)}

    def _answers_section(self) -> dict[str, Any]:
        report = self.report
        items = []
        said = []
        for answer in report.answers:
            if (
                answer.value is None
                or answer.origin not in SAID_BY_THE_PERSON
                or answer.implied
                or answer.hedged
            ):
                continue
            finding = self.knowledge.findings.get(answer.finding)
            if finding is None:
                continue
            values = answer.value if isinstance(answer.value, tuple) else (answer.value,)
            answered = [_answer_value(finding, value) for value in values]
            items.append(
                {
                    "linkId": finding.id,
                    "text": finding.question,
                    "answer": answered,
                }
            )
            said.append(answer.text)
        questionnaire_url, definition, _ = _bundled_questionnaire(self.knowledge)
        self.entries.append({"fullUrl": questionnaire_url, "resource": definition})
        response: dict[str, Any] = {
            "resourceType": "QuestionnaireResponse",
            "text": _paragraphs(said or ["No answers."]),
            "questionnaire": f"{QUESTIONNAIRE_URL}|{self.knowledge.version}",
            "status": "completed",
            "subject": {"reference": self.patient},
            "authored": self.when,
            "source": {"reference": self.patient},
        }
        if items:
            response["item"] = items
        self.response = self.add(self.names.url("QuestionnaireResponse"), response)
        text = _paragraphs(said or ["No answers."])
        return _section("Answers", text, [self.response, questionnaire_url])

    def _causes_section(self) -> dict[str, Any]:
        report = self.report
        predictions = []
        lines = []
        for condition in report.conditions:
            codings = [_coding(code) for code in condition.codes]
            codings.append(coding(CAUSE_SYSTEM, condition.id, condition.name))
            predictions.append(
                {
                    "outcome": {"coding": codings, "text": condition.medical_name},
                    "probabilityDecimal": percent_decimal(condition.probability),
                }
            )
            lines.append(f"{condition.name}: {condition.percent}")
        basis = [{"reference": self.response}, *self.basis]
        resource = {
            "resourceType": "RiskAssessment",
            "text": _paragraphs(lines),
            "status": "final",
            "method": {"coding": [measure("case-assessment")]},
            "subject": {"reference": self.patient},
            "occurrenceDateTime": self.when,
            "performer": {"reference": self.device},
            "basis": basis,
            "prediction": predictions,
            "note": [{"text": report.disclaimer}],
        }
        url = self.add(self.names.url("RiskAssessment"), resource)
        return _section("Likely causes", _paragraphs(lines), [url])

    def _video_section(self, video: VideoSection, pdf: bytes | None) -> dict[str, Any]:
        results = []
        blink = video.blink
        if blink.per_minute is not None:
            results.append(
                self._observation(
                    "blink",
                    measure("blink-rate"),
                    "Blink rate",
                    _quantity(blink.per_minute, "/min"),
                    note=blink.text,
                )
            )
        for rate in (*video.by_side, *video.by_region):
            if rate.per_minute is None:
                continue
            where = _SIDE_WORDS.get(rate.side or "", rate.region or "")
            results.append(
                self._observation(
                    f"rate/{rate.kind}/{rate.side}/{rate.region}",
                    measure("events-per-minute"),
                    rate.text.split(":")[0],
                    _quantity(rate.per_minute, "/min"),
                    body_site=f"face, {where}",
                )
            )
        if video.eyes_closed_percent is not None:
            results.append(
                self._observation(
                    "closed",
                    measure("eyes-closed-percent"),
                    "Time with both eyes closed",
                    _quantity(video.eyes_closed_percent, "%"),
                    note=video.eyes_closed_text,
                )
            )
        for opening in video.lid_opening:
            if opening.mm is None:
                continue
            results.append(
                self._observation(
                    f"opening/{opening.side}",
                    coding(LOINC, LOINC_FISSURE[opening.side]),
                    f"Palpebral fissure height, {opening.side} eye",
                    _quantity(opening.mm, "mm"),
                )
            )
        conclusion = [video.face_text, video.blink.text, video.eyes_closed_text]
        report: dict[str, Any] = {
            "resourceType": "DiagnosticReport",
            "text": _paragraphs(conclusion + list(video.warnings)),
            "status": "final",
            "code": {"coding": [measure("video-analysis")], "text": "Video analysis"},
            "subject": {"reference": self.patient},
            "effectiveDateTime": self.when,
            "issued": self.when,
            "performer": [{"reference": self.device}],
            "result": [{"reference": url} for url in results],
            "conclusion": "; ".join(conclusion),
        }
        if pdf is not None:
            report["presentedForm"] = [
                {
                    "contentType": "application/pdf",
                    "data": base64.b64encode(pdf).decode("ascii"),
                    "title": PDF_TITLE,
                }
            ]
        url = self.add(self.names.url("DiagnosticReport"), report)
        self.basis.append({"reference": url})
        return _section("Video", _paragraphs(conclusion), [url, *results])

    def _observation(
        self,
        key: str,
        code: dict[str, str],
        text: str,
        value: dict[str, Any],
        *,
        category: str = "exam",
        effective: str | None = None,
        body_site: str | None = None,
        note: str | None = None,
    ) -> str:
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "text": narrative(f"{text}: {value['value']:g} {value['unit']}"),
            "status": "final",
            "category": [
                {"coding": [coding(OBSERVATION_CATEGORY, category, category.capitalize())]}
            ],
            "code": {"coding": [code], "text": text},
            "subject": {"reference": self.patient},
            "effectiveDateTime": effective or self.when,
            "performer": [{"reference": self.device}],
            "valueQuantity": value,
        }
        if note:
            resource["note"] = [{"text": note}]
        if body_site:
            resource["bodySite"] = {"text": body_site}
        return self.add(self.names.url("Observation", key), resource)

    def _diary_section(self, diary: DiarySection) -> dict[str, Any]:
        urls = []
        lines = [diary.text]
        for n, injection in enumerate(diary.injections):
            urls += self._injection(n, injection)
            lines.append(injection.text)
        for series in diary.ratings:
            if series.scale != "jrs":
                continue
            for point in series.points:
                urls.append(
                    self._observation(
                        f"jrs/{point.date}",
                        measure("jrs-total"),
                        f"{series.name}, total",
                        _quantity(point.score, "{score}"),
                        category="survey",
                        effective=point.date.isoformat(),
                    )
                )
                lines.append(f"{point.date}: {series.name} {point.score:g}")
        for kept in diary.measurements:
            measured: Iterable[tuple[str, float | None, str, str, str | None]] = (
                ("left", kept.spasms_per_min_left, "events-per-minute", "/min", "face, left side"),
                (
                    "right",
                    kept.spasms_per_min_right,
                    "events-per-minute",
                    "/min",
                    "face, right side",
                ),
                ("blink", kept.blink_rate_per_min, "blink-rate", "/min", None),
                ("closed", kept.eyes_closed_percent, "eyes-closed-percent", "%", None),
            )
            for key, amount, code, unit, site in measured:
                if amount is None:
                    continue
                urls.append(
                    self._observation(
                        f"measured/{kept.date}/{key}",
                        measure(code),
                        measure(code)["display"],
                        _quantity(amount, unit),
                        effective=kept.date.isoformat(),
                        body_site=site,
                    )
                )
        if not urls:
            return {"title": "Diary", "text": _paragraphs(lines)}
        return _section("Diary", _paragraphs(lines), urls)

    def _injection(self, n: int, injection: InjectionView) -> list[str]:
        """One MedicationAdministration per side given units (else one for the total)."""
        doses: list[tuple[str | None, float | None]] = [
            (side, units)
            for side, units in (("left", injection.units_left), ("right", injection.units_right))
            if units is not None
        ]
        if not doses:
            doses = [(injection.side, injection.units_total)]
        product = injection.product or "botulinum toxin"
        urls = []
        for side, units in doses:
            dosage: dict[str, Any] = {"text": injection.text}
            if side in _SIDE_WORDS:
                dosage["site"] = {"text": f"face, {_SIDE_WORDS[side]}"}
            if units is not None:
                dosage["dose"] = {
                    "value": units,
                    "unit": "units",
                    "system": UCUM,
                    "code": "{units}",
                }
            resource = {
                "resourceType": "MedicationAdministration",
                "text": narrative(injection.text),
                "status": "completed",
                "medicationCodeableConcept": {"text": product},
                "subject": {"reference": self.patient},
                "effectiveDateTime": injection.date.isoformat(),
                "dosage": dosage,
            }
            urls.append(self.add(self.names.url("MedicationAdministration", n, side), resource))
        return urls

    def _known_diagnosis_section(self) -> dict[str, Any]:
        known = self.report.known_diagnosis
        assert known is not None
        codings = [_coding(code) for code in known.codes]
        codings.append(coding(CAUSE_SYSTEM, known.cause, known.name))
        resource = {
            "resourceType": "Condition",
            "text": narrative(known.text),
            "clinicalStatus": {"coding": [coding(CONDITION_CLINICAL, "active", "Active")]},
            "verificationStatus": {
                "coding": [coding(CONDITION_VERIFICATION, "unconfirmed", "Unconfirmed")]
            },
            "category": [
                {"coding": [coding(CONDITION_CATEGORY, "problem-list-item", "Problem List Item")]}
            ],
            "code": {"coding": codings, "text": known.name},
            "subject": {"reference": self.patient},
            "recordedDate": self.when,
            "asserter": {"reference": self.patient},
            "note": [{"text": "The person says a doctor made this diagnosis."}],
        }
        url = self.add(self.names.url("Condition"), resource)
        return _section("A diagnosis the person reports", narrative(known.text), [url])


def _answer_value(finding: Finding, value: bool | float | str) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, str):
        return {"valueCoding": answer_coding(finding, value)}
    return {"valueDecimal": value}


def percent_decimal(probability: float) -> float:
    """A probability in percent, to 4 decimals, never a flat 0 or 100 unless it is one.

    The person's view says "<1%" and ">99%" rather than claim certainty; a machine reads the
    number, so a probability strictly between 0 and 1 stays strictly between 0 and 100.
    """
    value = round(100 * probability, 4)
    if 0 < probability < 1:
        return min(max(value, 0.0001), 99.9999)
    return value


def _coding(code: CodeView) -> dict[str, str]:
    return coding(code.system, code.code, code.display)


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": round(value, 2), "unit": unit, "system": UCUM, "code": unit}


def _section(title: str, text: dict[str, str], entries: Iterable[str]) -> dict[str, Any]:
    return {"title": title, "text": text, "entry": [{"reference": url} for url in entries]}


def _paragraphs(lines: Iterable[str]) -> dict[str, str]:
    from html import escape

    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}
