#!/usr/bin/env python3
"""Blind evaluation set 7: render 48 face videos with planted facial events.

Written blind from /work/shared/knowledge-notes.md, /work/shared/seed/*.txt and the
media in /work/shared/media (see README.md next to this file).

    python make_clips.py --out /work/bv/set7 [--seed 0] [--only 3,17] [--no-check] [--jobs 2]

Writes <out>/v7_NNN.<ext> and <out>/truth.json.  Deterministic for a given seed.
"""
import argparse
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
import cv2
import av

cv2.setNumThreads(1)

MEDIA = '/work/shared/media'
CLASSES = ['normal', 'frequent_blinking', 'eyelid_myokymia', 'hemifacial_spasm',
           'blepharospasm', 'synkinesis']
PERSON = {'il': 'right', 'ir': 'left', 'both': 'both', 'none': 'none'}
IMAGE = {'il': 'image_left', 'ir': 'image_right', 'both': 'both', 'none': 'none'}
SIDES = ('il', 'ir')   # image-left face half (person's right), image-right half

# ----------------------------------------------------------------------------------
# MediaPipe face-mesh landmark indices.  'il' = the half of the face on the image's
# left (MediaPipe's "right eye" set for a face looking at the camera).
# ----------------------------------------------------------------------------------
LM = {
    'il': dict(
        up=[33, 246, 161, 160, 159, 158, 157, 173, 133],
        lo=[33, 7, 163, 144, 145, 153, 154, 155, 133],
        brow_top=[70, 63, 105, 66, 107], brow_bot=[46, 53, 52, 65, 55],
        brow_med=[65, 55, 66, 107], brow_lat=[46, 53, 70, 63],
        cheek=[50, 101, 118, 205, 187, 123], rim=[111, 117, 118, 119, 120, 121],
        corner=61, ulip=[40, 39, 185], llip=[91, 181, 146],
        ala=[129, 64, 48], jaw=[172, 136, 150, 149], outer=33, inner=133),
    'ir': dict(
        up=[263, 466, 388, 387, 386, 385, 384, 398, 362],
        lo=[263, 249, 390, 373, 374, 380, 381, 382, 362],
        brow_top=[300, 293, 334, 296, 336], brow_bot=[276, 283, 282, 295, 285],
        brow_med=[295, 285, 296, 336], brow_lat=[276, 283, 300, 293],
        cheek=[280, 330, 347, 425, 411, 352], rim=[340, 346, 347, 348, 349, 350],
        corner=291, ulip=[270, 269, 409], llip=[321, 405, 375],
        ala=[358, 294, 278], jaw=[397, 365, 379, 378], outer=263, inner=362),
}
CHIN = [152, 175, 199, 200, 18]
LLIP_C = [17, 84, 314]
GLABELLA = 9
INNER_LO = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308]
INNER_UP = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308]
EAR_IDX = {'il': [33, 133, 160, 158, 144, 153], 'ir': [263, 362, 387, 385, 373, 380]}

# ----------------------------------------------------------------------------------
# Base faces
# ----------------------------------------------------------------------------------
STILLS = {
    'single_face.jpg': dict(file='single_face.jpg', center=None),
    'astronaut (skimage.data.astronaut)': dict(file=None, center=None),
    'multi_face.jpg: left girl': dict(file='multi_face.jpg', center=(363, 306)),
    'multi_face.jpg: boy at back': dict(file='multi_face.jpg', center=(480, 269)),
    'multi_face.jpg: middle girl': dict(file='multi_face.jpg', center=(571, 379)),
    'multi_face.jpg: right girl': dict(file='multi_face.jpg', center=(731, 366)),
}
# windows are source frame ranges (inclusive) with eyes open and the face visible
FOOTAGE = {
    'WolfgangLanger_Pexels.mp4 frames 156-246 (hand at mouth, looking around)':
        dict(file='WolfgangLanger_Pexels.mp4', a=156, b=246, scale=1.0, mouth=False),
    'WolfgangLanger_Pexels.mp4 frames 250-384 (laughing)':
        dict(file='WolfgangLanger_Pexels.mp4', a=250, b=384, scale=1.0, mouth=False),
    'WolfgangLanger_Pexels.mp4 frames 290-422 (smiling)':
        dict(file='WolfgangLanger_Pexels.mp4', a=290, b=422, scale=1.0, mouth=False),
    'single_face.mp4 frames 31-68 (smiling)':
        dict(file='single_face.mp4', a=31, b=68, scale=1.3, mouth=True),
    'jefapato_2sec.mp4 frames 0-29 (neutral)':
        dict(file='jefapato_2sec.mp4', a=0, b=29, scale=0.7, mouth=True),
}
F_WA, F_WB, F_WC, F_SF, F_JE = list(FOOTAGE)
S_SF, S_AS, S_LG, S_BO, S_MG, S_RG = list(STILLS)

_FM = {}
_DECODED = {}


def facemesh(static):
    import mediapipe as mp
    if static:
        if 'static' not in _FM:
            _FM['static'] = mp.solutions.face_mesh.FaceMesh(
                static_image_mode=True, max_num_faces=1, refine_landmarks=True,
                min_detection_confidence=0.3)
        return _FM['static']
    return mp.solutions.face_mesh.FaceMesh(
        static_image_mode=False, max_num_faces=1, refine_landmarks=True,
        min_detection_confidence=0.3, min_tracking_confidence=0.3)


def mesh_points(fm, rgb):
    r = fm.process(rgb)
    if not r.multi_face_landmarks:
        return None
    h, w = rgb.shape[:2]
    return np.array([[q.x * w, q.y * h] for q in r.multi_face_landmarks[0].landmark],
                    np.float64)


def ear(P, side):
    o, i, u1, u2, l1, l2 = [P[k] for k in EAR_IDX[side]]
    return (np.linalg.norm(u1 - l1) + np.linalg.norm(u2 - l2)) / (2 * np.linalg.norm(o - i) + 1e-9)


def eye_center(P, side):
    return P[LM[side]['up'] + LM[side]['lo']].mean(0)


def iod_of(P):
    return float(np.linalg.norm(eye_center(P, 'ir') - eye_center(P, 'il')))


def load_still(name, flip):
    spec = STILLS[name]
    if spec['file'] is None:
        from skimage import data
        img = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    else:
        img = cv2.imread(os.path.join(MEDIA, spec['file']))
    if flip:
        img = img[:, ::-1].copy()
    h, w = img.shape[:2]
    fm = facemesh(True)
    if spec['center'] is None:
        P = mesh_points(fm, cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    else:
        cx, cy = spec['center']
        if flip:
            cx = w - 1 - cx
        half = 110
        x0, y0 = max(0, cx - half), max(0, cy - half)
        crop = img[y0:cy + half, x0:cx + half]
        up = cv2.resize(crop, None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC)
        P = mesh_points(fm, cv2.cvtColor(up, cv2.COLOR_BGR2RGB))
        if P is not None:
            P = P / 3.0 + np.array([x0, y0])
    if P is None:
        raise RuntimeError('no face found in ' + name)
    s = float(np.clip(90.0 / iod_of(P), 0.5, 2.5))
    img = cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_CUBIC if s > 1 else cv2.INTER_AREA)
    return dict(frames=[img], lms=np.array([P * s]), src_fps=None, blink_frames=set())


def decode_all(fname):
    if fname not in _DECODED:
        c = av.open(os.path.join(MEDIA, fname))
        st = c.streams.video[0]
        fps = float(st.average_rate)
        frames = [f.to_ndarray(format='bgr24') for f in c.decode(video=0)]
        c.close()
        _DECODED[fname] = (frames, fps)
    return _DECODED[fname]


def load_footage(name, flip):
    from scipy.ndimage import gaussian_filter1d
    spec = FOOTAGE[name]
    frames, fps = decode_all(spec['file'])
    out, lms = [], []
    fm = facemesh(False)
    for k in range(spec['a'], spec['b'] + 1):
        im = frames[k]
        if flip:
            im = im[:, ::-1]
        if spec['scale'] != 1.0:
            im = cv2.resize(im, None, fx=spec['scale'], fy=spec['scale'],
                            interpolation=cv2.INTER_AREA if spec['scale'] < 1 else cv2.INTER_CUBIC)
        im = np.ascontiguousarray(im)
        P = mesh_points(fm, cv2.cvtColor(im, cv2.COLOR_BGR2RGB))
        if P is None:
            P = mesh_points(facemesh(True), cv2.cvtColor(im, cv2.COLOR_BGR2RGB))
        out.append(im)
        lms.append(P if P is not None else np.full((478, 2), np.nan))
    fm.close()
    lms = np.array(lms)
    bad = np.isnan(lms[:, 0, 0])
    if bad.all():
        raise RuntimeError('no face in ' + name)
    good = np.where(~bad)[0]
    for k in np.where(bad)[0]:   # fill the rare miss with the nearest good frame
        lms[k] = lms[good[np.argmin(np.abs(good - k))]]
    e = np.array([(ear(P, 'il') + ear(P, 'ir')) / 2 for P in lms])
    med = np.median(e)
    blink = set(np.where(e < 0.72 * med)[0].tolist())
    blink = blink | {k + 1 for k in blink if k + 1 < len(e)} | {k - 1 for k in blink if k > 0}
    lms = gaussian_filter1d(lms, 0.8, axis=0, mode='nearest')
    return dict(frames=out, lms=lms, src_fps=fps, blink_frames=blink)


# ----------------------------------------------------------------------------------
# Envelopes and events
# ----------------------------------------------------------------------------------
def ramp(x):
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))


def pulse(t, t0, rise, hold, fall):
    a = ramp((t - t0) / max(rise, 1e-3))
    b = ramp((t - (t0 + rise + hold)) / max(fall, 1e-3))
    return a * (1.0 - b)


def smooth_noise(rng, n, fps, hz):
    """zero-mean, unit-ish random signal band-limited to about `hz`."""
    from scipy.ndimage import gaussian_filter1d
    x = rng.standard_normal(n + 40)
    x = gaussian_filter1d(x, max(0.5, fps / (2 * np.pi * hz)))
    x = x[20:20 + n]
    return x / (x.std() + 1e-9)


class Ev:
    """One truth event.  Channels: key -> (first frame, values)."""

    def __init__(self, kind, side, regions, voluntary, source='planted', **extra):
        self.kind, self.side, self.regions = kind, side, list(regions)
        self.voluntary, self.source, self.extra = voluntary, source, extra
        self.ch = {}
        self.prim = set()
        self.t0 = self.t1 = self.peak_f = None

    def add(self, clip, key, t0, t1, fn, prim=True):
        i0 = max(0, int(math.floor(t0 * clip.fps)))
        i1 = min(clip.n, int(math.ceil(t1 * clip.fps)) + 1)
        if i1 <= i0:
            return
        t = np.arange(i0, i1) / clip.fps
        arr = np.asarray(fn(t), np.float64)
        if key in self.ch:   # merge
            j0, old = self.ch[key]
            lo, hi = min(i0, j0), max(i1, j0 + len(old))
            new = np.zeros(hi - lo)
            new[j0 - lo:j0 - lo + len(old)] += old
            new[i0 - lo:i1 - lo] += arr
            self.ch[key] = (lo, new)
        else:
            self.ch[key] = (i0, arr)
        if prim:
            self.prim.add(key)

    def finish(self, fps):
        if not self.ch:
            return False
        keys = self.prim or set(self.ch)
        lo = min(self.ch[k][0] for k in keys)
        hi = max(self.ch[k][0] + len(self.ch[k][1]) for k in keys)
        tot = np.zeros(hi - lo)
        for k in keys:
            i0, a = self.ch[k]
            m = np.abs(a).max()
            if m > 0:
                tot[i0 - lo:i0 - lo + len(a)] = np.maximum(tot[i0 - lo:i0 - lo + len(a)], np.abs(a) / m)
        on = np.where(tot > 0.05)[0]
        if len(on) == 0:
            return False
        self.t0 = (lo + on[0]) / fps
        self.t1 = (lo + on[-1] + 1) / fps
        if self.peak_f is None:
            sm = np.zeros(hi - lo)
            for k in keys:
                i0, a = self.ch[k]
                sm[i0 - lo:i0 - lo + len(a)] += np.abs(a)
            self.peak_f = lo + int(np.argmax(sm))
        return True


