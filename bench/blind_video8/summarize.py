#!/usr/bin/env python
"""Print counts per class and per event kind from a truth.json (blind set 8).

Usage: python summarize.py /work/bv/set8/truth.json
"""
import json
import sys
from collections import Counter, defaultdict


def main(path):
    with open(path) as f:
        clips = json.load(f)
    print('%d clips in %s' % (len(clips), path))

    print('\nclips per class (dev/locked, still/footage, flipped, mean blink rate /min):')
    by = defaultdict(list)
    for c in clips:
        by[c['disorder']].append(c)
    for cls in sorted(by):
        cs = by[cls]
        sp = Counter(c['split'] for c in cs)
        bs = Counter(c['base'] for c in cs)
        fl = sum(1 for c in cs if c.get('flipped'))
        br = sum(c['blink_rate_per_min'] for c in cs) / len(cs)
        sides = Counter(c['side'] for c in cs)
        print('  %-18s %2d  dev %d locked %d  still %d footage %d  flipped %d  blink %.1f  sides %s' % (
            cls, len(cs), sp['dev'], sp['locked'], bs['still'], bs['footage'], fl, br,
            dict(sorted(sides.items()))))

    print('\nevents per kind (count, clips with it, visible true/false/null):')
    kinds = defaultdict(lambda: [0, set(), Counter()])
    for c in clips:
        for e in c['events']:
            k = kinds[e['kind']]
            k[0] += 1
            k[1].add(c['id'])
            k[2][str(e.get('visible'))] += 1
    for kind in sorted(kinds):
        n, ids, vis = kinds[kind]
        checked = vis['True'] + vis['False']
        share = ('%.0f%%' % (100.0 * vis['True'] / checked)) if checked else 'n/a'
        print('  %-18s %4d  in %2d clips  visible %s (true %d, false %d, null %d)' % (
            kind, n, len(ids), share, vis['True'], vis['False'], vis['None']))

    print('\nevent kinds per class:')
    for cls in sorted(by):
        cnt = Counter(e['kind'] for c in by[cls] for e in c['events'])
        print('  %-18s %s' % (cls, ', '.join('%s %d' % kv for kv in sorted(cnt.items()))))

    print('\nconditions:')
    print('  resolutions:', dict(Counter('%dx%d' % (c['width'], c['height']) for c in clips).most_common()))
    print('  fps:', dict(Counter(c['fps'] for c in clips).most_common()))
    print('  containers:', dict(Counter(c['file'].rsplit('.', 1)[-1] for c in clips)))
    print('  faces:', dict(Counter(c['face'].split('[')[0] + (' (flipped)' if c.get('flipped') else '')
                                   for c in clips).most_common()))
    d = [c['duration_s'] for c in clips]
    print('  duration: %.1f-%.1f s, total %.1f min' % (min(d), max(d), sum(d) / 60))


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else '/work/bv/set8/truth.json')
