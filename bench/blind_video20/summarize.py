#!/usr/bin/env python
"""summarize.py truth.json -- counts of the blind set by class, split, side, format and more."""
import json, sys
from collections import Counter


def table(title, counter):
    print('\n' + title)
    for k, v in sorted(counter.items(), key=lambda kv: str(kv[0])):
        print('  %-40s %3d' % (k, v))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    T = json.load(open(sys.argv[1]))
    print('%d clips, %.1f s of video in all' % (len(T), sum(e['duration_s'] for e in T)))
    table('class', Counter(e['disorder'] for e in T))
    table('class x split', Counter('%s / %s' % (e['disorder'], e['split']) for e in T))
    table('split', Counter(e['split'] for e in T))
    table('class x side (anatomical, as shown)', Counter('%s / %s' % (e['disorder'], e['side']) for e in T))
    table('image side', Counter(str(e['image_side']) for e in T))
    table('class x severity', Counter('%s / %s' % (e['disorder'], e['severity']) for e in T))
    table('format', Counter(e['file'].rsplit('.', 1)[1] for e in T))
    table('resolution', Counter('%dx%d%s' % (e['width'], e['height'], ' portrait' if e['height'] > e['width'] else '') for e in T))
    table('fps', Counter(e['fps'] for e in T))
    table('flipped', Counter(e['flipped'] for e in T))
    table('base', Counter(e['base'] for e in T))
    table('face', Counter(e['face'] for e in T))
    table('event kinds', Counter(ev['kind'] for e in T for ev in e['events']))
    print('\nblink rate per min by class (min / mean / max)')
    for c in sorted({e['disorder'] for e in T}):
        r = [e['blink_rate_per_min'] for e in T if e['disorder'] == c]
        print('  %-20s %5.1f %5.1f %5.1f' % (c, min(r), sum(r) / len(r), max(r)))


if __name__ == '__main__':
    main()
