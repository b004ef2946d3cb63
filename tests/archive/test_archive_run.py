"""A folder of videos on a local Ray: one row per video file, errors as rows, reruns resume."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from facespasm.archive import COLUMN_NAMES, analyze_archive, read_results
from facespasm.archive.rows import write_results
from facespasm.video.analysis import analyze_video

from .conftest import BROKEN, CLIPS, NO_FACE, RAY_WARNINGS, FirstRun, copy_folder

pytestmark = RAY_WARNINGS


def test_one_row_per_video_file_and_nothing_else(first_run: FirstRun) -> None:
    # the note, the clips' ground-truth JSON and the hidden file are not videos' rows
    assert sorted(first_run.rows) == sorted([*CLIPS, BROKEN, NO_FACE])
    assert first_run.run.videos == 5
    assert first_run.run.ignored == 4  # notes.txt and three ground-truth .json files
    assert first_run.run.rows == 5
    assert first_run.run.analysed == 5 and first_run.run.skipped == 0


def test_clips_are_analysed_and_bad_files_are_error_rows(first_run: FirstRun) -> None:
    for name in CLIPS:
        row = first_run.rows[name]
        assert row["ok"] is True and row["error"] is None, row["error"]
        assert (row["frames"], row["fps"], row["duration_s"]) == (60, 30.0, 2.0)
        assert (row["width"], row["height"], row["codec"]) == (160, 160, "h264")
        assert row["face_frames"] == 60
    broken, no_face = first_run.rows[BROKEN], first_run.rows[NO_FACE]
    assert broken["ok"] is False and BROKEN in broken["error"]
    assert no_face["ok"] is False and "no face" in no_face["error"]
    for row in (broken, no_face):
        assert "\n" not in row["error"] and str(first_run.folder) not in row["error"]
        assert row["frames"] is None and row["summary"] is None
    assert first_run.run.failed == 2


def test_the_content_hash_is_the_files_sha256(first_run: FirstRun) -> None:
    for name, row in first_run.rows.items():
        data = (first_run.folder / name).read_bytes()
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
        assert row["size_bytes"] == len(data)


def test_a_row_says_what_analyze_video_says(first_run: FirstRun) -> None:
    name = "deeper/spasm.mp4"
    row = first_run.rows[name]
    alone: dict[str, Any] = analyze_video(first_run.folder / name).to_dict()
    assert json.loads(row["summary"]) == alone["summary"]
    assert json.loads(row["events"]) == alone["events"]
    assert json.loads(row["evidence"]) == alone["evidence"]
    assert json.loads(row["evidence_detail"]) == alone["evidence_detail"]
    assert json.loads(row["warnings"]) == alone["warnings"]
    video = alone["video"]
    assert [row[key] for key in ("frames", "fps", "duration_s", "face_frames")] == [
        video[key] for key in ("frames", "fps", "duration_s", "face_frames")
    ]
    # the flat columns are the summary's own numbers
    assert row["blink_rate_per_min"] == alone["summary"]["blink_rate_per_min"]
    assert row["spasm_per_min"] == alone["summary"]["events_per_min"]["spasm"]
    kinds = [event["kind"] for event in alone["events"]]
    assert (row["blinks"], row["spasms"]) == (kinds.count("blink"), kinds.count("spasm"))
    assert row["findings"] == sorted(alone["evidence"])


def test_the_results_file_has_the_documented_columns(first_run: FirstRun) -> None:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    table = pq.read_table(first_run.out)
    assert tuple(table.column_names) == COLUMN_NAMES
    assert str(table.schema.field("blink_rate_per_min").type) == "double"
    assert str(table.schema.field("findings").type) == "list<element: string>"
    documented = (Path(__file__).parents[2] / "docs" / "archive.md").read_text(encoding="utf-8")
    assert all(f"`{column}`" in documented for column in COLUMN_NAMES)


def test_a_rerun_skips_done_videos_and_retries_failed_ones(
    first_run: FirstRun, tmp_path: Path
) -> None:
    folder = copy_folder(first_run.folder, tmp_path / "archive")
    shutil.copy(folder / "blinks.mp4", folder / "deeper" / "blinks again.mp4")  # same bytes
    (folder / "upper.MOV").unlink()  # gone from the folder: its row is kept
    out = tmp_path / "results.parquet"
    shutil.copy(first_run.out, out)

    calls: list[tuple[int, int]] = []
    run = analyze_archive(folder, out, workers=1, progress=lambda *call: calls.append(call))

    # skipped: the two clips still there and the copy; analysed again: the two that failed
    assert (run.videos, run.skipped, run.analysed, run.failed) == (5, 3, 2, 2)
    assert calls == [(done, 5) for done in range(6)]  # the progress bar's files done of all
    rows = {row["path"]: row for row in read_results(out)}
    assert sorted(rows) == sorted([*CLIPS, BROKEN, NO_FACE, "deeper/blinks again.mp4"])
    for name in ("blinks.mp4", "deeper/spasm.mp4", "upper.MOV"):
        # the very rows of the first run (`analysed_at` included): not analysed again
        assert rows[name] == first_run.rows[name]
    copy = rows["deeper/blinks again.mp4"]
    assert copy["ok"] and copy["summary"] == first_run.rows["blinks.mp4"]["summary"]
    # the failed ones were tried again (and failed again)
    for name in (BROKEN, NO_FACE):
        assert rows[name]["analysed_at"] > first_run.rows[name]["analysed_at"]
        assert rows[name]["error"] == first_run.rows[name]["error"]


def test_a_results_file_that_is_not_ours_is_never_overwritten(
    first_run: FirstRun, tmp_path: Path
) -> None:
    from facespasm.errors import InputError

    out = tmp_path / "someone else's.parquet"
    out.write_bytes(b"PAR1 but not really")
    with pytest.raises(InputError, match="cannot be read as Parquet"):
        analyze_archive(first_run.folder, out)
    assert out.read_bytes() == b"PAR1 but not really"


def test_a_failed_write_keeps_the_previous_results(first_run: FirstRun, tmp_path: Path) -> None:
    out = tmp_path / "results.parquet"
    shutil.copy(first_run.out, out)
    before = out.read_bytes()
    bad = [*first_run.rows.values(), {**first_run.rows[BROKEN], "path": "x.mp4", "frames": "?"}]
    with pytest.raises((TypeError, ValueError)):  # pyarrow: "?" is no int64
        write_results(out, bad)
    assert out.read_bytes() == before
    assert [path.name for path in tmp_path.iterdir()] == ["results.parquet"]  # no temporary left


def test_an_empty_folder_gives_an_empty_table_without_starting_ray(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    run = analyze_archive(tmp_path / "empty", tmp_path / "none.parquet")
    assert (run.videos, run.rows, run.failed) == (0, 0, 0)
    assert read_results(tmp_path / "none.parquet") == []


class Stop(Exception):
    """Stands for Ctrl-C in the middle of a run."""


def test_an_interrupted_run_keeps_the_results_so_far(first_run: FirstRun, tmp_path: Path) -> None:
    folder = copy_folder(first_run.folder, tmp_path / "archive")
    shutil.copy(folder / "blinks.mp4", folder / "again.mp4")
    out = tmp_path / "results.parquet"
    shutil.copy(first_run.out, out)

    def stop_after_the_first(done: int, total: int) -> None:
        if done == 1:
            raise Stop

    with pytest.raises(Stop):
        analyze_archive(folder, out, workers=1, progress=stop_after_the_first)

    rows = {row["path"]: row for row in read_results(out)}
    # the earlier rows all there (good ones unchanged: they are never analysed again), and the
    # one finished before the stop (whichever came back first)
    assert set(first_run.rows) <= set(rows) and len(rows) in (5, 6)
    assert all(rows[name] == row for name, row in first_run.rows.items() if row["ok"])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["archive", "results.parquet"]
