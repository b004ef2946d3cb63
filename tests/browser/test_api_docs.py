"""The API documentation works in a browser with the network off and the CSP on."""

from __future__ import annotations

from playwright.sync_api import expect


def test_swagger_ui_shows_every_operation(page, screenshot):
    page.goto("/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/assess")).to_have_count(1)
    screenshot(page, "docs-swagger")


def test_redoc_shows_the_reference(page, screenshot):
    page.goto("/redoc")
    expect(page.get_by_role("heading", name="Assess answers (and video evidence)")).to_be_visible()
    screenshot(page, "docs-redoc")
