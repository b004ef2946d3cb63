#!/usr/bin/env python3
"""Check that planted events show in the pixels.

Usage: check_events.py DIR_WITH_EVENTS DIR_WITHOUT_EVENTS [ids]
The second DIR is rendered with `make_clips.py --no-events` (same seed).  For every clip,
prints the mean over frames of the 99.9th-percentile absolute pixel difference and of the
maximum of the diff blurred with sigma 3 px (grey levels, whole frame)
inside the planted event windows and outside them.
"""
import json, sys
import av, cv2, numpy as np

def frames(path):
    with av.open(path) as c:
        for f in c.decode(c.streams.video[0]):
            yield f.to_ndarray(format="gray").astype(np.int16)

a, b = sys.argv[1], sys.argv[2]
only = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else None
truth = json.load(open(f"{a}/truth.json"))
for r in truth:
    if only and r["id"] not in only:
        continue
    ev = [(e["start_s"], e["end_s"]) for e in r["events"] if e["kind"] != "blink"]
    ins, outs = [], []
    for i, (x, y) in enumerate(zip(frames(f"{a}/{r['file']}"), frames(f"{b}/{r['file']}"))):
        t = i / r["fps"]
        d = np.abs(x - y).astype(np.float32)
        ds = cv2.GaussianBlur(d, (0, 0), 3)  # smooths away codec noise, keeps local warps
        v = (float(np.percentile(d, 99.9)), float(ds.max()))
        (ins if any(s <= t <= e for s, e in ev) else outs).append(v)
    f = lambda L, k: np.mean([v[k] for v in L]) if L else float("nan")
    print(f"{r['id']} {r['disorder']:18s} {str(r['severity']):8s} {r['width']}x{r['height']} "
          f"in-event p99.9={f(ins,0):5.1f} blurmax={f(ins,1):5.1f} | outside p99.9={f(outs,0):5.1f} blurmax={f(outs,1):5.1f}")
