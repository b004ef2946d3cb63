"""Shares: a patient lets a clinician read their diary, until they revoke it.

Decisions:
- Only a patient shares, only with an enabled clinician's account; any other email -- unknown,
  disabled, a patient's, an administrator's -- is the same "no clinician with that email", so
  sharing does not reveal who has an account.
- Sharing again with the same clinician keeps the active share (one per pair, also enforced by
  a partial unique index); revoking stamps `revoked_at` and the clinician loses access at once.
- A clinician reaches a patient only through an active share (`shared_patient`); everything
  else -- no share, a revoked one, a disabled patient, no such account -- is the same
  `NotFoundError("no such patient")`, so a clinician cannot learn whether a patient exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import and_, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from facespasm.clinic.accounts import ACCOUNT_COLUMNS, Account, account_of, normal_email
from facespasm.clinic.tables import Accounts, Shares
from facespasm.diary.database import run_write
from facespasm.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

NO_CLINICIAN = "no clinician with that email"
NO_PATIENT = "no such patient"
NO_SHARE = "no such share"


@dataclass(frozen=True)
class Share:
    """A patient's active share with a clinician."""

    id: int
    clinician_id: int
    clinician_email: str
    created_at: dt.datetime


@dataclass(frozen=True)
class SharedPatient:
    """A patient who shares with a clinician: their account id and email, and since when."""

    id: int
    email: str
    shared_since: dt.datetime


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now(dt.UTC)


def share_with(
    engine: Engine, patient: Account, clinician_email: str, *, now: dt.datetime | None = None
) -> Share:
    """Let a clinician read a patient's diary (the active share, if there is one already).

    Args:
        engine: The database's engine.
        patient: The patient's account.
        clinician_email: The clinician's email.
        now: When (default: now).

    Returns:
        The active share.

    Raises:
        InputError: The account is not a patient's.
        NotFoundError: No enabled clinician has this email.
    """
    if patient.role != "patient":
        raise InputError("only a patient shares their diary")
    try:
        stored = normal_email(clinician_email)
    except InputError:
        raise NotFoundError(NO_CLINICIAN) from None
    moment = _now(now)

    def write(connection: Connection) -> Share:
        clinician = connection.execute(
            select(Accounts.id, Accounts.email).where(
                Accounts.email == stored,
                Accounts.role == "clinician",
                Accounts.disabled.is_(False),
            )
        ).first()
        if clinician is None:
            raise NotFoundError(NO_CLINICIAN)
        existing = _active(connection, patient.id, clinician.id)
        if existing is None:
            connection.execute(
                insert(Shares),
                {
                    "patient_account_id": patient.id,
                    "clinician_account_id": clinician.id,
                    "created_at": moment,
                    "revoked_at": None,
                },
            )
            existing = _active(connection, patient.id, clinician.id)
        assert existing is not None
        return existing

    try:
        return run_write(engine, write)
    except IntegrityError:
        # Shared at the same moment by another request: that share is the one.
        return run_write(engine, write)


def _active(connection: Connection, patient_id: int, clinician_id: int) -> Share | None:
    row = connection.execute(
        select(Shares.id, Shares.created_at, Accounts.id.label("clinician"), Accounts.email)
        .join(Accounts, Accounts.id == Shares.clinician_account_id)
        .where(
            Shares.patient_account_id == patient_id,
            Shares.clinician_account_id == clinician_id,
            Shares.revoked_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    return Share(row.id, row.clinician, row.email, row.created_at)


def shares_of(engine: Engine, patient: Account) -> list[Share]:
    """A patient's active shares, oldest first."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(Shares.id, Shares.created_at, Accounts.id.label("clinician"), Accounts.email)
            .join(Accounts, Accounts.id == Shares.clinician_account_id)
            .where(Shares.patient_account_id == patient.id, Shares.revoked_at.is_(None))
            .order_by(Shares.created_at, Shares.id)
        ).all()
    return [Share(row.id, row.clinician, row.email, row.created_at) for row in rows]


def revoke_share(
    engine: Engine, patient: Account, share_id: int, *, now: dt.datetime | None = None
) -> None:
    """Revoke one of the patient's active shares.

    Raises:
        NotFoundError: The patient has no active share of this id (another's is as absent).
    """
    moment = _now(now)

    def write(connection: Connection) -> None:
        done = connection.execute(
            update(Shares)
            .where(
                Shares.id == share_id,
                Shares.patient_account_id == patient.id,
                Shares.revoked_at.is_(None),
            )
            .values(revoked_at=moment)
        )
        if done.rowcount != 1:
            raise NotFoundError(NO_SHARE)

    run_write(engine, write)


def shared_patients(engine: Engine, clinician: Account) -> list[SharedPatient]:
    """The enabled patients who share with this clinician, by email."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(Accounts.id, Accounts.email, Shares.created_at)
            .join(Shares, Shares.patient_account_id == Accounts.id)
            .where(
                Shares.clinician_account_id == clinician.id,
                Shares.revoked_at.is_(None),
                Accounts.disabled.is_(False),
                Accounts.role == "patient",
            )
            .order_by(Accounts.email)
        ).all()
    return [SharedPatient(row.id, row.email, row.created_at) for row in rows]


def shared_patient(engine: Engine, reader: Account, patient_id: int) -> Account:
    """The patient whose diary `reader` may read through an active share.

    Args:
        engine: The database's engine.
        reader: Who asks (only a clinician can have shares).
        patient_id: The patient's account id.

    Returns:
        The patient's account.

    Raises:
        NotFoundError: "no such patient", whatever the reason (see the module's decisions).
    """
    if reader.role != "clinician" or reader.disabled:
        raise NotFoundError(NO_PATIENT)
    patient = aliased(Accounts)
    with engine.connect() as connection:
        row = connection.execute(
            select(*(getattr(patient, column.key) for column in ACCOUNT_COLUMNS))
            .join(
                Shares,
                and_(
                    Shares.patient_account_id == patient.id,
                    Shares.clinician_account_id == reader.id,
                    Shares.revoked_at.is_(None),
                ),
            )
            .where(patient.id == patient_id, patient.disabled.is_(False), patient.role == "patient")
        ).first()
    if row is None:
        raise NotFoundError(NO_PATIENT)
    return account_of(row)
