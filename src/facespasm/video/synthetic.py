"""Synthetic spasm videos with ground truth: planted blinks, spasms and flickers in a real face.

A real face is needed because the detector runs MediaPipe Face Mesh, which will not track a cartoon.
scikit-image ships one (`skimage.data.astronaut()`, public domain, NASA), so nothing is downloaded.
Its 478 face-mesh landmarks are found once per process; every frame is then that still image
warped by a backward map built from two parts:

* **smooth fields** for the brow (down and in, corrugator), the cheek (up, orbicularis oculi pars
  orbitalis / zygomaticus) and the mouth corner (up and out): each is a thin-plate spline through
  all landmarks, with the region's landmarks displaced and every other landmark and the image
  border held still, precomputed at unit amplitude so that a frame only sums scaled fields;
* **an eyelid model**: the upper lid's margin slides down towards the lower lid and the skin above
  it is stretched to cover the eye, as a real closing lid does, so the iris is hidden (not merely
  squeezed) at full closure; the lower lid rises a little in the same way.

Per-frame sensor noise and a slow global sway of about a pixel keep a detector from relying on a
perfectly still image. Event kinds and shapes follow issue 3 (blink ~100–300 ms both eyes;
unilateral clonic or tonic spasm spreading eye → cheek → mouth; forceful bilateral closure
≥ 0.5 s; flicker, a 3–8 Hz ripple of one lower lid; smile with the eye narrowing on one side).
A clonic burst is planted as a run of short `spasm` events, one per contraction, so the ground
truth says exactly when the face was contracted; a detector reporting whole bursts should group
them (they are separated by gaps of 0.3 s or less).

Sides are the person's anatomical sides: the astronaut's left eye is on the image's right. The
face-mesh indices used here (eye corners 33/133 and 362/263, lids 159/145 and 386/374, mouth
corners 61/291) were checked on the astronaut: 33, 159 and 61 lie on the image's left, so they
are the person's right.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from facespasm.errors import InputError
from facespasm.video.face_warp import STILL, Conditions, astronaut_landmarks, frames
from facespasm.video.faces import ASTRONAUT, FaceImage
from facespasm.video.planted import (
    KINDS,
    REGIONS,
    SIDES,
    PlantedEvent,
    Script,
    check_within,
    default_script,
    parse_script,
    read_script,
)
from facespasm.video.writer import write_mp4

__all__ = [
    "ASTRONAUT",
    "KINDS",
    "REGIONS",
    "SIDES",
    "STILL",
    "Conditions",
    "FaceImage",
    "PlantedEvent",
    "Script",
    "SyntheticVideo",
    "astronaut_landmarks",
    "check_within",
    "default_script",
    "parse_script",
    "read_script",
    "render",
]


@dataclass(frozen=True, slots=True)
class SyntheticVideo:
    """A rendered synthetic video and what was planted in it."""

    path: Path
    fps: float
    duration_s: float
    events: tuple[PlantedEvent, ...]

    def ground_truth(self) -> dict[str, Any]:
        """The JSON-ready ground truth: fps, duration and the planted events in time order."""
        return {
            "fps": self.fps,
            "duration_s": self.duration_s,
            "events": [e.to_dict() for e in self.events],
        }


def render(
    path: Path,
    events: Sequence[PlantedEvent],
    duration_s: float,
    fps: float = 30.0,
    size: int = 512,
    noise: float = 1.0,
    seed: int = 0,
    *,
    sway_px: float = 1.0,
    face: FaceImage = ASTRONAUT,
    conditions: Conditions = STILL,
) -> SyntheticVideo:
    """Write a synthetic video with `events` planted, and its ground truth beside it.

    The video is H.264 (MPEG-4 Part 2 where libx264 is missing) in MP4, written frame by frame;
    the ground truth goes to `path.with_suffix(".json")`.

    Args:
        path: the .mp4 file to write.
        events: what to plant; each must end within `duration_s`.
        duration_s: length of the video.
        fps: frame rate.
        size: width and height of the square frames, in pixels.
        noise: standard deviation of the per-frame sensor noise, in grey levels.
        seed: seeds the noise and the sway.
        sway_px: amplitude of the slow global head sway, in pixels of a 512 px frame.
        face: the face to plant the events in (the astronaut unless given).
        conditions: head turns, distance and lighting over the clip (none unless given).

    Returns:
        The video and its planted events.

    Raises:
        InputError: a bad path, duration, frame rate, size or event.
    """
    path = Path(path)
    if path.suffix.lower() != ".mp4":
        raise InputError(f"the synthetic video must be an .mp4 file, not {path.name}")
    if not path.parent.is_dir():
        raise InputError(f"folder does not exist: {path.parent}")
    if not (math.isfinite(duration_s) and 0 < duration_s <= 3600):
        raise InputError(f"duration must be between 0 and 3600 s, not {duration_s}")
    if not (math.isfinite(fps) and 1 <= fps <= 240):
        raise InputError(f"fps must be between 1 and 240, not {fps}")
    if not 64 <= size <= 2048 or size % 2:
        raise InputError(f"size must be an even number of pixels from 64 to 2048, not {size}")
    if not (math.isfinite(noise) and noise >= 0):
        raise InputError(f"noise must be a non-negative number, not {noise}")
    if not 0.3 <= conditions.scale <= 2.0:
        raise InputError(f"the face's scale must be between 0.3 and 2, not {conditions.scale}")
    check_within(events, duration_s)
    video = SyntheticVideo(
        path, float(fps), float(duration_s), tuple(sorted(events, key=lambda e: e.start_s))
    )
    planted = frames(
        video.events,
        duration_s,
        fps,
        size=size,
        noise=noise,
        seed=seed,
        sway_px=sway_px,
        face_image=face,
        conditions=conditions,
    )
    write_mp4(path, fps, planted)
    path.with_suffix(".json").write_text(json.dumps(video.ground_truth(), indent=2) + "\n")
    return video
