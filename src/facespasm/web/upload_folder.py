"""The private folder where uploads wait while they are analysed, and what a crash left in it.

A video of a person's face is personal data. While it is analysed it sits in a temporary file,
deleted when its request ends (`uploads.received_video`); but a server killed mid-upload
(`kill -9`, a power cut) never reaches that `finally`. So:

- The folder is private: made 0700 (tightened if it exists and is ours), and refused if another
  user owns it or it is a symbolic link -- someone else's `/tmp/facespasm-uploads-1000` could
  read or swap our files. Each file is created 0600 (`mkstemp`).
- Each file is locked (`flock`) by the server writing it, for as long as it exists. The kernel
  drops the lock when that process dies, however it dies, so a file nobody holds a lock on is
  a leftover. `prepare_upload_folder` deletes those when a server starts: the folder of a
  killed server is cleaned by the next start, while the uploads in flight of another server
  sharing the folder are left alone. (A file is locked in the same call that creates it; a
  sweep could only meet it unlocked in the microseconds between, and sweeps run at start.)
"""

from __future__ import annotations

import fcntl
import os
import stat
import tempfile
from pathlib import Path

from facespasm.errors import InputError

PREFIX = "facespasm-upload-"
SUFFIX = ".video"


def default_upload_folder() -> Path:
    """`facespasm-uploads-<uid>` in the system's temporary folder ($TMPDIR, else /tmp)."""
    return Path(tempfile.gettempdir()) / f"facespasm-uploads-{os.getuid()}"


def prepare_upload_folder(folder: Path | None = None) -> Path:
    """Make the upload folder private and delete what a killed server left in it.

    Args:
        folder: The folder to use (None: `default_upload_folder()`); created if missing.

    Returns:
        The folder, private to this user.

    Raises:
        InputError: the folder belongs to someone else, is a link, or cannot be made private.
    """
    folder = folder if folder is not None else default_upload_folder()
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            raise InputError(f"upload folder {folder} is not a folder of its own (a link?)")
        if info.st_uid != os.getuid():
            raise InputError(f"upload folder {folder} belongs to another user; choose another")
        if stat.S_IMODE(info.st_mode) != 0o700:
            folder.chmod(0o700)
    except OSError as error:
        raise InputError(f"upload folder {folder}: {error.strerror or error}") from None
    sweep_leftovers(folder)
    return folder


def sweep_leftovers(folder: Path) -> int:
    """Delete the uploads in `folder` that no living server holds; how many were deleted."""
    swept = 0
    for path in folder.glob(f"{PREFIX}*{SUFFIX}"):
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue  # gone already, or not a plain file of ours
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a living server is writing or analysing it
        else:
            path.unlink(missing_ok=True)
            swept += 1
        finally:
            os.close(descriptor)
    return swept


def locked_upload_file(folder: Path) -> tuple[int, Path]:
    """A new, empty 0600 file for an upload, locked by this process until its descriptor closes.

    Returns:
        The open descriptor (keep it open while the file exists) and the file's path.
    """
    descriptor, name = tempfile.mkstemp(prefix=PREFIX, suffix=SUFFIX, dir=folder)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor, Path(name)
