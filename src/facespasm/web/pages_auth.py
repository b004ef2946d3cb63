"""The sign-in page and signing out, for the pages of a clinic server (`Settings.clinic`).

`GET /login` shows the form; `POST /login` (email, password, next) checks them as
`POST /api/v1/auth/token` does and starts a session whose token goes in the cookie
`facespasm_session` -- HttpOnly (no script reads it), SameSite=Lax (not sent with another
site's POST), Secure when the request came over HTTPS (uvicorn believes a reverse proxy on this
computer that says so) or the server listens beyond this computer -- then sends the browser
on to `next`, a path on this site only (never another site: no open redirect). `POST /logout`
(with the page's CSRF token) revokes the session and clears the cookie.
"""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from facespasm.clinic import end_session
from facespasm.web.api_auth import open_session
from facespasm.web.auth import SESSION_COOKIE, caller_of, check_csrf, now, safe_next
from facespasm.web.deps import app_engine
from facespasm.web.pages import render

router = APIRouter(include_in_schema=False)

MAX_FIELD = 1024


def _login_page(
    request: Request, next_path: str, *, message: str | None = None, status: int = 200
) -> HTMLResponse:
    page = render(
        request, "login.html", title="Sign in", page="login.html", next=next_path, message=message
    )
    page.status_code = status
    return page


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    """The sign-in form."""
    return _login_page(request, safe_next(next))


@router.post("/login")
async def login(request: Request) -> Response:
    """Sign in from the form: the cookie, and on to `next`; the form again with why not."""
    form = await request.form()
    fields = {
        name: value if isinstance(value, str) else ""
        for name, value in ((name, form.get(name)) for name in ("email", "password", "next"))
    }
    next_path = safe_next(fields["next"][:MAX_FIELD])
    if not fields["email"] or not fields["password"]:
        return _login_page(request, next_path, message="Enter your email and password.", status=422)
    try:
        token = await open_session(
            request, fields["email"][:MAX_FIELD], fields["password"][:MAX_FIELD]
        )
    except HTTPException as refused:
        return _login_page(
            request, next_path, message=str(refused.detail), status=refused.status_code
        )
    answer = RedirectResponse(next_path, status_code=303)
    answer.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https" or not request.app.state.settings.local_only,
        path="/",
    )
    return answer


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Sign out: revoke the cookie's session (the form carries the CSRF token), clear the cookie."""
    caller = await caller_of(request)
    if caller is not None and caller.by_cookie:
        await check_csrf(request, caller)
        engine = app_engine(request.app)
        secret = request.app.state.settings.secret
        moment = now(request)
        await anyio.to_thread.run_sync(
            lambda: end_session(engine, caller.token, secret, now=moment)
        )
    answer = RedirectResponse("/login", status_code=303)
    answer.delete_cookie(SESSION_COOKIE, path="/")
    return answer
