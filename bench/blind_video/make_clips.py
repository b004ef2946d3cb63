#!/usr/bin/env python3
"""Render a blind evaluation set of synthetic face videos with planted facial spasms.

    python make_clips.py --out DIR [--seed 0] [--only N,N,...] [--no-check]

Each clip animates one still face (a real photo or a single video frame) with smooth
backward-displacement fields (cv2.remap) driven by per-frame muscle "channels"
(upper/lower lid, brow, cheek, mouth corners, jaw), then adds head motion (yaw/roll/
translation/zoom by a perspective warp), lighting drift and sensor noise, and encodes
with PyAV. Afterwards every clip is decoded and MediaPipe Face Mesh is run on it to
decide whether each planted event moved the landmarks measurably (`visible`).
Writes DIR/clip_XXX.{mp4,webm,avi} and DIR/truth.json. Deterministic given --seed
(the truth is; encoder bytes may differ across library versions).
"""
import argparse
import hashlib
import json
import os
import sys
import time
from fractions import Fraction

import av
import cv2
import numpy as np

MEDIA = '/work/shared/media'
CLASSES = ['normal', 'frequent_blinking', 'eyelid_myokymia', 'hemifacial_spasm',
           'blepharospasm', 'synkinesis']
CLIPS_PER_CLASS = 10

# ---------------------------------------------------------------- MediaPipe indices
# MediaPipe's "right eye" indices (33...) lie on the IMAGE-LEFT eye of an upright face.
EYE_UP = [[33, 246, 161, 160, 159, 158, 157, 173, 133],
          [263, 466, 388, 387, 386, 385, 384, 398, 362]]
EYE_LO = [[33, 7, 163, 144, 145, 153, 154, 155, 133],
          [263, 249, 390, 373, 374, 380, 381, 382, 362]]
EYE_CORNERS = [(33, 133), (263, 362)]          # (outer, inner)
EYE_MID = [(159, 145), (386, 374)]             # (upper mid, lower mid)
BROW = [[70, 63, 105, 66, 107, 46, 53, 52, 65, 55],
        [300, 293, 334, 296, 336, 276, 283, 282, 295, 285]]
MOUTH_CORNER = [61, 291]
LIP_IN_UP = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308]
LIP_IN_LO = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308]

# ---------------------------------------------------------------- face sources
# multi_face.jpg boxes (x, y, size) from MediaPipe face detection (full-range model);
# the sunglasses face (box at x~222) is excluded: its eyelids cannot be seen.
MULTI_BOXES = {'multi_face_a': (529, 322, 115), 'multi_face_b': (679, 308, 118),
               'multi_face_c': (314, 252, 103), 'multi_face_d': (433, 224, 88)}
FACES = {
    # name: (loader, face-height fraction range of the output frame)
    'astronaut': ('skimage', (0.32, 0.55)),
    'single_face_jpg': ('single_face.jpg', (0.35, 0.60)),
    'wolfgang_f240': (('WolfgangLanger_Pexels.mp4', 240), (0.55, 0.68)),
    'wolfgang_f336': (('WolfgangLanger_Pexels.mp4', 336), (0.55, 0.68)),
    'single_face_mp4_f0': (('single_face.mp4', 0), (0.42, 0.58)),
    'jefapato_f0': (('jefapato_2sec.mp4', 0), (0.32, 0.58)),
    'multi_face_a': ('multi', (0.62, 0.75)),
    'multi_face_b': ('multi', (0.62, 0.75)),
    'multi_face_c': ('multi', (0.62, 0.75)),
    'multi_face_d': ('multi', (0.62, 0.75)),
}

_MESH = {}


def mesh(static=True):
    import mediapipe as mp
    key = static
    if key not in _MESH:
        _MESH[key] = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=static, max_num_faces=3, refine_landmarks=True,
            min_detection_confidence=0.5, min_tracking_confidence=0.5)
    return _MESH[key]


def detect(img, center=None, static=True):
    """Landmarks (478x2, pixels) of the face nearest `center` (default image centre)."""
    h, w = img.shape[:2]
    r = mesh(static).process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    if not r.multi_face_landmarks:
        return None
    c = np.array(center if center is not None else (w / 2, h / 2))
    best, bd = None, 1e18
    for f in r.multi_face_landmarks:
        L = np.array([[p.x * w, p.y * h] for p in f.landmark], np.float32)
        d = np.linalg.norm(L.mean(0) - c)
        if d < bd:
            best, bd = L, d
    return best


_SRC_CACHE = {}


def load_source(name):
    """Return (image, face centre, face height) in source pixels."""
    if name in _SRC_CACHE:
        return _SRC_CACHE[name]
    loader = FACES[name][0]
    if loader == 'skimage':
        from skimage import data
        img = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
        L = detect(img)
    elif loader == 'multi':
        img = cv2.imread(os.path.join(MEDIA, 'multi_face.jpg'))
        x, y, s = MULTI_BOXES[name]
        cx, cy, S = x + s / 2, y + s / 2, s * 1.9
        x0, y0 = int(max(0, cx - S / 2)), int(max(0, cy - S / 2))
        crop = img[y0:y0 + int(S), x0:x0 + int(S)]
        k = 300.0 / crop.shape[0]
        L = detect(cv2.resize(crop, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC))
        L = L / k + np.array([x0, y0], np.float32)
    elif isinstance(loader, tuple):
        fn, idx = loader
        c = av.open(os.path.join(MEDIA, fn))
        img = None
        for i, fr in enumerate(c.decode(video=0)):
            if i == idx:
                img = fr.to_ndarray(format='bgr24')
                break
        c.close()
        L = detect(img)
    else:
        img = cv2.imread(os.path.join(MEDIA, loader))
        L = detect(img)
    center = (L[33] + L[263]) / 2 * 0.55 + L[152] * 0.0 + L[1] * 0.45
    fh = float(np.linalg.norm(L[10] - L[152]))
    _SRC_CACHE[name] = (img, center, fh)
    return _SRC_CACHE[name]


# ---------------------------------------------------------------- envelopes
def ease(u):
    u = np.clip(u, 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * u)


