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
- The file is streamed, never read whole, and refused as soon as it proves too large: over
  50 MB, a line over 10,000 characters (a diary row is under a hundred), or over 100,000 rows
  (270 years of days). The size is counted while reading, not taken from `stat`, which says 0
  for a device (`/dev/zero`) or a pipe; a 2 GiB file costs the time to read 50 MB.
- Dates and values are checked by `bounds` (a date before 1900 or more than a year ahead is a
  wrong value like a stress of 12).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from facespasm.diary.bounds import date_problem, value_problem
from facespasm.diary.records import CSV_COLUMNS, Day
from facespasm.errors import InputError

if TYPE_CHECKING:
    from facespasm.diary.store import Diary

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
MAX_LINE = 10_000
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Plain ASCII numbers only: int() and float() would also take "1_000", "١٢" or "infinity".
_WHOLE = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER_COLUMNS = frozenset({"episodes"})


def import_csv(
    diary: Diary,
    source: str | os.PathLike[str] | IO[str] | IO[bytes],
    *,
    name: str | None = None,
) -> int:
    """Import days from a CSV file: all rows, or none when any is wrong.

    Args:
        diary: The person's diary.
        source: The CSV file (a path: a file, a device or a named pipe), or an open stream of
            text or of UTF-8 bytes (e.g. an upload).
        name: What to call the file in messages; default: the path's or the stream's name.

    Returns:
        The number of days imported (new or updated).

    Raises:
        InputError: The file cannot be read, is too large, or a column or value is wrong; the
            message names the row and the column, and nothing was imported.
    """
    with _opened(source, name) as (shown, stream):
        rows = _parse(shown, stream)
    return diary.days.import_days([Day(**row) for row in rows])


def export_csv(diary: Diary, path_or_stream: str | os.PathLike[str] | IO[str]) -> int:
    """Write every day of the diary as CSV, in the columns `import_csv` reads.

    Args:
        diary: The person's diary.
        path_or_stream: Where to write: a file path, or an open text stream (e.g. stdout).

    Returns:
        The number of days written.

    Raises:
        InputError: The file cannot be written (a missing folder, a full disk), named.
    """
    all_days = diary.days.all()
    if not isinstance(path_or_stream, str | os.PathLike):
        _write(path_or_stream, all_days)
        return len(all_days)
    path = Path(path_or_stream)
    try:
        with path.open("w", newline="", encoding="utf-8") as stream:
            _write(stream, all_days)
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror or error}") from None
    return len(all_days)


def _write(stream: IO[str], all_days: list[Day]) -> None:
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
def _opened(
    source: str | os.PathLike[str] | IO[str] | IO[bytes], name: str | None
) -> Iterator[tuple[str, Iterator[str]]]:
    # The source's lines, read with the size caps; a path is opened (and closed) here.
    if not isinstance(source, str | os.PathLike):
        shown = name or str(getattr(source, "name", "input"))
        yield shown, _capped_lines(_text(source), shown)
        return
    path = Path(source)
    shown = name or path.name or str(path)
    try:
        with path.open("rb") as binary:
            yield shown, _capped_lines(_text(binary), shown)
    except IsADirectoryError:
        raise InputError(f"cannot read {path}: it is a folder, not a CSV file") from None
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None


def _text(stream: IO[str] | IO[bytes]) -> IO[str]:
    # Bytes are decoded as UTF-8 (utf-8-sig: spreadsheet programs often start a CSV with a
    # byte-order mark), through a reader that refuses to read past MAX_BYTES.
    if isinstance(stream, io.TextIOBase) or isinstance(stream.read(0), str):
        return cast("IO[str]", stream)
    capped = io.BufferedReader(_CappedReader(cast("IO[bytes]", stream), MAX_BYTES))
    return io.TextIOWrapper(capped, encoding="utf-8-sig", newline="")


class _CappedReader(io.RawIOBase):
    """A binary stream that fails as soon as more than `limit` bytes have been read from it."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self._raw = raw
        self._limit = limit
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._raw.read(min(len(buffer), self._limit + 1 - self._read))
        self._read += len(chunk)
        if self._read > self._limit:
            raise _TooLarge
        buffer[: len(chunk)] = chunk
        return len(chunk)


class _TooLarge(Exception):
    """More than MAX_BYTES were read."""


class TooLargeError(InputError):
    """The file is larger than an import reads (MAX_BYTES); raised as soon as that shows."""


def _capped_lines(stream: IO[str], name: str) -> Iterator[str]:
    # The stream's lines; an over-long line or file fails as soon as it shows, so that a file
    # without line breaks (or /dev/zero) is refused after MAX_LINE characters.
    refused = too_large(name)
    total = 0
    number = 0
    while True:
        try:
            line = stream.readline(MAX_LINE + 1)
        except _TooLarge:
            raise TooLargeError(refused) from None
        if not line:
            return
        number += 1
        total += len(line)
        if total > MAX_BYTES:
            raise TooLargeError(refused)
        if len(line) > MAX_LINE and not line.endswith(("\n", "\r")):
            raise InputError(
                f"{name}, line {number}: longer than {MAX_LINE:,} characters; "
                "not a diary spreadsheet"
            )
        yield line


def too_large(name: str) -> str:
    """The message refusing a file over MAX_BYTES.

    Args:
        name: The file's name.

    Returns:
        e.g. "days.csv: larger than 50 MB; split the file".
    """
    size = MAX_BYTES
    shown = f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{size} bytes"
    return f"{name}: larger than {shown}; split the file"


def _parse(name: str, lines: Iterator[str]) -> list[dict[str, Any]]:
    try:
        return _parse_rows(name, csv.reader(lines))
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
        shown = ", ".join(repr(column[:40]) for column in extra)
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
            date = dt.date.fromisoformat(cell)
        except ValueError:
            raise InputError(f"{where}: {cell[:40]!r} is not a date (YYYY-MM-DD)") from None
        problem = date_problem(date)
        if problem:
            raise InputError(f"{where}: {problem}")
        return date
    if not cell:
        return None
    value: Any
    if column == "nicotine":
        if cell not in ("0", "1"):
            raise InputError(f"{where}: {cell[:40]!r} is not 0 or 1")
        return cell == "1"
    whole = column in _INTEGER_COLUMNS
    try:
        if not (_WHOLE if whole else _NUMBER).fullmatch(cell):
            raise ValueError
        value = int(cell) if whole else float(cell)
    except ValueError:
        kind = "a whole number" if column in _INTEGER_COLUMNS else "a number"
        raise InputError(f"{where}: {cell[:40]!r} is not {kind}") from None
    problem = value_problem(column, value)
    if problem:
        raise InputError(f"{where}: {problem}")
    return value
