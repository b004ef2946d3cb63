#!/usr/bin/env python
"""Visibility check: render frames with and without the planted disorder events
(same blinks, motion, lighting, noise) and measure pixel differences inside the event
windows.  usage: check_visible.py DIR [--ids a,b] [--png]"""
import argparse, json, os, sys
import numpy as np, cv2
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_clips as m

ap = argparse.ArgumentParser(); ap.add_argument("dir"); ap.add_argument("--ids", default="")
ap.add_argument("--png", action="store_true"); ap.add_argument("--seed", type=int, default=12)
a = ap.parse_args()
cache_dir = os.path.join(a.dir, "cache"); cache = json.load(open(os.path.join(cache_dir, "done.json")))
specs = m.plan_set(a.seed, cache)
truth = {t["id"]: t for t in json.load(open(os.path.join(a.dir, "truth.json")))}
ids = set(x for x in a.ids.split(",") if x)
os.makedirs(os.path.join(a.dir, "check"), exist_ok=True)
for s in specs:
    if ids and s["id"] not in ids:
        continue
    t = truth[s["id"]]
    evs = [e for e in t["events"] if e["end_s"] - e["start_s"] < 30 and e["kind"] not in ("increased_blink_rate", "resting_fissure_narrowing")]
    if not evs:
        evs = [e for e in t["events"]]
    if not evs:
        continue
    fps = s["fps"]
    # up to 3 events, frames sampled inside each
    fidx = []
    for e in evs[:3]:
        f0, f1 = int(e["start_s"] * fps), min(int(e["end_s"] * fps), t["n_frames"] - 1)
        fidx += list(np.linspace(f0, f1, 8).astype(int))
    fidx = sorted(set(fidx))
    A = m.render(s, a.dir, cache_dir, cache, with_events=True, return_frames=True, frame_idx=fidx)
    B = m.render(s, a.dir, cache_dir, cache, with_events=False, return_frames=True, frame_idx=fidx)
    d = [np.abs(x.astype(int) - y.astype(int)).max(2) for x, y in zip(A, B)]
    mx = [int(x.max()) for x in d]; n10 = [int((x > 10).sum()) for x in d]
    k = int(np.argmax(n10))
    print(f"{s['id']} {s['disorder']:18s} {str(s['severity']):8s} {s['side']!s:5s} {s['width']}x{s['height']} "
          f"{s['base']:7s} max|d|={max(mx):3d} px>10: peak {max(n10):6d} median {int(np.median(n10)):6d}")
    if a.png:
        im = np.concatenate([A[k], B[k], cv2.applyColorMap(np.clip(d[k] * 8, 0, 255).astype(np.uint8), cv2.COLORMAP_JET)], 1)
        cv2.imwrite(os.path.join(a.dir, "check", f"{s['id']}.png"), im)