class Clip:
    def __init__(self, fps, duration, rng):
        self.fps, self.rng = fps, rng
        self.n = int(round(duration * fps))
        self.dur = self.n / fps
        self.events = []
        self.busy = []           # (t0, t1, tag) intervals already used by big events
        self.talk = []           # talking intervals (blink-rate modulation)
        self.closed = []         # intervals with eyes (mostly) closed: no spontaneous blink

    def new(self, *a, **k):
        e = Ev(*a, **k)
        self.events.append(e)
        return e

    def free_slot(self, length, lo=0.3, hi=None, gap=0.5, tries=60):
        hi = self.dur - 0.3 if hi is None else hi
        for _ in range(tries):
            if hi - lo - length <= 0:
                return None
            s = self.rng.uniform(lo, hi - length)
            if all(s + length + gap <= a or s >= b + gap for a, b, _ in self.busy):
                return s
        return None


def both_sides(side):
    return SIDES if side == 'both' else (side,)


# ---- building blocks (all amplitudes are activation levels, geometry is in render) --
def add_lids(ev, clip, side, t0, t1, env, au, al, prim=True):
    for s in both_sides(side):
        if au:
            ev.add(clip, ('au', s), t0, t1, lambda t, a=au: a * env(t), prim)
        if al:
            ev.add(clip, ('al', s), t0, t1, lambda t, a=al: a * env(t), prim)


def add_act(ev, clip, name, side, t0, t1, env, amp, prim=True):
    for s in both_sides(side):
        ev.add(clip, (name, s), t0, t1, lambda t, a=amp: a * env(t), prim)


def blink(clip, t, rng, peak=None, source='planted', kind='blink'):
    close = rng.uniform(0.06, 0.10)
    hold = rng.uniform(0.01, 0.05)
    opn = rng.uniform(0.12, 0.22)
    c = peak if peak is not None else (rng.uniform(0.55, 0.85) if rng.random() < 0.12 else rng.uniform(0.93, 1.0))
    share = rng.uniform(0.06, 0.14)
    e = clip.new(kind, 'both', ['upper_lid', 'eye'], True, source=source)
    env = lambda tt: pulse(tt, t, close, hold, opn)
    add_lids(e, clip, 'both', t - 0.01, t + close + hold + opn + 0.01, env, c * (1 - share), c * share)
    return e


def expr_smile(clip, rng, t, dur, amp, side_w=None, regions=('mouth', 'cheek')):
    rise, fall = rng.uniform(0.3, 0.6), rng.uniform(0.4, 0.8)
    env = lambda tt: pulse(tt, t, rise, dur, fall)
    e = clip.new('smile', 'both', list(regions), True, intensity=round(amp, 2))
    for s in SIDES:
        w = 1.0 if side_w is None else side_w[s]
        add_act(e, clip, 'mouth', s, t, t + rise + dur + fall, env, amp * w)
        add_act(e, clip, 'cheek', s, t, t + rise + dur + fall, env, 0.45 * amp * w, prim=False)
        add_lids(e, clip, s, t, t + rise + dur + fall, env, 0.0, 0.12 * amp * w, prim=False)
    if rng.random() < 0.5:
        e.add(clip, ('jaw', 'both'), t, t + rise + dur + fall, lambda tt: 0.04 * amp * env(tt), False)
    clip.busy.append((t, t + rise + dur + fall, 'smile'))
    return e, env


def expr_talk(clip, rng, t, dur, amp=1.0):
    e = clip.new('talking', 'both', ['mouth', 'chin'], True)
    n = int(dur * clip.fps) + 2
    rate = rng.uniform(3.0, 5.0)
    # syllable train with pauses
    times, tt = [], t + 0.05
    while tt < t + dur - 0.15:
        times.append(tt)
        tt += rng.uniform(0.7, 1.3) / rate
        if rng.random() < 0.12:
            tt += rng.uniform(0.2, 0.5)
    amps = rng.uniform(0.04, 0.14, len(times)) * amp
    widths = rng.uniform(-0.25, 0.25, len(times))

    def jaw(x):
        out = np.zeros_like(x)
        for ti, ai in zip(times, amps):
            out = np.maximum(out, ai * pulse(x, ti, 0.07, 0.02, 0.1))
        return out

    def pk(x):
        out = np.zeros_like(x)
        for ti, wi in zip(times, widths):
            out += wi * pulse(x, ti, 0.08, 0.03, 0.12)
        return out
    e.add(clip, ('jaw', 'both'), t, t + dur + 0.3, jaw)
    e.add(clip, ('pucker', 'il'), t, t + dur + 0.3, lambda x: np.clip(pk(x), 0, None), False)
    e.add(clip, ('pucker', 'ir'), t, t + dur + 0.3, lambda x: np.clip(pk(x), 0, None), False)
    e.add(clip, ('mouth', 'il'), t, t + dur + 0.3, lambda x: 0.6 * np.clip(-pk(x), 0, None), False)
    e.add(clip, ('mouth', 'ir'), t, t + dur + 0.3, lambda x: 0.6 * np.clip(-pk(x), 0, None), False)
    if rng.random() < 0.5:   # brow emphasis
        tb = rng.uniform(t, t + max(0.1, dur - 1))
        add_act(e, clip, 'brow_raise', 'both', tb, tb + 1.0, lambda x: pulse(x, tb, 0.15, 0.3, 0.3), 0.4, False)
    clip.busy.append((t, t + dur + 0.3, 'talking'))
    clip.talk.append((t, t + dur + 0.3))
    return e, jaw


def expr_yawn(clip, rng, t):
    op, hold, cl = rng.uniform(0.9, 1.5), rng.uniform(1.0, 2.0), rng.uniform(0.8, 1.2)
    env = lambda x: pulse(x, t, op, hold, cl)
    e = clip.new('yawn', 'both', ['mouth', 'chin', 'eye'], True)
    J = rng.uniform(0.30, 0.45)
    e.add(clip, ('jaw', 'both'), t, t + op + hold + cl, lambda x: J * env(x))
    add_lids(e, clip, 'both', t, t + op + hold + cl, env, rng.uniform(0.25, 0.45), rng.uniform(0.2, 0.35), False)
    add_act(e, clip, 'cheek', 'both', t, t + op + hold + cl, env, 0.3, False)
    add_act(e, clip, 'brow_raise', 'both', t, t + op + hold, lambda x: pulse(x, t, 0.5, 0.6, 0.6), 0.35, False)
    clip.busy.append((t, t + op + hold + cl, 'yawn'))
    return e


def expr_glance_down(clip, rng, t, dur):
    env = lambda x: pulse(x, t, 0.15, dur, 0.18)
    e = clip.new('glance_down', 'both', ['eye', 'upper_lid'], True)
    add_lids(e, clip, 'both', t, t + dur + 0.35, env, rng.uniform(0.3, 0.45), 0.0)
    clip.busy.append((t, t + dur + 0.35, 'glance'))
    return e


def expr_glance_side(clip, rng, t, dur):
    g = rng.choice([-1, 1]) * rng.uniform(0.5, 1.0)
    env = lambda x: pulse(x, t, 0.06, dur, 0.08)
    e = clip.new('glance_side', 'both', ['eye'], True)
    e.add(clip, ('gaze', 'both'), t, t + dur + 0.15, lambda x: g * env(x))
    clip.busy.append((t, t + dur + 0.15, 'glance'))
    return e


def expr_brow_raise(clip, rng, t, dur, amp=None, side_w=None):
    amp = rng.uniform(0.6, 1.0) if amp is None else amp
    env = lambda x: pulse(x, t, 0.25, dur, 0.3)
    e = clip.new('brow_raise', 'both', ['brow'], True)
    for s in SIDES:
        w = 1.0 if side_w is None else side_w[s]
        add_act(e, clip, 'brow_raise', s, t, t + dur + 0.6, env, amp * w)
    clip.busy.append((t, t + dur + 0.6, 'brow'))
    return e, env


def expr_pucker(clip, rng, t, dur, amp=None, side_w=None):
    amp = rng.uniform(0.6, 1.0) if amp is None else amp
    env = lambda x: pulse(x, t, 0.3, dur, 0.35)
    e = clip.new('pucker', 'both', ['mouth'], True)
    for s in SIDES:
        w = 1.0 if side_w is None else side_w[s]
        add_act(e, clip, 'pucker', s, t, t + dur + 0.7, env, amp * w)
    clip.busy.append((t, t + dur + 0.7, 'pucker'))
    return e, env


def expr_eye_closure(clip, rng, t, dur):
    env = lambda x: pulse(x, t, rng.uniform(0.25, 0.4), dur, 0.35)
    e = clip.new('eye_closure', 'both', ['upper_lid', 'lower_lid', 'eye'], True)
    add_lids(e, clip, 'both', t, t + dur + 0.8, env, 0.9, 0.1)
    clip.busy.append((t, t + dur + 0.8, 'closure'))
    clip.closed.append((t, t + dur + 0.8))
    return e, env


def expr_squint(clip, rng, t, dur):
    env = lambda x: pulse(x, t, 0.3, dur, 0.35)
    e = clip.new('eye_narrowing', 'both', ['upper_lid', 'lower_lid', 'eye', 'cheek'], True)
    add_lids(e, clip, 'both', t, t + dur + 0.7, env, rng.uniform(0.12, 0.2), rng.uniform(0.2, 0.3))
    add_act(e, clip, 'cheek', 'both', t, t + dur + 0.7, env, 0.25, False)
    clip.busy.append((t, t + dur + 0.7, 'squint'))
    return e


