"""Measurements & assessments in Chromium: a clip saved from the video page and an assessment
kept from the interview are listed, opened, compared and deleted with confirmation.

The browser server's diary is shared by every browser test: these tests find their own entries
by the ids the pages report and assert on those.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.answers import EYELID

from .audit import fits_the_width, violations
from .conftest import PHONE

DESKTOP = {"width": 1280, "height": 800}
SPREAD = {**EYELID, "regions": ["eyelid", "mouth"], "spread_to_lower_face": True}


@pytest.fixture(scope="module")
def clip(shared: Path) -> Path:
    """A real 2.4 s clip of one face with one blink."""
    return shared / "media" / "single_face.mp4"


def confirm_dialog_cancel_then_delete(page: Page, row, what: str) -> None:
    """Delete `row` through the confirmation: Cancel keeps it, Delete removes it."""
    row.get_by_role("button", name="Delete").click()
    dialog = page.locator("dialog#confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(what)
    expect(page.locator("#confirm-no")).to_be_focused()
    page.keyboard.press("Escape")  # the keyboard's way out keeps it too
    expect(dialog).to_be_hidden()
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Delete").click()
    page.locator("#confirm-no").click()
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Delete").click()
    page.locator("#confirm-yes").click()
    expect(page.locator("#kept-status")).to_have_text("Deleted.")
    expect(row).to_have_count(0)


def test_a_measurement_saved_from_the_video_page_is_listed_and_deleted(page, clip, screenshot):
    page.goto("/video")
    page.get_by_label("Video file").set_input_files(str(clip))
    page.get_by_role("button", name="Analyse this video").click()
    expect(page.locator("#results")).to_be_visible(timeout=60_000)
    assert page.locator("#save-status").inner_text() == ""  # nothing kept unless asked
    page.get_by_role("button", name="Save to my diary").click()
    expect(page.locator("#save-status")).to_contain_text("Saved to your diary", timeout=60_000)
    saved = page.locator("#save-status").get_attribute("data-saved-id")
    assert saved and saved.isdigit()

    page.get_by_role("link", name="See your measurements").click()
    row = page.locator(f".measurements-table tr[data-id='{saved}']")
    expect(row).to_have_count(1)
    cells = row.locator("td")
    expect(cells.nth(0)).to_contain_text("of face")
    for column in range(1, 5):  # spasms left, right, eyes closed, blinks: a number or "—"
        assert cells.nth(column).inner_text().strip() != ""
    screenshot(page, "diary-kept-measurement")
    assert violations(page) == []
    assert fits_the_width(page)
    confirm_dialog_cancel_then_delete(page, row, "the measurement of")


def keep_through_the_api(page: Page, answers: dict) -> int:
    kept = page.request.post(
        "/api/v1/diary/assessments", data={"answers": answers, "timezone": "UTC"}
    )
    assert kept.status == 201, kept.text()
    return int(kept.json()["id"])


def test_an_assessment_kept_from_the_interview_is_compared_with_an_earlier_one(page, screenshot):
    earlier = keep_through_the_api(page, EYELID)

    # The interview, under way with the later answers: the eyelid twitch spread to the mouth.
    page.goto("/interview")
    pairs = [[finding, value] for finding, value in SPREAD.items()]
    page.evaluate(
        "([answers]) => { sessionStorage.setItem('facespasm.answers', answers);"
        " sessionStorage.setItem('facespasm.description', '{\"skipped\": true}'); }",
        [json.dumps(pairs)],
    )
    page.reload()
    finish = page.get_by_role("button", name="Finish now and see the result")
    result = page.locator("#result-view")
    expect(finish.or_(result.locator(".report"))).to_be_visible()
    if not result.is_visible():
        finish.click()
    expect(result.locator(".report")).to_be_visible()
    assert page.locator("#keep-status").inner_text() == ""  # nothing kept unless asked
    page.get_by_role("button", name="Keep this assessment").click()
    expect(page.locator("#keep-status")).to_contain_text("Kept in your diary")
    expect(page.get_by_role("button", name="Keep this assessment")).to_be_disabled()
    page.get_by_role("link", name="See your kept assessments").click()

    newest = page.locator(".assessments-list .entry").first
    later = newest.get_attribute("data-id")
    assert later and int(later) > earlier
    newest.get_by_role("button", name="Open").click()
    opened = page.locator("#opened")
    expect(page.locator("#opened-title")).to_be_focused()
    expect(opened.locator(".sources li").first).to_be_visible()
    opened.get_by_label("Earlier assessment").select_option(str(earlier))
    opened.get_by_role("button", name="Compare").click()
    changes = opened.locator(".changes")
    expect(changes).to_contain_text("Since")
    expect(changes).to_contain_text("mouth")
    screenshot(page, "diary-kept-compared")
    assert violations(page) == []

    row = page.locator(f".assessments-list .entry[data-id='{earlier}']")
    confirm_dialog_cancel_then_delete(page, row, "the assessment of")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_page_passes_the_audit_and_fits_the_screen(browser, server, size):
    context = browser.new_context(base_url=server.url, viewport=size)
    page = context.new_page()
    first = keep_through_the_api(page, EYELID)
    keep_through_the_api(page, SPREAD)
    page.goto("/diary/kept")
    page.locator(".assessments-list .entry").first.get_by_role("button", name="Open").click()
    page.locator("#opened").get_by_label("Earlier assessment").select_option(str(first))
    page.locator("#opened").get_by_role("button", name="Compare").click()
    expect(page.locator("#opened .changes")).to_be_visible()
    assert violations(page) == []
    assert fits_the_width(page)
    context.close()
