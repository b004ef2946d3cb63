#!/usr/bin/env python
"""For every planted disorder event, compare the warped frame with the same frame rendered
without the event (blinks and voluntary expressions kept). Prints the strongest pixel change
(max |diff| over colour channels) and how many pixels change by more than 10 grey levels.
Usage: check_visibility.py --out DIR [--seed N] [--only ids]"""
import argparse, json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_clips as m

ap = argparse.ArgumentParser()
ap.add_argument('--out', required=True)
ap.add_argument('--seed', type=int, default=13)
ap.add_argument('--only', default='')
a = ap.parse_args()
cache = os.path.join(os.path.abspath(a.out), 'cache')
os.makedirs(cache, exist_ok=True)
res = {}
for s in m.plan_set(a.seed):
    if a.only and s['id'] not in a.only.split(','):
        continue
    if s['disorder'] in ('normal', 'frequent_blinking'):
        continue
    rep = m.render_clip(s, None, cache, probe=True)
    res[s['id']] = dict(disorder=s['disorder'], severity=s['severity'], events=rep)
    worst = min((r['px_over10'] for r in rep), default=-1)
    print(s['id'], s['disorder'], s['severity'], 'events', len(rep),
          'min over events of #px>10:', worst, 'median max|diff|:',
          sorted(r['max_absdiff'] for r in rep)[len(rep) // 2] if rep else None, 'iod_px', rep[0]['iod_px'] if rep else None)
path = os.path.join(a.out, 'visibility.json')
if a.only and os.path.exists(path):
    old = json.load(open(path))
    old.update(res)
    res = old
json.dump(res, open(path, 'w'), indent=1)
