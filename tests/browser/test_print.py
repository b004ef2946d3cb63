"""The result page printed (style.css, "print"): no navigation or buttons, the date the result
was made, every closed "Why" open, and an emergency on one A4 page."""

from __future__ import annotations

import io

import pypdf
from playwright.sync_api import Page, expect

from .interview_steps import skip_description


def test_a_printed_result_is_dated_complete_and_without_the_page_around_it(page: Page) -> None:
    page.goto("/interview")
    skip_description(page)
    page.locator("#answer-controls").get_by_role("button", name="Yes", exact=True).click()
    expect(page.locator("#result-view")).to_be_visible()
    made = page.locator("#result .made-at")
    expect(made).to_contain_text("Result of")
    why = page.locator("#result details.why-emergency")
    sources = why.locator(".sources li").first
    expect(sources).to_be_hidden()  # on screen the reasons and sources wait behind "Why"

    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.get_by_role("button", name="Start again")).to_be_hidden()
    expect(made).to_be_visible()
    expect(sources).to_be_visible()  # printed open: paper cannot be clicked
    expect(page.locator("#result a[href='tel:999']")).to_be_visible()

    pdf = page.pdf(format="A4", print_background=True)
    printed = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(printed.pages) == 1  # what to do now, why, and the sources, on one page
    text = " ".join(printed.pages[0].extract_text().split())
    assert "Result of" in text and "Call 999" in text and "Interview Video Diary" not in text
