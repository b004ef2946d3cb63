"""`analyze_archive()`: every video under a folder analysed on Ray, one row per file, resumable.

One Ray Data stage does it all: `map_batches` over a pool of actors (`ActorPoolStrategy`,
`workers` actors of one CPU each), one video per batch so a long clip never holds others back.
An actor hashes its video first (so on a cluster the reading is spread over the nodes like the
analysis); a video whose content hash already has a good row in the results file comes back at
once marked as skipped and keeps that row; failed ones are tried again. Hashing in a stage of
its own cost a second start of Ray workers (5.7 s on a 2-core machine) for no gain.

Each actor loads MediaPipe once and builds a fresh face mesh for every video: a video's tracking
must not start from the previous video's face. A fresh mesh costs 40 ms against 24 ms for
resetting MediaPipe's graphs, under 1% of a 10-second clip (bench/RESULTS.md), and needs no
access to the mesh's private state; the 2 s of loading MediaPipe is what is paid once per actor.

Within an actor `analyze_video` runs with `workers=1`: Ray already gives every core a video.
Rows stream back to the driver, which writes the union of earlier and new rows every
`checkpoint_s` and at the end (atomically; an interrupted run keeps what it finished).

Ray is started locally (`num_cpus=workers`, no dashboard, its logs in a temporary folder rather
than on the terminal) unless an address is given, or the caller already started it (then that
session is used and left running). Ray and pyarrow are the optional extra `facespasm[archive]`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from facespasm.archive.rows import (
    Row,
    analyse_file,
    error_line,
    error_row,
    read_results,
    write_results,
)
from facespasm.archive.rows import schema as row_schema
from facespasm.archive.videos import VideoFile, file_sha256, find_videos
from facespasm.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]

Progress = Callable[[int, int], None]

EXTRA_HINT = "pip install 'facespasm[archive]'"
CHECKPOINT_S = 60.0
_ADDRESS = re.compile(
    r"^(?:auto|(?:ray://)?(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])"
    r":(?P<port>\d{1,5}))$"
)
# The actors' extra column: the video's content is already in the results (its row is kept).
SKIPPED = "skipped"
# Rows are small (a few kB of JSON); Ray's default store of 30% of memory would only take
# shared memory from a laptop for nothing.
_LOCAL_OBJECT_STORE = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ArchiveRun:
    """What a run did.

    Attributes:
        out: the results file written.
        videos: video files found under the folder.
        analysed: videos analysed in this run (ok or not).
        skipped: videos whose content already had a good row in `out`.
        failed: videos under the folder whose row is an error (after this run).
        ignored: files passed over because their names are not videos'.
        rows: rows in `out` (earlier rows of files no longer in the folder are kept).
    """

    out: Path
    videos: int
    analysed: int
    skipped: int
    failed: int
    ignored: int
    rows: int


def analyze_archive(
    folder: Path,
    out: Path,
    *,
    address: str | None = None,
    workers: int | None = None,
    max_side: int = 1280,
    progress: Progress | None = None,
    checkpoint_s: float = CHECKPOINT_S,
) -> ArchiveRun:
    """Analyse every video file under `folder` into one Parquet row each, skipping done ones.

    Args:
        folder: the archive; searched recursively, hidden files and folders skipped.
        out: the `.parquet` results file; an existing one is resumed from and kept up to date.
        address: an existing Ray cluster ("auto", "host:port" or "ray://host:port"); None
            starts a local Ray (or uses the one this process already started).
        workers: actors analysing at once (one CPU each); None: every CPU Ray has.
        max_side: frames are downscaled so their longer side is at most this.
        progress: called with (files done, files in all) as each file is done.
        checkpoint_s: how often the results so far are written during the run.

    Returns:
        What the run did.

    Raises:
        InputError: a bad argument, a missing extra, an unreadable results file, or a Ray
            cluster that cannot be reached.
    """
    check_arguments(folder, out, address=address, workers=workers)
    _require_extras()
    previous = read_results(out)
    videos, ignored = find_videos(folder)
    merged: dict[str, Row] = {row["path"]: row for row in previous}
    good = {row["sha256"]: row for row in previous if row["ok"] and row["sha256"]}
    analysed = skipped = 0
    if progress is not None:
        progress(0, len(videos))
    try:
        if videos:
            with _ray_session(address, workers) as ray:
                last_write = time.monotonic()
                rows = _analyse(ray, videos, workers or _cpus(ray), max_side, frozenset(good))
                for found in rows:
                    if found.pop(SKIPPED):
                        skipped += 1
                        row = _earlier(merged.get(found["path"]), good[found["sha256"]], found)
                    else:
                        analysed += 1
                        row = found
                    merged[row["path"]] = row
                    if progress is not None:
                        progress(analysed + skipped, len(videos))
                    if time.monotonic() - last_write >= checkpoint_s:
                        write_results(out, merged.values())
                        last_write = time.monotonic()
    except BaseException:
        if analysed or skipped:  # what was finished is kept, even when stopped (Ctrl-C)
            write_results(out, merged.values())
        raise
    write_results(out, merged.values())
    names = {video.name for video in videos}
    failed = sum(not row["ok"] for path, row in merged.items() if path in names)
    return ArchiveRun(out, len(videos), analysed, skipped, failed, ignored, len(merged))


def check_arguments(folder: Path, out: Path, *, address: str | None, workers: int | None) -> None:
    """Refuse bad arguments before anything starts.

    Raises:
        InputError: the folder is missing, `out` is not a .parquet file in an existing folder,
            `workers` is below 1, or `address` is not a Ray address.
    """
    if not folder.is_dir():
        raise InputError(f"folder does not exist: {folder}")
    if out.suffix.lower() != ".parquet":
        raise InputError(f"--out must be a .parquet file, not {out.name}")
    if not out.parent.is_dir():
        raise InputError(f"folder does not exist for --out: {out.parent}")
    if out.is_dir():
        raise InputError(f"--out is a folder, not a file: {out}")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1, not {workers}")
    if address is not None:
        match = _ADDRESS.match(address)
        port = match and match.group("port")
        if match is None or (port is not None and not 0 < int(port) < 65536):
            raise InputError(
                f"--address must be auto, HOST:PORT or ray://HOST:PORT, not {address!r}"
            )


def _require_extras() -> None:
    for module in ("pyarrow", "ray"):
        try:
            __import__(module)
        except ImportError:
            raise InputError(
                f"archive analysis needs the optional extra with Ray and pyarrow ({module} is "
                f"missing): {EXTRA_HINT}"
            ) from None


def _earlier(at_path: Row | None, same_content: Row, found: Row) -> Row:
    """The earlier row kept for a video whose content was analysed before."""
    if at_path is not None and at_path["sha256"] == found["sha256"]:
        return at_path
    # Renamed or copied: the same bytes give the same result, under the new name.
    keep = ("path", "sha256", "size_bytes")
    return same_content | {key: found[key] for key in keep}


class VideoAnalyzer:
    """A Ray Data actor: one video per batch, hashed, then analysed unless already done.

    Made once per actor: MediaPipe is loaded here, so the actor's first video does not pay for
    it; each video then gets a fresh face mesh (`mesh_factory`), so no tracking state passes
    from one video to the next. Hashing happens here too, so on a cluster the reading is spread
    over the nodes like the analysis.

    Args:
        max_side: frames are downscaled so their longer side is at most this.
        done: content hashes that already have a good row; such videos come back with only
            `path`, `sha256`, `size_bytes` and `skipped` true.
    """

    def __init__(self, max_side: int = 1280, done: frozenset[str] = frozenset()) -> None:
        from facespasm.video.landmarks import FaceMesh

        FaceMesh().close()
        self._max_side = max_side
        self._done = done
        self._mesh_factory = FaceMesh

    def __call__(self, batch: pa.Table) -> pa.Table:
        """The rows of the batch's videos, with the `skipped` column."""
        import pyarrow as pa

        rows = [self._row(VideoFile(Path(item["path"]), item["name"]))
                for item in batch.to_pylist()]  # fmt: skip
        return pa.Table.from_pylist(rows, schema=_actor_schema())

    def _row(self, video: VideoFile) -> Row:
        base: Row = {"path": video.name}
        try:
            base["size_bytes"] = video.path.stat().st_size
            base["sha256"] = file_sha256(video.path)
        except OSError as error:
            return error_row(base, f"cannot read {video.name}: {error.strerror or error}") | {
                SKIPPED: False
            }
        if base["sha256"] in self._done:
            return base | {SKIPPED: True}
        row = analyse_file(
            video,
            base["sha256"],
            base["size_bytes"],
            max_side=self._max_side,
            mesh_factory=self._mesh_factory,
        )
        return row | {SKIPPED: False}


