"""The report in a terminal: the presentation model (`view.py`) drawn with rich.

Care level first, because it is what a worried person needs first; then what to do, the safety
questions still open, the causes with probability bars and why, treatments, self-care, what the
assessment used and the numbered sources; the not-a-diagnosis line closes the report so it is
the last thing read. Every text is a `rich.text.Text`, never markup, so the person's own words
are shown as written. What is shown, and in which words, is decided by the view; this module
only lays it out.

`render_case` draws a whole case (`case_report.CaseReport`, issue 13): who and when, the same
assessment, then the key history, the warning signs asked about, the video, the diary (90 days
as one character a day, injections marked below) and the codes; the sources, numbered once
across all of it; the disclaimer last.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from facespasm.knowledge import KnowledgeBase
from facespasm.reasoning import Assessment
from facespasm.report.citations import Cited, SourceView
from facespasm.report.view import (
    CareView,
    CauseView,
    EmergencyView,
    FactorView,
    PendingView,
    ReportView,
    TreatmentGroup,
    UsedView,
    report_view,
)

if TYPE_CHECKING:
    from facespasm.report.case_diary import DiarySection
    from facespasm.report.case_report import CaseReport, CodeView
    from facespasm.report.case_video import VideoSection

# Knowledge colour names -> banner styles readable on light and dark terminals.
BANNER_STYLE = {
    "green": "bold white on dark_green",
    "yellow": "bold black on yellow",
    "orange": "bold black on dark_orange",
    "red": "bold white on red",
}
BAR_WIDTH = 24


def print_assessment(
    result: Assessment, width: int | None = None, knowledge: KnowledgeBase | None = None
) -> None:
    """Print the readable report of `result` to standard output."""
    render_view(report_view(result, knowledge), Console(width=width, highlight=False))


def render_assessment(
    result: Assessment, console: Console, knowledge: KnowledgeBase | None = None
) -> None:
    """Render the report of `result` on any rich console (a terminal, or a buffer in tests)."""
    render_view(report_view(result, knowledge), console)


def render_view(view: ReportView, console: Console) -> None:
    """Render a presentation model on a rich console."""
    parts = _assessment_parts(view)
    parts += [_sources(view.sources), Text(view.disclaimer, style="bold")]
    for part in parts:
        console.print(part)


def _assessment_parts(view: ReportView) -> list[RenderableType]:
    """The assessment from the care level to what it used: all but sources and disclaimer."""
    parts: list[RenderableType] = [Text(), _banner(view.care)]
    if view.emergency is not None:
        parts.append(_emergency(view.emergency))
    parts.append(_next_steps(view.care))
    if view.emergency is not None:
        parts += [Text(view.emergency.note), Text()]
    if view.pending is not None:
        parts.append(_pending(view.pending))
    if view.causes:
        parts.append(_causes_table(view.causes))
        parts += [_why(cause) for cause in view.causes if cause.explained]
    if view.treatments:
        parts.append(_treatments(view.treatments))
    if view.advice:
        parts.append(_advice(view))
    if view.used:
        parts.append(_used(view.used))
    return parts


def _list(rows: Iterable[tuple[str, Text]], marker_style: str = "") -> Table:
    """Items with a hanging indent, so wrapped lines stay under their text."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style=marker_style)
    grid.add_column()
    for marker, text in rows:
        grid.add_row(marker, text)
    return grid


def _cited(text: str, cites: Cited, style: str = "") -> Text:
    cited = Text(text, style=style)
    if cites.numbers:
        cited.append(" " + cites.text, style="dim")
    return cited


def _heading(text: str) -> Text:
    return Text(text, style="bold underline")


def _banner(care: CareView) -> Panel:
    style = BANNER_STYLE.get(care.colour, "bold")
    rows = []
    for reason in care.reasons:
        text = _cited(reason.text, reason.cites)
        if reason.uncertain:
            text.append(f" You were not sure about: {'; '.join(reason.uncertain)}.", "italic")
        rows.append(("•", text))
    body = Group(
        Text(f" {care.label.upper()} ", style=style),
        Text(),
        _cited(care.summary.text, care.summary.cites),
        _list(rows),
    )
    return Panel(body, title="How urgently to see a doctor", border_style=style.split()[-1])


def _emergency(emergency: EmergencyView) -> Group:
    calls = Text("Call ", style="bold")
    for n, call in enumerate(emergency.calls):
        calls.append(" · " if n else "").append(call.number, "bold red").append(f" ({call.where})")
    signs = _list(("•", Text(sign)) for sign in emergency.signs)
    return Group(
        calls, Text(), _cited("Signs to check for:", emergency.cites, "bold"), signs, Text()
    )


