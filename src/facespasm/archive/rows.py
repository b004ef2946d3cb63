"""One row per video file: what `facespasm archive analyze` writes, and how results are kept.

A row holds the file's name and content hash, whether the analysis worked (`ok`, and `error` in
one line when it did not), the video's metadata, the summary numbers a researcher filters on as
typed columns, and the whole summary, events and evidence as JSON (exactly the values of
`facespasm analyze VIDEO --json`), so nothing the analysis said is lost to the flattening.

A broken file or a clip without a face is an error row, never the end of the run: one bad file
in ten thousand must not cost the other 9,999 their results.

Results are written atomically (a temporary file beside the output, then a rename), so an
interrupted run leaves the previous results whole, never half a file.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facespasm.archive.videos import VideoFile
from facespasm.errors import InputError
from facespasm.video.limits import DEFAULT_MAX_SIDE

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]

    from facespasm.video.landmarks import MeshFactory

Row = dict[str, Any]

# Columns as (name, pyarrow type name), in the order they are written. Counts are int64, rates
# and durations float64 (null where the analysis gives none), the nested parts JSON strings.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("path", "string"),  # relative to the archive's folder, "/"-separated
    ("sha256", "string"),  # of the file's bytes; null only if the file could not be read
    ("size_bytes", "int64"),
    ("ok", "bool"),
    ("error", "string"),  # one line, null when ok
    ("frames", "int64"),
    ("fps", "float64"),
    ("duration_s", "float64"),
    ("face_frames", "int64"),
    ("width", "int64"),  # upright, as recorded (before any downscaling for analysis)
    ("height", "int64"),
    ("codec", "string"),
    ("face_minutes", "float64"),
    ("blink_rate_per_min", "float64"),
    ("closure_per_min", "float64"),
    ("spasm_per_min", "float64"),
    ("flicker_per_min", "float64"),
    ("longest_closure_s", "float64"),
    ("eyes_closed_s", "float64"),
    ("spasm_asymmetry", "float64"),
    ("blinks", "int64"),
    ("closures", "int64"),
    ("spasms", "int64"),
    ("flickers", "int64"),
    ("findings", "list<string>"),  # the evidence's finding names, e.g. forceful_closure
    ("summary", "json"),
    ("events", "json"),
    ("evidence", "json"),
    ("evidence_detail", "json"),
    ("warnings", "json"),
    ("analysis_s", "float64"),
    ("analysed_at", "timestamp"),
    ("facespasm_version", "string"),
)
COLUMN_NAMES = tuple(name for name, _ in COLUMNS)
_EVENT_COUNTS = {"blinks": "blink", "closures": "closure", "spasms": "spasm", "flickers": "flicker"}
# Frames are decoded at their recorded size only to read it (one frame, by `probe_video`).
_NATIVE = 1 << 20
_ERROR_LENGTH = 500


def schema() -> pa.Schema:
    """The pyarrow schema of the results file."""
    import pyarrow as pa

    types: dict[str, Callable[[], pa.DataType]] = {
        "string": pa.string,
        "int64": pa.int64,
        "float64": pa.float64,
        "bool": pa.bool_,
        "json": pa.string,
        "list<string>": lambda: pa.list_(pa.string()),
        "timestamp": lambda: pa.timestamp("us", tz="UTC"),
    }
    return pa.schema(
        [pa.field(name, types[kind](), nullable=name != "path") for name, kind in COLUMNS],
        metadata={"facespasm": "archive results, one row per video file"},
    )


def analyse_file(
    video: VideoFile,
    sha256: str,
    size_bytes: int,
    *,
    max_side: int = DEFAULT_MAX_SIDE,
    mesh_factory: MeshFactory | None = None,
) -> Row:
    """Analyse one video file into its row; any failure becomes an error row.

    Args:
        video: the file.
        sha256: its content hash (already computed: the rerun decided on it).
        size_bytes: its size.
        max_side: frames are downscaled so their longer side is at most this.
        mesh_factory: makes the landmark model for the video (a fresh tracking state).

    Returns:
        The row: `ok` true with the analysis, or false with `error` in one line.
    """
    from facespasm.video.analysis import analyze_video
    from facespasm.video.frames import probe_video
    from facespasm.video.landmarks import FaceMesh

    started = time.perf_counter()
    base: Row = {"path": video.name, "sha256": sha256, "size_bytes": size_bytes}
    try:
        info = probe_video(video.path, max_side=_NATIVE)
        analysis = analyze_video(
            video.path, max_side=max_side, mesh_factory=mesh_factory or FaceMesh, workers=1
        )
    except Exception as error:  # one file's failure is its row's, never the run's
        return error_row(base, error_line(error, video), started)
    result = analysis.to_dict()
    base.update(width=info.width, height=info.height, codec=info.codec)
    return analysis_row(base, result, time.perf_counter() - started)


def analysis_row(base: Row, result: dict[str, Any], seconds: float) -> Row:
    """The row of a successful analysis, from `VideoAnalysis.to_dict()`."""
    video, summary = result["video"], result["summary"]
    per_minute = summary.get("events_per_min") or {}
    kinds = [event["kind"] for event in result["events"]]
    row = _blank() | base
    row.update(
        ok=True,
        frames=video.get("frames"),
        fps=_number(video.get("fps")),
        duration_s=_number(video.get("duration_s")),
        face_frames=video.get("face_frames"),
        face_minutes=_number(summary.get("face_minutes")),
        blink_rate_per_min=_number(summary.get("blink_rate_per_min")),
        closure_per_min=_number(per_minute.get("closure")),
        spasm_per_min=_number(per_minute.get("spasm")),
        flicker_per_min=_number(per_minute.get("flicker")),
        longest_closure_s=_number(summary.get("longest_closure_s")),
        eyes_closed_s=_number(summary.get("eyes_closed_s")),
        spasm_asymmetry=_number(summary.get("spasm_asymmetry")),
        findings=sorted(result["evidence"]),
        summary=_json(summary),
        events=_json(result["events"]),
        evidence=_json(result["evidence"]),
        evidence_detail=_json(result.get("evidence_detail", {})),
        warnings=_json(result.get("warnings", [])),
        analysis_s=round(seconds, 3),
    )
    row.update({column: kinds.count(kind) for column, kind in _EVENT_COUNTS.items()})
    return row


def error_row(base: Row, message: str, started: float | None = None) -> Row:
    """The row of a file that could not be analysed (or read)."""
    row = _blank() | base
    row.update(ok=False, error=message)
    if started is not None:
        row["analysis_s"] = round(time.perf_counter() - started, 3)
    return row


def error_line(error: BaseException, video: VideoFile | None = None) -> str:
    """One line saying what went wrong, naming the file by its path in the archive."""
    from facespasm.errors import FacespasmError

    text = str(error).strip()
    if video is not None:
        text = text.replace(str(video.path), video.name)
    first = text.splitlines()[0] if text else ""
    if not isinstance(error, FacespasmError):  # unexpected: its type says most
        first = f"{type(error).__name__}: {first}" if first else type(error).__name__
    return first[:_ERROR_LENGTH] or "the analysis failed"


def read_results(out: Path) -> list[Row]:
    """The rows of an earlier run's results file, or none if there is no such file.

    Raises:
        InputError: the file exists but is not a results file (it is never overwritten then).
    """
    if not out.exists():
        return []
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    try:
        table = pq.read_table(out)
    except Exception as error:  # pyarrow's errors for a file that is not Parquet vary
        raise InputError(
            f"{out} exists but cannot be read as Parquet ({error_line(error)}); "
            "give another --out or move it away"
        ) from None
    missing = {"path", "sha256", "ok"} - set(table.column_names)
    if missing:
        raise InputError(
            f"{out} is not a facespasm archive results file (no {', '.join(sorted(missing))} "
            "column); give another --out or move it away"
        )
    return [_blank() | {k: v for k, v in row.items() if k in COLUMN_NAMES}
            for row in table.to_pylist()]  # fmt: skip


def write_results(out: Path, rows: Iterable[Row]) -> int:
    """Write the rows, sorted by path, to `out` atomically; return how many were written.

    Raises:
        InputError: the file cannot be written (the previous results, if any, are kept).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    ordered = sorted(rows, key=lambda row: row["path"])
    table = pa.Table.from_pylist(ordered, schema=schema())
    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, temporary, compression="zstd")
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        temporary.replace(out)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise InputError(f"cannot write {out}: {error.strerror or error}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return len(ordered)


def now() -> datetime:
    """The time a row is made, in UTC (the `analysed_at` column)."""
    return datetime.now(UTC)


def _blank() -> Row:
    from facespasm import __version__

    row: Row = dict.fromkeys(COLUMN_NAMES)
    row.update(analysed_at=now(), facespasm_version=__version__)
    return row


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
