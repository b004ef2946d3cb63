"""How far a negation, a hedge or "my mother has" reaches: NegEx-style scope over clauses.

A forward cue ("no", "not", "maybe", "my dad had") covers the words after it until its clause
ends: a ';' or sentence end, a terminator ("but", "though", "except"), a comma or "and"/"or"
that opens a new clause (followed by "I", "my", "it"...), or the scope window (lexicon
settings). So "no weakness or numbness" denies both, "not stressed but exhausted" denies only the
stress, and "I don't drink coffee and I smoke" denies only the coffee (Chapman et al. 2001,
NegEx; Harkema et al. 2009, ConText).

A backward cue ("my hearing is fine", "pain: none") covers the clause before it, and counts
only at the end of a clause, so "a fine flicker" is not a denial. A forward cue with nothing
after it in its clause ("it's getting worse, I think") covers the clause before it instead. A
clause that ends with '?' is hedged as a whole. A cue of a time long past ("two years ago")
reaches to the end of its sentence.
"""

from __future__ import annotations

from typing import NamedTuple

from facespasm.language.lexicon import Lexicon
from facespasm.language.patterns import Match
from facespasm.language.text import CLAUSE, SENTENCE, SOFT, Tokens

SCOPED_KINDS = ("negation", "hedge", "worry", "past", "other_person")


class Scope(NamedTuple):
    """Words [first, end) under one cue of one kind; the cue is words [cue_first, cue_end)."""

    kind: str
    first: int
    end: int
    cue_first: int
    cue_end: int


class Structure(NamedTuple):
    """Where clauses begin, for scope and for `anchored` findings.

    `clause_ids[i]` numbers the clause that holds word i. `stops[k]` is true where a forward
    scope must stop before word k; `boundaries[k]` where any clause begins (a plain comma too).
    """

    clause_ids: tuple[int, ...]
    stops: tuple[bool, ...]
    boundaries: tuple[bool, ...]


def structure(tokens: Tokens, cues: tuple[Match, ...], lexicon: Lexicon) -> Structure:
    """The clause structure of the words, given the terminators among the cues."""
    count = len(tokens.words)
    words, breaks = tokens.words, tokens.breaks
    starters, conjunctions = lexicon.clause_starters, lexicon.conjunctions
    terminators = {cue.start for cue in cues if "terminator" in lexicon.rules[cue.rule].cue_kinds}
    # A new cue after a comma opens its own clause: "no pain, maybe a bit numb".
    terminators.update(
        cue.start
        for cue in cues
        if breaks[cue.start] >= SOFT and lexicon.rules[cue.rule].cue_kinds & set(SCOPED_KINDS)
    )
    stops = [True] * (count + 1)
    boundaries = [True] * (count + 1)
    for k in range(1, count):
        opens = (breaks[k] == SOFT and words[k] in starters) or (
            words[k] in conjunctions
            and k + 1 < count
            and breaks[k + 1] < SOFT
            and words[k + 1] in starters
        )
        stops[k] = breaks[k] >= CLAUSE or opens or k in terminators
        boundaries[k] = stops[k] or breaks[k] >= SOFT
    clause_ids: list[int] = []
    clause = 0
    for k in range(count):
        if k and boundaries[k]:
            clause += 1
        clause_ids.append(clause)
    return Structure(tuple(clause_ids), tuple(stops), tuple(boundaries))


def scopes(
    tokens: Tokens,
    cues: tuple[Match, ...],
    shape: Structure,
    lexicon: Lexicon,
    finding_ends: frozenset[int] = frozenset(),
) -> tuple[Scope, ...]:
    """The scope of every negation, hedge and other-person cue, and of every question.

    `finding_ends` are where findings' words end: in texting without punctuation a
    clause-starting word after a covered finding begins a new clause ("no pain my eye
    twitches all day"), while before any finding it does not ("I don't think my face is weak").
    """
    window = lexicon.settings.scope_window
    ahead = _Ahead(tokens, shape, lexicon.clause_starters, finding_ends, window)
    found: list[Scope] = []
    for cue in cues:
        rule = lexicon.rules[cue.rule]
        kinds = [kind for kind in SCOPED_KINDS if kind in rule.cue_kinds]
        if not kinds:
            continue
        if rule.backward:
            if not _ends_clause(cue.end, tokens, shape, lexicon):
                continue
            first, end = _backward(cue.start, tokens, shape, window, cross=True)
        elif "past" in kinds:  # "two years ago ..." sets the time of its whole sentence
            first, end = cue.end, tokens.segment_ends[cue.start]
        else:
            first, end = cue.end, ahead.end(cue.end)
            if first == end:
                first, end = _backward(cue.start, tokens, shape, window, cross=True)
        found.extend(Scope(kind, first, end, cue.start, cue.end) for kind in kinds)
    if lexicon.settings.question_hedges:
        for position in range(1, len(tokens.words) + 1):
            if tokens.questions[position]:
                first, end = _backward(position, tokens, shape, window, cross=False)
                found.append(Scope("hedge", first, end, position, position))
    return tuple(found)


class _Ahead:
    """Where a forward scope beginning at a word ends."""

    def __init__(
        self,
        tokens: Tokens,
        shape: Structure,
        starters: frozenset[str],
        finding_ends: frozenset[int],
        window: int,
    ) -> None:
        self.words = tokens.words
        self.stops = shape.stops
        self.starters = starters
        self.finding_ends = finding_ends
        self.window = window

    def end(self, start: int) -> int:
        end, covered = start, False
        while end < len(self.words) and end - start < self.window and not self.stops[end]:
            if covered and self.words[end] in self.starters:
                break
            end += 1
            covered = covered or end in self.finding_ends
        return end


def _backward(
    start: int, tokens: Tokens, shape: Structure, window: int, *, cross: bool
) -> tuple[int, int]:
    """Words before `start` back to the beginning of their clause.

    With `cross` the scope may step over one comma-like break right before `start` ("getting
    worse, I think"), never over a sentence end.
    """
    if start == 0 or (cross and tokens.breaks[start] >= SENTENCE):
        return (start, start)
    first = start - 1
    while first > 0 and not shape.boundaries[first] and start - first < window:
        first -= 1
    return (first, start)


def _ends_clause(end: int, tokens: Tokens, shape: Structure, lexicon: Lexicon) -> bool:
    return (
        end >= len(tokens.words)
        or tokens.breaks[end] >= SOFT
        or shape.stops[end]
        or tokens.words[end] in lexicon.conjunctions
    )
