#!/usr/bin/env python
"""Blind evaluation set 10: face videos with planted facial events.

Usage: make_clips.py --out DIR [--seed N] [--jobs J] [--only v10_001,v10_007]

Bases are real footage from /work/shared/media (played back and forth so it lasts long
enough, keeping its own motion and blinks) or still faces animated by warping.  Events are
planted with local backward-warp fields around MediaPipe face-mesh landmarks (eyelids,
brows, mouth corners, cheeks).  Everything is deterministic for a seed.
"""
import argparse, hashlib, json, os, sys, time
from multiprocessing import get_context

import numpy as np
import cv2

MEDIA = '/work/shared/media'
CLASSES = ['normal', 'frequent_blinking', 'eyelid_myokymia', 'hemifacial_spasm',
           'blepharospasm', 'synkinesis']
DISORDERS = ['eyelid_myokymia', 'hemifacial_spasm', 'blepharospasm', 'synkinesis']
ONE_SIDED = ['eyelid_myokymia', 'hemifacial_spasm', 'synkinesis']
FOOTAGE = {'wolfgang': 'WolfgangLanger_Pexels.mp4', 'single_face_video': 'single_face.mp4',
           'jefapato': 'jefapato_2sec.mp4'}
# anatomical side -> mediapipe landmark ids (subject's right eye is on the image left)
LM = {
    'right': dict(c1=33, c2=133, up=[160, 159, 158], lo=[144, 145, 153], brow=[70, 105, 107],
                  mouth=61, cheek=205),
    'left': dict(c1=263, c2=362, up=[387, 386, 385], lo=[373, 374, 380], brow=[300, 334, 336],
                 mouth=291, cheek=425),
}
OTHER = {'left': 'right', 'right': 'left'}


# ----------------------------------------------------------------------------- landmarks
_mesh = {}


def mesh(static):
    if static not in _mesh:
        import mediapipe as mp
        _mesh[static] = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=static, max_num_faces=1, refine_landmarks=True,
            min_detection_confidence=0.3, min_tracking_confidence=0.3)
    return _mesh[static]


def landmarks(img, static=True):
    h, w = img.shape[:2]
    r = mesh(static).process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    if not r.multi_face_landmarks:
        return None
    return np.array([[p.x * w, p.y * h] for p in r.multi_face_landmarks[0].landmark], np.float32)


def geom(P):
    """Face parts in pixel coordinates from a landmark array."""
    g = {}
    for s, d in LM.items():
        c1, c2 = P[d['c1']], P[d['c2']]
        up, lo = P[d['up']].mean(0), P[d['lo']].mean(0)
        g[s] = dict(c1=c1, c2=c2, up=up, lo=lo, brow=P[d['brow']].mean(0), mouth=P[d['mouth']],
                    cheek=P[d['cheek']])
    g['ipd'] = float(np.linalg.norm(P[468] - P[473])) if len(P) > 473 else \
        float(np.linalg.norm(g['left']['c1'] - g['right']['c1'])) * 0.7
    return g


def ear(P):
    v = []
    for d in LM.values():
        w = np.linalg.norm(P[d['c1']] - P[d['c2']])
        v.append(np.linalg.norm(P[d['up']].mean(0) - P[d['lo']].mean(0)) / max(w, 1e-3))
    return float(np.mean(v))


