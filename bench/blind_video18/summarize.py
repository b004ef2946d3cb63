#!/usr/bin/env python
"""Counts by class, split, side, severity, base, format, resolution, fps: summarize.py truth.json"""
import sys, json
from collections import Counter, defaultdict

T = json.load(open(sys.argv[1]))
print(f'{len(T)} clips, {sum(r["duration_s"] for r in T) / 60:.1f} min of video')
for key in ['disorder', 'split', 'side', 'image_side', 'flipped', 'severity', 'base', 'face', 'format']:
    print(f'\n{key}:')
    for k, v in sorted(Counter(str(r.get(key)) for r in T).items()):
        print(f'  {k:20s} {v}')
print('\nclass x split / side / severity / base / format:')
for c in sorted({r['disorder'] for r in T}):
    R = [r for r in T if r['disorder'] == c]
    f = lambda k: dict(Counter(str(r.get(k)) for r in R))
    print(f'  {c:18s} split {f("split")} side {f("side")} sev {f("severity")} base {f("base")} fmt {f("format")}')
print('\nblink rate per class (min / mean / max per min):')
for c in sorted({r['disorder'] for r in T}):
    b = [r['blink_rate_per_min'] for r in T if r['disorder'] == c]
    print(f'  {c:18s} {min(b):5.1f} {sum(b) / len(b):5.1f} {max(b):5.1f}')
print('\nresolutions:', dict(Counter(f'{r["width"]}x{r["height"]}' for r in T)))
print('fps:', dict(Counter(round(r['fps'], 2) for r in T)))
print('duration s: min %.1f max %.1f' % (min(r['duration_s'] for r in T), max(r['duration_s'] for r in T)))
ev = defaultdict(int)
for r in T:
    for e in r['events']:
        ev[e['kind']] += 1
print('events by kind:', dict(sorted(ev.items())))
