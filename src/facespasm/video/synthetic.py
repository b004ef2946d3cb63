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

import functools
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt

from facespasm.errors import InputError, VideoError
from facespasm.video.writer import write_mp4

Kind = Literal["blink", "closure", "spasm", "flicker", "smile_closure"]
Side = Literal["left", "right", "both"]
KINDS: tuple[str, ...] = get_args(Kind)
SIDES: tuple[str, ...] = get_args(Side)
REGIONS = ("eyelid", "brow", "cheek", "mouth")

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
FLICKER_HZ = 5.0
_SUPERSAMPLE = 3  # eye boxes are rendered at 3x and averaged, so the lid edge moves smoothly


@dataclass(frozen=True, slots=True)
class PlantedEvent:
    """One event planted in a synthetic video: what, when, where and how strongly.

    Attributes:
        kind: blink, closure (both eyes forcefully shut), spasm (one contraction), flicker
            (lower-lid ripple) or smile_closure (a smile with one eye narrowing).
        start_s: when the movement starts, in seconds from the first frame.
        end_s: when the face is back at rest.
        side: the person's anatomical side; "both" for blinks and closures.
        regions: the regions that move, from "eyelid", "brow", "cheek", "mouth".
        amplitude: 0..1, the fraction of full closure (eyelid) or full displacement (others).
    """

    kind: Kind
    start_s: float
    end_s: float
    side: Side
    regions: tuple[str, ...]
    amplitude: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "regions", tuple(self.regions))
        problem = _event_problem(self)
        if problem:
            raise InputError(problem)

    def to_dict(self) -> dict[str, Any]:
        """The event as a JSON-ready object."""
        return {
            "kind": self.kind,
            "start_s": self.start_s,
            "end_s": self.end_s,
            "side": self.side,
            "regions": list(self.regions),
            "amplitude": self.amplitude,
        }


def _event_problem(event: PlantedEvent) -> str | None:
    return next(_event_problems(event), None)


