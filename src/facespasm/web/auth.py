"""Who is calling: the signed-in account of a request, in clinic mode (`Settings.clinic`).

Two ways in, backed by the same server-side sessions (`facespasm.clinic.sessions`):
- `Authorization: Bearer <token>` from `POST /api/v1/auth/token` (programs, /docs);
- the pages' cookie `facespasm_session` from `POST /login`.

Decisions:
- In clinic mode every API route but the health check, the token route and the documentation
  needs an account (`require_account`, added to the routers by `create_app`): 401 with
  `WWW-Authenticate: Bearer` otherwise. Pages send the browser to `/login?next=...` instead
  (`require_page_account`). Laptop mode adds neither: no login, as before.
- **CSRF**: a request that changes something and is signed in by the cookie must carry the
  session's CSRF token (`X-CSRF-Token`, or a form's `csrf_token` field), else 403 -- a browser
  sends the cookie with a request another site's page makes it send (OWASP CSRF Prevention
  Cheat Sheet, "synchronizer token pattern"). A bearer token is never sent by a browser on its
  own, so bearer requests need none.
- The diary a request acts on (`clinic_diary`, behind `deps.DiaryDep`): a patient's own; under
  `/patients/{patient_id}` the shared patient's, after `patient_access` checked the share and
  wrote the audit entry. Clinicians and administrators have no diary of their own there (403);
  a patient who does not share with the caller is the same 404 whatever the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

import anyio
from fastapi import Depends, Path, Request
from fastapi.security import OAuth2PasswordBearer
from starlette.exceptions import HTTPException

from facespasm.clinic import Account, record, session_account, shared_patient
from facespasm.clinic.sessions import csrf_matches, csrf_token
from facespasm.clinic.shares import NO_PATIENT
from facespasm.diary.store import Diary
from facespasm.errors import NotFoundError
from facespasm.web.deps import app_engine
from facespasm.web.operations import operations_at
from facespasm.web.request_types import media_type
from facespasm.web.same_origin import STATE_CHANGING

SESSION_COOKIE = "facespasm_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
TOKEN_URL = "/api/v1/auth/token"
BEARER = {"WWW-Authenticate": "Bearer"}
FORM = "application/x-www-form-urlencoded"
MAX_ACCOUNT_ID = 2**31 - 1

bearer_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


@dataclass(frozen=True)
class Caller:
    """A signed-in account, and how it came in."""

    account: Account
    token: str
    by_cookie: bool


class SignInNeeded(Exception):
    """A page asked for without a session: the browser goes to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        """Where to come back to after signing in."""
        self.next_path = next_path
        super().__init__(next_path)


def now(request: Request) -> dt.datetime:
    """The application's clock (injected by `create_app`, for tests of idle sessions)."""
    moment: dt.datetime = request.app.state.clock()
    return moment


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


async def caller_of(request: Request) -> Caller | None:
    """The request's signed-in account (bearer first, then the cookie), or None; remembered.

    A session found is marked used (idle time restarts); an ended one is None.
    """
    if hasattr(request.state, "caller"):
        remembered: Caller | None = request.state.caller
        return remembered
    settings = request.app.state.settings
    token = _bearer(request)
    by_cookie = token is None
    if token is None:
        token = request.cookies.get(SESSION_COOKIE) or None
    found: Caller | None = None
    if token is not None and len(token) <= 200:
        engine = app_engine(request.app)
        account = await anyio.to_thread.run_sync(
            lambda: session_account(
                engine,
                token,
                settings.secret,
                now=now(request),
                idle=dt.timedelta(minutes=settings.session_idle_minutes),
            )
        )
        if account is not None:
            found = Caller(account, token, by_cookie)
    request.state.caller = found
    if found is not None and found.by_cookie:
        request.state.csrf_token = csrf_token(found.token, settings.secret)
    return found


async def check_csrf(request: Request, caller: Caller) -> None:
    """Refuse a change signed in by the cookie without the session's CSRF token.

    Raises:
        HTTPException: 403.
    """
    if not caller.by_cookie or request.method not in STATE_CHANGING:
        return
    given = request.headers.get(CSRF_HEADER.lower())
    if given is None and media_type(request.headers.get("content-type", "")) == FORM:
        field = (await request.form()).get(CSRF_FIELD)
        given = field if isinstance(field, str) else None
    secret = request.app.state.settings.secret
    if given is None or not csrf_matches(caller.token, secret, given):
        raise HTTPException(
            403, "refused: this change lacks the page's CSRF token; reload the page and try again"
        )


