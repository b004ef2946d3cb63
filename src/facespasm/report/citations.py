"""Source numbers: given once, in the order a report first cites them, and written as ranges.

A report numbers only the sources it shows a statement for, so its list has no gaps and no
entries nobody pointed to; the numbers follow the reading order, so the first statement cites
[1]. Runs of three or more are written as ranges, "[1, 4–7]"; two in a row stay a pair, "[2, 3]",
which is shorter than "[2–3]" and reads the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from facespasm.knowledge import KnowledgeBase, Source


@dataclass(frozen=True)
class Cited:
    """The source numbers one statement cites, lowest first."""

    numbers: tuple[int, ...] = ()

    @property
    def runs(self) -> tuple[tuple[int, int], ...]:
        """The numbers as (first, last) runs; a pair is two runs of one, "[2, 3]"."""
        runs: list[list[int]] = []
        for number in self.numbers:
            if runs and number == runs[-1][-1] + 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        written: list[tuple[int, int]] = []
        for run in runs:
            if len(run) > 2:
                written.append((run[0], run[-1]))
            else:
                written += [(number, number) for number in run]
        return tuple(written)

    @property
    def text(self) -> str:
        """The marker as written after a statement: "[1, 4–7]" (empty when nothing is cited)."""
        if not self.numbers:
            return ""
        parts = (str(a) if a == b else f"{a}–{b}" for a, b in self.runs)
        return "[" + ", ".join(parts) + "]"


@dataclass(frozen=True)
class SourceView:
    """One numbered entry of the source list."""

    number: int
    citation: str
    url: str | None


class Numbering:
    """Hands out source numbers in the order statements are cited."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self._knowledge = knowledge
        self._numbers: dict[str, int] = {}

    def __call__(self, source_ids: Iterable[str]) -> Cited:
        """The citation of these sources, numbering the ones not cited before."""
        numbers = {self._numbers.setdefault(s, len(self._numbers) + 1) for s in source_ids}
        return Cited(tuple(sorted(numbers)))

    def sources(self) -> tuple[SourceView, ...]:
        """Every source cited so far, by number."""
        return tuple(
            _entry(number, self._knowledge.sources[source_id])
            for source_id, number in self._numbers.items()
        )


def _entry(number: int, source: Source) -> SourceView:
    return SourceView(number=number, citation=source.citation, url=source.url)