def _number_problems(event: PlantedEvent) -> Iterator[str]:
    for name in ("start_s", "end_s", "amplitude"):
        value = getattr(event, name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            yield f"{name} must be a number, not {value!r}"
        elif not math.isfinite(value):
            yield f"{name} must be finite, not {value!r}"


def _event_problems(event: PlantedEvent) -> Iterator[str]:
    """What is wrong with an event, most basic first (only the first is ever reported)."""
    if event.kind not in KINDS:
        yield f"unknown kind {event.kind!r} (expected one of {', '.join(KINDS)})"
    if event.side not in SIDES:
        yield f"unknown side {event.side!r} (expected one of {', '.join(SIDES)})"
    if not event.regions:
        yield "no regions (expected some of eyelid, brow, cheek, mouth)"
    unknown = [r for r in event.regions if r not in REGIONS]
    if unknown:
        yield f"unknown region {unknown[0]!r} (expected eyelid, brow, cheek or mouth)"
    yield from _number_problems(event)
    if event.start_s < 0:
        yield f"start_s is negative ({event.start_s} s)"
    if event.end_s <= event.start_s:
        yield f"end_s ({event.end_s} s) is not after start_s ({event.start_s} s)"
    if not 0 < event.amplitude <= 1:
        yield f"amplitude must be in (0, 1], not {event.amplitude}"
    yield from _anatomy_problems(event)


def _anatomy_problems(event: PlantedEvent) -> Iterator[str]:
    if event.kind in ("blink", "closure") and event.side != "both":
        yield f"a {event.kind} involves both eyes; side must be 'both', not {event.side!r}"
    if event.kind in ("flicker", "smile_closure") and event.side == "both":
        yield f"a {event.kind} involves one eye; side must be 'left' or 'right'"
    if event.kind != "spasm" and "eyelid" not in event.regions:
        yield f"a {event.kind} moves the eyelid; its regions must include 'eyelid'"


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


@dataclass(frozen=True, slots=True)
class Script:
    """A parsed script: the events to plant, and the duration and fps it asks for, if any."""

    events: tuple[PlantedEvent, ...]
    duration_s: float | None = None
    fps: float | None = None


def parse_script(data: object) -> Script:
    """A script from parsed JSON: a list of events, or an object with "events".

    The object may also give "duration_s" and "fps", so that a ground-truth file can be
    replayed as a script. Events are kept in the script's order, so that errors can name them
    by number.

    Raises:
        InputError: naming the first event or setting that is malformed and what is wrong.
    """
    settings: dict[str, float | None] = {"duration_s": None, "fps": None}
    if isinstance(data, dict):
        for name in settings:
            value = data.get(name)
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                    raise InputError(f"{name} must be a positive number, not {value!r}")
                settings[name] = float(value)
        data = data.get("events")
    if not isinstance(data, list):
        raise InputError('a script must be a JSON list of events or an object with "events"')
    events = tuple(_event_from_json(number, item) for number, item in enumerate(data, start=1))
    if settings["duration_s"] is not None:
        check_within(events, settings["duration_s"])
    return Script(events, settings["duration_s"], settings["fps"])


def _event_from_json(number: int, item: object) -> PlantedEvent:
    if not isinstance(item, dict):
        raise InputError(f"event {number} is not a JSON object")
    missing = [k for k in ("kind", "start_s", "end_s", "side", "regions") if k not in item]
    if missing:
        raise InputError(f"event {number} lacks {', '.join(missing)}")
    extra = sorted(set(item) - {"kind", "start_s", "end_s", "side", "regions", "amplitude"})
    if extra:
        raise InputError(f"event {number} has unknown field {extra[0]!r}")
    regions = item["regions"]
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise InputError(f"event {number}: regions must be a list of names")
    try:
        return PlantedEvent(
            kind=item["kind"],
            start_s=item["start_s"],
            end_s=item["end_s"],
            side=item["side"],
            regions=tuple(regions),
            amplitude=item.get("amplitude", 1.0),
        )
    except InputError as error:
        raise InputError(f"event {number}: {error}") from None


def check_within(events: Sequence[PlantedEvent], duration_s: float) -> None:
    """Check that every event ends within a video of `duration_s`.

    Raises:
        InputError: naming the first event (by its number in `events`) that ends too late.
    """
    for number, event in enumerate(events, start=1):
        if event.end_s > duration_s:
            raise InputError(
                f"event {number} ends at {event.end_s:g} s, after the end of the "
                f"{duration_s:g} s video"
            )


def read_script(path: Path) -> Script:
    """A script from a JSON file (see `parse_script`).

    Raises:
        InputError: the file is missing, unreadable, not JSON, or holds a bad event; the
            message names the file.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"script file not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"script file is a directory: {path}") from None
    except UnicodeDecodeError:
        raise InputError(f"script file is not UTF-8 text: {path}") from None
    except OSError as error:
        raise InputError(f"cannot read script file {path}: {error.strerror}") from None
    if not text.strip():
        raise InputError(f"script file is empty: {path}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"script file is not valid JSON: {path}: {error.msg} (line {error.lineno})"
        ) from None
    except RecursionError:
        raise InputError(f"script file is nested too deeply: {path}") from None
    try:
        return parse_script(data)
    except InputError as error:
        raise InputError(f"{path}: {error}") from None


_Planned = tuple[Kind, float, float, Side, tuple[str, ...], float]


def default_script(duration_s: float = 20.0, seed: int = 0) -> tuple[PlantedEvent, ...]:
    """A realistic mix for a hemifacial-spasm demo, laid out without overlaps.

    About 15 blinks a minute (100–300 ms), two or three spasm episodes on one side (clonic bursts
    of 150–300 ms contractions spreading eye → cheek → mouth, or a 1 s tonic hold), one forceful
    bilateral closure of 0.6–1.2 s, one 1–2 s flicker of a lower lid and one smile with the eye
    on the spasm side narrowing. Episodes that do not fit a short duration are left out.

    Args:
        duration_s: length of the video the script is for.
        seed: the same seed gives the same script.

    Raises:
        InputError: the duration is not positive.
    """
    if not duration_s > 0:
        raise InputError(f"duration must be positive, not {duration_s}")
    rng = np.random.default_rng(seed)
    spasm_side: Side = "right" if rng.random() < 0.5 else "left"
    flicker_side: Side = "left" if rng.random() < 0.5 else "right"
    episodes: list[list[_Planned]] = []
    for number in range(int(rng.integers(2, 4))):
        if number == 1:
            hold = 1.0
            regions = ("eyelid", "cheek", "mouth")
            episodes.append([("spasm", 0.0, hold, spasm_side, regions, 0.9)])
            continue
        burst: list[_Planned] = []
        t = 0.0
        twitches = int(rng.integers(4, 8))
        for twitch in range(twitches):
            length = round(float(rng.uniform(0.15, 0.3)), 3)
            # Synkinetic spread: the eye first, then the cheek, then the mouth joins in.
            spread = ("eyelid", "cheek", "mouth")[: 1 + (3 * twitch) // twitches]
            strength = round(float(rng.uniform(0.7, 1)), 2)
            burst.append(("spasm", t, t + length, spasm_side, spread, strength))
            t = round(t + length + float(rng.uniform(0.05, 0.25)), 3)
        episodes.append(burst)
    closure = round(float(rng.uniform(0.6, 1.2)), 3)
    episodes.append([("closure", 0.0, closure, "both", ("eyelid", "brow", "cheek"), 1.0)])
    flicker = round(float(rng.uniform(1.0, 2.0)), 3)
    amplitude = round(float(rng.uniform(0.1, 0.2)), 2)
    episodes.append([("flicker", 0.0, flicker, flicker_side, ("eyelid",), amplitude)])
    smile = ("eyelid", "cheek", "mouth")
    episodes.append([("smile_closure", 0.0, 1.5, spasm_side, smile, 0.6)])
    order = rng.permutation(len(episodes))

    events: list[PlantedEvent] = []
    t = float(rng.uniform(0.8, 1.5))
    for index in order:
        episode = episodes[index]
        length = episode[-1][2]
        if t + length > duration_s - 0.5:
            continue
        for kind, start, end, side, regions, amp in episode:
            events.append(
                PlantedEvent(kind, round(t + start, 3), round(t + end, 3), side, regions, amp)
            )
        t += length + float(rng.uniform(0.8, 2.0))
    busy = [(e.start_s - 0.4, e.end_s + 0.4) for e in events]
    for _ in range(round(15 * duration_s / 60)):
        for _attempt in range(50):
            start = float(rng.uniform(0.3, duration_s - 0.6))
            end = start + float(rng.uniform(0.1, 0.3))
            if all(end < lo or start > hi for lo, hi in busy):
                events.append(
                    PlantedEvent("blink", round(start, 3), round(end, 3), "both", ("eyelid",), 1.0)
                )
                busy.append((start - 0.4, end + 0.4))
                break
    return tuple(sorted(events, key=lambda e: e.start_s))


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
    check_within(events, duration_s)
    video = SyntheticVideo(
        path, float(fps), float(duration_s), tuple(sorted(events, key=lambda e: e.start_s))
    )
    face = _face(size)
    write_mp4(path, fps, _frames(face, video, noise, seed, sway_px))
    path.with_suffix(".json").write_text(json.dumps(video.ground_truth(), indent=2) + "\n")
    return video


# ----------------------------------------------------------------------------- the face model


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


@functools.cache
def _face(size: int) -> _Face:
    image = _astronaut(size)
    landmarks = _reference_landmarks(size)
    return _Face(image, landmarks, _smooth_fields(landmarks, size), _eyes(landmarks, size))


def _astronaut(size: int) -> npt.NDArray[np.uint8]:
    import cv2
    from skimage import data

    image: npt.NDArray[np.uint8] = data.astronaut()  # type: ignore[no-untyped-call]
    if image.shape[0] != size:
        image = np.asarray(cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA))
    return np.ascontiguousarray(image, dtype=np.uint8)


@functools.cache
def _reference_landmarks(size: int) -> Array:
    """The astronaut's 478 face-mesh landmarks in pixels, found once per process and size."""
    import mediapipe as mp  # type: ignore[import-untyped]

    image = _astronaut(size)
    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True, refine_landmarks=True, max_num_faces=1
    ) as mesh:
        result = mesh.process(np.ascontiguousarray(image))
    if not result.multi_face_landmarks:
        raise VideoError(f"face mesh found no face in the reference image at {size} px")
    points = result.multi_face_landmarks[0].landmark
    return np.array([[p.x * size, p.y * size] for p in points], dtype=np.float32)


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


def _frames(
    face: _Face, video: SyntheticVideo, noise: float, seed: int, sway_px: float
) -> Iterator[npt.NDArray[np.uint8]]:
    import cv2

    size = face.image.shape[0]
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    # Independent noise per frame, cheaply: random windows into one pool of Gaussian noise.
    pixels = face.image.size
    pool = (rng.standard_normal(pixels + 65_536, dtype=np.float32) * noise) if noise else None
    phases = rng.uniform(0, 2 * np.pi, 4)
    sway = sway_px * size / 512
    count = max(1, round(video.duration_s * video.fps))
    for index in range(count):
        t = index / video.fps
        weights, lids = _pose(video.events, t)
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
        if pool is not None:
            start = int(rng.integers(0, 65_536))
            noisy = frame.astype(np.float32) + pool[start : start + pixels].reshape(frame.shape)
            frame = np.clip(noisy + 0.5, 0, 255).astype(np.uint8)
        yield frame


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
