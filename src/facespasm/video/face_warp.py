"""A still face, warped: eyelids that close, brows, cheeks and mouth corners that pull.

The face is any `FaceImage` (the astronaut by default; see `faces.py`). Every frame is the still
image warped by a backward map built from two parts: smooth fields
for brow, cheek and mouth corner (thin-plate splines through all landmarks, the region's
displaced and the rest held still, precomputed at unit amplitude so a frame only sums scaled
fields), and an eyelid model in which the upper lid's margin slides down and the skin above it
stretches to cover the eye, so the iris is hidden rather than squeezed. Planted events set the
amplitudes frame by frame (`frames`).

`Conditions` then film the face as a camera would: slow head turns (yaw and roll, a homography
of a rotation about the face's centre with a focal length of one frame width), a distance (the
face scaled 0.5-1.2 about its centre), and lighting that drifts (a gain and gamma ramp across
the clip), so a detector is tested on more than one still pose.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from facespasm.video.faces import ASTRONAUT, FaceImage, face_picture
from facespasm.video.planted import FLICKER_HZ, PlantedEvent

Array = npt.NDArray[np.float32]

# Face-mesh landmarks per anatomical side. Lid contours run corner to corner.
_UPPER_LID = {
    "right": (33, 246, 161, 160, 159, 158, 157, 173, 133),
    "left": (263, 466, 388, 387, 386, 385, 384, 398, 362),
}
_LOWER_LID = {
    "right": (33, 7, 163, 144, 145, 153, 154, 155, 133),
    "left": (263, 249, 390, 373, 374, 380, 381, 382, 362),
}
_BROW = {
    "right": (70, 63, 105, 66, 107, 46, 53, 52, 65, 55),
    "left": (300, 293, 334, 296, 336, 276, 283, 282, 295, 285),
}
_CHEEK_CENTRE = {"right": (50, 205, 117), "left": (280, 425, 346)}
_MOUTH_CORNER = {"right": (61,), "left": (291,)}
_IRIS_CENTRE = {"right": 468, "left": 473}

# Full displacement of each smooth region, in interocular distances (43 px on the 512 px astronaut),
# and how far its pull spreads to neighbouring landmarks (Gaussian sigma, same unit).
_BROW_SHIFT, _BROW_SPREAD = 0.08, 0.06
_CHEEK_SHIFT, _CHEEK_SPREAD = 0.08, 0.18
_MOUTH_SHIFT, _MOUTH_SPREAD = 0.16, 0.11

# How a kind's closure splits between the upper lid coming down and the lower lid coming up.
_LOWER_SHARE = {"blink": 0.1, "closure": 0.2, "spasm": 0.2, "smile_closure": 0.4, "flicker": 1.0}
_SUPERSAMPLE = 3  # eye boxes are rendered at 3x and averaged, so the lid edge moves smoothly


@dataclass(frozen=True, slots=True)
class _Eye:
    upper_x: Array
    upper_y: Array
    lower_x: Array
    lower_y: Array
    box: tuple[int, int, int, int]  # y0, y1, x0, x1 of the output pixels the lid can touch
    band_above: float  # skin above the upper lid stretched over the eye
    band_below: float


@dataclass(frozen=True, slots=True)
class _Face:
    image: npt.NDArray[np.uint8]
    landmarks: Array
    fields: Mapping[str, Array]  # "brow:right" ... -> (H, W, 2) backward offsets at amplitude 1
    eyes: Mapping[str, _Eye]


@dataclass(frozen=True, slots=True)
class Conditions:
    """How the camera sees the face over the clip (all defaults: still, as framed, even light).

    Attributes:
        scale: the face's size relative to its framing (distance: 0.5 far, 1.2 near).
        yaw_deg: amplitude of slow left-right head turns, in degrees.
        roll_deg: amplitude of slow head tilts, in degrees.
        gain: brightness at the start and at the end of the clip (a linear ramp).
        gamma: gamma at the start and at the end of the clip (a linear ramp).
    """

    scale: float = 1.0
    yaw_deg: float = 0.0
    roll_deg: float = 0.0
    gain: tuple[float, float] = (1.0, 1.0)
    gamma: tuple[float, float] = (1.0, 1.0)

    def still(self) -> bool:
        """Whether the camera adds no pose or distance change (no second warp needed)."""
        return self.scale == 1.0 and self.yaw_deg == 0.0 and self.roll_deg == 0.0

    def even(self) -> bool:
        """Whether the lighting stays as it was."""
        return self.gain == (1.0, 1.0) and self.gamma == (1.0, 1.0)


STILL = Conditions()


@functools.cache
def _face(face: FaceImage, size: int) -> _Face:
    image, landmarks = face_picture(face, size)
    return _Face(image, landmarks, _smooth_fields(landmarks, size), _eyes(landmarks, size))


def astronaut_landmarks(size: int) -> Array:
    """The astronaut's 478 face-mesh landmarks in pixels, found once per process and size."""
    return face_picture(ASTRONAUT, size)[1]


