"""The API's operations as its OpenAPI document publishes them, found by a request's path.

The guards that must know what a path takes -- which methods (`errors.py`, for the `Allow` of a
405) and which body media types (`request_types.py`) -- read it from the published document,
so what is enforced is what is documented, whatever the routers look like inside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import FastAPI
from starlette.routing import compile_path

_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@dataclass(frozen=True)
class PathOperations:
    """One documented path: its methods, and the media types each method's body may have."""

    template: str
    pattern: re.Pattern[str]
    bodies: dict[str, frozenset[str]]

    @property
    def methods(self) -> list[str]:
        """The methods documented at this path, sorted."""
        return sorted(self.bodies)


def published_operations(app: FastAPI) -> dict[str, PathOperations]:
    """Every path of the application's OpenAPI document, by template (read once, then kept)."""
    cached: dict[str, PathOperations] | None = getattr(app.state, "published_operations", None)
    if cached is None:
        cached = {}
        for template, operations in app.openapi().get("paths", {}).items():
            pattern, _, _ = compile_path(template)
            bodies = {
                method.upper(): frozenset(operation.get("requestBody", {}).get("content", {}))
                for method, operation in operations.items()
                if method in _METHODS
            }
            cached[template] = PathOperations(template, pattern, bodies)
        app.state.published_operations = cached
    return cached


def operations_at(app: FastAPI, path: str) -> PathOperations | None:
    """The documented path a request path is an instance of, or None."""
    published = published_operations(app)
    exact = published.get(path)  # most paths have no parameters: no pattern to try
    if exact is not None:
        return exact
    for candidate in published.values():
        if candidate.pattern.match(path):
            return candidate
    return None
