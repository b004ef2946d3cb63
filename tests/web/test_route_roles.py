"""Every route of the clinic server, every method, every role: who gets what, and what leaks.

The routes are enumerated from the application itself (`app.routes`, pages, mounts and API
alike), never from a hand list: a route added without a rule below fails `test_every_route_has_a_rule`
with its name, and a rule left behind by a removed route fails `test_every_rule_names_a_route`.

The clinic: patients Alice and Bob, clinician Carol (Alice shares with her), clinician Dave (no
one shares with him) and an administrator; Alice's diary holds a day, an episode and a treatment
whose notes say "after argument with husband", a rating, a kept measurement and assessment, and
her share. Each route is asked by every role, path parameters filled with Alice's real ids, a
minimal valid body where one is needed, and the answer checked against the route's rule:

| rule             | anonymous          | allowed (2xx)              | any other account           |
|------------------|--------------------|----------------------------|-----------------------------|
| public           | 2xx                | everyone                   | --                          |
| sign-in          | refused credentials| each with its own password | --                          |
| signed-in        | 401 / to /login    | every account              | --                          |
| own-diary        | 401 / to /login    | Alice; Bob (his own diary) | 403 (clinicians, admin)     |
| patient-only     | 401 / to /login    | Alice, Bob                 | 403                         |
| clinician-only   | 401 / to /login    | Carol, Dave (his own list) | 403                         |
| shared-clinician | 401 / to /login    | Carol                      | 404, the same as no patient |
| patient-or-admin | 401 / to /login    | Alice, Bob, admin          | 403                         |

Bob asking for one of Alice's ids gets 404. Whatever the status, no answer to anyone but Alice
(and Carol on her shared routes, the administrator on the audit log) holds Alice's note or email,
and no change by anyone but Alice alters her record (read back as Alice before and after).

The whole matrix runs on SQLite; on PostgreSQL -- the server connecting as the app's role, neither
owner nor superuser, under row security (`facespasm db grant`) -- the routes that touch a
patient's data run again: there the database itself keeps each person's rows to them.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from facespasm.clinic import Account, add_account, start_session
from facespasm.diary.database import open_database
from facespasm.diary.store import Diary
from facespasm.web.app import create_app
from facespasm.web.settings import Settings
from tests.answers import EYELID
from tests.diary.postgres_roles import clinic_database

PASSWORD = "correct horse battery"
SECRET = "r" * 40
NOTE = "after argument with husband"
ALICE_EMAIL = "alice.k7q@patients.example"
# What only Alice (and whom she allows) may ever see.
PLANTED = (NOTE, ALICE_EMAIL)
ROLES = ("anonymous", "bob", "carol", "dave", "admin", "alice")  # Alice last: her own changes
EMAILS = {
    "alice": ALICE_EMAIL,
    "bob": "bob.m2x@patients.example",
    "carol": "carol.dr@clinic.example",
    "dave": "dave.dr@clinic.example",
    "admin": "root@clinic.example",
}
ACCOUNT_ROLES = {
    "alice": "patient",
    "bob": "patient",
    "carol": "clinician",
    "dave": "clinician",
    "admin": "admin",
}
ORIGIN = "http://127.0.0.1"
# The app's clock: Alice's February lies within the doctor's report's last 90 days.
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
NO_PATIENT_ID = 2**31 - 1
EVERYONE = frozenset(ROLES)
ACCOUNTS = EVERYONE - {"anonymous"}


@dataclass(frozen=True)
class Rule:
    """Who gets a 2xx, what everyone else signed in gets, and who may see Alice's data."""

    name: str
    allowed: frozenset[str]
    refused: int | None  # a signed-in role not allowed: 403, or 404 (as for no such patient)
    sees_alice: frozenset[str]