def _actor_schema() -> pa.Schema:
    import pyarrow as pa

    return row_schema().append(pa.field(SKIPPED, pa.bool_(), nullable=False))


def _analyse(
    ray: ModuleType, videos: list[VideoFile], workers: int, max_side: int, done: frozenset[str]
) -> Iterator[Row]:
    """The rows of `videos` as they are finished (in no particular order), with `skipped`."""
    items = [{"path": str(video.path), "name": video.name} for video in videos]
    context = ray.data.DataContext.get_current()
    # A worker that dies (a crash in a native library) loses its one video, not the run: the
    # video gets an error row below.
    context.max_errored_blocks = len(items)
    dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
        VideoAnalyzer,
        fn_constructor_kwargs={"max_side": max_side, "done": done},
        batch_size=1,
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=max(1, min(workers, len(items)))),
        num_cpus=1,
    )
    returned: set[str] = set()
    for batch in dataset.iter_batches(batch_size=None, batch_format="pyarrow"):
        for row in batch.to_pylist():
            returned.add(row["path"])
            yield row
    for video in videos:
        if video.name not in returned:
            yield error_row(
                {"path": video.name},
                "the analysis did not finish: its Ray worker died (a crash in a native library?)",
            ) | {SKIPPED: False}


def _cpus(ray: ModuleType) -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


