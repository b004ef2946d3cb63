"""One error format for the API: `{"error": {"message": ...}}`, a 4xx, never a 500 for bad input.

Bad answers and values (`InputError`), unreadable videos (`VideoError`) and requests that do
not fit the schema (FastAPI's validation, malformed JSON included) are 422; HTTP errors the
routes raise (413 too large, 415 wrong type) and unknown routes (404) keep their status but get
the same shape, so a client reads one field whatever went wrong.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from facespasm.errors import InputError, VideoError


def error_response(message: str, status_code: int) -> JSONResponse:
    """The API's error answer."""
    return JSONResponse({"error": {"message": message}}, status_code=status_code)


def install(app: FastAPI) -> None:
    """Register the handlers that turn bad input into clear 4xx answers."""

    @app.exception_handler(VideoError)
    async def bad_video(request: Request, error: VideoError) -> JSONResponse:
        return error_response(str(error), 422)

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
        if error.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        response = error_response(message, error.status_code)
        if error.headers:
            response.headers.update(error.headers)
        return response
