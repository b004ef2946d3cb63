"""The report as an HTML fragment: the presentation model (`view.py`) through one template.

The fragment is inserted into a page (the interview, the video page) as it is, so it follows the
pages' rules: Jinja2 autoescapes everything, the person's own words included; there is no inline
script and no `style` attribute (the probability bars are SVG rectangles), so a strict Content
Security Policy can apply. Open safety questions are small forms whose buttons carry the answer
as JSON in `data-answer` and the finding in the form's `data-finding`, for the page to send.
Given the time it was made, the fragment says so first: a printed result carries its date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2

from facespasm.diary.wording import long_date
from facespasm.knowledge import KnowledgeBase
from facespasm.reasoning import Assessment
from facespasm.report.view import ReportView, report_view

TEMPLATES = Path(__file__).parent / "templates"
_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(view: ReportView, made_at: dt.datetime | None = None) -> str:
    """The HTML fragment of a presentation model, dated when `made_at` is given."""
    dated = None
    if made_at is not None:
        text = f"{long_date(made_at.date())}, {made_at:%H:%M}"
        dated = {"iso": made_at.isoformat(timespec="minutes"), "text": text}
    return _ENVIRONMENT.get_template("report.html").render(view=view, made_at=dated)


def assessment_html(
    result: Assessment, knowledge: KnowledgeBase | None = None, made_at: dt.datetime | None = None
) -> str:
    """The HTML fragment of an assessment (made with `knowledge`, the packaged one by default)."""
    return render_html(report_view(result, knowledge), made_at)
