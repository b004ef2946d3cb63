"""Every page passes an automated WCAG 2.1 A/AA audit (axe-core) on a phone and a desktop, and
the interview can be finished with the keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from .audit import fits_the_width, violations
from .conftest import PHONE
from .interview_steps import answer_until_result

DESKTOP = {"width": 1280, "height": 800}
FOCUSED_IS = """([selector, text]) => {
  const element = document.activeElement;
  return !!element && element.matches(selector)
    && (text === null || element.textContent.trim() === text);
}"""


def press_until_focused(page: Page, selector: str, text: str | None = None) -> None:
    """Tab forward until the focused element matches `selector` (and has `text`)."""
    for _ in range(15):
        if page.evaluate(FOCUSED_IS, [selector, text]):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector} {text or ''}")


def answer_by_keyboard(page: Page) -> None:
    """Answer the question on screen with the keyboard only."""
    controls = page.locator("#answer-controls")
    kind = controls.get_attribute("data-type")
    if kind == "boolean":
        press_until_focused(page, "#answer-controls button", "No")
        page.keyboard.press("Enter")
    elif kind == "choice":
        press_until_focused(page, "#answer-controls .answers button")
        page.keyboard.press("Enter")
    elif kind == "multiple_choice":
        press_until_focused(page, "#answer-controls input[type=checkbox]")
        page.keyboard.press("Space")
        press_until_focused(page, "#answer-controls button", "Continue")
        page.keyboard.press("Enter")
    else:
        press_until_focused(page, "#answer-controls input")
        page.keyboard.type("45" if controls.get_attribute("data-finding") == "age" else "30")
        page.keyboard.press("Enter")


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def sized_page(browser, server, request) -> Iterator[Page]:
    context = browser.new_context(base_url=server.url, viewport=request.param)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize(
    "path", ["/", "/interview", "/video", "/diary", "/diary/treatments", "/diary/kept"]
)
def test_each_page_passes_the_audit_and_fits_the_screen(sized_page: Page, path: str) -> None:
    sized_page.goto(path)
    sized_page.wait_for_load_state("networkidle")
    assert violations(sized_page) == []
    assert fits_the_width(sized_page)


def test_the_interview_can_be_finished_by_keyboard_and_its_result_passes(
    page: Page, screenshot
) -> None:
    page.goto("/interview")
    expect(page.locator("#describe-view")).to_be_visible()
    press_until_focused(page, "#describe-view button", "Skip: just ask me")
    page.keyboard.press("Enter")
    expect(page.locator("#question-view")).to_be_visible()
    assert violations(page) == []
    answer_until_result(page, answer_by_keyboard)
    expect(page.locator(".banner")).to_be_visible()
    screenshot(page, "interview-result-keyboard")
    assert violations(page) == []
    assert fits_the_width(page)


@pytest.mark.parametrize(
    "first_answer",
    [
        "Yes",  # stroke signs: the emergency result
        "No",  # then "Finish now": causes, treatments, and the safety questions to answer
    ],
)
def test_the_result_passes_the_audit_and_fits_the_screen(
    sized_page: Page, first_answer: str
) -> None:
    sized_page.goto("/interview")
    sized_page.get_by_role("button", name="Skip: just ask me").click()
    controls = sized_page.locator("#answer-controls")
    expect(controls).to_have_attribute("data-finding", "sudden_weakness")
    controls.get_by_role("button", name=first_answer, exact=True).click()
    if first_answer == "No":
        expect(controls).not_to_have_attribute("data-finding", "sudden_weakness")
        sized_page.get_by_role("button", name="Finish now and see the result").click()
    expect(sized_page.locator("#result .report")).to_be_visible()
    for details in sized_page.locator("#result details").all():
        details.evaluate("node => { node.open = true; }")  # audit what is folded away too
    assert violations(sized_page) == []
    assert fits_the_width(sized_page)
