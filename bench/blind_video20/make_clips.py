#!/usr/bin/env python
"""Blind evaluation set 20: face videos with planted facial events.

Usage: make_clips.py --out DIR [--seed N] [--jobs J] [--only v20_001,v20_007]
                     [--check ids]   (render with/without disorder events, report pixel differences)

Writes DIR/clips/<id>.mp4|.webm and DIR/truth.json. Deterministic for a seed.
Sides: everything inside the renderer is in the *anatomical* side of the un-mirrored base face
("R" = the subject's right = image left). truth.json reports the side as the final video shows it.
"""
import argparse, hashlib, json, os, sys, time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import cv2

MEDIA = '/work/shared/media'
CLASSES = ['normal', 'frequent_blinking', 'eyelid_myokymia', 'hemifacial_spasm', 'blepharospasm', 'synkinesis']
ONE_SIDED = {'eyelid_myokymia', 'hemifacial_spasm', 'synkinesis'}
FOOTAGE = {'wolfgang': 'WolfgangLanger_Pexels.mp4', 'single_video': 'single_face.mp4', 'jefapato': 'jefapato_2sec.mp4'}
STILLS = ['single_face_jpg', 'astronaut', 'multi_face_0', 'multi_face_1', 'multi_face_2']
RES_LAND = [(426, 240), (640, 360), (854, 480), (1280, 720), (640, 360), (854, 480), (960, 540), (640, 360), (768, 432)]
RES_PORT = [(360, 640), (270, 480), (480, 854)]
FPS = [24, 25, 30, 30, 50, 60]

# MediaPipe face-mesh landmark indices. R = subject's right (image left in an un-mirrored frame).
EYE = {'R': dict(outer=33, inner=133, up=159, lo=145, brow=105),
       'L': dict(outer=263, inner=362, up=386, lo=374, brow=334)}
MOUTH = {'R': 61, 'L': 291}

# ----------------------------------------------------------------------------- helpers

def h32(*parts):
    return int(hashlib.sha1(':'.join(map(str, parts)).encode()).hexdigest()[:8], 16)


