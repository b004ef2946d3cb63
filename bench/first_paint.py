"""First paint of the web pages for bench/RESULTS.md (issue 5: < 1 s locally). Run by hand.

Starts `facespasm serve` on a free loopback port with an empty diary, loads each page five times
in Debian's Chromium (headless, the test suite's offline flags) through Playwright, and prints
the first-contentful-paint times (Paint Timing API) and the median load-event time.

Then the diary's main page with a full diary (issue 12: first paint < 1 s with 3 years of data):
a second server on a diary of 3 years of daily episode counts with factors, four botulinum toxin
injections a year (each cutting twitching for about ten weeks), a JRS rating every 3-7 days and
a video measurement every few weeks (`seed_three_years`); `/diary` and each range of its history
chart are loaded eleven times and the medians printed.

    .venv/bin/python bench/first_paint.py           # both tables
    .venv/bin/python bench/first_paint.py --diary   # the full diary's only
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import numpy as np
from playwright.sync_api import sync_playwright

from facespasm.diary.records import Day, Rating, Treatment
from facespasm.diary.store import Diary

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


YEARS = 3
FULL_DIARY_PAGES = ("/diary", "/diary?range=6m", "/diary?range=all")


def seed_three_years(diary: Diary, *, today: dt.date | None = None, seed: int = 12) -> None:
    """Fill a diary with 3 years up to `today`: days, 4 injections a year, ratings, measurements."""
    rng = np.random.default_rng(seed)
    end = today or dt.date.today()
    start = end - dt.timedelta(days=365 * YEARS)
    injections = [start + dt.timedelta(days=20 + 91 * k) for k in range(4 * YEARS)]
    injections = [d for d in injections if d <= end]

    def rate(date: dt.date) -> float:
        in_force = [date - d for d in injections if 0 <= (date - d).days < 70]
        return 8.0 * (0.25 if any(delta.days >= 5 for delta in in_force) else 1.0)

    days, cursor = [], start
    while cursor <= end:
        days.append(Day(
            cursor, int(rng.poisson(rate(cursor))), sleep_hours=float(rng.integers(5, 10)),
            caffeine_drinks=float(rng.integers(0, 5)), stress_0_10=float(rng.integers(0, 11)),
            nicotine=bool(rng.random() < 0.2),
        ))  # fmt: skip
        cursor += dt.timedelta(days=1)
    diary.days.import_days(days)
    for date in injections:
        diary.treatments.add(Treatment(
            date, "botulinum_toxin", side="left", dose_units=25.0, name="onabotulinumtoxinA",
            reported_wear_off=date + dt.timedelta(days=int(rng.integers(60, 80))),
        ))  # fmt: skip
    cursor = start
    while cursor <= end:
        level = min(4, max(0, round(rate(cursor) / 2 + rng.normal(0, 0.5))))
        answers = (("severity", level), ("frequency", max(0, level - 1)))
        diary.ratings.add(Rating(cursor, "jrs", answers, float(sum(v for _, v in answers))))
        cursor += dt.timedelta(days=int(rng.integers(3, 8)))
    for k in range(0, 365 * YEARS, 45):
        when = dt.datetime.combine(start + dt.timedelta(days=k), dt.time(10), tzinfo=dt.UTC)
        spasms = int(rng.poisson(rate(when.date()) / 2))
        summary = {"face_minutes": 0.4, "events_by_side": {"spasm_left": spasms},
                   "blink_rate_per_min": 18.0, "eyes_closed_s": 1.5}  # fmt: skip
        diary.measurements.save({"summary": summary}, at=when)


def start_server(db: str) -> tuple[subprocess.Popen[bytes], str]:
    """`facespasm serve` on a free port over `db` (created, migrated), once it answers."""
    from facespasm.diary.database import open_database

    open_database(db, schema="upgrade").dispose()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "facespasm", "serve", "--port", str(port), "--db", db],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/api/v1/health", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return server, base


def edit_a_day(base: str, k: int) -> None:
    """Change a factor of today's day, as a person would: the next page computes afresh."""
    body = json.dumps({"sleep_hours": 5 + k % 5}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/diary/days/{dt.date.today().isoformat()}", data=body, method="PUT",
        headers={"Content-Type": "application/json", "Origin": base},
    )  # fmt: skip
    urllib.request.urlopen(request, timeout=10).read()


def full_diary() -> None:
    """The diary page's first paint with 3 years of data (issue 12).

    "After an edit": a day is changed before each load, so the server reads the diary and fits
    the cycle model afresh; "again": the same diary reloaded (the fit is reused).
    """
    from facespasm.diary.database import open_database

    db = f"sqlite:///{tempfile.mkdtemp()}/diary.sqlite3"
    engine = open_database(db, schema="upgrade")
    seed_three_years(Diary(engine))
    engine.dispose()
    server, base = start_server(db)
    try:
        print(f"| page, {YEARS} years of data | loads | first contentful paint, median (range) "
              "| load event, median |")  # fmt: skip
        print("|---|---|---|---|")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
            )
            for path in FULL_DIARY_PAGES:
                for edited in (True, False):
                    paints, loads = [], []
                    for k in range(11):
                        if edited:
                            edit_a_day(base, k)
                        page = browser.new_page()
                        page.goto(base + path, wait_until="load")
                        page.wait_for_timeout(200)
                        paint, load = page.evaluate(TIMINGS)
                        if paint is not None:
                            paints.append(paint)
                        loads.append(load)
                        page.close()
                    print(
                        f"| `{path}` | {'after an edit' if edited else 'again'} | "
                        f"{statistics.median(paints):.0f} ms ({min(paints):.0f}–{max(paints):.0f})"
                        f" | {statistics.median(loads):.0f} ms |"
                    )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    if "--diary" in sys.argv[1:]:
        full_diary()
        return
    folder = tempfile.mkdtemp()
    server, base = start_server(f"sqlite:///{folder}/diary.sqlite3")
    try:
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
    print()
    full_diary()


if __name__ == "__main__":
    main()
