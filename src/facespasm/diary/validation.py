"""Each record checked whole before it is written: its values (`bounds`) and how they fit together.

Every way into the diary ends in the `Diary`, which calls these first, so an error names the
field ("units_right: ...", "reported_onset: ...") and never a database constraint; the
database's CHECK constraints stay as a second line.

Decisions on treatments, as clinics record them:
- Units by side and by site are a botulinum toxin's, and so are the person's own onset and
  wear-off dates; `until` (the last day taken) is a medicine's. A field that does not belong to
  the kind is refused rather than kept unread.
- The parts may not add up to more than the total: units by side together, and units by site
  together, at most `dose_units` when that is given (a clinic may list only some sites). A
  one-sided injection has no units on the other side.
- Dates follow the treatment: `until`, `reported_onset` and `reported_wear_off` on or after
  its date, the wear-off on or after the onset.
- A site is named in 1 to `MAX_SITE_LENGTH` characters of one line (the same site may come
  twice: two points of one muscle); at most `MAX_SITES` sites (a blepharospasm or hemifacial
  spasm session injects 4-12).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from facespasm.diary.bounds import (
    MAX_DOSE_UNITS,
    MAX_EPISODE_SECONDS,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_SEVERITY,
    check_date,
    check_text,
    number_problem,
    value_problem,
)
from facespasm.diary.records import (
    FACTORS,
    REGIONS,
    SIDES,
    TREATMENT_KINDS,
    Day,
    Episode,
    Rating,
    Region,
    Treatment,
)
from facespasm.errors import InputError

DAY_VALUES = ("episodes", *FACTORS)
MAX_SITES = 40
MAX_SITE_LENGTH = 100
# Rating scales and their items are named by ids of the knowledge base's kind.
RATING_ID_PATTERN = "^[a-z][a-z0-9_]{0,39}$"
MAX_RATING_ITEMS = 50
MAX_RATING_ANSWER = 100
MAX_RATING_SCORE = 1_000
# Sums of parts may exceed the total by rounding alone.
_ROUNDING = 1e-9
_RATING_ID = re.compile(RATING_ID_PATTERN)
_TOXIN_ONLY = ("units_left", "units_right", "sites", "reported_onset", "reported_wear_off")


def check_day(day: Day) -> None:
    """Refuse a day whose date or values the diary does not accept.

    Args:
        day: The day.

    Raises:
        InputError: A date outside the diary's range, or a value out of range, naming the date
            and the field.
    """
    _check_plain_date(day.date, "a day's date")
    check_date(day.date, "date")
    for name in DAY_VALUES:
        value = getattr(day, name)
        problem = None if value is None else value_problem(name, value)
        if problem:
            raise InputError(f"{day.date.isoformat()}, {name}: {problem}")
    check_text(day.note, "note", max_length=MAX_NOTE_LENGTH, line_breaks=True)


def episode_regions(regions: Iterable[object]) -> tuple[Region, ...]:
    """The regions of an episode, each once, in anatomical order (top to bottom).

    Args:
        regions: The regions as given (any iterable of names; case and spaces forgiven).

    Returns:
        The regions in the order of `REGIONS`.

    Raises:
        InputError: An unknown region, or none.
    """
    given = {region.strip().lower() if isinstance(region, str) else region for region in regions}
    unknown = sorted(str(region)[:20] for region in given - set(REGIONS))
    if unknown:
        raise InputError(f"unknown region {unknown[0]!r} (one of {', '.join(REGIONS)})")
    if not given:
        raise InputError("give at least one region (eyelid, brow, cheek, mouth, neck)")
    return tuple(region for region in REGIONS if region in given)


def check_episode(episode: Episode) -> None:
    """Refuse an episode the diary does not accept (its time is checked by `local_instant`).

    Args:
        episode: The episode, its regions already in order (`episode_regions`).

    Raises:
        InputError: An unknown side or region, a severity or duration out of range, a note that
            cannot be stored.
    """
    if episode.side not in SIDES:
        raise InputError(f"side must be left, right or both, not {str(episode.side)[:20]!r}")
    if episode_regions(episode.regions) != episode.regions:
        raise InputError("regions must be given each once, in the order of REGIONS")
    if episode.severity is not None:
        problem = number_problem(episode.severity, 0, MAX_SEVERITY, whole=True)
        if problem or not isinstance(episode.severity, int):
            shown = problem or f"{episode.severity!r} is not a whole number"
            raise InputError(f"severity must be a whole number from 0 to 10: {shown}")
    if episode.duration_s is not None:
        problem = number_problem(episode.duration_s, 0, MAX_EPISODE_SECONDS, unit=" seconds")
        if problem:
            raise InputError(f"duration: {problem}")
    check_text(episode.note, "note", max_length=MAX_NOTE_LENGTH, line_breaks=True)


def check_treatment(treatment: Treatment) -> None:
    """Refuse a treatment the diary does not accept, or whose parts do not fit together.

    Args:
        treatment: The treatment.

    Raises:
        InputError: A date outside the diary's range, an unknown kind or side, units out of range
            or adding up to more than the total, a field that does not belong to the kind, a
            date before the treatment's, or a name, note or site that cannot be stored.
    """
    _check_plain_date(treatment.date, "a treatment's date")
    check_date(treatment.date, "treatment date")
    if treatment.kind not in TREATMENT_KINDS:
        raise InputError(f"treatment kind must be one of {', '.join(TREATMENT_KINDS)}")
    if treatment.side is not None and treatment.side not in SIDES:
        raise InputError(f"side must be left, right or both, not {str(treatment.side)[:20]!r}")
    for name in ("dose_units", "units_left", "units_right"):
        value = getattr(treatment, name)
        problem = None if value is None else number_problem(value, 0, MAX_DOSE_UNITS, unit=" units")
        if problem:
            raise InputError(f"{'dose' if name == 'dose_units' else name}: {problem}")
    check_text(treatment.name, "name", max_length=MAX_NAME_LENGTH, line_breaks=False)
    check_text(treatment.note, "note", max_length=MAX_NOTE_LENGTH, line_breaks=True)
    _check_sites(treatment.sites)
    _check_belongs_to_kind(treatment)
    _check_sides(treatment)
    _check_parts(treatment)
    _check_later_dates(treatment)


def _check_sites(sites: object) -> None:
    if not isinstance(sites, tuple):
        raise InputError(f"sites must be (site, units) pairs, not {type(sites).__name__}")
    if len(sites) > MAX_SITES:
        raise InputError(f"sites: {len(sites)} is too many (at most {MAX_SITES})")
    for number, pair in enumerate(sites, start=1):
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InputError(f"site {number} must be a (site, units) pair")
        site, units = pair
        if not isinstance(site, str) or not site:
            raise InputError(f"site {number}: name the site")
        check_text(site, f"site {number}", max_length=MAX_SITE_LENGTH, line_breaks=False)
        problem = number_problem(units, 0, MAX_DOSE_UNITS, unit=" units")
        if problem:
            raise InputError(f"site {number} ({site[:40]}): {problem}")


def _check_belongs_to_kind(treatment: Treatment) -> None:
    if treatment.kind != "botulinum_toxin":
        for name in _TOXIN_ONLY:
            if getattr(treatment, name) not in (None, ()):
                raise InputError(f"{name} is recorded for botulinum toxin, not {treatment.kind}")
    if treatment.kind != "medication" and treatment.until is not None:
        raise InputError(f"until (the last day taken) is for a medicine, not {treatment.kind}")


def _check_sides(treatment: Treatment) -> None:
    other = {"left": "units_right", "right": "units_left"}.get(str(treatment.side))
    if other is not None and getattr(treatment, other):
        raise InputError(f"{other}: the injection was on the {treatment.side} side only")


def _check_parts(treatment: Treatment) -> None:
    total = treatment.dose_units
    if total is None:
        return
    by_side = (treatment.units_left or 0) + (treatment.units_right or 0)
    if by_side > total + _ROUNDING:
        raise InputError(
            f"units_left and units_right add up to {by_side:g}, more than the dose of {total:g}"
        )
    by_site = sum(units for _, units in treatment.sites)
    if by_site > total + _ROUNDING:
        raise InputError(f"the sites add up to {by_site:g} units, more than the dose of {total:g}")


def _check_later_dates(treatment: Treatment) -> None:
    for name in ("until", "reported_onset", "reported_wear_off"):
        value = getattr(treatment, name)
        if value is None:
            continue
        _check_plain_date(value, name)
        check_date(value, name)
        if value < treatment.date:
            raise InputError(
                f"{name}: {value.isoformat()} is before the treatment "
                f"({treatment.date.isoformat()})"
            )
    onset, wear_off = treatment.reported_onset, treatment.reported_wear_off
    if onset is not None and wear_off is not None and wear_off < onset:
        raise InputError(
            f"reported_wear_off: {wear_off.isoformat()} is before the onset ({onset.isoformat()})"
        )


def check_rating(rating: Rating) -> None:
    """Refuse a rating the diary cannot keep (the scale's own rules are the knowledge base's).

    Args:
        rating: The rating.

    Raises:
        InputError: A date outside the range, a scale or item that is not an id, an item
            answered twice, an answer or score out of range, a note that cannot be stored.
    """
    _check_plain_date(rating.date, "a rating's date")
    check_date(rating.date, "rating date")
    _check_id(rating.scale, "scale")
    if not isinstance(rating.answers, tuple) or len(rating.answers) > MAX_RATING_ITEMS:
        raise InputError(f"answers must be at most {MAX_RATING_ITEMS} (item, answer) pairs")
    seen: set[str] = set()
    for pair in rating.answers:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InputError("each answer must be an (item, answer) pair")
        item, answer = pair
        _check_id(item, "item")
        if item in seen:
            raise InputError(f"item {item!r} is answered twice")
        seen.add(item)
        problem = number_problem(answer, 0, MAX_RATING_ANSWER, whole=True)
        if problem or not isinstance(answer, int):
            raise InputError(f"{item}: {problem or f'{answer!r} is not a whole number'}")
    problem = number_problem(rating.score, 0, MAX_RATING_SCORE)
    if problem:
        raise InputError(f"score: {problem}")
    check_text(rating.note, "note", max_length=MAX_NOTE_LENGTH, line_breaks=True)


def _check_id(value: Any, what: str) -> None:
    if not isinstance(value, str) or not _RATING_ID.fullmatch(value):
        shown = repr(value)[:42]
        raise InputError(f"{what} must be an id of lower-case letters, digits and _: {shown}")


def _check_plain_date(value: object, what: str) -> None:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InputError(f"{what} must be a date, not {type(value).__name__}")
