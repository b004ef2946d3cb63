#!/usr/bin/env python
"""Pixel check: render clips with and without planted disorder events (ordinary blinks kept in both)
and report the mean absolute frame difference inside vs outside event windows.
Usage: check_events.py --out DIR [--ids a,b] [--png] """
import argparse, json, os, numpy as np, cv2
import make_clips as mc

ap = argparse.ArgumentParser(); ap.add_argument('--out', required=True); ap.add_argument('--seed', type=int, default=14)
ap.add_argument('--ids', default=''); ap.add_argument('--png', action='store_true')
a = ap.parse_args()
lmk_path = mc.prepare_cache(os.path.join(a.out, 'cache'))
lmk = dict(np.load(lmk_path))
specs = mc.all_specs(a.seed, lmk_path)
ids = set(x for x in a.ids.split(',') if x)
for s in specs:
    if ids and s['id'] not in ids: continue
    if s['disorder'] in ('normal', 'frequent_blinking'): continue
    evs = [e for e in s['_events'] if e['kind'] != 'blink' and not e.get('_nuisance')]
    fps = s['fps']; n = int(round(fps * s['duration_s']))
    # same noise sequence in both renders -> differences come from the planted events only
    A = mc.frames_iter(s, lmk, a.seed, True); B = mc.frames_iter(s, lmk, a.seed, False)
    inside, outside, best = [], [], (0, None)
    for i, (x, y) in enumerate(zip(A, B)):
        t = i / fps
        d = cv2.absdiff(x, y)
        m = float(d.max(axis=2).astype(np.float32).mean())
        ins = any(e['start_s'] <= t <= e['end_s'] for e in evs)
        (inside if ins else outside).append(m)
        if ins and m > best[0]:
            best = (m, t, np.hstack([x, y, cv2.convertScaleAbs(d, alpha=4)]))
    inside, outside = np.array(inside), np.array(outside)
    pct = lambda v, q: float(np.percentile(v, q)) if len(v) else 0.0
    print(f"{s['id']} {s['disorder']:18s} {str(s['severity']):8s} side={s['side']} img={s['image_side']} flip={s['flipped']} "
          f"in: mean {inside.mean() if len(inside) else 0:.3f} p90 {pct(inside,90):.3f} max {pct(inside,100):.3f} | out: mean {outside.mean() if len(outside) else 0:.3f}")
    if a.png and best[2] is not None:
        os.makedirs(os.path.join(a.out, 'check'), exist_ok=True)
        cv2.imwrite(os.path.join(a.out, 'check', f"{s['id']}_t{best[1]:.2f}.png"), best[2])
