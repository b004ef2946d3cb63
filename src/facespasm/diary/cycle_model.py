"""The whole diary as one model of botulinum toxin cycles: a hierarchical change-point model.

Decision. The daily twitch count y_t is negative binomial (overdispersed: diaries vary more from
day to day than a Poisson count) with mean b_t · m_t, where b_t is the **untreated baseline** and
m_t the relief in force that day. Each injection k either works or not (prior probability from
`cycles.yaml`); one that works starts a relief period on day τ_k + o_k (its onset) at its own level
r_k ≤ 80% of the baseline, which lasts until its wear-off day τ_k + w_k -- or until a later
injection's relief starts first, which *takes over* (the same muscles, re-injected: the new level
replaces the old). One that does not work changes nothing, so an injection given while the last
one still works does not reset anything: relief that outlasts its prior duration by months must
come from the new injection. Between a wear-off and the next onset the rate is the baseline.
The segmentation of the whole history (which injections worked, every onset, every wear-off) is
one latent configuration; the model sums over all of them exactly.

- **Exact inference over the history**: the configurations form a semi-Markov chain over the
  injections that worked, so a forward-backward recursion over injections (each relief segment's
  likelihood read off cumulative sums, its level integrated over a grid of 20 levels) gives the
  posterior of each injection's response, onset and wear-off, and of every day being untreated,
  in O(K · onsets · duration) per pass (Fearnhead 2006, exact Bayesian multiple change-point
  inference; Yu 2010, hidden semi-Markov models).
- **Borrowing strength between cycles**: onsets and durations are drawn from the person's own
  normal distributions, whose means and spreads are estimated from all cycles at once with the
  literature's values as hyperpriors (`cycles.yaml`: onset 5 ± 3 days, duration 12 ± 3 weeks):
  the hierarchical change-point model of Carlin, Gelfand & Smith (1992, Appl Stat 41:389), fitted
  by empirical Bayes -- EM alternating the exact pass with the updates of the hyperparameters,
  the baseline and the dispersion. A cycle whose wear-off the next injection hides still tells
  the model it lasted *at least* that long (censored), and a cycle with a noisy diary is pulled
  towards the person's usual duration rather than towards a lucky dip.
- **The untreated baseline comes from untreated days**, wherever they are -- before the first
  injection, after a wear-off -- each day weighted by its posterior probability of being
  untreated, and smoothed over time (a Gaussian kernel of `baseline.bandwidth_days`) so a
  baseline that drifts over years is followed; the whole diary's untreated mean stabilises dates
  far from any untreated period.
- **The person's own dates are data**: a reported onset or wear-off is the true one plus noise
  (`reported_dates.*_sd_days`), with a share of reports simply wrong, so a slip cannot outweigh
  weeks of diary days; under "it did not work" a report is uninformative (uniform).
- **The wear-off is the middle of a climb back**: relief does not end in a day but wanes over
  weeks, so the rate climbs linearly from the relief level to the baseline over
  `duration.climb_days`, and the wear-off is the middle of that climb -- the day the rate is half
  way back. A step model put the wear-off a few days early and, fitted to a gradual return, was
  overconfident: its 90% intervals held the truth in 65% of simulated cycles, against 95% when
  the simulated return really was a step (bench/cycles.py). A later injection's onset may
  interrupt the climb; the climb begun still tells when the wear-off would have come.
- **The wear-off's interval allows for the climb's unknown shape**: real returns take anything
  from about ten days to three months, and a diary of correlated days (a bad month, a slow drift)
  is less informative than as many independent days. So the wear-off's date and interval come
  from the posterior averaged over several climb lengths (`duration.climb_choices_days`), each
  weighted by its evidence -- the person's own climb, learnt softly from the diary -- under a
  coarsened likelihood (every day's and every report's log-likelihood times a power below 1:
  Miller & Dunson 2019, robust Bayesian inference via coarsening). The power falls with how much
  more the untreated level varies from month to month than independent days would make it (a
  batch-means variance ratio), within `duration.interval_likelihood_power`. Whether an injection
  worked, and whether its wear-off is seen, still come from the full likelihood and usual climb.
  With one fixed 20-day climb and the full likelihood, 90% intervals held the truth in 66% of
  cycles on diaries simulated blind (bench/cycles_blind.py, development half); with these, 89%.
- **A person's reported wear-offs may be early or late as a habit**: people feel the relief
  waning before the diary shows it (Fezza 2016), so each person's offset between their reported
  and their diary's wear-offs is learnt with the hyperparameters (a normal prior of mean 0 and
  `reported_dates.wear_off_bias_sd_days`), and their reports are read net of it.

Counts are assumed independent given the rates; day-to-day correlation beyond the cycles (a bad
week) shows up as overdispersion. Everything is NumPy: no SciPy or statsmodels import, so the
command stays fast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from facespasm.diary.reviewed import CyclePriors, ReportedDates

Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Relief levels, log-spaced from the deepest to the response threshold; their prior is uniform.
RELIEF_LEVELS = 20
# EM passes before the final one. Over 150 simulated diaries (bench/cycles.py) 2, 3 and 6 gave
# the same wear-offs and responses: the hyperparameters settle at once.
ITERATIONS = 3
# The dispersion of the negative binomial (variance = mean + dispersion · mean²), kept in range.
DISPERSION_RANGE = (0.01, 3.0)
INITIAL_DISPERSION = 0.3
# A baseline is never exactly zero (log 0); a twitch every hundred days is "almost none".
BASELINE_FLOOR = 0.01
# Pseudo-cycles behind the prior spread of onsets and durations (the variance's hyperprior).
PRIOR_CYCLES = 2.0

_NEG_INF = -math.inf


@dataclass(frozen=True, slots=True)
class Injection:
    """One injection session as the model sees it.

    Attributes:
        day: the injection's index in the timeline.
        reported_onset: the person's "it started working", in days after the injection.
        reported_wear_off: the person's "it is wearing off", in days after the injection.
    """

    day: int
    reported_onset: int | None = None
    reported_wear_off: int | None = None


@dataclass(frozen=True, eq=False)
class InjectionFit:
    """What the model says about one injection (probabilities are posterior).

    Attributes:
        responded: the probability that the injection started a relief period.
        onset: P(onset on each day of `onsets` | it worked), normalised.
        wear_off: P(the rate returned on each timeline day | it worked and wore off in the diary).
        wore_off: P(its relief ended before the next injection's began and before the diary's
            end | it worked).
        superseded: P(a later injection's relief began while it still worked | it worked).
        coverage: P(this injection's relief holds at its plateau) on each timeline day.
        affected: P(its relief or its climb back is in force) on each timeline day.
        duration_prior: the pooled prior of its duration over 0..max days (for predictions).
    """

    responded: float
    onset: Array
    wear_off: Array
    wore_off: float
    superseded: float
    coverage: Array
    affected: Array
    duration_prior: Array


@dataclass(frozen=True, eq=False)
class HistoryFit:
    """The fitted model of a whole diary.

    Attributes:
        injections: one fit per injection, in the order given.
        onsets: the onset grid (days after an injection).
        baseline: the untreated rate on each timeline day.
        untreated: P(no relief and no climb back in force) on each timeline day.
        dispersion: the negative binomial's dispersion.
        duration_mean: the person's mean duration (days), pooled over their cycles.
        duration_sd: the spread of their durations from cycle to cycle (days).
        onset_mean: the person's mean onset (days).
        report_bias: how many days late (negative: early) the person's reported wear-offs lie.
        log_evidence: log P(diary) under the fitted hyperparameters.
    """

    injections: tuple[InjectionFit, ...]
    onsets: IntArray
    baseline: Array
    untreated: Array
    dispersion: float
    duration_mean: float
    duration_sd: float
    onset_mean: float
    report_bias: float
    log_evidence: float


@dataclass(frozen=True, eq=False)
class Chain:
    """One exact pass's inputs: the day likelihoods and every prior, as log values.

    Attributes:
        cumulative: (levels + 1, N + 1) cumulative sums of each day's log-likelihood under each
            relief level; the last row is the untreated level. Column t is the sum before day t.
        climb: (levels, h + 1, N + 1) the log-likelihood of the first j days of a climb back
            (j = 0..h) that starts on day a, under each relief level: entry [r, j, a].
        log_level_prior: (levels,) the prior of the relief levels.
        days: (K,) the injections' timeline indices, ascending.
        onsets: (n_o,) the onset grid in days, ascending, from 1.
        log_onset: (K, n_o) each injection's onset prior, report included, if it worked.
        log_duration: (K, max + 1) each injection's log P(wear-off w days after), report included.
        log_survival: (K, max + 2) log P(wear-off ≥ w days after), the same; P(≥ max + 1) = 0.
        log_works: log P(an injection works).
        log_fails: (K,) log P(injection k does not work), reports under "did not" included.
    """

    cumulative: Array
    climb: Array
    log_level_prior: Array
    days: IntArray
    onsets: IntArray
    log_onset: Array
    log_duration: Array
    log_survival: Array
    log_works: float
    log_fails: Array

    @property
    def length(self) -> int:
        """N, the number of timeline days."""
        return int(self.cumulative.shape[1] - 1)

    @property
    def max_duration(self) -> int:
        """The latest wear-off (days after the injection) the model considers."""
        return int(self.log_duration.shape[1] - 1)

    @property
    def half_climb(self) -> int:
        """Half the climb back: the wear-off day is this many days after the climb starts."""
        return int((self.climb.shape[1] - 1) // 2)


@dataclass(frozen=True, eq=False)
class ChainPosterior:
    """One exact pass's results (probabilities, not logs).

    Attributes:
        log_evidence: log P(data).
        responded: (K,) P(injection k worked).
        onset: (K, n_o) P(k worked with onset o).
        wear_off: (K, N) P(k worked and the middle of its climb back -- its wear-off -- fell on
            day t, before a later relief began and before the diary ended).
        durations: (K, max + 1) P(k worked and wore off w days after it), seen or inferred from
            a climb that a later relief interrupted.
        censored: (K, max + 2) P(k worked and still held at its plateau w days after it, when a
            later relief began or the diary ended): its wear-off is only known to be ≥ w.
        superseded: (K,) P(k worked and a later relief began before its wear-off).
        relief: (K, N) P(k's relief holds at its plateau on day t).
        affected: (K, N) P(k's relief or its climb back is in force on day t).
    """

    log_evidence: float
    responded: Array
    onset: Array
    wear_off: Array
    durations: Array
    censored: Array
    superseded: Array
    relief: Array
    affected: Array


def fit_history(
    counts: Array,
    injections: Sequence[Injection],
    priors: CyclePriors,
    *,
    iterations: int = ITERATIONS,
) -> HistoryFit:
    """Fit the model to a diary: EM over the hyperparameters, an exact pass each time.

    Args:
        counts: episodes per timeline day; NaN where the day was not recorded.
        injections: the injection sessions, ascending by day, at most one per day.
        priors: the reviewed priors (`cycles.yaml`).
        iterations: EM passes.

    Returns:
        The fit; its timeline may be longer than `counts` (unrecorded days after the last one,
        so that every injection's onsets fit in).
    """
    onsets = np.arange(1, priors.onset.max_days + 1, dtype=np.int64)
    days = np.array([injection.day for injection in injections], dtype=np.int64)
    length = max(len(counts), int(days.max(initial=0)) + int(onsets[-1]) + 2)
    y = np.zeros(length)
    recorded = np.zeros(length, dtype=bool)
    recorded[: len(counts)] = ~np.isnan(counts)
    y[: len(counts)] = np.nan_to_num(counts)
    levels = np.geomspace(
        priors.relief.deepest_share, priors.relief.responded_below_share, RELIEF_LEVELS
    )
    state = _State.initial(y, recorded, days, priors)
    climb_days = priors.duration.climb_days
    for _ in range(max(iterations, 1)):
        chain = _chain(state, y, recorded, days, onsets, levels, injections, priors, climb_days)
        state = state.updated(solve_chain(chain), chain, y, recorded, injections, priors)
    chain = _chain(state, y, recorded, days, onsets, levels, injections, priors, climb_days)
    posterior = solve_chain(chain)
    spread = [
        solve_chain(
            _chain(
                state, y, recorded, days, onsets, levels, injections, priors, choice,
                power=_interval_power(y, recorded, state, posterior, priors),
            )
        )
        for choice in priors.duration.climb_choices_days
    ]  # fmt: skip
    dates = _averaged_wear_off(spread) if spread else posterior.wear_off
    fits = []
    for k in range(len(days)):
        responded = float(posterior.responded[k])
        worked = max(responded, 1e-300)
        wore_off = float(posterior.wear_off[k].sum())
        wear_off = dates[k]
        fits.append(
            InjectionFit(
                responded=responded,
                onset=posterior.onset[k] / max(float(posterior.onset[k].sum()), 1e-300),
                wear_off=wear_off / max(float(wear_off.sum()), 1e-300),
                wore_off=min(wore_off / worked, 1.0),
                superseded=min(float(posterior.superseded[k]) / worked, 1.0),
                coverage=posterior.relief[k],
                affected=posterior.affected[k],
                duration_prior=np.exp(chain.log_duration[k]),
            )
        )
    return HistoryFit(
        injections=tuple(fits),
        onsets=onsets,
        baseline=state.baseline,
        untreated=np.clip(1.0 - posterior.affected.sum(axis=0), 0.0, 1.0),
        dispersion=state.dispersion,
        duration_mean=state.duration_mean,
        duration_sd=math.sqrt(state.duration_var),
        onset_mean=state.onset_mean,
        report_bias=state.report_bias,
        log_evidence=posterior.log_evidence,
    )


def _interval_power(
    y: Array,
    recorded: npt.NDArray[np.bool_],
    state: _State,
    posterior: ChainPosterior,
    priors: CyclePriors,
) -> float:
    """The coarsening power for the wear-off's interval, from the diary's own untreated days.

    Untreated recorded days are cut into consecutive windows (`relief.wander_window_days`); the
    variance of each window's log(observed / baseline), over the variance that independent
    negative binomial days would give it, is the batch-means variance ratio F (1 when days are
    independent). The power is the most (`duration.interval_likelihood_power`) over F, kept
    between the least and the most; the least when fewer than three windows can be read.
    """
    least, most = priors.duration.interval_likelihood_power
    window = priors.relief.wander_window_days
    untreated = recorded & (1.0 - posterior.affected.sum(axis=0)[: len(y)] >= 0.9)
    logs, noise = [], []
    for first in range(0, len(y) - window + 1, window):
        inside = untreated[first : first + window]
        days = int(inside.sum())
        expected = float(state.baseline[first : first + window][inside].sum())
        if days < window / 2 or expected <= 0:
            continue
        observed = float(y[first : first + window][inside].sum())
        logs.append(math.log((observed + 0.5) / (expected + 0.5)))
        noise.append(1.0 / (expected + 0.5) + state.dispersion / days)
    if len(logs) < 3:
        return least
    ratio = float(np.var(logs, ddof=1)) / float(np.mean(noise))
    return min(max(most / max(ratio, 1.0), least), most)


def _averaged_wear_off(posteriors: Sequence[ChainPosterior]) -> Array:
    """(K, N) the wear-off posteriors of several climbs, averaged with their evidence as weights.

    Each climb's wear-off is normalised first (given it worked and wore off), so the average is
    over the climb's shape, not over whether the wear-off is seen.
    """
    evidence = np.array([p.log_evidence for p in posteriors])
    weights = np.exp(evidence - evidence.max())
    weights /= weights.sum()
    out = np.zeros_like(posteriors[0].wear_off)
    for weight, p in zip(weights, posteriors, strict=True):
        totals = p.wear_off.sum(axis=1, keepdims=True)
        out += weight * np.divide(
            p.wear_off, totals, out=np.zeros_like(p.wear_off), where=totals > 0
        )
    return out


def solve_chain(chain: Chain) -> ChainPosterior:
    """The exact forward-backward pass over the injections that worked.

    A configuration is the list of injections that worked, each with its onset, its wear-off and
    how its relief ended: a climb back complete before the next relief (then untreated days), a
    climb that the next relief's onset (or the diary's end) interrupted, or a plateau that lasted
    until then. Forward: A_k(o), the probability of the data before k's onset day and of k
    starting relief there. Backward: F_k(o), the probability of the data from that day on, given
    it. Their product, over the evidence, is the posterior.

    Args:
        chain: the pass's inputs.

    Returns:
        The posterior of every injection and day.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        return _Pass(chain).run()


@dataclass(frozen=True, eq=False)
class _Cut:
    """Injection j's relief stopped by a cut on each of some days c (a later onset, or the end).

    Attributes:
        plateau: (n_o, n_c) log P(days | relief at its plateau until c) + log P(wear-off ≥
            c + h/2): the climb would have started on or after c.
        climbing: (n_o, n_c, h - 1) log P(days | plateau, then the climb until c) + log P(wear-off
            on e) for e = c - h/2 + 1 + i: the climb had started.
        total: (n_o, n_c) both, summed.
    """

    plateau: Array
    climbing: Array
    total: Array


class _Pass:
    """The forward-backward recursion of `solve_chain`, step by step."""

    def __init__(self, chain: Chain) -> None:
        self.c = chain
        self.k = len(chain.days)
        self.n = chain.length
        self.h2 = chain.half_climb
        self.untreated = chain.cumulative[-1]
        self.starts = [int(day) + chain.onsets for day in chain.days]
        # skip[k] - skip[j + 1]: log P(every injection strictly between j and k failed).
        self.skip = np.concatenate([[0.0], np.cumsum(chain.log_fails)])
        self.wear_offs: list[IntArray] = []
        self.full: list[Array] = []
        self.forward: list[Array] = []
        self.wore: list[Array] = []
        self.prefix: list[Array] = []
        self.backward: list[Array] = [np.empty(0)] * self.k
        self.after_wear: list[Array] = [np.empty(0)] * self.k
        self.suffix: list[Array] = [np.empty(0)] * self.k
        self.cuts: dict[tuple[int, int], _Cut] = {}

    def run(self) -> ChainPosterior:
        for k in range(self.k):
            self._forward(k)
        log_evidence = self._evidence()
        for k in reversed(range(self.k)):
            self._backward(k)
        return self._posterior(log_evidence)

    def _between(self, j: int, k: int) -> float:
        """Log P(every injection strictly between j and k failed); j = -1: from the start."""
        return float(self.skip[k] - self.skip[j + 1])

    def _reaches(self, j: int, c: int) -> bool:
        """Whether j's relief (or its climb) can still be in force on day c."""
        return c - int(self.c.days[j]) < self.c.max_duration + self.h2

    def _levels(self, k: int, ends: IntArray, climbed: IntArray) -> Array:
        """Log P(days | relief from each onset to each end, then `climbed` days of the climb).

        Integrated over the relief levels: (n_o, *ends.shape). -inf where the plateau would be
        empty.
        """
        # Σ_r p_r exp(C_r(end) + climb_r - C_r(start)) is a matrix product over r once each side
        # is shifted by its maximum; both are taken from the first onset day, so neither side
        # spans more than the days it covers and nothing underflows that matters.
        c = self.c
        starts = self.starts[k]
        levels = c.cumulative[:-1]
        origin = levels[:, starts[0]]
        onset_side = origin[:, None] - levels[:, starts] + c.log_level_prior[:, None]
        end_side = levels[:, ends] + c.climb[:, climbed, ends]
        end_side = (end_side - origin.reshape(-1, *([1] * ends.ndim))).reshape(len(levels), -1)
        onset_top = onset_side.max(axis=0)
        end_top = np.max(end_side, axis=0)
        end_top = np.where(np.isfinite(end_top), end_top, 0.0)
        product = np.exp(onset_side - onset_top).T @ np.exp(end_side - end_top)
        out = (np.log(product) + onset_top[:, None] + end_top[None, :]).reshape(
            len(starts), *ends.shape
        )
        empty = ends[None, ...] <= starts[(slice(None), *([None] * ends.ndim))]
        return np.where(empty, _NEG_INF, out)

    def _cut(self, j: int, m: int) -> _Cut:
        """J's relief cut by m's onsets (m = K: by the diary's end), computed once per pass."""
        if (j, m) in self.cuts:
            return self.cuts[(j, m)]
        c = self.c
        h2 = self.h2
        tau = int(c.days[j])
        cuts = self.starts[m] if m < self.k else np.array([self.n], dtype=np.int64)
        plateau = (
            self._levels(j, cuts, np.zeros_like(cuts)) + self._survival(j, cuts + h2 - tau)[None, :]
        )
        offsets = np.arange(1, 2 * h2, dtype=np.int64)  # e = c - h2 + offset, offset 1..h - 1
        wear = cuts[:, None] - h2 + offsets[None, :]
        climb_start = wear - h2
        climbing = self._levels(j, np.maximum(climb_start, 0), cuts[:, None] - climb_start)
        climbing = climbing + self._duration(j, wear - tau)[None, :, :]
        climbing = np.where(climb_start[None, :, :] < 0, _NEG_INF, climbing)
        total = np.logaddexp(plateau, _logsumexp(climbing, axis=2))
        cut = _Cut(plateau, climbing, total)
        self.cuts[(j, m)] = cut
        return cut

    def _duration(self, k: int, durations: IntArray) -> Array:
        """Log P(k's wear-off on each of `durations` days after it), -inf outside the grid."""
        top = self.c.max_duration
        inside = (durations >= 0) & (durations <= top)
        return np.where(inside, self.c.log_duration[k][np.clip(durations, 0, top)], _NEG_INF)

    def _survival(self, k: int, durations: IntArray) -> Array:
        """Log P(k's wear-off ≥ each of `durations`), -inf beyond the longest."""
        top = self.c.max_duration + 1
        return np.where(
            (durations < 0) | (durations > top),
            _NEG_INF,
            self.c.log_survival[k][np.clip(durations, 0, top)],
        )

    def _wore_before(self, j: int, t: IntArray) -> Array:
        """Log Σ over j's complete wear-offs, climb ended on day z ≤ t, of exp(wore_j - U(z))."""
        count = np.searchsorted(self.wear_offs[j] + self.h2, t, side="right")
        prefix = self.prefix[j]
        if not len(prefix):
            return np.full(len(t), _NEG_INF)
        return np.where(count > 0, prefix[np.maximum(count - 1, 0)], _NEG_INF)

    def _forward(self, k: int) -> None:
        c = self.c
        h2 = self.h2
        starts = self.starts[k]
        terms = [self._between(-1, k) + self.untreated[starts] - self.untreated[0]]
        for j in range(k):
            between = self._between(j, k)
            terms.append(between + self.untreated[starts] + self._wore_before(j, starts))
            if self._reaches(j, int(starts[0])):
                cut = self._cut(j, k)
                terms.append(between + _logsumexp(self.forward[j][:, None] + cut.total, axis=0))
        self.forward.append(c.log_works + c.log_onset[k] + _logsumexp(np.stack(terms), axis=0))
        tau = int(c.days[k])
        wear_offs = np.arange(
            max(tau + 1, int(starts[0]) + 1 + h2),
            min(tau + c.max_duration, self.n - h2) + 1,
            dtype=np.int64,
        )
        self.wear_offs.append(wear_offs)
        full = self._levels(k, wear_offs - h2, np.full_like(wear_offs, 2 * h2))
        self.full.append(full)
        wore = _logsumexp(self.forward[k][:, None] + full, axis=0)
        wore = wore + self._duration(k, wear_offs - tau)
        self.wore.append(wore)
        climbed = wear_offs + h2
        self.prefix.append(
            np.logaddexp.accumulate(wore - self.untreated[climbed]) if len(wear_offs) else wore
        )

    def _evidence(self) -> float:
        end = np.array([self.n], dtype=np.int64)
        terms = [self._between(-1, self.k) + self.untreated[self.n] - self.untreated[0]]
        for k in range(self.k):
            after = self._between(k, self.k)
            terms.append(after + self.untreated[self.n] + float(self._wore_before(k, end)[0]))
            if self._reaches(k, self.n):
                cut = self._cut(k, self.k)
                terms.append(after + float(_logsumexp(self.forward[k] + cut.total[:, 0], axis=0)))
        return float(_logsumexp(np.array(terms), axis=0))

    def _later_onsets(self, m: int, t: IntArray) -> Array:
        """Log Σ over m's onset days s ≥ t of P(onset) · U(s) · F_m: per t."""
        first = np.searchsorted(self.starts[m], t, side="left")
        suffix = self.suffix[m]
        return np.where(first < len(suffix), suffix[np.minimum(first, len(suffix) - 1)], _NEG_INF)

    def _backward(self, k: int) -> None:
        c = self.c
        wear_offs = self.wear_offs[k]
        climbed = wear_offs + self.h2
        after = self._between(k, self.k)
        # Untreated from the end of a climb on day z: the rest of the diary, per z.
        parts = [np.full(len(climbed), after + self.untreated[self.n])]
        for m in range(k + 1, self.k):
            parts.append(self._between(k, m) + c.log_works + self._later_onsets(m, climbed))
        after_wear = _logsumexp(np.stack(parts), axis=0) - self.untreated[climbed]
        self.after_wear[k] = after_wear
        durations = self._duration(k, wear_offs - c.days[k])
        terms = [_logsumexp(self.full[k] + (durations + after_wear)[None, :], axis=1)]
        for m in range(k + 1, self.k):
            if not self._reaches(k, int(self.starts[m][0])):
                break
            cut = self._cut(k, m)
            following = c.log_onset[m] + self.backward[m]
            terms.append(
                self._between(k, m)
                + c.log_works
                + _logsumexp(cut.total + following[None, :], axis=1)
            )
        if self._reaches(k, self.n):
            terms.append(after + self._cut(k, self.k).total[:, 0])
        self.backward[k] = _logsumexp(np.stack(terms), axis=0)
        own = c.log_onset[k] + self.untreated[self.starts[k]] + self.backward[k]
        self.suffix[k] = np.logaddexp.accumulate(own[::-1])[::-1]

    def _posterior(self, log_evidence: float) -> ChainPosterior:
        c = self.c
        n, h2, top = self.n, self.h2, c.max_duration
        count = self.k
        onset = (
            np.exp(
                np.stack([self.forward[k] + self.backward[k] for k in range(count)]) - log_evidence
            )
            if count
            else np.zeros((0, len(c.onsets)))
        )
        relief = np.zeros((count, n + 1))
        affected = np.zeros((count, n + 1))
        wear_off = np.zeros((count, n + 2 * h2 + 1))
        durations = np.zeros((count, top + 1))
        censored = np.zeros((count, top + 2))
        superseded = np.zeros(count)
        for k in range(count):
            tau = int(c.days[k])
            np.add.at(relief[k], self.starts[k], onset[k])
            np.add.at(affected[k], self.starts[k], onset[k])
            wear_offs = self.wear_offs[k]
            mass = np.exp(self.wore[k] + self.after_wear[k] - log_evidence)
            wear_off[k, wear_offs] += mass
            durations[k, wear_offs - tau] += mass
            np.subtract.at(relief[k], wear_offs - h2, mass)
            np.subtract.at(affected[k], wear_offs + h2, mass)
            for m in range(k + 1, self.k + 1):
                cuts = self.starts[m] if m < self.k else np.array([n], dtype=np.int64)
                if not self._reaches(k, int(cuts[0])):
                    break
                cut = self._cut(k, m)
                if m < self.k:
                    following = (
                        self._between(k, m) + c.log_works + c.log_onset[m] + self.backward[m]
                    )
                else:
                    following = np.array([self._between(k, self.k)])
                following = following - log_evidence
                # Still at the plateau when cut: censored at the cut plus half a climb.
                held = np.exp(
                    _logsumexp(self.forward[k][:, None] + cut.plateau, axis=0) + following
                )
                np.add.at(censored[k], np.clip(cuts + h2 - tau, 0, top + 1), held)
                np.subtract.at(relief[k], cuts, held)
                np.subtract.at(affected[k], cuts, held)
                # Climbing when cut: a wear-off on day e, seen when e came before the cut.
                climbing = np.exp(
                    _logsumexp(self.forward[k][:, None, None] + cut.climbing, axis=0)
                    + following[:, None]
                )
                offsets = np.arange(1, 2 * h2, dtype=np.int64)
                wear = cuts[:, None] - h2 + offsets[None, :]
                seen = wear < cuts[:, None]
                np.add.at(wear_off[k], np.clip(wear[seen], 0, None), climbing[seen])
                np.add.at(durations[k], np.clip(wear - tau, 0, top), climbing)
                if m < self.k:
                    superseded[k] += float(held.sum() + climbing[~seen].sum())
                np.subtract.at(relief[k], np.clip(wear - h2, 0, None), climbing)
                np.subtract.at(affected[k], np.repeat(cuts, len(offsets)), climbing.ravel())
        return ChainPosterior(
            log_evidence=log_evidence,
            responded=onset.sum(axis=1),
            onset=onset,
            wear_off=wear_off[:, :n],
            durations=durations,
            censored=censored,
            superseded=superseded,
            relief=np.clip(np.cumsum(relief, axis=1)[:, :n], 0.0, 1.0),
            affected=np.clip(np.cumsum(affected, axis=1)[:, :n], 0.0, 1.0),
        )


@dataclass(frozen=True, eq=False)
class _State:
    """What EM re-estimates between exact passes."""

    baseline: Array
    dispersion: float
    duration_mean: float
    duration_var: float
    duration_mean_var: float
    onset_mean: float
    onset_var: float
    onset_mean_var: float
    report_bias: float = 0.0

    @classmethod
    def initial(
        cls, y: Array, recorded: npt.NDArray[np.bool_], days: IntArray, priors: CyclePriors
    ) -> _State:
        before = recorded.copy()
        if len(days):
            before[int(days[0]) :] = False
        if before.sum() >= priors.baseline.min_untreated_days:
            level = float(y[before].mean())
        else:
            level = _upper_rolling_mean(y, recorded)
        duration, onset = priors.duration, priors.onset
        return cls(
            baseline=np.full(len(y), max(level, BASELINE_FLOOR)),
            dispersion=INITIAL_DISPERSION,
            duration_mean=duration.mean_days,
            duration_var=duration.between_cycles_sd_days**2,
            duration_mean_var=duration.sd_of_mean_days**2,
            onset_mean=onset.mean_days,
            onset_var=onset.between_cycles_sd_days**2,
            onset_mean_var=onset.sd_days**2,
        )

    def updated(
        self,
        posterior: ChainPosterior,
        chain: Chain,
        y: Array,
        recorded: npt.NDArray[np.bool_],
        injections: Sequence[Injection],
        priors: CyclePriors,
    ) -> _State:
        """The M step: baseline, dispersion, the pooled onsets and durations, the report bias."""
        untreated = np.clip(1.0 - posterior.affected.sum(axis=0), 0.0, 1.0) * recorded
        baseline = (
            _smoothed_baseline(y, untreated, priors) if untreated.sum() > 0 else self.baseline
        )
        dispersion = _dispersion(y, baseline, untreated, self.dispersion)
        duration = _pooled(
            *_duration_moments(posterior, chain),
            prior_mean=priors.duration.mean_days,
            prior_mean_var=priors.duration.sd_of_mean_days**2,
            prior_var=priors.duration.between_cycles_sd_days**2,
            current_var=self.duration_var,
        )
        onset = _pooled(
            *_onset_moments(posterior, chain),
            prior_mean=priors.onset.mean_days,
            prior_mean_var=priors.onset.sd_days**2,
            prior_var=priors.onset.between_cycles_sd_days**2,
            current_var=self.onset_var,
        )
        bias = _report_bias(posterior, injections, priors, self.report_bias)
        return _State(baseline, dispersion, *duration, *onset, bias)


def _chain(
    state: _State,
    y: Array,
    recorded: npt.NDArray[np.bool_],
    days: IntArray,
    onsets: IntArray,
    levels: Array,
    injections: Sequence[Injection],
    priors: CyclePriors,
    climb_days: int,
    *,
    power: float = 1.0,
) -> Chain:
    """The exact pass's inputs under the current state, for one climb length.

    `power` < 1 coarsens the likelihood: each day's, and each reported date's, log-likelihood
    times it.
    """
    theta = 1.0 / state.dispersion
    means = np.vstack([levels[:, None] * state.baseline[None, :], state.baseline[None, :]])
    with np.errstate(divide="ignore", invalid="ignore"):
        day_loglik = y * np.log(means) - (y + theta) * np.log(theta + means)
    day_loglik = power * np.where(recorded[None, :], day_loglik, 0.0)
    cumulative = np.concatenate([np.zeros((len(means), 1)), np.cumsum(day_loglik, axis=1)], axis=1)
    climb = power * _climb(levels, state.baseline, y, recorded, theta, climb_days)
    reported = priors.reported_dates
    top = priors.duration.max_days
    durations = np.arange(top + 1, dtype=np.float64)
    duration_sd = math.sqrt(state.duration_var + state.duration_mean_var)
    base_duration = _normal_pmf(durations, state.duration_mean, duration_sd, first=1)
    onset_sd = math.sqrt(state.onset_var + state.onset_mean_var)
    base_onset = _normal_pmf(onsets.astype(np.float64), state.onset_mean, onset_sd, first=1)
    log_onset, log_duration, log_survival, log_fails = [], [], [], []
    fails = math.log1p(-priors.relief.prior_probability)
    for injection in injections:
        onset_pmf, duration_pmf, fail = base_onset, base_duration, fails
        if injection.reported_onset is not None and 0 <= injection.reported_onset <= (
            reported.onset_window_days
        ):
            window = reported.onset_window_days
            report = _report(onsets, injection.reported_onset, reported, window)
            onset_pmf = onset_pmf * report**power
            fail -= power * math.log(window)
        if injection.reported_wear_off is not None and 1 <= injection.reported_wear_off <= top:
            report = _report(
                durations, injection.reported_wear_off - state.report_bias, reported, top,
                wear_off=True,
            )  # fmt: skip
            duration_pmf = duration_pmf * report**power
            fail -= power * math.log(top)
        survival = np.concatenate([np.cumsum(duration_pmf[::-1])[::-1], [0.0]])
        with np.errstate(divide="ignore"):
            log_onset.append(np.log(onset_pmf))
            log_duration.append(np.log(duration_pmf))
            log_survival.append(np.log(survival))
        log_fails.append(fail)
    count = len(injections)
    return Chain(
        cumulative=cumulative,
        climb=climb,
        log_level_prior=np.full(len(levels), -math.log(len(levels))),
        days=days,
        onsets=onsets,
        log_onset=np.array(log_onset).reshape(count, len(onsets)),
        log_duration=np.array(log_duration).reshape(count, top + 1),
        log_survival=np.array(log_survival).reshape(count, top + 2),
        log_works=math.log(priors.relief.prior_probability),
        log_fails=np.array(log_fails, dtype=np.float64),
    )


def _climb(
    levels: Array,
    baseline: Array,
    y: Array,
    recorded: npt.NDArray[np.bool_],
    theta: float,
    days: int,
) -> Array:
    """(levels, days + 1, N + 1): the log-likelihood of the first j days of a climb from day a.

    On the i-th day of the climb the rate is the baseline times r + (1 - r)(i + ½)/days, rising
    linearly from the relief level r to the baseline.
    """
    n = len(y)
    climb = np.zeros((len(levels), days + 1, n + 1))
    for i in range(days):
        share = levels + (1.0 - levels) * (i + 0.5) / days
        means = share[:, None] * baseline[None, :]
        day_loglik = y * np.log(means) - (y + theta) * np.log(theta + means)
        day_loglik = np.where(recorded[None, :], day_loglik, 0.0)
        shifted = np.zeros((len(levels), n + 1))
        if i < n:  # a climb longer than the diary has no day i from the diary's last days
            shifted[:, : n - i] = day_loglik[:, i:]
        climb[:, i + 1] = climb[:, i] + shifted
    return climb


def _report(
    grid: IntArray | Array,
    reported: float,
    priors: ReportedDates,
    window: int,
    *,
    wear_off: bool = False,
) -> Array:
    """The likelihood of a reported date under each true value: noise, or a wrong report."""
    sd = priors.wear_off_sd_days if wear_off else priors.onset_sd_days
    wrong = priors.wrong_share
    z = (np.asarray(grid, dtype=np.float64) - reported) / sd
    density = np.exp(-0.5 * z * z) / (sd * math.sqrt(2 * math.pi))
    return np.asarray((1 - wrong) * density + wrong / window, dtype=np.float64)


def _normal_pmf(grid: Array, mean: float, sd: float, *, first: int) -> Array:
    """A normal distribution discretised on the grid, zero below `first`, summing to one."""
    z = (grid - mean) / sd
    weights = np.where(grid >= first, np.exp(-0.5 * z * z), 0.0)
    total = float(weights.sum())
    if total <= 0:
        weights = np.where(grid >= first, 1.0, 0.0)
        total = float(weights.sum())
    return np.asarray(weights / total, dtype=np.float64)


def _upper_rolling_mean(y: Array, recorded: npt.NDArray[np.bool_]) -> float:
    """A first guess at the untreated level: the upper quartile of 28-day recorded means."""
    window = 28
    sums = np.convolve(y * recorded, np.ones(window), mode="valid")
    counts = np.convolve(recorded.astype(np.float64), np.ones(window), mode="valid")
    means = sums[counts >= window / 2] / counts[counts >= window / 2]
    if len(means):
        return float(np.quantile(means, 0.75))
    return float(y[recorded].mean()) if recorded.any() else BASELINE_FLOOR


def _smoothed_baseline(y: Array, weights: Array, priors: CyclePriors) -> Array:
    """The untreated rate per day: a kernel-weighted mean of untreated days, stabilised."""
    bandwidth = priors.baseline.bandwidth_days
    half = int(min(3 * bandwidth, len(y)))
    offsets = np.arange(-half, half + 1, dtype=np.float64)
    kernel = np.exp(-0.5 * (offsets / bandwidth) ** 2)
    overall = float((weights * y).sum() / weights.sum())
    prior = priors.baseline.prior_days
    # "full" convolution, cut so that entry i is centred on day i, whatever the lengths.
    numerator = np.convolve(weights * y, kernel, mode="full")[half : half + len(y)]
    denominator = np.convolve(weights, kernel, mode="full")[half : half + len(y)]
    level = (numerator + prior * overall) / (denominator + prior)
    return np.asarray(np.maximum(level, BASELINE_FLOOR), dtype=np.float64)


def _dispersion(y: Array, baseline: Array, weights: Array, current: float) -> float:
    """The negative binomial's dispersion by moments on the untreated days."""
    scale = float((weights * baseline**2).sum())
    if scale <= 0 or weights.sum() < 7:
        return current
    excess = float((weights * ((y - baseline) ** 2 - baseline)).sum())
    low, high = DISPERSION_RANGE
    return min(max(excess / scale, low), high)


def _duration_moments(posterior: ChainPosterior, chain: Chain) -> tuple[float, float, float]:
    """Σ weight, Σ weight · E[w], Σ weight · E[w²] over every injection's posterior wear-off.

    A wear-off seen whole, or inferred from a climb a later relief interrupted, contributes its
    day; relief still at its plateau when a later relief began, or when the diary ended,
    contributes E[w | w ≥ that day] under the injection's prior (a censored duration).
    """
    grid = np.arange(chain.max_duration + 2, dtype=np.float64)
    seen = posterior.durations
    total = float(seen.sum())
    first = float((seen * grid[:-1]).sum())
    second = float((seen * grid[:-1] ** 2).sum())
    for k in range(len(chain.days)):
        censored = posterior.censored[k]
        if censored.sum() <= 1e-12:
            continue
        pmf = np.concatenate([np.exp(chain.log_duration[k]), [0.0]])
        tails = [np.cumsum((pmf * grid**p)[::-1])[::-1] for p in (0, 1, 2)]
        usable = (censored > 0) & (tails[0] > 0)
        mass = censored[usable]
        total += float(mass.sum())
        first += float((mass * tails[1][usable] / tails[0][usable]).sum())
        second += float((mass * tails[2][usable] / tails[0][usable]).sum())
    return total, first, second


def _report_bias(
    posterior: ChainPosterior,
    injections: Sequence[Injection],
    priors: CyclePriors,
    current: float,
) -> float:
    """The M step for the person's report bias: reported less diary wear-offs, shrunk to 0.

    Each reported wear-off counts with the probability that its injection worked and wore off,
    times the probability that the report is not a slip (at the current bias); the normal prior
    (mean 0, `wear_off_bias_sd_days`) adds (report sd / prior sd)² pseudo-reports at no offset.
    """
    reported = priors.reported_dates
    top = priors.duration.max_days
    grid = np.arange(top + 1, dtype=np.float64)
    sd = reported.wear_off_sd_days
    weighted = weight = 0.0
    for k, injection in enumerate(injections):
        if injection.reported_wear_off is None or not 1 <= injection.reported_wear_off <= top:
            continue
        seen = posterior.durations[k]
        mass = float(seen.sum())
        if mass <= 1e-9:
            continue
        offset = injection.reported_wear_off - float((seen * grid).sum()) / mass
        z = (offset - current) / sd
        noise = (1 - reported.wrong_share) * math.exp(-0.5 * z * z) / (sd * math.sqrt(2 * math.pi))
        share = mass * noise / (noise + reported.wrong_share / top)
        weighted += share * offset
        weight += share
    return weighted / (weight + (sd / reported.wear_off_bias_sd_days) ** 2)


def _onset_moments(posterior: ChainPosterior, chain: Chain) -> tuple[float, float, float]:
    """Σ weight, Σ weight · E[o], Σ weight · E[o²] over every injection's posterior onset."""
    onsets = chain.onsets.astype(np.float64)
    total = float(posterior.onset.sum())
    first = float((posterior.onset * onsets).sum())
    second = float((posterior.onset * onsets**2).sum())
    return total, first, second


def _pooled(
    total: float,
    first: float,
    second: float,
    *,
    prior_mean: float,
    prior_mean_var: float,
    prior_var: float,
    current_var: float,
) -> tuple[float, float, float]:
    """The person's mean, spread and the mean's uncertainty: a normal hierarchy's M step.

    The mean has a normal hyperprior (the literature's value and its uncertainty); the
    cycle-to-cycle variance has `PRIOR_CYCLES` pseudo-cycles at the prior spread.
    """
    precision = 1.0 / prior_mean_var + total / current_var
    mean = (prior_mean / prior_mean_var + first / current_var) / precision
    spread = second - 2 * mean * first + total * mean * mean
    variance = (PRIOR_CYCLES * prior_var + max(spread, 0.0)) / (PRIOR_CYCLES + total)
    return mean, variance, 1.0 / precision


def _logsumexp(values: Array, axis: int) -> Array:
    """Log Σ exp along an axis, exact for -inf everywhere (no NaN, no warnings).

    An empty sum (a wear-off grid with no day in it) is -inf.
    """
    if values.shape[axis] == 0:
        return np.full(np.delete(values.shape, axis), _NEG_INF)
    top = np.max(values, axis=axis, keepdims=True)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(values - safe), axis=axis, keepdims=True)) + safe
    return np.asarray(np.squeeze(out, axis=axis), dtype=np.float64)
