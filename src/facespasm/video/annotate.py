"""The clip again, with the measured landmarks drawn and each event labelled while it happens.

A second pass over the video rather than stored landmarks: keeping 478 points per frame for a
long clip would make memory grow with its length, and annotation is asked for rarely.

The landmarks drawn are the ones the events were found from. The analysis measures a file in
segments, each with a fresh landmark model that finds the face again at the segment's start
(segments.py); a single model tracking through the whole clip would, after the first seam,
draw landmarks that differ from those measured. So the second pass resets its model at the
same seams (`plan_segments` and `seams_of`, from the same probe of the file), whatever the
number of workers the analysis used: the seams depend only on the clip.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
import numpy.typing as npt

from facespasm.video.analysis import VideoAnalysis
from facespasm.video.event import Event
from facespasm.video.frames import Frame
from facespasm.video.landmarks import FaceLandmarks, FaceMesh, MeshFactory
from facespasm.video.limits import DEFAULT_MAX_SIDE
from facespasm.video.measures import BROW, CHEEK, EYE, MOUTH_CORNER, SIDES
from facespasm.video.writer import write_mp4

Image = npt.NDArray[np.uint8]

SIDE_COLOUR = {"left": (66, 135, 245), "right": (245, 150, 40), "both": (230, 230, 230)}
DRAWN = {side: [*EYE[side], *BROW[side], *CHEEK[side], MOUTH_CORNER[side]] for side in SIDES}


def annotate_video(
    source: Path,
    analysis: VideoAnalysis,
    output: Path,
    max_side: int = DEFAULT_MAX_SIDE,
    *,
    mesh_factory: MeshFactory = FaceMesh,
) -> None:
    """Write `output` (MP4): the source video with landmarks and event labels drawn.

    Args:
        source: the video file that was analysed.
        analysis: its analysis, as `analyze_video(source, max_side=max_side)` made it (the face
            drawn is the one it followed, `analysis.face`).
        output: the MP4 file to write.
        max_side: the frame size the analysis used (the landmarks are found again at it).
        mesh_factory: makes the landmark model: the analysis's, for the same landmarks.

    Raises:
        VideoError: the source cannot be read again or the output cannot be written.
    """
    fps = float(str(analysis.video["fps"]))
    followed = partial(mesh_factory, face=analysis.face)  # the face the analysis measured
    frames = (
        _drawn(frame, landmarks, analysis.events)
        for frame, landmarks in analysed_landmarks(source, max_side, followed)
    )
    write_mp4(output, fps, frames)


def analysed_landmarks(
    source: Path, max_side: int = DEFAULT_MAX_SIDE, mesh_factory: MeshFactory = FaceMesh
) -> Iterator[tuple[Frame, FaceLandmarks | None]]:
    """Every frame of `source` with the landmarks the analysis measured in it.

    Args:
        source: the video file.
        max_side: the frame size the analysis used.
        mesh_factory: the landmark model the analysis used.

    Returns:
        An iterator of (frame, landmarks or None), in order; close it to stop early.

    Raises:
        VideoError: the file cannot be read as a video.
    """
    from facespasm.video.frames import probe_video, read_frames
    from facespasm.video.pipeline import landmark_stream
    from facespasm.video.segments import plan_segments, seams_of

    seams = seams_of(plan_segments(probe_video(source, max_side=max_side)))
    return landmark_stream(read_frames(source, max_side=max_side), mesh_factory, seams=seams)


def _drawn(frame: Frame, landmarks: FaceLandmarks | None, events: tuple[Event, ...]) -> Image:
    import cv2

    image = frame.image.copy()
    if landmarks is not None:
        for side in SIDES:
            for index in DRAWN[side]:
                x, y = landmarks.points[index, :2]
                cv2.circle(image, (int(x), int(y)), 2, SIDE_COLOUR[side], -1)
    happening = [event for event in events if event.start_s <= frame.time_s <= event.end_s]
    for line, event in enumerate(happening):
        label = f"{event.kind} {event.side}: {', '.join(event.regions)}"
        origin = (10, 24 + 22 * line)
        cv2.putText(image, label, origin, cv2.FONT_HERSHEY_SIMPLEX, 0.6, SIDE_COLOUR[event.side], 2)
    return image
