"""Clicking through the interview page: shared by the browser flows that need a result."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

MAX_QUESTIONS = 40


def answer_until_result(page: Page, answer: Callable[[Page], None]) -> None:
    """Answer each question with `answer` until the result shows (at most MAX_QUESTIONS)."""
    result = page.locator("#result-view")
    for _ in range(MAX_QUESTIONS):
        if result.is_visible():
            break
        number = page.locator("#question-number").inner_text()
        answer(page)
        page.wait_for_function(
            "n => !document.getElementById('result-view').hidden"
            " || document.getElementById('question-number').textContent !== n",
            arg=number,
        )
    expect(result).to_be_visible()
