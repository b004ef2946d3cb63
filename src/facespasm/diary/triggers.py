"""Which of this person's habits go with more twitching: a count regression over the diary.

The decisions, and why:

- **Model.** Daily episode counts are modelled with a log-linear count regression on the factors.
  A Poisson GLM is fitted first; the Cameron–Trivedi regression test (Cameron & Trivedi 1990,
  *Regression-based tests for overdispersion in the Poisson model*, J Econometrics 46:347) then
  asks whether the counts vary more than a Poisson model allows. Diaries almost always do (good
  and bad weeks), and a Poisson model on such data gives intervals that are too narrow and
  "triggers" that are noise, so when the test is significant at 10% (lenient on purpose: wrongly
  choosing the negative binomial costs little, wrongly keeping Poisson costs false findings) the
  negative-binomial (NB2) model is fitted by maximum likelihood and used. When Poisson is kept,
  its standard errors are still inflated by the Pearson dispersion when that exceeds 1
  (quasi-Poisson), a second guard against overdispersion the test was too weak to see. Always
  fitting the negative binomial was rejected: when the counts are not overdispersed its
  dispersion estimate sits on the boundary (0) and the fit fails to converge.
- **Terms.** Each factor enters on the same day and on the previous day
  (``<column>_previous_day``). ``sleep_hours`` on a row is already the night before that date
  (⚑ CSV), so its same-day term is "sleep last night" and its previous-day term is "the night
  before that"; both are offered, like every other factor, so the output has one consistent
  shape. Previous-day terms double the number of estimates, so they are fitted only with at
  least `DAYS_PER_TERM` usable days per term; shorter diaries get same-day terms only, with a
  note.
- **Effects.** Rate ratios per unit of the CSV column (⚑), with 95% intervals and two-sided
  p-values from the Wald statistic, Holm-adjusted across every term fitted (Holm 1979, Scand J
  Stat 6:65), which keeps the chance of *any* false trigger at ``alpha``. Intervals are not
  adjusted. Two small-sample corrections: the statistic is referred to a t distribution with
  the residual degrees of freedom, and standard errors are multiplied by the square root of the
  Pearson dispersion of the chosen model when that exceeds 1. Without them, in simulated
  90-day diaries with 12 terms and overdispersed counts, a factor with no effect came out
  "significant" at 5% in 7% of tests (the likelihood-ratio test did no better); with them, 5–6%
  per test and a family-wise rate of 3–6% after Holm (``tests/diary/test_triggers.py``).
- **Missing values.** Days without an episode count are not analysed (their factors still serve
  as the next day's previous-day values). A factor recorded on fewer than half the usable days
  (or on fewer than ``min_days``) is left out, because keeping it would throw away most of the
  diary for every other factor; the rest is a complete-case fit, unbiased when values are
  missing for reasons unrelated to the twitching.
- **Dates out of range.** Days dated outside the diary's range (before 1900, more than a year
  ahead: `bounds.analysable`), which only an older version or another program can have
  stored, are left out with a note; a day at 0001-01-01 has no previous day to look up.
- **Degenerate data.** Factors that never vary, terms that move in lockstep with others, and
  terms whose estimate runs off to 0 or infinity (separation: e.g. no twitches on any day with
  nicotine) are left out with a plain reason; warnings from the fitting library become notes,
  never tracebacks.
- **Fitting.** The Poisson GLM, the NB2 maximum likelihood and Student's t come from
  `count_regression` (NumPy alone, checked against statsmodels and SciPy to 1e-8), not from
  statsmodels: importing statsmodels and scipy.stats took 1.2 s, more than the command's whole
  budget (< 1 s cold for a year of data, issue 12).

These are associations within one person's diary, not proof of cause. A strong time trend
(a botulinum toxin cycle, see `cycles.py`) is not modelled here and can mask or mimic a factor.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from facespasm.diary import count_regression
from facespasm.diary.bounds import analysable
from facespasm.diary.records import FACTORS, Day

Vector = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float64]

MIN_DAYS = 14
# A factor recorded on fewer than this share of usable days is left out (see module docstring).
MIN_SHARE_RECORDED = 0.5
# Usable days needed per fitted term before previous-day terms are added (rule of thumb for
# count regressions: fewer observations per coefficient give unstable Wald intervals).
DAYS_PER_TERM = 5
# The overdispersion test's level for choosing the negative binomial.
OVERDISPERSION_LEVEL = 0.10
# A coefficient per standard deviation of its factor beyond e^10 (or such a standard error) means
# the estimate did not settle: separation or too little information.
WILD_LOG_RATIO = 10.0
PREVIOUS_DAY = "_previous_day"

_NEGATIVE_BINOMIAL = "negative binomial"
_POISSON = "poisson"


@dataclass(frozen=True, slots=True)
class FactorEffect:
    """The estimated effect of one factor term: the rate ratio per unit of its CSV column.

    Attributes:
        factor: the term, starting with the CSV column (``caffeine_drinks_previous_day``).
        rate_ratio: how many times as many episodes per one unit more of the column.
        ci_low: lower end of the confidence interval (95% unless another alpha was used).
        ci_high: upper end of the confidence interval.
        p_value: Holm-adjusted p-value across all terms fitted.
        significant: whether ``p_value`` is below the analysis' alpha.
    """

    factor: str
    rate_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    significant: bool

    def to_dict(self) -> dict[str, Any]:
        """The ⚑ JSON object of one factor."""
        return {
            "factor": self.factor,
            "rate_ratio": self.rate_ratio,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_value": self.p_value,
            "significant": self.significant,
        }


@dataclass(frozen=True, slots=True)
class TriggerReport:
    """The result of `trigger_analysis`.

    Attributes:
        factors: the effects estimated, in `FACTORS` order (same day, then previous day); empty
            when there was too little data (``notes`` say what is missing).
        days_used: days that entered the fit (or, without a fit, days with an episode count).
        model: ``"negative binomial"`` or ``"poisson"``; None when no model was fitted.
        notes: plain-language remarks on the data and the method.
        findings: plain-language sentences about the significant effects.
    """

    factors: list[FactorEffect]
    days_used: int
    model: str | None
    notes: list[str]
    findings: list[str]

    def to_dict(self) -> dict[str, Any]:
        """The ⚑ JSON of ``facespasm diary triggers --json``."""
        return {
            "factors": [effect.to_dict() for effect in self.factors],
            "days_used": self.days_used,
            "model": self.model,
            "notes": list(self.notes),
            "findings": list(self.findings),
        }


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment of p-values (controls the family-wise error rate).

    Args:
        p_values: raw p-values of the tests in one family.

    Returns:
        Adjusted p-values in the same order, each at most 1.
    """
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    if m == 0:
        return []
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return [float(x) for x in adjusted]


