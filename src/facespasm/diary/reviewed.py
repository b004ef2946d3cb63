"""The diary's reviewed data: the toxin cycle model's priors and the rating scales, validated.

`data/cycles.yaml` holds what the cycle model assumes (onset, duration, what counts as a
response, how far a reported date may be off); `data/ratings.yaml` holds the rating scales with
their published wording, and the grade derived from the assessment. Both are reviewed like the
knowledge base (`facespasm.knowledge`) and loaded the same way: validated by pydantic into the
plain frozen dataclasses below, meaning checked here (scores within the scale, a minimal
clinically important change only with a source, no in-house scale with one), every cited source
looked up in the knowledge base's `sources.yaml`, and the validated objects cached between runs
under a hash of the files and this package's code (`facespasm.cache`), so `diary cycles` never
imports pydantic or the YAML parser on a warm start. A broken file fails at load with the file
and the entry named (`KnowledgeError`).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from facespasm.cache import code_fingerprint, read_cached, write_cached
from facespasm.errors import KnowledgeError

DATA_DIR = Path(__file__).parent / "data"
CYCLES_FILE = "cycles.yaml"
RATINGS_FILE = "ratings.yaml"

# pydantic reads this per class: a misspelt key in YAML is an error, not ignored.
_FORBID_EXTRA: Any = {"extra": "forbid"}

T = TypeVar("T")


@dataclass(frozen=True)
class Onset:
    """When an injection starts to act (days after it): the prior before the diary speaks."""

    __pydantic_config__ = _FORBID_EXTRA

    mean_days: float
    sd_days: float
    between_cycles_sd_days: float
    max_days: int
    reasoning: str
    sources: tuple[str, ...] = ()
    in_house: bool = False


@dataclass(frozen=True)
class Duration:
    """Days from an injection to its wear-off (mean, uncertainty, spread) and the climb back.

    The wear-off is the middle of the climb back.
    """

    __pydantic_config__ = _FORBID_EXTRA

    mean_days: float
    sd_of_mean_days: float
    between_cycles_sd_days: float
    max_days: int
    climb_days: int
    climb_choices_days: tuple[int, ...]
    interval_likelihood_power: tuple[float, float]
    reasoning: str
    sources: tuple[str, ...] = ()
    in_house: bool = False


@dataclass(frozen=True)
class Relief:
    """What counts as a response, and how sure the diary must be to say so."""

    __pydantic_config__ = _FORBID_EXTRA

    responded_below_share: float
    deepest_share: float
    prior_probability: float
    decide_probability: float
    beyond_wander_sd: float
    wander_window_days: int
    reasoning: str
    sources: tuple[str, ...] = ()
    in_house: bool = False


@dataclass(frozen=True)
class ReportedDates:
    """How far a person's own onset and wear-off dates may lie from the truth."""

    __pydantic_config__ = _FORBID_EXTRA

    onset_sd_days: float
    wear_off_sd_days: float
    wear_off_bias_sd_days: float
    wrong_share: float
    onset_window_days: int
    reasoning: str
    sources: tuple[str, ...] = ()
    in_house: bool = False


@dataclass(frozen=True)
class Baseline:
    """How the untreated level is estimated from untreated days, and how many are needed."""

    __pydantic_config__ = _FORBID_EXTRA

    bandwidth_days: float
    prior_days: float
    min_untreated_days: int
    reasoning: str
    sources: tuple[str, ...] = ()
    in_house: bool = False


@dataclass(frozen=True)
class NextDue:
    """The interval used for "next due" when no wear-off has been seen."""

    __pydantic_config__ = _FORBID_EXTRA

    typical_interval_weeks: int
    reasoning: str
    sources: tuple[str, ...] = ()
    in_house: bool = False


@dataclass(frozen=True)
class CyclePriors:
    """Everything `data/cycles.yaml` says."""

    __pydantic_config__ = _FORBID_EXTRA

    onset: Onset
    duration: Duration
    relief: Relief
    reported_dates: ReportedDates
    baseline: Baseline
    next_due: NextDue


@dataclass(frozen=True)
class Option:
    """One answer to a rating item: its score and its words."""

    __pydantic_config__ = _FORBID_EXTRA

    score: int
    wording: str


@dataclass(frozen=True)
class Item:
    """One question of a rating scale; `not_applicable` words the "I don't do this" answer."""

    __pydantic_config__ = _FORBID_EXTRA

    id: str
    question: str
    options: tuple[Option, ...]
    sources: tuple[str, ...]
    not_applicable: str | None = None

    @property
    def scores(self) -> tuple[int, ...]:
        """The scores an answer may have."""
        return tuple(option.score for option in self.options)


