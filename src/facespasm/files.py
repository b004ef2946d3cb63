"""Reading the small files people hand to facespasm, with errors a person can act on.

Answers files and synthetic-video scripts fail the same ways -- missing, a folder, not UTF-8,
empty, not JSON, absurdly large or deeply nested -- and each way gets one line naming the file.

A file is read with a byte cap, never trusting its `stat` size: a device (`/dev/zero`) or a
named pipe reports 0 bytes and then never ends, so reading stops one byte past the cap.
"""

from __future__ import annotations

import json
from pathlib import Path

from facespasm.errors import InputError


def read_capped(path: Path, what: str, max_bytes: int) -> bytes:
    """The bytes of `path`, refused as soon as there are more than `max_bytes` of them.

    Args:
        path: A file, a device or a named pipe.
        what: What the file is, for messages ("answers file").
        max_bytes: The most bytes it may hold.

    Returns:
        Its bytes.

    Raises:
        InputError: It cannot be opened or read, or holds more than `max_bytes`.
    """
    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{what} is a directory: {path}") from None
    except OSError as error:
        raise InputError(f"cannot read {what} {path}: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise InputError(f"{what} is larger than {max_bytes // 1000} kB: {path}")
    return data


def read_json_file(path: Path, what: str, max_bytes: int) -> object:
    """The parsed JSON in `path`; `what` names the file in messages ("answers file").

    Args:
        path: The file (or device, or named pipe).
        what: What the file is, for messages.
        max_bytes: The most bytes it may hold.

    Returns:
        The parsed JSON value.

    Raises:
        InputError: the file cannot be read, is empty, larger than `max_bytes`, or not JSON.
    """
    data = read_capped(path, what, max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{what} is not UTF-8 text: {path}") from None
    if not text.strip():
        raise InputError(f"{what} is empty: {path}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{what} is not valid JSON: {path}: {error.msg} "
            f"(line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise InputError(f"{what} is nested too deeply to be read: {path}") from None
    except ValueError:
        # Python refuses to read an integer of more than 4,300 digits (CVE-2020-10735).
        raise InputError(f"{what} holds a number too long to be one: {path}") from None
