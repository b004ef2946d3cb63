"""The interview in a real terminal: a person answers yes, no, don't know, and goes back."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

import pexpect
import pytest

from facespasm.cli.interview import parse_reply
from facespasm.knowledge import KnowledgeBase
from facespasm.reasoning.interview import Interview

from .conftest import Run

PROMPT = "/ b > "
DESCRIBE = "press Enter to skip > "
PERSON = {
    # a woman with typical hemifacial spasm, answering in her own style
    "age": "56",
    "sex": "1",
    "side": "1",
    "regions": "1,3,4",
    "duration_days": "2 years",
    "spread_to_lower_face": "y",
    "persists_in_sleep": "y",
    "eye_closes_completely": "y",
    "forceful_closure": "y",
    "getting_worse": "yes",
    "frequency": "2",
}


@pytest.fixture
def spawn_interview(monkeypatch: pytest.MonkeyPatch) -> Callable[..., pexpect.spawn]:
    """Start `facespasm assess` in a pseudo-terminal (a plain 80-column one, without colour) and
    answer its opening request for a description (by default: skip it)."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")

    def spawn(description: str = "") -> pexpect.spawn:
        child = pexpect.spawn(
            sys.executable, ["-m", "facespasm", "assess"], encoding="utf-8", timeout=30
        )
        child.expect_exact(DESCRIBE)
        child.sendline(description)
        return child

    return spawn


def reply_for(finding: str, knowledge: KnowledgeBase) -> str:
    """What the person types: their own answer, else "n" to a yes/no question, else "?"."""
    if finding in PERSON:
        return PERSON[finding]
    return "n" if knowledge.findings[finding].type == "boolean" else "?"


def plain(screen: str) -> str:
    """Terminal output with line wrapping undone (a dumb terminal is 80 columns wide)."""
    return " ".join(screen.split())


def current_finding(screen: str, knowledge: KnowledgeBase) -> str:
    """Which finding the question on screen asks about (the last question printed)."""
    positions = {f.id: plain(screen).rfind(f.question) for f in knowledge.findings.values()}
    return max(positions, key=lambda f: positions[f])


def test_a_person_answers_goes_back_and_gets_a_report(
    knowledge: KnowledgeBase, spawn_interview: Callable[[], pexpect.spawn]
) -> None:
    child = spawn_interview()
    asked: list[str] = []
    went_back = said_dont_know = False
    while child.expect([PROMPT, pexpect.EOF]) == 0:
        finding = current_finding(str(child.before), knowledge)
        asked.append(finding)
        if finding == "facial_pain" and not went_back:
            child.sendline("y")  # a slip...
            went_back = True
            child.expect(PROMPT)
            child.sendline("b")  # ...taken back at the next question
            continue
        if finding == "hearing_change" and not said_dont_know:
            said_dont_know = True
            child.sendline("?")
            continue
        child.sendline(reply_for(finding, knowledge))
    report = plain(str(child.before))
    child.close()
    assert child.exitstatus == 0, report[-2000:]
    assert asked[:2] == ["sudden_weakness", "facial_weakness"]
    assert asked.count("facial_pain") == 2  # asked again after going back
    assert "SEE A DOCTOR" in report and "SEE A DOCTOR SOON" not in report  # the slip was undone
    assert re.search(r"Hemifacial spasm \(a blood vessel pressing █+░* [<>]?\d+%", report)
    # "don't know" to a safety question leaves it open, asked by its words
    assert "Safety questions not yet answered" in report
    assert knowledge.findings["hearing_change"].question in report
    assert "not a diagnosis" in report
    assert "Sources" in report


def test_typing_nonsense_is_explained_and_asked_again(
    spawn_interview: Callable[[], pexpect.spawn],
) -> None:
    child = spawn_interview()
    child.expect(PROMPT)
    child.sendline("perhaps")
    child.expect_exact("Please answer y (yes), n (no), ? (don't know) or b (back).")
    child.expect(PROMPT)
    child.sendline("q")
    child.expect_exact("safety questions you have not answered")
    child.expect(PROMPT)
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_stroke_signs_stop_the_interview_with_an_emergency(facespasm: Run) -> None:
    done = facespasm("assess", "--width", "120", stdin="\ny\n")
    assert done.returncode == 0, done.stderr
    assert "EMERGENCY" in done.stdout
    assert "Call your local emergency number now" in done.stdout
    assert done.stdout.count("Question ") == 1


