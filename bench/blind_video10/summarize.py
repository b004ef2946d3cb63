#!/usr/bin/env python
"""Counts by class, split, side, format (and base, severity) of a truth.json.

Usage: summarize.py DIR/truth.json
"""
import json, sys
from collections import Counter


def main(path):
    t = json.load(open(path))
    print('%d clips' % len(t))

    def table(title, key):
        c = Counter((d['disorder'], key(d)) for d in t)
        vals = sorted({v for _, v in c}, key=str)
        print('\n%s' % title)
        print('%-20s' % 'class' + ''.join('%10s' % str(v) for v in vals))
        for cls in sorted({d['disorder'] for d in t}):
            print('%-20s' % cls + ''.join('%10d' % c[(cls, v)] for v in vals))

    table('split', lambda d: d['split'])
    table('side (anatomical, as shown)', lambda d: d['side'])
    table('image_side', lambda d: d['image_side'])
    table('format', lambda d: d['file'].rsplit('.', 1)[-1])
    table('base', lambda d: d['base'])
    table('severity', lambda d: d['severity'])
    table('flipped', lambda d: d['flipped'])
    print('\nfaces:', dict(Counter(d['face'] for d in t)))
    print('resolutions:', dict(Counter('%dx%d' % (d['width'], d['height']) for d in t)))
    print('fps:', dict(Counter(d['fps'] for d in t)))
    print('duration_s: %.1f-%.1f' % (min(d['duration_s'] for d in t), max(d['duration_s'] for d in t)))
    by = {}
    for d in t:
        by.setdefault(d['disorder'], []).append(d['blink_rate_per_min'])
    print('\nblink rate per min (min/mean/max):')
    for k, v in sorted(by.items()):
        print('  %-20s %5.1f %5.1f %5.1f' % (k, min(v), sum(v) / len(v), max(v)))


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'truth.json')
