"""Hypothesis strategies that draw valid evidence from the knowledge base's own vocabulary."""

from __future__ import annotations

from hypothesis import strategies as st

from facespasm.knowledge import Finding, KnowledgeBase, load_knowledge
from facespasm.reasoning import Evidence


def values(finding: Finding) -> st.SearchStrategy[object]:
    """Every valid answer to one finding (including boundary numbers)."""
    if finding.type == "boolean":
        return st.booleans()
    if finding.type == "choice":
        return st.sampled_from(finding.choice_values)
    if finding.type == "multiple_choice":
        return st.lists(st.sampled_from(finding.choice_values), min_size=1, unique=True)
    assert finding.minimum is not None and finding.maximum is not None
    return st.floats(finding.minimum, finding.maximum, allow_nan=False)


def answers(knowledge: KnowledgeBase | None = None) -> st.SearchStrategy[dict[str, object]]:
    """A ⚑ answers object with any subset of findings answered."""
    knowledge = knowledge or load_knowledge()
    return st.fixed_dictionaries(
        {}, optional={finding.id: values(finding) for finding in knowledge.findings.values()}
    )


def evidence() -> st.SearchStrategy[Evidence]:
    """Evidence built from a random answers object."""
    return answers().map(Evidence.from_answers)


def finding_ids() -> st.SearchStrategy[str]:
    return st.sampled_from(list(load_knowledge().findings))
