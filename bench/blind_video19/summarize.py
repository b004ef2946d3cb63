#!/usr/bin/env python3
"""Usage: summarize.py truth.json -- counts by class, split, side, format (and a few more)."""
import json, sys
from collections import Counter

rows = json.load(open(sys.argv[1]))
print('clips:', len(rows))

def table(title, key):
    c = Counter(key(r) for r in rows)
    print('\n' + title)
    for k in sorted(c, key=str):
        print('  %-40s %3d' % (k, c[k]))

table('class', lambda r: r['disorder'])
table('class x split', lambda r: (r['disorder'], r['split']))
table('class x side', lambda r: (r['disorder'], r['side']))
table('class x severity', lambda r: (r['disorder'], r['severity']))
table('format', lambda r: r['file'].rsplit('.', 1)[1])
table('base', lambda r: r['base'])
table('face', lambda r: r['face'])
table('flipped', lambda r: r['flipped'])
table('resolution', lambda r: '%dx%d' % (r['width'], r['height']))
table('fps', lambda r: r['fps'])
d = [r['duration_s'] for r in rows]
print('\nduration_s: min %.1f max %.1f total %.1f' % (min(d), max(d), sum(d)))
print('\nblink rate per min by class (min / mean / max):')
for c in sorted({r['disorder'] for r in rows}):
    b = [r['blink_rate_per_min'] for r in rows if r['disorder'] == c]
    print('  %-20s %5.1f %5.1f %5.1f' % (c, min(b), sum(b) / len(b), max(b)))
