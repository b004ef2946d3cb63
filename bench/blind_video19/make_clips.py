#!/usr/bin/env python3
"""Blind evaluation set 19: face videos with planted facial events.

Usage: make_clips.py --out DIR [--seed N] [--jobs J] [--only v19_001,v19_007]

Renders 48 clips (8 per class) into DIR/clips/ and writes DIR/truth.json.
Everything random is drawn from numpy generators seeded by --seed (default 19),
so a seed always gives the same plan, the same events and the same pixels.
"""
import argparse
import hashlib
import json
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction

import numpy as np
import cv2

MEDIA = '/work/shared/media'
CLASSES = ['normal', 'frequent_blinking', 'eyelid_myokymia',
           'hemifacial_spasm', 'blepharospasm', 'synkinesis']
ONE_SIDED = {'eyelid_myokymia', 'hemifacial_spasm', 'synkinesis'}
SEVERE = {'frequent_blinking', 'eyelid_myokymia', 'hemifacial_spasm',
          'blepharospasm', 'synkinesis'}
N_PER_CLASS = 8
LAND = [(426, 240), (640, 360), (854, 480), (960, 540), (1280, 720)]
PORT = [(240, 426), (360, 640), (480, 854), (720, 1280)]
FPS = [Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001),
       Fraction(30), Fraction(50), Fraction(60)]
FOOTAGE = {  # name -> (file, downscale-to-height or None)
    'WolfgangLanger': ('WolfgangLanger_Pexels.mp4', None),
    'single_face_video': ('single_face.mp4', None),
    'jefapato': ('jefapato_2sec.mp4', 720),
}
# crops of multi_face.jpg (x0, y0, x1, y1) around four faces with visible eyes
MULTI_CROPS = {'multi_face#1': (245, 160, 485, 420), 'multi_face#2': (385, 150, 575, 340),
               'multi_face#3': (460, 245, 700, 505), 'multi_face#4': (610, 235, 860, 495)}
STILLS = ['single_face', 'astronaut'] + list(MULTI_CROPS)

# MediaPipe face-mesh indices, per eye group: outer/inner corner, upper/lower lid, brow, cheek, mouth corner
GROUP_A = dict(c1=33, c2=133, up=159, lo=145, brow=105, cheek=50, mouth=61)
GROUP_B = dict(c1=263, c2=362, up=386, lo=374, brow=334, cheek=280, mouth=291)
KEYS = ['c1', 'c2', 'up', 'lo', 'brow', 'cheek', 'mouth']
IDX_A = [GROUP_A[k] for k in KEYS]
IDX_B = [GROUP_B[k] for k in KEYS]


# ----------------------------------------------------------------------------- landmarks
def _mesh(static):
    import mediapipe as mp
    return mp.solutions.face_mesh.FaceMesh(static_image_mode=static, max_num_faces=1,
                                           refine_landmarks=True, min_detection_confidence=0.3)


def _lm_to_groups(lms, w, h):
    p = np.array([[l.x * w, l.y * h] for l in lms.landmark], np.float32)
    a, b = p[IDX_A], p[IDX_B]
    # group 0 = eye on the image-left, group 1 = image-right (checked by x, not trusted)
    if a[:2, 0].mean() > b[:2, 0].mean():
        a, b = b, a
    return np.stack([a, b])  # (2, 7, 2)


def load_still(name):
    if name == 'astronaut':
        from skimage import data
        img = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    elif name == 'single_face':
        img = cv2.imread(os.path.join(MEDIA, 'single_face.jpg'))
    else:
        x0, y0, x1, y1 = MULTI_CROPS[name]
        img = cv2.imread(os.path.join(MEDIA, 'multi_face.jpg'))[y0:y1, x0:x1]
    return img


def still_base(name):
    """Still image scaled so the inter-ocular distance is about 120 px, with landmarks."""
    img = load_still(name)
    for up in (1.0, 2.0):
        im = cv2.resize(img, None, fx=up, fy=up, interpolation=cv2.INTER_CUBIC) if up != 1 else img
        with _mesh(True) as fm:
            r = fm.process(cv2.cvtColor(im, cv2.COLOR_BGR2RGB))
        if r.multi_face_landmarks:
            g = _lm_to_groups(r.multi_face_landmarks[0], im.shape[1], im.shape[0])
            iod = np.linalg.norm(g[0, :2].mean(0) - g[1, :2].mean(0))
            k = 120.0 / iod * up
            big = cv2.resize(img, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC)
            return big, g / up * k
    raise RuntimeError('no face in still ' + name)