PUBLIC = Rule("public", EVERYONE, None, frozenset())
SIGN_IN = Rule("sign-in", ACCOUNTS, None, frozenset({"alice"}))
SIGNED_IN = Rule("signed-in", ACCOUNTS, None, frozenset({"alice"}))
OWN_DIARY = Rule("own-diary", frozenset({"alice", "bob"}), 403, frozenset({"alice"}))
PATIENT_ONLY = Rule("patient-only", frozenset({"alice", "bob"}), 403, frozenset({"alice"}))
CLINICIAN_ONLY = Rule("clinician-only", frozenset({"carol", "dave"}), 403, frozenset({"carol"}))
SHARED_CLINICIAN = Rule("shared-clinician", frozenset({"carol"}), 404, frozenset({"carol"}))
PATIENT_OR_ADMIN = Rule(
    "patient-or-admin", frozenset({"alice", "bob", "admin"}), 403, frozenset({"alice", "admin"})
)

_DIARY = "/api/v1/diary"
_PATIENT = "/api/v1/patients/{patient_id}"
RULE_NAMES = {
    rule.name: rule
    for rule in (
        PUBLIC, SIGN_IN, SIGNED_IN, OWN_DIARY, PATIENT_ONLY, CLINICIAN_ONLY, SHARED_CLINICIAN,
        PATIENT_OR_ADMIN,
    )
}  # fmt: skip
# Every route (method and path, as the app has it) and its rule, a row each; `=` a line of rows
# for the API's routes under /api/v1/diary that a shared clinician reads again, read-only, under
# /api/v1/patients/{patient_id}.
RULE_TABLE = """
GET    /openapi.json                                   public    the schema
HEAD   /openapi.json                                   public
GET    /docs                                           public    its viewers
GET    /redoc                                          public
GET    /docs/assets                                    public    their files (a mount)
GET    /static                                         public    the pages' files (a mount)
GET    /api/v1/health                                  public    for load balancers
GET    /login                                          public    the sign-in form
POST   /logout                                         public    signing out (ends no one else's)
POST   /api/v1/auth/token                              sign-in
POST   /login                                          sign-in
POST   /api/v1/auth/logout                             signed-in  the caller's own session
GET    /api/v1/auth/me                                 signed-in
POST   /api/v1/assess                                  signed-in  computed from the request alone
POST   /api/v1/read                                    signed-in
POST   /api/v1/interview                               signed-in
POST   /api/v1/analyze                                 signed-in  (save=true: own-diary)
POST   /api/v1/report                                  signed-in  (diary=true: own-diary)
POST   /api/v1/fhir                                    signed-in
GET    /api/v1/diary/rating-scales                     signed-in  reference data, no one's
GET    /                                               signed-in
GET    /interview                                      signed-in
GET    /video                                          signed-in
POST   /result                                         signed-in
POST   /api/v1/diary/episodes                          own-diary
GET    /api/v1/diary/episodes                          own-diary  =
GET    /api/v1/diary/episodes/{id}                     own-diary  =
PATCH  /api/v1/diary/episodes/{id}                     own-diary
DELETE /api/v1/diary/episodes/{id}                     own-diary
PUT    /api/v1/diary/days/{date}                       own-diary
GET    /api/v1/diary/days/{date}                       own-diary  =
DELETE /api/v1/diary/days/{date}                       own-diary
GET    /api/v1/diary/days                              own-diary  =
POST   /api/v1/diary/import                            own-diary
GET    /api/v1/diary/export                            own-diary  =
GET    /api/v1/diary/triggers                          own-diary  =
GET    /api/v1/diary/cycles                            own-diary  =
POST   /api/v1/diary/treatments                        own-diary
GET    /api/v1/diary/treatments                        own-diary  =
GET    /api/v1/diary/treatments/{id}                   own-diary  =
PATCH  /api/v1/diary/treatments/{id}                   own-diary
DELETE /api/v1/diary/treatments/{id}                   own-diary
POST   /api/v1/diary/treatments/latest-injection/onset    own-diary
POST   /api/v1/diary/treatments/latest-injection/wore-off own-diary
GET    /api/v1/diary/measurements                      own-diary  =
GET    /api/v1/diary/measurements/{id}                 own-diary  =
GET    /api/v1/diary/measurements/{id}/analysis        own-diary  =
DELETE /api/v1/diary/measurements/{id}                 own-diary
POST   /api/v1/diary/assessments                       own-diary
GET    /api/v1/diary/assessments                       own-diary  =
GET    /api/v1/diary/assessments/{id}                  own-diary  =
GET    /api/v1/diary/assessments/{id}/result           own-diary  =
GET    /api/v1/diary/assessments/{id}/changes          own-diary  =
DELETE /api/v1/diary/assessments/{id}                  own-diary
POST   /api/v1/diary/ratings                           own-diary
GET    /api/v1/diary/ratings                           own-diary  =
GET    /api/v1/diary/ratings/trend                     own-diary  =
GET    /api/v1/diary/ratings/reminder                  own-diary  =
PUT    /api/v1/diary/ratings/reminder                  own-diary
GET    /api/v1/diary/ratings/{id:int}                  own-diary  =
DELETE /api/v1/diary/ratings/{id:int}                  own-diary
GET    /diary                                          own-diary  the diary's pages
GET    /diary/history                                  own-diary
GET    /diary/ratings                                  own-diary
GET    /diary/treatments                               own-diary
GET    /diary/treatments/list                          own-diary
GET    /diary/treatments/cycles                        own-diary
GET    /diary/kept                                     own-diary
GET    /diary/kept/lists                               own-diary
GET    /diary/kept/assessments/{id}                    own-diary
POST   /api/v1/shares                                  patient-only
GET    /api/v1/shares                                  patient-only
DELETE /api/v1/shares/{share_id}                       patient-only
GET    /sharing                                        patient-only
POST   /sharing                                        patient-only
POST   /sharing/stop                                   patient-only
GET    /api/v1/patients                                clinician-only  Dave's list is empty
GET    /clinic                                         clinician-only
GET    /api/v1/patients/{patient_id}/diary/rating-scales  shared-clinician
GET    /api/v1/patients/{patient_id}/report            shared-clinician  the doctor's PDF
GET    /api/v1/patients/{patient_id}/fhir              shared-clinician
GET    /clinic/patients/{patient_id}                   shared-clinician
GET    /api/v1/audit                                   patient-or-admin
"""


