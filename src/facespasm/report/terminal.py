"""The report in a terminal: the presentation model (`view.py`) drawn with rich.

Care level first, because it is what a worried person needs first; then what to do, the safety
questions still open, the causes with probability bars and why, treatments, self-care, what the
assessment used and the numbered sources; the not-a-diagnosis line closes the report so it is
the last thing read. Every text is a `rich.text.Text`, never markup, so the person's own words
are shown as written. What is shown, and in which words, is decided by the view; this module
only lays it out.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from facespasm.knowledge import KnowledgeBase
from facespasm.reasoning import Assessment
from facespasm.report.citations import Cited
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
    parts += [_sources(view), Text(view.disclaimer, style="bold")]
    for part in parts:
        console.print(part)


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


def _sources(view: ReportView) -> Group:
    rows = []
    for source in view.sources:
        text = Text(source.citation, style="dim")
        if source.url:
            text.append(f" {source.url}", style="dim cyan")
        rows.append((f"[{source.number}]", text))
    return Group(_heading("Sources"), _list(rows), Text())
