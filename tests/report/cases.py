"""Cases for the report tests: planted clips, a planted diary, the clock and typical answers.

Shared by the model, terminal and command tests, so each draws the same cases.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from facespasm.diary.database import open_database
from facespasm.diary.records import Day, Episode, Rating, Treatment
from facespasm.diary.store import Diary
from facespasm.video.analysis import VideoAnalysis
from facespasm.video.events import find_events
from facespasm.video.measures import Measures
from facespasm.video.pattern import read_evidence, summarise

NOW = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)
FPS = 30.0
HEMIFACIAL = {
    "age": 55,
    "side": "one",
    "regions": ["eyelid", "cheek", "mouth"],
    "spread_to_lower_face": True,
    "persists_in_sleep": True,
    "duration_days": 400,
}


def clip_analysis(
    seconds: float = 40.0, spasms_left: int = 0, spasms_right: int = 0, blinks: int = 0
) -> VideoAnalysis:
    """A clip's analysis from planted eyelid traces, as `analyze_frames` makes it from landmarks."""
    rng = np.random.default_rng(0)
    frames = int(seconds * FPS)
    left = 0.30 + rng.normal(0, 0.005, frames)
    right = 0.30 + rng.normal(0, 0.005, frames)

    def shut(eye: np.ndarray, start: float, length: float) -> None:
        eye[int(start * FPS) : int((start + length) * FPS)] *= 0.05

    for n in range(spasms_left):
        shut(left, 2 + 3 * n, 0.6)
    for n in range(spasms_right):
        shut(right, 2.5 + 3 * n, 0.6)
    for second in np.linspace(1, seconds - 1, blinks) if blinks else ():
        shut(left, float(second) + 0.05, 0.2)
        shut(right, float(second) + 0.05, 0.2)
    measures = Measures.from_apertures(FPS, left, right)
    events = find_events(measures)
    return VideoAnalysis(
        video={"source": "planted", "frames": frames, "fps": FPS, "duration_s": seconds,
               "face_frames": frames},
        events=tuple(events),
        summary=summarise(measures, events),
        evidence=read_evidence(measures, events),
        timing={},
        measures=measures,
    )  # fmt: skip


def planted_diary(path: Path) -> Diary:
    """Six months of counts, two injections, JRS ratings, measurements, a left-sided episode."""
    own = Diary(open_database(f"sqlite:///{path}", schema="upgrade"))
    start = dt.date(2026, 6, 1)
    for n in range(183):
        date = start + dt.timedelta(days=n)
        days_since = n - 30 if n >= 30 else None
        relieved = days_since is not None and 7 <= days_since % 91 <= 75
        own.days.record(Day(date, episodes=2 if relieved else 9))
    own.treatments.add(Treatment(dt.date(2026, 7, 1), "botulinum_toxin", side="left",
                                 dose_units=20, name="Botox", units_left=20))  # fmt: skip
    own.treatments.add(Treatment(dt.date(2026, 9, 30), "botulinum_toxin", side="left",
                                 dose_units=25, name="Botox", units_left=25))  # fmt: skip
    for date, score in ((dt.date(2026, 9, 28), 6.0), (dt.date(2026, 10, 20), 3.0)):
        own.ratings.add(Rating(date, "jrs", (("severity", 3), ("frequency", 3)), score))
    own.episodes.add(
        Episode(dt.datetime(2026, 11, 2, 8, tzinfo=dt.UTC), dt.date(2026, 11, 2), "UTC", "left",
                ("eyelid",))
    )  # fmt: skip
    own.measurements.save(
        clip_analysis(seconds=60, spasms_left=3, blinks=12).to_dict(),
        at=dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC),
    )
    own.measurements.save(
        clip_analysis(seconds=60, blinks=12).to_dict(),
        at=dt.datetime(2026, 8, 1, 10, tzinfo=dt.UTC),
    )  # before the window: left out
    return own