def _rules(table: str) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for line in table.strip().splitlines():
        method, path, name, *notes = line.split()
        rules[f"{method} {path}"] = RULE_NAMES[name]
        if notes == ["="]:
            shared = path.replace(_DIARY, f"{_PATIENT}/diary")
            rules[f"GET {shared}"] = SHARED_CLINICIAN
    return rules


RULES = _rules(RULE_TABLE)

# The routes that read or change a patient's data: run again on PostgreSQL under row security.
PATIENT_DATA = {OWN_DIARY, PATIENT_ONLY, CLINICIAN_ONLY, SHARED_CLINICIAN, PATIENT_OR_ADMIN}

# What an allowed caller gets where it is not simply 2xx (each with why).
ALLOWED_STATUS: dict[str, set[int]] = {
    # Generated bytes are no video: refused after the account is known (the analysis itself is
    # tested with real clips in test_api_analyze.py); the matrix only asks who gets that far.
    "POST /api/v1/analyze": {415, 422},
    # Signing out and the forms answer with a redirect (post/redirect/get).
    "POST /logout": {303},
    "POST /login": {303},
    "POST /sharing": {303},
    "POST /sharing/stop": {303},
}
# The routes that take Alice's id in the body, not the path.
IDS_IN_BODY = {"POST /sharing/stop"}
# Files to ask the mounts for.
MOUNT_FILES = {"/static": "/static/common.js", "/docs/assets": "/docs/assets/swagger-ui.css"}

