"""One error format for the API: `{"error": {"message": ...}}`, a 4xx for anything sent wrong.

Bad answers and values (`InputError`), unreadable videos (`VideoError`) and requests that do
not fit the schema (FastAPI's validation, malformed JSON and bodies that are not UTF-8
included) are 422; HTTP errors the routes and the server's guards raise (400 unknown host,
403 foreign origin, 413 too large, 415 wrong type) and unknown routes (404) keep their status
but get the same shape, so a client reads one field whatever went wrong. A method a path does
not take is 405 with an `Allow` header listing every method of that path, not only those of the
first route that matched it. A diary entry the person does not have (`NotFoundError`: an id of
someone else's episode is as absent as one never given) is 404; a change that conflicts with
what the diary holds (`ConflictError`) is 409. Unexpected failures are `incidents.py`'s: a 500
in the same shape, with an incident id.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from facespasm.errors import ConflictError, InputError, NotFoundError, VideoError
from facespasm.web.operations import operations_at

# FastAPI's answer to a body it could not decode (not UTF-8, say): a validation error to us.
_UNPARSED_BODY = "There was an error parsing the body"


def error_response(message: str, status_code: int, *, incident: str | None = None) -> JSONResponse:
    """The API's error answer (with the incident id of an unexpected failure)."""
    error = {"message": message} if incident is None else {"message": message, "incident": incident}
    return JSONResponse({"error": error}, status_code=status_code)


def install(app: FastAPI) -> None:
    """Register the handlers that turn bad input into clear 4xx answers."""

    @app.exception_handler(VideoError)
    async def bad_video(request: Request, error: VideoError) -> JSONResponse:
        return error_response(str(error), 422)

    @app.exception_handler(ConflictError)
    async def conflict(request: Request, error: ConflictError) -> JSONResponse:
        return error_response(str(error), 409)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, error: NotFoundError) -> JSONResponse:
        return error_response(str(error), 404)

    @app.exception_handler(InputError)
    async def bad_input(request: Request, error: InputError) -> JSONResponse:
        return error_response(str(error), 422)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
        return error_response(message, 422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        message = error.detail if isinstance(error.detail, str) else str(error.detail)
        headers = dict(error.headers or {})
        status = error.status_code
        if status == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        elif status == 400 and message == _UNPARSED_BODY:
            status, message = 422, "body: not JSON text in UTF-8"
        elif status == 405:
            allowed = allowed_methods(request, error)
            headers["Allow"] = ", ".join(allowed)
            message = f"{request.method} is not allowed here; use {' or '.join(allowed)}"
        response = error_response(message, status)
        response.headers.update(headers)
        return response


def allowed_methods(request: Request, error: HTTPException) -> list[str]:
    """Every method documented at this request's path (else those the route named), sorted."""
    published = operations_at(request.app, request.url.path)
    if published is not None:
        return published.methods
    named = (error.headers or {}).get("Allow", "")
    return sorted(method.strip() for method in named.split(",") if method.strip())
