"""Every page passes an automated WCAG 2.1 A/AA audit (axe-core) on a phone and a desktop, and
the interview can be finished with the keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .conftest import PHONE
from .interview_steps import answer_until_result

DESKTOP = {"width": 1280, "height": 800}
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page: Page) -> list[str]:
    """axe-core's WCAG A/AA violations on the page as it is now, one line per rule."""
    found = Axe().run(page, options=WCAG_21_AA).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -- {[n['target'] for n in v['nodes']][:3]}"
        for v in found
    ]


def fits_the_width(page: Page) -> bool:
    """No sideways scrolling: the page is no wider than the window."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


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


@pytest.mark.parametrize("path", ["/", "/interview", "/video", "/diary"])
def test_each_page_passes_the_audit_and_fits_the_screen(sized_page: Page, path: str) -> None:
    sized_page.goto(path)
    sized_page.wait_for_load_state("networkidle")
    assert violations(sized_page) == []
    assert fits_the_width(sized_page)


def test_the_interview_can_be_finished_by_keyboard_and_its_result_passes(
    page: Page, screenshot
) -> None:
    page.goto("/interview")
    expect(page.locator("#question-view")).to_be_visible()
    assert violations(page) == []
    answer_until_result(page, answer_by_keyboard)
    expect(page.locator(".banner")).to_be_visible()
    screenshot(page, "interview-result-keyboard")
    assert violations(page) == []
    assert fits_the_width(page)
