"""Checks of meaning that the schema alone cannot express, each failing with file and entry named.

The schema says a likelihood is a number; these checks say it is a probability, that a
distribution sums to one, that every cause has a likelihood, that every cited source exists, and
that the ⚑ contracts of DESIGN.md (cause ids, care levels) are all present.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from facespasm.errors import KnowledgeError
from facespasm.knowledge.schema import (
    Advice,
    CareLevel,
    CareRule,
    Cause,
    Condition,
    Finding,
    Treatment,
    VideoView,
)

CONTRACT_CAUSES = (
    "myokymia",
    "hemifacial_spasm",
    "blepharospasm",
    "synkinesis",
    "ms_related",
    "structural_lesion",
)
CONTRACT_CARE_LEVELS = ("self_care", "see_doctor", "see_doctor_soon", "emergency")

SECTION_FILES = {
    "sources": "sources.yaml",
    "causes": "causes.yaml",
    "findings": "findings.yaml",
    "levels": "care.yaml",
    "rules": "care.yaml",
    "advice": "advice.yaml",
    "treatments": "treatments.yaml",
}

_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
_SUM_TOLERANCE = 0.005


def check_knowledge(sections: dict[str, tuple[Any, ...]]) -> None:
    """Raise KnowledgeError for the first entry whose meaning is wrong."""
    for section, entries in sections.items():
        _check_ids(section, entries)
    source_ids = {source.id for source in sections["sources"]}
    causes: tuple[Cause, ...] = sections["causes"]
    cause_ids = tuple(cause.id for cause in causes)
    findings = {finding.id: finding for finding in sections["findings"]}
    _check_causes(causes, source_ids)
    for finding in findings.values():
        _cite(source_ids, "findings", finding.id, finding.sources)
        _check_finding(finding, cause_ids)
        _check_implies(finding, findings)
        if finding.ask_when is not None:
            _check_condition(finding.id, finding.ask_when, findings, cause_ids, "findings")
    for cause in causes:
        for required in cause.requires:
            if required not in findings:
                _fail("causes", cause.id, f"requires unknown finding '{required}'")
            elif findings[required].category == "measured":
                _fail("causes", cause.id, f"requires '{required}', which is never asked")
    _check_care(sections["levels"], sections["rules"], source_ids, findings, cause_ids)
    advice: Advice
    for advice in sections["advice"]:
        _cite(source_ids, "advice", advice.id, advice.sources)
        for factor in advice.factors:
            if findings.get(factor) is None or findings[factor].category != "lifestyle":
                _fail("advice", advice.id, f"'{factor}' is not a lifestyle finding")
    _check_treatments(sections["treatments"], source_ids, cause_ids)


def _check_causes(causes: tuple[Cause, ...], source_ids: set[str]) -> None:
    cause_ids = tuple(cause.id for cause in causes)
    missing = [cause for cause in CONTRACT_CAUSES if cause not in cause_ids]
    if missing:
        _fail("causes", cause_ids[0], f"the contract causes are missing: {', '.join(missing)}")
    for cause in causes:
        _cite(source_ids, "causes", cause.id, cause.sources)
        _cite(source_ids, "causes", cause.id, cause.prior.sources)
        if not 0 < cause.prior.probability < 1:
            _fail("causes", cause.id, "prior.probability must be between 0 and 1")
    total = math.fsum(cause.prior.probability for cause in causes)
    if abs(total - 1) > _SUM_TOLERANCE:
        _fail("causes", cause_ids[-1], f"priors add up to {total:.3f}, not 1")


def _check_care(
    levels: tuple[CareLevel, ...],
    rules: tuple[CareRule, ...],
    source_ids: set[str],
    findings: dict[str, Finding],
    cause_ids: tuple[str, ...],
) -> None:
    level_ids = tuple(level.id for level in levels)
    if level_ids != CONTRACT_CARE_LEVELS:
        _fail("levels", level_ids[0], f"care levels must be {', '.join(CONTRACT_CARE_LEVELS)}")
    for level in levels:
        _cite(source_ids, "levels", level.id, level.sources)
    for rule in rules:
        _cite(source_ids, "rules", rule.id, rule.sources)
        if rule.level not in level_ids:
            _fail("rules", rule.id, f"unknown care level '{rule.level}'")
        if rule.when.red_flag_open and "{findings}" not in rule.reason:
            _fail("rules", rule.id, "a red_flag_open rule's reason names them: '{findings}'")
        _check_condition(rule.id, rule.when, findings, cause_ids)
        measured = [f for f in _findings_of(rule.when) if findings[f].category == "measured"]
        if measured:  # a care rule's findings are asked before the interview ends
            _fail("rules", rule.id, f"'{measured[0]}' is measured, never asked: no rule uses it")


def _check_treatments(
    treatments: tuple[Treatment, ...], source_ids: set[str], cause_ids: tuple[str, ...]
) -> None:
    for treatment in treatments:
        _cite(source_ids, "treatments", treatment.id, treatment.sources)
        for figure in treatment.figures:
            _cite(source_ids, "treatments", treatment.id, figure.sources)
        if treatment.cause not in cause_ids:
            _fail("treatments", treatment.id, f"unknown cause '{treatment.cause}'")
    treated = {treatment.cause for treatment in treatments}
    for cause_id in cause_ids:
        if cause_id not in treated:
            _fail("causes", cause_id, "has no treatment in treatments.yaml")


def _fail(section: str, entry_id: str, message: str) -> None:
    raise KnowledgeError(f"{SECTION_FILES[section]}, entry '{entry_id}': {message}")


def _check_ids(section: str, entries: Iterable[Any]) -> None:
    seen: set[str] = set()
    for entry in entries:
        if not _ID.match(entry.id):
            _fail(section, entry.id, "ids are lower-case words joined by '_' (and '.')")
        if entry.id in seen:
            _fail(section, entry.id, "this id is used twice")
        seen.add(entry.id)


def _cite(source_ids: set[str], section: str, entry_id: str, cited: Iterable[str]) -> None:
    cited = tuple(cited)
    if not cited:
        _fail(section, entry_id, "cites no source")
    for source in cited:
        if source not in source_ids:
            _fail(section, entry_id, f"cites unknown source '{source}'")


def _check_finding(finding: Finding, cause_ids: tuple[str, ...]) -> None:
    def fail(message: str) -> None:
        _fail("findings", finding.id, message)

    if not finding.rationale.strip():
        fail("needs a rationale for its likelihoods")
    has_choices = finding.type in ("choice", "multiple_choice")
    if has_choices != bool(finding.choices):
        fail(f"a {finding.type} finding {'needs' if has_choices else 'takes no'} choices")
    if (finding.type == "number") != bool(finding.bins):
        fail(f"a {finding.type} finding {'needs' if finding.type == 'number' else 'takes no'} bins")
    if finding.type == "number":
        _check_number(finding, fail)
    if finding.video is not None:
        _check_video_view(finding, finding.video, fail)
    if finding.likelihood is None:
        return
    if set(finding.likelihood) != set(cause_ids):
        missing = sorted(set(cause_ids) - set(finding.likelihood))
        extra = sorted(set(finding.likelihood) - set(cause_ids))
        fail(f"likelihood must cover each cause once (missing {missing}, unknown {extra})")
    for cause, table in finding.likelihood.items():
        _check_likelihood(finding, cause, table, fail)


def _check_implies(finding: Finding, findings: dict[str, Finding]) -> None:
    for implied in finding.implies:
        other = findings.get(implied)
        if other is None:
            _fail("findings", finding.id, f"implies unknown finding '{implied}'")
        elif finding.type != "boolean" or other.type != "boolean":
            _fail("findings", finding.id, f"only yes/no findings imply others ('{implied}')")
        elif implied == finding.id or finding.id in other.implies:
            _fail("findings", finding.id, f"implies '{implied}' in a circle")


def _check_number(finding: Finding, fail: Any) -> None:
    if finding.minimum is None or finding.maximum is None or finding.minimum >= finding.maximum:
        fail("a number finding needs minimum < maximum")
    bounds = [b.below for b in finding.bins]
    if bounds[-1] is not None or None in bounds[:-1]:
        fail("every bin but the last needs 'below'; the last has none")
    inner = [b for b in bounds[:-1] if b is not None]
    if inner != sorted(set(inner)):
        fail("bin bounds must rise")


def _check_video_view(finding: Finding, view: VideoView, fail: Any) -> None:
    sensitivity = view.sensitivity
    if finding.type != "multiple_choice":
        fail("only a multiple-choice finding has a video view")
    if not view.rationale.strip():
        fail("video.sensitivity needs a rationale")
    unknown = sorted(set(sensitivity) - set(finding.choice_values))
    if unknown:
        fail(f"video.sensitivity names unknown choices {unknown}")
    if any(not 0 <= share <= 1 for share in sensitivity.values()):
        fail("video.sensitivity has a share outside [0, 1]")
    if all(sensitivity.get(value, 1.0) == 0 for value in finding.choice_values):
        fail("video.sensitivity leaves the video nothing to see")


def _check_likelihood(finding: Finding, cause: str, table: Any, fail: Any) -> None:
    where = f"likelihood.{cause}"
    if finding.type == "boolean":
        if not isinstance(table, float) or not 0 < table < 1:
            fail(f"{where} must be P(yes), a number between 0 and 1")
        return
    if finding.type == "number":
        if not isinstance(table, tuple) or len(table) != len(finding.bins):
            fail(f"{where} needs one probability per bin ({len(finding.bins)})")
        values = list(table)
    else:
        if not isinstance(table, dict) or set(table) != set(finding.choice_values):
            fail(f"{where} needs one probability per choice {list(finding.choice_values)}")
        values = list(table.values())
    if any(not 0 < value < 1 for value in values):
        fail(f"{where} has a probability outside (0, 1)")
    if finding.type != "multiple_choice" and abs(math.fsum(values) - 1) > _SUM_TOLERANCE:
        fail(f"{where} adds up to {math.fsum(values):.3f}, not 1")


def _check_condition(
    rule_id: str,
    condition: Condition,
    findings: dict[str, Finding],
    cause_ids: tuple[str, ...],
    section: str = "rules",
) -> None:
    def fail(message: str) -> None:
        _fail(section, rule_id, message)

    tests = _tests_of(condition)
    forms = [
        form
        for form, used in (
            ("finding", condition.finding is not None),
            ("cause", condition.cause is not None),
            ("red_flag_open", condition.red_flag_open is not None),
            ("any_of", condition.any_of is not None),
            ("all_of", condition.all_of is not None),
        )
        if used
    ]
    if len(forms) != 1:
        fail(
            "a condition tests one finding, one cause, red_flag_open, "
            "or combines others with any_of/all_of"
        )
    if condition.any_of is not None or condition.all_of is not None:
        if tests:
            fail("any_of/all_of take no test of their own")
        for part in (condition.any_of or ()) + (condition.all_of or ()):
            _check_condition(rule_id, part, findings, cause_ids, section)
        return
    if condition.red_flag_open is not None:
        if tests or condition.red_flag_open is not True:
            fail("red_flag_open takes no test and is only ever true")
        return
    if len(tests) != 1:
        fail("a condition needs exactly one test")
    ((test, value),) = tests.items()
    if condition.cause is not None:
        if condition.cause not in cause_ids:
            fail(f"unknown cause '{condition.cause}'")
        if not test.startswith("probability_") or not 0 < float(value) <= 1:
            fail("a cause condition needs probability_at_least or _below, between 0 and 1")
        return
    finding = findings.get(condition.finding or "")
    if finding is None:
        fail(f"unknown finding '{condition.finding}'")
        return
    _check_finding_test(finding, test, value, fail)


def _findings_of(condition: Condition) -> list[str]:
    """Every finding a condition tests, through any_of and all_of."""
    found = [condition.finding] if condition.finding is not None else []
    for part in (condition.any_of or ()) + (condition.all_of or ()):
        found += _findings_of(part)
    return found


def _tests_of(condition: Condition) -> dict[str, Any]:
    tests = {
        "equals": condition.equals,
        "above": condition.above,
        "below": condition.below,
        "includes": condition.includes,
        "count_at_least": condition.count_at_least,
        "probability_at_least": condition.probability_at_least,
        "probability_below": condition.probability_below,
    }
    return {name: value for name, value in tests.items() if value is not None}


_TESTS_FOR_TYPE = {
    "boolean": {"equals"},
    "choice": {"equals"},
    "number": {"above", "below"},
    "multiple_choice": {"includes", "count_at_least"},
}


def _check_finding_test(finding: Finding, test: str, value: Any, fail: Any) -> None:
    if test not in _TESTS_FOR_TYPE[finding.type]:
        fail(f"'{test}' cannot test the {finding.type} finding '{finding.id}'")
    if finding.type == "boolean" and not isinstance(value, bool):
        fail(f"'{finding.id}' is true or false")
    if test in ("equals", "includes") and finding.choices and value not in finding.choice_values:
        fail(f"'{value}' is not a choice of '{finding.id}'")