def ordinary_expressions(clip, rng, n, allowed):
    made = 0
    for _ in range(n * 4):
        if made >= n:
            break
        kind = allowed[rng.integers(len(allowed))]
        if kind == 'yawn' and any(e.kind == 'yawn' for e in clip.events):
            continue
        length = dict(smile=3.5, talking=5.0, yawn=4.5, glance_down=2.0, glance_side=2.0,
                      brow_raise=2.0, squint=2.0, pucker=2.0)[kind]
        s = clip.free_slot(length, gap=0.8)
        if s is None:
            continue
        if kind == 'smile':
            expr_smile(clip, rng, s, rng.uniform(0.8, 2.0), rng.uniform(0.5, 1.0))
        elif kind == 'talking':
            expr_talk(clip, rng, s, rng.uniform(2.5, 4.5))
        elif kind == 'yawn':
            expr_yawn(clip, rng, s)
        elif kind == 'glance_down':
            expr_glance_down(clip, rng, s, rng.uniform(0.5, 1.5))
        elif kind == 'glance_side':
            expr_glance_side(clip, rng, s, rng.uniform(0.5, 1.6))
        elif kind == 'brow_raise':
            expr_brow_raise(clip, rng, s, rng.uniform(0.6, 1.2), rng.uniform(0.4, 0.9))
        elif kind == 'squint':
            expr_squint(clip, rng, s, rng.uniform(0.6, 1.4))
        elif kind == 'pucker':
            expr_pucker(clip, rng, s, rng.uniform(0.6, 1.2), rng.uniform(0.4, 0.8))
        made += 1


def add_blinks(clip, rng, rate, talk_factor=1.0, min_gap=0.5, existing=()):
    """Ordinary spontaneous blinks.  `rate` is blinks per minute of open-eye rest time;
    while talking the local rate is multiplied by talk_factor; none while the eyes are
    closed by another event.  The count is fixed from the rate and the times are
    jittered quantiles of that density, so the clip's rate is what was asked for."""
    existing = sorted(existing)
    grid = np.arange(0.25, clip.dur - 0.45, 0.01)
    dens = np.ones_like(grid)
    for a, b in clip.talk:
        dens[(grid >= a) & (grid <= b)] = talk_factor
    for a, b in clip.closed:
        dens[(grid >= a - 0.2) & (grid <= b + 0.15)] = 0.0
    open_rest = dens.sum() * 0.01          # rest-equivalent open time, s
    n_want = int(round(rate * open_rest / 60.0)) - len(existing)
    for x in existing:                     # real blinks already in the footage
        dens[np.abs(grid - x) < min_gap] = 0.0
    if n_want <= 0 or dens.sum() == 0:
        return 0
    cdf = np.cumsum(dens)
    cdf /= cdf[-1]
    times = []
    for attempt in range(4):
        q = (np.arange(n_want) + rng.uniform(0.0, 1.0, n_want)) / n_want
        cand = np.interp(q, cdf, grid)
        times = []
        for t in cand:
            if all(abs(t - x) >= min_gap for x in times):
                times.append(float(t))
        if len(times) >= n_want:
            break
    for t in times:
        blink(clip, t, rng)
    return len(times)


# ----------------------------------------------------------------------------------
# Disorders
# ----------------------------------------------------------------------------------
def plan_myokymia(clip, rng, side, lids, severity):
    amp_lo, amp_hi = (0.010, 0.020) if severity == 'mild' else (0.022, 0.040)
    segs = rng.uniform(0.2, 0.8, 3)      # this patient's twitching segments along the lid
    t = rng.uniform(0.3, 3.0)
    bursts = []
    while t < clip.dur - 1.0:
        L = rng.uniform(1.5, 8.0) if rng.random() < 0.7 else rng.uniform(8.0, 14.0)
        L = min(L, clip.dur - 0.3 - t)
        if L < 1.0:
            break
        bursts.append((t, t + L))
        t += L + rng.uniform(1.0, 5.0)
    for b0, b1 in bursts:
        regions = ['lower_lid'] if lids == 'lower' else ['upper_lid'] if lids == 'upper' else ['upper_lid', 'lower_lid']
        e = clip.new('flicker', side, regions, False, severity=severity)
        tt = b0
        base_amp = rng.uniform(amp_lo, amp_hi)
        best, best_f = -1, None
        while tt < b1:
            for lid in (['lo'] if lids == 'lower' else ['up'] if lids == 'upper' else ['lo', 'up']):
                if lids == 'both' and rng.random() < 0.5:
                    continue     # the two lids twitch independently
                a = base_amp * rng.uniform(0.6, 1.4)
                nb = 1 + int(rng.random() < 0.5)
                for j in range(nb):
                    u0 = float(np.clip(segs[rng.integers(3)] + rng.normal(0, 0.05), 0.12, 0.88))
                    w = rng.uniform(0.10, 0.20)
                    tj = tt + j * rng.uniform(0.02, 0.06)
                    rise, fall = rng.uniform(0.025, 0.045), rng.uniform(0.05, 0.10)
                    key = ('bump', side, lid, round(u0, 3), round(w, 3), len(e.ch))
                    e.add(clip, key, tj, tj + rise + fall + 0.02,
                          lambda x, tj=tj, r=rise, f=fall, a=a: a * pulse(x, tj, r, 0.0, f))
                    if a > best:
                        best, best_f = a, int(round((tj + rise) * clip.fps))
            tt += rng.uniform(1 / 8.0, 1 / 3.0)
        e.peak_f = best_f
        e.extra['amplitude_iod'] = round(float(base_amp), 4)
        clip.busy.append((b0, b1, 'myokymia'))


def plan_hfs(clip, rng, side, grade, babinski, platysma):
    """Clonic clusters of one-sided twitches, spreading down the face, and tonic spasms."""
    spread = grade >= 2
    t = rng.uniform(0.5, 2.5)
    episodes = 0
    while t < clip.dur - 1.5:
        episodes += 1
        ntw = int(rng.integers(3, {1: 9, 2: 14, 3: 8}[grade]))
        # lower face joins progressively through the clip and within each cluster
        prog = min(1.0, 0.35 + t / clip.dur)
        for j in range(ntw):
            if t > clip.dur - 0.5:
                break
            frac = (j + 1) / ntw
            c = rng.uniform(0.25, 0.55) if grade == 1 else rng.uniform(0.35, 0.9)
            rise, hold, fall = rng.uniform(0.03, 0.06), rng.uniform(0.0, 0.08), rng.uniform(0.08, 0.2)
            env = lambda x, t0=t, r=rise, h=hold, f=fall: pulse(x, t0, r, h, f)
            lower = spread and rng.random() < prog * (0.4 + 0.6 * frac)
            regions = ['lower_lid', 'upper_lid', 'eye']
            e = clip.new('clonic_twitch', side, regions, False, grade=grade)
            t1 = t + rise + hold + fall + 0.02
            share = rng.uniform(0.5, 0.65)
            add_lids(e, clip, side, t, t1, env, c * (1 - share), c * share)
            add_act(e, clip, 'squeeze', side, t, t1, env, 0.35 * c, False)
            if lower:
                m = rng.uniform(0.3, 0.9)
                add_act(e, clip, 'cheek', side, t, t1, env, m, True)
                add_act(e, clip, 'hfs_mouth', side, t, t1, env, m * rng.uniform(0.7, 1.0), True)
                add_act(e, clip, 'nose', side, t, t1, env, 0.4 * m, False)
                e.regions += ['cheek', 'mouth']
                if platysma and rng.random() < 0.6:
                    add_act(e, clip, 'platysma', side, t, t1, env, 0.6 * m, True)
                    e.regions += ['neck']
            elif grade == 1 and rng.random() < 0.3:
                add_act(e, clip, 'cheek', side, t, t1, env, 0.15, False)
            if babinski and c > 0.55:
                add_act(e, clip, 'brow_raise', side, t, t1, env, 0.6 * c, True)
                e.regions += ['brow']
            t += rise + hold + fall + rng.uniform(0.02, 0.45)
        tonic_p = {1: 0.0, 2: 0.45, 3: 0.9}[grade]
        if rng.random() < tonic_p and t < clip.dur - 2.0:
            rise = rng.uniform(0.25, 0.5)
            hold = rng.uniform(1.0, 3.5 if grade == 2 else 5.5)
            hold = min(hold, clip.dur - t - rise - 0.9)
            fall = rng.uniform(0.35, 0.8)
            if hold > 0.4:
                trem = smooth_noise(rng, clip.n, clip.fps, 6.0)
                env = lambda x, t0=t, r=rise, h=hold, f=fall, tr=trem: pulse(x, t0, r, h, f) * np.clip(
                    1 + 0.12 * tr[np.clip((x * clip.fps).astype(int), 0, len(tr) - 1)], 0.6, 1.2)
                e = clip.new('tonic_spasm', side, ['upper_lid', 'lower_lid', 'eye', 'cheek', 'mouth'],
                             False, grade=grade)
                t1 = t + rise + hold + fall
                c = rng.uniform(0.85, 1.0)
                add_lids(e, clip, side, t, t1, env, c * 0.5, c * 0.5)
                add_act(e, clip, 'squeeze', side, t, t1, env, rng.uniform(0.6, 1.0), False)
                add_act(e, clip, 'cheek', side, t, t1, env, rng.uniform(0.7, 1.0))
                add_act(e, clip, 'hfs_mouth', side, t, t1, env, rng.uniform(0.6, 1.0))
                add_act(e, clip, 'nose', side, t, t1, env, rng.uniform(0.3, 0.6), False)
                add_act(e, clip, 'chin', side, t, t1, env, rng.uniform(0.2, 0.5), False)
                e.regions += ['nose', 'chin']
                if platysma:
                    add_act(e, clip, 'platysma', side, t, t1, env, rng.uniform(0.4, 0.9))
                    e.regions += ['neck']
                if babinski:
                    add_act(e, clip, 'brow_raise', side, t, t1, env, rng.uniform(0.4, 0.9))
                    e.regions += ['brow']
                t = t1
        clip.busy.append((t - 0.1, t + 0.1, 'hfs'))
        t += rng.uniform(0.8, 5.0) if grade >= 2 else rng.uniform(1.0, 6.0)
    return episodes


