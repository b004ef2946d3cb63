"""Simulated diaries of people on botulinum toxin, with the truth planted: for tests and bench.

Not in the runtime package: only the tests (`test_cycles.py`) and the validation
(`bench/cycles.py`) use it. The simulation is deliberately *not* the model's own shape, so the
validation tests the model rather than echoing it:

- each injection that works lowers the rate over a few days (an onset ramp) to its own relief
  level, holds it, and lets it climb back over 2-5 weeks; the true wear-off is the middle of
  the climb;
- several injections' effects overlap and combine as the strongest relief in force;
- the untreated rate drifts over the diary (up to ±25% a year);
- counts are negative binomial; days go missing at random and in holiday blocks;
- some people report their onset and wear-off dates, with noise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from facespasm.diary.records import Day, Treatment

START = dt.date(2024, 1, 1)


@dataclass(frozen=True)
class PlantedInjection:
    """One injection and the truth about it.

    Attributes:
        date: the injection date.
        works: whether it lowers the rate.
        onset_days: when the lowering starts (days after).
        wear_off_days: the middle of the climb back (days after): the true wear-off.
        relief: the relief level (a share of the untreated rate).
        climb_days: how long the climb back takes.
        visible: whether the diary shows the wear-off: the climb ends before a later
            injection's relief begins and at least 14 days before the diary's end.
    """

    date: dt.date
    works: bool
    onset_days: int
    wear_off_days: float
    relief: float
    climb_days: int
    visible: bool = False

    @property
    def wear_off(self) -> dt.date:
        """The true wear-off date (the middle of the climb, rounded)."""
        return self.date + dt.timedelta(days=round(self.wear_off_days))


@dataclass(frozen=True)
class SimulatedDiary:
    """A diary and its planted truth."""

    days: list[Day]
    treatments: list[Treatment]
    injections: list[PlantedInjection]
    baseline: float
    rates: np.ndarray = field(repr=False)


def relief_curve(n_days: int, injection: PlantedInjection, start: dt.date) -> np.ndarray:
    """The share of the untreated rate one injection leaves on each day (1: no relief)."""
    offset = (injection.date - start).days
    t = np.arange(n_days, dtype=np.float64) - offset
    curve = np.ones(n_days)
    if not injection.works:
        return curve
    ramp_in = 3.0
    falling = np.clip((t - injection.onset_days) / ramp_in, 0.0, 1.0)
    climb_start = injection.wear_off_days - injection.climb_days / 2
    rising = np.clip((t - climb_start) / injection.climb_days, 0.0, 1.0)
    depth = (1.0 - injection.relief) * falling * (1.0 - rising)
    return np.asarray(1.0 - depth, dtype=np.float64)


def planted_diary(
    rng: np.random.Generator,
    injections: list[PlantedInjection],
    *,
    n_days: int,
    baseline: float,
    dispersion: float = 0.3,
    drift: float = 0.0,
    missing: float = 0.0,
    holidays: int = 0,
    report_onset: float = 0.0,
    report_wear_off: float = 0.0,
    start: dt.date = START,
) -> SimulatedDiary:
    """A diary whose rate follows the planted injections.

    Args:
        rng: the random generator.
        injections: the planted injections (`visible` is worked out here).
        n_days: the diary's length.
        baseline: the untreated rate at the start (episodes a day).
        dispersion: the negative binomial's dispersion (variance = mean + dispersion · mean²).
        drift: the untreated rate's change over the diary (0.2: 20% higher at the end).
        missing: the share of days left unrecorded at random.
        holidays: how many 7-21 day blocks go unrecorded.
        report_onset: the chance a working injection gets a reported onset (± 2 days).
        report_wear_off: the chance a working injection gets a reported wear-off (± 7 days).
        start: the diary's first day.

    Returns:
        The diary and its truth.
    """
    curves = [relief_curve(n_days, injection, start) for injection in injections]
    relief = np.min(np.vstack(curves), axis=0) if curves else np.ones(n_days)
    untreated = baseline * (1.0 + drift * np.arange(n_days) / max(n_days - 1, 1))
    rates = untreated * relief
    counts = rng.negative_binomial(1 / dispersion, 1 / (1 + dispersion * rates))
    recorded = rng.random(n_days) >= missing
    for _ in range(holidays):
        length = int(rng.integers(7, 22))
        first = int(rng.integers(0, max(n_days - length, 1)))
        recorded[first : first + length] = False
    days = [
        Day(start + dt.timedelta(days=i), int(counts[i]) if recorded[i] else None)
        for i in range(n_days)
    ]
    working = [injection for injection in injections if injection.works]
    planted, treatments = [], []
    for injection in injections:
        later = [
            (other.date - start).days + other.onset_days
            for other in working
            if other.date > injection.date
        ]
        climb_end = (injection.date - start).days + injection.wear_off_days
        climb_end += injection.climb_days / 2
        visible = injection.works and climb_end <= min([*later, n_days - 14])
        planted.append(_with(injection, visible=visible))
        onset = wear_off = None
        if injection.works and rng.random() < report_onset:
            onset = injection.date + dt.timedelta(
                days=max(1, injection.onset_days + round(rng.normal(0, 2)))
            )
        if injection.works and rng.random() < report_wear_off:
            wear_off = injection.date + dt.timedelta(
                days=round(injection.wear_off_days + rng.normal(0, 7))
            )
        treatments.append(
            Treatment(
                injection.date,
                "botulinum_toxin",
                side="left",
                dose_units=20,
                reported_onset=onset,
                reported_wear_off=wear_off,
            )
        )
    return SimulatedDiary(days, treatments, planted, baseline, rates)


def random_diary(rng: np.random.Generator) -> SimulatedDiary:
    """One diary of the validation set: a person injected about every 12 weeks for 1-2 years.

    Cycles overlap: effects last 8-18 weeks against 10-14 week intervals. One injection in six
    does not work. 0-120 untreated days come before the first injection (none in one diary in
    five); 5-25% of days are missing at random, plus 0-2 holiday blocks. Half the people report
    dates for some injections.
    """
    lead = 0 if rng.random() < 0.2 else int(rng.integers(30, 121))
    n_days = int(rng.integers(365, 731))
    person_duration = rng.normal(88, 14)
    person_relief = rng.uniform(0.1, 0.5)
    injections = []
    day = lead
    while day < n_days - 20:
        works = rng.random() >= 1 / 6
        injections.append(
            PlantedInjection(
                date=START + dt.timedelta(days=day),
                works=works,
                onset_days=int(np.clip(round(rng.normal(5, 2)), 2, 14)),
                wear_off_days=float(np.clip(rng.normal(person_duration, 10), 50, 150)),
                relief=float(np.clip(person_relief * rng.uniform(0.7, 1.3), 0.05, 0.7)),
                climb_days=int(rng.integers(14, 36)),
            )
        )
        day += int(np.clip(round(rng.normal(84, 8)), 70, 100))
    reports = rng.random() < 0.5
    return planted_diary(
        rng,
        injections,
        n_days=n_days,
        baseline=float(rng.uniform(2, 15)),
        dispersion=float(rng.uniform(0.1, 0.6)),
        drift=float(rng.uniform(-0.25, 0.25)),
        missing=float(rng.uniform(0.05, 0.25)),
        holidays=int(rng.integers(0, 3)),
        report_onset=0.5 if reports else 0.0,
        report_wear_off=0.5 if reports else 0.0,
    )


def issue_12_diary(rng: np.random.Generator, wear_off_days: float = 98.0) -> SimulatedDiary:
    """Issue 12's finding: a year, three injections 12 weeks apart, each 8 → 1.6 a day.

    By default each effect lasts about 14 weeks, longer than the 12-week interval, so the second
    and third injections come while the previous one still works and only the third wears off in
    the diary; with `wear_off_days=70` (10 weeks) each wears off before the next one starts.
    """
    injections = [
        PlantedInjection(
            date=START + dt.timedelta(days=60 + 84 * i),
            works=True,
            onset_days=4,
            wear_off_days=wear_off_days,
            relief=0.2,
            climb_days=21,
        )
        for i in range(3)
    ]
    return planted_diary(rng, injections, n_days=365, baseline=8.0, dispersion=0.2)


def _with(injection: PlantedInjection, **changes: object) -> PlantedInjection:
    from dataclasses import replace

    return replace(injection, **changes)  # type: ignore[arg-type]
