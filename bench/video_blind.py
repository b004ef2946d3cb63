"""Video alone on clips made blind (issue 15), for bench/RESULTS.md: run by hand, never a test.

The clips come from `bench/blind_video/make_clips.py`, written by a writer who was given only the
medical facts, the face media and the truth format -- never this program, its detector, its
thresholds or its own clip generator (bench/blind_video/README.md says how the clips are made).
It is kept exactly as written (so it reads the face media from /work/shared/media, this
machine's layout). Each clip's `split` (from a hash of its id) puts it in a
development half or a **locked** half: tune on `dev` only, if ever; `locked` is run, never tuned.

    .venv/bin/python bench/blind_video/make_clips.py --out /tmp/blind-video
    .venv/bin/python -m bench.video_blind --clips /tmp/blind-video [--split dev] [--detail]

`--detail` prints a line per dev clip only, so that a look at a run's clips never shows a locked
one by accident (it happened once); `--detail-locked` adds them, for a report.

A second writer, briefed alike but told to build a third of the clips on real moving footage
and never shown the first set, wrote `bench/blind_video2/make_clips.py` (48 clips; its truth
also gives `image_side`); a third, shown neither, wrote `bench/blind_video3/make_clips.py` (48
clips, the same truth format), and a fourth, shown none of them, `bench/blind_video4/` (48
clips; its truth adds fields this scorer ignores); a fifth `bench/blind_video5/`, a sixth
`bench/blind_video6/`, a seventh `bench/blind_video7/`, an eighth `bench/blind_video8/`, a
ninth `bench/blind_video9/`, a tenth `bench/blind_video10/`, an eleventh
`bench/blind_video11/`, a twelfth `bench/blind_video12/`, a thirteenth `bench/blind_video13/`,
a fourteenth `bench/blind_video14/`, a fifteenth `bench/blind_video15/`, a sixteenth
`bench/blind_video16/`, a seventeenth `bench/blind_video17/`, an eighteenth
`bench/blind_video18/`, a nineteenth `bench/blind_video19/` and a twentieth
`bench/blind_video20/` (48 clips each, shown none of the others; the sixth's to twentieth's
truth give `image_side`, the seventh to twentieth split each class 4 dev and 4 locked). All are
scored the same way.

Each clip goes through what `facespasm assess --video CLIP --json` runs: `analyze_video` on the
file (default options), then `assess_case` on the video's evidence alone. Scored per class of the
writer's truth:
- top-1: the planted disorder is the first cause (HFS, blepharospasm, synkinesis, myokymia);
- side: the evidence's `side` against the truth (one side, or both), and for one-sided
  disorders, whether the one-sided events found lie mostly on the side the video shows. That is
  the writer's `side` for a clip of an unflipped face, and the other side for a horizontally
  flipped copy: the brief asked the writer to swap the side of a flipped copy, but a program
  cannot know a video was mirrored, and a mirrored face's twitch on the image's left is, to any
  viewer, the person's right (`shown_side`);
- self-care: the care level with the red flags that video alone leaves open answered "no" (what
  the clip itself decides; ⚑ video alone never is self-care); a hemifacial spasm, blepharospasm
  or synkinesis clip at self-care is a false reassurance. A clip that gives no evidence at all
  is "nothing caught", and so is one that shows no sign -- ordinary blinking alone
  (`VideoAnalysis.shows_a_sign`): `assess --video --json` then says the video showed nothing to
  assess and asks to film the twitch while it happens or answer the interview (a miss, counted
  apart, not a reassurance);
- blinks: the blink rate found against the writer's (`blink_rate_per_min`), and whether
  `increased_blinking` is found where the writer planted too many blinks.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from facespasm.case import assess_case
from facespasm.errors import VideoError
from facespasm.video.analysis import VideoAnalysis, analyze_video
from facespasm.video.landmarks import quiet_native_logs

# The writer's classes and the cause each should put first (None: no disorder planted).
CAUSE = {
    "normal": None,
    "frequent_blinking": None,
    "eyelid_myokymia": "myokymia",
    "hemifacial_spasm": "hemifacial_spasm",
    "blepharospasm": "blepharospasm",
    "synkinesis": "synkinesis",
}
# Planted disorders whose clip must never come out self-care.
NEVER_SELF_CARE = ("hemifacial_spasm", "blepharospasm", "synkinesis")
ONE_SIDED = ("eyelid_myokymia", "hemifacial_spasm", "synkinesis")


@dataclass
class Scored:
    """One clip's result against its truth."""

    id: str
    disorder: str
    split: str
    error: str | None = None
    top: str | None = None
    level: str | None = None
    side_evidence: str | None = None
    events_side: str | None = None
    blink_rate: float | None = None
    increased_blinking: bool = False
    evidence: dict[str, Any] | None = None
    caught: bool = False


