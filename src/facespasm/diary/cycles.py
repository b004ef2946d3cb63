"""Botulinum toxin cycles: did each injection work, when did it start and wear off, when next.

All of it is read from the whole diary at once.
Relief from botulinum toxin "typically lasts for three to four months before requiring a repeat
injection" (source article, treatments section), about 12 weeks on average (Toxins 2021;13:881),
and injections usually come every ~12 weeks, often while the last one still works (Fezza 2016).
The earlier rule compared 28 days before each injection with the days after it; with overlapping
cycles the "before" lay inside the previous injection's relief, and of three injections that each
cut twitching from 8 to 1.6 a day only the first was found to work (issue 12). Hence:

- **One model of the whole history** (`cycle_model`): an untreated baseline learnt from the
  untreated days wherever they are; each injection's onset, relief level and wear-off estimated
  jointly with every other's, by an exact change-point model whose onsets and durations are pooled
  over the person's cycles (a hierarchical model, Carlin, Gelfand & Smith 1992); the person's own
  "it started working" and "it is wearing off" dates count as data. Its priors and thresholds are
  reviewed data (`data/cycles.yaml`).
- **Responded** is decided against the untreated baseline: the posterior probability that the
  injection started relief of at least a fifth fewer twitches, "yes" at 90% or more, "no" at 10% or
  less, otherwise the diary cannot tell yet -- and never without at least 14 recorded untreated
  days outside the injection's own interval to compare with, nor when the relief is no deeper
  than the diary's own month-to-month wander of its untreated level (`relief.beyond_wander_sd`).
- **Wear-off**: the day the rate returned (the posterior median), with a 90% interval, when the
  diary shows it more likely than not; otherwise the next injection came first, or it still works.
  Its date and interval allow for climbs back of different lengths and for days that are not
  independent (`cycle_model`).
- **Next due**, for the latest injection only: its wear-off when the diary shows it; else the
  person's own typical duration once any cycle has shown one (conditioned on still working);
  else 12 weeks (`next_due.typical_interval_weeks`).

Validated on 400 simulated diaries with overlapping cycles, missing days and noise
(`bench/cycles.py`, figures in bench/RESULTS.md). Injections on one date (two sides recorded
apart) form one cycle; other treatments are ignored, and so are records dated outside the
diary's range (`bounds.analysable`).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace as _replace
from typing import Any, Literal

import numpy as np

from facespasm.diary.bounds import analysable
from facespasm.diary.cycle_model import HistoryFit, Injection, InjectionFit, fit_history
from facespasm.diary.records import Day, Treatment
from facespasm.diary.reviewed import CyclePriors, load_diary_knowledge

DueBasis = Literal["wear-off", "your cycles", "12 weeks"]
WearOffStatus = Literal["worn off", "next injection came first", "still working", "unknown"]
# The wear-off interval: the central 90% of the posterior.
INTERVAL = (0.05, 0.95)


@dataclass(frozen=True, slots=True)
class Cycle:
    """One botulinum toxin injection and what the diary shows about it.

    Attributes:
        injection: the injection date.
        side: the side(s) injected ("both" when several records on the date differ).
        dose_units: total units injected that day, when every record gave a dose.
        pre_rate: the untreated baseline (episodes a day) at the injection, learnt from the
            untreated days of the whole diary (None: too few untreated days to compare with).
        pre_days: recorded untreated days outside this injection's interval.
        post_rate: episodes a day while its relief was in force -- the trough -- or, when it did
            not clearly work, from its usual onset to the next injection (None: no such days).
        post_days: recorded days behind `post_rate`.
        responded: whether it clearly cut twitching by at least a fifth against the baseline
            (None: the diary cannot tell yet).
        response_probability: the model's probability that it did (None: nothing to compare).
        onset: when its relief most likely began, if it worked.
        wear_off: the day the rate had returned to the untreated level, if the diary shows it.
        wear_off_low: the start of the 90% interval of the wear-off.
        wear_off_high: its end.
        wear_off_status: "worn off", "next injection came first", "still working" or "unknown".
        reported_onset: the person's own "it started working" date, as recorded.
        reported_wear_off: the person's own "it is wearing off" date, as recorded.
        next_injection: the date of the next injection, if there was one.
        next_due: when the next injection is due (the latest injection only).
        next_due_basis: "wear-off", "your cycles" or "12 weeks" (the latest injection only).
        within_wander: its relief looked likely but no deeper than the diary's own month-to-month
            wander of the untreated level, so `responded` is None.
    """

    injection: dt.date
    side: str | None
    dose_units: float | None
    pre_rate: float | None
    pre_days: int
    post_rate: float | None
    post_days: int
    responded: bool | None
    response_probability: float | None
    onset: dt.date | None
    wear_off: dt.date | None
    wear_off_low: dt.date | None
    wear_off_high: dt.date | None
    wear_off_status: WearOffStatus
    reported_onset: dt.date | None
    reported_wear_off: dt.date | None
    next_injection: dt.date | None
    next_due: dt.date | None
    next_due_basis: DueBasis | None
    within_wander: bool = False

    @property
    def wear_off_days(self) -> int | None:
        """Days from the injection to the wear-off, if seen."""
        return None if self.wear_off is None else (self.wear_off - self.injection).days

    @property
    def onset_days(self) -> int | None:
        """Days from the injection to the onset of relief, if it worked."""
        return None if self.onset is None else (self.onset - self.injection).days

    @property
    def relief_share(self) -> float | None:
        """The share of twitches its relief took away (0.8: 80% fewer), if it worked."""
        if not self.responded or not self.pre_rate or self.post_rate is None:
            return None
        return 1.0 - self.post_rate / self.pre_rate

    def summary(self) -> str:
        """The cycle in plain language."""
        what = ", ".join(
            part
            for part in (
                self.side,
                None if self.dose_units is None else f"{self.dose_units:g} U",
            )
            if part
        )
        text = f"Injection on {self.injection.isoformat()}" + (f" ({what})" if what else "")
        text += ": " + self._effect() + "."
        if self.next_due is not None:
            basis = {
                "wear-off": "when the effect wore off",
                "your cycles": "when your injections usually wear off",
                "12 weeks": "12 weeks after, the typical duration of relief",
            }[self.next_due_basis or "12 weeks"]
            text += f" Next injection due: {self.next_due.isoformat()} ({basis})."
        return text

    def _effect(self) -> str:
        if self.pre_rate is None:
            return (
                "there are too few untreated days in the diary to compare with (before the "
                "first injection or after one wears off), so no baseline to tell whether it worked"
            )
        baseline = f"{self.pre_rate:.1f} twitches a day untreated ({self.pre_days} days)"
        if self.responded is None:
            if self.post_rate is None or self.response_probability is None:
                return f"{baseline}; too few diary days after it yet to tell how well it worked"
            if self.within_wander:
                return (
                    f"{baseline}, {self.post_rate:.1f} a day after it; a drop no larger than "
                    "your untreated twitching varies by itself from month to month, so the "
                    "diary cannot tell whether it worked"
                )
            return (
                f"{baseline}, {self.post_rate:.1f} a day after it; the diary cannot tell yet "
                f"whether it worked ({self.response_probability:.0%} likely)"
            )
        if self.responded is False:
            after = "" if self.post_rate is None else f", {self.post_rate:.1f} a day after it"
            return (
                f"{baseline}{after}; the diary shows no clear drop in twitching after this "
                "injection"
            )
        return self._relief(self.pre_rate)

    def _relief(self, baseline: float) -> str:
        share = self.relief_share or 0.0
        onset = "" if self.onset is None else f" from about {self.onset.isoformat()}"
        text = (
            f"it worked{onset}: {self.post_rate or 0.0:.1f} twitches a day against "
            f"{baseline:.1f} untreated ({share:.0%} fewer)"
        )
        if self.wear_off is not None and self.wear_off_low and self.wear_off_high:
            return text + (
                f"; it wore off around {self.wear_off.isoformat()} ({self.wear_off_days} days "
                f"after; between {self.wear_off_low.isoformat()} and "
                f"{self.wear_off_high.isoformat()})"
            )
        if self.wear_off_status == "next injection came first" and self.next_injection:
            return text + (
                f"; the next injection ({self.next_injection.isoformat()}) came while it was "
                "still working"
            )
        return text + "; the rate has not returned to the untreated level yet"

    def to_dict(self) -> dict[str, Any]:
        """The cycle as JSON-ready values (dates as ISO strings)."""
        return {
            "injection": self.injection.isoformat(),
            "side": self.side,
            "dose_units": self.dose_units,
            "pre_rate": self.pre_rate,
            "pre_days": self.pre_days,
            "post_rate": self.post_rate,
            "post_days": self.post_days,
            "responded": self.responded,
            "response_probability": self.response_probability,
            "relief_share": self.relief_share,
            "onset": _iso(self.onset),
            "onset_days": self.onset_days,
            "wear_off": _iso(self.wear_off),
            "wear_off_days": self.wear_off_days,
            "wear_off_low": _iso(self.wear_off_low),
            "wear_off_high": _iso(self.wear_off_high),
            "wear_off_status": self.wear_off_status,
            "reported_onset": _iso(self.reported_onset),
            "reported_wear_off": _iso(self.reported_wear_off),
            "next_injection": _iso(self.next_injection),
            "next_due": _iso(self.next_due),
            "next_due_basis": self.next_due_basis,
            "summary": self.summary(),
        }


def toxin_cycles(
    days: Sequence[Day],
    treatments: Sequence[Treatment],
    *,
    today: dt.date | None = None,
    priors: CyclePriors | None = None,
) -> list[Cycle]:
    """One `Cycle` per botulinum toxin injection date, oldest first.

    Days and treatments dated outside the diary's range (`bounds.analysable`: before 1900,
    more than a year ahead) are left out; `bounds.analysable(...).notes` says which.

    Args:
        days: the diary (days without an episode count are treated as not recorded).
        treatments: all treatments; only botulinum toxin injections are used, with their
            `reported_onset` and `reported_wear_off` dates.
        today: the date the diary's range is counted from (None: the machine's today).
        priors: the model's priors (None: the reviewed `data/cycles.yaml`).

    Returns:
        The cycles; empty when there was no injection.
    """
    priors = priors or load_diary_knowledge().cycles
    usable = analysable(days, treatments, today=today)
    sessions: dict[dt.date, list[Treatment]] = {}
    for treatment in usable.treatments:
        if treatment.kind == "botulinum_toxin":
            sessions.setdefault(treatment.date, []).append(treatment)
    dates = sorted(sessions)
    if not dates:
        return []
    episodes = {d.date: float(d.episodes) for d in usable.days if d.episodes is not None}
    start = min(dates[0], min(episodes, default=dates[0]))
    end = max(dates[-1], max(episodes, default=dates[-1]))
    counts = np.full((end - start).days + 1, np.nan)
    for date, count in episodes.items():
        counts[(date - start).days] = count
    injections = [_injection(start, date, sessions[date]) for date in dates]
    fit = fit_history(counts, injections, priors) if episodes else None
    reading = _Reading(start, counts, fit, priors, dates)
    cycles = [reading.cycle(k, sessions[date]) for k, date in enumerate(dates)]
    cycles[-1] = reading.with_next_due(cycles[-1], cycles[:-1])
    return cycles


@dataclass(frozen=True)
class _Reading:
    """Turns the model's fit into cycles: decisions, dates and rates."""

    start: dt.date
    counts: np.ndarray[Any, np.dtype[np.float64]]
    fit: HistoryFit | None
    priors: CyclePriors
    dates: list[dt.date]

    def day(self, index: float) -> dt.date:
        return self.start + dt.timedelta(days=int(index))

    def index(self, date: dt.date) -> int:
        return (date - self.start).days

    def cycle(self, k: int, session: list[Treatment]) -> Cycle:
        date = self.dates[k]
        following = self.dates[k + 1] if k + 1 < len(self.dates) else None
        empty = Cycle(
            injection=date,
            side=_side(session),
            dose_units=_dose(session),
            pre_rate=None,
            pre_days=0,
            post_rate=None,
            post_days=0,
            responded=None,
            response_probability=None,
            onset=None,
            wear_off=None,
            wear_off_low=None,
            wear_off_high=None,
            wear_off_status="unknown",
            reported_onset=_first(t.reported_onset for t in session),
            reported_wear_off=_first(t.reported_wear_off for t in session),
            next_injection=following,
            next_due=None,
            next_due_basis=None,
        )
        if self.fit is None:
            return empty
        fit = self.fit.injections[k]
        pre_rate, pre_days = self._baseline(k)
        post_rate, post_days = self._after(k, fit)
        if pre_rate is None:
            return _replace(empty, pre_days=pre_days, post_rate=post_rate, post_days=post_days)
        decide = self.priors.relief.decide_probability
        responded: bool | None = None
        if fit.responded >= decide:
            responded = self._beyond_wander(pre_rate, post_rate)
        elif fit.responded <= 1 - decide:
            responded = False
        within_wander = fit.responded >= decide and responded is None
        onset = None
        if fit.responded >= 0.5:
            onset = date + dt.timedelta(days=int(self.fit.onsets[_quantile(fit.onset, 0.5)]))
        wear_off = low = high = None
        status: WearOffStatus = "unknown"
        if responded:
            if fit.wore_off >= 0.5:
                wear_off, low, high = (
                    self.day(_quantile(fit.wear_off, q)) for q in (0.5, *INTERVAL)
                )
                status = "worn off"
            elif fit.superseded >= 1 - fit.wore_off - fit.superseded:
                status = "next injection came first"
            else:
                status = "still working"
        return _replace(
            empty,
            pre_rate=pre_rate,
            pre_days=pre_days,
            post_rate=post_rate,
            post_days=post_days,
            responded=responded,
            response_probability=round(fit.responded, 4),
            onset=onset,
            wear_off=wear_off,
            wear_off_low=low,
            wear_off_high=high,
            wear_off_status=status,
            within_wander=within_wander,
        )

    def _beyond_wander(self, pre_rate: float, post_rate: float | None) -> bool | None:
        """True when the relief lies beyond the diary's own wander; None (cannot tell) if not."""
        wander = self.wander
        if wander is None or post_rate is None or pre_rate <= 0:
            return True
        bound = math.exp(-self.priors.relief.beyond_wander_sd * wander)
        return True if post_rate <= bound * pre_rate else None

    @functools.cached_property
    def wander(self) -> float | None:
        """The untreated level's spread around the baseline, log scale, over windows of days.

        Untreated recorded days are cut into consecutive windows of `wander_window_days`; each
        window with at least half its days gives log(Σ counts / Σ baseline). Their variance, less
        the variance that negative binomial day-to-day noise alone would give, is the wander.
        None with fewer than three windows.
        """
        assert self.fit is not None
        n = len(self.counts)
        window = self.priors.relief.wander_window_days
        recorded = ~np.isnan(self.counts)
        untreated = recorded & (self.fit.untreated[:n] >= 0.9)
        y = np.nan_to_num(self.counts) * untreated
        base = self.fit.baseline[:n] * untreated
        logs, noise = [], []
        for first in range(0, n - window + 1, window):
            days = int(untreated[first : first + window].sum())
            expected = float(base[first : first + window].sum())
            if days < window / 2 or expected <= 0:
                continue
            observed = float(y[first : first + window].sum())
            logs.append(math.log((observed + 0.5) / (expected + 0.5)))
            noise.append(1.0 / (expected + 0.5) + self.fit.dispersion / days)
        if len(logs) < 3:
            return None
        excess = float(np.var(logs, ddof=1)) - float(np.mean(noise))
        return math.sqrt(max(excess, 0.0))

    def _baseline(self, k: int) -> tuple[float | None, int]:
        """The untreated rate at injection k, and the untreated days it rests on.

        Untreated days count unless they lie in k's own interval (to the next injection) without
        following k's relief: days that are untreated only because k is taken not to have worked
        cannot also be the baseline it is judged against.
        """
        assert self.fit is not None
        n = len(self.counts)
        fit = self.fit.injections[k]
        untreated = ~np.isnan(self.counts) & (self.fit.untreated[:n] >= 0.5)
        own_start = self.index(self.dates[k])
        own_end = self.index(self.dates[k + 1]) if k + 1 < len(self.dates) else n
        relief_over = (fit.responded - fit.affected[:n]) >= 0.5
        relief_over[: own_start + int(self.fit.onsets[-1])] = False
        inside = np.zeros(n, dtype=bool)
        inside[own_start:own_end] = True
        untreated &= ~inside | relief_over
        count = int(untreated.sum())
        total = float(np.nansum(self.counts[untreated]))
        if count < self.priors.baseline.min_untreated_days or total <= 0:
            return None, count
        return round(float(self.fit.baseline[own_start]), 3), count

    def _after(self, k: int, fit: InjectionFit) -> tuple[float | None, int]:
        """Episodes a day while k's relief was in force (or, if it hardly worked, after it)."""
        assert self.fit is not None
        n = len(self.counts)
        recorded = ~np.isnan(self.counts)
        if fit.responded >= 0.5:
            weights = fit.coverage[:n] / max(fit.responded, 1e-12) * recorded
            days = int((weights >= 0.5).sum())
        else:
            first = self.index(self.dates[k]) + round(self.fit.onset_mean)
            last = self.index(self.dates[k + 1]) if k + 1 < len(self.dates) else n
            weights = np.zeros(n)
            weights[max(first, 0) : max(last, 0)] = 1.0
            weights *= recorded
            days = int(weights.sum())
        if weights.sum() < 1:
            return None, days
        rate = float((weights * np.nan_to_num(self.counts)).sum() / weights.sum())
        return round(rate, 3), days

    def with_next_due(self, latest: Cycle, earlier: list[Cycle]) -> Cycle:
        """The latest cycle with its next due date (earlier ones have none)."""
        typical = dt.timedelta(weeks=self.priors.next_due.typical_interval_weeks)
        if latest.wear_off is not None:
            return _replace(latest, next_due=latest.wear_off, next_due_basis="wear-off")
        if (
            self.fit is not None
            and latest.responded is not False
            and any(cycle.wear_off is not None for cycle in earlier)
        ):
            prior = self.fit.injections[-1].duration_prior
            elapsed = 0
            if latest.wear_off_status == "still working":
                last_recorded = int(np.nonzero(~np.isnan(self.counts))[0][-1])
                elapsed = max(last_recorded - self.index(latest.injection), 0)
            tail = prior[elapsed:] if elapsed < len(prior) else prior[-1:]
            days = elapsed + _quantile(tail / max(float(tail.sum()), 1e-300), 0.5)
            due = latest.injection + dt.timedelta(days=days)
            return _replace(latest, next_due=due, next_due_basis="your cycles")
        return _replace(latest, next_due=latest.injection + typical, next_due_basis="12 weeks")


