"""The case report as one HTML document (`--html`, and what the PDF lays out): whole, self-contained,
escaped, and an emergency first of all what to do now."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from facespasm.knowledge import KnowledgeBase
from facespasm.report.document import render_document
from facespasm.report.figures import diary_figure
from facespasm.sharing import make_report
from tests.report import report_cases
from tests.report.cases import NOW
from tests.report.report_cases import HEMIFACIAL, MADE

Element = tuple[str, dict[str, str | None]]


class _Document(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self.text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.text.append(data)


def parsed(html: str) -> _Document:
    document = _Document()
    document.feed(html)
    return document


def visible(html: str) -> str:
    """The document's text (not its stylesheet), white space folded."""
    return " ".join(" ".join(parsed(html).text).split())


def test_the_persons_name_is_escaped() -> None:
    typed = '<script>alert("x")</script><img src="http://example.org/x.png">'
    html = render_document(make_report(HEMIFACIAL, name=typed, now=NOW))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert typed in visible(html)  # shown as typed, as text


def test_a_whole_page_that_loads_nothing_from_elsewhere(tmp_path: Path) -> None:
    html = render_document(report_cases.full(tmp_path))
    assert html.startswith("<!doctype html>")
    elements = parsed(html).elements
    tags = {tag for tag, _ in elements}
    assert {"html", "head", "title", "style", "body", "svg"} <= tags
    assert not tags & {"script", "link", "img", "iframe", "object", "embed"}
    for tag, attributes in elements:
        assert "src" not in attributes, tag
        assert not any(name.startswith("on") for name in attributes), tag
        href = attributes.get("href") or ""
        # Links are for the reader (a source, a phone number); nothing is fetched through them.
        assert tag == "a" or not href, tag
    stylesheet = html[html.index("<style>") : html.index("</style>")]
    assert "@import" not in stylesheet
    assert re.findall(r"url\(", stylesheet) == []
    assert "size: A4" in stylesheet


def test_the_document_says_who_when_and_what(tmp_path: Path) -> None:
    report = report_cases.full(tmp_path)
    text = visible(render_document(report))
    assert f"Ann Smith · Made {MADE}" in text
    assert f"Care level: {report.assessment.care.label}" in text
    for cause in report.assessment.causes[:4]:
        assert f"{cause.name} {cause.percent}" in text
    assert report.video is not None and report.video.blink.text in text
    assert "Injection Product Left U Right U Total U 2026-09-30 Botox 25 — 25" in text
    for code in report.codes:
        assert f"{code.system_name} {code.code} {code.display}" in text
    assert report.disclaimer in text
    # Every source once, numbered as cited.
    numbers = re.findall(r'<li id="source-(\d+)" value="\1">', render_document(report))
    assert [int(n) for n in numbers] == [s.number for s in report.sources]


def test_an_ordinary_case_without_video_or_diary_says_so(knowledge: KnowledgeBase) -> None:
    text = visible(render_document(report_cases.ordinary(knowledge)))
    assert "No video and no diary were part of this report" in text
    assert "Every red flag was answered." in text
    assert "Not answered:" not in text


def test_an_emergency_document_leads_with_what_to_do_now() -> None:
    report = report_cases.emergency()
    html = render_document(report)
    text = visible(html)
    body = text[text.index("Information, not a diagnosis") :]
    first = body.index("Emergency: call now")
    assert first < body.index("Call 999") < body.index("What to do now") < body.index("Red flags")
    assert 'href="tel:999"' in html
    assert "Likely causes" not in text and "%" not in text
    assert "Codes:" not in text  # the causes' codes would name a cause: the FHIR export has them


def test_the_diary_chart_shows_an_unrecorded_day_as_a_gap_not_a_zero(tmp_path: Path) -> None:
    report = report_cases.full(tmp_path)
    diary = report.diary
    assert diary is not None
    svg = str(diary_figure(diary))
    bars, gaps = (
        re.findall(r'<path d="([^"]*)" fill="#0b5cad"/>', svg),
        re.findall(r'<path d="([^"]*)" stroke="#b8bfc7"', svg),
    )
    with_episodes = [d for d in diary.days if d.episodes]
    unrecorded = [d for d in diary.days if d.episodes is None]
    assert unrecorded  # every eleventh day of report_cases.sample_diary
    assert bars[0].count("z") == len(with_episodes)
    assert gaps[0].count("M") == len(unrecorded)
    # One marker per injection in the window, and the JRS points labelled with their scores.
    assert svg.count('fill="#6a3fa0"/>') == len(diary.injections) == 1
    jrs = next(series for series in diary.ratings if series.scale == "jrs")
    for point in jrs.points:
        assert f'fill="#a34700">{point.score:g}</text>' in svg
