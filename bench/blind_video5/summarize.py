#!/usr/bin/env python3
"""python summarize.py DIR/truth.json : counts per class and split, share visible per kind"""
import json, sys, collections
T = json.load(open(sys.argv[1]))
c = collections.Counter((t['disorder'], t['split']) for t in T)
print('clips', len(T))
for d in sorted({t['disorder'] for t in T}):
    print('  %-18s dev %d locked %d' % (d, c[(d, 'dev')], c[(d, 'locked')]))
print('base moving', sum(t['base'] == 'moving' for t in T), 'still', sum(t['base'] == 'still' for t in T))
print('image_side', dict(collections.Counter(t['image_side'] for t in T)))
print('codec', dict(collections.Counter(t['conditions']['codec'] for t in T)), 'fps', dict(collections.Counter(t['fps'] for t in T)))
print('short side', dict(collections.Counter(min(t['width'], t['height']) for t in T)))
v = collections.defaultdict(list)
for t in T:
    for e in t['events']:
        v[(e['kind'], e['source'])].append(e['visible'])
print('visible share per kind (source):')
for k in sorted(v):
    xs = v[k]
    print('  %-16s %-10s %3d/%3d = %.2f' % (k[0], k[1], sum(bool(x) for x in xs), len(xs), sum(bool(x) for x in xs) / len(xs)))
for d in sorted({t['disorder'] for t in T}):
    r = [t['blink_rate_per_min'] for t in T if t['disorder'] == d]
    print('  blink rate %-18s min %.1f max %.1f' % (d, min(r), max(r)))
print('cpu s render+check total', round(sum(t['conditions']['cpu_s_total'] for t in T), 1),
      'render only', round(sum(t['conditions']['cpu_s_render'] for t in T), 1))