def smoothstep(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def env(t, t0, t1, rise, fall):
    """Plateau envelope: 0 before t0, rises over `rise`, holds, falls to 0 at t1."""
    return np.minimum(smoothstep((t - t0) / max(rise, 1e-3)), smoothstep((t1 - t) / max(fall, 1e-3)))


def blink_env(t, t0, dur, depth=1.0):
    """Blink closure profile: fast closing (~30%), short full closure, slower opening."""
    c, hold = 0.3 * dur, 0.1 * dur
    a = smoothstep((t - t0) / c)
    b = 1.0 - smoothstep((t - t0 - c - hold) / (dur - c - hold))
    return depth * np.where(t < t0 + c, a, b) * ((t >= t0) & (t <= t0 + dur))


def twitch(t, t0, rise, decay):
    x = t - t0
    r = smoothstep(x / rise)
    d = np.exp(-np.clip(x - rise, 0, None) / decay)
    return np.where(x < 0, 0.0, r * d) * (x < rise + 6 * decay)


def other(side):
    return {'R': 'L', 'L': 'R'}[side]


def anat_word(s):
    return {'R': 'right', 'L': 'left'}[s]

# ----------------------------------------------------------------------------- landmarks

_FM = {}


def face_mesh(static=True, n=1):
    import mediapipe as mp
    key = (static, n)
    if key not in _FM:
        _FM[key] = mp.solutions.face_mesh.FaceMesh(static_image_mode=static, max_num_faces=n,
                                                   refine_landmarks=False, min_detection_confidence=0.4)
    return _FM[key]


def detect(img, static=True, n=1):
    r = face_mesh(static, n).process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    if not r.multi_face_landmarks:
        return []
    h, w = img.shape[:2]
    return [np.array([[l.x * w, l.y * h] for l in f.landmark], np.float32) for f in r.multi_face_landmarks]


def still_source(face):
    """Return (image, landmarks) for a still face at its native resolution."""
    if face == 'astronaut':
        import skimage.data
        img = np.ascontiguousarray(skimage.data.astronaut()[:, :, ::-1])
    elif face == 'single_face_jpg':
        img = cv2.imread(os.path.join(MEDIA, 'single_face.jpg'))
    else:
        img = cv2.imread(os.path.join(MEDIA, 'multi_face.jpg'))
    if face.startswith('multi_face_'):
        # three clearly visible faces of multi_face.jpg (blonde, dark-haired, red-haired woman)
        x0, y0, x1, y1 = [(250, 180, 470, 440), (470, 250, 700, 490), (620, 240, 850, 480)][int(face[-1])]
        crop = cv2.resize(img[y0:y1, x0:x1], None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        lms = detect(crop, True, 3)
        lms.sort(key=lambda p: np.linalg.norm(p.mean(0) - np.array([x1 - x0, y1 - y0], np.float32)))
        lm = lms[0] / 2 + np.array([x0, y0], np.float32)
        # the other people in the photo are thrown out of focus (shallow depth of field), so that
        # each clip shows one face
        fw = lm[:, 0].max() - lm[:, 0].min()
        fh = lm[:, 1].max() - lm[:, 1].min()
        cx, cy = lm[:, 0].mean(), lm[:, 1].mean() - 0.1 * fh
        yy, xx = np.mgrid[0:img.shape[0], 0:img.shape[1]].astype(np.float32)
        r = np.sqrt(((xx - cx) / (0.8 * fw)) ** 2 + ((yy - cy) / (1.0 * fh)) ** 2)
        wgt = (1 - smoothstep((r - 1.0) / 0.25))[..., None]
        bl = cv2.GaussianBlur(img, (0, 0), 0.3 * fw)
        img = (img * wgt + bl * (1 - wgt)).astype(np.uint8)
    else:
        lm = detect(img, True, 1)[0]
    return img, lm


def read_video(path):
    import av
    c = av.open(path)
    s = c.streams.video[0]
    fps = float(s.average_rate)
    frames = [f.to_ndarray(format='bgr24') for f in c.decode(s)]
    c.close()
    return frames, fps


def footage_cache(out, name):
    """Per-frame landmarks of a footage file (cached in DIR/cache)."""
    os.makedirs(os.path.join(out, 'cache'), exist_ok=True)
    p = os.path.join(out, 'cache', name + '.npz')
    if os.path.exists(p):
        z = np.load(p)
        return z['lm'], float(z['fps'])
    frames, fps = read_video(os.path.join(MEDIA, FOOTAGE[name]))
    lms, last = [], None
    for f in frames:
        sc = 1.0
        if f.shape[1] > 1000:
            sc = 960.0 / f.shape[1]
            f = cv2.resize(f, None, fx=sc, fy=sc, interpolation=cv2.INTER_AREA)
        d = detect(f, False, 1)
        last = d[0] / sc if d else last
        lms.append(last)
    first = next(x for x in lms if x is not None)
    lms = np.array([x if x is not None else first for x in lms], np.float32)
    np.savez(p, lm=lms, fps=fps)
    return lms, fps


def ear(lm, s):
    e = EYE[s]
    return np.linalg.norm(lm[..., e['up'], :] - lm[..., e['lo'], :], axis=-1) / \
        np.linalg.norm(lm[..., e['outer'], :] - lm[..., e['inner'], :], axis=-1)

# ----------------------------------------------------------------------------- warping


class Warper:
    """Local backward-displacement warps around each eye and the mouth."""

    def __init__(self, lm, shape):
        self.H, self.W = shape[:2]
        self.set_landmarks(lm)

    def set_landmarks(self, lm):
        self.lm = lm
        iod = np.linalg.norm(lm[33] - lm[263])
        self.iod = iod
        self.geo = {}
        for s, e in EYE.items():
            o, i = lm[e['outer']], lm[e['inner']]
            c = (o + i) / 2
            ax = (i - o) if s == 'R' else (o - i)      # image left -> right
            ax = ax / (np.linalg.norm(ax) + 1e-6)
            nv = np.array([-ax[1], ax[0]])             # "down" in image
            if nv[1] < 0:
                nv = -nv
            Wh = np.linalg.norm(o - i) / 2
            vu = float(np.dot(lm[e['up']] - c, nv))
            vl = float(np.dot(lm[e['lo']] - c, nv))
            vb = float(np.dot(lm[e['brow']] - c, nv))
            self.geo[s] = (c, ax, nv, Wh, vu, vl, vb)
        self.mw = np.linalg.norm(lm[61] - lm[291])

    def _roi(self, pts, margin):
        x0 = int(max(0, np.floor(pts[:, 0].min() - margin)))
        y0 = int(max(0, np.floor(pts[:, 1].min() - margin)))
        x1 = int(min(self.W, np.ceil(pts[:, 0].max() + margin)))
        y1 = int(min(self.H, np.ceil(pts[:, 1].max() + margin)))
        return x0, y0, x1, y1

    def eye(self, img, s, close=0.0, brow=0.0, cheek=0.0, units=()):
        """close: 0..1 lid closure; brow: >0 raises brow, <0 lowers (in eye half-widths);
        cheek: cheek/lower-lid raise (half-widths); units: [(u_pos, amp_px, lid)] myokymia units."""
        if abs(close) < 1e-3 and abs(brow) < 1e-3 and abs(cheek) < 1e-3 and not units:
            return
        c, ax, nv, Wh, vu, vl, vb = self.geo[s]
        hgt = max(vl - vu, 0.12 * Wh)
        corners = np.array([c + ax * u + nv * v for u in (-2.2 * Wh, 2.2 * Wh) for v in (vb - 1.6 * Wh, vl + 2.4 * Wh)])
        x0, y0, x1, y1 = self._roi(corners, 2)
        if x1 - x0 < 4 or y1 - y0 < 4:
            return
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        dx, dy = xx - c[0], yy - c[1]
        u = dx * ax[0] + dy * ax[1]
        v = dx * nv[0] + dy * nv[1]
        dv = np.zeros_like(u)
        du = np.zeros_like(u)
        if close > 1e-3:
            prof = np.sqrt(np.clip(1 - (u / (1.08 * Wh)) ** 2, 0, 1))
            win = np.exp(-(u / (1.25 * Wh)) ** 8)
            amt = close * (hgt * prof + 0.12 * hgt) * win
            lup = max(3.0 * hgt, 0.9 * Wh)
            ldn = 0.5 * hgt + 0.2 * Wh
            f = np.where(v < vu, smoothstep(1 - (vu - v) / lup),
                         np.where(v > vl, smoothstep(1 - (v - vl) / ldn), 1.0))
            dv += amt * f
        if abs(brow) > 1e-3:
            g = np.exp(-0.5 * ((u / (1.3 * Wh)) ** 2 + ((v - vb) / (0.75 * Wh)) ** 2))
            dv += -brow * Wh * g
            if brow < 0:   # corrugator/procerus pull the brow medially as well as down
                du += (0.35 * brow * Wh) * g * (1 if s == 'R' else -1) * -1
        if abs(cheek) > 1e-3:
            g = np.exp(-0.5 * ((u / (1.2 * Wh)) ** 2 + ((v - (vl + 0.8 * Wh)) / (0.55 * Wh)) ** 2))
            dv += -cheek * Wh * g
        for (up, amp, lid) in units:
            vc = vl + 0.1 * hgt if lid == 'lower' else vu - 0.1 * hgt
            g = np.exp(-0.5 * (((u - up * Wh) / (0.28 * Wh)) ** 2 + ((v - vc) / (0.22 * hgt + 0.12 * Wh)) ** 2))
            # contraction pulls the lid margin towards the closed position
            dv += (-amp if lid == 'lower' else amp) * g
        mx = (xx - (du * ax[0] + dv * nv[0])).astype(np.float32)
        my = (yy - (du * ax[1] + dv * nv[1])).astype(np.float32)
        src = img[y0:y1, x0:x1].copy()
        img[y0:y1, x0:x1] = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)

    def mouth(self, img, pulls):
        """pulls: {'R': (out, up), 'L': (out, up)} in mouth widths."""
        if all(abs(a) < 1e-4 and abs(b) < 1e-4 for a, b in pulls.values()):
            return
        lm, mw = self.lm, self.mw
        pts = np.array([lm[61], lm[291], lm[13], lm[14]])
        x0, y0, x1, y1 = self._roi(pts, 0.75 * mw)
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        DX = np.zeros_like(xx)
        DY = np.zeros_like(xx)
        ctr = (lm[61] + lm[291]) / 2
        for s, (o, upv) in pulls.items():
            p = lm[MOUTH[s]]
            out = (p - ctr) / (np.linalg.norm(p - ctr) + 1e-6)
            g = np.exp(-0.5 * (((xx - p[0]) ** 2 + (yy - p[1]) ** 2) / (0.26 * mw) ** 2))
            DX += g * mw * (o * out[0])
            DY += g * mw * (o * out[1] - upv)
        img[y0:y1, x0:x1] = cv2.remap(img, xx - DX, yy - DY, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)

# ----------------------------------------------------------------------------- planning


def plan(seed):
    rng = np.random.default_rng(seed)
    cls = np.repeat(CLASSES, 8)
    rng.shuffle(cls)
    ids = ['v20_%03d' % (i + 1) for i in range(48)]
    # footage for 16 clips (a third): 3,3,3,3,2,2 over classes in a random order
    fcount = dict(zip(rng.permutation(CLASSES), [3, 3, 3, 3, 2, 2]))
    specs = []
    per = {c: [i for i in range(48) if cls[i] == c] for c in CLASSES}
    still_cycle = list(rng.permutation(STILLS * 7))
    foot_cycle = list(rng.permutation(['wolfgang'] * 20 + ['single_video'] * 3 + ['jefapato'] * 3))
    webm = set(rng.choice(48, 8, replace=False).tolist())
    for c in CLASSES:
        idx = per[c]
        sev = list(rng.permutation(['mild'] * 3 + ['moderate'] * 3 + ['marked'] * 2)) \
            if c not in ('normal', 'frequent_blinking') else [None] * 8
        sides = list(rng.permutation(['left'] * 4 + ['right'] * 4)) if c in ONE_SIDED else \
            (['both'] * 8 if c == 'blepharospasm' else [None] * 8)
        foot = set(rng.choice(8, fcount[c], replace=False).tolist())
        order = sorted(idx, key=lambda i: h32(seed, ids[i]))
        dev = set(order[:4])
        for k, i in enumerate(idx):
            is_foot = k in foot
            flipped = bool(rng.random() < 0.3)
            portrait = bool(rng.random() < 0.2)
            fmt = 'webm' if i in webm else 'mp4'
            if fmt == 'webm':   # keep VP9 affordable
                w, h = [(426, 240), (640, 360), (270, 480), (360, 640)][rng.integers(4) if portrait else rng.integers(2)]
            else:
                w, h = (RES_PORT if portrait else RES_LAND)[rng.integers(len(RES_PORT) if portrait else len(RES_LAND))]
            fps = int(rng.choice(FPS))
            if w * h > 500000 and fps > 30:
                fps = int(rng.choice([24, 25, 30]))
            if fmt == 'webm' and fps > 30:
                fps = 30
            dur = round(float(rng.uniform(12, 25)), 2)
            if is_foot:
                # single_face.mp4 blinks twice per forward-backward loop (~25-39/min): only for the
                # classes where such a rate is expected
                pref = 'single_video' if c in ('frequent_blinking', 'blepharospasm') else None
                if pref not in foot_cycle:
                    pref = next(x for x in foot_cycle if x != 'single_video')
                foot_cycle.remove(pref)
                face = pref
            else:
                face = still_cycle.pop()
            specs.append(dict(idx=i, id=ids[i], disorder=str(c), final_side=None if sides[k] is None else str(sides[k]),
                              severity=None if sev[k] is None else str(sev[k]),
                              base='footage' if is_foot else 'still', face=str(face), flipped=flipped,
                              fmt=fmt, width=w, height=h, fps=fps, duration_s=dur,
                              split='dev' if i in dev else 'locked',
                              crf=int(rng.integers(20, 29)), seed=seed))
    specs.sort(key=lambda s: s['idx'])
    return specs

# ----------------------------------------------------------------------------- events


class Controls:
    """Per-frame control signals (anatomical sides of the un-mirrored base)."""

    def __init__(self, n):
        z = lambda: np.zeros(n, np.float32)
        self.close = {'R': z(), 'L': z()}
        self.brow = {'R': z(), 'L': z()}
        self.cheek = {'R': z(), 'L': z()}
        self.mo = {'R': z(), 'L': z()}
        self.mu = {'R': z(), 'L': z()}
        self.units = {'R': [], 'L': []}     # (u_pos, amp array, lid)


def schedule(spec, t, rng, nat_blinks, smile_sig):
    """Build control signals and the truth event list.
    nat_blinks: list of (start, end) of blinks already in footage; smile_sig: footage smile level."""
    n = len(t)
    D = spec['duration_s']
    C = Controls(n)
    dis = Controls(n)   # disorder-only controls (kept separate for the with/without check)
    ev = []
    cls, sev = spec['disorder'], spec['severity']
    base_side = None
    if spec['final_side'] in ('left', 'right'):
        fs = 'R' if spec['final_side'] == 'right' else 'L'
        base_side = other(fs) if spec['flipped'] else fs

    def final(s):
        if s in ('both', None):
            return s
        return anat_word(other(s) if spec['flipped'] else s)

    def add_event(kind, a, b, side, region, **kw):
        d = dict(kind=kind, start_s=round(float(a), 3), end_s=round(float(b), 3), side=final(side), region=region)
        d.update(kw)
        ev.append(d)

    busy = [(a, b) for a, b in nat_blinks]     # footage blinks stay where they are
    sev_i = {'mild': 0, 'moderate': 1, 'marked': 2}.get(sev, 1)

    def free(a, b, gap, lst):
        return all(b + gap < x or a - gap > y for x, y in lst)

    def place(durf, gap=0.25, lst=None, margin=0.3):
        lst = busy if lst is None else lst
        for _t in range(400):
            dur = float(durf())
            if dur > D - 2 * margin:
                continue
            a = float(rng.uniform(margin, D - dur - margin))
            if free(a, a + dur, gap, lst):
                lst.append((a, a + dur))
                return a, dur
        return None

    def count(lo, hi):
        return max(1, int(round(rng.uniform(lo, hi) * D / 60)))

    # ---- voluntary smiles (nuisance in most classes, the trigger in synkinesis)
    nsm = int(rng.integers(3, 6)) if cls == 'synkinesis' else int(rng.choice([0, 0, 1, 2]))
    if spec['base'] == 'footage' and spec['face'] == 'wolfgang':
        nsm = 1 if cls == 'synkinesis' else 0     # she smiles on her own
    smile = np.zeros(n, np.float32)
    smiles_busy = []
    for _ in range(nsm):
        p = place(lambda: rng.uniform(1.5, 4.0), 0.3, smiles_busy)
        if p is None:
            continue
        a, dur = p
        lvl = rng.uniform(0.6, 1.0)
        smile = np.maximum(smile, lvl * env(t, a, a + dur, 0.35, 0.5))
        add_event('smile', a, a + dur, 'both', 'mouth', voluntary=True)
    for s in 'RL':
        C.mo[s] += 0.07 * smile
        C.mu[s] += 0.09 * smile
        C.cheek[s] += 0.10 * smile
        C.close[s] += 0.08 * smile          # mild Duchenne narrowing, both eyes
    vol = np.maximum(smile, smile_sig)      # all voluntary smiling, planted or in the footage

    # ---- disorders (placed before the ordinary blinks, which then fill the free time)
    if cls == 'hemifacial_spasm':
        s = base_side
        ncl = count(*[(8, 14), (12, 18), (14, 20)][sev_i])
        ntonic = [0, int(round(rng.uniform(0, 3) * D / 60)), count(4, 6)][sev_i]
        depth = [(0.25, 0.55), (0.5, 0.9), (0.7, 1.0)][sev_i]
        spread = [0.0, 1.0, 1.4][sev_i]          # mild: periocular only (SMC grade I)
        brow_k = [0.05, 0.12, 0.18][sev_i]       # Babinski-2: brow rises as the eye closes
        for j in range(ntonic + ncl):
            tonic = j < ntonic
            p = place((lambda: rng.uniform(1.0, 3.5)) if tonic else (lambda: rng.uniform(0.3, 2.0)), 0.3)
            if p is None:
                continue
            a, dur = p
            if tonic:
                e = env(t, a, a + dur, 0.12, 0.3) * rng.uniform(0.85, 1.0)
                kind = 'hfs_tonic_spasm'
            else:
                e = np.zeros(n, np.float32)
                tt = a
                while tt < a + dur - 0.05:
                    e = np.maximum(e, rng.uniform(*depth) * twitch(t, tt, 0.04, rng.uniform(0.05, 0.12)))
                    tt += rng.uniform(0.09, 0.4)
                kind = 'hfs_clonic_burst'
            dis.close[s] += np.minimum(e, 1.0)
            dis.cheek[s] += (0.10 + 0.15 * spread) * e
            dis.brow[s] += brow_k * e
            dis.mo[s] += 0.05 * spread * e
            dis.mu[s] += 0.07 * spread * e
            add_event(kind, a, a + dur, s, 'periocular' if spread == 0 else 'eye+cheek+mouth')

    elif cls == 'eyelid_myokymia':
        s = base_side
        lid = spec.get('lid', 'lower')
        spec['_myok_frac'] = [0.035, 0.055, 0.08][sev_i]   # peak unit displacement, in eye half-widths
        nep = count(*[(5, 8), (7, 10), (6, 8)][sev_i])
        own = []
        for j in range(nep):
            p = place(lambda: [rng.uniform(1.5, 4), rng.uniform(2.5, 5), rng.uniform(4, 8)][sev_i], 0.6, own)
            if p is None:
                continue
            a, dur = p
            e = env(t, a, a + dur, 0.3, 0.4)
            for upos in rng.uniform(-0.6, 0.6, size=3):    # independent, semirhythmic motor units
                sig = np.zeros(n, np.float32)
                tt = a + rng.uniform(0, 0.2)
                f0 = rng.uniform(3, 8)
                while tt < a + dur:
                    sig += twitch(t, tt, 0.03, 0.07) * rng.uniform(0.6, 1.0)
                    tt += (1.0 / f0) * rng.uniform(0.8, 1.25)
                dis.units[s].append((float(upos), np.minimum(sig, 1.5) * e, lid))
            add_event('myokymia', a, a + dur, s, lid + '_lid')

    elif cls == 'blepharospasm':
        nfl = count(*[(14, 22), (4, 8), (2, 5)][sev_i])
        nsp = [0, count(7, 11), count(6, 8)][sev_i]
        for j in range(nsp + nfl):
            spasm = j < nsp
            p = place((lambda: [rng.uniform(1.2, 3.0), rng.uniform(2.0, 4.5)][sev_i - 1]) if spasm
                      else (lambda: rng.uniform(0.4, 0.95)), 0.35)
            if p is None:
                continue
            a, dur = p
            if spasm:
                e = env(t, a, a + dur, 0.1, 0.25)
                for s in 'RL':
                    dis.close[s] += e
                    dis.brow[s] += -0.28 * e * (1 + 0.3 * (sev_i == 2))
                    dis.cheek[s] += 0.18 * e
                    if sev_i == 2:
                        dis.mu[s] += 0.03 * e
                add_event('blepharospasm_spasm', a, a + dur, 'both', 'eyes+brows' + ('+midface' if sev_i == 2 else ''))
            else:
                e = np.zeros(n, np.float32)
                tt = a
                while tt < a + dur - 0.1:
                    e = np.maximum(e, rng.uniform(0.35, 0.7) * blink_env(t, tt, 0.14))
                    tt += rng.uniform(0.15, 0.22)
                for s in 'RL':
                    dis.close[s] += e
                add_event('blepharospasm_flutter', a, a + dur, 'both', 'eyes')

    # ---- ordinary blinks, topped up to the clip's rate
    if cls == 'frequent_blinking':
        rate = rng.uniform(30, 48)
    elif cls == 'blepharospasm':
        rate = [rng.uniform(28, 36), rng.uniform(32, 42), rng.uniform(36, 48)][sev_i]
    else:
        rate = rng.uniform(10, 20)
    target = int(np.ceil(rate * D / 60))
    blinks = [(a, b, 'footage') for a, b in nat_blinks]
    for _ in range(max(0, target - len(blinks))):
        dur0 = float(np.clip(rng.normal(0.26 if cls != 'frequent_blinking' else 0.24, 0.05), 0.15, 0.42))
        p = place(lambda: dur0, 0.2)
        if p is None:
            continue
        a, dur = p
        blinks.append((a, a + dur, 'planted'))
        depth = 1.0 if rng.random() < 0.85 else rng.uniform(0.75, 0.95)
        e = blink_env(t, a, dur, depth)
        for s in 'RL':
            C.close[s] += e
    blinks.sort()
    for a, b, src in blinks:
        add_event('blink', a, b, 'both', 'eyes', source=src)

    if cls == 'synkinesis':
        s = base_side
        k_eye = [0.22, 0.40, 0.62][sev_i]
        k_mouth = [0.035, 0.055, 0.085][sev_i]
        rest = [0.0, 0.08, 0.16][sev_i]
        dis.close[s] += k_eye * vol + rest
        dis.cheek[s] += 0.12 * k_eye * vol
        if sev_i > 0:   # residual weakness of the smile on the affected side
            dis.mo[s] -= 0.015 * sev_i * smile
            dis.mu[s] -= 0.02 * sev_i * smile
        if rest > 0:
            add_event('resting_fissure_narrowing', 0, D, s, 'eye')
        # oral-ocular: the eye narrows with every smile
        on = np.concatenate([[False], vol > 0.25, [False]])
        dd = np.diff(on.astype(int))
        for i0, i1 in zip(np.flatnonzero(dd == 1), np.flatnonzero(dd == -1)):
            if t[i1 - 1] - t[i0] > 0.3:
                add_event('synkinesis_eye_narrowing_with_smile', t[i0], t[i1 - 1], s, 'eye')
        # ocular-oral: the mouth corner lifts with each blink
        for a, b, src in blinks:
            e = env(t, a + 0.03, b + 0.15, 0.08, 0.18)
            dis.mu[s] += k_mouth * e
            dis.mo[s] += 0.4 * k_mouth * e
            add_event('synkinesis_mouth_with_blink', a + 0.03, b + 0.15, s, 'mouth_corner')
    ev.sort(key=lambda d: d['start_s'])
    return C, dis, ev, len(blinks)

# ----------------------------------------------------------------------------- rendering


class Base:
    """Gives, for every output frame, a base image and its landmarks (base anatomical orientation)."""

    def __init__(self, spec, out, rng):
        W, H = spec['width'], spec['height']
        self.W, self.H = W, H
        self.still = spec['base'] == 'still'
        if self.still:
            img, lm = still_source(spec['face'])
            # crop: face height ~ 48-58 % of the frame height, margin for head motion
            fh = lm[:, 1].max() - lm[:, 1].min()
            ctr = np.array([lm[:, 0].mean(), lm[:, 1].mean() - 0.05 * fh])
            ch = fh / rng.uniform(0.48, 0.58) * 1.08
            cw = ch * W / H
            sc = (H * 1.08) / ch
            M = np.array([[sc, 0, -(ctr[0] - cw / 2) * sc], [0, sc, -(ctr[1] - ch / 2) * sc]], np.float32)
            self.bw, self.bh = int(round(W * 1.08)), int(round(H * 1.08))
            self.img = cv2.warpAffine(img, M, (self.bw, self.bh), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)
            self.lm = (lm @ M[:, :2].T + M[:, 2]).astype(np.float32)
        else:
            frames, fps = read_video(os.path.join(MEDIA, FOOTAGE[spec['face']]))
            lms, _ = footage_cache(out, spec['face'])
            self.src_fps = fps
            if frames[0].shape[1] > 1000:      # 1080p source: halve once, then crop/scale per frame
                frames = [cv2.resize(f, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA) for f in frames]
                lms = lms * 0.5
            sh, sw = frames[0].shape[:2]
            fc = np.median(lms.reshape(-1, 2), axis=0)
            if W / H >= sw / sh:
                cw, ch = sw, sw * H / W
            else:
                ch, cw = sh, sh * W / H
            x0 = float(np.clip(fc[0] - cw / 2, 0, sw - cw))
            y0 = float(np.clip(fc[1] - ch / 2, 0, sh - ch))
            sc = W / cw
            self.M = np.array([[sc, 0, -x0 * sc], [0, sc, -y0 * sc]], np.float32)
            self.frames = frames
            self.cache = {}
            self.lms = (lms @ self.M[:, :2].T + self.M[:, 2]).astype(np.float32)
            self.nsrc = len(frames)
            self.offset = rng.uniform(0, self.nsrc / fps) if self.nsrc / fps > 3 else 0.0

    def src_index(self, tt):
        """Ping-pong play of the footage so it lasts as long as needed."""
        L = self.nsrc
        k = np.round((tt + self.offset) * self.src_fps).astype(int)
        per = 2 * (L - 1)
        k = k % per
        return np.where(k < L, k, per - k)

    def frame(self, k):
        if self.still:
            return self.img.copy(), self.lm
        if k not in self.cache:
            self.cache[k] = cv2.warpAffine(self.frames[k], self.M, (self.W, self.H), flags=cv2.INTER_LINEAR,
                                           borderMode=cv2.BORDER_REPLICATE)
        return self.cache[k].copy(), self.lms[k]


def footage_signals(base, t):
    """Blinks and smile level already present in the (ping-pong played) footage."""
    idx = base.src_index(t)
    lm = base.lms[idx]
    e = (ear(lm, 'R') + ear(lm, 'L')) / 2
    from scipy.ndimage import median_filter, maximum_filter1d
    fps = 1.0 / (t[1] - t[0])
    ref = maximum_filter1d(median_filter(e, size=int(1.2 * fps) | 1, mode='nearest'), int(0.3 * fps) + 1)
    closed = e < 0.7 * ref
    blinks = []
    i, n = 0, len(t)
    while i < n:
        if closed[i]:
            j = i
            while j + 1 < n and closed[j + 1]:
                j += 1
            a, b = float(t[max(i - 2, 0)]), float(t[min(j + 2, n - 1)])
            if b - a <= 0.7:
                if blinks and a - blinks[-1][1] < 0.12:
                    blinks[-1] = (blinks[-1][0], b)      # one blink seen twice at a ping-pong turn
                else:
                    blinks.append((a, b))
            i = j + 1
        else:
            i += 1
    iod = np.linalg.norm(lm[:, 33] - lm[:, 263], axis=1)
    mw = np.linalg.norm(lm[:, 61] - lm[:, 291], axis=1) / iod
    m0 = np.percentile(mw, 10)
    smile = np.clip((mw - m0 - 0.05) / 0.08, 0, 1).astype(np.float32)
    smile = np.convolve(smile, np.ones(5) / 5, mode='same').astype(np.float32)
    if base.nsrc / base.src_fps < 3:     # the short clips hold a still, neutral mouth
        smile[:] = 0
    return blinks, smile


def render_iter(spec, out, disorder=True):
    rng = np.random.default_rng(h32(spec['seed'], spec['id'], 'render'))
    W, H, fps, D = spec['width'], spec['height'], spec['fps'], spec['duration_s']
    n = int(round(D * fps))
    t = np.arange(n) / fps
    base = Base(spec, out, rng)
    if base.still:
        nat, sm = [], np.zeros(n, np.float32)
    else:
        nat, sm = footage_signals(base, t)
    srng = np.random.default_rng(h32(spec['seed'], spec['id'], 'events'))
    C, dis, ev, nbl = schedule(spec, t, srng, nat, sm)
    if disorder:
        for s in 'RL':
            for a in ('close', 'brow', 'cheek', 'mo', 'mu'):
                getattr(C, a)[s] += getattr(dis, a)[s]
            C.units[s] += dis.units[s]
    close = {s: np.clip(C.close[s], 0, 1) for s in 'RL'}
    # nuisance: head motion (stills), lighting drift, sensor noise
    def walk(sd, smooth):
        x = np.cumsum(rng.normal(0, 1, n + 200))
        x = np.convolve(x, np.ones(smooth) / smooth, mode='same')[100:100 + n]
        x -= x.mean()
        return sd * x / (np.abs(x).max() + 1e-6)
    m = max(3, int(fps * 0.8))
    tx, ty = walk(0.018 * W, m), walk(0.015 * H, m)
    rot, scl = walk(2.0, m), 1 + walk(0.02, m)
    gain = 1 + walk(0.07, int(fps * 2)) + 0.03 * np.sin(2 * np.pi * t / rng.uniform(6, 14))
    grad = walk(14, int(fps * 2))
    nsd = rng.uniform(1.5, 4.0)
    noise = [cv2.merge([np.clip(rng.normal(0, nsd, (H, W)), -12, 12).astype(np.int16)] * 3) for _ in range(4)]
    # horizontal lighting gradient, quantised to 1 grey level steps
    lin = np.linspace(-1, 1, W, dtype=np.float32)
    ramps = {}

    def ramp(q):
        if q not in ramps:
            ramps[q] = cv2.merge([np.tile(np.round(lin * q).astype(np.int16)[None, :], (H, 1))] * 3)
        return ramps[q]
    warper = None
    ufrac = spec.get('_myok_frac', 0.05)
    for k in range(n):
        sk = int(base.src_index(t[k:k + 1])[0]) if not base.still else 0
        img, lm = base.frame(sk)
        if warper is None:
            warper = Warper(lm, img.shape)
        elif not base.still:
            warper.set_landmarks(lm)
        for s in 'RL':
            Wh = warper.geo[s][3]
            units = [(u, float(a[k]) * ufrac * Wh, lid) for (u, a, lid) in C.units[s] if a[k] > 1e-3]
            warper.eye(img, s, float(close[s][k]), float(C.brow[s][k]), float(C.cheek[s][k]), units)
        warper.mouth(img, {s: (float(C.mo[s][k]), float(C.mu[s][k])) for s in 'RL'})
        if base.still:
            cx, cy = base.bw / 2, base.bh / 2
            M = cv2.getRotationMatrix2D((cx, cy), float(rot[k]), float(scl[k]))
            M[0, 2] += W / 2 - cx + tx[k]
            M[1, 2] += H / 2 - cy + ty[k]
            img = cv2.warpAffine(img, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        lut = np.clip(np.arange(256) * gain[k], 0, 255).astype(np.uint8)
        img = cv2.LUT(img, lut)
        o = cv2.add(img.astype(np.int16), noise[(k * 7 + k // 3) % 4])
        q = int(round(grad[k]))
        if q:
            o = cv2.add(o, ramp(q))
        img = cv2.convertScaleAbs(cv2.max(o, 0))
        if spec['flipped']:
            img = cv2.flip(img, 1)
        yield img, ev, nbl, t


def encode(spec, out):
    import av
    ext = spec['fmt']
    path = os.path.join(out, 'clips', spec['id'] + '.' + ext)
    c = av.open(path, 'w')
    if ext == 'mp4':
        st = c.add_stream('libx264', rate=spec['fps'])
        st.options = {'crf': str(spec['crf']), 'preset': 'superfast', 'threads': '1'}
    else:
        st = c.add_stream('libvpx-vp9', rate=spec['fps'])
        st.options = {'crf': str(spec['crf'] + 8), 'b': '0', 'deadline': 'realtime', 'cpu-used': '8',
                      'threads': '1', 'row-mt': '0'}
    st.width, st.height, st.pix_fmt = spec['width'], spec['height'], 'yuv420p'
    ev, nbl = [], 0
    for img, ev, nbl, t in render_iter(spec, out):
        fr = av.VideoFrame.from_ndarray(img, format='bgr24')
        for p in st.encode(fr):
            c.mux(p)
    for p in st.encode():
        c.mux(p)
    c.close()
    return truth_entry(spec, ev, nbl)


def truth_entry(spec, ev, nbl):
    side = spec['final_side']
    img_side = {'left': 'right', 'right': 'left', 'both': 'both', None: None}[side]
    return dict(id=spec['id'], file='clips/%s.%s' % (spec['id'], spec['fmt']), disorder=spec['disorder'],
                side=side, image_side=img_side, flipped=spec['flipped'], split=spec['split'],
                fps=spec['fps'], width=spec['width'], height=spec['height'], duration_s=spec['duration_s'],
                severity=spec['severity'], blink_rate_per_min=round(nbl * 60.0 / spec['duration_s'], 2),
                base=spec['base'], face=spec['face'], format=spec['fmt'],
                codec='h264' if spec['fmt'] == 'mp4' else 'vp9', events=ev)


def job(args):
    spec, out = args
    t0 = time.time()
    e = encode(spec, out)
    return e, time.time() - t0


def check(specs, out):
    """Render each clip with and without its disorder events; report mean |diff| inside/outside events."""
    for spec in specs:
        d, dm = [], []
        for x, y in zip(render_iter(spec, out, True), render_iter(spec, out, False)):
            diff = np.abs(x[0].astype(np.int16) - y[0].astype(np.int16)).mean(axis=2)
            d.append(diff.max()); dm.append(diff.mean()); ev, t = x[1], x[3]
        d, dm = np.array(d), np.array(dm)
        inside = np.zeros(len(t), bool)
        for e in ev:
            if e['kind'] not in ('blink', 'smile'):
                inside |= (t >= e['start_s']) & (t <= e['end_s'])
        print('%s %-18s %-8s in-event: max|diff| p90=%.1f mean=%.3f  outside: max|diff| p90=%.1f' % (
            spec['id'], spec['disorder'], spec['severity'], np.percentile(d[inside], 90) if inside.any() else 0,
            dm[inside].mean() if inside.any() else 0, np.percentile(d[~inside], 90) if (~inside).any() else 0), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=20)
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--only', default='')
    ap.add_argument('--check', default='')
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, 'clips'), exist_ok=True)
    specs = plan(a.seed)
    # eyelid of myokymia: lower lid more often than upper (6 lower, 2 upper)
    my = [s for s in specs if s['disorder'] == 'eyelid_myokymia']
    rng = np.random.default_rng(a.seed + 1)
    up = set(rng.choice(len(my), 2, replace=False).tolist())
    for i, s in enumerate(my):
        s['lid'] = 'upper' if i in up else 'lower'
    for name in FOOTAGE:
        footage_cache(a.out, name)
    if a.check:
        check([s for s in specs if s['id'] in a.check.split(',')], a.out)
        return
    todo = [s for s in specs if not a.only or s['id'] in a.only.split(',')]
    t0 = time.time()
    res = {}
    import multiprocessing
    with ProcessPoolExecutor(a.jobs, mp_context=multiprocessing.get_context('spawn')) as ex:
        for e, dt in ex.map(job, [(s, a.out) for s in todo]):
            res[e['id']] = e
            print('%s %.1fs' % (e['id'], dt), flush=True)
    tp = os.path.join(a.out, 'truth.json')
    old = {}
    if a.only and os.path.exists(tp):
        old = {e['id']: e for e in json.load(open(tp))}
    old.update(res)
    json.dump([old[k] for k in sorted(old)], open(tp, 'w'), indent=1)
    print('rendered %d clips in %.1f s' % (len(todo), time.time() - t0))


if __name__ == '__main__':
    main()