def _interocular(landmarks: Array) -> float:
    return float(np.linalg.norm(landmarks[_IRIS_CENTRE["left"]] - landmarks[_IRIS_CENTRE["right"]]))


def _smooth_fields(landmarks: Array, size: int) -> dict[str, Array]:
    """Unit backward-offset fields per region and side: thin-plate splines through landmarks."""
    import cv2
    from scipy.interpolate import RBFInterpolator

    unit = _interocular(landmarks)
    centre = landmarks.mean(axis=0)
    # Still points: the image border, and a ring well outside the face, so the warp stays local.
    edge = np.linspace(0, size - 1, 9)
    border = np.array(
        [(x, y) for x in edge for y in (0, size - 1)]
        + [(x, y) for y in edge[1:-1] for x in (0, size - 1)]
    )
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    radius = np.ptp(landmarks, axis=0) * 0.85
    ring = centre + np.stack([np.cos(angles), np.sin(angles)], axis=1) * radius
    sites = np.concatenate([landmarks, border, ring]).astype(np.float64)

    targets: dict[str, npt.NDArray[np.float64]] = {}
    for side, outward in (("right", -1.0), ("left", 1.0)):
        inward = -outward
        targets[f"brow:{side}"] = _pull(
            landmarks, _BROW[side], (0.25 * inward, 1.0), _BROW_SHIFT * unit, _BROW_SPREAD * unit
        )
        targets[f"cheek:{side}"] = _pull(
            landmarks, _CHEEK_CENTRE[side], (0.0, -1.0), _CHEEK_SHIFT * unit, _CHEEK_SPREAD * unit
        )
        targets[f"mouth:{side}"] = _pull(
            landmarks,
            _MOUTH_CORNER[side],
            (0.6 * outward, -0.8),
            _MOUTH_SHIFT * unit,
            _MOUTH_SPREAD * unit,
        )
    names = list(targets)
    values = np.zeros((len(sites), 2 * len(names)))
    for k, name in enumerate(names):
        values[: len(landmarks), 2 * k : 2 * k + 2] = targets[name]
    spline = RBFInterpolator(sites, values, kernel="thin_plate_spline")
    # A coarse grid is plenty for fields this smooth; upsample to full resolution.
    step = 4
    coarse = np.arange(0, size + step, step, dtype=np.float64)
    gx, gy = np.meshgrid(coarse, coarse)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    evaluated = spline(grid).reshape(len(coarse), len(coarse), -1).astype(np.float32)
    full = size + step
    fields = {}
    for k, name in enumerate(names):
        # The spline moves landmarks forward; a backward map samples from where they came from.
        offsets = -cv2.resize(evaluated[..., 2 * k : 2 * k + 2], (full, full))[:size, :size]
        fields[name] = np.ascontiguousarray(offsets, dtype=np.float32)
    return fields


def _pull(
    landmarks: Array,
    controls: tuple[int, ...],
    direction: tuple[float, float],
    shift: float,
    spread: float,
) -> npt.NDArray[np.float64]:
    """Forward displacement of every landmark: full at the controls, fading with distance."""
    vector = np.asarray(direction, dtype=np.float64)
    vector = vector / np.linalg.norm(vector) * shift
    distance = np.min(
        np.linalg.norm(landmarks[:, None, :] - landmarks[None, list(controls), :], axis=2), axis=1
    )
    weight = np.exp(-0.5 * (distance / spread) ** 2)
    weight[weight < 0.03] = 0.0
    pulled: npt.NDArray[np.float64] = weight[:, None] * vector[None, :]
    return pulled


def _eyes(landmarks: Array, size: int) -> dict[str, _Eye]:
    eyes = {}
    for side in ("right", "left"):
        upper = landmarks[list(_UPPER_LID[side])]
        lower = landmarks[list(_LOWER_LID[side])]
        upper = upper[np.argsort(upper[:, 0])]
        lower = lower[np.argsort(lower[:, 0])]
        gap = float(np.max(np.interp(upper[:, 0], lower[:, 0], lower[:, 1]) - upper[:, 1]))
        above, below = 1.1 * gap, 0.8 * gap
        margin = 3 + _BROW_SHIFT * _interocular(landmarks)
        y0 = int(np.floor(upper[:, 1].min() - above - margin))
        y1 = int(np.ceil(lower[:, 1].max() + below + margin))
        x0 = int(np.floor(upper[:, 0].min() - margin))
        x1 = int(np.ceil(upper[:, 0].max() + margin))
        eyes[side] = _Eye(
            upper[:, 0].copy(),
            upper[:, 1].copy(),
            lower[:, 0].copy(),
            lower[:, 1].copy(),
            (max(y0, 0), min(y1, size), max(x0, 0), min(x1, size)),
            above,
            below,
        )
    return eyes


