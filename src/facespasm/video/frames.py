"""Frames from a video file or a camera: upright, RGB, no larger than needed, one at a time.

Files are decoded with PyAV (FFmpeg), so any common container and codec works, phone videos
included. Three decisions shape this module:

- Frames are streamed, packet by packet, and never collected: an hour-long file costs the
  memory of a few frames, not of the hour.
- Every frame is turned upright (the container's display matrix, or the older `rotate` tag) and
  scaled so its longer side is at most `max_side`, in one swscale pass. Face landmarks gain
  nothing from 8K pixels, and an 8K frame is 100 MB as RGB.
- Bad files fail with one `VideoError` line that names the file and says what is wrong. A file
  that breaks off part-way (a phone that ran out of storage, a copy cut short) yields the frames
  before the break and then ends, with the reason kept in `FrameStream.problem`: frames already
  analysed are worth more than an error.
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from facespasm.errors import VideoError
from facespasm.video.limits import DEFAULT_MAX_SIDE

if TYPE_CHECKING:
    import av.container
    import av.video.frame
    import av.video.stream
    import cv2

# Consecutive packets that fail to decode before a file is given up as damaged: an isolated
# corrupt packet is skipped (a glitch of a frame or two), a run of them means the rest is noise.
MAX_BAD_PACKETS = 25
# Used only when a file declares no frame rate at all; PyAV guesses one for nearly every file.
FALLBACK_FPS = 30.0
# Cameras are numbered from 0 by the operating system, a handful per machine. OpenCV passes the
# number on unchecked (a negative one crashed the process with a segmentation fault, a huge one
# overflowed), so it is checked here before OpenCV sees it.
MAX_CAMERA = 63
# FFmpeg's demuxers of still images: a photo opens as a one-frame "video".
_STILL_IMAGE_FORMATS = frozenset({"image2", "image2pipe"})


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What a video source delivers, as measured by opening it and decoding its first frame.

    Attributes:
        source: the file path, or "camera N".
        width: width of the frames as delivered (upright, after downscaling).
        height: height of the frames as delivered.
        fps: frames per second declared by the container (or the camera).
        frame_count: the container's estimate of the number of frames, None if unknown.
        duration_s: the container's estimate of the duration in seconds, None if unknown.
        rotation: clockwise degrees (0, 90, 180 or 270) applied to make frames upright; a phone
            held upright typically records 90.
        codec: FFmpeg's name for the video codec (or the camera's FOURCC).
        still: whether the file is a still image (a photo): FFmpeg opens one as a one-frame
            video, which can show a face but never a twitch.
        seekable: whether frames can be read from a time (`read_frames(start_s=...)`) with the
            same times as from the start: the stream declares its start time, duration and
            frame timestamps.
    """

    source: str
    width: int
    height: int
    fps: float
    frame_count: int | None
    duration_s: float | None
    rotation: int
    codec: str
    still: bool = False
    seekable: bool = False


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded frame, ready for the landmark model.

    Attributes:
        index: 0-based position in delivery order (skipped corrupt frames are not counted), from
            where reading started.
        time_s: presentation time in seconds from the start of the video.
        image: HxWx3 uint8 RGB, upright, C-contiguous.
    """

    index: int
    time_s: float
    image: np.ndarray


def probe_video(path: Path, max_side: int = DEFAULT_MAX_SIDE) -> VideoInfo:
    """Describe a video file as `read_frames` would deliver it.

    The first frame is decoded because the rotation lives in frame side data and because a file
    whose first frame cannot be decoded is better refused here than after setting up analysis.

    Args:
        path: the video file.
        max_side: the longest side of the delivered frames, in pixels.

    Returns:
        The video's description.

    Raises:
        VideoError: the file is missing, empty, not a video, damaged or in an unsupported codec.
    """
    stream = read_frames(path, max_side)
    try:
        next(stream)
    except StopIteration:  # pragma: no cover - read_frames raises before ending empty
        raise VideoError(f"no frame could be decoded from {path.name}") from None
    finally:
        stream.close()
    assert stream.info is not None
    return stream.info


def read_frames(
    path: Path,
    max_side: int = DEFAULT_MAX_SIDE,
    *,
    start_s: float = 0.0,
    slice_threads: bool = True,
) -> FrameStream:
    """Stream the frames of a video file, upright and downscaled to `max_side`.

    The file is opened here, so a missing, empty or non-video file fails at the call; damage in
    the first frames fails at the first `next()`.

    Args:
        path: the video file.
        max_side: the longest side of the delivered frames, in pixels.
        start_s: deliver the frames from this time on (a seek to the key frame before it, whose
            frames up to `start_s` are decoded but not delivered): the same frames, with the
            same times, as reading from the start. Only for a `VideoInfo.seekable` file; a
            start past the end delivers no frames.
        slice_threads: let FFmpeg decode slices of a frame on several cores, which helps one
            stream keep up with the face mesh on large frames; off when other workers already
            fill the cores (threads then only add overhead: 1.8 against 1.5 ms of CPU for a
            720p frame). The frames are the same either way.

    Returns:
        An iterator of frames; after it ends, its `problem` says whether the file broke off.

    Raises:
        VideoError: the file is missing, empty, not a video or in an unsupported codec.
        ValueError: `start_s` is negative, or given for a file that declares no start time.
    """
    return FrameStream(path, max_side, start_s=start_s, slice_threads=slice_threads)


class FrameStream(Iterator[Frame]):
    """The frames of one video file, decoded on demand.

    Attributes:
        info: the video's description, known once the first frame has been decoded.
        problem: None while all is well; a one-line reason when the file broke off part-way
            (the frames before the break were delivered).
    """

    def __init__(
        self, path: Path, max_side: int, *, start_s: float = 0.0, slice_threads: bool = True
    ) -> None:
        if max_side < 1:
            raise ValueError(f"max_side must be at least 1 pixel, got {max_side}")
        if start_s < 0:
            raise ValueError(f"start_s must not be negative, got {start_s}")
        self._path = Path(path)
        self._max_side = max_side
        self._start_s = start_s
        self._slice_threads = slice_threads
        self._container, self._stream = _open(self._path, slice_threads)
        self._seeked = start_s > 0
        if self._seeked:
            self._seek(start_s)
        self.info: VideoInfo | None = None
        self.problem: str | None = None
        self._last_error: str | None = None
        self._error_at_end = False
        self._frames = self._decode()

    def __next__(self) -> Frame:
        return next(self._frames)

    def close(self) -> None:
        """Stop decoding and release the file (also done when the stream ends)."""
        self._frames.close()
        self._container.close()

    def _decode(self) -> Generator[Frame]:
        try:
            try:
                yield from self._frames_of(self._decoded())
            except _SeekMissed:
                # The seek landed after `start_s` (a file with a poor index): decode from the
                # start instead, slower but the same frames. Nothing was delivered yet.
                self._container.close()
                self._container, self._stream = _open(self._path, self._slice_threads)
                self.info, self._last_error, self._error_at_end = None, None, False
                self._seeked = False
                yield from self._frames_of(self._decoded())
        finally:
            self._container.close()

    def _decoded(self) -> Iterator[av.video.frame.VideoFrame]:
        """Decoded frames in presentation order, skipping isolated corrupt packets."""
        import av

        packets = self._container.demux(self._stream)
        bad_in_a_row = 0
        while bad_in_a_row <= MAX_BAD_PACKETS:
            try:
                # A demuxing error ends `packets`, so the next round meets StopIteration.
                packet = next(packets)
                decoded = self._stream.decode(packet)
            except StopIteration:
                break
            except av.FFmpegError as error:
                bad_in_a_row += 1
                self._last_error = _reason(error)
                continue
            if packet.size:  # the empty packet at the end only flushes the decoder
                bad_in_a_row = 0
            yield from decoded
        self._error_at_end = bad_in_a_row > 0

    def _seek(self, start_s: float) -> None:
        stream = self._stream
        origin = _start_time(stream)
        if origin is None or stream.time_base is None:
            self._container.close()
            raise ValueError(f"{self._path.name} declares no start time to read from")
        # Backward: to the key frame at or before `start_s`, from which decoding is exact.
        target = math.floor((origin + start_s) / stream.time_base)
        self._container.seek(target, backward=True, any_frame=False, stream=stream)

    def _frames_of(self, decoded: Iterator[av.video.frame.VideoFrame]) -> Iterator[Frame]:
        previous_time, origin = -math.inf, _start_time(self._stream)
        delivered = 0
        for index, video_frame in enumerate(decoded):
            if self.info is None:
                self.info = self._describe(video_frame)
                origin = video_frame.time if origin is None else origin
            info = self.info
            time_s = _presentation_time(video_frame, origin, index, info.fps)
            if time_s <= previous_time:
                # Broken or missing timestamps: keep time moving forward at the nominal rate.
                time_s = previous_time + 1.0 / info.fps
            previous_time = time_s
            if self._seeked and index == 0 and time_s > self._start_s:
                raise _SeekMissed
            if time_s < self._start_s:  # decoded from the key frame, not delivered
                continue
            yield Frame(delivered, time_s, _upright_rgb(video_frame, info))
            delivered += 1
        if self.info is None and self._start_s > 0:
            return  # started past the end: nothing to deliver, and nothing wrong
        if self.info is None:
            why = f": {self._last_error}" if self._last_error else ""
            raise VideoError(
                f"no frame could be decoded from {self._path.name} (damaged, or a codec "
                f"variant FFmpeg cannot decode{why})"
            )
        declared = self.info.duration_s if self._stream.duration is not None else None
        if self._error_at_end or (
            declared is not None and previous_time < declared - max(0.5, 3 / self.info.fps)
        ):
            reason = f" ({self._last_error})" if self._last_error else ""
            self.problem = (
                f"{self._path.name} breaks off at {previous_time:.1f} s"
                + (f" of {declared:.1f} s" if declared is not None else "")
                + f": truncated or damaged{reason}"
            )

    def _describe(self, first: av.video.frame.VideoFrame) -> VideoInfo:
        stream = self._stream
        rotation = _clockwise_rotation(first, stream)
        width, height = _display_size(first.width, first.height, stream.sample_aspect_ratio)
        width, height = _fit(width, height, self._max_side)
        if rotation in (90, 270):
            width, height = height, width
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else FALLBACK_FPS
        duration_s = _duration(self._container, stream)
        frame_count = stream.frames or (round(duration_s * fps) if duration_s else None)
        still = _is_still_image(self._container)
        return VideoInfo(
            source=str(self._path),
            width=width,
            height=height,
            fps=fps,
            frame_count=frame_count or None,
            duration_s=duration_s,
            rotation=rotation,
            codec=stream.codec_context.name,
            still=still,
            seekable=(
                not still
                and duration_s is not None
                and stream.start_time is not None
                and stream.time_base is not None
                and first.pts is not None
            ),
        )


class _SeekMissed(Exception):
    """A seek that landed after the time asked for: frames before it would be missed."""


def check_camera(index: object) -> int:
    """The camera number, checked before any capture library sees it.

    Args:
        index: The number given (0 is the first camera).

    Returns:
        The number.

    Raises:
        VideoError: It is not a whole number from 0 to MAX_CAMERA.
    """
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index <= MAX_CAMERA:
        return index
    shown = str(index) if len(str(index)) <= 12 else "a number that large"
    raise VideoError(f"no camera {shown}: cameras are numbered 0 (the first) to {MAX_CAMERA}")


def camera_frames(index: int, seconds: float, max_side: int = DEFAULT_MAX_SIDE) -> Iterator[Frame]:
    """Stream frames from a camera for `seconds` (OpenCV; any camera the OS offers).

    Args:
        index: the camera number (0 is the default camera).
        seconds: how long to record.
        max_side: the longest side of the delivered frames, in pixels.

    Returns:
        An iterator of frames, timed by the clock since the first frame.

    Raises:
        VideoError: no such camera number, or the camera cannot be opened or delivers no frame.
    """
    index = check_camera(index)
    import cv2

    # OpenCV tries every capture backend in turn and logs each refusal; the one line that
    # matters is the VideoError below, so its log is quieted for the attempt only.
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        capture = cv2.VideoCapture(index)
    finally:
        cv2.utils.logging.setLogLevel(level)
    if not capture.isOpened():
        capture.release()
        raise VideoError(f"camera {index} cannot be opened (is it connected and free?)")
    ok, first = capture.read()
    if not ok:
        capture.release()
        raise VideoError(f"camera {index} opened but delivered no frame")
    return _camera_stream(capture, first, seconds, max_side)


def _camera_stream(
    capture: cv2.VideoCapture, first: np.ndarray, seconds: float, max_side: int
) -> Iterator[Frame]:
    import cv2

    started, image, index = time.monotonic(), first, 0
    try:
        while True:
            now = time.monotonic() - started
            height, width = image.shape[:2]
            size = _fit(width, height, max_side)
            if size != (width, height):
                image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            rgb = np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
            yield Frame(index, now, rgb)
            index += 1
            ok, image = capture.read()
            if not ok or time.monotonic() - started >= seconds:
                return
    finally:
        capture.release()


def _open(
    path: Path, slice_threads: bool = True
) -> tuple[av.container.InputContainer, av.video.stream.VideoStream]:
    import av

    name = path.name or str(path)
    if not path.exists():
        raise VideoError(f"video not found: {path}")
    if not path.is_file():
        raise VideoError(f"not a video file: {name} (it is a directory or device)")
    if path.stat().st_size == 0:
        raise VideoError(f"not a video file: {name} (the file is empty)")
    try:
        container = av.open(str(path), mode="r", metadata_errors="replace")
    except av.FFmpegError as error:
        raise VideoError(
            f"not a readable video: {name} (not a video, or truncated or damaged: {_reason(error)})"
        ) from None
    if not container.streams.video:
        container.close()
        raise VideoError(f"not a video file: {name} (no video stream)")
    stream = container.streams.video[0]
    if stream.codec_context is None:
        container.close()
        raise VideoError(f"unsupported video codec in {name} (no decoder for it in FFmpeg)")
    # Slice threads at most, no frame threads: frames are decoded on one core while the face
    # mesh runs on the other (pipeline.py), and FFmpeg's frame threads would only compete with
    # the model for the second core (720p end-to-end: 229 fps with frame threads, 311 without).
    stream.thread_type = "SLICE" if slice_threads else "NONE"
    return container, stream


def _is_still_image(container: av.container.InputContainer) -> bool:
    name = container.format.name
    return name in _STILL_IMAGE_FORMATS or name.endswith("_pipe")


def _reason(error: BaseException) -> str:
    return str(getattr(error, "strerror", None) or error).rstrip(".")


def _start_time(stream: av.video.stream.VideoStream) -> float | None:
    if stream.start_time is None or stream.time_base is None:
        return None
    return float(stream.start_time * stream.time_base)


def _presentation_time(
    frame: av.video.frame.VideoFrame, origin: float | None, index: int, fps: float
) -> float:
    if frame.pts is None or frame.time_base is None or origin is None:
        return index / fps
    return max(0.0, float(frame.pts * frame.time_base) - origin)


def _duration(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream
) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000  # AV_TIME_BASE: microseconds
    return None


def _clockwise_rotation(
    frame: av.video.frame.VideoFrame, stream: av.video.stream.VideoStream
) -> int:
    """Clockwise degrees to turn the frame upright, from its display matrix or `rotate` tag."""
    # PyAV reports the display matrix as counter-clockwise degrees in [-180, 180].
    degrees = -frame.rotation
    if degrees == 0:
        # Containers other than MP4/MOV may carry the older tag: clockwise degrees as text.
        tags = {key.lower(): value for key, value in stream.metadata.items()}
        try:
            degrees = int(float(tags.get("rotate", "0")))
        except ValueError:
            degrees = 0
    # Only quarter turns occur in practice; round anything else to the nearest one.
    return (round(degrees / 90) * 90) % 360


def _display_size(width: int, height: int, aspect: Fraction | None) -> tuple[int, int]:
    # Non-square pixels (DV, some broadcast files) are stretched to square ones, so that
    # distances on the face mean the same horizontally and vertically.
    if aspect is None or aspect <= 0 or aspect == 1:
        return width, height
    return max(1, round(width * aspect)), height


def _fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _upright_rgb(frame: av.video.frame.VideoFrame, info: VideoInfo) -> np.ndarray:
    width, height = info.width, info.height
    if info.rotation in (90, 270):
        width, height = height, width
    # AREA averages the pixels it drops (no aliasing on big reductions such as 8K) and is a
    # third faster than swscale's default bilinear when the size changes (2.0 vs 3.0 ms/frame
    # for 1080p -> 720p); at the same size swscale only converts.
    image = frame.to_ndarray(format="rgb24", width=width, height=height, interpolation="AREA")
    if info.rotation:
        image = np.rot90(image, k=-info.rotation // 90)
    return np.ascontiguousarray(image)
