"""Voluntary movements of the mouth: smiles, puckers (both corners moving alike) and talking.

A smile raises both corners by about as much, a pucker draws both in: expressions, not spasms.
The detectors use them three ways: a one-sided eye narrowing during one is synkinesis's sign
(`Voluntary`, used by events.py and narrowings.py; the eye narrows with a lip pucker in 82% of
people with synkinesis, synkinesis patterns study), a pull of the mouth during one is not a
spasm, and the lids' steps as one starts and ends are not a flicker (flickers.py).

Talking moves the lips rather than the corners: the gap between them opens and closes syllable by
syllable. Synkinesis is an involuntary movement that accompanies a voluntary one (knowledge notes
§2.4), so an eye that narrows as the person starts talking, and stays narrowed while they talk,
narrows with a voluntary movement too (`Talking.accompanies`). One that narrows in the middle of
a long talk does not: a person with hemifacial spasm talks as well. Thresholds in
data/thresholds.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter1d

from facespasm.video.eyes import depth
from facespasm.video.measures import SIDES, Measures, Side
from facespasm.video.signals import merged, rolling_median, segments
from facespasm.video.thresholds import thresholds

# How each movement moves a mouth corner: the measure, the sign that makes the move positive
# (mouth_y is upward: a smile raises it; mouth_x is outward: a pucker draws it in), and whether
# an eye's narrowing during it is judged against where the corners were just before and after
# (a pucker) or against their rolling baseline (a smile; `CornerShift.moved_together` says why).
MOVEMENTS: dict[str, tuple[str, float, bool]] = {
    "smile": ("mouth_y", 1.0, False),
    "pucker": ("mouth_x", -1.0, True),
}


@dataclass(frozen=True)
class CornerShift:
    """Each mouth corner's move, for one movement, and the corners' pooled noise in it.

    `by_side` is each corner's move over its rolling baseline; `judged` is what a narrowing's
    move is measured on: the same, or where the corner is (signed so the movement is positive).
    """

    by_side: dict[Side, NDArray[np.float64]]
    judged: dict[Side, NDArray[np.float64]]
    pooled: float

    def moved_together(self, first: int, last: int, fps: float) -> bool:
        """Whether both corners made this move, by about as much, over frames first..last-1.

        Each corner's move is its mean over the frames against its median in the moments just
        before and after them (`smile_reference_s`). A pucker is measured on where the corners
        are: held for seconds, it fills much of their rolling baseline, which moves with it and
        hides it (a blind clip's 3 s pucker read as a held spasm), and a healthy pucker does not
        narrow the eyes. A smile is measured on its move over that baseline, a stricter test,
        because a healthy smile does narrow the eyes, and not always alike (the real recording
        WolfgangLanger_Pexels.mp4: the right eye 0.1-0.2 more than the left as she laughs).
        """
        limits = thresholds()
        reach = max(2, round(limits.smile_reference_s * fps))
        moved = []
        for side in SIDES:
            judged = self.judged[side]
            during = judged[first:last]
            around = np.concatenate(
                (judged[max(0, first - reach) : first], judged[last : last + reach])
            )
            during, around = during[~np.isnan(during)], around[~np.isnan(around)]
            if not during.size or not around.size:
                return False  # no face then: nothing to compare
            moved.append((float(np.mean(during)) - float(np.median(around))) / self.pooled)
        low, high = sorted(moved)
        return low >= limits.smile_rise_z and high < limits.smile_symmetry * low


def corner_shifts(measures: Measures) -> tuple[CornerShift, ...]:
    """The corners' moves for each movement (a smile's, a pucker's)."""
    window = max(3, round(thresholds().baseline_window_s * measures.fps))
    shifts = []
    for measure, sign, by_position in MOVEMENTS.values():
        by_side: dict[Side, NDArray[np.float64]] = {}
        noise = []
        for side in SIDES:
            values = sign * measures.series(measure, side)
            if np.all(np.isnan(values)):
                by_side[side] = np.zeros(len(values))
                continue
            by_side[side] = np.nan_to_num(values - rolling_median(values, window))
            noise.append(1.4826 * float(np.median(np.abs(by_side[side]))))
        judged = (
            {side: sign * measures.series(measure, side) for side in SIDES}
            if by_position
            else by_side
        )
        pooled = max(float(np.mean(noise)) if noise else 0.0, 1e-6)
        shifts.append(CornerShift(by_side, judged, pooled))
    return tuple(shifts)


def expressed(shifts: tuple[CornerShift, ...], first: int, last: int, fps: float) -> bool:
    """Whether the person smiled or puckered over frames first..last-1."""
    return any(shift.moved_together(first, last, fps) for shift in shifts)


def smile_frames(
    measures: Measures, shifts: tuple[CornerShift, ...], *, alike: bool = False
) -> NDArray[np.bool_]:
    """Frames in which the person smiles or puckers: both mouth corners moved, held.

    Each corner's move over its rolling baseline, in the corners' pooled noise and averaged
    over `smile_smoothing_s`, is at least `smile_rise_z` on both sides, for `shortest_smile_s`
    or longer; `shifts` are the clip's `corner_shifts`. With `alike`, neither corner also moved
    more than `smile_symmetry` times the other: the whole mouth's expression, where a spasm
    pulling one corner drags the other a little. Without, a lopsided smile counts too: after a
    facial palsy the weak side's corner moves less (synkinesis's own smile).
    """
    limits = thresholds()
    size = max(1, round(limits.smile_smoothing_s * measures.fps))
    smiling = np.zeros(len(measures.time), dtype=bool)
    for shift in shifts:
        left, right = (uniform_filter1d(shift.by_side[s], size=size) for s in SIDES)
        low, high = np.minimum(left, right), np.maximum(left, right)
        moved = low / shift.pooled >= limits.smile_rise_z
        if alike:
            moved &= high < limits.smile_symmetry * low
        for first, last in segments(moved):
            if (last - first) / measures.fps >= limits.shortest_smile_s:
                smiling[first:last] = True
    return smiling


@dataclass(frozen=True)
class Talking:
    """When the person talks (`talking`): each frame, and where each stretch of talking starts."""

    frames: NDArray[np.bool_]
    starts: tuple[int, ...]
    fps: float

    def accompanies(self, first: int, last: int) -> bool:
        """Whether a movement over frames first..last-1 came with talking, started as it started.

        Talking fills `talk_share` of its frames, and a stretch of talking starts within
        `talk_onset_s` of its first frame (one under way as the clip starts has no known start).
        """
        limits = thresholds()
        if last <= first or self.frames[first:last].mean() < limits.talk_share:
            return False
        reach = limits.talk_onset_s * self.fps
        return any(abs(start - first) <= reach for start in self.starts)


def talking(measures: Measures) -> Talking:
    """The frames in which the person talks.

    On each side, the gap between the inner lips spreads, over `talk_window_s`, to `talk_ratio`
    times its spread in the quietest windows of the clip (its `talk_quiet_percentile`), on both
    sides at once (a spasm pulls one side's lips), for `shortest_talk_s` or longer, opening the
    lips `talk_openings` times or more, each by `talk_opening_share` of their widest swing in
    that stretch: talking opens and closes the lips several times a second, while a smile, a
    pucker or a spasm's pull moves them once and holds. Pauses shorter than `talk_pause_s` are
    part of the talk: talking starts after a silence.
    """
    limits = thresholds()
    fps = measures.fps
    frames = np.zeros(len(measures.time), dtype=bool)
    sides = np.vstack([measures.series("lips", side) for side in SIDES])
    known = ~np.isnan(sides).any(axis=0)
    if not known.any():
        return Talking(frames, (), fps)
    sides = np.where(known, sides, np.median(sides[:, known], axis=1, keepdims=True))
    size = max(3, round(limits.talk_window_s * fps))
    mean = uniform_filter1d(sides, size=size, axis=1)
    spread = np.sqrt(np.maximum(uniform_filter1d(sides * sides, size=size, axis=1) - mean**2, 0))
    quiet = np.maximum(np.percentile(spread[:, known], limits.talk_quiet_percentile, axis=1), 1e-9)
    moving = (spread >= limits.talk_ratio * quiet[:, None]).all(axis=0) & known
    gap = sides.mean(axis=0)
    pause = max(1, round(limits.talk_pause_s * fps))
    starts = []
    for first, last in merged(segments(moving), pause):
        during = gap[first:last]
        opening = limits.talk_opening_share * float(during.max() - during.min())
        if (last - first) / fps >= limits.shortest_talk_s and _openings(
            during, opening
        ) >= limits.talk_openings:
            frames[first:last] = True
            if first >= pause:
                starts.append(first)
    return Talking(frames, tuple(starts), fps)


def _openings(gap: NDArray[np.float64], by: float) -> int:
    """How many times the lips' gap rose by `by` and fell back by as much: each is an opening.

    A zigzag count in plain numpy and Python: the stretch is a few seconds of frames, and
    scipy.signal's peak finder would add half a second to every process that analyses a video.
    """
    count, low, high, rising = 0, float(gap[0]), float(gap[0]), False
    for value in gap.tolist():
        if rising:
            if value > high:
                high = value
            elif high - value >= by:
                count, low, rising = count + 1, value, False
        elif value < low:
            low = value
        elif value - low >= by:
            high, rising = value, True
    return count


@dataclass(frozen=True)
class Voluntary:
    """The voluntary movements of the mouth an eye's narrowing may come with."""

    fps: float
    shifts: tuple[CornerShift, ...]
    talk: Talking
    smiling: NDArray[np.bool_]

    def moved(self, first: int, last: int) -> bool:
        """Whether the person smiled, puckered, or started talking, over frames first..last-1."""
        return expressed(self.shifts, first, last, self.fps) or self.talk.accompanies(first, last)

    def narrowed_with(
        self, regions: tuple[str, ...], closure: NDArray[np.float64], first: int, last: int
    ) -> bool:
        """Whether one eye's narrowing over frames first..last-1 came with a voluntary movement.

        A mouth corner pulled one-sidedly (`regions`) is a spasm's pull, not a smile; an eye
        shut completely (its `closure`: the deepest of a jerk, the typical (median) of a held
        narrowing, which a blink may cross) is a spasm set off by the movement, not an eye that
        narrows with it. A narrowing held `shortest_smile_s` or longer is judged with the
        movement over its own frames; a shorter one (a jerk) only inside a smile, pucker or talk
        found on its own (`smile_frames`, `talking`): too brief to tell a movement from the
        mouth's noise.
        """
        limits = thresholds()
        held = (last - first) / self.fps >= limits.shortest_smile_s
        if "mouth" in regions or depth(closure, first, last, held=held) >= limits.complete_closure:
            return False
        if held:
            return self.moved(first, last)
        return bool((self.smiling[first:last] | self.talk.frames[first:last]).all())
