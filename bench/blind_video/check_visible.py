"""Visibility check: does each planted event move MediaPipe Face Mesh landmarks measurably?

Decodes the rendered (compressed) clip, runs Face Mesh (video mode, refine_landmarks) on
every frame, expresses landmarks in a face-aligned frame (origin at the eye-corner centre,
x along the eye line, unit = inter-ocular distance) so that head motion cancels, and
derives per-frame signals:
  open_i   eye-opening ratio of image-side eye i (mean of 3 upper/lower lid pair
           distances / eye width)
  lid_lo_i, lid_up_i  lower / upper lid mid-point height relative to the eye corners
  brow_i   mean brow height
  cup_i    mouth-corner height; mw  mouth width; gap  inner-lip gap
"Quiet" frames are frames at least 0.3 s from every planted event. Baseline = median of
quiet frames within 5 s of the event (all quiet frames if fewer than 15), noise = 1.4826*MAD
of the same frames (floored). An event is visible when its effect exceeds both a relative
threshold and 3.5 x noise (see RULES below). The metric, value and threshold are written
into the event as `check`.
"""
import av
import cv2
import numpy as np

import mediapipe as mp

UPPER = [[160, 159, 158], [387, 386, 385]]
LOWER = [[144, 145, 153], [373, 374, 380]]
CORN = [(33, 133), (263, 362)]
BROWS = [[70, 63, 105, 66, 107], [300, 293, 334, 296, 336]]


def signals(path, center_hint=None):
    fm = mp.solutions.face_mesh.FaceMesh(static_image_mode=False, max_num_faces=2,
                                         refine_landmarks=True, min_detection_confidence=0.5,
                                         min_tracking_confidence=0.5)
    c = av.open(path)
    rows = []
    for fr in c.decode(video=0):
        img = fr.to_ndarray(format='rgb24')
        h, w = img.shape[:2]
        r = fm.process(img)
        if not r.multi_face_landmarks:
            rows.append(None)
            continue
        best, bd = None, 1e18
        for f in r.multi_face_landmarks:
            L = np.array([[p.x * w, p.y * h] for p in f.landmark])
            d = np.linalg.norm(L.mean(0) - np.array([w / 2, h / 2]))
            if d < bd:
                best, bd = L, d
        rows.append(best)
    c.close()
    fm.close()
    n = len(rows)
    keys = ['open0', 'open1', 'lid_lo0', 'lid_lo1', 'lid_up0', 'lid_up1', 'brow0', 'brow1',
            'cup0', 'cup1', 'mw', 'gap']
    S = {k: np.full(n, np.nan) for k in keys}
    for i, L in enumerate(rows):
        if L is None:
            continue
        a = (L[33] + L[133]) / 2
        b = (L[263] + L[362]) / 2
        iod = np.linalg.norm(b - a)
        ux = (b - a) / iod
        uy = np.array([-ux[1], ux[0]])
        o = (a + b) / 2
        P = np.stack([(L - o) @ ux, (L - o) @ uy], 1) / iod     # y grows downward
        for s in (0, 1):
            wdt = np.linalg.norm(P[CORN[s][0]] - P[CORN[s][1]])
            S[f'open{s}'][i] = np.mean([np.linalg.norm(P[u] - P[l]) for u, l in zip(UPPER[s], LOWER[s])]) / wdt
            cy = (P[CORN[s][0], 1] + P[CORN[s][1], 1]) / 2
            S[f'lid_lo{s}'][i] = P[LOWER[s][1], 1] - cy
            S[f'lid_up{s}'][i] = P[UPPER[s][1], 1] - cy
            S[f'brow{s}'][i] = np.mean(P[BROWS[s], 1])
        S['cup0'][i] = P[61, 1]
        S['cup1'][i] = P[291, 1]
        S['mw'][i] = np.linalg.norm(P[61] - P[291])
        S['gap'][i] = np.linalg.norm(P[13] - P[14])
    return S, n