# ----------------------------------------------------------------------------- bases
def load_video(path, max_side=1280):
    import av
    frames = []
    with av.open(path) as c:
        s = c.streams.video[0]
        fps = float(s.average_rate)
        for f in c.decode(s):
            a = f.to_ndarray(format='bgr24')
            h, w = a.shape[:2]
            if max(h, w) > max_side:
                k = max_side / max(h, w)
                a = cv2.resize(a, (int(w * k) // 2 * 2, int(h * k) // 2 * 2), interpolation=cv2.INTER_AREA)
            frames.append(a)
    return frames, fps


def crop_box(cx, cy, face_h, W, H, sw, sh, face_frac):
    """Crop of aspect W:H around (cx,cy) where the face takes face_frac of the height."""
    ch = min(sh, face_h / face_frac)
    cw = ch * W / H
    if cw > sw:
        cw = sw
        ch = cw * H / W
    x0 = int(np.clip(cx - cw / 2, 0, sw - cw))
    y0 = int(np.clip(cy - ch * 0.45, 0, sh - ch))
    return x0, y0, int(cw), int(ch)


class FootageBase:
    def __init__(self, name, W, H, rng, cache_dir):
        frames, self.src_fps = load_video(os.path.join(MEDIA, FOOTAGE[name]))
        cache = os.path.join(cache_dir, name + '_lm.npz')
        if os.path.exists(cache):
            lms = np.load(cache)['lm']
        else:
            lms = np.stack([_lm_or_nan(f) for f in frames])
            np.savez(cache, lm=lms)
        # fill gaps and smooth landmarks over time (detector jitter)
        ok = ~np.isnan(lms[:, 0, 0])
        idx = np.arange(len(lms))
        for k in range(lms.shape[1]):
            for j in range(2):
                lms[:, k, j] = np.interp(idx, idx[ok], lms[ok, k, j])
        ker = np.array([1, 2, 3, 2, 1], np.float32) / 9
        pad = np.concatenate([lms[:1].repeat(2, 0), lms, lms[-1:].repeat(2, 0)])
        lms = sum(ker[i] * pad[i:i + len(lms)] for i in range(5))
        sh, sw = frames[0].shape[:2]
        fc = lms[:, 1, :].mean(0)
        face_h = np.median(np.linalg.norm(lms[:, 10] - lms[:, 152], axis=1))
        x0, y0, cw, ch = crop_box(fc[0], fc[1] + 0.05 * face_h, face_h, W, H, sw, sh,
                                  rng.uniform(0.45, 0.6))
        self.box = (x0, y0, cw, ch)
        sx, sy = W / cw, H / ch
        self.frames = [cv2.resize(f[y0:y0 + ch, x0:x0 + cw], (W, H), interpolation=cv2.INTER_AREA
                                  if sx < 1 else cv2.INTER_LINEAR) for f in frames]
        self.lms = (lms - np.array([x0, y0], np.float32)) * np.array([sx, sy], np.float32)
        self.ears = np.array([ear(p) for p in self.lms])
        self.lo, self.n = 0, len(frames)
        if self.n / self.src_fps < 5:
            closed = self.ears < 0.7 * np.percentile(self.ears, 75)
            closed = np.convolve(closed.astype(float), np.ones(7), 'same') > 0   # margin
            best, k = (0, self.n), 0
            runs = []
            while k < self.n:
                if not closed[k]:
                    j = k
                    while j < self.n and not closed[j]:
                        j += 1
                    runs.append((k, j))
                    k = j
                k += 1
            if runs:
                best = max(runs, key=lambda r: r[1] - r[0])
            self.lo, self.n = best[0], best[1] - best[0]
        self.offset = rng.uniform(0, self.n / self.src_fps)

    def index(self, t):
        """Ping-pong playback: source frame index for output time t."""
        k = int(round((t + self.offset) * self.src_fps))
        period = 2 * (self.n - 1)
        k %= period
        return self.lo + (k if k < self.n else period - k)

    def get(self, t):
        i = self.index(t)
        return self.frames[i].copy(), self.lms[i]


def _lm_or_nan(f):
    p = landmarks(f, static=False)
    return p if p is not None else np.full((478, 2), np.nan, np.float32)


def still_source(face):
    if face == 'astronaut':
        from skimage import data
        return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    if face == 'single_face_photo':
        return cv2.imread(os.path.join(MEDIA, 'single_face.jpg'))
    im = cv2.imread(os.path.join(MEDIA, 'multi_face.jpg'))
    # face boxes in multi_face.jpg found with mediapipe face detection (relative x, y, w, h)
    boxes = {'multi_face_1': (0.529, 0.483, 0.115, 0.172), 'multi_face_2': (0.679, 0.462, 0.118, 0.176),
             'multi_face_3': (0.314, 0.378, 0.103, 0.154), 'multi_face_4': (0.433, 0.336, 0.088, 0.131)}
    x, y, w, h = boxes[face]
    H, W = im.shape[:2]
    cx, cy, s = (x + w / 2) * W, (y + h / 2) * H, max(w * W, h * H) * 1.9
    x0, y0 = int(max(0, cx - s / 2)), int(max(0, cy - s / 2))
    return im[y0:int(min(H, cy + s / 2)), x0:int(min(W, cx + s / 2))].copy()


class StillBase:
    def __init__(self, face, W, H, rng):
        src = still_source(face)
        P = landmarks(src)
        if P is None:  # upscale small crops and retry
            src = cv2.resize(src, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
            P = landmarks(src)
        sh, sw = src.shape[:2]
        face_h = np.linalg.norm(P[10] - P[152])
        fc = P[1]
        x0, y0, cw, ch = crop_box(fc[0], fc[1] + 0.05 * face_h, face_h, W, H, sw, sh, rng.uniform(0.5, 0.7))
        crop = src[y0:y0 + ch, x0:x0 + cw]
        self.img = cv2.resize(crop, (W, H), interpolation=cv2.INTER_CUBIC if W > cw else cv2.INTER_AREA)
        self.img = cv2.GaussianBlur(self.img, (0, 0), 0.6) if W > 1.6 * cw else self.img
        P2 = landmarks(self.img)
        self.lm = P2 if P2 is not None else (P - np.array([x0, y0])) * np.array([W / cw, H / ch])
        self.lm = self.lm.astype(np.float32)
        self.W, self.H = W, H
        # slow head motion: sums of low-frequency sinusoids
        self.mot = [(rng.uniform(0.03, 0.25), rng.uniform(0, 6.3), a) for a in
                    rng.uniform(0.3, 1.0, 8)]
        self.amp = dict(tx=0.012 * W, ty=0.01 * H, rot=1.8, sc=0.015)
        nods = []
        for _ in range(rng.integers(0, 3)):
            nods.append((rng.uniform(1, 20), rng.uniform(0.6, 1.5), rng.uniform(-1, 1) * 0.012 * H))
        self.nods = nods

    def motion(self, t):
        m = self.mot
        f = lambda k: sum(a * np.sin(2 * np.pi * fr * t + ph) for fr, ph, a in m[2 * k:2 * k + 2]) / 1.3
        tx, ty, rot, sc = self.amp['tx'] * f(0), self.amp['ty'] * f(1), self.amp['rot'] * f(2), 1 + self.amp['sc'] * f(3)
        for t0, d, a in self.nods:
            if t0 < t < t0 + d:
                ty += a * np.sin(np.pi * (t - t0) / d)
        c = (self.W / 2, self.H * 0.45)
        M = cv2.getRotationMatrix2D(c, rot, sc)
        M[:, 2] += (tx, ty)
        return M

    def get(self, t):
        return self.img.copy(), self.lm


# ----------------------------------------------------------------------------- warps
class Warp:
    """Accumulates a backward displacement field in a face ROI, then remaps once."""

    def __init__(self, frame):
        self.f = frame
        self.parts = []  # (x0, y0, dx, dy)
        self.shades = []  # (x0, y0, multiplicative shading)

    def _grid(self, cx, cy, rx, ry):
        H, W = self.f.shape[:2]
        x0, x1 = int(max(0, cx - rx)), int(min(W, cx + rx + 1))
        y0, y1 = int(max(0, cy - ry)), int(min(H, cy + ry + 1))
        if x1 <= x0 or y1 <= y0:
            return None
        xs, ys = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
        return x0, y0, xs, ys

    def shift(self, center, vec, sigma):
        """Move content around `center` by `vec` (pixels) with a Gaussian falloff."""
        if abs(vec[0]) + abs(vec[1]) < 0.05:
            return
        g = self._grid(center[0], center[1], 3 * sigma, 3 * sigma)
        if g is None:
            return
        x0, y0, xs, ys = g
        w = np.exp(-((xs - center[0]) ** 2 + (ys - center[1]) ** 2) / (2 * sigma ** 2))
        self.parts.append((x0, y0, -vec[0] * w, -vec[1] * w))

    def lid(self, e, amount, lower=0.0):
        """Close the eye: the upper lid edge comes down by amount*(opening), lid skin is
        stretched over the eye (occluding it); `lower` lifts the lower lid (squeeze)."""
        if amount < 0.01 and lower < 0.01:
            return
        c1, c2, up, lo = e['c1'], e['c2'], e['up'], e['lo']
        c = (c1 + c2) / 2
        ax = (c2 - c1)
        w = float(np.linalg.norm(ax)) + 1e-3
        ax = ax / w
        n = np.array([-ax[1], ax[0]], np.float32)
        if n[1] < 0:
            n = -n
        vu = float(np.dot(up - c, n))
        vl = float(np.dot(lo - c, n))
        h = max(vl - vu, 0.08 * w)
        g = self._grid(c[0], c[1], 0.85 * w, 1.6 * h + 0.35 * w)
        if g is None:
            return
        x0, y0, xs, ys = g
        u = (xs - c[0]) * ax[0] + (ys - c[1]) * ax[1]
        v = (xs - c[0]) * n[0] + (ys - c[1]) * n[1]
        r = np.clip(1 - (2 * u / (1.12 * w)) ** 2, 0, 1)
        prof = np.sqrt(r)
        taper = np.exp(-np.maximum(np.abs(u) - 0.5 * w, 0) ** 2 / (2 * (0.12 * w) ** 2))
        mid = (vu + vl) / 2
        yu = mid + (vu - mid) * prof           # upper lid curve
        yl = mid + (vl - mid) * prof
        D = amount * (yl - yu) * 0.98          # descent of the upper lid
        top = yu - 0.9 * h - 0.15 * w          # crease region that stretches
        newedge = yu + D
        # backward map: in [top, newedge] output samples [top, yu] (stretched lid skin)
        k = (yu - top) / np.maximum(newedge - top, 1e-3)
        src_v = np.where((v >= top) & (v <= newedge), top + (v - top) * k, v)
        dv = (src_v - v) * taper
        if lower > 0:
            L = lower * h * 0.35 * prof
            bot = yl + 0.8 * h + 0.1 * w
            k2 = (bot - yl) / np.maximum(bot - (yl - L), 1e-3)
            s2 = np.where((v <= bot) & (v >= yl - L), bot - (bot - v) * k2, v)
            dv = dv + np.where(v > newedge, (s2 - v) * taper, 0)
        self.parts.append((x0, y0, dv * n[0], dv * n[1]))
        if amount > 0.05:
            # lid margin and lashes: a thin darker band along the lowered lid edge
            band = np.exp(-((v - newedge + 0.02 * w) / (0.035 * w + 0.6)) ** 2) * (prof > 0.05)
            self.shades.append((x0, y0, 1 - 0.3 * min(1.0, amount * 2) * band * taper))

    def apply(self):
        if not self.parts:
            return self.f
        x0 = min(p[0] for p in self.parts)
        y0 = min(p[1] for p in self.parts)
        x1 = max(p[0] + p[2].shape[1] for p in self.parts)
        y1 = max(p[1] + p[2].shape[0] for p in self.parts)
        dx = np.zeros((y1 - y0, x1 - x0), np.float32)
        dy = np.zeros_like(dx)
        for px, py, ddx, ddy in self.parts:
            dx[py - y0:py - y0 + ddx.shape[0], px - x0:px - x0 + ddx.shape[1]] += ddx
            dy[py - y0:py - y0 + ddx.shape[0], px - x0:px - x0 + ddx.shape[1]] += ddy
        xs, ys = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
        roi = cv2.remap(self.f, xs + dx, ys + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        for px, py, sh in self.shades:
            sub = roi[py - y0:py - y0 + sh.shape[0], px - x0:px - x0 + sh.shape[1]]
            sub[:] = (sub * sh[..., None]).astype(np.uint8)
        self.f[y0:y1, x0:x1] = roi
        return self.f


# ----------------------------------------------------------------------------- timelines
def blink_curve(t, t0, dur, amp):
    """Eyelid closure 0..1 of a blink starting at t0: fast close (~35%), slower reopening."""
    x = (t - t0) / dur
    if x <= 0 or x >= 1:
        return 0.0
    if x < 0.35:
        return amp * np.sin(np.pi / 2 * x / 0.35) ** 2
    if x < 0.45:
        return amp
    return amp * np.cos(np.pi / 2 * (x - 0.45) / 0.55) ** 2


def poisson_times(rng, rate_per_min, T, refractory=1.2, t_start=0.3):
    out, t = [], t_start + rng.exponential(60 / rate_per_min) * 0.5
    while t < T - 0.6:
        out.append(t)
        t += refractory + rng.exponential(max(60 / rate_per_min - refractory, 0.3))
    return out


def free(t0, t1, busy, pad=0.25):
    return all(t1 + pad < a or t0 - pad > b for a, b in busy)


def place(rng, T, dur, busy, tries=60, pad=0.8):
    for _ in range(tries):
        t0 = rng.uniform(0.5, T - dur - 0.5)
        if free(t0, t0 + dur, busy, pad):
            busy.append((t0, t0 + dur))
            return t0
    return None


def ev(kind, a, b, side, region, **kw):
    d = dict(kind=kind, start_s=round(float(a), 3), end_s=round(float(b), 3), side=side, region=region)
    d.update(kw)
    return d


class Plan:
    """All time-varying actions of one clip, evaluated per frame."""

    def __init__(self):
        self.blinks = []     # (t0, dur, amp, sides)
        self.flutter = []    # closures of blepharospasm flutter runs
        self.acts = []       # functions t -> dict of contributions

    def add(self, fn):
        self.acts.append(fn)


def make_plan(spec, rng, T, native_closures):
    """Returns (plan, events, n_blinks_total)."""
    cls, sev, side = spec['disorder'], spec['severity'], spec['base_side']
    plan, events, busy, noblink = Plan(), [], [], []
    for a, b in native_closures:
        if b - a > 0.7:
            busy.append((a, b))
    # ---- disorder-specific episodes first (they reserve time) ----
    if cls == 'eyelid_myokymia':
        lid = spec['lid']
        n_ep, dur_rng, amp = {'mild': (1, (1.5, 3.0), 0.035), 'moderate': (2, (3.0, 6.0), 0.06),
                              'marked': (3, (5.0, 9.0), 0.1)}[sev]
        if sev == 'moderate':
            n_ep = int(rng.integers(2, 4))
        for _ in range(n_ep):
            d = rng.uniform(*dur_rng)
            d = min(d, T / (n_ep + 1))
            t0 = place(rng, T, d, [])  # myokymia may overlap blinks; they are independent
            if t0 is None:
                continue
            # discharges: semirhythmic 3-8 Hz, 100-200 ms apart, at wandering spots on the lid
            f = rng.uniform(4, 7)
            pulses, t = [], t0
            pos = rng.uniform(-0.2, 0.2)
            while t < t0 + d:
                pos = float(np.clip(pos + rng.normal(0, 0.12), -0.35, 0.35))
                pulses.append((t, rng.uniform(0.07, 0.11), pos, rng.uniform(0.6, 1.0)))
                t += float(np.clip(rng.normal(1 / f, 0.03), 0.1, 0.25))
            events.append(ev('myokymia', t0, t0 + d, spec['side'], lid + '_lid',
                             discharge_hz=round(f, 2)))

            def fn(tt, pulses=pulses, t0=t0, d=d, amp=amp, side=side, lid=lid):
                if tt < t0 - 0.2 or tt > t0 + d + 0.3:
                    return {}
                env = min(1.0, (tt - t0) / 0.4 + 0.3, (t0 + d - tt) / 0.4 + 0.3)
                out = []
                for p0, pd, pos, a in pulses:
                    x = (tt - p0) / pd
                    if 0 < x < 1:
                        out.append((pos, a * env * np.sin(np.pi * x)))
                return {'ripple': (side, lid, amp, out)} if out else {}
            plan.add(fn)
    elif cls == 'hemifacial_spasm':
        n_ep = {'mild': rng.integers(3, 6), 'moderate': rng.integers(4, 7), 'marked': rng.integers(5, 8)}[sev]
        for _ in range(int(n_ep)):
            clonic = {'mild': rng.uniform(0.4, 1.5), 'moderate': rng.uniform(1.0, 3.0),
                      'marked': rng.uniform(1.0, 2.5)}[sev]
            tonic = {'mild': 0.0, 'moderate': rng.choice([0.0, rng.uniform(0.8, 1.5)]),
                     'marked': rng.uniform(1.5, 4.0)}[sev]
            d = clonic + tonic
            t0 = place(rng, T, d, busy)
            if t0 is None:
                continue
            peak = {'mild': rng.uniform(0.25, 0.45), 'moderate': rng.uniform(0.5, 0.8),
                    'marked': rng.uniform(0.85, 1.0)}[sev]
            mouth = {'mild': 0.0, 'moderate': rng.uniform(0.5, 0.8), 'marked': rng.uniform(0.8, 1.0)}[sev]
            jerks, t = [], t0
            while t < t0 + clonic:
                jerks.append((t, rng.uniform(0.09, 0.16), rng.uniform(0.55, 1.0)))
                t += rng.uniform(0.15, 0.4)   # irregular clonic jerks
            region = 'eye' if mouth == 0 else 'eye+cheek+mouth'
            events.append(ev('hfs_clonic', t0, t0 + clonic, spec['side'], region + '+brow'))
            noblink.append((t0 + clonic, t0 + d))
            if tonic > 0:
                events.append(ev('hfs_tonic', t0 + clonic, t0 + d, spec['side'], region + '+brow'))

            def fn(tt, jerks=jerks, t0=t0, clonic=clonic, tonic=tonic, peak=peak, mouth=mouth, side=side):
                if tt < t0 or tt > t0 + clonic + tonic + 0.4:
                    return {}
                a = 0.0
                for j0, jd, ja in jerks:
                    x = (tt - j0) / jd
                    if 0 < x < 1:
                        a = max(a, ja * np.sin(np.pi * x) ** 0.7)
                if tonic > 0:
                    te = t0 + clonic
                    if te - 0.1 <= tt <= te + tonic:
                        a = max(a, min(1.0, (tt - te + 0.1) / 0.2) * (0.92 + 0.08 * np.sin(25 * tt)))
                    elif te + tonic < tt < te + tonic + 0.4:
                        a = max(a, 1 - (tt - te - tonic) / 0.4)
                return {'hfs': (side, a * peak, a * mouth, a)} if a > 0 else {}
            plan.add(fn)
    elif cls == 'blepharospasm':
        n_sp, dur_rng, flutter = {'mild': (int(rng.integers(1, 3)), (0.4, 0.9), True),
                                  'moderate': (int(rng.integers(3, 6)), (1.2, 3.0), True),
                                  'marked': (int(rng.integers(4, 7)), (1.5, 4.5), True)}[sev]
        for i in range(n_sp):
            d = rng.uniform(*dur_rng)
            t0 = place(rng, T, d, busy, pad=0.5)
            if t0 is None:
                continue
            if (sev == 'mild' and i < 2) or (i == 0 and sev == 'moderate'):
                # eyelid flutter: a run of rapid incomplete-to-complete closures, each < 1 s
                k = int(rng.integers(3, 5))
                for j in range(k):
                    plan.flutter.append((t0 + j * d / k, d / k * 0.95, rng.uniform(0.6, 1.0), 'both'))
                noblink.append((t0, t0 + d))
                events.append(ev('bsp_flutter', t0, t0 + d, 'both', 'eyes', n_closures=k))
                continue
            squeeze = {'moderate': 0.6, 'marked': 1.0}[sev]
            noblink.append((t0, t0 + d))
            events.append(ev('bsp_spasm', t0, t0 + d, 'both', 'eyes+brows' + ('+cheeks' if sev == 'marked' else '')))

            def fn(tt, t0=t0, d=d, squeeze=squeeze):
                if tt < t0 or tt > t0 + d:
                    return {}
                x = min((tt - t0) / 0.18, (t0 + d - tt) / 0.3, 1.0)
                a = x * (0.96 + 0.04 * np.sin(2 * np.pi * 6 * tt))
                return {'bsp': (a, squeeze * x)}
            plan.add(fn)
    elif cls == 'synkinesis':
        narrow = {'mild': rng.uniform(0.2, 0.3), 'moderate': rng.uniform(0.4, 0.55), 'marked': rng.uniform(0.6, 0.8)}[sev]
        rest = {'mild': 0.06, 'moderate': 0.1, 'marked': 0.15}[sev]
        oc_oral = {'mild': 0.0, 'moderate': 0.35, 'marked': 0.6}[sev]
        spec['_syn'] = (narrow, rest, oc_oral)
        events.append(ev('synkinesis_rest_fissure_narrowing', 0, T, spec['side'], 'eye', fraction=rest))
        n_sm = int(rng.integers(3, 6))
        for _ in range(n_sm):
            d = rng.uniform(1.5, 3.5)
            t0 = place(rng, T, d, busy)
            if t0 is None:
                continue
            events.append(ev('voluntary_smile', t0, t0 + d, 'both', 'mouth'))
            events.append(ev('synkinesis_oral_ocular', t0, t0 + d, spec['side'], 'eye'))
            plan.add(smile_fn(t0, d, rng.uniform(0.7, 1.0), side, narrow))
    # voluntary smiles as nuisance in some clips without synkinesis (symmetric eye narrowing)
    if cls in ('normal', 'frequent_blinking', 'eyelid_myokymia') and rng.random() < 0.5:
        for _ in range(int(rng.integers(1, 3))):
            d = rng.uniform(1.5, 3.0)
            t0 = place(rng, T, d, busy)
            if t0 is not None:
                events.append(ev('voluntary_smile', t0, t0 + d, 'both', 'mouth'))
                plan.add(smile_fn(t0, d, rng.uniform(0.6, 1.0), None, 0.0))
    # ---- blinks: a count that matches the rate, spread with jitter, moved out of spasms ----
    n_rate = spec['planted_blink_rate'] * T / 60
    n_target = max(n_rate - len(plan.flutter), 0.6 * n_rate)
    N = int(np.floor(max(0.0, n_target) + rng.random()))
    noblink = sorted(noblink + [(a, b) for a, b in native_closures])
    times = []

    def ok(t0):
        return 0.3 < t0 < T - 0.5 and all(abs(t0 - x) > 0.6 for x in times) and \
            all(not (a - 0.45 < t0 < b + 0.15) for a, b in noblink)
    for i in range(N):
        t0 = (i + 0.5 + rng.uniform(-0.38, 0.38)) * (T - 1.0) / max(N, 1) + 0.3
        for k in range(40):
            if ok(t0):
                times.append(t0)
                break
            t0 = t0 + rng.normal(0, 0.8) if k < 20 else rng.uniform(0.3, T - 0.5)
    for t0 in sorted(times):
        dur = float(np.clip(rng.normal(0.26, 0.05), 0.16, 0.4))
        amp = 1.0 if rng.random() < 0.8 else rng.uniform(0.6, 0.85)
        plan.blinks.append((t0, dur, amp, 'both'))
    for t0, dur, amp, s in plan.blinks:
        events.append(ev('blink', t0, t0 + dur, 'both', 'eyes', origin='planted', closure=round(amp, 2)))
    if cls == 'synkinesis' and spec['_syn'][2] > 0:
        for t0, dur, amp, s in plan.blinks:
            events.append(ev('synkinesis_ocular_oral', t0, t0 + dur, spec['side'], 'mouth'))
    events.sort(key=lambda e: e['start_s'])
    return plan, events


def smile_fn(t0, d, amp, syn_side, narrow):
    def fn(tt):
        if tt < t0 or tt > t0 + d:
            return {}
        x = min((tt - t0) / 0.45, (t0 + d - tt) / 0.5, 1.0)
        x = np.sin(np.pi / 2 * max(x, 0)) ** 2
        return {'smile': (amp * x, syn_side, narrow * x)}
    return fn


def frame_state(plan, t):
    st = {}
    b = 0.0
    for t0, dur, amp, s in plan.blinks + plan.flutter:
        if t0 <= t <= t0 + dur:
            b = max(b, blink_curve(t, t0, dur, amp))
    st['blink'] = b
    for fn in plan.acts:
        for k, v in fn(t).items():
            st.setdefault(k, []).append(v)
    return st


def render_events(warp, g, st, spec):
    """Turn a frame state into warp primitives on geometry g."""
    ipd = g['ipd']
    close = {'left': st['blink'], 'right': st['blink']}
    lower = {'left': 0.0, 'right': 0.0}
    syn = spec.get('_syn')
    if syn:
        s = spec['base_side']
        close[s] = max(close[s], syn[1])
        if syn[2] > 0 and st['blink'] > 0:   # mouth corner moves with eye closure
            m = g[s]['mouth']
            warp.shift(m, ((-1 if s == 'right' else 1) * 0.02 * ipd * syn[2] * st['blink'],
                           -0.05 * ipd * syn[2] * st['blink']), 0.22 * ipd)
    for amp, syn_side, nar in st.get('smile', []):
        for s in ('left', 'right'):
            out = -1 if s == 'right' else 1   # image x direction away from the midline
            a = amp * (0.85 if (syn_side == s) else 1.0)
            warp.shift(g[s]['mouth'], (out * 0.07 * ipd * a, -0.08 * ipd * a), 0.28 * ipd)
            warp.shift(g[s]['cheek'], (0, -0.035 * ipd * a), 0.3 * ipd)
            lower[s] = max(lower[s], 0.25 * a)
            close[s] = max(close[s], 0.08 * a)
        if syn_side:
            close[syn_side] = max(close[syn_side], nar)
            lower[syn_side] = max(lower[syn_side], 0.6 * nar)
    for s, lid, amp, pulses in st.get('ripple', []):
        e = g[s]
        c = (e['c1'] + e['c2']) / 2
        w = np.linalg.norm(e['c2'] - e['c1'])
        ax = (e['c2'] - e['c1']) / max(w, 1e-3)
        base = e['lo'] if lid == 'lower' else e['up']
        for pos, a in pulses:
            p = c + ax * pos * w + (base - c) * 1.15
            # fascicular contraction of the orbicularis: local upward tug of the lid skin
            sgn = -1 if lid == 'lower' else 1
            warp.shift(p, (0.0, sgn * amp * w * a), 0.16 * w)
    for s, eyea, moutha, a in st.get('hfs', []):
        close[s] = max(close[s], eyea)
        lower[s] = max(lower[s], eyea)
        out = -1 if s == 'right' else 1
        # Babinski-2: frontalis co-contracts, the ipsilateral brow rises while the eye closes
        warp.shift(g[s]['brow'], (0, -0.07 * ipd * eyea), 0.3 * ipd)
        if moutha > 0:
            warp.shift(g[s]['mouth'], (out * 0.06 * ipd * moutha, -0.07 * ipd * moutha), 0.25 * ipd)
            warp.shift(g[s]['cheek'], (0, -0.06 * ipd * moutha), 0.28 * ipd)
    for a, sq in st.get('bsp', []):
        for s in ('left', 'right'):
            close[s] = max(close[s], a)
            lower[s] = max(lower[s], 0.5 * a)
            inward = 1 if s == 'right' else -1
            # corrugator/procerus: brows pulled down and toward the midline
            warp.shift(g[s]['brow'], (inward * 0.03 * ipd * a, 0.06 * ipd * a), 0.28 * ipd)
            if sq >= 1.0:
                warp.shift(g[s]['cheek'], (0, -0.04 * ipd * a), 0.3 * ipd)
    for s in ('left', 'right'):
        warp.lid(g[s], close[s], lower[s])


# ----------------------------------------------------------------------------- clip specs
def build_specs(seed):
    rng = np.random.default_rng(seed)
    classes = [c for c in CLASSES for _ in range(8)]
    rng.shuffle(classes)
    ids = ['v10_%03d' % (i + 1) for i in range(48)]
    per_cls = {c: [i for i, k in zip(ids, classes) if k == c] for c in CLASSES}
    spec = {}
    stills = ['single_face_photo', 'astronaut', 'multi_face_1', 'multi_face_2', 'multi_face_3', 'multi_face_4']
    for c in CLASSES:
        cid = per_cls[c]
        sev = ['mild'] * 3 + ['moderate'] * 3 + ['marked'] * 2 if c in DISORDERS else [None] * 8
        sev = list(rng.permutation(sev))
        sides = ['left'] * 4 + ['right'] * 4 if c in ONE_SIDED else [('both' if c == 'blepharospasm' else None)] * 8
        sides = list(rng.permutation(sides))
        n_foot = 3 if c in ('normal', 'frequent_blinking', 'eyelid_myokymia', 'hemifacial_spasm') else 2
        base = ['footage'] * n_foot + ['still'] * (8 - n_foot)
        base = list(rng.permutation(base))
        order = sorted(cid, key=lambda i: hashlib.sha256(('%d:%s' % (seed, i)).encode()).hexdigest())
        for k, i in enumerate(cid):
            spec[i] = dict(id=i, disorder=c, severity=sev[k], side=sides[k], base=base[k],
                           split='dev' if order.index(i) < 4 else 'locked')
    for n, i in enumerate(ids):
        s = spec[i]
        r = np.random.default_rng([seed, n + 1])
        s['rng_seed'] = [seed, n + 1]
        if s['base'] == 'footage':
            opts = ['wolfgang', 'wolfgang', 'single_face_video', 'jefapato']
            if s['disorder'] == 'synkinesis':   # the Pexels footage has its own symmetric smiles
                opts = ['single_face_video', 'jefapato']
            s['face'] = str(r.choice(opts))
        else:
            s['face'] = str(r.choice(stills, p=[0.25, 0.25, 0.125, 0.125, 0.125, 0.125]))
        small = s['face'].startswith('multi_face')
        res = [(426, 240), (640, 360), (854, 480), (1280, 720), (360, 640), (480, 854), (720, 1280)]
        pw = [0.12, 0.28, 0.22, 0.14, 0.1, 0.1, 0.04] if not small else [0.3, 0.4, 0.15, 0, 0.1, 0.05, 0]
        W, H = res[int(r.choice(len(res), p=np.array(pw) / sum(pw)))]
        s['width'], s['height'] = W, H
        s['fps'] = int(r.choice([24, 25, 30, 30, 30, 50, 60]))
        big = W * H * s['fps'] > 1280 * 720 * 30 * 0.99
        s['duration_s'] = round(float(r.uniform(12, 17 if big else 25)), 2)
        s['format'] = 'webm' if (r.random() < 0.2 and W * H <= 854 * 480) else 'mp4'
        s['flipped'] = bool(r.random() < 0.3)
        if s['side'] in ('left', 'right'):
            s['image_side'] = OTHER[s['side']]      # frontal face: anatomical right is image left
            s['base_side'] = OTHER[s['side']] if s['flipped'] else s['side']
        else:
            s['image_side'] = s['side']
            s['base_side'] = None
        if s['disorder'] == 'eyelid_myokymia':
            s['lid'] = 'lower' if r.random() < 0.7 else 'upper'
        c = s['disorder']
        if c == 'frequent_blinking':
            s['target_blink_rate'] = float(r.uniform(30, 48))
        elif c == 'blepharospasm':
            s['target_blink_rate'] = float({'mild': r.uniform(28, 34), 'moderate': r.uniform(30, 40),
                                             'marked': r.uniform(32, 45)}[s['severity']])
        else:
            s['target_blink_rate'] = float(r.uniform(10, 20))
        s['crf'] = int(r.integers(20, 30))
    return [spec[i] for i in ids]


# ----------------------------------------------------------------------------- rendering
def native_closures(base, fps, T):
    """Eye closures already in the footage, on the output timeline."""
    n = int(round(T * fps))
    e = np.array([base.ears[base.index(k / fps)] for k in range(n)])
    ref = np.percentile(base.ears, 75)
    closed = e < 0.6 * ref
    out, k = [], 0
    while k < n:
        if closed[k]:
            j = k
            while j < n and closed[j]:
                j += 1
            out.append((max(0, (k - 1) / fps), min(T, (j + 1) / fps)))
            k = j
        k += 1
    return out


def render(spec, out_dir, cache_dir):
    import av
    t_start = time.time()
    rng = np.random.default_rng(spec['rng_seed'] + [7])
    W, H, fps, T = spec['width'], spec['height'], spec['fps'], spec['duration_s']
    if spec['base'] == 'footage':
        base = FootageBase(spec['face'], W, H, rng, cache_dir)
        natives = native_closures(base, fps, T)
    else:
        base = StillBase(spec['face'], W, H, rng)
        natives = []
    nat_blinks = [(a, b) for a, b in natives if b - a <= 0.7]
    nat_long = [(a, b) for a, b in natives if b - a > 0.7]
    planted_rate = max(0.0, spec['target_blink_rate'] - 60 * len(nat_blinks) / T)
    spec = dict(spec, planted_blink_rate=planted_rate)
    plan, events = make_plan(spec, rng, T, natives)
    for a, b in nat_blinks:
        events.append(ev('blink', a, b, 'both', 'eyes', origin='footage'))
    for a, b in nat_long:
        events.append(ev('eye_closure_voluntary', a, b, 'both', 'eyes', origin='footage'))
    events.sort(key=lambda e: e['start_s'])
    n_bl = sum(1 for e in events if e['kind'] == 'blink') + \
        sum(e.get('n_closures', 0) for e in events if e['kind'] == 'bsp_flutter')
    # nuisance: lighting drift, sensor noise
    gain = (rng.uniform(0.9, 1.1), rng.uniform(0.03, 0.08), rng.uniform(0.02, 0.1), rng.uniform(0, 6))
    bias = rng.uniform(-8, 8)
    nsig = rng.uniform(1.0, 3.0)
    noise = [np.clip(rng.normal(0, nsig, (H, W, 1)), 0, 255).astype(np.uint8) for _ in range(3)] + \
        [np.clip(-rng.normal(0, nsig, (H, W, 1)), 0, 255).astype(np.uint8) for _ in range(3)]
    noise = [np.repeat(nz, 3, axis=2) for nz in noise]
    ext = spec['format']
    rel = 'clips/%s.%s' % (spec['id'], ext)
    path = os.path.join(out_dir, rel)
    from fractions import Fraction
    with av.open(path, 'w') as c:
        if ext == 'mp4':
            s = c.add_stream('libx264', rate=Fraction(fps))
            s.options = {'crf': str(spec['crf']), 'preset': 'veryfast'}
        else:
            s = c.add_stream('libvpx-vp9', rate=Fraction(fps))
            s.options = {'crf': str(spec['crf'] + 10), 'b': '0', 'deadline': 'realtime', 'cpu-used': '8',
                         'row-mt': '1'}
        s.width, s.height, s.pix_fmt = W, H, 'yuv420p'
        n = int(round(T * fps))
        for k in range(n):
            t = k / fps
            frame, P = base.get(t)
            g = geom(P)
            warp = Warp(frame)
            render_events(warp, g, frame_state(plan, t), spec)
            frame = warp.apply()
            if spec['base'] == 'still':
                frame = cv2.warpAffine(frame, base.motion(t), (W, H), flags=cv2.INTER_LINEAR,
                                       borderMode=cv2.BORDER_REFLECT)
            gn = gain[0] + gain[1] * np.sin(2 * np.pi * t / 9 + gain[3]) + gain[2] * t / T
            frame = cv2.convertScaleAbs(frame, alpha=float(gn), beta=float(bias))
            frame = cv2.add(frame, noise[k % 3])
            frame = cv2.subtract(frame, noise[3 + (k * 7 + 1) % 3])
            if spec['flipped']:
                frame = cv2.flip(frame, 1)
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format='bgr24')
            for p in s.encode(vf):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    truth = dict(id=spec['id'], file=rel, disorder=spec['disorder'], side=spec['side'],
                 image_side=spec['image_side'], flipped=spec['flipped'], split=spec['split'],
                 fps=fps, width=W, height=H, duration_s=T, severity=spec['severity'],
                 blink_rate_per_min=round(60 * n_bl / T, 2), base=spec['base'], face=spec['face'],
                 format=ext, events=events)
    if spec['disorder'] == 'eyelid_myokymia':
        truth['lid'] = spec['lid']
    return truth, time.time() - t_start


def _work(a):
    spec, out, cache = a
    return render(spec, out, cache)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=10)
    ap.add_argument('--jobs', type=int, default=1)
    ap.add_argument('--only', default='')
    a = ap.parse_args()
    t0 = time.time()
    os.makedirs(os.path.join(a.out, 'clips'), exist_ok=True)
    cache = os.path.join(a.out, 'cache')
    os.makedirs(cache, exist_ok=True)
    specs = build_specs(a.seed)
    if a.only:
        keep = set(a.only.split(','))
        specs = [s for s in specs if s['id'] in keep]
    # landmark tracks of the footage once, before the workers start
    for name in sorted({s['face'] for s in specs if s['base'] == 'footage'}):
        p = os.path.join(cache, name + '_lm.npz')
        if not os.path.exists(p):
            frames, _ = load_video(os.path.join(MEDIA, FOOTAGE[name]))
            lms = np.stack([_lm_or_nan(f) for f in frames])
            np.savez(p, lm=lms)
            _mesh.clear()
    # longest clips first for better load balance
    work = sorted(specs, key=lambda s: -s['width'] * s['height'] * s['fps'] * s['duration_s'])
    args = [(s, a.out, cache) for s in work]
    if a.jobs > 1:
        with get_context('spawn').Pool(a.jobs) as pool:
            res = pool.map(_work, args, chunksize=1)
    else:
        res = [_work(x) for x in args]
    truths = sorted([r[0] for r in res], key=lambda d: d['id'])
    tp = os.path.join(a.out, 'truth.json')
    if a.only and os.path.exists(tp):
        old = {d['id']: d for d in json.load(open(tp))}
        old.update({d['id']: d for d in truths})
        truths = [old[k] for k in sorted(old)]
    json.dump(truths, open(tp, 'w'), indent=1)
    for (tr, dt) in sorted(res, key=lambda r: r[0]['id']):
        print('%s %-18s %5.1fs' % (tr['id'], tr['file'], dt), flush=True)
    print('total wall time %.1f s' % (time.time() - t0))


if __name__ == '__main__':
    main()
