"""`facespasm report`: a case as a PDF for the doctor, a FHIR R4B Bundle, an HTML page.

The case is read as `facespasm assess` reads it (the same --answers, --text, --video and --diary
readers), made into the one report model by `sharing.make_report`, and written by the renderers
of `facespasm.report`; the terminal shows the same report. Every output file is checked before
any work starts, so a folder that does not exist is said at once, not after a video's analysis.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from facespasm.cli.assess import ANSWERS_HELP, read_answers, read_text_option
from facespasm.cli.outputs import check_writable, writing
from facespasm.errors import InputError
from facespasm.video.limits import DEFAULT_MAX_SIDE

if TYPE_CHECKING:
    from facespasm.report.case_report import CaseReport

NO_OUTPUT = (
    "say where to write the report: --pdf FILE.pdf (for your doctor), --fhir FILE.json (for a "
    "clinic's system) or --html FILE.html, or several"
)


def report_command(
    answers: Annotated[
        Path | None, typer.Option("--answers", help=ANSWERS_HELP, metavar="FILE.json")
    ] = None,
    text: Annotated[
        str | None,
        typer.Option(
            "--text",
            help="The twitching in your own words ('-' reads standard input).",
            metavar="TEXT",
        ),
    ] = None,
    video: Annotated[
        Path | None,
        typer.Option(help="A face video to measure; its figures and timeline join the report."),
    ] = None,
    diary: Annotated[
        bool,
        typer.Option(
            "--diary",
            help="Add your diary's last 90 days: episodes, injections and their cycles, ratings, "
            "measurements.",
        ),
    ] = False,
    db: Annotated[
        str | None, typer.Option("--db", help="Diary database URL (with --diary).")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Your name, to head the report (optional).")
    ] = None,
    pdf: Annotated[
        Path | None,
        typer.Option(
            "--pdf", help="Write a PDF for your doctor: the summary on page 1.", metavar="FILE.pdf"
        ),
    ] = None,
    fhir: Annotated[
        Path | None,
        typer.Option(
            "--fhir",
            help="Write a FHIR R4B Bundle (JSON) for a clinic's system.",
            metavar="FILE.json",
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Write the report as a web page.", metavar="FILE.html"),
    ] = None,
) -> None:
    """Make a report for your doctor: a dated one-page PDF, a FHIR R4B Bundle or a web page."""
    if pdf is None and fhir is None and html is None:
        raise InputError(NO_OUTPUT)
    for path, option in ((pdf, "--pdf"), (fhir, "--fhir"), (html, "--html")):
        check_writable(path, option)
    if db is not None and not diary:
        raise InputError("--db names the diary's database: give it with --diary")
    given = read_answers(answers) if answers is not None else None
    description = read_text_option(text) if text is not None else None
    if video is not None and not video.is_file():
        raise InputError(f"--video: there is no file {video}")
    from facespasm.cli.diary_options import open_diary

    # The diary is opened before the video's analysis: a database that cannot be used is said
    # before minutes of work.
    own_diary = open_diary(db) if diary else None
    analysis = None
    if video is not None:
        from facespasm.cli.analyze import run_analysis

        analysis = run_analysis(video, camera=None, seconds=30.0, max_side=DEFAULT_MAX_SIDE)
    from facespasm.sharing import make_report

    report = make_report(given, text=description, video=analysis, diary=own_diary, name=name)
    _write(report, pdf=pdf, fhir=fhir, html=html)
    from rich.console import Console

    from facespasm.report.terminal import render_case

    render_case(report, Console(highlight=False))


def _write(report: CaseReport, *, pdf: Path | None, fhir: Path | None, html: Path | None) -> None:
    """Write each output asked for, saying where on standard error."""
    pdf_bytes: bytes | None = None
    if pdf is not None or fhir is not None:
        from facespasm.report.pdf import render_pdf

        pdf_bytes = render_pdf(report)  # the FHIR Bundle carries the same PDF
    if pdf is not None:
        assert pdf_bytes is not None
        _save(pdf, pdf_bytes, "the PDF for your doctor")
    if fhir is not None:
        from facespasm.report.fhir import fhir_json

        _save(fhir, fhir_json(report, pdf=pdf_bytes or True), "the FHIR R4B Bundle")
    if html is not None:
        from facespasm.report.document import render_document

        _save(html, render_document(report).encode("utf-8"), "the report as a web page")


def _save(path: Path, content: bytes, what: str) -> None:
    with writing(path):
        path.write_bytes(content)
    typer.echo(f"facespasm: wrote {what} to {path}", err=True)
