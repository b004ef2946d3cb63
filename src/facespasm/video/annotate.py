"""The clip again, with the measured landmarks drawn and each event labelled while it happens.

A second pass over the video rather than stored landmarks: keeping 478 points per frame for a
long clip would make memory grow with its length, and annotation is asked for rarely.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from facespasm.video.analysis import VideoAnalysis
from facespasm.video.events import Event
from facespasm.video.frames import Frame
from facespasm.video.landmarks import FaceLandmarks
from facespasm.video.measures import BROW, CHEEK, EYE, MOUTH_CORNER, SIDES
from facespasm.video.writer import write_mp4

Image = npt.NDArray[np.uint8]

SIDE_COLOUR = {"left": (66, 135, 245), "right": (245, 150, 40), "both": (230, 230, 230)}
DRAWN = {side: [*EYE[side], *BROW[side], *CHEEK[side], MOUTH_CORNER[side]] for side in SIDES}


def annotate_video(
    source: Path, analysis: VideoAnalysis, output: Path, max_side: int = 1280
) -> None:
    """Write `output` (MP4): the source video with landmarks and event labels drawn.

    Raises:
        VideoError: the source cannot be read again or the output cannot be written.
    """
    from facespasm.video.frames import read_frames
    from facespasm.video.pipeline import landmark_stream

    stream = landmark_stream(read_frames(source, max_side=max_side))
    fps = float(str(analysis.video["fps"]))
    write_mp4(
        output, fps, (_drawn(frame, landmarks, analysis.events) for frame, landmarks in stream)
    )


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
