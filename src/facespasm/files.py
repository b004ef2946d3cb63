"""Reading the small JSON files people hand to facespasm, with errors a person can act on.

Answers files and synthetic-video scripts fail the same ways -- missing, a folder, not UTF-8,
empty, not JSON, absurdly large or deeply nested -- and each way gets one line naming the file.
"""

from __future__ import annotations

import json
from pathlib import Path

from facespasm.errors import InputError


def read_json_file(path: Path, what: str, max_bytes: int) -> object:
    """The parsed JSON in `path`; `what` names the file in messages ("answers file").

    Raises:
        InputError: the file cannot be read, is empty, larger than `max_bytes`, or not JSON.
    """
    try:
        if path.stat().st_size > max_bytes:
            raise InputError(f"{what} is larger than {max_bytes // 1000} kB: {path}")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{what} is a directory: {path}") from None
    except UnicodeDecodeError:
        raise InputError(f"{what} is not UTF-8 text: {path}") from None
    except OSError as error:
        raise InputError(f"cannot read {what} {path}: {error.strerror}") from None
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
