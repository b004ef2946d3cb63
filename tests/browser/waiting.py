"""Waiting for a condition in a page whose Content-Security-Policy forbids `eval`.

Playwright's `wait_for_function` runs its predicate with `eval` inside the page, which the
server's policy (`script-src 'self'`) refuses, as it should. `page.evaluate` goes through the
browser's debugging protocol instead, which the policy does not govern, so the condition is
polled from here.
"""

from __future__ import annotations

import time


def wait_for(page, condition: str, arg: object = None, timeout_s: float = 10) -> None:
    """Wait until `condition` (a JavaScript function of `arg`) holds in the page."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(condition, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {condition}")
        page.wait_for_timeout(50)
