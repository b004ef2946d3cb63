"""Which lexicon patterns match a description, and which of overlapping matches stand.

Every pattern is tried at the words that can begin it. Then, for each finding, the longest of
overlapping matches stands ("not sleeping well" over "sleeping well"), while different findings
may share words ("pulls my mouth when I blink" names the mouth *and* says it moves with a
blink). Cues compete among themselves the same way ("not sure if" is a hedge, not a "not").

Two kinds of overlap are settled by the lexicon, not by length:

- a cue whose words a finding's pattern names is part of that finding, not a cue ("can not
  see", "no sleep"); a cue only partly named stays one ("worried about" is stress *and* a
  hedge), and a cue inside a `*` gap still counts ("touching it does not help");
- a match *claims* findings it contains without meaning them ("energy drinks" is not alcohol,
  "worse when stressed" is not a report of stress lately); a block entry only claims;
- an entry with a `context` stands only where its context also matches somewhere, and one
  marked `about` only in a description of the writer ("self") or of someone else ("other");
- a plain match of a finding wins over a recall-first (`suspect`) one that overlaps it.
"""

from __future__ import annotations

from typing import NamedTuple

from facespasm.language.lexicon import Lexicon
from facespasm.language.patterns import NUMBER_KEY, Match, match_at
from facespasm.language.text import Tokens


class Matches(NamedTuple):
    """The matches that stand: findings' (in text order) and cues'.

    `about_other` is whether the description is about someone else ("my son ... his eye keeps
    blinking"): decided by which is spoken of more, the writer's own face and body ("my eye",
    cues of kind `self`) or another's ("his eye", kind `someone_else`). Entries marked `about`
    stand only in descriptions of that kind ("my son is 7" gives an age only when it is the son
    who twitches).
    """

    findings: tuple[Match, ...]
    cues: tuple[Match, ...]
    about_other: bool = False


def find_matches(tokens: Tokens, lexicon: Lexicon) -> Matches:
    """All standing matches of the lexicon's patterns in these words."""
    return _resolve(_all_matches(tokens, lexicon), tokens, lexicon)


def _all_matches(tokens: Tokens, lexicon: Lexicon) -> list[Match]:
    index = lexicon.index
    by_number = index.get(NUMBER_KEY, ())
    words, numbers, lengths = tokens.words, tokens.numbers, tokens.number_lengths
    found: list[Match] = []
    for i, word in enumerate(words):
        candidates = index.get(word, ())
        if numbers[i] is not None and by_number:
            candidates = candidates + by_number
        limit = tokens.segment_ends[i]
        for rule_id, pattern in candidates:
            result = match_at(pattern, words, numbers, lengths, i, limit, tokens.breaks)
            if result is not None:
                end, literal, number = result
                found.append(Match(rule_id, i, end, literal, number))
    return found


def _resolve(found: list[Match], tokens: Tokens, lexicon: Lexicon) -> Matches:
    rules = lexicon.rules
    by_finding: dict[str, list[Match]] = {}
    cues: list[Match] = []
    blocks: list[Match] = []
    contexts: set[int] = set()
    for match in found:
        rule = rules[match.rule]
        if rule.kind == "finding":
            by_finding.setdefault(rule.finding, []).append(match)
        elif rule.kind == "cue":
            cues.append(match)
        elif rule.kind == "context":
            contexts.add(match.rule)
        else:
            blocks.append(match)
    standing_cues = _longest(cues)
    own = sum(1 for cue in standing_cues if "self" in rules[cue.rule].cue_kinds)
    other = sum(1 for cue in standing_cues if "someone_else" in rules[cue.rule].cue_kinds)
    about_other = other > own
    not_about = "self" if about_other else "other"
    blocks = [block for block in blocks if rules[block.rule].about != not_about]
    kept: list[Match] = []
    for group in by_finding.values():
        standing = [
            m
            for m in group
            if rules[m.rule].about != not_about
            and (rules[m.rule].context < 0 or rules[m.rule].context in contexts)
        ]
        plain = _longest([m for m in standing if not rules[m.rule].suspect])
        # What is said plainly wins over a recall-first reading of the same words (a topic
        # word that speaks only when denied, "my ear", says nothing plainly).
        taken = {i for m in plain if not rules[m.rule].only_negated for i in range(m.start, m.end)}
        suspects = [
            m
            for m in _longest([m for m in standing if rules[m.rule].suspect])
            if not taken.intersection(range(m.start, m.end))
        ]
        kept += plain + suspects
    named = {i for match in kept for i in match.literal}
    standing_cues = [cue for cue in standing_cues if not named.issuperset(cue.literal)]
    claimed = _claimed_at(
        len(tokens.words), [m for m in kept if rules[m.rule].claims] + blocks, lexicon
    )
    findings = [
        m
        for m in kept
        if not any(
            rules[m.rule].finding in claimed[k] or "all" in claimed[k]
            for k in range(m.start, m.end)
        )
    ]
    findings.sort(key=lambda m: (m.start, m.end))
    standing_cues.sort(key=lambda m: m.start)
    return Matches(tuple(findings), tuple(standing_cues), about_other)


def _longest(group: list[Match]) -> list[Match]:
    """The longest matches that do not overlap, earlier first among equals."""
    chosen: list[Match] = []
    taken: set[int] = set()
    for match in sorted(group, key=lambda m: (m.start - m.end, m.start)):
        span = range(match.start, match.end)
        if not taken.intersection(span):
            chosen.append(match)
            taken.update(span)
    return chosen


def _claimed_at(count: int, claimers: list[Match], lexicon: Lexicon) -> list[set[str]]:
    """For each word, the findings that a match over it claims (never the claimer's own)."""
    claimed: list[set[str]] = [set() for _ in range(count)]
    for claimer in claimers:
        rule = lexicon.rules[claimer.rule]
        claims = rule.claims - {rule.finding}
        for k in range(claimer.start, claimer.end):
            claimed[k].update(claims)
    return claimed
