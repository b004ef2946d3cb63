"""How long it has been going on: time expressions in days, counted back from `today`.

Three shapes cover what people write (the words are all in lexicon.yaml `durations`):

- an amount of time: "three weeks", "2-3 weeks" (the longer end: a doctor should hear of it
  sooner rather than later), "a couple of months", "half a year", "a year and a half", "for
  months" (a vague plural counts as a fixed amount: months 60, years 730);
- a point in time: "since Monday", "since last Friday", "since March", "since Christmas",
  "since 2019", "yesterday", "last week" -- days from then to `today`;
- none of the look-alikes: a rate ("twice a day", "3 days a week", "8 hours a day"), an age
  ("52 years old"), or hours and minutes without "ago" (how long one spasm lasts).

"Last Friday" is the latest Friday before today, except that "last Monday" said on a Tuesday
means the week before (yesterday would be "yesterday"). A month or a season counts from its
first day; a named day (Christmas) from its latest date before today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import NamedTuple

from facespasm.language.schema import Durations
from facespasm.language.text import SOFT, Tokens

_FIRST_YEAR = 1900
_HYPHENS = frozenset("-\u2013\u2014")


class Duration(NamedTuple):
    """A time expression in words [first, end) and the days it means."""

    first: int
    end: int
    days: float


def find_durations(
    tokens: Tokens, spec: Durations, today: dt.date, skip: Collection[int] = ()
) -> list[Duration]:
    """Every time expression in the words, left to right; `skip` are words already used."""
    found: list[Duration] = []
    reader = _Reader(tokens, spec, today)
    i = 0
    while i < len(tokens.words):
        result = None if i in skip else reader.at(i)
        if result is None or any(k in skip for k in range(result.first, result.end)):
            i += 1
            continue
        found.append(result)
        i = result.end
    return found


class _Reader:
    """The parsers for one description; each returns a Duration starting at word i, or None."""

    def __init__(self, tokens: Tokens, spec: Durations, today: dt.date) -> None:
        self.tokens = tokens
        self.words = tokens.words
        self.spec = spec
        self.today = today

    def word(self, i: int) -> str:
        return self.words[i] if 0 <= i < len(self.words) else ""

    def same_segment(self, i: int, j: int) -> bool:
        """Words i and j (i < j) are in one clause, with nothing stronger than a comma between."""
        return j < len(self.words) and self.tokens.segment_ends[i] > j

    def at(self, i: int) -> Duration | None:
        word = self.words[i]
        spec = self.spec
        if word in spec.since:
            found = self.point(i + 1, after_since=True)
            if found is not None:
                return Duration(i, found[0], found[1])
        if word in spec.last and i + 1 < len(self.words):
            unit = spec.units.get(self.words[i + 1])
            if unit is not None and self.words[i + 1] not in spec.vague:
                return Duration(i, i + 2, unit)  # "last week", "the past month"
        return self.amount(i) or self.vague(i) or self.bare_point(i)

    # -- amounts -----------------------------------------------------------------------------

    def amount(self, i: int) -> Duration | None:
        spec = self.spec
        quantity = self.quantity(i)
        if quantity is None:
            return None
        value, j, article = quantity
        unit_word = self.word(j)
        short = unit_word in spec.short_units
        unit = spec.short_units[unit_word] if short else spec.units.get(unit_word)
        if unit is None or not self.same_segment(i, j):
            return None
        days, end = value * unit, j + 1
        if self.phrase_at(end, spec.and_a_half):
            days, end = days + 0.5 * unit, end + len(spec.and_a_half.split())
        ago = self.word(end) in spec.ago
        if self.not_a_duration(i, end, ago=ago, short=short, article=article):
            return None
        return Duration(i, end + 1 if ago else end, days)

    def not_a_duration(self, i: int, end: int, *, ago: bool, short: bool, article: bool) -> bool:
        """Whether the amount of time ending at word `end` is no duration of the twitching.

        It is an age ("52 years old"), a rate ("3 days a week", "twice a day") or how long one
        spasm lasts ("a few seconds").
        """
        spec = self.spec
        following = self.word(end)
        return (
            following in spec.not_before
            or (
                following in spec.rate_after
                and self.tokens.breaks[end] < SOFT  # "a month, every day" is two statements
                and (self.word(end + 1) in spec.units or self.word(end + 1) in spec.short_units)
            )
            or (self.word(i - 1) in spec.rate_before and self.tokens.breaks[i] < SOFT)
            or (short and not ago)
            or (article and not (ago or self.article_fits(i)))
        )

    def quantity(self, i: int) -> tuple[float, int, bool] | None:
        """A number of units at word i: (value, index after it, whether it is just "a")."""
        spec = self.spec
        best: tuple[float, int, bool] | None = None
        for phrase, value in spec.quantities.items():
            if self.phrase_at(i, phrase):
                length = len(phrase.split())
                if best is None or i + length > best[1]:
                    best = (value, i + length, phrase in ("a", "an"))
        number = self.tokens.numbers[i]
        if number is not None:
            j = i + self.tokens.number_lengths[i]
            if best is None or j >= best[1]:
                best = (number, j, False)
        if best is None:
            return None
        value, j, article = best
        # A range: "2-3 weeks", "2 or 3 weeks", "two to three months" -> the longer end.
        numbers, lengths = self.tokens.numbers, self.tokens.number_lengths
        if self.word(j) in spec.ranges and j + 1 < len(self.words):
            upper = numbers[j + 1]
            if upper is not None:
                value, j, article = max(value, upper), j + 1 + lengths[j + 1], False
        elif not article and j < len(self.words) and self.joined(j):
            upper = numbers[j]
            if upper is not None:
                value, j = max(value, upper), j + lengths[j]
        return value, j, article

    def joined(self, j: int) -> bool:
        """Whether word j follows the one before it across only a hyphen ("2-3")."""
        between = self.tokens.text[self.tokens.ends[j - 1] : self.tokens.starts[j]]
        return between in _HYPHENS

    def article_fits(self, i: int) -> bool:
        """Whether "a week" here is a duration ("for a week") rather than a rate ("... a week")."""
        before = self.word(i - 1)
        return i == 0 or self.tokens.breaks[i] >= SOFT or before in self.spec.a_after

    def vague(self, i: int) -> Duration | None:
        days = self.spec.vague.get(self.words[i])
        if days is None or self.word(i - 1) not in self.spec.vague_after:
            return None
        return Duration(i, i + 1, days)  # "for months", "on and off for years"

    # -- points in time ----------------------------------------------------------------------

    def bare_point(self, i: int) -> Duration | None:
        """A point in time without "since": "yesterday", "last Friday", "started in March"."""
        spec = self.spec
        word = self.words[i]
        after = self.word(i - 1)
        for phrase, days in spec.relative_days.items():
            if self.phrase_at(i, phrase) and (days >= 1 or after in spec.weekday_after):
                return Duration(i, i + len(phrase.split()), days)
        if word in spec.last and self.word(i + 1) in spec.seasons:  # "last spring"
            return Duration(
                i, i + 2, self.since_date(spec.seasons[self.words[i + 1]], 1, strictly=False)
            )
        if word in spec.last and self.word(i + 1) in spec.weekdays:
            days = self.weekday(spec.weekdays[self.words[i + 1]], last=True)
            return Duration(i, i + 2, days)
        if word in spec.weekdays and after in spec.weekday_after:
            return Duration(i, i + 1, self.weekday(spec.weekdays[word], last=False))
        if after in spec.month_after:
            found = self.point(i, after_since=False)
            if found is not None:
                return Duration(i, found[0], found[1])
        return None

    def point(self, i: int, *, after_since: bool) -> tuple[int, float] | None:
        """A point in time at word i, as (index after it, days since)."""
        spec = self.spec
        if self.word(i) in self.spec.articles:
            i += 1
        if after_since:
            found = self.day(i)
            if found is not None:
                return found
        for phrase, (month, day) in spec.dates.items():
            if self.phrase_at(i, phrase):
                return (i + len(phrase.split()), self.since_date(month, day, strictly=True))
        if self.word(i) in spec.seasons:
            return (i + 1, self.since_date(spec.seasons[self.word(i)], 1, strictly=False))
        return self.month_or_year(i)

    def day(self, i: int) -> tuple[int, float] | None:
        """A day after "since": "yesterday", "last Friday", "Monday", "last week"."""
        spec = self.spec
        word = self.word(i)
        for phrase, days in spec.relative_days.items():
            if self.phrase_at(i, phrase):
                return (i + len(phrase.split()), days)
        following = self.word(i + 1)
        if word in spec.last and following in spec.weekdays:
            return (i + 2, self.weekday(spec.weekdays[following], last=True))
        if word in spec.last and following in spec.units and following not in spec.vague:
            return (i + 2, spec.units[following])
        if word in spec.weekdays:
            return (i + 1, self.weekday(spec.weekdays[word], last=False))
        return None

    def month_or_year(self, i: int) -> tuple[int, float] | None:
        spec = self.spec
        word = self.word(i)
        number = self.tokens.numbers[i] if i < len(self.words) else None
        if word in spec.months:
            day = 1
            following = self.tokens.numbers[i + 1] if i + 1 < len(self.words) else None
            end = i + 1
            if following is not None and 1 <= following <= 31 and following == int(following):
                day, end = int(following), i + 2  # "March 3"
                if self.word(end) in spec.ordinals:
                    end += 1
            return (end, self.since_date(spec.months[word], day, strictly=False))
        if number is not None and 1 <= number <= 31 and number == int(number):
            j = i + 1
            if self.word(j) in spec.ordinals:
                j += 1
            if self.word(j) in spec.of:
                j += 1
            if self.word(j) in spec.months:  # "3 March", "the 3rd of March"
                month = spec.months[self.word(j)]
                return (j + 1, self.since_date(month, int(number), strictly=False))
        if number is not None and word.isdigit() and _FIRST_YEAR <= number <= self.today.year:
            return (i + 1, float((self.today - dt.date(int(number), 1, 1)).days))  # "2019"
        return None

    def weekday(self, weekday: int, *, last: bool) -> float:
        back = (self.today.weekday() - weekday) % 7 or 7
        if last and back == 1:
            back += 7  # "last Monday" said on a Tuesday is the week before
        return float(back)

    def since_date(self, month: int, day: int, *, strictly: bool) -> float:
        year = self.today.year
        when = _date(year, month, day)
        if when > self.today or (strictly and when == self.today):
            when = _date(year - 1, month, day)
        return float((self.today - when).days)

    def phrase_at(self, i: int, phrase: str) -> bool:
        parts = phrase.split()
        return tuple(self.words[i : i + len(parts)]) == tuple(parts) and (
            len(parts) == 1 or self.same_segment(i, i + len(parts) - 1)
        )


def _date(year: int, month: int, day: int) -> dt.date:
    """The date, or the month's last day where the day does not exist (30 February)."""
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:
            day -= 1
