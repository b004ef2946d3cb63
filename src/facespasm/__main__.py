"""`python -m facespasm` runs the command line."""

from facespasm.cli import main

main()
