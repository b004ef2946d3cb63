#!/usr/bin/env python
"""Counts of a truth.json by class, split, side, severity, base, format, resolution and fps.
Usage: summarize.py truth.json"""
import json, sys
from collections import Counter

T = json.load(open(sys.argv[1]))
print('clips:', len(T))


def show(title, key):
    c = Counter(key(r) for r in T)
    print('\n' + title)
    for k, v in sorted(c.items(), key=lambda kv: str(kv[0])):
        print('  %-40s %d' % (k, v))


show('by class', lambda r: r['disorder'])
show('by class x split', lambda r: (r['disorder'], r['split']))
show('by class x side', lambda r: (r['disorder'], r['side']))
show('by class x severity', lambda r: (r['disorder'], r['severity']))
show('by base', lambda r: r['base'])
show('by face', lambda r: r['face'])
show('by format', lambda r: r['file'].rsplit('.', 1)[-1])
show('flipped', lambda r: r['flipped'])
show('by resolution', lambda r: '%dx%d%s' % (r['width'], r['height'], ' (portrait)' if r['height'] > r['width'] else ''))
show('by fps', lambda r: r['fps'])
d = [r['duration_s'] for r in T]
print('\nduration_s: min %.2f  max %.2f  total %.1f' % (min(d), max(d), sum(d)))
print('\nblink rate per min by class (min / mean / max):')
for c in sorted({r['disorder'] for r in T}):
    b = [r['blink_rate_per_min'] for r in T if r['disorder'] == c]
    print('  %-20s %.1f / %.1f / %.1f' % (c, min(b), sum(b) / len(b), max(b)))