@dataclass(frozen=True)
class Scale:
    """A rating scale: validated (published wording) or facespasm's own (`validated: false`).

    `total` is the sum of the items or the mean of those answered. A minimal clinically important
    change is given only where a study established one.
    """

    __pydantic_config__ = _FORBID_EXTRA

    id: str
    name: str
    short_name: str
    validated: bool
    applies_to: tuple[str, ...]
    instructions: str
    total: Literal["sum", "mean"]
    licence: str
    sources: tuple[str, ...]
    items: tuple[Item, ...]
    note: str | None = None
    minimal_important_change: float | None = None
    minimal_important_change_sources: tuple[str, ...] = ()

    @property
    def maximum(self) -> float:
        """The highest total the scale can give."""
        tops = [max(item.scores) for item in self.items]
        return float(sum(tops)) if self.total == "sum" else float(max(tops))

    def item(self, item_id: str) -> Item:
        """The item with this id (KeyError if there is none)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)


@dataclass(frozen=True)
class GradeTest:
    """A test of one answer: `equals` a value, or a list that `includes_any` of some values."""

    __pydantic_config__ = _FORBID_EXTRA

    finding: str
    equals: bool | str | None = None
    includes_any: tuple[str, ...] | None = None


@dataclass(frozen=True)
class GradeLevel:
    """One level of a grade and when it applies (any of the tests holds)."""

    __pydantic_config__ = _FORBID_EXTRA

    grade: int
    numeral: str
    wording: str
    when_any: tuple[GradeTest, ...]


@dataclass(frozen=True)
class GradeQuestion:
    """A question a grade needs that the assessment does not ask."""

    __pydantic_config__ = _FORBID_EXTRA

    id: str
    question: str


@dataclass(frozen=True)
class Grade:
    """A grade derived from answers (the highest level that holds), e.g. the SMC grade of HFS."""

    __pydantic_config__ = _FORBID_EXTRA

    id: str
    name: str
    short_name: str
    applies_to: tuple[str, ...]
    sources: tuple[str, ...]
    levels: tuple[GradeLevel, ...]
    questions: tuple[GradeQuestion, ...] = ()


@dataclass(frozen=True)
class Reminder:
    """How often a rating may be due: the person's choice within these bounds."""

    __pydantic_config__ = _FORBID_EXTRA

    min_days: int
    max_days: int
    default_days: int
    reasoning: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Trend:
    """How a rating trend is read against injections."""

    __pydantic_config__ = _FORBID_EXTRA

    before_days: int
    reasoning: str
    sources: tuple[str, ...] = ()
    in_house: bool = False


@dataclass(frozen=True)
class RatingScales:
    """Everything `data/ratings.yaml` says."""

    __pydantic_config__ = _FORBID_EXTRA

    reminder: Reminder
    trend: Trend
    scales: tuple[Scale, ...]
    grades: tuple[Grade, ...]

    def scale(self, scale_id: str) -> Scale:
        """The scale with this id (KeyError if there is none)."""
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(scale_id)

    def grade(self, grade_id: str) -> Grade:
        """The grade with this id (KeyError if there is none)."""
        for grade in self.grades:
            if grade.id == grade_id:
                return grade
        raise KeyError(grade_id)


@dataclass(frozen=True)
class DiaryKnowledge:
    """The diary's reviewed data, validated, with a version (a hash of both files)."""

    cycles: CyclePriors
    ratings: RatingScales
    version: str


@functools.cache
def load_diary_knowledge(directory: Path | None = None) -> DiaryKnowledge:
    """Load and validate `cycles.yaml` and `ratings.yaml` (the packaged ones unless given).

    Args:
        directory: A folder holding both files; None: the packaged data.

    Returns:
        The validated data.

    Raises:
        KnowledgeError: A file is missing, is not valid YAML, or has an entry that does not fit
            the schema or cites a source, cause or finding that does not exist.
    """
    directory = DATA_DIR if directory is None else directory
    texts = {name: _read(directory / name) for name in (CYCLES_FILE, RATINGS_FILE)}
    version = hashlib.sha256(b"".join(texts.values())).hexdigest()[:12]
    code = code_fingerprint(Path(__file__).parent)
    name = "diary-knowledge-" + hashlib.sha256(version.encode() + code).hexdigest()[:24]
    cached = read_cached(name, DiaryKnowledge)
    if cached is not None and cached.version == version:
        return cached
    loaded = DiaryKnowledge(
        cycles=_validate(CYCLES_FILE, texts[CYCLES_FILE], CyclePriors),
        ratings=_validate(RATINGS_FILE, texts[RATINGS_FILE], RatingScales),
        version=version,
    )
    _check(loaded)
    write_cached(name, loaded)
    return loaded


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise KnowledgeError(f"{path.name}: cannot read the file ({error.strerror})") from None


