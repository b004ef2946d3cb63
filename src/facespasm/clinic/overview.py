"""A clinician's patient list: one line per patient who shares, the most urgent first.

`clinic_overview(engine, clinician, today=...)` answers, for every patient with an active share
(`shares.shared_patients`), what a neurologist scans before a clinic: the care level of the
patient's newest kept assessment and its date, whether they twitch more or less than a month
ago, the last botulinum toxin injection and when the next is due (`diary.cycles.toxin_cycles`,
the same model as `facespasm diary cycles` and the patient's own page). The `/clinic` page shows
it; a JSON route could serve the same records (`PatientSummary.to_dict`).

Decisions:
- **Each patient's records are read through their own `Diary`** -- on PostgreSQL the app's role
  sees no diary row outside it (`diary/row_security.py`) -- and only for patients who share.
- **Twitch trend** (facespasm's own display rule, not from a study): episodes per *recorded* day
  over the last 30 days against the 30 before (a day without a count is not a day without
  twitches, `diary/days.py`). "Fewer" or "more" when the rate moved by at least a quarter
  (`TREND_CHANGE`), else "about the same"; "too few diary days" when either window has fewer
  than `MIN_TREND_DAYS` recorded days -- a rate over two or three days says little.
- **Order**: the highest care level first (emergency, see a doctor soon, see a doctor, self
  care, then no kept assessment), then the most recent activity (any dated entry), then email.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from facespasm.clinic.shares import shared_patient, shared_patients
from facespasm.diary.records import CARE_LEVELS, CareLevel, Day, Treatment
from facespasm.diary.store import Diary
from facespasm.errors import NotFoundError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from facespasm.clinic.accounts import Account
    from facespasm.diary.cycles import Cycle

TREND_DAYS = 30
MIN_TREND_DAYS = 7
TREND_CHANGE = 0.25
TOXIN = "botulinum_toxin"

Direction = Literal["fewer", "more", "about the same", "too few diary days"]


@dataclass(frozen=True)
class TwitchTrend:
    """Episodes per recorded day, the last 30 days against the 30 before.

    Attributes:
        recent: the last 30 days' rate (None: no recorded day).
        before: the 30 days before's rate (None: no recorded day).
        recent_days: recorded days in the last 30.
        before_days: recorded days in the 30 before.
        direction: "fewer", "more", "about the same" or "too few diary days".
        change: (recent - before) / before (None: not comparable).
    """

    recent: float | None
    before: float | None
    recent_days: int
    before_days: int
    direction: Direction
    change: float | None

    @property
    def text(self) -> str:
        """E.g. "fewer: 3.2 a day over the last 30 days against 6.5 the 30 before (-51%)"."""
        if self.direction == "too few diary days":
            return (
                f"too few diary days to compare ({self.recent_days} recorded in the last "
                f"{TREND_DAYS}, {self.before_days} in the {TREND_DAYS} before)"
            )
        assert self.recent is not None and self.before is not None
        change = "" if self.change is None else f" ({self.change:+.0%})"
        return (
            f"{self.direction}: {self.recent:.1f} a day over the last {TREND_DAYS} days against "
            f"{self.before:.1f} the {TREND_DAYS} before{change}"
        )

    def to_dict(self) -> dict[str, Any]:
        """The trend as JSON-ready values."""
        return {
            "recent_per_day": self.recent,
            "before_per_day": self.before,
            "recent_days": self.recent_days,
            "before_days": self.before_days,
            "direction": self.direction,
            "change": self.change,
            "text": self.text,
        }


@dataclass(frozen=True)
class PatientSummary:
    """One patient on a clinician's list.

    Attributes:
        id: the patient's account id (`/clinic/patients/{id}`).
        email: the patient's email.
        shared_since: when they shared with this clinician.
        care_level: the newest kept assessment's care level (None: none kept).
        assessed_on: that assessment's date.
        trend: twitches, the last 30 days against the 30 before.
        last_injection: the newest botulinum toxin injection's date.
        next_due: when the next injection is due (`toxin_cycles`).
        last_activity: the newest date of any entry (None: an empty diary).
    """

    id: int
    email: str
    shared_since: dt.datetime | None
    care_level: CareLevel | None
    assessed_on: dt.date | None
    trend: TwitchTrend
    last_injection: dt.date | None
    next_due: dt.date | None
    last_activity: dt.date | None

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready values (dates as ISO strings)."""

        def iso(date: dt.date | None) -> str | None:
            return None if date is None else date.isoformat()

        return {
            "id": self.id,
            "email": self.email,
            "shared_since": None if self.shared_since is None else self.shared_since.isoformat(),
            "care_level": self.care_level,
            "assessed_on": iso(self.assessed_on),
            "twitch_trend": self.trend.to_dict(),
            "last_injection": iso(self.last_injection),
            "next_due": iso(self.next_due),
            "last_activity": iso(self.last_activity),
        }