def pulse(t, t0, rise, hold, fall):
    """0 -> 1 over `rise`, hold, 1 -> 0 over `fall` (raised-cosine edges)."""
    a = ease((t - t0) / max(rise, 1e-6))
    b = 1.0 - ease((t - (t0 + rise + hold)) / max(fall, 1e-6))
    return np.where(t < t0 + rise + hold, a, b) * (t >= t0)


class Channels:
    """Per-frame muscle activations. Index 0/1 = IMAGE-left/IMAGE-right half of the face."""

    def __init__(self, n):
        z = lambda: np.zeros((2, n), np.float32)
        self.up, self.lo = z(), z()              # lid closure fractions of eye height
        self.brow_dn, self.brow_in = z(), z()    # brow displacement, inter-ocular units
        self.cheek = z()                         # cheek raise, iod units
        self.gaze = z()                          # eye content shift down, fraction of eye height
        self.c_up, self.c_out = z(), z()         # mouth-corner raise / lateral pull, iod units
        self.flick_amp = z()                     # myokymia wave amplitude (fraction of h)
        self.flick_phase = z()
        self.flick_lid = ['lo', 'lo']
        self.jaw = np.zeros(n, np.float32)       # lower-lip/jaw drop, iod units


# ---------------------------------------------------------------- scheduling
class Schedule:
    def __init__(self, dur):
        self.dur = dur
        self.busy = []   # (start, end) intervals where the eyes are already busy

    def free(self, a, b, margin=0.35):
        if a < 0.3 or b > self.dur - 0.3:
            return False
        return all(b + margin <= s or a - margin >= e for s, e in self.busy)

    def place(self, rng, length, lo=0.0, hi=None, margin=0.6, tries=200):
        hi = self.dur if hi is None else hi
        for _ in range(tries):
            a = rng.uniform(max(0.5, lo), max(0.6, hi - length - 0.4))
            if self.free(a, a + length, margin):
                self.busy.append((a, a + length))
                return a
        return None


def blink_train(rng, sch, rate, min_gap=0.7, shape=4.0):
    """Renewal process of blink onsets giving about `rate`/min over the WHOLE clip.
    Blinks are placed only in the free time between busy eye events (margin 0.3 s), so the
    process runs in free-time coordinates with its mean interval shrunk accordingly."""
    margin = 0.2
    free, cur = [], 0.3
    for s, e in sorted(sch.busy):
        if s - margin > cur:
            free.append((cur, s - margin))
        cur = max(cur, e + margin)
    if sch.dur - 0.5 > cur:
        free.append((cur, sch.dur - 0.5))
    F = sum(b - a for a, b in free)
    n_target = rate * sch.dur / 60.0
    if F <= 0 or n_target <= 0:
        return []
    # stratified in free time: exactly round(n_target) strata, one jittered blink in each,
    # so the realised whole-clip rate matches `rate` (irregular but not Poisson-noisy)
    n = int(round(n_target))
    seg = F / n
    out = []
    for i in range(n):
        for _ in range(20):
            u = (i + rng.uniform(0.1, 0.9) if shape < 3 else i + 0.5 + rng.uniform(-0.3, 0.3)) * seg
            acc = 0.0
            for a, b in free:
                if u < acc + (b - a):
                    t, end = a + (u - acc), b
                    break
                acc += b - a
            dur = rng.uniform(0.24, 0.36)
            if t + dur <= end + 0.1 and (not out or t - out[-1][0] >= min_gap):
                out.append((t, dur))
                break
    return out


def add_blink(ch, t, t0, dur, amp, events, asym=0.0):
    rise = dur * 0.3
    hold = dur * 0.12
    fall = dur - rise - hold
    e = pulse(t, t0, rise, hold, fall)
    ch.up[0] += amp * (1 - asym) * 0.9 * e
    ch.up[1] += amp * (1 + asym) * 0.9 * e
    ch.lo += 0.1 * amp * e
    events.append(dict(start_s=t0, end_s=t0 + dur, kind='blink', side='both',
                       regions=['upper_lid', 'eye'], image_side='both'))
    return e


def smile_env(t, t0, dur, rng):
    r = rng.uniform(0.3, 0.55)
    f = rng.uniform(0.4, 0.7)
    e = pulse(t, t0, r, max(0.05, dur - r - f), f)
    return e * (1 + 0.04 * np.sin(2 * np.pi * rng.uniform(0.4, 1.0) * (t - t0)))


