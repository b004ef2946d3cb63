"""JSON request bodies validated by pydantic straight from their bytes, for the hot routes.

A FastAPI body parameter decodes the JSON with the standard library and then validates the
Python objects; `model_validate_json` does both in pydantic-core in one pass. On
`/api/v1/assess` that was 5% of the throughput (bench/RESULTS.md). Errors keep FastAPI's shape
(`RequestValidationError`, located under "body"), so they reach the one error handler.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


async def json_body(request: Request, model: type[Model]) -> Model:
    """The request's body as `model`.

    Raises:
        RequestValidationError: the body is not JSON or does not fit the model (422).
    """
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as error:
        errors = error.errors(include_url=False)
        located = [{**e, "loc": ("body", *e["loc"])} for e in errors]
        raise RequestValidationError(located) from None


def documented_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI `requestBody` of a route that reads `model` with `json_body`."""
    schema = {"application/json": {"schema": model.model_json_schema()}}
    return {"requestBody": {"required": True, "content": schema}}
