"""The diary's "Treatments & cycles" and "Measurements & assessments" pages, rendered here.

Both pages are server-rendered: the treatments, the cycles (`diary.cycles.toxin_cycles`), the kept
measurements and assessments come as HTML, so the display rules -- what "worked" means on the
page, which injection shows "next due", how a missing measure reads, which source each medical
statement cites -- live once, in Python. The pages' scripts only send what the person does to the
JSON API (add, edit, delete, the one-tap dates) and swap in the fragment these routes answer with
(`/diary/treatments/list`, `/diary/treatments/cycles`, `/diary/kept/...`).

Every medical statement of the cycles cites the sources of the reviewed section it rests on
(`diary/data/cycles.yaml`), numbered as the result page numbers its own (`report.citations`);
a section that is facespasm's own rule says so instead. An opened assessment cites the sources it
was kept with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from facespasm.diary.records import Measurement, SavedAssessment, Treatment
from facespasm.web.deps import DiaryDep
from facespasm.web.diary_schemas import EntryId
from facespasm.web.pages import TEMPLATES

router = APIRouter(include_in_schema=False)

# How many of the newest entries each list shows (the JSON API pages further back).
SHOWN = 200

KIND_LABELS = {
    "botulinum_toxin": "Botulinum toxin injection",
    "medication": "Medicine",
    "microvascular_decompression": "Microvascular decompression",
}
SIDE_LABELS = {"left": "left", "right": "right", "both": "both sides"}


def day(date: dt.date | None) -> str:
    """A date as people read it: "16 Aug 2023" (empty for none)."""
    return "" if date is None else f"{date.day} {date:%b %Y}"


def number(value: float | None, unit: str = "") -> str:
    """A measure to one decimal (whole numbers without one), or "—" when there is none."""
    if value is None:
        return "—"
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return text + unit


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
            f"{label} {number(units)} U"
            for label, units in (("left", treatment.units_left), ("right", treatment.units_right))
            if units is not None
        ]
        total = "" if treatment.dose_units is None else f"total {number(treatment.dose_units)} U"
        sites = [f"{site} {number(units)} U" for site, units in treatment.sites]
        dose = "; ".join(
            part
            for part in (total, ", ".join(sides), ("sites: " + ", ".join(sites)) if sites else "")
            if part
        )
        when = day(treatment.date)
    elif treatment.kind == "medication":
        if treatment.dose_units is not None:
            dose = f"{number(treatment.dose_units)} a day"
        until = f"until {day(treatment.until)}" if treatment.until else "still taken"
        when = f"from {day(treatment.date)}, {until}"
    else:
        when = day(treatment.date)
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


@dataclass
class Citing:
    """Numbers sources in the order the page cites them, as the result page does."""

    numbers: dict[str, int] = field(default_factory=dict)

    def __call__(self, source_ids: Iterable[str]) -> str:
        """The marker after a statement, "[1, 2]" (empty when nothing is cited)."""
        from facespasm.report.citations import Cited

        cited = {self.numbers.setdefault(s, len(self.numbers) + 1) for s in source_ids}
        return Cited(tuple(sorted(cited))).text

    def sources(self) -> list[dict[str, Any]]:
        """The cited sources by number: citation and address."""
        from facespasm.knowledge import load_knowledge

        known = load_knowledge().sources
        return [
            {"number": n, "citation": known[s].citation, "url": known[s].url}
            for s, n in self.numbers.items()
        ]


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


def cycle_rows(cycles: Sequence[Any], cite: Citing) -> list[CycleRow]:
    """The cycles in words, each medical statement with its sources; "next due" on the latest.

    Args:
        cycles: `toxin_cycles`'s cycles, oldest first.
        cite: numbers the sources as they are cited.
    """
    from facespasm.diary.reviewed import load_diary_knowledge

    priors = load_diary_knowledge().cycles
    relief = cite(priors.relief.sources)
    onset_cite = cite(priors.onset.sources)
    duration = cite(priors.duration.sources)
    due_cite = cite(priors.next_due.sources)
    rows = []
    for k, cycle in enumerate(cycles):
        dose = ", ".join(
            part
            for part in (
                None if cycle.dose_units is None else f"{number(cycle.dose_units)} U",
                SIDE_LABELS.get(cycle.side or ""),
            )
            if part
        )
        if cycle.responded is True:
            worked, css = "Yes, it worked", "worked"
            share = cycle.relief_share or 0.0
            effect = Statement(
                f"{number(cycle.post_rate)} twitches a day against {number(cycle.pre_rate)} "
                f"untreated: {share:.0%} fewer.",
                relief,
            )
        elif cycle.responded is False:
            worked, css = "No clear drop", "not-worked"
            effect = Statement(
                f"{number(cycle.post_rate)} twitches a day against {number(cycle.pre_rate)} "
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
                    f"{number(cycle.post_rate)} twitches a day against "
                    f"{number(cycle.pre_rate)} untreated; the diary is not sure yet "
                    f"({cycle.response_probability:.0%} likely that it worked)."
                )
            effect = Statement(why)
        onset = Statement("—")
        if cycle.onset is not None:
            onset = Statement(
                f"{day(cycle.onset)} (about {cycle.onset_days} days after)", onset_cite
            )
        wear_off = Statement("—")
        if cycle.wear_off is not None and cycle.wear_off_low and cycle.wear_off_high:
            wear_off = Statement(
                f"{day(cycle.wear_off)}, {cycle.wear_off_days} days after (90% range "
                f"{day(cycle.wear_off_low)} to {day(cycle.wear_off_high)})",
                duration,
            )
        elif cycle.wear_off_status == "next injection came first" and cycle.next_injection:
            wear_off = Statement(
                f"The next injection ({day(cycle.next_injection)}) came while it still worked",
                duration,
            )
        elif cycle.wear_off_status == "still working":
            wear_off = Statement("Not yet: it still seems to work", duration)
        reported = "; ".join(
            text
            for text in (
                f"started working {day(cycle.reported_onset)}" if cycle.reported_onset else "",
                f"wearing off {day(cycle.reported_wear_off)}" if cycle.reported_wear_off else "",
            )
            if text
        )
        due = None
        if k == len(cycles) - 1 and cycle.next_due is not None:
            basis = {
                "wear-off": "when this injection wore off",
                "your cycles": "when your injections usually wear off",
                "12 weeks": "12 weeks after, the typical length of relief",
            }[cycle.next_due_basis or "12 weeks"]
            due = Statement(f"{day(cycle.next_due)} ({basis})", due_cite)
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


def method_notes(cite: Citing) -> list[Statement]:
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
        notes.append(Statement(f"{title}{own}: {section.reasoning}", cite(section.sources)))
    return notes


def cycles_context(diary: Any) -> dict[str, Any]:
    """What the cycles fragment shows: the rows, the method notes and the cited sources."""
    from facespasm.diary.cycles import toxin_cycles

    cycles = toxin_cycles(diary.days.all(), diary.treatments.all())
    cite = Citing()
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


# --- kept ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasurementRow:
    """A kept measurement in words."""

    id: int
    date: dt.date
    left: str
    right: str
    eyes_closed: str
    blinks: str
    minutes: str


def measurement_row(measurement: Measurement) -> MeasurementRow:
    """A kept measurement's words for the list."""
    assert measurement.id is not None
    return MeasurementRow(
        id=measurement.id,
        date=measurement.local_date,
        left=number(measurement.spasms_per_min_left),
        right=number(measurement.spasms_per_min_right),
        eyes_closed=number(measurement.eyes_closed_pct, "%"),
        blinks=number(measurement.blink_rate_per_min),
        minutes=f"{measurement.face_minutes * 60:.0f} s",
    )