# ---------------------------------------------------------------- class scripts
def script(klass, rng, n, fps, dur, aff):
    """Fill channels for one clip. aff = image side (0/1) of the affected half or None.
    Returns (channels, events (image sides), extra condition dict)."""
    t = np.arange(n) / fps
    ch = Channels(n)
    sch = Schedule(dur)
    ev = []
    extra = {}
    other = None if aff is None else 1 - aff

    def sd(img_side):
        return img_side  # resolved to the person's side later

    if klass == 'normal':
        for _ in range(int(rng.integers(1, 3))):                     # smiles
            d = rng.uniform(1.6, 3.2)
            a = sch.place(rng, d)
            if a is None:
                continue
            e = smile_env(t, a, d, rng)
            amp = rng.uniform(0.055, 0.085)
            for s in (0, 1):
                k = 1 + rng.uniform(-0.08, 0.08)
                ch.c_up[s] += amp * k * e
                ch.c_out[s] += 0.7 * amp * k * e
                ch.cheek[s] += 0.4 * amp * e
                ch.lo[s] += 0.08 * e                                  # Duchenne: slight lower-lid rise
            ev.append(dict(start_s=a, end_s=a + d, kind='smile', side='both',
                           regions=['mouth', 'cheek'], image_side='both'))
        for _ in range(int(rng.integers(1, 3))):                     # talking-like mouth movement
            d = rng.uniform(2.5, 5.0)
            a = sch.place(rng, d, margin=0.3)
            if a is None:
                continue
            sch.busy.pop()                                          # blinks may happen while talking
            syl = rng.uniform(3.0, 5.0)
            ph = 2 * np.pi * np.cumsum(syl * (1 + 0.3 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6)))) / fps
            gate = pulse(t, a, 0.15, d - 0.35, 0.2)
            amp = rng.uniform(0.045, 0.08)
            ch.jaw += amp * gate * (0.55 + 0.45 * np.sin(ph)) * (0.6 + 0.4 * np.abs(np.sin(0.9 * ph)))
            for s in (0, 1):
                ch.c_out[s] += -0.012 * gate * np.sin(0.5 * ph)
            ev.append(dict(start_s=a, end_s=a + d, kind='talking', side='both',
                           regions=['mouth'], image_side='both'))
        if rng.random() < 0.85:                                      # glance down
            d = rng.uniform(1.0, 2.2)
            a = sch.place(rng, d)
            if a is not None:
                e = pulse(t, a, 0.2, d - 0.45, 0.25)
                g = rng.uniform(0.4, 0.55)
                ch.up += g * e
                ch.gaze += 0.25 * e
                ev.append(dict(start_s=a, end_s=a + d, kind='glance_down', side='both',
                               regions=['upper_lid', 'eye'], image_side='both'))
        rate = rng.uniform(10, 20)
        for a, d in blink_train(rng, sch, rate):
            add_blink(ch, t, a, d, rng.uniform(0.85, 1.0), ev, rng.uniform(-0.04, 0.04))

    elif klass == 'frequent_blinking':
        rate = rng.uniform(36, 52)
        for a, d in blink_train(rng, sch, rate, min_gap=0.45, shape=4.0):
            add_blink(ch, t, a, d, rng.uniform(0.85, 1.0), ev, rng.uniform(-0.04, 0.04))

    elif klass == 'eyelid_myokymia':
        lid = 'lo' if rng.random() < 0.7 else 'up'
        extra['myokymia_lid'] = 'lower' if lid == 'lo' else 'upper'
        ch.flick_lid[aff] = lid
        fmax = min(8.0, fps / 3.2)
        hz = []
        for _ in range(int(rng.integers(2, 5))):
            d = rng.uniform(2.0, 5.5)
            a = sch.place(rng, d, margin=0.8)
            if a is None:
                continue
            f0 = rng.uniform(3.5, fmax)
            hz.append(round(float(f0), 2))
            inst = f0 * (1 + 0.25 * np.sin(2 * np.pi * rng.uniform(0.3, 0.8) * t + rng.uniform(0, 6)))
            ph = 2 * np.pi * np.cumsum(inst) / fps + rng.uniform(0, 6)
            env = pulse(t, a, 0.25, d - 0.5, 0.25)
            # per-cycle random strength: non-synchronous, semirhythmic discharges
            cyc = np.floor(ph / (2 * np.pi)).astype(int)
            strength = rng.uniform(0.45, 1.0, cyc.max() + 2)[cyc - cyc.min()]
            A = rng.uniform(0.22, 0.32) if lid == 'lo' else rng.uniform(0.16, 0.24)
            ch.flick_amp[aff] += A * env * strength
            ch.flick_phase[aff] = np.where(env > 0, ph, ch.flick_phase[aff])
            ev.append(dict(start_s=a, end_s=a + d, kind='flicker', side=aff,
                           regions=['lower_lid' if lid == 'lo' else 'upper_lid'], image_side=aff))
        extra['flicker_hz'] = hz
        rate = rng.uniform(12, 20)
        for a, d in blink_train(rng, sch, rate):
            add_blink(ch, t, a, d, rng.uniform(0.85, 1.0), ev, rng.uniform(-0.04, 0.04))

    elif klass == 'hemifacial_spasm':
        b2 = bool(rng.random() < 0.6)
        extra['babinski2_brow_raise'] = b2
        mid = dur * rng.uniform(0.42, 0.55)
        extra['spread_from_s'] = round(float(mid), 2)
        tonic = [(0.0, mid, 1), (mid, dur, 2)]
        # tonic spasms: eye narrows/closes, same-side cheek rises, mouth corner pulls
        for lo_t, hi_t, cnt in tonic:
            late = lo_t > 0
            for _ in range(cnt if not late else int(rng.integers(2, 4))):
                d = rng.uniform(1.2, 2.6) if not late else rng.uniform(1.8, 3.8)
                a = sch.place(rng, d, lo=lo_t, hi=hi_t, margin=0.7)
                if a is None:
                    continue
                e = pulse(t, a, rng.uniform(0.12, 0.25), d - 0.55, rng.uniform(0.25, 0.35))
                trem = 1 + 0.08 * np.sin(2 * np.pi * rng.uniform(5, 9) * t) * e
                close = rng.uniform(0.45, 0.65) if not late else rng.uniform(0.7, 0.95)
                ch.up[aff] += close * e * trem
                ch.lo[aff] += 0.28 * e * trem
                ch.cheek[aff] += (0.045 if not late else 0.075) * e
                ch.c_up[aff] += (0.025 if not late else rng.uniform(0.06, 0.085)) * e * trem
                ch.c_out[aff] += (0.015 if not late else rng.uniform(0.04, 0.06)) * e
                regs = ['upper_lid', 'lower_lid', 'eye', 'cheek', 'mouth']
                if b2:
                    ch.brow_dn[aff] -= 0.035 * e                       # frontalis co-contraction
                    regs.append('brow')
                ev.append(dict(start_s=a, end_s=a + d, kind='tonic_spasm', side=aff,
                               regions=regs, image_side=aff, phase='late' if late else 'early'))
        # clonic twitches: bursts of brief jerks of the lids; later they also take the mouth corner
        for _ in range(int(rng.integers(5, 9))):
            k = int(rng.integers(1, 5))
            gaps = rng.uniform(0.15, 0.35, k)
            jd = rng.uniform(0.10, 0.18, k)
            d = float(np.sum(gaps[:-1]) + jd[-1]) if k > 1 else float(jd[0])
            a = sch.place(rng, d, margin=0.4)
            if a is None:
                continue
            late = a > mid
            tt = a
            for i in range(k):
                e = pulse(t, tt, jd[i] * 0.35, 0.0, jd[i] * 0.65)
                s = rng.uniform(0.55, 1.0)
                ch.up[aff] += rng.uniform(0.35, 0.6) * s * e
                ch.lo[aff] += 0.22 * s * e
                ch.cheek[aff] += 0.02 * s * e
                if late:
                    ch.c_up[aff] += rng.uniform(0.03, 0.05) * s * e
                    ch.c_out[aff] += 0.02 * s * e
                    ch.cheek[aff] += 0.02 * s * e
                tt += gaps[i]
            regs = ['upper_lid', 'lower_lid', 'eye'] + (['cheek', 'mouth'] if late else [])
            ev.append(dict(start_s=a, end_s=a + d, kind='clonic_twitch', side=aff, regions=regs,
                           image_side=aff, n_jerks=k, phase='late' if late else 'early'))
        rate = rng.uniform(12, 18)
        for a, d in blink_train(rng, sch, rate):
            add_blink(ch, t, a, d, rng.uniform(0.85, 1.0), ev, rng.uniform(-0.04, 0.04))

    elif klass == 'blepharospasm':
        for _ in range(int(rng.integers(3, 5))):
            d = rng.uniform(1.0, 4.5)
            a = sch.place(rng, d, margin=0.4)
            if a is None:
                continue
            lag = rng.uniform(0.0, 0.05)
            sq = rng.uniform(0.8, 1.0)
            for s in (0, 1):
                e = pulse(t, a + (lag if s else 0), rng.uniform(0.12, 0.25), d - 0.5, rng.uniform(0.25, 0.35))
                trem = 1 + 0.12 * np.sin(2 * np.pi * rng.uniform(3, 6) * t + rng.uniform(0, 6)) * e
                ch.up[s] += 0.78 * e
                ch.lo[s] += 0.3 * e
                ch.brow_dn[s] += rng.uniform(0.06, 0.09) * sq * e * trem   # procerus/corrugator squeeze
                ch.brow_in[s] += 0.03 * sq * e
                ch.cheek[s] += 0.03 * sq * e * trem
            ev.append(dict(start_s=a, end_s=a + d, kind='forceful_closure', side='both',
                           regions=['upper_lid', 'lower_lid', 'eye', 'brow'], image_side='both'))
        rate = rng.uniform(32, 44)
        for a, d in blink_train(rng, sch, rate, min_gap=0.4, shape=1.6):
            add_blink(ch, t, a, d * rng.uniform(1.0, 1.3), rng.uniform(0.9, 1.0), ev,
                      rng.uniform(-0.04, 0.04))

    elif klass == 'synkinesis':
        base_n = rng.uniform(0.05, 0.1)
        extra['resting_fissure_narrowing'] = round(float(base_n), 3)
        ch.up[aff] += base_n * 0.5
        ch.lo[aff] += base_n * 0.5
        weak = rng.uniform(0.75, 0.9)
        extra['affected_side_mouth_strength'] = round(float(weak), 2)
        acts = ['smile'] * int(rng.integers(2, 4)) + ['pucker'] * int(rng.integers(1, 3))
        rng.shuffle(acts)
        for act in acts:
            d = rng.uniform(1.6, 3.2)
            a = sch.place(rng, d, margin=0.6)
            if a is None:
                continue
            e = smile_env(t, a, d, rng)
            amp = rng.uniform(0.06, 0.085)
            for s in (0, 1):
                k = weak if s == aff else 1.0
                if act == 'smile':
                    ch.c_up[s] += amp * k * e
                    ch.c_out[s] += 0.7 * amp * k * e
                    ch.cheek[s] += 0.4 * amp * k * e
                    if s != aff:
                        ch.lo[s] += 0.08 * e
                else:
                    ch.c_out[s] -= 1.1 * amp * k * e
                    ch.c_up[s] += 0.1 * amp * k * e
            # oral-ocular synkinesis: the affected eye narrows with the voluntary movement
            lag = rng.uniform(0.03, 0.12)
            e2 = smile_env(t, a + lag, d - lag, rng)
            nar = rng.uniform(0.3, 0.5)
            ch.up[aff] += nar * 0.6 * e2
            ch.lo[aff] += nar * 0.45 * e2
            ch.cheek[aff] += 0.02 * e2
            ev.append(dict(start_s=a, end_s=a + d, kind=act, side='both',
                           regions=['mouth', 'cheek'] if act == 'smile' else ['mouth'], image_side='both'))
            ev.append(dict(start_s=a + lag, end_s=a + d, kind='eye_narrowing', side=aff,
                           regions=['eye', 'upper_lid', 'lower_lid'], image_side=aff,
                           with_voluntary=act))
        rate = rng.uniform(12, 18)
        for a, d in blink_train(rng, sch, rate):
            e = add_blink(ch, t, a, d, rng.uniform(0.85, 1.0), ev, rng.uniform(-0.04, 0.04))
            if rng.random() < 0.5:                                   # ocular-oral synkinesis
                ch.c_up[aff] += 0.03 * e
                ch.c_out[aff] += 0.02 * e
                ev[-1]['note'] = 'pulls the affected-side mouth corner'
                ev[-1]['regions'] = ['upper_lid', 'eye', 'mouth']
    return ch, ev, extra


