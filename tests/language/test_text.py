"""Text: words keep their places in what the person wrote, spelt as the lexicon spells them."""

from __future__ import annotations

import pytest

from facespasm.language.lexicon import load_lexicon
from facespasm.language.spelling import within_one_edit
from facespasm.language.text import CLAUSE, NONE, SENTENCE, SOFT, Tokens, normalise, tokenise


def words_of(text: str) -> Tokens:
    lexicon = load_lexicon()
    return tokenise(text, lexicon.speller, lexicon.numbers)


def test_normalising_keeps_every_character_in_its_place() -> None:
    text = "I DON’T know — it’s “weird” İstanbul…"
    plain = normalise(text)
    assert len(plain) == len(text)
    assert plain.startswith("i don't know - it's \"weird\"")


def test_each_word_points_back_at_the_words_written() -> None:
    text = "My LEFT eye-lid has been Twitching!"
    tokens = words_of(text)
    assert tokens.words == ("my", "left", "eye", "lid", "has", "been", "twitching")
    assert [text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)] == [
        "My", "LEFT", "eye", "lid", "has", "been", "Twitching",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("don't", ("do", "not")),  # a contraction opens up, so "not" covers every negation
        ("don’t", ("do", "not")),  # the curly apostrophe of phones
        ("dont", ("do", "not")),  # texting without the apostrophe
        ("can't", ("can", "not")),
        ("cannot", ("can", "not")),
        ("I'm", ("i", "am")),
        ("im", ("i", "am")),
        ("Bell's", ("bell",)),  # a possessive names the thing
        ("bells", ("bell",)),
        ("paralyzed", ("paralysed",)),  # US spelling to the lexicon's British
        ("paralysed", ("paralysed",)),
        ("twitchng", ("twitching",)),  # listed typos
        ("caffiene", ("caffeine",)),
        ("numbnes", ("numbness",)),
        ("pallsy", ("palsy",)),
        ("stresed", ("stressed",)),
        ("alot", ("a", "lot")),
    ],
)
def test_spelling_variants_become_the_lexicon_words(written: str, words: tuple[str, ...]) -> None:
    tokens = words_of(written)
    assert tokens.words == words
    assert {(s, e) for s, e in zip(tokens.starts, tokens.ends, strict=True)} == {(0, len(written))}


@pytest.mark.parametrize(
    ("written", "corrected"),
    [
        ("twitcching", "twitching"),  # a letter added
        ("numbess", "numbness"),  # a letter dropped
        ("tinglimg", "tingling"),  # a letter changed
        ("flikcering", "flickering"),  # two letters swapped
    ],
)
def test_an_unlisted_typo_one_edit_from_a_lexicon_word_is_corrected(
    written: str, corrected: str
) -> None:
    assert words_of(written).words == (corrected,)


@pytest.mark.parametrize(
    "word",
    [
        "switch",  # one edit from "twitch", but a real word: listed as never corrected
        "dropping",  # not "drooping"
        "numb",  # too short to correct at all
        "morning",  # nowhere near a lexicon word
    ],
)
def test_real_words_and_short_words_are_left_alone(word: str) -> None:
    assert words_of(word).words == (word,)


@pytest.mark.parametrize(
    ("a", "b", "close"),
    [
        ("twitch", "twitch", True),
        ("twitch", "twitchy", True),
        ("twitch", "twich", True),
        ("twitch", "twotch", True),
        ("twitch", "tiwtch", True),
        ("twitch", "tiwthc", False),
        ("twitch", "twitches", False),
    ],
)
def test_one_edit_means_one_letter_added_dropped_changed_or_two_swapped(
    a: str, b: str, close: bool
) -> None:
    assert within_one_edit(a, b) is close
    assert within_one_edit(b, a) is close


def test_breaks_mark_clauses_and_sentences() -> None:
    tokens = words_of("no pain, but numb; hearing ok. Twitch? yes\nnew line")
    words = tokens.words
    assert tokens.breaks[words.index("but")] == SOFT
    assert tokens.breaks[words.index("hearing")] == CLAUSE
    assert tokens.breaks[words.index("twitch")] == SENTENCE
    assert tokens.breaks[words.index("yes")] == SENTENCE
    assert tokens.questions[words.index("yes")] is True
    assert tokens.breaks[words.index("new")] == SENTENCE  # a new line ends a sentence


@pytest.mark.parametrize(
    "text",
    [
        "52-year-old",  # a hyphen inside a word joins
        "52 y.o.",  # an abbreviation's inner full stop is no sentence end
        "1.5 weeks",  # nor a decimal point
        "my left eye twitches all day im so tired",  # texting with no punctuation at all
    ],
)
def test_no_break_inside_words_abbreviations_or_run_on_texting(text: str) -> None:
    tokens = words_of(text)
    assert set(tokens.breaks[1 : len(tokens.words)]) == {NONE}


@pytest.mark.parametrize(
    ("text", "value", "length"),
    [
        ("52", 52.0, 1),
        ("1.5", 1.5, 1),
        ("five", 5.0, 1),
        ("forty five", 45.0, 2),  # tens and units combine
        ("forty-five", 45.0, 2),
        ("fifties", 50.0, 1),  # a decade counts from its start
    ],
)
def test_numbers_are_read_in_digits_and_words(text: str, value: float, length: int) -> None:
    tokens = words_of(text)
    assert tokens.numbers[0] == value
    assert tokens.number_lengths[0] == length


def test_clauses_and_sentences_bound_the_patterns() -> None:
    tokens = words_of("left. eye; twitch")
    assert tokens.segment_ends == (1, 2, 3)