def _validate(file_name: str, text: bytes, kind: type[T]) -> T:
    # pydantic and the YAML parser are imported only here, when the files must be validated.
    from pydantic import TypeAdapter, ValidationError

    from facespasm.reviewed_yaml import first_problem, parse_sections

    document = parse_sections(file_name, text)
    try:
        return TypeAdapter(kind).validate_python(document)
    except ValidationError as error:
        raise KnowledgeError(f"{file_name}, {first_problem(error)}") from None


def _check(loaded: DiaryKnowledge) -> None:
    """Raise KnowledgeError for the first entry whose meaning is wrong."""
    from facespasm.knowledge import load_knowledge

    knowledge = load_knowledge()
    sources = set(knowledge.sources)
    causes = set(knowledge.cause_ids)
    _check_cycles(loaded.cycles, sources)
    _check_ratings(loaded.ratings, sources, causes, knowledge.findings)


def _fail(file_name: str, entry: str, message: str) -> None:
    raise KnowledgeError(f"{file_name}, {entry}: {message}")


def _cite(file_name: str, entry: str, cited: Iterable[str], sources: set[str]) -> None:
    for source in cited:
        if source not in sources:
            _fail(file_name, entry, f"cites unknown source '{source}'")


def _check_cycles(priors: CyclePriors, sources: set[str]) -> None:
    sections: dict[str, Any] = {
        "onset": priors.onset,
        "duration": priors.duration,
        "relief": priors.relief,
        "reported_dates": priors.reported_dates,
        "baseline": priors.baseline,
        "next_due": priors.next_due,
    }
    for name, section in sections.items():
        _cite(CYCLES_FILE, name, section.sources, sources)
        if not section.sources and not section.in_house:
            _fail(CYCLES_FILE, name, "cites no source (say `in_house: true` if it is our choice)")
    onset, duration, relief = priors.onset, priors.duration, priors.relief
    rules = [
        ("onset", 0 < onset.mean_days < onset.max_days, "mean_days must lie in (0, max_days)"),
        ("onset", onset.sd_days > 0 and onset.between_cycles_sd_days > 0, "spreads must be > 0"),
        (
            "duration",
            onset.max_days < duration.mean_days < duration.max_days,
            "mean_days must lie between the onset's max_days and max_days",
        ),
        (
            "duration",
            duration.sd_of_mean_days > 0 and duration.between_cycles_sd_days > 0,
            "spreads must be > 0",
        ),
        (
            "duration",
            duration.climb_days >= 2 and duration.climb_days % 2 == 0,
            "climb_days must be an even number, at least 2",
        ),
        (
            "duration",
            all(c >= 2 and c % 2 == 0 for c in duration.climb_choices_days),
            "climb_choices_days must be even numbers, at least 2",
        ),
        (
            "duration",
            0 < duration.interval_likelihood_power[0] <= duration.interval_likelihood_power[1] <= 1,
            "interval_likelihood_power must be [least, most] within (0, 1]",
        ),
        (
            "relief",
            0 < relief.deepest_share < relief.responded_below_share < 1,
            "need 0 < deepest_share < responded_below_share < 1",
        ),
        ("relief", 0 < relief.prior_probability < 1, "prior_probability must lie in (0, 1)"),
        ("relief", 0.5 < relief.decide_probability < 1, "decide_probability must lie in (0.5, 1)"),
        (
            "relief",
            relief.beyond_wander_sd >= 0 and relief.wander_window_days >= 7,
            "need beyond_wander_sd >= 0 and wander_window_days >= 7",
        ),
        (
            "reported_dates",
            priors.reported_dates.onset_sd_days > 0
            and priors.reported_dates.wear_off_sd_days > 0
            and priors.reported_dates.wear_off_bias_sd_days > 0,
            "spreads must be > 0",
        ),
        (
            "reported_dates",
            0 < priors.reported_dates.wrong_share < 1,
            "wrong_share must lie in (0, 1)",
        ),
        (
            "reported_dates",
            priors.reported_dates.onset_window_days >= onset.max_days,
            "onset_window_days must be at least the onset's max_days",
        ),
        ("baseline", priors.baseline.bandwidth_days > 0, "bandwidth_days must be > 0"),
        ("baseline", priors.baseline.prior_days > 0, "prior_days must be > 0"),
        ("next_due", priors.next_due.typical_interval_weeks > 0, "the interval must be > 0"),
    ]
    for section_name, ok, message in rules:
        if not ok:
            _fail(CYCLES_FILE, section_name, message)


