"""Kept results: a video analysis or an assessment kept whole, with a dated headline to list it by.

The whole result (its ⚑ JSON) is a `StoredResult` in `saved_results`; its headline -- a
`Measurement` of a video analysis, a `SavedAssessment` of an assessment -- is a row of its own
pointing at it, written in the same transaction and deleted with it. Lists read the headlines
only; the whole JSON is read for one entry (`result`) or a comparison.

A result that is not JSON (NaN included) or not of its kind (an analysis without a summary, an
assessment without a care level) is refused before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import delete, insert, select

from facespasm.diary.assessments import AssessmentChanges, compare, headline_of
from facespasm.diary.database import run_write
from facespasm.diary.entries import Stored
from facespasm.diary.local_time import local_instant
from facespasm.diary.measurements import measurement_of
from facespasm.diary.models import SavedResults
from facespasm.diary.records import Measurement, ResultKind, SavedAssessment, StoredResult
from facespasm.diary.rows import ASSESSMENTS, MEASUREMENTS, RESULTS, RecordTable
from facespasm.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from facespasm.knowledge import KnowledgeBase

Headline = TypeVar("Headline", bound=Measurement | SavedAssessment)


class KeptResults(Stored[Headline]):
    """One person's kept results of one kind, listed by their headlines.

    Args:
        engine: The diary's engine.
        person: Whose results.
        kind: The headline's record kind and table.
        result_kind: "video" or "assessment".
        summarise: Makes the headline of a result (`measurement_of`, `headline_of`).
        time_field: The headline's time field ("measured_at", "assessed_at").
        what: What one entry is called in messages.
    """

    def __init__(
        self,
        engine: Engine,
        person: int,
        kind: RecordTable[Headline],
        *,
        result_kind: ResultKind,
        summarise: Callable[..., Headline],
        time_field: str,
        what: str,
    ) -> None:
        super().__init__(engine, person, kind, what=what, order=(time_field,))
        self.result_kind: ResultKind = result_kind
        self.summarise: Callable[..., Headline] = summarise
        self.time_field = time_field

    def save(
        self, result: Mapping[str, Any], *, at: dt.datetime | None = None, timezone: str = "UTC"
    ) -> Headline:
        """Keep a result, whole, with its headline.

        Args:
            result: The ⚑ JSON of an analysis or an assessment.
            at: When it was made (see `local_instant`); None: now.
            timezone: The person's IANA time zone.

        Returns:
            The headline as stored (with its `id` and `result_id`).

        Raises:
            InputError: A result that is not JSON or not of this kind, or an unknown time zone.
        """
        try:
            text = json.dumps(result, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise InputError(f"the {self.what} cannot be saved as JSON: {error}") from None
        created_at, local_date = local_instant(at, timezone)
        when = {self.time_field: created_at, "local_date": local_date, "timezone": timezone}
        headline = self.summarise(result, **when)
        kept = {
            "person_id": self.person, "kind": self.result_kind, "created_at": created_at,
            "local_date": local_date, "timezone": timezone, "result": text,
        }  # fmt: skip
        table = self.kind.table

        def write(connection: Connection) -> Headline:
            kept_id = connection.execute(
                insert(SavedResults).returning(SavedResults.id), kept
            ).scalar_one()
            values = self.kind.row(headline, person=self.person) | {"result_id": kept_id}
            new_id = connection.execute(insert(table).returning(table.c.id), values).scalar_one()
            return self._one(connection, int(new_id))

        return run_write(self.engine, write)

    def result(self, entry_id: int) -> StoredResult:
        """The whole result an entry was made from.

        Args:
            entry_id: The entry's id.

        Returns:
            The kept result, its JSON parsed.

        Raises:
            NotFoundError: This person has no such entry.
        """
        with self.engine.connect() as connection:
            return self._result(connection, entry_id)

    def _result(self, connection: Connection, entry_id: int) -> StoredResult:
        result_id = self._one(connection, entry_id).result_id
        query = select(*RESULTS.columns).where(
            SavedResults.person_id == self.person, SavedResults.id == result_id
        )
        row = connection.execute(query).first()
        if row is None:  # pragma: no cover - the foreign key holds it
            raise NotFoundError(f"the {self.what} {entry_id} has lost its result")
        return RESULTS.from_row(row)

    def delete(self, entry_id: int) -> None:
        """Delete an entry and the result it was made from.

        Args:
            entry_id: Its id.

        Raises:
            NotFoundError: This person has no such entry.
        """
        table = self.kind.table

        def write(connection: Connection) -> None:
            result_id = self._one(connection, entry_id).result_id
            connection.execute(delete(table).where(self._mine(), table.c.id == entry_id))
            connection.execute(
                delete(SavedResults).where(
                    SavedResults.person_id == self.person, SavedResults.id == result_id
                )
            )

        run_write(self.engine, write)


class MeasurementEntries(KeptResults[Measurement]):
    """The person's kept video analyses, as measurements (`measurements.py`)."""

    def __init__(self, engine: Engine, person: int) -> None:
        super().__init__(
            engine, person, MEASUREMENTS, result_kind="video", summarise=measurement_of,
            time_field="measured_at", what="measurement",
        )  # fmt: skip


class AssessmentEntries(KeptResults[SavedAssessment]):
    """The person's kept assessments, and what changed between two (`assessments.py`)."""

    def __init__(self, engine: Engine, person: int) -> None:
        super().__init__(
            engine, person, ASSESSMENTS, result_kind="assessment", summarise=headline_of,
            time_field="assessed_at", what="assessment",
        )  # fmt: skip

    def compare(
        self,
        earlier_id: int,
        later_id: int | None = None,
        *,
        knowledge: KnowledgeBase | None = None,
    ) -> AssessmentChanges:
        """What changed from one kept assessment to another (by default the newest).

        Args:
            earlier_id: The earlier assessment's id.
            later_id: The later one's; None: the newest kept assessment.
            knowledge: The knowledge base (labels); the packaged one by default.

        Returns:
            The changes, "since" the earlier one's date.

        Raises:
            NotFoundError: This person has no such assessment.
        """
        with self.engine.connect() as connection:
            if later_id is None:
                newest = self.page(limit=1, newest_first=True)
                if not newest or newest[0].id is None:
                    raise NotFoundError("no assessment kept in this diary")
                later_id = newest[0].id
            earlier = self._one(connection, earlier_id)
            before = self._result(connection, earlier_id).result
            after = self._result(connection, later_id).result
        return compare(before, after, since=earlier.local_date, knowledge=knowledge)
