"""Validate the lexicon file, check its meaning against the knowledge base, and compile it.

Runs only when the lexicon, the reader's code or the knowledge base has changed (lexicon.py
caches the result). pydantic validates the YAML into schema.py's frozen dataclasses, each list
entry on its own so an error names it ("findings entry #12 (small_flicker: true, 'flicker')").
The checks of meaning follow knowledge/checks.py: every finding id exists, every value fits its
finding as an answer would (`parse_value`), every pattern parses and uses no word the spellings
always change, claims and combining rules name real findings. Compiling turns patterns into
word matchers indexed by their first word, and builds the spelling index.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from facespasm.errors import InputError, KnowledgeError
from facespasm.knowledge import KnowledgeBase
from facespasm.language.lexicon import Lexicon, Rule
from facespasm.language.patterns import Pattern, PatternError, compile_pattern, first_words
from facespasm.language.schema import (
    Anchored,
    BlockEntry,
    Combine,
    CueEntry,
    Durations,
    FindingEntry,
    LexiconSpec,
    Settings,
)
from facespasm.language.spelling import Speller
from facespasm.reasoning.evidence import Value, parse_value
from facespasm.reviewed_yaml import first_problem, parse_sections

NUMBER_VALUE = "<n>"  # a finding entry whose value is the number its pattern matched

# Which combining rules fit which answer type (combine.py applies them).
_RULES_FOR_TYPE = {
    "boolean": {"last", "safety"},
    "choice": {"first", "last", "highest", "plain"},
    "multiple_choice": {"union"},
    "number": {"first", "last", "largest"},
}


def validate(file_name: str, text: bytes) -> LexiconSpec:
    """The lexicon file validated against schema.py, each list entry on its own.

    Raises:
        KnowledgeError: naming the file, the section and the entry that does not fit.
    """
    from pydantic import TypeAdapter, ValidationError

    document = parse_sections(file_name, text)
    known = set(LexiconSpec.__dataclass_fields__)
    for name in document:
        if name not in known:
            raise KnowledgeError(f"{file_name}: unknown section '{name}'")

    def one(kind: Any, raw: Any, name: str) -> Any:
        try:
            return TypeAdapter(kind).validate_python(raw)
        except ValidationError as error:
            raise KnowledgeError(f"{file_name}, {name}: {first_problem(error)}") from None

    def entries(section: str, kind: type, describe: Any) -> tuple[Any, ...]:
        raw = document.get(section)
        if not isinstance(raw, list) or not raw:
            raise KnowledgeError(f"{file_name}: expected a non-empty list under '{section}:'")
        return tuple(
            one(kind, item, f"{section} entry {describe(item, index)}")
            for index, item in enumerate(raw)
        )

    def part(name: str, kind: Any, default: Any = None) -> Any:
        if name not in document:
            if default is not None:
                return default
            raise KnowledgeError(f"{file_name}: the section '{name}:' is missing")
        return one(kind, document[name], f"section '{name}'")

    return LexiconSpec(
        settings=part("settings", Settings),
        classes=part("classes", dict[str, tuple[str, ...]]),
        spellings=part("spellings", dict[str, str]),
        never_correct=part("never_correct", tuple[str, ...]),
        numbers=part("numbers", dict[str, float]),
        cues=entries("cues", CueEntry, _cue_name),
        findings=entries("findings", FindingEntry, _finding_name),
        blocks=entries("blocks", BlockEntry, _block_name),
        durations=part("durations", Durations),
        anchored=part("anchored", Anchored),
        combine=part("combine", dict[str, Combine], default={}),
    )


def compile_lexicon(
    file_name: str,
    spec: LexiconSpec,
    knowledge: KnowledgeBase,
    version: str,
    real_words: Iterable[str] = (),
) -> Lexicon:
    """Check the lexicon's meaning against the knowledge base and compile its patterns.

    `real_words` are English words never typo-corrected, besides the lexicon's `never_correct`.

    Raises:
        KnowledgeError: naming the file and the entry whose meaning is wrong.
    """
    classes = _expand_classes(file_name, spec.classes)
    rules: list[Rule] = []
    index: dict[str, list[tuple[int, Pattern]]] = {}
    pattern_words: set[str] = set()
    target_words: set[str] = set()
    shared: dict[frozenset[str], frozenset[str]] = {}

    def add(rule: Rule, patterns: Iterable[str], where: str, targets: bool) -> None:
        rule_id = len(rules)
        rules.append(rule)
        for source in patterns:
            try:
                pattern, words = compile_pattern(
                    source, classes, spec.settings.gap_words, spec.settings.long_gap_words
                )
            except PatternError as error:
                raise KnowledgeError(f"{file_name}, {where}: pattern '{source}': {error}") from None
            for word in words:
                respelt = spec.spellings.get(word)
                if respelt is not None and respelt != word:
                    raise KnowledgeError(
                        f"{file_name}, {where}: pattern '{source}': '{word}' is always respelt "
                        f"as '{respelt}' (see spellings), so it can never match"
                    )
            pattern_words.update(words)
            if targets:
                target_words.update(words)
            pattern = _interned(pattern, shared)
            for first in first_words(pattern):
                index.setdefault(first, []).append((rule_id, pattern))

    for number, entry in enumerate(spec.cues):
        kinds = (entry.kind,) if isinstance(entry.kind, str) else entry.kind
        rule = Rule(
            kind="cue",
            name=f"cues entry {_cue_name(entry, number)}",
            cue_kinds=frozenset(kinds),
            backward=entry.direction == "backward",
            at_clause_end=entry.at_clause_end,
        )
        add(rule, entry.patterns, rule.name, targets=False)
    for number, finding_entry in enumerate(spec.findings):
        where = f"findings entry {_finding_name(finding_entry, number)}"
        rule = _finding_rule(file_name, where, finding_entry, knowledge)
        if finding_entry.context:
            rule = rule._replace(context=len(rules))
            add(Rule(kind="context", name=f"{where} context"), finding_entry.context, where,
                targets=True)  # fmt: skip
        add(rule, finding_entry.patterns, where, targets=True)
    for number, block in enumerate(spec.blocks):
        where = f"blocks entry {_block_name(block, number)}"
        _check_claims(file_name, where, block.claims, knowledge)
        rule = Rule(kind="block", name=where, claims=frozenset(block.claims), about=block.about)
        add(rule, block.patterns, where, targets=True)
    _check_durations(file_name, spec.durations, knowledge)
    _check_anchored(file_name, spec.anchored, knowledge)
    _check_combine(file_name, spec.combine, knowledge)
    anchor_words = _words_of(file_name, "anchored", spec.anchored.anchors, classes)
    vocabulary = (
        pattern_words
        | set(spec.numbers)
        | {word for value in spec.spellings.values() for word in value.split()}
        | set(spec.never_correct)
        | _duration_words(spec.durations)
        | set(spec.settings.clause_starters)
        | set(spec.settings.conjunctions)
        | anchor_words
    )
    never = set(spec.never_correct) | set(real_words)
    speller = Speller.build(
        spec.spellings,
        vocabulary,
        target_words - never,
        never,
        spec.settings.fuzzy_min_length,
    )
    return Lexicon(
        version=version,
        rules=tuple(rules),
        index={word: tuple(patterns) for word, patterns in index.items()},
        speller=speller,
        numbers=dict(spec.numbers),
        settings=spec.settings,
        clause_starters=frozenset(spec.settings.clause_starters),
        conjunctions=frozenset(spec.settings.conjunctions),
        durations=spec.durations,
        anchored=spec.anchored,
        anchor_words=anchor_words,
        combine=dict(spec.combine),
    )


def _interned(pattern: Pattern, shared: dict[frozenset[str], frozenset[str]]) -> Pattern:
    """The pattern with equal word sets shared, so the pickle stores each class once."""
    return tuple(
        (
            kind,
            shared.setdefault(argument, argument) if isinstance(argument, frozenset) else argument,
        )
        for kind, argument in pattern
    )


def _finding_rule(
    file_name: str, where: str, entry: FindingEntry, knowledge: KnowledgeBase
) -> Rule:
    def fail(problem: str) -> KnowledgeError:
        return KnowledgeError(f"{file_name}, {where}: {problem}")

    finding = knowledge.findings.get(entry.finding)
    if finding is None:
        try:
            parse_value(knowledge, entry.finding, None)
        except InputError as error:
            raise fail(str(error)) from None
    assert finding is not None
    takes_number = entry.value == NUMBER_VALUE
    if takes_number:
        if finding.type != "number":
            raise fail(f"'{NUMBER_VALUE}' is a value only for a number finding")
        if any(NUMBER_VALUE not in pattern.split() for pattern in entry.patterns):
            raise fail(f"every pattern must hold '{NUMBER_VALUE}' to give its number")
        value: Value | None = None
    else:
        value = _fits(entry.finding, entry.value, knowledge, fail)
    negated = None
    if entry.if_negated is not None:
        negated = _fits(entry.finding, entry.if_negated, knowledge, fail)
    elif finding.type == "boolean":
        negated = not value
    if entry.only_negated and negated is None:
        raise fail("only_negated needs a value under negation (a boolean, or if_negated)")
    if entry.suspect and (value is not True or entry.only_negated or entry.if_negated is not None):
        raise fail("a suspect entry gives a yes and nothing else (value: true)")
    _check_claims(file_name, where, entry.claims, knowledge)
    return Rule(
        kind="finding",
        name=where,
        finding=entry.finding,
        value=value,
        takes_number=takes_number,
        negated_value=negated,
        only_negated=entry.only_negated,
        qualifier=entry.qualifier,
        claims=frozenset(entry.claims),
        suspect=entry.suspect,
        about=entry.about,
    )


def _fits(finding_id: str, raw: object, knowledge: KnowledgeBase, fail: Any) -> Value:
    try:
        value = parse_value(knowledge, finding_id, list(raw) if isinstance(raw, tuple) else raw)
    except InputError as error:
        raise fail(str(error)) from None
    assert value is not None
    return value


def _check_claims(
    file_name: str, where: str, claims: Iterable[str], knowledge: KnowledgeBase
) -> None:
    for claimed in claims:
        if claimed != "all" and claimed not in knowledge.findings:
            raise KnowledgeError(f"{file_name}, {where}: claims unknown finding '{claimed}'")


def _check_durations(file_name: str, durations: Durations, knowledge: KnowledgeBase) -> None:
    finding = knowledge.findings.get(durations.finding)
    if finding is None or finding.type != "number":
        raise KnowledgeError(
            f"{file_name}, section 'durations': finding '{durations.finding}' is not a number "
            "finding of the knowledge base"
        )
    for name, (month, day) in durations.dates.items():
        if not (1 <= month <= 12 and 1 <= day <= 31):
            raise KnowledgeError(f"{file_name}, section 'durations': date '{name}' is not valid")


def _check_anchored(file_name: str, anchored: Anchored, knowledge: KnowledgeBase) -> None:
    categories = {finding.category for finding in knowledge.findings.values()}
    for finding_id in anchored.findings:
        if finding_id not in knowledge.findings:
            raise KnowledgeError(f"{file_name}, section 'anchored': unknown finding '{finding_id}'")
    for category in anchored.secondary_categories:
        if category not in categories:
            raise KnowledgeError(f"{file_name}, section 'anchored': unknown category '{category}'")


def _check_combine(
    file_name: str, combine: Mapping[str, Combine], knowledge: KnowledgeBase
) -> None:
    for finding_id, how in combine.items():
        finding = knowledge.findings.get(finding_id)
        where = f"{file_name}, combine entry '{finding_id}'"
        if finding is None:
            raise KnowledgeError(f"{where}: unknown finding")
        if how.rule not in _RULES_FOR_TYPE[finding.type]:
            raise KnowledgeError(f"{where}: rule '{how.rule}' does not fit a {finding.type}")
        if how.distinct_qualifiers is not None:
            try:
                parse_value(knowledge, finding_id, how.distinct_qualifiers)
            except InputError as error:
                raise KnowledgeError(f"{where}: {error}") from None


def _expand_classes(
    file_name: str, classes: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """Word classes with any `@other` member replaced by that class's words."""
    expanded: dict[str, tuple[str, ...]] = {}

    def expand(name: str, trail: tuple[str, ...]) -> tuple[str, ...]:
        if name in expanded:
            return expanded[name]
        if name in trail:
            raise KnowledgeError(f"{file_name}, class '{name}': it includes itself")
        words: list[str] = []
        for member in classes[name]:
            if member.startswith("@"):
                if member[1:] not in classes:
                    raise KnowledgeError(
                        f"{file_name}, class '{name}': unknown word class '{member}'"
                    )
                words.extend(expand(member[1:], (*trail, name)))
            else:
                words.append(member)
        expanded[name] = tuple(dict.fromkeys(words))
        return expanded[name]

    for name in classes:
        expand(name, ())
    return expanded


