"""From mentions to evidence: one value per finding, with the words that gave it.

A description often says one thing several times, or changes its mind. The rules:

- a red flag (knowledge base `red_flags`) is true as soon as one plain mention says so, even
  if another denies it ("no pain at first, but now it hurts"): over-refer, never under-refer.
  Mentioned only with a hedge -- "maybe a bit numb?", or a hedged denial -- it is a *hedged*
  item: present for the care level until the person says no, but a question for everything
  else (`uncertain`). A fear, a rumour ("worried it might be MS") or a guess of the statistical
  reader that is not confident is only asked. Only plain
  denials make it false;
- another yes/no finding takes its last mention, hedged or not (the hedge stays on the mention);
- regions are the union of the regions named; side is "both" when both are named, or left and
  right (`distinct_qualifiers`), else "one";
- numbers and other choices follow the lexicon's `combine` table (the longest duration, the
  first age, the most frequent frequency, only what is said without doubt), else the first
  mention.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from facespasm.knowledge import Finding, KnowledgeBase
from facespasm.language.lexicon import Lexicon
from facespasm.reasoning.evidence import Evidence, EvidenceItem, Origin, Value, parse_value

if TYPE_CHECKING:
    from facespasm.language.reader import Mention

_DEFAULT_RULE = {"choice": "last", "multiple_choice": "union", "number": "first"}


def combine(
    mentions: Sequence[Mention], text: str, lexicon: Lexicon, knowledge: KnowledgeBase
) -> Evidence:
    """The evidence the mentions give, in the knowledge base's order of findings."""
    groups: dict[str, list[Mention]] = {}
    for mention in mentions:
        groups.setdefault(mention.finding, []).append(mention)
    items: dict[str, EvidenceItem] = {}
    for finding_id, finding in knowledge.findings.items():
        group = groups.get(finding_id)
        if not group:
            continue
        chosen = _choose(finding, group, lexicon, knowledge)
        if chosen is None:
            continue
        value, used = chosen
        spans = tuple(dict.fromkeys((m.start, m.end) for m in used))
        detail = ", ".join(f'"{text[start:end]}"' for start, end in spans)
        hedged = (
            finding_id in knowledge.red_flags
            and value is True
            and not any(m.value is True and not m.hedged for m in used)
        )
        items[finding_id] = EvidenceItem(
            finding_id, value, Origin.TEXT, detail, spans, hedged=hedged
        )
    return Evidence(items)


def uncertain(mentions: Sequence[Mention], knowledge: KnowledgeBase) -> tuple[str, ...]:
    """Red flags mentioned only with a hedge (or hedged against a plain denial): to be asked."""
    found = []
    for finding_id in knowledge.red_flags:
        group = [m for m in mentions if m.finding == finding_id]
        plain_yes = any(m.value is True and not m.hedged for m in group)
        if group and not plain_yes and any(m.hedged for m in group):
            found.append(finding_id)
    return tuple(found)


Chosen = tuple[Value, list["Mention"]]


def _choose(
    finding: Finding, group: list[Mention], lexicon: Lexicon, knowledge: KnowledgeBase
) -> Chosen | None:
    if finding.type == "boolean":
        return _safety(group) if finding.id in knowledge.red_flags else _last(group)
    how = lexicon.combine.get(finding.id)
    rule = how.rule if how is not None else _DEFAULT_RULE[finding.type]
    if rule == "union":
        regions = {region for m in group if isinstance(m.value, tuple) for region in m.value}
        value = parse_value(knowledge, finding.id, sorted(regions))
        assert value is not None
        return value, group
    if rule == "highest":
        return _highest(finding, group, how.distinct_qualifiers if how is not None else None)
    if rule == "largest":
        return _same_as(max(group, key=lambda m: _number(m.value)).value, group)
    if rule == "plain":  # only what is said without doubt: "my neurologist says it's HFS"
        said = [m for m in group if not m.hedged]
        return _last(said) if said else None
    return _last(group) if rule == "last" else _same_as(group[0].value, group)


def _highest(finding: Finding, group: list[Mention], paired: str | None) -> Chosen:
    """The latest choice in the question's order ("both" over "one").

    Two different qualifiers ("left", "right") make `paired` when that is at least as high.
    """
    order = finding.choice_values
    best = max(group, key=lambda m: order.index(str(m.value))).value
    qualified = [m for m in group if m.qualifier is not None]
    if (
        paired is not None
        and len({m.qualifier for m in qualified}) > 1
        and order.index(paired) >= order.index(str(best))
    ):
        return paired, [m for m in group if m.value == paired] + qualified
    return _same_as(best, group)


def _last(group: list[Mention]) -> Chosen:
    return _same_as(group[-1].value, group)


def _safety(group: list[Mention]) -> Chosen | None:
    plain_yes = [m for m in group if m.value is True and not m.hedged]
    if plain_yes:
        return True, plain_yes
    hedged = [m for m in group if m.hedged and not m.ask_only and m.value is True]
    if hedged:
        return True, hedged  # counted until the person says no (see `uncertain`)
    if any(m.hedged for m in group):
        return None  # a fear, a rumour or a hedged denial: asked, not counted (`uncertain`)
    return False, group


def _same_as(value: Value, group: list[Mention]) -> Chosen:
    return value, [m for m in group if m.value == value]


def _number(value: Value) -> float:
    return value if isinstance(value, float) else 0.0
