"""`/api/v1/shares`: a patient lets a clinician read their diary, and takes it back.

`POST /shares {"clinician": EMAIL}` (201) shares with an enabled clinician's account; any other
email is 404 "no clinician with that email". `GET /shares` lists the patient's active shares;
`DELETE /shares/{share_id}` (204) revokes one (another patient's id is 404). Patients only
(403 for the other roles). Only in clinic mode. The rules are `facespasm.clinic.shares`'.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from facespasm.clinic import Share, revoke_share, share_with, shares_of
from facespasm.clinic.tables import MAX_EMAIL_LENGTH
from facespasm.web.auth import AccountDep, now, role_needed
from facespasm.web.deps import EngineDep
from facespasm.web.schemas import ErrorOut

router = APIRouter(prefix="/shares", tags=["accounts"])

_ERROR = {"model": ErrorOut}
ERRORS: dict[int | str, dict[str, Any]] = {401: _ERROR, 403: _ERROR, 404: _ERROR, 422: _ERROR}
ShareId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The share's id.")]


class ShareIn(BaseModel):
    """Whom to share the diary with."""

    model_config = ConfigDict(extra="forbid", strict=True)

    clinician: str = Field(
        min_length=1,
        max_length=MAX_EMAIL_LENGTH,
        description="The clinician's email (their facespasm account).",
        examples=["dr.lee@clinic.example"],
    )


class ShareOut(BaseModel):
    """An active share."""

    id: int
    clinician: str = Field(description="The clinician's email.")
    clinician_id: int
    created_at: dt.datetime


def _out(share: Share) -> ShareOut:
    return ShareOut(
        id=share.id,
        clinician=share.clinician_email,
        clinician_id=share.clinician_id,
        created_at=share.created_at,
    )


@router.post("", status_code=201, responses=ERRORS, summary="Share the diary with a clinician")
def add_share(body: ShareIn, request: Request, account: AccountDep, engine: EngineDep) -> ShareOut:
    """Let a clinician read the diary (the existing share if there is one)."""
    role_needed(account, "patient")
    return _out(share_with(engine, account, body.clinician, now=now(request)))


@router.get("", responses=ERRORS, summary="The diary's active shares")
def list_shares(account: AccountDep, engine: EngineDep) -> list[ShareOut]:
    """The clinicians who may read the diary now, oldest share first."""
    role_needed(account, "patient")
    return [_out(share) for share in shares_of(engine, account)]


@router.delete(
    "/{share_id}", status_code=204, response_class=Response, responses=ERRORS,
    summary="Revoke a share",
)  # fmt: skip
def delete_share(
    share_id: ShareId, request: Request, account: AccountDep, engine: EngineDep
) -> Response:
    """Stop sharing with that clinician (at once)."""
    role_needed(account, "patient")
    revoke_share(engine, account, share_id, now=now(request))
    return Response(status_code=204)