def plan_bsp(clip, rng, severity, meige):
    """Bilateral synchronous: flutter bursts and forceful closures with brow lowering."""
    n_flut = {'mild': rng.integers(2, 5), 'moderate': rng.integers(2, 5), 'severe': rng.integers(1, 4)}[severity]
    n_sp = {'mild': rng.integers(1, 3), 'moderate': rng.integers(2, 5), 'severe': rng.integers(3, 6)}[severity]
    hold_rng = {'mild': (0.4, 1.0), 'moderate': (1.0, 3.0), 'severe': (2.0, 5.0)}[severity]
    budget = {'mild': 0.15, 'moderate': 0.3, 'severe': 0.45}[severity] * clip.dur
    for _ in range(int(n_sp)):
        hold = min(rng.uniform(*hold_rng), budget - 0.6)
        if hold < 0.4:
            break
        budget -= hold + 0.4
        rise, fall = rng.uniform(0.1, 0.22), rng.uniform(0.2, 0.45)
        s = clip.free_slot(rise + hold + fall, gap=0.6)
        if s is None:
            continue
        trem = smooth_noise(rng, clip.n, clip.fps, 5.0)
        env = lambda x, t0=s, r=rise, h=hold, f=fall, tr=trem: pulse(x, t0, r, h, f) * np.clip(
            1 + 0.1 * tr[np.clip((x * clip.fps).astype(int), 0, len(tr) - 1)], 0.7, 1.15)
        regs = ['upper_lid', 'lower_lid', 'eye', 'brow']
        e = clip.new('forceful_closure', 'both', regs, False, severity=severity)
        t1 = s + rise + hold + fall
        add_lids(e, clip, 'both', s, t1, env, 0.62, 0.38)
        add_act(e, clip, 'squeeze', 'both', s, t1, env, rng.uniform(0.6, 1.0))
        add_act(e, clip, 'brow_lower', 'both', s, t1, env, rng.uniform(0.6, 1.0))
        add_act(e, clip, 'cheek', 'both', s, t1, env, rng.uniform(0.3, 0.6), False)
        if meige:
            add_act(e, clip, 'chin', 'both', s, t1, env, rng.uniform(0.3, 0.6))
            add_act(e, clip, 'platysma', 'both', s, t1, env, rng.uniform(0.3, 0.7))
            e.regions += ['chin', 'mouth', 'neck']
        clip.busy.append((s, t1, 'bsp'))
        clip.closed.append((s, t1))
    for _ in range(int(n_flut)):
        k = int(rng.integers(3, 7))
        hz = rng.uniform(6.0, 10.0)
        L = k / hz
        s = clip.free_slot(L + 0.1, gap=0.5)
        if s is None:
            continue
        e = clip.new('flutter', 'both', ['upper_lid', 'eye'], False, severity=severity)
        for j in range(k):
            tj = s + j / hz
            c = rng.uniform(0.35, 0.9)
            env = lambda x, tj=tj, hz=hz: pulse(x, tj, 0.35 / hz, 0.1 / hz, 0.5 / hz)
            add_lids(e, clip, 'both', tj, tj + 1.0 / hz, env, c * 0.85, c * 0.15)
        add_act(e, clip, 'brow_lower', 'both', s, s + L + 0.3, lambda x: pulse(x, s, 0.1, L, 0.2),
                rng.uniform(0.2, 0.5), False)
        clip.busy.append((s, s + L + 0.1, 'flutter'))
    if severity != 'mild':   # persistent mild narrowing and frown between spasms
        e = clip.new('eye_narrowing', 'both', ['upper_lid', 'lower_lid', 'eye', 'brow'], False,
                     note='sustained background narrowing and frown')
        lvl = rng.uniform(0.06, 0.14)
        env = lambda x: np.clip(np.minimum(x / 1.0, (clip.dur - x) / 1.0), 0, 1)
        add_lids(e, clip, 'both', 0, clip.dur, env, lvl, lvl * 0.8)
        add_act(e, clip, 'brow_lower', 'both', 0, clip.dur, env, rng.uniform(0.15, 0.3))


def plan_synkinesis(clip, rng, side, severity, resting_narrow, patterns, allowed_vol):
    k = {'mild': 0.6, 'moderate': 0.8, 'marked': 1.0}[severity]
    other = 'ir' if side == 'il' else 'il'
    weak = rng.uniform(0.55, 0.9)
    side_w = {side: weak, other: 1.0}
    if resting_narrow:
        e = clip.new('eye_narrowing', side, ['upper_lid', 'lower_lid', 'eye'], False,
                     note='narrower palpebral fissure at rest (post-paralytic)')
        lvl = rng.uniform(0.08, 0.16) * (0.6 + 0.4 * k)
        env = lambda x: np.clip(np.minimum(x / 0.5, (clip.dur - x) / 0.5), 0, 1)
        add_lids(e, clip, side, 0, clip.dur, env, lvl * 0.55, lvl * 0.45)
    # an exam-like script of voluntary movements
    script = []
    want = []
    if 'smile_eye' in patterns:
        want += ['smile']
    if 'pucker_eye' in patterns:
        want += ['pucker']
    if 'closure_mouth' in patterns:
        want += ['eye_closure']
    if 'brow_mouth' in patterns:
        want += ['brow_raise']
    extra = [v for v in allowed_vol if v not in want]
    rng.shuffle(extra)
    script = want + extra[:int(rng.integers(0, 3))]
    rng.shuffle(script)
    if rng.random() < 0.5 and 'smile' in allowed_vol:
        script.append('smile')
    for vol in script:
        dur = rng.uniform(1.0, 2.5)
        s = clip.free_slot(dur + 1.4, gap=0.9)
        if s is None:
            continue
        if vol == 'smile':
            amp = rng.uniform(0.6, 1.0)
            ve, env = expr_smile(clip, rng, s, dur, amp, side_w=side_w)
            if 'smile_eye' in patterns:
                syn = clip.new('eye_narrowing', side, ['upper_lid', 'lower_lid', 'eye', 'cheek'], False,
                               trigger='smile', severity=severity)
                a = rng.uniform(0.35, 0.65) * k
                lag = rng.uniform(0.0, 0.08)
                add_lids(syn, clip, side, s, s + dur + 2, lambda x: env(x - lag), a * 0.5, a * 0.5)
                add_act(syn, clip, 'cheek', side, s, s + dur + 2, lambda x: env(x - lag), 0.3 * k, False)
        elif vol == 'pucker':
            ve, env = expr_pucker(clip, rng, s, dur, side_w=side_w)
            if 'pucker_eye' in patterns:
                syn = clip.new('eye_narrowing', side, ['upper_lid', 'lower_lid', 'eye'], False,
                               trigger='pucker', severity=severity)
                a = rng.uniform(0.35, 0.65) * k
                add_lids(syn, clip, side, s, s + dur + 2, env, a * 0.55, a * 0.45)
        elif vol == 'eye_closure':
            ve, env = expr_eye_closure(clip, rng, s, dur)
            if 'closure_mouth' in patterns:
                syn = clip.new('mouth_corner_lift', side, ['mouth', 'cheek'], False,
                               trigger='eye_closure', severity=severity)
                a = rng.uniform(0.4, 0.9) * k
                add_act(syn, clip, 'syn_mouth', side, s, s + dur + 2, env, a)
                add_act(syn, clip, 'cheek', side, s, s + dur + 2, env, 0.3 * a, False)
                if severity == 'marked':
                    add_act(syn, clip, 'platysma', side, s, s + dur + 2, env, 0.4 * a)
                    syn.regions.append('neck')
        elif vol == 'brow_raise':
            ve, env = expr_brow_raise(clip, rng, s, dur, side_w=side_w)
            if 'brow_mouth' in patterns:
                syn = clip.new('mouth_corner_lift', side, ['mouth', 'cheek'], False,
                               trigger='brow_raise', severity=severity)
                a = rng.uniform(0.35, 0.8) * k
                add_act(syn, clip, 'syn_mouth', side, s, s + dur + 2, env, a)
        elif vol == 'talking':
            ve, jaw = expr_talk(clip, rng, s, dur + 1.0)
            if severity == 'marked':
                syn = clip.new('eye_narrowing', side, ['upper_lid', 'lower_lid', 'eye'], False,
                               trigger='talking', severity=severity)
                add_lids(syn, clip, side, s, s + dur + 1.5, lambda x: np.clip(jaw(x) / 0.12, 0, 1), 0.12, 0.12)
    return weak


def add_blink_synkinesis(clip, rng, side, k):
    """Ocular-oral synkinesis: each spontaneous blink tugs the mouth corner (marked cases)."""
    for e in list(clip.events):
        if e.kind != 'blink' or e.source != 'planted':
            continue
        key = ('au', 'il')
        i0, arr = e.ch[key]
        syn = clip.new('mouth_corner_lift', side, ['mouth'], False, trigger='blink')
        env_arr = arr / max(arr.max(), 1e-6)
        a = k * rng.uniform(0.25, 0.45)
        syn.add(clip, ('syn_mouth', side), i0 / clip.fps, (i0 + len(arr) - 1) / clip.fps,
                lambda x, i0=i0, ea=env_arr: a * ea[np.clip(np.round(x * clip.fps).astype(int) - i0, 0, len(ea) - 1)])


# ----------------------------------------------------------------------------------
# Geometry and warping
# ----------------------------------------------------------------------------------
class FaceGeom:
    def __init__(self, P):
        self.P = P
        cl, cr = eye_center(P, 'il'), eye_center(P, 'ir')
        self.iod = float(np.linalg.norm(cr - cl))
        self.ex = (cr - cl) / self.iod
        self.ey = np.array([-self.ex[1], self.ex[0]])
        if self.ey[1] < 0:
            self.ey = -self.ey

    def lat(self, side):
        return -self.ex if side == 'il' else self.ex

    def vec(self, side, dl, dd):
        return self.iod * (dl * self.lat(side) + dd * self.ey)


def rbf_points(G, acts):
    """Return list of (center, displacement, radius) for the smooth displacement field."""
    P, I = G.P, G.iod
    pts = []

    def add(idx_or_pt, d, r):
        c = P[idx_or_pt] if np.isscalar(idx_or_pt) else np.asarray(idx_or_pt)
        pts.append((c, d, r * I))

    for s in SIDES:
        L = LM[s]
        a = acts.get(('brow_raise', s), 0.0)
        if a:
            for k in L['brow_top'] + L['brow_bot']:
                add(k, G.vec(s, 0, -0.065 * a), 0.22)
            for k in L['brow_top']:
                add(P[k] - 0.3 * I * G.ey, G.vec(s, 0, -0.03 * a), 0.25)
        a = acts.get(('brow_lower', s), 0.0)
        if a:
            for k in L['brow_med']:
                add(k, G.vec(s, -0.035 * a, 0.05 * a), 0.16)
            for k in L['brow_lat']:
                add(k, G.vec(s, 0, 0.035 * a), 0.18)
            add(GLABELLA, G.vec(s, 0, 0.02 * a), 0.12)
        a = acts.get(('squeeze', s), 0.0)
        if a:
            for k in L['brow_bot']:
                add(k, G.vec(s, 0, 0.045 * a), 0.17)
            for k in L['rim']:
                add(k, G.vec(s, 0, -0.04 * a), 0.15)
            add(P[L['outer']] + 0.22 * I * G.lat(s), G.vec(s, -0.04 * a, 0), 0.12)
        a = acts.get(('cheek', s), 0.0)
        if a:
            for k in L['cheek']:
                add(k, G.vec(s, 0.005 * a, -0.05 * a), 0.2)
        m = acts.get(('mouth', s), 0.0)
        hm = acts.get(('hfs_mouth', s), 0.0)
        sm = acts.get(('syn_mouth', s), 0.0)
        dl = 0.13 * m + 0.10 * hm + 0.06 * sm
        dd = -0.08 * m - 0.06 * hm - 0.085 * sm
        if dl or dd:
            cpt = P[L['corner']]
            add(L['corner'], G.vec(s, dl, dd), 0.2)
            add(cpt + 0.18 * I * G.lat(s), G.vec(s, 0.7 * dl, 0.9 * dd), 0.18)
            add(cpt + 0.12 * I * G.lat(s) - 0.18 * I * G.ey, G.vec(s, 0.4 * dl, 0.8 * dd), 0.16)
            for k in L['ulip'][:1] + L['llip'][:1]:
                add(k, G.vec(s, 0.55 * dl, 0.5 * dd), 0.16)
        a = acts.get(('pucker', s), 0.0)
        if a:
            add(L['corner'], G.vec(s, -0.13 * a, 0.0), 0.17)
            for k in L['ulip'][:1] + L['llip'][:1]:
                add(k, G.vec(s, -0.08 * a, 0), 0.14)
        a = acts.get(('nose', s), 0.0)
        if a:
            for k in L['ala']:
                add(k, G.vec(s, 0, -0.035 * a), 0.1)
            add(L['ulip'][0], G.vec(s, 0, -0.02 * a), 0.1)
        a = acts.get(('platysma', s), 0.0)
        if a:
            for k in L['jaw']:
                add(k, G.vec(s, 0.02 * a, 0.035 * a), 0.22)
                add(P[k] + 0.45 * I * G.ey, G.vec(s, 0.01 * a, 0.025 * a), 0.25)
            add(L['corner'], G.vec(s, 0.015 * a, 0.015 * a), 0.14)
        a = acts.get(('chin', s), 0.0)
        if a:
            for k in CHIN:
                add(k, G.vec(s, 0, -0.02 * a), 0.14)
            for k in LLIP_C:
                add(k, G.vec(s, 0, -0.012 * a), 0.12)
    return pts


