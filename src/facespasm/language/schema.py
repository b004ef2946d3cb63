"""The shape of the reader's lexicon: what a reviewer may write in `data/lexicon.yaml`.

Like the knowledge schema these are plain frozen dataclasses: pydantic validates the YAML into
them when the file changes (compiler.py), and the reader never imports pydantic. What one entry
cannot say about itself -- that its finding exists, that its value fits the finding, that its
patterns parse -- is checked in compiler.py with the entry named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# A misspelt key in the YAML ("only_negatd") is an error, not silently ignored.
_FORBID_EXTRA: Any = {"extra": "forbid"}

CueKind = Literal[
    "negation",
    "hedge",
    "worry",
    "past",
    "other_person",
    "terminator",
    "pseudo",
    "self",
    "someone_else",
]
Direction = Literal["forward", "backward"]
CombineRule = Literal["first", "last", "largest", "highest", "union", "safety", "plain"]
YamlValue = bool | float | str | tuple[str, ...]


@dataclass(frozen=True)
class FindingEntry:
    """Words that state a finding's value.

    `value` is the finding's value when the words are said plainly ("<n>" takes the number the
    pattern matched). Under a negation a boolean flips ("no pain": facial_pain false); any other
    value is dropped unless `if_negated` gives one ("not both eyes": side one). An
    `only_negated` entry names a topic that states nothing until it is denied ("hearing" says
    nothing; "my hearing is fine" says hearing_change false). `claims` are findings whose
    mentions overlapping these words are not meant ("energy drinks" is not alcohol).

    A `suspect` entry reads first for recall: words that *may* mean a red flag ("my tea tastes
    of tin on one side") give a hedged yes -- counted for the care level and asked -- and never
    a "no"; only a denial around them (not inside: "won't", "can't" are the symptom) drops
    them. `about` limits an entry to descriptions of the writer ("self") or of someone else
    ("other": "my son is 7"). With `context`, the entry stands only where one of those patterns
    also matches somewhere in the description (a locked jaw means a reaction only when a
    medicine is mentioned; a slack face is a stroke sign only when it is happening now).
    """

    __pydantic_config__ = _FORBID_EXTRA

    finding: str
    value: YamlValue
    patterns: tuple[str, ...]
    if_negated: YamlValue | None = None
    only_negated: bool = False
    qualifier: str | None = None
    claims: tuple[str, ...] = ()
    suspect: bool = False
    about: Literal["self", "other", "any"] = "any"
    context: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class CueEntry:
    """Words that change how nearby findings read: negation, hedge, someone else, clause end.

    A forward cue covers the words after it up to the end of its clause (or the scope window);
    a backward cue ("is fine", "none") covers the clause before it, and only counts at the end
    of a clause. A `pseudo` cue looks like one but is not ("not just", "no idea"): it covers
    nothing, and its words are not read as the cue inside it.
    """

    __pydantic_config__ = _FORBID_EXTRA

    kind: CueKind | tuple[CueKind, ...]
    patterns: tuple[str, ...]
    direction: Direction = "forward"
    at_clause_end: bool = False
    note: str | None = None


@dataclass(frozen=True)
class BlockEntry:
    """Words that contain a finding's words without meaning it ("eye drops", "herbal tea")."""

    __pydantic_config__ = _FORBID_EXTRA

    patterns: tuple[str, ...]
    claims: tuple[str, ...]
    about: Literal["self", "other", "any"] = "any"
    note: str | None = None


@dataclass(frozen=True)
class Settings:
    """How far a cue reaches, and which words begin a new clause."""

    __pydantic_config__ = _FORBID_EXTRA

    scope_window: int
    gap_words: int
    long_gap_words: int
    fuzzy_min_length: int
    clause_starters: tuple[str, ...]
    conjunctions: tuple[str, ...]
    question_hedges: bool = True


@dataclass(frozen=True)
class Combine:
    """How several mentions of one finding become one value (see combine.py)."""

    __pydantic_config__ = _FORBID_EXTRA

    rule: CombineRule
    distinct_qualifiers: str | None = None


@dataclass(frozen=True)
class Anchored:
    """Findings read only where the clause is about the twitching, not only a habit or history.

    "Stressed for months" gives no duration and "coffee every day" no frequency: a clause that
    mentions a finding of a `secondary_categories` category gives none of these `findings`
    unless it also has an `anchors` word ("it started three weeks ago after exams").
    """

    __pydantic_config__ = _FORBID_EXTRA

    findings: tuple[str, ...]
    secondary_categories: tuple[str, ...]
    anchors: tuple[str, ...]


@dataclass(frozen=True)
class Durations:
    """The words of time expressions; durations.py does the arithmetic."""

    __pydantic_config__ = _FORBID_EXTRA

    finding: str
    units: dict[str, float]
    short_units: dict[str, float]
    vague: dict[str, float]
    vague_after: tuple[str, ...]
    quantities: dict[str, float]
    ago: tuple[str, ...]
    since: tuple[str, ...]
    last: tuple[str, ...]
    ranges: tuple[str, ...]
    and_a_half: str
    relative_days: dict[str, float]
    weekdays: dict[str, int]
    weekday_after: tuple[str, ...]
    months: dict[str, int]
    month_after: tuple[str, ...]
    dates: dict[str, tuple[int, int]]
    seasons: dict[str, int]
    rate_before: tuple[str, ...]
    rate_after: tuple[str, ...]
    a_after: tuple[str, ...]
    not_before: tuple[str, ...]
    articles: tuple[str, ...]
    ordinals: tuple[str, ...]
    of: tuple[str, ...]


@dataclass(frozen=True)
class LexiconSpec:
    """The whole lexicon file, validated."""

    __pydantic_config__ = _FORBID_EXTRA

    settings: Settings
    classes: dict[str, tuple[str, ...]]
    spellings: dict[str, str]
    never_correct: tuple[str, ...]
    numbers: dict[str, float]
    cues: tuple[CueEntry, ...]
    findings: tuple[FindingEntry, ...]
    blocks: tuple[BlockEntry, ...]
    durations: Durations
    anchored: Anchored
    combine: dict[str, Combine] = field(default_factory=dict)
