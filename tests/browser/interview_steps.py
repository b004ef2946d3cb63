"""Clicking through the interview page: shared by the browser flows that need a result."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from .waiting import wait_for

MAX_QUESTIONS = 40


def skip_description(page: Page) -> None:
    """Pass over the opening "in your own words" step straight to the questions."""
    expect(page.locator("#describe-view")).to_be_visible()
    page.get_by_role("button", name="Skip: just ask me").click()
    expect(page.locator("#question-view:not([hidden]), #result-view:not([hidden])")).to_be_visible()


def answer_until_result(page: Page, answer: Callable[[Page], None]) -> None:
    """Answer each question with `answer` until the result shows (at most MAX_QUESTIONS)."""
    result = page.locator("#result-view")
    for _ in range(MAX_QUESTIONS):
        if result.is_visible():
            break
        number = page.locator("#question-number").inner_text()
        answer(page)
        wait_for(
            page,
            "n => !document.getElementById('result-view').hidden"
            " || document.getElementById('question-number').textContent !== n",
            number,
        )
    expect(result).to_be_visible()
