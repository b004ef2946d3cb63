"""The interview in a terminal: show each question, read a reply, let the person go back.

It opens with an optional description in the person's own words: what was read from it is shown
as a numbered checklist, anything misread is dropped by its number (and so asked instead), and
the questions that follow are only those still worth asking.

Replies are forgiving: "y"/"yes", "n"/"no", "?" for don't know, "b" for back, "q" to finish
early with what is known; numbers of choices ("1,3") or their words; durations with units
("3 weeks", "2 months"). Enter keeps the earlier answer after going back. A reply that cannot be
read is explained and the question asked again; the interview never fails on a typo.
"""

from __future__ import annotations

import re

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from facespasm.amounts import parse_amount
from facespasm.case import Case
from facespasm.errors import InputError
from facespasm.knowledge import Finding, load_knowledge
from facespasm.language import Reading, read
from facespasm.reasoning import Assessment, Evidence, Origin, Value
from facespasm.reasoning.explain import describe
from facespasm.reasoning.interview import Interview, Question

BACK = {"b", "back"}
DONT_KNOW = {"?", "d", "dk", "don't know", "dont know", "not sure", "unsure"}
QUIT = {"q", "quit", "stop"}
YES = {"y", "yes"}
NO = {"n", "no"}

INTRO = (
    "I will ask about your twitching, one question at a time, starting with the few that "
    "matter most for safety. Answer [bold]y[/] or [bold]n[/], type [bold]?[/] if you don't "
    "know, [bold]b[/] to go back, [bold]q[/] to finish early.\n"
    "This is information, not a diagnosis."
)


DESCRIBE = "Describe it in your own words, or press Enter to skip"
CHECK = "Numbers of anything I got wrong (e.g. 2 5), or press Enter if it is right"


def run_interview(
    width: int | None = None,
    console: Console | None = None,
    known: Evidence | None = None,
    reading: Reading | None = None,
) -> Assessment:
    """Interview the person at the terminal.

    Args:
        width: the report's width in characters (default: the terminal's).
        console: where to ask (default: a new terminal console).
        known: evidence from a video or the diary, not asked again (a reply outranks it). With
            the description and what the person marks as misread, it is one `Case`.
        reading: a description already given (`--text`); without it, the person is asked for one.
    """
    console = console or Console(width=width, highlight=False)
    known = known or Evidence()
    console.print(Panel(INTRO, title="facespasm", border_style="cyan"))
    try:
        if reading is None:
            description = console.input(f"{DESCRIBE} > ").strip()
            reading = read(description) if description else None
        wrong = _misread(console, reading) if reading is not None else ()
        interview = Case(reading=reading, wrong=wrong, video=known).interview()
        for item in interview.known:
            if item.origin is not Origin.TEXT:
                finding = interview.knowledge.findings[item.finding]
                said = f"Known from your {item.origin}: {describe(finding, item.value)}"
                console.print(f"[dim]{said} — {item.detail}[/]")
        while (question := interview.next_question()) is not None:
            if not _ask(console, interview, question):
                _ask_pending(console, interview)
                break
    except EOFError:
        raise InputError(
            "input ended before the interview was finished "
            "(answer each question, or give --answers FILE)"
        ) from None
    except KeyboardInterrupt:
        console.print("\nStopped. Nothing was saved.")
        raise typer.Exit(130) from None
    return interview.result()


def _ask_pending(console: Console, interview: Interview) -> None:
    """Before an early result: the safety questions never reached, so none is left unknown.

    Self-care needs every red flag ruled out; a person who finishes early is asked the ones the
    interview had not come to (those they answered "don't know" are not asked twice).
    """
    answered = {finding_id for finding_id, _ in interview.answers}
    pending = [f for f in interview.result().triage.pending if f not in answered]
    if not pending:
        return
    console.print(
        f"\n[bold]Before your result: {len(pending)} safety "
        f"question{'s' if len(pending) > 1 else ''} you have not answered.[/] "
        "[dim]Type ? if you don't know, q to skip them.[/]"
    )
    for finding_id in pending:
        question = Question(
            finding=interview.knowledge.findings[finding_id],
            number=len(interview.answers) + 1,
            red_flag=True,
        )
        if not _ask(console, interview, question):
            return


