"""facespasm's FHIR vocabulary: code systems, the interview as a Questionnaire, standard codes.

Decisions, each with its reason:

- **Standard codes first.** Causes carry ICD-10-CM and HPO codes where the knowledge base has
  them (knowledge-notes §6); the palpebral fissure height uses LOINC 79855-3 (right eye) and
  79856-1 (left eye); units are UCUM (`/min`, `mm`, `%`, `[iU]`). LOINC codes go without a
  `display`: a wrong display is an error for a validator, a missing one is not, and LOINC's
  exact long names were not at hand to check.
- **Local codes under one base URL** where no standard code exists: the causes and findings of
  the knowledge base, the answers to its choice questions, and the measures (blink rate, spasm
  events per minute, % time the eyes are closed, the JRS total, a botulinum toxin injection).
  `FHIR_BASE` uses the `.example` domain (RFC 2606): facespasm has no web home of its own yet,
  and a reserved name can never collide with someone else's codes. It is a single constant.
- **The interview as a Questionnaire generated from findings.yaml**, one item per finding
  (linkId = the finding id, the YAML's order), so a QuestionnaireResponse of the answers has a
  definition to be read against. Its `version` is the knowledge version (a hash of the YAML),
  so a response says which wording and answer options it was given with.
"""

from __future__ import annotations

import functools
from html import escape
from typing import TYPE_CHECKING, Any

from facespasm.knowledge import Finding, KnowledgeBase

if TYPE_CHECKING:
    from fhir.resources.R4B.codesystem import CodeSystem
    from fhir.resources.R4B.questionnaire import Questionnaire

FHIR_BASE = "https://facespasm.example/fhir"
CAUSE_SYSTEM = f"{FHIR_BASE}/CodeSystem/cause"
FINDING_SYSTEM = f"{FHIR_BASE}/CodeSystem/finding"
ANSWER_SYSTEM = f"{FHIR_BASE}/CodeSystem/answer"
MEASURE_SYSTEM = f"{FHIR_BASE}/CodeSystem/measure"
QUESTIONNAIRE_URL = f"{FHIR_BASE}/Questionnaire/interview"
IDENTIFIER_SYSTEM = f"{FHIR_BASE}/report"
DEVICE_NAME = "facespasm"

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
HPO = "http://human-phenotype-ontology.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
DIAGNOSTIC_SERVICE = "http://terminology.hl7.org/CodeSystem/v2-0074"
SNOMED = "http://snomed.info/sct"

# LOINC 51855-5 "Patient Note": the document type of a patient-generated document (C-CDA's
# Patient Generated Document header uses it) -- what a facespasm report is.
DOCUMENT_TYPE = {"system": LOINC, "code": "51855-5", "display": "Patient Note"}
# Palpebral fissure height by eye (issue 13 names the codes).
LOINC_FISSURE = {"right": "79855-3", "left": "79856-1"}
# SNOMED CT body sites used for injections: the side is a qualifier (laterality).
SNOMED_RIGHT = {"system": SNOMED, "code": "24028007", "display": "Right"}
SNOMED_LEFT = {"system": SNOMED, "code": "7771000", "display": "Left"}

# Measures without a standard code: code -> (display, definition).
MEASURES: dict[str, tuple[str, str]] = {
    "blink-rate": (
        "Blink rate",
        "Blinks per minute of face seen in the person's video (both eyes closing together).",
    ),
    "events-per-minute": (
        "Spasm or flicker events per minute",
        "Involuntary closures or twitches per minute of face seen, by side and region.",
    ),
    "eyes-closed-percent": (
        "Time with the eyes closed",
        "Percentage of the face-visible time in which the eyes were closed.",
    ),
    "jrs-total": (
        "Jankovic Rating Scale total",
        "Severity (0-4) plus frequency (0-4) of the Jankovic Rating Scale, 0-8.",
    ),
    "video-analysis": (
        "Video analysis of facial spasms",
        "facespasm's measurement of blinks, spasms and lid opening from a video of the face.",
    ),
    "botulinum-toxin-injection": (
        "Botulinum toxin injection",
        "An injection of botulinum toxin into the face, as the person recorded it in the diary.",
    ),
    "case-assessment": (
        "Likely causes of facial twitching",
        "facespasm's estimate of the probability of each cause, from the person's answers, "
        "description, video and diary.",
    ),
}

# UCUM for the units findings.yaml uses.
_UCUM_UNITS = {"years": "a", "days": "d"}


def coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    """A FHIR Coding as JSON, with `display` only when it is known."""
    if display is None:
        return {"system": system, "code": code}
    return {"system": system, "code": code, "display": display}


def measure(code: str) -> dict[str, str]:
    """The Coding of a facespasm measure (KeyError for an unknown one)."""
    return coding(MEASURE_SYSTEM, code, MEASURES[code][0])


def answer_code(finding: str, value: str) -> str:
    """The code of one answer to a choice question: "side.one" (unique across questions)."""
    return f"{finding}.{value}"