# ---------------------------------------------------------------- face rig
def smooth_poly(pts):
    pts = pts[np.argsort(pts[:, 0])]
    return pts


class Rig:
    def __init__(self, L, shape):
        self.H, self.W = shape[:2]
        self.L = L
        # the landmark sets are (image-left, image-right); check the order
        if L[EYE_CORNERS[0][0], 0] > L[EYE_CORNERS[1][0], 0]:
            raise RuntimeError('unexpected eye order')
        self.iod = float(np.linalg.norm(L[33] - L[263]))
        iod = self.iod
        gy, gx = np.mgrid[0:self.H, 0:self.W].astype(np.float32)
        self.eyes = []
        for s in (0, 1):
            up = smooth_poly(L[EYE_UP[s]].copy())
            lo = smooth_poly(L[EYE_LO[s]].copy())
            x0, x1 = up[0, 0], up[-1, 0]
            w = x1 - x0
            h = float(np.max(np.interp(np.linspace(x0, x1, 50), lo[:, 0], lo[:, 1]) -
                             np.interp(np.linspace(x0, x1, 50), up[:, 0], up[:, 1])))
            brow_y = float(np.mean(L[BROW[s]][:, 1]))
            R_up = max(0.9 * h, 0.5 * (float(np.mean(up[:, 1])) - brow_y))
            R_lo = 1.1 * h
            bx0, bx1 = int(np.floor(x0 - 0.15 * w)), int(np.ceil(x1 + 0.15 * w)) + 1
            by0 = int(np.floor(up[:, 1].min() - R_up - 2))
            by1 = int(np.ceil(lo[:, 1].max() + R_lo + 2)) + 1
            bx0, by0 = max(bx0, 0), max(by0, 0)
            bx1, by1 = min(bx1, self.W), min(by1, self.H)
            xs = np.arange(bx0, bx1, dtype=np.float32)
            yu = np.interp(xs, up[:, 0], up[:, 1]).astype(np.float32)
            yl = np.interp(xs, lo[:, 0], lo[:, 1]).astype(np.float32)
            hx = np.maximum(yl - yu, 0)
            xn = np.clip((xs - x0) / max(w, 1), 0, 1)
            if s == 1:
                xn = 1 - xn                                           # 0 = outer corner for both eyes
            self.eyes.append(dict(box=(bx0, by0, bx1, by1), yu=yu, yl=yl, h=hx, xn=xn,
                                  R_up=R_up, R_lo=R_lo,
                                  Y=gy[by0:by1, bx0:bx1], eh=h))
        # Gaussian feature fields (static weights; canvas is static)
        self.gauss = {}

        def gfield(key, c, sx, sy, mask=None):
            x0, x1 = int(max(0, c[0] - 3 * sx)), int(min(self.W, c[0] + 3 * sx + 1))
            y0, y1 = int(max(0, c[1] - 3 * sy)), int(min(self.H, c[1] + 3 * sy + 1))
            Wt = np.exp(-((gx[y0:y1, x0:x1] - c[0]) ** 2) / (2 * sx * sx)
                        - ((gy[y0:y1, x0:x1] - c[1]) ** 2) / (2 * sy * sy)).astype(np.float32)
            if mask is not None:
                Wt *= mask(gx[y0:y1, x0:x1], gy[y0:y1, x0:x1]).astype(np.float32)
            self.gauss[key] = ((x0, y0, x1, y1), Wt)

        # brow and cheek fields must not reach into the palpebral fissure (they would
        # re-open a closed eye): fade them out toward the upper / lower lid margin.
        lids = []
        for s in (0, 1):
            up = smooth_poly(L[EYE_UP[s]].copy())
            lo = smooth_poly(L[EYE_LO[s]].copy())
            lids.append((up, lo, self.eyes[s]['R_up'], self.eyes[s]['R_lo']))

        def above_lid(s):
            up, lo, R_up, R_lo = lids[s]
            return lambda X, Y: np.clip((np.interp(X, up[:, 0], up[:, 1]) - Y) / (0.6 * R_up), 0, 1)

        def below_lid(s):
            up, lo, R_up, R_lo = lids[s]
            return lambda X, Y: np.clip((Y - np.interp(X, lo[:, 0], lo[:, 1])) / (0.6 * R_lo), 0, 1)

        self.medial = []
        for s in (0, 1):
            bp = L[BROW[s]]
            gfield(('brow', s), bp.mean(0), 0.5 * iod, 0.2 * iod, above_lid(s))
            ec = (L[EYE_CORNERS[s][0]] + L[EYE_CORNERS[s][1]]) / 2
            gfield(('cheek', s), ec + np.array([0, 0.55 * iod]), 0.26 * iod, 0.24 * iod, below_lid(s))
            gfield(('corner', s), L[MOUTH_CORNER[s]], 0.22 * iod, 0.17 * iod)
            self.medial.append(1.0 if s == 0 else -1.0)   # +x points to the midline for image-left
        # jaw / lower lip
        lipu = smooth_poly(L[LIP_IN_UP].copy())
        lipl = smooth_poly(L[LIP_IN_LO].copy())
        mx0, mx1 = L[MOUTH_CORNER[0], 0], L[MOUTH_CORNER[1], 0]
        mw = mx1 - mx0
        chin_y = L[152, 1]
        jx0, jx1 = int(max(0, mx0 - 0.7 * mw)), int(min(self.W, mx1 + 0.7 * mw))
        ytop = float(min(lipu[:, 1].min(), lipl[:, 1].min()) - 0.05 * iod)
        jy0, jy1 = int(max(0, ytop)), int(min(self.H, chin_y + 0.35 * iod))
        xs = np.arange(jx0, jx1, dtype=np.float32)
        line = (np.interp(xs, lipu[:, 0], lipu[:, 1]) + np.interp(xs, lipl[:, 0], lipl[:, 1])) / 2
        Y = gy[jy0:jy1, jx0:jx1]
        mcx = (mx0 + mx1) / 2
        wx = np.exp(-((xs - mcx) ** 2) / (2 * (0.55 * mw) ** 2)).astype(np.float32)
        below = np.clip((Y - line[None, :]) / (0.04 * iod), 0, 1)
        fade = np.clip(1 - (Y - chin_y) / (0.35 * iod), 0, 1)
        self.jaw = dict(box=(jx0, jy0, jx1, jy1), W=(below * fade * wx[None, :]).astype(np.float32),
                        line=line.astype(np.float32), Y=Y,
                        inside=(np.abs(xs - mcx) < 0.5 * mw).astype(np.float32) *
                        np.clip(1 - (np.abs(xs - mcx) / (0.5 * mw)) ** 4, 0, 1))
        # region to remap (face area)
        fx0, fy0 = L.min(0) - 0.25 * iod
        fx1, fy1 = L.max(0) + 0.25 * iod
        self.face_box = (int(max(0, fx0)), int(max(0, fy0)), int(min(self.W, fx1)), int(min(self.H, fy1)))
        x0, y0, x1, y1 = self.face_box
        self.gx, self.gy = gx[y0:y1, x0:x1].copy(), gy[y0:y1, x0:x1].copy()

    def render(self, canvas, ch, k):
        x0, y0, x1, y1 = self.face_box
        ox = np.zeros((y1 - y0, x1 - x0), np.float32)
        oy = np.zeros_like(ox)
        iod = self.iod

        def add(key, vx, vy):
            if vx == 0 and vy == 0:
                return
            (a0, b0, a1, b1), Wt = self.gauss[key]
            a0c, b0c, a1c, b1c = max(a0, x0), max(b0, y0), min(a1, x1), min(b1, y1)
            if a1c <= a0c or b1c <= b0c:
                return
            Wc = Wt[b0c - b0:b1c - b0, a0c - a0:a1c - a0]
            # backward map: output p samples source p - v*w(p)
            if vx:
                ox[b0c - y0:b1c - y0, a0c - x0:a1c - x0] -= vx * Wc
            if vy:
                oy[b0c - y0:b1c - y0, a0c - x0:a1c - x0] -= vy * Wc

        for s in (0, 1):
            m = self.medial[s]
            add(('brow', s), m * ch.brow_in[s, k] * iod, ch.brow_dn[s, k] * iod)
            add(('cheek', s), 0.0, -ch.cheek[s, k] * iod)
            add(('corner', s), -m * ch.c_out[s, k] * iod, -ch.c_up[s, k] * iod)
        # jaw
        jd = float(ch.jaw[k]) * iod
        gap = None
        if jd > 0.05:
            j = self.jaw
            a0, b0, a1, b1 = j['box']
            a0c, b0c, a1c, b1c = max(a0, x0), max(b0, y0), min(a1, x1), min(b1, y1)
            sl = (slice(b0c - b0, b1c - b0), slice(a0c - a0, a1c - a0))
            oy[b0c - y0:b1c - y0, a0c - x0:a1c - x0] -= jd * j['W'][sl]
            srcy = j['Y'][sl] - jd * j['W'][sl]
            line = j['line'][sl[1]][None, :]
            g = np.clip((line - srcy) / 1.5, 0, 1) * (j['Y'][sl] >= line) * j['inside'][sl[1]][None, :]
            gap = ((b0c, a0c), g)
        # eyelids: piecewise vertical maps per column (sequenced, not additive)
        for s in (0, 1):
            e = self.eyes[s]
            up = float(np.clip(ch.up[s, k], 0, 1))
            lo = float(np.clip(ch.lo[s, k], 0, 1))
            fa = float(ch.flick_amp[s, k])
            a_up = np.full_like(e['h'], up)
            a_lo = np.full_like(e['h'], lo)
            if fa > 0:
                wave = np.maximum(0, np.sin(ch.flick_phase[s, k] - 2 * np.pi * 0.8 * e['xn']))
                wave *= np.maximum(0, np.sin(np.pi * np.clip(e["xn"], 0, 1))) ** 0.5
                if ch.flick_lid[s] == 'lo':
                    a_lo = a_lo + fa * wave
                else:
                    a_up = a_up + fa * wave
            tot = a_up + a_lo
            sc = np.where(tot > 1, 1 / np.maximum(tot, 1e-6), 1)
            a_up, a_lo = a_up * sc, a_lo * sc
            g = float(ch.gaze[s, k])
            if up == 0 and lo == 0 and fa == 0 and g == 0:
                continue
            h = e['h'][None, :]
            yu, yl = e['yu'][None, :], e['yl'][None, :]
            du, dl = a_up[None, :] * h, a_lo[None, :] * h
            Y = e['Y']
            src = Y.copy()
            # upper lid: the skin between `top` (below the brow) and the margin unfolds
            # downward; the lid margin ends at yu + du.  Lower lid likewise upward.
            # The Face Mesh lid contour sits a little inside the true lid margins, so the
            # moving lid takes along a thin extra band (eu / el) to hide sclera at the edge.
            eu = 0.12 * h * np.minimum(1, a_up[None, :] / 0.3)
            el = 0.25 * h * np.minimum(1, a_lo[None, :] / 0.1)
            top = yu - e['R_up']
            r = (Y - top) / (e['R_up'] + du)
            m_up = (Y >= top) & (Y < yu + du)
            src = np.where(m_up, Y - (du + eu) * ease(r), src)
            m_eye = (Y >= yu + du) & (Y < yl - dl)
            if g:
                src = np.where(m_eye, Y - g * h, src)
            r2 = (Y - (yl - dl)) / (e['R_lo'] + dl)
            m_lo = (Y >= yl - dl) & (Y < yl + e['R_lo'])
            src = np.where(m_lo, Y + (dl + el) * (1 - ease(r2)), src)
            bx0, by0, bx1, by1 = e['box']
            oy[by0 - y0:by1 - y0, bx0 - x0:bx1 - x0] += (src - Y)
        mx = self.gx + ox
        my = self.gy + oy
        out = canvas.copy()
        out[y0:y1, x0:x1] = cv2.remap(canvas, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        if gap is not None:
            (by, bx), g = gap
            hh, ww = g.shape
            reg = out[by:by + hh, bx:bx + ww].astype(np.float32)
            dark = np.array([38, 30, 70], np.float32)
            g3 = cv2.GaussianBlur(g, (3, 3), 0)[..., None] * 0.9
            out[by:by + hh, bx:bx + ww] = (reg * (1 - g3) + dark * g3).astype(np.uint8)
        return out


# ---------------------------------------------------------------- clip plan
def plan_clips(seed):
    rng = np.random.default_rng(seed)
    faces = list(FACES)
    jobs = []
    for ci, klass in enumerate(CLASSES):
        fl = rng.permutation(faces)
        sides = (['left'] * 5 + ['right'] * 5) if klass in ('eyelid_myokymia', 'hemifacial_spasm', 'synkinesis') else [None] * 10
        sides = list(rng.permutation(np.array(sides, dtype=object)))
        flips = list(rng.permutation([False] * 5 + [True] * 5))
        for i in range(CLIPS_PER_CLASS):
            jobs.append(dict(klass=klass, face=str(fl[i % len(fl)]), side=sides[i], flipped=bool(flips[i])))
    order = rng.permutation(len(jobs))
    out = []
    for num, j in enumerate(order):
        job = dict(jobs[j])
        job['id'] = f'clip_{num:03d}'
        job['sub_seed'] = int(rng.integers(0, 2 ** 31))
        out.append(job)
    return out


def choose_format(rng, face, klass=None):
    fps = int(rng.choice([24, 30, 60], p=[0.4, 0.42, 0.18]))
    aspect = rng.choice(['16:9', '4:3', '9:16', '1:1'], p=[0.55, 0.2, 0.15, 0.1])
    short = int(rng.choice([240, 288, 360, 480, 540, 720], p=[0.2, 0.15, 0.3, 0.2, 0.07, 0.08]))
    if face.startswith('multi_face') and short > 360:
        short = 360
    if klass == 'eyelid_myokymia' and short < 360:
        short = 360
    if face.startswith('multi_face'):
        aspect = rng.choice(['1:1', '9:16'])            # tight crop: keep the neighbours out
    if face.startswith('wolfgang') or face.startswith('single_face_mp4'):
        aspect = rng.choice(['16:9', '4:3'])           # landscape sources: no room for portrait
    if fps == 60 and short > 480:
        short = 480
    r = {'16:9': 16 / 9, '4:3': 4 / 3, '9:16': 9 / 16, '1:1': 1.0}[aspect]
    if r >= 1:
        H, W = short, int(round(short * r / 2)) * 2
    else:
        W, H = short, int(round(short / r / 2)) * 2
    u = rng.random()
    if u < 0.72:
        codec = dict(codec='libx264', container='mp4', crf=int(rng.integers(18, 31)))
    elif u < 0.86:
        codec = dict(codec='libvpx-vp9', container='webm', crf=int(rng.integers(28, 42)))
    else:
        codec = dict(codec='mjpeg', container='avi', qscale=int(rng.integers(3, 9)))
    return fps, W, H, str(aspect), codec


def build_canvas(face, flipped, W, H, rng, margin=1.15, min_frac=0.0):
    img, center, fh = load_source(face)
    lo, hi = FACES[face][1]
    frac = max(rng.uniform(lo, hi), min_frac)
    ref = min(W, H) if H > W else H
    Wc, Hc = int(round(W * margin)), int(round(H * margin))
    # zoom in until the (margin-enlarged) crop fits inside the source image where possible
    s_fit = max(Wc / img.shape[1], Hc / img.shape[0]) * 1.02
    frac = max(frac, min(s_fit * fh / ref, 0.8))
    s = frac * ref / fh
    off = np.array([rng.uniform(-0.06, 0.06) * W, rng.uniform(-0.04, 0.02) * H])
    cx, cy = center
    M = np.array([[s, 0, Wc / 2 - s * cx + off[0]], [0, s, Hc / 2 - s * cy + off[1]]], np.float32)
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC
    canvas = cv2.warpAffine(img, M, (Wc, Hc), flags=interp, borderMode=cv2.BORDER_REFLECT_101)
    if flipped:
        canvas = np.ascontiguousarray(canvas[:, ::-1])
    return canvas, frac


def person_side(img_side, flipped):
    """Image-left (0) of an unflipped camera image is the person's RIGHT."""
    if img_side == 'both':
        return 'both'
    right = (img_side == 0)
    if flipped:
        right = not right
    return 'right' if right else 'left'


def img_side_of(person, flipped):
    s = 0 if person == 'right' else 1
    return 1 - s if flipped else s


def head_motion(rng, n, fps, W, H):
    t = np.arange(n) / fps
    still = rng.random() < 0.15

    def drift(amp, pmin, pmax):
        p1, p2 = rng.uniform(pmin, pmax), rng.uniform(pmin, pmax) * 0.47
        return amp * (0.75 * np.sin(2 * np.pi * t / p1 + rng.uniform(0, 6)) +
                      0.25 * np.sin(2 * np.pi * t / p2 + rng.uniform(0, 6)))
    k = 0.25 if still else 1.0
    yaw_a, roll_a = k * rng.uniform(1.0, 5.0), k * rng.uniform(0.5, 3.0)
    tr_a, zoom_a = k * rng.uniform(0.005, 0.03), k * rng.uniform(0.0, 0.06)
    yaw = drift(yaw_a, 6, 18)
    roll = drift(roll_a, 6, 18)
    tx = drift(tr_a * W, 5, 15)
    ty = drift(tr_a * H * 0.7, 5, 15)
    zoom = 1 + drift(zoom_a, 8, 25)
    cond = dict(yaw_deg=round(float(yaw_a), 2), roll_deg=round(float(roll_a), 2),
                translation_frac=round(float(tr_a), 4), zoom_frac=round(float(zoom_a), 3),
                nearly_still=bool(still))
    return (np.radians(yaw), np.radians(roll), tx, ty, zoom), cond


def homography(fc, yaw, roll, tx, ty, zoom, Wc, Hc, W, H, f):
    d = 100.0
    src = np.array([[-d, -d], [d, -d], [d, d], [-d, d]], np.float32)
    X, Y = src[:, 0], src[:, 1]
    den = f - X * np.sin(yaw)
    xp, yp = f * X * np.cos(yaw) / den, f * Y / den
    c, s = np.cos(roll), np.sin(roll)
    xr, yr = c * xp - s * yp, s * xp + c * yp
    dst = np.stack([xr * zoom + fc[0] - (Wc - W) / 2 + tx, yr * zoom + fc[1] - (Hc - H) / 2 + ty], 1)
    return cv2.getPerspectiveTransform((src + fc).astype(np.float32), dst.astype(np.float32))


def lighting(rng, n, fps):
    t = np.arange(n) / fps
    ga = rng.uniform(0.03, 0.15)
    gain = 1 + ga * np.sin(2 * np.pi * t / rng.uniform(8, 30) + rng.uniform(0, 6))
    ca = rng.uniform(0, 0.06)
    col = np.stack([1 + ca * np.sin(2 * np.pi * t / rng.uniform(10, 40) + rng.uniform(0, 6)),
                    np.ones_like(t),
                    1 - ca * np.sin(2 * np.pi * t / rng.uniform(10, 40) + rng.uniform(0, 6))], 1)
    grad_a = rng.uniform(0, 0.2) if rng.random() < 0.5 else 0.0
    grad = grad_a * np.sin(2 * np.pi * t / rng.uniform(10, 30) + rng.uniform(0, 6))
    cond = dict(gain_drift=round(float(ga), 3), color_drift=round(float(ca), 3),
                side_light_drift=round(float(grad_a), 3))
    return gain.astype(np.float32), col.astype(np.float32), grad.astype(np.float32), cond


# ---------------------------------------------------------------- render one clip
def render_clip(job, out_dir):
    rng = np.random.default_rng(job['sub_seed'])
    klass, face, flipped = job['klass'], job['face'], job['flipped']
    fps, W, H, aspect, codec = choose_format(rng, face, klass)
    dur = float(round(rng.uniform(12, 25), 2))
    n = int(round(dur * fps))
    dur = n / fps
    canvas, frac = build_canvas(face, flipped, W, H, rng,
                                min_frac=0.45 if klass == 'eyelid_myokymia' else 0.0)
    L = detect(canvas)
    if L is None:
        raise RuntimeError(f'no face on canvas for {job}')
    rig = Rig(L, canvas.shape)
    aff = img_side_of(job['side'], flipped) if job['side'] else None
    ch, ev, extra = script(klass, rng, n, fps, dur, aff)
    motion, mcond = head_motion(rng, n, fps, W, H)
    gain, col, grad, lcond = lighting(rng, n, fps)
    sigma = float(rng.choice([0.0, 1.5, 3.0, 5.0], p=[0.15, 0.35, 0.35, 0.15]))
    Hc, Wc = canvas.shape[:2]
    fc = (L[33] + L[263]) / 2 * 0.5 + L[1] * 0.5
    f = rng.uniform(1.5, 2.5) * max(W, H)
    nrng = np.random.default_rng(job['sub_seed'] + 1)
    bank = [nrng.normal(0, sigma, (H, W, 1)).astype(np.float32) for _ in range(6)] if sigma > 0 else None
    xr = (np.arange(W, dtype=np.float32) / W - 0.5)[None, :, None]

    ext = codec['container']
    fname = f"{job['id']}.{ext}"
    path = os.path.join(out_dir, fname)
    cont = av.open(path, 'w')
    st = cont.add_stream(codec['codec'], rate=Fraction(fps))
    st.width, st.height = W, H
    if codec['codec'] == 'libx264':
        st.pix_fmt = 'yuv420p'
        st.options = {'crf': str(codec['crf']), 'preset': 'superfast'}
    elif codec['codec'] == 'libvpx-vp9':
        st.pix_fmt = 'yuv420p'
        st.options = {'crf': str(codec['crf']), 'b': '0', 'deadline': 'realtime', 'cpu-used': '8'}
    else:
        st.pix_fmt = 'yuvj420p'
        st.codec_context.qscale = codec['qscale']
        st.codec_context.flags |= av.codec.context.Flags.qscale
        st.codec_context.global_quality = codec['qscale'] * 118
    yaw, roll, tx, ty, zoom = motion
    for k in range(n):
        fr = rig.render(canvas, ch, k)
        Hm = homography(fc, yaw[k], roll[k], tx[k], ty[k], zoom[k], Wc, Hc, W, H, f)
        img = cv2.warpPerspective(fr, Hm, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
        x = img.astype(np.float32)
        x *= (gain[k] * col[k])[None, None, :]
        if grad[k]:
            x *= (1 + grad[k] * xr)
        if bank is not None:
            x += bank[k % 6] if k % 2 == 0 else np.roll(bank[(k * 7) % 6], (k * 37) % H, axis=0)
        img = np.clip(x, 0, 255).astype(np.uint8)
        for p in st.encode(av.VideoFrame.from_ndarray(img, format='bgr24')):
            cont.mux(p)
    for p in st.encode():
        cont.mux(p)
    cont.close()

    events = []
    for e in sorted(ev, key=lambda e: e['start_s']):
        e = dict(e)
        e['image_side'] = {0: 'image_left', 1: 'image_right', 'both': 'both'}[e['image_side']]
        e['side'] = person_side(e['side'], flipped) if e['side'] != 'both' else 'both'
        e['start_s'] = round(float(e['start_s']), 3)
        e['end_s'] = round(float(min(e['end_s'], dur)), 3)
        e['visible'] = None
        events.append(e)
    nb = sum(1 for e in events if e['kind'] == 'blink')
    side = job['side'] if job['side'] else ('both' if klass in ('blepharospasm', 'frequent_blinking') else 'none')
    cond = dict(head_motion=mcond, lighting=lcond, noise_sigma=sigma, aspect=aspect,
                face_height_frac=round(float(frac), 3), **codec, **extra)
    if aff is not None:
        cond['affected_image_side'] = 'image_left' if aff == 0 else 'image_right'
    return dict(id=job['id'], file=fname, split=split_of(job['id']), face=face, flipped=flipped,
                disorder=klass, side=side, fps=fps, width=W, height=H, duration_s=round(dur, 3),
                blink_rate_per_min=round(nb / dur * 60, 2), events=events, conditions=cond)


def split_of(cid):
    return 'dev' if hashlib.sha256(cid.encode()).digest()[0] % 2 == 0 else 'locked'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--only', default='')
    ap.add_argument('--no-check', action='store_true')
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    jobs = plan_clips(a.seed)
    if a.only:
        keep = {int(x) for x in a.only.split(',')}
        jobs = [j for i, j in enumerate(jobs) if i in keep]
    truth = []
    t0 = time.time()
    for j in jobs:
        t1 = time.time()
        rec = render_clip(j, a.out)
        truth.append(rec)
        print(f"{rec['id']} {rec['disorder']:18s} {rec['side']:5s} {rec['face']:18s} flip={int(rec['flipped'])} "
              f"{rec['width']}x{rec['height']}@{rec['fps']} {rec['duration_s']:.1f}s "
              f"{rec['conditions']['codec']} {time.time() - t1:.1f}s", flush=True)
    render_s = time.time() - t0
    print(f'render total {render_s:.1f}s', flush=True)
    if not a.no_check:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from check_visible import check_clip
        for rec in truth:
            t1 = time.time()
            check_clip(os.path.join(a.out, rec['file']), rec)
            vis = sum(1 for e in rec['events'] if e['visible'])
            print(f"checked {rec['id']}: {vis}/{len(rec['events'])} visible ({time.time() - t1:.1f}s)", flush=True)
    with open(os.path.join(a.out, 'truth.json'), 'w') as fh:
        json.dump(truth, fh, indent=1)
    print(f'wrote {len(truth)} clips; render {render_s:.1f}s; total {time.time() - t0:.1f}s')


if __name__ == '__main__':
    main()
