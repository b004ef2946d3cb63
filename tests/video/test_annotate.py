"""The annotated clip draws the landmarks the analysis measured, after a seam too.

The analysis measures a file in segments, each with a fresh face mesh (segments.py); the
annotation must reset its mesh at the same seams, or after the first seam it would draw
landmarks that a mesh tracking through the whole clip found, not those the events came from.
(`annotate_video` draws what `analysed_landmarks` gives; tests/cli/test_analyze.py writes one.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

import numpy as np
import pytest

from facespasm.video.analysis import analyze_video
from facespasm.video.annotate import analysed_landmarks
from facespasm.video.frames import Frame, probe_video
from facespasm.video.landmarks import FaceLandmarks, FaceMesh, MeshFactory
from facespasm.video.segments import plan_segments, seams_of
from facespasm.video.synthetic import PlantedEvent, render

Seen = dict[float, np.ndarray | None]


def recording(seen: Seen) -> MeshFactory:
    """A factory of real face meshes that note the landmarks they find, by frame time.

    Only a frame's first finding is noted: a model made at a seam follows the face through the
    frames just before it (pipeline.py's warm-up), whose landmarks are not used.
    """

    class Recording:
        def __init__(self, *, face: int = 0) -> None:
            self._mesh = FaceMesh(face=face)

        def find(self, frame: Frame) -> FaceLandmarks | None:
            found = self._mesh.find(frame)
            seen.setdefault(frame.time_s, None if found is None else found.points.copy())
            return found

        def __enter__(self) -> Self:
            return self

        def __exit__(self, *exc_info: object) -> None:
            self._mesh.close()

    return Recording


@pytest.fixture(scope="module")
def two_segment_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten seconds of a face blinking twice: two segments, one seam at 5 s."""
    blinks = [PlantedEvent("blink", at, at + 0.2, "both", ("eyelid",), 1.0) for at in (2.0, 7.0)]
    return render(tmp_path_factory.mktemp("annotate") / "clip.mp4", blinks, 10.0, size=160).path


def test_the_drawn_landmarks_are_those_the_analysis_used(two_segment_clip: Path) -> None:
    seams = seams_of(plan_segments(probe_video(two_segment_clip)))
    assert seams == (5.0,)
    measured: Seen = {}
    analyze_video(two_segment_clip, mesh_factory=recording(measured))

    drawn = {
        frame.time_s: None if landmarks is None else landmarks.points
        for frame, landmarks in analysed_landmarks(two_segment_clip)
    }

    assert sorted(drawn) == sorted(measured)
    after_the_seam = [time for time in drawn if time >= seams[0]]
    assert len(after_the_seam) >= 100 and all(drawn[t] is not None for t in after_the_seam)
    for time, points in drawn.items():
        np.testing.assert_array_equal(points, measured[time], err_msg=f"at {time:.3f} s")
