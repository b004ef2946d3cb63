"""The diary's main page in Chromium: log, list, edit, delete, days, CSV, the history chart.

The server's diary is shared by every browser test, so each test here writes entries on its own
dates in 2024 (apart from the first, which logs today's episodes) and asserts on those.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, Route, ViewportSize, expect

from .audit import fits_the_width, violations
from .conftest import PHONE

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
WIDTHS = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])


def test_logged_episodes_appear_in_the_chart(page, server, screenshot):
    page.goto("/diary")
    expect(page.locator("#triggers")).not_to_contain_text("Loading")

    # Two taps and Save, twice.
    for side, region in (("Left", "Eyelid"), ("Right", "Cheek")):
        page.get_by_role("button", name=side, exact=True).click()
        page.get_by_role("button", name=region, exact=True).click()
        expect(page.get_by_role("button", name=side, exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("#episode-status")).to_contain_text("Saved")

    page.get_by_label("Sleep last night (hours)").fill("5.5")
    page.get_by_label("Caffeinated drinks").fill("4")
    page.get_by_label("Stress (0–10)").fill("7")
    page.get_by_role("button", name="Save the day").click()
    expect(page.locator("#day-status")).to_contain_text("Saved")

    expect(page.locator("#history")).to_contain_text("2 episodes in the last 30 days")
    expect(page.locator("#history svg rect.bar-rect")).to_have_count(1)
    expect(page.locator("#triggers")).to_contain_text("Days used")
    # The cycles moved to their own page; this one links there.
    expect(page.get_by_role("link", name="Treatments & cycles").first).to_be_visible()
    screenshot(page, "diary")


def _find(page: Page, listing: str, text: str) -> Locator:
    """The entry of a paged list (`episodes` or `days`) that contains `text`, paging back.

    The lists are fetched again after each change, so it waits for the entry a while, and
    pages back when the newest page does not show it.
    """
    entry = page.locator(f"#{listing}-list li.entry", has_text=text)
    older = page.locator(f"#{listing}-older")
    for _ in range(40):
        page.wait_for_timeout(150)
        if entry.count():
            return entry
        if older.is_visible():
            older.click()
    raise AssertionError(f"no entry with {text!r} in the {listing} list")


def _open(page: Page, size: ViewportSize) -> None:
    page.set_viewport_size(size)
    page.goto("/diary")
    expect(page.locator("#triggers")).not_to_contain_text("Loading")
    expect(page.locator("#episodes-list")).not_to_contain_text("Loading")


@WIDTHS
def test_an_episode_is_logged_edited_and_deleted_with_confirmation(page, size, screenshot):
    _open(page, size)
    note = f"flow episode {size['width']}"
    day = "2024-03-05" if size == PHONE else "2024-03-06"
    page.get_by_role("button", name="Right", exact=True).click()
    page.get_by_role("button", name="Mouth", exact=True).click()
    page.get_by_label("How strong? (optional)").select_option("7")
    page.get_by_label("When? (optional; now if empty)").fill(f"{day}T08:30")
    page.get_by_label("Note (optional)").fill(note)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#episode-status")).to_contain_text("strength 7 of 10")

    entry = _find(page, "episodes", note)
    expect(entry).to_contain_text("Right: mouth")
    expect(entry).to_contain_text("strength 7 of 10")

    # Edit: the strength and a place.
    entry.get_by_role("button", name="Edit episode").click()
    form = page.locator("form.entry-edit")
    form.get_by_label("Strength (0 barely – 10 the worst)").select_option("3")
    form.get_by_label("Cheek").check()
    assert violations(page) == []
    form.get_by_role("button", name="Save changes").click()
    expect(page.locator("#entries-status")).to_contain_text("Episode changed")
    entry = _find(page, "episodes", note)
    expect(entry).to_contain_text("strength 3 of 10")
    expect(entry).to_contain_text("Right: cheek, mouth")

    # Delete asks first; Cancel (and Escape) keep it.
    entry.get_by_role("button", name="Delete episode").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(note)
    expect(page.locator("#confirm-no")).to_be_focused()
    assert violations(page) == []
    screenshot(page, f"diary-confirm-{size['width']}")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(_find(page, "episodes", note)).to_have_count(1)
    _find(page, "episodes", note).get_by_role("button", name="Delete episode").click()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(_find(page, "episodes", note)).to_have_count(1)

    # By keyboard: the focused Cancel, Tab back to Delete, Enter.
    _find(page, "episodes", note).get_by_role("button", name="Delete episode").click()
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#confirm-yes")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#entries-status")).to_contain_text("Episode deleted")
    expect(page.locator("#episodes-list li.entry", has_text=note)).to_have_count(0)
    response = page.request.get("/api/v1/diary/episodes?limit=1000")
    assert note not in response.text()
    assert fits_the_width(page)


@WIDTHS
def test_a_day_is_saved_edited_and_deleted(page, size):
    _open(page, size)
    day = "2024-04-09" if size == PHONE else "2024-04-10"
    page.get_by_label("Date").fill(day)
    page.get_by_label("Sleep last night (hours)").fill("6.5")
    page.get_by_label("Alcoholic drinks").fill("3")
    page.get_by_role("button", name="Save the day").click()
    expect(page.locator("#day-status")).to_contain_text("Saved")
    label = "9 Apr 2024" if size == PHONE else "10 Apr 2024"
    entry = _find(page, "days", label)
    expect(entry).to_contain_text("slept 6.5 h, 3 alcoholic drinks")

    entry.get_by_role("button", name="Edit day").click()
    expect(page.get_by_label("Sleep last night (hours)")).to_have_value("6.5")
    page.get_by_label("Alcoholic drinks").fill("")
    page.get_by_role("button", name="Save the day").click()
    expect(page.locator("#day-status")).to_contain_text("Saved")
    entry = _find(page, "days", label)
    expect(entry).not_to_contain_text("alcoholic")

    entry.get_by_role("button", name="Delete day").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.locator("#entries-status")).to_contain_text("deleted")
    assert page.request.get(f"/api/v1/diary/days/{day}").status == 404


BAD_CSV = (
    "date,episodes,sleep_hours,caffeine_drinks,alcohol_drinks,stress_0_10,screen_hours,nicotine\n"
    "2024-06-03,4,7,1,0,3,2,0\n"
    "2024-06-04,5,7,1,0,11,2,0\n"
)


def _good_week(width: int) -> list[str]:
    # Monday to Sunday of one week (the "all" range bins by weeks from Monday), 5 to 11
    # episodes a day: about the untreated rate of the other tests' diaries, far from their dates.
    monday = 5 if width == PHONE["width"] else 12
    return [f"2024-08-{monday + k:02d},{5 + k},7,2,0,4,3,0" for k in range(7)]


@WIDTHS
def test_csv_import_refuses_a_bad_file_then_imports_and_exports(page, size, tmp_path: Path):
    _open(page, size)
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV)
    page.get_by_label("A CSV file of days").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    problem = page.locator("#import-error")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("row 3")
    expect(problem).to_contain_text("stress_0_10")
    expect(problem).to_contain_text("Nothing was imported")
    assert page.request.get("/api/v1/diary/days/2024-06-03").status == 404
    assert violations(page) == []

    good = tmp_path / "good.csv"
    week = _good_week(size["width"])
    good.write_text(BAD_CSV.splitlines()[0] + "\n" + "\n".join(week) + "\n")
    # The import redraws the 30-day chart; on a slow connection that answer comes after the
    # person has already picked "All", and must not replace the chart they chose.
    held: list[Route] = []
    thirty_days = re.compile(r"/diary/history\?range=30d$")

    def hold_the_first(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(thirty_days, hold_the_first)
    page.get_by_label("A CSV file of days").set_input_files(str(good))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-status")).to_contain_text("Imported 7 days")
    expect(problem).to_be_hidden()

    monday = "2024-08-05" if size == PHONE else "2024-08-12"
    page.get_by_role("link", name="All", exact=True).click()
    expect(page.get_by_role("link", name="All", exact=True)).to_have_attribute(
        "aria-current", "true"
    )
    bar = page.locator(f'#history svg rect.bar-rect[data-date="{monday}"]')
    expect(bar).to_have_count(1)
    assert len(held) == 1
    with page.expect_response(thirty_days):
        held[0].continue_()
    page.wait_for_timeout(300)  # time to draw it, were it drawn
    expect(bar).to_have_count(1)
    page.unroute(thirty_days)
    expect(bar.locator("title")).to_contain_text("8.0 episodes a day (7 days recorded)")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export all days as CSV").click()
    exported = Path(download.value.path()).read_text()
    assert download.value.suggested_filename.endswith(".csv")
    assert exported.startswith("date,episodes,")
    assert all(row in exported for row in week), exported[-600:]
    assert fits_the_width(page)
    # Leave the shared diary as it was.
    for row in week:
        assert page.request.delete(f"/api/v1/diary/days/{row[:10]}").status == 204


@WIDTHS
def test_the_history_ranges_switch_and_pass_the_audit(page, size, screenshot):
    _open(page, size)
    history = page.locator("#history")
    expect(history.get_by_role("link", name="30 days")).to_have_attribute("aria-current", "true")
    expect(history.locator("svg[role=img]")).to_have_attribute("aria-labelledby", "history-summary")
    expect(history).to_contain_text("in the last 30 days")

    history.get_by_role("link", name="6 months").click()
    expect(history.get_by_role("link", name="6 months")).to_have_attribute("aria-current", "true")
    expect(history.get_by_role("link", name="30 days")).not_to_have_attribute(
        "aria-current", "true"
    )
    expect(history).to_contain_text("in the last 6 months")
    expect(history.get_by_role("link", name="6 months")).to_be_focused()
    assert "range=6m" in page.url

    history.get_by_role("link", name="All", exact=True).click()
    expect(history.locator("#history-summary")).to_contain_text(" to ")
    expect(history.locator("svg")).to_have_attribute("data-range", "all")
    assert violations(page) == []
    assert fits_the_width(page)
    screenshot(page, f"diary-all-{size['width']}")

    # The range is in the address: a reload (or a link) shows it, drawn by the server.
    page.reload()
    expect(page.locator("#history svg")).to_have_attribute("data-range", "all")