def twitch_trend(days: Sequence[Day], *, today: dt.date) -> TwitchTrend:
    """Episodes per recorded day, the last 30 days (to `today`) against the 30 before.

    Args:
        days: the diary's days (their episode counts: counted, else logged).
        today: the last day of the recent window.

    Returns:
        The trend (see the module's decisions).
    """
    recent_start = today - dt.timedelta(days=TREND_DAYS - 1)
    before_start = recent_start - dt.timedelta(days=TREND_DAYS)
    recent = [
        d.episodes for d in days if d.episodes is not None and recent_start <= d.date <= today
    ]
    before = [
        d.episodes for d in days if d.episodes is not None and before_start <= d.date < recent_start
    ]
    recent_rate = sum(recent) / len(recent) if recent else None
    before_rate = sum(before) / len(before) if before else None
    if len(recent) < MIN_TREND_DAYS or len(before) < MIN_TREND_DAYS:
        return TwitchTrend(
            recent_rate, before_rate, len(recent), len(before), "too few diary days", None
        )
    assert recent_rate is not None and before_rate is not None
    change = None if before_rate == 0 else (recent_rate - before_rate) / before_rate
    direction: Direction
    if change is None:
        direction = "about the same" if recent_rate == 0 else "more"
    elif change <= -TREND_CHANGE:
        direction = "fewer"
    elif change >= TREND_CHANGE:
        direction = "more"
    else:
        direction = "about the same"
    return TwitchTrend(recent_rate, before_rate, len(recent), len(before), direction, change)


def patient_summary(
    patient_id: int,
    email: str,
    shared_since: dt.datetime | None,
    diary: Diary,
    *,
    today: dt.date,
    cycles: Sequence[Cycle] | None = None,
) -> PatientSummary:
    """One patient's line, from their own diary.

    Args:
        patient_id: the patient's account id.
        email: the patient's email.
        shared_since: when the share began (None: not asked).
        diary: the patient's diary (`Diary(engine, patient.person_id)`).
        today: the clinic's today.
        cycles: `toxin_cycles` of this diary, if already worked out (None: worked out here).

    Returns:
        The summary.
    """
    days = diary.days.all()
    treatments = diary.treatments.all()
    newest = diary.assessments.page(limit=1, newest_first=True)
    assessment = newest[0] if newest else None
    toxin = tuple(t for t in treatments if t.kind == TOXIN)
    injections = [t for t in toxin if t.date <= today]
    if cycles is None:
        cycles = _cycles(tuple(days), toxin, today) if toxin else ()
    latest = cycles[-1] if cycles else None
    dated = [
        *(d.date for d in days[-1:]),
        *(t.date for t in treatments),
        *(r.date for r in diary.ratings.page(limit=1, newest_first=True)),
        *(m.local_date for m in diary.measurements.page(limit=1, newest_first=True)),
        *([assessment.local_date] if assessment else []),
    ]
    return PatientSummary(
        id=patient_id,
        email=email,
        shared_since=shared_since,
        care_level=assessment.care_level if assessment else None,
        assessed_on=assessment.local_date if assessment else None,
        trend=twitch_trend(days, today=today),
        last_injection=max((t.date for t in injections), default=None),
        next_due=latest.next_due if latest is not None else None,
        last_activity=max((d for d in dated if d <= today), default=None),
    )


@functools.lru_cache(maxsize=256)
def _cycles(
    days: tuple[Day, ...], injections: tuple[Treatment, ...], today: dt.date
) -> tuple[Cycle, ...]:
    # The cycle model reads the whole history (~0.25 s a patient with a year of days): a list
    # shown again with the same days and injections reuses it; any change is a new key.
    from facespasm.diary.cycles import toxin_cycles

    return tuple(toxin_cycles(days, injections, today=today))


def urgency(summary: PatientSummary) -> tuple[int, int, str]:
    """The list's sort key: highest care level, then latest activity, then email."""
    level = -1 if summary.care_level is None else CARE_LEVELS.index(summary.care_level)
    activity = summary.last_activity.toordinal() if summary.last_activity else 0
    return (-level, -activity, summary.email)


def clinic_overview(engine: Engine, clinician: Account, *, today: dt.date) -> list[PatientSummary]:
    """The patients who share with `clinician`, the most urgent first.

    Args:
        engine: The database's engine.
        clinician: The clinician's account (another role has no shares: an empty list).
        today: The clinic's today.

    Returns:
        One summary per patient with an active share (see the module's decisions).
    """
    if clinician.role != "clinician" or clinician.disabled:
        return []
    summaries = []
    for shared in shared_patients(engine, clinician):
        try:
            # The share checked again, and the patient's person (whose diary to open).
            patient = shared_patient(engine, clinician, shared.id)
        except NotFoundError:
            continue  # revoked since the list was read
        diary = Diary(engine, patient.person_id)
        summaries.append(
            patient_summary(shared.id, shared.email, shared.shared_since, diary, today=today)
        )
    return sorted(summaries, key=urgency)
