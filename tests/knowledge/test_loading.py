"""The knowledge base loads, and a broken file fails at load naming the file and the entry."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from facespasm.errors import KnowledgeError
from facespasm.knowledge import DATA_DIR, KnowledgeBase, load_knowledge
from facespasm.knowledge.loader import LAYOUT


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the packaged knowledge files."""
    target = tmp_path / "knowledge"
    shutil.copytree(DATA_DIR, target)
    return target


def edit(directory: Path, file_name: str, change: Callable[[dict], None]) -> None:
    path = directory / file_name
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def entry(document: dict, section: str, entry_id: str) -> dict:
    return next(item for item in document[section] if item["id"] == entry_id)


def test_the_packaged_knowledge_base_loads(knowledge: KnowledgeBase) -> None:
    assert len(knowledge.causes) == 6
    assert len(knowledge.findings) >= 33
    assert re.fullmatch(r"[0-9a-f]{12}", knowledge.version)


def test_a_copy_with_the_same_content_loads_to_the_same_knowledge(knowledge_copy: Path) -> None:
    copy = load_knowledge(knowledge_copy)
    packaged = load_knowledge()
    assert copy.version == packaged.version
    assert copy.findings == packaged.findings
    assert copy.care_rules == packaged.care_rules


def test_a_second_start_reads_the_validated_cache(knowledge_copy: Path) -> None:
    first = load_knowledge(knowledge_copy)
    load_knowledge.cache_clear()  # a new process: only the on-disk cache remains
    second = load_knowledge(knowledge_copy)
    assert second is not first
    assert second.findings == first.findings


def test_an_edited_file_is_validated_again_not_served_from_cache(knowledge_copy: Path) -> None:
    load_knowledge(knowledge_copy)
    load_knowledge.cache_clear()
    edit(knowledge_copy, "causes.yaml", lambda d: entry(d, "causes", "myokymia").update(tier="x"))
    with pytest.raises(KnowledgeError, match=r"causes\.yaml, entry 'myokymia'"):
        load_knowledge(knowledge_copy)


def _set(section: str, entry_id: str, **changes: object) -> Callable[[dict], None]:
    return lambda document: entry(document, section, entry_id).update(changes)


def _likelihood(finding: str, cause: str, value: object) -> Callable[[dict], None]:
    return lambda d: entry(d, "findings", finding)["likelihood"].__setitem__(cause, value)


