"""The JSON Schema of answers, made from the knowledge base: every finding and what it takes.

The API's bodies carry answers as `{finding_id: value}` (`/assess`, a video's evidence) or as
`[finding_id, value]` pairs in order (`/interview`). The core checks them (`parse_value`,
`parse_amount`) and names what is wrong in words; this module publishes the same rule in the
OpenAPI document, finding by finding, so a client -- or a fuzzer -- knows exactly what is
accepted: true/false for a yes/no finding, one of the choices, a non-empty list of them, a
number within the finding's range or the text of an amount (`amounts.amount_pattern`), and
`null` for "don't know". An unknown finding is refused (`additionalProperties: false`).

`Published(build)` attaches such a schema to a pydantic field without changing its validation,
and builds it only when the document is made, so importing the routes loads no knowledge.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from facespasm.amounts import amount_pattern
from facespasm.knowledge import Finding, KnowledgeBase, load_knowledge

Schema = dict[str, Any]
NULL: Schema = {"type": "null"}


def value_schema(finding: Finding, *, typed: bool = True) -> Schema:
    """What an answer to `finding` may be (null included).

    Args:
        finding: The finding.
        typed: Whether a number may also be the text of an amount ("3 weeks").
    """
    if finding.type == "boolean":
        given: list[Schema] = [{"type": "boolean"}]
    elif finding.type == "choice":
        given = [{"type": "string", "enum": list(finding.choice_values)}]
    elif finding.type == "multiple_choice":
        choices = {"type": "string", "enum": list(finding.choice_values)}
        given = [{"type": "array", "items": choices, "minItems": 1}]
    else:
        number: Schema = {"type": "number"}
        if finding.minimum is not None:
            number["minimum"] = finding.minimum
        if finding.maximum is not None:
            number["maximum"] = finding.maximum
        given = [number]
        if typed:
            given.append({"type": "string", "pattern": amount_pattern(finding)})
    return {"anyOf": [*given, NULL], "description": finding.question}


def answers_object(knowledge: KnowledgeBase | None = None, *, typed: bool = True) -> Schema:
    """`{finding_id: value}`: each finding optional, nothing else allowed."""
    findings = (knowledge or load_knowledge()).findings
    return {
        "type": "object",
        "properties": {
            finding_id: value_schema(finding, typed=typed)
            for finding_id, finding in sorted(findings.items())
        },
        "additionalProperties": False,
    }


def answer_pairs(knowledge: KnowledgeBase | None = None) -> Schema:
    """`[[finding_id, value], ...]`: each pair a known finding and a value it takes."""
    findings = (knowledge or load_knowledge()).findings
    pairs = [
        {
            "type": "array",
            "prefixItems": [{"const": finding_id}, value_schema(finding)],
            "minItems": 2,
            "maxItems": 2,
        }
        for finding_id, finding in sorted(findings.items())
    ]
    return {"type": "array", "items": {"anyOf": pairs}}


def finding_ids(knowledge: KnowledgeBase | None = None) -> Schema:
    """A list of finding ids."""
    findings = (knowledge or load_knowledge()).findings
    return {"type": "array", "items": {"type": "string", "enum": sorted(findings)}}


class Published:
    """A field's published JSON Schema, built by `build` when the document is made.

    Validation is the field's own (and the core's); only the document changes.
    """

    def __init__(self, build: Callable[[], Schema], **extra: Any) -> None:
        self.build = build
        self.extra = extra

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The built schema, with the field's description and examples kept."""
        return {**self.build(), **self.extra}
