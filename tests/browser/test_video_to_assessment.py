"""A clip's measurements carried into the interview: analyse, "Use this", answer, read the result."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from facespasm.video.synthetic import PlantedEvent, render

from .interview_steps import answer_until_result, skip_description

LEFT_SPASMS = (
    PlantedEvent("spasm", 1.0, 1.6, "left", ("eyelid", "cheek", "mouth"), 0.9),
    PlantedEvent("spasm", 3.5, 4.0, "left", ("eyelid",), 0.9),
)
AT_LEAST_A_DOCTOR = re.compile(r"\blevel-(see_doctor|see_doctor_soon|emergency)\b")


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five seconds of a synthetic face with two left-sided spasms, one spreading to the mouth."""
    return render(tmp_path_factory.mktemp("clip") / "left.mp4", LEFT_SPASMS, duration_s=5.0).path


def answer_no_or_dont_know(page) -> None:
    """Answer "No" to a yes/no question and "Don't know" to anything else, keeping the video's evidence."""
    controls = page.locator("#answer-controls")
    name = "No" if controls.get_attribute("data-type") == "boolean" else "Don't know"
    controls.get_by_role("button", name=name, exact=True).click()


def test_video_evidence_reaches_the_assessment(page, server, clip, screenshot):
    page.goto("/video")
    page.get_by_label("Video file").set_input_files(str(clip))
    page.get_by_role("button", name="Analyse this video").click()
    expect(page.locator("#results")).to_be_visible(timeout=60_000)
    expect(page.locator("#timeline rect.event[data-kind='spasm']").first).to_be_visible()
    side = page.locator("#evidence-table tbody tr[data-finding='side']")
    expect(side.get_by_role("cell").first).to_have_text("side of the face: one side")
    # People read words: no finding ids, no raw keys or dicts.
    for shown in (page.locator("#evidence-table"), page.locator("#summary")):
        expect(shown).not_to_contain_text("_")
        expect(shown).not_to_contain_text("{")

    use = page.get_by_role("button", name="Use this in my assessment")
    expect(use).to_be_enabled()
    use.click()
    expect(page.locator("#use-status")).to_contain_text("Saved for your assessment")
    page.get_by_role("link", name="Go to the interview").click()

    expect(page.locator("#video-note")).to_be_visible()
    skip_description(page)
    answer_until_result(page, answer_no_or_dont_know)

    banner = page.locator(".banner")
    expect(banner).to_be_visible()
    assert AT_LEAST_A_DOCTOR.search(banner.get_attribute("class") or ""), banner.inner_text()

    used = page.get_by_role("region", name="What we used")
    expect(used).to_be_visible()
    from_video = used.locator("li[data-origin='video']")
    expect(from_video.first).to_be_visible()
    video_side = used.locator("li[data-finding='side']")
    expect(video_side).to_have_attribute("data-origin", "video")
    expect(video_side).to_contain_text("side of the face: one side")
    expect(video_side).to_contain_text("from your video")
    expect(used.locator("li[data-origin='answer']").first).to_contain_text("from your answer")
    screenshot(page, "video-to-assessment")
