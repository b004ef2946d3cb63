"""`Diary`: one person's diary in a database -- the one object every front end drives.

    diary = Diary(open_database(url))                 # the local app's person
    diary.episodes.log(side="left", regions=["eyelid"], timezone="Europe/London")
    diary.days.record(Day(date, sleep_hours=6.5))
    diary.treatments.add(Treatment(date, "botulinum_toxin", side="left", dose_units=20))
    toxin_cycles(diary.days.all(), diary.treatments.all())

The command line, the web app and the Python API all open a `Diary` and call it; none maps
rows or writes SQL of its own. A `Diary` is the person's: every statement it makes names them,
so two people on one database never see or overwrite each other's days, episodes, treatments,
ratings, measurements or assessments, and an id of someone else's entry is "not found".

Decisions:
- Each kind of entry is a collection with the same verbs (`entries.py`, `days.py`,
  `kept.py`): `get` one, `page` (`limit`, `offset`, `newest_first`), `all`, `delete`; `add`
  and `edit` where the person writes the entry, `save` where it is a kept result.
- Values are checked (`validation.py`, `bounds.py`) before anything is written, so an error
  names the field, never a database constraint; every write goes through
  `database.run_write`, which retries the rare conflict PostgreSQL still reports.
- Rows become records and records rows in one place (`rows.py`).
- On PostgreSQL the database checks the person as well (row-level security,
  `row_security.py`): every transaction of the `Diary` -- each read, each write, each retry --
  begins by naming its person, because the collections are given the person's engine
  (`for_person`), here and nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from facespasm.diary.days import Days
from facespasm.diary.entries import EpisodeEntries, RatingEntries, TreatmentEntries
from facespasm.diary.kept import AssessmentEntries, MeasurementEntries
from facespasm.diary.models import DEFAULT_PERSON_ID
from facespasm.diary.row_security import for_person

if TYPE_CHECKING:
    from sqlalchemy import Engine


class Diary:
    """One person's diary: their days, episodes, treatments, ratings, measurements, assessments.

    Args:
        engine: The database's engine (`database.open_database`).
        person: Whose diary (`people.add_person`); default: the local app's one person.

    Attributes:
        engine: The database's engine, as the person's (`row_security.for_person`): on
            PostgreSQL each transaction begun on it is the person's.
        person: The person's id.
        days: Factors and episode counts, by date.
        episodes: Logged twitches.
        treatments: Injections, medicines, surgery; the person's own onset and wear-off dates.
        ratings: Answered rating scales.
        measurements: Kept video analyses, as measurements.
        assessments: Kept assessments, and what changed between two.
    """

    def __init__(self, engine: Engine, person: int = DEFAULT_PERSON_ID) -> None:
        engine = for_person(engine, person)
        self.engine = engine
        self.person = person
        self.days = Days(engine, person)
        self.episodes = EpisodeEntries(engine, person)
        self.treatments = TreatmentEntries(engine, person)
        self.ratings = RatingEntries(engine, person)
        self.measurements = MeasurementEntries(engine, person)
        self.assessments = AssessmentEntries(engine, person)

    def __repr__(self) -> str:
        return (
            f"Diary({self.engine.url.render_as_string(hide_password=True)!r}, person={self.person})"
        )
