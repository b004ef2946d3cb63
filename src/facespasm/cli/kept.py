"""`facespasm diary measurements` and `diary assessments`: the results you chose to keep.

A video analysis is kept with `facespasm analyze VIDEO --save` (or the web's "save to my diary")
and listed as a measurement; an assessment is kept with `facespasm assess ... --save` and listed
by its date, care level and most likely cause, and `--compare ID` says what changed since then.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Annotated, Any

import typer

from facespasm.cli.diary_options import AsJson, Db, open_diary, show_value
from facespasm.errors import InputError

Limit = Annotated[int, typer.Option(help="How many of the most recent to show.")]


def measurements_command(limit: Limit = 100, as_json: AsJson = False, db: Db = None) -> None:
    """List your kept video measurements: spasms a minute by side, eyes closed, blinking."""
    _check_limit(limit)
    kept = open_diary(db).measurements.page(limit=limit, newest_first=True)
    if as_json:
        typer.echo(json.dumps([_plain(m) for m in kept], indent=2))
        return
    if not kept:
        typer.echo("No measurement kept yet: `facespasm analyze VIDEO --save` keeps one.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Measurements from your videos (per minute of face in view)")
    for heading in ("id", "date", "face min", "spasms left", "spasms right", "eyes closed %",
                    "blinks"):  # fmt: skip
        table.add_column(heading, justify="left" if heading == "date" else "right")
    for m in kept:
        table.add_row(
            str(m.id), m.local_date.isoformat(), _rounded(m.face_minutes),
            _rounded(m.spasms_per_min_left), _rounded(m.spasms_per_min_right),
            _rounded(m.eyes_closed_pct), _rounded(m.blink_rate_per_min),
        )  # fmt: skip
    Console().print(table)


def assessments_command(
    compare: Annotated[
        int | None,
        typer.Option(help="Say what changed since the kept assessment with this id."),
    ] = None,
    to: Annotated[
        int | None, typer.Option(help="With --compare: compare with this one, not the newest.")
    ] = None,
    limit: Limit = 100,
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """List your kept assessments (date, care level, most likely cause), or compare two."""
    from facespasm.knowledge import load_knowledge

    _check_limit(limit)
    if to is not None and compare is None:
        raise InputError("--to needs --compare ID: the earlier assessment to compare with")
    diary = open_diary(db)
    knowledge = load_knowledge()
    if compare is not None:
        changes = diary.assessments.compare(compare, to, knowledge=knowledge)
        if as_json:
            typer.echo(json.dumps(changes.to_dict(), indent=2, ensure_ascii=False))
            return
        typer.echo(changes.summary)
        return
    kept = diary.assessments.page(limit=limit, newest_first=True)
    if as_json:
        typer.echo(json.dumps([_plain(a) for a in kept], indent=2))
        return
    if not kept:
        typer.echo("No assessment kept yet: `facespasm assess ... --save` keeps one.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Kept assessments")
    for heading in ("id", "date", "care level", "all safety questions answered",
                    "most likely cause"):  # fmt: skip
        table.add_column(heading)
    for a in kept:
        level = knowledge.care_level(a.care_level).label
        cause = knowledge.cause(a.top_cause).name if a.top_cause in knowledge.cause_ids else ""
        if cause and a.top_probability is not None:
            cause += f" ({a.top_probability:.0%})"
        table.add_row(str(a.id), a.local_date.isoformat(), level, show_value(a.complete), cause)
    Console().print(table)
    typer.echo("`facespasm diary assessments --compare ID` says what changed since one of them.")


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= 10_000:
        raise InputError(f"--limit must be between 1 and 10000, not {limit}")


def _rounded(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _plain(record: Any) -> dict[str, Any]:
    values = dataclasses.asdict(record)
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}
