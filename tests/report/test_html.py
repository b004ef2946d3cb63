"""The report as an HTML fragment: the same view, escaped, without inline script or style, with
the open safety questions as small forms the page can answer in place."""

from __future__ import annotations

import dataclasses
import re
from html import unescape
from html.parser import HTMLParser

import pytest

from facespasm.case import assess_case
from facespasm.reasoning import Assessment
from facespasm.report import report_view
from facespasm.report.html import assessment_html, render_html

Element = tuple[str, dict[str, str | None]]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(html: str) -> _Elements:
    """The fragment's elements (tag and attributes, in order) and its text."""
    parser = _Elements()
    parser.feed(html)
    return parser


def visible_text(html: str) -> str:
    return " ".join(" ".join(parsed(html).text).split())


@pytest.mark.parametrize("case", ["stroke", "open_flags", "harmless", "hemifacial"])
def test_no_inline_script_or_style_so_a_strict_csp_can_apply(
    case: str, request: pytest.FixtureRequest
) -> None:
    elements = parsed(assessment_html(request.getfixturevalue(case))).elements
    assert elements and not any(tag in ("script", "style") for tag, _ in elements)
    for tag, attributes in elements:
        assert "style" not in attributes, tag
        assert not any(name.startswith("on") for name in attributes), tag


def test_the_persons_own_words_are_escaped() -> None:
    result = assess_case(text="my <b>left</b> eye twitches & maybe my arm is a bit numb?")
    view = report_view(result)
    said = next(item for item in view.used if item.origin == "text")
    tampered = dataclasses.replace(said, detail='"<script>alert(1)</script>"')
    html = render_html(dataclasses.replace(view, used=(tampered,)))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>" not in assessment_html(result)


def test_the_emergency_fragment_is_what_to_do_now(stroke: Assessment) -> None:
    html = assessment_html(stroke)
    elements = parsed(html).elements
    calls = [
        a["href"] for tag, a in elements if tag == "a" and (a.get("href") or "").startswith("tel:")
    ]
    assert calls == [f"tel:{c.number}" for c in report_view(stroke).emergency.calls]  # type: ignore[union-attr]
    text = visible_text(html)
    assert "Call 999" in text and "Note the time" in text and "Face: has it dropped" in text
    assert not re.search(r"\d\s*%", text)
    for distraction in ("Likely causes", "Treatments", "Self-care", "What we used"):
        assert distraction not in text
    # the call links come before anything else the person reads below the level
    assert html.index("tel:") < html.index("Check for these signs") < html.index("Sources")


def test_open_questions_are_forms_with_an_answer_per_button(open_flags: Assessment) -> None:
    elements = parsed(assessment_html(open_flags)).elements
    forms = [a["data-finding"] for tag, a in elements if tag == "form" and "data-finding" in a]
    assert forms == list(open_flags.triage.pending)
    answers = [a["data-answer"] for tag, a in elements if tag == "button" and "data-answer" in a]
    assert answers == ["true", "false", "null"] * len(forms)
    text = visible_text(assessment_html(open_flags))
    assert "Is one side of your face weak or drooping now?" in text
    assert "facial_weakness" not in text


def test_a_complete_result_asks_nothing(harmless: Assessment) -> None:
    html = assessment_html(harmless)
    assert "pending-question" not in html and "data-answer" not in html


def test_the_full_result_reads_in_order(hemifacial: Assessment) -> None:
    text = visible_text(assessment_html(hemifacial))
    order = ["See a doctor", "What to do next", "Safety questions not yet answered",
             "Likely causes", "Treatments a doctor may discuss", "Self-care", "What we used",
             "Sources", "not a diagnosis"]  # fmt: skip
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert "you were not sure" in text


def test_every_citation_links_to_its_listed_source(hemifacial: Assessment) -> None:
    elements = parsed(assessment_html(hemifacial)).elements
    links = {
        a["href"] for tag, a in elements if tag == "a" and (a.get("href") or "").startswith("#")
    }
    targets = {"#" + (a.get("id") or "") for tag, a in elements if tag == "li"}
    assert links and links <= targets


def test_probabilities_come_from_the_view(hemifacial: Assessment) -> None:
    view = report_view(hemifacial)
    html = assessment_html(hemifacial)
    shown = re.findall(r'<span class="probability">([^<]+)</span>', html)
    assert [unescape(p) for p in shown] == [cause.percent for cause in view.causes]
