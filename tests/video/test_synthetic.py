"""Synthetic spasm videos: MediaPipe sees what was planted, on the planted side, and nothing else.

One short clip is rendered for the module and measured with the real face mesh, frame by frame,
the way the detector will measure real videos.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest

from facespasm.cli.synth import synth_command
from facespasm.errors import InputError
from facespasm.video.synthetic import (
    PlantedEvent,
    SyntheticVideo,
    default_script,
    parse_script,
    read_script,
    render,
)

FPS = 30.0
DURATION = 6.0
PLANTED = (
    PlantedEvent("blink", 0.6, 0.85, "both", ("eyelid",), 1.0),
    PlantedEvent("spasm", 1.3, 2.3, "right", ("eyelid", "cheek", "mouth"), 1.0),  # tonic
    PlantedEvent("closure", 2.8, 3.6, "both", ("eyelid", "brow", "cheek"), 1.0),
    PlantedEvent("spasm", 4.1, 4.35, "left", ("eyelid",), 1.0),  # one clonic twitch
    PlantedEvent("spasm", 4.8, 5.4, "left", ("mouth",), 1.0),
)
# Face-mesh indices per anatomical side: lids, eye corners, mouth corner.
EYE = {"right": (159, 145, 33, 133), "left": (386, 374, 362, 263)}
MOUTH = {"right": 61, "left": 291}
NOSE_TIP, IRIS = 1, (468, 473)


@dataclass
class Measures:
    """Per-frame face-mesh measures of the rendered clip."""

    t: np.ndarray
    found: np.ndarray
    ear: dict[str, np.ndarray]  # eyelid aperture / eye width
    mouth: dict[str, np.ndarray]  # corner relative to the nose tip, in interocular distances

    def during(self, event: PlantedEvent) -> np.ndarray:
        return (self.t >= event.start_s) & (self.t <= event.end_s)

    def quiet(self) -> np.ndarray:
        """Frames well clear of every planted event."""
        busy = np.zeros(len(self.t), bool)
        for e in PLANTED:
            busy |= (self.t >= e.start_s - 0.1) & (self.t <= e.end_s + 0.1)
        return ~busy

    def baseline_ear(self, side: str) -> float:
        return float(np.median(self.ear[side][self.quiet()]))

    def mouth_shift(self, side: str) -> np.ndarray:
        rest = np.median(self.mouth[side][self.quiet()], axis=0)
        return np.linalg.norm(self.mouth[side] - rest, axis=1)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> SyntheticVideo:
    """A 6 s clip at 30 fps with a blink, a closure and one-sided eye and mouth spasms."""
    return render(tmp_path_factory.mktemp("synth") / "clip.mp4", PLANTED, DURATION, fps=FPS)


@pytest.fixture(scope="module")
def measures(clip: SyntheticVideo) -> Measures:
    """The clip read back with PyAV and measured with MediaPipe face mesh (tracking mode)."""
    import mediapipe as mp  # type: ignore[import-untyped]

    times, found = [], []
    ear: dict[str, list[float]] = {"right": [], "left": []}
    mouth: dict[str, list[np.ndarray]] = {"right": [], "left": []}
    with (
        av.open(str(clip.path)) as container,
        mp.solutions.face_mesh.FaceMesh(refine_landmarks=True, max_num_faces=1) as mesh,
    ):
        for frame in container.decode(video=0):
            image = frame.to_ndarray(format="rgb24")
            result = mesh.process(image)
            times.append(float(frame.time or 0.0))
            found.append(bool(result.multi_face_landmarks))
            if not result.multi_face_landmarks:
                for side, apertures in ear.items():
                    apertures.append(np.nan)
                    mouth[side].append(np.array([np.nan, np.nan]))
                continue
            h, w = image.shape[:2]
            points = np.array([(p.x * w, p.y * h) for p in result.multi_face_landmarks[0].landmark])
            interocular = np.linalg.norm(points[IRIS[0]] - points[IRIS[1]])
            for side, (top, bottom, inner_or_outer, other_corner) in EYE.items():
                width = np.linalg.norm(points[inner_or_outer] - points[other_corner])
                ear[side].append(float(np.linalg.norm(points[top] - points[bottom]) / width))
                mouth[side].append((points[MOUTH[side]] - points[NOSE_TIP]) / interocular)
    return Measures(
        np.array(times),
        np.array(found),
        {side: np.array(v) for side, v in ear.items()},
        {side: np.array(v) for side, v in mouth.items()},
    )


def test_the_clip_has_every_frame(clip: SyntheticVideo, measures: Measures) -> None:
    assert len(measures.t) == round(DURATION * FPS)
    assert measures.t[1] - measures.t[0] == pytest.approx(1 / FPS, abs=1e-3)


def test_a_face_is_found_in_every_frame(measures: Measures) -> None:
    assert measures.found.all(), f"no face at t = {measures.t[~measures.found]}"


EYE_CLOSURES = [
    (e, side)
    for e in PLANTED
    if "eyelid" in e.regions
    for side in (("right", "left") if e.side == "both" else (e.side,))
]


@pytest.mark.parametrize(
    ("event", "side"), EYE_CLOSURES, ids=[f"{e.kind}@{e.start_s}-{s}" for e, s in EYE_CLOSURES]
)
def test_the_planted_eye_closes(measures: Measures, event: PlantedEvent, side: str) -> None:
    lowest = np.nanmin(measures.ear[side][measures.during(event)]) / measures.baseline_ear(side)
    assert lowest < 0.5, f"{side} eye aperture only fell to {lowest:.0%} of its baseline"


UNILATERAL_EYE = [e for e in PLANTED if "eyelid" in e.regions and e.side != "both"]


@pytest.mark.parametrize(
    "event", UNILATERAL_EYE, ids=[f"{e.side}@{e.start_s}" for e in UNILATERAL_EYE]
)
def test_the_other_eye_stays_open_in_a_one_sided_spasm(
    measures: Measures, event: PlantedEvent
) -> None:
    other = "left" if event.side == "right" else "right"
    ratio = measures.ear[other][measures.during(event)] / measures.baseline_ear(other)
    assert np.all(np.abs(ratio - 1) < 0.15), (
        f"{other} eye aperture ranged {ratio.min():.0%}–{ratio.max():.0%}"
    )


MOUTH_SPASMS = [e for e in PLANTED if "mouth" in e.regions]


@pytest.mark.parametrize("event", MOUTH_SPASMS, ids=[f"{e.side}@{e.start_s}" for e in MOUTH_SPASMS])
def test_the_planted_mouth_corner_moves_and_the_other_does_not(
    measures: Measures, event: PlantedEvent
) -> None:
    other = "left" if event.side == "right" else "right"
    during = measures.during(event)
    # Shifts are in interocular distances; the full pull is 0.16, landmark jitter about 0.02.
    assert measures.mouth_shift(event.side)[during].max() > 0.07
    assert measures.mouth_shift(other)[during].max() < 0.04


def test_nothing_moves_outside_the_planted_events(measures: Measures) -> None:
    quiet = measures.quiet()
    assert quiet.sum() > 40  # enough rest to mean something
    for side in ("right", "left"):
        ratio = measures.ear[side][quiet] / measures.baseline_ear(side)
        assert np.all(np.abs(ratio - 1) < 0.12), (
            f"{side} eye at rest ranged {ratio.min():.0%}–{ratio.max():.0%}"
        )
        assert measures.mouth_shift(side)[quiet].max() < 0.04


def test_the_ground_truth_round_trips(clip: SyntheticVideo) -> None:
    written = json.loads(clip.path.with_suffix(".json").read_text())
    assert written == clip.ground_truth()
    assert written["fps"] == FPS
    assert written["duration_s"] == DURATION
    assert [e["kind"] for e in written["events"]] == [e.kind for e in PLANTED]
    replayed = parse_script(written)
    assert replayed.events == clip.events
    assert (replayed.duration_s, replayed.fps) == (DURATION, FPS)


@pytest.mark.parametrize("seed", range(6))
def test_the_default_script_is_a_realistic_hemifacial_mix(seed: int) -> None:
    events = default_script(20.0, seed=seed)
    assert default_script(20.0, seed=seed) == events  # reproducible
    kinds = [e.kind for e in events]
    assert 3 <= kinds.count("blink") <= 7  # ~15 a minute
    assert all(0.1 <= e.end_s - e.start_s <= 0.3 for e in events if e.kind == "blink")
    spasms = [e for e in events if e.kind == "spasm"]
    assert spasms and len({e.side for e in spasms}) == 1  # hemifacial: always the same side
    assert any("mouth" in e.regions for e in spasms)
    (closure,) = [e for e in events if e.kind == "closure"]
    assert closure.end_s - closure.start_s >= 0.6 and closure.side == "both"
    (flicker,) = [e for e in events if e.kind == "flicker"]
    assert 0.1 <= flicker.amplitude <= 0.2 and 1 <= flicker.end_s - flicker.start_s <= 2
    (smile,) = [e for e in events if e.kind == "smile_closure"]
    assert smile.side == spasms[0].side
    for earlier, later in itertools.pairwise(events):
        assert earlier.end_s <= later.start_s, f"{earlier} overlaps {later}"
    assert events[-1].end_s <= 20.0


def _event(**changes: object) -> dict[str, object]:
    event: dict[str, object] = {
        "kind": "blink",
        "start_s": 1.0,
        "end_s": 1.2,
        "side": "both",
        "regions": ["eyelid"],
        "amplitude": 1.0,
    }
    event.update(changes)
    return event


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("", "is empty"),
        ('"blink"', "a JSON list of events"),
        (json.dumps([_event(kind="yawn")]), "event 1: unknown kind 'yawn'"),
        (json.dumps([_event(start_s=-0.5)]), "event 1: start_s is negative"),
        (
            json.dumps([_event(start_s=2.0, end_s=1.0)]),
            "event 1: end_s (1.0 s) is not after start_s",
        ),
        (
            json.dumps([_event(), _event(start_s=19.9, end_s=20.5)]),
            "event 2 ends at 20.5 s, after the end of the 20 s video",
        ),
        (
            json.dumps({"duration_s": 5, "events": [_event(end_s=6.0)]}),
            "after the end of the 5 s video",
        ),
        (json.dumps([_event(side="up")]), "unknown side 'up'"),
        (json.dumps([_event(regions=["ear"])]), "unknown region 'ear'"),
        (json.dumps([_event(regions="eyelid")]), "regions must be a list"),
        (json.dumps([_event(amplitude=1.5)]), "amplitude must be in (0, 1]"),
        (json.dumps([_event(start_s="1")]), "start_s must be a number"),
        (json.dumps([{"kind": "blink"}]), "event 1 lacks start_s, end_s, side, regions"),
        (json.dumps([_event(speed=2)]), "unknown field 'speed'"),
        # a blink is both eyes; a flicker is one
        (json.dumps([_event(side="left")]), "side must be 'both'"),
        (json.dumps([_event(kind="flicker")]), "side must be 'left' or 'right'"),
        (json.dumps({"fps": -30, "events": []}), "fps must be a positive number"),
    ],
)
def test_a_bad_script_is_refused_with_a_reason(tmp_path: Path, content: str, message: str) -> None:
    script = tmp_path / "script.json"
    script.write_text(content)
    with pytest.raises(InputError) as caught:
        synth_command(tmp_path / "out.mp4", duration=None, fps=None, seed=0, script=script)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "out.mp4").exists()


def test_a_missing_script_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="script file not found"):
        read_script(tmp_path / "nope.json")


@pytest.mark.parametrize(
    ("name", "changes", "message"),
    [
        ("clip.avi", {}, "must be an .mp4 file"),
        ("missing/clip.mp4", {}, "folder does not exist"),
        ("clip.mp4", {"fps": 0.0}, "fps must be between"),
        ("clip.mp4", {"duration_s": -1.0}, "duration must be between"),
    ],
)
def test_render_refuses_bad_settings(
    tmp_path: Path, name: str, changes: dict, message: str
) -> None:
    arguments = {"duration_s": 1.0, "fps": 30.0} | changes
    with pytest.raises(InputError, match=message):
        render(tmp_path / name, (), **arguments)


def test_the_command_writes_a_replayable_video(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo.mp4"
    synth_command(out, duration=2.0, fps=15.0, seed=3, script=None)
    summary = capsys.readouterr().out
    assert summary.count("\n") == 1 and f"wrote {out} (2 s at 15 fps" in summary
    truth = json.loads(out.with_suffix(".json").read_text())
    assert truth["fps"] == 15.0 and truth["duration_s"] == 2.0
    with av.open(str(out)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 30
    # The ground truth replays as a script, with its own duration and fps.
    again = tmp_path / "again.mp4"
    synth_command(again, duration=None, fps=None, seed=3, script=out.with_suffix(".json"))
    assert json.loads(again.with_suffix(".json").read_text()) == truth
