#!/usr/bin/env python
"""Blind evaluation set 18: 48 face videos with planted facial events.

Usage: make_clips.py --out DIR [--seed N] [--jobs J] [--only v18_001,v18_007]

Every clip is a real face (moving footage or a still photo) warped locally, frame by frame,
with cv2.remap: eyelids (blinks, spasm closures, lower-lid lift), brows, cheeks, mouth corners
and small lid ripples. See README.md.
"""
import argparse, hashlib, json, math, os, sys, time
from fractions import Fraction
from multiprocessing import Pool

import numpy as np
import cv2

MEDIA = '/work/shared/media/'
CLASSES = ['normal', 'frequent_blinking', 'eyelid_myokymia', 'hemifacial_spasm',
           'blepharospasm', 'synkinesis']
ONE_SIDED = {'eyelid_myokymia', 'hemifacial_spasm', 'synkinesis'}
SEVERITY_CLASSES = ['frequent_blinking', 'eyelid_myokymia', 'hemifacial_spasm',
                    'blepharospasm', 'synkinesis']
STILL_FACES = ['single_face_jpg', 'astronaut', 'multi_face_a', 'multi_face_b', 'multi_face_c', 'multi_face_d']
FOOTAGE = {  # name: (file, first usable frame, last usable frame, mode)
    'wolfgang_pexels': ('WolfgangLanger_Pexels.mp4', 0, 471, 'forward'),
    'single_face_mp4': ('single_face.mp4', 31, 71, 'pingpong'),  # blink-free part only
    'jefapato_2sec': ('jefapato_2sec.mp4', 1, 29, 'pingpong'),
}
OPP = {'left': 'right', 'right': 'left', 'both': 'both', None: None}

# ---------------------------------------------------------------- landmarks

def _mesh(static):
    import mediapipe as mp
    return mp.solutions.face_mesh.FaceMesh(static_image_mode=static, max_num_faces=5,
                                           refine_landmarks=False,
                                           min_detection_confidence=0.3)


def _lm(res, w, h):
    out = []
    for fl in res.multi_face_landmarks or []:
        out.append(np.array([[p.x * w, p.y * h] for p in fl.landmark], np.float32))
    return out


def load_still(name):
    if name == 'single_face_jpg':
        return cv2.imread(MEDIA + 'single_face.jpg')
    if name == 'astronaut':
        from skimage import data
        return data.astronaut()[:, :, ::-1].copy()
    return cv2.imread(MEDIA + 'multi_face.jpg')


