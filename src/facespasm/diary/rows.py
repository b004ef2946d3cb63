"""One mapping between the diary's records and their rows, derived from the record dataclasses.

Each record kind (`records.py`) is one table's row: a field is the column of the same name, and
a column is a field, but for `person_id` (the `Diary` owning the row) and a day's `id` (a
person's day is known by its date). A test holds every table to that. The few fields a column
cannot hold as they are have a codec here, once:

- `Episode.regions` (a tuple of regions) is comma-separated text in anatomical order;
- `Treatment.sites` and `Rating.answers` (pairs) are JSON arrays of pairs, a treatment without
  sites NULL;
- `StoredResult.result` (a JSON object) is JSON text.

Everything else -- dates, aware UTC times (`models.UTCDateTime`), numbers, text, booleans -- a
column holds as it is.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from facespasm.diary.models import (
    Assessments,
    Base,
    DayFactors,
    Episodes,
    Measurements,
    Ratings,
    SavedResults,
    Treatments,
)
from facespasm.diary.records import (
    Day,
    Episode,
    Measurement,
    Rating,
    SavedAssessment,
    StoredResult,
    Treatment,
)

if TYPE_CHECKING:
    from sqlalchemy import Column, Row, Table

Record = TypeVar("Record")
OWNER = "person_id"


@dataclass(frozen=True, slots=True)
class Codec:
    """How one field is written to its column and read back."""

    to_column: Callable[[Any], Any]
    from_column: Callable[[Any], Any]


def _json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _pairs_to_text(pairs: Sequence[tuple[str, float]]) -> str | None:
    return _json_text([list(pair) for pair in pairs]) if pairs else None


def _pairs_from_text(text: str | None) -> tuple[tuple[str, Any], ...]:
    return tuple((str(name), value) for name, value in json.loads(text)) if text else ()


REGIONS = Codec(",".join, lambda text: tuple(text.split(",")))
PAIRS = Codec(_pairs_to_text, _pairs_from_text)
# Answers are always a list (an empty one included), never NULL.
ANSWERS = Codec(lambda pairs: _json_text([list(pair) for pair in pairs]), _pairs_from_text)
JSON_OBJECT = Codec(_json_text, json.loads)


@dataclass(frozen=True)
class RecordTable(Generic[Record]):
    """A record kind and its table: the one place a record becomes a row and a row a record.

    Attributes:
        record: The record dataclass.
        table: Its table.
        codecs: Fields whose column holds them differently, by field name.
    """

    record: type[Record]
    table: Table
    codecs: Mapping[str, Codec] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        """The record's fields, in order: its columns."""
        return tuple(item.name for item in dataclasses.fields(self.record))  # type: ignore[arg-type]

    @property
    def columns(self) -> list[Column[Any]]:
        """The table's columns of the record's fields, to select."""
        return [self.table.c[name] for name in self.fields]

    def row(self, record: Record, person: int | None = None) -> dict[str, Any]:
        """The row of `record` (an `id` of None is left for the database to give).

        Args:
            record: The record.
            person: The owner's id, for a row to insert; None: leave `person_id` out.

        Returns:
            Column name → value.
        """
        values: dict[str, Any] = {}
        for name in self.fields:
            value = getattr(record, name)
            if name == "id" and value is None:
                continue
            codec = self.codecs.get(name)
            values[name] = codec.to_column(value) if codec is not None else value
        if person is not None:
            values[OWNER] = person
        return values

    def values(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Column values of some of the record's fields (an update).

        Args:
            changes: Field name → new value.

        Returns:
            Column name → value.
        """
        return {
            name: self.codecs[name].to_column(value) if name in self.codecs else value
            for name, value in changes.items()
        }

    def from_row(self, row: Row[Any] | Mapping[str, Any], **given: Any) -> Record:
        """The record of a row selected with `columns`.

        Args:
            row: The row.
            **given: Field values to use instead of the row's.

        Returns:
            The record.
        """
        mapping: Any = row if isinstance(row, Mapping) else row._mapping
        values: dict[str, Any] = {}
        for name in self.fields:
            if name in given:
                values[name] = given[name]
                continue
            codec = self.codecs.get(name)
            values[name] = codec.from_column(mapping[name]) if codec else mapping[name]
        return self.record(**values)


def _table(model: type[Base]) -> Table:
    return cast("Table", model.__table__)


DAYS = RecordTable(Day, _table(DayFactors))
EPISODES = RecordTable(Episode, _table(Episodes), {"regions": REGIONS})
TREATMENTS = RecordTable(Treatment, _table(Treatments), {"sites": PAIRS})
RATINGS = RecordTable(Rating, _table(Ratings), {"answers": ANSWERS})
MEASUREMENTS = RecordTable(Measurement, _table(Measurements))
ASSESSMENTS = RecordTable(SavedAssessment, _table(Assessments))
RESULTS = RecordTable(StoredResult, _table(SavedResults), {"result": JSON_OBJECT})
# Every record kind the diary stores.
RECORD_TABLES: tuple[RecordTable[Any], ...] = (
    DAYS,
    EPISODES,
    TREATMENTS,
    RATINGS,
    MEASUREMENTS,
    ASSESSMENTS,
    RESULTS,
)