def _close_lids(eye: _Eye, px: Array, py: Array, upper: float, lower: float) -> Array:
    """Source rows for output points `(px, py)` (reference coordinates) with the lids closing.

    `upper` and `lower` are the fractions of the lid gap that the upper lid comes down and the
    lower lid comes up. The skin band above the upper lid is stretched down to the new margin
    (covering the eye), and likewise below; the eye between the margins is left where it was.
    """
    top = np.interp(px, eye.upper_x, eye.upper_y).astype(np.float32)
    bottom = np.interp(px, eye.lower_x, eye.lower_y).astype(np.float32)
    inside = (px > eye.upper_x[0]) & (px < eye.upper_x[-1])
    gap = np.where(inside, np.maximum(bottom - top, 0), 0).astype(np.float32)
    new_top = top + upper * gap
    new_bottom = bottom - lower * gap
    band_top = top - eye.band_above
    band_bottom = bottom + eye.band_below
    source = py.copy()
    above = (py >= band_top) & (py < new_top)
    source[above] = (band_top + (py - band_top) * eye.band_above / (new_top - band_top))[above]
    below = (py > new_bottom) & (py <= band_bottom)
    stretch = eye.band_below / (band_bottom - new_bottom)
    source[below] = (band_bottom - (band_bottom - py) * stretch)[below]
    return source


# ----------------------------------------------------------------------------- events over time


def _envelope(event: PlantedEvent, t: float) -> float:
    """How contracted the event is at time t, 0..amplitude, with smooth (raised-cosine) ramps."""
    if not event.start_s < t < event.end_s:
        return 0.0
    length = event.end_s - event.start_s
    since, until = t - event.start_s, event.end_s - t
    if event.kind == "flicker":
        ramp = min(0.15, 0.25 * length)
        window = min(1.0, since / ramp, until / ramp)
        ripple = 0.5 - 0.5 * math.cos(2 * math.pi * FLICKER_HZ * since)
        return event.amplitude * _smooth(window) * ripple
    rise_cap, fall_cap = (0.3, 0.4) if event.kind == "smile_closure" else (0.1, 0.2)
    rise, fall = min(rise_cap, 0.35 * length), min(fall_cap, 0.5 * length)
    return event.amplitude * _smooth(min(1.0, since / rise, until / fall))


def _smooth(x: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * x)


def _sides(side: str) -> tuple[str, ...]:
    return ("right", "left") if side == "both" else (side,)


