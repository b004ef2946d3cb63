"""Bounded request bodies: a cap on every body, refused with 413 before the route reads it.

Decisions:
- Every request has a limit: `Settings.max_json_kb` (1 MiB by default, ten times the largest
  real assessment), except the upload routes, each with its own (`Upload`): the video limit of
  `/analyze`, the CSV limit of `/diary/import`, each plus room for the multipart framing.
- A `Content-Length` over the limit is refused at once, before a byte of the body is read, so a
  2 GiB upload costs the server nothing (bench/RESULTS.md). A body without one (chunked) is
  counted as it streams, and refused the moment it passes the limit; what the route had read
  by then is bounded by the limit too.
- The refusal is the API's error, `{"error": {"message"}}` with a 413: directly when the length
  is declared, and through the error handlers (an `HTTPException` out of `receive`) while
  streaming.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from facespasm.web.errors import error_response

# Multipart framing (boundaries, part headers, small fields) on top of an uploaded file.
FRAMING_SLACK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Upload:
    """An upload route's limit: the file's largest size, and what the file is called."""

    limit: int
    what: str

    @property
    def body_limit(self) -> int:
        """The largest body: the file plus its multipart framing."""
        return self.limit + FRAMING_SLACK_BYTES


def too_large(what: str, limit: int) -> str:
    """The message for a body over `limit` bytes: "the video is larger than the limit of 1 MB"."""
    mib = 1024 * 1024
    size = f"{limit // mib} MB" if limit % mib == 0 else f"{limit // 1024} KB"
    return f"the {what} is larger than the limit of {size}"


class BodyLimits:
    """ASGI middleware: 413 for a body over its route's limit, declared or streamed."""

    def __init__(self, app: ASGIApp, default: int, uploads: Mapping[str, Upload]) -> None:
        self.app = app
        self.default = default
        self.uploads = dict(uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a declared length over the limit; count a streamed body against it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = self.uploads.get(scope["path"])
        limit, what, message_limit = (
            (upload.body_limit, upload.what, upload.limit)
            if upload is not None
            else (self.default, "request body", self.default)
        )
        message = too_large(what, message_limit)
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await error_response(message, 413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > limit:
                    raise HTTPException(413, message)
            return event

        await self.app(scope, counted, send)
