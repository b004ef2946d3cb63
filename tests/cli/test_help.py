"""Every command explains itself, and the README's commands are the ones that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from facespasm.cli import app

from .conftest import Run

COMMANDS = [str(command.name) for command in app.registered_commands]
README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def test_there_are_the_commands_of_this_release() -> None:
    assert COMMANDS == ["assess", "analyze", "report", "knowledge", "synth", "serve"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(facespasm: Run, command: str) -> None:
    done = facespasm(command, "--help")
    assert done.returncode == 0
    summary = done.stdout.split("Options")[0]
    assert len(re.sub(r"\s+", " ", summary)) > 60


def test_no_arguments_shows_the_commands(facespasm: Run) -> None:
    done = facespasm()
    assert all(command in done.stdout + done.stderr for command in COMMANDS)


def test_the_readme_quick_start_is_two_make_commands() -> None:
    quick_start = README.split("## Quick start")[1].split("##")[0]
    assert re.findall(r"^make \w+$", quick_start, flags=re.MULTILINE) == ["make run", "make test"]


@pytest.mark.parametrize("command", COMMANDS)
def test_the_readme_documents_every_command(command: str) -> None:
    assert f"facespasm {command}" in README


GROUPS = [str(group.name) for group in app.registered_groups]


def test_the_diary_and_the_database_are_groups_of_commands() -> None:
    assert GROUPS == ["diary", "db", "users", "archive"]


@pytest.mark.parametrize(
    "command",
    ["log", "day", "import", "export", "show", "triggers", "cycles", "treatment add"],
)
def test_every_diary_command_has_help_and_is_in_the_readme(facespasm: Run, command: str) -> None:
    done = facespasm("diary", *command.split(), "--help")
    assert done.returncode == 0, done.stderr
    assert len(re.sub(r"\s+", " ", done.stdout.split("Options")[0])) > 40
    assert f"facespasm diary {command}" in README


def every_command(group=app, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The words of every command and group, nested ones included ("diary", "treatment", "add");
    () is `facespasm` itself."""
    found = [prefix]
    for command in group.registered_commands:
        found.append((*prefix, str(command.name)))
    for sub in group.registered_groups:
        found += every_command(sub.typer_instance, (*prefix, str(sub.name)))
    return found


@pytest.mark.parametrize(
    "words", every_command(), ids=lambda words: " ".join(("facespasm", *words))
)
def test_help_is_written_for_people(facespasm: Run, words: tuple[str, ...]) -> None:
    done = facespasm(*words, "--help")
    assert done.returncode == 0, done.stderr
    # ⚑ marks a contract in the design notes; people reading --help never see it.
    assert "⚑" not in done.stdout
