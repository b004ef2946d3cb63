"""Decoding: any common file in, upright RGB frames out, one at a time; bad files refused in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from facespasm.errors import VideoError
from facespasm.video.frames import Frame, camera_frames, probe_video, read_frames
from tests.video.conftest import ClipMaker, write_clip


def test_probe_describes_the_clip_as_delivered(gradient_clip: Path) -> None:
    info = probe_video(gradient_clip)

    assert (info.width, info.height, info.fps) == (160, 120, 30.0)
    assert info.frame_count == 64
    assert info.duration_s == pytest.approx(64 / 30, abs=0.05)
    assert (info.rotation, info.codec, info.source) == (0, "h264", str(gradient_clip))


def test_frames_are_numbered_timed_and_rgb(gradient_clip: Path) -> None:
    frames = list(read_frames(gradient_clip))

    assert [frame.index for frame in frames] == list(range(64))
    times = np.array([frame.time_s for frame in frames])
    assert times[0] == 0.0
    assert np.all(np.diff(times) > 0)
    np.testing.assert_allclose(times, np.arange(64) / 30, atol=1e-3)
    for frame in frames:
        assert frame.image.shape == (120, 160, 3)
        assert frame.image.dtype == np.uint8
        assert frame.image.flags.c_contiguous
    # RGB, not BGR: the marker block is red.
    assert tuple(frames[0].image[5, 5]) == pytest.approx((255, 0, 0), abs=12)


@pytest.mark.parametrize(
    ("name", "codec", "expected_codec"),
    [
        ("clip.mp4", "libx264", "h264"),  # phones, webcams, most downloads
        ("clip.mov", "libx265", "hevc"),  # iPhones record HEVC in QuickTime
        ("clip.avi", "mpeg4", "mpeg4"),  # older cameras
        ("clip.mkv", "ffv1", "ffv1"),  # lossless archives
        ("clip.webm", "libvpx-vp9", "vp9"),  # browser recordings
    ],
)
def test_common_containers_and_codecs_decode(
    make_clip: ClipMaker, name: str, codec: str, expected_codec: str
) -> None:
    path = make_clip(name, frames=12, codec=codec)

    frames = list(read_frames(path))

    assert probe_video(path).codec == expected_codec
    assert len(frames) == 12
    assert frames[-1].image.shape == (120, 160, 3)


def test_a_real_hevc_phone_clip_decodes(media: Path) -> None:
    info = probe_video(media / "face_noface.mov")

    assert (info.codec, info.width, info.height) == ("hevc", 960, 540)
    assert sum(1 for _ in read_frames(media / "face_noface.mov")) == 169


def test_a_still_photo_is_a_one_frame_video(media: Path) -> None:
    frames = list(read_frames(media / "single_face.jpg"))

    assert len(frames) == 1
    assert frames[0].image.shape == (562, 572, 3)


# Where the stored frame's top-left marker must end up once the frame is upright.
@pytest.mark.parametrize(
    ("ccw_degrees", "clockwise", "marker_corner"),
    [
        (90, 270, "bottom-left"),  # display matrix: turn a quarter counter-clockwise
        (-90, 90, "top-right"),  # the usual portrait phone video ("rotate=90")
        (180, 180, "bottom-right"),  # camera held upside down
    ],
)
def test_display_matrix_rotation_is_applied(
    make_clip: ClipMaker, ccw_degrees: int, clockwise: int, marker_corner: str
) -> None:
    path = make_clip(
        f"rotated{ccw_degrees}.mp4", frames=4, width=160, height=96, rotation=ccw_degrees
    )

    info = probe_video(path)
    image = next(iter(read_frames(path))).image

    assert info.rotation == clockwise
    expected_shape = (96, 160) if clockwise == 180 else (160, 96)
    assert (info.height, info.width) == expected_shape
    assert image.shape[:2] == expected_shape
    assert _red_corner(image) == marker_corner


def test_the_older_rotate_tag_is_honoured(make_clip: ClipMaker) -> None:
    # Matroska keeps no display matrix from PyAV here, only the tag (clockwise degrees).
    path = make_clip("tagged.mkv", frames=4, tags={"rotate": "90"})

    image = next(iter(read_frames(path))).image

    assert probe_video(path).rotation == 90
    assert image.shape[:2] == (160, 120)
    assert _red_corner(image) == "top-right"


def test_frames_are_downscaled_to_max_side(gradient_clip: Path) -> None:
    info = probe_video(gradient_clip, max_side=80)

    assert (info.width, info.height) == (80, 60)
    assert all(
        frame.image.shape == (60, 80, 3) for frame in read_frames(gradient_clip, max_side=80)
    )


def test_frames_are_the_same_decoded_with_or_without_slice_threads(make_clip: ClipMaker) -> None:
    # Workers that share the cores decode without FFmpeg's slice threads (segments.py), one
    # stream alone with them: the frames, and so the analysis, must not depend on it.
    path = make_clip("slices.mp4", frames=12, width=320, height=240, codec_options={"slices": "4"})
    threaded = list(read_frames(path, slice_threads=True))
    single = list(read_frames(path, slice_threads=False))

    assert len(threaded) == len(single) == 12
    for one, other in zip(threaded, single, strict=True):
        assert one.time_s == other.time_s
        np.testing.assert_array_equal(one.image, other.image)


def test_8k_frames_are_downscaled_without_memory_blowing_up(make_clip: ClipMaker) -> None:
    path = make_clip(
        "8k.mp4", frames=2, width=7680, height=4320, codec_options={"preset": "ultrafast"}
    )
    # A fresh process, so that the peak memory is this decoding's alone (VmHWM, not ru_maxrss:
    # Linux carries ru_maxrss over from the parent through fork and exec).
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from facespasm.video.frames import read_frames\n"
        "shapes = [frame.image.shape for frame in read_frames(Path(sys.argv[1]))]\n"
        "peak = Path('/proc/self/status').read_text().split('VmHWM:')[1].split()[0]\n"
        "print(shapes, int(peak) // 1024)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    )
    shapes, peak_mb = result.stdout.rsplit(" ", 1)

    assert shapes == str([(1080, 1920, 3)] * 2)
    # One 8K frame is 50 MB as decoded YUV and 100 MB as RGB; the whole 8K clip never is.
    assert int(peak_mb) < 400


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "video not found: "),
        ("directory", "not a video file: "),
        ("empty", "not a video file: empty.mp4 (the file is empty)"),
        ("text renamed .mp4", "not a readable video: notes.mp4 (not a video, or truncated"),
        ("audio only", "not a video file: voice.m4a (no video stream)"),
        ("cut before the index", "not a readable video: cut.mp4"),  # MP4 index at the end
        ("unknown codec", "unsupported video codec in unknown.avi"),
        ("garbage frames", "no frame could be decoded from garbage.mkv"),
    ],
)
def test_bad_input_is_one_clear_video_error(
    bad_input: dict[str, Path], case: str, message: str
) -> None:
    with pytest.raises(VideoError) as raised:
        list(read_frames(bad_input[case]))
    with pytest.raises(VideoError):
        probe_video(bad_input[case])

    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_file_cut_short_yields_what_decodes_and_says_so(truncated_clip: Path) -> None:
    stream = read_frames(truncated_clip)

    frames = list(stream)

    assert 20 < len(frames) < 120
    assert [frame.index for frame in frames] == list(range(len(frames)))
    assert stream.problem is not None
    assert "truncated.mp4 breaks off at" in stream.problem


def test_a_whole_file_reports_no_problem(gradient_clip: Path) -> None:
    stream = read_frames(gradient_clip)
    list(stream)

    assert stream.problem is None


def test_frames_stream_and_the_file_is_released_on_close(media: Path) -> None:
    stream = read_frames(media / "WolfgangLanger_Pexels.mp4")

    first = next(stream)
    stream.close()

    assert isinstance(first, Frame)
    with pytest.raises(StopIteration):
        next(stream)


def test_a_camera_that_cannot_be_opened_is_a_video_error() -> None:
    with pytest.raises(VideoError, match=r"^camera 63 cannot be opened"):
        camera_frames(63, seconds=0.1)


@pytest.mark.parametrize(
    "index",
    [
        -1,  # OpenCV's "any camera": a segmentation fault before the check
        64,  # past the last number a machine gives its cameras
        99_999_999_999,  # overflows OpenCV's int
        True,  # not a number at all
    ],
)
def test_a_camera_number_is_checked_before_opencv_sees_it(index: int) -> None:
    with pytest.raises(
        VideoError, match=r"^no camera .*: cameras are numbered 0 \(the first\) to 63"
    ):
        camera_frames(index, seconds=0.1)


@pytest.fixture(scope="session")
def bad_input(tmp_path_factory: pytest.TempPathFactory, gradient_clip: Path) -> dict[str, Path]:
    """One file per kind of bad input a user may hand over, keyed by a description."""
    import av

    folder = tmp_path_factory.mktemp("bad")
    (folder / "empty.mp4").touch()
    (folder / "notes.mp4").write_text("my eye jumps when I'm tired\n" * 20)
    with av.open(str(folder / "voice.m4a"), "w") as container:
        stream = container.add_stream("aac", rate=44100)
        for _ in range(10):
            samples = av.AudioFrame.from_ndarray(
                np.zeros((1, 1024), np.float32), format="fltp", layout="mono"
            )
            samples.sample_rate = 44100
            container.mux(stream.encode(samples))
        container.mux(stream.encode())
    whole = gradient_clip.read_bytes()  # written without faststart: the index is at the end
    (folder / "cut.mp4").write_bytes(whole[: len(whole) // 2])
    avi = write_clip(folder / "mpeg4.avi", frames=8, codec="mpeg4")
    (folder / "unknown.avi").write_bytes(avi.read_bytes().replace(b"FMP4", b"QQQQ"))
    mkv = bytearray(write_clip(folder / "ffv1.mkv", frames=8, codec="ffv1").read_bytes())
    noise = np.random.default_rng(3).integers(0, 256, len(mkv) - 2000, dtype=np.uint8)
    mkv[2000:] = noise.tobytes()
    (folder / "garbage.mkv").write_bytes(bytes(mkv))
    return {
        "missing": folder / "nothing-here.mp4",
        "directory": folder,
        "empty": folder / "empty.mp4",
        "text renamed .mp4": folder / "notes.mp4",
        "audio only": folder / "voice.m4a",
        "cut before the index": folder / "cut.mp4",
        "unknown codec": folder / "unknown.avi",
        "garbage frames": folder / "garbage.mkv",
    }


def _red_corner(image: np.ndarray) -> str:
    height, width = image.shape[:2]
    corners = {
        "top-left": image[2, 2],
        "top-right": image[2, width - 3],
        "bottom-left": image[height - 3, 2],
        "bottom-right": image[height - 3, width - 3],
    }
    red = [name for name, (r, g, b) in corners.items() if r > 200 and g < 60 and b < 60]
    assert len(red) == 1, f"expected the marker in one corner, found {red}"
    return red[0]
