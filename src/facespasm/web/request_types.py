"""A request body must be in a media type its route takes: JSON, unless the route says otherwise.

A web page of another site can send a "simple" request -- `text/plain`, a form -- without the
browser asking this server first; a JSON body cannot be sent that way. So a POST, PUT, PATCH
or DELETE that carries a body is refused with 415 unless its `Content-Type` is one the route's
OpenAPI `requestBody` lists (`multipart/form-data` for the uploads, `application/json` for
every other documented route), or `application/json` for any path outside the schema (the
result page's `POST /result`). The media types are read from the application's own OpenAPI
document (`operations.py`), so what is enforced is what is published. A request without a body
is left to the route (which answers 422 when it needed one), and a method the path does not take
to the 405.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from facespasm.web.errors import error_response
from facespasm.web.operations import operations_at
from facespasm.web.same_origin import STATE_CHANGING

JSON = "application/json"


def media_type(content_type: str) -> str:
    """The bare media type of a `Content-Type`: "application/json; charset=utf-8" -> its type."""
    return content_type.split(";", 1)[0].strip().lower()


class RequestTypes:
    """ASGI middleware: 415 for a body in a media type its route does not take."""

    def __init__(self, app: ASGIApp, api: FastAPI, forms: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.api = api
        self.forms = forms  # pages' paths that take an HTML form (a clinic's /login, /logout)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request unless its body is of a type the route does not take."""
        if scope["type"] != "http" or scope["method"] not in STATE_CHANGING:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        has_body = headers.get("content-length", "0").strip() not in ("", "0") or (
            "transfer-encoding" in headers
        )
        accepted = self._accepted(scope) if has_body else None
        sent = media_type(headers.get("content-type", ""))
        if accepted is None or sent in accepted:
            await self.app(scope, receive, send)
            return
        shown = f"'{sent}'" if sent else "a body without a Content-Type"
        message = f"{shown} is not accepted here; send {' or '.join(sorted(accepted))}"
        await error_response(message, 415)(scope, receive, send)

    def _accepted(self, scope: Scope) -> frozenset[str] | None:
        """The media types the body may have; None when no route takes this method here."""
        published = operations_at(self.api, scope["path"])
        if published is None:
            if scope["path"] in self.forms:
                return frozenset({"application/x-www-form-urlencoded"})
            return frozenset({JSON})  # a page's route, outside the schema: JSON only
        documented = published.bodies.get(scope["method"])
        if documented is None:
            return None  # the method is not taken here: the 405 says so
        return documented or frozenset({JSON})
