"""FHIR R4B checks beyond `fhir.resources`, which checks structure only (types, cardinality).

Two kinds, both over the Bundle's JSON:

- **FHIR's own invariants**, evaluated with fhirpathpy: every constraint the R4B core
  StructureDefinitions declare for the resource types the Bundle holds (bdl-*, dom-*, obs-6,
  obs-7, ras-1, ras-2, que-*, qrs-1, cmp-1, cmp-2, con-*, ...) and for the data types it uses
  (qty-3, att-1, per-1, rng-2, ext-1). The expressions are read from HL7's own package,
  hl7.fhir.r4b.core 4.3.0 (CC0), which `make test` installs from the npm registry into
  `.venv/fhir/` (`make fhir-package`; `$FACESPASM_FHIR_CORE` names another copy of the .tgz):
  a dependency, not a copy kept here. Not evaluated (`SKIPPED`): ele-1 (every
  element has a value or children -- fhir.resources already refuses empty elements), txt-1 and
  txt-2 (`htmlChecks()` is not in fhirpathpy; the narratives are generated from escaped text),
  ref-1 (about contained resources, of which the Bundle has none -- dom-3 would catch one) and
  dom-r4b (about contained resources of R4B's new types).
- **Rules the official validator checks in code, not FHIRPath**: every reference resolves to a
  `fullUrl` in the Bundle; a document's entries are all reachable from its Composition; a
  QuestionnaireResponse matches its Questionnaire (linkIds, answer types, choices, item text).

The official HL7 validator (Java) is not run: its jar comes only from Maven Central or GitHub,
which this machine cannot reach (see the report's README lines).
"""

from __future__ import annotations

import functools
import json
import os
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fhirpathpy import evaluate
from fhirpathpy.models import models

_TRACE = re.compile(r"\.trace\('[^']*'(, [^()]*)?\)")
CORE_PACKAGE = Path(
    os.environ.get("FACESPASM_FHIR_CORE")
    or Path(__file__).parents[2] / ".venv" / "fhir" / "hl7.fhir.r4b.core-4.3.0.tgz"
)
RESOURCE_TYPES = (
    "Bundle",
    "CodeSystem",
    "Composition",
    "Condition",
    "Device",
    "DiagnosticReport",
    "MedicationAdministration",
    "Observation",
    "Patient",
    "Procedure",
    "Questionnaire",
    "QuestionnaireResponse",
    "RiskAssessment",
)
DATA_TYPES = ("Attachment", "Extension", "Period", "Quantity", "Range", "Ratio")
SKIPPED = {
    "ele-1": "fhir.resources refuses empty elements",
    "txt-1": "htmlChecks() is not in fhirpathpy; narratives are generated from escaped text",
    "txt-2": "htmlChecks() is not in fhirpathpy; narratives are generated from escaped text",
    "ref-1": "about contained resources; the Bundle has none (dom-3)",
    "dom-r4b": "about contained resources; the Bundle has none (dom-3)",
}
# R4 is the nearest model fhirpathpy ships; the types these expressions test (Quantity,
# Composition, MessageHeader, decimal) are the same in R4B.
MODEL = models["r4"]
ENVIRONMENT = {"ucum": "http://unitsofmeasure.org"}


@dataclass(frozen=True)
class Invariant:
    """One constraint of a StructureDefinition."""

    key: str
    severity: str
    path: str
    human: str
    expression: str


@dataclass(frozen=True)
class Problem:
    """An invariant or rule that does not hold, and where."""

    key: str
    severity: str
    where: str
    message: str


@functools.cache
def load_invariants() -> dict[str, tuple[Invariant, ...]]:
    """FHIR's invariants of the types the Bundle uses, by resource or data type."""
    if not CORE_PACKAGE.is_file():
        raise FileNotFoundError(
            f"{CORE_PACKAGE} is missing: `make fhir-package` installs HL7's R4B core package"
        )
    raw = extract_invariants(CORE_PACKAGE)
    return {
        type_: tuple(Invariant(**entry) for entry in entries)
        for type_, entries in raw["invariants"].items()
    }


def invariant_problems(bundle: dict[str, Any]) -> tuple[list[Problem], set[str]]:
    """Every invariant of the Bundle and its resources that fails, and the keys evaluated."""
    invariants = load_invariants()
    problems: list[Problem] = []
    evaluated: set[str] = set()
    resources = [("Bundle", bundle)] + [
        (f"entry[{n}] {entry['resource']['resourceType']}", entry["resource"])
        for n, entry in enumerate(bundle.get("entry", []))
        if "resource" in entry
    ]
    for where, resource in resources:
        type_ = resource["resourceType"]
        environment = {**ENVIRONMENT, "resource": resource, "rootResource": resource}
        checks = [(inv, _at_path(inv)) for inv in invariants.get(type_, ())]
        checks += [
            (inv, f"descendants().ofType({data_type}).all({inv.expression})")
            for data_type in DATA_TYPES
            for inv in invariants.get(data_type, ())
            if inv.path == data_type
        ]
        for invariant, written in checks:
            if invariant.key in SKIPPED:
                continue
            # fhirpathpy lacks hasValue(); on JSON without primitive extensions (the Bundle has
            # none) it means exists(). trace() only prints.
            expression = _TRACE.sub("", written.replace(".hasValue()", ".exists()"))
            result = evaluate(resource, expression, environment, MODEL)
            evaluated.add(invariant.key)
            if result != [True]:
                problems.append(Problem(invariant.key, invariant.severity, where, invariant.human))
    return problems, evaluated


