"""`facespasm synth`: write a synthetic spasm video and its ground truth, for tests and demos."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from facespasm.video.faces import FaceImage

SCRIPT_HELP = (
    "A JSON list of events to plant, each "
    '{"kind", "start_s", "end_s", "side", "regions", "amplitude"}; or a ground-truth file '
    "written by synth, whose duration and fps then become the defaults. Without it, a realistic "
    "mix of blinks, one-sided spasms, a forceful closure, a flicker and a smile is planted."
)
FACE_HELP = (
    "The face to plant the events in: 'astronaut' (the default), or a photo or video of a face "
    "(a video's frame at --face-at seconds is used)."
)
DISORDER_HELP = (
    "Plant a clip typical of one disorder instead of the mix: hfs (hemifacial spasm), "
    "blepharospasm, synkinesis, myokymia or blinks (ordinary blinking only)."
)
# The --disorder values, and the disorder names of `facespasm.video.disorders` they stand for.
DISORDERS = {
    "hfs": "hemifacial_spasm",
    "blepharospasm": "blepharospasm",
    "synkinesis": "synkinesis",
    "myokymia": "myokymia",
    "blinks": "blinks",
}


def synth_command(
    out: Annotated[
        Path,
        typer.Argument(
            help="The .mp4 video to write; its ground truth goes beside it as .json.",
            metavar="OUT.mp4",
        ),
    ],
    duration: Annotated[
        float | None,
        typer.Option(help="Length of the video in seconds (default: the script's, else 20)."),
    ] = None,
    fps: Annotated[
        float | None,
        typer.Option(help="Frames per second (default: the script's, else 30)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for the planted mix, noise and sway.")] = 0,
    script: Annotated[
        Path | None, typer.Option("--script", help=SCRIPT_HELP, metavar="FILE.json")
    ] = None,
    face: Annotated[
        str, typer.Option("--face", help=FACE_HELP, metavar="PATH_OR_NAME")
    ] = "astronaut",
    face_at: Annotated[
        float, typer.Option("--face-at", help="With a video --face: the frame's time in seconds.")
    ] = 0.0,
    disorder: Annotated[
        str | None,
        typer.Option("--disorder", help=DISORDER_HELP, metavar="|".join(DISORDERS)),
    ] = None,
    side: Annotated[
        str, typer.Option(help="With --disorder: the side it is planted on, left or right.")
    ] = "left",
) -> None:
    """Write a synthetic face video with planted blinks and spasms, and its ground truth."""
    from facespasm.errors import InputError
    from facespasm.video.synthetic import check_within, default_script, read_script, render

    picture = _face(face, face_at)
    if disorder is not None:
        from facespasm.video.disorders import disorder_script

        if script is not None:
            raise InputError("give either --disorder or --script, not both")
        if disorder not in DISORDERS:
            raise InputError(f"unknown --disorder {disorder!r} (expected {', '.join(DISORDERS)})")
        if side not in ("left", "right"):
            raise InputError(f"--side must be left or right, not {side!r}")
        duration_s = 20.0 if duration is None else duration
        events = disorder_script(DISORDERS[disorder], duration_s, seed=seed, side=side)  # type: ignore[arg-type]
        rate = 30.0 if fps is None else fps
    elif script is None:
        duration_s = 20.0 if duration is None else duration
        events = default_script(duration_s, seed=seed)
        rate = 30.0 if fps is None else fps
    else:
        parsed = read_script(script)
        duration_s = duration if duration is not None else parsed.duration_s or 20.0
        rate = fps if fps is not None else parsed.fps or 30.0
        events = parsed.events
        try:
            check_within(events, duration_s)
        except InputError as error:
            raise InputError(f"{script}: {error}") from None
    from facespasm.video.landmarks import quiet_native_logs

    with quiet_native_logs():  # the face mesh finds a photo's landmarks: its chatter is not ours
        video = render(out, events, duration_s, fps=rate, seed=seed, face=picture)
    counts: dict[str, int] = {}
    for event in video.events:
        counts[event.kind] = counts.get(event.kind, 0) + 1
    planted = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "nothing"
    typer.echo(
        f"wrote {out} ({duration_s:g} s at {rate:g} fps; planted {planted}) "
        f"and its ground truth {out.with_suffix('.json')}"
    )


def _face(face: str, at_s: float) -> FaceImage:
    """The --face option as a face to render: the astronaut by name, else a picture's path."""
    from facespasm.errors import InputError
    from facespasm.video.faces import ASTRONAUT, FaceImage

    if face == "astronaut":
        return ASTRONAUT
    path = Path(face)
    if not path.is_file():
        raise InputError(f"--face {face!r} is neither 'astronaut' nor a photo or video file")
    if not (math.isfinite(at_s) and at_s >= 0):
        raise InputError(f"--face-at must be a time in seconds from 0, not {at_s:g}")
    return FaceImage(path.stem, path, at_s=at_s)
