"""An event: one thing the face did (DESIGN.md ⚑ kinds: events.py finds them), and its frames."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from facespasm.video.measures import Measures

Kind = Literal["blink", "closure", "spasm", "flicker"]


@dataclass(frozen=True, slots=True)
class Event:
    """One thing the face did: when, what, which side, where, and how strongly (0-1)."""

    start_s: float
    end_s: float
    kind: Kind
    side: Literal["left", "right", "both"]
    regions: tuple[str, ...]
    peak: float
    forceful: bool = False
    with_smile: bool = False

    @property
    def duration_s(self) -> float:
        """How long it lasted."""
        return self.end_s - self.start_s


def frames_during(
    measures: Measures, events: list[Event], margin_s: float = 0.0
) -> NDArray[np.bool_]:
    """The frames within `margin_s` of any of these events."""
    during = np.zeros(len(measures.time), dtype=bool)
    for event in events:
        during |= (measures.time >= event.start_s - margin_s) & (
            measures.time <= event.end_s + margin_s
        )
    return during
