"""Fixtures for the archive tests: a small folder of clips, one local Ray, and one first run.

Ray takes seconds to start, so one local Ray (two CPUs) serves every test in the session, and the
first run over the folder is shared by the tests that read its rows.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ray", reason="the archive extra (facespasm[archive]) is not installed")

from facespasm.archive import ArchiveRun, analyze_archive, read_results
from facespasm.video.synthetic import PlantedEvent, render
from tests.video.conftest import write_clip

CLIPS = ("blinks.mp4", "deeper/spasm.mp4", "upper.MOV")
BROKEN = "broken.mp4"
NO_FACE = "gradient.mp4"

# Ray's own warnings, each ignored for a reason (warnings are errors in this suite):
RAY_WARNINGS = [
    # Ray Data 2.60 sets three of its own deprecated fields when it makes its first DataContext.
    pytest.mark.filterwarnings(
        "ignore:`(use_push_based_shuffle|use_polars|use_arrow_tensor_v2)` is deprecated"
        ":DeprecationWarning"
    ),
    # One local Ray for all of them: `make test` runs pytest on every core (`--dist loadgroup`),
    # and this keeps the archive tests on one worker, sharing the session's Ray.
    pytest.mark.xdist_group("ray"),
]


@dataclass(frozen=True)
class FirstRun:
    """The first run over the folder: what it said and the rows it wrote, by path."""

    folder: Path
    out: Path
    run: ArchiveRun
    rows: dict[str, dict[str, Any]]


@pytest.fixture(scope="session")
def local_ray() -> Iterator[str]:
    """A local Ray with two CPUs for the whole session; yields its address for `--address`."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


@pytest.fixture(scope="session")
def archive_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three small synthetic clips (one in a subfolder, one named .MOV), a damaged file, a
    video without a face, and things that are not videos: a note, the clips' ground truth
    JSON and a hidden file."""
    folder = tmp_path_factory.mktemp("archive")
    (folder / "deeper").mkdir()
    plans = {
        "blinks.mp4": [PlantedEvent("blink", 0.5, 0.7, "both", ("eyelid",), 1.0)],
        "deeper/spasm.mp4": [PlantedEvent("spasm", 0.6, 1.2, "left", ("eyelid",), 0.8)],
        "upper.MOV": [],
    }
    for seed, (name, events) in enumerate(plans.items()):
        target = folder / name
        made = render(target.with_suffix(".mp4"), events, 2.0, size=160, seed=seed).path
        made.rename(target)
    (folder / BROKEN).write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"damaged" * 200)
    write_clip(folder / NO_FACE, frames=30)
    (folder / "notes.txt").write_text("recorded in clinic 2\n")
    (folder / ".hidden.mp4").write_bytes(b"an editor's leftover")
    return folder


@pytest.fixture(scope="session")
def first_run(
    local_ray: str, archive_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> FirstRun:
    """The folder analysed once, with two workers, into a fresh results file."""
    out = tmp_path_factory.mktemp("results") / "results.parquet"
    run = analyze_archive(archive_folder, out, workers=2)
    return FirstRun(archive_folder, out, run, {row["path"]: row for row in read_results(out)})


def copy_folder(folder: Path, to: Path) -> Path:
    """A copy of the archive folder, for a test that changes it."""
    shutil.copytree(folder, to)
    return to
