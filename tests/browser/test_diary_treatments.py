"""Treatments & cycles in Chromium: add, edit and delete treatments, one-tap dates, the cycles.

The browser server's diary is shared by every browser test: these tests use dates no other test
uses (2021 for the treatments added by hand, 2023 for the year of cycles) and assert on those.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from playwright.sync_api import Page, expect

from .audit import fits_the_width, violations
from .conftest import PHONE

DESKTOP = {"width": 1280, "height": 800}
CSV_HEADER = (
    "date,episodes,sleep_hours,caffeine_drinks,alcohol_drinks,stress_0_10,screen_hours,nicotine"
)
INJECTIONS = [dt.date(2023, 3, 1) + dt.timedelta(weeks=12 * k) for k in range(3)]


def entry(page: Page, text: str):
    """The listed treatment that shows `text`."""
    return page.locator("#treatments .entry", has_text=text)


@pytest.fixture(scope="module")
def year_of_cycles(browser, server) -> None:
    """A 2023 diary: 8 twitches a day untreated, 1.5 from day 5 to 70 after each of three
    injections 12 weeks apart -- imported through the API, as a person's export would be."""
    chance = random.Random(11)
    rows = [CSV_HEADER]
    day = dt.date(2023, 1, 2)
    while day <= dt.date(2023, 11, 30):
        relieved = any(5 <= (day - injection).days < 70 for injection in INJECTIONS)
        rate = 1.5 if relieved else 8.0
        rows.append(f"{day},{sum(chance.random() < rate / 40 for _ in range(40))},,,,,,")
        day += dt.timedelta(days=1)
    context = browser.new_context(base_url=server.url)
    api = context.request
    imported = api.post(
        "/api/v1/diary/import",
        multipart={
            "file": {
                "name": "year.csv",
                "mimeType": "text/csv",
                "buffer": ("\n".join(rows) + "\n").encode(),
            }
        },
    )
    assert imported.status == 200, imported.text()
    for injection in INJECTIONS:
        added = api.post(
            "/api/v1/diary/treatments",
            data={"kind": "botulinum_toxin", "date": str(injection), "name": "Cycle test toxin",
                  "units_left": 20, "units_right": 20, "dose_units": 40},
        )  # fmt: skip
        assert added.status == 201, added.text()
    context.close()


def test_a_toxin_injection_is_added_edited_and_deleted_with_confirmation(page, screenshot):
    page.goto("/diary/treatments")
    page.get_by_label("Treatment", exact=True).select_option("botulinum_toxin")
    page.get_by_label("Date", exact=True).fill("2021-06-15")
    page.get_by_label("Product").fill("Added by hand toxin")
    page.get_by_label("Units, left side").fill("12.5")
    page.get_by_label("Units, right side").fill("10")
    expect(page.get_by_label("Total units (empty: left + right)")).to_have_value("22.5")
    page.get_by_role("button", name="Add the treatment").click()
    expect(page.locator("#t-status")).to_have_text("Added.")
    added = entry(page, "Added by hand toxin")
    expect(added).to_contain_text("15 Jun 2021")
    expect(added).to_contain_text("total 22.5 U; left 12.5 U, right 10 U")

    added.get_by_role("button", name="Edit").click()
    expect(page.get_by_label("Units, right side")).to_have_value("10")
    page.get_by_label("Units, right side").fill("15")
    page.get_by_role("button", name="Save the change").click()
    expect(page.locator("#t-status")).to_have_text("Changed.")
    expect(entry(page, "Added by hand toxin")).to_contain_text(
        "total 27.5 U; left 12.5 U, right 15 U"
    )
    screenshot(page, "diary-treatments-edited")

    # Delete asks first; Cancel (the focused, safe choice) keeps it.
    entry(page, "Added by hand toxin").get_by_role("button", name="Delete").click()
    dialog = page.locator("dialog#confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("15 Jun 2021")
    expect(page.locator("#confirm-no")).to_be_focused()
    assert violations(page) == []
    page.keyboard.press("Enter")  # Cancel, by keyboard
    expect(dialog).to_be_hidden()
    expect(entry(page, "Added by hand toxin")).to_have_count(1)

    entry(page, "Added by hand toxin").get_by_role("button", name="Delete").click()
    page.locator("#confirm-yes").click()
    expect(page.locator("#t-status")).to_have_text("Deleted.")
    expect(entry(page, "Added by hand toxin")).to_have_count(0)


def test_a_medicine_is_added_with_its_start_and_stop(page):
    page.goto("/diary/treatments")
    page.get_by_label("Treatment", exact=True).select_option("medication")
    expect(page.get_by_label("Units, left side")).to_be_hidden()
    page.get_by_label("Started").fill("2021-01-05")
    page.get_by_label("Stopped (last day; empty if still taken)").fill("2021-03-31")
    page.get_by_label("Medicine", exact=True).fill("Hand-added tablet")
    page.get_by_label("Dose a day (mg)").fill("2")
    page.get_by_role("button", name="Add the treatment").click()
    expect(page.locator("#t-status")).to_have_text("Added.")
    medicine = entry(page, "Hand-added tablet")
    expect(medicine).to_contain_text("Medicine")
    expect(medicine).to_contain_text("from 5 Jan 2021, until 31 Mar 2021")
    expect(medicine).to_contain_text("2 a day")


def test_three_injections_twelve_weeks_apart_each_worked_and_next_due_shows_once(
    page, year_of_cycles, screenshot
):
    page.goto("/diary/treatments")
    cycles = page.locator("#cycles .cycle")
    for injection in INJECTIONS:
        card = page.locator(f"#cycles .cycle[data-injection='{injection}']")
        expect(card.locator(".worked")).to_contain_text("Yes, it worked")
        expect(card.locator(".onset")).not_to_have_text("—")
    # "Next injection due" on the latest injection only, whoever else's it is.
    expect(page.locator("#cycles .next-due")).to_have_count(1)
    expect(cycles.last.locator(".next-due")).to_have_count(1)
    expect(page.locator("#cycles")).to_contain_text("90% range")
    expect(page.locator("#cycles .method")).to_contain_text("Toxins 2021")
    screenshot(page, "diary-cycles")


def test_one_tap_records_that_the_latest_injection_started_working(page, year_of_cycles):
    page.goto("/diary/treatments")
    page.locator("#tap-other-day summary").click()
    page.get_by_label("The day you noticed it").fill("2023-05-30")
    page.get_by_role("button", name="It started working on 2023-05-30").click()
    expect(page.locator("#tap-status")).to_contain_text(
        "the injection of 2023-05-24 started working"
    )
    card = page.locator("#cycles .cycle[data-injection='2023-05-24']")
    expect(card.locator(".reported")).to_have_text("started working 30 May 2023")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_page_passes_the_audit_and_fits_the_screen(browser, server, year_of_cycles, size):
    context = browser.new_context(base_url=server.url, viewport=size)
    page = context.new_page()
    page.goto("/diary/treatments")
    page.locator("#cycles details").first.evaluate("node => { node.open = true; }")
    page.locator("#tap-other-day").evaluate("node => { node.open = true; }")
    page.get_by_role("button", name="Add a site").click()
    assert violations(page) == []
    assert fits_the_width(page)
    context.close()
