"""What the lids' pixel measure (video/lid_motion.py) costs per 720p frame: run by hand.

`.venv/bin/python -m bench.lid_motion_cost`: makes a 720p30 clip of 20 s from
WolfgangLanger_Pexels.mp4 (as bench/video_throughput.py does), finds each frame's landmarks once,
then decodes the clip five more times, timing `LidMotion.measure` alone on every frame with
`time.process_time` (CPU of this process; the decoder's own threads are off, so that none of
them decodes ahead inside a timed call), and prints the median per frame, with the CPU of the
calling thread alone (`time.thread_time`) beside it. The issue's budget: about 0.3 ms.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.video_throughput import MEDIA, make_clip
from facespasm.video.frames import read_frames
from facespasm.video.lid_motion import LidMotion
from facespasm.video.pipeline import landmark_stream


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        source = MEDIA / "WolfgangLanger_Pexels.mp4"
        clip = make_clip(source, Path(folder) / "720p.mp4", 1280, 720, 20)
        points = [
            None if found is None else found.points
            for _, found in landmark_stream(read_frames(clip))
        ]
        runs, own = [], []
        for _ in range(5):
            motion, spent, alone, size = LidMotion(), 0.0, 0.0, (0, 0)
            for frame, face in zip(read_frames(clip, slice_threads=False), points, strict=True):
                size = frame.image.shape[:2]
                started, thread_started = time.process_time(), time.thread_time()
                motion.measure(frame.image, face)
                spent += time.process_time() - started
                alone += time.thread_time() - thread_started
            runs.append(spent / len(points) * 1000)
            own.append(alone / len(points) * 1000)
    print(
        f"{len(points)} frames of {size[1]}x{size[0]}: "
        f"LidMotion.measure {statistics.median(runs):.3f} ms of CPU a frame (median of 5; "
        f"runs {', '.join(f'{r:.3f}' for r in runs)}); this thread alone "
        f"{statistics.median(own):.3f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