BROKEN = [
    # (what is wrong, file, change, expected words in the message)
    ("misspelt key", "findings.yaml", _set("findings", "age", likelyhood={}),
     "findings.yaml, entry 'age': likelyhood"),
    ("unknown answer type", "findings.yaml", _set("findings", "side", type="text"),
     "findings.yaml, entry 'side': type"),
    ("probability above 1", "findings.yaml", _likelihood("stress", "myokymia", 1.5),
     "findings.yaml, entry 'stress': likelihood.myokymia"),
    ("bins that do not add up", "findings.yaml", _likelihood("age", "myokymia", [0.5, 0.5, 0.5, 0.5]),
     "findings.yaml, entry 'age': likelihood.myokymia adds up to 2.000"),
    ("wrong number of bins", "findings.yaml", _likelihood("age", "myokymia", [0.5, 0.5]),
     "findings.yaml, entry 'age': likelihood.myokymia needs one probability per bin"),
    ("a cause left out", "findings.yaml",
     lambda d: entry(d, "findings", "stress")["likelihood"].pop("blepharospasm"),
     "findings.yaml, entry 'stress': likelihood must cover each cause"),
    ("uncited source", "advice.yaml", _set("advice", "sleep", sources=["nowhere2024"]),
     "advice.yaml, entry 'sleep': cites unknown source 'nowhere2024'"),
    ("no source at all", "treatments.yaml", _set("treatments", "hfs.microvascular_decompression", sources=[]),
     "treatments.yaml, entry 'hfs.microvascular_decompression': cites no source"),
    ("priors not adding up", "causes.yaml",
     lambda d: entry(d, "causes", "myokymia")["prior"].update(probability=0.5),
     "causes.yaml, entry 'structural_lesion': priors add up to"),
    ("a contract cause missing", "causes.yaml",
     lambda d: d.update(causes=[c for c in d["causes"] if c["id"] != "synkinesis"]),
     "the contract causes are missing: synkinesis"),
    ("rule with unknown level", "care.yaml", _set("rules", "facial_pain", level="urgent"),
     "care.yaml, entry 'facial_pain': unknown care level 'urgent'"),
    ("rule testing unknown finding", "care.yaml", _set("rules", "facial_pain", when={"finding": "pain", "equals": True}),
     "care.yaml, entry 'facial_pain': unknown finding 'pain'"),
    ("rule with a test that does not fit", "care.yaml",
     _set("rules", "lasting_weeks", when={"finding": "duration_days", "equals": True}),
     "care.yaml, entry 'lasting_weeks': 'equals' cannot test the number finding"),
    ("rule with two tests", "care.yaml",
     _set("rules", "lasting_weeks", when={"finding": "duration_days", "above": 1, "below": 3}),
     "care.yaml, entry 'lasting_weeks': a condition needs exactly one test"),
    ("duplicate id", "sources.yaml", lambda d: d["sources"].append(dict(d["sources"][0])),
     "sources.yaml, entry 'article.introduction': this id is used twice"),
    ("care levels renamed", "care.yaml", lambda d: d["levels"][0].update(id="home"),
     "care.yaml, entry 'home': care levels must be self_care"),
    ("advice for a non-lifestyle finding", "advice.yaml", _set("advice", "sleep", factors=["age"]),
     "advice.yaml, entry 'sleep': 'age' is not a lifestyle finding"),
    ("treatment for unknown cause", "treatments.yaml", _set("treatments", "hfs.oral_medication", cause="tic"),
     "treatments.yaml, entry 'hfs.oral_medication': unknown cause 'tic'"),
    ("empty section", "advice.yaml", lambda d: d.update(advice=[]),
     "advice.yaml: expected a non-empty list under 'advice:'"),
    ("a video view of a yes/no finding", "findings.yaml",
     _set("findings", "small_flicker", video={"sensitivity": {"yes": 0.5}, "rationale": "x"}),
     "findings.yaml, entry 'small_flicker': only a multiple-choice finding has a video view"),
    ("a video view naming an unknown region", "findings.yaml",
     lambda d: entry(d, "findings", "regions")["video"]["sensitivity"].update(chin=0.5),
     "findings.yaml, entry 'regions': video.sensitivity names unknown choices ['chin']"),
    ("a video sensitivity above 1", "findings.yaml",
     lambda d: entry(d, "findings", "regions")["video"]["sensitivity"].update(mouth=1.5),
     "findings.yaml, entry 'regions': video.sensitivity has a share outside [0, 1]"),
    ("a video that sees nothing", "findings.yaml",
     lambda d: entry(d, "findings", "regions")["video"].update(
         sensitivity=dict.fromkeys(["eyelid", "brow", "cheek", "mouth", "neck"], 0.0)),
     "findings.yaml, entry 'regions': video.sensitivity leaves the video nothing to see"),
    ("a video view without its reason", "findings.yaml",
     lambda d: entry(d, "findings", "regions")["video"].update(rationale=" "),
     "findings.yaml, entry 'regions': video.sensitivity needs a rationale"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("file_name", "change", "message"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_a_broken_entry_fails_at_load_naming_file_and_entry(
    knowledge_copy: Path, file_name: str, change: Callable[[dict], None], message: str
) -> None:
    edit(knowledge_copy, file_name, change)
    with pytest.raises(KnowledgeError) as failure:
        load_knowledge(knowledge_copy)
    assert message in str(failure.value)


def test_yaml_that_does_not_parse_names_the_file_and_line(knowledge_copy: Path) -> None:
    (knowledge_copy / "advice.yaml").write_text("advice:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"advice.yaml: not valid YAML \(line \d+\)"):
        load_knowledge(knowledge_copy)


def test_a_missing_file_is_named(knowledge_copy: Path) -> None:
    (knowledge_copy / "sources.yaml").unlink()
    with pytest.raises(KnowledgeError, match=r"sources\.yaml: cannot read knowledge file"):
        load_knowledge(knowledge_copy)


def test_every_file_of_the_layout_is_packaged() -> None:
    assert sorted(path.name for path in DATA_DIR.glob("*.yaml")) == sorted(LAYOUT)
