"""`facespasm synth --face --disorder`: a clip of one disorder on any face (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Run


def test_a_disorder_is_planted_on_a_face_from_a_photo(
    facespasm: Run, shared: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bsp.mp4"
    photo = shared / "media" / "single_face.jpg"
    done = facespasm(
        "synth", str(out), "--disorder", "blepharospasm", "--face", str(photo),
        "--duration", "6", "--seed", "1",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    truth = json.loads(out.with_suffix(".json").read_text())
    kinds = [event["kind"] for event in truth["events"]]
    assert kinds.count("closure") >= 1 and set(kinds) <= {"closure", "blink"}
    assert all(event["side"] == "both" for event in truth["events"])
    assert out.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--disorder", "flu"], "unknown --disorder 'flu'"),
        (["--disorder", "hfs", "--side", "up"], "--side must be left or right"),
        (["--disorder", "hfs", "--duration", "3"], "at least 6 seconds"),
        (["--face", "nobody.png"], "neither 'astronaut' nor a photo or video file"),
        (["--disorder", "hfs", "--script", "x.json"], "either --disorder or --script"),
    ],
)
def test_a_bad_synth_option_is_one_clear_line(
    facespasm: Run, tmp_path: Path, options: list[str], words: str
) -> None:
    done = facespasm("synth", str(tmp_path / "out.mp4"), *options)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], done.stderr
    assert not (tmp_path / "out.mp4").exists()
