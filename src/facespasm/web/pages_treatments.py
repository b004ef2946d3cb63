"""The diary's "Treatments & cycles" page, rendered here.

The treatments and the cycles (`diary.cycles.toxin_cycles`) come as HTML, so the display rules --
what "worked" means on the page, which injection shows "next due", which source each medical
statement cites -- live once, in Python. The page's script only sends what the person does to the
JSON API (add, edit, delete, the one-tap dates) and swaps in the fragments these routes answer
with (`/diary/treatments/list`, `/diary/treatments/cycles`).

Every medical statement of the cycles cites the sources of the reviewed section it rests on
(`diary/data/cycles.yaml`), numbered as the result page numbers its own (`report.citations`);
a section that is facespasm's own rule says so instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from facespasm.diary.records import Treatment
from facespasm.diary.wording import amount, short_date
from facespasm.knowledge import load_knowledge
from facespasm.report.citations import Numbering
from facespasm.web.deps import DiaryDep
from facespasm.web.pages import render

router = APIRouter(include_in_schema=False)

# How many of the newest treatments the list shows (the JSON API pages further back).
SHOWN = 200

KIND_LABELS = {
    "botulinum_toxin": "Botulinum toxin injection",
    "medication": "Medicine",
    "microvascular_decompression": "Microvascular decompression",
}
SIDE_LABELS = {"left": "left", "right": "right", "both": "both sides"}


# --- treatments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TreatmentRow:
    """One treatment as listed: what, when, how much."""

    id: int
    date: dt.date
    kind: str
    label: str
    when: str
    what: str
    dose: str
    note: str | None


def treatment_row(treatment: Treatment) -> TreatmentRow:
    """A treatment's words for the list."""
    assert treatment.id is not None
    dose = ""
    if treatment.kind == "botulinum_toxin":
        sides = [
            f"{label} {amount(units)} U"
            for label, units in (("left", treatment.units_left), ("right", treatment.units_right))
            if units is not None
        ]
        total = "" if treatment.dose_units is None else f"total {amount(treatment.dose_units)} U"
        sites = [f"{site} {amount(units)} U" for site, units in treatment.sites]
        dose = "; ".join(
            part
            for part in (total, ", ".join(sides), ("sites: " + ", ".join(sites)) if sites else "")
            if part
        )
        when = short_date(treatment.date)
    elif treatment.kind == "medication":
        if treatment.dose_units is not None:
            dose = f"{amount(treatment.dose_units)} a day"
        until = f"until {short_date(treatment.until)}" if treatment.until else "still taken"
        when = f"from {short_date(treatment.date)}, {until}"
    else:
        when = short_date(treatment.date)
        if treatment.side:
            dose = SIDE_LABELS[treatment.side]
    return TreatmentRow(
        id=treatment.id,
        date=treatment.date,
        kind=treatment.kind,
        label=KIND_LABELS[treatment.kind],
        when=when,
        what=treatment.name or "",
        dose=dose,
        note=treatment.note,
    )


# --- cycles -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """A sentence of the cycles view and the sources it rests on."""

    text: str
    cite: str = ""


@dataclass(frozen=True)
class CycleRow:
    """One injection as the cycles view shows it."""

    injection: dt.date
    dose: str
    worked: str
    worked_class: str
    effect: Statement
    onset: Statement
    wear_off: Statement
    reported: str
    next_due: Statement | None


