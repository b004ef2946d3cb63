"""The video's thresholds as reviewed data: `data/thresholds.yaml`, each with its source.

What counts as a blink, a spasm or a flicker, and when a rate becomes evidence, are numbers with
a clinical or measuring meaning, so they live in a reviewed file beside the code (STYLE: thresholds
are knowledge), each with a `sources` list (ids in the knowledge base's sources.yaml) or an
`in_house` note saying what it was calibrated on. The file is read once per process; a missing,
misspelt or unsourced entry fails at load with the file and entry named (`KnowledgeError`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from pathlib import Path

from facespasm.errors import KnowledgeError

THRESHOLDS_FILE = Path(__file__).parent / "data" / "thresholds.yaml"
_ENTRY_KEYS = {"value", "unit", "why", "sources", "in_house"}


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Every threshold's value (units and reasons are in the file)."""

    usual_open_percentile: float
    baseline_window_s: float
    settling_frames: float
    closed: float
    still_closed: float
    bilateral_share: float
    longest_blink_s: float
    shallow_blink: float
    merge_gap_s: float
    shortest_spasm_s: float
    held_spasm_s: float
    held_narrowing: float
    region_active_z: float
    asymmetry: float
    region_share: float
    smile_symmetry: float
    smile_narrowing: float
    smile_narrowing_held: float
    partial_narrowing: float
    narrowing_z: float
    faint_narrowing: float
    faint_narrowing_z: float
    small_narrowing: float
    small_narrowing_z: float
    small_narrowing_repeats: float
    ripple_troughs: float
    eye_noise_z: float
    other_eye_rise: float
    narrowing_clearance_s: float
    smile_rise_z: float
    smile_reference_s: float
    shortest_smile_s: float
    smile_smoothing_s: float
    talk_window_s: float
    talk_quiet_percentile: float
    talk_ratio: float
    shortest_talk_s: float
    talk_pause_s: float
    talk_openings: float
    talk_opening_share: float
    talk_share: float
    talk_onset_s: float
    brow_squeeze_z: float
    squeeze_share: float
    held_closure_s: float
    held_closures: float
    flicker_low_hz: float
    flicker_high_hz: float
    flicker_floor_ratio: float
    flicker_other_ratio: float
    pixel_floor_ratio: float
    pixel_other_ratio: float
    pixel_one_lid_ratio: float
    pixel_largest_sweep: float
    flicker_most_closed: float
    shortest_flicker_s: float
    flicker_clearance_s: float
    flicker_face_still_z: float
    min_fps_for_flicker: float
    flutter_dip_z: float
    flutter_prominence_z: float
    flutter_depth: float
    flutter_low_hz: float
    flutter_high_hz: float
    flutter_dips: float
    increased_blink_rate: float
    normal_blink_rate: float
    min_seconds_for_rate: float
    min_seconds_for_increase: float
    complete_closure: float


@functools.cache
def thresholds(path: Path = THRESHOLDS_FILE) -> Thresholds:
    """The thresholds in `path` (the packaged file unless given), checked.

    Raises:
        KnowledgeError: the file is unreadable or not YAML, an entry is missing, unknown, not a
            number, or cites no source (nor says it is in-house) or an unknown one.
    """
    from facespasm.reviewed_yaml import parse_sections

    try:
        text = path.read_bytes()
    except OSError as error:
        raise KnowledgeError(f"{path.name}: cannot read the file ({error.strerror})") from None
    document = parse_sections(path.name, text)
    names = [f.name for f in fields(Thresholds)]
    unknown = sorted(set(document) - set(names))
    if unknown:
        raise KnowledgeError(f"{path.name}, {unknown[0]}: unknown threshold")
    missing = [name for name in names if name not in document]
    if missing:
        raise KnowledgeError(f"{path.name}, {missing[0]}: missing")
    known_sources = _known_sources()
    values = {name: _value(path.name, name, document[name], known_sources) for name in names}
    return Thresholds(**values)


def _value(file_name: str, name: str, entry: object, known_sources: set[str]) -> float:
    def fail(problem: str) -> KnowledgeError:
        return KnowledgeError(f"{file_name}, {name}: {problem}")

    if not isinstance(entry, dict):
        raise fail("expected a mapping with value, unit, why and sources or in_house")
    extra = sorted(set(entry) - _ENTRY_KEYS)
    if extra:
        raise fail(f"unknown key '{extra[0]}'")
    value = entry.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(f"value must be a number, not {value!r}")
    for text in ("unit", "why"):
        if not isinstance(entry.get(text), str) or not entry[text].strip():
            raise fail(f"needs a '{text}'")
    sources = entry.get("sources") or []
    in_house = entry.get("in_house")
    if not sources and not (isinstance(in_house, str) and in_house.strip()):
        raise fail("cites no source (say `in_house: <what it was calibrated on>` if it is ours)")
    for source in sources:
        if source not in known_sources:
            raise fail(f"cites unknown source '{source}'")
    return float(value)


def _known_sources() -> set[str]:
    from facespasm.knowledge import load_knowledge

    return set(load_knowledge().sources)
