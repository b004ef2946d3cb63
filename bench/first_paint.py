"""First paint of the web pages for bench/RESULTS.md (issue 5: < 1 s locally). Run by hand.

Starts `facespasm serve` on a free loopback port with an empty diary, loads each page five times
in Debian's Chromium (headless, the test suite's offline flags) through Playwright, and prints
the first-contentful-paint times (Paint Timing API) and the median load-event time.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from playwright.sync_api import sync_playwright

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PAGES = ("/", "/interview", "/video", "/diary")
TIMINGS = """() => {
    const paint = performance.getEntriesByType('paint')
        .find(entry => entry.name === 'first-contentful-paint');
    const navigation = performance.getEntriesByType('navigation')[0];
    return [paint ? paint.startTime : null, navigation.loadEventEnd];
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    port = free_port()
    folder = tempfile.mkdtemp()
    server = subprocess.Popen(
        [sys.executable, "-m", "facespasm", "serve", "--port", str(port),
         "--db", f"sqlite:///{folder}/diary.sqlite3"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        print("| page | first contentful paint (5 loads) | load event (median) |")
        print("|---|---|---|")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
            )
            for path in PAGES:
                paints, loads = [], []
                for _ in range(5):
                    page = browser.new_page()
                    page.goto(base + path, wait_until="load")
                    page.wait_for_timeout(300)
                    paint, load = page.evaluate(TIMINGS)
                    if paint is not None:
                        paints.append(paint)
                    loads.append(load)
                    page.close()
                shown = f"{min(paints):.0f}–{max(paints):.0f} ms" if paints else "n/a"
                print(f"| `{path}` | {shown} | {statistics.median(loads):.0f} ms |")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
