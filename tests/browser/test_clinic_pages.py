"""The clinic in Chromium: a patient shares, signs out; their clinician signs in and reads them.

A clinic server of this module's own (`serve --clinic` on a SQLite file, its two accounts added
with `facespasm users add ... --password-stdin`, as docs/clinic.md tells a clinic to), not the
laptop server the other browser tests share. The sign-in page, the patient list and the patient
page must be axe-clean on a phone and a desktop, and fit the width.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from collections.abc import Iterator

import pytest
from playwright.sync_api import FilePayload, Page, ViewportSize, expect

from tests.conftest import REPO
from tests.servers import FACESPASM, Server, running_server

from .audit import fits_the_width, violations
from .conftest import PHONE, watched_page

SIZES = (
    ViewportSize(width=PHONE["width"], height=PHONE["height"]),
    ViewportSize(width=1280, height=800),
)  # a phone, a desktop
PASSWORD = "a browser test password"
PATIENT = "patient.browser@clinic.example"
CLINICIAN = "dr.browser@clinic.example"
CSV_HEADER = (
    "date,episodes,sleep_hours,caffeine_drinks,alcohol_drinks,stress_0_10,screen_hours,nicotine"
)


@pytest.fixture(scope="module")
def clinic_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A clinic's server on a free localhost port: one patient and one clinician, no share yet."""
    folder = tmp_path_factory.mktemp("clinic-server")
    db = f"sqlite:///{folder / 'clinic.sqlite3'}"
    env = {**os.environ, "FACESPASM_SECRET_KEY": "b" * 40, "FACESPASM_DATABASE_URL": db}
    subprocess.run([*FACESPASM, "db", "upgrade", "--db", db], check=True, env=env, cwd=REPO)
    for email, role in ((PATIENT, "patient"), (CLINICIAN, "clinician")):
        subprocess.run(
            [*FACESPASM, "users", "add", email, "--role", role, "--password-stdin", "--db", db],
            input=PASSWORD + "\n",
            text=True,
            check=True,
            capture_output=True,
            env=env,
            cwd=REPO,
        )
    with running_server(["--clinic", "--db", db], env, folder / "server.log") as running:
        yield running


@pytest.fixture
def clinic_page(browser, clinic_server: Server) -> Iterator[Page]:
    """A fresh watched phone-sized page on the clinic server (see conftest's `watched_page`)."""
    with watched_page(browser, clinic_server.url, viewport=PHONE) as watched:
        yield watched


def audited(page: Page, width: ViewportSize) -> None:
    """The page is axe-clean and fits at `width`."""
    page.set_viewport_size(width)
    assert violations(page) == [], f"{page.url} at {width['width']} px"
    assert fits_the_width(page), f"{page.url} is wider than {width['width']} px"


def sign_in(page: Page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_patient_shares_and_the_clinician_reads_them(clinic_page: Page, screenshot):
    page = clinic_page
    # The patient, signed out, is sent to the sign-in page first; it is axe-clean.
    page.goto("/sharing")
    expect(page).to_have_url(re.compile(r"/login\?next=/sharing$"))
    for width in SIZES:
        audited(page, width)
    page.set_viewport_size(SIZES[0])
    sign_in(page, PATIENT)
    expect(page.get_by_role("heading", name="Share my diary with my clinician")).to_be_visible()

    # Their diary: 60 days (fewer twitches lately) and one injection, through the API.
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token
    today = dt.date.today()
    rows = [CSV_HEADER] + [
        f"{today - dt.timedelta(days=k)},{3 if k < 30 else 9},,,,,," for k in range(60)
    ]
    csv: FilePayload = {
        "name": "d.csv",
        "mimeType": "text/csv",
        "buffer": ("\n".join(rows) + "\n").encode(),
    }
    headers = {"X-CSRF-Token": token}
    imported = page.request.post("/api/v1/diary/import", multipart={"file": csv}, headers=headers)
    assert imported.status == 200, imported.text()
    injection = {"kind": "botulinum_toxin", "date": str(today - dt.timedelta(days=35)),
                 "side": "both", "dose_units": 31.5}  # fmt: skip
    added = page.request.post("/api/v1/diary/treatments", data=injection, headers=headers)
    assert added.status == 201, added.text()

    # Shares with the clinician, then signs out.
    page.get_by_label("Your clinician's email").fill(CLINICIAN)
    page.get_by_role("button", name="Share my diary").click()
    expect(page.get_by_role("status")).to_have_text("Shared.")
    expect(page.locator(".shares-list")).to_contain_text(CLINICIAN)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    # The clinician signs in and sees the patient on the list.
    page.goto("/clinic")
    sign_in(page, CLINICIAN)
    expect(page.get_by_role("heading", name="Patients", exact=True)).to_be_visible()
    row = page.locator("tr", has_text=PATIENT)
    expect(row).to_contain_text("fewer: 3.0 a day")
    for width in SIZES:
        audited(page, width)
    screenshot(page, "clinic-list-desktop")

    # ... opens the patient's page: at a glance first, the chart below.
    page.set_viewport_size(SIZES[0])
    row.get_by_role("link", name=PATIENT).click()
    expect(page.get_by_role("heading", name=PATIENT)).to_be_visible()
    expect(page.locator("#glance-injection")).to_contain_text("31.5 U")
    expect(page.locator("#glance-next-due")).not_to_have_text("—")
    expect(page.locator("svg.history-chart")).to_be_visible()
    for width in SIZES:
        audited(page, width)
    screenshot(page, "clinic-patient-desktop")