def _injection(start: dt.date, date: dt.date, session: list[Treatment]) -> Injection:
    """The model's view of a session: its day and the person's reported dates, as day offsets."""

    def offset(reported: dt.date | None) -> int | None:
        return None if reported is None or reported < date else (reported - date).days

    return Injection(
        day=(date - start).days,
        reported_onset=offset(_first(t.reported_onset for t in session)),
        reported_wear_off=offset(_first(t.reported_wear_off for t in session)),
    )


def _quantile(pmf: np.ndarray[Any, np.dtype[np.float64]], q: float) -> int:
    """The index at which the cumulative probability first reaches q."""
    cumulative = np.cumsum(pmf)
    total = float(cumulative[-1]) if len(cumulative) else 0.0
    if total <= 0 or not math.isfinite(total):
        return 0
    index = int(np.searchsorted(cumulative, q * total, side="left"))
    return min(index, len(pmf) - 1)


def _first(values: Any) -> dt.date | None:
    return next((value for value in values if value is not None), None)


def _iso(date: dt.date | None) -> str | None:
    return None if date is None else date.isoformat()


def _side(session: list[Treatment]) -> str | None:
    sides = {t.side for t in session if t.side is not None}
    if not sides:
        return None
    return sides.pop() if len(sides) == 1 else "both"


def _dose(session: list[Treatment]) -> float | None:
    doses = [t.dose_units for t in session]
    if any(d is None for d in doses):
        return None
    return math.fsum(d for d in doses if d is not None)
