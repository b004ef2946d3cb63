#!/usr/bin/env python3
"""Check that planted disorder events are visible in the pixels.

For each clip, renders sample frames with and without the disorder part of the timeline
(same seed, same nuisance) and reports the mean absolute difference in the face region
during disorder events and the largest difference outside them.
Usage: check_visibility.py [--seed 16] [--step 4] > visibility.txt
"""
import argparse, sys, os
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_clips as m

ap = argparse.ArgumentParser()
ap.add_argument('--seed', type=int, default=16)
ap.add_argument('--step', type=int, default=4)
ap.add_argument('--cache', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), 'out', '.cache'))
a = ap.parse_args()
lm = m.build_cache(a.cache)
print('%-8s %-18s %-9s %10s %10s %10s' % ('id', 'class', 'severity', 'in_mean', 'in_p95', 'out_max'))
for sp in m.make_specs(a.seed):
    if sp['disorder'] in ('normal', 'frequent_blinking'):
        continue
    tr, tl = m.build_clip(sp, lm)
    n = tl['n']
    ev = [e for e in tr['events'] if e['disorder_event'] and e['kind'] != 'synkinesis_resting_narrowing']
    inside = np.zeros(n, bool)
    for e in ev:
        inside[int(e['start_s'] * sp['fps']):int(e['end_s'] * sp['fps']) + 1] = True
    ks = list(range(0, n, a.step))
    _, A = m.render(sp, lm, None, True, ks)
    _, B = m.render(sp, lm, None, False, ks)
    d = np.array([np.abs(x.astype(np.int16) - y.astype(np.int16)).mean(2).max() for x, y in zip(A, B)])
    dm = np.array([np.abs(x.astype(np.int16) - y.astype(np.int16)).mean() for x, y in zip(A, B)])
    ins = np.array([inside[k] for k in ks])
    print('%-8s %-18s %-9s %10.3f %10.1f %10.1f' % (sp['id'], sp['disorder'], sp['severity'],
          dm[ins].mean() if ins.any() else 0, np.percentile(d[ins], 95) if ins.any() else 0,
          d[~ins].max() if (~ins).any() else 0), flush=True)
print('in_mean: mean abs pixel difference (whole frame) over sampled frames inside disorder events;')
print('in_p95: 95th percentile over those frames of the largest per-pixel difference (grey levels);')
print('out_max: largest per-pixel difference outside events (synkinesis: resting narrowing is always on).')
