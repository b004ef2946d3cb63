"""A description as words with their places in the original text, and the breaks between them.

Normalisation is character for character (lower case; curly quotes and dashes made plain), so
a word's offsets in the normalised text are its offsets in what the person wrote and every
mention can quote their exact words. Spelling is fixed per word afterwards (spelling.py); a word
that becomes two ("don't" -> "do not") gives both the original word's offsets.

Breaks carry the structure that scope needs: a comma, dash or bracket is a soft break, ';' a
clause break, and '.', '!', '?' or a new line a sentence break; a '?' also marks a question.
A full stop followed directly by a letter or digit ("y.o", "1.5") is not a break, nor is a
hyphen inside a word ("52-year-old"). Texting with no punctuation simply has no breaks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import NamedTuple

from facespasm.language.spelling import Speller

NONE, SOFT, CLAUSE, SENTENCE = range(4)

_PLAIN = str.maketrans(
    {
        "\u2019": "'",  # right single quotation mark, the usual phone apostrophe
        "\u2018": "'",
        "\u02bc": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2012": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2026": ".",  # an ellipsis ends a thought like a full stop
    }
)
_SENTENCE_MARKS = frozenset(".!?")
_SOFT_MARKS = frozenset(",:()[]{}-/")
_WORD_JOINERS = frozenset("-/")  # inside a word ("52-year-old", "y/o") they join, not break


class Tokens(NamedTuple):
    """The words of a description and where they are.

    `breaks[i]` is the strongest break just before word i (`breaks[len(words)]` the one after
    the last word), `questions[i]` whether that break ends a question. `numbers[i]` is the value
    of a number starting at word i ("52", "forty five") and `number_lengths[i]` how many words
    it spans. `segment_ends[i]` is where the clause or sentence holding word i ends: patterns
    never reach past it.
    """

    text: str
    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    breaks: tuple[int, ...]
    questions: tuple[bool, ...]
    numbers: tuple[float | None, ...]
    number_lengths: tuple[int, ...]
    segment_ends: tuple[int, ...]

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Character offsets of words first..last (inclusive) in the original text."""
        return self.starts[first], self.ends[last]


def normalise(text: str) -> str:
    """The text in lower case with plain quotes and dashes, exactly as long as the original."""
    plain = text.translate(_PLAIN)
    lowered = plain.lower()
    if len(lowered) == len(plain):
        return lowered
    # A few characters lower to two ("İ"); keep those as they are so offsets stay true.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in plain)


def tokenise(text: str, speller: Speller, numbers: Mapping[str, float]) -> Tokens:
    """The words of `text`, spelt as the lexicon spells them, with breaks and numbers."""
    norm = normalise(text)
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    breaks: list[int] = [NONE]
    questions: list[bool] = [False]
    last_end = 0
    for found in _token_pattern().finditer(norm):
        start, end = found.span()
        if "\n" in norm[last_end:start]:
            _mark(breaks, questions, SENTENCE, question=False)
        last_end = end
        raw = found.group()
        if raw[0].isalnum():
            for word in (raw,) if _is_number(raw) else speller.words(raw):
                words.append(word)
                starts.append(start)
                ends.append(end)
                breaks.append(NONE)
                questions.append(False)
        elif raw == "&":
            words.append("and")
            starts.append(start)
            ends.append(end)
            breaks.append(NONE)
            questions.append(False)
        else:
            level = _break_level(norm, start, raw)
            if level:
                _mark(breaks, questions, level, question=raw == "?")
    values, lengths = _numbers(words, numbers)
    return Tokens(
        text=text,
        words=tuple(words),
        starts=tuple(starts),
        ends=tuple(ends),
        breaks=tuple(breaks),
        questions=tuple(questions),
        numbers=values,
        number_lengths=lengths,
        segment_ends=_segment_ends(breaks),
    )


@functools.cache
def _token_pattern() -> re.Pattern[str]:
    """Words, numbers and single marks, compiled on first use (not at import).

    Each alternative is one character-class run or one character, and an apostrophe must be
    followed by a letter, so matching is linear in the text: no input can make it backtrack.
    """
    return re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|[0-9]+(?:\.[0-9]+)?|[^\w\s]|_")


def _mark(breaks: list[int], questions: list[bool], level: int, *, question: bool) -> None:
    breaks[-1] = max(breaks[-1], level)
    questions[-1] = questions[-1] or question


def _break_level(norm: str, at: int, mark: str) -> int:
    following = norm[at + 1] if at + 1 < len(norm) else " "
    if mark in _SENTENCE_MARKS:
        if mark == "." and following.isalnum():
            return NONE  # "y.o", "e.g" -- an abbreviation, not the end of a sentence
        return SENTENCE
    if mark == ";":
        return CLAUSE
    if mark in _WORD_JOINERS:
        preceding = norm[at - 1] if at else " "
        if preceding.isalnum() and following.isalnum():
            return NONE
    return SOFT if mark in _SOFT_MARKS else NONE


def _numbers(
    words: list[str], numbers: Mapping[str, float]
) -> tuple[tuple[float | None, ...], tuple[int, ...]]:
    values: list[float | None] = []
    lengths: list[int] = []
    for i, word in enumerate(words):
        value = float(word) if _is_number(word) else numbers.get(word)
        length = 1
        if value is not None and i + 1 < len(words) and _is_tens(value):
            unit = numbers.get(words[i + 1])
            if unit is not None and 1 <= unit <= 9 and unit == int(unit):
                value, length = value + unit, 2  # "forty five", "forty-five"
        values.append(value)
        lengths.append(length)
    return tuple(values), tuple(lengths)


def _is_number(word: str) -> bool:
    """Digits as the tokenizer reads them ("52", "1.5"); not "²", which is a letter-like mark."""
    return word[0] in "0123456789"


def _is_tens(value: float) -> bool:
    return 20 <= value <= 90 and value % 10 == 0


def _segment_ends(breaks: list[int]) -> tuple[int, ...]:
    count = len(breaks) - 1
    ends = [count] * count
    end = count
    for i in range(count - 1, -1, -1):
        ends[i] = end
        if breaks[i] >= CLAUSE:
            end = i
    return tuple(ends)
