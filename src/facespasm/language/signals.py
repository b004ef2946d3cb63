"""A second, statistical reader that only ever adds: sentences that sound like a red flag.

The rule reader (lexicon.yaml) reads what it has words for, and people describe a numb lip, a
stroke in progress or a reaction to a medicine in more ways than any list holds. This reader is a
linear model (one logistic regression per red flag, over words, word pairs, words under a
negation and character n-grams of the words, hashed) trained on sentences written for the
purpose, apart from every evaluation set (training/red_flags/, `scripts/train_signals.py`). Its
thresholds ship in `data/signals.json` and its weights in `data/signals.weights`.

It may only add, never clear (issue 10). A sentence it scores above a red flag's threshold gives
a question for that red flag; scored at or above `count_threshold` (confident), the red flag also
counts for the care level until the person says no, like one the person mentioned with a hedge.
Never a "no", and never a value the differential uses; a sentence where the rule reader read a
plain answer for the same finding ("no numbness") is left alone. Both thresholds are set on the
training sentences and the blind development sets (scripts/train_signals.py).
"""

from __future__ import annotations

import functools
import json
import math
import sys
import zlib
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from facespasm.language.text import CLAUSE, Tokens

MODEL_PATH = Path(__file__).parent / "data" / "signals.json"
# The weights: BUCKETS rows of one little-endian float32 per label (`SignalModel`).
WEIGHTS_PATH = MODEL_PATH.with_suffix(".weights")

# Words that deny what follows in their clause; features of the words they cover are marked, so
# the model can tell "numb" from "not numb" (NegEx's idea, learnt rather than listed).
NEGATIONS = frozenset({"no", "not", "never", "without", "nothing", "none", "nor"})
NEGATION_REACH = 4
CHAR_GRAMS = (3, 4, 5)
# Features are hashed into this many rows (the "hashing trick"): no vocabulary to store or load,
# so the model is two small files read in a couple of milliseconds. Training uses the same hash.
BUCKETS = 1 << 15


def bucket(feature: str) -> int:
    """The row a feature's weights are in: CRC-32 of its UTF-8, modulo `BUCKETS`."""
    return zlib.crc32(feature.encode()) & (BUCKETS - 1)


@dataclass(frozen=True)
class SignalModel:
    """The trained weights: per red flag (`labels`), the finding it reads as and its threshold.

    `table` holds one row of weights per hashed feature (`bucket`), one weight per label.
    """

    labels: tuple[str, ...]
    findings: tuple[str, ...]
    thresholds: tuple[float, ...]
    count_threshold: float
    bias: tuple[float, ...]
    table: array[float]

    def scores(self, words: Sequence[str]) -> list[float]:
        """P(this red flag | the sentence's words), for each label."""
        totals = list(self.bias)
        width = len(totals)
        table = self.table
        for row in {bucket(feature) for feature in features(words)}:
            start = row * width
            for k, weight in enumerate(table[start : start + width]):
                totals[k] += weight
        return [1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, t)))) for t in totals]


@dataclass(frozen=True)
class Signal:
    """One sentence the model reads as a red flag: words [first, last] of the description."""

    finding: str
    first: int
    last: int
    score: float
    counted: bool


def features(words: Sequence[str]) -> Iterator[str]:
    """The features of one sentence's words (the same for training and reading)."""
    negated_until = -1
    previous = "<s>"
    for i, word in enumerate(words):
        yield f"w:{word}"
        yield f"b:{previous} {word}"
        if i <= negated_until:
            yield f"n:{word}"
        if word in NEGATIONS:
            negated_until = i + NEGATION_REACH
        yield from _char_grams(word)
        previous = word
    yield f"b:{previous} </s>"


@functools.lru_cache(maxsize=8192)
def _char_grams(word: str) -> tuple[str, ...]:
    """A word's character n-grams, with its ends marked ("<numb>": "c:<nu", ..., "c:mb>")."""
    if len(word) < 4 or not word.isalpha():
        return ()
    padded = f"<{word}>"
    return tuple(
        f"c:{padded[start : start + size]}"
        for size in CHAR_GRAMS
        for start in range(len(padded) - size + 1)
    )


def sentences(tokens: Tokens) -> Iterator[tuple[int, int]]:
    """Word ranges [first, end) of the description's sentences (and ';' parts)."""
    first = 0
    for k in range(1, len(tokens.words) + 1):
        if k == len(tokens.words) or tokens.breaks[k] >= CLAUSE:
            if k > first:
                yield first, k
            first = k


def signals(tokens: Tokens, model: SignalModel) -> list[Signal]:
    """Every (sentence, red flag) the model scores above that flag's threshold."""
    found = []
    for first, end in sentences(tokens):
        scores = model.scores(tokens.words[first:end])
        for k, score in enumerate(scores):
            if score > model.thresholds[k]:
                counted = score >= model.count_threshold
                found.append(Signal(model.findings[k], first, end - 1, score, counted))
    return found


@functools.cache
def load_signals(path: Path | None = None) -> SignalModel | None:
    """The trained model (None when the package has none: the rules then read alone)."""
    path = MODEL_PATH if path is None else path
    try:
        document = json.loads(path.read_bytes())
        raw = path.with_suffix(".weights").read_bytes()
    except OSError:
        return None
    table = array("f")
    table.frombytes(raw)
    if sys.byteorder != "little":
        table.byteswap()
    labels = tuple(document["labels"])
    if len(table) != BUCKETS * len(labels):
        raise ValueError(f"{path.name}: the weights do not fit {BUCKETS} rows of {len(labels)}")
    return SignalModel(
        labels=labels,
        findings=tuple(document["findings"][label] for label in labels),
        thresholds=tuple(document["thresholds"][label] for label in labels),
        count_threshold=document["count_threshold"],
        bias=tuple(document["bias"]),
        table=table,
    )
