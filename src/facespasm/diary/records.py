"""The diary's plain records: what storage reads and writes, and what the statistics analyse.

Storage (SQLAlchemy) and statistics (statsmodels) meet only here, so each can be tested without
the other: a simulated diary is a list of `Day`s, whatever database it would have come from.

The ⚑ CSV columns of DESIGN.md are the fields of `Day` (`date, episodes, sleep_hours,
caffeine_drinks, alcohol_drinks, stress_0_10, screen_hours, nicotine`); `sleep_hours` on a day is
the sleep of the night before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, get_args

# The ⚑ CSV columns, in order (DESIGN.md).
CSV_COLUMNS = (
    "date",
    "episodes",
    "sleep_hours",
    "caffeine_drinks",
    "alcohol_drinks",
    "stress_0_10",
    "screen_hours",
    "nicotine",
)
FACTORS = CSV_COLUMNS[2:]

# The person's own side, where on the face, and which treatment: the one source of each word list.
Side = Literal["left", "right", "both"]
Region = Literal["eyelid", "brow", "cheek", "mouth", "neck"]
TreatmentKind = Literal["botulinum_toxin", "medication", "microvascular_decompression"]
SIDES: tuple[Side, ...] = get_args(Side)
REGIONS: tuple[Region, ...] = get_args(Region)
TREATMENT_KINDS: tuple[TreatmentKind, ...] = get_args(TreatmentKind)


@dataclass(frozen=True, slots=True)
class Day:
    """One day of the diary: twitch episodes and the lifestyle factors (None: not recorded)."""

    date: dt.date
    episodes: int | None = None
    sleep_hours: float | None = None
    caffeine_drinks: float | None = None
    alcohol_drinks: float | None = None
    stress_0_10: float | None = None
    screen_hours: float | None = None
    nicotine: bool | None = None


@dataclass(frozen=True, slots=True)
class Treatment:
    """A treatment as a clinic records it: a botulinum toxin injection, a medicine, or surgery.

    `dose_units` is the total (units of toxin; a medicine's daily dose), `name` the product or
    medicine; a toxin's units may be split by side (`units_left`, `units_right`) and by site
    (`sites`: (site, units) pairs). A medicine runs from `date` to `until` (None: still taken).
    `reported_onset` and `reported_wear_off` are the person's own "it started working" and "it is
    wearing off" dates for an injection, used as data by the cycle analysis.
    """

    date: dt.date
    kind: TreatmentKind
    side: Side | None = None
    dose_units: float | None = None
    name: str | None = None
    note: str | None = None
    units_left: float | None = None
    units_right: float | None = None
    sites: tuple[tuple[str, float], ...] = ()
    until: dt.date | None = None
    reported_onset: dt.date | None = None
    reported_wear_off: dt.date | None = None
