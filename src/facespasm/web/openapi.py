"""The OpenAPI document says everything the server can answer, errors included.

The routes document their own answers. What the server's guards and handlers add to every
operation is documented here, once, where the document is made: a 400 for a host it does not
answer to (`trusted_hosts.py`), a 403 for a state-changing request from another site
(`same_origin.py`), a 413 and a 415 for a body too large or of the wrong type
(`body_limits.py`, `request_types.py`), and a 500 with an incident id (`incidents.py`). And
FastAPI's own 422 schema (`HTTPValidationError`, a list of `detail` objects) is replaced by the
shape the error handlers actually send (`ErrorOut`), so a client generated from the document
reads the errors it gets.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from facespasm.web.same_origin import STATE_CHANGING
from facespasm.web.schemas import ErrorOut, IncidentOut

_REF = "#/components/schemas/{model}"
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")

EVERY_OPERATION = {
    "400": "The `Host` header names a host this server does not answer to (DNS rebinding).",
}
STATE_CHANGING_OPERATION = {
    "403": "Sent by a web page of another origin (its `Origin`, or `Referer`, is not ours).",
}
WITH_BODY = {
    "413": "The body is larger than the limit.",
    "415": "The body is not in a media type this operation takes.",
}


def install(app: FastAPI) -> None:
    """Make `app.openapi()` document the guards' answers on every operation."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the guards' answers and our error shape on every operation."""
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    error = _component(schemas, ErrorOut)
    incident = _component(schemas, IncidentOut)
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            expected = dict(EVERY_OPERATION)
            if method.upper() in STATE_CHANGING:
                expected |= STATE_CHANGING_OPERATION
            if "requestBody" in operation:
                expected |= WITH_BODY
            for status, description in expected.items():
                responses.setdefault(status, _answer(description, error))
            responses.setdefault(
                "500",
                _answer("An unexpected failure; the incident names it in the log.", incident),
            )
            validation = responses.get("422")
            if validation is not None and _is_fastapi_validation(validation):
                validation["content"] = {"application/json": {"schema": error}}
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    return document


def _component(schemas: dict[str, Any], model: type[BaseModel]) -> dict[str, str]:
    """Add `model` (and the models it uses) to the components; a reference to it."""
    schema = model.model_json_schema(ref_template=_REF)
    for name, definition in schema.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas.setdefault(model.__name__, schema)
    return {"$ref": _REF.format(model=model.__name__)}


def _answer(description: str, schema: dict[str, str]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _is_fastapi_validation(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref", "").endswith("/HTTPValidationError"))
