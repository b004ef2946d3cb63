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
A worker process that dies (a crash in a native library, the kernel's OOM killer) costs its one
video an error row, not the run. Ray Data starts a new actor in its place and hands it the same
video again, for ever; a file that crashes the decoder would crash every actor in turn. So an
`Attempts` actor counts the times each video was started, and a second start gives the error
row at once ("its Ray worker died"); a rerun tries the video again.

Rows stream back to the driver, which writes the union of earlier and new rows as they come
(atomically), at most `WRITE_SHARE` of the time spent writing: after a write that took w
seconds, the next one waits until 1/WRITE_SHARE times w has passed (and never longer than
`checkpoint_s`). A table of 10,000 rows takes ~50 ms to write, so a crash loses about a second of
work, and the first finished video is on disk at once.

Ctrl-C (SIGINT) stops the run at once, cleanly, with one press: the rows finished so far are
written, Ray is shut down, and `ArchiveInterrupted` (a `KeyboardInterrupt`) says what was done;
a rerun goes on from there. Where the run started Ray itself, further presses are ignored
meanwhile, and what Ray prints to the console about the workers it stops goes to its logs (the
process's standard output and error, file descriptors 1 and 2, point there until Ray has shut
down); with the caller's Ray, Python's own handling of Ctrl-C is left alone.

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
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

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
from facespasm.video.limits import DEFAULT_MAX_SIDE

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]

Progress = Callable[[int, int], None]

