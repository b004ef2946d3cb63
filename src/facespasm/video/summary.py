"""`VideoSummary`: the figures of one clip a clinician would count by eye, typed.

`pattern.summarise` builds it from a clip's measures and events; `to_dict()` is the ⚑ `summary`
object of `facespasm analyze --json` (DESIGN.md), key for key, so the JSON, the kept
measurement in the diary and the web API do not change with the type. Rates are per minute of
face time (the frames in which a face was found), not of clip time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from facespasm.video.measures import Side


@dataclass(frozen=True)
class VideoSummary:
    """Rates, durations and asymmetry of one clip.

    Attributes:
        face_minutes: minutes of video with a face found.
        blink_rate_per_min: blinks per minute of face time; None without face time, or when
            the eyes never closed in face time enough to count blinks (`lids_unseen`).
        events_per_min: per kind (blink, closure, spasm, flicker), per minute of face time.
        events_by_side: counts of one-sided events, keyed "<kind>_<side>" ("spasm_left").
        events_by_region: counts of regions moved in spasms and flickers ("eyelid": 3).
        longest_closure_s: the longest blink or closure, in seconds.
        eyes_closed_s: seconds with both eyes at least half shut.
        usual_aperture_mm: per side, the median eyelid opening in millimetres (None: unmeasured).
        spasm_asymmetry: (left - right) / all spasms, from -1 (all right) to 1 (all left);
            None without spasms.
    """

    face_minutes: float
    blink_rate_per_min: float | None
    events_per_min: Mapping[str, float | None]
    events_by_side: Mapping[str, int] = field(default_factory=dict)
    events_by_region: Mapping[str, int] = field(default_factory=dict)
    longest_closure_s: float = 0.0
    eyes_closed_s: float = 0.0
    usual_aperture_mm: Mapping[Side, float | None] = field(default_factory=dict)
    spasm_asymmetry: float | None = None

    def __post_init__(self) -> None:
        # Copies, so that the caller's dicts cannot change the summary behind its back (typed as
        # read-only Mappings; plain dicts so that a summary pickles, e.g. back from a worker).
        for name in ("events_per_min", "events_by_side", "events_by_region", "usual_aperture_mm"):
            object.__setattr__(self, name, dict(getattr(self, name)))

    def to_dict(self) -> dict[str, object]:
        """The ⚑ `summary` object of `facespasm analyze --json`: plain JSON values."""
        return {
            "face_minutes": self.face_minutes,
            "blink_rate_per_min": self.blink_rate_per_min,
            "events_per_min": dict(self.events_per_min),
            "events_by_side": dict(self.events_by_side),
            "events_by_region": dict(self.events_by_region),
            "longest_closure_s": self.longest_closure_s,
            "eyes_closed_s": self.eyes_closed_s,
            "usual_aperture_mm": dict(self.usual_aperture_mm),
            "spasm_asymmetry": self.spasm_asymmetry,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VideoSummary:
        """The summary back from its JSON (a kept measurement, an archive's row).

        Raises:
            KeyError: a key of `to_dict()` is missing.
        """
        return cls(
            face_minutes=data["face_minutes"],
            blink_rate_per_min=data["blink_rate_per_min"],
            events_per_min=data["events_per_min"],
            events_by_side=data["events_by_side"],
            events_by_region=data["events_by_region"],
            longest_closure_s=data["longest_closure_s"],
            eyes_closed_s=data["eyes_closed_s"],
            usual_aperture_mm=data["usual_aperture_mm"],
            spasm_asymmetry=data["spasm_asymmetry"],
        )
