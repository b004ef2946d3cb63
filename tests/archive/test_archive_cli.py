"""`facespasm archive analyze`: exit codes, one-line errors, Ray only when the command runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from facespasm.archive import read_results

from .conftest import BROKEN, RAY_WARNINGS, FirstRun

pytestmark = RAY_WARNINGS

# Makes `import ray` and `import pyarrow` fail as they do where the extra is not installed.
BLOCK_THE_EXTRA = """
import sys

class _NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("ray", "pyarrow"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NotInstalled())
"""


def facespasm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "facespasm", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, **(env or {})},
    )


BAD_INPUT = [
    # (arguments after DIR, message): DIR is a real folder unless the row says otherwise
    (["--out", "r.csv"], "--out must be a .parquet file, not r.csv"),
    (["--out", "missing/r.parquet"], "folder does not exist for --out"),
    (["--out", "r.parquet", "--workers", "0"], "--workers must be at least 1, not 0"),
    (["--out", "r.parquet", "--address", "http://x:1"], "--address must be auto, HOST:PORT"),
    (["--out", "r.parquet", "--address", "head:99999"], "--address must be auto, HOST:PORT"),
    (["--out", "r.parquet", "--address", "head"], "--address must be auto, HOST:PORT"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT, ids=[m for _, m in BAD_INPUT])
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    from facespasm.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["facespasm", "archive", "analyze", ".", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_folder_that_does_not_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from facespasm.cli import main

    argv = ["facespasm", "archive", "analyze", str(tmp_path / "nope"), "--out", "r.parquet"]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    assert "folder does not exist" in capsys.readouterr().err


def test_without_the_extra_the_command_names_it(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(BLOCK_THE_EXTRA)
    (tmp_path / "clips").mkdir()
    done = facespasm(
        "archive", "analyze", str(tmp_path / "clips"), "--out", str(tmp_path / "r.parquet"),
        env={"PYTHONPATH": str(tmp_path / "site")},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "pip install 'facespasm[archive]'" in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_other_commands_never_load_ray_or_pyarrow() -> None:
    code = (
        "import sys\n"
        "from facespasm.cli import main\n"
        "for words in (['--help'], ['archive', 'analyze', '--help']):\n"
        "    sys.argv = ['facespasm', *words]\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('LOADED', sorted(m for m in ('ray', 'pyarrow') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Video archives on Ray" in done.stdout
    assert done.stdout.strip().endswith("LOADED []")


def test_the_command_end_to_end_on_a_running_cluster(
    local_ray: str, first_run: FirstRun, tmp_path: Path
) -> None:
    folder = tmp_path / "clips"
    folder.mkdir()
    shutil.copy(first_run.folder / "blinks.mp4", folder / "clip.mp4")
    shutil.copy(first_run.folder / BROKEN, folder / BROKEN)
    out = tmp_path / "results.parquet"

    done = facespasm(
        "archive", "analyze", str(folder), "--out", str(out), "--address", local_ray,
        "--workers", "1",
    )  # fmt: skip

    assert done.returncode == 1  # one row failed
    assert done.stdout == ""
    # one line, Ray's own logging kept off the terminal
    assert done.stderr.count("\n") == 1, done.stderr
    assert "2 video file(s): 2 analysed, 1 failed" in done.stderr
    assert f"wrote 2 row(s) to {out}" in done.stderr
    rows = {row["path"]: row for row in read_results(out)}
    assert rows["clip.mp4"]["ok"] and not rows[BROKEN]["ok"]
    assert rows["clip.mp4"]["summary"] == first_run.rows["blinks.mp4"]["summary"]
