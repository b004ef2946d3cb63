"""`facespasm assess`: the interview in the terminal, or answers or a description as ⚑ JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from facespasm.errors import InputError
from facespasm.files import read_json_file
from facespasm.video.limits import DEFAULT_MAX_SIDE

# An answers object is a few hundred bytes; anything near this is not one.
MAX_ANSWERS_BYTES = 100_000

TEXT_HELP = (
    "The twitching in your own words ('-' reads it from standard input). With --json, what it "
    "says is assessed; without, the interview starts from it and asks only what is missing."
)
# A description is a paragraph or two; the reader refuses more than this.
MAX_TEXT_BYTES = 10_000

ANSWERS_HELP = (
    'A JSON file of answers, {"finding_id": value}; see `facespasm knowledge findings` for ids. '
    "Without it, facespasm interviews you."
)


def assess_command(
    answers: Annotated[
        Path | None, typer.Option("--answers", help=ANSWERS_HELP, metavar="FILE.json")
    ] = None,
    text: Annotated[str | None, typer.Option("--text", help=TEXT_HELP, metavar="TEXT")] = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the assessment as JSON (for other programs)."),
    ] = False,
    video: Annotated[
        Path | None,
        typer.Option(help="A face video to measure; what it shows joins the answers as evidence."),
    ] = None,
    diary: Annotated[
        bool,
        typer.Option("--diary", help="Use the lifestyle factors of the diary's last 14 days."),
    ] = False,
    db: Annotated[
        str | None, typer.Option("--db", help="Diary database URL (with --diary or --save).")
    ] = None,
    width: Annotated[
        int | None, typer.Option(help="Width of the report in characters (default: terminal).")
    ] = None,
    save: Annotated[
        bool,
        typer.Option(
            "--save",
            help="Keep this assessment in your diary, to compare with later ones "
            "(`facespasm diary assessments`).",
        ),
    ] = False,
) -> None:
    """Assess a twitching face: likely causes, how urgently to see a doctor, and what to do."""
    from facespasm.cli.diary_options import local_timezone, open_diary
    from facespasm.reasoning import Evidence

    own_diary = open_diary(db) if diary or save else None
    diary_evidence = Evidence()
    if diary:
        from facespasm.diary.evidence import diary_evidence as from_diary

        assert own_diary is not None
        diary_evidence = from_diary(own_diary.days.all())
    video_evidence = Evidence()
    measured = None
    if video is not None:
        from facespasm.cli.analyze import run_analysis

        measured = run_analysis(video, camera=None, seconds=30.0, max_side=DEFAULT_MAX_SIDE)
        video_evidence = measured.to_evidence()
    description = read_text_option(text) if text is not None else None
    if answers is not None or as_json:
        if answers is None and description is None and video is None and not diary:
            raise InputError(
                "--json needs --answers FILE, --text TEXT, --video FILE or --diary "
                "(the interview is interactive)"
            )
        if measured is not None:
            measured.refuse_alone(
                alone=answers is None and description is None and not diary_evidence,
                instead="answer the interview (without --json), or add --answers or --text",
            )
        from facespasm.case import assess_case

        result = assess_case(
            read_answers(answers) if answers is not None else None,
            text=description,
            video=video_evidence,
            diary=diary_evidence,
        )
    else:
        from facespasm.cli.interview import run_interview
        from facespasm.language import read

        result = run_interview(
            width=width,
            known=video_evidence.merged(diary_evidence),
            reading=read(description) if description is not None else None,
        )
    if own_diary is not None and save:
        kept = own_diary.assessments.save(result.to_dict(), timezone=local_timezone())
        typer.echo(f"facespasm: kept in your diary as assessment {kept.id}.", err=True)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    from facespasm.report.terminal import print_assessment

    print_assessment(result, width=width)


def read_text_option(text: str) -> str:
    """The description given to --text; '-' reads it from standard input.

    Raises:
        InputError: it is empty, or standard input is longer than a description can be.
    """
    if text == "-":
        import sys

        text = sys.stdin.read(MAX_TEXT_BYTES + 1)
        if len(text) > MAX_TEXT_BYTES:
            raise InputError(
                f"the description on standard input is over {MAX_TEXT_BYTES} characters"
            )
    if not text.strip():
        raise InputError("the description is empty: describe the twitching in a few words")
    return text


def read_answers(path: Path) -> dict[str, object]:
    """The ⚑ answers object in a JSON file.

    Raises:
        InputError: the file is missing, empty, not JSON, or not a JSON object.
    """
    answers = read_json_file(path, "answers file", MAX_ANSWERS_BYTES)
    if not isinstance(answers, dict):
        raise InputError(
            f'answers file must hold a JSON object like {{"age": 34}}, not a {_kind(answers)}'
        )
    return answers


def _kind(value: object) -> str:
    return {list: "list", str: "string", bool: "boolean", int: "number", float: "number"}.get(
        type(value), "null"
    )