def load_footage(name):
    fn, down = FOOTAGE[name]
    import av
    frames = []
    with av.open(os.path.join(MEDIA, fn)) as c:
        s = c.streams.video[0]
        fps = float(s.average_rate)
        for fr in c.decode(s):
            im = fr.to_ndarray(format='bgr24')
            if down and im.shape[0] > down:
                k = down / im.shape[0]
                im = cv2.resize(im, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
            frames.append(im)
    return frames, fps


def footage_landmarks(name, cache_dir):
    path = os.path.join(cache_dir, 'lm_%s.npy' % name)
    if os.path.exists(path):
        return np.load(path)
    frames, _ = load_footage(name)
    out = np.full((len(frames), 2, 7, 2), np.nan, np.float32)
    with _mesh(False) as fm:
        for i, im in enumerate(frames):
            r = fm.process(cv2.cvtColor(im, cv2.COLOR_BGR2RGB))
            if r.multi_face_landmarks:
                out[i] = _lm_to_groups(r.multi_face_landmarks[0], im.shape[1], im.shape[0])
    ok = ~np.isnan(out[:, 0, 0, 0])
    idx = np.arange(len(out))
    flat = out.reshape(len(out), -1)
    for j in range(flat.shape[1]):  # fill gaps
        flat[:, j] = np.interp(idx, idx[ok], flat[ok, j])
    sm = flat.copy()  # light temporal smoothing (3 taps)
    sm[1:-1] = 0.25 * flat[:-2] + 0.5 * flat[1:-1] + 0.25 * flat[2:]
    out = sm.reshape(out.shape)
    np.save(path, out)
    return out


def ear(g):
    """eye aspect ratio per eye group; g (..., 2, 7, 2)"""
    v = np.linalg.norm(g[..., 2, :] - g[..., 3, :], axis=-1)
    h = np.linalg.norm(g[..., 0, :] - g[..., 1, :], axis=-1)
    return v / np.maximum(h, 1e-3)


# ----------------------------------------------------------------------------- event shapes
def smoothstep(x):
    x = np.clip(x, 0, 1)
    return x * x * (3 - 2 * x)


def env(t, t0, rise, hold, fall):
    return smoothstep((t - t0) / rise) * (1 - smoothstep((t - t0 - rise - hold) / fall))


def renewal(rng, rate_per_min, t0, t1, min_gap=0.5, shape=2.5):
    """event times with gamma-distributed gaps (a plausible spontaneous-blink process)"""
    times, mean = [], 60.0 / max(rate_per_min, 1e-3)
    t = t0 + rng.uniform(0, mean)
    while t < t1:
        times.append(t)
        t += max(min_gap, rng.gamma(shape, mean / shape))
    return times


class State:
    """Per-frame activation arrays (side index 0 = image-left, 1 = image-right, in base image)."""

    def __init__(self, n):
        z = lambda: np.zeros((2, n), np.float32)
        self.cu, self.cl, self.rest = z(), z(), z()    # closure: upper-lid driven, lower-lid driven, resting narrowing
        self.brow, self.browlow, self.cheek, self.mouth = z(), z(), z(), z()
        self.pucker = np.zeros(n, np.float32)
        self.ripples = []   # (t0, dur, side, lid, u0, amp_iod)


def add_blink(S, t, t0, dur, amp=1.0, sides=(0, 1)):
    e = env(t, t0, 0.32 * dur, 0.08 * dur, 0.6 * dur) * amp
    for s in sides:
        S.cu[s] = np.maximum(S.cu[s], e)


# ----------------------------------------------------------------------------- planning
def plan_set(seed):
    rng = np.random.default_rng(seed)
    ids = ['v19_%03d' % i for i in range(1, 49)]
    classes = [c for c in CLASSES for _ in range(N_PER_CLASS)]
    rng.shuffle(classes)
    foot_quota = dict(zip(CLASSES, rng.permutation([3, 3, 3, 3, 2, 2])))
    foot_src = ['WolfgangLanger'] * 12 + ['single_face_video'] * 2 + ['jefapato'] * 2
    rng.shuffle(foot_src)
    stills = [STILLS[i % len(STILLS)] for i in range(32)]
    rng.shuffle(stills)
    flips = np.zeros(48, bool); flips[rng.choice(48, 13, replace=False)] = True
    webm = np.zeros(48, bool); webm[rng.choice(48, 11, replace=False)] = True
    port = np.zeros(48, bool); port[rng.choice(48, 11, replace=False)] = True
    per_class = {c: [i for i in range(48) if classes[i] == c] for c in CLASSES}
    plans = [None] * 48
    for c, idxs in per_class.items():
        sev = ['mild'] * 3 + ['moderate'] * 3 + ['marked'] * 2
        sides = ['left'] * 4 + ['right'] * 4
        rng.shuffle(sev); rng.shuffle(sides)
        isfoot = np.zeros(8, bool); isfoot[rng.choice(8, foot_quota[c], replace=False)] = True
        order = sorted(idxs, key=lambda i: hashlib.sha256(('%d:%s' % (seed, ids[i])).encode()).hexdigest())
        dev = set(order[:4])
        for k, i in enumerate(idxs):
            plans[i] = dict(id=ids[i], index=i, disorder=c,
                            severity=sev[k] if c in SEVERE else None,
                            side=sides[k] if c in ONE_SIDED else ('both' if c == 'blepharospasm' else None),
                            split='dev' if i in dev else 'locked',
                            base='footage' if isfoot[k] else 'still')
    for i, p in enumerate(plans):
        p['face'] = foot_src.pop() if p['base'] == 'footage' else stills.pop()
        p['flipped'] = bool(flips[i])
        p['format'] = 'webm' if webm[i] else 'mp4'
        if port[i]:
            w, h = PORT[rng.integers(len(PORT))]
        else:
            w, h = LAND[rng.integers(len(LAND))]
        if p['format'] == 'webm' and w * h > 640 * 360:   # keep VP9 affordable
            w, h = (640, 360) if w > h else (360, 640)
        fps = FPS[rng.integers(len(FPS))]
        if w * h >= 1280 * 720 and fps > 30:
            fps = Fraction(30)
        p.update(width=int(w), height=int(h), fps_frac=[fps.numerator, fps.denominator],
                 duration_s=float(np.round(rng.uniform(12, 25), 2)), clip_seed=int(rng.integers(2**31)))
    return plans


# ----------------------------------------------------------------------------- disorder events
def plan_events(p, t, dur, rng, natural_blinks, disorder_off=False):
    """Fill a State for the clip and return (State, events, n_blinks_total)."""
    S = State(len(t))
    ev = []
    cls, sev = p['disorder'], p['severity']
    lvl = {'mild': 0, 'moderate': 1, 'marked': 2}.get(sev, 0)
    img_side = p['image_side_base']  # side index in the base image for one-sided disorders
    busy = []  # intervals where no spontaneous blink is planted

    def free(t0, margin=0.45):
        return all(not (a - margin < t0 < b + margin) for a, b in busy) and \
            all(abs(t0 - nb) > 0.6 for nb in natural_blinks)

    # ---- class-specific events
    if cls == 'hemifacial_spasm':
        s = img_side
        gap = [(4.0, 8.0), (2.5, 5.0), (1.5, 3.5)][lvl]
        spread = lvl >= 1
        region = 'periocular' if not spread else 'periocular+cheek+mouth'
        tt = rng.uniform(0.5, 2.0)
        while tt < dur - 1.0:
            tonic = lvl == 2 and rng.random() < 0.55 or (lvl == 1 and rng.random() < 0.15)
            if tonic:
                d = rng.uniform(1.5, 4.0) if lvl == 2 else rng.uniform(1.0, 1.6)
                d = min(d, dur - tt - 0.3)
                e = env(t, tt, 0.18, d - 0.45, 0.27)
                trem = 1 - 0.15 * (0.5 + 0.5 * np.sin(2 * np.pi * rng.uniform(5, 8) * (t - tt)))
                S.cu[s] = np.maximum(S.cu[s], e * trem * (1.0 if lvl == 2 else 0.8))
                S.cheek[s] = np.maximum(S.cheek[s], e * (0.07 if lvl == 2 else 0.045))
                S.mouth[s] = np.maximum(S.mouth[s], e * (0.10 if lvl == 2 else 0.06))
                S.brow[s] = np.maximum(S.brow[s], e * 0.045)   # Babinski-2: brow rises with eye closure
                ev.append(dict(kind='hfs_tonic_spasm', start_s=tt, end_s=tt + d,
                               region='periocular+cheek+mouth+frontalis'))
                busy.append((tt, tt + d))
                tt += d
            else:
                nj = int(rng.integers(1, [3, 6, 7][lvl] + 1))
                t_start, tj = tt, tt
                for _ in range(nj):
                    dj = rng.uniform(0.12, 0.25)
                    e = env(t, tj, 0.3 * dj, 0.05 * dj, 0.65 * dj)
                    a = rng.uniform(*[(0.25, 0.45), (0.4, 0.8), (0.6, 1.0)][lvl])
                    S.cl[s] = np.maximum(S.cl[s], e * a)   # lower lid / orbicularis oculi jerk
                    if spread:
                        S.cheek[s] = np.maximum(S.cheek[s], e * a * 0.05)
                        S.mouth[s] = np.maximum(S.mouth[s], e * a * (0.05 if lvl == 1 else 0.08))
                    tj += dj + rng.uniform(0.03, 0.35)
                ev.append(dict(kind='hfs_clonic_twitches', start_s=t_start, end_s=tj, region=region,
                               n_jerks=nj))
                busy.append((t_start, tj))
                tt = tj
            tt += rng.uniform(*gap)
        blink_rate = rng.uniform(10, 20)

    elif cls == 'eyelid_myokymia':
        s = img_side
        lid = 'upper' if rng.random() < 0.25 else 'lower'
        amp = [0.016, 0.024, 0.034][lvl]
        n_ep = [int(rng.integers(1, 3)), int(rng.integers(2, 4)), 1][lvl]
        if lvl == 2:
            spans = [(rng.uniform(0.3, 1.5), dur - rng.uniform(0.3, 1.5))]  # near-continuous
        else:
            spans = []
            seg = dur / n_ep
            for k in range(n_ep):
                d = rng.uniform(*[(2.0, 4.5), (3.0, 7.0)][lvl])
                d = min(d, seg - 0.6)
                a0 = k * seg + rng.uniform(0.3, max(0.3 + 1e-6, seg - d - 0.3))
                spans.append((a0, a0 + d))
        for a0, a1 in spans:
            tp = a0
            while tp < a1:  # semirhythmic motor-unit discharges, 3-8 Hz, non-synchronous along the lid
                S.ripples.append((tp, rng.uniform(0.07, 0.11), s, lid, rng.uniform(-0.6, 0.6),
                                  amp * rng.uniform(0.6, 1.2)))
                tp += rng.uniform(0.125, 0.33)
            ev.append(dict(kind='myokymia', start_s=a0, end_s=a1, region=lid + '_lid'))
        blink_rate = rng.uniform(10, 20)

    elif cls == 'blepharospasm':
        blink_rate = rng.uniform(*[(28, 34), (30, 40), (35, 45)][lvl])
        # spasms (forceful bilateral closure with brow lowering: orbicularis, corrugator, procerus)
        if lvl >= 1:
            target = dur * ([0, rng.uniform(0.10, 0.18), rng.uniform(0.30, 0.42)][lvl])
            tt, tot = rng.uniform(0.8, 3.0), 0.0
            while tot < target and tt < dur - 1.5:
                d = rng.uniform(1.0, 2.5) if lvl == 1 else rng.uniform(2.0, 6.0)
                d = min(d, dur - tt - 0.5)
                e = env(t, tt, 0.15, d - 0.4, 0.25)
                S.cu[0] = np.maximum(S.cu[0], e); S.cu[1] = np.maximum(S.cu[1], e)
                for s in (0, 1):
                    S.browlow[s] = np.maximum(S.browlow[s], e * [0, 0.04, 0.06][lvl])
                    S.cheek[s] = np.maximum(S.cheek[s], e * 0.025)
                ev.append(dict(kind='blepharospasm_spasm', start_s=tt, end_s=tt + d,
                               region='orbicularis_oculi+corrugator+procerus'))
                busy.append((tt, tt + d))
                tot += d
                tt += d + rng.uniform(1.5, 4.0) * (1.0 if lvl == 2 else 1.8)
        # fluttering: brief clusters of rapid blinks (< 1 s)
        n_fl = [int(rng.integers(2, 5)), int(rng.integers(1, 4)), int(rng.integers(1, 3))][lvl]
        flutter_blinks = 0
        for _ in range(n_fl):
            for _try in range(20):
                t0 = rng.uniform(0.5, dur - 1.5)
                if free(t0, 0.8):
                    break
            else:
                continue
            k = int(rng.integers(3, 6)); tk = t0
            for _ in range(k):
                d = rng.uniform(0.12, 0.18)
                add_blink(S, t, tk, d, rng.uniform(0.6, 1.0))
                tk += d + rng.uniform(0.0, 0.05)
            for s in (0, 1):
                S.browlow[s] = np.maximum(S.browlow[s], env(t, t0, 0.1, tk - t0 - 0.1, 0.2) * 0.02)
            ev.append(dict(kind='blepharospasm_flutter', start_s=t0, end_s=tk, region='eyelids', n_blinks=k))
            busy.append((t0, tk)); flutter_blinks += k
        blink_rate = max(0.0, blink_rate - flutter_blinks * 60.0 / dur)  # spontaneous blinks on top

    elif cls == 'synkinesis':
        s = img_side
        S.rest[s] += 0 if disorder_off else [0.0, 0.08, 0.15][lvl]   # narrower palpebral fissure at rest on the affected side
        narrow = [rng.uniform(0.18, 0.25), rng.uniform(0.3, 0.42), rng.uniform(0.5, 0.65)][lvl]
        tt = rng.uniform(1.0, 3.0)
        while tt < dur - 2.0:
            d = rng.uniform(1.2, 2.6)
            e = env(t, tt, 0.35, d - 0.7, 0.35)
            kind = 'voluntary_pucker' if rng.random() < 0.3 else 'voluntary_smile'
            if kind == 'voluntary_smile':
                lev = rng.uniform(0.6, 1.0)
                for q in (0, 1):
                    S.mouth[q] = np.maximum(S.mouth[q], e * 0.12 * lev)
                    S.cheek[q] = np.maximum(S.cheek[q], e * 0.035 * lev)
                    S.cl[q] = np.maximum(S.cl[q], e * 0.10 * lev)
            else:
                S.pucker = np.maximum(S.pucker, e * rng.uniform(0.6, 1.0))
            ev.append(dict(kind=kind, start_s=tt, end_s=tt + d, region='mouth', side_override='both'))
            S.cl[s] = np.maximum(S.cl[s], e * (0 if disorder_off else narrow))   # oral-ocular synkinesis: eye narrows
            ev.append(dict(kind='synkinesis_eye_narrowing', start_s=tt, end_s=tt + d, region='periocular'))
            busy.append((tt, tt + d))
            tt += d + rng.uniform(2.0, 4.5)
        blink_rate = rng.uniform(10, 20)

    elif cls == 'frequent_blinking':
        blink_rate = rng.uniform(*[(26, 32), (32, 40), (40, 52)][lvl])
    else:
        blink_rate = rng.uniform(10, 20)

    if disorder_off and cls != 'synkinesis':   # verification twin: same randomness, same blinks, no disorder
        S = State(len(t))

    # ---- nuisance smiles in other classes (still bases only; footage has its own expressions)
    if cls not in ('synkinesis',) and p['base'] == 'still' and rng.random() < 0.5:
        tt = rng.uniform(2, dur - 4)
        d = rng.uniform(1.2, 2.5)
        e = env(t, tt, 0.35, d - 0.7, 0.35)
        lev = rng.uniform(0.5, 0.9)
        for q in (0, 1):
            S.mouth[q] = np.maximum(S.mouth[q], e * 0.12 * lev)
            S.cheek[q] = np.maximum(S.cheek[q], e * 0.035 * lev)
            S.cl[q] = np.maximum(S.cl[q], e * 0.10 * lev)
        ev.append(dict(kind='voluntary_smile', start_s=tt, end_s=tt + d, region='mouth', side_override='both'))

    # ---- spontaneous blinks (planted), topping up the natural ones of footage
    n_target = int(round(blink_rate * dur / 60.0))
    n_plant = max(0, n_target - len(natural_blinks))
    cand = renewal(rng, blink_rate, 0.2, dur - 0.5)
    cand = [c for c in cand if free(c)]
    if len(cand) < n_plant:  # fill up with random free times
        for _ in range(400):
            c = rng.uniform(0.2, dur - 0.5)
            if free(c) and all(abs(c - x) > 0.5 for x in cand):
                cand.append(c)
            if len(cand) >= n_plant:
                break
    cand = sorted(cand)
    if len(cand) > n_plant:
        cand = sorted(rng.choice(cand, n_plant, replace=False).tolist())
    for c in cand:
        d = rng.uniform(0.2, 0.38)
        add_blink(S, t, c, d)
        ev.append(dict(kind='blink', start_s=c, end_s=c + d, region='eyelids', side_override='both'))
        if cls == 'synkinesis' and lvl >= 1 and not disorder_off:   # ocular-oral synkinesis: mouth corner moves with eye closure
            e = env(t, c, 0.32 * d, 0.08 * d + 0.05, 0.6 * d + 0.1)
            S.mouth[img_side] = np.maximum(S.mouth[img_side], e * [0, 0.035, 0.055][lvl])
            ev.append(dict(kind='synkinesis_oral_with_blink', start_s=c, end_s=c + d + 0.15,
                           region='mouth_corner'))
    n_flutter = sum(e.get('n_blinks', 0) for e in ev)
    n_blinks = len(cand) + len(natural_blinks) + n_flutter
    return S, ev, n_blinks


# ----------------------------------------------------------------------------- warping
def face_frame(g):
    e0, e1 = g[0, :2].mean(0), g[1, :2].mean(0)
    iod = float(np.linalg.norm(e1 - e0))
    ex = (e1 - e0) / max(iod, 1e-3)
    ey = np.array([-ex[1], ex[0]], np.float32)
    return iod, ex, ey


def eye_close(img, g, s, c, us, ex, ey):
    """Close eye group s by fraction c (upper lid covers share us of the gap)."""
    if c < 0.01:
        return
    p1, p2, pu, pl = g[s, 0], g[s, 1], g[s, 2], g[s, 3]
    o = (p1 + p2) / 2
    a = float(np.linalg.norm(p2 - p1)) / 2
    vu, vl = float(np.dot(pu - o, ey)), float(np.dot(pl - o, ey))
    if vl - vu < 1.0 or a < 3:
        return
    vu, vl = min(vu, -0.3), max(vl, 0.3)
    R = int(max(1.25 * a, 0.9 * a - vu, vl + 0.6 * a) + 3)
    x0, y0 = int(o[0]) - R, int(o[1]) - R
    H, W = img.shape[:2]
    xa, ya, xb, yb = max(x0, 0), max(y0, 0), min(x0 + 2 * R + 1, W), min(y0 + 2 * R + 1, H)
    if xb - xa < 4 or yb - ya < 4:
        return
    X, Y = np.meshgrid(np.arange(xa, xb, dtype=np.float32), np.arange(ya, yb, dtype=np.float32))
    u = (X - o[0]) * ex[0] + (Y - o[1]) * ex[1]
    v = (X - o[0]) * ey[0] + (Y - o[1]) * ey[1]
    sh = np.sqrt(np.clip(1 - (u / (1.12 * a)) ** 2, 0, 1))
    top, bot = vu * sh, vl * sh
    m = top + (bot - top) * us
    nt, nb = top + c * (m - top), bot - c * (bot - m)
    rt, rb = vu - 0.9 * a, vl + 0.6 * a
    vs = v.copy()
    A = (v >= rt) & (v <= nt)
    vs[A] = (rt + (v - rt) * (top - rt) / np.maximum(nt - rt, 1e-3))[A]
    B = (v > nt) & (v < nb)
    vs[B] = (top + (v - nt) * (bot - top) / np.maximum(nb - nt, 1e-3))[B]
    C = (v >= nb) & (v <= rb)
    vs[C] = (bot + (v - nb) * (rb - bot) / np.maximum(rb - nb, 1e-3))[C]
    dv = vs - v
    mx, my = X + dv * ey[0], Y + dv * ey[1]
    roi = img[ya:yb, xa:xb]
    out = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    # slight shadow of the closing lid fold
    shade = 1 - 0.12 * c * sh * np.exp(-((v - nt) / (0.12 * a + 1)) ** 2)
    roi[:] = np.clip(out * shade[..., None], 0, 255).astype(np.uint8)


def displace(img, jobs, ex, ey):
    """jobs: (centre, displacement vector px, sigma_u, sigma_v); content at centre moves by vector."""
    jobs = [j for j in jobs if np.hypot(*j[1]) > 0.05]
    if not jobs:
        return
    H, W = img.shape[:2]
    boxes = [(j[0][0] - 3 * max(j[2], j[3]), j[0][1] - 3 * max(j[2], j[3]),
              j[0][0] + 3 * max(j[2], j[3]), j[0][1] + 3 * max(j[2], j[3])) for j in jobs]
    xa = max(int(min(b[0] for b in boxes)), 0); ya = max(int(min(b[1] for b in boxes)), 0)
    xb = min(int(max(b[2] for b in boxes)) + 1, W); yb = min(int(max(b[3] for b in boxes)) + 1, H)
    if xb - xa < 2 or yb - ya < 2:
        return
    dx = np.zeros((yb - ya, xb - xa), np.float32); dy = np.zeros_like(dx)
    for (cxy, vec, su, sv), bx in zip(jobs, boxes):
        bx0, by0 = max(int(bx[0]), xa), max(int(bx[1]), ya)
        bx1, by1 = min(int(bx[2]) + 1, xb), min(int(bx[3]) + 1, yb)
        if bx1 <= bx0 or by1 <= by0:
            continue
        X, Y = np.meshgrid(np.arange(bx0, bx1, dtype=np.float32), np.arange(by0, by1, dtype=np.float32))
        u = (X - cxy[0]) * ex[0] + (Y - cxy[1]) * ex[1]
        v = (X - cxy[0]) * ey[0] + (Y - cxy[1]) * ey[1]
        w = np.exp(-0.5 * ((u / su) ** 2 + (v / sv) ** 2))
        dx[by0 - ya:by1 - ya, bx0 - xa:bx1 - xa] += w * vec[0]
        dy[by0 - ya:by1 - ya, bx0 - xa:bx1 - xa] += w * vec[1]
    X, Y = np.meshgrid(np.arange(xa, xb, dtype=np.float32), np.arange(ya, yb, dtype=np.float32))
    out = cv2.remap(img, X - dx, Y - dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    img[ya:yb, xa:xb] = out


def apply_state(img, g, S, i, tnow):
    iod, ex, ey = face_frame(g)
    for s in (0, 1):
        cu, cl = S.cu[s, i], S.cl[s, i]
        c = min(1.0, max(cu, cl) + 0.3 * min(cu, cl) + S.rest[s, i])
        us = (0.78 * cu + 0.35 * (cl + S.rest[s, i])) / max(cu + cl + S.rest[s, i], 1e-6)
        eye_close(img, g, s, c, us, ex, ey)
    jobs = []
    centre = (g[0, 6] + g[1, 6]) / 2
    for s in (0, 1):
        lat = -ex if s == 0 else ex   # away from the face midline in the base image
        if S.brow[s, i] > 0 or S.browlow[s, i] > 0:
            vec = (-ey * S.brow[s, i] + ey * S.browlow[s, i] - lat * 0.5 * S.browlow[s, i]) * iod
            jobs.append((g[s, 4], vec, 0.24 * iod, 0.13 * iod))
        if S.cheek[s, i] > 0:
            jobs.append((g[s, 5], -ey * S.cheek[s, i] * iod, 0.2 * iod, 0.16 * iod))
        if S.mouth[s, i] > 0:
            jobs.append((g[s, 6], (-ey * 0.6 + lat * 0.8) * S.mouth[s, i] * iod, 0.17 * iod, 0.15 * iod))
        if S.pucker[i] > 0:
            jobs.append((g[s, 6], -lat * 0.09 * S.pucker[i] * iod, 0.14 * iod, 0.14 * iod))
    for (t0, d, s, lid, u0, amp) in S.ripples:
        if t0 <= tnow <= t0 + d:
            k = math.sin(math.pi * (tnow - t0) / d)
            p1, p2 = g[s, 0], g[s, 1]
            a = float(np.linalg.norm(p2 - p1)) / 2
            base = g[s, 3] if lid == 'lower' else g[s, 2]
            cpt = (p1 + p2) / 2 + ex * u0 * a + ey * float(np.dot(base - (p1 + p2) / 2, ey))
            cpt = cpt + ey * (0.12 * a if lid == 'lower' else -0.15 * a)
            sgn = -1 if lid == 'lower' else 1  # lower lid skin twitches up, upper lid down
            jobs.append((cpt, ey * sgn * amp * k * iod, 0.22 * a, 0.2 * a))
    displace(img, jobs, ex, ey)


# ----------------------------------------------------------------------------- rendering
def render_clip(p, out_dir, cache_dir, disorder_off=False, frame_hook=None):
    import av
    rng = np.random.default_rng(p['clip_seed'])
    fps = Fraction(*p['fps_frac'])
    n = int(round(p['duration_s'] * float(fps)))
    t = np.arange(n, dtype=np.float64) / float(fps)
    dur = n / float(fps)
    W, H = p['width'], p['height']
    flipped = p['flipped']
    # anatomical side in the final video -> image side in the final video -> image side in the base
    if p['side'] in ('left', 'right'):
        img_side_final = 'right' if p['side'] == 'left' else 'left'
        base_side = img_side_final if not flipped else ('left' if img_side_final == 'right' else 'right')
        p['image_side'] = img_side_final
        p['image_side_base'] = 0 if base_side == 'left' else 1
    else:
        p['image_side'] = p['side']
        p['image_side_base'] = 0

    if p['base'] == 'footage':
        frames, sfps = load_footage(p['face'])
        lms = footage_landmarks(p['face'], cache_dir)
        D = len(frames) / sfps
        ts = np.mod(t, 2 * D); ts = np.where(ts > D, 2 * D - ts, ts)   # play forward, then backward
        fidx = np.clip(np.round(ts * sfps).astype(int), 0, len(frames) - 1)
        G = lms[fidx]
        # natural blinks: dips of the eye aspect ratio in the played sequence
        e = ear(G).mean(1)
        med = np.median(e)
        low = e < 0.6 * med
        nat = []
        i = 0
        while i < n:
            if low[i]:
                j = i
                while j < n and low[j]:
                    j += 1
                if not nat or t[i] - nat[-1] > 0.3:
                    nat.append(float(t[i]))
                i = j
            else:
                i += 1
        src_h, src_w = frames[0].shape[:2]
        allp = lms.reshape(-1, 2)
        fc = np.nanmean(allp, 0)
        fw = np.nanmax(allp[:, 0]) - np.nanmin(allp[:, 0])
        smin = max(W / src_w, H / src_h)
        s = max(smin, min(smin * rng.uniform(1.0, 1.35), 0.55 * W / max(fw, 1)))
        jit = 0.004
    else:
        base_img, g0 = still_base(p['face'])
        frames, G, nat = None, None, []
        src_h, src_w = base_img.shape[:2]
        fc = g0.reshape(-1, 2).mean(0)
        iod0 = face_frame(g0)[0]
        s = max(rng.uniform(0.17, 0.27) * min(W, H) / iod0, 1.08 * max(W / src_w, H / src_h))
        jit = 0.02
    p['natural_blinks_s'] = [round(x, 3) for x in nat]

    S, ev, n_blinks = plan_events(p, t, dur, rng, nat, disorder_off)
    # head motion / camera shake, lighting drift, noise, compression
    def wobble(amp, nw=2):
        out = np.zeros(n)
        for _ in range(nw):
            out += amp / nw * np.sin(2 * np.pi * rng.uniform(0.05, 0.35) * t + rng.uniform(0, 6.3))
        return out
    rot = wobble(np.deg2rad(2.0 if p['base'] == 'still' else 0.4))
    tx, ty = wobble(jit * W), wobble(jit * H)
    sc = 1 + wobble(0.02 if p['base'] == 'still' else 0.005)
    gain = 1 + wobble(0.06) + rng.uniform(-0.05, 0.05)
    grad = wobble(0.10)
    noise_sigma = rng.uniform(1.0, 3.5)
    bank = [rng.normal(0, noise_sigma, (H, W)).astype(np.float32) for _ in range(5)]
    xr = (np.arange(W, dtype=np.float32) / W - 0.5)
    cx = float(np.clip(fc[0], W / (2 * s), src_w - W / (2 * s)))
    cy = float(np.clip(fc[1], H / (2 * s), src_h - H / (2 * s)))

    path = None
    if frame_hook is None:
        fn = '%s.%s' % (p['id'], p['format'])
        path = os.path.join(out_dir, 'clips', fn)
        cont = av.open(path, 'w')
        if p['format'] == 'mp4':
            st = cont.add_stream('libx264', rate=fps)
            st.options = {'preset': 'veryfast', 'crf': str(int(rng.integers(20, 31)))}
        else:
            st = cont.add_stream('libvpx-vp9', rate=fps)
            st.options = {'deadline': 'realtime', 'cpu-used': '8', 'crf': str(int(rng.integers(30, 42))),
                          'b': '0', 'row-mt': '1'}
        st.width, st.height, st.pix_fmt = W, H, 'yuv420p'
    for i in range(n):
        if frames is not None:
            img = frames[fidx[i]].copy(); g = G[i]
        else:
            img = base_img.copy(); g = g0
        apply_state(img, g, S, i, t[i])
        a, k = rot[i], s * sc[i]
        ca, sa = math.cos(a) * k, math.sin(a) * k
        M = np.array([[ca, -sa, 0], [sa, ca, 0]], np.float64)
        M[:, 2] = np.array([W / 2 + tx[i], H / 2 + ty[i]]) - M[:, :2] @ np.array([cx, cy])
        if flipped:
            M = np.array([[-1, 0, W - 1], [0, 1, 0]], np.float64) @ np.vstack([M, [0, 0, 1]])
        out = cv2.warpAffine(img, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        f = out.astype(np.float32)
        f *= (gain[i] + grad[i] * xr)[None, :, None]
        f += bank[(i * 7 + i // 3) % 5][..., None]
        out = np.clip(f, 0, 255).astype(np.uint8)
        if frame_hook is not None:
            frame_hook(i, t[i], out)
            continue
        fr = av.VideoFrame.from_ndarray(out, format='bgr24')
        for pk in st.encode(fr):
            cont.mux(pk)
    if frame_hook is None:
        for pk in st.encode():
            cont.mux(pk)
        cont.close()

    side_ev = p['side'] if p['side'] in ('left', 'right') else ('both' if p['side'] == 'both' else None)
    events = []
    for e in ev:
        e = dict(e)
        sd = e.pop('side_override', None) or side_ev or 'both'
        events.append(dict(kind=e.pop('kind'), start_s=round(float(e.pop('start_s')), 3),
                           end_s=round(float(min(e.pop('end_s'), dur)), 3), side=sd,
                           region=e.pop('region'), **e))
    events.sort(key=lambda e: e['start_s'])
    truth = dict(id=p['id'], file='clips/%s.%s' % (p['id'], p['format']), disorder=p['disorder'],
                 side=p['side'], image_side=p['image_side'], flipped=flipped, split=p['split'],
                 fps=round(float(fps), 3), fps_exact='%d/%d' % (fps.numerator, fps.denominator),
                 width=W, height=H, duration_s=round(dur, 3), n_frames=n, severity=p['severity'],
                 blink_rate_per_min=round(n_blinks * 60.0 / dur, 2), n_blinks=n_blinks,
                 natural_blinks_s=p['natural_blinks_s'], base=p['base'], face=p['face'],
                 format=p['format'], codec='h264' if p['format'] == 'mp4' else 'vp9',
                 resting_fissure_narrowing=float(S.rest.max()) if p['disorder'] == 'synkinesis' else 0.0,
                 events=events)
    return truth


def _work(args):
    p, out_dir, cache_dir = args
    t0 = time.time()
    cv2.setNumThreads(1)
    tr = render_clip(p, out_dir, cache_dir)
    return tr, time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=19)
    ap.add_argument('--jobs', type=int, default=1)
    ap.add_argument('--only', default='')
    a = ap.parse_args()
    t_start = time.time()
    os.makedirs(os.path.join(a.out, 'clips'), exist_ok=True)
    cache = os.path.join(a.out, 'cache')
    os.makedirs(cache, exist_ok=True)
    plans = plan_set(a.seed)
    if a.only:
        keep = set(x.strip() for x in a.only.split(','))
        plans = [p for p in plans if p['id'] in keep]
    for name in sorted({p['face'] for p in plans if p['base'] == 'footage'}):
        footage_landmarks(name, cache)   # once, before the workers start
    # longest clips first for better packing
    plans.sort(key=lambda p: -p['duration_s'] * p['width'] * p['height'] * p['fps_frac'][0] / p['fps_frac'][1])
    results = []
    import multiprocessing as mpc   # spawn: forking after MediaPipe/OpenCV threads start can hang
    with ProcessPoolExecutor(max_workers=max(1, a.jobs), mp_context=mpc.get_context('spawn')) as ex:
        for tr, dt in ex.map(_work, [(p, a.out, cache) for p in plans]):
            print('%s %-18s %5.1fs' % (tr['id'], tr['disorder'], dt), flush=True)
            results.append(tr)
    tp = os.path.join(a.out, 'truth.json')
    if a.only and os.path.exists(tp):
        old = {r['id']: r for r in json.load(open(tp))}
        old.update({r['id']: r for r in results})
        results = list(old.values())
    results.sort(key=lambda r: r['id'])
    with open(tp, 'w') as f:
        json.dump(results, f, indent=1)
    print('rendered %d clips in %.1f s (wall)' % (len(plans), time.time() - t_start))


if __name__ == '__main__':
    main()