CSV = (
    b"date,episodes,sleep_hours,caffeine_drinks,alcohol_drinks,stress_0_10,screen_hours,nicotine\n"
    b"2026-01-10,2,7.5,1,0,3,4,0\n"
)
BOTOX = {"date": "2026-02-01", "kind": "botulinum_toxin", "side": "left", "dose_units": 20}
ANALYSIS = {"summary": {"face_minutes": 0.5, "blink_rate_per_min": 30.0,
                        "events_by_side": {"spasm_right": 2}, "eyes_closed_s": 6.0}}  # fmt: skip


def _bodies(role: str) -> dict[str, dict[str, Any]]:
    """A minimal valid request body for each route that takes one (by role where it differs)."""
    email = EMAILS.get(role, "nobody@clinic.example")
    password = PASSWORD if role != "anonymous" else "not the password"
    return {
        "POST /api/v1/auth/token": {"data": {"username": email, "password": password}},
        "POST /login": {"data": {"email": email, "password": password, "next": "/"}},
        "POST /logout": {"data": {}},
        "POST /api/v1/assess": {"json": {"answers": EYELID}},
        "POST /api/v1/read": {"json": {"text": "my left eye twitches after coffee"}},
        "POST /api/v1/interview": {"json": {"answers": [["age", 55]]}},
        "POST /api/v1/analyze": {"files": {"file": ("clip.mp4", b"not a video")}},
        "POST /api/v1/report": {"json": {"answers": EYELID}},
        "POST /api/v1/fhir": {"json": {"answers": EYELID}},
        "POST /result": {"json": {"answers": EYELID}},
        f"POST {_DIARY}/episodes": {
            "json": {"side": "left", "regions": ["eyelid"], "severity": 3, "timezone": "UTC"}
        },
        f"PATCH {_DIARY}/episodes/{{id}}": {"json": {"severity": 5}},
        f"PUT {_DIARY}/days/{{date}}": {"json": {"sleep_hours": 6}},
        f"POST {_DIARY}/import": {"files": {"file": ("days.csv", CSV)}},
        f"POST {_DIARY}/treatments": {"json": {"date": "2026-01-15", "kind": "medication"}},
        f"PATCH {_DIARY}/treatments/{{id}}": {"json": {"dose_units": 25}},
        f"POST {_DIARY}/treatments/latest-injection/onset": {"json": {"date": "2026-02-05"}},
        f"POST {_DIARY}/treatments/latest-injection/wore-off": {"json": {"date": "2026-04-20"}},
        f"POST {_DIARY}/assessments": {"json": {"answers": EYELID, "timezone": "UTC"}},
        f"POST {_DIARY}/ratings": {
            "json": {
                "scale": "jrs",
                "date": "2026-02-20",
                "answers": {"severity": 2, "frequency": 2},
            }
        },
        f"PUT {_DIARY}/ratings/reminder": {"json": {"interval_days": 7}},
        "POST /api/v1/shares": {"json": {"clinician": EMAILS["carol"]}},
        "POST /sharing": {"data": {"clinician": EMAILS["carol"]}},
    }


@dataclass
class World:
    """A clinic app, its accounts' bearer tokens and Alice's planted records."""

    client: TestClient
    engine: Any
    accounts: dict[str, Account]
    tokens: dict[str, str]
    ids: dict[str, Any]
    scratch_makers: dict[str, Callable[[], Any]] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        """The role's bearer header (none for anonymous)."""
        return {} if role == "anonymous" else {"Authorization": f"Bearer {self.tokens[role]}"}

    def fresh_headers(self, role: str) -> dict[str, str]:
        """A bearer header of a session of its own (for the routes that end their session)."""
        if role == "anonymous":
            return {}
        token = start_session(self.engine, self.accounts[role], SECRET.encode(), now=NOW)
        return {"Authorization": f"Bearer {token}"}

    def scratch(self, kind: str) -> Any:
        """A new record of Alice's of this kind, for her own deletions (hers stay for the rest)."""
        return self.scratch_makers[kind]()

    def as_alice(self, method: str, path: str, **kwargs: Any) -> Any:
        """Alice's own request, which must succeed; its JSON (or None)."""
        answer = self.client.request(method, path, headers=self.headers("alice"), **kwargs)
        assert answer.status_code < 300, (method, path, answer.status_code, answer.text)
        return answer.json() if answer.content else None


