"""CSV import and export: the ⚑ columns, all or nothing, errors that name the row and the column."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.exc import DBAPIError

from facespasm.diary import csv_io
from facespasm.diary import days as day_store
from facespasm.diary.csv_io import export_csv, import_csv
from facespasm.diary.models import DayFactors
from facespasm.diary.records import CSV_COLUMNS, Day, Treatment
from facespasm.diary.store import Diary
from facespasm.errors import InputError
from tests.diary.conftest import snapshot

HEADER = ",".join(CSV_COLUMNS)
GOOD = f"""{HEADER}
2024-01-01,3,7.5,2,0,4,6,0
2024-01-02,0,8,1,1,2,3.25,1
2024-01-03,,,,,,,
2024-01-04,12,5,4,3,9,10,1
"""


def write(tmp_path, content: str, name: str = "days.csv"):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def year_of_rows(first: dt.date, count: int) -> str:
    lines = [HEADER]
    for n in range(count):
        date = first + dt.timedelta(days=n)
        lines.append(f"{date},{n % 7},{5 + n % 4},{n % 3},{n % 2},{n % 11},{n % 9}.5,{n % 2}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def diary(diary):
    """A diary that already holds a day, an episode and a treatment (to show they stay as they were)."""
    diary.days.record(Day(dt.date(2024, 1, 2), sleep_hours=6, stress_0_10=7, note="exam week"))
    diary.episodes.log(
        side="left",
        regions=["eyelid"],
        at=dt.datetime(2023, 12, 30, 9, tzinfo=dt.UTC),
        timezone="UTC",
    )
    diary.treatments.add(
        Treatment(dt.date(2023, 11, 1), "botulinum_toxin", side="left", dose_units=15)
    )
    return diary


def test_a_good_file_is_imported(engine, tmp_path):
    assert import_csv(Diary(engine), write(tmp_path, GOOD)) == 4
    assert Diary(engine).days.all() == [
        Day(dt.date(2024, 1, 1), 3, 7.5, 2, 0, 4, 6, False),
        Day(dt.date(2024, 1, 2), 0, 8, 1, 1, 2, 3.25, True),
        Day(dt.date(2024, 1, 3), None),  # nothing recorded, nothing logged: unknown
        Day(dt.date(2024, 1, 4), 12, 5, 4, 3, 9, 10, True),
    ]


def test_columns_may_come_in_any_order_after_a_byte_order_mark(engine, tmp_path):
    content = "\ufeffnicotine, date,episodes,stress_0_10,sleep_hours,caffeine_drinks,alcohol_drinks,screen_hours\r\n1,2024-02-01,2,5,7,1,0,4\r\n\r\n"
    assert import_csv(Diary(engine), write(tmp_path, content)) == 1
    assert Diary(engine).days.all() == [Day(dt.date(2024, 2, 1), 2, 7, 1, 0, 5, 4, True)]


def test_rows_for_dates_already_in_the_diary_replace_them(diary, tmp_path):
    import_csv(diary, write(tmp_path, f"{HEADER}\n2024-01-02,5,,1,,3,,\n"))
    # the file's values replace the stored ones, blanks included; the note typed in the program
    # is kept (a spreadsheet has none)
    assert diary.days.get(dt.date(2024, 1, 2)) == Day(
        dt.date(2024, 1, 2), episodes=5, caffeine_drinks=1, stress_0_10=3, note="exam week"
    )


def test_a_stream_can_be_imported(engine):
    assert import_csv(Diary(engine), io.StringIO(GOOD)) == 4


# Each case changes one thing in the good file; the error names the row (the header is row 1)
# and the column, and the diary is left exactly as it was.
BAD_FILES = [
    pytest.param(
        GOOD.replace(",nicotine", ""),
        "days.csv, row 1: missing column nicotine",
        id="missing-column",
    ),
    pytest.param(
        GOOD.replace("nicotine", "nicotine,mood").replace(
            "\n2024-01-01,3,7.5,2,0,4,6,0", "\n2024-01-01,3,7.5,2,0,4,6,0,5"
        ),
        "days.csv, row 1: unknown column 'mood'",
        id="extra-column",
    ),
    pytest.param(
        GOOD.replace("sleep_hours", "date"),
        "days.csv, row 1: missing column sleep_hours",
        id="repeated-column",
    ),
    pytest.param(
        GOOD.replace("2024-01-03", "2024-02-30"),
        "days.csv, row 4, column date: '2024-02-30' is not a date (YYYY-MM-DD)",
        id="impossible-date",
    ),
    pytest.param(
        GOOD.replace("2024-01-03", "03/01/2024"),
        "days.csv, row 4, column date: '03/01/2024' is not a date",
        id="not-iso-date",
    ),
    pytest.param(
        GOOD.replace("2024-01-03", "20240103"),
        "days.csv, row 4, column date: '20240103' is not a date",
        id="compact-date",
    ),
    pytest.param(
        GOOD.replace("2024-01-04,", ","),
        "days.csv, row 5, column date: the date is empty",
        id="empty-date",
    ),
    pytest.param(
        GOOD.replace("2024-01-04,12,5,4,3,9", "2024-01-04,12,5,4,-3,9"),
        "days.csv, row 5, column alcohol_drinks: -3 is not between 0 and 100",
        id="negative",
    ),
    pytest.param(
        GOOD.replace("2024-01-04,12,5,4,3,9", "2024-01-04,12,5,4,3,12"),
        "days.csv, row 5, column stress_0_10: 12 is not between 0 and 10",
        id="out-of-range",
    ),
    pytest.param(
        GOOD.replace("2024-01-01,3,7.5", "2024-01-01,3,25"),
        "days.csv, row 2, column sleep_hours: 25 is not between 0 and 24",
        id="impossible-sleep",
    ),
    pytest.param(
        GOOD.replace("2024-01-01,3,", "2024-01-01,2.5,"),
        "days.csv, row 2, column episodes: '2.5' is not a whole number",
        id="fractional-episodes",
    ),
    pytest.param(
        GOOD.replace("2024-01-01,3,7.5,2", "2024-01-01,3,7.5,two"),
        "days.csv, row 2, column caffeine_drinks: 'two' is not a number",
        id="not-a-number",
    ),
    pytest.param(
        GOOD.replace("2024-01-01,3,7.5,2", "2024-01-01,3,7.5,nan"),
        "days.csv, row 2, column caffeine_drinks: 'nan' is not a number",
        id="nan",
    ),
    pytest.param(
        GOOD.replace("3.25,1", "3.25,yes"),
        "days.csv, row 3, column nicotine: 'yes' is not 0 or 1",
        id="nicotine-yes",
    ),
    pytest.param(
        GOOD.replace("2024-01-04", "2024-01-02"),
        "days.csv, row 5, column date: 2024-01-02 appears twice (also on row 3)",
        id="duplicate-date",
    ),
    pytest.param(
        GOOD.replace("2024-01-03,,,,,,,", "2024-01-03,,,"),
        "days.csv, row 4: 4 cells where the header has 8",
        id="short-row",
    ),
    pytest.param("", "days.csv: the file is empty", id="empty-file"),
    # a spreadsheet's trailing empty rows (",,,,,,,") are skipped, so row numbers stay true
    pytest.param(
        GOOD + ",,,,,,,\n2024-01-09,1,1,1,1,1,1,2\n",
        "days.csv, row 7, column nicotine: '2' is not 0 or 1",
        id="after-empty-row",
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_a_bad_file_names_row_and_column_and_imports_nothing(diary, tmp_path, content, message):
    before = snapshot(diary.engine)
    with pytest.raises(InputError) as caught:
        import_csv(diary, write(tmp_path, content))
    assert str(caught.value).startswith(message)
    assert snapshot(diary.engine) == before


def test_a_file_that_is_not_text_is_refused(diary, tmp_path):
    path = tmp_path / "days.csv"
    path.write_bytes(HEADER.encode() + b"\n2024-01-01,\xff\xfe,1,1,1,1,1,1\n")
    before = snapshot(diary.engine)
    with pytest.raises(InputError, match=r"days\.csv: not a UTF-8 text file"):
        import_csv(diary, path)
    assert snapshot(diary.engine) == before


def test_a_missing_file_is_an_input_error(engine, tmp_path):
    with pytest.raises(InputError, match=r"cannot read .*nowhere\.csv"):
        import_csv(Diary(engine), tmp_path / "nowhere.csv")


def test_too_many_rows_or_bytes_are_refused(diary, tmp_path, monkeypatch):
    before = snapshot(diary.engine)
    monkeypatch.setattr(csv_io, "MAX_ROWS", 3)
    with pytest.raises(InputError, match=r"days\.csv: more than 3 rows"):
        import_csv(diary, write(tmp_path, GOOD))
    monkeypatch.setattr(csv_io, "MAX_BYTES", 100)
    with pytest.raises(InputError, match=r"days\.csv: larger than 100 bytes; split the file"):
        import_csv(diary, write(tmp_path, GOOD))
    assert snapshot(diary.engine) == before


def test_a_crash_inside_the_database_mid_import_leaves_it_as_it_was(diary, backend, tmp_path):
    # A trigger makes the database itself fail on the file's last row, after all others were
    # written in the same transaction.
    with diary.engine.begin() as connection:
        if backend == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER boom BEFORE INSERT ON day_factors WHEN NEW.date = '2024-12-30' "
                "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.date = '2024-12-30' THEN RAISE EXCEPTION 'disk on fire'; END IF; "
                "RETURN NEW; END $$"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER boom BEFORE INSERT ON day_factors FOR EACH ROW EXECUTE FUNCTION boom()"
            )
    before = snapshot(diary.engine)
    with pytest.raises(DBAPIError, match="disk on fire"):
        import_csv(diary, write(tmp_path, year_of_rows(dt.date(2024, 1, 1), 365)))
    assert snapshot(diary.engine) == before


def test_a_crash_in_the_program_after_writing_leaves_the_database_as_it_was(
    diary, tmp_path, monkeypatch
):
    real_upsert = day_store._upsert

    def upsert_then_crash(connection, rows, **kwargs):
        real_upsert(connection, rows, **kwargs)
        raise KeyboardInterrupt  # the person pressed Ctrl-C, or the process was interrupted

    monkeypatch.setattr(day_store, "_upsert", upsert_then_crash)
    before = snapshot(diary.engine)
    with pytest.raises(KeyboardInterrupt):
        import_csv(diary, write(tmp_path, GOOD))
    assert snapshot(diary.engine) == before


def test_export_then_import_gives_the_same_days(diary, tmp_path):
    import_csv(diary, write(tmp_path, GOOD))
    exported = tmp_path / "exported.csv"
    assert export_csv(diary, exported) == len(diary.days.all())
    assert exported.read_text().splitlines()[0] == HEADER
    original = diary.days.all()
    with diary.engine.begin() as connection:
        connection.execute(delete(DayFactors))
        connection.exec_driver_sql("DELETE FROM episodes")
    import_csv(diary, exported)
    # every ⚑ column comes back; notes are not one of them
    assert diary.days.all() == [dataclasses.replace(day, note=None) for day in original]


def test_export_to_a_stream(engine):
    Diary(engine).days.record(
        Day(dt.date(2024, 3, 1), episodes=2, sleep_hours=6.25, nicotine=False)
    )
    stream = io.StringIO()
    export_csv(Diary(engine), stream)
    assert stream.getvalue() == f"{HEADER}\n2024-03-01,2,6.25,,,,,0\n"


def finite(low: float, high: float) -> st.SearchStrategy[float | None]:
    return st.none() | st.floats(low, high, allow_nan=False)


@st.composite
def diaries(draw: st.DrawFn) -> list[Day]:
    dates = draw(st.sets(st.dates(dt.date(1900, 1, 1), dt.date(2025, 12, 31)), max_size=8))
    return [
        Day(
            date,
            episodes=draw(st.none() | st.integers(0, 100_000)),
            sleep_hours=draw(finite(0, 24)),
            caffeine_drinks=draw(finite(0, 100)),
            alcohol_drinks=draw(finite(0, 100)),
            stress_0_10=draw(finite(0, 10)),
            screen_hours=draw(finite(0, 24)),
            nicotine=draw(st.none() | st.booleans()),
        )
        for date in sorted(dates)
    ]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(diary_days=diaries())
def test_any_diary_survives_export_and_import(engine, diary_days):
    with engine.begin() as connection:
        connection.execute(delete(DayFactors))
    for day in diary_days:
        Diary(engine).days.record(day)
    stream = io.StringIO()
    export_csv(Diary(engine), stream)
    with engine.begin() as connection:
        connection.execute(delete(DayFactors))
    stream.seek(0)
    import_csv(Diary(engine), stream)
    assert (
        Diary(engine).days.all() == diary_days
    )  # blanks stay blank: no episodes logged in this diary


def test_ten_years_of_days_import_in_one_go(engine, tmp_path):
    path = write(tmp_path, year_of_rows(dt.date(2015, 1, 1), 3650))
    assert import_csv(Diary(engine), path) == 3650
    stored = Diary(engine).days.all()
    assert len(stored) == 3650
    assert stored[-1].date == dt.date(2024, 12, 28)
    assert math.isclose(stored[1].screen_hours or 0, 1.5)


class EndlessRows(io.RawIOBase):
    """A spreadsheet that never ends (a 2 GiB upload, a pipe), counting the bytes read from it:
    the header, then empty rows (skipped, as at the end of a hand-edited file) for ever."""

    def __init__(self) -> None:
        self.read_bytes = 0
        self._row = b",,,,,,,\n"
        self._header = (HEADER + "\n").encode()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = (self._header if self.read_bytes == 0 else b"") + self._row * (len(buffer) // 8)
        chunk = chunk[: len(buffer)]
        buffer[: len(chunk)] = chunk
        self.read_bytes += len(chunk)
        return len(chunk)


def test_a_file_too_large_is_refused_as_soon_as_it_shows(diary, monkeypatch):
    monkeypatch.setattr(csv_io, "MAX_BYTES", 1024 * 1024)
    endless = EndlessRows()
    with pytest.raises(csv_io.TooLargeError, match=r"input: larger than 1 MB; split the file"):
        import_csv(diary, io.BufferedReader(endless), name="input")
    assert endless.read_bytes <= 1024 * 1024 + 64 * 1024  # stopped at the cap, not at the end


def test_a_file_without_line_breaks_is_refused_after_one_long_line(diary, tmp_path):
    path = tmp_path / "one-line.csv"
    path.write_bytes(b"\0" * 5_000_000)
    with pytest.raises(InputError, match=r"one-line\.csv, line 1: longer than 10,000 characters"):
        import_csv(diary, path)
