"""`/api/v1/auth`: signing in for programs (OAuth2 password flow), signing out, who am I.

`POST /auth/token` takes the OAuth2 password form (`username` = the email, `password`) and
answers `{"access_token", "token_type": "bearer"}`; FastAPI's `OAuth2PasswordRequestForm` and
`OAuth2PasswordBearer` let /docs sign in with it. The token is a server-side session's
(`facespasm.clinic.sessions`): `POST /auth/logout` revokes it, and it ends by itself after
`session_idle_minutes` unused or `session_hours` in all. Wrong credentials are 401 whatever was
wrong, with one message; too many in a row lock the account for 15 minutes, and a locked
account's answer is that same 401 (a 429 would say the email has an account). Only in clinic
mode.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from facespasm.clinic import Account, SignInError, end_session, sign_in, start_session
from facespasm.web.auth import BEARER, AccountDep, caller_of, now
from facespasm.web.deps import app_engine
from facespasm.web.schemas import ErrorOut

router = APIRouter(prefix="/auth", tags=["accounts"])

_ERROR = {"model": ErrorOut}
SIGN_IN_ERRORS: dict[int | str, dict[str, Any]] = {401: _ERROR, 422: _ERROR}
SIGNED_IN_ERRORS: dict[int | str, dict[str, Any]] = {401: _ERROR, 403: _ERROR}


class TokenOut(BaseModel):
    """A bearer token: send it as `Authorization: Bearer <access_token>`."""

    access_token: str
    token_type: Literal["bearer"]


class MeOut(BaseModel):
    """The signed-in account."""

    id: int
    email: str
    role: Literal["patient", "clinician", "admin"]


async def open_session(request: Request, email: str, password: str) -> str:
    """Sign in and start a session; its token.

    Raises:
        HTTPException: 401 wrong email or password, or an account locked out (the same answer).
    """
    settings = request.app.state.settings
    engine = app_engine(request.app)
    moment = now(request)
    try:
        account = await anyio.to_thread.run_sync(
            lambda: sign_in(engine, email, password, now=moment)
        )
    except SignInError as wrong:  # LockedOut too: said apart, it would say the email exists
        raise HTTPException(401, str(wrong), headers=BEARER) from None
    lifetime = dt.timedelta(hours=settings.session_hours)
    return await anyio.to_thread.run_sync(
        lambda: start_session(engine, account, settings.secret, now=moment, lifetime=lifetime)
    )


@router.post("/token", responses=SIGN_IN_ERRORS, summary="Sign in: a bearer token")
async def token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenOut:
    """A bearer token for this email (`username`) and password (OAuth2 password flow).

    Raises:
        HTTPException: 401 wrong email or password, or too many attempts.
    """
    access = await open_session(request, form.username, form.password)
    return TokenOut(access_token=access, token_type="bearer")


@router.post(
    "/logout", status_code=204, response_class=Response, responses=SIGNED_IN_ERRORS,
    summary="Sign out: revoke this session",
)  # fmt: skip
async def logout(request: Request, account: AccountDep) -> Response:
    """Revoke the session this request came with (its token stops working at once)."""
    caller = await caller_of(request)
    if caller is not None:
        engine = app_engine(request.app)
        secret = request.app.state.settings.secret
        moment = now(request)
        await anyio.to_thread.run_sync(
            lambda: end_session(engine, caller.token, secret, now=moment)
        )
    return Response(status_code=204)


@router.get("/me", responses=SIGNED_IN_ERRORS, summary="The signed-in account")
def me(account: AccountDep) -> MeOut:
    """The signed-in account's id, email and role."""
    return _me(account)


def _me(account: Account) -> MeOut:
    return MeOut(id=account.id, email=account.email, role=account.role)
