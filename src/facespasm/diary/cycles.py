"""Botulinum toxin cycles: how much each injection lowered the twitching, and when it wore off.

Relief from botulinum toxin "typically lasts for three to four months before requiring a repeat
injection" (source article, treatments section); studies of hemifacial spasm and
blepharospasm put the mean duration of effect at about 12 weeks (Toxins 2021;13:881; Can J
Neurol Sci 2010;37:631 — ``knowledge-notes.md`` §5.1). Hence the rules, per injection:

- **Before**: the mean episodes per day over the `PRE_WINDOW_DAYS` (28) days before it, cut at
  the previous injection so that one cycle's relief is not counted as the next one's baseline.
- **After**: the mean from `ONSET_DAYS` (7) days after it — the toxin takes days to act — up to
  the next injection or the end of the diary.
- **Did it work**: the first 14 recorded days from day 7 must be clearly (one-sided 5% z-test,
  each side's own day-to-day variance) below `WEAR_OFF_SHARE` (80%) of the before-rate;
  otherwise the cycle says the diary shows no clear drop.
- **Wear-off**: the day the rate stepped back up, as the change point of a two-level Poisson
  model over the days from day 7 (a low rate, then a higher one; the split with the highest
  likelihood, each side holding at least 14 recorded days). It counts as a wear-off unless the
  later level is clearly below 80% of the before-rate. For a gradual return the change point
  falls in the middle of the climb. The simpler rule first tried — the first day a 14-day
  trailing mean reaches 80% — was 2 ± 6.5 days late in simulated diaries, with one cycle in
  six more than a week off: day-to-day noise keeps a 14-day mean hovering around a threshold
  only 20% below the old rate, and a trailing window lags a step by ~10 days. The change point
  uses every day of the cycle: 0 ± 3 days, 98% within a week (``tests/diary/test_cycles.py``).
- **Next injection due**: the wear-off day when the diary shows one; otherwise 12 weeks after
  the injection (`TYPICAL_INTERVAL`), the typical duration above.

Injections on one date (two sides recorded apart) form one cycle. Other treatments are ignored,
and so are records dated outside the diary's range (before 1900 or more than a year ahead), which
only an older version or another program can have stored: 12 weeks after 9999-12-31 is no date.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from facespasm.diary.bounds import analysable
from facespasm.diary.records import Day, Treatment

PRE_WINDOW_DAYS = 28
ONSET_DAYS = 7
WEAR_OFF_WINDOW = 14
WEAR_OFF_SHARE = 0.8
# One-sided 5% normal quantile: "clearly below" the 80% level.
CLEARLY_Z = 1.645
TYPICAL_INTERVAL = dt.timedelta(weeks=12)

DueBasis = Literal["wear-off", "12 weeks"]


@dataclass(frozen=True, slots=True)
class Cycle:
    """One botulinum toxin injection and what the diary shows around it.

    Attributes:
        injection: the injection date.
        side: the side(s) injected ("both" when several records on the date differ).
        dose_units: total units injected that day, when every record gave a dose.
        pre_rate: mean episodes per day before (None: no recorded days).
        pre_days: recorded days behind ``pre_rate``.
        post_rate: mean episodes per day from day 7 after (None: no recorded days).
        post_days: recorded days behind ``post_rate``.
        responded: whether the rate clearly fell below 80% of ``pre_rate`` (None: can't
            tell yet).
        wear_off: the day the rate had returned to the old level, if the diary shows it.
        next_injection: the date of the next injection, if there was one.
        next_due: when the next injection is due.
        next_due_basis: ``"wear-off"`` or ``"12 weeks"`` (no wear-off seen).
    """

    injection: dt.date
    side: str | None
    dose_units: float | None
    pre_rate: float | None
    pre_days: int
    post_rate: float | None
    post_days: int
    responded: bool | None
    wear_off: dt.date | None
    next_injection: dt.date | None
    next_due: dt.date
    next_due_basis: DueBasis

    @property
    def wear_off_days(self) -> int | None:
        """Days from the injection to the wear-off, if seen."""
        return None if self.wear_off is None else (self.wear_off - self.injection).days

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
        parts = [f"Injection on {self.injection.isoformat()}" + (f" ({what})" if what else "")]
        if self.pre_rate is None:
            parts.append("no diary days in the 4 weeks before, so there is no baseline to compare")
        else:
            parts.append(f"before: {self.pre_rate:.1f} twitches a day ({self.pre_days} days)")
        if self.post_rate is None:
            parts.append("no diary days yet from a week after it")
        else:
            change = ""
            if self.pre_rate:
                drop = 1.0 - self.post_rate / self.pre_rate
                change = f", {abs(drop):.0%} {'fewer' if drop >= 0 else 'more'}"
            parts.append(
                f"after: {self.post_rate:.1f} a day ({self.post_days} days from day 7{change})"
            )
        text = "; ".join(parts) + "."
        if self.responded is False:
            text += " The diary shows no clear drop in twitching after this injection."
        elif self.wear_off is not None:
            text += (
                f" The rate was back to the old level around {self.wear_off.isoformat()} "
                f"({self.wear_off_days} days after)."
            )
        elif self.next_injection is not None and self.responded:
            text += (
                f" The next injection ({self.next_injection.isoformat()}) came before the rate "
                "had returned."
            )
        elif self.responded:
            text += " The rate has not returned to the old level yet."
        elif self.pre_rate:
            text += " Too few diary days after it yet to tell how well it worked."
        basis = (
            "when the effect wore off"
            if self.next_due_basis == "wear-off"
            else "12 weeks after, the typical duration of relief"
        )
        return text + f" Next injection due: {self.next_due.isoformat()} ({basis})."

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
            "wear_off": None if self.wear_off is None else self.wear_off.isoformat(),
            "wear_off_days": self.wear_off_days,
            "next_injection": (
                None if self.next_injection is None else self.next_injection.isoformat()
            ),
            "next_due": self.next_due.isoformat(),
            "next_due_basis": self.next_due_basis,
            "summary": self.summary(),
        }


def toxin_cycles(
    days: Sequence[Day], treatments: Sequence[Treatment], *, today: dt.date | None = None
) -> list[Cycle]:
    """One `Cycle` per botulinum toxin injection date, oldest first.

    Days and treatments dated outside the diary's range (`bounds.analysable`: before 1900,
    more than a year ahead) are left out; `bounds.analysable(...).notes` says which.

    Args:
        days: the diary (days without an episode count are treated as not recorded).
        treatments: all treatments; only botulinum toxin injections are used.
        today: the date the diary's range is counted from (None: the machine's today).

    Returns:
        The cycles; empty when there was no injection.
    """
    usable = analysable(days, treatments, today=today)
    episodes = {d.date: float(d.episodes) for d in usable.days if d.episodes is not None}
    last_day = max(episodes, default=None)
    sessions: dict[dt.date, list[Treatment]] = {}
    for treatment in usable.treatments:
        if treatment.kind == "botulinum_toxin":
            sessions.setdefault(treatment.date, []).append(treatment)
    dates = sorted(sessions)
    cycles = []
    for i, injection in enumerate(dates):
        previous = dates[i - 1] if i > 0 else None
        following = dates[i + 1] if i + 1 < len(dates) else None
        pre_start = injection - dt.timedelta(days=PRE_WINDOW_DAYS)
        if previous is not None and previous > pre_start:
            pre_start = previous
        pre = _recorded(episodes, pre_start, injection)
        post_start = injection + dt.timedelta(days=ONSET_DAYS)
        post_end = following or (last_day + dt.timedelta(days=1) if last_day else post_start)
        post = _recorded(episodes, post_start, post_end)
        pre_rate = _mean(pre)
        responded, wear_off = _wear_off(episodes, post_start, post_end, pre)
        cycles.append(
            Cycle(
                injection=injection,
                side=_side(sessions[injection]),
                dose_units=_dose(sessions[injection]),
                pre_rate=pre_rate,
                pre_days=len(pre),
                post_rate=_mean(post),
                post_days=len(post),
                responded=responded,
                wear_off=wear_off,
                next_injection=following,
                next_due=wear_off or injection + TYPICAL_INTERVAL,
                next_due_basis="wear-off" if wear_off else "12 weeks",
            )
        )
    return cycles


def _recorded(episodes: dict[dt.date, float], start: dt.date, end: dt.date) -> list[float]:
    """Episode counts on the recorded days of [start, end)."""
    return [
        episodes[day]
        for offset in range(max((end - start).days, 0))
        if (day := start + dt.timedelta(days=offset)) in episodes
    ]


def _mean(values: list[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _wear_off(
    episodes: dict[dt.date, float], start: dt.date, end: dt.date, pre: list[float]
) -> tuple[bool | None, dt.date | None]:
    """Whether the rate dropped, and the day it stepped back up to the old level.

    The return is the change point of a two-level Poisson model over the days from `start`
    (low rate, then a higher one): the split with the highest likelihood, each side holding at
    least `WEAR_OFF_WINDOW` recorded days. It counts as a wear-off unless the later level is
    clearly below `WEAR_OFF_SHARE` of the rate before the injection.
    """
    if not pre or not math.fsum(pre):
        return None, None
    recorded = [
        (offset, episodes[day])
        for offset in range(max((end - start).days, 0))
        if (day := start + dt.timedelta(days=offset)) in episodes
    ]
    if len(recorded) < WEAR_OFF_WINDOW:
        return None, None
    counts = [count for _, count in recorded]
    if not _clearly_below(counts[:WEAR_OFF_WINDOW], pre):
        return False, None
    if len(recorded) < 2 * WEAR_OFF_WINDOW:
        return True, None
    total = math.fsum(counts)
    best: tuple[float, int] | None = None
    before = math.fsum(counts[: WEAR_OFF_WINDOW - 1])
    for split in range(WEAR_OFF_WINDOW, len(counts) - WEAR_OFF_WINDOW + 1):
        before += counts[split - 1]
        after = total - before
        if after / (len(counts) - split) <= before / split:
            continue
        likelihood = _segment_loglik(before, split) + _segment_loglik(after, len(counts) - split)
        if best is None or likelihood > best[0]:
            best = (likelihood, split)
    if best is None or _clearly_below(counts[best[1] :], pre):
        return True, None
    return True, start + dt.timedelta(days=recorded[best[1]][0])


def _clearly_below(sample: list[float], pre: list[float]) -> bool:
    """Whether the sample's mean rate is below 80% of the pre-injection rate beyond chance.

    A one-sided z-test at 5% on the difference of means, with each side's own day-to-day
    variance (diaries are overdispersed, so a Poisson variance would be too small).
    """
    difference = _mean_of(sample) - WEAR_OFF_SHARE * _mean_of(pre)
    variance = _variance(sample) / len(sample) + WEAR_OFF_SHARE**2 * _variance(pre) / len(pre)
    if variance == 0:
        return difference < 0
    return difference / math.sqrt(variance) < -CLEARLY_Z


def _mean_of(values: list[float]) -> float:
    return math.fsum(values) / len(values)


def _variance(values: list[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = _mean_of(values)
    return math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1)


def _segment_loglik(total: float, n: int) -> float:
    """The Poisson log-likelihood, up to a constant, of n counts summing to `total`."""
    return total * math.log(total / n) - total if total > 0 else 0.0


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