EXTRA_HINT = "pip install 'facespasm[archive]'"
CHECKPOINT_S = 60.0
WRITE_SHARE = 0.05  # of the driver's time, at most, spent writing the results during a run
_ADDRESS = re.compile(
    r"^(?:auto|(?:ray://)?(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])"
    r":(?P<port>\d{1,5}))$"
)
WORKER_DIED = (
    "the analysis did not finish: its Ray worker died or was lost (a crash in a native library, "
    "out of memory?); not tried again in this run"
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
        stopped: the run was interrupted (Ctrl-C) before every video was done.
    """

    out: Path
    videos: int
    analysed: int
    skipped: int
    failed: int
    ignored: int
    rows: int
    stopped: bool = False

    @property
    def done(self) -> int:
        """Videos with a row from this run: analysed, or found already in the results."""
        return self.analysed + self.skipped


class ArchiveInterrupted(KeyboardInterrupt):
    """The run was stopped (Ctrl-C); what was finished is written and Ray is shut down.

    Attributes:
        run: what the run had done when it stopped (`stopped` true).
    """

    def __init__(self, run: ArchiveRun) -> None:
        super().__init__(f"stopped after {run.done} of {run.videos} video file(s)")
        self.run = run


def analyze_archive(
    folder: Path,
    out: Path,
    *,
    address: str | None = None,
    workers: int | None = None,
    max_side: int = DEFAULT_MAX_SIDE,
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
        checkpoint_s: the longest the results so far go unwritten while rows come in.

    Returns:
        What the run did.

    Raises:
        InputError: a bad argument, a missing extra, an unreadable results file, or a Ray
            cluster that cannot be reached.
        ArchiveInterrupted: Ctrl-C stopped the run; the rows finished are written, Ray is shut
            down, and its `run` says what was done.
    """
    check_arguments(folder, out, address=address, workers=workers)
    _require_extras()
    previous = read_results(out)
    videos, ignored = find_videos(folder)
    merged: dict[str, Row] = {row["path"]: row for row in previous}
    good = {row["sha256"]: row for row in previous if row["ok"] and row["sha256"]}
    analysed = skipped = 0

    def said(stopped: bool = False) -> ArchiveRun:
        names = {video.name for video in videos}
        failed = sum(not row["ok"] for path, row in merged.items() if path in names)
        return ArchiveRun(
            out, len(videos), analysed, skipped, failed, ignored, len(merged), stopped
        )

    if progress is not None:
        progress(0, len(videos))
    try:
        if videos:
            with _ray_session(address, workers) as ray:
                writes = _Writes(out, checkpoint_s)
                try:
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
                        writes.due(merged)
                finally:
                    # What was finished is kept however the loop ends (Ctrl-C included), and
                    # before Ray is shut down.
                    if analysed or skipped:
                        write_results(out, merged.values())
    except KeyboardInterrupt:
        raise ArchiveInterrupted(said(stopped=True)) from None
    if not (analysed or skipped):
        write_results(out, merged.values())
    return said()


class _Writes:
    """When to write the results during a run.

    At most `WRITE_SHARE` of the time, so the first row is written at once; never more than
    `checkpoint_s` after the last write while rows come in.
    """

    def __init__(self, out: Path, checkpoint_s: float) -> None:
        self._out = out
        self._most = checkpoint_s
        self._last = time.monotonic()
        self._wait = 0.0

    def due(self, rows: dict[str, Row]) -> None:
        """Write `rows` if it is time."""
        started = time.monotonic()
        if started - self._last < self._wait:
            return
        write_results(self._out, rows.values())
        self._last = time.monotonic()
        self._wait = min(self._most, (self._last - started) / WRITE_SHARE)


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
        attempts: an `Attempts` actor; a video it has seen before gets an error row saying its
            worker died, instead of a second try (None: every video is analysed).
    """

    def __init__(
        self,
        max_side: int = DEFAULT_MAX_SIDE,
        done: frozenset[str] = frozenset(),
        attempts: Any = None,
    ) -> None:
        from facespasm.video.landmarks import FaceMesh

        FaceMesh().close()
        self._max_side = max_side
        self._done = done
        self._attempts = attempts
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
        if self._attempts is not None:
            import ray

            if ray.get(self._attempts.start.remote(video.name)):
                return error_row(base, WORKER_DIED) | {SKIPPED: False}
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


class Attempts:
    """A Ray actor counting the times each video was handed to a worker.

    Ray Data replaces an actor that dies and hands its video to a worker again, for ever: a file
    that crashes the decoder would crash every worker in turn. A video handed out a second time
    is one whose worker died, so it becomes an error row instead (a rerun tries it again).
    """

    def __init__(self) -> None:
        self._started: dict[str, int] = {}

    def start(self, name: str) -> int:
        """Note that `name` is being analysed; return how many times it was started before."""
        before = self._started.get(name, 0)
        self._started[name] = before + 1
        return before


def _analyse(
    ray: ModuleType, videos: list[VideoFile], workers: int, max_side: int, done: frozenset[str]
) -> Iterator[Row]:
    """The rows of `videos` as they are finished (in no particular order), with `skipped`."""
    items = [{"path": str(video.path), "name": video.name} for video in videos]
    context = ray.data.DataContext.get_current()
    # Should a task fail beyond Ray's retries, it loses its one video, not the run: the video
    # gets an error row below.
    context.max_errored_blocks = len(items)
    attempts = ray.remote(num_cpus=0)(Attempts).remote()
    dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
        VideoAnalyzer,
        fn_constructor_kwargs={"max_side": max_side, "done": done, "attempts": attempts},
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
            yield error_row({"path": video.name}, WORKER_DIED) | {SKIPPED: False}


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
        with _CtrlC(logs / "stopping.log"):
            try:
                with _stderr_to(logs / "driver.log"):
                    _start(ray, address, workers, logs)
                _quiet_data(ray)
                yield ray
            finally:
                with _stderr_to(logs / "shutdown.log"):
                    ray.shutdown()
    finally:
        shutil.rmtree(logs, ignore_errors=True)


def _start(ray: ModuleType, address: str | None, workers: int | None, logs: Path) -> None:
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


class _CtrlC:
    """While our Ray runs: the first Ctrl-C stops the run, and nothing more reaches the console.

    Python's own handler raises `KeyboardInterrupt` wherever the main thread is; so does this
    one, once. It then ignores further presses, so that saving the results and shutting Ray
    down are not cut short (they take a second or two), and points file descriptors 1 and 2 at
    `log`: stopping, Ray prints the fate of every task it abandons. They are pointed back where
    they were on entry, whatever was redirected meanwhile. Installed only where Python would
    have handled SIGINT itself (the main thread, no handler of the caller's).
    """

    def __init__(self, log: Path) -> None:
        self._log = log
        self._previous: signal.Handlers | Callable[..., object] | int | None = None
        self._console: dict[int, int] = {}
        self._pressed = False

    def __enter__(self) -> _CtrlC:
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self._console = {fd: os.dup(fd) for fd in (1, 2)}
            self._previous = signal.signal(signal.SIGINT, self._stop)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pressed:
            for stream in (sys.stdout, sys.stderr):  # what Ray left in them goes to the log
                with contextlib.suppress(Exception):
                    stream.flush()
        for fd, console in self._console.items():
            if self._pressed:
                os.dup2(console, fd)
            os.close(console)
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _stop(self, signum: int, frame: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        self._pressed = True
        with self._log.open("ab") as log:
            for fd in self._console:
                os.dup2(log.fileno(), fd)
        raise KeyboardInterrupt


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
