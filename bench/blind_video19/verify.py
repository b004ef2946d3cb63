#!/usr/bin/env python3
"""Check that planted events are visible in the pixels: render each clip twice without
encoding (with and without the disorder; same seed, same blinks, same noise) and measure,
per disorder event, the largest per-frame maximum absolute grey-level difference
and the number of pixels changed by more than 8 grey levels.
Usage: verify.py [--seed N] [--only ids] > report.txt"""
import argparse, sys, os, json
import numpy as np, cv2
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_clips as M

ap = argparse.ArgumentParser()
ap.add_argument('--seed', type=int, default=19)
ap.add_argument('--only', default='')
ap.add_argument('--cache', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), 'out', 'cache'))
a = ap.parse_args()
os.makedirs(a.cache, exist_ok=True)
plans = M.plan_set(a.seed)
if a.only:
    plans = [p for p in plans if p['id'] in a.only.split(',')]
SKIP = {'blink', 'voluntary_smile', 'voluntary_pucker'}
rows = []
for p in plans:
    if p['disorder'] in ('normal', 'frequent_blinking'):
        continue
    on = []
    M.render_clip(dict(p), None, a.cache, frame_hook=lambda i, t, o: on.append(cv2.cvtColor(o, cv2.COLOR_BGR2GRAY)))
    d99, n8 = [], []
    def hook(i, t, o):
        d = cv2.absdiff(on[i], cv2.cvtColor(o, cv2.COLOR_BGR2GRAY))
        d99.append(float(d.max())); n8.append(int((d > 8).sum()))
    tr = M.render_clip(dict(p), None, a.cache, disorder_off=True, frame_hook=hook)
    fps = tr['fps']
    for e in tr['events']:
        if e['kind'] in SKIP:
            continue
        i0, i1 = int(e['start_s'] * fps), int(e['end_s'] * fps) + 1
        rows.append((p['id'], p['disorder'], p['severity'], e['kind'], max(d99[i0:i1] or [0]), max(n8[i0:i1] or [0]),
                     p['width'], p['height']))
    print(p['id'], p['disorder'], p['severity'], 'events', sum(1 for e in tr['events'] if e['kind'] not in SKIP),
          'median peak d99.9 %.1f' % np.median([r[4] for r in rows if r[0] == p['id']] or [0]),
          'min %.1f' % min([r[4] for r in rows if r[0] == p['id']] or [0]), flush=True)
print('\nper class/severity/kind: n events, median peak max-diff (grey levels), min, median pixels >8')
keys = sorted({(r[1], r[2], r[3]) for r in rows})
for k in keys:
    rr = [r for r in rows if (r[1], r[2], r[3]) == k]
    print('%-18s %-9s %-30s n=%3d med=%5.1f min=%5.1f px>8=%d' % (k[0], k[1], k[2], len(rr),
          np.median([r[4] for r in rr]), min(r[4] for r in rr), np.median([r[5] for r in rr])))
