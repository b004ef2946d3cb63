"""schemathesis against a running server, for bench/RESULTS.md (issue 11): failures per seed.

`make test` runs schemathesis in-process with one seed and 25 examples per operation
(tests/web/test_api_schema_conformance.py). This runs its command line, as the issue's probe
did, against `facespasm serve` on an empty diary: every check and phase, 100 examples per
operation, on the seeds given (default 1 and 2), with the test's configuration
(tests/web/schemathesis.toml: every check, but for the one it leaves out for the two uploads --
`--checks all` on the command line would override that) and one worker. It prints each run's
failures and summary, and exits non-zero if any run found a failure.

Run by hand from the repository: `.venv/bin/python -m bench.schema_fuzz [SEED ...]`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.uploads import REPO, serve

CONFIG = REPO / "tests" / "web" / "schemathesis.toml"
EXAMPLES = 100


def run(port: int, seed: int, folder: Path) -> tuple[int, str]:
    """One schemathesis run; how many unique failures it found, and its summary."""
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(CONFIG),
        "run",
        f"http://127.0.0.1:{port}/openapi.json",
        "--seed",
        str(seed),
        "--max-examples",
        str(EXAMPLES),
        "--workers",
        "1",
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=folder, check=False)
    output = done.stdout + done.stderr
    found = re.search(r"(\d+) unique failures?", output)
    failed = re.findall(r"^_{3,} (.+?) _{3,}$|^- (ST\d+ .+)$", output, flags=re.MULTILINE)
    listed = "\n".join(f"  {operation or check}" for operation, check in failed)
    summary = (
        listed + "\n" + (output[output.find("Test cases:") :] if "Test cases:" in output else "")
    )
    return (int(found.group(1)) if found else 0) if done.returncode else 0, summary


def main() -> None:
    seeds = [int(seed) for seed in sys.argv[1:]] or [1, 2]
    failures = 0
    for seed in seeds:
        with tempfile.TemporaryDirectory(prefix="facespasm-fuzz-") as scratch:
            process, port = serve(Path(scratch))
            try:
                found, summary = run(port, seed, Path(scratch))
            finally:
                process.terminate()
                process.wait(timeout=30)
        print(f"seed {seed}: {found} unique failures\n{summary}")
        failures += found
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
