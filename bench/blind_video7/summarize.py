#!/usr/bin/env python3
"""Print counts per class and per event kind from a truth.json written by make_clips.py.

    python summarize.py /work/bv/set7/truth.json
"""
import json
import sys
from collections import Counter, defaultdict


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else '/work/bv/set7/truth.json'
    clips = json.load(open(path))
    print('%d clips in %s' % (len(clips), path))

    print('\nclips per class (dev/locked, still/footage, flipped):')
    by = defaultdict(Counter)
    for c in clips:
        d = by[c['disorder']]
        d['n'] += 1
        d[c['split']] += 1
        d[c['base']] += 1
        d['flipped'] += bool(c['flipped'])
    for cls in sorted(by):
        d = by[cls]
        print('  %-18s %2d  dev %d locked %d  still %d footage %d  flipped %d' % (
            cls, d['n'], d['dev'], d['locked'], d['still'], d['footage'], d['flipped']))

    print('\nclip side per class:')
    for cls in sorted(by):
        sides = Counter(c['side'] for c in clips if c['disorder'] == cls)
        print('  %-18s %s' % (cls, dict(sorted(sides.items()))))

    print('\nevents per kind (total, clips with it, visible true/false/unchecked):')
    kinds = Counter()
    kclips = defaultdict(set)
    vis = defaultdict(Counter)
    for c in clips:
        for e in c['events']:
            k = e['kind']
            kinds[k] += 1
            kclips[k].add(c['id'])
            vis[k][str(e.get('visible'))] += 1
    for k, n in kinds.most_common():
        v = vis[k]
        print('  %-18s %5d  in %2d clips  visible %d/%d/%d' % (
            k, n, len(kclips[k]), v['True'], v['False'], v['None']))

    print('\nevents per class and kind:')
    for cls in sorted(by):
        cnt = Counter(e['kind'] for c in clips if c['disorder'] == cls for e in c['events'])
        print('  %-18s %s' % (cls, ', '.join('%s %d' % kv for kv in cnt.most_common())))

    print('\nblink rate per minute by class (min / mean / max):')
    for cls in sorted(by):
        r = [c['blink_rate_per_min'] for c in clips if c['disorder'] == cls]
        print('  %-18s %5.1f %5.1f %5.1f' % (cls, min(r), sum(r) / len(r), max(r)))

    print('\nconditions:')
    print('  resolutions:', dict(Counter('%dx%d' % (c['width'], c['height']) for c in clips).most_common()))
    print('  fps:', dict(sorted(Counter(c['fps'] for c in clips).items())))
    print('  containers:', dict(Counter('%s/%s' % (c.get('container', c['file'].rsplit('.', 1)[-1]),
                                                   c.get('codec', '?')) for c in clips).most_common()))
    d = [c['duration_s'] for c in clips]
    print('  duration s: min %.1f mean %.1f max %.1f' % (min(d), sum(d) / len(d), max(d)))
    print('  faces:', dict(Counter(c['face'].split(' (')[0] for c in clips).most_common()))


if __name__ == '__main__':
    main()
