"""The case report as one self-contained HTML document: `facespasm report --html` and the PDF.

`render_document(report)` draws a `CaseReport` (`case_report.py`) and decides nothing about the
case: it lays the model out for a doctor who has a minute.

- **Page 1 is the summary** (A4): who and when, the care level and why, the likely causes with
  their probabilities, the key history, the red flags answered and not answered, the video's
  measures (the blink rate against the 27-a-minute line, a timeline), the diary's 90 days
  (injections, wear-off, the JRS trend), the codes and "information, not a diagnosis".
  Page 2 holds what a doctor may want next -- for and against each cause, the next steps the
  person was given, what they told us, the cycles -- and the numbered sources. The layout is
  sized so that a full case (interview, video and diary) fits two pages; `pdf.py`'s tests hold
  it to that.
- **An emergency leads with what to do now** -- the numbers to call, the signs, the steps --
  and, like every emergency view (`view.py`), shows no causes or probabilities.
- **Self-contained**: the stylesheet is inline and the figures are inline SVG (`figures.py`);
  nothing is loaded from elsewhere, so the file can be mailed, and the PDF renderer needs no
  network. Links to sources are plain `href`s, never fetched.
- **Escaped**: Jinja2 autoescapes every value, the person's name and own words included.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

import jinja2

from facespasm.report.figures import blink_figure, diary_figure, timeline_figure

if TYPE_CHECKING:
    from facespasm.report.case_report import CaseReport

TEMPLATES = Path(__file__).parent / "templates"
_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENVIRONMENT.globals.update(
    blink_figure=blink_figure, timeline_figure=timeline_figure, diary_figure=diary_figure
)
# Causes shown by name on page 1; the rest are summed up in one line.
CAUSES_SHOWN = 4
# How densely the page is set: "normal", then smaller type ("compact"), then also without the
# mechanisms and the list of every finding ("tight") -- for a case with much to say (pdf.py).
Density = Literal["normal", "compact", "tight"]
DENSITIES: tuple[Density, ...] = get_args(Density)
# The id of the last element of the summary: the PDF checks that it is on page 1.
SUMMARY_END = "end-of-summary"
# The stylesheet, inline in the HTML document; the PDF passes it to WeasyPrint parsed once.
STYLESHEET = TEMPLATES / "document.css"


def render_document(
    report: CaseReport, *, density: Density = "normal", inline_style: bool = True
) -> str:
    """The whole HTML page of a case report (UTF-8, no external resources).

    Args:
        report: the case report.
        density: how densely to set it (`DENSITIES`); the HTML document is "normal".
        inline_style: whether the page carries its stylesheet (`STYLESHEET`); only the PDF,
            which gives WeasyPrint the stylesheet parsed once, leaves it out.
    """
    causes = report.assessment.causes
    return _ENVIRONMENT.get_template("document.html").render(
        report=report,
        view=report.assessment,
        density=density,
        inline_style=inline_style,
        causes=causes[:CAUSES_SHOWN],
        other_causes=causes[CAUSES_SHOWN:],
    )
