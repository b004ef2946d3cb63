"""Kept assessments: the headline stored with each, and what changed since an earlier one.

An assessment is kept only when the person asks (`assess --save`, `POST /api/v1/diary/
assessments`), whole (its ⚑ JSON) and with a headline to list it by: the care level, whether
every safety question was answered (`triage.complete`), and the most likely cause.

`compare` says what changed between two kept assessments, in the person's terms ("since 12 March
2026: began at the eye and spread to cheek or mouth; care level up (See a doctor → See a doctor
soon)"), from their evidence and headlines:

- **Findings**: a yes/no finding that is now yes and was not (no, or not asked) is new; one that
  was yes and is now no is gone (one not asked this time says nothing). For several-choice
  findings (where it twitches) the choices added and dropped, where both times answered it; a
  one-choice finding (one side, both sides) that changed. Numbers (age, how long) change with
  time itself and are left out, and so is a finding that only follows from another ("getting
  worse" from "spread to the mouth"): the one it follows from is said. New red flags come
  first, then the rest in the knowledge base's order.
- **Care level** up or down, in the knowledge base's order of levels.
- **The most likely cause**, when it is another one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from facespasm.diary.records import CARE_LEVELS, CareLevel, SavedAssessment
from facespasm.diary.wording import long_date
from facespasm.errors import InputError
from facespasm.knowledge import KnowledgeBase, load_knowledge

Direction = Literal["up", "down", "same"]
FindingChangeKind = Literal["new", "gone", "changed"]


def headline_of(
    result: Mapping[str, Any], *, assessed_at: dt.datetime, local_date: dt.date, timezone: str
) -> SavedAssessment:
    """The headline of an assessment, to keep beside it.

    Args:
        result: The ⚑ assessment JSON (`Assessment.to_dict()`).
        assessed_at: When it was made (aware, UTC).
        local_date: The person's calendar day then.
        timezone: The person's IANA time zone.

    Returns:
        The headline (not stored: no `id`, no `result_id`).

    Raises:
        InputError: The JSON is not an assessment (no triage with a care level).
    """
    level = _level(result)
    if level is None:
        raise InputError("not an assessment: it has no triage with a care level")
    triage = result["triage"]
    cause, probability = _top(result)
    return SavedAssessment(
        assessed_at=assessed_at,
        local_date=local_date,
        timezone=timezone,
        care_level=level,
        complete=triage.get("complete") is True,
        top_cause=cause,
        top_probability=probability,
    )


@dataclass(frozen=True, slots=True)
class FindingChange:
    """One finding that changed between two assessments.

    Attributes:
        finding: The finding's id.
        change: "new" (now yes), "gone" (was yes, now no) or "changed" (choices added, dropped or
            changed).
        before: Its earlier value (None: not asked).
        after: Its value now.
        text: The change in words.
    """

    finding: str
    change: FindingChangeKind
    before: Any
    after: Any
    text: str


@dataclass(frozen=True, slots=True)
class AssessmentChanges:
    """What changed from an earlier assessment to a later one.

    Attributes:
        since: The earlier assessment's date (None: not known).
        findings: The findings that changed, new red flags first.
        care_before: The earlier care level.
        care_after: The later care level.
        care: Whether the level went up, down or stayed.
        cause_before: The earlier most likely cause (an id).
        cause_after: The later most likely cause.
        texts: Each change in words: the findings, then the care level, then the cause.
    """

    since: dt.date | None
    findings: tuple[FindingChange, ...]
    care_before: CareLevel
    care_after: CareLevel
    care: Direction
    cause_before: str | None
    cause_after: str | None
    texts: tuple[str, ...]

    @property
    def summary(self) -> str:
        """One sentence: "Since 12 March 2026: ...; care level up (...)."."""
        opening = f"Since {long_date(self.since)}" if self.since is not None else "Since then"
        if not self.texts:
            return (
                f"{opening}: nothing changed in the answers, the care level or the most likely "
                "cause."
            )
        return f"{opening}: {'; '.join(self.texts)}."

    def to_dict(self) -> dict[str, Any]:
        """The JSON of the comparison (`diary assessments --compare ID --json`, the API)."""
        return {
            "since": self.since.isoformat() if self.since is not None else None,
            "care_level": {
                "before": self.care_before,
                "after": self.care_after,
                "change": self.care,
            },
            "top_cause": {
                "before": self.cause_before,
                "after": self.cause_after,
                "changed": self.cause_before != self.cause_after,
            },
            "findings": [
                {
                    "finding": f.finding,
                    "change": f.change,
                    "before": f.before,
                    "after": f.after,
                    "text": f.text,
                }
                for f in self.findings
            ],
            "texts": list(self.texts),
            "summary": self.summary,
        }


def compare(
    earlier: Mapping[str, Any],
    later: Mapping[str, Any],
    *,
    since: dt.date | None = None,
    knowledge: KnowledgeBase | None = None,
) -> AssessmentChanges:
    """What changed from an earlier assessment to a later one.

    Args:
        earlier: The earlier ⚑ assessment JSON.
        later: The later one.
        since: The earlier one's date, for the summary.
        knowledge: The knowledge base (labels, red flags, order of care levels); the packaged
            one by default.

    Returns:
        The changes.

    Raises:
        InputError: Either JSON is not an assessment.
    """
    knowledge = knowledge or load_knowledge()
    before_level, after_level = _level(earlier), _level(later)
    if before_level is None or after_level is None:
        raise InputError("not an assessment: it has no triage with a care level")
    findings = _finding_changes(_values(earlier), _values(later), _implied(later), knowledge)
    rank = {level.id: n for n, level in enumerate(knowledge.care_levels)}
    step = rank.get(after_level, 0) - rank.get(before_level, 0)
    care: Direction = "up" if step > 0 else "down" if step < 0 else "same"
    cause_before, cause_after = _top(earlier)[0], _top(later)[0]
    texts = [change.text for change in findings]
    if care != "same":
        texts.append(
            f"care level {care} ({_level_label(knowledge, before_level)} → "
            f"{_level_label(knowledge, after_level)})"
        )
    if cause_before != cause_after and cause_after is not None:
        texts.append(f"most likely cause now: {_cause_name(knowledge, cause_after)}")
    return AssessmentChanges(
        since=since,
        findings=findings,
        care_before=before_level,
        care_after=after_level,
        care=care,
        cause_before=cause_before,
        cause_after=cause_after,
        texts=tuple(texts),
    )


def _finding_changes(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    implied: set[str],
    knowledge: KnowledgeBase,
) -> tuple[FindingChange, ...]:
    changes: list[tuple[tuple[bool, int], FindingChange]] = []
    for order, (finding_id, finding) in enumerate(knowledge.findings.items()):
        if finding_id in implied:
            continue
        old, new = before.get(finding_id), after.get(finding_id)
        change: FindingChange | None = None
        if finding.type == "boolean":
            if new is True and old is not True:
                change = FindingChange(finding_id, "new", old, new, f"new: {finding.label}")
            elif old is True and new is False:
                change = FindingChange(finding_id, "gone", old, new, f"no longer: {finding.label}")
        elif finding.type == "multiple_choice" and isinstance(old, list) and isinstance(new, list):
            labels = {choice.value: choice.label.lower() for choice in finding.choices}
            added = [labels.get(v, str(v)) for v in new if v not in old]
            dropped = [labels.get(v, str(v)) for v in old if v not in new]
            parts = [f"now also {' and '.join(added)}"] if added else []
            parts += [f"no longer {' and '.join(dropped)}"] if dropped else []
            if parts:
                text = f"{finding.label}: {'; '.join(parts)}"
                change = FindingChange(finding_id, "changed", old, new, text)
        elif finding.type == "choice" and old is not None and new is not None and old != new:
            labels = {choice.value: choice.label.lower() for choice in finding.choices}
            text = f"{finding.label}: {labels.get(old, old)} → {labels.get(new, new)}"
            change = FindingChange(finding_id, "changed", old, new, text)
        if change is not None:
            red_flag_first = not (change.change == "new" and finding_id in knowledge.red_flags)
            changes.append(((red_flag_first, order), change))
    return tuple(change for _, change in sorted(changes, key=lambda pair: pair[0]))


def _values(result: Mapping[str, Any]) -> dict[str, Any]:
    evidence = result.get("evidence")
    if not isinstance(evidence, Mapping):
        return {}
    return {
        finding: item.get("value")
        for finding, item in evidence.items()
        if isinstance(item, Mapping)
    }


def _implied(result: Mapping[str, Any]) -> set[str]:
    # Findings the assessment derived from another answer (`implied_by` in its evidence).
    evidence = result.get("evidence")
    if not isinstance(evidence, Mapping):
        return set()
    return {
        finding
        for finding, item in evidence.items()
        if isinstance(item, Mapping) and item.get("implied_by")
    }


def _level(result: Mapping[str, Any]) -> CareLevel | None:
    triage = result.get("triage") if isinstance(result, Mapping) else None
    level = triage.get("level") if isinstance(triage, Mapping) else None
    return next((known for known in CARE_LEVELS if known == level), None)


def _top(result: Mapping[str, Any]) -> tuple[str | None, float | None]:
    conditions = result.get("conditions")
    top = conditions[0] if isinstance(conditions, list) and conditions else None
    if not isinstance(top, Mapping) or not isinstance(top.get("id"), str):
        return None, None
    probability = top.get("probability")
    if isinstance(probability, bool) or not isinstance(probability, int | float):
        return top["id"], None
    return top["id"], float(probability) if 0 <= probability <= 1 else None


def _level_label(knowledge: KnowledgeBase, level: str) -> str:
    try:
        return knowledge.care_level(level).label
    except KeyError:
        return level


def _cause_name(knowledge: KnowledgeBase, cause: str) -> str:
    try:
        return knowledge.cause(cause).name
    except KeyError:
        return cause
