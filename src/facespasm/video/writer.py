"""Writing MP4s: one place that knows how facespasm encodes video (synthetic clips, annotations).

H.264 at a high quality (CRF 18) where the PyAV build has libx264, MPEG-4 Part 2 at a generous
bit rate where it does not; yuv420p so that any player shows it. Frames are encoded as they come,
so a long video is never held in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt

from facespasm.errors import VideoError


def write_mp4(path: Path, fps: float, frames: Iterable[npt.NDArray[np.uint8]]) -> int:
    """Encode RGB frames (H×W×3 uint8, all the same size) into an MP4; returns the frame count.

    Odd widths and heights are cropped by one pixel, as yuv420p needs even sizes.

    Raises:
        VideoError: the file cannot be written.
    """
    import av

    codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
    count = 0
    try:
        with av.open(str(path), mode="w", format="mp4") as container:
            stream = cast("av.VideoStream", container.add_stream(codec, rate=_rate(fps)))
            stream.pix_fmt = "yuv420p"
            if codec == "libx264":
                stream.options = {"crf": "18", "preset": "veryfast"}
            else:
                stream.bit_rate = 6_000_000
            for image in frames:
                even = np.ascontiguousarray(
                    image[: image.shape[0] // 2 * 2, : image.shape[1] // 2 * 2]
                )
                if count == 0:
                    stream.height, stream.width = even.shape[:2]
                container.mux(stream.encode(av.VideoFrame.from_ndarray(even, format="rgb24")))
                count += 1
            container.mux(stream.encode(None))
    except (OSError, av.FFmpegError) as error:
        raise VideoError(f"cannot write the video {path}: {error}") from None
    return count


def _rate(fps: float) -> Fraction:
    return Fraction(fps).limit_denominator(1001)