async def require_account(
    request: Request, _token: Annotated[str | None, Depends(bearer_scheme)] = None
) -> Account:
    """The signed-in account of an API request (CSRF checked for the cookie).

    Raises:
        HTTPException: 401 no one signed in, 403 a cookie request without its CSRF token.
    """
    caller = await caller_of(request)
    if caller is None:
        raise HTTPException(401, "sign in first (POST /api/v1/auth/token)", headers=BEARER)
    await check_csrf(request, caller)
    return caller.account


async def require_page_account(request: Request) -> Account:
    """The signed-in account of a page request; the sign-in page for anyone else.

    Raises:
        SignInNeeded: no one signed in (the app answers with a redirect to /login).
        HTTPException: 403 a cookie request without its CSRF token.
    """
    caller = await caller_of(request)
    if caller is None:
        query = request.url.query
        raise SignInNeeded(request.url.path + (f"?{query}" if query else ""))
    await check_csrf(request, caller)
    return caller.account


AccountDep = Annotated[Account, Depends(require_account)]


def role_needed(account: Account, *roles: str) -> None:
    """Refuse (403) an account whose role is not one of `roles`.

    Raises:
        HTTPException: 403.
    """
    if account.role not in roles:
        raise HTTPException(403, f"only a {' or '.join(roles)} may do this")


PatientId = Annotated[
    int,
    Path(ge=1, le=MAX_ACCOUNT_ID, description="The patient's account id (GET /api/v1/patients)."),
]


def patient_access(request: Request, patient_id: PatientId, account: AccountDep) -> Account:
    """The patient of `/patients/{patient_id}` the caller may read; the read is audited.

    Raises:
        NotFoundError: "no such patient" (no active share, whatever the reason; 404).
    """
    engine = app_engine(request.app)
    patient = shared_patient(engine, account, patient_id)
    # The route's template as published (never the path itself: it holds dates and ids).
    published = operations_at(request.app, request.url.path)
    template = published.template if published is not None else "/api/v1/patients/{patient_id}"
    record(
        engine,
        account,
        "read" if request.method in ("GET", "HEAD") else "change",
        f"{request.method} {template}",
        patient,
        from_address=request.client.host if request.client else None,
        now=now(request),
    )
    request.state.patient = patient
    return patient


PatientDep = Annotated[Account, Depends(patient_access)]


def clinic_diary(request: Request) -> Diary:
    """The diary a clinic-mode request acts on (see the module's decisions).

    Raises:
        HTTPException: 401 no one signed in, 403 a clinician's or administrator's own diary.
        NotFoundError: under /patients/{patient_id}, no patient shares with the caller.
    """
    engine = app_engine(request.app)
    if "patient_id" in request.path_params:
        patient: Account | None = getattr(request.state, "patient", None)
        if patient is None:
            raise NotFoundError(NO_PATIENT)
        return Diary(engine, patient.person_id)
    caller: Caller | None = getattr(request.state, "caller", None)
    if caller is None:
        raise HTTPException(401, "sign in first (POST /api/v1/auth/token)", headers=BEARER)
    if caller.account.role != "patient":
        raise HTTPException(
            403,
            "clinicians and administrators have no diary here; "
            "a patient's shared diary is under /api/v1/patients/{id}",
        )
    return Diary(engine, caller.account.person_id)


def login_path(next_path: str) -> str:
    """The sign-in page's address, coming back to `next_path` afterwards."""
    return "/login?next=" + quote(next_path, safe="/")


def safe_next(next_path: str | None) -> str:
    """`next_path` if it is a path on this site, else "/" (no open redirect to another site)."""
    if (
        not next_path
        or not next_path.startswith("/")
        or next_path.startswith("//")
        or "\\" in next_path
        or any(ord(c) < 0x20 or ord(c) == 0x7F for c in next_path)
    ):
        return "/"
    return next_path
