#!/usr/bin/env python3
"""Visibility check: render clips in memory with and without their planted disorder
actions (same nuisance noise, head motion, lighting and natural blinks) and report the
mean absolute pixel difference inside event windows and outside them.
usage: check_events.py DIR [ids...]   (DIR holds _cache/landmarks.npz from make_clips.py)
       --sheet PNG  : also save a contact sheet (with / without) at event peaks of the first id
"""
import sys, json, os
import numpy as np, cv2
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_clips as mc

def main():
    args = [a for a in sys.argv[1:]]
    sheet = None
    if '--sheet' in args:
        k = args.index('--sheet'); sheet = args[k + 1]; del args[k:k + 2]
    out = args[0]; ids = set(args[1:])
    cache = dict(np.load(os.path.join(out, '_cache', 'landmarks.npz')))
    specs = mc.make_specs(11 if 'SEED' not in os.environ else int(os.environ['SEED']), cache)
    tiles = []
    for spec, truth in specs:
        if ids and spec['id'] not in ids:
            continue
        fps = float(spec['fps']); n = spec['nfr']
        t = np.arange(n) / fps
        inev = np.zeros(n, bool)
        evs = [e for e in truth['events'] if e['end_s'] - e['start_s'] < 0.9 * truth['duration_s']]
        for e in evs:
            inev |= (t >= e['start_s']) & (t <= e['end_s'])
        d = np.zeros(n)
        peaks = [int((e['start_s'] + e['end_s']) / 2 * fps) for e in evs[:3]]
        if not peaks and truth['disorder'] != 'normal':
            peaks = [int(b * fps) + 2 for b in truth['blink_times_s'][:3]]
        best = (-1, None, None)
        for k, (a, b) in enumerate(zip(mc.render_frames(spec, cache, True), mc.render_frames(spec, cache, False))):
            g = cv2.absdiff(cv2.cvtColor(a, cv2.COLOR_BGR2GRAY), cv2.cvtColor(b, cv2.COLOR_BGR2GRAY)); d[k] = np.partition(g.ravel(), g.size - 200)[g.size - 200]
            if sheet and d[k] > best[0]:
                best = (d[k], a, b)
        print('%s %-18s %-8s %-5s base=%-7s %4dx%-4d events=%2d  200th-largest-pixel diff: in events mean=%.1f max=%.0f | outside %.1f  blinks/min=%.1f'
              % (spec['id'], truth['disorder'], truth['severity'], truth['side'], truth['base'], spec['W'], spec['H'],
                 len(truth['events']), d[inev].mean() if inev.any() else float('nan'), d.max(),
                 d[~inev].mean() if (~inev).any() else float('nan'), truth['blink_rate_per_min']), flush=True)
        if sheet and best[1] is not None:
            a, b = best[1], best[2]
            m = np.abs(a.astype(np.int16) - b).max(2) > 6
            ys, xs = np.nonzero(m)
            if len(xs):
                cx, cy = xs.mean(), ys.mean(); r = int(max(np.ptp(xs), np.ptp(ys), 40))
                x0, y0 = int(max(0, cx - r)), int(max(0, cy - r))
                a, b = a[y0:y0 + 2 * r, x0:x0 + 2 * r], b[y0:y0 + 2 * r, x0:x0 + 2 * r]
                f = 300.0 / a.shape[0]
                a = cv2.resize(a, None, fx=f, fy=f); b = cv2.resize(b, None, fx=f, fy=f)
            tiles.append(np.hstack([a, b]))
            cv2.imwrite(sheet, np.vstack(tiles) if len(set(t_.shape for t_ in tiles)) == 1 else tiles[-1])


if __name__ == '__main__':
    main()
