"""Face landmarks per frame: MediaPipe Face Mesh, following one face through the video.

MediaPipe 0.10.21's legacy Face Mesh is used because it is the last release whose models ship
inside the wheel (nothing is downloaded at run time) and because `refine_landmarks=True` adds the
iris points (468-477) that give a scale in millimetres (iris diameter ≈ 11.7 mm). It runs in
tracking mode: the landmark model follows the face from its previous position, and the face
detector runs only when the face is lost (or while fewer faces are tracked than looked for).

With several people in view, the person analysed must not change from frame to frame: the
largest face with both eyes in the picture is taken first (a face cut by the picture's edge at the
eyes cannot be measured, however large), then in every frame the face nearest the previous one's
centre. A model can be asked for the next largest instead (`face=1`, then 2): the analysis does
so when the largest never moved (analysis.py).
`faces_seen` still reports how many faces were found, so callers can warn about crowded clips.

The model is a boundary, injected where it is used (`analyze_video(mesh_factory=...)`, as httpx
injects its transport): anything with `find(frame)` that is a context manager is a
`LandmarkModel`. MediaPipe's native start-up chatter on stderr is dropped only where the caller
asks for it (`quiet_native_logs()`, which the command line enters); a library caller or a server
keeps its stderr untouched.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, Self

import numpy as np

from facespasm.video.frames import Frame
from facespasm.video.measures import eyes_in_picture

LANDMARK_COUNT = 478  # 468 mesh points + 10 iris points (refine_landmarks=True)
COUNT_FACES_EVERY = 15  # frames between face counts: half a second at 30 fps
MOST_FACES = 3  # faces the mesh looks for when the picture shows several

# MediaPipe's start-up chatter on stderr, harmless for this graph: TF-Lite announcing its CPU
# delegate, absl noting that logging is not initialised, and two warnings about model features
# the legacy graph does not use. Matched narrowly (level W or INFO, exact source), so an error
# from the same files, or any other line, still reaches stderr.
_NOISE = re.compile(
    r"^(INFO: Created TensorFlow Lite XNNPACK delegate for CPU\."
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|W\d{4} [\d:. ]+\d+ "
    r"(inference_feedback_manager|landmark_projection_calculator)\.cc:\d+\] .*)$"
)


@dataclass(frozen=True, slots=True)
class FaceLandmarks:
    """The 478 landmarks of the face followed, in the pixels of the frame they came from.

    Attributes:
        points: (478, 3) float32: x and y in pixels of the frame image; z (depth, smaller is
            nearer the camera) in the same pixel scale, i.e. MediaPipe's z times the width.
        faces_seen: how many faces MediaPipe found in this frame.
    """

    points: np.ndarray
    faces_seen: int


class LandmarkModel(Protocol):
    """What analysis needs of a landmark model: the followed face's landmarks, frame by frame.

    One model serves one run of consecutive frames (it may track from frame to frame) and is
    closed after it, as a context manager; `FaceMesh` is the real one.
    """

    def find(self, frame: Frame) -> FaceLandmarks | None:
        """The landmarks of the face followed in `frame`, or None when none is found."""

    def __enter__(self) -> Self:
        """The model itself."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Release the model."""


class MeshFactory(Protocol):
    """Makes a fresh landmark model, once per segment of a clip.

    It is called in worker processes too, so for `workers > 1` it must be picklable: a class or
    a module-level function.
    """

    def __call__(self, *, face: int = 0) -> LandmarkModel:
        """A model following the `face`-th largest face with both eyes in the picture.

        0 is the largest; a model that follows one face only may ignore `face`.
        """
        ...


