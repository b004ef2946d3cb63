"""Visibility check: re-run MediaPipe Face Mesh on the decoded clip and decide, per truth event,
whether the event moves the landmarks measurably (sets event['visible'])."""
import os
import numpy as np
import cv2
import av
from make_clips import facemesh, detect, sides

SIDE_IMG = {'right': 0, 'left': 1}    # person's right = image-left half


def features(L):
    gl, gr = sides(L)
    ec = [L[gl['up']].mean(0), L[gr['up']].mean(0)]
    iod = np.linalg.norm(ec[1] - ec[0]); ex = (ec[1] - ec[0]) / iod; ey = np.array([-ex[1], ex[0]])
    mid = 0.5 * (ec[0] + ec[1])
    f = {}
    for s, g in enumerate((gl, gr)):
        up = L[g['up'][2:5]]; lo = L[g['lo'][2:5]]
        f['open%d' % s] = np.linalg.norm(up - lo, axis=1).mean() / iod
        cc = 0.5 * (L[g['outer']] + L[g['inner']])
        f['lo%d' % s] = ((lo.mean(0) - cc) @ ey) / iod
        f['up%d' % s] = ((up.mean(0) - cc) @ ey) / iod
        f['brow%d' % s] = ((L[g['brow']].mean(0) - cc) @ ey) / iod
        f['cy%d' % s] = ((L[g['mouth']] - mid) @ ey) / iod
        f['cx%d' % s] = ((L[g['mouth']] - mid) @ ex) / iod
    f['mw'] = np.linalg.norm(L[gl['mouth']] - L[gr['mouth']]) / iod
    f['mo'] = np.linalg.norm(L[13] - L[14]) / iod
    return f


def feats_for(ev):
    k = ev['kind']; s = ev['side']
    ss = [0, 1] if s in ('both', 'none') else [SIDE_IMG[s]]
    if k == 'flicker':
        key = 'lo' if 'lower_lid' in ev['regions'] else 'up'
        return [key + str(x) for x in ss], 0.006
    if k in ('blink', 'forceful_closure', 'eye_narrowing', 'clonic_twitch', 'tonic_spasm', 'glance_down'):
        return ['open%d' % x for x in ss], 0.012
    if k == 'smile':
        return ['mw', 'cy0', 'cy1'], 0.02
    if k == 'pucker':
        return ['mw'], 0.02
    if k in ('talking', 'yawn'):
        return ['mo'], 0.015
    return ['open0', 'open1'], 0.012


def check(tr, outdir):
    c = av.open(os.path.join(outdir, tr['file']))
    fps = tr['fps']; stride = 2 if fps >= 50 else 1
    fm = facemesh(False)
    F = []; ts = []
    for i, fr in enumerate(c.decode(video=0)):
        if i % stride:
            continue
        im = fr.to_ndarray(format='bgr24')
        if im.shape[1] > 640:
            im = cv2.resize(im, (640, int(640 * im.shape[0] / im.shape[1])), interpolation=cv2.INTER_AREA)
        L = detect(im, fm)
        F.append(features(L) if L is not None else None); ts.append(i / fps)
    fm.close(); c.close()
    ts = np.array(ts)
    ok = np.array([f is not None for f in F])
    keys = list(next(f for f in F if f is not None).keys())
    A = {k: np.array([f[k] if f is not None else np.nan for f in F]) for k in keys}
    busy = np.zeros(len(ts), bool)
    for e in tr['events']:
        busy |= (ts >= e['start_s'] - 0.3) & (ts <= e['end_s'] + 0.3)
    quiet = ok & ~busy
    if quiet.sum() < 10:
        quiet = ok
    tr['conditions']['face_found_share'] = round(float(ok.mean()), 3)
    for e in tr['events']:
        keys_e, absmin = feats_for(e)
        inn = ok & (ts >= e['start_s']) & (ts <= e['end_s'] + 0.5 / fps)
        if inn.sum() == 0:
            e['visible'] = False; continue
        best = 0.0; vis = False
        for k in keys_e:
            x = A[k]
            q = quiet & (np.abs(ts - e['start_s']) < 3.0)
            if q.sum() < 5: q = quiet
            base = np.nanmedian(x[q]); sig = 1.4826 * np.nanmedian(np.abs(x[quiet] - np.nanmedian(x[quiet])))
            dev = np.nanmax(np.abs(x[inn] - base))
            thr = max(4 * sig, absmin)
            best = max(best, dev / thr)
            vis |= bool(dev > thr)
        e['visible'] = vis
        e['visible_margin'] = round(float(best), 2)
    return tr
