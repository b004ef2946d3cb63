"""The shape of facespasm's medical knowledge: what a reviewer may write in the YAML files.

These are plain frozen dataclasses on purpose. pydantic validates the YAML into them (see
`loader.py`), but the program that *uses* the knowledge never needs pydantic itself, so
`facespasm assess --json` starts in about the time it takes to import Typer (issue 2's cold-start
budget). Meaning that spans entries -- probabilities in range, ids that exist, sources cited --
is checked in `checks.py`, where the error can name the file and entry.

Every medical statement carries `sources`: ids from `sources.yaml`, either a section of the
source article or a literature item.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

# pydantic reads this per class: a misspelt key in YAML ("likelyhood") is an error, not ignored.
_FORBID_EXTRA: Any = {"extra": "forbid"}

SourceKind = Literal["article_section", "literature", "guideline", "web_page"]
Tier = Literal["lifestyle", "isolated_disorder", "broader_disease"]
AnswerType = Literal["boolean", "choice", "multiple_choice", "number"]
# "measured": only a measurement (a video) gives it; the interview never asks it.
Category = Literal["person", "symptom", "course", "history", "associated", "lifestyle", "measured"]

# A likelihood entry is, per answer type: boolean P(yes | cause); choice {value: P(value | cause)};
# multiple_choice {option: P(option involved | cause)}; number [P(bin | cause) for each bin].
Likelihood = float | tuple[float, ...] | dict[str, float]


@dataclass(frozen=True)
class Source:
    """A citable source: a section of the source article, or a literature item."""

    __pydantic_config__ = _FORBID_EXTRA

    id: str
    kind: SourceKind
    title: str
    citation: str
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Codes:
    """Standard codes for a cause, where one exists (knowledge-notes §6)."""

    __pydantic_config__ = _FORBID_EXTRA

    icd10: str | None = None
    # ICD-10-CM codes by side where the code depends on it ("right", "left", "both"); `icd10`
    # is then the code for a side not known.
    icd10_by_side: dict[Literal["right", "left", "both"], str] | None = None
    hpo: str | None = None
    hpo_label: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Prior:
    """Base rate of a cause among people who look into a twitching face, with how it was set."""

    __pydantic_config__ = _FORBID_EXTRA

    probability: float
    reasoning: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Cause:
    """One cause of facial twitching: what it is, how it behaves, and how common it is."""

    __pydantic_config__ = _FORBID_EXTRA

    id: str
    name: str
    medical_name: str
    tier: Tier
    mechanism: str
    course: str
    sources: tuple[str, ...]
    codes: Codes
    prior: Prior
    # Findings nearly always present with this cause (synkinesis needs an earlier facial palsy):
    # the interview asks them before it lets this cause lead.
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Choice:
    """One answer a person can pick for a choice or multiple-choice question."""

    __pydantic_config__ = _FORBID_EXTRA

    value: str
    label: str


@dataclass(frozen=True)
class Bin:
    """A range of a numeric answer; `below` is its exclusive upper bound (None: no bound)."""

    __pydantic_config__ = _FORBID_EXTRA

    label: str
    below: float | None = None


@dataclass(frozen=True)
class VideoView:
    """What a video shows of a multiple-choice finding it measures, option by option.

    `sensitivity` is P(the video shows the option | the option is involved): a face mesh follows
    some movements only partway. 0 is an option a video never sees, of which it then says
    nothing; an option not listed is shown whenever it is involved. The differential weighs a
    video's answer with these (`reasoning/likelihood.py`), a person's answer without.
    """

    __pydantic_config__ = _FORBID_EXTRA

    sensitivity: dict[str, float]
    rationale: str


@dataclass(frozen=True)
class Finding:
    """One item of the evidence vocabulary: the question that asks for it and what it means."""

    __pydantic_config__ = _FORBID_EXTRA

    id: str
    label: str
    category: Category
    question: str
    help: str
    type: AnswerType
    rationale: str
    sources: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    bins: tuple[Bin, ...] = ()
    likelihood: dict[str, Likelihood] | None = None
    # Yes/no findings that a "yes" to this one entails ("began at the eye and spread" is a way
    # of "getting worse"): a "no" to one of those rules this out, and the differential does not
    # count the entailed answer twice (`reasoning/entailment.py`).
    implies: tuple[str, ...] = ()
    # Asked (and counted as open for safety) only once this holds: "is it hard to breathe?"
    # after a new medicine. None: always.
    ask_when: Condition | None = None
    # A multiple-choice finding a video measures too: how much of it a video shows.
    video: VideoView | None = None

    @property
    def choice_values(self) -> tuple[str, ...]:
        """The machine values of the choices, in the order the question lists them."""
        return tuple(choice.value for choice in self.choices)


@dataclass(frozen=True)
class Condition:
    """When a care rule applies: a test of one finding or cause, or a combination of tests.

    Exactly one form is used: `finding` with one of `equals`, `above`, `below`, `includes`,
    `count_at_least`; `cause` with `probability_at_least` or `probability_below`;
    `red_flag_open: true` (some red flag is not yet ruled out: the ⚑ self-care floor); or
    `any_of` / `all_of`.
    """

    __pydantic_config__ = _FORBID_EXTRA

    finding: str | None = None
    equals: bool | str | None = None
    above: float | None = None
    below: float | None = None
    includes: str | None = None
    count_at_least: int | None = None
    cause: str | None = None
    probability_at_least: float | None = None
    probability_below: float | None = None
    red_flag_open: bool | None = None
    any_of: tuple[Condition, ...] | None = None
    all_of: tuple[Condition, ...] | None = None


@dataclass(frozen=True)
class Call:
    """An emergency telephone number and where it is used ("999", "UK")."""

    __pydantic_config__ = _FORBID_EXTRA

    number: str
    where: str


@dataclass(frozen=True)
class CareLevel:
    """A level of care, from self-care to emergency, with what the person should do.

    `call` lists the numbers to ring now (the emergency level); `signs` what to look for while
    waiting (the FAST signs), each shown with the level's sources.
    """

    __pydantic_config__ = _FORBID_EXTRA

    id: str
    label: str
    colour: str
    summary: str
    next_steps: tuple[str, ...]
    sources: tuple[str, ...]
    call: tuple[Call, ...] = ()
    signs: tuple[str, ...] = ()


@dataclass(frozen=True)
class CareRule:
    """A rule that raises the care level when its condition holds, with the reason shown."""

    __pydantic_config__ = _FORBID_EXTRA

    id: str
    level: str
    when: Condition
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Advice:
    """A self-care measure; `factors` are the lifestyle findings it answers."""

    __pydantic_config__ = _FORBID_EXTRA

    id: str
    title: str
    text: str
    factors: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Figure:
    """A number about a treatment (response rate, duration, risk) and where it comes from."""

    __pydantic_config__ = _FORBID_EXTRA

    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Treatment:
    """A treatment for one cause, with its figures."""

    __pydantic_config__ = _FORBID_EXTRA

    id: str
    cause: str
    name: str
    summary: str
    sources: tuple[str, ...]
    figures: tuple[Figure, ...] = ()