@dataclass(frozen=True)
class AssessmentRow:
    """A kept assessment's headline in words."""

    id: int
    date: dt.date
    time: str
    care_level: str
    level: str
    top_cause: str
    complete: bool


def _labels() -> tuple[dict[str, str], dict[str, str]]:
    from facespasm.knowledge import load_knowledge

    knowledge = load_knowledge()
    levels = {level.id: level.label for level in knowledge.care_levels}
    causes = {cause.id: cause.name for cause in knowledge.causes}
    return levels, causes


def assessment_row(saved: SavedAssessment) -> AssessmentRow:
    """A kept assessment's headline for the list."""
    assert saved.id is not None
    levels, causes = _labels()
    top = "—"
    if saved.top_cause:
        top = causes.get(saved.top_cause, saved.top_cause)
        if saved.top_probability is not None:
            top += f" ({saved.top_probability:.0%})"
    return AssessmentRow(
        id=saved.id,
        date=saved.local_date,
        time=saved.assessed_at.strftime("%H:%M UTC"),
        care_level=levels.get(saved.care_level, saved.care_level),
        level=saved.care_level,
        top_cause=top,
        complete=saved.complete,
    )


def kept_context(diary: Any) -> dict[str, Any]:
    """What the kept page's lists show."""
    measurements = diary.measurements.page(limit=SHOWN, offset=0, newest_first=True)
    assessments = diary.assessments.page(limit=SHOWN, offset=0, newest_first=True)
    return {
        "measurements": [measurement_row(m) for m in measurements],
        "assessments": [assessment_row(a) for a in assessments],
    }


