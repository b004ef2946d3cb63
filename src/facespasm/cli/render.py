"""The assessment as a terminal report: care level first, then causes, reasons, what to do.

Every medical statement is followed by its source numbers, [3] or [4–7], listed at the end --
the same sources as the JSON. The care level leads because it is what a worried person needs
first; the not-a-diagnosis line closes the report so it is the last thing read. Probabilities
are never shown as 0% or 100%: the program is not that sure of anything.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from facespasm.knowledge import load_knowledge
from facespasm.reasoning import Assessment, ConditionResult, Factor
from facespasm.reasoning.assessment import pending_sources

# Knowledge colour names -> banner styles readable on light and dark terminals.
BANNER_STYLE = {
    "green": "bold white on dark_green",
    "yellow": "bold black on yellow",
    "orange": "bold black on dark_orange",
    "red": "bold white on red",
}
BAR_WIDTH = 24
# Explanations are shown for causes at least this likely (and always for the top one).
EXPLAIN_THRESHOLD = 0.05
FACTORS_SHOWN = 4
EMERGENCY_ONLY = (
    "The causes of the twitching can wait: get help for these symptoms first. "
    "(`--json` still holds the full assessment.)"
)


def print_assessment(result: Assessment, width: int | None = None) -> None:
    """Print the readable report to standard output."""
    render_assessment(result, Console(width=width, highlight=False))


def render_assessment(result: Assessment, console: Console) -> None:
    """Render the report on any rich console (a terminal, or a string buffer in tests)."""
    cite = Citations(result)
    parts: list[RenderableType] = [Text(), _banner(result, cite)]
    if result.triage.level == load_knowledge().care_levels[-1].id:
        # An emergency report says what to do and nothing that could reassure or distract.
        parts += [_next_steps(result, cite), Text(EMERGENCY_ONLY), Text()]
        shown = {s for r in result.triage.reasons for s in r.sources} | set(result.triage.sources)
        parts += [_sources(result, shown), Text(result.disclaimer, style="bold")]
        for part in parts:
            console.print(part)
        return
    parts.append(_causes_table(result))
    parts += [
        _why(condition, cite)
        for condition in result.conditions
        if condition is result.top or condition.probability >= EXPLAIN_THRESHOLD
    ]
    parts.append(_next_steps(result, cite))
    if result.triage.pending:
        parts.append(_unanswered(result, cite))
    parts += [_treatments(result, cite), _advice(result, cite), _sources(result)]
    parts.append(Text(result.disclaimer, style="bold"))
    for part in parts:
        console.print(part)


def percent(probability: float) -> str:
    """A probability for people: never a flat 0% or 100%."""
    if probability > 0.99:
        return ">99%"
    if probability < 0.01:
        return "<1%"
    return f"{probability:.0%}"


class Citations:
    """Numbers sources in the order the result lists them, and writes runs as ranges: [1, 4–7]."""

    def __init__(self, result: Assessment) -> None:
        self._number = {source.id: n for n, source in enumerate(result.sources, start=1)}

    def __call__(self, source_ids: Iterable[str]) -> str:
        """The citation marker for these sources, e.g. "[1, 4–7]"."""
        numbers = sorted({self._number[s] for s in source_ids})
        runs: list[list[int]] = []
        for number in numbers:
            if runs and number == runs[-1][-1] + 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        return "[" + ", ".join(_run(run) for run in runs) + "]"


def _run(run: list[int]) -> str:
    if len(run) == 1:
        return str(run[0])
    return f"{run[0]}–{run[-1]}" if len(run) > 2 else f"{run[0]}, {run[1]}"


def _list(rows: Iterable[tuple[str, Text]], marker_style: str = "") -> Table:
    """Items with a hanging indent, so wrapped lines stay under their text."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style=marker_style)
    grid.add_column()
    for marker, text in rows:
        grid.add_row(marker, text)
    return grid


def _cited(text: str, sources: Iterable[str], cite: Citations, style: str = "") -> Text:
    return Text(text, style=style).append(" " + cite(sources), style="dim")


def _heading(text: str) -> Text:
    return Text(text, style="bold underline")


