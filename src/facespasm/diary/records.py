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
    """A treatment given on a date: a botulinum toxin injection, a medicine, or surgery."""

    date: dt.date
    kind: TreatmentKind
    side: Side | None = None
    dose_units: float | None = None
    name: str | None = None
    note: str | None = None