def _next_steps(care: CareView) -> Group:
    steps = [(f"{n}.", Text(step)) for n, step in enumerate(care.next_steps, start=1)]
    sources = Text("   From " + care.next_steps_cites.text, style="dim")
    return Group(_heading("What to do next"), _list(steps), sources, Text())


def _pending(pending: PendingView) -> Group:
    questions = _list(("?", Text(question.question)) for question in pending.questions)
    intro = _cited(pending.intro.text, pending.intro.cites)
    return Group(_heading(pending.title), intro, questions, Text())


def _causes_table(causes: Iterable[CauseView]) -> Table:
    table = Table(title="Likely causes", box=box.SIMPLE, title_justify="left")
    table.add_column("Cause")
    table.add_column("Probability", no_wrap=True)
    table.add_column("", justify="right", no_wrap=True)
    for cause in causes:
        filled = round(cause.bar * BAR_WIDTH)
        bar = Text("█" * filled, style="cyan") + Text("░" * (BAR_WIDTH - filled), style="dim")
        table.add_row(cause.name, bar, cause.percent)
    return table


def _why(cause: CauseView) -> Group:
    title = Text(f"Why {cause.name} — {cause.percent}", style="bold")
    rows: list[tuple[str, Text]] = []
    if cause.mechanism is not None:
        rows.append(("", _cited(cause.mechanism.text, cause.mechanism.cites)))
    for sign, factors in (("+", cause.supporting), ("−", cause.opposing)):
        rows += [(sign, _factor(factor)) for factor in factors]
    if cause.note:
        rows.append(("", Text(cause.note)))
    return Group(title, _list(rows, marker_style="bold"), Text())


def _factor(factor: FactorView) -> Text:
    return Text(factor.text).append(f" ({factor.ratio}) {factor.cites.text}", "dim")


def _treatments(groups: Iterable[TreatmentGroup]) -> Group:
    parts: list[RenderableType] = [_heading("Treatments a doctor may discuss")]
    for group in groups:
        parts.append(Text(f"For {group.cause}:", style="bold"))
        rows: list[tuple[str, Text]] = []
        for treatment in group.treatments:
            name = Text(f"{treatment.name}: ", style="bold")
            rows.append(("•", name + _cited(treatment.summary.text, treatment.summary.cites)))
            rows += [
                ("", _cited(f"– {figure.text}", figure.cites, style="dim"))
                for figure in treatment.figures
            ]
        parts.append(_list(rows))
    parts.append(Text())
    return Group(*parts)


def _advice(view: ReportView) -> Group:
    rows = [
        (
            "★" if advice.relevant else "•",
            Text(f"{advice.title}: ", style="bold") + _cited(advice.text, advice.cites),
        )
        for advice in view.advice
    ]
    footer = (
        Text(" ★ matches what you told us", style="dim") if view.any_relevant_advice else Text()
    )
    return Group(_heading("Self-care that helps most twitches"), _list(rows), footer, Text())


def _used(used: Iterable[UsedView]) -> Group:
    rows = []
    for item in used:
        text = Text(item.phrase)
        notes = [f"from {item.origin_words}"]
        if item.hedged:
            notes.append("you were not sure")
        if item.detail:
            notes.append(item.detail)
        text.append(f" — {'; '.join(notes)}", style="dim")
        rows.append(("•", text))
    return Group(_heading("What we used"), _list(rows), Text())


def _sources(sources: Iterable[SourceView]) -> Group:
    rows = []
    for source in sources:
        text = Text(source.citation, style="dim")
        if source.url:
            text.append(f" {source.url}", style="dim cyan")
        rows.append((f"[{source.number}]", text))
    return Group(_heading("Sources"), _list(rows), Text())


# --- a whole case (issue 13): the assessment, then what a doctor reads next --------------------

SPARK = "▁▂▃▄▅▆▇█"
NOT_RECORDED = "·"


def render_case(report: CaseReport, console: Console) -> None:
    """Render a case report on a rich console: who and when, the assessment, then the case.

    What to do comes first (in an emergency, only that, from the assessment's emergency view);
    then the key history, the red flags, the video, the diary and the codes; the sources,
    numbered once across all of it; the disclaimer last.
    """
    header = Text(report.title, style="bold")
    header.append(f"\n{report.made_at_text}", style="")
    if report.name:
        header.append(f" · {report.name}")
    parts: list[RenderableType] = [header, *_assessment_parts(report.assessment)]
    parts += [_history(report), _red_flags(report)]
    if report.video is not None:
        parts.append(_video(report.video))
    if report.diary is not None:
        parts.append(_diary(report.diary))
    if report.codes:
        parts.append(_codes(report.codes))
    parts += [_sources(report.sources), Text(report.disclaimer, style="bold")]
    for part in parts:
        console.print(part)


