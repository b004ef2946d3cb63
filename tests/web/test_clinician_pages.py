"""The clinic's pages: a clinician's patient list and patient page, a patient's sharing page.

One clinic app on one SQLite file for the module (accounts are made once: Argon2 is slow on
purpose); each browser is a `TestClient` holding a cookie session of its own, started in the
store (the sign-in form itself is tested in test_clinic_api.py). Alice shares with Carol; Bob
shares with no one and has a distinctive injection dose that must never appear on Carol's pages;
Pat shares and stops sharing. The clock is the app's own, fixed.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from facespasm.clinic import add_account, entries_about, share_with, shares_of, start_session
from facespasm.diary.database import open_database
from facespasm.diary.ratings import score_rating
from facespasm.diary.records import Day, Rating, Treatment
from facespasm.diary.store import Diary
from facespasm.web.app import create_app
from facespasm.web.deps import close_engine
from facespasm.web.pages_clinician import NO_PATIENT_PAGE, PATIENT_PAGE
from facespasm.web.settings import Settings

PASSWORD = "correct horse battery"
SECRET = "p" * 40
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
ALICES_DOSE = "23.5 U"  # shown on Carol's page of Alice
BOBS_DOSE = "37.25 U"  # Bob shares with no one: never shown to anyone else
BOBS_NOTE = "BOB-PRIVATE-NOTE-7731"
ANALYSIS = {"summary": {"face_minutes": 0.5, "events_by_side": {"spasm_left": 4}}}


def _plant(diary: Diary, *, dose: float, note: str, level: str) -> None:
    counted = [Day(TODAY - dt.timedelta(days=k), episodes=3 if k < 30 else 8) for k in range(90)]
    diary.days.import_days(counted)
    diary.days.record(Day(TODAY - dt.timedelta(days=2), note=note))
    injected = TODAY - dt.timedelta(days=40)
    diary.treatments.add(Treatment(injected, "botulinum_toxin", side="left", dose_units=dose))
    answers = {"severity": 3, "frequency": 3}
    score = score_rating("jrs", answers).total
    before = injected - dt.timedelta(days=3)
    diary.ratings.add(Rating(before, "jrs", tuple(answers.items()), score))
    after = {"severity": 1, "frequency": 1}
    diary.ratings.add(
        Rating(
            TODAY - dt.timedelta(days=5),
            "jrs",
            tuple(after.items()),
            score_rating("jrs", after).total,
        )
    )
    diary.measurements.save(ANALYSIS, at=NOW - dt.timedelta(days=7))
    diary.assessments.save(
        {"triage": {"level": level}, "conditions": []}, at=NOW - dt.timedelta(days=6)
    )


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    """A clinic app: patients Alice (shares with Carol), Bob (shares with no one) and Pat;
    clinicians Carol and Dave; an administrator; each signed in in a browser of their own."""
    folder = tmp_path_factory.mktemp("clinician-pages")
    url = f"sqlite:///{folder / 'clinic.sqlite3'}"
    engine = open_database(url, schema="upgrade")
    accounts = {
        name: add_account(engine, f"{name}@clinic.example", role, PASSWORD)
        for name, role in (
            ("alice", "patient"),
            ("bob", "patient"),
            ("pat", "patient"),
            ("carol", "clinician"),
            ("dave", "clinician"),
            ("root", "admin"),
        )
    }
    share_with(engine, accounts["alice"], "carol@clinic.example", now=NOW)
    _plant(
        Diary(engine, accounts["alice"].person_id), dose=23.5, note="alice", level="see_doctor_soon"
    )
    _plant(Diary(engine, accounts["bob"].person_id), dose=37.25, note=BOBS_NOTE, level="emergency")
    settings = Settings(database_url=url, upload_dir=folder, clinic=True, secret_key=SECRET)
    app = create_app(settings, clock=lambda: NOW)
    browsers = {}
    for name, account in accounts.items():
        browser = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
        token = start_session(engine, account, SECRET.encode(), now=NOW)
        browser.cookies.set("facespasm_session", token)
        browsers[name] = browser
    browsers["anonymous"] = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
    yield SimpleNamespace(engine=engine, accounts=accounts, browsers=browsers)
    close_engine(app)
    engine.dispose()


def csrf_of(page: str) -> str:
    """The page's CSRF token (its `csrf-token` meta)."""
    return page.split('name="csrf-token" content="')[1].split('"', maxsplit=1)[0]


def alices_page(clinic) -> str:
    return f"/clinic/patients/{clinic.accounts['alice'].id}"


@pytest.mark.parametrize("path", ["/clinic", "/clinic/patients/1", "/sharing"])
def test_signed_out_visitors_go_to_the_sign_in_page(clinic, path):
    answer = clinic.browsers["anonymous"].get(path)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next={path}"


