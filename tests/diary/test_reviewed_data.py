"""The diary's reviewed data (cycle priors, rating scales) loads, and a broken file fails at load
naming the file and the entry."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from facespasm.diary.reviewed import DATA_DIR, load_diary_knowledge
from facespasm.errors import KnowledgeError
from facespasm.knowledge import load_knowledge


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the packaged cycles.yaml and ratings.yaml."""
    target = tmp_path / "diary-data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit(directory: Path, file_name: str, change: Callable[[dict], None]) -> None:
    path = directory / file_name
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def scale(document: dict, scale_id: str) -> dict:
    return next(s for s in document["scales"] if s["id"] == scale_id)


def test_the_packaged_data_loads() -> None:
    loaded = load_diary_knowledge()
    assert re.fullmatch(r"[0-9a-f]{12}", loaded.version)
    assert [s.id for s in loaded.ratings.scales] == ["jrs", "impact"]
    assert [g.id for g in loaded.ratings.grades] == ["smc"]
    assert loaded.cycles.duration.mean_days == 84


def test_every_cited_source_is_in_the_knowledge_base() -> None:
    sources = set(load_knowledge().sources)
    ratings = load_diary_knowledge().ratings
    cycles = load_diary_knowledge().cycles
    cited = {s for scale in ratings.scales for s in scale.sources}
    cited |= {s for scale in ratings.scales for item in scale.items for s in item.sources}
    cited |= {s for grade in ratings.grades for s in grade.sources}
    for section in (cycles.onset, cycles.duration, cycles.relief, cycles.next_due):
        cited |= set(section.sources)
    assert cited <= sources


def test_a_second_start_reads_the_validated_cache(data_copy: Path) -> None:
    first = load_diary_knowledge(data_copy)
    load_diary_knowledge.cache_clear()  # a new process: only the on-disk cache remains
    second = load_diary_knowledge(data_copy)
    assert second is not first
    assert second == first


BROKEN = [
    # (what, file, change, message)
    ("misspelt key", "cycles.yaml", lambda d: d["onset"].update(mean_dayz=5),
     r"cycles.yaml, onset.mean_dayz: Unexpected keyword argument"),
    ("unknown source", "cycles.yaml", lambda d: d["duration"].update(sources=["nobody2099"]),
     r"cycles.yaml, duration: cites unknown source 'nobody2099'"),
    ("no source, not in-house", "cycles.yaml", lambda d: d["next_due"].update(sources=[]),
     r"cycles.yaml, next_due: cites no source"),
    ("threshold above one", "cycles.yaml",
     lambda d: d["relief"].update(responded_below_share=1.2),
     r"cycles.yaml, relief: need 0 < deepest_share < responded_below_share < 1"),
    ("odd climb", "cycles.yaml", lambda d: d["duration"].update(climb_days=21),
     r"cycles.yaml, duration: climb_days must be an even number"),
    ("in-house scale with an important change", "ratings.yaml",
     lambda d: scale(d, "impact").update(minimal_important_change=1,
                                         minimal_important_change_sources=["fezza2016.wearing_off"]),
     r"ratings.yaml, scale 'impact': an in-house scale has no established important change"),
    ("in-house scale without its note", "ratings.yaml", lambda d: scale(d, "impact").pop("note"),
     r"ratings.yaml, scale 'impact': an in-house scale needs a `note`"),
    ("scores out of order", "ratings.yaml",
     lambda d: scale(d, "jrs")["items"][0]["options"].reverse(),
     r"ratings.yaml, scale 'jrs', item 'severity': scores must run 0, 1, 2"),
    ("a summed scale with a skippable item", "ratings.yaml",
     lambda d: scale(d, "jrs")["items"][0].update(not_applicable="n/a"),
     r"ratings.yaml, scale 'jrs', item 'severity': a summed scale cannot skip an item"),
    ("item wording without a source", "ratings.yaml",
     lambda d: scale(d, "jrs")["items"][1].update(sources=[]),
     r"ratings.yaml, scale 'jrs', item 'frequency': cites no source for its wording"),
    ("grade on an unknown finding", "ratings.yaml",
     lambda d: d["grades"][0]["levels"][2]["when_any"][0].update(finding="blinded"),
     r"ratings.yaml, grade 'smc', level III: tests unknown finding 'blinded'"),
    ("grade on a value the finding lacks", "ratings.yaml",
     lambda d: d["grades"][0]["levels"][1]["when_any"][1].update(includes_any=["ear"]),
     r"ratings.yaml, grade 'smc', level II: 'ear' is not a value of 'regions'"),
    ("reminder bounds crossed", "ratings.yaml", lambda d: d["reminder"].update(min_days=9),
     r"ratings.yaml, reminder: need 1 <= min_days <= default_days <= max_days"),
    ("unknown cause", "ratings.yaml", lambda d: scale(d, "jrs").update(applies_to=["tics"]),
     r"ratings.yaml, scale 'jrs': applies to unknown cause 'tics'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("file_name", "change", "message"),
    [pytest.param(f, c, m, id=what) for what, f, c, m in BROKEN],
)
def test_a_broken_file_fails_at_load_naming_file_and_entry(
    data_copy: Path, file_name: str, change: Callable[[dict], None], message: str
) -> None:
    edit(data_copy, file_name, change)
    with pytest.raises(KnowledgeError, match=message):
        load_diary_knowledge(data_copy)


def test_a_missing_file_is_named(data_copy: Path) -> None:
    (data_copy / "ratings.yaml").unlink()
    with pytest.raises(KnowledgeError, match=r"ratings\.yaml: cannot read the file"):
        load_diary_knowledge(data_copy)


def test_yaml_that_does_not_parse_is_named_with_its_line(data_copy: Path) -> None:
    (data_copy / "cycles.yaml").write_text("onset:\n  mean_days: [5\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"cycles.yaml: not valid YAML \(line \d+\)"):
        load_diary_knowledge(data_copy)