def _pose(
    events: Sequence[PlantedEvent], t: float
) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Smooth-field weights and (upper, lower) lid closure per eye at time t."""
    weights: dict[str, float] = {}
    lids = {"right": [0.0, 0.0], "left": [0.0, 0.0]}
    for event in events:
        level = _envelope(event, t)
        if level <= 0:
            continue
        for region in event.regions:
            # A smile pulls both mouth corners and cheeks; only the eye on its side narrows.
            sides = _sides(
                "both" if event.kind == "smile_closure" and region != "eyelid" else event.side
            )
            for side in sides:
                if region == "eyelid":
                    share = _LOWER_SHARE[event.kind]
                    lids[side][0] = max(lids[side][0], level * (1 - share))
                    lids[side][1] = max(lids[side][1], level * share)
                else:
                    key = f"{region}:{side}"
                    weights[key] = max(weights.get(key, 0.0), level)
    for upper_lower in lids.values():
        total = sum(upper_lower)
        if total > 1:
            upper_lower[:] = [v / total for v in upper_lower]
    return weights, lids


def frames(
    events: Sequence[PlantedEvent],
    duration_s: float,
    fps: float,
    *,
    size: int,
    noise: float,
    seed: int,
    sway_px: float,
    face_image: FaceImage = ASTRONAUT,
    conditions: Conditions = STILL,
) -> Iterator[npt.NDArray[np.uint8]]:
    """The frames of a synthetic video with `events` planted, one RGB array at a time."""
    import cv2

    face = _face(face_image, size)
    centre = face.landmarks.mean(axis=0)
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    # Independent noise per frame, cheaply: random windows into one pool of Gaussian noise.
    pixels = face.image.size
    pool = (rng.standard_normal(pixels + 65_536, dtype=np.float32) * noise) if noise else None
    phases = rng.uniform(0, 2 * np.pi, 4)
    # Drawn after the sway's phases, so a still camera gives the frames it always gave.
    pose_phases = rng.uniform(0, 2 * np.pi, 2) if not conditions.still() else None
    sway = sway_px * size / 512
    count = max(1, round(duration_s * fps))
    for index in range(count):
        t = index / fps
        weights, lids = _pose(events, t)
        dx = sway * (
            0.7 * math.sin(2 * math.pi * t / 6.1 + phases[0])
            + 0.3 * math.sin(2 * math.pi * t / 2.3 + phases[1])
        )
        dy = sway * (
            0.6 * math.sin(2 * math.pi * t / 5.3 + phases[2])
            + 0.3 * math.sin(2 * math.pi * t / 1.9 + phases[3])
        )
        offset = np.zeros((size, size, 2), dtype=np.float32)
        offset[..., 0] += dx
        offset[..., 1] += dy
        for name, weight in weights.items():
            offset += weight * face.fields[name]
        map_x = xs + offset[..., 0]
        map_y = ys + offset[..., 1]
        warped = cv2.remap(
            face.image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
        )
        frame = np.asarray(warped, dtype=np.uint8)
        for side, (upper, lower) in lids.items():
            if upper > 0 or lower > 0:
                _draw_eye(frame, face.image, face.eyes[side], map_x, map_y, upper, lower)
        if pose_phases is not None:
            frame = _film(frame, conditions, centre, t, pose_phases)
        if not conditions.even():
            frame = _light(frame, conditions, index / max(1, count - 1))
        if pool is not None:
            start = int(rng.integers(0, 65_536))
            noisy = frame.astype(np.float32) + pool[start : start + pixels].reshape(frame.shape)
            frame = np.clip(noisy + 0.5, 0, 255).astype(np.uint8)
        yield frame


def _film(
    frame: npt.NDArray[np.uint8],
    conditions: Conditions,
    centre: Array,
    t: float,
    phases: npt.NDArray[np.float64],
) -> npt.NDArray[np.uint8]:
    """The frame as the camera sees it: the head turned and tilted, at its distance."""
    import cv2

    size = frame.shape[0]
    yaw = math.radians(conditions.yaw_deg) * math.sin(2 * math.pi * t / 7.3 + phases[0])
    roll = math.radians(conditions.roll_deg) * math.sin(2 * math.pi * t / 9.7 + phases[1])
    focal = float(size)
    camera = np.array([[focal, 0, 0], [0, focal, 0], [0, 0, 1]])
    turn = np.array(
        [[math.cos(yaw), 0, math.sin(yaw)], [0, 1, 0], [-math.sin(yaw), 0, math.cos(yaw)]]
    )
    tilt = np.array(
        [[math.cos(roll), -math.sin(roll), 0], [math.sin(roll), math.cos(roll), 0], [0, 0, 1]]
    )
    cx, cy = float(centre[0]), float(centre[1])
    to_centre = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1]])
    back = np.array(
        [[conditions.scale, 0, cx], [0, conditions.scale, cy], [0, 0, 1]]
    )  # scaled about the face's centre, which stays where it was
    homography = back @ camera @ tilt @ turn @ np.linalg.inv(camera) @ to_centre
    filmed = cv2.warpPerspective(
        frame, homography, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(filmed, dtype=np.uint8)


def _light(
    frame: npt.NDArray[np.uint8], conditions: Conditions, progress: float
) -> npt.NDArray[np.uint8]:
    """The frame under this moment's lighting: gain and gamma ramped across the clip."""
    import cv2

    gain = conditions.gain[0] + (conditions.gain[1] - conditions.gain[0]) * progress
    gamma = conditions.gamma[0] + (conditions.gamma[1] - conditions.gamma[0]) * progress
    levels = np.arange(256, dtype=np.float64) / 255.0
    table = np.clip(255.0 * gain * levels**gamma + 0.5, 0, 255).astype(np.uint8)
    return np.asarray(cv2.LUT(frame, table), dtype=np.uint8)


def _draw_eye(
    frame: npt.NDArray[np.uint8],
    image: npt.NDArray[np.uint8],
    eye: _Eye,
    map_x: Array,
    map_y: Array,
    upper: float,
    lower: float,
) -> None:
    """Re-render an eye's box, supersampled, with its lids closed by `upper` and `lower`."""
    import cv2

    y0, y1, x0, x1 = eye.box
    s = _SUPERSAMPLE
    shape = ((x1 - x0) * s, (y1 - y0) * s)
    # Sub-pixel sample positions: the map is smooth here, so linear upsampling is exact enough.
    px = _upsample(map_x[y0:y1, x0:x1], shape)
    py = _upsample(map_y[y0:y1, x0:x1], shape)
    source_y = _close_lids(eye, px, py, upper, lower)
    patch = cv2.remap(image, px, source_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    frame[y0:y1, x0:x1] = cv2.resize(patch, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)


def _upsample(values: Array, shape: tuple[int, int]) -> Array:
    import cv2

    contiguous = np.ascontiguousarray(values, dtype=np.float32)
    return np.asarray(cv2.resize(contiguous, shape, interpolation=cv2.INTER_LINEAR), np.float32)