def test_the_shared_clinicians_patient_list(clinic):
    page = clinic.browsers["carol"].get("/clinic")
    assert page.status_code == 200
    assert "alice@clinic.example" in page.text
    assert f'href="{alices_page(clinic)}"' in page.text
    assert 'class="badge level-see_doctor_soon"' in page.text
    assert "fewer: 3.0 a day over the last 30 days against 8.0 the 30 before (-62%)" in page.text
    injected = TODAY - dt.timedelta(days=40)
    assert f'datetime="{injected.isoformat()}"' in page.text
    # Nothing of Bob's, who shares with no one.
    for bobs in ("bob@clinic.example", "level-emergency", BOBS_NOTE):
        assert bobs not in page.text
    assert 'href="/clinic" aria-current="page">Patients</a>' in page.text  # the nav's link
    assert 'href="/diary"' not in page.text  # a clinician has no diary of their own here


def test_a_clinician_no_one_shares_with_is_told_how_patients_share(clinic):
    page = clinic.browsers["dave"].get("/clinic")
    assert page.status_code == 200
    assert "No patient shares a diary with you yet" in page.text
    assert "POST /api/v1/shares" in page.text and "dave@clinic.example" in page.text
    assert "alice@clinic.example" not in page.text


@pytest.mark.parametrize("name", ["alice", "root"])
def test_only_clinicians_have_a_patient_list(clinic, name):
    page = clinic.browsers[name].get("/clinic")
    assert page.status_code == 403
    assert "Only a clinician has a patient list." in page.text
    assert "alice@clinic.example" not in page.text.split("<main")[1]


def test_the_patient_page_answers_how_they_are_doing_at_the_top(clinic):
    page = clinic.browsers["carol"].get(alices_page(clinic))
    assert page.status_code == 200
    glance = page.text.split('id="glance-title"')[1].split("</section>")[0]
    assert 'class="badge level-see_doctor_soon"' in glance
    assert "fewer: 3.0 a day" in glance
    assert ALICES_DOSE in glance and "Yes, it worked" in glance
    assert 'id="glance-next-due"><strong>' in glance  # the next due date, with its sources
    assert "2 of 8" in glance and "better, a clinically important change" in glance  # JRS 6 → 2
    assert f'href="/api/v1/patients/{clinic.accounts["alice"].id}/report"' in glance
    assert f'href="/api/v1/patients/{clinic.accounts["alice"].id}/fhir"' in glance
    # Below: the history chart (its range links stay on this page), cycles, ratings, measured
    # spasms, kept assessments, and the sources the cycles cite.
    assert 'class="history-chart"' in page.text
    assert f'href="{alices_page(clinic)}?range=30d#history-title"' in page.text
    assert 'href="/diary?range' not in page.text
    for heading in ("Injection cycles", "Ratings", "Measured spasms (video)", "Kept assessments"):
        assert f">{heading}</h2>" in page.text
    assert '<td data-label="Spasms a minute, left">8</td>' in page.text
    assert "Sources</h2>" in page.text
    for bobs in (BOBS_DOSE, BOBS_NOTE, "bob@clinic.example"):
        assert bobs not in page.text


@pytest.mark.parametrize("chosen", ["30d", "all", "nonsense"])
def test_the_patient_pages_history_ranges(clinic, chosen):
    page = clinic.browsers["carol"].get(alices_page(clinic), params={"range": chosen})
    assert page.status_code == 200
    shown = chosen if chosen != "nonsense" else "6m"
    assert f'data-range="{shown}" data-bin-days' in page.text


@pytest.mark.parametrize(
    ("reader", "patient"),
    [
        ("dave", "alice"),  # a clinician Alice does not share with
        ("carol", "bob"),  # a patient who shares with no one
        ("carol", "999999"),  # no such account
        ("carol", "0"),  # not an id
        ("carol", "abc"),  # not a number
        ("carol", "carol"),  # a clinician's own account
        ("alice", "alice"),  # the patient herself: her diary is /diary
        ("bob", "alice"),  # another patient
        ("root", "alice"),  # an administrator
    ],
)
def test_everyone_else_gets_the_same_404_page(clinic, reader, patient):
    patient_id = clinic.accounts[patient].id if patient in clinic.accounts else patient
    page = clinic.browsers[reader].get(f"/clinic/patients/{patient_id}")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    main = page.text.split("<main")[1]
    assert NO_PATIENT_PAGE in main
    for leaked in ("@clinic.example", BOBS_DOSE, ALICES_DOSE, BOBS_NOTE):
        assert leaked not in main


