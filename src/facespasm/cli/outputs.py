"""Files the command line writes: checked before the work starts, written with clean errors.

A plot asked for in a folder that does not exist is refused at once, not after a minute of
video analysis; a full disk or a read-only folder while writing is one line naming the file,
never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from facespasm.errors import InputError


def check_writable(path: Path | None, option: str) -> None:
    """Refuse an output path that cannot be written, before any work is done.

    Args:
        path: The file to write, or None (nothing asked for).
        option: The option that named it, for the message ("--plot").

    Raises:
        InputError: The path is a folder, its folder does not exist, or may not be written.
    """
    if path is None:
        return
    folder = path.parent
    if path.is_dir():
        raise InputError(f"{option} {path} is a folder: give the name of a file to write")
    if not folder.is_dir():
        raise InputError(f"cannot write {option} {path}: there is no folder {folder}")
    writable = os.access(path, os.W_OK) if path.exists() else os.access(folder, os.W_OK)
    if not writable:
        raise InputError(f"cannot write {option} {path}: permission denied")


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn a failure to write `path` (a full disk, a vanished folder) into an `InputError`.

    Args:
        path: The file being written.

    Yields:
        Nothing; the caller writes.

    Raises:
        InputError: Writing failed, naming the file and why.
    """
    try:
        yield
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror or error}") from None