@contextlib.contextmanager
def _ray_session(address: str | None, workers: int | None) -> Iterator[ModuleType]:
    """Ray, started quietly for this run (and shut down after), or the caller's running Ray."""
    import ray
    import ray.data

    if ray.is_initialized():
        _quiet_data(ray)
        yield ray
        return
    # Ray's C++ core writes its own warnings to the terminal; they belong in its logs.
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    logs = Path(tempfile.mkdtemp(prefix="facespasm-ray-"))
    try:
        with _stderr_to(logs / "driver.log"):
            try:
                if address is None:
                    ray.init(
                        num_cpus=workers or os.cpu_count() or 1,
                        include_dashboard=False,
                        log_to_driver=False,
                        logging_level=logging.ERROR,
                        object_store_memory=_LOCAL_OBJECT_STORE,
                        _temp_dir=str(logs),
                    )
                else:
                    ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
            except Exception as error:
                where = "a local Ray" if address is None else f"the Ray cluster at {address}"
                raise InputError(f"cannot start {where}: {error_line(error)}") from None
        _quiet_data(ray)
        try:
            yield ray
        finally:
            with _stderr_to(logs / "shutdown.log"):
                ray.shutdown()
    finally:
        shutil.rmtree(logs, ignore_errors=True)


def _quiet_data(ray: ModuleType) -> None:
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # ours is the one progress bar on the terminal
    context.print_on_execution_start = False


@contextlib.contextmanager
def _stderr_to(path: Path) -> Iterator[None]:
    """Send file descriptor 2 (native libraries' output too) to `path` for the duration."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with path.open("ab") as log:
            os.dup2(log.fileno(), 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