def test_each_view_of_a_patient_page_is_one_audit_entry(clinic):
    alice = clinic.accounts["alice"]
    before = entries_about(clinic.engine, alice)
    assert clinic.browsers["carol"].get(alices_page(clinic)).status_code == 200
    assert clinic.browsers["dave"].get(alices_page(clinic)).status_code == 404  # not a read
    after = entries_about(clinic.engine, alice)
    assert len(after) == len(before) + 1
    newest = after[0]
    assert (newest.email, newest.action, newest.what) == (
        "carol@clinic.example",
        "read",
        PATIENT_PAGE,
    )
    assert newest.at == NOW


def test_the_patient_sees_who_looked_at_her_data(clinic):
    clinic.browsers["carol"].get(alices_page(clinic))
    page = clinic.browsers["alice"].get("/sharing")
    assert page.status_code == 200
    looked = page.text.split('id="looked-title"')[1]
    assert "carol@clinic.example" in looked and "your summary page in the clinic" in looked
    shares = page.text.split('id="shares-title"')[1].split("</section>")[0]
    assert "carol@clinic.example" in shares and "Stop sharing" in shares
    assert 'href="/sharing" aria-current="page">Sharing</a>' in page.text  # the nav's link
    assert 'href="/diary"' in page.text  # a patient's own diary


@pytest.mark.parametrize("name", ["carol", "root"])
def test_only_patients_have_a_sharing_page(clinic, name):
    browser = clinic.browsers[name]
    page = browser.get("/sharing")
    assert page.status_code == 403 and "Only a patient shares a diary." in page.text
    form = {"clinician": "dave@clinic.example", "csrf_token": csrf_of(page.text)}
    assert browser.post("/sharing", data=form).status_code == 403
    assert browser.post("/sharing/stop", data=form | {"share_id": "1"}).status_code == 403


@pytest.mark.parametrize("token", [None, "wrong"])
def test_sharing_is_refused_without_the_pages_csrf_token(clinic, token):
    form = {"clinician": "dave@clinic.example"} | ({"csrf_token": token} if token else {})
    answer = clinic.browsers["pat"].post("/sharing", data=form)
    assert answer.status_code == 403
    assert "CSRF" in answer.json()["error"]["message"]
    stop = clinic.browsers["pat"].post("/sharing/stop", data={"share_id": "1"} | form)
    assert stop.status_code == 403
    assert shares_of(clinic.engine, clinic.accounts["pat"]) == []


def test_share_then_stop_sharing(clinic):
    pat, dave = clinic.browsers["pat"], clinic.browsers["dave"]
    token = csrf_of(pat.get("/sharing").text)
    shared = pat.post("/sharing", data={"clinician": " Dave@clinic.example ", "csrf_token": token})
    assert shared.status_code == 303 and shared.headers["location"] == "/sharing?done=shared"
    page = pat.get("/sharing?done=shared").text
    assert "Shared." in page and "dave@clinic.example" in page
    assert "pat@clinic.example" in dave.get("/clinic").text
    (share,) = shares_of(clinic.engine, clinic.accounts["pat"])
    stopped = pat.post("/sharing/stop", data={"share_id": str(share.id), "csrf_token": token})
    assert stopped.status_code == 303 and stopped.headers["location"] == "/sharing?done=stopped"
    assert "You share your diary with no one." in pat.get("/sharing").text
    assert "pat@clinic.example" not in dave.get("/clinic").text
    assert dave.get(f"/clinic/patients/{clinic.accounts['pat'].id}").status_code == 404


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"clinician": "nobody@clinic.example"}, 404, "no clinician with that email"),  # unknown
        ({"clinician": "alice@clinic.example"}, 404, "no clinician with that email"),  # a patient
        ({"clinician": ""}, 422, "Enter your clinician"),  # empty
    ],
)
def test_sharing_with_anyone_but_a_clinician_says_why_not(clinic, form, status, message):
    pat = clinic.browsers["pat"]
    token = csrf_of(pat.get("/sharing").text)
    page = pat.post("/sharing", data=form | {"csrf_token": token})
    assert page.status_code == status
    assert message in page.text and 'role="alert"' in page.text


@pytest.mark.parametrize("share_id", ["999999", "abc", ""])
def test_stopping_a_share_that_is_not_ones_own_says_not_found(clinic, share_id):
    alices = shares_of(clinic.engine, clinic.accounts["alice"])[0].id
    pat = clinic.browsers["pat"]
    token = csrf_of(pat.get("/sharing").text)
    for given in (share_id, str(alices)):  # nonsense, and Alice's own share
        page = pat.post("/sharing/stop", data={"share_id": given, "csrf_token": token})
        assert page.status_code == 404 and "no such share" in page.text
    assert len(shares_of(clinic.engine, clinic.accounts["alice"])) == 1
