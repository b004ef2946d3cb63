"""The doctor's PDF, read back as text with pypdf: page 1 is the one-minute summary, two pages at
most, the sources after page 1, an emergency first of all what to do now, nothing fetched."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from facespasm.knowledge import KnowledgeBase
from facespasm.report.case_report import CaseReport
from facespasm.report.pdf import render_pdf, url_fetcher
from tests.report import report_cases
from tests.report.report_cases import MADE


def pages(pdf: bytes) -> list[str]:
    """Each page's text, as pypdf extracts it."""
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def page_picture(pdf: bytes, number: int = 0) -> list[str]:
    """One page's text laid out as it is printed, top to bottom, runs of spaces shortened."""
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[number]
    lines = page.extract_text(extraction_mode="layout").splitlines()
    return [re.sub(r" {3,}", "   ", line).rstrip() for line in lines if line.strip("• ")]


def flat(text: str) -> str:
    """The text with every run of white space (line breaks included) as one space."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def reports(
    knowledge: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, CaseReport]:
    """The cases, each made once for the module."""
    folder = tmp_path_factory.mktemp
    return {
        "ordinary": report_cases.ordinary(knowledge),
        "emergency": report_cases.emergency(),
        "full": report_cases.full(folder("full")),
        "full_emergency": report_cases.full(folder("emergency"), emergency=True),
        "crowded": report_cases.crowded(folder("crowded")),
    }


@pytest.fixture(scope="module")
def pdfs(reports: dict[str, CaseReport]) -> dict[str, bytes]:
    """Each case's PDF, rendered once for the module."""
    return {name: render_pdf(report) for name, report in reports.items()}


@pytest.mark.parametrize(
    "case",
    [
        "ordinary",  # a harmless twitch, every red flag answered
        "emergency",  # stroke signs: what to do now
        "full",  # hemifacial spasm with a video and three months of diary
        "full_emergency",  # the same with stroke signs
        "crowded",  # five causes explained, 47 sources: set denser to fit
    ],
)
def test_a_pdf_with_the_summary_on_page_1_and_the_sources_on_page_2(
    case: str, pdfs: dict[str, bytes], reports: dict[str, CaseReport]
) -> None:
    pdf = pdfs[case]
    assert pdf.startswith(b"%PDF-")
    text = pages(pdf)
    assert 1 <= len(text) <= 2, f"{case}: {len(text)} pages"
    first = flat(text[0])
    assert f"Made {MADE}" in first
    assert reports[case].disclaimer in first
    assert "Red flags" in first
    # Every source is listed after the summary, numbered as the statements cite it.
    assert "Sources" not in first
    rest = flat(" ".join(text[1:]))
    assert "Sources" in rest
    for source in reports[case].sources:
        assert f"{source.number}. {flat(source.citation)[:40]}" in rest


def test_page_1_of_a_full_case_holds_what_a_neurologist_reads_first(
    pdfs: dict[str, bytes], reports: dict[str, CaseReport]
) -> None:
    report = reports["full"]
    first = flat(pages(pdfs["full"])[0])
    assert "Ann Smith" in first
    assert f"Care level: {report.assessment.care.label}" in first
    top = report.assessment.causes[0]
    assert f"{flat(top.name)} {top.percent}" in first  # the most likely cause with its percent
    assert all(cause.percent in first for cause in report.assessment.causes[:4])
    # The red flags answered and not answered, each with its answer.
    answered = [f for f in report.red_flags if f.answered]
    assert answered and f"Answered: {answered[0].label}: {answered[0].status_text}" in first
    assert "Not answered:" in first
    assert all(flat(flag.label) in first for flag in report.red_flags)
    # The key history.
    assert "Key history" in first and "carries on during sleep" in first
    # The video: the blink rate against the 27-a-minute line, events a minute by side.
    assert report.video is not None
    assert flat(report.video.blink.text) in first
    assert "27/min" in first and "Spasms 9.0 0.0" in first
    # The diary: its window, the injection as a clinic records it, the cycle, the JRS trend.
    assert report.diary is not None
    assert "Diary 2026-09-02 to 2026-11-30" in first
    assert "2026-09-30 Botox 25 — 25" in first
    assert "next due" in first
    assert "Jankovic Rating Scale: 2026-09-28 6 → 2026-10-20 3 (better)" in first
    assert "a change of 2 points or more is clinically important" in first
    # The codes, side-specific where the side is known.
    assert "ICD-10-CM G51.32 Hemifacial spasm, left side" in first
    assert "HPO HP:0010828" in first


def test_an_emergency_leads_with_what_to_do_now(
    pdfs: dict[str, bytes], reports: dict[str, CaseReport]
) -> None:
    for case in ("emergency", "full_emergency"):
        picture = page_picture(pdfs[case])
        first = flat(" ".join(picture))  # top to bottom, as printed
        emergency = reports[case].assessment.emergency
        assert emergency is not None
        assert picture[0].startswith("Facial twitching: a summary for the doctor")
        lead = first.index("Emergency: call now")
        assert lead < first.index("Call 999") < first.index("What to do now")
        assert first.index("What to do now") < first.index("Red flags")
        assert first.index("What to do now") < first.index("Key history")
        text = flat(pages(pdfs[case])[0])
        assert all(flat(sign) in text for sign in emergency.signs)
        # Nothing that could reassure or distract: no causes, no probabilities, no codes.
        assert "Likely causes" not in text and "Codes:" not in text
    assert "%" not in flat(" ".join(pages(pdfs["emergency"])))


# The date is the model's `now` (report_cases.NOW), so page 1 reads the same on every run.
@pytest.mark.parametrize("case", ["full", "emergency"])
def test_page_1_is_as_reviewed(
    case: str, pdfs: dict[str, bytes], reports: dict[str, CaseReport], golden
) -> None:
    text = "\n".join(page_picture(pdfs[case])) + "\n"
    # The knowledge base's version changes with every edit of it; the page's words need not.
    text = text.replace(reports[case].knowledge_version, "<knowledge version>")
    golden(f"report_pdf_{case}_page1.txt", text)


def test_the_same_report_gives_the_same_bytes(
    pdfs: dict[str, bytes], reports: dict[str, CaseReport]
) -> None:
    # No creation time or random id in the file: a report can be compared and cached.
    assert render_pdf(reports["emergency"]) == pdfs["emergency"]


def test_the_pdf_is_tagged_for_screen_readers(pdfs: dict[str, bytes]) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdfs["full"]))
    catalog = reader.root_object
    assert "/StructTreeRoot" in catalog and str(catalog["/Lang"]) == "en"
    assert reader.metadata is not None
    assert (
        reader.metadata.title
        == "Facial twitching: a summary for the doctor: Ann Smith (2026-11-30)"
    )


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",  # a file on this computer
        "http://example.org/pixel.png",  # the network
        "https://example.org/font.woff2",
        "ftp://example.org/x",
    ],
)
def test_nothing_is_fetched_but_inline_data(url: str) -> None:
    fetch = url_fetcher()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetch(url)
    assert fetch("data:text/plain;base64,aGk=").read() == b"hi"