def highpass(x, fps, win_s=0.35):
    k = max(3, int(round(win_s * fps)) | 1)
    xf = np.where(np.isnan(x), np.nanmedian(x), x)
    sm = np.convolve(np.pad(xf, k // 2, mode='edge'), np.ones(k) / k, mode='valid')
    return xf - sm


def check_clip(path, rec):
    S, n = signals(path)
    fps = rec['fps']
    t = np.arange(n) / fps
    events = rec['events']
    busy = np.zeros(n, bool)
    for e in events:
        busy |= (t >= e['start_s'] - 0.3) & (t <= e['end_s'] + 0.3)
    quiet = ~busy
    hp = {k: highpass(S[k], fps) for k in ('lid_lo0', 'lid_lo1', 'lid_up0', 'lid_up1', 'open0', 'open1')}

    def base(sig, e, hpsig=False):
        near = quiet & (t > e['start_s'] - 5) & (t < e['end_s'] + 5)
        if near.sum() < 15:
            near = quiet
        v = sig[near]
        v = v[~np.isnan(v)]
        if len(v) < 5:
            return np.nan, np.nan
        med = np.median(v)
        mad = 1.4826 * np.median(np.abs(v - med))
        return med, mad

    for e in events:
        m = (t >= e['start_s']) & (t <= e['end_s'] + 0.5 / fps)
        k = e['kind']
        sides = [0, 1] if e['image_side'] == 'both' else [0 if e['image_side'] == 'image_left' else 1]
        res = []
        if k in ('blink', 'forceful_closure', 'clonic_twitch', 'tonic_spasm', 'eye_narrowing', 'glance_down'):
            thr = {'blink': 0.25, 'forceful_closure': 0.3, 'clonic_twitch': 0.15, 'tonic_spasm': 0.25,
                   'eye_narrowing': 0.12, 'glance_down': 0.12}[k]
            for s in sides:
                sig = S[f'open{s}']
                med, mad = base(sig, e)
                seg = sig[m]
                if np.all(np.isnan(seg)) or np.isnan(med):
                    res.append((False, 'open_drop', None, thr))
                    continue
                drop = (med - np.nanmin(seg)) / med
                noise = max(mad, 0.01) / med
                res.append((drop >= thr and drop >= 3.5 * noise, 'open_drop_rel', float(drop), max(thr, 3.5 * noise)))
            ok = all(r[0] for r in res)
            if k == 'tonic_spasm' and not ok:
                pass
        elif k == 'flicker':
            s = sides[0]
            lid = 'lid_lo' if 'lower_lid' in e['regions'] else 'lid_up'
            best = (False, 'lid_hp_std_ratio', 0.0, 1.8)
            for key in (f'{lid}{s}', f'open{s}'):
                x = hp[key]
                seg = x[m]
                near = quiet & (t > e['start_s'] - 6) & (t < e['end_s'] + 6)
                if near.sum() < 15:
                    near = quiet
                bq = x[near]
                if len(seg) < 5 or len(bq) < 5:
                    continue
                ratio = float(np.nanstd(seg) / max(np.nanstd(bq), 1e-4))
                if ratio > best[2]:
                    best = (ratio >= 1.8, f'{key}_hp_std_ratio', ratio, 1.8)
            res.append(best)
            ok = best[0]
        elif k in ('smile', 'pucker', 'talking'):
            if k == 'talking':
                sig, sign, thr = S['gap'], 1, 0.03
            elif k == 'pucker':
                sig, sign, thr = S['mw'], -1, 0.03
            else:
                sig, sign, thr = S['mw'], 1, 0.025
            med, mad = base(sig, e)
            seg = sig[m]
            if np.all(np.isnan(seg)) or np.isnan(med):
                res.append((False, 'mouth', None, thr))
            else:
                ext = np.nanmax(sign * (seg - med))
                ok1 = ext >= thr and ext >= 3.5 * max(mad, 0.003)
                res.append((ok1, 'mouth_width' if k != 'talking' else 'lip_gap', float(ext), max(thr, 3.5 * mad)))
                if k == 'smile' and not ok1:
                    # corners rising counts too
                    best = 0
                    for s in (0, 1):
                        mc, madc = base(S[f'cup{s}'], e)
                        best = max(best, float(np.nanmax(mc - S[f'cup{s}'][m])))
                    if best >= 0.02 and best >= 3.5 * max(madc, 0.003):
                        res = [(True, 'corner_rise', best, 0.02)]
            ok = res[0][0]
        else:
            ok = False
            res.append((False, 'unknown', None, None))
        e['visible'] = bool(ok)
        e['check'] = [dict(metric=r[1], value=None if r[2] is None else round(r[2], 4),
                           threshold=None if r[3] is None else round(float(r[3]), 4)) for r in res]
    rec['conditions']['facemesh_detected_frac'] = round(float(np.mean(~np.isnan(S['open0']))), 3)
    return rec
