"""Sharing in Chromium: "Save a PDF for my doctor" on the interview's result and "Export for my
clinic's system (FHIR)" on the diary page download real files, on a phone and a desktop.

The browser server's diary is shared by every browser test: the diary test adds its own
injection (a product and a dose no other test uses) and looks for that one in the export.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.answers import SAFE

from .audit import fits_the_width, violations
from .conftest import PHONE, watched_page

DESKTOP = {"width": 1280, "height": 800}
HEMIFACIAL = {
    "age": 61, "side": "one", "regions": ["eyelid", "mouth"], "duration_days": 700,
    "spread_to_lower_face": True, **SAFE,
}  # fmt: skip
SEED = """([answers]) => {
  sessionStorage.setItem('facespasm.answers', JSON.stringify(answers));
  sessionStorage.setItem('facespasm.description', JSON.stringify({skipped: true}));
}"""


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def sized_page(browser, server, request) -> Iterator[Page]:
    """A fresh watched page (conftest's `watched_page`) at a phone's or a desktop's width."""
    with watched_page(
        browser, server.url, viewport=request.param, accept_downloads=True
    ) as watched:
        yield watched


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def with_answers(page: Page, path: str) -> None:
    """Open `path` with this tab's interview already answered (the hemifacial case)."""
    page.goto(path)
    page.evaluate(SEED, [list(map(list, HEMIFACIAL.items()))])
    page.reload()


def downloaded(page: Page, button_name: str) -> tuple[str, bytes]:
    """Click the button and return the file it downloads: its suggested name and its bytes."""
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=button_name).click()
    download = info.value
    path = download.path()
    assert path is not None, download.failure()
    return download.suggested_filename, Path(path).read_bytes()


def test_the_results_pdf_button_downloads_a_pdf(sized_page: Page, screenshot) -> None:
    page = sized_page
    with_answers(page, "/interview")
    finish = page.get_by_role("button", name="Finish now and see the result")
    if not page.locator("#result-view").is_visible():
        finish.click()
    expect(page.locator("#result-view")).to_be_visible()
    expect(page.get_by_role("button", name="Export for my clinic's system (FHIR)")).to_be_visible()
    page.get_by_label("Your name on the report (optional)").fill("Orla Test")

    name, content = downloaded(page, "Save a PDF for my doctor")
    assert content.startswith(b"%PDF")
    assert "Orla Test" in pdf_text(content)  # the name typed, on the report
    assert name.startswith("facespasm-report-") and name.endswith(".pdf")
    status = page.locator("#result-share [role=status]")
    expect(status).to_contain_text(name)
    width = page.viewport_size["width"] if page.viewport_size else 0
    screenshot(page, f"share-result-{width}")
    assert violations(page) == []
    assert fits_the_width(page)


def test_the_diarys_fhir_button_downloads_the_diary(sized_page: Page, server, screenshot) -> None:
    page = sized_page
    width = page.viewport_size["width"] if page.viewport_size else 0
    # Its own injection: a date, a dose and a product that no other browser test sends.
    day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=41 if width == 375 else 43)
    injection = {
        "date": day.isoformat(),
        "kind": "botulinum_toxin",
        "side": "right",
        "dose_units": 17 if width == 375 else 19,
        "units_right": 17 if width == 375 else 19,
        "name": "abobotulinumtoxinA",
    }
    added = page.request.post(server.url + "/api/v1/diary/treatments", data=injection)
    assert added.status == 201, added.text()
    with_answers(page, "/diary")
    section = page.locator("section.share")
    expect(section.get_by_role("heading", name="Share with your doctor")).to_be_visible()

    name, content = downloaded(page, "Export for my clinic's system (FHIR)")
    assert name.endswith(".fhir.json")
    bundle = json.loads(content)
    assert bundle["resourceType"] == "Bundle"
    assert "abobotulinumtoxinA" in content.decode()
    expect(section.locator("[role=status]")).to_contain_text(name)
    screenshot(page, f"share-diary-{width}")
    assert violations(page) == []
    assert fits_the_width(page)
