#!/usr/bin/env python
"""Check that planted events are visible in the pixels: for each clip, render the frame at the
middle of each planted (non-blink) event and of one blink with and without the planted
actions, and report the mean/max absolute difference in the face region.

Usage: check_events.py [--seed N] [--only ids] [--png DIR]
"""
import argparse, os, sys
import numpy as np
import cv2
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_clips as m


def frame_at(spec, base, plan, t, with_events):
    frame, P = base.get(t)
    g = m.geom(P)
    w = m.Warp(frame)
    if with_events:
        m.render_events(w, g, m.frame_state(plan, t), spec)
    elif spec.get('_syn'):
        pass
    return w.apply(), g


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=10)
    ap.add_argument('--only', default='')
    ap.add_argument('--png', default='')
    ap.add_argument('--cache', default='/work/blind10/out/cache')
    a = ap.parse_args()
    specs = m.build_specs(a.seed)
    if a.only:
        specs = [s for s in specs if s['id'] in a.only.split(',')]
    os.makedirs(a.cache, exist_ok=True)
    if a.png:
        os.makedirs(a.png, exist_ok=True)
    for spec in specs:
        rng = np.random.default_rng(spec['rng_seed'] + [7])
        W, H = spec['width'], spec['height']
        if spec['base'] == 'footage':
            p = os.path.join(a.cache, spec['face'] + '_lm.npz')
            if not os.path.exists(p):
                fr, _ = m.load_video(os.path.join(m.MEDIA, m.FOOTAGE[spec['face']]))
                np.savez(p, lm=np.stack([m._lm_or_nan(f) for f in fr]))
                m._mesh.clear()
            base = m.FootageBase(spec['face'], W, H, rng, a.cache)
            nat = m.native_closures(base, spec['fps'], spec['duration_s'])
        else:
            base = m.StillBase(spec['face'], W, H, rng)
            nat = []
        sp = dict(spec, planted_blink_rate=spec['target_blink_rate'])
        plan, events = m.make_plan(sp, rng, spec['duration_s'], nat)
        seen = set()
        for e in events:
            if e['kind'] in seen or e.get('origin') == 'footage':
                continue
            seen.add(e['kind'])
            best = None
            for t in np.linspace(e['start_s'], e['end_s'], 12)[1:-1]:
                if e['kind'] not in ('blink', 'bsp_flutter') and m.frame_state(plan, t)['blink'] > 0:
                    continue
                f1, g = frame_at(sp, base, plan, t, True)
                f0, _ = frame_at(dict(sp, _syn=None), base, plan, t, False)
                d = np.abs(f1.astype(int) - f0.astype(int)).max(2)
                if best is None or d.mean() > best[0]:
                    best = (d.mean(), t, f1, f0, d, g)
            if best is None:
                continue
            _, t, f1, f0, d, g = best
            print('%s %-18s %-9s %-36s t=%6.2f mean|d|=%.2f  px>8: %d  max=%d  ipd=%.0f' % (
                spec['id'], spec['disorder'], spec['severity'], e['kind'], t, d.mean(), (d > 8).sum(),
                d.max(), g['ipd']))
            if a.png:
                cv2.imwrite(os.path.join(a.png, '%s_%s.png' % (spec['id'], e['kind'])),
                            np.hstack([f0, f1, cv2.cvtColor(np.clip(d * 4, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)]))


if __name__ == '__main__':
    main()
