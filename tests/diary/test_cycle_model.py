"""The cycle model: its exact pass is exact, and it borrows strength between cycles."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import replace

import numpy as np
import pytest

from facespasm.diary.cycle_model import Chain, Injection, fit_history, solve_chain
from facespasm.diary.cycles import toxin_cycles
from facespasm.diary.records import Day, Treatment
from facespasm.diary.reviewed import load_diary_knowledge
from tests.diary.simulated_cycles import PlantedInjection, planted_diary

START = dt.date(2024, 1, 1)


def random_chain(rng: np.random.Generator, days: tuple[int, ...] = (2, 8, 14)) -> Chain:
    """A small chain with arbitrary likelihoods and priors: 24 days, 2 levels, a 4-day climb."""
    n, levels, climb_days, top, onsets = 24, 2, 4, 12, (1, 2)
    loglik = -rng.uniform(0.1, 2.0, size=(levels + 1, n))
    cumulative = np.concatenate([np.zeros((levels + 1, 1)), np.cumsum(loglik, axis=1)], axis=1)
    climb = np.zeros((levels, climb_days + 1, n + 1))
    for j in range(1, climb_days + 1):
        climb[:, j] = climb[:, j - 1] - rng.uniform(0.1, 2.0, size=(levels, n + 1))

    def pmf(size: int) -> np.ndarray:
        p = rng.uniform(0.1, 1.0, size=size)
        return p / p.sum()

    duration = np.array([pmf(top + 1) for _ in days])
    duration[:, 0] = 0
    duration /= duration.sum(axis=1, keepdims=True)
    survival = np.concatenate(
        [np.cumsum(duration[:, ::-1], axis=1)[:, ::-1], np.zeros((len(days), 1))], axis=1
    )
    with np.errstate(divide="ignore"):
        return Chain(
            cumulative=cumulative,
            climb=climb,
            log_level_prior=np.log(pmf(levels)),
            days=np.array(days),
            onsets=np.array(onsets),
            log_onset=np.log(np.array([pmf(len(onsets)) for _ in days])),
            log_duration=np.log(duration),
            log_survival=np.log(survival),
            log_works=math.log(0.6),
            log_fails=np.log(rng.uniform(0.2, 0.6, len(days))),
        )


def enumerate_configurations(chain: Chain) -> tuple[float, np.ndarray, np.ndarray]:
    """log P(data), P(each worked), P(each wore off in the diary): by listing every history.

    A history: which injections worked; for each, its onset and its wear-off e, with its relief
    ending by a whole climb (untreated from e + h/2), a climb the next onset cut, or a plateau
    lasting until the next onset (the wear-off only known to come later).
    """
    k_count, n, half, top = len(chain.days), chain.length, chain.half_climb, chain.max_duration
    untreated = chain.cumulative[-1]

    def relief(start: int, climb_start: int, climbed: int) -> float:
        if climb_start <= start:
            return -math.inf
        levels = chain.cumulative[:-1]
        values = (
            levels[:, climb_start] - levels[:, start] + chain.climb[:, climbed, climb_start]
            + chain.log_level_prior
        )  # fmt: skip
        return float(np.logaddexp.reduce(values))

    total = -math.inf
    worked = np.full(k_count, -math.inf)
    wore_off = np.full(k_count, -math.inf)
    for works in itertools.product([False, True], repeat=k_count):
        chosen = [k for k in range(k_count) if works[k]]
        base = sum(chain.log_fails[k] for k in range(k_count) if not works[k])
        base += len(chosen) * chain.log_works
        for onsets in itertools.product(range(len(chain.onsets)), repeat=len(chosen)):
            starts = [
                int(chain.days[k] + chain.onsets[o]) for k, o in zip(chosen, onsets, strict=True)
            ]
            if any(b <= a for a, b in itertools.pairwise(starts)):
                continue
            prior = base + sum(chain.log_onset[k][o] for k, o in zip(chosen, onsets, strict=True))
            endings = []
            for i, k in enumerate(chosen):
                cut = starts[i + 1] if i + 1 < len(chosen) else n
                tau, start = int(chain.days[k]), starts[i]
                options = []
                for e in range(tau + 1, tau + top + 1):
                    if e + half <= cut:
                        options.append((e < cut, chain.log_duration[k][e - tau]
                                        + relief(start, e - half, 2 * half), e + half))  # fmt: skip
                    elif e - half < cut:
                        options.append((e < cut, chain.log_duration[k][e - tau]
                                        + relief(start, e - half, cut - e + half), cut))  # fmt: skip
                if cut + half - tau <= top + 1:
                    survival = chain.log_survival[k][cut + half - tau]
                    options.append((False, survival + relief(start, cut, 0), cut))
                endings.append(options)
            for ends in itertools.product(*endings):
                log_p, untreated_from = prior, 0
                for start, (_, log_relief, next_untreated) in zip(starts, ends, strict=True):
                    log_p += untreated[start] - untreated[untreated_from] + log_relief
                    untreated_from = next_untreated
                log_p += untreated[n] - untreated[untreated_from]
                total = np.logaddexp(total, log_p)
                for k, (seen, _, _) in zip(chosen, ends, strict=True):
                    worked[k] = np.logaddexp(worked[k], log_p)
                    if seen:
                        wore_off[k] = np.logaddexp(wore_off[k], log_p)
    return float(total), np.exp(worked - total), np.exp(wore_off - total)


@pytest.mark.parametrize("seed", range(4))
def test_the_exact_pass_equals_listing_every_history(seed: int) -> None:
    chain = random_chain(np.random.default_rng(seed))
    log_evidence, worked, wore_off = enumerate_configurations(chain)
    posterior = solve_chain(chain)
    assert posterior.log_evidence == pytest.approx(log_evidence, abs=1e-9)
    assert posterior.responded == pytest.approx(worked, abs=1e-9)
    assert posterior.wear_off.sum(axis=1) == pytest.approx(wore_off, abs=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_posterior_probabilities_are_probabilities(seed: int) -> None:
    posterior = solve_chain(random_chain(np.random.default_rng(10 + seed), days=(1, 6, 11, 16)))
    assert np.all((posterior.responded >= 0) & (posterior.responded <= 1 + 1e-9))
    assert posterior.onset.sum(axis=1) == pytest.approx(posterior.responded)
    # Every history a worked injection is in ends its relief exactly one way.
    ended = posterior.durations.sum(axis=1) + posterior.censored.sum(axis=1)
    assert ended == pytest.approx(posterior.responded)
    assert np.all(posterior.affected >= posterior.relief - 1e-9)
    assert np.all(posterior.affected.sum(axis=0) <= 1 + 1e-9)


def test_a_hidden_wear_off_is_pulled_to_the_persons_usual_duration() -> None:
    """Borrowing strength: four cycles wear off at day 110; the third's wear-off went unrecorded.

    Alone, its wear-off would follow the literature's 84 days; pooled with the person's other
    cycles, it follows their 110.
    """
    injections = [
        PlantedInjection(START + dt.timedelta(days=40 + 170 * i), True, 4, 110.0, 0.2, 20)
        for i in range(4)
    ]
    diary = planted_diary(np.random.default_rng(3), injections, n_days=750, baseline=8.0)
    counts = np.array([np.nan if d.episodes is None else d.episodes for d in diary.days], float)
    third = 40 + 340
    counts[third + 60 : third + 150] = np.nan  # the diary was not kept around its wear-off
    priors = load_diary_knowledge().cycles
    fit = fit_history(counts, [Injection(40 + 170 * i) for i in range(4)], priors)
    assert fit.duration_mean == pytest.approx(110, abs=6)
    hidden = fit.injections[2]
    median = int(np.searchsorted(np.cumsum(hidden.wear_off), 0.5))
    assert median - third == pytest.approx(110, abs=10)


@pytest.mark.parametrize("climb_days", [20, 34])
def test_an_injection_too_near_the_end_for_any_wear_off_is_still_read(climb_days: int) -> None:
    """With a longer climb back no wear-off fits between a late injection and the diary's end.

    The empty sum is zero probability, not an error.
    """
    priors = load_diary_knowledge().cycles
    priors = replace(priors, duration=replace(priors.duration, climb_days=climb_days))
    rng = np.random.default_rng(1)
    start = dt.date(2024, 1, 1)
    days = [Day(start + dt.timedelta(i), int(rng.poisson(5))) for i in range(200)]
    given = [Treatment(start + dt.timedelta(days), "botulinum_toxin") for days in (100, 190)]
    first, late = toxin_cycles(days, given, priors=priors)
    assert first.responded is False  # nothing changed after it
    assert late.wear_off is None and late.next_due is not None


def test_a_persons_habitually_early_reported_wear_offs_are_learnt_and_discounted() -> None:
    """Four cycles wear off at day 100; the person reports each ten days early.

    The offset is learnt with the hyperparameters, so the reports do not drag the wear-offs early.
    """
    injections = [
        PlantedInjection(START + dt.timedelta(days=40 + 170 * i), True, 4, 100.0, 0.2, 20)
        for i in range(4)
    ]
    diary = planted_diary(np.random.default_rng(5), injections, n_days=750, baseline=8.0)
    counts = np.array([np.nan if d.episodes is None else d.episodes for d in diary.days], float)
    priors = load_diary_knowledge().cycles
    told = [Injection(40 + 170 * i, reported_wear_off=90) for i in range(4)]
    fit = fit_history(counts, told, priors)
    assert fit.report_bias < -4
    for i, injection in enumerate(fit.injections):
        median = int(np.searchsorted(np.cumsum(injection.wear_off), 0.5))
        assert median - (40 + 170 * i) == pytest.approx(100, abs=4)