def lid_geometry(G, side):
    P = G.P
    L = LM[side]
    A, B = P[L['up'][0]], P[L['up'][-1]]
    if A[0] > B[0]:
        A, B = B, A
    W = float(np.linalg.norm(B - A))
    u = (B - A) / W
    v = np.array([-u[1], u[0]])
    if v[1] < 0:
        v = -v
    O = A

    def uv(idx):
        Q = P[idx] - O
        return Q @ u, Q @ v
    uu, vu = uv(L['up'])
    ul, vl = uv(L['lo'])
    oa, ob = np.argsort(uu), np.argsort(ul)
    grid = np.linspace(0, W, 48)
    vup = np.interp(grid, uu[oa], vu[oa])
    vlo = np.interp(grid, ul[ob], vl[ob])
    vlo = np.maximum(vlo, vup)
    return dict(O=O, u=u, v=v, W=W, grid=grid, vup=vup, vlo=vlo,
                a_up=0.30 * G.iod, b_lo=0.22 * G.iod)


def lid_box(E, pad):
    O, u, v, W = E['O'], E['u'], E['v'], E['W']
    vmin = E['vup'].min() - E['a_up'] - pad
    vmax = E['vlo'].max() + E['b_lo'] + pad
    cs = [O + a * u + b * v for a in (-pad, W + pad) for b in (vmin, vmax)]
    cs = np.array(cs)
    return cs.min(0), cs.max(0)


def lid_map(qx, qy, E, au, al, bumps_up, bumps_lo, gaze):
    O, u, v, W = E['O'], E['u'], E['v'], E['W']
    dx, dy = qx - O[0], qy - O[1]
    U = dx * u[0] + dy * u[1]
    V = dx * v[0] + dy * v[1]
    inside = (U > 0) & (U < W)
    if not inside.any():
        return qx, qy
    Ui = U[inside]
    Vi = V[inside]
    vup = np.interp(Ui, E['grid'], E['vup'])
    vlo = np.interp(Ui, E['grid'], E['vlo'])
    H = vlo - vup
    taper = np.sin(np.pi * np.clip(Ui / W, 0, 1))
    ups = au * H
    los = al * H
    for (u0, w, a) in bumps_up:
        ups = ups + a * np.exp(-((Ui / W - u0) / w) ** 2) * taper
    for (u0, w, a) in bumps_lo:
        los = los + a * np.exp(-((Ui / W - u0) / w) ** 2) * taper
    tot = ups + los
    over = tot > H
    if over.any():
        sc = np.where(over, H / np.maximum(tot, 1e-6), 1.0)
        ups, los = ups * sc, los * sc
    T = vup - E['a_up']
    Bt = vlo + E['b_lo']
    vup2 = vup + ups
    vlo2 = vlo - los
    Vs = Vi.copy()
    Us = Ui.copy()
    m1 = (Vi >= T) & (Vi < vup2)
    Vs[m1] = T[m1] + (Vi[m1] - T[m1]) * (vup[m1] - T[m1]) / np.maximum(vup2[m1] - T[m1], 1e-3)
    m3 = (Vi > vlo2) & (Vi <= Bt)
    Vs[m3] = Bt[m3] - (Bt[m3] - Vi[m3]) * (Bt[m3] - vlo[m3]) / np.maximum(Bt[m3] - vlo2[m3], 1e-3)
    m2 = (Vi >= vup2) & (Vi <= vlo2)
    if m2.any():
        st = vup + np.maximum(ups, 0)
        sb = vlo - np.maximum(los, 0)
        gap = np.maximum(vlo2 - vup2, 1e-3)
        Vs[m2] = st[m2] + (Vi[m2] - vup2[m2]) * (sb[m2] - st[m2]) / gap[m2]
        if gaze:
            f = (Vi[m2] - vup2[m2]) / gap[m2]
            Us[m2] = Ui[m2] - gaze * 0.12 * W * taper[m2] ** 1.5 * (4 * f * (1 - f)) ** 0.5
    ox = qx.copy()
    oy = qy.copy()
    ox[inside] = O[0] + Us * u[0] + Vs * v[0]
    oy[inside] = O[1] + Us * u[1] + Vs * v[1]
    return ox, oy


def jaw_map(qx, qy, G, J):
    """Lower face drops by J (IOD units): lips part (oval opening), chin moves down,
    neck skin stretches.  Returns source coords and an alpha for the dark mouth gap."""
    P, I = G.P, G.iod
    Oc = (P[13] + P[14]) / 2
    ex, ey = G.ex, G.ey
    dx, dy = qx - Oc[0], qy - Oc[1]
    h = dx * ex[0] + dy * ex[1]
    v = dx * ey[0] + dy * ey[1]
    lo = P[INNER_LO] - Oc
    hl, vl = lo @ ex, lo @ ey
    o = np.argsort(hl)
    hl, vl = hl[o], vl[o]
    hc = (hl[-1] + hl[0]) / 2
    hw = max((hl[-1] - hl[0]) / 2, 0.1 * I)
    vchin = float((P[152] - Oc) @ ey)
    Jp = J * I
    ell = max(0.5 * I, 2.2 * Jp)
    hb = np.linspace(-1.4 * I, 1.4 * I, 71)
    vs = np.linspace(-0.5 * I, vchin + 0.15 * I + ell + Jp + 0.2 * I, 500)
    alpha = np.zeros_like(v)
    sel = (np.abs(h) < 1.4 * I) & (v > -0.5 * I) & (v < vs[-1])
    if not sel.any():
        return qx, qy, alpha
    hs, vv = h[sel], v[sel]
    fb = np.clip((hs - hb[0]) / (hb[1] - hb[0]), 0, len(hb) - 1.001)
    b0i = np.floor(fb).astype(int)
    wgt = fb - b0i
    vsrc = np.zeros_like(vv)
    al = np.zeros_like(vv)
    order = np.argsort(b0i, kind='stable')
    bounds = np.searchsorted(b0i[order], np.arange(len(hb) + 1))
    cache = {}

    def column(b):
        if b in cache:
            return cache[b]
        hh = hb[b]
        vb = np.interp(hh, hl, vl)
        ah = 1.0 - float(ramp((abs(hh) - 0.6 * I) / (0.6 * I)))          # jaw width
        x = (hh - hc) / hw
        p = max(0.0, 1.0 - x * x) ** 0.9                                     # lens-shaped lip opening
        dlt = 0.012 * I + 0.3 * I * float(ramp((abs(hh - hc) - hw) / (0.25 * I)))
        S = ramp((vs - vb + dlt) / (2 * dlt)) * (1 - ramp((vs - (vchin + 0.1 * I)) / ell))
        prof = p + (1 - p) * ramp((vs - vb) / (0.45 * I))
        F = np.maximum.accumulate(vs + Jp * ah * S * prof)
        cache[b] = (F, vb, p, ah)
        return cache[b]

    for b in range(len(hb) - 1):
        idx = order[bounds[b]:bounds[b + 1]]
        if len(idx) == 0:
            continue
        for bb, ww in ((b, 1 - wgt[idx]), (b + 1, wgt[idx])):
            F, vb, p, ah = column(bb)
            vsrc[idx] += ww * np.interp(vv[idx], F, vs)
            if p > 0:
                g0, g1 = vb + 0.004 * I, vb + Jp * ah * p - 0.004 * I
                if g1 > g0:
                    e = 0.012 * I
                    al[idx] += ww * np.clip(np.minimum((vv[idx] - g0) / e, (g1 - vv[idx]) / e), 0, 1) * min(1.0, p * 3)
    out_x, out_y = qx.copy(), qy.copy()
    out_x[sel] = Oc[0] + hs * ex[0] + vsrc * ey[0]
    out_y[sel] = Oc[1] + hs * ex[1] + vsrc * ey[1]
    alpha[sel] = al
    return out_x, out_y, alpha


_GRID = {}


