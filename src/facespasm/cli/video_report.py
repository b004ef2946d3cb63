"""The video analysis as a terminal report: what was seen, when, where, and what it suggests."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from facespasm.reasoning import DISCLAIMER
from facespasm.video.analysis import VideoAnalysis
from facespasm.video.readable import NOTHING_CAUGHT, evidence_lines, summary_lines

MAX_EVENTS_LISTED = 40


def render_analysis(analysis: VideoAnalysis, console: Console) -> None:
    """Print the readable summary of one analysed clip."""
    video, summary = analysis.video, analysis.summary.to_dict()
    console.print(
        Text(
            f"{video['source']}: {video['frames']} frames at {video['fps']} fps "
            f"({video['duration_s']} s), a face in {video['face_frames']}",
            style="bold",
        )
    )
    for warning in analysis.warnings:
        console.print(Text(f"! {warning}", style="yellow"))
    console.print(_events_table(analysis))
    figures = Table.grid(padding=(0, 2))
    figures.add_column(style="bold")
    figures.add_column()
    for what, amount in summary_lines(summary):
        figures.add_row(what, amount)
    console.print(figures)
    console.print()
    if analysis.evidence:
        console.print(Text("What the video shows, as evidence for the assessment", style="bold"))
        for line in evidence_lines(analysis):
            console.print(Text(f" • {line.text}  ({line.confidence} sure: {line.why})"))
    if not analysis.shows_a_sign:
        console.print(NOTHING_CAUGHT)
    elif analysis.evidence:
        console.print(
            Text(
                f"Use it: facespasm assess --video {video['source']} (with --answers FILE)",
                style="dim",
            )
        )
    console.print(Text(DISCLAIMER, style="bold"))


def _events_table(analysis: VideoAnalysis) -> Table:
    table = Table(title=f"{len(analysis.events)} events", box=box.SIMPLE, title_justify="left")
    for column in ("from (s)", "to (s)", "kind", "side", "regions", "strength"):
        table.add_column(column)
    for event in analysis.events[:MAX_EVENTS_LISTED]:
        kind = event.kind + (" (forceful)" if event.forceful else "")
        kind += " (with a smile, pucker or talk)" if event.with_smile else ""
        table.add_row(
            f"{event.start_s:.2f}",
            f"{event.end_s:.2f}",
            kind,
            event.side,
            ", ".join(event.regions),
            f"{event.peak:.0%}",
        )
    if len(analysis.events) > MAX_EVENTS_LISTED:
        table.caption = f"the first {MAX_EVENTS_LISTED} of {len(analysis.events)}; --json has all"
    return table
