"""Likelihood rows: each answer's P(answer | cause) for all causes, remembered per knowledge base."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
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


def by_cause(knowledge: KnowledgeBase, value: tuple[str, ...], **how: bool) -> dict[str, float]:
    row = likelihoods(knowledge.findings["regions"], value, knowledge, **how)
    return dict(zip(knowledge.cause_ids, row, strict=True))


def test_a_region_a_video_did_not_show_counts_less_than_a_persons_no(knowledge: KnowledgeBase):
    said = by_cause(knowledge, ("eyelid",))
    seen = by_cause(knowledge, ("eyelid",), from_video=True)
    # "The eyelid only" from a person is five times as likely with myokymia as with hemifacial
    # spasm, which usually spreads to cheek and mouth; from a video that often misses the
    # spread, much less so -- but still more likely with myokymia.
    assert said["myokymia"] / said["hemifacial_spasm"] > 5
    assert 1 < seen["myokymia"] / seen["hemifacial_spasm"] < 2


def test_what_a_video_shows_is_the_involvement_times_its_sensitivity(knowledge: KnowledgeBase):
    regions = knowledge.findings["regions"]
    assert regions.video is not None and regions.likelihood is not None
    shown = regions.video.sensitivity
    involved = regions.likelihood["hemifacial_spasm"]
    assert isinstance(involved, dict)
    on_video = {r: p * shown.get(r, 1.0) for r, p in involved.items() if shown.get(r, 1.0) > 0}
    expected = (
        on_video["eyelid"]
        * on_video["mouth"]
        * (1 - on_video["brow"])
        * (1 - on_video["cheek"])
        / (1 - math.prod(1 - p for p in on_video.values()))
    )
    value = ("eyelid", "mouth")
    assert probability(regions, value, "hemifacial_spasm", from_video=True) == pytest.approx(
        expected
    )


def test_a_video_says_nothing_of_the_neck(knowledge: KnowledgeBase) -> None:
    regions = knowledge.findings["regions"]
    with_neck = likelihoods(regions, ("eyelid", "neck"), knowledge, from_video=True)
    assert with_neck == likelihoods(regions, ("eyelid",), knowledge, from_video=True)
    # A person's "and the neck" does count.
    assert likelihoods(regions, ("eyelid", "neck"), knowledge) != likelihoods(
        regions, ("eyelid",), knowledge
    )


def test_a_yes_no_finding_weighs_the_same_from_a_video(knowledge: KnowledgeBase) -> None:
    closes = knowledge.findings["eye_closes_completely"]
    assert likelihoods(closes, True, knowledge, from_video=True) == likelihoods(
        closes, True, knowledge
    )


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