def trigger_analysis(
    days: Sequence[Day],
    *,
    min_days: int = MIN_DAYS,
    alpha: float = 0.05,
    today: dt.date | None = None,
) -> TriggerReport:
    """Estimate how each lifestyle factor goes with the daily number of twitch episodes.

    Args:
        days: the diary, one `Day` per date, in any order.
        min_days: usable days (with an episode count) needed before anything is estimated.
        alpha: family-wise error rate for ``significant``; intervals are at level 1 - alpha.
        today: the date the diary's range is counted from (None: the machine's today).

    Returns:
        The report: effects, or, with too little data, notes on what is missing.

    Raises:
        ValueError: ``alpha`` outside (0, 1), ``min_days`` below 1, or two days with one date.
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha}")
    if min_days < 1:
        raise ValueError(f"min_days must be at least 1, got {min_days}")
    usable = analysable(days, today=today)
    by_date: dict[dt.date, Day] = {}
    for day in usable.days:
        if day.date in by_date:
            raise ValueError(f"the diary has two entries for {day.date.isoformat()}")
        by_date[day.date] = day
    notes: list[str] = list(usable.notes)
    try:
        y, columns = _prepare(by_date, min_days, notes)
        model, names, log_rr, se, df = _fit_until_settled(y, columns, notes)
    except _NoEstimates as stop:
        notes.insert(0, stop.reason)
        return TriggerReport([], stop.days, None, notes, [])
    days_used = len(y)

    z = _t_quantile(1.0 - alpha / 2.0, df)
    raw_p = [_two_sided_p(b / s, df) for b, s in zip(log_rr, se, strict=True)]
    adjusted = holm(raw_p)
    effects = [
        FactorEffect(
            factor=name,
            rate_ratio=math.exp(b),
            ci_low=math.exp(b - z * s),
            ci_high=math.exp(b + z * s),
            p_value=p,
            significant=p < alpha,
        )
        for name, b, s, p in zip(names, log_rr, se, adjusted, strict=True)
    ]
    order = {name: i for i, name in enumerate(_all_terms())}
    effects.sort(key=lambda e: order[e.factor])
    level = round(100 * (1 - alpha))
    notes.append(
        f"{_days(days_used).capitalize()} analysed with a {model} model. p-values are "
        f"Holm-adjusted for testing {len(effects)} effect{'s' if len(effects) != 1 else ''} at "
        f"once; the {level}% intervals are not adjusted."
    )
    notes.append("These are associations in your diary, not proof that a factor causes twitching.")
    return TriggerReport(effects, days_used, model, notes, _findings(effects, level, days_used))


# --- preparing the data -------------------------------------------------------------------------

_ONE_DAY = dt.timedelta(days=1)


class _NoEstimates(Exception):
    """Nothing can be estimated; ``reason`` says why, ``days`` how many days were usable."""

    def __init__(self, reason: str, days: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.days = days


def _prepare(
    by_date: dict[dt.date, Day], min_days: int, notes: list[str]
) -> tuple[Vector, dict[str, Vector]]:
    """The counts and factor terms of the complete days to fit, or `_NoEstimates`."""
    usable = [by_date[date] for date in sorted(by_date) if by_date[date].episodes is not None]
    n = len(usable)
    same = {f: np.array([_value(d, f) for d in usable], dtype=np.float64) for f in FACTORS}
    previous = {
        f: np.array([_value(by_date.get(d.date - _ONE_DAY), f) for d in usable]) for f in FACTORS
    }
    never = [f for f in FACTORS if not np.isfinite(same[f]).any()]
    if never:
        notes.append(
            "Never recorded on a day with a twitch count: "
            + ", ".join(never)
            + ". Record them too and they will be tested."
        )
    if n < min_days:
        raise _NoEstimates(
            f"Not enough data yet: {_days(n)} with a twitch count; the analysis needs at least "
            f"{min_days}. Log {_days(min_days - n)} more (twitch count and factors) and run it "
            "again.",
            n,
        )
    y = np.array([d.episodes for d in usable], dtype=np.float64)
    if not y.any():
        raise _NoEstimates(
            f"No twitches on any of the {n} days, so there is nothing to explain.", n
        )
    kept = _factors_to_keep(same, never, n, min_days, notes)
    if not kept:
        raise _NoEstimates(
            "No factor was recorded often enough, and with enough variation, to test.", n
        )
    terms = _choose_terms(kept, same, previous, min_days, notes)
    rows = _complete_rows(terms)
    while int(rows.sum()) < min_days and len({_column(t) for t in terms}) > 1:
        worst = min({_column(t) for t in terms}, key=lambda f: int(np.isfinite(same[f]).sum()))
        notes.append(f"{worst} was left out: too few days had every factor recorded with it.")
        terms = {t: v for t, v in terms.items() if _column(t) != worst}
        rows = _complete_rows(terms)
    days_used = int(rows.sum())
    if days_used < min_days:
        raise _NoEstimates(
            f"Not enough complete days: only {_days(days_used)} have a twitch count and every "
            f"factor analysed; at least {min_days} are needed.",
            days_used,
        )
    columns = _drop_degenerate({t: v[rows] for t, v in terms.items()}, y[rows], notes)
    if not columns:
        raise _NoEstimates("No factor could be estimated from these days.", days_used)
    return y[rows], columns


def _value(day: Day | None, factor: str) -> float:
    if day is None:
        return math.nan
    raw = getattr(day, factor)
    return math.nan if raw is None else float(raw)


def _column(term: str) -> str:
    return term.removesuffix(PREVIOUS_DAY)


def _all_terms() -> list[str]:
    return [term for f in FACTORS for term in (f, f + PREVIOUS_DAY)]


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _factors_to_keep(
    same: dict[str, Vector], never: list[str], n: int, min_days: int, notes: list[str]
) -> list[str]:
    kept = []
    needed = max(min_days, math.ceil(MIN_SHARE_RECORDED * n))
    for factor in FACTORS:
        if factor in never:
            continue
        recorded = same[factor][np.isfinite(same[factor])]
        if recorded.size < needed:
            notes.append(
                f"{factor} was left out: recorded on only {recorded.size} of {n} days "
                f"(at least {needed} needed); keeping it would discard most of the diary."
            )
        elif np.ptp(recorded) == 0:
            notes.append(
                f"{factor} was left out: it was {_number(float(recorded[0]))} on every day, "
                "and a factor that never changes can't be linked to anything."
            )
        else:
            kept.append(factor)
    return kept


def _choose_terms(
    kept: list[str],
    same: dict[str, Vector],
    previous: dict[str, Vector],
    min_days: int,
    notes: list[str],
) -> dict[str, Vector]:
    with_lags = {}
    for factor in kept:
        with_lags[factor] = same[factor]
        with_lags[factor + PREVIOUS_DAY] = previous[factor]
    complete = int(_complete_rows(with_lags).sum())
    needed = max(min_days, DAYS_PER_TERM * len(with_lags))
    if complete >= needed:
        return with_lags
    notes.append(
        f"Previous-day effects were not tested: with {len(kept)} factors they need at least "
        f"{needed} days whose previous day is recorded too (you have {complete})."
    )
    return {factor: same[factor] for factor in kept}


def _complete_rows(terms: dict[str, Vector]) -> npt.NDArray[np.bool_]:
    rows = np.ones(len(next(iter(terms.values()))), dtype=np.bool_)
    for values in terms.values():
        rows &= np.isfinite(values)
    return rows


def _drop_degenerate(columns: dict[str, Vector], y: Vector, notes: list[str]) -> dict[str, Vector]:
    """Leave out terms that cannot be estimated: constant, collinear, or separated."""
    kept: dict[str, Vector] = {}
    for term, x in columns.items():
        if np.ptp(x) == 0:
            notes.append(
                f"{term} was left out: it was {_number(float(x[0]))} on every day analysed."
            )
            continue
        empty_level = _level_without_twitches(x, y)
        if empty_level is not None:
            notes.append(
                f"{term} was left out: on every day it was {_number(empty_level)} you had no "
                "twitches, so its rate ratio can't be estimated (it runs off to 0 or infinity)."
            )
            continue
        candidate = np.column_stack([np.ones_like(x), *kept.values(), x])
        if np.linalg.matrix_rank(_standardise(candidate)) < candidate.shape[1]:
            notes.append(
                f"{term} was left out: it moved in lockstep with other factors in your diary, "
                "so its own effect can't be told apart."
            )
            continue
        kept[term] = x
    return kept


def _level_without_twitches(x: Vector, y: Vector) -> float | None:
    """For a two-valued term, the value on whose days there were no twitches (separation)."""
    levels = np.unique(x)
    if levels.size != 2:
        return None
    for level in levels:
        if not y[x == level].any():
            return float(level)
    return None


def _standardise(matrix: Matrix) -> Matrix:
    centred = matrix - matrix.mean(axis=0)
    scale = centred.std(axis=0)
    out = np.ones_like(matrix)
    varying = scale > 0
    out[:, varying] = centred[:, varying] / scale[varying]
    return out


# --- fitting ------------------------------------------------------------------------------------


def _fit_until_settled(
    y: Vector, columns: dict[str, Vector], notes: list[str]
) -> tuple[str, list[str], list[float], list[float], int]:
    """Fit, leaving out terms whose estimates run off, until every estimate is finite."""
    while columns:
        names = list(columns)
        raw = np.column_stack(list(columns.values()))
        mean, sd = raw.mean(axis=0), raw.std(axis=0)
        design = np.column_stack([np.ones(len(y)), (raw - mean) / sd])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                model, beta, se, df, model_notes = _fit(y, design)
            except (ValueError, ArithmeticError) as error:
                raise _NoEstimates(
                    f"The model could not be fitted ({error}); no estimates.", len(y)
                ) from error
        notes.extend(model_notes)
        notes.extend(_warning_notes(caught))
        coef, coef_se = beta[1:], se[1:]
        wild = [
            names[i]
            for i in range(len(names))
            if not (np.isfinite(coef[i]) and np.isfinite(coef_se[i]))
            or abs(coef[i]) > WILD_LOG_RATIO
            or coef_se[i] > WILD_LOG_RATIO
        ]
        if not wild:
            return model, names, list(coef / sd), list(coef_se / sd), df
        for term in wild:
            notes.append(
                f"{term} was left out: its estimate did not settle (too few days, or it "
                "perfectly predicts days without twitches)."
            )
            del columns[term]
    raise _NoEstimates("No factor could be estimated from these days.", len(y))


def _fit(y: Vector, design: Matrix) -> tuple[str, Vector, Vector, int, list[str]]:
    """Poisson first; the negative binomial when the counts are overdispersed."""
    notes = []
    poisson = count_regression.poisson_fit(y, design)
    mu = poisson.fitted
    p_over = overdispersion_p(y, mu)
    if p_over < OVERDISPERSION_LEVEL:
        start = np.append(poisson.params, max(_moment_alpha(y, mu), 0.05))
        nb = count_regression.negative_binomial_fit(y, design, start)
        params, bse = nb.params, nb.bse
        if nb.converged and np.isfinite(params).all() and params[-1] > 0:
            notes.append(
                "Your daily counts vary more than chance alone would give (overdispersion test "
                f"{_p(p_over)}), so a negative binomial model was used "
                f"(dispersion {params[-1]:.2f})."
            )
            df = max(len(y) - design.shape[1] - 1, 1)
            nb_mu = np.exp(design @ params[:-1])
            dispersion = float(np.sum((y - nb_mu) ** 2 / (nb_mu + params[-1] * nb_mu**2))) / df
            inflate = math.sqrt(max(dispersion, 1.0))
            return _NEGATIVE_BINOMIAL, params[:-1], bse[:-1] * inflate, df, notes
        notes.append(
            "The negative binomial model did not converge; a Poisson model with widened "
            "intervals (quasi-Poisson) was used instead."
        )
    else:
        notes.append(
            "No clear sign that your daily counts vary more than chance alone would give "
            f"(overdispersion test {_p(p_over)}), so a Poisson model was used."
        )
    dispersion = float(poisson.pearson_chi2 / max(poisson.df_resid, 1.0))
    inflate = math.sqrt(max(dispersion, 1.0))
    if inflate > 1.0:
        notes.append(
            f"Intervals were widened for extra variation (Pearson dispersion {dispersion:.2f})."
        )
    params = poisson.params
    bse = poisson.bse * inflate
    return _POISSON, params, bse, max(len(y) - design.shape[1], 1), notes


def overdispersion_p(y: Vector, mu: Vector) -> float:
    """One-sided p-value of the Cameron–Trivedi test that Var(y) = mu + a·mu², a > 0.

    Args:
        y: observed counts.
        mu: the Poisson model's fitted means.

    Returns:
        The p-value; small values mean the counts are overdispersed.
    """
    aux = ((y - mu) ** 2 - y) / mu
    denominator = float(mu @ mu)
    slope = float(aux @ mu) / denominator
    resid = aux - slope * mu
    dof = max(len(y) - 1, 1)
    se = math.sqrt(float(resid @ resid) / dof / denominator)
    if se == 0.0:
        return 0.0 if slope > 0 else 1.0
    return count_regression.t_sf(slope / se, dof)


def _moment_alpha(y: Vector, mu: Vector) -> float:
    return float(np.sum((y - mu) ** 2 - y) / np.sum(mu**2))


def _warning_notes(caught: list[warnings.WarningMessage]) -> list[str]:
    seen: list[str] = []
    for warning in caught:
        text = f"The fit warned: {warning.category.__name__}: {str(warning.message).strip()}"
        if text not in seen:
            seen.append(text)
    return seen


def _t_quantile(q: float, df: int) -> float:
    return count_regression.t_ppf(q, df)


def _two_sided_p(t: float, df: int) -> float:
    return 2.0 * count_regression.t_sf(abs(t), df)


# --- words --------------------------------------------------------------------------------------

_UNITS: dict[str, str] = {
    "sleep_hours": "hour of sleep",
    "caffeine_drinks": "caffeinated drink",
    "alcohol_drinks": "alcoholic drink",
    "stress_0_10": "point of stress (0–10)",
    "screen_hours": "hour of screen time",
}


def _findings(effects: list[FactorEffect], level: int, days_used: int) -> list[str]:
    found = [_sentence(e, level) for e in effects if e.significant]
    if found:
        return found
    return [
        f"None of the {len(effects)} effects tested showed a clear link with your twitching. "
        f"That is not proof they don't matter: {days_used} days can only reveal fairly large "
        "effects."
    ]


def _sentence(effect: FactorEffect, level: int) -> str:
    column = _column(effect.factor)
    lagged = effect.factor.endswith(PREVIOUS_DAY)
    ratio, low, high = effect.rate_ratio, effect.ci_low, effect.ci_high

    def interval(a: float, b: float) -> str:
        return f"({level}% CI {_ratio(a)}–{_ratio(b)})"

    if column == "nicotine":
        when = "Days after nicotine use" if lagged else "Days with nicotine"
        return f"{when} had {_ratio(ratio)}× as many twitches {interval(low, high)}."
    if column == "sleep_hours":
        night = "two nights before" if lagged else "the night before"
        if ratio < 1.0:
            return (
                f"Each hour less sleep {night} went with {_ratio(1 / ratio)}× as many twitches "
                f"{interval(1 / high, 1 / low)}."
            )
        return (
            f"Each extra hour of sleep {night} went with {_ratio(ratio)}× as many twitches "
            f"{interval(low, high)}."
        )
    when = "the day before" if lagged else "that day"
    fewer = " — fewer, not more" if ratio < 1.0 else ""
    return (
        f"Each extra {_UNITS[column]} {when} went with {_ratio(ratio)}× as many twitches{fewer} "
        f"{interval(low, high)}."
    )


def _ratio(x: float) -> str:
    return f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def _number(x: float) -> str:
    return f"{x:g}"


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
