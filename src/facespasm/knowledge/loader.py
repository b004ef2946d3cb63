"""Read the knowledge YAML, validate it, and keep a validated copy so later starts are fast.

Validation happens whenever the files change: the cache key is a hash of every file in this
package (data and code), so an edited YAML entry or schema is always validated before use, and a
broken file fails here with the file and entry named. Without a change, the validated objects
are unpickled from the user's cache directory, which keeps pydantic (about 80 ms to import and
build) and the YAML parser off the path of `facespasm assess --json`. The cache is an
optimisation only: when it is missing, unreadable or stale the files are simply validated again.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from facespasm.cache import code_fingerprint, read_cached, write_cached
from facespasm.errors import KnowledgeError
from facespasm.knowledge.base import KnowledgeBase
from facespasm.knowledge.checks import check_knowledge
from facespasm.knowledge.schema import (
    Advice,
    CareLevel,
    CareRule,
    Cause,
    Finding,
    Source,
    Treatment,
)
from facespasm.reviewed_yaml import first_problem, parse_sections

DATA_DIR = Path(__file__).parent / "data"

# file -> {section: entry type}; each section is a list of entries with an `id`.
LAYOUT: dict[str, dict[str, type]] = {
    "sources.yaml": {"sources": Source},
    "causes.yaml": {"causes": Cause},
    "findings.yaml": {"findings": Finding},
    "care.yaml": {"levels": CareLevel, "rules": CareRule},
    "advice.yaml": {"advice": Advice},
    "treatments.yaml": {"treatments": Treatment},
}


@functools.cache
def load_knowledge(directory: Path | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base (the packaged one unless `directory` is given).

    Raises:
        KnowledgeError: a file is missing, is not valid YAML, or has an entry that does not fit
            the schema or refers to something that does not exist. The message names both.
    """
    directory = DATA_DIR if directory is None else directory
    texts = {name: _read(directory / name) for name in LAYOUT}
    version = hashlib.sha256(b"".join(texts.values())).hexdigest()[:12]
    code = code_fingerprint(Path(__file__).parent)
    name = "knowledge-" + hashlib.sha256(version.encode() + code).hexdigest()[:24]
    cached = read_cached(name, KnowledgeBase)
    if cached is not None and cached.version == version:
        return cached
    knowledge = _validate(texts, version)
    write_cached(name, knowledge)
    return knowledge


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise KnowledgeError(
            f"{path.name}: cannot read knowledge file ({error.strerror})"
        ) from None


def _validate(texts: dict[str, bytes], version: str) -> KnowledgeBase:
    # pydantic is imported only here, when the files must be validated.
    from pydantic import TypeAdapter, ValidationError

    sections: dict[str, tuple[Any, ...]] = {}
    for file_name, layout in LAYOUT.items():
        document = parse_sections(file_name, texts[file_name])
        for section, entry_type in layout.items():
            entries = document.get(section)
            if not isinstance(entries, list) or not entries:
                raise KnowledgeError(f"{file_name}: expected a non-empty list under '{section}:'")
            adapter: TypeAdapter[Any] = TypeAdapter(entry_type)
            validated = []
            for index, entry in enumerate(entries):
                try:
                    validated.append(adapter.validate_python(entry))
                except ValidationError as error:
                    raise KnowledgeError(
                        f"{file_name}, entry {_entry_name(entry, index)}: {first_problem(error)}"
                    ) from None
            sections[section] = tuple(validated)
    check_knowledge(sections)
    return KnowledgeBase(
        sources=sections["sources"],
        causes=sections["causes"],
        findings=sections["findings"],
        care_levels=sections["levels"],
        care_rules=sections["rules"],
        advice=sections["advice"],
        treatments=sections["treatments"],
        version=version,
    )


def _entry_name(entry: object, index: int) -> str:
    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
        return f"'{entry['id']}'"
    return f"#{index + 1}"
