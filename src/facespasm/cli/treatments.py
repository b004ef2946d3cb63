"""`facespasm diary treatment ...`: treatments as clinics record them, and the person's own dates.

`add` records a botulinum toxin injection (product, units by side and by site, total), a
medicine (from its date `--until` the last day taken, with its daily dose) or decompression
surgery; `onset` and `wore-off` are the one-tap "it started working" and "it is wearing off" of
the latest injection, which the cycle analysis uses as data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import TYPE_CHECKING, Annotated

import typer

from facespasm.cli.diary_options import AsJson, Db, open_diary, parse_date, show_value
from facespasm.errors import InputError

if TYPE_CHECKING:
    from facespasm.diary.records import Treatment

treatment_app = typer.Typer(
    help="Treatments: botulinum toxin, medicines, surgery.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

Date = Annotated[
    str | None, typer.Option(help="The day you noticed it (YYYY-MM-DD); default: today.")
]


@treatment_app.command("add")
def add_command(
    kind: Annotated[
        str, typer.Option(help="botulinum_toxin, medication or microvascular_decompression.")
    ],
    date: Annotated[str | None, typer.Option(help="When (YYYY-MM-DD); default: today.")] = None,
    side: Annotated[str | None, typer.Option(help="left, right or both.")] = None,
    dose: Annotated[
        float | None,
        typer.Option(help="Total dose: units of toxin, or a medicine's daily dose."),
    ] = None,
    units_left: Annotated[
        float | None, typer.Option(help="Units of toxin on your left side.")
    ] = None,
    units_right: Annotated[
        float | None, typer.Option(help="Units of toxin on your right side.")
    ] = None,
    site: Annotated[
        list[str] | None,
        typer.Option(
            help="Units at one injection site, as SITE=UNITS (repeat for each site), "
            "e.g. 'left upper lid=2.5'.",
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="A medicine's last day (YYYY-MM-DD); none: still taken.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Name of the medicine or product.")] = None,
    note: Annotated[str | None, typer.Option(help="Anything else.")] = None,
    db: Db = None,
) -> None:
    """Record a treatment, e.g. a botulinum toxin injection, to follow how it works."""
    from facespasm.diary.records import SIDES, TREATMENT_KINDS, Treatment

    if kind not in TREATMENT_KINDS:
        raise InputError(f"--kind must be {', '.join(TREATMENT_KINDS)}, not {kind[:40]!r}")
    if side is not None and side not in SIDES:
        raise InputError(f"--side must be {', '.join(SIDES)}, not {side[:40]!r}")
    treatment = Treatment(
        date=parse_date(date) if date else dt.date.today(), kind=kind, side=side,
        dose_units=dose, name=name, note=note, units_left=units_left, units_right=units_right,
        sites=tuple(_site(text) for text in site or ()),
        until=parse_date(until, "--until") if until else None,
    )  # fmt: skip
    new_id = open_diary(db).treatments.add(treatment)
    typer.echo(f"Recorded {kind.replace('_', ' ')} on {treatment.date.isoformat()} (id {new_id}).")


def _site(text: str) -> tuple[str, float]:
    site, equals, units = text.rpartition("=")
    try:
        if not equals:
            raise ValueError
        return site.strip(), float(units)
    except ValueError:
        raise InputError(
            f"--site must be SITE=UNITS, e.g. 'left upper lid=2.5', not {text[:40]!r}"
        ) from None


@treatment_app.command("list")
def list_command(as_json: AsJson = False, db: Db = None) -> None:
    """List your treatments, newest first, with the id to delete one by."""
    given = open_diary(db).treatments.page(newest_first=True)
    if as_json:
        typer.echo(json.dumps([_plain(t) for t in given], indent=2, ensure_ascii=False))
        return
    if not given:
        typer.echo("No treatment in the diary yet.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Treatments")
    for heading in ("id", "date", "kind", "side", "units", "left", "right", "name", "until",
                    "started working", "wore off"):  # fmt: skip
        table.add_column(heading)
    for t in given:
        table.add_row(
            str(t.id), t.date.isoformat(), t.kind.replace("_", " "), t.side or "",
            show_value(t.dose_units), show_value(t.units_left), show_value(t.units_right),
            t.name or "", show_value(t.until), show_value(t.reported_onset),
            show_value(t.reported_wear_off),
        )  # fmt: skip
    Console().print(table)


@treatment_app.command("onset")
def onset_command(date: Date = None, db: Db = None) -> None:
    """Record that your latest injection started working (today, or --date)."""
    on = parse_date(date, "--date") if date else dt.date.today()
    injection = open_diary(db).treatments.report_onset(on)
    typer.echo(
        f"The injection of {injection.date.isoformat()} started working on {on.isoformat()}."
    )


@treatment_app.command("wore-off")
def wore_off_command(date: Date = None, db: Db = None) -> None:
    """Record that your latest injection is wearing off (today, or --date)."""
    on = parse_date(date, "--date") if date else dt.date.today()
    injection = open_diary(db).treatments.report_wear_off(on)
    typer.echo(
        f"The injection of {injection.date.isoformat()} was wearing off on {on.isoformat()}."
    )


def _plain(treatment: Treatment) -> dict[str, object]:
    values = dataclasses.asdict(treatment)
    values["sites"] = [list(pair) for pair in treatment.sites]
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}
