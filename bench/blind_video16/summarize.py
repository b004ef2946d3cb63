#!/usr/bin/env python3
"""summarize.py truth.json -- counts by class, split, side, format (and severity, base)."""
import json, sys, collections
T = json.load(open(sys.argv[1]))
print('%d clips' % len(T))
def table(title, key):
    c = collections.Counter(key(t) for t in T)
    print('\n' + title)
    for k in sorted(c, key=str):
        print('  %-40s %d' % (k, c[k]))
table('by class', lambda t: t['disorder'])
table('by class x split', lambda t: (t['disorder'], t['split']))
table('by class x side', lambda t: (t['disorder'], t['side']))
table('by class x severity', lambda t: (t['disorder'], t['severity']))
table('by format (container/codec)', lambda t: t['file'].rsplit('.', 1)[1])
table('by resolution', lambda t: '%dx%d' % (t['width'], t['height']))
table('by fps', lambda t: t['fps'])
table('by base', lambda t: t['base'])
table('by face', lambda t: t['face'])
table('flipped', lambda t: t['flipped'])
d = [t['duration_s'] for t in T]
print('\nduration_s: min %.1f max %.1f' % (min(d), max(d)))
for c in sorted(set(t['disorder'] for t in T)):
    r = [t['blink_rate_per_min'] for t in T if t['disorder'] == c]
    print('blink rate %-20s min %.1f mean %.1f max %.1f' % (c, min(r), sum(r) / len(r), max(r)))
