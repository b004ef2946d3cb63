"""The lexicon's small pattern language, compiled to word-level matchers that cannot blow up.

A pattern is a row of words (lexicon.yaml explains it to reviewers):

    left @facepart          a literal word, then any word of the class `facepart`
    can not open my|the? @eye     `a|b` one of several; a trailing `?` makes it optional
    spread * @lowerface     `*` skips up to a few words (never across a sentence or ';')
    @limb ** heavy          `**` skips more, but never across a comma: later in the clause
    i am <n> !@unit         `<n>` a number (its value is kept); `!a|b` the next word is not one

Patterns match the normalised words of a description (text.py), not its characters, so they are
written once for every spelling and apostrophe. A word pattern, rather than one big regular
expression, keeps the cold start fast (nothing to compile at import: the compiled patterns are
plain tuples that pickle with the lexicon) and bounds the work: each pattern is tried only at
words that can begin it, with at most a few gap lengths per `*`, so no input can make it hang.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from facespasm.language.text import SOFT

# Element kinds of a compiled pattern.
WORD, OPTIONAL, NUMBER, GAP, NOT, LONG_GAP = range(6)
NUMBER_KEY = "<n>"  # index key of patterns that begin with a number

Element = tuple[int, frozenset[str] | int]
Pattern = tuple[Element, ...]


class PatternError(ValueError):
    """A pattern that does not follow the pattern language; the message says why."""


def compile_pattern(
    source: str, classes: Mapping[str, Sequence[str]], gap_words: int, long_gap_words: int = 0
) -> tuple[Pattern, tuple[str, ...]]:
    """A pattern's elements, and the literal words it uses (for the spelling vocabulary).

    Raises:
        PatternError: an unknown class, an empty alternative, or a pattern that begins or ends
            with something that is not a word (a gap, an optional word or a look-ahead).
    """
    elements: list[Element] = []
    words: list[str] = []
    for part in source.split():
        if part == "*":
            elements.append((GAP, gap_words))
        elif part == "**":
            elements.append((LONG_GAP, long_gap_words or gap_words))
        elif part == NUMBER_KEY:
            elements.append((NUMBER, 0))
        elif part.startswith("!"):
            elements.append((NOT, _alternatives(part[1:], classes, words)))
        elif part.endswith("?") and len(part) > 1:
            elements.append((OPTIONAL, _alternatives(part[:-1], classes, words)))
        else:
            elements.append((WORD, _alternatives(part, classes, words)))
    if not elements:
        raise PatternError("the pattern is empty")
    if elements[0][0] not in (WORD, NUMBER):
        raise PatternError("a pattern must begin with a word or <n>")
    if elements[-1][0] in (GAP, LONG_GAP, OPTIONAL):
        raise PatternError("a pattern must not end with '*' or an optional word")
    return tuple(elements), tuple(words)


def _alternatives(
    part: str, classes: Mapping[str, Sequence[str]], words: list[str]
) -> frozenset[str]:
    found: set[str] = set()
    for option in part.split("|"):
        if not option:
            raise PatternError(f"'{part}' has an empty alternative")
        if option.startswith("@"):
            members = classes.get(option[1:])
            if members is None:
                raise PatternError(f"unknown word class '{option}'")
            found.update(members)
        elif option != option.lower() or not _is_word(option):
            raise PatternError(f"'{option}' is not a lower-case word")
        else:
            found.add(option)
    words.extend(sorted(found))
    return frozenset(found)


def _is_word(option: str) -> bool:
    return all(char.isalnum() or char == "'" for char in option)


def first_words(pattern: Pattern) -> frozenset[str]:
    """The words a pattern can begin with ({NUMBER_KEY} for a number)."""
    kind, argument = pattern[0]
    if kind == NUMBER:
        return frozenset((NUMBER_KEY,))
    assert isinstance(argument, frozenset)
    return argument


class Match(NamedTuple):
    """Where a pattern matched: words [start, end), the words it named, and a number it took.

    `literal` are the indices of the words the pattern named (not those a `*` skipped): a
    negation word inside a gap ("touching it does *not* help") still negates.
    """

    rule: int
    start: int
    end: int
    literal: tuple[int, ...]
    number: float | None = None


Step = tuple[int, tuple[int, ...], float | None]  # (next word, words named, number taken)


def match_at(
    pattern: Pattern,
    words: Sequence[str],
    numbers: Sequence[float | None],
    number_lengths: Sequence[int],
    start: int,
    limit: int,
    breaks: Sequence[int] = (),
) -> Step | None:
    """The longest match of `pattern` beginning at word `start` and ending by `limit`, or None.

    Returns (end, indices of the words the pattern named, the number it took).
    """

    def go(k: int, i: int, literal: tuple[int, ...], number: float | None) -> Step | None:
        if k == len(pattern):
            return (i, literal, number)
        best: Step | None = None
        for j, named, value in _steps(pattern[k], i, limit, words, numbers, number_lengths, breaks):
            found = go(k + 1, j, literal + named, number if value is None else value)
            if found is not None and (best is None or found[0] > best[0]):
                best = found
        return best

    return go(0, start, (), None)


def _steps(
    element: Element,
    i: int,
    limit: int,
    words: Sequence[str],
    numbers: Sequence[float | None],
    number_lengths: Sequence[int],
    breaks: Sequence[int] = (),
) -> list[Step]:
    """The ways one element can match at word i: where the match goes on from, and what it named."""
    kind, argument = element
    if isinstance(argument, int):
        if kind == LONG_GAP:  # up to `argument` words, stopping at a comma or stronger break
            steps: list[Step] = []
            for j in range(i, min(i + argument, limit) + 1):
                if j < len(breaks) and breaks[j] >= SOFT:
                    break
                steps.append((j, (), None))
            return steps
        if kind == NUMBER:
            value = numbers[i] if i < limit else None
            end = min(i + number_lengths[i], limit) if value is not None else i
            return [(end, tuple(range(i, end)), value)] if value is not None else []
        return [(j, (), None) for j in range(i, min(i + argument, limit) + 1)]  # a gap
    here = i < limit and words[i] in argument
    if kind == WORD:
        return [(i + 1, (i,), None)] if here else []
    if kind == OPTIONAL:
        return [(i + 1, (i,), None), (i, (), None)] if here else [(i, (), None)]
    return [] if here else [(i, (), None)]  # NOT: a look-ahead that takes nothing
