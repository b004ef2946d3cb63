"""Unexpected failures: one JSON answer with an incident id, and a log without personal data.

Bad input is answered by `errors.py` with a 4xx. Anything else that escapes a route -- a bug, a
database that went away -- is caught here, and:

- the person gets the API's error shape, `{"error": {"message", "incident"}}`, with a 500 and an
  opaque incident id (random, so it reveals nothing), never Starlette's `text/plain` page;
- the log gets one record under the same id: the request's method and route *template*
  (`/api/v1/diary/days/{date}`, not the date), the exception classes of the chain and the
  stack's file, line, function and source line. Never the exception's message, the request's
  body, query or path values, nor locals: a SQLAlchemy error's message holds the statement's
  parameters -- a diary note, a day's values -- and any message may quote what was sent.
- nothing is re-raised, so the server (uvicorn) has no traceback of its own to print.

It is a plain ASGI middleware rather than an exception handler because Starlette's handler for
`Exception` re-raises after answering, which is exactly the traceback the log must not get.
"""

from __future__ import annotations

import logging
import secrets
import traceback

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from facespasm.web.errors import error_response

logger = logging.getLogger("facespasm.web.incidents")

MESSAGE = (
    "something went wrong on our side (incident {incident}); please try again, and mention "
    "the incident if it happens again"
)
# How many exceptions of a chain (`raise ... from ...`, errors while handling errors) to list.
CHAIN_LIMIT = 8


def new_incident() -> str:
    """An opaque id for one failure: 12 random hex digits."""
    return secrets.token_hex(6)


def sanitized_traceback(error: BaseException) -> str:
    """The exception chain as classes and code locations only: no messages, no values.

    Args:
        error: The exception that escaped.

    Returns:
        Lines naming each exception's class (and a database driver's error class) and, for each
        frame, the file, line, function and source line -- code, never data.
    """
    lines: list[str] = []
    for depth, exception in enumerate(_chain(error)):
        if depth:
            lines.append("  raised while handling, or caused by:")
        lines.append(f"{_class_name(exception)}{_driver_error(exception)}")
        for frame in traceback.extract_tb(exception.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
    return "\n".join(lines)


def report(error: BaseException, scope: Scope) -> str:
    """Log a failure under a new incident id, without personal data; the id.

    Args:
        error: The exception that escaped.
        scope: The request's ASGI scope (only its method and route template are logged).
    """
    incident = new_incident()
    route = getattr(scope.get("route"), "path", None) or "(no route)"
    logger.error(
        "incident %s: %s %s failed\n%s",
        incident,
        scope.get("method", "?"),
        route,
        sanitized_traceback(error),
    )
    return incident


class Incidents:
    """ASGI middleware: an unexpected exception becomes a logged incident and a JSON 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the application; answer a 500 with an incident id if it fails."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as error:
            incident = report(error, scope)
            # Once the response has begun there is no status left to change; the log has it.
            if not started:
                message = MESSAGE.format(incident=incident)
                await error_response(message, 500, incident=incident)(scope, receive, send)


def _chain(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain and len(chain) < CHAIN_LIMIT:
        chain.append(current)
        if isinstance(current, BaseExceptionGroup):
            chain.extend(current.exceptions[: CHAIN_LIMIT - len(chain)])
        cause = current.__cause__
        current = (
            cause if cause is not None or current.__suppress_context__ else current.__context__
        )
    return chain


def _class_name(error: BaseException) -> str:
    kind = type(error)
    return f"{kind.__module__}.{kind.__qualname__}"


def _driver_error(error: BaseException) -> str:
    """For a SQLAlchemy DBAPIError, the driver's error class (its message holds the values)."""
    original = getattr(error, "orig", None)
    return f" (driver error {_class_name(original)})" if isinstance(original, Exception) else ""