def answer_coding(finding: Finding, value: str) -> dict[str, str]:
    """The Coding of one choice of a question, with the choice's label as its display."""
    labels = {choice.value: choice.label for choice in finding.choices}
    return coding(ANSWER_SYSTEM, answer_code(finding.id, value), labels.get(value))


def questionnaire(knowledge: KnowledgeBase) -> Questionnaire:
    """The facespasm interview as a FHIR R4B Questionnaire, one item per finding.

    Args:
        knowledge: the knowledge base whose findings are the questions; its version is the
            Questionnaire's version.
    """
    from fhir.resources.R4B.questionnaire import Questionnaire

    return Questionnaire.model_validate(questionnaire_json(knowledge))


@functools.lru_cache(maxsize=4)
def questionnaire_json(knowledge: KnowledgeBase) -> dict[str, Any]:
    """The Questionnaire of `questionnaire()` as JSON (cached: it changes only with the YAML).

    Callers must not modify the result.
    """
    return {
        "resourceType": "Questionnaire",
        "id": "interview",
        "text": narrative(
            "The facespasm interview about a twitching face "
            f"({len(knowledge.findings)} questions, knowledge version {knowledge.version})."
        ),
        "url": QUESTIONNAIRE_URL,
        "version": knowledge.version,
        "name": "FacespasmInterview",
        "title": "facespasm interview: a twitching face",
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": DEVICE_NAME,
        "description": (
            "The questions facespasm asks about facial twitching, generated from its knowledge "
            "base; each item's linkId is the finding id. Answers are optional: 'don't know' "
            "is recorded as no answer."
        ),
        "item": [_item(finding) for finding in knowledge.findings.values()],
    }


def _item(finding: Finding) -> dict[str, Any]:
    item: dict[str, Any] = {
        "linkId": finding.id,
        "code": [coding(FINDING_SYSTEM, finding.id, finding.label)],
        "text": finding.question,
        "type": _ITEM_TYPES[finding.type],
    }
    extensions = []
    if finding.type == "number":
        if finding.minimum is not None:
            extensions.append({"url": _EXT_MIN, "valueDecimal": finding.minimum})
        if finding.maximum is not None:
            extensions.append({"url": _EXT_MAX, "valueDecimal": finding.maximum})
        if finding.unit in _UCUM_UNITS:
            unit = coding(UCUM, _UCUM_UNITS[finding.unit], finding.unit)
            extensions.append({"url": _EXT_UNIT, "valueCoding": unit})
    if extensions:
        item = {"extension": extensions, **item}
    if finding.category == "measured":
        item["readOnly"] = True  # a measurement's (the video's), never a person's answer
    if finding.type == "multiple_choice":
        item["repeats"] = True
    if finding.choices:
        item["answerOption"] = [
            {"valueCoding": answer_coding(finding, choice.value)} for choice in finding.choices
        ]
    return item


_ITEM_TYPES = {
    "boolean": "boolean",
    "choice": "choice",
    "multiple_choice": "choice",
    "number": "decimal",
}
_EXT_MIN = "http://hl7.org/fhir/StructureDefinition/minValue"
_EXT_MAX = "http://hl7.org/fhir/StructureDefinition/maxValue"
_EXT_UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"


def code_systems(knowledge: KnowledgeBase) -> tuple[CodeSystem, ...]:
    """The local code systems of facespasm: causes, findings, answers and measures.

    The Bundle uses their codes; these are the definitions a clinic can load to read them.
    """
    from fhir.resources.R4B.codesystem import CodeSystem

    causes = [
        {"code": cause.id, "display": cause.name, "definition": cause.medical_name}
        for cause in knowledge.causes
    ]
    findings = [
        {"code": f.id, "display": f.label, "definition": f.question}
        for f in knowledge.findings.values()
    ]
    answers = [
        {"code": answer_code(f.id, choice.value), "display": choice.label}
        for f in knowledge.findings.values()
        for choice in f.choices
    ]
    measures = [
        {"code": code, "display": display, "definition": definition}
        for code, (display, definition) in MEASURES.items()
    ]
    systems = (
        ("cause", CAUSE_SYSTEM, "FacespasmCause", "Causes of facial twitching", causes),
        ("finding", FINDING_SYSTEM, "FacespasmFinding", "Findings facespasm asks about", findings),
        ("answer", ANSWER_SYSTEM, "FacespasmAnswer", "Answers to facespasm's questions", answers),
        ("measure", MEASURE_SYSTEM, "FacespasmMeasure", "facespasm measures", measures),
    )
    return tuple(
        CodeSystem.model_validate(
            {
                "resourceType": "CodeSystem",
                "id": id_,
                "text": narrative(f"{title} (knowledge version {knowledge.version})."),
                "url": url,
                "version": knowledge.version,
                "name": name,
                "title": title,
                "status": "active",
                "publisher": DEVICE_NAME,
                "content": "complete",
                "caseSensitive": True,
                "count": len(concepts),
                "concept": concepts,
            }
        )
        for id_, url, name, title, concepts in systems
    )


def narrative(text: str) -> dict[str, str]:
    """A generated narrative: one paragraph of escaped text."""
    return {
        "status": "generated",
        "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{escape(text)}</p></div>',
    }
