#!/usr/bin/env python3
"""summarize.py truth.json : counts by class, split, side, format (and severity, base, face)."""
import json, sys
from collections import Counter

def table(title, cnt):
    print('%s:' % title)
    for k, v in sorted(cnt.items(), key=lambda kv: str(kv[0])):
        print('  %-40s %3d' % (k, v))

def main():
    t = json.load(open(sys.argv[1]))
    print('%d clips' % len(t))
    table('class', Counter(x['disorder'] for x in t))
    table('class x split', Counter('%s / %s' % (x['disorder'], x['split']) for x in t))
    table('class x side', Counter('%s / %s' % (x['disorder'], x['side']) for x in t))
    table('class x severity', Counter('%s / %s' % (x['disorder'], x['severity']) for x in t))
    table('image_side', Counter(str(x['image_side']) for x in t))
    table('flipped', Counter(x['flipped'] for x in t))
    table('format (container, WxH)', Counter('%s %dx%d' % (x['file'].rsplit('.', 1)[1], x['width'], x['height']) for x in t))
    table('container', Counter(x['file'].rsplit('.', 1)[1] for x in t))
    table('fps', Counter(x['fps'] for x in t))
    table('base', Counter(x['base'] for x in t))
    table('face', Counter(x['face'] for x in t))
    d = [x['duration_s'] for x in t]
    print('duration_s: min %.1f  max %.1f  total %.1f' % (min(d), max(d), sum(d)))
    for c in sorted(set(x['disorder'] for x in t)):
        r = [x['blink_rate_per_min'] for x in t if x['disorder'] == c]
        print('blink rate %-18s min %.1f  mean %.1f  max %.1f' % (c, min(r), sum(r) / len(r), max(r)))

if __name__ == '__main__':
    main()