def _misread(console: Console, reading: Reading) -> tuple[str, ...]:
    """What the person says the reading got wrong, by the numbers of a checklist."""
    knowledge = load_knowledge()
    items = [item for item in reading.evidence() if not item.hedged]  # hedged ones are asked
    if items:
        console.print("\n[bold]What I understood:[/]")
        for number, item in enumerate(items, start=1):
            phrase = describe(knowledge.findings[item.finding], item.value)
            quoted = escape(item.detail or "")  # the person's own words: never read as markup
            console.print(f"  [cyan]{number}[/] {phrase} [dim]— from {quoted}[/]")
    else:
        console.print("\nI could not find anything I know how to use in that; I will ask instead.")
    if reading.uncertain:
        console.print("[bold]To be safe, I will ask you about:[/]")
        for finding_id in reading.uncertain:
            console.print(f"  • {knowledge.findings[finding_id].label}")
    while items:
        reply = console.input(f"{CHECK} > ").strip()
        try:
            wrong = _numbers(reply, len(items))
        except ValueError as problem:
            console.print(f"[yellow]{problem}[/]")
            continue
        return tuple(items[number - 1].finding for number in sorted(wrong))
    return ()


def _numbers(reply: str, count: int) -> set[int]:
    """Item numbers typed as "2 5" or "2,5"."""
    picks = [part for part in re.split(r"[,\s]+", reply) if part]
    if not all(pick.isdigit() and 1 <= int(pick) <= count for pick in picks):
        raise ValueError(f"Please type numbers from 1 to {count}, or just press Enter.")
    return {int(pick) for pick in picks}


def _ask(console: Console, interview: Interview, question: Question) -> bool:
    """Ask until the reply is usable; False when the person chose to finish early."""
    finding = question.finding
    console.print()
    flag = " · [bold red]safety question[/]" if question.red_flag else ""
    console.print(f"[dim]Question {question.number}[/]{flag}")
    console.print(f"[bold]{finding.question}[/]")
    if finding.help:
        console.print(f"[dim]{finding.help}[/]")
    for number, choice in enumerate(finding.choices, start=1):
        console.print(f"  [cyan]{number}[/] {choice.label}")
    if question.previous is not None:
        console.print(f"[dim]Before you answered: {describe(finding, question.previous)}[/]")
    while True:
        reply = console.input(f"{_hint(finding)} > ").strip().lower()
        if reply in QUIT:
            return False
        if reply in BACK:
            if interview.back() is None:
                console.print("[yellow]This is the first question.[/]")
                continue
            return True
        if not reply and question.previous is not None:
            interview.answer(finding.id, question.previous)
            return True
        try:
            value = None if reply in DONT_KNOW else parse_reply(finding, reply)
            interview.answer(finding.id, value)
        except (ValueError, InputError) as problem:
            console.print(f"[yellow]{problem}[/]")
            continue
        return True


def parse_reply(finding: Finding, reply: str) -> Value | float | list[str]:
    """Turn what the person typed into a raw answer for `finding`.

    Raises:
        ValueError: the reply cannot be read, with a hint on what to type (an amount's rule is
            `facespasm.amounts`, shared with the web pages).
    """
    if finding.type == "boolean":
        if reply in YES:
            return True
        if reply in NO:
            return False
        raise ValueError("Please answer y (yes), n (no), ? (don't know) or b (back).")
    if finding.type == "number":
        return parse_amount(finding, reply)
    picks = [part for part in re.split(r"[,\s]+", reply) if part]
    values = [_parse_choice(finding, pick) for pick in picks]
    if finding.type == "choice":
        if len(values) != 1:
            raise ValueError("Please choose one number.")
        return values[0]
    return values


def _parse_choice(finding: Finding, pick: str) -> str:
    if pick.isdigit() and 1 <= int(pick) <= len(finding.choices):
        return finding.choices[int(pick) - 1].value
    for choice in finding.choices:
        if pick in (choice.value, choice.label.lower()):
            return choice.value
    raise ValueError(f"Please type a number from 1 to {len(finding.choices)}.")


def _hint(finding: Finding) -> str:
    if finding.type == "boolean":
        return "y / n / ? / b"
    if finding.type == "choice":
        return "number / ? / b"
    if finding.type == "multiple_choice":
        return "numbers, e.g. 1,3 / ? / b"
    if finding.unit == "days":
        return "days, or e.g. '3 weeks' / ? / b"
    return f"{finding.unit} / ? / b"
