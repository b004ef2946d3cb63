"""The result page in Chromium: the server's report fragment, the emergency view on a phone, and
safety questions answered in place."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .audit import fits_the_width, violations
from .conftest import PHONE
from .interview_steps import skip_description
from .waiting import wait_for

PROBABILITY = re.compile(r"\d\s*%")
HEDGED = "my eyelid twitches a lot and maybe my arm feels a bit numb? not sure"


def level(page: Page) -> str:
    """The care level the result shows (`data-level` of the report fragment)."""
    return page.locator("#result .report").get_attribute("data-level") or ""


def test_an_emergency_shows_what_to_do_now_on_one_phone_screen(page: Page, screenshot) -> None:
    page.goto("/interview")
    skip_description(page)
    expect(page.locator("#answer-controls")).to_have_attribute("data-finding", "sudden_weakness")
    page.locator("#answer-controls").get_by_role("button", name="Yes", exact=True).click()
    expect(page.locator("#result-view")).to_be_visible()
    assert level(page) == "emergency"

    calls = page.locator("#result a[href^='tel:']")
    assert calls.count() >= 1
    for call in calls.all():
        expect(call).to_be_visible()
        box = call.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
        assert box["height"] >= 44  # a big target (WCAG 2.5.5's 44 px)
    expect(calls.first).to_contain_text("Call 999")
    # The whole of it on one screen: the page scrolls to the result, and nothing runs past.
    report = page.locator("#result .report").bounding_box()
    assert report is not None and report["y"] >= 0
    assert report["y"] + report["height"] <= PHONE["height"], report
    screenshot(page, "result-emergency-phone")

    # What to do now, and nothing that could reassure or distract.
    result = page.locator("#result")
    expect(result).to_contain_text("Note the time")
    expect(result).to_contain_text("do not drive")
    expect(result).to_contain_text("Face: has it dropped")
    assert not PROBABILITY.search(page.locator("body").inner_text())  # nowhere on the page
    text = result.inner_text()
    for distraction in ("Likely causes", "Treatments", "Self-care", "harmless"):
        assert distraction not in text
    assert violations(page) == []
    assert fits_the_width(page)


def test_open_safety_questions_are_answered_in_place(page: Page, screenshot) -> None:
    page.goto("/interview")
    skip_description(page)
    controls = page.locator("#answer-controls")
    expect(controls).to_have_attribute("data-finding", "sudden_weakness")
    controls.get_by_role("button", name="No", exact=True).click()
    expect(controls).not_to_have_attribute("data-finding", "sudden_weakness")
    first_open = controls.get_attribute("data-finding")
    controls.get_by_role("button", name="Don't know", exact=True).click()
    expect(controls).not_to_have_attribute("data-finding", first_open or "")
    page.get_by_role("button", name="Finish now and see the result").click()

    expect(page.locator("#result-view")).to_be_visible()
    assert level(page) != "self_care"
    pending = page.locator("#result .pending-question")
    expect(page.locator(f"#result .pending-question[data-finding='{first_open}']")).to_be_visible()
    asked = pending.count()
    assert asked >= 2  # the one answered "don't know" and those never reached
    # Questions by their words, never by their ids.
    expect(page.locator("#result .pending")).not_to_contain_text("_")
    screenshot(page, "result-pending-questions")
    assert violations(page) == []

    for _ in range(asked + 5):
        if pending.count() == 0:
            break
        before = pending.count()
        pending.first.get_by_role("button", name="No", exact=True).click()
        # One "no" may settle more than one question (a "no" rules out what implies it).
        wait_for(
            page, "n => document.querySelectorAll('#result .pending-question').length < n", before
        )
    expect(page.locator("#result .pending")).to_have_count(0)
    expect(page.locator("#result")).not_to_contain_text("Not yet ruled out")
    expect(page.locator("#status")).to_contain_text("updated")
    screenshot(page, "result-pending-answered")
    assert violations(page) == []


def test_a_red_flag_mentioned_with_a_hedge_is_never_self_care(page: Page) -> None:
    page.goto("/interview")
    page.get_by_label(re.compile("What is happening")).fill(HEDGED)
    page.get_by_role("button", name="Read my description").click()
    expect(page.locator("#to-ask-list li[data-finding='other_neuro_symptoms']")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#question-view")).to_be_visible()
    page.get_by_role("button", name="Finish now and see the result").click()

    expect(page.locator("#result-view")).to_be_visible()
    assert level(page) not in ("", "self_care")
    used = page.get_by_role("region", name="What we used")
    hedged = used.locator("li[data-finding='other_neuro_symptoms']")
    expect(hedged).to_contain_text("from your description")
    expect(hedged).to_contain_text("you were not sure")
    expect(
        page.locator("#result .pending-question[data-finding='other_neuro_symptoms']")
    ).to_be_visible()


def test_a_duration_is_typed_as_a_person_says_it(page: Page) -> None:
    page.goto("/interview")
    page.get_by_label(re.compile("What is happening")).fill("my left eyelid flickers, no pain")
    page.get_by_role("button", name="Read my description").click()
    page.get_by_role("button", name="Continue").click()
    controls = page.locator("#answer-controls")
    for _ in range(40):  # answer "No" / "Don't know" until the duration is asked
        expect(page.locator("#question-view")).to_be_visible()
        if controls.get_attribute("data-finding") == "duration_days":
            break
        number = page.locator("#question-number").inner_text()
        name = "No" if controls.get_attribute("data-type") == "boolean" else "Don't know"
        controls.get_by_role("button", name=name, exact=True).click()
        expect(page.locator("#question-number")).not_to_have_text(number)
    box = controls.get_by_label(re.compile("Your answer"))
    box.fill("soon")
    controls.get_by_role("button", name="Continue").click()
    expect(page.locator("#number-error")).to_contain_text("not a length of time")
    expect(page.locator("#number-error")).not_to_contain_text("duration_days")
    assert "soon" not in str(page.evaluate("sessionStorage.getItem('facespasm.answers')"))
    box.fill("2 years")
    controls.get_by_role("button", name="Continue").click()
    expect(controls).not_to_have_attribute("data-finding", "duration_days")
    page.get_by_role("button", name="Finish now and see the result").click()
    used = page.get_by_role("region", name="What we used")
    expect(used.locator("li[data-finding='duration_days']")).to_contain_text("730 days")
