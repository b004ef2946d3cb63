"""A timeline of the clip: each side's eye, brow, cheek and mouth over time, events shaded.

One row per region, the two sides in two colours, so a one-sided spasm stands out as one line
moving alone; blinks and closures are shaded grey across both sides, spasms and flickers in the
colour of their side.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from facespasm.video.analysis import VideoAnalysis
from facespasm.video.eyes import eye_closure
from facespasm.video.measures import SIDES

SIDE_COLOUR = {"left": "tab:blue", "right": "tab:orange", "both": "0.6"}
ROWS = (
    ("eyelid", "eye closure (0 open – 1 shut)"),
    ("brow", "brow height"),
    ("cheek", "cheek height"),
    ("mouth", "mouth corner, up"),
)


def plot_timeline(analysis: VideoAnalysis, path: Path) -> None:
    """Write the timeline as a PNG (or any format matplotlib knows from the suffix)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    measures = analysis.measures
    figure, axes = plt.subplots(len(ROWS), 1, figsize=(12, 7), sharex=True, squeeze=False)
    for (region, label), axis in zip(ROWS, axes[:, 0], strict=True):
        for side in SIDES:
            if region == "eyelid":
                values = eye_closure(measures, side)
            else:
                measure = {"brow": "brow", "cheek": "cheek", "mouth": "mouth_y"}[region]
                values = measures.series(measure, side)
                values = values - np.nanmedian(values) if np.any(~np.isnan(values)) else values
            axis.plot(measures.time, values, lw=0.8, color=SIDE_COLOUR[side], label=f"{side} side")
        for event in analysis.events:
            if region in event.regions:
                axis.axvspan(event.start_s, event.end_s, color=SIDE_COLOUR[event.side], alpha=0.25)
        axis.set_ylabel(label, fontsize=8)
        axis.grid(alpha=0.3)
    axes[0, 0].legend(loc="upper right", fontsize=8)
    axes[0, 0].set_title(
        f"{analysis.video['source']}: {len(analysis.events)} events "
        "(shaded: grey both eyes, colour one side)",
        fontsize=9,
    )
    axes[-1, 0].set_xlabel("time (s)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
