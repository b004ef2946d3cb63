"""The clinic server's API: sign-in both ways, CSRF, each patient's own diary, shares, audit.

One app on one SQLite file per module (accounts are made once: Argon2 is slow on purpose); the
storage underneath is tested on PostgreSQL too in tests/clinic. The clock is the app's own,
moved by the tests that need time to pass.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from facespasm.clinic import add_account, set_disabled
from facespasm.diary.database import open_database
from facespasm.web.app import create_app
from facespasm.web.settings import Settings

PASSWORD = "correct horse battery"
SECRET = "s" * 40
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
DAY = "/api/v1/diary/days/2026-03-01"


class Clock:
    """A clock the tests move."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    """A clinic app with patients Alice and Bob, clinicians Carol and Dave, and an admin."""
    folder = tmp_path_factory.mktemp("clinic-api")
    url = f"sqlite:///{folder / 'clinic.sqlite3'}"
    engine = open_database(url, schema="upgrade")
    accounts = {
        name: add_account(engine, f"{name}@clinic.example", role, PASSWORD)
        for name, role in (
            ("alice", "patient"),
            ("bob", "patient"),
            ("carol", "clinician"),
            ("dave", "clinician"),
            ("root", "admin"),
            ("gone", "patient"),
        )
    }
    clock = Clock()
    settings = Settings(
        database_url=url, upload_dir=folder, clinic=True, secret_key=SECRET, session_idle_minutes=15
    )
    client = TestClient(create_app(settings, clock=clock), base_url="http://127.0.0.1")
    client.__enter__()
    tokens = {name: sign_in(client, name) for name in accounts}
    yield SimpleNamespace(
        client=client, clock=clock, engine=engine, accounts=accounts, tokens=tokens, url=url
    )
    client.__exit__(None, None, None)
    engine.dispose()


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    answer = client.post(
        "/api/v1/auth/token", data={"username": f"{name}@clinic.example", "password": password}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["token_type"] == "bearer"
    return answer.json()["access_token"]


def as_(clinic, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {clinic.tokens[name]}"}


@pytest.fixture(scope="module")
def shared(clinic):
    """Alice shares with Carol (through the API); the share's id."""
    answer = clinic.client.post(
        "/api/v1/shares", json={"clinician": "CAROL@clinic.example"}, headers=as_(clinic, "alice")
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/diary/days"),  # the diary
        ("PUT", DAY),  # a change
        ("POST", "/api/v1/assess"),  # no diary, still signed in only
        ("GET", "/api/v1/shares"),
        ("GET", "/api/v1/patients"),
        ("GET", "/api/v1/patients/1/diary/days"),
        ("GET", "/api/v1/audit"),
        ("GET", "/api/v1/auth/me"),
    ],
)
def test_anonymous_requests_are_401_with_the_bearer_challenge(clinic, method, path):
    answer = clinic.client.request(method, path, json={})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert "sign in" in answer.json()["error"]["message"]


