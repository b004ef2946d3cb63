"""`facespasm diary ...`: log twitches and days, import a spreadsheet, find this person's triggers.

Every command takes `--db URL` (any SQLAlchemy URL; else $FACESPASM_DATABASE_URL; else a SQLite
file in the user's data folder, created and migrated on first use) and drives one `Diary`, the
local app's person's. Storage and statistics live in `facespasm.diary`; this module only parses,
calls and prints. Treatments are `cli/treatments.py`'s, kept measurements and assessments
`cli/kept.py`'s.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from facespasm.cli.diary_options import (
    AsJson,
    Db,
    Timezone,
    local_timezone,
    open_diary,
    parse_date,
    parse_datetime,
    show_value,
)
from facespasm.cli.kept import assessments_command, measurements_command
from facespasm.cli.outputs import check_writable, writing
from facespasm.cli.ratings import rate_command, ratings_command, remind
from facespasm.cli.treatments import treatment_app
from facespasm.errors import InputError

if TYPE_CHECKING:
    from rich.table import Table

    from facespasm.diary.cycles import Cycle
    from facespasm.diary.entries import Stored

diary_app = typer.Typer(
    help="A diary of twitches, lifestyle and treatment: which factors drive your twitching.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


SHORT_HEADINGS = {
    "episodes": "twitches",
    "sleep_hours": "sleep h",
    "caffeine_drinks": "caffeine",
    "alcohol_drinks": "alcohol",
    "stress_0_10": "stress",
    "screen_hours": "screen h",
}


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
    when = parse_datetime(at) if at else None
    diary = open_diary(db)
    diary.episodes.log(
        side=side, regions=tuple(region), severity=severity, duration_s=duration,
        note=note, at=when, timezone=timezone or local_timezone(),
    )  # fmt: skip
    typer.echo(
        f"Logged a twitch: {side} {', '.join(region)}"
        + (f", severity {severity}" if severity is not None else "")
    )
    remind(diary)


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

    day = Day(
        date=parse_date(date) if date else dt.date.today(), episodes=episodes, sleep_hours=sleep,
        caffeine_drinks=caffeine, alcohol_drinks=alcohol, stress_0_10=stress,
        screen_hours=screen, nicotine=nicotine, note=note,
    )  # fmt: skip
    open_diary(db).days.record(day)
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

    count = import_csv(open_diary(db), file)
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
    export_csv(open_diary(db), file if file is not None else sys.stdout)


@diary_app.command("show")
def show_command(
    days: Annotated[int, typer.Option(help="How many recent days to show.")] = 14,
    db: Db = None,
) -> None:
    """Show the recent days and episodes as a table."""
    from rich.console import Console
    from rich.table import Table

    from facespasm.diary.records import FACTORS

    if not 1 <= days <= 10_000:
        raise InputError(f"--days must be between 1 and 10000, not {days}")
    diary = open_diary(db)
    recent = diary.days.page(limit=days, newest_first=True)[::-1]
    table = Table(title=f"The last {len(recent)} days in the diary")
    table.add_column("date", no_wrap=True, min_width=10)
    for column in ("episodes", *FACTORS):
        table.add_column(SHORT_HEADINGS.get(column, column), justify="right")
    for day in recent:
        values = [getattr(day, name) for name in ("episodes", *FACTORS)]
        table.add_row(day.date.isoformat(), *("" if v is None else show_value(v) for v in values))
    Console().print(table)
    remind(diary)


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
    from facespasm.diary.triggers import trigger_analysis

    check_writable(plot, "--plot")
    check_writable(history, "--history")
    diary = open_diary(db)
    diary_days = diary.days.all()
    report = trigger_analysis(diary_days)
    if plot is not None:
        from facespasm.diary.plots import plot_triggers

        with writing(plot):
            plot_triggers(report, plot)
    if history is not None:
        from facespasm.diary.plots import plot_history

        with writing(history):
            plot_history(diary_days, diary.treatments.all(), history, ratings=diary.ratings.all(),
                         measurements=diary.measurements.all())  # fmt: skip
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

    check_writable(plot, "--plot")
    diary = open_diary(db)
    diary_days, given = diary.days.all(), diary.treatments.all()
    cycles = toxin_cycles(diary_days, given)
    for note in analysable(diary_days, given).notes:
        typer.echo(f"facespasm: note: {note}", err=True)
    if plot is not None:
        from facespasm.diary.plots import plot_history

        with writing(plot):
            plot_history(diary_days, given, plot, cycles=cycles, ratings=diary.ratings.all(),
                         measurements=diary.measurements.all())  # fmt: skip
    if as_json:
        typer.echo(json.dumps([cycle.to_dict() for cycle in cycles], indent=2, default=str))
        return
    if not cycles:
        typer.echo("No botulinum toxin injection in the diary yet.")
        typer.echo("Add one with `facespasm diary treatment add --kind botulinum_toxin`.")
        return
    from rich.console import Console

    Console().print(_cycles_table(cycles))
    for cycle in cycles:
        typer.echo(cycle.summary())


def _cycles_table(cycles: list[Cycle]) -> Table:
    """One row per injection: did it work, the rates, when it wore off (90% range), next due."""
    from rich.table import Table

    def day(date: dt.date | None) -> str:
        return "—" if date is None else date.isoformat()

    def rate(value: float | None) -> str:
        return "?" if value is None else f"{value:.1f}"

    table = Table(title="Botulinum toxin injections")
    for heading in ("Injection", "Worked", "Twitches a day\nuntreated → after", "Wore off",
                    "90% range", "Next due"):  # fmt: skip
        table.add_column(heading, min_width=10 if heading in ("Injection", "Next due") else None)
    for cycle in cycles:
        worked = {True: "yes", False: "no", None: "can't tell yet"}[cycle.responded]
        wore_off = day(cycle.wear_off)
        if cycle.wear_off is None and cycle.wear_off_status != "unknown":
            wore_off = {"next injection came first": "next came first"}.get(
                cycle.wear_off_status, cycle.wear_off_status
            )
        span = "—"
        low, high = cycle.wear_off_low, cycle.wear_off_high
        if low is not None and high is not None:
            short = "%m-%d" if low.year == high.year else "%Y-%m-%d"
            span = f"{low.strftime(short)} to {high.strftime(short)}"
        rates = f"{rate(cycle.pre_rate)} → {rate(cycle.post_rate)}"
        table.add_row(day(cycle.injection), worked, rates, wore_off, span, day(cycle.next_due))
    return table


@diary_app.command("episodes")
def episodes_command(
    limit: Annotated[int, typer.Option(help="How many of the most recent to show.")] = 20,
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """List the twitches you logged, newest first, with the id to delete one by."""
    from dataclasses import asdict

    if not 1 <= limit <= 10_000:
        raise InputError(f"--limit must be between 1 and 10000, not {limit}")
    logged = open_diary(db).episodes.page(limit=limit, newest_first=True)
    if as_json:
        typer.echo(json.dumps([asdict(e) for e in logged], indent=2, default=str))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"The last {len(logged)} twitches logged")
    for heading in ("id", "when", "day", "side", "where", "severity", "seconds", "note"):
        table.add_column(heading, justify="right" if heading in ("id", "severity") else "left")
    for episode in logged:
        when = episode.occurred_at.astimezone(_zone(episode.timezone)).strftime("%Y-%m-%d %H:%M")
        table.add_row(
            str(episode.id), when, episode.local_date.isoformat(), episode.side,
            ", ".join(episode.regions), show_value(episode.severity),
            show_value(episode.duration_s), episode.note or "",
        )  # fmt: skip
    Console().print(table)


diary_app.add_typer(treatment_app, name="treatment")
diary_app.command("measurements")(measurements_command)
diary_app.command("assessments")(assessments_command)
diary_app.command("rate")(rate_command)
diary_app.command("ratings")(ratings_command)

KINDS = ("episode", "day", "treatment", "rating", "measurement", "assessment")


@diary_app.command("delete")
def delete_command(
    kind: Annotated[
        str, typer.Argument(help="What to delete: " + ", ".join(KINDS) + ".", metavar="KIND")
    ],
    which: Annotated[
        str, typer.Argument(help="Its id (a day: its date, YYYY-MM-DD).", metavar="ID")
    ],
    db: Db = None,
) -> None:
    """Delete an entry of your diary: an episode, a day's record, a treatment, a kept result."""
    if kind not in KINDS:
        raise InputError(f"KIND must be one of {', '.join(KINDS)}, not {kind[:40]!r}")
    diary = open_diary(db)
    if kind == "day":
        diary.days.delete(parse_date(which))
        typer.echo(f"Deleted what was recorded for {which}.")
        return
    if not which.isascii() or not which.isdigit() or len(which) > 12:
        raise InputError(f"ID must be the {kind}'s id, a whole number, not {which[:40]!r}")
    entries: dict[str, Stored[Any]] = {
        "episode": diary.episodes, "treatment": diary.treatments, "rating": diary.ratings,
        "measurement": diary.measurements, "assessment": diary.assessments,
    }  # fmt: skip
    entries[kind].delete(int(which))
    typer.echo(f"Deleted {kind} {which}.")


def _zone(name: str) -> dt.tzinfo:
    from facespasm.diary.bounds import zone

    try:
        return zone(name)
    except InputError:
        return dt.UTC