def test_finishing_early_first_asks_the_safety_questions_not_reached(
    facespasm: Run, knowledge: KnowledgeBase
) -> None:
    """q after the first question: the red flags the interview had not come to are asked before
    the result, so a "no" to each can rule them out."""
    done = facespasm("assess", "--width", "120", stdin="\nn\nq\n" + "n\n" * 40)
    assert done.returncode == 0, done.stderr
    assert "safety questions you have not answered" in done.stdout
    said = plain(done.stdout)
    asked = [f for f in knowledge.red_flags if knowledge.findings[f].question in said]
    assert "facial_weakness" in asked and "multiple_sclerosis" in asked
    assert "Safety questions not yet answered" not in done.stdout  # each was answered "no"
    assert "Not yet ruled out" not in said


@pytest.mark.parametrize("reply", ["q", "quit"])
def test_finishing_early_twice_skips_them_and_names_what_is_still_open(
    facespasm: Run, knowledge: KnowledgeBase, reply: str
) -> None:
    done = facespasm("assess", "--width", "120", stdin=f"\nn\n{reply}\n{reply}\n")
    assert done.returncode == 0, done.stderr
    report = plain(done.stdout.split("safety questions you have not answered")[1])
    assert "SEE A DOCTOR" in report  # never self-care with red flags open
    assert "Safety questions not yet answered" in report
    assert knowledge.findings["facial_weakness"].question in report
    assert "facial_weakness" not in report  # by its words, never its id


def test_a_description_is_shown_back_corrected_and_saves_questions(
    knowledge: KnowledgeBase, spawn_interview: Callable[..., pexpect.spawn]
) -> None:
    child = spawn_interview(
        "my left eye has been flickering for three weeks, way too much coffee, "
        "I'm sleeping badly and it doesn't hurt"
    )
    child.expect_exact("What I understood:")
    child.expect_exact("press Enter if it is right > ")
    understood = plain(str(child.before))
    numbered = dict(re.findall(r"(\d+) ([^—]+?) —", understood))
    sleep = next(number for number, phrase in numbered.items() if "sleep" in phrase.lower())
    assert 'a lot of caffeine — from "coffee"' in understood
    child.sendline("99")  # not on the list: explained, asked again
    child.expect_exact("Please type numbers from 1 to")
    child.expect_exact("press Enter if it is right > ")
    child.sendline(sleep)  # the sleep part was misread: left out
    asked: list[str] = []
    while child.expect([PROMPT, pexpect.EOF]) == 0:
        finding = current_finding(str(child.before), knowledge)
        asked.append(finding)
        child.sendline(reply_for(finding, knowledge) if finding != "duration_days" else "21")
    report = plain(str(child.before))
    child.close()
    assert child.exitstatus == 0, report[-2000:]
    assert "facial_pain" not in asked and "caffeine" not in asked  # the text said so
    assert len(asked) < questions_without_a_description(knowledge)
    assert "not a diagnosis" in report


def questions_without_a_description(knowledge: KnowledgeBase) -> int:
    """How many questions the same person is asked when they skip the description."""
    interview = Interview(knowledge)
    count = 0
    while (question := interview.next_question()) is not None:
        finding = question.finding
        reply = reply_for(finding.id, knowledge) if finding.id != "duration_days" else "21"
        interview.answer(finding.id, None if reply == "?" else parse_reply(finding, reply))
        count += 1
    return count


def test_the_persons_own_words_are_shown_as_written_never_as_markup(facespasm: Run) -> None:
    done = facespasm(
        "assess", "--width", "120", stdin="no [/] pain, my left eye twitches\n\nq\nq\n"
    )
    assert done.returncode == 0, done.stderr
    assert 'from "no [/] pain"' in done.stdout
