"""What answers entail: a "yes" that implies another "yes", and a "no" that rules a finding out.

Some findings are ways of saying another (`implies` in findings.yaml): a twitch that "began at
the eye and spread to the cheek" is a twitch that is "getting worse"; eyelids that "squeeze shut"
close the eye completely. Two consequences, both needed for the ⚑ rule that the person's own
answers outrank text, which outranks video:

- A "no" rules out what implies it. A person who answers that it is *not* getting worse has also
  said it has not spread, whatever a video measured; the spread is dropped, so no care rule and no
  reason can rest on it. The more authoritative origin (`Origin`) wins a contradiction; between
  equals nothing is changed, and both stay for a clinician to see.
- The differential counts each piece of information once. When A implies B and A is known, B
  adds nothing (P(B | A, cause) = 1), so B's likelihood is left out; likewise A's when B is "no".
  This is the principled fix for naive Bayes double-counting correlated findings.

A "yes" also fills in what it implies when that is unknown (so it is not asked), marked
`implied_by`.
"""

from __future__ import annotations

from facespasm.knowledge import KnowledgeBase
from facespasm.reasoning.evidence import Evidence, EvidenceItem, outranks


def entailed(evidence: Evidence, knowledge: KnowledgeBase) -> Evidence:
    """The evidence with contradictions settled by origin and implied answers filled in."""
    pairs = knowledge.implications
    if not any(a in evidence or b in evidence for a, b in pairs):
        return evidence
    items = dict(evidence.items)
    for _ in range(len(pairs)):  # enough passes for any chain of implications
        changed = False
        for a, b in pairs:
            settled = _settle(knowledge, items.get(a), items.get(b), a, b)
            for item in settled:
                if items.get(item.finding) != item:
                    items[item.finding] = item
                    changed = True
        if not changed:
            break
    return Evidence(items)


def _settle(
    knowledge: KnowledgeBase,
    item_a: EvidenceItem | None,
    item_b: EvidenceItem | None,
    a: str,
    b: str,
) -> tuple[EvidenceItem, ...]:
    """What A implies B makes of the two items: the ones to change."""
    if _sure(item_b, False):
        assert item_b is not None
        if item_a is None or item_a.hedged or (item_a.value is True and _outranks(item_b, item_a)):
            detail = f"follows from: not {knowledge.findings[b].label}"
            return (EvidenceItem(a, False, item_b.origin, detail, implied_by=b),)
        if item_a.value is True and _outranks(item_a, item_b):
            return (_implied(knowledge, item_a, b),)
        return ()
    if _sure(item_a, True) and (item_b is None or item_b.hedged):
        assert item_a is not None
        return (_implied(knowledge, item_a, b),)
    return ()


def weighed_items(evidence: Evidence, knowledge: KnowledgeBase) -> list[EvidenceItem]:
    """The items the differential weighs: sure, with a likelihood, and not entailed by another.

    A "yes" implied by another "yes" that has its own likelihood adds no information; nor does
    a "no" entailed by another "no" (A implies B, so "not B" already says "not A").
    """
    findings = knowledge.findings
    weighed = []
    for item in evidence:
        if item.hedged or findings[item.finding].likelihood is None:
            continue
        if item.value is True:
            sources = knowledge.implied_by.get(item.finding, ())
            if item.implied_by is not None:
                sources = (item.implied_by,)
            if any(_weighs(evidence, knowledge, s, True) for s in sources):
                continue
        elif item.value is False:
            implied = findings[item.finding].implies
            if any(_weighs(evidence, knowledge, b, False) for b in implied):
                continue
        weighed.append(item)
    return weighed


def _weighs(evidence: Evidence, knowledge: KnowledgeBase, finding_id: str, value: bool) -> bool:
    """Whether this finding is known for sure with this value and has its own likelihood."""
    item = evidence.items.get(finding_id)
    return (
        _sure(item, value)
        and item is not None
        and item.implied_by is None
        and knowledge.findings[finding_id].likelihood is not None
    )


def _sure(item: EvidenceItem | None, value: bool) -> bool:
    return item is not None and not item.hedged and item.value is value


def _outranks(first: EvidenceItem, second: EvidenceItem) -> bool:
    return outranks(first.origin, second.origin)


def _implied(knowledge: KnowledgeBase, source: EvidenceItem, finding_id: str) -> EvidenceItem:
    detail = f"follows from: {knowledge.findings[source.finding].label}"
    return EvidenceItem(finding_id, True, source.origin, detail, implied_by=source.finding)