def render_face(img, P, acts):
    """Warp the face in img (in place copy) according to activations. Returns new image."""
    if not acts:
        return img
    G = FaceGeom(P)
    I = G.iod
    h, w = img.shape[:2]
    pts = rbf_points(G, acts)
    J = max(0.0, acts.get(('jaw', 'both'), 0.0))
    lids = {}
    for s in SIDES:
        au, al = acts.get(('au', s), 0.0), acts.get(('al', s), 0.0)
        bu = [(k[3], k[4], val * I) for k, val in acts.items() if k[0] == 'bump' and k[1] == s and k[2] == 'up' and val]
        bl = [(k[3], k[4], val * I) for k, val in acts.items() if k[0] == 'bump' and k[1] == s and k[2] == 'lo' and val]
        gz = acts.get(('gaze', 'both'), 0.0)
        if au > 1e-3 or al > 1e-3 or bu or bl or abs(gz) > 1e-3:
            lids[s] = (au, al, bu, bl, gz)
        if bu or bl:   # skin ripples next to the twitching segment
            E = lid_geometry(G, s)
            for (u0, wd, a), lid in [(b, 'up') for b in bu] + [(b, 'lo') for b in bl]:
                ui = u0 * E['W']
                vm = np.interp(ui, E['grid'], E['vup'] if lid == 'up' else E['vlo'])
                off = -0.06 * I if lid == 'up' else 0.06 * I
                c = E['O'] + ui * E['u'] + (vm + off) * E['v']
                d = (0.8 * a if lid == 'up' else -0.8 * a) * E['v']
                pts.append((c, d, 0.06 * I))
    if not pts and not lids and J < 1e-3:
        return img
    # ROI
    x0 = int(max(0, np.nanmin(P[:, 0]) - 0.45 * I))
    x1 = int(min(w, np.nanmax(P[:, 0]) + 0.45 * I))
    y0 = int(max(0, np.nanmin(P[:, 1]) - 0.45 * I))
    y1 = int(min(h, np.nanmax(P[:, 1]) + (0.9 + 2.5 * J) * I))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return img
    rw, rh = x1 - x0, y1 - y0
    key = (rw, rh)
    if key not in _GRID:
        if len(_GRID) > 64:
            _GRID.clear()
        gx, gy = np.meshgrid(np.arange(rw, dtype=np.float32), np.arange(rh, dtype=np.float32))
        _GRID[key] = (gx, gy)
    gx, gy = _GRID[key]
    mx = gx + np.float32(x0)
    my = gy + np.float32(y0)
    if pts:
        # Smooth forward displacement field: overlapping control points are blended (not
        # summed) so that the mapping stays one-to-one; coarse grid for big radii, full
        # resolution for small ones.  Inverted by fixed-point iteration.
        hw2, hh2 = (rw + 1) // 2, (rh + 1) // 2
        cdx = np.zeros((hh2, hw2), np.float32)
        cdy = np.zeros((hh2, hw2), np.float32)
        cden = np.zeros((hh2, hw2), np.float32)
        fdx = np.zeros((rh, rw), np.float32)
        fdy = np.zeros((rh, rw), np.float32)
        fine_used = coarse_used = False
        for c, d, r in pts:
            if abs(d[0]) + abs(d[1]) < 0.02:
                continue
            fine = r < 0.1 * I
            st = 1 if fine else 2
            R = 3.0 * r
            cx, cy = (c[0] - x0) / st, (c[1] - y0) / st
            W_, H_ = (rw, rh) if fine else (hw2, hh2)
            a0, a1 = int(max(0, cx - R / st)), int(min(W_, cx + R / st + 1))
            b0, b1 = int(max(0, cy - R / st)), int(min(H_, cy + R / st + 1))
            if a1 <= a0 or b1 <= b0:
                continue
            xs = (np.arange(a0, a1) - cx) * st
            ys = (np.arange(b0, b1) - cy) * st
            g = np.exp(-(ys[:, None] ** 2 + xs[None, :] ** 2) / (2 * r * r)).astype(np.float32)
            if fine:
                fdx[b0:b1, a0:a1] += g * d[0]
                fdy[b0:b1, a0:a1] += g * d[1]
                fine_used = True
            else:
                cdx[b0:b1, a0:a1] += g * d[0]
                cdy[b0:b1, a0:a1] += g * d[1]
                cden[b0:b1, a0:a1] += g
                coarse_used = True
        if coarse_used:
            nrm = np.maximum(cden, 1.0)
            dfx = cv2.resize(cdx / nrm, (rw, rh), interpolation=cv2.INTER_LINEAR)
            dfy = cv2.resize(cdy / nrm, (rw, rh), interpolation=cv2.INTER_LINEAR)
            if fine_used:
                dfx += fdx
                dfy += fdy
        else:
            dfx, dfy = fdx, fdy
        sx_, sy_ = dfx, dfy
        for _ in range(2):   # x_src + d(x_src) = x_out
            sx_n = cv2.remap(dfx, gx - sx_, gy - sy_, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
            sy_n = cv2.remap(dfy, gx - sx_, gy - sy_, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
            sx_, sy_ = sx_n, sy_n
        mx = mx - sx_
        my = my - sy_
    gap = None
    if J > 1e-3:
        Oc = (P[13] + P[14]) / 2
        jx0 = int(max(0, Oc[0] - 1.5 * I - x0)); jx1 = int(min(rw, Oc[0] + 1.5 * I - x0))
        jy0 = int(max(0, Oc[1] - 0.6 * I - y0)); jy1 = rh
        if jx1 > jx0 and jy1 > jy0:
            sx = mx[jy0:jy1, jx0:jx1].astype(np.float64)
            sy = my[jy0:jy1, jx0:jx1].astype(np.float64)
            ox, oy, gal = jaw_map(sx.ravel(), sy.ravel(), G, J)
            mx[jy0:jy1, jx0:jx1] = ox.reshape(sx.shape)
            my[jy0:jy1, jx0:jx1] = oy.reshape(sy.shape)
            gap = (jy0, jy1, jx0, jx1, gal.reshape(sx.shape).astype(np.float32))
    for s, (au, al, bu, bl, gz) in lids.items():
        E = lid_geometry(G, s)
        lo, hi = lid_box(E, 0.12 * I)
        bx0, bx1 = int(max(0, lo[0] - x0)), int(min(rw, hi[0] - x0 + 1))
        by0, by1 = int(max(0, lo[1] - y0)), int(min(rh, hi[1] - y0 + 1))
        if bx1 <= bx0 or by1 <= by0:
            continue
        sx = mx[by0:by1, bx0:bx1].astype(np.float64)
        sy = my[by0:by1, bx0:bx1].astype(np.float64)
        ox, oy = lid_map(sx.ravel(), sy.ravel(), E, au, al, bu, bl, gz)
        mx[by0:by1, bx0:bx1] = ox.reshape(sx.shape)
        my[by0:by1, bx0:bx1] = oy.reshape(sy.shape)
    out = img.copy()
    roi = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if gap is not None and gap[4].max() > 0:
        jy0, jy1, jx0, jx1, ga = gap
        ga = cv2.GaussianBlur(ga, (0, 0), max(0.6, 0.008 * I))[..., None]
        # mouth interior: dark, tinted like the lips, a little lighter towards the top (teeth shadow)
        lip = img[int(P[14][1]) - 1:int(P[14][1]) + 2, int(P[14][0]) - 2:int(P[14][0]) + 3].reshape(-1, 3).mean(0)
        sub = roi[jy0:jy1, jx0:jx1].astype(np.float32)
        # vertical position inside the gap: shadowed top, dark middle, tongue-tinted bottom
        rows = np.arange(jy1 - jy0, dtype=np.float32)[:, None]
        colmass = ga[..., 0].sum(0) + 1e-6
        top = (ga[..., 0] * rows).sum(0) / colmass - 0.5 * ga[..., 0].sum(0)
        rel = np.clip((rows - top[None, :]) / np.maximum(ga[..., 0].sum(0)[None, :], 1.0), 0, 1)
        rel = cv2.GaussianBlur(rel.astype(np.float32), (0, 0), max(1.0, 0.03 * I))[..., None]
        dark = lip[None, None, :] * (0.24 + 0.36 * rel ** 1.5) + 4
        roi[jy0:jy1, jx0:jx1] = np.clip(sub * (1 - 0.88 * ga) + dark * 0.88 * ga, 0, 255).astype(np.uint8)
    out[y0:y1, x0:x1] = roi
    return out


# ----------------------------------------------------------------------------------
# Per-clip plan
# ----------------------------------------------------------------------------------
def combine(events_at, exclude=None):
    acts = {}
    prod = {}
    for e, f in events_at:
        if e is exclude:
            continue
        for key, (i0, arr) in e.ch.items():
            j = f - i0
            if j < 0 or j >= len(arr):
                continue
            val = float(arr[j])
            if val == 0.0:
                continue
            if key[0] in ('au', 'al'):
                prod[key] = prod.get(key, 1.0) * (1.0 - min(max(val, 0.0), 1.0))
            else:
                acts[key] = acts.get(key, 0.0) + val
    for key, p in prod.items():
        acts[key] = 1.0 - p
    for key in list(acts):
        if key[0] not in ('au', 'al', 'bump', 'jaw', 'gaze'):
            acts[key] = float(np.clip(acts[key], -1.5, 1.5))
    return acts


def footage_index(t, src_fps, nsrc, phase):
    period = 2 * (nsrc - 1)
    p = int(round(t * src_fps + phase)) % period
    return p if p < nsrc else period - p


class Framing:
    def __init__(self, rng, W, H, work_wh, anchor, iod_work, f_iod, drift, n, fps, footage):
        self.W, self.H = W, H
        ww, wh = work_wh
        k = f_iod * min(W, H) / iod_work
        ox = W * rng.uniform(0.44, 0.56)
        oy = H * (rng.uniform(0.40, 0.48) if H >= W else rng.uniform(0.42, 0.52))
        t = np.arange(n) / fps
        amp_t = drift * (0.35 if footage else 1.0)
        ph = rng.uniform(0, 2 * np.pi, 8)
        per = rng.uniform(5, 18, 8)
        tx = (np.sin(2 * np.pi * t / per[0] + ph[0]) + 0.5 * np.sin(2 * np.pi * t / per[1] + ph[1]))
        ty = (np.sin(2 * np.pi * t / per[2] + ph[2]) + 0.5 * np.sin(2 * np.pi * t / per[3] + ph[3]))
        rot = np.sin(2 * np.pi * t / per[4] + ph[4])
        mode = rng.integers(3)
        if mode == 0:
            sc = np.sin(2 * np.pi * t / per[5] + ph[5])
        elif mode == 1:
            sc = np.clip(t / max(t[-1], 1e-6), 0, 1) * 2 - 1   # walking closer / away
            if rng.random() < 0.5:
                sc = -sc
        else:
            sc = 0.3 * np.sin(2 * np.pi * t / per[5] + ph[5])
        jit = rng.standard_normal((n, 2))
        from scipy.ndimage import gaussian_filter1d
        jit = gaussian_filter1d(jit, max(1.0, fps / 6), axis=0)
        jit /= (jit.std(0) + 1e-9)
        A_t = amp_t * rng.uniform(0.01, 0.035) * min(W, H)
        A_r = amp_t * rng.uniform(0.5, 2.5) * np.pi / 180
        A_s = amp_t * rng.uniform(0.03, 0.12)
        A_j = amp_t * rng.uniform(0.0005, 0.003) * min(W, H)
        self.info = dict(translate_px=round(float(A_t), 1), roll_deg=round(float(A_r * 180 / np.pi), 2),
                         scale_change=round(float(A_s), 3), zoom_mode=['oscillating', 'approach/recede', 'slight'][int(mode)])
        for _ in range(60):
            ok = True
            mats = []
            for i in range(n):
                kk = k * (1 + A_s * sc[i])
                th = A_r * rot[i]
                c, s = math.cos(th), math.sin(th)
                R = np.array([[c, -s], [s, c]]) * kk
                o = np.array([ox + A_t * tx[i] + A_j * jit[i, 0], oy + A_t * 0.6 * ty[i] + A_j * jit[i, 1]])
                M = np.hstack([R, (o - R @ anchor)[:, None]])
                mats.append(M)
            corners = np.array([[0, 0], [W - 1, 0], [0, H - 1], [W - 1, H - 1]], float)
            for i in range(0, n, max(1, n // 60)):
                M = mats[i]
                Mi = cv2.invertAffineTransform(M)
                wc = corners @ Mi[:, :2].T + Mi[:, 2]
                if wc[:, 0].min() < 1 or wc[:, 1].min() < 1 or wc[:, 0].max() > ww - 2 or wc[:, 1].max() > wh - 2:
                    ok = False
                    break
            if ok:
                break
            k *= 1.04
            A_t *= 0.9
            A_r *= 0.9
            A_s *= 0.9
        self.mats = mats
        self.k = k
        self.out_iod = k * iod_work


def work_crop(fr, mats, W, H, pad=8):
    """Bounding box in work coords needed by all frames."""
    corners = np.array([[0, 0], [W - 1, 0], [0, H - 1], [W - 1, H - 1]], float)
    allc = []
    for M in mats[::max(1, len(mats) // 50)] + [mats[-1]]:
        Mi = cv2.invertAffineTransform(M)
        allc.append(corners @ Mi[:, :2].T + Mi[:, 2])
    allc = np.vstack(allc)
    x0 = int(max(0, allc[:, 0].min() - pad)); y0 = int(max(0, allc[:, 1].min() - pad))
    x1 = int(min(fr.shape[1], allc[:, 0].max() + pad)); y1 = int(min(fr.shape[0], allc[:, 1].max() + pad))
    return x0, y0, x1, y1


# ----------------------------------------------------------------------------------
# Clip specification (which class/face/conditions go where)
# ----------------------------------------------------------------------------------
RESOS = [(320, 240), (480, 360), (640, 360), (640, 480), (854, 480), (960, 540), (1280, 720), 'portrait']
PORTRAITS = [(360, 640), (480, 640), (540, 960), (480, 854)]
FPS_LIST = [24, 25, 30, 30, 30, 48, 50, 60]

BASES = {
    'normal': [(F_WA, 0), (F_JE, 1), (F_SF, 0), (S_SF, 0), (S_AS, 1), (S_LG, 0), (S_MG, 1), (S_RG, 0)],
    'frequent_blinking': [(F_WA, 1), (F_JE, 0), (F_WB, 0), (S_AS, 0), (S_BO, 0), (S_RG, 1), (S_SF, 1), (S_LG, 1)],
    'eyelid_myokymia': [(F_JE, 0), (F_WA, 0), (F_WC, 1), (S_SF, 0), (S_AS, 0), (S_MG, 0), (S_RG, 0), (S_BO, 1)],
    'hemifacial_spasm': [(F_WB, 1), (F_JE, 1), (F_SF, 0), (S_SF, 1), (S_AS, 0), (S_LG, 0), (S_MG, 0), (S_RG, 1)],
    'blepharospasm': [(F_WA, 1), (F_WC, 0), (F_SF, 1), (S_SF, 0), (S_AS, 1), (S_LG, 0), (S_BO, 0), (S_RG, 0)],
    'synkinesis': [(F_JE, 0), (F_JE, 1), (F_SF, 1), (S_SF, 0), (S_AS, 0), (S_LG, 1), (S_MG, 0), (S_RG, 0)],
}


def make_specs(seed):
    rng = np.random.default_rng([seed, 7007])
    specs = []
    for cls in CLASSES:
        bases = list(BASES[cls])
        order = rng.permutation(8)
        bases = [bases[i] for i in order]
        res = list(RESOS)
        rng.shuffle(res)
        # portrait only on still photos (landscape footage cannot fill a portrait frame)
        pi = res.index('portrait')
        if bases[pi][0] in FOOTAGE:
            for j in range(8):
                if bases[j][0] in STILLS:
                    res[pi], res[j] = res[j], res[pi]
                    break
        fps = list(FPS_LIST)
        rng.shuffle(fps)
        cont = ['webm'] + ['mp4'] * 7
        rng.shuffle(cont)
        for j in range(8):
            r = res[j]
            if r == 'portrait':
                r = PORTRAITS[int(rng.integers(len(PORTRAITS)))]
            specs.append(dict(cls=cls, face=bases[j][0], flipped=bool(bases[j][1]), res=tuple(r),
                              fps=fps[j], container=cont[j], variant=j))
    # two more webm, two mkv, two mov, spread over classes
    idx = rng.permutation(len(specs))
    extra = ['webm', 'webm', 'mkv', 'mkv', 'mov', 'mov']
    for i in idx:
        if not extra:
            break
        if specs[i]['container'] == 'mp4':
            specs[i]['container'] = extra.pop()
    for s in specs:   # keep the heavy ones affordable
        if s['res'][0] * s['res'][1] >= 1280 * 720 and s['fps'] > 30:
            s['fps'] = 30
        if s['container'] == 'webm' and s['res'][0] * s['res'][1] > 960 * 540:
            s['res'] = (960, 540)
    order = rng.permutation(len(specs))
    specs = [specs[i] for i in order]
    for k, s in enumerate(specs):
        s['pos'] = k + 1
        s['id'] = 'v7_%03d' % (k + 1)
    # per-class severity/side plans assigned deterministically
    per = {c: [s for s in specs if s['cls'] == c] for c in CLASSES}
    for c, lst in per.items():
        lst = sorted(lst, key=lambda s: s['variant'])
        if c == 'eyelid_myokymia':
            lids = ['lower'] * 5 + ['upper'] * 2 + ['both']
            sev = ['mild'] * 4 + ['marked'] * 4
            sides = ['il'] * 4 + ['ir'] * 4
        elif c == 'hemifacial_spasm':
            lids = [1, 1, 2, 2, 2, 2, 3, 3]
            sev = [1, 1, 1, 0, 1, 1, 1, 0]          # Babinski-2 present in 6 of 8
            sides = ['ir'] * 5 + ['il'] * 3          # person's left in 5 (left-sided majority)
        elif c == 'blepharospasm':
            lids = [0, 0, 0, 0, 0, 0, 1, 0]          # lower-face (Meige-like) spread
            sev = ['mild'] * 3 + ['moderate'] * 3 + ['severe'] * 2
            sides = ['both'] * 8
        elif c == 'synkinesis':
            lids = [1, 1, 0, 1, 1, 0, 1, 1]          # narrow fissure at rest
            sev = ['mild'] * 3 + ['moderate'] * 3 + ['marked'] * 2
            sides = ['il'] * 4 + ['ir'] * 4
        elif c == 'frequent_blinking':
            lids = [0] * 8
            sev = [None] * 8
            sides = ['both'] * 8
        else:
            lids = [0] * 8
            sev = [None] * 8
            sides = ['none'] * 8
        p1, p2, p3 = rng.permutation(8), rng.permutation(8), rng.permutation(8)
        for j, s in enumerate(lst):
            s['p_lid'] = lids[p1[j]]
            s['p_sev'] = sev[p2[j]]
            s['p_side'] = sides[p3[j]]
        if c == 'blepharospasm':   # lower-face (Meige-like) spread in 2 of the 5 non-mild cases
            nonmild = [s for s in lst if s['p_sev'] != 'mild']
            pick = set(rng.choice(len(nonmild), 2, replace=False).tolist())
            for j, s in enumerate(nonmild):
                s['p_lid'] = int(j in pick)
    return specs


# ----------------------------------------------------------------------------------
# Rendering one clip
# ----------------------------------------------------------------------------------
def plan_clip(spec, seed, base):
    rng = np.random.default_rng([seed, spec['pos'], 77])
    cls = spec['cls']
    W, H = spec['res']
    fps = spec['fps']
    dur = float(rng.uniform(12.0, 25.0))
    clip = Clip(fps, dur, rng)
    footage = spec['face'] in FOOTAGE
    mouth_free = (not footage) or FOOTAGE[spec['face']]['mouth']
    phase = float(rng.uniform(0, 200)) if footage else 0.0
    # real blinks already in footage
    existing = []
    if footage and base['blink_frames']:
        nsrc = len(base['frames'])
        src = np.array([footage_index(i / fps, base['src_fps'], nsrc, phase) for i in range(clip.n)])
        inb = np.array([s in base['blink_frames'] for s in src])
        i = 0
        while i < clip.n:
            if inb[i]:
                j = i
                while j + 1 < clip.n and inb[j + 1]:
                    j += 1
                e = clip.new('blink', 'both', ['upper_lid', 'eye'], True, source='footage')
                e.t0, e.t1 = i / fps, (j + 1) / fps
                e.peak_f = (i + j) // 2
                existing.append((e.t0 + e.t1) / 2)
                i = j + 1
            else:
                i += 1
    allowed = ['smile', 'talking', 'yawn', 'glance_down', 'glance_side', 'brow_raise', 'squint', 'pucker']
    if not mouth_free:
        allowed = ['glance_down', 'glance_side', 'brow_raise', 'squint']
    info = {}
    side = spec['p_side']
    if cls == 'normal':
        ordinary_expressions(clip, rng, int(rng.integers(2, 6)), allowed)
        rate = rng.uniform(10, 20)
        tf = rng.uniform(1.2, 1.5)
    elif cls == 'frequent_blinking':
        ordinary_expressions(clip, rng, int(rng.integers(1, 4)), allowed)
        rate = rng.uniform(34, 60)
        tf = rng.uniform(1.0, 1.3)
    elif cls == 'eyelid_myokymia':
        plan_myokymia(clip, rng, side, spec['p_lid'], spec['p_sev'])
        ordinary_expressions(clip, rng, int(rng.integers(1, 3)), allowed)
        rate = rng.uniform(10, 22)
        tf = 1.3
        info.update(lids=spec['p_lid'], severity=spec['p_sev'])
    elif cls == 'hemifacial_spasm':
        platysma = spec['p_lid'] >= 2 and rng.random() < 0.5
        if rng.random() < 0.5:
            ordinary_expressions(clip, rng, 1, [a for a in allowed if a in ('talking', 'smile', 'glance_side')] or allowed)
        plan_hfs(clip, rng, side, spec['p_lid'], bool(spec['p_sev']), platysma)
        rate = rng.uniform(10, 22)
        tf = 1.3
        info.update(smc_grade=spec['p_lid'], babinski2=bool(spec['p_sev']), platysma=bool(platysma))
    elif cls == 'blepharospasm':
        if rng.random() < 0.6:
            ordinary_expressions(clip, rng, 1, [a for a in allowed if a in ('talking', 'glance_side', 'glance_down')] or allowed)
        plan_bsp(clip, rng, spec['p_sev'], bool(spec['p_lid']))
        rate = rng.uniform(30, 50)
        tf = rng.uniform(0.6, 0.8)       # blinks less while talking than at rest
        info.update(severity=spec['p_sev'], lower_face_spread=bool(spec['p_lid']))
    elif cls == 'synkinesis':
        pats = [p for p, pr in (('smile_eye', 0.85), ('pucker_eye', 0.82), ('closure_mouth', 0.85), ('brow_mouth', 0.89))
                if rng.random() < pr]
        if len(pats) < 2:
            pats = ['smile_eye', 'closure_mouth']
        vol = ['smile', 'pucker', 'eye_closure', 'brow_raise', 'talking']
        if not mouth_free:
            vol = ['eye_closure', 'brow_raise']
            pats = [p for p in pats if p in ('closure_mouth', 'brow_mouth')] or ['closure_mouth']
        weak = plan_synkinesis(clip, rng, side, spec['p_sev'], bool(spec['p_lid']), pats, vol)
        rate = rng.uniform(10, 22)
        tf = 1.3
        info.update(severity=spec['p_sev'], patterns=pats, narrow_fissure_at_rest=bool(spec['p_lid']),
                    residual_weakness=round(1 - weak, 2))
    n_planted = add_blinks(clip, rng, rate, tf,
                           min_gap=0.28 if cls == 'frequent_blinking' else 0.5, existing=existing)
    if cls == 'synkinesis' and spec['p_sev'] in ('moderate', 'marked'):
        add_blink_synkinesis(clip, rng, side, {'moderate': 0.6, 'marked': 1.0}[spec['p_sev']])
    clip.events = [e for e in clip.events if (e.source == 'footage') or e.finish(fps)]
    return clip, phase, info


def process(args):
    spec, seed, outdir, check = args
    t_start = time.time()
    rng = np.random.default_rng([seed, spec['pos'], 11])
    footage = spec['face'] in FOOTAGE
    base = load_footage(spec['face'], spec['flipped']) if footage else load_still(spec['face'], spec['flipped'])
    clip, phase, info = plan_clip(spec, seed, base)
    W, H = spec['res']
    fps, n = clip.fps, clip.n
    lms0 = base['lms']
    nsrc = len(base['frames'])
    # framing
    anchors = np.array([(eye_center(P, 'il') + eye_center(P, 'ir')) / 2 + 0.45 * FaceGeom(P).iod * FaceGeom(P).ey
                        for P in lms0[::max(1, nsrc // 20)]])
    anchor = np.median(anchors, 0)
    iodw = float(np.median([iod_of(P) for P in lms0[::max(1, nsrc // 20)]]))
    f_iod = rng.uniform(0.11, 0.20) if H <= W else rng.uniform(0.17, 0.25)
    fr0 = base['frames'][0]
    framing = Framing(rng, W, H, (fr0.shape[1], fr0.shape[0]), anchor, iodw, f_iod,
                      rng.uniform(0.6, 1.4), n, fps, footage)
    mats = framing.mats
    if not footage:   # crop the still to what the camera can see
        x0, y0, x1, y1 = work_crop(fr0, mats, W, H)
        base['frames'] = [np.ascontiguousarray(fr0[y0:y1, x0:x1])]
        base['lms'] = lms0 - np.array([x0, y0])
        mats = [np.hstack([M[:, :2], (M[:, 2] + M[:, :2] @ np.array([x0, y0]))[:, None]]) for M in mats]
    # lighting and noise
    t = np.arange(n) / fps
    g0 = rng.uniform(0.75, 1.1)
    Ag = rng.uniform(0.02, 0.12)
    gain = g0 * (1 + Ag * np.sin(2 * np.pi * t / rng.uniform(6, 20) + rng.uniform(0, 6.3)))
    cph = rng.uniform(0, 6.3, 3)
    Ac = rng.uniform(0.0, 0.05)
    cper = rng.uniform(8, 25)
    Al = rng.uniform(0, 28)
    lw = 0.5 + 0.5 * np.sin(2 * np.pi * t / rng.uniform(7, 22) + rng.uniform(0, 6.3))
    ang = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    grad = ((xx / W - 0.5) * math.cos(ang) + (yy / H - 0.5) * math.sin(ang) + 0.5)
    grad = np.clip(grad * Al, 0, 255).astype(np.uint8)
    grad3 = cv2.merge([grad, grad, grad])
    sigma = float(rng.uniform(0.8, 5.0) if g0 > 0.85 else rng.uniform(3.0, 7.0))
    noise = np.empty((H, W), np.int16)
    nrng_seed = int(rng.integers(1 << 30))
    crf = int(rng.integers(19, 29))
    # events per frame
    active = [[] for _ in range(n)]
    for e in clip.events:
        for key, (i0, arr) in e.ch.items():
            for f in range(i0, min(n, i0 + len(arr))):
                if not active[f] or active[f][-1] is not e:
                    if e not in active[f]:
                        active[f].append(e)
    peaks = {}
    if check:
        for e in clip.events:
            if e.source == 'planted' and e.peak_f is not None and 0 <= e.peak_f < n:
                peaks.setdefault(e.peak_f, []).append(e)
    # encoder
    ext = spec['container']
    fname = '%s.%s' % (spec['id'], ext)
    path = os.path.join(outdir, fname)
    cont = av.open(path, 'w', container_options={'fflags': '+bitexact'})
    if ext == 'webm':
        st = cont.add_stream('libvpx-vp9', rate=fps)
        st.options = {'crf': str(crf + 10), 'b': '0', 'deadline': 'realtime', 'cpu-used': '8',
                      'threads': '1', 'lag-in-frames': '0'}
        codec = 'vp9'
    else:
        st = cont.add_stream('libx264', rate=fps)
        # mbtree off: with it this libx264 build is not bit-for-bit repeatable
        st.options = {'crf': str(crf), 'preset': 'veryfast', 'threads': '1', 'x264-params': 'mbtree=0'}
        codec = 'h264'
    st.width, st.height = W, H
    st.pix_fmt = 'yuv420p'
    cv2.setRNGSeed(nrng_seed)
    ref = {}

    def finish_frame(img_work, i, noise_arr):
        out = cv2.warpAffine(img_work, mats[i], (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
        cg = [gain[i] * (1 + Ac * math.sin(2 * np.pi * t[i] / cper + cph[c])) for c in range(3)]
        out = cv2.multiply(out, (cg[0], cg[1], cg[2], 0), dtype=cv2.CV_8U)
        out = cv2.addWeighted(out, 1.0, grad3, float(lw[i]), 0)
        x = out.astype(np.int16)
        x += noise_arr[..., None]
        np.clip(x, 0, 255, out=x)
        return x.astype(np.uint8)

    for i in range(n):
        if footage:
            si = footage_index(i / fps, base['src_fps'], nsrc, phase)
            img, P = base['frames'][si], base['lms'][si]
        else:
            img, P = base['frames'][0], base['lms'][0]
        ev_at = [(e, i) for e in active[i]]
        acts = combine(ev_at)
        warped = render_face(img, P, acts)
        cv2.randn(noise, 0, sigma)
        fin = finish_frame(warped, i, noise)
        if i in peaks:
            for e in peaks[i]:
                acts_wo = combine(ev_at, exclude=e)
                wo = finish_frame(render_face(img, P, acts_wo), i, noise)
                g1 = cv2.cvtColor(fin, cv2.COLOR_BGR2GRAY).astype(np.int16)
                g2 = cv2.cvtColor(wo, cv2.COLOR_BGR2GRAY).astype(np.int16)
                S = np.abs(g1 - g2) > 6
                ref[id(e)] = (i, S, g1, g2)
                dump = os.environ.get('BV7_DUMP')
                if dump and S.sum() > 0:
                    ys, xs = np.where(S)
                    cy, cx = int(ys.mean()), int(xs.mean())
                    hw = int(max(16, 0.9 * framing.out_iod))
                    sl = (slice(max(0, cy - hw), cy + hw), slice(max(0, cx - hw), cx + hw))
                    tile = np.hstack([fin[sl], wo[sl], cv2.convertScaleAbs(cv2.absdiff(fin, wo)[sl], alpha=4)])
                    tile = cv2.resize(tile, None, fx=300.0 / tile.shape[0], fy=300.0 / tile.shape[0],
                                      interpolation=cv2.INTER_CUBIC)
                    cv2.imwrite(os.path.join(dump, '%s_%s_%04d.png' % (spec['id'], e.kind, i)), tile)
        fr = av.VideoFrame.from_ndarray(fin, format='bgr24')
        for p in st.encode(fr):
            cont.mux(p)
    for p in st.encode():
        cont.mux(p)
    cont.close()
    # visibility check on the decoded video
    vis = {}
    if check and ref:
        want = {}
        for eid, (i, S, g1, g2) in ref.items():
            want.setdefault(i, []).append(eid)
        c = av.open(path)
        for k, frm in enumerate(c.decode(video=0)):
            if k in want:
                dec = cv2.cvtColor(frm.to_ndarray(format='bgr24'), cv2.COLOR_BGR2GRAY).astype(np.int16)
                for eid in want[k]:
                    _, S, g1, g2 = ref[eid]
                    if S.sum() < 3:
                        vis[eid] = False
                        continue
                    a = float(np.abs(dec - g2)[S].mean())
                    b = float(np.abs(dec - g1)[S].mean())
                    vis[eid] = bool(a > 6.0 and a > b + 3.0)
            if k >= max(want):
                break
        c.close()
    # truth
    evs = []
    for e in sorted(clip.events, key=lambda e: (e.t0, e.kind)):
        d = dict(start_s=round(e.t0, 3), end_s=round(e.t1, 3), kind=e.kind, side=PERSON[e.side],
                 image_side=IMAGE[e.side], regions=sorted(set(e.regions), key=e.regions.index),
                 voluntary=e.voluntary, source=e.source)
        if e.peak_f is not None:
            d['peak_s'] = round(e.peak_f / fps, 3)
        for k, v in e.extra.items():
            d[k] = v
        d['visible'] = vis.get(id(e)) if (check and e.source == 'planted') else None
        evs.append(d)
    nbl = sum(1 for e in clip.events if e.kind == 'blink')
    side = spec['p_side']
    truth = dict(id=spec['id'], file=fname, split=None, face=spec['face'],
                 base='footage' if footage else 'still', flipped=spec['flipped'],
                 disorder=spec['cls'], side=PERSON[side], image_side=IMAGE[side],
                 fps=fps, width=W, height=H, duration_s=round(clip.dur, 3),
                 blink_rate_per_min=round(60.0 * nbl / clip.dur, 1),
                 container=ext, codec=codec, crf=crf,
                 conditions=dict(face_iod_px=round(float(framing.out_iod), 1), noise_sigma=round(sigma, 2),
                                 brightness_gain=round(float(g0), 3), brightness_drift=round(float(Ag), 3),
                                 side_light=round(float(Al), 1), color_drift=round(float(Ac), 3), **framing.info),
                 details=info, events=evs)
    return truth, time.time() - t_start


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--only', default='')
    ap.add_argument('--no-check', action='store_true')
    ap.add_argument('--jobs', type=int, default=2)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    specs = make_specs(a.seed)
    # split: within each class, sort ids by sha256; first 4 dev
    for c in CLASSES:
        ids = sorted([s['id'] for s in specs if s['cls'] == c], key=lambda i: hashlib.sha256(i.encode()).hexdigest())
        for s in specs:
            if s['cls'] == c:
                s['split'] = 'dev' if ids.index(s['id']) < 4 else 'locked'
    todo = specs
    if a.only:
        pos = {int(x) for x in a.only.split(',') if x.strip()}
        todo = [s for s in specs if s['pos'] in pos]
    jobs = [(s, a.seed, a.out, not a.no_check) for s in todo]
    t0 = time.time()
    results = []
    if a.jobs > 1 and len(jobs) > 1:
        import multiprocessing as mp
        # longest first for load balance (pixels x frames is unknown before planning; use pixels*fps)
        jobs.sort(key=lambda j: -j[0]['res'][0] * j[0]['res'][1] * j[0]['fps'])
        with mp.get_context('fork').Pool(a.jobs, maxtasksperchild=8) as pool:
            for truth, dt in pool.imap_unordered(process, jobs):
                results.append(truth)
                print('%s %-18s %-4s %5.1fs  %s' % (truth['id'], truth['disorder'], truth['container'], dt,
                                                    truth['face'][:40]), flush=True)
    else:
        for j in jobs:
            truth, dt = process(j)
            results.append(truth)
            print('%s %-18s %-4s %5.1fs  %s' % (truth['id'], truth['disorder'], truth['container'], dt,
                                                truth['face'][:40]), flush=True)
    split = {s['id']: s['split'] for s in specs}
    for r in results:
        r['split'] = split[r['id']]
    tpath = os.path.join(a.out, 'truth.json')
    if a.only and os.path.exists(tpath):   # merge with an existing truth file
        old = {r['id']: r for r in json.load(open(tpath))}
        old.update({r['id']: r for r in results})
        results = list(old.values())
    results.sort(key=lambda r: r['id'])
    # key order as in the brief
    order = ['id', 'file', 'split', 'face', 'base', 'flipped', 'disorder', 'side', 'image_side', 'fps', 'width',
             'height', 'duration_s', 'blink_rate_per_min']
    results = [{**{k: r[k] for k in order}, **{k: v for k, v in r.items() if k not in order}} for r in results]
    with open(tpath, 'w') as f:
        json.dump(results, f, indent=1)
    print('wrote %d clips to %s in %.1f s' % (len(todo), a.out, time.time() - t0))


if __name__ == '__main__':
    main()
