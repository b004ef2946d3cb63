"""JSON responses encoded with orjson, for the API's large answers.

One assessment is 32 KB of JSON: the standard library encodes it in 0.21 ms, orjson in 0.01 ms,
which was a fifth of a request's CPU (bench/RESULTS.md). Content that is already JSON (an
`Assessment.to_json()`) goes in as a `JSONFragment` and is copied, not parsed and re-encoded.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import Response

JSONFragment = orjson.Fragment


class FastJSONResponse(Response):
    """A JSON response (UTF-8, compact), as the standard one but encoded by orjson."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """The content as JSON bytes."""
        return orjson.dumps(content)