def _banner(result: Assessment, cite: Citations) -> Panel:
    triage = result.triage
    colour = load_knowledge().care_level(triage.level).colour
    style = BANNER_STYLE.get(colour, "bold")
    reasons = _list(("•", _cited(r.text, r.sources, cite)) for r in triage.reasons)
    body = Group(
        Text(f" {triage.label.upper()} ", style=style),
        Text(),
        _cited(triage.summary, triage.sources, cite),
        reasons,
    )
    return Panel(body, title="How urgently to see a doctor", border_style=style.split()[-1])


def _causes_table(result: Assessment) -> Table:
    table = Table(title="Likely causes", box=box.SIMPLE, title_justify="left")
    table.add_column("Cause")
    table.add_column("Probability", no_wrap=True)
    table.add_column("", justify="right", no_wrap=True)
    for condition in result.conditions:
        filled = round(condition.probability * BAR_WIDTH)
        bar = Text("█" * filled, style="cyan") + Text("░" * (BAR_WIDTH - filled), style="dim")
        table.add_row(condition.name, bar, percent(condition.probability))
    return table


def _why(condition: ConditionResult, cite: Citations) -> Group:
    title = Text(f"Why {condition.name} — {percent(condition.probability)}", style="bold")
    rows: list[tuple[str, Text]] = [("", _cited(condition.mechanism, condition.sources, cite))]
    for sign, factors in (("+", condition.supporting), ("−", condition.opposing)):
        rows += [(sign, _factor(factor, cite)) for factor in factors[:FACTORS_SHOWN]]
    if not condition.supporting and not condition.opposing:
        rows.append(("", Text("Nothing you told us speaks for or against it: its base rate.")))
    return Group(title, _list(rows, marker_style="bold"), Text())


def _factor(factor: Factor, cite: Citations) -> Text:
    ratio = factor.likelihood_ratio
    times = f"{ratio:.1f}× as common" if ratio >= 1 else f"{1 / ratio:.1f}× less common"
    return Text(factor.text).append(f" ({times} with this cause) {cite(factor.sources)}", "dim")


def _next_steps(result: Assessment, cite: Citations) -> Group:
    steps = [(f"{n}.", Text(step)) for n, step in enumerate(result.triage.next_steps, start=1)]
    sources = Text("   From " + cite(result.triage.sources), style="dim")
    return Group(_heading("What to do next"), _list(steps), sources, Text())


def _unanswered(result: Assessment, cite: Citations) -> Panel:
    knowledge = load_knowledge()
    names = [knowledge.findings[f].label for f in result.triage.pending]
    text = (
        "You did not tell us about: " + "; ".join(names) + ". If any of these apply to you, "
        "see a doctor soon (or call an ambulance for sudden weakness or slurred speech)."
    )
    sources = pending_sources(knowledge, result.triage)
    return Panel(_cited(text, sources, cite), title="Not asked", border_style="yellow")


def _treatments(result: Assessment, cite: Citations) -> Group:
    names = {condition.id: condition.name for condition in result.conditions}
    parts: list[RenderableType] = [_heading("Treatments a doctor may discuss")]
    for cause_id in dict.fromkeys(t.cause for t in result.treatments):
        parts.append(Text(f"For {names[cause_id]}:", style="bold"))
        rows: list[tuple[str, Text]] = []
        for treatment in (t for t in result.treatments if t.cause == cause_id):
            name = Text(f"{treatment.name}: ", style="bold")
            rows.append(("•", name + _cited(treatment.summary, treatment.sources, cite)))
            rows += [
                ("", _cited(f"– {figure.text}", figure.sources, cite, style="dim"))
                for figure in treatment.figures
            ]
        parts.append(_list(rows))
    parts.append(Text())
    return Group(*parts)


def _advice(result: Assessment, cite: Citations) -> Group:
    rows = [
        (
            "★" if advice.id in result.relevant_advice else "•",
            Text(f"{advice.title}: ", style="bold") + _cited(advice.text, advice.sources, cite),
        )
        for advice in result.advice
    ]
    footer = Text(" ★ matches what you told us", style="dim") if result.relevant_advice else Text()
    return Group(_heading("Self-care that helps most twitches"), _list(rows), footer, Text())


def _sources(result: Assessment, only: set[str] | None = None) -> Group:
    rows = []
    for number, source in enumerate(result.sources, start=1):
        if only is not None and source.id not in only:
            continue
        text = Text(source.citation, style="dim")
        if source.url:
            text.append(f" {source.url}", style="dim cyan")
        rows.append((f"[{number}]", text))
    return Group(_heading("Sources"), _list(rows), Text())
