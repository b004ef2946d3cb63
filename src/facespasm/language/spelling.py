"""Spelling: variants, contractions and typos become the lexicon's own words.

The lexicon writes each word once; people write "twiching", "paralyzed", "dont" and "bells
palsy". A reviewed map (lexicon.yaml `spellings`) turns known variants into lexicon words --
"don't" into "do not", so one negation word covers them all. A typo the map does not list is
corrected when it is one edit (a letter added, dropped, changed, or two swapped: Damerau
distance 1) from exactly the words the patterns use, and only for words of six letters or
more: shorter words have too many everyday neighbours ("numb"/"dumb"). Words that are real
English and one edit from a lexicon word ("switch"/"twitch") are listed as never corrected.

The candidates come from a symmetric-deletion index built once with the lexicon, so a
correction costs a few dictionary look-ups, never a scan of the vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_MIN_TARGET = 5  # shorter lexicon words are never the target of a correction
_CACHE_LIMIT = 4096


@dataclass(frozen=True)
class Speller:
    """Turns one written word into the lexicon's words (usually one, "don't" gives two)."""

    variants: Mapping[str, tuple[str, ...]]
    vocabulary: frozenset[str]
    targets: frozenset[str]
    deletions: Mapping[str, tuple[str, ...]]
    never: frozenset[str]
    min_length: int
    _cache: dict[str, tuple[str, ...]] = field(
        default_factory=dict, compare=False, repr=False, hash=False
    )

    @classmethod
    def build(
        cls,
        variants: Mapping[str, str],
        vocabulary: Iterable[str],
        targets: Iterable[str],
        never: Iterable[str],
        min_length: int,
    ) -> Speller:
        """A speller for a lexicon: its variant map, all its words, and the typo targets."""
        target_set = frozenset(word for word in targets if len(word) >= _MIN_TARGET)
        index: dict[str, set[str]] = {}
        for word in target_set:
            for deleted in _deletions(word):
                index.setdefault(deleted, set()).add(word)
        return cls(
            variants={key: tuple(value.split()) for key, value in variants.items()},
            vocabulary=frozenset(vocabulary) | target_set,
            targets=target_set,
            deletions={key: tuple(sorted(words)) for key, words in index.items()},
            never=frozenset(never),
            min_length=min_length,
        )

    def words(self, written: str) -> tuple[str, ...]:
        """The lexicon words for one written (lower-case) word."""
        cached = self._cache.get(written)
        if cached is not None:
            return cached
        result = self._words(written)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[written] = result
        return result

    def _words(self, written: str) -> tuple[str, ...]:
        variant = self.variants.get(written)
        if variant is not None:
            return variant
        if "'" in written:
            # A possessive ("bell's", "mum's") names the thing; other apostrophes are dropped.
            stem = written[:-2] if written.endswith("'s") else written.replace("'", "")
            return self._words(stem) if stem else ()
        if written in self.vocabulary or written in self.never:
            return (written,)
        if len(written) >= self.min_length and not written.isdigit():
            corrected = self._correct(written)
            if corrected is not None:
                return self.variants.get(corrected, (corrected,))
        return (written,)

    def _correct(self, word: str) -> str | None:
        candidates: set[str] = set(self.deletions.get(word, ()))  # a letter was dropped
        for deleted in _deletions(word):
            if deleted in self.targets:  # a letter was added
                candidates.add(deleted)
            candidates.update(self.deletions.get(deleted, ()))  # a letter was changed
        for i in range(len(word) - 1):  # two letters were swapped
            swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
            if swapped in self.targets:
                candidates.add(swapped)
        close = sorted(c for c in candidates if within_one_edit(word, c))
        return close[0] if close else None


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """Whether two words differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    if a[i + 1 :] == b[i + 1 :]:
        return True
    return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