def test_health_docs_and_the_schema_need_no_account(clinic):
    for path in ("/api/v1/health", "/openapi.json", "/docs"):
        assert clinic.client.get(path).status_code == 200, path
    schemes = clinic.client.get("/openapi.json").json()["components"]["securitySchemes"]
    assert schemes["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"


def test_me(clinic):
    me = clinic.client.get("/api/v1/auth/me", headers=as_(clinic, "carol")).json()
    assert me == {
        "id": clinic.accounts["carol"].id,
        "email": "carol@clinic.example",
        "role": "clinician",
    }


def test_a_locked_account_answers_as_an_unknown_email_does(clinic):
    # A lock-out said apart (a 429) would tell which emails have accounts: only they lock.
    add_account(clinic.engine, "locked@clinic.example", "patient", PASSWORD)
    wrong = "not the password"

    def attempt(email: str, password: str = wrong) -> tuple[int, object, str | None]:
        answer = clinic.client.post(
            "/api/v1/auth/token", data={"username": email, "password": password}
        )
        return answer.status_code, answer.json(), answer.headers.get("Retry-After")

    for _ in range(7):  # five lock the account; the sixth and seventh meet the lock
        assert attempt("locked@clinic.example") == attempt("nobody@clinic.example")
    status, body, retry = attempt("locked@clinic.example", PASSWORD)  # even the right one
    assert (status, retry) == (401, None)
    assert body == attempt("nobody@clinic.example")[1]
    assert body["error"]["message"] == (  # type: ignore[index]
        "wrong email or password (5 wrong in a row lock an account for 15 minutes)"
    )


def test_bob_can_neither_read_nor_overwrite_alices_day(clinic):
    alice, bob = as_(clinic, "alice"), as_(clinic, "bob")
    note = "after argument with husband"
    assert (
        clinic.client.put(DAY, json={"note": note, "sleep_hours": 5}, headers=alice).status_code
        == 200
    )
    assert clinic.client.get(DAY, headers=bob).status_code == 404
    assert (
        clinic.client.put(DAY, json={"note": "Bob's", "sleep_hours": 9}, headers=bob).status_code
        == 200
    )
    mine = clinic.client.get(DAY, headers=alice).json()
    assert mine["note"] == note and mine["sleep_hours"] == 5
    assert note not in clinic.client.get("/api/v1/diary/days", headers=bob).text


@pytest.mark.parametrize("name", ["carol", "root"])
def test_clinicians_and_admins_have_no_diary_of_their_own(clinic, name):
    answer = clinic.client.get("/api/v1/diary/days", headers=as_(clinic, name))
    assert answer.status_code == 403


def test_shares_list_and_revoke(clinic):
    alice = as_(clinic, "alice")
    made = clinic.client.post(
        "/api/v1/shares", json={"clinician": "dave@clinic.example"}, headers=alice
    )
    assert made.status_code == 201
    listed = clinic.client.get("/api/v1/shares", headers=alice).json()
    assert made.json() in listed
    assert (
        clinic.client.delete(
            f"/api/v1/shares/{made.json()['id']}", headers=as_(clinic, "bob")
        ).status_code
        == 404
    )
    assert (
        clinic.client.delete(f"/api/v1/shares/{made.json()['id']}", headers=alice).status_code
        == 204
    )
    assert made.json() not in clinic.client.get("/api/v1/shares", headers=alice).json()


@pytest.mark.parametrize(
    "email", ["bob@clinic.example", "root@clinic.example", "no@clinic.example"]
)
def test_sharing_with_anyone_but_a_clinician_is_404(clinic, email):
    answer = clinic.client.post(
        "/api/v1/shares", json={"clinician": email}, headers=as_(clinic, "alice")
    )
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "no clinician with that email"


def test_a_share_with_an_unknown_field_is_refused_by_name_and_shares_nothing(clinic):
    bob = as_(clinic, "bob")
    before = clinic.client.get("/api/v1/shares", headers=bob).json()
    answer = clinic.client.post(
        "/api/v1/shares",
        json={"clinician": "dave@clinic.example", "read_only": False},
        headers=bob,
    )
    assert answer.status_code == 422
    assert "read_only" in answer.json()["error"]["message"]
    assert clinic.client.get("/api/v1/shares", headers=bob).json() == before


def test_only_patients_share(clinic):
    answer = clinic.client.post(
        "/api/v1/shares", json={"clinician": "dave@clinic.example"}, headers=as_(clinic, "carol")
    )
    assert answer.status_code == 403


def test_the_shared_clinician_reads_the_diary_and_the_patient_sees_it_in_the_audit(clinic, shared):
    alice_id = clinic.accounts["alice"].id
    carol = as_(clinic, "carol")
    listed = clinic.client.get("/api/v1/patients", headers=carol).json()
    assert [(p["id"], p["email"]) for p in listed] == [(alice_id, "alice@clinic.example")]
    clinic.client.put(
        DAY, json={"note": "after argument with husband"}, headers=as_(clinic, "alice")
    )
    day = clinic.client.get(f"/api/v1/patients/{alice_id}/diary/days/2026-03-01", headers=carol)
    assert day.status_code == 200 and day.json()["note"] == "after argument with husband"
    # Read-only: the patient routes have no PUT.
    put = clinic.client.put(
        f"/api/v1/patients/{alice_id}/diary/days/2026-03-01", json={}, headers=carol
    )
    assert put.status_code == 405
    audit = clinic.client.get("/api/v1/audit", headers=as_(clinic, "alice")).json()
    assert {
        "email": "carol@clinic.example",
        "action": "read",
        "what": "GET /api/v1/patients/{patient_id}/diary/days/{date}",
        "patient_id": alice_id,
    }.items() <= audit[0].items()
    assert all(entry["email"] != "alice@clinic.example" for entry in audit)
    assert clinic.client.get("/api/v1/audit", headers=as_(clinic, "carol")).status_code == 403
    everything = clinic.client.get("/api/v1/audit?limit=500", headers=as_(clinic, "root")).json()
    assert any(entry["email"] == "carol@clinic.example" for entry in everything)


def test_a_shared_patients_report_and_fhir_hold_their_kept_assessment(clinic, shared):
    alice_id = clinic.accounts["alice"].id
    kept = clinic.client.post(
        "/api/v1/diary/assessments",
        json={"answers": {"side": "one", "regions": ["eyelid", "mouth"]}, "timezone": "UTC"},
        headers=as_(clinic, "alice"),
    )
    assert kept.status_code == 201, kept.text
    fhir = clinic.client.get(f"/api/v1/patients/{alice_id}/fhir", headers=as_(clinic, "carol"))
    assert fhir.status_code == 200, fhir.text
    answered = {
        item["linkId"]
        for entry in fhir.json()["entry"]
        if entry["resource"]["resourceType"] == "QuestionnaireResponse"
        for item in entry["resource"]["item"]
    }
    assert {"side", "regions"} <= answered  # what Alice answered, not only her diary
    pdf = clinic.client.get(f"/api/v1/patients/{alice_id}/report", headers=as_(clinic, "carol"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("reader", "patient"),
    [
        ("dave", "alice"),  # a clinician Alice did not share with
        ("bob", "alice"),  # another patient
        ("root", "alice"),  # an administrator
        ("carol", "bob"),  # a patient who did not share with Carol
        ("carol", None),  # no such patient
    ],
)
def test_everyone_else_gets_the_same_404(clinic, shared, reader, patient):
    patient_id = clinic.accounts[patient].id if patient else 987_654
    answer = clinic.client.get(
        f"/api/v1/patients/{patient_id}/diary/days", headers=as_(clinic, reader)
    )
    assert answer.status_code == 404
    assert answer.json() == {"error": {"message": "no such patient"}}


def test_logout_revokes_the_token(clinic):
    token = sign_in(clinic.client, "bob")
    headers = {"Authorization": f"Bearer {token}"}
    assert clinic.client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert clinic.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert clinic.client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_a_disabled_accounts_token_stops_working(clinic):
    headers = as_(clinic, "gone")
    assert clinic.client.get("/api/v1/diary/days", headers=headers).status_code == 200
    set_disabled(clinic.engine, "gone@clinic.example", True)
    assert clinic.client.get("/api/v1/diary/days", headers=headers).status_code == 401


def test_an_idle_session_ends_after_15_minutes(clinic):
    token = sign_in(clinic.client, "bob")
    headers = {"Authorization": f"Bearer {token}"}
    try:
        clinic.clock.now = START + dt.timedelta(minutes=14)
        assert clinic.client.get("/api/v1/auth/me", headers=headers).status_code == 200
        clinic.clock.now = START + dt.timedelta(minutes=30)
        assert clinic.client.get("/api/v1/auth/me", headers=headers).status_code == 401
    finally:
        clinic.clock.now = START


def test_the_cookie_session_needs_the_csrf_token_to_change_anything(clinic):
    browser = TestClient(clinic.client.app, base_url="http://127.0.0.1", follow_redirects=False)
    page = browser.get("/diary")
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/diary"
    signed = browser.post(
        "/login", data={"email": "bob@clinic.example", "password": PASSWORD, "next": "/diary"}
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/diary"
    cookie = signed.headers["set-cookie"]
    assert "facespasm_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # on loopback
    diary = browser.get("/diary")
    assert diary.status_code == 200
    csrf = diary.text.split('name="csrf-token" content="')[1].split('"')[0]
    body = {"note": "by cookie", "sleep_hours": 7}
    assert browser.put(DAY, json=body).status_code == 403  # no token
    assert browser.put(DAY, json=body, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    assert browser.put(DAY, json=body, headers={"X-CSRF-Token": csrf}).status_code == 200
    assert browser.get(DAY).status_code == 200  # reading needs none
    assert browser.post("/logout", data={"csrf_token": "wrong"}).status_code == 403
    out = browser.post("/logout", data={"csrf_token": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    browser.cookies.set("facespasm_session", cookie.split("facespasm_session=")[1].split(";")[0])
    assert browser.get("/api/v1/diary/days").status_code == 401


@pytest.mark.parametrize(
    "next_path", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_signing_in_never_sends_the_browser_to_another_site(clinic, next_path):
    browser = TestClient(clinic.client.app, base_url="http://127.0.0.1", follow_redirects=False)
    signed = browser.post(
        "/login", data={"email": "bob@clinic.example", "password": PASSWORD, "next": next_path}
    )
    assert signed.headers["location"] == "/"


def test_a_wrong_password_on_the_sign_in_page(clinic):
    page = clinic.client.post(
        "/login", data={"email": "bob@clinic.example", "password": "nope nope nope"}
    )
    assert page.status_code == 401 and "wrong email or password" in page.text


def test_the_laptop_app_has_no_accounts(make_client):
    laptop = make_client()
    assert laptop.get("/api/v1/diary/days").status_code == 200
    assert laptop.get("/api/v1/auth/me").status_code == 404
    assert laptop.get("/login").status_code == 404
    assert "securitySchemes" not in laptop.get("/openapi.json").json().get("components", {})


def test_the_cookie_is_secure_when_a_proxy_on_this_computer_says_https(clinic):
    # uvicorn turns the proxy's X-Forwarded-Proto into the request's scheme; https is that.
    browser = TestClient(clinic.client.app, base_url="https://127.0.0.1", follow_redirects=False)
    signed = browser.post("/login", data={"email": "bob@clinic.example", "password": PASSWORD})
    assert signed.status_code == 303
    assert "Secure" in signed.headers["set-cookie"]
