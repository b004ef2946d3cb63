"""The assessment as a terminal report: care level first, then causes, reasons, what to do.

Every medical statement is followed by its source numbers, [3], listed at the end -- the same
sources as the JSON. The care level leads because it is what a worried person needs first; the
not-a-diagnosis line closes the report so it is the last thing read.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from facespasm.knowledge import load_knowledge
from facespasm.reasoning import Assessment, ConditionResult, Factor

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


def print_assessment(result: Assessment, width: int | None = None) -> None:
    """Print the readable report to standard output."""
    render_assessment(result, Console(width=width, highlight=False))


def render_assessment(result: Assessment, console: Console) -> None:
    """Render the report on any rich console (a terminal, or a recording one in tests)."""
    cite = _Citations(result)
    console.print()
    console.print(_banner(result, cite))
    console.print(_causes_table(result))
    for condition in result.conditions:
        if condition is result.top or condition.probability >= EXPLAIN_THRESHOLD:
            console.print(_why(condition, cite))
    console.print(_next_steps(result, cite))
    if result.triage.unanswered_red_flags:
        console.print(_unanswered(result))
    console.print(_treatments(result, cite))
    console.print(_advice(result, cite))
    console.print(_sources(result))
    console.print(Text(result.disclaimer, style="bold"))


class _Citations:
    """Numbers sources in the order the result lists them: [1], [2] ..."""

    def __init__(self, result: Assessment) -> None:
        self._number = {source.id: n for n, source in enumerate(result.sources, start=1)}

    def __call__(self, source_ids: tuple[str, ...]) -> str:
        return "[" + ", ".join(str(self._number[s]) for s in source_ids) + "]"


def _banner(result: Assessment, cite: _Citations) -> Panel:
    triage = result.triage
    colour = load_knowledge().care_level(triage.level).colour
    style = BANNER_STYLE.get(colour, "bold")
    body = Text()
    body.append(f" {triage.label.upper()} ", style=style)
    body.append(f"\n\n{triage.summary} ")
    body.append(cite(triage.sources), style="dim")
    for reason in triage.reasons:
        body.append("\n• ")
        body.append(reason.text)
        body.append(" " + cite(reason.sources), style="dim")
    return Panel(body, title="How urgently to see a doctor", border_style=style.split()[-1])


def _causes_table(result: Assessment) -> Table:
    table = Table(title="Likely causes", box=box.SIMPLE, title_justify="left", expand=False)
    table.add_column("Cause", ratio=3)
    table.add_column("Probability", no_wrap=True)
    table.add_column("", justify="right", no_wrap=True)
    for condition in result.conditions:
        filled = round(condition.probability * BAR_WIDTH)
        bar = Text("█" * filled, style="cyan") + Text("░" * (BAR_WIDTH - filled), style="dim")
        table.add_row(condition.name, bar, f"{condition.probability:.0%}")
    return table


def _why(condition: ConditionResult, cite: _Citations) -> Group:
    lines = [Text(f"Why {condition.name} — {condition.probability:.0%}", style="bold")]
    lines.append(Text(f"  {condition.mechanism} {cite(condition.sources)}", style="dim"))
    for sign, factors in (("+", condition.supporting), ("−", condition.opposing)):
        for factor in factors[:4]:
            lines.append(_factor_line(sign, factor, cite))
    if not condition.supporting and not condition.opposing:
        lines.append(Text("  Nothing you told us speaks for or against it; this is its base rate."))
    lines.append(Text())
    return Group(*lines)


def _factor_line(sign: str, factor: Factor, cite: _Citations) -> Text:
    style = "green" if sign == "+" else "red"
    ratio = factor.likelihood_ratio
    times = f"{ratio:.1f}× as common" if ratio >= 1 else f"{1 / ratio:.1f}× less common"
    line = Text(f"  {sign} ", style=style)
    line.append(f"{factor.text}")
    line.append(f" ({times} with this cause) {cite(factor.sources)}", style="dim")
    return line


def _next_steps(result: Assessment, cite: _Citations) -> Group:
    lines = [Text("What to do next", style="bold underline")]
    for number, step in enumerate(result.triage.next_steps, start=1):
        lines.append(Text(f" {number}. {step}"))
    lines.append(Text(f"    {cite(result.triage.sources)}", style="dim"))
    lines.append(Text())
    return Group(*lines)


def _unanswered(result: Assessment) -> Panel:
    knowledge = load_knowledge()
    names = [knowledge.findings[f].label for f in result.triage.unanswered_red_flags]
    text = (
        "You did not tell us about: " + "; ".join(names) + ". If any of these apply to you, "
        "see a doctor soon (or call an ambulance for sudden weakness or slurred speech)."
    )
    return Panel(text, title="Not asked", border_style="yellow")


def _treatments(result: Assessment, cite: _Citations) -> Group:
    names = {condition.id: condition.name for condition in result.conditions}
    lines = [Text("Treatments a doctor may discuss", style="bold underline")]
    current = None
    for treatment in result.treatments:
        if treatment.cause != current:
            current = treatment.cause
            lines.append(Text(f"For {names[current]}:", style="bold"))
        lines.append(
            Text(f" • {treatment.name}: ", style="bold").append(
                Text(f"{treatment.summary} {cite(treatment.sources)}", style="not bold")
            )
        )
        for figure in treatment.figures:
            lines.append(Text(f"     – {figure.text} {cite(figure.sources)}", style="dim"))
    lines.append(Text())
    return Group(*lines)


def _advice(result: Assessment, cite: _Citations) -> Group:
    lines = [Text("Self-care that helps most twitches", style="bold underline")]
    for advice in result.advice:
        mark = "★ " if advice.id in result.relevant_advice else "• "
        lines.append(
            Text(f" {mark}{advice.title}: ", style="bold").append(
                Text(f"{advice.text} {cite(advice.sources)}", style="not bold")
            )
        )
    if result.relevant_advice:
        lines.append(Text(" ★ matches what you told us", style="dim"))
    lines.append(Text())
    return Group(*lines)


def _sources(result: Assessment) -> Group:
    lines = [Text("Sources", style="bold underline")]
    for number, source in enumerate(result.sources, start=1):
        line = Text(f" [{number}] {source.citation}", style="dim")
        if source.url:
            line.append(f" {source.url}", style="dim cyan")
        lines.append(line)
    lines.append(Text())
    return Group(*lines)
