"""How well the reader reads: precision and recall against a corpus of labelled descriptions.

The lexicon is reviewed like a document, and a change to it is judged by what it does to this
score (tests/language/corpus.yaml; bench/RESULTS.md). Evidence is compared fact by fact: a
boolean or choice is one fact, each region is one fact, and a number counts by the bin of the
knowledge base it falls in ("three weeks" and "22 days" are the same fact for every cause).

Red flags are scored for safety separately: a red flag the description states (or hedges) must
come back as yes or as a question to ask -- never as no, never dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from facespasm.errors import InputError
from facespasm.knowledge import KnowledgeBase, load_knowledge
from facespasm.language.reader import Reading, read
from facespasm.reasoning import Evidence, Value
from facespasm.reasoning.evidence import parse_value
from facespasm.reasoning.interview import Interview
from facespasm.reasoning.likelihood import bin_index

# The corpus's descriptions were written with relative dates ("since Monday") counted from here.
CORPUS_TODAY = dt.date(2026, 11, 24)

Fact = tuple[str, Hashable]


@dataclass(frozen=True)
class Labelled:
    """One description and the evidence a careful reader takes from it."""

    id: str
    text: str
    expect: Evidence
    uncertain: tuple[str, ...]
    tags: tuple[str, ...] = ()


@dataclass
class Tally:
    """Facts found (true positives), wrongly found (false positives) and missed."""

    found: int = 0
    wrong: int = 0
    missed: int = 0

    @property
    def precision(self) -> float:
        """Of the facts read, the share that were right (1.0 when none were read)."""
        read_ = self.found + self.wrong
        return self.found / read_ if read_ else 1.0

    @property
    def recall(self) -> float:
        """Of the facts stated, the share that were read (1.0 when none were stated)."""
        stated = self.found + self.missed
        return self.found / stated if stated else 1.0


@dataclass
class Score:
    """The reader's score on a corpus, per finding and overall, with its safety record."""

    per_finding: dict[str, Tally] = field(default_factory=dict)
    red_flags_stated: int = 0
    red_flags_kept: int = 0
    exact: int = 0
    descriptions: int = 0
    # (description id, finding, what was expected, what was read) for every miss and mistake
    errors: list[tuple[str, str, object, object]] = field(default_factory=list)

    @property
    def overall(self) -> Tally:
        """All findings together."""
        total = Tally()
        for tally in self.per_finding.values():
            total.found += tally.found
            total.wrong += tally.wrong
            total.missed += tally.missed
        return total

    @property
    def red_flag_recall(self) -> float:
        """Red flags stated or hedged that came back as yes or as a question (must be 1.0)."""
        return self.red_flags_kept / self.red_flags_stated if self.red_flags_stated else 1.0


def load_corpus(path: Path, knowledge: KnowledgeBase | None = None) -> list[Labelled]:
    """The labelled descriptions of a corpus file, their evidence checked like answers.

    Raises:
        InputError: the file is not a list of entries with `id`, `text` and `expect`, or an
            expected value does not fit its finding.
    """
    knowledge = knowledge or load_knowledge()
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise InputError(f"{path.name}: expected a list of descriptions")
    corpus = []
    for entry in entries:
        try:
            expect = Evidence.from_answers(entry.get("expect") or {}, knowledge=knowledge)
            uncertain = tuple(entry.get("uncertain") or ())
            for finding_id in uncertain:
                parse_value(knowledge, finding_id, None)  # the id must exist
            corpus.append(
                Labelled(
                    entry["id"], entry["text"], expect, uncertain, tuple(entry.get("tags", ()))
                )
            )
        except (InputError, KeyError, AttributeError) as error:
            name = entry.get("id", "?") if isinstance(entry, dict) else "?"
            raise InputError(f"{path.name}, entry {name}: {error}") from None
    return corpus


def score(corpus: Iterable[Labelled], knowledge: KnowledgeBase | None = None) -> Score:
    """Read every description of the corpus and score what was read against its labels."""
    knowledge = knowledge or load_knowledge()
    result = Score()
    for labelled in corpus:
        reading = read(labelled.text, today=CORPUS_TODAY)
        _score_one(result, labelled, reading, knowledge)
    return result


def _score_one(
    result: Score, labelled: Labelled, reading: Reading, knowledge: KnowledgeBase
) -> None:
    got = reading.evidence()
    expected = facts_of(labelled.expect, knowledge)
    found = facts_of(got, knowledge)
    result.descriptions += 1
    result.exact += expected == found and set(reading.uncertain) == set(labelled.uncertain)
    for finding_id in {f for f, _ in expected | found}:
        tally = result.per_finding.setdefault(finding_id, Tally())
        want = {fact for fact in expected if fact[0] == finding_id}
        have = {fact for fact in found if fact[0] == finding_id}
        tally.found += len(want & have)
        tally.wrong += len(have - want)
        tally.missed += len(want - have)
        if want != have:
            result.errors.append(
                (labelled.id, finding_id, labelled.expect.value(finding_id), got.value(finding_id))
            )
    for finding_id in knowledge.red_flags:
        if labelled.expect.value(finding_id) is True or finding_id in labelled.uncertain:
            result.red_flags_stated += 1
            kept = got.value(finding_id) is True or finding_id in reading.uncertain
            result.red_flags_kept += kept
            if not kept:
                result.errors.append((labelled.id, finding_id, "yes or ask", got.value(finding_id)))


def facts_of(evidence: Evidence, knowledge: KnowledgeBase) -> set[Fact]:
    """The evidence as facts: one per boolean or choice, one per region, a number by its bin."""
    facts: set[Fact] = set()
    for item in evidence:
        facts |= _facts(item.finding, item.value, knowledge)
    return facts


def _facts(finding_id: str, value: Value, knowledge: KnowledgeBase) -> set[Fact]:
    finding = knowledge.findings[finding_id]
    if isinstance(value, tuple):
        return {(finding_id, option) for option in value}
    if finding.type == "number" and finding.bins:
        assert isinstance(value, float)
        return {(finding_id, bin_index(finding, value))}
    return {(finding_id, value)}


def interview_with(answers: Mapping[str, Value], known: Evidence) -> tuple[list[str], str]:
    """The questions asked of a person who answers from `answers`, and the care level reached.

    The person says "don't know" to anything else; the interview starts from `known`. This
    measures what a description saves: the same person, with and without it.
    """
    interview = Interview(known=known)
    asked: list[str] = []
    while (question := interview.next_question()) is not None:
        asked.append(question.finding.id)
        interview.answer(question.finding.id, answers.get(question.finding.id))
    return asked, interview.result().triage.level


def table(result: Score, knowledge: KnowledgeBase | None = None) -> str:
    """Precision and recall per finding and overall, as a Markdown table."""
    knowledge = knowledge or load_knowledge()
    rows = ["| finding | stated | precision | recall |", "|---|---|---|---|"]
    order: Mapping[str, int] = {finding_id: i for i, finding_id in enumerate(knowledge.findings)}
    for finding_id in sorted(result.per_finding, key=lambda f: order.get(f, len(order))):
        tally = result.per_finding[finding_id]
        rows.append(_row(finding_id, tally))
    rows.append(_row("**all findings**", result.overall))
    return "\n".join(rows)


def _row(name: str, tally: Tally) -> str:
    stated = tally.found + tally.missed
    return f"| {name} | {stated} | {tally.precision:.2f} | {tally.recall:.2f} |"
