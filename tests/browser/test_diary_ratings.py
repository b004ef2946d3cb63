"""The ratings page in Chromium: answer the JRS and the impact rating, see the score and trend.

The browser server's diary is shared by every browser test: these tests use 2022, a year no
other test uses (within the five years the history chart's "All" range shows by weeks, and
before the 2023 injections of the cycles tests), and assert on their own entries.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .audit import fits_the_width, violations
from .conftest import PHONE

DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def injected_2022(browser, server) -> None:
    """An injection on 1 March 2022 and a JRS of 6 two days before it, through the API."""
    context = browser.new_context(base_url=server.url)
    api = context.request
    added = api.post("/api/v1/diary/treatments",
                     data={"date": "2022-03-01", "kind": "botulinum_toxin", "side": "left"})  # fmt: skip
    assert added.status == 201, added.text()
    rated = api.post("/api/v1/diary/ratings", data={
        "scale": "jrs", "date": "2022-02-27", "answers": {"severity": 3, "frequency": 3},
    })  # fmt: skip
    assert rated.status == 201, rated.text()
    context.close()


def answer(page: Page, form: str, item: str, value: str) -> None:
    page.locator(f"#{form}-form input[name='{item}'][value='{value}']").check()


def test_a_jrs_is_answered_on_a_phone_and_its_change_since_the_injection_shown(
    page: Page, injected_2022
) -> None:
    page.goto("/diary/ratings")
    jrs = page.locator("#jrs-form")
    expect(
        jrs.get_by_text("Moderate, very noticeable spasm of eyelids only, mildly incapacitating")
    )
    answer(page, "jrs", "severity", "1")
    answer(page, "jrs", "frequency", "1")
    page.fill("#jrs-date", "2022-03-15")
    jrs.get_by_role("button", name="Save the JRS").click()
    saved = page.locator("#saved")
    expect(saved).to_contain_text("Saved: JRS 2 of 8")
    expect(saved).to_contain_text(
        "4 points lower than before the injection of 1 March 2022: better, a clinically "
        "important change (2 points or more)"
    )
    mine = page.locator("#jrs-list .entry", has_text="15 March 2022")
    expect(mine).to_contain_text("2 of 8")
    expect(mine.locator(".mark-better")).to_have_text("better")
    expect(page.locator("svg.rating-chart line.injection").first).to_be_attached()
    expect(page.locator("svg.rating-chart line.threshold").first).to_be_attached()
    assert fits_the_width(page)
    assert violations(page) == []


def test_each_scale_fits_one_phone_screen_and_the_jrs_needs_both_items(page: Page) -> None:
    page.goto("/diary/ratings")
    for form in ("#jrs-form", "#impact-form"):
        box = page.locator(form).bounding_box()
        assert box is not None and box["height"] <= PHONE["height"], form
    answer(page, "jrs", "severity", "2")
    page.locator("#jrs-form").get_by_role("button", name="Save the JRS").click()
    # The browser keeps the form until frequency is answered: nothing was sent.
    expect(page.locator("#saved")).to_have_count(0)


def test_the_impact_rating_is_labelled_and_answered_at_desktop_width(
    browser, server, injected_2022
) -> None:
    context = browser.new_context(base_url=server.url, viewport=DESKTOP)
    page = context.new_page()
    page.goto("/diary/ratings")
    expect(page.locator("#impact-title")).to_contain_text("facespasm's own, not a validated scale")
    answer(page, "impact", "driving", "")
    answer(page, "impact", "reading", "2")
    answer(page, "impact", "screens", "1")
    page.fill("#impact-date", "2022-03-16")
    page.locator("#impact-form").get_by_role("button", name="Save the Impact").click()
    expect(page.locator("#saved")).to_contain_text("Saved: Impact 1.5 of 4")
    expect(page.locator("#saved")).to_contain_text("facespasm's own, not a validated scale")
    expect(page.locator("#impact-list .entry", has_text="16 March 2022")).to_contain_text(
        "1.5 of 4"
    )
    assert fits_the_width(page)
    assert violations(page) == []
    context.close()


def test_the_reminder_is_chosen_and_announced_on_every_diary_page(
    page: Page, injected_2022
) -> None:
    page.goto("/diary/ratings")
    page.select_option("#rating-every", "5")
    page.locator("#reminder-form").get_by_role("button", name="Save").click()
    expect(page.locator("#reminder-status")).to_have_text("Saved: a rating every 5 days.")
    for path in ("/diary", "/diary/ratings"):
        page.goto(path)
        notice = page.locator("#rating-due")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("A rating is due (last one")
        expect(notice.get_by_role("link", name="rate now")).to_have_attribute(
            "href", "/diary/ratings"
        )
    page.goto("/diary/ratings")
    expect(page.locator("#rating-every")).to_have_value("5")
    assert violations(page) == []