def opened_context(diary: Any, entry_id: int, since: int | None) -> dict[str, Any]:
    """One kept assessment opened: its result in brief with its sources, and what changed.

    Raises:
        NotFound: no such kept assessment (404), or no such earlier one.
    """
    saved = diary.assessments.get(entry_id)
    result: Mapping[str, Any] = diary.assessments.result(entry_id).result
    sources = {s["id"]: s for s in result.get("sources", []) if isinstance(s, dict)}
    cite = _StoredCiting(sources)
    triage = result.get("triage", {})
    summary = Statement(str(triage.get("summary", "")), cite(triage.get("sources", ())))
    conditions = [
        Statement(
            f"{c.get('name', c.get('id'))}: {float(c.get('probability', 0.0)):.0%}",
            cite(c.get("sources", ())),
        )
        for c in result.get("conditions", [])[:3]
    ]
    earlier = [
        assessment_row(a)
        for a in diary.assessments.page(limit=SHOWN, offset=0, newest_first=True)
        if a.id != entry_id and (a.assessed_at, a.id or 0) < (saved.assessed_at, entry_id)
    ]
    changes = None
    if since is not None:
        changes = diary.assessments.compare(since, entry_id).to_dict()
    return {
        "opened": assessment_row(saved),
        "summary": summary,
        "conditions": conditions,
        "disclaimer": result.get("disclaimer"),
        "sources": cite.listed(),
        "earlier": earlier,
        "since": since,
        "changes": changes,
    }


@dataclass
class _StoredCiting:
    """Numbers the sources a kept assessment was stored with."""

    known: Mapping[str, Mapping[str, Any]]
    numbers: dict[str, int] = field(default_factory=dict)

    def __call__(self, source_ids: Iterable[str]) -> str:
        from facespasm.report.citations import Cited

        cited = {
            self.numbers.setdefault(s, len(self.numbers) + 1) for s in source_ids if s in self.known
        }
        return Cited(tuple(sorted(cited))).text

    def listed(self) -> list[dict[str, Any]]:
        return [
            {
                "number": n,
                "citation": self.known[s].get("citation"),
                "url": self.known[s].get("url"),
            }
            for s, n in self.numbers.items()
        ]


# --- routes -------------------------------------------------------------------------------


def _render(request: Request, name: str, **context: object) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, name, {"day": day, **context})


@router.get("/diary/treatments", response_class=HTMLResponse)
def treatments_page(request: Request, diary: DiaryDep) -> HTMLResponse:
    """Add and edit treatments; the one-tap dates; each injection's cycle."""
    return _render(
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
    return _render(request, "diary_treatments_list.html", **treatments_context(diary))


@router.get("/diary/treatments/cycles", response_class=HTMLResponse)
def treatments_cycles(request: Request, diary: DiaryDep) -> HTMLResponse:
    """The cycles view, as an HTML fragment."""
    return _render(request, "diary_cycles.html", **cycles_context(diary))


@router.get("/diary/kept", response_class=HTMLResponse)
def kept_page(request: Request, diary: DiaryDep) -> HTMLResponse:
    """Kept video measurements and assessments: list, open, compare, delete."""
    return _render(
        request,
        "diary_kept.html",
        title="Measurements & assessments",
        page="diary_kept.html",
        diary_page="kept",
        **kept_context(diary),
    )


@router.get("/diary/kept/lists", response_class=HTMLResponse)
def kept_lists(request: Request, diary: DiaryDep) -> HTMLResponse:
    """Both kept lists, as an HTML fragment."""
    return _render(request, "diary_kept_lists.html", **kept_context(diary))


@router.get("/diary/kept/assessments/{id}", response_class=HTMLResponse)
def kept_assessment(
    request: Request,
    id: EntryId,
    diary: DiaryDep,
    since: int | None = Query(None, ge=1, le=2**31 - 1),
) -> HTMLResponse:
    """One kept assessment, opened, and (with `since`) what changed since an earlier one.

    Raises:
        NotFound: no such kept assessment (404, as JSON).
    """
    return _render(request, "diary_assessment.html", **opened_context(diary, id, since))