def _at_path(invariant: Invariant) -> str:
    """The invariant as one expression on the resource: true when it holds at every node."""
    path = invariant.path.replace("[x]", "")
    if "." not in path:
        return invariant.expression
    return f"{path}.all({invariant.expression})"


def references(node: object) -> Iterator[str]:
    """Every `reference` string anywhere in a JSON tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def unresolved_references(bundle: dict[str, Any]) -> list[str]:
    """References that name no entry's `fullUrl` (every reference must resolve inside)."""
    full_urls = {entry.get("fullUrl") for entry in bundle.get("entry", [])}
    return [ref for ref in references(bundle) if ref not in full_urls]


def unreachable_entries(bundle: dict[str, Any]) -> list[str]:
    """Entries of a document that cannot be reached from its Composition by references.

    The validator's rule for documents; the canonical from a QuestionnaireResponse to its
    Questionnaire counts as a link.
    """
    entries = bundle.get("entry", [])
    by_url = {entry["fullUrl"]: entry["resource"] for entry in entries}
    by_canonical = {
        f"{r['url']}|{r['version']}": url
        for url, r in by_url.items()
        if "url" in r and "version" in r
    }
    first = entries[0]["fullUrl"]
    seen = {first}
    todo = [first]
    while todo:
        resource = by_url[todo.pop()]
        links = list(references(resource))
        if resource.get("questionnaire") in by_canonical:
            links.append(by_canonical[resource["questionnaire"]])
        for link in links:
            if link in by_url and link not in seen:
                seen.add(link)
                todo.append(link)
    return [url for url in by_url if url not in seen]


def questionnaire_response_problems(
    response: dict[str, Any], questionnaire: dict[str, Any]
) -> list[str]:
    """Where a QuestionnaireResponse does not fit its Questionnaire (as the validator checks)."""
    problems = []
    canonical = f"{questionnaire['url']}|{questionnaire['version']}"
    if response.get("questionnaire") != canonical:
        problems.append(f"questionnaire is {response.get('questionnaire')!r}, not {canonical!r}")
    items = {item["linkId"]: item for item in questionnaire.get("item", [])}
    order = list(items)
    last = -1
    for answered in response.get("item", []):
        link = answered["linkId"]
        item = items.get(link)
        if item is None:
            problems.append(f"{link}: no such item in the Questionnaire")
            continue
        if order.index(link) <= last:
            problems.append(f"{link}: out of the Questionnaire's order")
        last = order.index(link)
        if answered.get("text") not in (None, item.get("text")):
            problems.append(f"{link}: text differs from the Questionnaire's")
        answers = answered.get("answer", [])
        if not answers:
            problems.append(f"{link}: an item with no answer")
        if len(answers) > 1 and not item.get("repeats"):
            problems.append(f"{link}: several answers to a question that does not repeat")
        options = [o["valueCoding"] for o in item.get("answerOption", [])]
        for answer in answers:
            kind = _ANSWER_KEYS[item["type"]]
            if set(answer) != {kind}:
                problems.append(f"{link}: answer {answer} is not a {kind}")
            elif kind == "valueCoding" and not any(
                answer[kind]["system"] == o["system"] and answer[kind]["code"] == o["code"]
                for o in options
            ):
                problems.append(f"{link}: {answer[kind]['code']} is not one of its options")
    return problems


_ANSWER_KEYS = {
    "boolean": "valueBoolean",
    "decimal": "valueDecimal",
    "integer": "valueInteger",
    "choice": "valueCoding",
    "string": "valueString",
}


def extract_invariants(package: Path) -> dict[str, Any]:
    """The constraints of `RESOURCE_TYPES` and `DATA_TYPES` from the core package's .tgz."""
    with tarfile.open(package) as archive:

        def read(name: str) -> Any:
            member = archive.extractfile(f"package/{name}")
            assert member is not None, name
            return json.loads(member.read().decode("utf-8"))

        manifest = read("package.json")
        definitions = {
            type_: read(f"StructureDefinition-{type_}.json")
            for type_ in RESOURCE_TYPES + DATA_TYPES
        }
    found: dict[str, list[dict[str, str]]] = {}
    for type_ in RESOURCE_TYPES + DATA_TYPES:
        definition = definitions[type_]
        entries = found.setdefault(type_, [])
        for element in definition["snapshot"]["element"]:
            if type_ in DATA_TYPES and element["path"] != type_:
                continue  # a data type's own constraints; its children are typed elsewhere
            for constraint in element.get("constraint", []):
                key = constraint["key"]
                if "expression" not in constraint or key in SKIPPED:
                    continue
                if key == "ext-1" and type_ != "Extension":
                    continue  # evaluated once, on every Extension (DATA_TYPES)
                entries.append(
                    {
                        "key": key,
                        "severity": constraint["severity"],
                        "path": element["path"],
                        "human": constraint["human"],
                        "expression": constraint["expression"],
                    }
                )
    return {
        "source": f"{manifest['name']} {manifest['version']} ({manifest['license']})",
        "invariants": found,
    }
