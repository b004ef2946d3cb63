"""`facespasm knowledge`: what facespasm knows -- causes, findings, care rules and sources."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class Section(StrEnum):
    """The parts of the knowledge base that can be listed."""

    ALL = "all"
    CAUSES = "causes"
    FINDINGS = "findings"
    RULES = "rules"
    SOURCES = "sources"


def knowledge_command(
    section: Annotated[Section, typer.Argument(help="Which part to list.")] = Section.ALL,
    width: Annotated[
        int | None, typer.Option(help="Width of the tables in characters (default: terminal).")
    ] = None,
) -> None:
    """List the causes, findings (answer ids), care rules and sources facespasm reasons with."""
    from rich.console import Console

    from facespasm.cli.knowledge_tables import TABLES
    from facespasm.knowledge import load_knowledge

    knowledge = load_knowledge()
    console = Console(width=width, highlight=False)
    for name, table in TABLES.items():
        if section in (Section.ALL, name):
            console.print(table(knowledge))
    console.print(f"[dim]Knowledge version {knowledge.version}.[/]")
