"""The `facespasm` command: a thin layer that parses input, calls the core, and shows the result.

Each command lives in its own module and imports what it needs inside the command, so that
`facespasm assess --answers F --json` never pays for rich rendering it does not use.

Nothing prints a traceback. Errors the user can fix (bad input, a file that cannot be written,
output that cannot be delivered) print one line on stderr and exit 2; a broken knowledge base
exits 3; a database that fails exits 1 with one line that names the failure but never a row, a
note or a statement (`database.error_line`); anything unexpected exits 1 with one line naming
its type, and its traceback only when FACESPASM_DEBUG=1 asks for it.
"""

from __future__ import annotations

import errno
import os
import sys

import typer

from facespasm.cli.analyze import analyze_command
from facespasm.cli.archive import archive_app
from facespasm.cli.assess import assess_command
from facespasm.cli.db import db_app
from facespasm.cli.diary import diary_app
from facespasm.cli.knowledge import knowledge_command
from facespasm.cli.report import report_command
from facespasm.cli.serve import serve_command
from facespasm.cli.synth import synth_command
from facespasm.cli.users import users_app
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
app.command("report")(report_command)
app.command("knowledge")(knowledge_command)
app.command("synth")(synth_command)
app.command("serve")(serve_command)
app.add_typer(diary_app, name="diary")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(archive_app, name="archive")

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_BROKEN_KNOWLEDGE = 3
DEBUG_ENV = "FACESPASM_DEBUG"
_OUTPUT_FAILURES = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EPIPE})


def main() -> None:
    """Run the command line, turning every failure into one line on stderr."""
    try:
        _run()
    except InputError as error:
        _exit(f"error: {error}", EXIT_BAD_INPUT)
    except KnowledgeError as error:
        _exit(f"knowledge base error: {error}", EXIT_BROKEN_KNOWLEDGE)
    except Exception as error:
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        if _is_database_error(error):
            from facespasm.diary.database import error_line

            _exit(f"error: {error_line(error)}", EXIT_FAILED)
        _exit(
            f"unexpected error ({type(error).__name__}); {DEBUG_ENV}=1 shows where. "
            "Please report it.",
            EXIT_FAILED,
        )


def _run() -> None:
    # Output that cannot be delivered (standard output on a full disk, /dev/full) is the
    # person's to fix. Files the commands write report their own failures, naming the file;
    # an OSError of this kind that gets here came from writing standard output.
    try:
        try:
            app()
        finally:
            sys.stdout.flush()
    except OSError as error:
        if error.errno not in _OUTPUT_FAILURES:
            raise
        _drop_output()
        raise InputError(f"cannot write the output: {error.strerror or error}") from None


def _drop_output() -> None:
    # What could not be written is dropped, so that Python's own flush at exit finds nothing.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _is_database_error(error: BaseException) -> bool:
    # Without importing SQLAlchemy: a command that never opened the diary has not loaded it.
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(error, errors.SQLAlchemyError)


def _exit(message: str, code: int) -> None:
    sys.stderr.write(f"facespasm: {message}\n")
    raise SystemExit(code)
