"""The lexicon loads, is cached, covers the vocabulary, and a broken entry fails by name."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from facespasm.errors import KnowledgeError
from facespasm.knowledge import KnowledgeBase
from facespasm.language.lexicon import LEXICON_PATH, load_lexicon
from facespasm.language.patterns import PatternError, compile_pattern


def test_the_packaged_lexicon_loads() -> None:
    lexicon = load_lexicon()
    assert re.fullmatch(r"[0-9a-f]{12}", lexicon.version)
    assert lexicon.rules
    assert "twitching" in lexicon.speller.vocabulary


def test_a_second_start_reads_the_compiled_cache(lexicon_copy: Path) -> None:
    first = load_lexicon(lexicon_copy)
    load_lexicon.cache_clear()  # a new process: only the on-disk cache remains
    second = load_lexicon(lexicon_copy)
    assert second is not first
    assert second.rules == first.rules
    assert second.index == first.index


def test_every_finding_of_the_vocabulary_can_be_read(knowledge: KnowledgeBase) -> None:
    lexicon = load_lexicon()
    read_by_words = {rule.finding for rule in lexicon.rules if rule.kind == "finding"}
    # A measured finding (video only, never asked) is not something a person says.
    said = {f.id for f in knowledge.findings.values() if f.category != "measured"}
    assert read_by_words | {lexicon.durations.finding} == said


def test_every_red_flag_can_be_denied(knowledge: KnowledgeBase) -> None:
    lexicon = load_lexicon()
    for flag in knowledge.red_flags:
        assert any(
            rule.finding == flag and rule.negated_value is False for rule in lexicon.rules
        ), flag


def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def finding_entry(document: dict[str, Any], finding: str) -> dict[str, Any]:
    return next(entry for entry in document["findings"] if entry["finding"] == finding)


def _set(which: str, **changes: object) -> Callable[[dict[str, Any]], None]:
    return lambda document: finding_entry(document, which).update(changes)


BROKEN = [
    # (what is wrong, change, words the message must contain)
    ("an unknown finding", _set("small_flicker", finding="small_flickr"),
     r"findings entry #\d+ \(small_flickr: true, 'flicker'\): unknown finding 'small_flickr'; "
     r"did you mean 'small_flicker'\?"),
    ("a value that does not fit", _set("forceful_closure", value="yes"),
     r"findings entry #\d+ \(forceful_closure: yes, '@squeeze'\): 'forceful_closure' must be "
     r"true or false"),
    ("a choice that does not exist", _set("frequency", value="hourly"),
     r"\(frequency: hourly, 'constant'\): 'frequency' must be one of"),
    ("a region that does not exist", _set("regions", value=["nose"]),
     r"\(regions: \[nose\], '@eye'\): 'regions' has \"nose\""),
    ("a misspelt key", _set("light_sensitivity", only_negatd=True),
     r"findings entry #\d+ \(light_sensitivity: true, 'bright @light\|screens\|days\|sunny'\): "
     r"only_negatd: Unexpected keyword argument"),
    ("an unknown word class", _set("sensory_trick", patterns=["@tricks helps"]),
     r"\(sensory_trick: true, '@tricks helps'\): pattern '@tricks helps': unknown word class "
     r"'@tricks'"),
    ("a pattern that begins with a gap", _set("nicotine", patterns=["* smoke"]),
     r"pattern '\* smoke': a pattern must begin with a word or <n>"),
    ("a word the spellings always change", _set("caffeine", patterns=["caffiene"]),
     r"pattern 'caffiene': 'caffiene' is always respelt as 'caffeine'"),
    ("a number value on a yes/no finding", _set("stress", value="<n>"),
     r"\(stress: <n>, 'stress'\): '<n>' is a value only for a number finding"),
    ("a claim of an unknown finding", _set("caffeine", claims=["alcoholic"]),
     r"\(caffeine: true, '@caffeine'\): claims unknown finding 'alcoholic'"),
    ("a negated value that does not fit", _set("side", if_negated="three"),
     r"\(side: one, 'left @facepart'\): 'side' must be one of"),
    ("an only-negated topic with no negated value",
     lambda d: d["findings"].append({"finding": "regions", "value": ["neck"],
                                     "patterns": ["throat"], "only_negated": True}),
     r"\(regions: \[neck\], 'throat'\): only_negated needs a value under negation"),
    ("an unknown cue kind", lambda d: d["cues"][0].update(kind="denial"),
     r"cues entry #1 \(denial\): kind"),
    ("a combining rule that does not fit", lambda d: d["combine"].update(age={"rule": "union"}),
     r"combine entry 'age': rule 'union' does not fit a number"),
    ("a duration finding that is not a number",
     lambda d: d["durations"].update(finding="frequency"),
     r"section 'durations': finding 'frequency' is not a number finding"),
    ("a missing section", lambda d: d.pop("durations"), r"the section 'durations:' is missing"),
    ("an unknown section", lambda d: d.update(phrases=[]), r"unknown section 'phrases'"),
    ("a class that includes itself", lambda d: d["classes"].update(loop=["@loop"]),
     r"class 'loop': it includes itself"),
]  # fmt: skip


@pytest.mark.parametrize(("problem", "change", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_entry_fails_naming_it(
    lexicon_copy: Path, problem: str, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    edit(lexicon_copy, change)
    with pytest.raises(KnowledgeError, match=r"^lexicon\.yaml[,:] .*" + message):
        load_lexicon(lexicon_copy)


def test_a_file_that_is_not_yaml_fails_with_its_line(lexicon_copy: Path) -> None:
    lexicon_copy.write_text("settings: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"^lexicon\.yaml: not valid YAML \(line \d+\)"):
        load_lexicon(lexicon_copy)


def test_a_missing_file_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match=r"^missing\.yaml: cannot read the lexicon"):
        load_lexicon(tmp_path / "missing.yaml")


def test_an_edited_lexicon_is_validated_again_not_served_from_cache(lexicon_copy: Path) -> None:
    load_lexicon(lexicon_copy)
    load_lexicon.cache_clear()
    edit(lexicon_copy, _set("stress", finding="stres"))
    with pytest.raises(KnowledgeError, match="unknown finding 'stres'"):
        load_lexicon(lexicon_copy)


def test_the_lexicon_file_is_commented_for_review() -> None:
    text = LEXICON_PATH.read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= 40


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("", "the pattern is empty"),
        ("a||b", "empty alternative"),
        ("Left eye", "'Left' is not a lower-case word"),
        ("eye *", "must not end with '*'"),
        ("eye lid?", "must not end with '*' or an optional word"),
        ("!no pain", "must begin with a word or <n>"),
    ],
)
def test_pattern_syntax_errors_say_what_is_wrong(source: str, problem: str) -> None:
    with pytest.raises(PatternError, match=re.escape(problem)):
        compile_pattern(source, {}, 4)
