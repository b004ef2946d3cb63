"""The clinic server's core: accounts, sign-in, sessions, shares with clinicians, the audit log.

The command line (`facespasm users ...`) and the web app (`facespasm serve --clinic`) both call
these functions; each takes the database engine, and the clock (`now`) where time matters, as
parameters. The tables are in `tables.py` (migration 0003).

The names below are imported when first used (PEP 562): `diary.models` imports `tables.py`, and
with it this package, for every diary command; the password hasher (Argon2) and the rest load
only when an account is touched.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from facespasm.clinic.accounts import (
        ROLES,
        Account,
        Role,
        account_by_id,
        add_account,
        find_account,
        list_accounts,
        reset_password,
        set_disabled,
    )
    from facespasm.clinic.audit import AuditEntry, all_entries, entries_about, record
    from facespasm.clinic.passwords import MIN_PASSWORD_LENGTH
    from facespasm.clinic.sessions import (
        csrf_matches,
        csrf_token,
        end_session,
        revoke_sessions,
        session_account,
        start_session,
    )
    from facespasm.clinic.shares import (
        Share,
        SharedPatient,
        revoke_share,
        share_with,
        shared_patient,
        shared_patients,
        shares_of,
    )
    from facespasm.clinic.signin import LockedOut, SignInError, sign_in

# name -> the module that defines it
_LAZY = {
    "ROLES": "facespasm.clinic.accounts",
    "Account": "facespasm.clinic.accounts",
    "Role": "facespasm.clinic.accounts",
    "account_by_id": "facespasm.clinic.accounts",
    "add_account": "facespasm.clinic.accounts",
    "find_account": "facespasm.clinic.accounts",
    "list_accounts": "facespasm.clinic.accounts",
    "reset_password": "facespasm.clinic.accounts",
    "set_disabled": "facespasm.clinic.accounts",
    "AuditEntry": "facespasm.clinic.audit",
    "all_entries": "facespasm.clinic.audit",
    "entries_about": "facespasm.clinic.audit",
    "record": "facespasm.clinic.audit",
    "MIN_PASSWORD_LENGTH": "facespasm.clinic.passwords",
    "csrf_matches": "facespasm.clinic.sessions",
    "csrf_token": "facespasm.clinic.sessions",
    "end_session": "facespasm.clinic.sessions",
    "revoke_sessions": "facespasm.clinic.sessions",
    "session_account": "facespasm.clinic.sessions",
    "start_session": "facespasm.clinic.sessions",
    "Share": "facespasm.clinic.shares",
    "SharedPatient": "facespasm.clinic.shares",
    "revoke_share": "facespasm.clinic.shares",
    "share_with": "facespasm.clinic.shares",
    "shared_patient": "facespasm.clinic.shares",
    "shared_patients": "facespasm.clinic.shares",
    "shares_of": "facespasm.clinic.shares",
    "LockedOut": "facespasm.clinic.signin",
    "SignInError": "facespasm.clinic.signin",
    "sign_in": "facespasm.clinic.signin",
}

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "Account",
    "AuditEntry",
    "LockedOut",
    "Role",
    "Share",
    "SharedPatient",
    "SignInError",
    "account_by_id",
    "add_account",
    "all_entries",
    "csrf_matches",
    "csrf_token",
    "end_session",
    "entries_about",
    "find_account",
    "list_accounts",
    "record",
    "reset_password",
    "revoke_sessions",
    "revoke_share",
    "session_account",
    "set_disabled",
    "share_with",
    "shared_patient",
    "shared_patients",
    "shares_of",
    "sign_in",
    "start_session",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'facespasm.clinic' has no attribute {name!r}")
