#!/usr/bin/env python3
"""Counts from truth.json of the v9 blind set.

Usage:  python summarize.py [out/truth.json] [--markdown]
Prints clips per class / base / split / side / severity / codec, blink rates per class,
event kinds per class and the share of planted events marked visible per kind.
"""
import json
import sys
from collections import Counter, defaultdict

CLASSES = ['normal', 'frequent_blinking', 'eyelid_myokymia', 'hemifacial_spasm',
           'blepharospasm', 'synkinesis']


def table(rows, header, md):
    if md:
        out = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
        out += ['| ' + ' | '.join(str(c) for c in r) + ' |' for r in rows]
    else:
        w = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
        fmt = '  '.join('%%-%ds' % n for n in w)
        out = [fmt % tuple(header)] + [fmt % tuple(str(c) for c in r) for r in rows]
    return '\n'.join(out)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    md = '--markdown' in sys.argv
    path = args[0] if args else 'out/truth.json'
    with open(path) as f:
        T = json.load(f)
    print('clips: %d   total duration: %.1f s   footage: %d   still: %d   flipped: %d' % (
        len(T), sum(r['duration_s'] for r in T), sum(r['base'] == 'footage' for r in T),
        sum(r['base'] == 'still' for r in T), sum(r['flipped'] for r in T)))
    print()
    rows = []
    for c in CLASSES:
        R = [r for r in T if r['disorder'] == c]
        sides = Counter(str(r['side']) for r in R)
        sev = Counter(r['severity'] for r in R)
        rows.append([c, len(R), sum(r['base'] == 'footage' for r in R),
                     sum(r['base'] == 'still' for r in R),
                     sum(r['split'] == 'dev' for r in R), sum(r['split'] == 'locked' for r in R),
                     ' '.join('%s:%d' % kv for kv in sorted(sides.items())),
                     ' '.join('%s:%d' % kv for kv in sorted(sev.items())),
                     sum(r['flipped'] for r in R),
                     sum(r['codec'] == 'vp9' for r in R)])
    print(table(rows, ['class', 'n', 'footage', 'still', 'dev', 'locked', 'side', 'severity',
                       'flipped', 'vp9'], md))
    print()
    rows = []
    for c in CLASSES:
        R = [r for r in T if r['disorder'] == c]
        br = [r['blink_rate_per_min'] for r in R]
        bn = [r.get('blink_rate_incl_natural_per_min', r['blink_rate_per_min']) for r in R]
        if not br:
            continue
        rows.append([c, '%.1f' % (sum(br) / len(br)), '%.1f-%.1f' % (min(br), max(br)),
                     '%.1f' % (sum(bn) / len(bn)),
                     '%.1f' % (sum(r['duration_s'] for r in R) / len(R))])
    print(table(rows, ['class', 'planted blinks/min (mean)', 'range', 'incl. footage blinks',
                       'mean duration s'], md))
    print()
    fmt = Counter('%dx%d' % (r['width'], r['height']) for r in T)
    fps = Counter(r['fps'] for r in T)
    print('formats: ' + ', '.join('%s:%d' % kv for kv in sorted(fmt.items(), key=lambda x: -x[1])))
    print('fps: ' + ', '.join('%s:%d' % kv for kv in sorted(fps.items())))
    print('faces: ' + ', '.join('%s:%d' % kv for kv in sorted(Counter(r['face'] for r in T).items())))
    print()
    kinds = defaultdict(Counter)
    vis = defaultdict(lambda: [0, 0])
    natural = Counter()
    for r in T:
        for e in r['events']:
            if not e.get('planted', True):
                natural[e['kind']] += 1
                continue
            kinds[e['kind']][r['disorder']] += 1
            if 'vis_score' in e or e['kind'] == 'head_turn':
                vis[e['kind']][0] += 1
                vis[e['kind']][1] += bool(e.get('visible'))
    rows = []
    for k in sorted(kinds, key=lambda k: -sum(kinds[k].values())):
        n, v = vis[k]
        rows.append([k, sum(kinds[k].values())] + [kinds[k].get(c, 0) for c in CLASSES] +
                    [v, '%.0f%%' % (100.0 * v / n) if n else '-'])
    print(table(rows, ['planted kind', 'n'] + [c[:10] for c in CLASSES] + ['visible', 'share'],
                md))
    print()
    if natural:
        print('events already in the footage (not planted, not compared): ' +
              ', '.join('%s:%d' % kv for kv in sorted(natural.items())))
    # visibility of the defining disorder events per class
    rows = []
    defining = {'frequent_blinking': ('blink',), 'eyelid_myokymia': ('flicker',),
                'hemifacial_spasm': ('clonic_twitch', 'tonic_spasm'),
                'blepharospasm': ('forceful_closure', 'flutter'),
                'synkinesis': ('eye_narrowing', 'mouth_corner_lift',
                               'resting_fissure_narrowing')}
    for c, ks in defining.items():
        for r in [r for r in T if r['disorder'] == c]:
            ev = [e for e in r['events'] if e['kind'] in ks and e.get('planted', True)]
            nv = sum(bool(e.get('visible')) for e in ev)
            rows.append([r['id'], c, r['severity'], r['base'], len(ev), nv,
                         'yes' if nv else 'NO'])
    print(table(rows, ['id', 'class', 'severity', 'base', 'disorder events', 'visible',
                       'any visible'], md))


if __name__ == '__main__':
    main()
