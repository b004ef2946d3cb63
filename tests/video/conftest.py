"""Fixtures for the video tests: the real recordings in shared/media and clips made with PyAV."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av
import av.video.stream
import numpy as np
import pytest

ClipMaker = Callable[..., Path]


@pytest.fixture(scope="session")
def media(shared: Path) -> Path:
    """The folder of real test recordings (see its README for what each one shows)."""
    return shared / "media"


def gradient(index: int, width: int, height: int) -> np.ndarray:
    """A frame that moves with `index`, with a red block marking the top-left corner.

    The marker shows which way a frame was turned: wherever it ends up is where the stored
    frame's top-left corner went.
    """
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[..., 0] = ((np.arange(width) * 255 // width + 4 * index) % 256).astype(np.uint8)
    image[..., 1] = (np.arange(height) * 255 // height).astype(np.uint8)[:, None]
    image[..., 2] = 128
    image[: height // 4, : width // 4] = (255, 0, 0)
    return image


def write_clip(
    path: Path,
    frames: int = 64,
    width: int = 160,
    height: int = 120,
    fps: int = 30,
    codec: str = "libx264",
    rotation: int | None = None,
    tags: dict[str, str] | None = None,
    container_options: dict[str, str] | None = None,
    codec_options: dict[str, str] | None = None,
) -> Path:
    """Encode a moving gradient with PyAV; `rotation` is written as a counter-clockwise display matrix."""
    with av.open(str(path), "w", options=container_options or {}) as container:
        stream = container.add_stream(codec, rate=fps, options=codec_options or {})
        assert isinstance(stream, av.video.stream.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for key, value in (tags or {}).items():
            stream.metadata[key] = value
        for index in range(frames):
            frame = av.VideoFrame.from_ndarray(gradient(index, width, height), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


@pytest.fixture(scope="session")
def make_clip(tmp_path_factory: pytest.TempPathFactory) -> ClipMaker:
    """Write a generated clip into a session temp folder: `make_clip("name.mp4", **write_clip args)`."""
    folder = tmp_path_factory.mktemp("clips")

    def make(name: str, **options: object) -> Path:
        return write_clip(folder / name, **options)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="session")
def gradient_clip(make_clip: ClipMaker) -> Path:
    """64 frames of 160x120 H.264 at 30 fps in MP4, no rotation: the plain case."""
    return make_clip("gradient.mp4")


@pytest.fixture(scope="session")
def truncated_clip(make_clip: ClipMaker) -> Path:
    """An MP4 with its index at the front (faststart) cut in half: half the frames survive."""
    whole = make_clip("whole.mp4", frames=120, container_options={"movflags": "faststart"})
    cut = whole.with_name("truncated.mp4")
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    return cut


@pytest.fixture(scope="session")
def three_faces(media: Path) -> np.ndarray:
    """Three real faces side by side: the row of three young women in multi_face.jpg.

    The whole photo shows five faces, each about 15% of its width, too small for Face Mesh's
    short-range face detector (it finds one of them); cropped to this row it finds all three.
    """
    from facespasm.video.frames import read_frames

    stream = read_frames(media / "multi_face.jpg")
    image = next(stream).image
    stream.close()
    height, width = image.shape[:2]
    crop = image[int(0.30 * height) : int(0.75 * height), int(0.18 * width) : int(0.85 * width)]
    return np.ascontiguousarray(crop)
