"""Receive an uploaded video safely: streamed to a temporary file, size-limited, type-sniffed.

Decisions:
- The multipart body is parsed as it arrives (python-multipart's streaming parser) and the
  `file` part goes straight to a temporary file, so a 500 MB video never sits in memory; the
  moment the part passes the limit the request is refused with 413. (A `Content-Length` that is
  already too large never gets here: `body_limits.py` refuses it before a byte is read.)
- The type is judged from the first bytes of the content, never the file name: MP4 and
  QuickTime (`ftyp` box at offset 4), WebM / Matroska (EBML magic `1A 45 DF A3`), AVI
  (`RIFF....AVI `). Anything else is refused with 415 as soon as those bytes have arrived.
- The temporary file lives in the server's private upload folder (`upload_folder.py`: 0700,
  each file 0600 and locked while it exists, so a file left by a killed server is deleted when
  the next one starts) and is deleted when the request ends, whatever happened
  (`received_video` is a context manager with the deletion in `finally`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from fastapi import HTTPException, Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from facespasm.web.body_limits import too_large
from facespasm.web.upload_folder import locked_upload_file

SNIFF_BYTES = 12
MAX_FIELD_BYTES = 1024
SUPPORTED = "MP4, MOV, WebM, MKV or AVI"


def video_kind(head: bytes) -> str | None:
    """The container a file's first bytes announce, or None when it is not a known video.

    Args:
        head: At least the first 12 bytes of the file.

    Returns:
        "mp4" (MP4 / QuickTime), "webm" (WebM / Matroska), "avi", or None.
    """
    if head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    return None


@dataclass
class ReceivedVideo:
    """An uploaded video on disk, and the form's other (small) fields."""

    path: Path
    kind: str
    filename: str | None
    size: int
    fields: dict[str, str] = field(default_factory=dict)


class _Receiver:
    """Callbacks of the streaming multipart parser: the `file` part to disk, fields to memory."""

    def __init__(self, out: IO[bytes], limit: int) -> None:
        self.out = out
        self.limit = limit
        self.size = 0
        self.head = b""
        self.kind: str | None = None
        self.filename: str | None = None
        self.fields: dict[str, str] = {}
        self.seen_file = False
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name: str | None = None
        self._value = bytearray()

    def on_part_begin(self) -> None:
        self._headers = {}
        self._name = None
        self._value = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field = b""
        self._header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        self._name = name
        if name == "file":
            if self.seen_file:
                raise HTTPException(422, "send one video in the field 'file'")
            self.seen_file = True
            raw = options.get(b"filename")
            self.filename = raw.decode("utf-8", "replace") if raw else None

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._name != "file":
            if len(self._value) + len(chunk) > MAX_FIELD_BYTES:
                raise HTTPException(422, f"form field '{self._name}' is too long")
            self._value += chunk
            return
        self.size += len(chunk)
        if self.size > self.limit:
            raise HTTPException(413, too_large("video", self.limit))
        if self.kind is None:
            self._sniff(chunk)
        self.out.write(chunk)

    def on_part_end(self) -> None:
        if self._name == "file":
            if self.kind is None:
                self._sniff(b"", final=True)
        elif self._name:
            self.fields[self._name] = self._value.decode("utf-8", "replace")

    def _sniff(self, chunk: bytes, *, final: bool = False) -> None:
        self.head += chunk[: SNIFF_BYTES - len(self.head)]
        if len(self.head) < SNIFF_BYTES and not final:
            return
        self.kind = video_kind(self.head)
        if self.kind is None:
            shown = f" ('{self.filename}')" if self.filename else ""
            raise HTTPException(
                415,
                f"the upload{shown} is not a video file this program reads; "
                f"send an {SUPPORTED} file (the type is judged from its content, not its name)",
            )


@contextlib.asynccontextmanager
async def received_video(
    request: Request, folder: Path, limit: int
) -> AsyncIterator[ReceivedVideo]:
    """Stream a multipart upload's `file` part to a temporary file, deleted on exit.

    Args:
        request: The request whose body is `multipart/form-data` with a `file` field.
        folder: The private upload folder (`upload_folder.prepare_upload_folder`).
        limit: The largest video accepted, in bytes.

    Yields:
        The video on disk, with the form's other fields.

    Raises:
        HTTPException: 413 past the size limit, 415 not multipart or not a video, 422 no file.
    """
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise HTTPException(415, "send the video as multipart/form-data, in the field 'file'")
    descriptor, path = locked_upload_file(folder)
    # The descriptor holds the lock that marks the file as ours until it is deleted.
    out = os.fdopen(descriptor, "wb")
    try:
        receiver = _Receiver(out, limit)
        parser = MultipartParser(
            boundary,
            {
                "on_part_begin": receiver.on_part_begin,
                "on_header_field": receiver.on_header_field,
                "on_header_value": receiver.on_header_value,
                "on_header_end": receiver.on_header_end,
                "on_headers_finished": receiver.on_headers_finished,
                "on_part_data": receiver.on_part_data,
                "on_part_end": receiver.on_part_end,
            },
        )
        try:
            async for chunk in request.stream():
                parser.write(chunk)
            parser.finalize()
        except FormParserError as error:
            raise HTTPException(422, f"the upload is not a readable form: {error}") from None
        out.flush()
        if not receiver.seen_file or receiver.size == 0 or receiver.kind is None:
            raise HTTPException(422, "no video in the upload: send it in the field 'file'")
        yield ReceivedVideo(
            path=path,
            kind=receiver.kind,
            filename=receiver.filename,
            size=receiver.size,
            fields=receiver.fields,
        )
    finally:
        path.unlink(missing_ok=True)
        out.close()
