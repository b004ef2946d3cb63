"""`GET /api/v1/audit`: who read a patient's data (for the patient), or everything (admin).

A patient sees the entries about their own data made by others, each naming the reader's
`email`; an administrator sees every entry; a clinician is refused (403). Newest first, paged
with `limit` and `offset`. Only in clinic mode. The log is `facespasm.clinic.audit`'s.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from facespasm.clinic import AuditEntry, all_entries, entries_about
from facespasm.web.auth import AccountDep, role_needed
from facespasm.web.deps import EngineDep
from facespasm.web.schemas import ErrorOut

router = APIRouter(tags=["accounts"])

_ERROR = {"model": ErrorOut}
ERRORS: dict[int | str, dict[str, Any]] = {401: _ERROR, 403: _ERROR, 422: _ERROR}
MAX_LIMIT = 500
MAX_OFFSET = 10_000_000
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many entries at most.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="How many newest to skip.")]


class AuditOut(BaseModel):
    """Who read or changed whose data, when and from where."""

    id: int
    at: dt.datetime
    email: str = Field(description="The reader's email (as it was then).")
    role: str
    action: Literal["read", "change"]
    what: str = Field(description="The method and route, e.g. GET /api/v1/patients/{id}/...")
    patient_id: int | None = Field(description="The patient's account id.")
    from_address: str | None


def _out(entry: AuditEntry) -> AuditOut:
    return AuditOut(
        id=entry.id,
        at=entry.at,
        email=entry.email,
        role=entry.role,
        action="change" if entry.action == "change" else "read",
        what=entry.what,
        patient_id=entry.patient_id,
        from_address=entry.from_address,
    )


@router.get("/audit", responses=ERRORS, summary="Who read the data")
def audit(
    account: AccountDep, engine: EngineDep, limit: Limit = 100, offset: Offset = 0
) -> list[AuditOut]:
    """A patient: who else read their data; an administrator: every entry. Newest first."""
    role_needed(account, "patient", "admin")
    if account.role == "admin":
        entries = all_entries(engine, limit=limit, offset=offset)
    else:
        entries = entries_about(engine, account, limit=limit, offset=offset)
    return [_out(entry) for entry in entries]
