"""Passwords: Argon2id through pwdlib, as full-stack-fastapi-template hashes them.

Decisions:
- Argon2id with pwdlib's default parameters (OWASP Password Storage Cheat Sheet: Argon2id is the
  first choice). A hash made with other parameters still verifies, and `verify` hands back a new
  hash with today's parameters, which the caller stores (rehash on sign-in).
- At least `MIN_PASSWORD_LENGTH` (12) characters (NIST SP 800-63B allows 8 at least; a clinic's
  records call for more), at most `MAX_PASSWORD_LENGTH`, so no one makes the server hash a
  megabyte.
- `verify_nothing` spends one verification on a fixed hash: signing in with an unknown email then
  takes as long as with a known one, so the time of the answer does not say which emails exist.
"""

from __future__ import annotations

import functools

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from facespasm.errors import InputError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
HASHER = PasswordHash((Argon2Hasher(),))


def check_password(password: str) -> None:
    """Refuse a password too short or too long to use.

    Args:
        password: The new password.

    Raises:
        InputError: Shorter than 12 or longer than 1024 characters.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError(f"a password has at most {MAX_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    """The Argon2id hash of a password (checked first).

    Args:
        password: The password.

    Returns:
        The encoded hash, with its parameters and salt.

    Raises:
        InputError: The password is too short or too long.
    """
    check_password(password)
    return HASHER.hash(password)


def verify(password: str, stored: str) -> tuple[bool, str | None]:
    """Whether the password matches a stored hash, and a new hash when its parameters are old.

    Args:
        password: What the person typed.
        stored: The stored hash.

    Returns:
        (matches, the hash to store instead or None).
    """
    if len(password) > MAX_PASSWORD_LENGTH:
        verify_nothing()
        return False, None
    return HASHER.verify_and_update(password, stored)


def verify_nothing() -> None:
    """Spend the time of one verification (for an unknown email or an over-long password)."""
    HASHER.verify("not the password", _dummy_hash())


@functools.cache
def _dummy_hash() -> str:
    return HASHER.hash("facespasm: a hash that matches no one's password")
