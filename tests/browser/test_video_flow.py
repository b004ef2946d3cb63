"""Analyse a real clip in Chromium: uploaded as a file, and recorded from a fake webcam."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from .waiting import wait_for

RECORD_SECONDS = 4


def write_y4m(source: Path, target: Path) -> Path:
    """Decode a clip and write it as YUV4MPEG2 (planar I420), the format Chromium's fake camera reads."""
    import av

    with av.open(str(source)) as container, target.open("wb") as out:
        stream = container.streams.video[0]
        fps = round(float(stream.average_rate or 30))
        header_written = False
        for frame in container.decode(stream):
            yuv = frame.reformat(format="yuv420p")
            if not header_written:
                out.write(
                    f"YUV4MPEG2 W{yuv.width} H{yuv.height} F{fps}:1 Ip A1:1 C420jpeg\n".encode()
                )
                header_written = True
            out.write(b"FRAME\n")
            out.write(np.ascontiguousarray(yuv.to_ndarray()).tobytes())
    return target


@pytest.fixture(scope="module")
def clip(shared: Path) -> Path:
    """A real 2.4 s clip of one face with one blink."""
    return shared / "media" / "single_face.mp4"


def check_results(page) -> None:
    results = page.locator("#results")
    expect(results).to_be_visible(timeout=60_000)
    expect(page.locator("#timeline svg")).to_be_visible()
    expect(page.locator("#summary dt").first).to_be_visible()
    use = page.get_by_role("button", name="Use this in my assessment")
    if use.is_disabled():  # a clip this short measures nothing the interview can use
        expect(page.locator("#evidence-table")).to_contain_text("Nothing the interview can use")
        return
    use.click()
    expect(page.locator("#use-status")).to_contain_text("Saved for your assessment")
    stored = page.evaluate("sessionStorage.getItem('facespasm.video_evidence')")
    assert stored and stored.startswith("{")


def test_uploaded_clip_shows_its_blink(page, server, clip, screenshot):
    page.goto("/video")
    page.get_by_label("Video file").set_input_files(str(clip))
    page.get_by_role("button", name="Analyse this video").click()
    check_results(page)
    blinks = page.locator("#timeline rect.event[data-kind='blink']")
    expect(blinks).to_have_count(1)
    blinks.first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#event-detail")).to_contain_text("blink")
    screenshot(page, "video-upload")


def test_recording_from_a_fake_camera_is_analysed(launch, server, clip, screenshot, tmp_path):
    y4m = write_y4m(clip, tmp_path / "clip.y4m")
    browser = launch(
        [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={y4m}",
        ]
    )
    context = browser.new_context(base_url=server.url, viewport={"width": 1000, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/video?seconds={RECORD_SECONDS}")
    expect(page.locator("#record-seconds")).to_have_text(str(RECORD_SECONDS))
    page.get_by_role("button", name="Start camera").click()
    expect(page.locator("#camera .guide ellipse")).to_be_attached()
    wait_for(page, "() => document.getElementById('preview').videoWidth > 0")
    page.get_by_role("button", name="Record").click()
    expect(page.locator("#record-time")).to_contain_text("Recording")
    screenshot(page, "video-recording")
    check_results(page)
    expect(page.locator("#video-info")).to_contain_text("frames")
    screenshot(page, "video-recorded")
    context.close()
    assert not errors, errors