def cycle_rows(cycles: Sequence[Any], cite: Numbering) -> list[CycleRow]:
    """The cycles in words, each medical statement with its sources; "next due" on the latest.

    Args:
        cycles: `toxin_cycles`'s cycles, oldest first.
        cite: numbers the sources as they are cited.
    """
    from facespasm.diary.reviewed import load_diary_knowledge

    priors = load_diary_knowledge().cycles
    relief = cite(priors.relief.sources).text
    onset_cite = cite(priors.onset.sources).text
    duration = cite(priors.duration.sources).text
    due_cite = cite(priors.next_due.sources).text
    rows = []
    for k, cycle in enumerate(cycles):
        dose = ", ".join(
            part
            for part in (
                None if cycle.dose_units is None else f"{amount(cycle.dose_units)} U",
                SIDE_LABELS.get(cycle.side or ""),
            )
            if part
        )
        if cycle.responded is True:
            worked, css = "Yes, it worked", "worked"
            share = cycle.relief_share or 0.0
            effect = Statement(
                f"{amount(cycle.post_rate)} twitches a day against {amount(cycle.pre_rate)} "
                f"untreated: {share:.0%} fewer.",
                relief,
            )
        elif cycle.responded is False:
            worked, css = "No clear drop", "not-worked"
            effect = Statement(
                f"{amount(cycle.post_rate)} twitches a day against {amount(cycle.pre_rate)} "
                "untreated.",
                relief,
            )
        else:
            worked, css = "Cannot tell yet", "unknown"
            if cycle.pre_rate is None:
                why = (
                    "There are too few untreated days in the diary to compare with (at least "
                    "two weeks before the first injection or after one wears off)."
                )
            elif cycle.post_rate is None or cycle.response_probability is None:
                why = "Too few diary days after it yet."
            else:
                why = (
                    f"{amount(cycle.post_rate)} twitches a day against "
                    f"{amount(cycle.pre_rate)} untreated; the diary is not sure yet "
                    f"({cycle.response_probability:.0%} likely that it worked)."
                )
            effect = Statement(why)
        onset = Statement("—")
        if cycle.onset is not None:
            onset = Statement(
                f"{short_date(cycle.onset)} (about {cycle.onset_days} days after)", onset_cite
            )
        wear_off = Statement("—")
        if cycle.wear_off is not None and cycle.wear_off_low and cycle.wear_off_high:
            wear_off = Statement(
                f"{short_date(cycle.wear_off)}, {cycle.wear_off_days} days after (90% range "
                f"{short_date(cycle.wear_off_low)} to {short_date(cycle.wear_off_high)})",
                duration,
            )
        elif cycle.wear_off_status == "next injection came first" and cycle.next_injection:
            wear_off = Statement(
                f"The next injection ({short_date(cycle.next_injection)}) came while it still "
                "worked",
                duration,
            )
        elif cycle.wear_off_status == "still working":
            wear_off = Statement("Not yet: it still seems to work", duration)
        reported = "; ".join(
            text
            for text in (
                f"started working {short_date(cycle.reported_onset)}"
                if cycle.reported_onset
                else "",
                f"wearing off {short_date(cycle.reported_wear_off)}"
                if cycle.reported_wear_off
                else "",
            )
            if text
        )
        due = None
        if k == len(cycles) - 1 and cycle.next_due is not None:
            basis = {
                "wear-off": "when this injection wore off",
                "your cycles": "when your injections usually wear off",
                "12 weeks": f"{priors.next_due.typical_interval_weeks} weeks after, the "
                "typical length of relief",
            }[cycle.next_due_basis or "12 weeks"]
            due = Statement(f"{short_date(cycle.next_due)} ({basis})", due_cite)
        rows.append(
            CycleRow(
                injection=cycle.injection,
                dose=dose,
                worked=worked,
                worked_class=css,
                effect=effect,
                onset=onset,
                wear_off=wear_off,
                reported=reported or "—",
                next_due=due,
            )
        )
    return rows


def method_notes(cite: Numbering) -> list[Statement]:
    """How the cycles are worked out, each rule with its sources or marked as facespasm's own."""
    from facespasm.diary.reviewed import load_diary_knowledge

    priors = load_diary_knowledge().cycles
    sections = (
        ("When an injection starts to work", priors.onset),
        ("How long relief lasts", priors.duration),
        ("What counts as “it worked”", priors.relief),
        ("Your own dates", priors.reported_dates),
        ("The untreated level", priors.baseline),
        ("When the next injection is due", priors.next_due),
    )
    notes = []
    for title, section in sections:
        own = " (facespasm's own rule, not from a study)" if section.in_house else ""
        notes.append(Statement(f"{title}{own}: {section.reasoning}", cite(section.sources).text))
    return notes


def cycles_context(diary: Any) -> dict[str, Any]:
    """What the cycles fragment shows: the rows, the method notes and the cited sources."""
    from facespasm.diary.cycles import toxin_cycles

    cycles = toxin_cycles(diary.days.all(), diary.treatments.all())
    cite = Numbering(load_knowledge())
    rows = cycle_rows(cycles, cite)
    notes = method_notes(cite)
    latest = rows[-1].injection if rows else None
    return {"cycles": rows, "notes": notes, "sources": cite.sources(), "latest": latest}


def treatments_context(diary: Any) -> dict[str, Any]:
    """What the treatment list shows."""
    rows = [
        treatment_row(t) for t in diary.treatments.page(limit=SHOWN, offset=0, newest_first=True)
    ]
    return {"treatments": rows}


@router.get("/diary/treatments", response_class=HTMLResponse)
def treatments_page(request: Request, diary: DiaryDep) -> HTMLResponse:
    """Add and edit treatments; the one-tap dates; each injection's cycle."""
    return render(
        request,
        "diary_treatments.html",
        title="Treatments & cycles",
        page="diary_treatments.html",
        diary_page="treatments",
        today=dt.date.today().isoformat(),
        **treatments_context(diary),
        **cycles_context(diary),
    )


@router.get("/diary/treatments/list", response_class=HTMLResponse)
def treatments_list(request: Request, diary: DiaryDep) -> HTMLResponse:
    """The treatment list, as an HTML fragment."""
    return render(request, "diary_treatments_list.html", **treatments_context(diary))


@router.get("/diary/treatments/cycles", response_class=HTMLResponse)
def treatments_cycles(request: Request, diary: DiaryDep) -> HTMLResponse:
    """The cycles view, as an HTML fragment."""
    return render(request, "diary_cycles.html", **cycles_context(diary))