def route_keys(app: Any) -> list[str]:
    """Every route of the app as "METHOD path" (a mount as a GET of its folder)."""
    keys = []
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, Mount):
            keys.append(f"GET {context.path}")
            continue
        keys.extend(f"{method} {context.path}" for method in sorted(context.methods or ()))
    return keys


def _enumerated() -> list[str]:
    with tempfile.TemporaryDirectory(prefix="facespasm-routes-") as folder:
        settings = Settings(
            database_url=f"sqlite:///{folder}/unused.sqlite3",
            upload_dir=folder,
            clinic=True,
            secret_key=SECRET,
        )
        return route_keys(create_app(settings))


ROUTES = _enumerated()


@pytest.fixture(scope="module")
def sqlite_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The clinic on a SQLite file."""
    folder = tmp_path_factory.mktemp("route-roles")
    url = f"sqlite:///{folder / 'clinic.sqlite3'}"
    engine = open_database(url, schema="upgrade")
    try:
        yield from _world(url, engine, folder)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def postgres_world(
    postgres_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The clinic on PostgreSQL, the server connecting as the app's role under row security."""
    with clinic_database(postgres_server, "routes") as clinic:
        yield from _world(clinic.url(clinic.app_role), clinic.app, tmp_path_factory.mktemp("pg"))


def _world(url: str, engine: Any, folder: Any) -> Iterator[World]:
    accounts = {
        name: add_account(engine, EMAILS[name], role, PASSWORD)
        for name, role in ACCOUNT_ROLES.items()
    }
    settings = Settings(database_url=url, upload_dir=folder, clinic=True, secret_key=SECRET)
    app = create_app(settings, clock=lambda: NOW)
    client = TestClient(app, base_url=ORIGIN, follow_redirects=False)
    with client:
        tokens = {
            name: start_session(engine, account, SECRET.encode(), now=NOW)
            for name, account in accounts.items()
        }
        world = World(client, engine, accounts, tokens, {})
        _plant(world)
        yield world


def _plant(world: World) -> None:
    """Alice's records, each kind once, her note in them; her share with Carol."""
    diary = f"{_DIARY}"
    alice = world.accounts["alice"]

    def episode() -> int:
        body = {"side": "left", "regions": ["eyelid"], "severity": 6, "note": NOTE,
                "at": "2026-02-10T08:00:00", "timezone": "Europe/Berlin"}  # fmt: skip
        made: int = world.as_alice("POST", f"{diary}/episodes", json=body)["id"]
        return made

    def day() -> str:
        # Three recent days: the doctor's report needs three of the last fortnight's (evidence.py).
        for date in ("2026-02-25", "2026-02-26"):
            world.as_alice("PUT", f"{diary}/days/{date}", json={"sleep_hours": 5.5})
        date = "2026-02-27"
        world.as_alice("PUT", f"{diary}/days/{date}", json={"note": NOTE, "sleep_hours": 5})
        return date

    def treatment() -> int:
        made: int = world.as_alice("POST", f"{diary}/treatments", json={**BOTOX, "note": NOTE})[
            "id"
        ]
        return made

    def rating() -> int:
        body = {"scale": "jrs", "date": "2026-02-12", "answers": {"severity": 3, "frequency": 3}}
        made: int = world.as_alice("POST", f"{diary}/ratings", json=body)["id"]
        return made

    def measurement() -> int:
        kept = Diary(world.engine, alice.person_id).measurements.save(ANALYSIS, timezone="UTC")
        assert kept.id is not None
        return kept.id

    def assessment() -> int:
        body = {"answers": EYELID, "timezone": "UTC"}
        made: int = world.as_alice("POST", f"{diary}/assessments", json=body)["id"]
        return made

    def share() -> int:
        made: int = world.as_alice("POST", "/api/v1/shares", json={"clinician": EMAILS["dave"]})[
            "id"
        ]
        return made

    def scratch_day() -> str:
        world.as_alice("PUT", f"{diary}/days/2026-01-20", json={"sleep_hours": 8})
        return "2026-01-20"

    world.scratch_makers.update(
        episodes=episode, days=scratch_day, treatments=treatment, ratings=rating,
        measurements=measurement, assessments=assessment, share=share,
    )  # fmt: skip
    world.ids.update(
        episodes=episode(), days=day(), treatments=treatment(), ratings=rating(),
        measurements=measurement(), assessments=assessment(), patient_id=alice.id,
    )  # fmt: skip
    carol = world.as_alice("POST", "/api/v1/shares", json={"clinician": EMAILS["carol"]})
    world.ids["share_id"] = carol["id"]


