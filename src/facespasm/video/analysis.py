"""`analyze_video()`: a face video in, events, a summary and evidence out.

Frames stream through the landmark model and are reduced at once to a dozen numbers each, so
memory does not grow with the length of the video. A face that is lost for part of the clip
leaves gaps, reported as such; a clip without any face is an error, because nothing about the
face can be said from it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from facespasm.errors import VideoError
from facespasm.reasoning.evidence import Evidence, EvidenceItem, Origin
from facespasm.video.events import Event, find_events
from facespasm.video.measures import Measures, MeasureSeries
from facespasm.video.pattern import Finding, read_evidence, summarise

if TYPE_CHECKING:
    from facespasm.video.frames import Frame
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
    summary: dict[str, object]
    evidence: dict[str, Finding]
    timing: dict[str, float]
    measures: Measures = field(repr=False)
    warnings: tuple[str, ...] = ()

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
            "summary": self.summary,
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
    max_side: int = 1280,
    progress: Progress | None = None,
) -> VideoAnalysis:
    """Analyse a video file, or `seconds` from camera number `camera`.

    Raises:
        VideoError: the file cannot be read as a video, or no face is found in it.
    """
    from facespasm.video.frames import camera_frames, check_camera, probe_video, read_frames

    if (path is None) == (camera is None):
        raise VideoError("give a video file or a camera, not both or neither")
    if camera is not None:
        check_camera(camera)
    if path is not None:
        info = probe_video(path, max_side=max_side)
        if info.still:
            raise VideoError(
                f"{path.name} is a still photo, not a video: a twitch shows only in motion. "
                "Record 20 to 30 seconds of your face (looking at the camera, in even light) "
                "and give that video, or record with --camera 0"
            )
        frames: Iterable[Frame] = read_frames(path, max_side=max_side)
        source = str(path)
        expected = info.frame_count
        fps = info.fps
    else:
        assert camera is not None
        frames = camera_frames(camera, seconds, max_side=max_side)
        source, expected, fps = f"camera {camera}", None, 0.0
    return analyze_frames(frames, source=source, fps=fps, expected=expected, progress=progress)


def analyze_frames(
    frames: Iterable[Frame],
    *,
    source: str,
    fps: float,
    expected: int | None = None,
    progress: Progress | None = None,
) -> VideoAnalysis:
    """Analyse frames from any source (a file, a camera, a test's generator)."""
    from facespasm.video.pipeline import landmark_stream

    started = time.perf_counter()
    series: MeasureSeries | None = None
    count = faces = crowded = 0
    last_time = 0.0
    for frame, landmarks in _counted(landmark_stream(frames), progress, expected):
        if series is None:
            series = MeasureSeries(fps=fps or 30.0)
        count += 1
        last_time = frame.time_s
        series.add(frame.time_s, None if landmarks is None else landmarks.points)
        if landmarks is not None:
            faces += 1
            crowded += landmarks.faces_seen > 1
    elapsed = time.perf_counter() - started
    if series is None or count == 0:
        raise VideoError(f"no frames could be read from {source}")
    if faces == 0:
        raise VideoError(f"no face found in any of the {count} frames of {source}")
    if not fps:  # a camera: measure the rate we actually got
        fps = count / last_time if last_time > 0 else 30.0
        series.fps = fps
    measures = series.finish()
    events = find_events(measures)
    warnings = []
    if faces < count:
        warnings.append(
            f"no face in {count - faces} of {count} frames; those moments were not analysed"
        )
    if crowded:
        warnings.append(f"several faces in {crowded} frames; one face was followed throughout")
    problem = getattr(frames, "problem", None)  # a file that breaks off: what came before counts
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
