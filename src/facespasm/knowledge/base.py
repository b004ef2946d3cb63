"""The loaded knowledge base: every entry of the YAML files, looked up by id.

What can be derived from the entries is derived here rather than written twice in YAML: the
treatments of a cause come from each treatment's `cause`; the red-flag questions the interview
asks first are the findings that a care rule can raise to `see_doctor_soon` or higher.
"""

from __future__ import annotations

from collections.abc import Iterator

from facespasm.knowledge.schema import (
    Advice,
    CareLevel,
    CareRule,
    Cause,
    Condition,
    Finding,
    Source,
    Treatment,
)

# ⚑ The care level from which a finding counts as a red flag (DESIGN.md: weakness, pain,
# hearing change, other neurological symptoms, head injury, MS, stroke signs).
RED_FLAG_FROM_LEVEL = "see_doctor_soon"


class KnowledgeBase:
    """Causes, findings, care rules, advice, treatments and sources, validated and cross-checked."""

    def __init__(
        self,
        *,
        sources: tuple[Source, ...],
        causes: tuple[Cause, ...],
        findings: tuple[Finding, ...],
        care_levels: tuple[CareLevel, ...],
        care_rules: tuple[CareRule, ...],
        advice: tuple[Advice, ...],
        treatments: tuple[Treatment, ...],
        version: str,
    ) -> None:
        self.sources = {source.id: source for source in sources}
        self.causes = causes
        self.cause_ids = tuple(cause.id for cause in causes)  # in the order the YAML lists them
        self.findings = {finding.id: finding for finding in findings}
        self.care_levels = care_levels
        self.care_rules = care_rules
        self.advice = advice
        self.treatments = treatments
        self.version = version
        self._causes = {cause.id: cause for cause in causes}
        self._levels = {level.id: rank for rank, level in enumerate(care_levels)}
        self.rule_findings = {rule.id: frozenset(findings_in(rule.when)) for rule in care_rules}
        self.red_flag_rank = self.level_rank(RED_FLAG_FROM_LEVEL)
        self.red_flags = self._findings_raising_care_to(self.red_flag_rank)
        self.safety_findings = self._findings_raising_care_to(0)
        # (A, B) for every "A implies B" of findings.yaml, and who implies each B.
        self.implications = tuple((f.id, b) for f in findings for b in f.implies)
        implied_by: dict[str, tuple[str, ...]] = {}
        for a, b in self.implications:
            implied_by[b] = (*implied_by.get(b, ()), a)
        self.implied_by = implied_by

    def cause(self, cause_id: str) -> Cause:
        """The cause with this id (KeyError if there is none)."""
        return self._causes[cause_id]

    def care_level(self, level_id: str) -> CareLevel:
        """The care level with this id (KeyError if there is none)."""
        return self.care_levels[self._levels[level_id]]

    def level_rank(self, level_id: str) -> int:
        """0 for the lowest care level, rising with urgency (KeyError for an unknown level)."""
        return self._levels[level_id]

    def treatments_for(self, cause_id: str) -> tuple[Treatment, ...]:
        """The treatments of one cause, in the order the treatments file lists them."""
        return tuple(treatment for treatment in self.treatments if treatment.cause == cause_id)

    def _findings_raising_care_to(self, min_rank: int) -> tuple[str, ...]:
        """Findings a care rule at `min_rank` or above tests, most urgent rule first."""
        rules = sorted(self.care_rules, key=lambda rule: -self.level_rank(rule.level))
        found: dict[str, None] = {}
        for rule in rules:
            if self.level_rank(rule.level) >= min_rank:
                found.update(dict.fromkeys(findings_in(rule.when)))
        return tuple(found)


def findings_in(condition: Condition) -> Iterator[str]:
    """Every finding id a condition tests, in the order written."""
    if condition.finding is not None:
        yield condition.finding
    for part in (condition.any_of or ()) + (condition.all_of or ()):
        yield from findings_in(part)
