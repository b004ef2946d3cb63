"""`facespasm synth`: write a synthetic spasm video and its ground truth, for tests and demos."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

SCRIPT_HELP = (
    "A JSON list of events to plant, each "
    '{"kind", "start_s", "end_s", "side", "regions", "amplitude"}; or a ground-truth file '
    "written by synth, whose duration and fps then become the defaults. Without it, a realistic "
    "mix of blinks, one-sided spasms, a forceful closure, a flicker and a smile is planted."
)


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
) -> None:
    """Write a synthetic face video with planted blinks and spasms, and its ground truth."""
    from facespasm.errors import InputError
    from facespasm.video.synthetic import check_within, default_script, read_script, render

    if script is None:
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
    video = render(out, events, duration_s, fps=rate, seed=seed)
    counts: dict[str, int] = {}
    for event in video.events:
        counts[event.kind] = counts.get(event.kind, 0) + 1
    planted = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "nothing"
    typer.echo(
        f"wrote {out} ({duration_s:g} s at {rate:g} fps; planted {planted}) "
        f"and its ground truth {out.with_suffix('.json')}"
    )
