"""The `facespasm` command: a thin layer that parses input, calls the core, and shows the result.

Each command lives in its own module and imports what it needs inside the command, so that
`facespasm assess --answers F --json` never pays for rich rendering it does not use. Errors
the user can fix (bad input) print one line on stderr and exit 2; a broken knowledge base exits
3; neither prints a traceback.
"""

from __future__ import annotations

import sys

import typer

from facespasm.cli.analyze import analyze_command
from facespasm.cli.assess import assess_command
from facespasm.cli.diary import diary_app
from facespasm.cli.knowledge import knowledge_command
from facespasm.cli.serve import serve_command
from facespasm.cli.synth import synth_command
from facespasm.errors import InputError, KnowledgeError

app = typer.Typer(
    name="facespasm",
    help="Why is my face twitching, and what should I do? An explained, sourced assessment.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command("assess")(assess_command)
app.command("analyze")(analyze_command)
app.command("knowledge")(knowledge_command)
app.command("synth")(synth_command)
app.command("serve")(serve_command)
app.add_typer(diary_app, name="diary")

EXIT_BAD_INPUT = 2
EXIT_BROKEN_KNOWLEDGE = 3


def main() -> None:
    """Run the command line, turning every expected failure into one line on stderr."""
    try:
        app()
    except InputError as error:
        _exit(f"error: {error}", EXIT_BAD_INPUT)
    except KnowledgeError as error:
        _exit(f"knowledge base error: {error}", EXIT_BROKEN_KNOWLEDGE)


def _exit(message: str, code: int) -> None:
    sys.stderr.write(f"facespasm: {message}\n")
    raise SystemExit(code)