def _words_of(
    file_name: str, section: str, words: Iterable[str], classes: Mapping[str, tuple[str, ...]]
) -> frozenset[str]:
    found: set[str] = set()
    for word in words:
        if word.startswith("@"):
            if word[1:] not in classes:
                raise KnowledgeError(f"{file_name}, section '{section}': unknown class '{word}'")
            found.update(classes[word[1:]])
        else:
            found.add(word)
    return frozenset(found)


def _duration_words(durations: Durations) -> set[str]:
    words: set[str] = set()
    for table in (
        durations.units,
        durations.short_units,
        durations.vague,
        durations.quantities,
        durations.relative_days,
        durations.weekdays,
        durations.months,
        durations.dates,
        durations.seasons,
    ):
        for key in table:
            words.update(key.split())
    for listing in (
        durations.vague_after,
        durations.ago,
        durations.since,
        durations.last,
        durations.ranges,
        durations.weekday_after,
        durations.month_after,
        durations.rate_before,
        durations.rate_after,
        durations.a_after,
        durations.not_before,
        durations.articles,
        durations.ordinals,
        durations.of,
    ):
        words.update(listing)
    words.update(durations.and_a_half.split())
    return words


def _finding_name(entry: Any, index: int) -> str:
    """'#12 (small_flicker: true, 'flicker')': the entry's place, finding, value, first pattern."""
    if isinstance(entry, FindingEntry):
        entry = {"finding": entry.finding, "value": entry.value, "patterns": entry.patterns}
    if not isinstance(entry, dict):
        return f"#{index + 1}"
    finding, value, patterns = entry.get("finding"), entry.get("value"), entry.get("patterns")
    shown = "true" if value is True else "false" if value is False else value
    if isinstance(shown, tuple | list):
        shown = "[" + ", ".join(str(v) for v in shown) + "]"
    first = f", '{patterns[0]}'" if isinstance(patterns, list | tuple) and patterns else ""
    return f"#{index + 1} ({finding}: {shown}{first})"


def _cue_name(entry: Any, index: int) -> str:
    kind = entry.kind if isinstance(entry, CueEntry) else (entry or {}).get("kind")
    if isinstance(kind, tuple | list):
        kind = "+".join(str(k) for k in kind)
    return f"#{index + 1} ({kind})"


def _block_name(entry: Any, index: int) -> str:
    patterns = entry.patterns if isinstance(entry, BlockEntry) else (entry or {}).get("patterns")
    first = f" ('{patterns[0]}')" if isinstance(patterns, list | tuple) and patterns else ""
    return f"#{index + 1}{first}"
