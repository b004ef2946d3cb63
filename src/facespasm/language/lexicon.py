"""Load the reader's lexicon, compiled, from the cache when nothing has changed.

The lexicon is reviewed data (`data/lexicon.yaml`): every word, phrase, cue and number word the
reader knows. It is loaded the way the knowledge base is (knowledge/loader.py): when the file,
this package's code or the knowledge base changes, compiler.py validates it with pydantic,
checks its meaning against the knowledge base (a broken entry fails with `KnowledgeError`
naming the entry) and compiles it; the result is pickled in the knowledge base's cache
directory, keyed by a hash of all three. A warm start only unpickles it -- no pydantic, no YAML,
no compiling -- which keeps a first `read()` in a fresh process within a few milliseconds.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from facespasm.cache import code_fingerprint, read_cached, write_cached
from facespasm.errors import KnowledgeError
from facespasm.knowledge import KnowledgeBase, load_knowledge
from facespasm.language.patterns import Pattern
from facespasm.language.schema import Anchored, Combine, Durations, Settings
from facespasm.language.spelling import Speller
from facespasm.reasoning.evidence import Value

LEXICON_PATH = Path(__file__).parent / "data" / "lexicon.yaml"
# English words one edit from a pattern word, never typo-corrected (scripts/update_real_words.py).
REAL_WORDS_PATH = Path(__file__).parent / "data" / "real_words.txt"


class Rule(NamedTuple):
    """One compiled entry: what its patterns mean when they match.

    `kind` is "finding", "cue" or "block". A finding rule gives `finding` the value `value`
    (or the matched number when `takes_number`); `negated_value` is its value under a negation
    (None: a negation drops it); a `suspect` rule gives only hedged yeses; `about` says whose
    description it reads ("self", "other", "any"); `context` is the rule whose match anywhere in
    the description it needs (-1: none). A cue rule has its `cue_kinds` and direction.
    """

    kind: str
    name: str
    finding: str = ""
    value: Value | None = None
    takes_number: bool = False
    negated_value: Value | None = None
    only_negated: bool = False
    qualifier: str | None = None
    claims: frozenset[str] = frozenset()
    cue_kinds: frozenset[str] = frozenset()
    backward: bool = False
    at_clause_end: bool = False
    suspect: bool = False
    about: str = "any"
    context: int = -1


@dataclass(frozen=True)
class Lexicon:
    """The compiled lexicon: rules, patterns indexed by first word, spelling and settings."""

    version: str
    rules: tuple[Rule, ...]
    index: Mapping[str, tuple[tuple[int, Pattern], ...]]
    speller: Speller
    numbers: Mapping[str, float]
    settings: Settings
    clause_starters: frozenset[str]
    conjunctions: frozenset[str]
    durations: Durations
    anchored: Anchored
    anchor_words: frozenset[str]
    combine: Mapping[str, Combine]


@functools.cache
def load_lexicon(path: Path | None = None, knowledge: KnowledgeBase | None = None) -> Lexicon:
    """The reader's lexicon (the packaged one unless `path` is given), validated and compiled.

    Raises:
        KnowledgeError: the file is missing or not valid YAML, or an entry does not fit the
            schema or the knowledge base; the message names the file and the entry.
    """
    path = LEXICON_PATH if path is None else path
    knowledge = knowledge or load_knowledge()
    try:
        text = path.read_bytes()
    except OSError as error:
        raise KnowledgeError(f"{path.name}: cannot read the lexicon ({error.strerror})") from None
    real = REAL_WORDS_PATH.read_bytes() if REAL_WORDS_PATH.exists() else b""
    version = hashlib.sha256(text + real).hexdigest()[:12]
    code = code_fingerprint(Path(__file__).parent)
    key = text + real + code + knowledge.version.encode()
    name = "lexicon-" + hashlib.sha256(key).hexdigest()[:24]
    cached = read_cached(name, Lexicon)
    if cached is not None and cached.version == version:
        return cached
    # Only a changed or first-seen lexicon is validated: pydantic and YAML stay off warm starts.
    from facespasm.language.compiler import compile_lexicon, validate

    spec = validate(path.name, text)
    words = [w for w in real.decode("utf-8").split("\n") if w and not w.startswith("#")]
    lexicon = compile_lexicon(path.name, spec, knowledge, version, real_words=words)
    write_cached(name, lexicon)
    return lexicon
