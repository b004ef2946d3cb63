"""Results worked out from a knowledge base, remembered for as long as it is loaded.

The likelihood tables never change while a knowledge base is in use, so what follows from one
answer alone -- its likelihood under each cause, its weight for and against each cause -- is the
same in every assessment and interview step. The web API assesses on every request; working
these out once is what keeps `/api/v1/assess` near the cost of a bare request (bench/RESULTS.md).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from facespasm.knowledge import KnowledgeBase

T = TypeVar("T")

# Keys are answers, so their number is bounded by the tables except for numbers remembered by
# value; past this many a memo starts again rather than grow.
LIMIT = 4096


class KnowledgeMemo(Generic[T]):
    """A memo per knowledge base; it goes when the knowledge base does."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._memos: weakref.WeakKeyDictionary[KnowledgeBase, dict[Hashable, T]] = (
            weakref.WeakKeyDictionary()
        )
        self._limit = limit
        # The knowledge base asked about last and its memo: nearly always the packaged one.
        self._last: tuple[weakref.ref[KnowledgeBase], dict[Hashable, T]] | None = None

    def get(self, knowledge: KnowledgeBase, key: Hashable, compute: Callable[[], T]) -> T:
        """The remembered value for `key`, computing it the first time."""
        last = self._last
        if last is not None and last[0]() is knowledge:
            memo = last[1]
        else:
            memo = self._memos.setdefault(knowledge, {})
            self._last = (weakref.ref(knowledge), memo)
        try:
            return memo[key]
        except KeyError:
            if len(memo) >= self._limit:
                memo.clear()
            value = memo[key] = compute()
            return value
