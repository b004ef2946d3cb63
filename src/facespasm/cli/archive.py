"""`facespasm archive analyze DIR --out FILE.parquet`: a folder of videos on Ray, one row each.

Ray and pyarrow are imported only when the command runs (the extra `facespasm[archive]`);
without them the command says how to install them and exits 2. The progress bar (files done of
all files) is drawn on stderr when a person is watching; the last line says what the run did.
Exit 1 when any video's row is an error (after everything was written), 0 otherwise.

One Ctrl-C stops the run: the videos finished are kept in the results file, Ray is shut down,
and one line says how many were done and that the same command goes on from there; exit 130
(128 + SIGINT, as shells report an interrupted command).
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from facespasm.cli.outputs import check_writable

if TYPE_CHECKING:
    from facespasm.archive import ArchiveRun

EXIT_INTERRUPTED = 130

archive_app = typer.Typer(
    help="Video archives on Ray: analyse a folder of clips into one table (Parquet).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@archive_app.command("analyze")
def analyze_command(
    folder: Annotated[
        Path,
        typer.Argument(help="The folder of videos, searched recursively.", metavar="DIR"),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="The results file (.parquet); an existing one is resumed: done videos are "
            "skipped by content hash, failed ones tried again.",
            metavar="FILE.parquet",
        ),
    ],
    address: Annotated[
        str | None,
        typer.Option(
            help="An existing Ray cluster (auto, HOST:PORT or ray://HOST:PORT); "
            "default: a Ray on this machine.",
            metavar="ADDR",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Videos analysed at once (one CPU each); default: every CPU."),
    ] = None,
) -> None:
    """Analyse every video under DIR into one row per file: metadata, summary, events, evidence."""
    from facespasm.archive.run import ArchiveInterrupted, analyze_archive, check_arguments

    check_arguments(folder, out, address=address, workers=workers)
    check_writable(out, "--out")
    try:
        # Ray prints what becomes of failed workers on the driver's standard output; each such
        # video's row says it, and this command prints nothing there.
        with contextlib.redirect_stdout(_Nowhere()):
            if sys.stderr.isatty():
                run = _with_progress_bar(folder, out, address, workers)
            else:
                run = analyze_archive(folder, out, address=address, workers=workers)
    except ArchiveInterrupted as stop:
        typer.echo(_stopped(stop.run), err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    typer.echo(_said(run), err=True)
    if run.failed:
        raise typer.Exit(1)


def _with_progress_bar(
    folder: Path, out: Path, address: str | None, workers: int | None
) -> ArchiveRun:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from facespasm.archive.run import analyze_archive

    columns = (TextColumn("videos"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())  # fmt: skip
    # Standard output stays where the command put it (nowhere), not printed above the bar.
    console = Console(stderr=True)
    with Progress(*columns, console=console, transient=True, redirect_stdout=False) as bar:
        task = bar.add_task("videos", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return analyze_archive(folder, out, address=address, workers=workers, progress=update)


class _Nowhere(io.TextIOBase):
    """A text stream that drops what is written to it.

    Never closed: Ray keeps the standard output it found, and asks it at exit whether it is a
    terminal.
    """

    def write(self, text: str) -> int:
        return len(text)


def _said(run: ArchiveRun) -> str:
    parts = [f"{run.videos} video file(s): {run.analysed} analysed"]
    if run.skipped:
        parts.append(f"{run.skipped} already in {run.out.name}")
    if run.failed:
        parts.append(f"{run.failed} failed (see the error column)")
    if run.ignored:
        parts.append(f"{run.ignored} other file(s) passed over")
    return f"facespasm: {', '.join(parts)}; wrote {run.rows} row(s) to {run.out}"


def _stopped(run: ArchiveRun) -> str:
    kept = f"kept {run.rows} row(s) in {run.out}" if run.rows else f"nothing written to {run.out}"
    return (
        f"facespasm: stopped; {run.done} of {run.videos} video file(s) done, {kept}. "
        "Run the same command again to go on from there."
    )
