"""Recent diary days as evidence for the assessment: the lifestyle findings of the last two weeks.

The thresholds follow the questions' own wording (findings.yaml): "more than 3-4 cups a day" of
caffeinated drinks, "six hours or more a day" at screens; sleep under 6.5 hours counts as too
little (adults need 7 or more); stress is on the diary's 0-10 scale. A factor recorded on fewer
than three of the last 14 days says nothing, and values between the two thresholds say nothing
either: the diary only answers where it is clear.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from facespasm.diary.records import Day
from facespasm.reasoning.evidence import Evidence, EvidenceItem, Origin

WINDOW_DAYS = 14
MIN_RECORDED = 3


@dataclass(frozen=True, slots=True)
class _Rule:
    finding: str
    column: str
    yes_if: Callable[[float], bool]
    no_if: Callable[[float], bool]
    unit: str


RULES = (
    _Rule("stress", "stress_0_10", lambda m: m >= 6, lambda m: m <= 3, "/10 stress"),
    _Rule("poor_sleep", "sleep_hours", lambda m: m < 6.5, lambda m: m >= 7.5, "h sleep"),
    _Rule("caffeine", "caffeine_drinks", lambda m: m >= 3, lambda m: m <= 1, "caffeinated drinks"),
    _Rule("alcohol", "alcohol_drinks", lambda m: m >= 2, lambda m: m == 0, "alcoholic drinks"),
    _Rule("screen_time", "screen_hours", lambda m: m >= 6, lambda m: m <= 3, "h at screens"),
    _Rule("nicotine", "nicotine", lambda m: m > 0, lambda m: m == 0, "share of days with nicotine"),
)


def diary_evidence(days: Sequence[Day], today: dt.date | None = None) -> Evidence:
    """Lifestyle evidence from the diary's last 14 days (origin "diary")."""
    today = today or dt.date.today()
    recent = [d for d in days if today - dt.timedelta(days=WINDOW_DAYS) < d.date <= today]
    items = {}
    for rule in RULES:
        values = [float(v) for d in recent if (v := getattr(d, rule.column)) is not None]
        if len(values) < MIN_RECORDED:
            continue
        mean = statistics.fmean(values)
        value = True if rule.yes_if(mean) else False if rule.no_if(mean) else None
        if value is not None:
            detail = f"diary: on average {mean:.1f} {rule.unit} over {len(values)} recent days"
            items[rule.finding] = EvidenceItem(rule.finding, value, Origin.DIARY, detail)
    return Evidence(items)