_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
_COLLECTIONS = ("episodes", "treatments", "ratings", "measurements", "assessments")


def _collection(path: str, start: int) -> str:
    before = path[:start].rstrip("/").rsplit("/", 1)[-1]
    if before not in _COLLECTIONS:
        raise AssertionError(f"no id to fill in for {path}: add its collection to the test")
    return before


def fill(path: str, ids: dict[str, Any], scratch: Callable[[str], Any] | None = None) -> str:
    """The path with Alice's ids (or, given `scratch`, a new record's, for her own deletions)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        kind = {"date": "days", "share_id": "share"}.get(name, name)
        if name == "id":
            kind = _collection(path, match.start())
        if scratch is not None and kind != "patient_id":
            return str(scratch(kind))
        return str(ids["share_id" if kind == "share" else kind])

    return _PARAM.sub(value, path)


def _has_alice_id(path: str) -> bool:
    return any(name in ("id", "share_id") for name in _PARAM.findall(path))


def _snapshot(world: World, path: str) -> str | None:
    """Alice's own view of the record at `path` (None: nothing to read back there)."""
    answer = world.client.get(path, headers=world.headers("alice"))
    return answer.text if answer.status_code == 200 else None


def ask(world: World, key: str, role: str) -> tuple[str, Any]:
    """The role's request for a route (with Alice's ids); the path asked and the answer."""
    method, template = key.split(" ", 1)
    changes = method in ("POST", "PUT", "PATCH", "DELETE")
    own_deletion = role == "alice" and (method == "DELETE" or key in ("POST /sharing/stop",))
    path = MOUNT_FILES.get(template) or fill(
        template, world.ids, world.scratch if own_deletion else None
    )
    world.client.cookies.clear()  # a sign-in's cookie never rides along with the next role
    body = _bodies(role).get(key, {}) if changes else {}
    if key in IDS_IN_BODY:  # Alice's share with Carol; for Alice herself, a new one to stop
        share = world.scratch("share") if own_deletion else world.ids["share_id"]
        body = {"data": {"share_id": str(share)}}
    headers = (
        world.fresh_headers(role) if key == "POST /api/v1/auth/logout" else world.headers(role)
    )
    return path, world.client.request(method, path, headers=headers, **body)


def _bobs_status(key: str, rule: Rule, template: str) -> set[int] | None:
    """Bob on Alice's paths, where his own diary differs from hers (None: as anyone allowed)."""
    if rule in (OWN_DIARY, PATIENT_ONLY) and (_has_alice_id(template) or key in IDS_IN_BODY):
        return {404}  # her ids are no ids of his
    if "latest-injection" in template:
        return {404}  # he has no injection
    if rule is OWN_DIARY and "{date}" in template:
        return {200, 204, 404}  # his own day at her date, if he wrote one
    return None


