"""`read(text)`: a person's own description of their twitching, as ⚑ evidence.

The pipeline is short because the knowledge is in the lexicon: words (text.py), pattern matches
(matching.py), the reach of each negation and hedge (scope.py), time expressions
(durations.py), then one `Mention` per thing said, with the exact words it came from. A
statistical reader (signals.py) may add hedged red flags in sentences the rules had no words
for; it never takes one away. How the
mentions become one value per finding -- and which red flags must be asked rather than
assumed -- is combine.py.

A description is the person's own account, so it outranks a video or the diary but not what
they answer to a direct question (`Origin.TEXT`, see `Evidence.merged`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from facespasm.errors import InputError
from facespasm.knowledge import KnowledgeBase, load_knowledge
from facespasm.language.combine import combine, uncertain
from facespasm.language.durations import find_durations
from facespasm.language.lexicon import Lexicon, Rule, load_lexicon
from facespasm.language.matching import find_matches
from facespasm.language.patterns import Match
from facespasm.language.scope import Scope, Structure, scopes, structure
from facespasm.language.signals import load_signals, signals
from facespasm.language.text import SOFT, Tokens, tokenise
from facespasm.reasoning.evidence import Evidence, Value, parse_value

MAX_CHARS = 10_000  # the longest description read (the web API's limit too)


@dataclass(frozen=True, slots=True)
class Mention:
    """One thing the text says about one finding.

    `value` is what the words mean, negation applied: "no pain" is facial_pain false
    (`negated` true), "not both eyes" is side "one". `text[start:end]` are the words it came
    from, with the negation or hedge that changed it ("no pain", "maybe a bit numb").
    `qualifier` tells apart words that give the same value ("left" or "right" for side "one"),
    so that left *and* right can make "both". An `ask_only` mention is a question, not a symptom:
    a fear or a rumour ("worried it might be MS", "my mate said it's a sign of a stroke"), or the
    statistical reader's less certain guess. It is `hedged` too, but a red flag mentioned only so
    is asked without being counted for the care level.
    """

    finding: str
    value: Value
    start: int
    end: int
    negated: bool
    hedged: bool
    qualifier: str | None = None
    ask_only: bool = False


@dataclass(frozen=True)
class Reading:
    """What a description says: its mentions, and the red flags it leaves uncertain.

    `uncertain` are red flags mentioned only with a hedge ("maybe a bit numb?"): in the evidence
    they are *hedged* items, counted as present for the care level until the person says no, and
    the interview asks them.
    """

    text: str
    mentions: tuple[Mention, ...]
    uncertain: tuple[str, ...]

    def evidence(self) -> Evidence:
        """The mentions as evidence (origin text), one value per finding with its words."""
        return combine(self.mentions, self.text, load_lexicon(), load_knowledge())

    def to_dict(self) -> dict[str, Any]:
        """The reading as JSON: what was understood, with quotes, and what must be asked."""
        from facespasm.reasoning.explain import describe

        knowledge = load_knowledge()
        understood = []
        for item in self.evidence():
            if item.hedged:
                continue  # asked, below
            used = [m for m in self.mentions if (m.start, m.end) in item.spans]
            understood.append(
                {
                    "finding": item.finding,
                    "value": list(item.value) if isinstance(item.value, tuple) else item.value,
                    "text": describe(knowledge.findings[item.finding], item.value),
                    "quote": self._quote(item.spans),
                    "spans": [list(span) for span in item.spans],
                    "hedged": any(m.hedged for m in used if m.finding == item.finding),
                }
            )
        to_ask = []
        for finding_id in self.uncertain:
            spans = tuple(
                dict.fromkeys((m.start, m.end) for m in self.mentions if m.finding == finding_id)
            )
            to_ask.append(
                {
                    "finding": finding_id,
                    "question": knowledge.findings[finding_id].question,
                    "quote": self._quote(spans),
                    "spans": [list(span) for span in spans],
                }
            )
        return {"understood": understood, "to_ask": to_ask}

    def _quote(self, spans: tuple[tuple[int, int], ...]) -> str:
        return " … ".join(self.text[start:end] for start, end in spans)


def read(text: str, today: dt.date | None = None) -> Reading:
    """Read a free-text description of facial twitching.

    Args:
        text: the description in the person's own words (at most 10,000 characters).
        today: the date relative times count back from ("since Monday"); default today.

    Returns:
        The mentions found, in text order, and the red flags that must be asked.

    Raises:
        InputError: `text` is not a string, or is too long.
    """
    if not isinstance(text, str):
        raise InputError(f"a description must be text, not {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise InputError(
            f"description is too long ({len(text):,} characters; at most {MAX_CHARS:,})"
        )
    if not text.strip():
        return Reading(text, (), ())
    knowledge = load_knowledge()
    lexicon = load_lexicon()
    mentions = _Mentions(tokenise(text, lexicon.speller, lexicon.numbers), lexicon, knowledge)
    found = mentions.find(today or dt.date.today())
    return Reading(text, found, uncertain(found, knowledge))


class _Mentions:
    """The mentions of one description, from its matches, scopes and time expressions."""

    def __init__(self, tokens: Tokens, lexicon: Lexicon, knowledge: KnowledgeBase) -> None:
        self.tokens = tokens
        self.lexicon = lexicon
        self.knowledge = knowledge
        self.matches = find_matches(tokens, lexicon)
        self.shape: Structure = structure(tokens, self.matches.cues, lexicon)
        ends = frozenset(match.end for match in self.matches.findings)
        self.scopes: tuple[Scope, ...] = scopes(
            tokens, self.matches.cues, self.shape, lexicon, ends
        )
        # The scopes over each word, so a mention looks only at its own words' scopes.
        self.covering: list[list[Scope]] = [[] for _ in tokens.words]
        for scope in self.scopes:
            for k in range(scope.first, scope.end):
                self.covering[k].append(scope)
        self.about_other = self.matches.about_other

    def find(self, today: dt.date) -> tuple[Mention, ...]:
        rules = self.lexicon.rules
        found: list[tuple[Mention, int]] = []
        numbered: set[int] = set()
        for match in self.matches.findings:
            rule = rules[match.rule]
            if rule.takes_number:
                numbered.update(match.literal)
            mention = self._from_match(match, rule)
            if mention is not None:
                found.append((mention, match.start))
        spec = self.lexicon.durations
        for duration in find_durations(self.tokens, spec, today, skip=numbered):
            mention = self._mention(
                spec.finding, duration.days, duration.first, duration.end - 1, negatable=False
            )
            if mention is not None:
                found.append((mention, duration.first))
        found += self._signals(found)
        secondary = self._secondary_clauses(found)
        kept = [m for m, first in found if self._stands(m.finding, first, secondary)]
        kept.sort(key=lambda m: (m.start, m.end, m.finding))
        return tuple(kept)

    def _signals(self, found: list[tuple[Mention, int]]) -> list[tuple[Mention, int]]:
        """What the statistical reader adds: hedged red flags the rules had no words for.

        Counted for the care level when it is confident (`Signal.counted`), only asked otherwise.

        Never where the rules read that finding in the same sentence ("no numbness", "maybe a
        bit numb?": their reading stands), nor in a sentence about someone else or the past.
        """
        model = load_signals()
        if model is None:
            return []
        added = []
        for signal in signals(self.tokens, model):
            said = [
                m
                for m, first in found
                if m.finding == signal.finding and signal.first <= first <= signal.last
            ]
            if said or self._aside(signal.first, signal.last):
                continue
            start, end = self.tokens.span(signal.first, signal.last)
            mention = Mention(
                signal.finding, True, start, end, False, True, ask_only=not signal.counted
            )
            added.append((mention, signal.first))
        return added

    def _aside(self, first: int, last: int) -> bool:
        """Whether words first..last are all about someone else, or all about the past."""
        kinds = ("past",) if self.about_other else ("past", "other_person")
        return any(
            scope.kind in kinds and scope.first <= first and last < scope.end
            for scope in self.scopes
        )

    def _from_match(self, match: Match, rule: Rule) -> Mention | None:
        value = match.number if rule.takes_number else rule.value
        if value is None:
            return None
        return self._mention(
            rule.finding,
            value,
            match.start,
            match.end - 1,
            negatable=rule.negated_value is not None,
            negated_value=rule.negated_value,
            only_negated=rule.only_negated,
            qualifier=rule.qualifier,
            suspect=frozenset(match.literal) if rule.suspect else None,
        )

    def _mention(
        self,
        finding: str,
        value: Value,
        first: int,
        last: int,
        *,
        negatable: bool,
        negated_value: Value | None = None,
        only_negated: bool = False,
        qualifier: str | None = None,
        suspect: frozenset[int] | None = None,
    ) -> Mention | None:
        """The mention of these words, or None when they do not stand.

        `suspect` holds the words a recall-first entry named: a "not" among them is part of the
        symptom ("won't close"), while a denial around them ("nothing's numb") or a time long
        past ("years ago ... half my face was paralysed") drops it.
        """
        applying = list({s: None for k in range(first, last + 1) for s in self.covering[k]})
        if not self.about_other and any(scope.kind == "other_person" for scope in applying):
            return None  # "my mum has MS" is not the writer's history
        negations = [
            scope
            for scope in applying
            if scope.kind == "negation"
            and not self._listed_denial(scope, first, value)
            and not (suspect and suspect.issuperset(range(scope.cue_first, scope.cue_end)))
        ]
        hedges = [scope for scope in applying if scope.kind in ("hedge", "worry")]
        ask_only = any(scope.kind == "worry" for scope in hedges)
        if suspect is not None and (negations or any(scope.kind == "past" for scope in applying)):
            return None  # a suspect is never read as a "no", nor as history
        if negations:
            if not negatable or negated_value is None:
                return None  # "not in my cheek": a denied place or number says nothing
            value = negated_value
        elif only_negated:
            return None
        try:
            checked = parse_value(self.knowledge, finding, value)
        except InputError:
            return None  # a number out of range ("I'm 300") is not read
        assert checked is not None
        start, end = self.tokens.span(first, last)
        for group in (negations, hedges):
            cues = [scope for scope in group if scope.cue_end > scope.cue_first]  # not a '?'
            if cues:  # quote the nearest cue that changed it: "no pain", "hearing is fine"
                nearest = min(cues, key=lambda s: self._distance(s, first, last))
                start = min(start, self.tokens.starts[nearest.cue_first])
                end = max(end, self.tokens.ends[nearest.cue_end - 1])
        hedged = bool(hedges) or suspect is not None
        return Mention(finding, checked, start, end, bool(negations), hedged, qualifier, ask_only)

    def _distance(self, scope: Scope, first: int, last: int) -> tuple[bool, int]:
        """How far a cue is from words first..last: across a comma counts as further."""
        before = scope.cue_end <= first
        between = (
            range(scope.cue_end, first + 1) if before else range(last + 1, scope.cue_first + 1)
        )
        crossed = any(self.tokens.breaks[k] >= SOFT for k in between)
        return (crossed, first - scope.cue_end if before else scope.cue_first - last)

    def _listed_denial(self, scope: Scope, first: int, value: Value) -> bool:
        """A denial phrase listed after a comma is not under the negation before the comma.

        "No pain, numbness or weakness" denies all three, but in "not stressed, sleeping well"
        the second item is its own statement: a denial ("sleeping well" is poor_sleep false)
        is never listed under another denial to mean the opposite.
        """
        if value is not False or scope.cue_end > first:
            return False
        return any(self.tokens.breaks[k] >= SOFT for k in range(scope.cue_end, first + 1))

    def _secondary_clauses(self, found: list[tuple[Mention, int]]) -> set[int]:
        """Clauses about a habit or history only: a secondary-category mention, no anchor word.

        In those, the `anchored` findings (how long, how often) are not the twitching's.
        """
        anchored = self.lexicon.anchored
        ids = self.shape.clause_ids
        with_anchor = {
            ids[i] for i, word in enumerate(self.tokens.words) if word in self.lexicon.anchor_words
        }
        findings = self.knowledge.findings
        return {
            ids[first]
            for mention, first in found
            if findings[mention.finding].category in anchored.secondary_categories
            and ids[first] not in with_anchor
        }

    def _stands(self, finding: str, first: int, secondary: set[int]) -> bool:
        return finding not in self.lexicon.anchored.findings or (
            self.shape.clause_ids[first] not in secondary
        )
