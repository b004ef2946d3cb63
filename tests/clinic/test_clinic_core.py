"""The clinic's core on SQLite and PostgreSQL: accounts, passwords, lock-out, sessions, shares, audit."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select, update

from facespasm.clinic import (
    LockedOut,
    SignInError,
    add_account,
    all_entries,
    end_session,
    entries_about,
    find_account,
    list_accounts,
    record,
    reset_password,
    revoke_share,
    session_account,
    set_disabled,
    share_with,
    shared_patient,
    shared_patients,
    shares_of,
    sign_in,
    start_session,
)
from facespasm.clinic.tables import Accounts, Sessions
from facespasm.diary.records import Day
from facespasm.diary.store import Diary
from facespasm.errors import InputError, NotFoundError
from tests.clinic.conftest import NOON, PASSWORD, SECRET, unique_email

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(scope="module")
def people(clinic_engine):
    """Two patients, two clinicians and an admin, made once for the module."""
    made = {
        name: add_account(clinic_engine, unique_email(name), role, PASSWORD, now=NOON)
        for name, role in (
            ("alice", "patient"),
            ("bob", "patient"),
            ("carol", "clinician"),
            ("dave", "clinician"),
            ("root", "admin"),
        )
    }
    return SimpleNamespace(**made)


def test_accounts_are_stored_lower_case_each_with_a_diary_of_its_own(clinic_engine, people):
    assert find_account(clinic_engine, people.alice.email.upper()) == people.alice
    assert people.alice.person_id != people.bob.person_id
    Diary(clinic_engine, people.alice.person_id).days.record(
        Day(dt.date(2026, 3, 1), sleep_hours=6)
    )
    assert Diary(clinic_engine, people.bob.person_id).days.get(dt.date(2026, 3, 1)) is None
    emails = {account.email for account in list_accounts(clinic_engine)}
    assert {people.alice.email, people.carol.email} <= emails


@pytest.mark.parametrize(
    ("email", "role", "password", "message"),
    [
        ("new@clinic.example", "doctor", PASSWORD, "unknown role 'doctor'"),  # not a role
        ("new@clinic.example", "patient", "short pass", "at least 12 characters"),  # 10 chars
        ("not an email", "patient", PASSWORD, "not an email address"),  # no @
        ("x" * 250 + "@c.ex", "patient", PASSWORD, "at most 254 characters"),  # too long
    ],
)
def test_bad_accounts_are_refused_in_one_line(clinic_engine, email, role, password, message):
    with pytest.raises(InputError, match=message):
        add_account(clinic_engine, email, role, password)


def test_an_email_is_one_account_whatever_its_case(clinic_engine, people):
    with pytest.raises(InputError, match="already an account"):
        add_account(clinic_engine, people.bob.email.upper(), "patient", PASSWORD)


def test_signing_in_with_the_right_password(clinic_engine, people):
    assert (
        sign_in(clinic_engine, f"  {people.carol.email.upper()} ", PASSWORD, now=NOON)
        == people.carol
    )


@pytest.mark.parametrize("who", ["wrong password", "unknown email", "not an email"])
def test_every_failure_reads_the_same(clinic_engine, people, who):
    email = {"wrong password": people.dave.email, "unknown email": "nobody@clinic.example"}
    with pytest.raises(
        SignInError,
        match=r"^wrong email or password \(5 wrong in a row lock an account for 15 minutes\)$",
    ):
        sign_in(clinic_engine, email.get(who, "nobody"), "not the password!", now=NOON)


def test_an_old_hash_is_replaced_on_sign_in(clinic_engine):
    account = add_account(clinic_engine, unique_email("old"), "patient", PASSWORD)
    weak = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8192, parallelism=1),))
    old = weak.hash(PASSWORD)
    with clinic_engine.begin() as connection:
        connection.execute(
            update(Accounts).where(Accounts.id == account.id).values(password_hash=old)
        )
    sign_in(clinic_engine, account.email, PASSWORD, now=NOON)
    with clinic_engine.connect() as connection:
        stored = connection.scalar(select(Accounts.password_hash).where(Accounts.id == account.id))
    assert stored != old and "t=3" in stored and "m=65536" in stored
    assert sign_in(clinic_engine, account.email, PASSWORD, now=NOON) == account


def test_five_wrong_passwords_lock_the_account_for_15_minutes(clinic_engine):
    account = add_account(clinic_engine, unique_email("eve"), "patient", PASSWORD)
    for _ in range(4):
        with pytest.raises(SignInError) as wrong:
            sign_in(clinic_engine, account.email, "wrong password!!", now=NOON)
        assert not isinstance(wrong.value, LockedOut)
    with pytest.raises(LockedOut) as locked:
        sign_in(clinic_engine, account.email, "wrong password!!", now=NOON)
    assert locked.value.until == NOON + 15 * MINUTE
    assert str(locked.value) == str(wrong.value)  # said as any failure is
    # Locked: even the right password is refused until 12:15, and works after it.
    with pytest.raises(LockedOut):
        sign_in(clinic_engine, account.email, PASSWORD, now=NOON + 14 * MINUTE)
    assert sign_in(clinic_engine, account.email, PASSWORD, now=NOON + 15 * MINUTE) == account


def test_a_right_password_resets_the_count(clinic_engine):
    account = add_account(clinic_engine, unique_email("fay"), "patient", PASSWORD)
    for _ in range(4):
        with pytest.raises(SignInError):
            sign_in(clinic_engine, account.email, "wrong password!!", now=NOON)
    sign_in(clinic_engine, account.email, PASSWORD, now=NOON)
    with pytest.raises(SignInError) as wrong:
        sign_in(clinic_engine, account.email, "wrong password!!", now=NOON)
    assert not isinstance(wrong.value, LockedOut)


def test_sessions_end_when_idle_at_their_lifetime_and_when_revoked(clinic_engine, people):
    idle = 15 * MINUTE
    token = start_session(clinic_engine, people.alice, SECRET, now=NOON)
    assert (
        session_account(clinic_engine, token, SECRET, now=NOON + 14 * MINUTE, idle=idle)
        == people.alice
    )
    # Used at 12:14, so still alive at 12:28; then idle for 16 minutes: over.
    assert session_account(clinic_engine, token, SECRET, now=NOON + 28 * MINUTE, idle=idle)
    assert session_account(clinic_engine, token, SECRET, now=NOON + 44 * MINUTE, idle=idle) is None
    assert session_account(clinic_engine, token, SECRET, now=NOON + 45 * MINUTE, idle=idle) is None

    short = start_session(clinic_engine, people.alice, SECRET, now=NOON, lifetime=20 * MINUTE)
    assert session_account(clinic_engine, short, SECRET, now=NOON + 10 * MINUTE)
    assert session_account(clinic_engine, short, SECRET, now=NOON + 20 * MINUTE) is None

    ended = start_session(clinic_engine, people.alice, SECRET, now=NOON)
    end_session(clinic_engine, ended, SECRET, now=NOON)
    assert session_account(clinic_engine, ended, SECRET, now=NOON) is None
    # Another secret key: no stored HMAC matches (rotating the key signs everyone out).
    kept = start_session(clinic_engine, people.alice, SECRET, now=NOON)
    assert session_account(clinic_engine, kept, b"r" * 32, now=NOON) is None
    assert session_account(clinic_engine, "made-up", SECRET, now=NOON) is None


def test_a_sign_in_deletes_the_accounts_sessions_that_ended_a_month_ago(clinic_engine):
    account = add_account(clinic_engine, unique_email("hal"), "patient", PASSWORD)
    other = add_account(clinic_engine, unique_email("ida"), "patient", PASSWORD)
    day = dt.timedelta(days=1)
    start_session(clinic_engine, account, SECRET, now=NOON - 40 * day)  # expired 40 days ago
    signed_out = start_session(clinic_engine, account, SECRET, now=NOON - 20 * day)
    end_session(clinic_engine, signed_out, SECRET, now=NOON - 20 * day)  # ended 20 days ago
    start_session(clinic_engine, other, SECRET, now=NOON - 40 * day)  # someone else's

    def stored(who) -> int:
        with clinic_engine.connect() as connection:
            rows = connection.execute(select(Sessions.id).where(Sessions.account_id == who.id))
            return len(rows.all())

    assert (stored(account), stored(other)) == (2, 1)
    start_session(clinic_engine, account, SECRET, now=NOON)
    # the 40-day-old one is gone; the 20-day-old one and the new one stay; others' untouched
    assert (stored(account), stored(other)) == (2, 1)


def test_disabling_or_resetting_an_account_revokes_its_sessions(clinic_engine):
    account = add_account(clinic_engine, unique_email("gus"), "patient", PASSWORD)
    token = start_session(clinic_engine, account, SECRET, now=NOON)
    set_disabled(clinic_engine, account.email, True, now=NOON)
    assert session_account(clinic_engine, token, SECRET, now=NOON) is None
    with pytest.raises(SignInError, match="wrong email or password"):
        sign_in(clinic_engine, account.email, PASSWORD, now=NOON)
    set_disabled(clinic_engine, account.email, False, now=NOON)
    token = start_session(clinic_engine, account, SECRET, now=NOON)
    reset_password(clinic_engine, account.email, "another long password", now=NOON)
    assert session_account(clinic_engine, token, SECRET, now=NOON) is None
    assert sign_in(clinic_engine, account.email, "another long password", now=NOON).id == account.id


def test_a_patient_shares_with_a_clinician_and_revokes(clinic_engine, people):
    share = share_with(clinic_engine, people.alice, people.carol.email.upper(), now=NOON)
    assert share_with(clinic_engine, people.alice, people.carol.email, now=NOON) == share  # one
    assert shares_of(clinic_engine, people.alice) == [share]
    assert [p.id for p in shared_patients(clinic_engine, people.carol)] == [people.alice.id]
    assert shared_patient(clinic_engine, people.carol, people.alice.id) == people.alice
    for reader, patient in (
        (people.dave, people.alice.id),  # a clinician without a share
        (people.root, people.alice.id),  # an administrator
        (people.bob, people.alice.id),  # another patient
        (people.carol, people.bob.id),  # a patient who did not share
        (people.carol, 999_999),  # no such account
    ):
        with pytest.raises(NotFoundError, match=r"^no such patient$"):
            shared_patient(clinic_engine, reader, patient)
    with pytest.raises(NotFoundError):
        revoke_share(clinic_engine, people.bob, share.id, now=NOON)  # not Bob's
    revoke_share(clinic_engine, people.alice, share.id, now=NOON)
    with pytest.raises(NotFoundError, match="no such patient"):
        shared_patient(clinic_engine, people.carol, people.alice.id)
    assert shares_of(clinic_engine, people.alice) == []


@pytest.mark.parametrize("whom", ["bob", "root", "nobody"])
def test_only_an_enabled_clinician_can_be_shared_with(clinic_engine, people, whom):
    email = getattr(people, whom).email if whom != "nobody" else "nobody@clinic.example"
    with pytest.raises(NotFoundError, match=r"^no clinician with that email$"):
        share_with(clinic_engine, people.alice, email, now=NOON)


def test_only_patients_share(clinic_engine, people):
    with pytest.raises(InputError, match="only a patient"):
        share_with(clinic_engine, people.carol, people.dave.email, now=NOON)


def test_the_audit_log_shows_a_patient_who_else_read_and_an_admin_everything(clinic_engine, people):
    what = "GET /api/v1/patients/{patient_id}/diary/days"
    record(clinic_engine, people.dave, "read", what, people.bob, from_address="10.0.0.7", now=NOON)
    record(clinic_engine, people.bob, "read", what, people.bob, now=NOON)  # Bob himself: not shown
    about_bob = entries_about(clinic_engine, people.bob)
    assert [
        (e.email, e.role, e.action, e.what, e.patient_id, e.from_address) for e in about_bob
    ] == [(people.dave.email, "clinician", "read", what, people.bob.id, "10.0.0.7")]
    assert entries_about(clinic_engine, people.alice) == [] or all(
        e.patient_id == people.alice.id for e in entries_about(clinic_engine, people.alice)
    )
    everything = all_entries(clinic_engine, limit=500)
    assert {e.email for e in everything} >= {people.dave.email, people.bob.email}
    assert len(all_entries(clinic_engine, limit=1)) == 1
