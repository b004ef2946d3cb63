#!/usr/bin/env python3
"""Blind evaluation set v9: face videos with planted facial events.

Renders 48 clips (8 per class) into --out DIR together with truth.json.
Every clip is built either on REAL moving footage from /work/shared/media (its own motion,
blinks and expressions kept) or on a still photo animated by our own warp.  Planted events
(blinks, disorder movements, ordinary expressions) are produced by a landmark-driven backward
warp of the face (MediaPipe Face Mesh landmarks), then a simulated phone camera (framing,
distance changes, roll, fake yaw, mirroring, lighting drift, noise, H.264 / VP9).

Every clip is rendered twice: with its planted events and with none; both are encoded the
same way, decoded again and compared region by region to mark each planted event visible
or not.

Usage:  python make_clips.py --out out --seed 9 [--only v9_001,v9_002] [--jobs 1]
The medical basis of every movement is cited in README.md (knowledge-notes sections).
"""
import argparse
import hashlib
import json
import math
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
N_PER_CLASS = 8
PREFIX = 'v9_'

cv2.setNumThreads(1)

# ----------------------------------------------------------------------------------------
# MediaPipe Face Mesh landmark indices.  "A" = the eye on the SOURCE image-left, "B" = the eye
# on the source image-right (for an unmirrored camera A is the person's right eye).
EYE_IDX = {
    'A': dict(outer=33, inner=133, upper=[33, 246, 161, 160, 159, 158, 157, 173, 133],
              lower=[33, 7, 163, 144, 145, 153, 154, 155, 133],
              brow=[70, 63, 105, 66, 107, 46, 53, 52, 65, 55], brow_inner=[107, 55]),
    'B': dict(outer=263, inner=362, upper=[263, 466, 388, 387, 386, 385, 384, 398, 362],
              lower=[263, 249, 390, 373, 374, 380, 381, 382, 362],
              brow=[300, 293, 334, 296, 336, 276, 283, 282, 295, 285], brow_inner=[336, 285]),
}
INNER_UP = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308]
INNER_LO = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308]
MOUTH_CORNERS = (61, 291)
FACE_OVAL = [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378,
             400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54,
             103, 67, 109]


# ----------------------------------------------------------------------------------------
# Sources
class Source:
    """A base: footage (list of frames) or a still (one frame), with landmarks."""

    def __init__(self, name, kind, face, desc, fps=None):
        self.name, self.kind, self.face, self.desc, self.fps = name, kind, face, desc, fps
        self.frames = None      # list of uint8 BGR arrays
        self.lm = None          # (N, 478, 2) float32 smoothed landmarks
        self.lm_raw = None
        self.rng_lo, self.rng_hi = 0, 0


SOURCE_SPECS = {
    # footage ---------------------------------------------------------------------------
    'F_wolf': dict(kind='footage', face='pexels_woman', file='WolfgangLanger_Pexels.mp4',
                   lo=236, hi=420, scale=1.0,
                   desc='WolfgangLanger_Pexels.mp4 frames 236-420 (after the hand leaves the '
                        'face, before the closing laugh), random-walk playback'),
    'F_man': dict(kind='footage', face='pyfeat_man', file='single_face.mp4', lo=0, hi=71,
                  scale=1.0, desc='single_face.mp4 (all 72 frames), random-walk playback'),
    'F_jef': dict(kind='footage', face='jefapato_man', file='jefapato_2sec.mp4', lo=0, hi=29,
                  scale=2.0 / 3.0, desc='jefapato_2sec.mp4 (30 frames, scaled to 1280x720), '
                                        'slow random-walk playback'),
    # stills ----------------------------------------------------------------------------
    'S_astro': dict(kind='still', face='astronaut', desc='skimage.data.astronaut(), face crop x2'),
    'S_sfjpg': dict(kind='still', face='single_face_jpg', desc='single_face.jpg'),
    'S_mf_longhair': dict(kind='still', face='multi_face_longhair', box=(270, 190, 460, 400),
                          desc='multi_face.jpg crop (270,190)-(460,400) x2'),
    'S_mf_curly': dict(kind='still', face='multi_face_curly', box=(400, 170, 560, 340),
                       desc='multi_face.jpg crop (400,170)-(560,340) x2'),
    'S_mf_center': dict(kind='still', face='multi_face_center', box=(490, 260, 680, 470),
                        desc='multi_face.jpg crop (490,260)-(680,470) x2'),
    'S_mf_right': dict(kind='still', face='multi_face_right', box=(640, 240, 840, 450),
                       desc='multi_face.jpg crop (640,240)-(840,450) x2'),
    'S_wolf': dict(kind='still', face='pexels_woman', desc='WolfgangLanger_Pexels.mp4 frame 244'),
    'S_jef': dict(kind='still', face='jefapato_man', desc='jefapato_2sec.mp4 frame 0 (1920x1080)'),
    'S_man': dict(kind='still', face='pyfeat_man', desc='single_face.mp4 frame 4'),
}
FOOTAGE = ['F_wolf', 'F_wolf', 'F_man', 'F_jef']          # 4 footage clips per class
STILLS = [k for k in SOURCE_SPECS if k.startswith('S_')]


def _decode(path, lo=0, hi=10 ** 9, scale=1.0):
    out = []
    with av.open(path) as c:
        for i, fr in enumerate(c.decode(video=0)):
            if i < lo:
                continue
            if i > hi:
                break
            img = fr.to_ndarray(format='bgr24')
            if scale != 1.0:
                img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            out.append(img)
    return out


_MESH = {}


def _mesh(static):
    import mediapipe as mp
    key = bool(static)
    if key not in _MESH:
        _MESH[key] = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=static, max_num_faces=1, refine_landmarks=True,
            min_detection_confidence=0.3, min_tracking_confidence=0.3)
    return _MESH[key]


def _landmarks(frames, static):
    fm = _mesh(static)
    out = np.full((len(frames), 478, 2), np.nan, np.float32)
    for i, img in enumerate(frames):
        r = fm.process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
        if r.multi_face_landmarks:
            h, w = img.shape[:2]
            out[i] = [[l.x * w, l.y * h] for l in r.multi_face_landmarks[0].landmark]
    # fill missing frames by nearest valid
    ok = ~np.isnan(out[:, 0, 0])
    if not ok.any():
        raise RuntimeError('no face found')
    idx = np.arange(len(frames))
    for j in np.where(~ok)[0]:
        out[j] = out[idx[ok][np.argmin(np.abs(idx[ok] - j))]]
    return out


_SOURCES = {}


