#!/usr/bin/env python
"""Counts by class, split, side, format.  Usage: summarize.py truth.json"""
import json, sys
from collections import Counter

T = json.load(open(sys.argv[1]))
print(f'{len(T)} clips, {sum(t["duration_s"] for t in T):.0f} s in all')
def table(title, key):
    c = Counter(key(t) for t in T)
    print(f'\n{title}')
    for k, v in sorted(c.items(), key=lambda kv: str(kv[0])):
        print(f'  {str(k):40s} {v}')
table('class', lambda t: t['disorder'])
table('class x split', lambda t: (t['disorder'], t['split']))
table('class x side (anatomical)', lambda t: (t['disorder'], t['side']))
table('class x severity', lambda t: (t['disorder'], t['severity']))
table('format (codec, container)', lambda t: (t.get('codec'), t['file'].rsplit('.', 1)[-1]))
table('resolution', lambda t: f'{t["width"]}x{t["height"]}' + (' portrait' if t['height'] > t['width'] else ''))
table('fps', lambda t: t['fps'])
table('base', lambda t: (t['base'], t['face']))
table('flipped', lambda t: t['flipped'])
print('\nblink rate per min by class (min / mean / max)')
for c in sorted(set(t['disorder'] for t in T)):
    r = [t['blink_rate_per_min'] for t in T if t['disorder'] == c]
    print(f'  {c:20s} {min(r):6.1f} {sum(r)/len(r):6.1f} {max(r):6.1f}')
