"""Reviewed YAML files (the knowledge base, the reader's lexicon): parsed, errors phrased alike.

A reviewer's slip reads the same in both files: one line naming the file and what is wrong.

Both are parsed only when a file (or the code reading it) has changed; a warm start unpickles the
validated objects instead (`cache.py`), so the YAML parser is imported here, on demand.
"""

from __future__ import annotations

from typing import Any

from facespasm.errors import KnowledgeError


def parse_sections(file_name: str, text: bytes) -> dict[str, Any]:
    """The file's top-level mapping of sections.

    Raises:
        KnowledgeError: the file is not valid YAML (with the line) or not a mapping.
    """
    import yaml  # 9 ms to import; a warm start never needs it

    try:
        document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise KnowledgeError(f"{file_name}: not valid YAML{where}: {problem}") from None
    if not isinstance(document, dict):
        raise KnowledgeError(f"{file_name}: expected a mapping of sections at the top level")
    return document


def first_problem(error: Any) -> str:
    """A pydantic ValidationError as one line: where, what, and how many more problems."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    count = error.error_count()
    more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
    return f"{where}: {first['msg']}{more}" if where else f"{first['msg']}{more}"
