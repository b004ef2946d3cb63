"""`facespasm analyze VIDEO`, `facespasm synth`, and `facespasm assess --video`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import av
import pytest

from facespasm.video.synthetic import PlantedEvent, render

from ..answers import SAFE
from .conftest import ANSWERS, Run

LEFT_SPASMS = (
    PlantedEvent("spasm", 1.0, 1.6, "left", ("eyelid", "cheek", "mouth"), 0.9),
    PlantedEvent("blink", 2.5, 2.7, "both", ("eyelid",)),
    PlantedEvent("spasm", 3.5, 4.0, "left", ("eyelid",), 0.9),
)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five seconds of a face with two left-sided spasms and a blink."""
    return render(tmp_path_factory.mktemp("clip") / "left.mp4", LEFT_SPASMS, duration_s=5.0).path


def test_the_json_holds_the_contract_fields(facespasm: Run, clip: Path) -> None:
    done = facespasm("analyze", str(clip), "--json", "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert "inference_feedback_manager" not in done.stderr  # the CLI quiets MediaPipe
    result = json.loads(done.stdout)
    assert {"frames", "fps", "duration_s", "face_frames"} <= set(result["video"])
    assert result["video"]["frames"] == result["video"]["face_frames"] == 150
    assert [(e["kind"], e["side"]) for e in result["events"]] == [
        ("spasm", "left"),
        ("blink", "both"),
        ("spasm", "left"),
    ]
    for event in result["events"]:
        assert {"start_s", "end_s", "kind", "side", "regions"} <= set(event)
    assert list(result["summary"]) == [  # the typed summary gives the same JSON
        "face_minutes",
        "blink_rate_per_min",
        "events_per_min",
        "events_by_side",
        "events_by_region",
        "longest_closure_s",
        "eyes_closed_s",
        "usual_aperture_mm",
        "spasm_asymmetry",
    ]
    assert result["evidence"]["side"] == "one"
    assert result["evidence_detail"]["side"]["confidence"] > 0.5
    assert result["timing"]["frames_per_second"] > 0


def test_save_keeps_a_dated_measurement_in_the_diary(
    facespasm: Run, clip: Path, tmp_path: Path
) -> None:
    from facespasm.diary.database import open_database

    db = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    open_database(db, schema="upgrade").dispose()
    done = facespasm("analyze", str(clip), "--json", "--save", "--db", db)
    assert done.returncode == 0, done.stderr
    assert "kept in your diary as measurement" in done.stderr
    result = json.loads(done.stdout)
    (kept,) = json.loads(facespasm("diary", "measurements", "--json", "--db", db).stdout)
    assert kept["local_date"] == dt.date.today().isoformat()
    assert kept["face_minutes"] == result["summary"]["face_minutes"]
    assert kept["blink_rate_per_min"] == result["summary"]["blink_rate_per_min"]


def test_the_readable_summary_and_the_plot(facespasm: Run, clip: Path, tmp_path: Path) -> None:
    plot = tmp_path / "timeline.png"
    done = facespasm("analyze", str(clip), "--plot", str(plot))
    assert done.returncode == 0, done.stderr
    assert "3 events" in done.stdout and "spasm" in done.stdout
    said = " ".join(done.stdout.split())
    assert "side of the face: one side" in said  # in words, never "side = one"
    assert "Usual eyelid opening left" in said and "{" not in said
    assert "not a diagnosis" in done.stdout
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_annotated_video_has_every_frame(facespasm: Run, clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "annotated.mp4"
    done = facespasm("analyze", str(clip), "--json", "--annotate", str(out))
    assert done.returncode == 0, done.stderr
    with av.open(str(out)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 150


def test_assess_takes_the_video_as_evidence(facespasm: Run, clip: Path, tmp_path: Path) -> None:
    answers = json.loads((ANSWERS / "exam_stress.json").read_text())
    del answers["regions"]  # left to the video
    (tmp_path / "answers.json").write_text(json.dumps(answers))
    done = facespasm(
        "assess", "--answers", str(tmp_path / "answers.json"), "--video", str(clip), "--json"
    )
    assert done.returncode == 0, done.stderr
    evidence = json.loads(done.stdout)["evidence"]
    assert evidence["side"]["value"] == "one"
    assert evidence["side"]["origin"] == "answer"  # the person's answer outranks the video
    assert evidence["regions"]["origin"] == "video"
    assert "mouth" in evidence["regions"]["value"]
    assert "confidence" in evidence["regions"]["detail"]


def test_assess_says_so_when_the_video_alone_shows_nothing(facespasm: Run, shared: Path) -> None:
    # 2.4 s of a face and one blink: no event to read, too short for a blink rate.
    done = facespasm("assess", "--video", str(shared / "media" / "single_face.mp4"), "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip() == (
        "facespasm: error: single_face.mp4: the video showed nothing to assess (no spasm, "
        "closure or flicker, and too little face time for a blink rate), so it cannot tell "
        "what causes a twitch it did not catch; film it while it happens, or answer the "
        "interview (without --json), or add --answers or --text"
    )


@pytest.fixture(scope="module")
def ordinary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sixteen seconds of a face blinking 15 times a minute, and nothing else."""
    blinks = [PlantedEvent("blink", t, t + 0.2, "both", ("eyelid",)) for t in (1, 5, 9, 13)]
    folder = tmp_path_factory.mktemp("ordinary")
    return render(folder / "ordinary.mp4", blinks, duration_s=16.0, size=320).path


def test_a_video_that_caught_no_twitch_is_no_assessment_on_its_own(
    facespasm: Run, ordinary: Path, tmp_path: Path
) -> None:
    # Ordinary blinking is all it shows: it must not rank causes, still less reassure.
    measured = json.loads(facespasm("analyze", str(ordinary), "--json").stdout)
    assert measured["evidence"] == {"increased_blinking": False}
    assert (
        "The video caught no twitch, spasm or closure" in facespasm("analyze", str(ordinary)).stdout
    )
    for command in (
        ("assess", "--video", str(ordinary), "--json"),
        ("report", "--video", str(ordinary), "--html", str(tmp_path / "report.html")),
    ):
        done = facespasm(*command)
        assert done.returncode == 2, command
        assert done.stdout == ""
        assert "ordinary.mp4: the video showed nothing to assess" in done.stderr
        assert "ordinary blinking" in done.stderr
        assert "film it while it happens" in done.stderr
    assert not (tmp_path / "report.html").exists()


def test_a_video_in_which_the_eyes_never_closed_says_so_and_claims_no_blink_rate(
    facespasm: Run, tmp_path: Path
) -> None:
    # Sixteen seconds of a face that never blinks: on a small, dim or turned face the face mesh
    # may not follow the lids at all, and "normal blinking" would then be a guess.
    still = render(tmp_path / "still.mp4", (), duration_s=16.0, size=320).path
    measured = json.loads(facespasm("analyze", str(still), "--json").stdout)
    assert measured["summary"]["blink_rate_per_min"] is None  # not measured, not "none"
    assert measured["summary"]["events_per_min"]["blink"] == 0
    assert "increased_blinking" not in measured["evidence"]
    (warning,) = [w for w in measured["warnings"] if "blink" in w]
    assert warning.startswith("not one blink in 16 s of face: the eyelids may not have been")
    done = facespasm("assess", "--video", str(still), "--json")
    assert done.returncode == 2
    assert "(no spasm, closure or flicker, and not one blink)" in done.stderr


def test_with_answers_a_video_of_ordinary_blinking_counts_and_stays_self_care(
    facespasm: Run, ordinary: Path, tmp_path: Path
) -> None:
    # A few days' flicker of one eyelid under stress, every red flag ruled out.
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps({**json.loads((ANSWERS / "exam_stress.json").read_text()), **SAFE})
    )
    done = facespasm("assess", "--answers", str(answers), "--video", str(ordinary), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    blinking = result["evidence"]["increased_blinking"]
    assert (blinking["value"], blinking["origin"]) == (False, "video")
    assert result["triage"]["level"] == "self_care"


def test_synth_writes_a_clip_and_its_ground_truth(facespasm: Run, tmp_path: Path) -> None:
    out = tmp_path / "demo.mp4"
    done = facespasm("synth", str(out), "--duration", "3", "--seed", "2")
    assert done.returncode == 0, done.stderr
    truth = json.loads(out.with_suffix(".json").read_text())
    assert truth["duration_s"] == 3
    assert out.stat().st_size > 10_000


BAD_VIDEOS = [
    # (file name, content, words of the message)
    ("empty.mp4", b"", "empty"),
    ("notes.mp4", b"this is a text file, not a video\n" * 20, "not a video"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_VIDEOS, ids=[b[0] for b in BAD_VIDEOS])
def test_a_bad_video_is_one_clear_line(
    facespasm: Run, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    done = facespasm("analyze", str(path), "--json")
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.startswith("facespasm:")]
    assert len(lines) == 1 and message in lines[0].lower(), done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_video_and_a_faceless_one(facespasm: Run, tmp_path: Path, shared: Path) -> None:
    missing = facespasm("analyze", str(tmp_path / "nope.mp4"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    faceless = facespasm("analyze", str(shared / "media" / "no_face.mp4"))
    assert faceless.returncode == 2
    assert "no face found" in faceless.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((), "give a VIDEO file or --camera N"),
        (("x.mp4", "--camera", "0"), "give a VIDEO file or --camera N"),
        (("x.mp4", "--max-side", "10"), "max_side must be between 64 and 4096 pixels, not 10"),
        (("x.mp4", "--seconds", "0"), "seconds must be more than 0 and at most 600, not 0.0"),
        (("x.mp4", "--workers", "0"), "workers must be a whole number from 1 to 32, not 0"),
        (("x.mp4", "--workers", "many"), "--workers must be auto or a number from 1 to 32"),
    ],
)
def test_bad_options(facespasm: Run, arguments: tuple[str, ...], message: str) -> None:
    done = facespasm("analyze", *arguments)
    assert done.returncode == 2
    assert message in done.stderr


def test_a_camera_that_cannot_be_opened_is_a_clear_error(facespasm: Run) -> None:
    done = facespasm("analyze", "--camera", "7", "--seconds", "1")
    assert done.returncode == 2
    assert "camera 7" in done.stderr
    assert "Traceback" not in done.stderr


def test_auto_workers_are_one_per_core_and_a_number_is_taken_as_given() -> None:
    from facespasm.cli.analyze import worker_count
    from facespasm.video.segments import MAX_WORKERS, available_cores

    assert worker_count("auto") == worker_count(" AUTO ") == min(available_cores(), MAX_WORKERS)
    assert worker_count("3") == 3
