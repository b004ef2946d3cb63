"""`facespasm diary ...`: log twitches and days, import a spreadsheet, find this person's triggers.

Every command takes `--db URL` (any SQLAlchemy URL; else $FACESPASM_DATABASE_URL; else a SQLite
file in the user's data folder). Storage and statistics live in `facespasm.diary`; this module
only parses, calls and prints.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from facespasm.cli.outputs import check_writable, writing
from facespasm.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

diary_app = typer.Typer(
    help="A diary of twitches, lifestyle and treatment: which factors drive your twitching.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
treatment_app = typer.Typer(
    help="Treatments: botulinum toxin, medicines, surgery.", no_args_is_help=True
)
diary_app.add_typer(treatment_app, name="treatment")

Db = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (SQLAlchemy); default: $FACESPASM_DATABASE_URL or a local file."
    ),
]
Timezone = Annotated[
    str | None,
    typer.Option(help="Your IANA time zone, e.g. Europe/London (default: this computer's)."),
]


SHORT_HEADINGS = {
    "episodes": "twitches",
    "sleep_hours": "sleep h",
    "caffeine_drinks": "caffeine",
    "alcohol_drinks": "alcohol",
    "stress_0_10": "stress",
    "screen_hours": "screen h",
}


def _engine(db: str | None) -> Engine:
    from facespasm.diary.database import database_url, open_database

    return open_database(database_url(db))


def local_timezone() -> str:
    """This computer's IANA time zone name ($TZ, then /etc/localtime), or UTC."""
    if os.environ.get("TZ"):
        return os.environ["TZ"]
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        return "UTC"
    return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "UTC"


@diary_app.command("log")
def log_command(
    side: Annotated[str, typer.Option(help="Which side twitched: left, right or both.")],
    region: Annotated[
        list[str],
        typer.Option(help="Where: eyelid, brow, cheek, mouth, neck (repeat for several)."),
    ],
    severity: Annotated[int | None, typer.Option(help="How bad, 0 (barely) to 10 (worst).")] = None,
    duration: Annotated[float | None, typer.Option(help="How long it lasted, in seconds.")] = None,
    note: Annotated[str | None, typer.Option(help="Anything to remember about it.")] = None,
    at: Annotated[str | None, typer.Option(help="When (ISO date and time); default: now.")] = None,
    timezone: Timezone = None,
    db: Db = None,
) -> None:
    """Log a twitch episode now (or --at a time): side, regions, severity."""
    from facespasm.diary.store import log_episode

    when = _parse_datetime(at) if at else None
    log_episode(
        _engine(db), side=side, regions=tuple(region), severity=severity, duration_s=duration,
        note=note, at=when, timezone=timezone or local_timezone(),
    )  # fmt: skip
    typer.echo(
        f"Logged a twitch: {side} {', '.join(region)}"
        + (f", severity {severity}" if severity is not None else "")
    )


@diary_app.command("day")
def day_command(
    date: Annotated[
        str | None, typer.Option(help="Which day (YYYY-MM-DD); default: today.")
    ] = None,
    sleep: Annotated[float | None, typer.Option(help="Hours slept last night.")] = None,
    caffeine: Annotated[
        float | None, typer.Option(help="Coffees, teas, colas, energy drinks.")
    ] = None,
    alcohol: Annotated[float | None, typer.Option(help="Alcoholic drinks.")] = None,
    stress: Annotated[float | None, typer.Option(help="Stress, 0 (none) to 10 (worst).")] = None,
    screen: Annotated[float | None, typer.Option(help="Hours at screens.")] = None,
    nicotine: Annotated[
        bool | None, typer.Option("--nicotine/--no-nicotine", help="Smoked or vaped.")
    ] = None,
    episodes: Annotated[
        int | None,
        typer.Option(help="Number of twitch episodes, if you count them instead of logging each."),
    ] = None,
    note: Annotated[str | None, typer.Option(help="Anything else about the day.")] = None,
    db: Db = None,
) -> None:
    """Record a day's factors: sleep, caffeine, alcohol, stress, screens, nicotine."""
    from facespasm.diary.records import Day
    from facespasm.diary.store import record_day

    day = Day(
        date=_parse_date(date) if date else dt.date.today(), episodes=episodes, sleep_hours=sleep,
        caffeine_drinks=caffeine, alcohol_drinks=alcohol, stress_0_10=stress,
        screen_hours=screen, nicotine=nicotine,
    )  # fmt: skip
    record_day(_engine(db), day, note=note)
    typer.echo(f"Recorded {day.date.isoformat()}.")


@diary_app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with the columns date, episodes, sleep_hours, caffeine_drinks, "
            "alcohol_drinks, stress_0_10, screen_hours, nicotine."
        ),
    ],
    db: Db = None,
) -> None:
    """Import days from a CSV spreadsheet (all or nothing: a bad row imports nothing)."""
    from facespasm.diary.csv_io import import_csv

    count = import_csv(_engine(db), file)
    typer.echo(f"Imported {count} days from {file}.")


@diary_app.command("export")
def export_command(
    file: Annotated[
        Path | None, typer.Argument(help="Where to write the CSV; default: standard output.")
    ] = None,
    db: Db = None,
) -> None:
    """Export the diary's days as CSV (the same columns as import)."""
    from facespasm.diary.csv_io import export_csv

    check_writable(file, "the export file")
    export_csv(_engine(db), file if file is not None else sys.stdout)


