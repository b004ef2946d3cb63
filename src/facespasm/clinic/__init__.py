"""The clinic server's core: accounts, sign-in, sessions, shares with clinicians, the audit log.

The command line (`facespasm users ...`) and the web app (`facespasm serve --clinic`) both call
these functions; each takes the database engine, and the clock (`now`) where time matters, as
parameters. The tables are in `tables.py` (migration 0003).
"""

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
