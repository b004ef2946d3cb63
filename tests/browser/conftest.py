"""Fixtures for the browser tests: the real server in a subprocess and Debian's Chromium.

The server is started the way a person starts it (`python -m facespasm serve`) on a free port
with its own SQLite diary, and its log is printed when a test fails. Chromium runs headless and
offline (no background networking, no updates, no sync); nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.conftest import REPO
from tests.servers import FACESPASM, Server, running_server

CHROMIUM = Path(os.environ.get("FACESPASM_CHROMIUM", "/usr/bin/chromium"))
OFFLINE_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real facespasm server on a free localhost port, with an empty SQLite diary."""
    folder = tmp_path_factory.mktemp("server")
    db = f"sqlite:///{folder / 'diary.sqlite3'}"
    env = {**os.environ, "FACESPASM_DATABASE_URL": db}
    # A database named by --db is created (and migrated) by its keeper first, as a person does.
    upgrade = [*FACESPASM, "db", "upgrade", "--db", db]
    subprocess.run(upgrade, check=True, capture_output=True, env=env, cwd=REPO)
    with running_server(["--db", db], env, folder / "server.log") as running:
        yield running


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Attach the server's log to a failing browser test's report."""
    report = yield
    if report.failed and "server" in getattr(item, "fixturenames", ()):
        log = Path(item.funcargs["server"].log) if "server" in item.funcargs else None  # type: ignore[attr-defined]
        if log and log.exists():
            report.sections.append(
                ("facespasm server log", log.read_text(errors="replace")[-20_000:])
            )
    return report


@pytest.fixture(scope="session")
def launch() -> Iterator[object]:
    """A function that launches Debian's Chromium with the offline flags plus `extra` ones."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found; install Debian's chromium (make test does) "
            "or set FACESPASM_CHROMIUM"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, contextlib.ExitStack() as stack:

        def start(extra: list[str] | None = None):
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=[*OFFLINE_FLAGS, *(extra or [])]
            )
            stack.callback(browser.close)
            return browser

        yield start


@pytest.fixture(scope="session")
def browser(launch):
    """One headless Chromium for the tests that need no camera."""
    return launch()


# What a page asks for from elsewhere that the Content-Security-Policy refuses by design:
# ReDoc's menu always shows a logo from its CDN (`web/docs.py`). Refused, it is never fetched.
REFUSED_BY_DESIGN = ("https://cdn.redoc.ly/redoc/logo-mini.svg",)


@contextlib.contextmanager
def watched_page(browser, base_url: str, **options: Any) -> Iterator[Page]:
    """A fresh page (own storage) on `base_url`, in a new context made with `options`.

    When the block ends, it fails if the page had a JavaScript error, if the
    Content-Security-Policy refused anything it tried (an inline style, a script from
    elsewhere), or if it asked for anything from another origin -- except the few refusals that
    are by design.
    """
    context = browser.new_context(base_url=base_url, **options)
    page = context.new_page()
    errors: list[str] = []
    foreign: list[str] = []

    def console(message) -> None:
        by_design = any(url in message.text for url in REFUSED_BY_DESIGN)
        if "Content Security Policy" in message.text and not by_design:
            errors.append(message.text)

    def request(sent) -> None:
        if not sent.url.startswith((base_url, "data:", "blob:")):
            foreign.append(sent.url)

    def finished(done) -> None:  # a request elsewhere that actually went out
        if not done.url.startswith((base_url, "data:", "blob:")):
            errors.append(f"fetched from another origin: {done.url}")

    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", console)
    page.on("request", request)
    page.on("requestfinished", finished)
    yield page
    context.close()
    assert not errors, f"JavaScript errors or CSP violations on the page: {errors}"
    foreign = [url for url in foreign if url not in REFUSED_BY_DESIGN]
    assert not foreign, f"requests to other origins: {foreign}"


@pytest.fixture
def page(browser, server: Server) -> Iterator[Page]:
    """A fresh watched page (see `watched_page`) at a phone's width on the server."""
    with watched_page(browser, server.url, viewport=PHONE) as watched:
        yield watched


@pytest.fixture(scope="session")
def screenshot():
    """Save a full-page screenshot to test-artifacts/screenshots/<name>.png (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