def _history(report: CaseReport) -> Group:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    topic = None
    for item in report.history.items:
        text = Text(item.text, style="" if item.answered else "dim")
        if item.origin_words:
            text.append(f" — from {item.origin_words}", style="dim")
        grid.add_row("" if item.topic == topic else item.topic, text)
        topic = item.topic
    notes = [n for n in (report.history.onset_text, report.history.side_text) if n]
    lines = [Text(note.capitalize()) for note in notes]
    return Group(_heading("Key history"), grid, *lines, Text())


def _red_flags(report: CaseReport) -> Group:
    rows = [
        (flag.status_text, Text(flag.label, style="" if flag.answered else "dim"))
        for flag in report.red_flags
    ]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column()
    for status, label in rows:
        grid.add_row(status, label)
    counts = Text(
        f"{len(report.red_flags_answered)} of {len(report.red_flags)} answered", style="dim"
    )
    return Group(_heading("Warning signs asked about"), counts, grid, Text())


def _video(video: VideoSection) -> Group:
    parts: list[RenderableType] = [_heading("The video"), Text(video.face_text)]
    parts += [Text(f"! {warning}", style="yellow") for warning in video.warnings]
    rows = [("•", _cited(video.blink.text, video.blink.cites))]
    rows += [("•", Text(rate.text)) for rate in (*video.by_side, *video.by_region)]
    rows.append(("•", Text(video.eyes_closed_text.capitalize())))
    rows.append(
        ("•", Text("Usual eyelid opening: " + ", ".join(o.text for o in video.lid_opening)))
    )
    parts.append(_list(rows))
    if video.timeline:
        parts.append(Text("Timeline", style="bold"))
        parts.append(_list(("", Text(event.text)) for event in video.timeline))
        if video.timeline_note:
            parts.append(Text(video.timeline_note, style="dim"))
    parts.append(Text())
    return Group(*parts)


def _diary(diary: DiarySection) -> Group:
    parts: list[RenderableType] = [_heading("The diary"), Text(diary.text)]
    parts += _episode_chart(diary)
    if diary.injections:
        parts.append(Text("Injections", style="bold"))
        parts.append(_list(("•", Text(i.text)) for i in diary.injections))
    if diary.cycles:
        parts.append(Text("Cycles", style="bold"))
        parts.append(_list(("•", Text(c.summary)) for c in diary.cycles))
    for series in diary.ratings:
        parts.append(Text(series.name, style="bold"))
        rows = [("•", Text(point.text)) for point in series.points]
        parts.append(_list([*rows, ("", _cited(series.rule, series.cites, "dim"))]))
        if series.note:
            parts.append(Text(series.note, style="dim italic"))
    if diary.measurements:
        parts.append(Text("Measured from kept videos", style="bold"))
        parts.append(_list(("•", Text(m.text)) for m in diary.measurements))
    if diary.triggers or diary.triggers_note:
        parts.append(Text("Triggers", style="bold"))
        if diary.triggers:
            parts.append(_list(("•", Text(t)) for t in diary.triggers))
        else:
            parts.append(Text(diary.triggers_note or "", style="dim"))
    parts.append(Text())
    return Group(*parts)


def _episode_chart(diary: DiarySection) -> list[RenderableType]:
    """Episodes a day as one character a day (blank none, · not recorded), injections ▲ below."""
    counts = [day.episodes for day in diary.days]
    top = max((c for c in counts if c is not None), default=0)
    bars = "".join(_bar_of(c, top) for c in counts)
    injected = {i.date for i in diary.injections}
    marks = "".join("▲" if day.date in injected else " " for day in diary.days).rstrip()
    chart = Text(bars, style="cyan")
    legend = Text(
        f"{diary.start.isoformat()} … {diary.end.isoformat()}: episodes a day (most {top}); "
        f"blank none, {NOT_RECORDED} not recorded" + ("; ▲ injection" if injected else ""),
        style="dim",
    )
    lines: list[RenderableType] = [chart]
    if marks:
        lines.append(Text(marks, style="bold"))
    return [*lines, legend]


def _codes(codes: Iterable[CodeView]) -> Table:
    table = Table(title="Codes", box=box.SIMPLE, title_justify="left", title_style="bold underline")
    for column in ("System", "Code", "Meaning", "Note"):
        table.add_column(column)
    for code in codes:
        table.add_row(code.system_name, code.code, code.display, code.note or "")
    return table


def _bar_of(count: int | None, top: int) -> str:
    if count is None:
        return NOT_RECORDED
    if count <= 0 or top <= 0:
        return " "
    return SPARK[max(0, math.ceil(count / top * len(SPARK)) - 1)]
