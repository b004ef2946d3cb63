"""`analyze_video()`: a face video in, events, a summary and evidence out.

Frames stream through the landmark model and are reduced at once to eighteen numbers each, so
memory does not grow with the length of the video. A file is measured in fixed time segments,
on as many cores as `workers` allows (segments.py), and its rows are stitched in order before
events are found over the whole clip. A face that is lost for part of the clip leaves gaps,
reported as such; a clip without any face is an error, because nothing about the face can be
said from it.

The boundaries are parameters: the landmark model (`mesh_factory`, any `LandmarkModel`), and the
options, checked here (one line each) rather than by each caller. With several faces in a file,
the largest is analysed unless it never moved and another did (`_analyze_file`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from facespasm.errors import InputError, VideoError
from facespasm.reasoning.evidence import Evidence, EvidenceItem, Origin
from facespasm.video.event import Event
from facespasm.video.events import find_events
from facespasm.video.landmarks import MOST_FACES, FaceMesh, MeshFactory
from facespasm.video.limits import DEFAULT_MAX_SIDE, MAX_CAMERA_SECONDS, MAX_SIDE_RANGE
from facespasm.video.measures import Measures, MeasureSeries
from facespasm.video.pattern import Finding, lids_unseen, read_evidence, summarise
from facespasm.video.summary import VideoSummary

if TYPE_CHECKING:
    from facespasm.video.frames import Frame, VideoInfo
    from facespasm.video.landmarks import FaceLandmarks

Progress = Callable[[int, int | None], None]

# Blinks and spasms are counted per minute against the person's own baseline; a clip shorter
# than this holds too few of either to say much (the README asks for 20-30 seconds).
SHORT_CLIP_S = 5.0


@dataclass(frozen=True)
class VideoAnalysis:
    """What a clip showed: its events, a summary, evidence, and how the analysis went."""

    video: dict[str, object]
    events: tuple[Event, ...]
    summary: VideoSummary
    evidence: dict[str, Finding]
    timing: dict[str, float]
    measures: Measures = field(repr=False)
    warnings: tuple[str, ...] = ()
    face: int = 0  # the face followed, by size: 0 the largest (`_analyze_file` says when not)

    def to_dict(self) -> dict[str, object]:
        """The ⚑ JSON of `facespasm analyze VIDEO --json` (DESIGN.md)."""
        return {
            "video": self.video,
            "events": [
                {
                    "start_s": round(event.start_s, 3),
                    "end_s": round(event.end_s, 3),
                    "kind": event.kind,
                    "side": event.side,
                    "regions": list(event.regions),
                    "peak": round(event.peak, 3),
                    **({"forceful": True} if event.forceful else {}),
                    **({"with_smile": True} if event.with_smile else {}),
                }
                for event in self.events
            ],
            "summary": self.summary.to_dict(),
            "evidence": {
                finding: list(item.value) if isinstance(item.value, tuple) else item.value
                for finding, item in self.evidence.items()
            },
            "evidence_detail": {
                finding: {"confidence": item.confidence, "why": item.why}
                for finding, item in self.evidence.items()
            },
            "timing": self.timing,
            "warnings": list(self.warnings),
        }

    @property
    def shows_a_sign(self) -> bool:
        """Whether the clip showed a sign: a twitch, spasm, closure, flicker or too many blinks.

        Ordinary blinking alone (`increased_blinking: false`) is not one: a clip in which the
        twitching did not happen says nothing about what causes it, so on its own it must not
        rank causes, still less reassure.
        """
        return any(item.value not in (False, ()) for item in self.evidence.values())

    def refuse_alone(self, *, alone: bool, instead: str) -> None:
        """Refuse this clip as all there is to assess when it showed no sign (`shows_a_sign`).

        Args:
            alone: whether the clip is all there is (no answers, description or diary).
            instead: what to give instead, in the caller's words ("add --answers or --text").

        Raises:
            InputError: it is alone and showed no sign, saying what it saw and what to do.
        """
        if not alone or self.shows_a_sign:
            return
        name = Path(str(self.video.get("source", "the video"))).name
        if lids_unseen(self.measures, list(self.events)):
            seen = "no spasm, closure or flicker, and not one blink"
        elif not self.evidence:
            seen = "no spasm, closure or flicker, and too little face time for a blink rate"
        else:
            seen = "no spasm, closure or flicker, and ordinary blinking"
        raise InputError(
            f"{name}: the video showed nothing to assess ({seen}), so it cannot tell what "
            f"causes a twitch it did not catch; film it while it happens, or {instead}"
        )

    def to_evidence(self) -> Evidence:
        """The findings as `Evidence` from the video, ready to merge with answers."""
        return Evidence(
            {
                finding: EvidenceItem(
                    finding,
                    item.value,
                    Origin.VIDEO,
                    detail=f"{item.why} (confidence {item.confidence:.0%})",
                )
                for finding, item in self.evidence.items()
            }
        )


def analyze_video(
    path: Path | None = None,
    *,
    camera: int | None = None,
    seconds: float = 30.0,
    max_side: int = DEFAULT_MAX_SIDE,
    progress: Progress | None = None,
    mesh_factory: MeshFactory = FaceMesh,
    workers: int = 1,
) -> VideoAnalysis:
    """Analyse a video file, or `seconds` from camera number `camera`.

    Args:
        path: the video file (or None, with `camera`).
        camera: the camera number (0 is the first), instead of a file.
        seconds: how long to record from the camera: more than 0, at most 600.
        max_side: frames are downscaled so their longer side is at most this (64 to 4096).
        progress: called with (frames done, frames expected or None) as the work goes on.
        mesh_factory: makes the landmark model, once per segment of the clip (picklable for
            `workers > 1`: it is sent to worker processes).
        workers: at most this many cores for a file (1 to 32): this thread and up to
            `workers - 1` spawned processes, one per half-minute of video (a process costs a
            second or so to start). The result does not depend on it; a camera uses one.

    Raises:
        InputError: an option out of range.
        VideoError: the file cannot be read as a video, or no face with both eyes in the
            picture is found in it.
    """
    check_options(seconds=seconds, max_side=max_side, workers=workers)
    if (path is None) == (camera is None):
        raise InputError("give a video file or a camera, not both or neither")
    from facespasm.video.frames import camera_frames, check_camera, probe_video

    if camera is not None:
        check_camera(camera)
        frames = camera_frames(camera, seconds, max_side=max_side)
        return analyze_frames(
            frames, source=f"camera {camera}", fps=0.0, progress=progress, mesh_factory=mesh_factory
        )
    assert path is not None
    info = probe_video(path, max_side=max_side)
    if info.still:
        raise VideoError(
            f"{path.name} is a still photo, not a video: a twitch shows only in motion. "
            "Record 20 to 30 seconds of your face (looking at the camera, in even light) "
            "and give that video, or record with --camera 0"
        )
    return _analyze_file(path, info, max_side, progress, mesh_factory, workers)


def check_options(
    *, seconds: float = 30.0, max_side: int = DEFAULT_MAX_SIDE, workers: int = 1
) -> None:
    """Refuse options `analyze_video` cannot use, in one line naming the option.

    Raises:
        InputError: `seconds` not in (0, 600], `max_side` not in 64-4096, `workers` not in 1-32.
    """
    from facespasm.video.segments import check_workers

    low, high = MAX_SIDE_RANGE
    if isinstance(max_side, bool) or not isinstance(max_side, int) or not low <= max_side <= high:
        raise InputError(f"max_side must be between {low} and {high} pixels, not {max_side!r}")
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not 0 < seconds <= MAX_CAMERA_SECONDS
    ):
        raise InputError(
            f"seconds must be more than 0 and at most {MAX_CAMERA_SECONDS:g}, not {seconds!r}"
        )
    check_workers(workers)


def _analyze_file(
    path: Path,
    info: VideoInfo,
    max_side: int,
    progress: Progress | None,
    mesh_factory: MeshFactory,
    workers: int,
) -> VideoAnalysis:
    """The clip's analysis, of the largest face unless it never moved and another face did.

    A face that neither blinks nor moves through enough face time to count blinks, beside
    others, is most likely a picture (a photo on the wall, a poster, a screen): the next largest
    faces are then measured in turn, and the first that shows any event is the one analysed, with
    a warning. A face that showed anything is never dropped for another, and a camera's stream,
    which cannot be read twice, keeps its largest face.
    """
    analysis, crowded = _measure_file(path, info, max_side, progress, mesh_factory, workers)
    if not crowded or not _never_moved(analysis):
        return analysis
    for face in range(1, MOST_FACES):
        try:
            other, _ = _measure_file(
                path, info, max_side, progress, partial(mesh_factory, face=face), workers
            )
        except VideoError:  # no such face in the clip
            break
        if other.events:
            seconds = analysis.summary.face_minutes * 60
            which = ("second", "third")[face - 1]
            moved = (
                f"the largest face did not blink or move in {seconds:.0f} s (a photo or a "
                f"poster?), so the {which} largest face, which did, was analysed"
            )
            return replace(other, face=face, warnings=(moved, *other.warnings))
    return analysis


def _never_moved(analysis: VideoAnalysis) -> bool:
    """Whether the face followed showed no event in face time enough to count blinks."""
    return not analysis.events and lids_unseen(analysis.measures, list(analysis.events))


def _measure_file(
    path: Path,
    info: VideoInfo,
    max_side: int,
    progress: Progress | None,
    mesh_factory: MeshFactory,
    workers: int,
) -> tuple[VideoAnalysis, int]:
    """The analysis of the face `mesh_factory` follows, and the frames that showed several faces."""
    from facespasm.video.segments import (
        frames_expected,
        measure_segments,
        plan_segments,
        useful_workers,
    )

    started = time.perf_counter()
    segments = plan_segments(info)
    parts = measure_segments(
        path,
        segments,
        max_side=max_side,
        mesh_factory=mesh_factory,
        workers=useful_workers(segments, workers),
        progress=progress,
        expected=frames_expected(info),
    )
    series = MeasureSeries(fps=info.fps)
    faces = crowded = 0
    problem = None
    for part in parts:
        series.times.extend(part.times.tolist())
        series.rows.extend(part.data)
        faces += int((part.faces_seen > 0).sum())
        crowded += int((part.faces_seen > 1).sum())
        problem = problem or part.problem
    analysis = _conclude(
        series,
        source=str(path),
        count=len(series.times),
        faces=faces,
        crowded=crowded,
        problem=problem,
        elapsed=time.perf_counter() - started,
    )
    return analysis, crowded


def analyze_frames(
    frames: Iterable[Frame],
    *,
    source: str,
    fps: float,
    expected: int | None = None,
    progress: Progress | None = None,
    mesh_factory: MeshFactory = FaceMesh,
) -> VideoAnalysis:
    """Analyse frames from any source (a camera, a test's generator), in one stream.

    Args:
        frames: the frames, in order.
        source: what to call the source in the result.
        fps: the frame rate; 0 measures it from the frames' times (a camera).
        expected: the frames expected, for `progress`.
        progress: called with (frames done, frames expected or None).
        mesh_factory: makes the landmark model.

    Raises:
        VideoError: no frames, or no face with both eyes in the picture in any of them.
    """
    from facespasm.video.pipeline import landmark_stream

    started = time.perf_counter()
    series = MeasureSeries(fps=fps or 30.0)
    count = faces = crowded = 0
    last_time = 0.0
    stream = landmark_stream(frames, mesh_factory)
    for frame, landmarks in _counted(stream, progress, expected):
        count += 1
        last_time = frame.time_s
        series.add(frame.time_s, None if landmarks is None else landmarks.points, frame.image)
        if landmarks is not None:
            faces += 1
            crowded += landmarks.faces_seen > 1
    if count and not fps:  # a camera: measure the rate we actually got
        series.fps = count / last_time if last_time > 0 else 30.0
    return _conclude(
        series,
        source=source,
        count=count,
        faces=faces,
        crowded=crowded,
        problem=getattr(frames, "problem", None),  # a file that breaks off: what came before
        elapsed=time.perf_counter() - started,
    )


def _conclude(
    series: MeasureSeries,
    *,
    source: str,
    count: int,
    faces: int,
    crowded: int,
    problem: object,
    elapsed: float,
) -> VideoAnalysis:
    """From the whole clip's measures to events, summary and evidence."""
    if count == 0:
        raise VideoError(f"no frames could be read from {source}")
    if faces == 0:
        raise VideoError(
            f"no face found with both eyes in the picture in any of the {count} frames of "
            f"{source}; film the whole face, eyes included, facing the camera"
        )
    fps = series.fps
    measures = series.finish()
    events = find_events(measures)
    warnings = []
    if faces < count:
        warnings.append(
            f"no face with both eyes in the picture in {count - faces} of {count} frames; "
            "those moments were not analysed"
        )
    if crowded:
        warnings.append(f"several faces in {crowded} frames; one face was followed throughout")
    if lids_unseen(measures, events):
        warnings.append(
            f"not one blink in {faces / fps:.0f} s of face: the eyelids may not have been "
            "followed (film closer, in even light, facing the camera), or you blinked far less "
            "than the usual 17 a minute at rest (Bentivoglio 1997); the blink rate and any "
            "eyelid flicker are not used"
        )
    if problem:
        warnings.append(str(problem))
    duration_s = count / fps
    if duration_s < SHORT_CLIP_S:
        warnings.append(
            f"the clip is only {duration_s:.1f} s long: too short to count blinks and spasms "
            "reliably; record 20 to 30 seconds"
        )
    return VideoAnalysis(
        video={
            "source": source,
            "frames": count,
            "fps": round(fps, 3),
            "duration_s": round(duration_s, 3),
            "face_frames": faces,
        },
        events=tuple(events),
        summary=summarise(measures, events),
        evidence=read_evidence(measures, events),
        timing={
            "seconds": round(elapsed, 3),
            "frames_per_second": round(count / elapsed, 1) if elapsed > 0 else 0.0,
            "times_real_time": round(count / fps / elapsed, 2) if elapsed > 0 else 0.0,
        },
        measures=measures,
        warnings=tuple(warnings),
    )


def _counted(
    stream: Iterator[tuple[Frame, FaceLandmarks | None]],
    progress: Progress | None,
    expected: int | None,
) -> Iterator[tuple[Frame, FaceLandmarks | None]]:
    for done, item in enumerate(stream, start=1):
        yield item
        if progress is not None:
            progress(done, expected)
