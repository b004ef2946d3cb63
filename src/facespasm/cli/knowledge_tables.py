"""Rich tables of the knowledge base, one per section, for `facespasm knowledge`."""

from __future__ import annotations

from collections.abc import Callable

from rich import box
from rich.table import Table

from facespasm.knowledge import KnowledgeBase


def causes_table(knowledge: KnowledgeBase) -> Table:
    """Causes with tier, prior and codes."""
    table = Table(title="Causes", box=box.SIMPLE_HEAD, title_justify="left")
    for column in ("id", "name", "tier", "prior", "ICD-10", "HPO"):
        table.add_column(column)
    for cause in knowledge.causes:
        table.add_row(
            cause.id,
            cause.name,
            cause.tier.replace("_", " "),
            f"{cause.prior.probability:.1%}",
            cause.codes.icd10 or "—",
            cause.codes.hpo or "—",
        )
    return table


def findings_table(knowledge: KnowledgeBase) -> Table:
    """Findings: the ids an answers file uses, their values, and the question asked."""
    table = Table(title="Findings (answer ids)", box=box.SIMPLE_HEAD, title_justify="left")
    for column in ("id", "value", "question"):
        table.add_column(column)
    for finding in knowledge.findings.values():
        if finding.type == "boolean":
            value = "true / false"
        elif finding.type == "number":
            value = f"{finding.minimum:g}–{finding.maximum:g} {finding.unit}"
        else:
            listed = " / ".join(finding.choice_values)
            value = f"list of {listed}" if finding.type == "multiple_choice" else listed
        flag = " (red flag)" if finding.id in knowledge.red_flags else ""
        table.add_row(finding.id, value, finding.question + flag)
    return table


def rules_table(knowledge: KnowledgeBase) -> Table:
    """Care rules with the level each sets and its reason."""
    table = Table(title="Care rules", box=box.SIMPLE_HEAD, title_justify="left")
    for column in ("rule", "level", "reason"):
        table.add_column(column)
    for rule in knowledge.care_rules:
        table.add_row(rule.id, knowledge.care_level(rule.level).label, rule.reason)
    return table


def sources_table(knowledge: KnowledgeBase) -> Table:
    """Every source with its citation."""
    table = Table(title="Sources", box=box.SIMPLE_HEAD, title_justify="left")
    for column in ("id", "kind", "citation"):
        table.add_column(column)
    for source in knowledge.sources.values():
        table.add_row(source.id, source.kind.replace("_", " "), source.citation)
    return table


TABLES: dict[str, Callable[[KnowledgeBase], Table]] = {
    "causes": causes_table,
    "findings": findings_table,
    "rules": rules_table,
    "sources": sources_table,
}
