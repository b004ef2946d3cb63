"""Likelihood rows: each answer's P(answer | cause) for all causes, remembered per knowledge base."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from facespasm.knowledge import DATA_DIR, KnowledgeBase, load_knowledge
from facespasm.reasoning.evidence import parse_value
from facespasm.reasoning.likelihood import likelihoods, log_likelihoods, probability
from facespasm.reasoning.memo import KnowledgeMemo
from tests.reasoning.strategies import finding_ids, values


@given(st.data())
def test_a_row_is_the_answers_probability_under_each_cause(data: st.DataObject) -> None:
    knowledge = load_knowledge()
    finding = knowledge.findings[data.draw(finding_ids())]
    value = parse_value(knowledge, finding.id, data.draw(values(finding)))
    assert value is not None
    expected = [probability(finding, value, cause.id) for cause in knowledge.causes]
    assert list(likelihoods(finding, value, knowledge)) == expected
    assert list(log_likelihoods(finding, value, knowledge)) == [math.log(p) for p in expected]


def test_numbers_in_the_same_bin_share_a_row_and_other_bins_do_not(knowledge: KnowledgeBase):
    duration = knowledge.findings["duration_days"]
    assert likelihoods(duration, 10.0, knowledge) == likelihoods(duration, 20.0, knowledge)
    assert likelihoods(duration, 10.0, knowledge) != likelihoods(duration, 400.0, knowledge)


def test_each_knowledge_base_has_its_own_rows(tmp_path: Path, knowledge: KnowledgeBase) -> None:
    copy = tmp_path / "knowledge"
    shutil.copytree(DATA_DIR, copy)
    path = copy / "findings.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    flicker = next(f for f in document["findings"] if f["id"] == "small_flicker")
    flicker["likelihood"]["myokymia"] = 0.5
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    edited = load_knowledge(copy)

    packaged_row = likelihoods(knowledge.findings["small_flicker"], True, knowledge)
    edited_row = likelihoods(edited.findings["small_flicker"], True, edited)
    myokymia = knowledge.cause_ids.index("myokymia")
    assert edited_row[myokymia] == 0.5 != packaged_row[myokymia]


def test_a_memo_computes_once_and_starts_again_past_its_limit(knowledge: KnowledgeBase):
    memo: KnowledgeMemo[int] = KnowledgeMemo(limit=2)
    calls: list[str] = []

    def compute(key: str) -> int:
        calls.append(key)
        return len(calls)

    assert memo.get(knowledge, "a", lambda: compute("a")) == 1
    assert memo.get(knowledge, "a", lambda: compute("a")) == 1
    memo.get(knowledge, "b", lambda: compute("b"))
    memo.get(knowledge, "c", lambda: compute("c"))  # full: starts again
    memo.get(knowledge, "a", lambda: compute("a"))
    assert calls == ["a", "b", "c", "a"]
