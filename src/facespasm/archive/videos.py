"""Which files under a folder are videos, and the content hash that names each one.

A file counts as a video by its name (`VIDEO_SUFFIXES`, any case); whether it really is one is
then the decoder's to decide, and a file it cannot read becomes an error row rather than being
dropped silently. Names are the cheap first filter because an archive holds other things beside
its clips (ground-truth JSON, notes, thumbnails) that should not appear as failures.

Hidden files and folders (a name starting with ".") are skipped: they are editors' and
operating systems' leftovers (`.DS_Store`, `._clip.mp4` AppleDouble files) and our own temporary
output. Links to folders are not followed, so a link cycle cannot make the walk endless.

The content hash (SHA-256 of the bytes) is what a rerun resumes by: a file renamed or copied is
recognised, and a file changed in place is analysed again.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

# The containers FFmpeg reads that cameras, phones and recorders write.
VIDEO_SUFFIXES = frozenset(
    {".mp4", ".m4v", ".mov", ".qt", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".flv",
     ".3gp", ".3g2", ".mts", ".m2ts", ".ts", ".ogv", ".mxf", ".dv"}
)  # fmt: skip
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class VideoFile:
    """A video file found under the archive's folder.

    Attributes:
        path: the file's absolute path, as the workers open it.
        name: its path relative to the folder, with "/" separators: the row's `path`.
    """

    path: Path
    name: str


def find_videos(folder: Path) -> tuple[list[VideoFile], int]:
    """Every video file under `folder`, recursively, in name order, and how many others were passed.

    Args:
        folder: the archive's folder.

    Returns:
        The video files, and the number of visible files that are not videos by their name.
    """
    root = folder.resolve()
    videos: list[VideoFile] = []
    others = 0
    for current, folders, files in os.walk(root):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            path = Path(current) / name
            if path.suffix.lower() in VIDEO_SUFFIXES:
                videos.append(VideoFile(path, path.relative_to(root).as_posix()))
            else:
                others += 1
    videos.sort(key=lambda video: video.name)
    return videos, others


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex, read a megabyte at a time.

    Raises:
        OSError: the file cannot be read.
    """
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