def get_source(name, cache_dir):
    if name in _SOURCES:
        return _SOURCES[name]
    spec = SOURCE_SPECS[name]
    s = Source(name, spec['kind'], spec['face'], spec['desc'])
    if name.startswith('F_'):
        path = os.path.join(MEDIA, spec['file'])
        with av.open(path) as c:
            s.fps = float(c.streams.video[0].average_rate)
        s.frames = _decode(path, spec['lo'], spec['hi'], spec['scale'])
        s.file = spec['file']
    else:
        s.fps = None
        if name == 'S_astro':
            import skimage.data
            img = skimage.data.astronaut()[:, :, ::-1]
            img = img[0:300, 80:380]
            img = cv2.resize(np.ascontiguousarray(img), None, fx=2, fy=2,
                             interpolation=cv2.INTER_CUBIC)
            s.file = 'skimage.data.astronaut'
        elif name == 'S_sfjpg':
            img = cv2.imread(os.path.join(MEDIA, 'single_face.jpg'))
            s.file = 'single_face.jpg'
        elif name.startswith('S_mf_'):
            x0, y0, x1, y1 = spec['box']
            img = cv2.imread(os.path.join(MEDIA, 'multi_face.jpg'))[y0:y1, x0:x1]
            img = cv2.resize(img, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
            s.file = 'multi_face.jpg'
        elif name == 'S_wolf':
            img = _decode(os.path.join(MEDIA, 'WolfgangLanger_Pexels.mp4'), 244, 244)[0]
            s.file = 'WolfgangLanger_Pexels.mp4'
        elif name == 'S_jef':
            img = _decode(os.path.join(MEDIA, 'jefapato_2sec.mp4'), 0, 0)[0]
            s.file = 'jefapato_2sec.mp4'
        elif name == 'S_man':
            img = _decode(os.path.join(MEDIA, 'single_face.mp4'), 4, 4)[0]
            s.file = 'single_face.mp4'
        s.frames = [np.ascontiguousarray(img)]
    # landmarks (cached: derived measurements only, never the media itself)
    key = '%s_%s_%s_%s' % (name, spec.get('lo', 0), spec.get('hi', 0), spec.get('scale', 1))
    cpath = os.path.join(cache_dir, 'lm_%s.npy' % key) if cache_dir else None
    if cpath and os.path.exists(cpath):
        raw = np.load(cpath)
    else:
        raw = _landmarks(s.frames, static=(s.kind == 'still'))
        if cpath:
            os.makedirs(cache_dir, exist_ok=True)
            np.save(cpath, raw)
    s.lm_raw = raw
    if len(raw) > 2:   # light temporal smoothing against landmark jitter
        k = np.array([0.25, 0.5, 0.25], np.float32)
        pad = np.concatenate([raw[:1], raw, raw[-1:]])
        s.lm = (k[0] * pad[:-2] + k[1] * pad[1:-1] + k[2] * pad[2:]).astype(np.float32)
    else:
        s.lm = raw.astype(np.float32)
    s.n = len(s.frames)
    # per-source-frame measures used to find natural events in footage
    s.ear = {side: np.array([_ear(p, side) for p in raw]) for side in 'AB'}
    s.mw = np.array([_mouth_width(p) for p in raw])
    _SOURCES[name] = s
    return s


def _ear(p, side):
    e = EYE_IDX[side]
    w = np.linalg.norm(p[e['outer']] - p[e['inner']]) + 1e-6
    up = p[e['upper'][2:7]]
    lo = p[e['lower'][2:7]]
    return float(np.mean(np.linalg.norm(up - lo, axis=1)) / w)


def _iod(p):
    return float(np.linalg.norm(p[[33, 133]].mean(0) - p[[263, 362]].mean(0)))


def _mouth_width(p):
    return float(np.linalg.norm(p[61] - p[291]) / (_iod(p) + 1e-6))


# ----------------------------------------------------------------------------------------
# Face geometry of one frame
class EyeGeom:
    pass


def face_geom(p):
    g = {'iod': _iod(p)}
    iod = g['iod']
    eyes = {}
    for side in 'AB':
        e = EYE_IDX[side]
        po, pi = p[e['outer']], p[e['inner']]
        ex = pi - po
        if ex[0] < 0:
            ex = -ex
        a = float(np.linalg.norm(ex)) / 2 + 1e-6
        ex = ex / (2 * a)
        ey = np.array([-ex[1], ex[0]], np.float32)
        if ey[1] < 0:
            ey = -ey
        C = (po + pi) / 2
        E = EyeGeom()
        E.C, E.ex, E.ey, E.a = C.astype(np.float32), ex.astype(np.float32), ey, a
        for nm in ('upper', 'lower'):
            q = p[e[nm]] - C
            u = q @ ex / a
            v = q @ ey
            o = np.argsort(u)
            setattr(E, nm + '_u', u[o].astype(np.float32))
            setattr(E, nm + '_v', v[o].astype(np.float32))
        uu = np.linspace(-1, 1, 21)
        h = np.interp(uu, E.lower_u, E.lower_v) - np.interp(uu, E.upper_u, E.upper_v)
        E.Hm = float(max(h.max(), 0.12 * a * 2, 2.0))
        E.brow = p[e['brow']].mean(0).astype(np.float32)
        E.brow_inner = p[e['brow_inner']].mean(0).astype(np.float32)
        E.cheek = (C + ey * 0.55 * iod).astype(np.float32)
        eyes[side] = E
    g['eyes'] = eyes
    # mouth corners: the corner nearer to eye A belongs to side A
    c1, c2 = p[MOUTH_CORNERS[0]], p[MOUTH_CORNERS[1]]
    if np.linalg.norm(c1 - eyes['A'].C) > np.linalg.norm(c2 - eyes['A'].C):
        c1, c2 = c2, c1
    g['corner'] = {'A': c1.astype(np.float32), 'B': c2.astype(np.float32)}
    mc = (p[13] + p[14]) / 2
    mx = c2 - c1
    if mx[0] < 0:
        mx = -mx
    ma = float(np.linalg.norm(mx)) / 2 + 1e-6
    mx = mx / (2 * ma)
    my = np.array([-mx[1], mx[0]], np.float32)
    if my[1] < 0:
        my = -my
    M = EyeGeom()
    M.C, M.ex, M.ey, M.a = mc.astype(np.float32), mx.astype(np.float32), my, ma
    for nm, idx in (('up', INNER_UP), ('lo', INNER_LO)):
        q = p[idx] - mc
        u = q @ mx / ma
        v = q @ my
        o = np.argsort(u)
        setattr(M, nm + '_u', u[o].astype(np.float32))
        setattr(M, nm + '_v', v[o].astype(np.float32))
    g['mouth'] = M
    g['lip_up'] = p[0].astype(np.float32)
    g['lip_lo'] = p[17].astype(np.float32)
    g['glabella'] = ((eyes['A'].brow_inner + eyes['B'].brow_inner) / 2).astype(np.float32)
    oval = p[FACE_OVAL]
    g['face_box'] = np.array([oval[:, 0].min(), oval[:, 1].min(), oval[:, 0].max(),
                              oval[:, 1].max()], np.float32)
    g['center'] = oval.mean(0).astype(np.float32)
    g['half_w'] = float(np.linalg.norm(p[234] - p[454]) / 2)
    g['half_h'] = float(np.linalg.norm(p[10] - p[152]) / 2)
    g['nose'] = p[4].astype(np.float32)
    # region boxes (source coords) used for the visibility check
    boxes = {}
    for side in 'AB':
        E = eyes[side]
        pts = np.concatenate([p[EYE_IDX[side]['upper']], p[EYE_IDX[side]['lower']],
                              p[EYE_IDX[side]['brow']]])
        x0, y0 = pts.min(0)
        x1, y1 = pts.max(0)
        boxes['eye_' + side] = (x0 - 0.08 * iod, y0 - 0.08 * iod, x1 + 0.08 * iod,
                                y1 + 0.3 * iod)
    pts = np.concatenate([p[INNER_UP], p[INNER_LO], p[[61, 291, 0, 17]]])
    x0, y0 = pts.min(0)
    x1, y1 = pts.max(0)
    boxes['mouth'] = (x0 - 0.2 * iod, y0 - 0.25 * iod, x1 + 0.2 * iod, y1 + 0.3 * iod)
    g['boxes'] = boxes
    return g


# ----------------------------------------------------------------------------------------
# Actuators: what the planted events ask the face to do at one instant
class Act:
    def __init__(self):
        self.cu = {'A': [], 'B': []}       # upper-lid closure fractions (0..1), negative = widen
        self.cl = {'A': [], 'B': []}       # lower-lid raise fractions
        self.gz = {'A': 0.0, 'B': 0.0}     # gaze-down shift of the eye interior
        self.sq = {'A': 0.0, 'B': 0.0}     # squeeze: darker closed-lid crease
        self.rip = {'A': [], 'B': []}      # myokymia discharges (amp, u0, su, lid, phase)
        self.brow = {'A': np.zeros(2), 'B': np.zeros(2)}     # (medial, up) in IOD
        self.cheek = {'A': 0.0, 'B': 0.0}  # up, IOD
        self.corner = {'A': np.zeros(2), 'B': np.zeros(2)}   # (outward, up) in IOD
        self.glabella = 0.0                # down, IOD
        self.jaw = 0.0                     # mouth opening, IOD
        self.pucker = 0.0
        self.yaw = 0.0                     # degrees (camera-side fake head turn)
        self.any = False

    def lid(self, side, cu=0.0, cl=0.0):
        if cu:
            self.cu[side].append(cu)
            self.any = True
        if cl:
            self.cl[side].append(cl)
            self.any = True

    def final_lid(self, side):
        pos = [c for c in self.cu[side] if c > 0]
        neg = sum(c for c in self.cu[side] if c < 0)
        cu = 1 - np.prod([1 - min(c, 1.0) for c in pos]) if pos else 0.0
        cu = cu + neg * (1 - cu)
        cl = 1 - np.prod([1 - min(c, 1.0) for c in self.cl[side]]) if self.cl[side] else 0.0
        return float(cu), float(cl)


def smooth01(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def env_ramp(t, t0, t1, rise, fall):
    """0 outside [t0,t1], smooth rise/fall, 1 in between."""
    if t <= t0 or t >= t1:
        return 0.0
    a = smooth01((t - t0) / max(rise, 1e-3))
    b = smooth01((t1 - t) / max(fall, 1e-3))
    return float(min(a, b))


def blink_profile(t, t0, tc, th, to):
    """Spontaneous blink: fast closing, short hold, slower opening."""
    x = t - t0
    if x <= 0 or x >= tc + th + to:
        return 0.0
    if x < tc:
        return float(smooth01(x / tc))
    if x < tc + th:
        return 1.0
    y = (x - tc - th) / to
    return float(1 - smooth01(y) ** 0.7)


def pulse(x, w):
    """Raised-cosine pulse of width w centred at 0."""
    if abs(x) >= w / 2:
        return 0.0
    return float(0.5 + 0.5 * math.cos(2 * math.pi * x / w))


# ----------------------------------------------------------------------------------------
# Event -> actuators.  Events carry rendered sides; `sm` maps a rendered side to a source
# side ('A'/'B'): sm['right'] is the source eye that ends up on the rendered image-left.
def apply_event(ev, t, act, sm, lvl=None):
    k = ev['kind']
    p = ev['_p']
    sides = ['A', 'B'] if ev['side'] == 'both' else [sm[ev['side']]] if ev['side'] else []
    if k == 'blink':
        for s in 'AB':
            lag = p['lag'] if s == p['lag_side'] else 0.0
            b = blink_profile(t, ev['start_s'] + lag, p['tc'], p['th'], p['to']) * p['amp']
            if b > 0:
                act.lid(s, b, 0.07 * b)
                act.brow[s] += (0, -0.008 * b)
                act.any = True
    elif k == 'eye_closure':      # voluntary gentle closure, both eyes
        e = env_ramp(t, ev['start_s'], ev['end_s'], p['rise'], p['fall'])
        if e > 0:
            for s in 'AB':
                act.lid(s, e * p['amp'], 0.1 * e)
                act.brow[s] += (0, -0.01 * e)
    elif k == 'glance_down':
        e = env_ramp(t, ev['start_s'], ev['end_s'], 0.18, 0.22)
        if e > 0:
            for s in 'AB':
                act.lid(s, e * p['amp'], 0.0)
                act.gz[s] = max(act.gz[s], e)
    elif k == 'brow_raise':
        e = env_ramp(t, ev['start_s'], ev['end_s'], p['rise'], p['fall'])
        if e > 0:
            for s in 'AB':
                f = p['side_gain'].get(s, 1.0)
                act.brow[s] += (0, p['amp'] * 0.11 * e * f)
                act.lid(s, -0.14 * e * f * p['amp'], 0)
            act.any = True
    elif k == 'smile':
        e = env_ramp(t, ev['start_s'], ev['end_s'], p['rise'], p['fall'])
        if e > 0:
            for s in 'AB':
                f = p['side_gain'].get(s, 1.0)
                act.corner[s] += np.array([0.07, 0.11]) * p['amp'] * e * f
                act.cheek[s] += 0.05 * p['amp'] * e * f
                if p['amp'] > 0.6:   # Duchenne smile: small bilateral lower-lid raise
                    act.lid(s, 0.03 * e * f, 0.12 * (p['amp'] - 0.4) * e * f)
            act.jaw += p.get('open', 0.0) * e
            act.any = True
    elif k == 'pucker':
        e = env_ramp(t, ev['start_s'], ev['end_s'], p['rise'], p['fall'])
        if e > 0:
            act.pucker += p['amp'] * e
            act.any = True
    elif k == 'talking':
        if ev['start_s'] < t < ev['end_s']:
            j = 0.0
            for ts, a, w in p['syll']:
                if abs(t - ts) < w / 2:
                    j += a * pulse(t - ts, w)
            e = env_ramp(t, ev['start_s'], ev['end_s'], 0.1, 0.1)
            act.jaw += j * e
            wob = 0.015 * math.sin(2 * math.pi * 1.7 * t + p['ph']) * e
            for s in 'AB':
                act.corner[s] += (wob, 0.006 * e)
            act.any = True
    elif k == 'flicker':          # myokymia bout
        s = sides[0]
        for td, a, u0, w in p['dis']:
            x = t - td
            if -w / 2 < x < w / 2:
                act.rip[s].append((a * pulse(x, w), u0, p['su'], p['lid'], 2 * math.pi * x / w))
                act.any = True
    elif k == 'clonic_twitch':    # HFS burst of clonic jerks
        s = sides[0]
        for tj, w, a in p['jerks']:
            x = t - tj
            el = pulse(x + 0.015, w) * a     # lower lid leads slightly
            eu = pulse(x - 0.01, w) * a
            if el > 0 or eu > 0:
                act.lid(s, p['cu'] * eu, p['cl'] * el)
                act.cheek[s] += 0.045 * el
                if p['brow2']:
                    act.brow[s] += (0, 0.05 * eu)
                if p['mouth']:
                    act.corner[s] += np.array([0.05, 0.065]) * el * p['mouth']
                act.any = True
    elif k == 'tonic_spasm':      # HFS sustained contraction
        s = sides[0]
        e = env_ramp(t, ev['start_s'], ev['end_s'], p['rise'], p['fall'])
        if e > 0:
            tr = 1 + 0.12 * math.sin(2 * math.pi * p['trem'] * t) * e
            cu = min(1.0, p['cu'] * e * tr)
            act.lid(s, cu, p['cl'] * e)
            act.sq[s] = max(act.sq[s], 0.7 * e)
            act.cheek[s] += 0.06 * e
            if p['brow2']:
                act.brow[s] += (0, 0.065 * e)
            act.corner[s] += np.array([0.06, 0.09]) * e * p['mouth']
    elif k == 'forceful_closure':  # blepharospasm spasm, both eyes
        e = env_ramp(t, ev['start_s'], ev['end_s'], p['rise'], p['fall'])
        if e > 0:
            reopen = 0.0
            for tr0, tr1 in p.get('reopen', []):
                reopen = max(reopen, env_ramp(t, tr0, tr1, 0.12, 0.12))
            for s in 'AB':
                a = p['amp'] * p['side_gain'][s]
                cu = min(1.0, a * e) * (1 - 0.35 * reopen)
                act.lid(s, cu, p['cl'] * e * a)
                act.sq[s] = max(act.sq[s], e * min(a, 1.0))
                act.brow[s] += np.array([0.035, -0.12]) * e * a
                act.cheek[s] += 0.06 * e * a
                if p['lower_face']:
                    act.corner[s] += np.array([0.035, -0.04]) * e * p['lower_face']
            act.glabella += 0.07 * e * p['amp']
    elif k == 'flutter':          # blepharospasm eyelid flutter (< 1 s)
        e = env_ramp(t, ev['start_s'], ev['end_s'], 0.05, 0.08)
        if e > 0:
            osc = 0.5 - 0.5 * math.cos(2 * math.pi * p['f'] * (t - ev['start_s']))
            for s in 'AB':
                act.lid(s, p['amp'] * osc * e * p['side_gain'][s], 0.15 * osc * e)
                act.brow[s] += (0.01 * e, -0.03 * e)
    elif k == 'eye_narrowing':    # synkinesis: oral-ocular
        s = sides[0]
        if p.get('coupled') == 'natural_smile':
            e = float(lvl) if lvl is not None else 0.0
        else:
            e = env_ramp(t, ev['start_s'], ev['end_s'], p['rise'], p['fall'])
        if e > 0:
            act.lid(s, 0.55 * p['amp'] * e, 0.5 * p['amp'] * e)
            act.cheek[s] += 0.02 * p['amp'] * e
    elif k == 'mouth_corner_lift':  # synkinesis: ocular-oral
        s = sides[0]
        if p.get('blink'):
            bb = p['blink']
            e = blink_profile(t, bb[0], bb[1], bb[2], bb[3])
        else:
            e = env_ramp(t, ev['start_s'], ev['end_s'], p['rise'], p['fall'])
        if e > 0:
            act.corner[s] += np.array([0.035, 0.075]) * p['amp'] * e
            act.cheek[s] += 0.02 * p['amp'] * e
            act.any = True
    elif k == 'resting_fissure_narrowing':
        s = sides[0]
        act.lid(s, p['cu'], p['cl'])
    elif k == 'head_turn':
        e = env_ramp(t, ev['start_s'], ev['end_s'], p['rise'], p['fall'])
        if e > 0:
            act.yaw += p['deg'] * e
            act.any = True


# ----------------------------------------------------------------------------------------
# The face warp (backward map), evaluated on a region of interest of the source frame
def _gauss_acc(dx, dy, X, Y, c, d, sigma, org, margin=0.0):
    """Add a Gaussian displacement bump (evaluated only where it matters)."""
    if abs(d[0]) < 1e-3 and abs(d[1]) < 1e-3:
        return
    r = 3.0 * sigma + margin
    h, w = X.shape
    c0 = int(max(0, c[0] - r - org[0]))
    c1 = int(min(w, c[0] + r - org[0] + 1))
    r0 = int(max(0, c[1] - r - org[1]))
    r1 = int(min(h, c[1] + r - org[1] + 1))
    if c1 <= c0 or r1 <= r0:
        return
    Xs, Ys = X[r0:r1, c0:c1], Y[r0:r1, c0:c1]
    g = np.exp(-((Xs - c[0]) ** 2 + (Ys - c[1]) ** 2) * (1.0 / (2 * sigma * sigma)))
    dx[r0:r1, c0:c1] += d[0] * g
    dy[r0:r1, c0:c1] += d[1] * g


def _lid_map(X, Y, E, cu, cl, gz, rips, sq=0.0, dark=None):
    """Remap coordinates (X,Y) inside eye E in place.  Eyelid closure is drawn as the lid
    skin (between margin and a line 1.2 eye-heights above) stretching down over the eye."""
    qx, qy = X - E.C[0], Y - E.C[1]
    u = (qx * E.ex[0] + qy * E.ex[1]) / E.a
    v = qx * E.ey[0] + qy * E.ey[1]
    Hm = E.Hm
    sel = (np.abs(u) < 1.15) & (v > -E.Hm * 2.6) & (v < E.Hm * 2.3)
    if not sel.any():
        return
    u_s, v_s = u[sel], v[sel]
    U = np.interp(u_s, E.upper_u, E.upper_v)
    L = np.interp(u_s, E.lower_u, E.lower_v)
    h = np.maximum(L - U, 0.0)
    T = U - 1.2 * Hm
    B = L + 1.0 * Hm
    vn = v_s.copy()
    un = u_s.copy()
    for amp, u0, su, lid, ph in rips:       # myokymia: local rippling of one lid
        gu = np.exp(-((u_s - u0) / su) ** 2)
        if lid == 'lower':
            z = (v_s - (L + 0.08 * Hm)) / (0.5 * Hm)
            gv = np.exp(-z ** 2)
            vn += amp * Hm * gu * gv
        else:
            z = -(v_s - (U - 0.12 * Hm)) / (0.5 * Hm)
            gv = np.exp(-z ** 2)
            vn -= amp * Hm * gu * gv
        un += 0.35 * amp * Hm / E.a * math.sin(ph) * gu * gv
        if dark is not None:    # the contracting fibres bunch the skin: light/dark band
            sub = dark[sel]
            dark[sel] = sub + 0.6 * amp * gu * z * gv
    tot = cu + cl
    if tot > 1:
        cu, cl = cu / tot, cl / tot
    if abs(cu) > 1e-4 or abs(cl) > 1e-4 or gz > 0:
        NU = U + cu * h
        NL = L - cl * h
        out = vn.copy()
        m1 = (vn >= T) & (vn < NU)
        out[m1] = (T + (vn - T) * (U - T) / np.maximum(NU - T, 1e-3))[m1]
        m3 = (vn > NL) & (vn <= B)
        out[m3] = (B - (B - vn) * (B - L) / np.maximum(B - NL, 1e-3))[m3]
        m2 = (vn >= NU) & (vn <= NL)
        if cu < 0 or cl < 0:
            out[m2] = (U + (vn - NU) * (L - U) / np.maximum(NL - NU, 1e-3))[m2]
        elif gz > 0:
            k = gz * 0.28 * h
            out[m2] = (NL - (NL - vn) * (NL - NU + k) / np.maximum(NL - NU, 1e-3))[m2]
        if sq > 0 and dark is not None:
            ml = np.where(NL - NU < 1.0, (NU + NL) / 2, NU)
            dk = sq * 0.45 * np.exp(-((v_s - ml) / (0.16 * Hm)) ** 2) * np.clip(h / Hm, 0, 1)
            sub = dark[sel]
            dark[sel] = np.maximum(sub, dk)
        vn = out
    dv = vn - v_s
    du = (un - u_s) * E.a
    X[sel] += dv * E.ey[0] + du * E.ex[0]
    Y[sel] += dv * E.ey[1] + du * E.ex[1]


def _mouth_map(X, Y, M, iod, jaw):
    """Open the mouth by moving the lower lip/jaw down; returns a darkening mask."""
    qx, qy = X - M.C[0], Y - M.C[1]
    u = (qx * M.ex[0] + qy * M.ex[1]) / M.a
    v = qx * M.ey[0] + qy * M.ey[1]
    sel = (np.abs(u) < 1.1) & (v > -0.4 * iod) & (v < 0.9 * iod)
    dark = np.zeros(X.shape, np.float32)
    if not sel.any():
        return dark
    u_s, v_s = u[sel], v[sel]
    lo = np.interp(u_s, M.lo_u, M.lo_v)
    o = jaw * iod * np.clip(1 - u_s ** 2, 0, 1) ** 0.6
    C = lo + 0.75 * iod
    vn = v_s.copy()
    m_low = (v_s >= lo + o) & (v_s <= C)
    vn[m_low] = (C - (C - v_s) * (C - lo) / np.maximum(C - lo - o, 1e-3))[m_low]
    m_gap = (v_s > lo) & (v_s < lo + o)
    vn[m_gap] = (lo - 0.6)[m_gap]
    dk = np.zeros_like(v_s)
    dk[m_gap] = np.clip(np.minimum(v_s - lo, lo + o - v_s)[m_gap] / 1.5, 0, 1) * 0.7
    dv = vn - v_s
    X[sel] += dv * M.ey[0]
    Y[sel] += dv * M.ey[1]
    dark[sel] = dk
    return dark


def yaw_dx(X, Y, g, deg):
    th = math.radians(deg)
    cx, cy = g['center']
    a, b = g['half_w'] * 1.05, g['half_h'] * 1.1
    r2 = ((X - cx) / a) ** 2 + ((Y - cy) / b) ** 2
    Z = 0.9 * a
    return ((X - cx) * (math.cos(th) - 1) * np.exp(-r2 / 2.0)
            + Z * math.sin(th) * np.exp(-r2 / (2 * 0.6 ** 2)))


def warp_face(img, g, act):
    """Return a copy of img with the actuators applied (backward warp)."""
    if not act.any:
        return img
    iod = g['iod']
    H, W = img.shape[:2]
    if abs(act.yaw) > 0.05:
        cx, cy = g['center']
        rx, ry = g['half_w'] * 2.6, g['half_h'] * 2.4
    else:
        fb = g['face_box']
        cx, cy = (fb[0] + fb[2]) / 2, (fb[1] + fb[3]) / 2
        rx, ry = (fb[2] - fb[0]) / 2 + 0.35 * iod, (fb[3] - fb[1]) / 2 + 0.45 * iod
    x0, x1 = int(max(0, cx - rx)), int(min(W, cx + rx))
    y0, y1 = int(max(0, cy - ry)), int(min(H, cy + ry))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return img
    X, Y = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
    if abs(act.yaw) > 0.05:
        X = X - yaw_dx(X, Y, g, act.yaw).astype(np.float32)
    # smooth displacement fields (forward displacement d at centre c -> backward p - d g(p))
    dx = np.zeros_like(X)
    dy = np.zeros_like(Y)
    org = (x0, y0)
    mg = 0.5 * g['half_w'] if abs(act.yaw) > 0.05 else 0.0
    for s in 'AB':
        E = g['eyes'][s]
        sgn = 1.0 if E.C[0] < g['eyes']['B' if s == 'A' else 'A'].C[0] else -1.0  # medial dir
        bm, bu = act.brow[s]
        _gauss_acc(dx, dy, X, Y, E.brow, (sgn * bm * iod * 0.6, -bu * iod), 0.33 * iod, org, mg)
        _gauss_acc(dx, dy, X, Y, E.brow_inner, (sgn * bm * iod, -0.3 * bu * iod),
                   0.16 * iod, org, mg)
        if act.cheek[s]:
            _gauss_acc(dx, dy, X, Y, E.cheek, (0, -act.cheek[s] * iod), 0.3 * iod, org, mg)
        co, cup = act.corner[s]
        c = g['corner'][s]
        out_dir = np.sign(c[0] - g['mouth'].C[0]) or 1.0
        co2 = co - 0.09 * act.pucker
        _gauss_acc(dx, dy, X, Y, c, (out_dir * co2 * iod, -cup * iod), 0.24 * iod, org, mg)
    if act.glabella:
        _gauss_acc(dx, dy, X, Y, g['glabella'], (0, act.glabella * iod), 0.2 * iod, org, mg)
    if act.pucker:
        _gauss_acc(dx, dy, X, Y, g['lip_up'], (0, -0.012 * act.pucker * iod), 0.12 * iod, org, mg)
        _gauss_acc(dx, dy, X, Y, g['lip_lo'], (0, 0.015 * act.pucker * iod), 0.12 * iod, org, mg)
    X = X - dx
    Y = Y - dy
    dark = np.zeros(X.shape, np.float32) if (act.sq['A'] or act.sq['B'] or act.rip['A']
                                             or act.rip['B']) else None
    for s in 'AB':
        cu, cl = act.final_lid(s)
        if abs(cu) > 1e-4 or abs(cl) > 1e-4 or act.rip[s] or act.gz[s] > 0:
            _lid_map(X, Y, g['eyes'][s], cu, cl, act.gz[s], act.rip[s], act.sq[s], dark)
    if act.jaw > 1e-3:
        dm = _mouth_map(X, Y, g['mouth'], iod, act.jaw)
        dark = dm if dark is None else np.maximum(dark, dm)
    patch = cv2.remap(img, X, Y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
    if dark is not None and dark.any():
        patch = np.clip(patch.astype(np.float32) * (1 - dark[..., None]), 0, 255).astype(np.uint8)
    out = img.copy()
    out[y0:y1, x0:x1] = patch
    return out


# ----------------------------------------------------------------------------------------
# Clip plan
# 48 camera formats (36 landscape, 12 portrait) and frame rates, shuffled over the clips
RES_LIST = ([(320, 240)] * 4 + [(426, 240)] * 3 + [(480, 360)] * 6 + [(640, 360)] * 8 +
            [(640, 480)] * 6 + [(854, 480)] * 4 + [(960, 540)] * 3 + [(1280, 720)] * 2 +
            [(240, 320)] * 2 + [(360, 480)] * 3 + [(360, 640)] * 4 + [(480, 854)] * 2 +
            [(540, 960)] * 1)
FPS_LIST = [24] * 10 + [25] * 8 + [30] * 22 + [48] * 2 + [50] * 3 + [60] * 3
BIG_OK = ('F_jef', 'S_jef')       # sources sharp enough for 1280x720 / 540x960
SEVERITIES = ['mild', 'mild', 'mild', 'moderate', 'moderate', 'moderate', 'marked', 'marked']


def sha(s):
    return hashlib.sha256(s.encode()).hexdigest()


def make_plan(seed):
    rng = np.random.default_rng([seed, 1000])
    slots = []
    # still faces: a random order of the 9 faces, repeated; with 4 stills per class in
    # class order, no face appears twice as a still within one class
    perm = [STILLS[i] for i in rng.permutation(len(STILLS))]
    still_faces = [perm[i % len(perm)] for i in range(24)]
    si = 0
    for c in CLASSES:
        sev = list(SEVERITIES) if c != 'normal' else ['none'] * 8
        rng.shuffle(sev)
        # one-sided classes: the side of each clip is drawn at random from a shuffled
        # 4 left / 4 right list (balanced per class); lids and Babinski-2 likewise
        sides = ['left'] * 4 + ['right'] * 4
        rng.shuffle(sides)
        lids = ['lower'] * 6 + ['upper'] * 2       # lower lid more often (section 2.3)
        rng.shuffle(lids)
        bab = [True] * 6 + [False] * 2             # Babinski-2 in 68-86% of HFS (2.1)
        rng.shuffle(bab)
        flip = [True] * 4 + [False] * 4            # half of each class mirrored
        rng.shuffle(flip)
        vp9 = [True] * 2 + [False] * 6             # a quarter of each class VP9/WebM
        rng.shuffle(vp9)
        for j in range(N_PER_CLASS):
            if j < 4:
                src = FOOTAGE[j]
            else:
                src = still_faces[si]
                si += 1
            sl = dict(disorder=c, source=src, severity=sev[j])
            if c in ('eyelid_myokymia', 'hemifacial_spasm', 'synkinesis'):
                sl['side'] = sides[j]
            elif c == 'blepharospasm':
                sl['side'] = 'both'
            else:
                sl['side'] = None
            sl['lid'] = lids[j]
            sl['babinski2'] = bab[j]
            sl['flipped'] = flip[j]
            sl['codec'] = 'vp9' if vp9[j] else 'h264'
            slots.append(sl)
    order = rng.permutation(len(slots))
    clips = []
    # camera variety, assigned in id order
    res = [RES_LIST[i] for i in rng.permutation(len(RES_LIST))]
    fpss = [FPS_LIST[i] for i in rng.permutation(len(FPS_LIST))]
    srcs = [slots[oi]['source'] for oi in order]
    # the largest formats only on the sharpest bases (swap otherwise)
    for i in range(48):
        if res[i][0] * res[i][1] >= 518400 and srcs[i] not in BIG_OK:
            for j in range(48):
                if srcs[j] in BIG_OK and res[j][0] * res[j][1] < 518400:
                    res[i], res[j] = res[j], res[i]
                    break
    # the Wolfgang footage/still is 640x360 with a large face: portrait crops of it would
    # need a scale that pushes the face out of the frame, so it gets landscape formats
    for i in range(48):
        if res[i][1] > res[i][0] and srcs[i] in ('F_wolf', 'S_wolf'):
            for j in range(48):
                if (res[j][0] > res[j][1] and srcs[j] not in ('F_wolf', 'S_wolf')
                        and res[j][0] * res[j][1] < 518400):
                    res[i], res[j] = res[j], res[i]
                    break
    # keep the render affordable: high frame rates not on the largest formats
    for i in range(48):
        if fpss[i] >= 48 and res[i][0] * res[i][1] > 300000:
            for j in range(48):
                if fpss[j] <= 30 and res[j][0] * res[j][1] <= 300000:
                    fpss[i], fpss[j] = fpss[j], fpss[i]
                    break
    for n, oi in enumerate(order):
        sl = dict(slots[oi])
        cid = '%s%03d' % (PREFIX, n + 1)
        sl['id'] = cid
        sl['width'], sl['height'] = res[n]
        sl['fps'] = int(fpss[n])
        sl['duration_s'] = float(np.round(rng.uniform(12.0, 16.5) if rng.random() < 0.75
                                          else rng.uniform(16.5, 25.0), 2))
        sl['clip_seed'] = int(rng.integers(2 ** 31))
        clips.append(sl)
    # splits: within each class, sort ids by sha256(id); first 4 dev, last 4 locked
    for c in CLASSES:
        ids = sorted([cl['id'] for cl in clips if cl['disorder'] == c], key=sha)
        for i, cid in enumerate(ids):
            for cl in clips:
                if cl['id'] == cid:
                    cl['split'] = 'dev' if i < 4 else 'locked'
    return clips


# ----------------------------------------------------------------------------------------
# Per-clip timeline: playback path, natural events (footage), planted events
class Timeline:
    def __init__(self, D, fps):
        self.D, self.fps = D, fps
        self.events = []
        self.occ = {'eye_A': [], 'eye_B': [], 'mouth': []}

    def free(self, regions, t0, t1, margin=0.12, ignore=()):
        for r in regions:
            for a, b, k in self.occ[r]:
                if k in ignore:
                    continue
                if t0 < b + margin and t1 > a - margin:
                    return False
        return True

    def add(self, ev, regions, t0=None, t1=None, block=True):
        t0 = ev['start_s'] if t0 is None else t0
        t1 = ev['end_s'] if t1 is None else t1
        for r in regions:
            if block:
                self.occ[r].append((t0, t1, ev['kind']))
        ev['_regions'] = list(regions)
        self.events.append(ev)
        return ev


def blink_zones(src):
    """Source-frame spans of the footage's own blinks (both-eye EAR < 60% of open)."""
    base = {sd: np.percentile(src.ear[sd], 90) for sd in 'AB'}
    r = (src.ear['A'] / base['A'] + src.ear['B'] / base['B']) / 2
    low = r < 0.6
    zones = []
    i = 0
    while i < len(low):
        if low[i]:
            j = i
            while j + 1 < len(low) and low[j + 1]:
                j += 1
            zones.append((max(0, i - 1), min(len(low) - 1, j + 1)))
            i = j + 1
        else:
            i += 1
    return zones


def random_walk_path(rng, n_out, fps_out, src_fps, lo, hi, speed=(0.6, 1.0), zones=(),
                     max_cross=0):
    """Source frame index per output frame: playback that runs forwards and backwards
    between random turning points at 0.6-1.0x speed (keeps the footage's own motion).
    The footage's own blinks (zones) are passed through at most max_cross times; otherwise
    the playback turns round before them, so that replays do not multiply natural blinks."""
    # start inside one of the blink-free stretches, longer stretches preferred
    free, a = [], lo
    for za, zb in sorted(zones):
        if za - 1 > a:
            free.append((a, za - 1))
        a = zb + 1
    if hi > a:
        free.append((a, hi))
    w = np.array([(b - a) ** 2 for a, b in free], float)
    fa, fb = free[int(rng.choice(len(free), p=w / w.sum()))]
    pos = float(rng.uniform(fa, fb))
    if zones and (fb - fa) < 0.5 * max(b - a for a, b in free):
        max_cross = max(max_cross, 1)      # do not stay trapped in a short stretch
    direction = 1 if rng.random() < 0.5 else -1
    span = hi - lo
    target = hi if direction > 0 else lo
    v = rng.uniform(*speed)
    left = max_cross
    out = np.zeros(n_out, np.int32)
    for k in range(n_out):
        out[k] = int(round(np.clip(pos, lo, hi)))
        new = pos + direction * v * src_fps / fps_out
        for za, zb in zones:
            entering = (direction > 0 and pos < za - 0.5 <= new) or \
                       (direction < 0 and pos > zb + 0.5 >= new)
            if entering:
                if left > 0:
                    left -= 1
                else:
                    new = pos
                    direction = -direction
                    target = lo if direction < 0 else hi
                    break
        pos = float(np.clip(new, lo, hi))
        if (direction > 0 and pos >= target) or (direction < 0 and pos <= target):
            direction = -direction
            v = rng.uniform(*speed)
            if direction > 0:
                target = rng.uniform(pos + 0.35 * span, hi) if pos + 0.35 * span < hi else hi
            else:
                target = rng.uniform(lo, pos - 0.35 * span) if pos - 0.35 * span > lo else lo
    return out


def segments(mask, fps, min_len=0.0, merge_gap=0.0):
    segs = []
    k = 0
    n = len(mask)
    while k < n:
        if mask[k]:
            j = k
            while j < n and mask[j]:
                j += 1
            segs.append([k / fps, j / fps])
            k = j
        else:
            k += 1
    merged = []
    for s in segs:
        if merged and s[0] - merged[-1][1] <= merge_gap:
            merged[-1][1] = s[1]
        else:
            merged.append(s)
    return [s for s in merged if s[1] - s[0] >= min_len]


def natural_events(src, path, fps, zones):
    """Blinks and smiles already in the footage, in output time.
    Returns (events, strict eye mask, loose eye mask, smile level) per output frame."""
    evs = []
    inz = np.array([any(za <= p <= zb for za, zb in zones) for p in path])
    for a, b in segments(inz, fps):
        evs.append(dict(kind='blink', start_s=round(a, 3), end_s=round(b, 3), side='both',
                        region='eyelids', planted=False, origin='footage'))
    base = {s: np.percentile(src.ear[s], 90) for s in 'AB'}
    r = {s: src.ear[s][path] / base[s] for s in 'AB'}
    mn = np.minimum(r['A'], r['B'])
    kk = max(1, int(0.12 * fps))
    ker = np.ones(2 * kk + 1)
    strict = ~(np.convolve((mn < 0.62) | inz, ker, 'same') > 0)
    loose = ~(np.convolve((mn < 0.35) | inz, ker, 'same') > 0)
    neutral, full = src.mw_neutral_, src.mw_full_
    lvl = np.clip((src.mw[path] - neutral - 0.06) / (full - neutral - 0.06), 0, 1)
    lvl = np.convolve(lvl, np.ones(3) / 3, 'same')
    for a, b in segments(lvl > 0.25, fps, min_len=0.4, merge_gap=0.3):
        evs.append(dict(kind='smile', start_s=round(a, 3), end_s=round(b, 3), side='both',
                        region='mouth', planted=False, origin='footage'))
    return evs, strict, loose, lvl


def _ev(kind, t0, t1, side, region, **p):
    return dict(kind=kind, start_s=float(t0), end_s=float(t1), side=side, region=region,
                planted=True, _p=p)


def schedule_clip(cl, src, rng):
    """Build the planted events of one clip.  All rates, durations, sides and spread follow
    /work/shared/knowledge-notes.md (section numbers in README.md)."""
    D, fps = cl['duration_s'], cl['fps']
    n = int(round(D * fps))
    tl = Timeline(D, fps)
    cls, sev = cl['disorder'], cl['severity']
    side = cl['side']
    sev_i = {'none': 0, 'mild': 0, 'moderate': 1, 'marked': 2}[sev]
    # rendered side -> region key in source terms
    sm = cl['_sm']
    ereg = {'right': 'eye_' + sm['right'], 'left': 'eye_' + sm['left']}
    footage = src.kind == 'footage'
    if footage:
        usable, loose = cl['_usable'], cl['_loose']
    else:
        usable = loose = np.ones(n, bool)

    def eye_ok(t0, t1, mask=None):
        mask = usable if mask is None else mask
        a, b = max(0, int(t0 * fps)), min(n, int(math.ceil(t1 * fps)) + 1)
        return a < b and bool(mask[a:b].all())

    def tries(fn, k=60):
        for _ in range(k):
            r = fn()
            if r:
                return r
        return None

    def _expressions():
        # ---- ordinary expressions ----------------------------------------------------------
        natural_mouth = footage and src.name in ('F_wolf', 'F_man')
        if cls == 'synkinesis':
            kinds = ['smile', 'pucker', 'brow_raise', 'eye_closure']
            if natural_mouth:
                kinds = ['brow_raise', 'eye_closure', 'brow_raise', 'eye_closure']
            n_expr = int(rng.integers(4, 7))
            pool = []
            while len(pool) < n_expr:
                kk = list(kinds)
                rng.shuffle(kk)
                pool += kk
            pool = pool[:n_expr]
            if not natural_mouth and rng.random() < 0.5:
                pool.append('talking')
            if rng.random() < 0.5:
                pool.append('glance_down')
        else:
            if natural_mouth:
                opts = ['glance_down', 'brow_raise', 'eye_closure']
                w = np.array([0.4, 0.4, 0.2])
            else:
                opts = ['talking', 'smile', 'glance_down', 'brow_raise', 'eye_closure', 'pucker']
                w = np.array([0.3, 0.25, 0.15, 0.15, 0.08, 0.07])
                if cls in ('blepharospasm', 'frequent_blinking'):
                    w = np.array([0.35, 0.3, 0.08, 0.17, 0.03, 0.07])
            n_expr = int(rng.choice([0, 1, 2, 2, 3, 3, 3, 4]))
            if natural_mouth:
                n_expr = min(n_expr, 2)
            pool = list(rng.choice(opts, size=n_expr, p=w / w.sum()))
        expr_events = []
        # weakness on the affected side after facial palsy (section 2.4: residual weakness)
        side_gain = {}
        if cls == 'synkinesis':
            side_gain = {sm[side]: float(rng.uniform(0.55, 0.85))}
        for kind in pool:
            def place(kind=kind):
                if kind == 'talking':
                    dur = rng.uniform(2.5, 6.0)
                elif kind in ('smile',):
                    dur = rng.uniform(1.5, 4.0)
                elif kind == 'pucker':
                    dur = rng.uniform(1.2, 2.8)
                elif kind == 'brow_raise':
                    dur = rng.uniform(0.9, 2.4)
                elif kind == 'eye_closure':
                    dur = rng.uniform(0.8, 2.2)
                else:
                    dur = rng.uniform(0.8, 2.6)
                t0 = rng.uniform(0.6, D - dur - 0.6)
                t1 = t0 + dur
                if kind in ('talking', 'smile', 'pucker'):
                    regs = ['mouth']
                elif kind == 'brow_raise':
                    regs = ['eye_A', 'eye_B']
                else:
                    regs = ['eye_A', 'eye_B']
                # keep expressions apart from each other
                for e in expr_events:
                    if t0 < e['end_s'] + 0.5 and t1 > e['start_s'] - 0.5:
                        return None
                if not tl.free(regs, t0, t1, 0.2):
                    return None
                if 'eye_A' in regs and not eye_ok(t0, t1):
                    return None
                if kind == 'talking':
                    syll = []
                    ts = t0 + 0.1
                    while ts < t1 - 0.1:
                        w_ = rng.uniform(0.12, 0.26)
                        syll.append((ts, float(rng.uniform(0.02, 0.075)), w_))
                        ts += w_ * rng.uniform(0.8, 1.5) + (rng.uniform(0.15, 0.5) if rng.random() < 0.12 else 0)
                    ev = _ev('talking', t0, t1, 'both', 'mouth', syll=syll,
                             ph=float(rng.uniform(0, 6.28)))
                elif kind == 'smile':
                    ev = _ev('smile', t0, t1, 'both', 'mouth', amp=float(rng.uniform(0.5, 1.0)),
                             rise=float(rng.uniform(0.25, 0.5)), fall=float(rng.uniform(0.3, 0.6)),
                             open=float(rng.choice([0.0, 0.0, 0.03])), side_gain=side_gain)
                elif kind == 'pucker':
                    ev = _ev('pucker', t0, t1, 'both', 'mouth', amp=float(rng.uniform(0.6, 1.0)),
                             rise=0.3, fall=0.35)
                elif kind == 'brow_raise':
                    ev = _ev('brow_raise', t0, t1, 'both', 'brows', amp=float(rng.uniform(0.6, 1.0)),
                             rise=0.2, fall=0.3, side_gain=side_gain)
                elif kind == 'eye_closure':
                    ev = _ev('eye_closure', t0, t1, 'both', 'eyes', amp=1.0, rise=0.15, fall=0.22)
                else:
                    ev = _ev('glance_down', t0, t1, 'both', 'eyes', amp=float(rng.uniform(0.3, 0.45)))
                tl.add(ev, regs)
                expr_events.append(ev)
                return ev
            tries(place)

        return expr_events, side_gain

    def _disorder(expr_events):
        amp = 0.0
        # ---- disorder events ----------------------------------------------------------------
        if cls == 'eyelid_myokymia':
            # section 2.3: unilateral, lower lid more often than upper, fine rippling,
            # semirhythmic discharges at 3-8 Hz (100-200 ms apart), no spread, no eye closure
            lid = cl['lid']
            reg = ereg[side]
            amp = [0.16, 0.26, 0.4][sev_i]
            duty = [0.25, 0.4, 0.55][sev_i]
            u0c = float(rng.uniform(-0.45, 0.45))
            t = rng.uniform(0.4, 2.5)
            while t < D - 1.0:
                # bouts of seconds (section 2.3: periodic, seconds to hours), repeated
                dur = float(rng.uniform(1.0, [2.5, 4.0, 6.0][sev_i]))
                t1 = min(t + dur, D - 0.4)
                ok = tl.free([reg], t, t1, 0.15) and eye_ok(t, t1, loose)
                if ok and t1 - t > 0.8:
                    dis = []
                    td = t + 0.05
                    rate = rng.uniform(3.0, 8.0)
                    while td < t1 - 0.06:
                        a = amp * rng.uniform(0.55, 1.2)
                        u0 = float(np.clip(u0c + rng.normal(0, 0.12), -0.8, 0.8))
                        dis.append((float(td), float(a), u0, float(rng.uniform(0.09, 0.16))))
                        td += (1.0 / rate) * rng.uniform(0.75, 1.3)   # semirhythmic
                    ev = _ev('flicker', t, t1, side, lid + '_lid', lid=lid,
                             su=float(rng.uniform(0.22, 0.38)), dis=dis, rate_hz=float(rate))
                    ev['rate_hz'] = round(float(rate), 2)
                    ev['n_discharges'] = len(dis)
                    ev['lid'] = lid
                    tl.add(ev, [reg])
                    t = t1 + rng.uniform(1.0, [5.0, 3.5, 2.5][sev_i])
                else:
                    t += 0.3
        elif cls == 'hemifacial_spasm':
            # section 2.1: unilateral clonic/tonic contractions of CN VII muscles; starts in the
            # orbicularis oculi (lower lid), spreads to the mouth in 93%; Babinski-2 brow lift
            # (86% / 68%); SMC grades I-III (section 4.3) give mild/moderate/marked.
            reg_e = ereg[side]
            brow2 = bool(cl['babinski2'])
            mouth = [0.0, 0.8, 1.0][sev_i]
            regs = [reg_e] + (['mouth'] if mouth else [])
            n_bursts = int(rng.integers(*[(4, 7), (5, 9), (5, 8)][sev_i]))
            n_tonic = [0, int(rng.integers(1, 3)), int(rng.integers(2, 5))][sev_i]
            cu_j = [0.35, 0.55, 0.7][sev_i]
            for _ in range(n_tonic):
                def place_tonic():
                    dur = rng.uniform(1.0, [1.5, 2.5, 4.0][sev_i])
                    t0 = rng.uniform(0.5, D - dur - 0.5)
                    if not tl.free(regs, t0, t0 + dur, 0.3) or not eye_ok(t0, t0 + dur):
                        return None
                    ev = _ev('tonic_spasm', t0, t0 + dur, side, 'hemiface' if mouth else 'periocular',
                             cu=float(rng.uniform(0.75, 1.0)), cl=float(rng.uniform(0.35, 0.5)),
                             rise=float(rng.uniform(0.2, 0.4)), fall=float(rng.uniform(0.25, 0.5)),
                             trem=float(rng.uniform(7, 12)), brow2=brow2, mouth=max(mouth, 0.7))
                    ev['babinski2'] = brow2
                    return tl.add(ev, regs)
                tries(place_tonic)
            for _ in range(n_bursts):
                def place_burst():
                    nj = int(rng.integers(1, [4, 7, 9][sev_i]))
                    jerks = []
                    tj = 0.0
                    for _ in range(nj):
                        w_ = float(rng.uniform(0.09, 0.22))
                        jerks.append((tj, w_, float(rng.uniform(0.6, 1.0))))
                        tj += w_ * 0.6 + rng.uniform(0.06, 0.35)
                    dur = jerks[-1][0] + jerks[-1][1]
                    t0 = rng.uniform(0.4, D - dur - 0.4)
                    if not tl.free(regs, t0, t0 + dur, 0.25) or not eye_ok(t0, t0 + dur):
                        return None
                    jerks = [(t0 + j[0] + j[1] / 2, j[1], j[2]) for j in jerks]
                    ev = _ev('clonic_twitch', t0, t0 + dur, side,
                             'hemiface' if mouth else 'periocular', jerks=jerks, cu=cu_j,
                             cl=float(rng.uniform(0.3, 0.45)), brow2=brow2, mouth=mouth)
                    ev['n_jerks'] = nj
                    ev['babinski2'] = brow2
                    return tl.add(ev, regs)
                tries(place_burst)
        elif cls == 'blepharospasm':
            # section 2.2 / 4.1: bilateral synchronous orbicularis oculi + procerus/corrugator
            # (brows pulled down); JRS frequency 2 = flutter < 1 s, 3 = spasms > 1 s; spread to
            # the lower face in ~35%.
            sg = {'A': 1.0, 'B': 1.0}
            if rng.random() < 0.3:      # slight asymmetry, still both eyes
                sg[sm[rng.choice(['left', 'right'])]] = float(rng.uniform(0.8, 0.92))
            n_fl = int(rng.integers(*[(3, 6), (2, 5), (1, 4)][sev_i]))
            n_fc = [int(rng.integers(1, 3)), int(rng.integers(2, 4)), int(rng.integers(3, 5))][sev_i]
            # closed time kept below half of the clip (JRS frequency 3: eyes open > 50% of the
            # time), leaving room for the raised blink rate between spasms
            cap_fc = [0.12, 0.25, 0.38][sev_i] * D
            cap_fl = [0.12, 0.09, 0.07][sev_i] * D
            p_lf = [0.0, 0.35, 0.7][sev_i]
            lower_face = 1.0 if rng.random() < p_lf else 0.0
            cl['lower_face_spread'] = bool(lower_face)
            used = {'fc': 0.0, 'fl': 0.0}
            for _ in range(n_fc):
                def place_fc():
                    if sev_i == 0:
                        dur = rng.uniform(0.6, 1.4)
                    else:
                        dur = rng.uniform(1.1, [1.5, 2.6, 4.0][sev_i])
                    if used['fc'] + dur > cap_fc and used['fc'] > 0:
                        return None
                    t0 = rng.uniform(0.5, D - dur - 0.5)
                    regs = ['eye_A', 'eye_B'] + (['mouth'] if lower_face else [])
                    if not tl.free(regs, t0, t0 + dur, 0.3) or not eye_ok(t0, t0 + dur):
                        return None
                    reopen = []
                    if dur > 2.2 and rng.random() < 0.6:
                        tr = t0 + rng.uniform(0.35, 0.65) * dur
                        reopen = [(tr, tr + 0.35)]
                    ev = _ev('forceful_closure', t0, t0 + dur, 'both',
                             'periocular+lower_face' if lower_face else 'periocular',
                             amp=float(rng.uniform(0.95, 1.15)), cl=float(rng.uniform(0.3, 0.45)),
                             rise=float(rng.uniform(0.12, 0.25)), fall=float(rng.uniform(0.2, 0.4)),
                             side_gain=sg, lower_face=lower_face, reopen=reopen)
                    ev['lower_face'] = bool(lower_face)
                    used['fc'] += dur
                    return tl.add(ev, regs)
                tries(place_fc)
            for _ in range(n_fl):
                def place_fl():
                    dur = rng.uniform(0.35, 0.95)
                    if used['fl'] + dur > cap_fl and used['fl'] > 0:
                        return None
                    t0 = rng.uniform(0.5, D - dur - 0.5)
                    if not tl.free(['eye_A', 'eye_B'], t0, t0 + dur, 0.2) or not eye_ok(t0, t0 + dur):
                        return None
                    ev = _ev('flutter', t0, t0 + dur, 'both', 'eyelids', f=float(rng.uniform(5, 10)),
                             amp=float(rng.uniform(0.3, 0.6)), side_gain=sg)
                    ev['freq_hz'] = round(ev['_p']['f'], 2)
                    used['fl'] += dur
                    return tl.add(ev, ['eye_A', 'eye_B'])
                tries(place_fl)
        elif cls == 'synkinesis':
            # section 1.4 / 2.4: involuntary movement only together with a voluntary one, on the
            # side of the old palsy: eye narrowing with smile (oral-ocular) and with pucker (82%),
            # mouth-corner lift with eye closure (85%) and brow raise (89%); narrower fissure at
            # rest; residual weakness.
            s_src = sm[side]
            reg = ereg[side]
            amp = [float(rng.uniform(0.35, 0.5)), float(rng.uniform(0.5, 0.7)),
                   float(rng.uniform(0.7, 0.95))][sev_i]
            for ev in list(expr_events):
                k = ev['kind']
                delay = float(rng.uniform(0.02, 0.08))
                p = ev['_p']
                if k in ('smile', 'pucker', 'talking'):
                    a = amp * (0.45 if k == 'talking' else 1.0)
                    if k == 'talking' and sev_i == 0:
                        continue
                    e2 = _ev('eye_narrowing', ev['start_s'] + delay, ev['end_s'], side, 'periocular',
                             amp=a, rise=p.get('rise', 0.3), fall=p.get('fall', 0.3),
                             trigger=k)
                    e2['trigger'] = k
                    tl.add(e2, [reg])
                elif k in ('eye_closure', 'brow_raise'):
                    e2 = _ev('mouth_corner_lift', ev['start_s'] + delay, ev['end_s'], side, 'mouth',
                             amp=amp, rise=p.get('rise', 0.2), fall=p.get('fall', 0.3), trigger=k)
                    e2['trigger'] = k
                    tl.add(e2, ['mouth'])
            if footage and src.name in ('F_wolf', 'F_man'):
                for ne in cl['_natural']:
                    if ne['kind'] == 'smile':
                        e2 = _ev('eye_narrowing', ne['start_s'], ne['end_s'], side, 'periocular',
                                 amp=amp, coupled='natural_smile')
                        e2['trigger'] = 'smile(footage)'
                        tl.add(e2, [reg], block=False)
            if sev_i >= 1:
                e2 = _ev('resting_fissure_narrowing', 0.0, D, side, 'palpebral_fissure',
                         cu=float(rng.uniform(0.06, 0.12)) * sev_i, cl=float(rng.uniform(0.05, 0.1)) * sev_i)
                tl.events.append(e2)
                e2['_regions'] = []

        return amp

    # disorder events first (they have the right of way), except synkinesis, whose
    # involuntary movements are triggered by the voluntary expressions
    if cls == 'synkinesis':
        expr_events, side_gain = _expressions()
        amp = _disorder(expr_events)
    else:
        amp = _disorder([])
        expr_events, side_gain = _expressions()

    # ---- spontaneous blinks --------------------------------------------------------------
    # section 2.2: normal 17/min at rest, 26 in conversation; primary gaze 8-21/min;
    # blepharospasm rest > 27/min and rest > conversation (76% of patients).
    talk = [(e['start_s'], e['end_s']) for e in tl.events if e['kind'] == 'talking']
    r_rest = cl['blink_rest']
    r_talk = cl['blink_talk']
    nat_blinks = [e for e in cl.get('_natural', []) if e['kind'] == 'blink']
    t_talk = sum(b - a for a, b in talk)
    target = (r_rest * (D - t_talk) + r_talk * t_talk) / 60.0
    if cls in ('frequent_blinking', 'blepharospasm'):
        n_bl = max(1, int(round(target)))
    else:
        n_bl = max(2, int(round(target - len(nat_blinks))))
    min_gap = 0.55 if cls not in ('frequent_blinking', 'blepharospasm') else 0.32
    placed = []
    cluster_p = 0.25 if cls in ('frequent_blinking', 'blepharospasm') else 0.05

    def in_talk(t):
        return any(a <= t <= b for a, b in talk)

    def try_blink(t0):
        tc, th, to = rng.uniform(0.07, 0.1), rng.uniform(0.02, 0.06), rng.uniform(0.13, 0.24)
        if cls == 'blepharospasm' and rng.random() < 0.3:   # some longer/forceful blinks
            th += rng.uniform(0.08, 0.2)
        t1 = t0 + tc + th + to
        if t0 < 0.2 or t1 > D - 0.2:
            return None
        for (a, b) in placed + [(e['start_s'], e['end_s']) for e in nat_blinks]:
            if t0 < b + min_gap * 0.5 and t1 > a - min_gap * 0.5:
                return None
        # blinks may fall inside mouth expressions (talking, smiling, pucker)
        if not tl.free(['eye_A', 'eye_B'], t0, t1, 0.1,
                       ignore=('smile', 'pucker', 'talking')) or not eye_ok(t0, t1):
            return None
        amp = 1.0 if rng.random() < 0.82 else float(rng.uniform(0.55, 0.85))
        ev = _ev('blink', t0, t1, 'both', 'eyelids', amp=amp, tc=float(tc), th=float(th),
                 to=float(to), lag=float(rng.uniform(0, 0.012)), lag_side=str(rng.choice(['A', 'B'])))
        ev['complete'] = bool(amp >= 0.95)
        tl.add(ev, ['eye_A', 'eye_B'])
        placed.append((t0, t1))
        return ev
    attempts = 0
    while len(placed) < n_bl and attempts < 4000:
        attempts += 1
        t0 = rng.uniform(0.2, D - 0.5)
        w = r_talk if in_talk(t0) else r_rest
        if rng.random() > w / max(r_rest, r_talk):
            continue
        ev = try_blink(t0)
        if ev is not None and rng.random() < cluster_p and len(placed) < n_bl:
            try_blink(ev['end_s'] + rng.uniform(0.08, 0.3))
    # synkinesis (marked): ocular-oral movement with spontaneous blinks too
    if cls == 'synkinesis' and sev_i == 2:
        for ev in [e for e in tl.events if e['kind'] == 'blink']:
            if rng.random() < 0.7 and tl.free(['mouth'], ev['start_s'], ev['end_s'], 0.05):
                p = ev['_p']
                e2 = _ev('mouth_corner_lift', ev['start_s'], ev['end_s'] + 0.05, side, 'mouth',
                         amp=amp * 0.5, blink=(ev['start_s'], p['tc'], p['th'], p['to']))
                e2['trigger'] = 'blink'
                tl.add(e2, ['mouth'])

    # ---- head turns (fake yaw) for stills / static footage --------------------------------
    if cl['yaw_max'] > 0:
        t = rng.uniform(0.5, 3.0)
        while t < D - 2.0:
            dur = rng.uniform(1.5, 4.5)
            deg = float(rng.uniform(0.4, 1.0) * cl['yaw_max'] * rng.choice([-1, 1]))
            if t + dur > D - 0.3:
                break
            ev = _ev('head_turn', t, t + dur, None, 'head', deg=deg, rise=float(rng.uniform(0.4, 0.9)),
                     fall=float(rng.uniform(0.4, 0.9)))
            ev['yaw_deg'] = round(deg if not cl['flipped'] else -deg, 1)
            ev['planted'] = True
            ev['camera'] = True
            tl.events.append(ev)
            ev['_regions'] = []
            t += dur + rng.uniform(2.0, 6.0)
    tl.events.sort(key=lambda e: e['start_s'])
    return tl


# ----------------------------------------------------------------------------------------
# Camera
def smooth_noise(rng, n, fps, tau, amp):
    """Smooth random signal (n samples), correlation time tau seconds, std ~amp."""
    k = max(1, int(tau * fps))
    x = rng.normal(0, 1, n + 4 * k)
    ker = np.exp(-0.5 * (np.arange(-2 * k, 2 * k + 1) / k) ** 2)
    y = np.convolve(x, ker / np.sqrt((ker ** 2).sum()), 'same')[2 * k:2 * k + n]
    return y * amp


def make_camera(cl, src, rng, path):
    W, H, fps = cl['width'], cl['height'], cl['fps']
    n = len(path)
    lm = src.lm[path] if src.kind == 'footage' else np.repeat(src.lm[:1], n, 0)
    iods = np.array([_iod(p) for p in lm[:: max(1, n // 30)]])
    iod_src = float(np.median(iods))
    centers = lm[:, FACE_OVAL].mean(1)
    sh, sw = src.frames[0].shape[:2]
    frac = rng.uniform(0.17, 0.27)
    # scale limits: the view must lie inside the base (s_cover) and the face must stay
    # inside the frame (inter-ocular distance at most 0.36 of the shorter side)
    s_cover = 1.04 * max(W / sw, H / sh)
    s_hi = max(s_cover * 1.02, 0.36 * min(W, H) / iod_src)
    s0 = float(np.clip(frac * min(W, H) / iod_src, s_cover, s_hi))
    dist = 1 + smooth_noise(rng, n, fps, 2.5, 1.0) * 0.0
    cam = {'frac': float(frac)}
    if rng.random() < 0.6:      # distance changes: phone moved closer / farther
        a = rng.uniform(0.08, 0.25)
        dist = np.exp(smooth_noise(rng, n, fps, rng.uniform(1.5, 4.0), a))
        dd = np.clip(s0 * dist, s_cover, s_hi)
        cam['distance_change'] = round(float(dd.max() / dd.min()), 2)
    s = np.clip(s0 * dist, s_cover, s_hi)
    roll0 = float(rng.uniform(-4, 4)) if cl['roll'] else 0.0
    roll = roll0 + smooth_noise(rng, n, fps, 2.0, 1.0 if cl['roll'] else 0.3)
    cam['roll_deg'] = round(roll0, 1)
    shake = rng.uniform(0.002, 0.012)
    jx = smooth_noise(rng, n, fps, 0.5, shake * W)
    jy = smooth_noise(rng, n, fps, 0.5, shake * H)
    # footage: camera follows the face loosely
    k = max(1, int(1.5 * fps))
    ker = np.exp(-0.5 * (np.arange(-2 * k, 2 * k + 1) / k) ** 2)
    ker /= ker.sum()
    cxs = np.convolve(np.pad(centers[:, 0], 2 * k, mode='edge'), ker, 'valid')
    cys = np.convolve(np.pad(centers[:, 1], 2 * k, mode='edge'), ker, 'valid')
    cx = 0.5 * cxs + 0.5 * centers[:, 0].mean()
    cy = 0.5 * cys + 0.5 * centers[:, 1].mean()
    off = (rng.uniform(-0.06, 0.06) * W, rng.uniform(-0.02, 0.1) * H)
    Ms = np.zeros((n, 2, 3), np.float32)
    for i in range(n):
        sc = s[i]
        # view centre in source coords, clamped to stay inside the source image
        vx = cx[i] - (off[0] + jx[i]) / sc
        vy = cy[i] - (off[1] + jy[i]) / sc
        hw, hh = W / (2 * sc), H / (2 * sc)
        vx = float(np.clip(vx, hw, sw - hw)) if sw > 2 * hw else sw / 2
        vy = float(np.clip(vy, hh, sh - hh)) if sh > 2 * hh else sh / 2
        th = math.radians(roll[i])
        c, si = math.cos(th) * sc, math.sin(th) * sc
        M = np.array([[c, -si, W / 2 - c * vx + si * vy],
                      [si, c, H / 2 - si * vx - c * vy]], np.float32)
        if cl['flipped']:
            M = np.array([[-1, 0, W - 1], [0, 1, 0]], np.float32) @ np.vstack([M, [0, 0, 1]])
        Ms[i] = M
    cam['scale_src_to_out'] = round(float(np.median(s)), 3)
    cam['face_iod_px'] = round(float(np.median(s) * iod_src), 1)
    # photometric
    gain = np.exp(smooth_noise(rng, n, fps, rng.uniform(2, 6), rng.uniform(0.03, 0.12)))
    if rng.random() < 0.35:     # lighting drift: a slow ramp (clouds, lamp, moving)
        gain *= np.linspace(1, rng.uniform(0.7, 1.3), n)
        cam['lighting_ramp'] = True
    tint = rng.uniform(-0.06, 0.06, 3)
    tint_drift = rng.uniform(-0.05, 0.05, 3)
    gamma = rng.uniform(0.85, 1.15)
    cam['gamma'] = round(float(gamma), 2)
    cam['noise_sigma'] = round(float(rng.choice([0.0, 1.5, 3.0, 5.0, 7.0])), 1)
    cam['blur_sigma'] = round(float(rng.choice([0, 0, 0, 0.6, 1.0])), 1)
    cam['gain_range'] = [round(float(gain.min()), 2), round(float(gain.max()), 2)]
    return Ms, gain, tint, tint_drift, gamma, cam


def make_luts(gain, tint, tint_drift, gamma, n):
    x = np.arange(256, dtype=np.float32) / 255.0
    luts = []
    for i in range(n):
        f = i / max(1, n - 1)
        lut = np.zeros((256, 1, 3), np.uint8)
        for ch in range(3):
            gch = gain[i] * (1 + tint[ch] + tint_drift[ch] * f)
            y = np.clip(gch * x, 0, 1) ** gamma
            lut[:, 0, ch] = np.clip(y * 255 + 0.5, 0, 255).astype(np.uint8)
        luts.append(lut)
    return luts


def make_noise_bank(rng, W, H, sigma, nb=10):
    if sigma <= 0:
        return None
    bank = []
    for _ in range(nb):
        lum = rng.normal(0, sigma, (H, W)).astype(np.float32)
        blob = cv2.resize(rng.normal(0, sigma * 0.8, (H // 4 + 1, W // 4 + 1, 3)).astype(np.float32),
                          (W, H), interpolation=cv2.INTER_LINEAR)
        nz = lum[..., None] + blob
        pos = np.clip(nz, 0, 255).astype(np.uint8)
        neg = np.clip(-nz, 0, 255).astype(np.uint8)
        bank.append((pos, neg))
    return bank


# ----------------------------------------------------------------------------------------
# Encoding / decoding
class Encoder:
    def __init__(self, path, codec, W, H, fps, quality):
        self.c = av.open(path, 'w')
        if codec == 'h264':
            st = self.c.add_stream('libx264', rate=Fraction(fps))
            st.options = {'preset': 'superfast', 'crf': str(quality)}
        else:
            st = self.c.add_stream('libvpx-vp9', rate=Fraction(fps))
            st.options = {'deadline': 'realtime', 'cpu-used': '8', 'crf': str(quality),
                          'b': '0', 'row-mt': '1', 'lag-in-frames': '0'}
        st.width, st.height, st.pix_fmt = W, H, 'yuv420p'
        st.codec_context.thread_count = 1
        st.codec_context.time_base = Fraction(1, fps)
        self.st = st
        self.k = 0

    def write(self, img, yuv=None):
        if yuv is None:
            yuv = cv2.cvtColor(img, cv2.COLOR_BGR2YUV_I420)
        fr = av.VideoFrame.from_ndarray(yuv, format='yuv420p')
        fr.pts = self.k
        self.k += 1
        for pk in self.st.encode(fr):
            self.c.mux(pk)

    def close(self):
        for pk in self.st.encode():
            self.c.mux(pk)
        self.c.close()


# ----------------------------------------------------------------------------------------
def class_params(cl, rng):
    """Blink rates and clip-level parameters per class (knowledge-notes section 2.2)."""
    c, sev = cl['disorder'], cl['severity']
    if c == 'normal' or c in ('eyelid_myokymia', 'hemifacial_spasm', 'synkinesis'):
        rest = rng.uniform(10, 20)         # primary gaze 8-21/min, mean 17 at rest
        talk = rest * rng.uniform(1.25, 1.6)   # conversation > rest (26/min mean)
    elif c == 'frequent_blinking':
        rest = {'mild': rng.uniform(30, 36), 'moderate': rng.uniform(36, 46),
                'marked': rng.uniform(46, 60)}[sev]
        talk = rest * rng.uniform(1.0, 1.2)
    elif c == 'blepharospasm':
        rest = {'mild': rng.uniform(28, 36), 'moderate': rng.uniform(32, 44),
                'marked': rng.uniform(36, 50)}[sev]
        talk = rest * rng.uniform(0.55, 0.8)   # rest > conversation
    cl['blink_rest'] = float(rest)
    cl['blink_talk'] = float(talk)


def render_clip(cl, out_dir, cache_dir, seed, verbose=True):
    t_start = time.time()
    rng = np.random.default_rng([seed, cl['clip_seed']])
    src = get_source(cl['source'], cache_dir)
    W, H, fps, D = cl['width'], cl['height'], cl['fps'], cl['duration_s']
    n = int(round(D * fps))
    D = n / fps
    cl['duration_s'] = round(D, 3)
    flipped = cl['flipped']
    # rendered side -> source side
    sm = {'right': 'B' if flipped else 'A', 'left': 'A' if flipped else 'B'}
    cl['_sm'] = sm
    # cl['side'] (the person's side as rendered), cl['lid'], cl['babinski2'] come from the plan
    cl['roll'] = bool(rng.random() < 0.45)
    static_base = src.kind == 'still' or src.name == 'F_jef'
    cl['yaw_max'] = float(rng.uniform(8, 20)) if (static_base and rng.random() < 0.55) else 0.0
    class_params(cl, rng)
    quality = int(rng.integers(19, 29)) if cl['codec'] == 'h264' else int(rng.integers(28, 40))
    # playback path
    if src.kind == 'footage':
        spec = SOURCE_SPECS[src.name]
        src.rng_lo_, src.rng_hi_ = 0, src.n - 1
        full_mw = src.mw
        # mouth width / IOD at rest and in a full smile, read off each footage
        src.mw_neutral_, src.mw_full_ = {'F_wolf': (0.88, 1.12), 'F_man': (0.71, 1.10),
                                         'F_jef': (0.74, 1.0)}[src.name]
        sp = (0.25, 0.5) if src.name == 'F_jef' else (0.6, 1.0)
        zones = blink_zones(src)
        max_cross = int(rng.choice([0, 1, 1, 2]))
        path = random_walk_path(rng, n, fps, src.fps, 0, src.n - 1, sp, zones, max_cross)
        nat, usable, loose, lvl = natural_events(src, path, fps, zones)
        cl['_natural'] = nat
        cl['_usable'] = usable
        cl['_loose'] = loose
        cl['_lvl'] = lvl
        cl['source_frames'] = '%d-%d' % (spec['lo'] + path.min(), spec['lo'] + path.max())
    else:
        path = np.zeros(n, np.int32)
        cl['_natural'] = []
        lvl = np.zeros(n)
    tl = schedule_clip(cl, src, rng)
    Ms, gain, tint, tint_drift, gamma, cam = make_camera(cl, src, rng, path)
    luts = make_luts(gain, tint, tint_drift, gamma, n)
    bank = make_noise_bank(rng, W, H, cam['noise_sigma'])
    nz_idx = rng.integers(0, 10, n)
    ext = 'mp4' if cl['codec'] == 'h264' else 'webm'
    fname = '%s.%s' % (cl['id'], ext)
    os.makedirs(os.path.join(out_dir, 'clips'), exist_ok=True)
    tmpdir = os.path.join(out_dir, '_tmp')
    os.makedirs(tmpdir, exist_ok=True)
    fpath = os.path.join(out_dir, 'clips', fname)
    bpath = os.path.join(tmpdir, cl['id'] + '_base.' + ext)
    enc = Encoder(fpath, cl['codec'], W, H, fps, quality)
    encb = Encoder(bpath, cl['codec'], W, H, fps, quality)
    # pre-scale the base once for strong downscaling (anti-aliasing); the face warp then
    # runs on the working copy and the camera matrices are adjusted to match
    smed = float(np.median([math.hypot(M[0, 0], M[0, 1]) for M in Ms]))
    pre = 1.0
    if smed < 0.7:
        pre = min(1.0, smed * 1.5)
    used = sorted(set(int(i) for i in path))
    if pre != 1.0:
        wframes = {i: cv2.resize(src.frames[i], None, fx=pre, fy=pre,
                                 interpolation=cv2.INTER_AREA) for i in used}
        Ms = Ms.copy()
        Ms[:, :, :2] /= pre
    else:
        wframes = {i: src.frames[i] for i in used}
    cam['prescale'] = round(pre, 3)
    events = tl.events
    active_idx = [(e['start_s'] - 0.05, e['end_s'] + 0.05, e) for e in events if e['planted']]
    boxes = np.zeros((n, 3, 4), np.float32)     # eye_right, eye_left, mouth (rendered)
    box_keys = ['eye_right', 'eye_left', 'mouth']
    geo_cache = {}
    for k in range(n):
        t = k / fps
        si = int(path[k])
        img = wframes[si]
        if si not in geo_cache:
            if len(geo_cache) > 64:
                geo_cache.clear()
            geo_cache[si] = face_geom(src.lm[si] * pre)
        g = geo_cache[si]
        act = Act()
        act_b = Act()
        n_face = 0
        for a, b, e in active_idx:
            if a <= t <= b or e['kind'] == 'resting_fissure_narrowing':
                apply_event(e, t, act, sm, lvl[k] if e['_p'].get('coupled') else None)
                if e['kind'] == 'head_turn':
                    apply_event(e, t, act_b, sm)
                else:
                    n_face += 1
        if n_face:
            warped = warp_face(img, g, act)
            if act_b.any:
                img = warp_face(img, g, act_b)
        else:
            warped = img = warp_face(img, g, act_b)
        M = Ms[k]
        # geometry bookkeeping: region boxes in output coordinates
        for bi, key in enumerate(['eye_A', 'eye_B', 'mouth']):
            x0, y0, x1, y1 = g['boxes'][key]
            pts = np.array([[x0, y0], [x1, y0], [x0, y1], [x1, y1]], np.float32)
            if abs(act.yaw) > 0.05:
                pts[:, 0] += yaw_dx(pts[:, 0], pts[:, 1], g, act.yaw)
            q = pts @ M[:, :2].T + M[:, 2]
            boxes[k, bi] = [q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max()]
        # eye A/B -> rendered right/left by output x
        if (boxes[k, 0, 0] + boxes[k, 0, 2]) > (boxes[k, 1, 0] + boxes[k, 1, 2]):
            boxes[k, [0, 1]] = boxes[k, [1, 0]]
        yuvs = []
        for im in ((warped, img) if warped is not img else (img,)):
            o = cv2.warpAffine(im, M, (W, H), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
            if cam['blur_sigma'] > 0:
                o = cv2.GaussianBlur(o, (0, 0), cam['blur_sigma'])
            o = cv2.LUT(o, luts[k])
            if bank is not None:
                pos, neg = bank[nz_idx[k]]
                o = cv2.subtract(cv2.add(o, pos), neg)
            yuvs.append(cv2.cvtColor(o, cv2.COLOR_BGR2YUV_I420))
        enc.write(None, yuvs[0])
        encb.write(None, yuvs[-1])
    enc.close()
    encb.close()
    t_render = time.time() - t_start
    # ---- visibility check -----------------------------------------------------------------
    vis = visibility(fpath, bpath, boxes, box_keys, events, fps, sm, cl)
    if not KEEP_BASE:
        os.remove(bpath)
    else:
        np.save(os.path.join(tmpdir, cl['id'] + '_boxes.npy'), boxes)
    # ---- truth record -----------------------------------------------------------------------
    ev_out = []
    for e in events + cl['_natural']:
        d = {k2: v for k2, v in e.items() if not k2.startswith('_')}
        d['start_s'] = round(float(d['start_s']), 3)
        d['end_s'] = round(float(d['end_s']), 3)
        ev_out.append(d)
    ev_out.sort(key=lambda d: (d['start_s'], d['kind']))
    planted_blinks = [e for e in events if e['kind'] == 'blink']
    nat_blinks = [e for e in cl['_natural'] if e['kind'] == 'blink']
    rec = dict(
        id=cl['id'], file='clips/' + fname, disorder=cl['disorder'], side=cl['side'],
        image_side=cl['side'], flipped=flipped, face=src.face,
        base='footage' if src.kind == 'footage' else 'still',
        fps=fps, width=W, height=H, duration_s=round(D, 3), n_frames=n,
        blink_rate_per_min=round(len(planted_blinks) * 60.0 / D, 1),
        severity=cl['severity'], split=cl['split'], events=ev_out,
        source=src.name, source_file=src.file, source_desc=src.desc,
        codec=cl['codec'], container=ext, quality=('crf %d' % quality),
        camera=cam,
        n_planted_blinks=len(planted_blinks), n_natural_blinks=len(nat_blinks),
        blink_rate_incl_natural_per_min=round((len(planted_blinks) + len(nat_blinks)) * 60.0 / D, 1),
        target_blink_rate_rest=round(cl['blink_rest'], 1),
        target_blink_rate_talk=round(cl['blink_talk'], 1),
        render_s=round(time.time() - t_start, 1),
    )
    if src.kind == 'footage':
        rec['source_frames'] = cl['source_frames']
        rec['playback'] = 'random-walk (forwards/backwards) over the footage'
    if cl['disorder'] == 'eyelid_myokymia':
        rec['lid'] = cl['lid']
    if cl['disorder'] == 'hemifacial_spasm':
        rec['babinski2'] = cl['babinski2']
    if cl['disorder'] == 'blepharospasm':
        rec['lower_face_spread'] = cl.get('lower_face_spread', False)
    if verbose:
        nv = sum(1 for e in ev_out if e.get('planted') and e.get('visible'))
        npl = sum(1 for e in ev_out if e.get('planted') and 'visible' in e)
        print('%s %-18s %-8s %-7s %4dx%-4d %2dfps %5.1fs %s  events %d (%d visible)  '
              'render %.1fs total %.1fs' % (cl['id'], cl['disorder'], cl['severity'], rec['base'],
                                             W, H, fps, D, ext, npl, nv, t_render,
                                             time.time() - t_start), flush=True)
    return rec


KEEP_BASE = False
VIS_ABS = 6.0     # grey levels (see README)
VIS_REL = 2.5


def _luma_frames(path):
    with av.open(path) as c:
        for fr in c.decode(video=0):
            p = fr.planes[0]
            yield np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, :p.width]


def visibility(fpath, bpath, boxes, box_keys, events, fps, sm, cl):
    """Compare the encoded clip with the encoded no-planted-event render, per region box.
    Score of a frame/region = mean of the top 2% absolute luma differences (3x3 blurred)."""
    n = len(boxes)
    score = np.zeros((n, 3), np.float32)
    for k, (A, B) in enumerate(zip(_luma_frames(fpath), _luma_frames(bpath))):
        if k >= n:
            break
        d = cv2.absdiff(A, B)
        H, W = d.shape
        for bi in range(3):
            x0, y0, x1, y1 = boxes[k, bi]
            x0, y0 = int(max(0, x0)), int(max(0, y0))
            x1, y1 = int(min(W, x1 + 1)), int(min(H, y1 + 1))
            if x1 - x0 < 3 or y1 - y0 < 3:
                continue
            r = cv2.blur(d[y0:y1, x0:x1], (3, 3)).ravel()
            if not r.any():
                continue
            m = max(1, r.size // 50)
            score[k, bi] = float(np.partition(r, r.size - m)[r.size - m:].mean())
    kmap = {'eye_A': 'eye_right' if sm['right'] == 'A' else 'eye_left',
            'eye_B': 'eye_right' if sm['right'] == 'B' else 'eye_left', 'mouth': 'mouth'}
    pl = [e for e in events if e['planted'] and e['kind'] != 'head_turn']
    whole = [e for e in pl if e['kind'] == 'resting_fissure_narrowing']
    owners = np.zeros((n, 3), np.int32)      # how many planted events own frame/region
    spans = []
    for e in pl:
        bis = [box_keys.index(kmap[rg]) for rg in e.get('_regions', [])]
        a = int(max(0, math.floor((e['start_s'] - 0.1) * fps)))
        b = int(min(n, math.ceil((e['end_s'] + 0.1) * fps) + 1))
        spans.append((a, b, bis))
        for bi in bis:
            owners[a:b, bi] += 1
    # Codec floor per region: 95th percentile of the score on "quiet" frames, where no
    # planted facial event is active anywhere (the two encodes then differ only by codec
    # drift).  A region without enough quiet frames, or the eye that carries a resting
    # fissure narrowing, borrows the floor of the other eye.
    active = np.zeros(n, bool)
    for e, (a, b, bis) in zip(pl, spans):
        if e['kind'] != 'resting_fissure_narrowing':
            active[a:b] = True
    rest_bis = {box_keys.index(kmap['eye_' + sm[e['side']]]) for e in whole}
    floor = np.full(3, np.nan)
    for bi in range(3):
        q = score[~active, bi]
        if q.size >= 15 and bi not in rest_bis:
            floor[bi] = float(np.percentile(q, 95))
    for bi in (0, 1):
        if np.isnan(floor[bi]) and not np.isnan(floor[1 - bi]):
            floor[bi] = floor[1 - bi]
    for bi in range(3):
        if np.isnan(floor[bi]):
            ok = [f for f in floor if not np.isnan(f)]
            if ok:
                floor[bi] = min(ok)
            else:
                q = score[owners[:, bi] == 0, bi]
                floor[bi] = float(np.percentile(q, 95)) if q.size >= 10 else \
                    float(np.percentile(score[:, bi], 25))
    # the eye with a resting narrowing: its own level without other events
    rest_ref = {}
    for bi in rest_bis:
        q = score[~active, bi]
        if q.size < 5:
            q = score[owners[:, bi] == 0, bi]
        rest_ref[bi] = (float(np.median(q)), float(np.percentile(q, 95))) if q.size >= 5 else None
    for e, (a, b, bis) in zip(pl, spans):
        if e['kind'] == 'resting_fissure_narrowing':
            bi = box_keys.index(kmap['eye_' + sm[e['side']]])
            if rest_ref[bi] is None:
                sc = float(np.percentile(score[:, bi], 10))
                e['vis_note'] = 'no frame without other events; 10th percentile used'
            else:
                sc = rest_ref[bi][0]
            fl = floor[bi]
            e['vis_score'], e['vis_floor'] = round(sc, 2), round(fl, 2)
            e['visible'] = bool(sc >= max(VIS_ABS, VIS_REL * fl))
            continue
        a2 = int(max(0, math.floor(e['start_s'] * fps)))
        b2 = int(min(n, math.ceil(e['end_s'] * fps) + 1))
        best, bestfloor, overlap, ratio = 0.0, 0.0, False, -1.0
        for bi in bis:
            fr = np.arange(a2, b2)
            if fr.size == 0:
                continue
            alone = fr[owners[fr, bi] <= 1]
            if alone.size == 0:
                alone, overlap = fr, True
            sc = float(score[alone, bi].max())
            fl = floor[bi]
            need = max(VIS_ABS, VIS_REL * fl)
            if bi in rest_bis and rest_ref.get(bi) is not None:
                # on top of the resting narrowing: must exceed its level by a clear margin
                need = rest_ref[bi][1] + max(VIS_ABS, (VIS_REL - 1) * fl)
                fl = rest_ref[bi][1]
            rt = sc / need
            if rt > ratio:
                best, bestfloor, ratio = sc, fl, rt
        e['vis_score'] = round(best, 2)
        e['vis_floor'] = round(bestfloor, 2)
        e['visible'] = bool(ratio >= 1.0)
        if overlap:
            e['vis_overlap'] = True
    for e in events:
        if e['kind'] == 'head_turn':
            e['visible'] = True
            e['vis_note'] = 'head/camera motion; not compared'
    for e in cl['_natural']:
        e['visible'] = True
        e['vis_note'] = 'in the footage itself (not planted; not compared)'
    return score


# ----------------------------------------------------------------------------------------
def _worker(args):
    cl, out_dir, cache_dir, seed = args
    return render_clip(cl, out_dir, cache_dir, seed)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=9)
    ap.add_argument('--only', default='')
    ap.add_argument('--jobs', type=int, default=1)
    ap.add_argument('--cache', default=None, help='landmark cache dir (default OUT/_cache)')
    ap.add_argument('--keep-base', action='store_true',
                    help='keep the no-planted-event renders in OUT/_tmp (debugging)')
    args = ap.parse_args()
    global KEEP_BASE
    KEEP_BASE = args.keep_base
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    cache = args.cache or os.path.join(out, '_cache')
    t0 = time.time()
    plan = make_plan(args.seed)
    only = [s.strip() for s in args.only.split(',') if s.strip()]
    todo = [c for c in plan if not only or c['id'] in only]
    # group by source so that decoded footage is reused
    todo.sort(key=lambda c: (c['source'], c['id']))
    # landmarks first (shared by all workers)
    for name in sorted(set(c['source'] for c in todo)):
        get_source(name, cache)
    print('sources ready in %.1fs' % (time.time() - t0), flush=True)
    jobs = [(c, out, cache, args.seed) for c in todo]
    if args.jobs > 1:
        import multiprocessing as mpc
        with mpc.get_context('fork').Pool(args.jobs) as pool:
            recs = pool.map(_worker, jobs, chunksize=1)
    else:
        recs = [_worker(j) for j in jobs]
    tpath = os.path.join(out, 'truth.json')
    old = {}
    if only and os.path.exists(tpath):
        with open(tpath) as f:
            old = {r['id']: r for r in json.load(f)}
    for r in recs:
        r['seed'] = args.seed
        old[r['id']] = r
    truth = [old[k] for k in sorted(old)]
    with open(tpath, 'w') as f:
        json.dump(truth, f, indent=1)
    try:
        os.rmdir(os.path.join(out, '_tmp'))
    except OSError:
        pass
    el = time.time() - t0
    with open(os.path.join(out, 'render_log.json'), 'w') as f:
        json.dump(dict(seed=args.seed, only=only, jobs=args.jobs, clips=len(recs),
                       wall_s=round(el, 1), cpu_count=os.cpu_count(),
                       finished=time.strftime('%Y-%m-%d %H:%M:%S')), f, indent=1)
    print('rendered %d clips in %.1fs -> %s' % (len(recs), el, tpath))


if __name__ == '__main__':
    main()
