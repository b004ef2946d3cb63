"""Bad input gets one clear line on stderr and exit code 2 -- never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run

CASES = [
    # (file content, words of the message)
    ('{"age": 34,', "answers file is not valid JSON"),
    ("", "answers file is empty"),
    ("   \n", "answers file is empty"),
    ("[1, 2]", "must hold a JSON object"),
    ('"yes"', "must hold a JSON object"),
    ('{"eyelid_twitch": true}', "unknown finding 'eyelid_twitch'"),
    ('{"stress": "yes"}', "'stress' must be true or false"),
    ('{"age": -4}', "'age' must be between 1 and 120 years, not -4"),
    ('{"age": 1000}', "'age' must be between 1 and 120 years, not 1000"),
    ('{"duration_days": -2}', "'duration_days' must be between 0 and 36500 days"),
    ('{"duration_days": 1e308}', "'duration_days' must be between 0 and 36500 days"),
    ('{"duration_days": NaN}', "'duration_days' must be a number of days, not NaN"),
    ('{"regions": "eyelid"}', "'regions' must be a list"),
    ("[" * 40_000 + "]" * 40_000, "nested too deeply"),
    ('{"note": "' + "x" * 200_000 + '"}', "larger than 100 kB"),
    (b"\xff\xfe\x00garbage".decode("latin-1"), "not valid JSON"),
]


@pytest.mark.parametrize(("content", "message"), CASES, ids=[m for _, m in CASES])
def test_a_bad_answers_file(facespasm: Run, tmp_path: Path, content: str, message: str) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(content, encoding="utf-8")
    done = facespasm("assess", "--answers", str(answers), "--json")
    assert_clear_error(done, message)


def test_bytes_that_are_not_utf8(facespasm: Run, tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_bytes(b'{"age": 3\xff}')
    assert_clear_error(facespasm("assess", "--answers", str(answers)), "not UTF-8 text")


def test_a_missing_file(facespasm: Run, tmp_path: Path) -> None:
    done = facespasm("assess", "--answers", str(tmp_path / "nope.json"), "--json")
    assert_clear_error(done, "answers file not found")


def test_a_directory(facespasm: Run, tmp_path: Path) -> None:
    assert_clear_error(facespasm("assess", "--answers", str(tmp_path)), "is a directory")


def test_json_without_answers(facespasm: Run) -> None:
    assert_clear_error(
        facespasm("assess", "--json"),
        "--json needs --answers FILE, --text TEXT, --video FILE or --diary",
    )


@pytest.mark.parametrize(
    ("arguments", "stdin", "message"),
    [
        (["--text", "x" * 10_001], None, "description is too long"),
        (["--text", "-"], "x" * 10_001, "over 10000 characters"),
        (["--text", "   "], None, "the description is empty"),
        (["--text", "-"], "", "the description is empty"),
    ],
    ids=["too-long", "too-long-on-stdin", "blank", "empty-stdin"],
)
def test_a_description_that_cannot_be_read(
    facespasm: Run, arguments: list[str], stdin: str | None, message: str
) -> None:
    assert_clear_error(facespasm("assess", *arguments, "--json", stdin=stdin), message)


def test_an_unknown_option_is_a_usage_error(facespasm: Run) -> None:
    done = facespasm("assess", "--nonsense")
    assert done.returncode == 2
    assert "No such option" in done.stderr
    assert "Traceback" not in done.stderr


def test_input_ending_mid_interview(facespasm: Run) -> None:
    done = facespasm("assess", stdin="n\nn\n")
    assert_clear_error(done, "input ended before the interview was finished")


def assert_clear_error(done, message: str) -> None:
    assert done.returncode == 2, (done.stdout[-500:], done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("facespasm: error: ")
    assert message in lines[0]
    assert len(lines[0]) < 300