def _check_ratings(
    ratings: RatingScales, sources: set[str], causes: set[str], findings: dict[str, Any]
) -> None:
    reminder = ratings.reminder
    _cite(RATINGS_FILE, "reminder", reminder.sources, sources)
    if not 1 <= reminder.min_days <= reminder.default_days <= reminder.max_days:
        _fail(RATINGS_FILE, "reminder", "need 1 <= min_days <= default_days <= max_days")
    trend = ratings.trend
    _cite(RATINGS_FILE, "trend", trend.sources, sources)
    if not trend.sources and not trend.in_house:
        _fail(RATINGS_FILE, "trend", "cites no source (say `in_house: true` if it is our choice)")
    if trend.before_days < 0:
        _fail(RATINGS_FILE, "trend", "before_days must be >= 0")
    _unique(RATINGS_FILE, "scales", [s.id for s in ratings.scales] + [g.id for g in ratings.grades])
    for scale in ratings.scales:
        _check_scale(scale, sources, causes)
    for grade in ratings.grades:
        _check_grade(grade, sources, causes, findings)


def _check_scale(scale: Scale, sources: set[str], causes: set[str]) -> None:
    entry = f"scale '{scale.id}'"
    _cite(RATINGS_FILE, entry, (*scale.sources, *scale.minimal_important_change_sources), sources)
    if not scale.sources:
        _fail(RATINGS_FILE, entry, "cites no source")
    for cause in scale.applies_to:
        if cause not in causes:
            _fail(RATINGS_FILE, entry, f"applies to unknown cause '{cause}'")
    if scale.minimal_important_change is not None:
        if not scale.validated:
            _fail(RATINGS_FILE, entry, "an in-house scale has no established important change")
        if not scale.minimal_important_change_sources:
            _fail(RATINGS_FILE, entry, "the minimal important change cites no source")
    if not scale.validated and not scale.note:
        _fail(RATINGS_FILE, entry, "an in-house scale needs a `note` saying it is not validated")
    if not scale.items:
        _fail(RATINGS_FILE, entry, "has no items")
    _unique(RATINGS_FILE, entry, [item.id for item in scale.items])
    for item in scale.items:
        where = f"{entry}, item '{item.id}'"
        _cite(RATINGS_FILE, where, item.sources, sources)
        if not item.sources:
            _fail(RATINGS_FILE, where, "cites no source for its wording")
        if list(item.scores) != list(range(len(item.options))):
            _fail(RATINGS_FILE, where, "scores must run 0, 1, 2, ... in order")
        if scale.total == "sum" and item.not_applicable is not None:
            _fail(RATINGS_FILE, where, "a summed scale cannot skip an item")


def _check_grade(
    grade: Grade, sources: set[str], causes: set[str], findings: dict[str, Any]
) -> None:
    entry = f"grade '{grade.id}'"
    _cite(RATINGS_FILE, entry, grade.sources, sources)
    if not grade.sources:
        _fail(RATINGS_FILE, entry, "cites no source")
    for cause in grade.applies_to:
        if cause not in causes:
            _fail(RATINGS_FILE, entry, f"applies to unknown cause '{cause}'")
    if [level.grade for level in grade.levels] != list(range(1, len(grade.levels) + 1)):
        _fail(RATINGS_FILE, entry, "levels must be graded 1, 2, 3, ... in order")
    own = {question.id for question in grade.questions}
    for level in grade.levels:
        for test in level.when_any:
            where = f"{entry}, level {level.numeral}"
            if test.finding not in findings and test.finding not in own:
                _fail(RATINGS_FILE, where, f"tests unknown finding '{test.finding}'")
            if (test.equals is None) == (test.includes_any is None):
                _fail(RATINGS_FILE, where, "give exactly one of `equals` and `includes_any`")
            choices = {c.value for c in getattr(findings.get(test.finding), "choices", ())}
            for value in test.includes_any or ():
                if choices and value not in choices:
                    _fail(RATINGS_FILE, where, f"'{value}' is not a value of '{test.finding}'")


def _unique(file_name: str, entry: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            _fail(file_name, entry, f"the id '{item_id}' is used twice")
        seen.add(item_id)
