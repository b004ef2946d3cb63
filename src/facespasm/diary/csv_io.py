"""Import and export the diary's days as CSV with the ⚑ columns of DESIGN.md.

Columns: `date,episodes,sleep_hours,caffeine_drinks,alcohol_drinks,stress_0_10,screen_hours,
nicotine` (any order on import, exactly these). An empty cell means "not recorded".

Decisions:
- All or nothing: the whole file is checked first, then written in one transaction, so a bad
  row, or a failure while writing, leaves the database exactly as it was.
- Errors name the file, the row as a spreadsheet numbers it (the header is row 1) and the column:
  "days.csv, row 14, column stress_0_10: 12 is not between 0 and 10".
- A row for a date already in the diary replaces that date's values (the file is the truth for
  the dates it has; notes typed in the program are kept).
- Files over 50 MB or 100,000 rows (270 years of days) are refused before any work is done.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from facespasm.diary.database import write_transaction
from facespasm.diary.records import CSV_COLUMNS
from facespasm.diary.store import days, upsert_days, value_problem
from facespasm.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER_COLUMNS = frozenset({"episodes"})


def import_csv(engine: Engine, path: str | os.PathLike[str] | IO[str]) -> int:
    """Import days from a CSV file: all rows, or none when any is wrong.

    Args:
        engine: The diary's engine.
        path: The CSV file, or an open text stream.

    Returns:
        The number of days imported (new or updated).

    Raises:
        InputError: The file cannot be read, is too large, or a column or value is wrong; the
            message names the row and the column, and nothing was imported.
    """
    with _opened(path) as (name, stream):
        rows = _parse(name, stream)
    with write_transaction(engine) as connection:
        upsert_days(connection, rows, replace=True)
    return len(rows)


def export_csv(engine: Engine, path_or_stream: str | os.PathLike[str] | IO[str]) -> int:
    """Write every day of the diary as CSV, in the columns `import_csv` reads.

    Args:
        engine: The diary's engine.
        path_or_stream: Where to write: a file path, or an open text stream (e.g. stdout).

    Returns:
        The number of days written.
    """
    all_days = days(engine)
    if isinstance(path_or_stream, str | os.PathLike):
        with Path(path_or_stream).open("w", newline="", encoding="utf-8") as stream:
            _write(stream, all_days)
    else:
        _write(path_or_stream, all_days)
    return len(all_days)


def _write(stream: IO[str], all_days: list[Any]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for day in all_days:
        writer.writerow([_cell(getattr(day, column)) for column in CSV_COLUMNS])


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@contextmanager
def _opened(path: str | os.PathLike[str] | IO[str]) -> Iterator[tuple[str, IO[str]]]:
    if not isinstance(path, str | os.PathLike):
        yield getattr(path, "name", "input"), path
        return
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                f"{file.name}: {size / 1e6:.0f} MB is too large to import "
                f"(at most {MAX_BYTES // (1024 * 1024)} MB)"
            )
        # utf-8-sig: spreadsheet programs often start a CSV with a byte-order mark.
        with file.open(newline="", encoding="utf-8-sig") as stream:
            yield file.name, stream
    except OSError as error:
        raise InputError(f"cannot read {file}: {error.strerror or error}") from None


def _parse(name: str, stream: IO[str]) -> list[dict[str, Any]]:
    try:
        return _parse_rows(name, csv.reader(stream))
    except UnicodeDecodeError:
        raise InputError(f"{name}: not a UTF-8 text file") from None
    except csv.Error as error:
        raise InputError(f"{name}: not a readable CSV file ({error})") from None


def _parse_rows(name: str, reader: Iterator[list[str]]) -> list[dict[str, Any]]:
    header = next(reader, None)
    if header is None:
        raise InputError(f"{name}: the file is empty (expected the header {','.join(CSV_COLUMNS)})")
    columns = [cell.strip() for cell in header]
    _check_header(name, columns)
    rows: list[dict[str, Any]] = []
    first_row_of: dict[dt.date, int] = {}
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, e.g. at the end of a hand-edited file
        if number > MAX_ROWS + 1:
            raise InputError(f"{name}: more than {MAX_ROWS:,} rows; split the file")
        if len(cells) != len(columns):
            raise InputError(
                f"{name}, row {number}: {len(cells)} cells where the header has {len(columns)}"
            )
        row = {
            column: _value(name, number, column, cell.strip())
            for column, cell in zip(columns, cells, strict=True)
        }
        date = row["date"]
        if date in first_row_of:
            raise InputError(
                f"{name}, row {number}, column date: {date.isoformat()} appears twice "
                f"(also on row {first_row_of[date]})"
            )
        first_row_of[date] = number
        rows.append(row)
    return rows


def _check_header(name: str, columns: list[str]) -> None:
    missing = [column for column in CSV_COLUMNS if column not in columns]
    extra = [column for column in columns if column not in CSV_COLUMNS]
    repeated = sorted({column for column in columns if columns.count(column) > 1})
    problems = []
    if missing:
        problems.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    if extra:
        shown = ", ".join(repr(column) for column in extra)
        problems.append(f"unknown column{'s' if len(extra) > 1 else ''} {shown}")
    if repeated:
        problems.append(f"column{'s' if len(repeated) > 1 else ''} {', '.join(repeated)} twice")
    if problems:
        raise InputError(
            f"{name}, row 1: {'; '.join(problems)} (expected exactly: {','.join(CSV_COLUMNS)})"
        )


def _value(name: str, number: int, column: str, cell: str) -> Any:
    where = f"{name}, row {number}, column {column}"
    if column == "date":
        if not cell:
            raise InputError(f"{where}: the date is empty")
        try:
            if not _ISO_DATE.fullmatch(cell):
                raise ValueError
            return dt.date.fromisoformat(cell)
        except ValueError:
            raise InputError(f"{where}: {cell!r} is not a date (YYYY-MM-DD)") from None
    if not cell:
        return None
    value: Any
    if column == "nicotine":
        if cell not in ("0", "1"):
            raise InputError(f"{where}: {cell!r} is not 0 or 1")
        return cell == "1"
    try:
        value = int(cell) if column in _INTEGER_COLUMNS else float(cell)
    except ValueError:
        kind = "a whole number" if column in _INTEGER_COLUMNS else "a number"
        raise InputError(f"{where}: {cell!r} is not {kind}") from None
    problem = value_problem(column, value)
    if problem:
        raise InputError(f"{where}: {problem}")
    return value