def expected_status(key: str, rule: Rule, role: str) -> set[int]:
    """The statuses the rule allows this role for this route."""
    template = key.split(" ", 1)[1]
    is_page = not template.startswith("/api/") and template != "/openapi.json"
    if role == "anonymous" and rule is SIGN_IN:
        return {401}  # a wrong password, whichever way in
    if role == "anonymous" and rule is not PUBLIC:
        return {303} if is_page else {401}  # to the sign-in page; the bearer challenge
    if role not in rule.allowed:
        return {rule.refused} if rule.refused is not None else set()
    if role == "bob":
        return _bobs_status(key, rule, template) or ALLOWED_STATUS.get(key, {200, 201, 204})
    return ALLOWED_STATUS.get(key, {200, 201, 204})


def _leaks(text: str) -> list[str]:
    return [planted for planted in PLANTED if planted in text]


def test_every_route_has_a_rule():
    missing = [key for key in ROUTES if key not in RULES]
    assert not missing, f"routes without a rule in RULES: {missing}"


def test_every_rule_names_a_route():
    stale = sorted(set(RULES) - set(ROUTES))
    assert not stale, f"rules for routes the app no longer has: {stale}"


def test_every_route_that_takes_a_body_has_one_here():
    # Pages take theirs outside the schema: they are listed in `_bodies` by hand.
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite:///{folder}/unused.sqlite3", upload_dir=folder, clinic=True,
            secret_key=SECRET,
        )  # fmt: skip
        document = create_app(settings).openapi()
    taking = {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    }
    missing = taking - set(_bodies("alice"))
    assert not missing, f"no minimal body for {sorted(missing)}"


@pytest.mark.parametrize("key", ROUTES)
def test_each_role_gets_what_the_rule_says(sqlite_world, key):
    check_route(sqlite_world, key)


@pytest.mark.parametrize("key", [key for key in ROUTES if RULES.get(key) in PATIENT_DATA])
def test_on_postgresql_under_row_security(postgres_world, key):
    check_route(postgres_world, key)


def check_route(world: World, key: str) -> None:
    """Ask the route as every role; check each answer against the route's rule."""
    rule = RULES.get(key)
    if rule is None:
        pytest.fail(f"no rule for {key}: add it to RULES", pytrace=False)
    method, template = key.split(" ", 1)
    is_page = not template.startswith("/api/") and template != "/openapi.json"
    changes = method in ("POST", "PUT", "PATCH", "DELETE")
    alice_path = MOUNT_FILES.get(template) or fill(template, world.ids)
    before = _snapshot(world, alice_path) if changes and method != "POST" else None
    refusals: dict[str, tuple[int, str]] = {}
    for role in ROLES:
        _, answer = ask(world, key, role)
        where = f"{key} as {role}: {answer.status_code} {answer.text[:300]}"
        if role not in rule.sees_alice:
            assert not _leaks(answer.text), f"{where} -- shows Alice's {_leaks(answer.text)}"
        assert answer.status_code in expected_status(key, rule, role), where
        if role == "anonymous" and rule not in (PUBLIC, SIGN_IN):
            if is_page:
                assert answer.headers["location"].startswith("/login?next="), where
            else:
                assert answer.headers["WWW-Authenticate"] == "Bearer", where
        if role not in rule.allowed and role != "anonymous":
            refusals[role] = (answer.status_code, answer.text)
        if changes and role != "alice" and before is not None:
            assert _snapshot(world, alice_path) == before, f"{where} -- changed Alice's record"
    if rule is SHARED_CLINICIAN:
        # Each gets the same answer as for a patient who does not exist: nothing tells them apart.
        nobody = fill(template.replace("{patient_id}", str(NO_PATIENT_ID)), world.ids)
        for role, refused in refusals.items():
            absent = world.client.get(nobody, headers=world.headers(role))
            assert refused == (absent.status_code, absent.text), f"{key} as {role}"
