"""JSON request bodies validated by pydantic straight from their bytes, for the hot routes.

A FastAPI body parameter decodes the JSON with the standard library and then validates the
Python objects; `model_validate_json` does both in pydantic-core in one pass. On
`/api/v1/assess` that was 5% of the throughput (bench/RESULTS.md). Errors keep FastAPI's shape
(`RequestValidationError`, located under "body"), so they reach the one error handler.
"""

from __future__ import annotations

from typing import Any, TypeVar, get_args

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, RootModel, ValidationError

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
        tags = _union_tags(model)
        located = [{**e, "loc": ("body", *_without_tag(e["loc"], tags))} for e in errors]
        raise RequestValidationError(located) from None


def _union_tags(model: type[BaseModel]) -> frozenset[str]:
    # The values that tell the bodies of a tagged union apart (a treatment's kinds): pydantic
    # puts the one it tried first in an error's location, where the person expects the field.
    if not issubclass(model, RootModel):
        return frozenset()
    root = model.model_fields["root"]
    if not isinstance(root.discriminator, str):
        return frozenset()
    return frozenset(
        value
        for member in get_args(root.annotation)
        for value in get_args(member.model_fields[root.discriminator].annotation)
    )


def _without_tag(loc: tuple[int | str, ...], tags: frozenset[str]) -> tuple[int | str, ...]:
    return loc[1:] if loc and loc[0] in tags else loc


def documented_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI `requestBody` of a route that reads `model` with `json_body`.

    The models a body nests (a treatment's sites, the kinds of treatment) are written out in
    place: the body's schema is a part of the OpenAPI document, where pydantic's `#/$defs/...`
    references would point nowhere.
    """
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})
    content = {"application/json": {"schema": _inlined(schema, definitions)}}
    return {"requestBody": {"required": True, "content": content}}


def _inlined(schema: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(schema, list):
        return [_inlined(item, definitions) for item in schema]
    if not isinstance(schema, dict):
        return schema
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/$defs/"):
        return _inlined(definitions[reference.removeprefix("#/$defs/")], definitions)
    inlined = {key: _inlined(value, definitions) for key, value in schema.items()}
    if isinstance(inlined.get("discriminator"), dict):
        # Its mapping names the references just written out; the property alone still says
        # which field tells the kinds apart.
        inlined["discriminator"] = {"propertyName": inlined["discriminator"]["propertyName"]}
    return inlined