class FaceMesh:
    """MediaPipe Face Mesh in tracking mode, following one face; use it as a context manager.

    One instance is meant for one video, frames in order: tracking carries state from frame to
    frame. It is not thread-safe.

    Looking for several faces costs a third of the throughput: the mesh then runs its face
    detector on every frame that shows fewer faces than it looks for (bench/RESULTS.md). So by
    default the number is chosen from the first frame -- three when it shows several people,
    so that the largest whole face is followed, one otherwise -- and a separate face detector
    counts the faces every `COUNT_FACES_EVERY` frames, so that a crowded clip is still reported.

    Args:
        max_num_faces: how many faces the mesh looks for; None chooses from the first frame.
        face: which face to follow, by size among those with both eyes in the picture: 0 the
            largest, 1 the next (then frames before it is found give no face), up to
            `MOST_FACES - 1`.
    """

    def __init__(self, *, max_num_faces: int | None = None, face: int = 0) -> None:
        if not 0 <= face < MOST_FACES:
            raise ValueError(f"face must be 0 to {MOST_FACES - 1}, not {face}")
        self._solution, detection = _solutions()
        self._requested = max_num_faces
        self._face = face
        self._detector = detection.FaceDetection(model_selection=0, min_detection_confidence=0.5)
        self._mesh: Any = None
        self._frames = 0
        self._faces_counted = 0
        self._centre: np.ndarray | None = None
        self._closed = False

    def __enter__(self) -> FaceMesh:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release MediaPipe's graphs and their threads (once; later calls do nothing)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._detector.close()
        finally:
            if self._mesh is not None:
                self._mesh.close()

    def find(self, frame: Frame) -> FaceLandmarks | None:
        """The landmarks of the face followed, or None when no face is found in this frame.

        Args:
            frame: the next frame of the video (RGB, upright).

        Returns:
            The followed face's landmarks in the frame's pixels, or None.
        """
        if self._frames % COUNT_FACES_EVERY == 0:
            detections = self._detector.process(frame.image).detections
            self._faces_counted = len(detections or [])
        self._frames += 1
        if self._mesh is None:
            several = self._faces_counted > 1 or self._face > 0
            faces = self._requested or (MOST_FACES if several else 1)
            self._mesh = self._solution.FaceMesh(
                static_image_mode=False,
                refine_landmarks=True,
                max_num_faces=faces,
                min_detection_confidence=0.5,
                min_tracking_confidence=0.5,
            )
        result = self._mesh.process(frame.image)
        faces_found = result.multi_face_landmarks or []
        if not faces_found:
            return None
        height, width = frame.image.shape[:2]
        scale = np.array([width, height, width], dtype=np.float32)
        candidates = [_points(face) * scale for face in faces_found]
        chosen = self._follow(candidates, frame.image.shape)
        if chosen is None:
            return None
        self._centre = _centre(chosen)
        seen = max(len(faces_found), self._faces_counted)
        return FaceLandmarks(points=chosen, faces_seen=seen)

    def _follow(self, candidates: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray | None:
        if self._centre is None:
            whole = [points for points in candidates if eyes_in_picture(points, shape)]
            if self._face == 0:
                return max(whole or candidates, key=_area)
            by_size = sorted(whole, key=_area, reverse=True)
            return by_size[self._face] if len(by_size) > self._face else None
        previous = self._centre
        return min(candidates, key=lambda points: float(np.hypot(*(_centre(points) - previous))))


# A face's landmarks as protobuf puts them on the wire when each holds just x, y and z: per
# landmark the repeated-field tag (0x0a) and length (15), then three tagged float32s. Reading
# that buffer with numpy takes 13 µs; walking 478 protobuf objects in Python takes 200 µs, 6% of
# a frame's budget at ten times real time (bench/RESULTS.md).
_WIRE = np.dtype(
    [("field", "u1"), ("length", "u1"), ("x_tag", "u1"), ("x", "<f4"),
     ("y_tag", "u1"), ("y", "<f4"), ("z_tag", "u1"), ("z", "<f4")]
)  # fmt: skip
_WIRE_TAGS = {"field": 0x0A, "length": 15, "x_tag": 0x0D, "y_tag": 0x15, "z_tag": 0x1D}


def _points(face: Any) -> np.ndarray:
    raw = face.SerializeToString()
    if len(raw) == LANDMARK_COUNT * _WIRE.itemsize:
        records = np.frombuffer(raw, dtype=_WIRE)
        if all((records[name] == value).all() for name, value in _WIRE_TAGS.items()):
            return np.stack([records["x"], records["y"], records["z"]], axis=1)
    # Any other layout (a field such as visibility present): the slow, general way.
    return np.array([(p.x, p.y, p.z) for p in face.landmark], dtype=np.float32)


def _centre(points: np.ndarray) -> np.ndarray:
    centre: np.ndarray = points[:, :2].mean(axis=0)
    return centre


def _area(points: np.ndarray) -> float:
    width, height = np.ptp(points[:, :2], axis=0)
    return float(width * height)


def _solutions() -> tuple[Any, Any]:
    """MediaPipe's legacy face mesh and face detection solutions (imported on first use)."""
    # Before the first import: quiets glog/TF's INFO and WARNING output; errors still print.
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from mediapipe.python.solutions import (  # type: ignore[import-untyped]
        face_detection,
        face_mesh,
    )

    return face_mesh, face_detection


class _NativeStderrFilter:
    """Pass the process's stderr through a filter that drops MediaPipe's known chatter.

    MediaPipe's C++ code writes to file descriptor 2 directly, out of reach of Python's
    logging, and before absl's logging is initialised no flag silences its warnings; they come
    whenever one of its models first runs, which may be frames into a video. So while the filter
    is on, descriptor 2 points at a pipe whose lines are forwarded at once, except those matching
    `_NOISE`. Everything else, from any thread, still arrives, in order; worker processes started
    meanwhile inherit the pipe, so their chatter is filtered too. Uses are counted, so nested
    users may end in any order. Turning it off does not wait for every holder of the pipe to
    close it (a long-lived helper process, such as multiprocessing's resource tracker, may keep
    it): what is already in the pipe is forwarded, then the forwarder stops.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._original = -1
        self._stop = threading.Event()
        self._forwarder: threading.Thread | None = None

    def acquire(self) -> None:
        with self._lock:
            self._users += 1
            if self._users == 1:
                self._install()

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                self._remove()

    def _install(self) -> None:
        sys.stderr.flush()
        self._original = os.dup(2)
        read_end, write_end = os.pipe()
        self._stop.clear()
        self._forwarder = threading.Thread(
            target=_forward,
            args=(read_end, self._original, self._stop),
            name="facespasm-stderr-filter",
            daemon=True,
        )
        self._forwarder.start()
        os.dup2(write_end, 2)
        os.close(write_end)

    def _remove(self) -> None:
        sys.stderr.flush()
        os.dup2(self._original, 2)  # this process's last write end of the pipe is closed
        self._stop.set()
        if self._forwarder is not None:
            self._forwarder.join()
        os.close(self._original)


def _forward(read_end: int, original: int, stop: threading.Event) -> None:
    """Copy lines from the pipe to the real stderr, dropping noise, until the end or `stop`."""
    pending = b""

    def write(line: bytes) -> None:
        if not _NOISE.match(line.decode(errors="replace").rstrip("\r\n")):
            os.write(original, line)

    try:
        while True:
            # `stop` is read before looking at the pipe: once it is set, every line written
            # before it is already in the pipe, so an empty pipe then means nothing is lost.
            stopping = stop.is_set()
            ready, _, _ = select.select([read_end], [], [], 0 if stopping else 0.05)
            if not ready:
                if stopping:
                    break
                continue
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                write(line + b"\n")
        if pending:
            write(pending)
    finally:
        os.close(read_end)


_stderr_filter = _NativeStderrFilter()


@contextlib.contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Drop MediaPipe's known start-up chatter from stderr while inside (errors still show).

    For a command-line program, whose stderr a person reads; nests, and is safe from any thread.
    """
    _stderr_filter.acquire()
    try:
        yield
    finally:
        _stderr_filter.release()
