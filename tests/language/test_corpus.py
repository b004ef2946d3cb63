"""The reader against 115 descriptions written blind to it (corpus.yaml): the safety rules hold
for every one, and precision and recall stay at what bench/RESULTS.md records."""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path

import pytest

from facespasm import assess
from facespasm.knowledge import KnowledgeBase, load_knowledge
from facespasm.language import read
from facespasm.language.evaluation import (
    CORPUS_TODAY,
    Labelled,
    Score,
    interview_with,
    load_corpus,
    score,
)
from facespasm.reasoning import Evidence

CORPUS = load_corpus(Path(__file__).with_name("corpus.yaml"))
# Measured on this corpus (bench/RESULTS.md), less a little room for lexicon changes.
PRECISION_FLOOR = 0.90
RECALL_FLOOR = 0.85


@pytest.fixture(scope="module")
def scored() -> Score:
    return score(CORPUS)


def test_the_corpus_covers_what_people_write() -> None:
    tags = Counter(tag for labelled in CORPUS for tag in labelled.tags)
    assert len(CORPUS) >= 80
    for tag, least in {"everyday": 25, "red_flag": 20, "negation": 20, "hedge": 10,
                       "misspelling": 12, "rambling": 10, "british": 5}.items():  # fmt: skip
        assert tags[tag] >= least, tag
    assert sum(bool(labelled.uncertain) for labelled in CORPUS) >= 6


def test_no_red_flag_a_description_mentions_is_dropped_or_denied(scored: Score) -> None:
    dropped = [error for error in scored.errors if error[2] == "yes or ask"]
    assert dropped == []
    assert scored.red_flags_stated >= 20
    assert scored.red_flag_recall == 1.0


def test_precision_and_recall_stay_above_their_floor(scored: Score) -> None:
    overall = scored.overall
    assert overall.precision >= PRECISION_FLOOR, scored.errors
    assert overall.recall >= RECALL_FLOOR, scored.errors


@pytest.mark.parametrize("labelled", CORPUS, ids=lambda labelled: labelled.id)
def test_the_text_never_gets_a_lower_care_level_than_the_same_answers(
    labelled: Labelled, knowledge: KnowledgeBase
) -> None:
    reading = read(labelled.text, today=CORPUS_TODAY)
    from_text = assess(reading.evidence()).triage.level
    from_answers = assess(labelled.expect).triage.level
    assert knowledge.level_rank(from_text) >= knowledge.level_rank(from_answers)
    for finding_id in reading.uncertain:
        item = reading.evidence().items.get(finding_id)
        assert item is None or item.hedged, "an uncertain red flag was taken as a value"


def test_a_description_saves_questions_and_its_uncertain_red_flags_are_asked() -> None:
    knowledge = load_knowledge()
    without, with_text = [], []
    for labelled in CORPUS:
        reading = read(labelled.text, today=CORPUS_TODAY)
        answers = labelled.expect.answers()
        without.append(len(interview_with(answers, Evidence())[0]))
        asked, level = interview_with(answers, reading.evidence())
        with_text.append(len(asked))
        emergency = level == knowledge.care_levels[-1].id
        # each uncertain red flag is asked, or ruled out by a "no" it implies (no other nerve
        # symptoms: no new double vision either)
        settled = {a for a, b in knowledge.implications if answers.get(b) is False}
        assert emergency or set(reading.uncertain) <= set(asked) | settled, labelled.id
    assert statistics.mean(with_text) < statistics.mean(without) - 3