def read_footage(name):
    import av
    f = FOOTAGE[name][0]
    frames = []
    c = av.open(MEDIA + f)
    s = c.streams.video[0]
    fps = float(s.average_rate)
    for fr in c.decode(video=0):
        img = fr.to_ndarray(format='bgr24')
        if img.shape[0] > 720:
            img = cv2.resize(img, (img.shape[1] * 720 // img.shape[0], 720), interpolation=cv2.INTER_AREA)
        frames.append(img)
    c.close()
    return frames, fps


def prepare(cache):
    """Landmarks of every base (cached; deterministic)."""
    path = os.path.join(cache, 'landmarks.npz')
    if os.path.exists(path):
        d = np.load(path, allow_pickle=True)
        return d['lm'].item()
    os.makedirs(cache, exist_ok=True)
    lm = {}
    with _mesh(True) as m:
        for name in ['single_face_jpg', 'astronaut']:
            img = load_still(name)
            lm[name] = _lm(m.process(img[:, :, ::-1].copy()), img.shape[1], img.shape[0])[0]
        # multi_face.jpg: the faces are small, so look for them on 2x-enlarged overlapping tiles
        img = load_still('multi_face_a')
        gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        H, W = img.shape[:2]
        faces = []
        for x0 in range(0, W - 300, 150):
            for y0 in range(0, H - 300, 150):
                crop = np.ascontiguousarray(img[y0:y0 + 400, x0:x0 + 400, ::-1])
                h, w = crop.shape[:2]
                for l in _lm(m.process(cv2.resize(crop, (2 * w, 2 * h))), w, h):
                    l = l + np.array([x0, y0], np.float32)
                    if all(np.linalg.norm(l.mean(0) - f.mean(0)) > 30 for f in faces):
                        faces.append(l)
        keep = []
        for l in faces:  # drop faces whose eyes are hidden (sunglasses): dark eye region
            e = l[[33, 133, 159, 145, 362, 263, 386, 374]]
            x0, y0 = e.min(0).astype(int); x1, y1 = e.max(0).astype(int)
            if gray[y0:y1 + 1, x0:x1 + 1].mean() > 70:
                keep.append(l)
        keep.sort(key=lambda l: l[:, 0].mean())
        for k, l in zip('abcd', keep):
            lm['multi_face_' + k] = l
    for name in FOOTAGE:
        frames, fps = read_footage(name)
        seq = []
        with _mesh(False) as m:
            for img in frames:
                r = _lm(m.process(img[:, :, ::-1].copy()), img.shape[1], img.shape[0])
                seq.append(r[0] if r else None)
        for i in range(len(seq)):  # fill gaps
            if seq[i] is None:
                seq[i] = seq[i - 1] if i else next(s for s in seq if s is not None)
        seq = np.array(seq)
        sm = seq.copy()  # light temporal smoothing
        sm[1:-1] = (seq[:-2] + 2 * seq[1:-1] + seq[2:]) / 4
        lm[name] = {'lm': sm, 'fps': fps, 'native_blinks': native_blinks(seq, fps)}
    np.savez(path, lm=np.array(lm, dtype=object))
    return lm


def ear(l):
    e = []
    for a, b, u, d in [(33, 133, 159, 145), (362, 263, 386, 374)]:
        e.append(np.linalg.norm(l[..., u, :] - l[..., d, :], axis=-1) /
                 np.linalg.norm(l[..., a, :] - l[..., b, :], axis=-1))
    return np.mean(e, axis=0)


def native_blinks(seq, fps):
    """Brief EAR dips below a rolling baseline = blinks already in the footage (source seconds)."""
    e = ear(seq)
    n = len(e)
    w = int(round(fps * 0.7))
    base = np.array([np.median(e[max(0, i - w):i + w + 1]) for i in range(n)])
    dip = (base - e) > 0.045
    out = []
    i = 0
    while i < n:
        if dip[i]:
            j = i
            while j + 1 < n and dip[j + 1]:
                j += 1
            if (j - i + 1) / fps < 0.6:
                out.append([round((i - 1) / fps, 3), round((j + 2) / fps, 3)])
            i = j + 1
        else:
            i += 1
    return out

# ---------------------------------------------------------------- geometry

def geom(l):
    """Face parts in source image coordinates; index 0 = image-left, 1 = image-right."""
    eyes = []
    for a, b, u, d in [(33, 133, 159, 145), (263, 362, 386, 374)]:
        eyes.append(dict(c1=l[a], c2=l[b], up=(l[u] + l[158 if u == 159 else 385] + l[160 if u == 159 else 387]) / 3,
                         lo=(l[d] + l[153 if d == 145 else 380] + l[144 if d == 145 else 373]) / 3))
    eyes.sort(key=lambda e: (e['c1'][0] + e['c2'][0]))
    brows = [l[[70, 63, 105, 66, 107]].mean(0), l[[300, 293, 334, 296, 336]].mean(0)]
    brows.sort(key=lambda p: p[0])
    mouth = sorted([l[61], l[291]], key=lambda p: p[0])
    cheek = sorted([l[205], l[425]], key=lambda p: p[0])
    ec = [(e['c1'] + e['c2']) / 2 for e in eyes]
    iod = float(np.linalg.norm(ec[1] - ec[0]))
    return dict(eyes=eyes, brows=brows, mouth=mouth, cheek=cheek, ec=ec, iod=iod,
                center=l.mean(0), mid=(l[168] + l[1]) / 2)


def eye_warp(img, e, cu, cl):
    """Close the upper lid by cu and lift the lower lid by cl (0..1) with a monotonic remap."""
    p1, p2 = e['c1'].astype(np.float64), e['c2'].astype(np.float64)
    c0 = (p1 + p2) / 2
    ex = p2 - p1
    a = np.linalg.norm(ex) / 2
    ex /= 2 * a
    ey = np.array([-ex[1], ex[0]])
    if ey[1] < 0:
        ey = -ey
    hu = max(1.0, -np.dot(e['up'] - c0, ey))
    hl = max(1.0, np.dot(e['lo'] - c0, ey))
    H = hu + hl
    vA, vB = -hu - 1.3 * H, hl + 1.0 * H
    U = 1.35 * a
    corners = np.array([c0 + s * U * ex + t * ey for s in (-1, 1) for t in (vA, vB)])
    x0, y0 = np.floor(corners.min(0)).astype(int) - 2
    x1, y1 = np.ceil(corners.max(0)).astype(int) + 2
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    xs, ys = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
    dx, dy = xs - c0[0], ys - c0[1]
    u = dx * ex[0] + dy * ex[1]
    v = dx * ey[0] + dy * ey[1]
    s = np.clip(1 - (u / a) ** 2, 0, 1) ** 0.6
    vU, vL = -hu * s, hl * s
    vM = vU + 0.8 * (vL - vU)
    vL2 = vL + cl * (vM - vL)  # lower lid rises at most to vM
    vU2 = vU + cu * (vL2 - vU)  # cu = 1: upper lid meets the lower lid (eye shut)
    sv = v.copy()
    m1 = (v >= vA) & (v <= vU2)
    sv[m1] = (vA + (v - vA) * (vU - vA) / np.maximum(vU2 - vA, 1e-3))[m1]
    m3 = (v >= vL2) & (v <= vB)
    sv[m3] = (vB - (vB - v) * (vB - vL) / np.maximum(vB - vL2, 1e-3))[m3]
    mx = (c0[0] + u * ex[0] + sv * ey[0]).astype(np.float32)
    my = (c0[1] + u * ex[1] + sv * ey[1]).astype(np.float32)
    img[y0:y1, x0:x1] = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def gauss_warp(img, comps):
    """comps: (cx, cy, sx, sy, dx, dy): content near (cx,cy) moves by (dx,dy)."""
    comps = [c for c in comps if abs(c[4]) + abs(c[5]) > 0.02]
    if not comps:
        return
    C = np.array(comps, np.float64)
    h, w = img.shape[:2]
    x0 = int(max(0, (C[:, 0] - 3 * C[:, 2]).min())); x1 = int(min(w, (C[:, 0] + 3 * C[:, 2]).max() + 1))
    y0 = int(max(0, (C[:, 1] - 3 * C[:, 3]).min())); y1 = int(min(h, (C[:, 1] + 3 * C[:, 3]).max() + 1))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return
    xs = np.arange(x0, x1, dtype=np.float32)
    ys = np.arange(y0, y1, dtype=np.float32)
    DX = np.zeros((y1 - y0, x1 - x0), np.float32)
    DY = np.zeros_like(DX)
    for cx, cy, sx, sy, ddx, ddy in comps:
        g = np.outer(np.exp(-0.5 * ((ys - cy) / sy) ** 2), np.exp(-0.5 * ((xs - cx) / sx) ** 2)).astype(np.float32)
        DX += g * ddx
        DY += g * ddy
    mx = xs[None, :] - DX
    my = ys[:, None] - DY
    img[y0:y1, x0:x1] = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)

# ---------------------------------------------------------------- signals

def pulse(t, t0, rise, hold, fall):
    """Raised-cosine envelope 0..1 starting at t0."""
    y = np.zeros_like(t)
    r = (t >= t0) & (t < t0 + rise)
    y[r] = 0.5 - 0.5 * np.cos(np.pi * (t[r] - t0) / rise)
    hmask = (t >= t0 + rise) & (t < t0 + rise + hold)
    y[hmask] = 1
    f = (t >= t0 + rise + hold) & (t < t0 + rise + hold + fall)
    y[f] = 0.5 + 0.5 * np.cos(np.pi * (t[f] - t0 - rise - hold) / fall)
    return y


class Timeline:
    CH = ['close0', 'close1', 'lift0', 'lift1', 'brow0', 'brow1', 'browin', 'cheek0', 'cheek1',
          'mouth0', 'mouth1', 'pucker', 'myok']

    def __init__(self, n, fps):
        self.t = np.arange(n) / fps
        self.ch = {c: np.zeros(n) for c in self.CH}
        self.myok = []  # (eye, lid, unit position u, times of twitches, amp)

    def add(self, ch, env, amp=1.0, mode='max'):
        if mode == 'max':
            self.ch[ch] = np.maximum(self.ch[ch], amp * env)
        else:
            self.ch[ch] += amp * env


def renewal(rng, rate_per_min, dur, k=3.0, mind=0.35, t0=0.3):
    """Blink onset times from a gamma renewal process."""
    out, t = [], t0 + rng.uniform(0, 60 / rate_per_min)
    while t < dur - 0.5:
        out.append(t)
        t += max(mind, rng.gamma(k, 60 / rate_per_min / k))
    return out

# ---------------------------------------------------------------- plan

RES_LAND = [(428, 240), (640, 360), (856, 480), (960, 540), (1280, 720)]  # sizes with even chroma planes (bit-exact x264)
RES_PORT = [(360, 640), (272, 480), (480, 856)]


def split_of(cid, seed):
    return int(hashlib.sha256(f'{seed}:{cid}'.encode()).hexdigest(), 16)


def plan(seed):
    rng = np.random.default_rng(seed)
    classes = [c for c in CLASSES for _ in range(8)]
    rng.shuffle(classes)
    ids = [f'v18_{i + 1:03d}' for i in range(48)]
    # splits: within each class 4 dev / 4 locked by hash rank
    split = {}
    for c in CLASSES:
        mem = sorted([i for i, k in zip(ids, classes) if k == c], key=lambda i: split_of(i, seed))
        for j, i in enumerate(mem):
            split[i] = 'dev' if j < 4 else 'locked'
    # per class: severities, sides, bases, flips
    per = {}
    for c in CLASSES:
        sev = ['mild'] * 3 + ['moderate'] * 3 + ['marked'] * 2 if c in SEVERITY_CLASSES else [None] * 8
        sides = (['left'] * 4 + ['right'] * 4) if c in ONE_SIDED else (['both'] * 8 if c == 'blepharospasm' else [None] * 8)
        # sides balanced across severities: interleave
        if c in ONE_SIDED:
            sides = ['left', 'right', 'left', 'right', 'left', 'right', 'left', 'right']
        base = ['footage'] * 3 + ['still'] * 5 if CLASSES.index(c) % 3 else ['footage'] * 2 + ['still'] * 6
        flip = [True, False, False, True, False, False, True, False]
        o1, o2, o3 = rng.permutation(8), rng.permutation(8), rng.permutation(8)
        per[c] = [dict(severity=sev[k], side=sides[k], base=base[o2[k]], flipped=flip[o3[k]]) for k in o1]
    specs = []
    fcount = {'wolfgang_pexels': 0, 'single_face_mp4': 0, 'jefapato_2sec': 0}
    scount = {f: 0 for f in STILL_FACES}
    cnt = {c: 0 for c in CLASSES}
    nwebm = 0
    for i, (cid, c) in enumerate(zip(ids, classes)):
        p = per[c][cnt[c]]; cnt[c] += 1
        r = np.random.default_rng([seed, i])
        if p['base'] == 'footage':
            face = min(fcount, key=lambda k: (fcount[k] / {'wolfgang_pexels': 3, 'single_face_mp4': 1, 'jefapato_2sec': 1}[k], k))
            fcount[face] += 1
        else:
            face = min(scount, key=lambda k: (scount[k] / ({'multi_face_a': 0.55, 'multi_face_b': 0.55, 'multi_face_c': 0.55, 'multi_face_d': 0.55}.get(k, 1.0)), k))
            scount[face] += 1
        small_src = face.startswith('multi') or face in ('wolfgang_pexels', 'single_face_mp4')
        if face == 'wolfgang_pexels':
            dur = float(r.uniform(12, 19))
        else:
            dur = float(r.uniform(12, 22))
        portrait = (face not in ('wolfgang_pexels', 'single_face_mp4')) and r.random() < 0.25
        if portrait:
            res = RES_PORT[r.integers(0, 2 if small_src else 3)]
        else:
            res = RES_LAND[r.integers(0, 3 if small_src else 5)]
        fps_choices = [24, 25, 30, Fraction(30000, 1001)] + ([50, 60] if res[0] * res[1] <= 640 * 360 else [])
        fps = fps_choices[r.integers(0, len(fps_choices))]
        webm = (r.random() < 0.2 and res[0] * res[1] <= 854 * 480 and nwebm < 9)
        nwebm += webm
        seed_c = int(r.integers(0, 2 ** 31))
        specs.append(dict(id=cid, disorder=c, split=split[cid], face=face, base=p['base'],
                          severity=p['severity'], side=p['side'], flipped=p['flipped'],
                          width=res[0], height=res[1], fps=fps, duration_s=round(dur, 2),
                          fmt='webm' if webm else 'mp4', seed=seed_c))
    return specs

# ---------------------------------------------------------------- events

def build_events(sp, n, fps, native):
    """Fill a Timeline with blinks and the class's events. Source image sides: 0/1."""
    rng = np.random.default_rng(sp['seed'])
    dur = n / fps
    tl = Timeline(n, fps)
    t = tl.t
    c, sev = sp['disorder'], sp['severity']
    fside = sp['side']
    img_side = OPP[fside] if fside in ('left', 'right') else fside
    src_side = (OPP[img_side] if sp['flipped'] else img_side) if img_side in ('left', 'right') else None
    k = {'left': 0, 'right': 1}.get(src_side)
    lvl = {'mild': 0, 'moderate': 1, 'marked': 2}.get(sev)
    events = []

    def ev(kind, a, b, side, region):
        events.append(dict(kind=kind, start_s=round(float(a), 3), end_s=round(float(min(b, dur)), 3),
                           side=side, region=region))

    # ---- blink rate
    if c == 'frequent_blinking':
        rate = rng.uniform(*[(27, 32), (34, 42), (45, 58)][lvl])
    elif c == 'blepharospasm':
        rate = rng.uniform(*[(25, 31), (28, 36), (30, 40)][lvl])
    else:
        rate = rng.uniform(10, 20)
    busy = [(a, b) for a, b in native]  # native blinks, output seconds
    # event windows that should not get a synthetic blink on top
    # ---- class events first (so blinks can avoid spasm closures)
    blocked = list(busy)
    syn_blink_hooks = []
    if c == 'hemifacial_spasm':
        babinski = rng.random() < 0.7
        gap = [(5, 11), (3, 7), (2, 4.5)][lvl]
        tt = rng.uniform(0.8, 3.0)
        while tt < dur - 1.2:
            tonic = lvl >= 1 and rng.random() < [0, 0.3, 0.55][lvl]
            if tonic:
                L = rng.uniform(*[(1, 1), (1.0, 2.0), (1.5, 4.0)][lvl])
                env = pulse(t, tt, 0.15, L, 0.35)
                trem = 1 + 0.08 * np.sin(2 * np.pi * rng.uniform(7, 11) * t + rng.uniform(0, 6))
                env = env * trem
                end = tt + 0.5 + L
                kind = 'hfs_tonic'
            else:
                m = int(rng.integers(*[(2, 6), (3, 9), (4, 12)][lvl]))
                env = np.zeros(n); ti = tt
                for _ in range(m):
                    env = np.maximum(env, rng.uniform(0.6, 1.0) * pulse(t, ti, 0.04, 0.02, rng.uniform(0.08, 0.16)))
                    ti += rng.uniform(0.12, 0.3)
                end = ti + 0.1
                kind = 'hfs_clonic'
            amp_close = [rng.uniform(0.2, 0.35), rng.uniform(0.45, 0.7), rng.uniform(0.85, 1.0)][lvl]
            tl.add(f'close{k}', env, amp_close)
            tl.add(f'lift{k}', env, [0.45, 0.7, 0.9][lvl])
            tl.add(f'cheek{k}', env, [0.2, 0.55, 1.0][lvl])
            tl.add(f'mouth{k}', env, [0.0, 0.45, 1.0][lvl])
            if babinski:
                tl.add(f'brow{k}', env, [0.25, 0.45, 0.7][lvl])
            region = ['eye', 'eye+cheek+mouth', 'eye+cheek+mouth'][lvl] + ('+brow' if babinski else '')
            ev(kind, tt, end, fside, region)
            tt = end + rng.uniform(*gap)
    elif c == 'blepharospasm':
        gap = [(5, 10), (4, 8), (2.5, 5.5)][lvl]
        tt = rng.uniform(1.0, 3.5)
        while tt < dur - 1.5:
            flutter = rng.random() < [1.0, 0.35, 0.2][lvl]
            asym = rng.uniform(0.9, 1.0, 2)
            if flutter:
                m = int(rng.integers(3, 7)); env = np.zeros(n); ti = tt
                for _ in range(m):
                    env = np.maximum(env, rng.uniform(0.45, 0.8) * pulse(t, ti, 0.05, 0.02, 0.1))
                    ti += rng.uniform(0.14, 0.22)
                end = ti + 0.05
                brow = 0.3
                kind = 'bsp_flutter'
            else:
                L = rng.uniform(*[(0.5, 0.8), (1.0, 2.8), (2.0, 6.0)][lvl])
                env = pulse(t, tt, 0.12, L, 0.3) * (1 + 0.05 * np.sin(2 * np.pi * rng.uniform(6, 10) * t))
                env = np.clip(env, 0, 1)
                end = tt + L + 0.42
                brow = [0.5, 0.8, 1.0][lvl]
                kind = 'bsp_spasm'
            for s in (0, 1):
                tl.add(f'close{s}', env, asym[s])
                tl.add(f'lift{s}', env, 0.6 * asym[s])
                tl.add(f'brow{s}', env, -brow * asym[s])
                tl.add(f'cheek{s}', env, 0.35 * brow)
            tl.add('browin', env, brow)
            ev(kind, tt, end, 'both', 'both_eyes+brows')
            blocked.append((tt, end))
            tt = end + rng.uniform(*gap)
    elif c == 'eyelid_myokymia':
        lid = 'upper' if rng.random() < 0.25 else 'lower'
        amp = [0.012, 0.02, 0.03][lvl] * rng.uniform(0.9, 1.15)
        tt = rng.uniform(0.5, 3.0)
        while tt < dur - 1.0:
            L = rng.uniform(*[(2, 4), (3, 8), (6, 14)][lvl])
            end = min(tt + L, dur - 0.2)
            for unit in range(int(rng.integers(2, 4))):
                upos = rng.uniform(-0.6, 0.6)
                f = rng.uniform(3, 8)
                times, ti = [], tt + rng.uniform(0, 0.2)
                while ti < end:
                    times.append(ti)
                    ti += (1 / f) * rng.uniform(0.8, 1.25)
                tl.myok.append((k, lid, upos, np.array(times), amp * rng.uniform(0.7, 1.0)))
            ev('myokymia', tt, end, fside, lid + '_lid')
            tt = end + rng.uniform(*[(3, 7), (2, 5), (1, 3)][lvl])
    # ---- voluntary movements (triggers for synkinesis, confounders elsewhere)
    vol = []
    if c == 'synkinesis':
        nv = int(rng.integers(3, 6)) + (1 if dur > 17 else 0)
    elif c == 'normal':
        nv = int(rng.integers(0, 3))
    else:
        nv = int(rng.integers(0, 2))
    slots = np.sort(rng.choice(np.arange(1.0, dur - 3.5, 0.5), size=nv, replace=False)) if nv else []
    last = -10
    for s0 in slots:
        if s0 < last + 1.0:
            continue
        kind = 'voluntary_smile' if rng.random() < 0.6 else 'voluntary_pucker'
        L = rng.uniform(1.2, 2.5)
        env = pulse(t, s0, 0.35, L, 0.45)
        last = s0 + L + 0.8
        vol.append((kind, s0, last, env))
    weak = [0.9, 0.8, 0.7][lvl] if c == 'synkinesis' else 1.0
    for kind, s0, s1, env in vol:
        if kind == 'voluntary_smile':
            for s in (0, 1):
                a = weak if (c == 'synkinesis' and s == k) else 1.0
                tl.add(f'mouth{s}', env, 0.9 * a, 'sum')
                tl.add(f'cheek{s}', env, 0.35 * a, 'sum')
        else:
            tl.add('pucker', env, 1.0)
        ev(kind, s0, s1, 'both', 'mouth')
        if c == 'synkinesis':
            kc = [rng.uniform(0.2, 0.3), rng.uniform(0.38, 0.5), rng.uniform(0.55, 0.7)][lvl]
            tl.add(f'close{k}', env, kc, 'sum')
            tl.add(f'lift{k}', env, kc * 0.9, 'sum')
            ev('synkinesis', s0, s1, fside, 'eye')
    if c == 'synkinesis':  # narrower fissure at rest on the affected side
        tl.ch[f'close{k}'] += [0.05, 0.09, 0.13][lvl]
        tl.ch[f'lift{k}'] += [0.05, 0.09, 0.13][lvl]
    # ---- synthetic blinks
    cand = renewal(rng, rate * (2.5 if c == 'blepharospasm' else 1.6), dur, mind=0.3)
    target = int(round(rate * dur / 60)) - len(native)
    cand = [x for x in cand if all(not (a - 0.6 < x < b + 0.3) for a, b in blocked)]
    if len(cand) > max(target, 0):
        keep = np.sort(rng.choice(len(cand), size=max(target, 0), replace=False))
        cand = [cand[j] for j in keep]
    blinks = []
    for x in cand:
        cl_ = rng.uniform(0.06, 0.1); hold = rng.uniform(0.0, 0.06); op = rng.uniform(0.12, 0.22)
        a = 1.0 if rng.random() < 0.8 else rng.uniform(0.6, 0.9)
        env = pulse(t, x, cl_, hold, op)
        for s in (0, 1):
            tl.add(f'close{s}', env, a, 'sum')
            tl.add(f'lift{s}', env, 0.35 * a, 'sum')
        if c == 'synkinesis' and lvl >= 1:  # ocular-oral synkinesis on blinking
            tl.add(f'mouth{k}', env, [0, 0.3, 0.5][lvl], 'sum')
            ev('synkinesis', x, x + cl_ + hold + op, fside, 'mouth')
        blinks.append([round(x, 3), round(x + cl_ + hold + op, 3)])
        ev('blink', x, x + cl_ + hold + op, 'both', 'eyelids')
    for ch in tl.ch:
        if ch.startswith(('close', 'lift')):
            tl.ch[ch] = np.clip(tl.ch[ch], 0, 1)
    events.sort(key=lambda e: e['start_s'])
    total_blinks = len(blinks) + len(native)
    return tl, events, blinks, total_blinks * 60.0 / dur


def myok_amp(times, tt):
    """Sum of brief motor-unit twitches (~90 ms) fired at the given times."""
    d = tt - times
    d = d[(d >= 0) & (d < 0.09)]
    return float(np.sum(np.sin(np.pi * d / 0.09) ** 2))

# ---------------------------------------------------------------- render

def apply_face(img, g, tl, i):
    ch = {c: tl.ch[c][i] for c in tl.ch}
    iod = g['iod']
    for s in (0, 1):
        if ch[f'close{s}'] > 0.004 or ch[f'lift{s}'] > 0.004:
            eye_warp(img, g['eyes'][s], ch[f'close{s}'], ch[f'lift{s}'])
    comps = []
    mid_x = g['mid'][0]
    for s in (0, 1):
        b = g['brows'][s]
        lat = -1 if s == 0 else 1
        comps.append((b[0], b[1], 0.32 * iod, 0.16 * iod, 0, -0.075 * iod * ch[f'brow{s}']))
        if ch['browin'] > 0:
            comps.append((b[0] - lat * 0.15 * iod, b[1], 0.2 * iod, 0.15 * iod, -lat * 0.035 * iod * ch['browin'], 0))
        cp = g['cheek'][s]
        comps.append((cp[0], cp[1] - 0.1 * iod, 0.28 * iod, 0.22 * iod, 0, -0.06 * iod * ch[f'cheek{s}']))
        m = g['mouth'][s]
        comps.append((m[0], m[1], 0.17 * iod, 0.14 * iod, lat * 0.05 * iod * ch[f'mouth{s}'], -0.06 * iod * ch[f'mouth{s}']))
        comps.append((m[0], m[1], 0.15 * iod, 0.12 * iod, -lat * 0.06 * iod * ch['pucker'], 0))
    for (s, lid, upos, times, amp) in tl.myok:
        a = myok_amp(times, tl.t[i])
        if a <= 0:
            continue
        e = g['eyes'][s]
        c0 = (e['c1'] + e['c2']) / 2
        ex = (e['c2'] - e['c1']) / 2
        if lid == 'lower':
            p = c0 + upos * ex + (e['lo'] - c0) * 1.35
            comps.append((p[0], p[1], 0.09 * iod, 0.05 * iod, 0, -amp * iod * a))
        else:
            p = c0 + upos * ex + (e['up'] - c0) * 1.6
            comps.append((p[0], p[1], 0.09 * iod, 0.05 * iod, 0, amp * iod * a))
    gauss_warp(img, comps)


def base_transform(g, src_shape, W, H, face_frac):
    """Similarity taking the face to the output frame centre."""
    s = face_frac * min(W, H) / g['iod'] / 2.6
    cx, cy = g['mid']
    return s, cx, cy


def render(sp, out_dir, lm):
    import av
    t0 = time.time()
    fps = sp['fps']
    W, H = sp['width'], sp['height']
    n = int(round(sp['duration_s'] * float(fps)))
    rng = np.random.default_rng(sp['seed'] + 7)
    face = sp['face']
    if sp['base'] == 'footage':
        frames, sfps = read_footage(face)
        info = lm[face]
        lo, hi, mode = FOOTAGE[face][1:]
        if mode == 'forward':
            speed = rng.uniform(0.9, 1.0)
            span = n / float(fps) * speed
            start = rng.uniform(0, max(0.0, (hi - lo) / sfps - span))
            src_t = start + np.arange(n) / float(fps) * speed
            idx = np.clip(np.round(src_t * sfps).astype(int), lo, hi)
            native = [[(a - start) / speed, (b - start) / speed] for a, b in info['native_blinks']
                      if start <= a and b <= start + span]
        else:
            speed = rng.uniform(0.55, 0.9)
            per = (hi - lo) / sfps
            ph = rng.uniform(0, 2 * per) + np.arange(n) / float(fps) * speed
            ph = np.mod(ph, 2 * per)
            ph = np.where(ph > per, 2 * per - ph, ph)
            idx = np.clip(lo + np.round(ph * sfps).astype(int), lo, hi)
            native = []
        geoms = [geom(info['lm'][j]) for j in range(len(frames))]
        gref = geom(info['lm'][lo:hi + 1].mean(0))
        srcimg = None
        face_frac = rng.uniform(0.55, 0.8) if sp['height'] > sp['width'] else rng.uniform(0.5, 0.75)
    else:
        img0 = load_still(face)
        gref = geom(lm[face])
        native = []
        face_frac = rng.uniform(0.45, 0.75)
    tl, events, blinks, rate = build_events(sp, n, float(fps), native)
    if sp.get('_strip'):  # check renders: same clip, nothing planted
        for c_ in tl.ch:
            tl.ch[c_][:] = 0
        tl.myok = []
    # global framing
    s0 = face_frac * min(W, H) / (2.6 * gref['iod'])
    if sp['base'] == 'footage':  # do not zoom out past the footage borders
        fh, fw = frames[0].shape[:2]
        s0 = max(s0, W / fw, H / fh) * 1.02
    cx, cy = gref['mid']
    # nuisance
    ph = rng.uniform(0, 2 * np.pi, 8)
    fr = rng.uniform(0.05, 0.35, 8)
    still = sp['base'] == 'still'
    noise_sd = rng.uniform(1.0, 3.0)
    noises = [np.clip(rng.normal(0, noise_sd, (H, W, 1)), -8, 8).astype(np.int16) for _ in range(6)]
    noises = [(np.clip(z, 0, 255).astype(np.uint8).repeat(3, 2), np.clip(-z, 0, 255).astype(np.uint8).repeat(3, 2)) for z in noises]
    grad = np.tile(np.linspace(-1, 1, W, dtype=np.float32)[None, :, None], (H, 1, 3))
    grad = ((grad * rng.choice([-1, 1]) + 1) * 127.5).astype(np.uint8)
    gain_amp = rng.uniform(0.03, 0.08)
    grad_amp = rng.uniform(0.0, 0.08)
    # encoder
    path = os.path.join(out_dir, 'clips', f"{sp['id']}{sp.get('_suffix', '')}.{sp['fmt']}")
    cont = av.open(path, 'w')
    rate_f = Fraction(fps) if not isinstance(fps, Fraction) else fps
    if sp['fmt'] == 'mp4':
        st = cont.add_stream('libx264', rate=rate_f)
        st.options = {'preset': 'veryfast', 'crf': str(int(rng.integers(21, 29))), 'threads': '1'}  # threads=1: bit-exact
    else:
        st = cont.add_stream('libvpx-vp9', rate=rate_f)
        st.options = {'deadline': 'realtime', 'cpu-used': '8', 'crf': str(int(rng.integers(30, 40))), 'b': '0',
                      'row-mt': '1'}
    st.width, st.height, st.pix_fmt = W, H, 'yuv420p'
    st.codec_context.thread_count = 1  # one encoder thread per clip (jobs run in parallel): bit-exact output
    st.time_base = Fraction(1) / rate_f
    st.codec_context.time_base = Fraction(1) / rate_f
    st.codec_context.framerate = rate_f
    for i in range(n):
        tt = i / float(fps)
        if still:
            img = img0.copy()
            g = gref
        else:
            j = idx[i]
            img = frames[j].copy()
            g = geoms[j]
        apply_face(img, g, tl, i)
        # head motion (stills get more; footage keeps its own)
        k = 1.0 if still else 0.25
        dx = k * 0.012 * min(W, H) * (np.sin(2 * np.pi * fr[0] * tt + ph[0]) + 0.5 * np.sin(2 * np.pi * fr[1] * 1.7 * tt + ph[1]))
        dy = k * 0.010 * min(W, H) * (np.sin(2 * np.pi * fr[2] * tt + ph[2]) + 0.5 * np.sin(2 * np.pi * fr[3] * 2.1 * tt + ph[3]))
        ang = k * 1.5 * (np.sin(2 * np.pi * fr[4] * tt + ph[4]) + 0.4 * np.sin(2 * np.pi * fr[5] * 2.3 * tt + ph[5]))
        sc = s0 * (1 + k * 0.015 * np.sin(2 * np.pi * fr[6] * tt + ph[6]))
        M = cv2.getRotationMatrix2D((float(cx), float(cy)), float(ang), float(sc))
        M[0, 2] += W / 2 - cx + dx
        M[1, 2] += H * 0.47 - cy + dy
        out = cv2.warpAffine(img, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        if sp['flipped']:
            out = cv2.flip(out, 1)
        gain = 1 + gain_amp * np.sin(2 * np.pi * 0.07 * tt + ph[7])
        ga = grad_amp * np.sin(2 * np.pi * 0.05 * tt + ph[0])
        out = cv2.addWeighted(out, gain * (1 - abs(ga)), grad, abs(ga), 0)
        zp, zn = noises[int(rng.integers(0, len(noises)))]
        out = cv2.subtract(cv2.add(out, zp), zn)
        # own colour conversion: PyAV's bgr24 path gave run-to-run differences at some sizes
        vf = av.VideoFrame.from_ndarray(cv2.cvtColor(out, cv2.COLOR_BGR2YUV_I420), format='yuv420p')
        vf.pts = i
        vf.time_base = Fraction(1) / rate_f
        for pkt in st.encode(vf):
            cont.mux(pkt)
    for pkt in st.encode():
        cont.mux(pkt)
    cont.close()
    fside = sp['side']
    truth = dict(id=sp['id'], file=f"clips/{sp['id']}.{sp['fmt']}", disorder=sp['disorder'],
                 side=fside, image_side=(OPP[fside] if fside in ('left', 'right') else fside),
                 flipped=sp['flipped'], split=sp['split'], fps=float(fps), width=W, height=H,
                 n_frames=n, duration_s=round(n / float(fps), 3), severity=sp['severity'],
                 blink_rate_per_min=round(rate, 2), base=sp['base'], face=face, format=sp['fmt'],
                 codec='h264' if sp['fmt'] == 'mp4' else 'vp9',
                 events=events, native_blinks=[[round(a, 3), round(b, 3)] for a, b in native],
                 render_s=round(time.time() - t0, 2))
    return truth


def _job(args):
    sp, out, lm = args
    return render(sp, out, lm)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=18)
    ap.add_argument('--jobs', type=int, default=1)
    ap.add_argument('--only', default='')
    a = ap.parse_args()
    t0 = time.time()
    os.makedirs(os.path.join(a.out, 'clips'), exist_ok=True)
    lm = prepare(os.path.join(a.out, '.cache'))
    specs = plan(a.seed)
    if a.only:
        keep = set(a.only.split(','))
        specs = [s for s in specs if s['id'] in keep]
    # longest first for better packing
    order = sorted(specs, key=lambda s: -s['duration_s'] * float(s['fps']) * s['width'] * s['height'] ** 0.5)
    args = [(s, a.out, lm) for s in order]
    if a.jobs > 1:
        with Pool(a.jobs) as p:
            res = p.map(_job, args, chunksize=1)
    else:
        res = [_job(x) for x in args]
    res.sort(key=lambda r: r['id'])
    tpath = os.path.join(a.out, 'truth.json')
    if a.only and os.path.exists(tpath):
        old = {r['id']: r for r in json.load(open(tpath))}
        old.update({r['id']: r for r in res})
        res = [old[k] for k in sorted(old)]
    json.dump(res, open(tpath, 'w'), indent=1)
    print(f'rendered {len(specs)} clips in {time.time() - t0:.1f} s (seed {a.seed}, jobs {a.jobs})')


if __name__ == '__main__':
    main()
