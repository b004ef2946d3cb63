"""Log diary entries in Chromium and see them in the history chart."""

from __future__ import annotations

from playwright.sync_api import expect


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
    expect(page.locator("#cycles")).to_contain_text("No botulinum toxin injections")
    screenshot(page, "diary")