@diary_app.command("show")
def show_command(
    days: Annotated[int, typer.Option(help="How many recent days to show.")] = 14,
    db: Db = None,
) -> None:
    """Show the recent days and episodes as a table."""
    from rich.console import Console
    from rich.table import Table

    from facespasm.diary.records import FACTORS
    from facespasm.diary.store import days as all_days

    if not 1 <= days <= 10_000:
        raise InputError(f"--days must be between 1 and 10000, not {days}")
    recent = all_days(_engine(db), limit=days, newest_first=True)[::-1]
    table = Table(title=f"The last {len(recent)} days in the diary")
    table.add_column("date", no_wrap=True, min_width=10)
    for column in ("episodes", *FACTORS):
        table.add_column(SHORT_HEADINGS.get(column, column), justify="right")
    for day in recent:
        values = [getattr(day, name) for name in ("episodes", *FACTORS)]
        table.add_row(day.date.isoformat(), *("" if v is None else _show(v) for v in values))
    Console().print(table)


@treatment_app.command("add")
def treatment_add_command(
    kind: Annotated[
        str, typer.Option(help="botulinum_toxin, medication or microvascular_decompression.")
    ],
    date: Annotated[str | None, typer.Option(help="When (YYYY-MM-DD); default: today.")] = None,
    side: Annotated[str | None, typer.Option(help="left, right or both.")] = None,
    dose: Annotated[float | None, typer.Option(help="Dose in units (botulinum toxin).")] = None,
    name: Annotated[str | None, typer.Option(help="Name of the medicine or product.")] = None,
    note: Annotated[str | None, typer.Option(help="Anything else.")] = None,
    db: Db = None,
) -> None:
    """Record a treatment, e.g. a botulinum toxin injection, to follow how it works."""
    from facespasm.diary.records import SIDES, TREATMENT_KINDS, Treatment
    from facespasm.diary.store import add_treatment

    if kind not in TREATMENT_KINDS:
        raise InputError(f"--kind must be {', '.join(TREATMENT_KINDS)}, not {kind[:40]!r}")
    if side is not None and side not in SIDES:
        raise InputError(f"--side must be {', '.join(SIDES)}, not {side[:40]!r}")
    treatment = Treatment(
        date=_parse_date(date) if date else dt.date.today(), kind=kind, side=side,
        dose_units=dose, name=name, note=note,
    )  # fmt: skip
    add_treatment(_engine(db), treatment)
    typer.echo(f"Recorded {kind.replace('_', ' ')} on {treatment.date.isoformat()}.")


@diary_app.command("triggers")
def triggers_command(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the factors as JSON (for other programs).")
    ] = False,
    plot: Annotated[
        Path | None, typer.Option(help="Write a forest plot of the effects (PNG).")
    ] = None,
    history: Annotated[Path | None, typer.Option(help="Write the history chart (PNG).")] = None,
    db: Db = None,
) -> None:
    """Which of your habits go with more twitching: rate ratios with 95% confidence intervals."""
    from facespasm.diary.store import days, treatments
    from facespasm.diary.triggers import trigger_analysis

    check_writable(plot, "--plot")
    check_writable(history, "--history")
    engine = _engine(db)
    diary_days = days(engine)
    report = trigger_analysis(diary_days)
    if plot is not None:
        from facespasm.diary.plots import plot_triggers

        with writing(plot):
            plot_triggers(report, plot)
    if history is not None:
        from facespasm.diary.plots import plot_history

        with writing(history):
            plot_history(diary_days, treatments(engine), history)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    typer.echo(f"{report.days_used} days analysed ({report.model} regression).")
    for line in [*report.findings, *report.notes]:
        typer.echo(f" • {line}")
    typer.echo("These are associations in your own diary, not proof of cause, and not a diagnosis.")


@diary_app.command("cycles")
def cycles_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the cycles as JSON.")] = False,
    plot: Annotated[
        Path | None, typer.Option(help="Write the history chart with injections (PNG).")
    ] = None,
    db: Db = None,
) -> None:
    """How each botulinum toxin injection worked: rate before and after, wear-off, next one due."""
    from facespasm.diary.bounds import analysable
    from facespasm.diary.cycles import toxin_cycles
    from facespasm.diary.store import days, treatments

    check_writable(plot, "--plot")
    engine = _engine(db)
    diary_days, given = days(engine), treatments(engine)
    cycles = toxin_cycles(diary_days, given)
    for note in analysable(diary_days, given).notes:
        typer.echo(f"facespasm: note: {note}", err=True)
    if plot is not None:
        from facespasm.diary.plots import plot_history

        with writing(plot):
            plot_history(diary_days, given, plot)
    if as_json:
        typer.echo(json.dumps([cycle.to_dict() for cycle in cycles], indent=2, default=str))
        return
    if not cycles:
        typer.echo("No botulinum toxin injection in the diary yet.")
        typer.echo("Add one with `facespasm diary treatment add --kind botulinum_toxin`.")
    for cycle in cycles:
        typer.echo(cycle.summary())


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {text[:40]!r}") from None


def _parse_datetime(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"not a date and time (e.g. 2026-11-24T08:30): {text[:40]!r}") from None


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
