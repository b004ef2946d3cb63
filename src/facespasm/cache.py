"""Validated data kept between runs: the knowledge base and the reader's lexicon, pickled.

Both are YAML reviewed like documents and validated with pydantic, which costs more than a
command's whole start-up budget. The validated objects are pickled under a key that hashes the
files *and* the code that reads them (`code_fingerprint`), so an edit to either is always
validated again. The cache is an optimisation only: missing, unreadable, stale or unwritable,
the files are simply validated again.
"""

from __future__ import annotations

import gc
import os
import pickle
import tempfile
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def cache_dir() -> Path:
    """Where the cache lives: $FACESPASM_CACHE_DIR, else the user's cache folder."""
    configured = os.environ.get("FACESPASM_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "facespasm"


def code_fingerprint(package: Path) -> bytes:
    """The bytes of a package's code, so a changed schema or compiler never meets an old pickle."""
    return b"".join(path.read_bytes() for path in sorted(package.glob("*.py")))


def read_cached(name: str, kind: type[T]) -> T | None:
    """The object cached under `name`, if there is one of this type."""
    # Unpickling makes thousands of small objects; the cyclic collector would walk them several
    # times over for nothing (about a third of the lexicon's load time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with (cache_dir() / f"{name}.pickle").open("rb") as stream:
            cached = pickle.load(stream)
    except Exception:
        return None
    finally:
        if collecting:
            gc.enable()
    return cached if isinstance(cached, kind) else None


def write_cached(name: str, value: object) -> None:
    """Cache `value` under `name` (atomically: a reader never sees half a file)."""
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, delete=False, suffix=".tmp") as stream:
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
        Path(stream.name).replace(directory / f"{name}.pickle")
    except OSError:
        pass  # a read-only home still gets validated data, just not cached