def score_clip(clip: dict[str, Any], folder: Path) -> Scored:
    """Analyse one clip as `assess --video` does and read its result against the truth."""
    scored = Scored(clip["id"], clip["disorder"], clip["split"])
    try:
        analysis = analyze_video(folder / clip["file"])
    except VideoError as error:
        scored.error = str(error)
        return scored
    evidence = analysis.to_dict()["evidence"]
    assert isinstance(evidence, dict)
    scored.evidence = evidence
    scored.side_evidence = evidence.get("side")
    scored.increased_blinking = bool(evidence.get("increased_blinking"))
    scored.blink_rate = analysis.summary.blink_rate_per_min
    scored.events_side = _events_side(analysis)
    scored.caught = analysis.shows_a_sign
    if scored.caught:  # else nothing to assess from the video alone (`assess` refuses)
        result = assess_case(None, video=analysis.to_evidence())
        ruled_out = dict.fromkeys(result.triage.pending, False)
        scored.top = result.top.id
        scored.level = assess_case(ruled_out, video=analysis.to_evidence()).triage.level
    return scored


def shown_side(clip: dict[str, Any]) -> str:
    """The person's side the video shows: the writer's, swapped for a flipped copy of a face.

    A truth that also gives `image_side` (the second writer's) states the side as rendered.
    """
    side = str(clip["side"])
    if "image_side" in clip:
        return side
    if clip.get("flipped") and side in ("left", "right"):
        return "right" if side == "left" else "left"
    return side


def _events_side(analysis: VideoAnalysis) -> str | None:
    """The side most one-sided non-blink events lie on (None when there are none)."""
    sides = Counter(
        event.side
        for event in analysis.events
        if event.kind != "blink" and event.side in ("left", "right")
    )
    return sides.most_common(1)[0][0] if sides else None


def table(results: list[Scored], truth: dict[str, dict[str, Any]]) -> list[str]:
    """Markdown rows per class: clips, top-1, side, self-care, blinks."""
    rows = [
        "| class | clips | analysed | top-1 | evidence side right | events on the planted side "
        "| self-care | nothing caught | blink rate error, median | increased_blinking found |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    by_class: dict[str, list[Scored]] = defaultdict(list)
    for result in results:
        by_class[result.disorder].append(result)
    for disorder, cause in CAUSE.items():
        clips = by_class.get(disorder, [])
        if not clips:
            continue
        done = [r for r in clips if r.error is None]
        top1 = f"{sum(r.top == cause for r in done)}/{len(done)}" if cause else "—"
        side = "—"
        events_side = "—"
        planted = [shown_side(truth[r.id]) for r in done]
        if disorder in ONE_SIDED or disorder == "blepharospasm":
            wanted = "both" if disorder == "blepharospasm" else "one"
            side = f"{sum(r.side_evidence == wanted for r in done)}/{len(done)}"
        if disorder in ONE_SIDED:
            right = sum(r.events_side == p for r, p in zip(done, planted, strict=True))
            events_side = f"{right}/{len(done)}"
        self_care = sum(r.level == "self_care" for r in done)
        nothing = sum(not r.caught for r in done)
        errors = [
            abs(r.blink_rate - float(truth[r.id]["blink_rate_per_min"]))
            for r in done
            if r.blink_rate is not None and truth[r.id].get("blink_rate_per_min") is not None
        ]
        blink_error = f"{statistics.median(errors):.1f}/min" if errors else "—"
        increased = f"{sum(r.increased_blinking for r in done)}/{len(done)}"
        rows.append(
            f"| {disorder} | {len(clips)} | {len(done)} | {top1} | {side} | {events_side} | "
            f"{self_care}/{len(done)} | {nothing}/{len(done)} | {blink_error} | {increased} |"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=Path, required=True, help="make_clips.py's --out folder")
    parser.add_argument("--split", choices=["dev", "locked", "all"], default="all")
    parser.add_argument("--detail", action="store_true", help="a line per dev clip")
    parser.add_argument(
        "--detail-locked",
        action="store_true",
        help="a line per locked clip too: only to report, never to tune on",
    )
    parser.add_argument("--json", type=Path, help="also write every clip's result here")
    args = parser.parse_args(argv)
    clips = json.loads((args.clips / "truth.json").read_text())
    truth = {clip["id"]: clip for clip in clips}
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"command: {' '.join(sys.argv)}\n")
    results: dict[str, list[Scored]] = defaultdict(list)
    with quiet_native_logs():
        for clip in clips:
            if args.split in ("all", clip["split"]):
                results[clip["split"]].append(score_clip(clip, args.clips))
    for split in ("dev", "locked"):
        if results[split]:
            print(f"**{split}** ({len(results[split])} clips)\n")
            print("\n".join(table(results[split], truth)) + "\n")
            disorders = [r for r in results[split] if r.disorder in NEVER_SELF_CARE]
            reassured = sum(r.level == "self_care" for r in disorders)
            print(f"false reassurance ({split}): {reassured} of {len(disorders)}\n")
    everything = results["dev"] + results["locked"]
    if args.detail or args.detail_locked:
        shown = everything if args.detail_locked else results["dev"]
        if len(shown) < len(everything):
            print("(the locked clips' lines are left out: --detail-locked shows them)")
        for r in shown:
            t = truth[r.id]
            print(
                f"{r.id} {r.split} {r.disorder} side={shown_side(t)} face={t.get('face')} "
                f"{t.get('width')}x{t.get('height')}@{t.get('fps')}: "
                + (
                    f"ERROR {r.error}"
                    if r.error
                    else f"top={r.top} level={r.level} events_side={r.events_side} "
                    f"blinks {r.blink_rate if r.blink_rate is None else round(r.blink_rate, 1)}"
                    f"/{t.get('blink_rate_per_min')} {json.dumps(r.evidence)}"
                )
            )
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in everything], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
