"""`facespasm diary rate` and `diary ratings`: the rating scales clinics use, between visits.

`rate` asks one scale's questions in the scale's own words (the Jankovic Rating Scale, or
facespasm's own impact rating, which says it is not a validated scale), a numbered answer each,
stores the score with its date and says, for the JRS, whether it moved by the clinically
important 2 points since before the injection in force; `--answer ITEM=SCORE` answers without
asking, `--every N` chooses every how many days a rating is due. `ratings` lists them with the
trend against each injection, the SMC grade derived from a kept assessment where hemifacial
spasm is in question, and the sources. The scales, scoring and trend rules are
`diary/ratings.py`'s over `diary/data/ratings.yaml`; what is shown is `diary/rating_views.py`'s.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from facespasm.cli.diary_options import AsJson, Db, open_diary, parse_date, show_value
from facespasm.errors import InputError

if TYPE_CHECKING:
    from facespasm.diary.rating_views import RatingsView
    from facespasm.diary.ratings import RatingTrend
    from facespasm.diary.reviewed import Item, Scale
    from facespasm.diary.store import Diary

RATE_COMMAND = "facespasm diary rate"
# The answer that skips an in-house item ("I don't drive").
SKIP = "n"

Scale_ = Annotated[
    str, typer.Option("--scale", help="jrs (Jankovic Rating Scale) or impact (facespasm's own).")
]


def rate_command(
    scale: Scale_ = "jrs",
    date: Annotated[
        str | None, typer.Option(help="The day rated (YYYY-MM-DD); default: today.")
    ] = None,
    answer: Annotated[
        list[str] | None,
        typer.Option(
            help="ITEM=SCORE, e.g. severity=2 (repeat for each item; answers without asking). "
            "An impact item left out is 'I don't do this'."
        ),
    ] = None,
    every: Annotated[
        int | None,
        typer.Option(help="Remind me every N days (3-7); alone, only sets the reminder."),
    ] = None,
    note: Annotated[str | None, typer.Option(help="Anything to remember about it.")] = None,
    db: Db = None,
) -> None:
    """Rate your spasm on a clinical scale (about a minute); say whether it changed."""
    from facespasm.diary.ratings import score_rating
    from facespasm.diary.records import Rating
    from facespasm.diary.reviewed import load_diary_knowledge

    scales = load_diary_knowledge().ratings
    try:
        chosen = scales.scale(scale)
    except KeyError:
        known = ", ".join(s.id for s in scales.scales)
        raise InputError(f"--scale: unknown rating scale {scale[:40]!r} (known: {known})") from None
    day = parse_date(date, "--date") if date else dt.date.today()
    given = _parse_answers(answer) if answer else None
    if given is not None:
        score_rating(chosen.id, given)  # refuse bad answers before anything is stored
    diary = open_diary(db)
    if every is not None:
        diary.ratings.set_reminder(every)
        typer.echo(f"A rating will be due every {every} days.")
        if given is None:
            return
    if given is None:
        given = _ask(chosen)
    scored = score_rating(chosen.id, given)
    rating_id = diary.ratings.add(Rating(day, chosen.id, scored.answers, scored.total, note))
    typer.echo(
        f"{chosen.short_name} {show_value(scored.total)} of {show_value(scored.maximum)} on "
        f"{day.isoformat()} (rating {rating_id})."
    )
    _say_change(diary, chosen, rating_id)
    due = diary.ratings.reminder(today=dt.date.today())
    typer.echo(f"Next rating due {due.due_on.isoformat()} (every {due.interval_days} days).")


def ratings_command(
    scale: Annotated[
        str | None, typer.Option("--scale", help="Only this scale: jrs or impact.")
    ] = None,
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """Your ratings with the trend against each injection, the SMC grade, and the sources."""
    from facespasm.diary.rating_views import ratings_view

    diary = open_diary(db)
    view = ratings_view(diary, today=dt.date.today(), scale_ids=None if scale is None else [scale])
    if as_json:
        typer.echo(json.dumps(_as_json(diary, view), indent=2, ensure_ascii=False))
        return
    ratings = diary.ratings.all()
    for trend in view.trends:
        _print_trend(trend, [r for r in ratings if r.scale == trend.scale])
    if view.grade is not None:
        typer.echo(view.grade.text + ".")
        typer.echo(f"  {view.grade.grade.numeral}: {view.grade.grade.wording}.")
    if view.reminder.due.due:
        typer.echo(f"{view.reminder.text}: {RATE_COMMAND}")
    else:
        typer.echo(f"Next rating due {view.reminder.due.due_on.isoformat()}.")
    typer.echo("Sources:")
    cited = {c.id: c for trend in view.trends for c in view.sources[trend.scale]}
    if view.grade is not None:
        cited.update({c.id: c for c in view.grade.sources})
    for citation in cited.values():
        typer.echo(f"  - {citation.title}. {citation.citation}")
    typer.echo("Your own ratings, for you and your doctor: information, not a diagnosis.")


def remind(diary: Diary) -> None:
    """Print one line when a rating is due (only for someone who has started rating)."""
    from facespasm.diary.rating_views import reminder

    due = reminder(diary, today=dt.date.today())
    if due.due.due and due.last_rated is not None:
        typer.echo(f"{due.text}: {RATE_COMMAND}")


def _parse_answers(pairs: list[str]) -> dict[str, int | None]:
    answers: dict[str, int | None] = {}
    for pair in pairs:
        item, sep, value = pair.partition("=")
        if not sep or not item:
            raise InputError(f"--answer must be ITEM=SCORE, e.g. severity=2, not {pair[:40]!r}")
        text = value.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 3):
            raise InputError(f"--answer {item[:40]}: {value[:40]!r} is not a whole number")
        if item in answers:
            raise InputError(f"--answer: {item[:40]!r} is answered twice")
        answers[item] = int(text)
    return answers


def _ask(scale: Scale) -> dict[str, int | None]:
    typer.echo(f"{scale.name}" + ("" if scale.validated else f" ({_label()})"))
    typer.echo(scale.instructions)
    if scale.note:
        typer.echo(scale.note)
    answers: dict[str, int | None] = {}
    for number, item in enumerate(scale.items, start=1):
        answers[item.id] = _ask_item(item, number, len(scale.items))
    return answers


def _ask_item(item: Item, number: int, count: int) -> int | None:
    typer.echo("")
    typer.echo(f"{number}/{count}. {item.question}")
    for option in item.options:
        typer.echo(f"  {option.score}  {option.wording}")
    choices = [str(option.score) for option in item.options]
    if item.not_applicable is not None:
        typer.echo(f"  {SKIP}  {item.not_applicable}")
        choices.append(SKIP)
    while True:
        try:
            typed = input(f"Your answer ({', '.join(choices)}): ").strip().lower()
        except EOFError:
            raise InputError(f"no answer to '{item.id}': the rating was not stored") from None
        if typed in choices:
            return None if typed == SKIP else int(typed)
        typer.echo(f"Please type one of {', '.join(choices)}.")


def _say_change(diary: Diary, scale: Scale, rating_id: int) -> None:
    from facespasm.diary.rating_views import change_text, point_of
    from facespasm.diary.ratings import rating_trend

    if not scale.validated:
        typer.echo(f"The {scale.name} is {_label()}: its changes are never called important.")
        return
    rating = diary.ratings.get(rating_id)
    trend = rating_trend(diary.ratings.all(), diary.treatments.all(), scale.id)
    point = point_of(trend, rating)
    if point is not None:
        typer.echo(
            f"Since before your injection: {change_text(point, trend.minimal_important_change)}."
        )


def _label() -> str:
    from facespasm.diary.rating_views import NOT_VALIDATED

    return NOT_VALIDATED


def _print_trend(trend: RatingTrend, ratings: list[Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    title = trend.name if trend.validated else f"{trend.name} ({_label()})"
    if not trend.points:
        typer.echo(f"{title}: no rating yet ({RATE_COMMAND} --scale {trend.scale}).")
        return
    mcid = trend.minimal_important_change
    caption = (
        f"Marked better or worse: a change of {mcid:g} points or more since the rating just "
        "before the injection."
        if mcid is not None
        else "No clinically important change is established for this scale: none is marked."
    )
    table = Table(title=title, caption=caption)
    for heading in ("id", "date", "score", "injection", "days after", "change", "marked"):
        table.add_column(heading, justify="right" if heading != "date" else "left")
    for rating, point in zip(ratings, trend.points, strict=True):
        change = "" if point.change is None else f"{point.change:+g}"
        table.add_row(
            str(rating.id), point.date.isoformat(),
            f"{show_value(point.score)} of {show_value(trend.maximum)}",
            "" if point.injection is None else point.injection.isoformat(),
            show_value(point.days_since_injection), change, point.important or "",
        )  # fmt: skip
    Console().print(table)
    for effect in trend.injections:
        if effect.before is None or effect.best is None:
            continue
        mark = f" ({effect.important})" if effect.important else ""
        typer.echo(
            f"Injection {effect.injection.isoformat()}: {show_value(effect.before)} before, best "
            f"{show_value(effect.best)} after{mark}."
        )


def _as_json(diary: Diary, view: RatingsView) -> dict[str, Any]:
    from facespasm.diary.rating_views import NOT_VALIDATED

    ratings = diary.ratings.all()
    scales = []
    for trend in view.trends:
        own = [r for r in ratings if r.scale == trend.scale]
        scales.append(
            {
                **trend.to_dict(),
                "label": None if trend.validated else NOT_VALIDATED,
                "ratings": [
                    {
                        "id": r.id,
                        "date": r.date.isoformat(),
                        "score": r.score,
                        "answers": dict(r.answers),
                        "note": r.note,
                    }
                    for r in own
                ],
                "sources": [c.to_dict() for c in view.sources[trend.scale]],
            }
        )
    return {
        "scales": scales,
        "reminder": view.reminder.to_dict(),
        "smc_grade": None if view.grade is None else view.grade.to_dict(),
    }
