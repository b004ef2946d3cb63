#!/usr/bin/env python
"""Render blind evaluation set 8: 48 face videos with planted facial events.

Written blind: from the brief, /work/shared/knowledge-notes.md, /work/shared/seed/*.txt and the
media in /work/shared/media only (no project code, tests or earlier sets were looked at).

Usage:
    python make_clips.py --out /work/bv/set8 [--seed 0] [--only 3,17] [--no-check] [--jobs 1]

Every clip is made the same way:
  1. a base face: a still photo (single_face.jpg, the skimage astronaut, four faces cut out of
     multi_face.jpg) or a stretch of real footage (WolfgangLanger_Pexels.mp4, single_face.mp4,
     jefapato_2sec.mp4) played back and forth ("ping-pong") so that it lasts 12-25 s; maybe
     mirrored left-right;
  2. MediaPipe face-mesh landmarks (refine_landmarks=True) found on that base image / on every
     base frame;
  3. a timeline of planted events (blinks, spasms, expressions ...) turned into per-frame
     muscle "activations";
  4. per frame, the activations drive an image warp built from the landmarks: an eyelid
     occlusion map (the upper lid slides down over the eye, the lower lid rises) plus a smooth
     displacement field made of Gaussian handles (brows, cheeks, mouth corners, pucker, jaw,
     periocular squeeze, platysma, myokymic skin ripples), applied with cv2.remap;
  5. camera conditions: slow head drift, rotation and distance (zoom) change, lighting drift,
     sensor noise, then encoding (H.264 in .mp4 or VP9 in .webm) with PyAV.
truth.json gets one object per clip; with the check on, each event also gets "visible".
"""
import argparse
import hashlib
import json
import math
import os
import sys
import time
from fractions import Fraction

import numpy as np
import cv2
import av

MEDIA = '/work/shared/media'
CLASSES = ['normal', 'frequent_blinking', 'eyelid_myokymia', 'hemifacial_spasm',
           'blepharospasm', 'synkinesis']
N_PER_CLASS = 8

# ----------------------------------------------------------------------------------------------
# MediaPipe face-mesh landmark indices.  Set A is the mesh's "right eye" group, set B its "left
# eye" group; which one is on the image's left is decided from the iris x coordinates.
EYE_A = dict(c1=33, c2=133, upper=[246, 161, 160, 159, 158, 157, 173],
             lower=[7, 163, 144, 145, 153, 154, 155], brow_lo=[46, 53, 52, 65, 55],
             brow_up=[70, 63, 105, 66, 107], iris=468, corner=61, jaw=172)
EYE_B = dict(c1=263, c2=362, upper=[466, 388, 387, 386, 385, 384, 398],
             lower=[249, 390, 373, 374, 380, 381, 382], brow_lo=[276, 283, 282, 295, 285],
             brow_up=[300, 293, 334, 296, 336], iris=473, corner=291, jaw=397)
SEAM_PAIRS = [(78, 78), (191, 95), (80, 88), (81, 178), (82, 87), (13, 14), (312, 317),
              (311, 402), (310, 318), (415, 324), (308, 308)]

_FM = {}


def face_mesh(static=True):
    import mediapipe as mp
    key = bool(static)
    if key not in _FM:
        _FM[key] = mp.solutions.face_mesh.FaceMesh(static_image_mode=static, refine_landmarks=True,
                                                   max_num_faces=1, min_detection_confidence=0.3)
    return _FM[key]


def detect(img_bgr, upscale=1.0):
    """Landmarks (478, 2) in pixel coordinates of img_bgr, or None."""
    im = img_bgr
    if upscale != 1.0:
        im = cv2.resize(img_bgr, None, fx=upscale, fy=upscale, interpolation=cv2.INTER_CUBIC)
    h, w = im.shape[:2]
    r = face_mesh(True).process(cv2.cvtColor(im, cv2.COLOR_BGR2RGB))
    if not r.multi_face_landmarks:
        return None
    p = np.array([[l.x * w, l.y * h] for l in r.multi_face_landmarks[0].landmark], np.float64)
    return p / upscale


def unit(v):
    v = np.asarray(v, np.float64)
    return v / (np.linalg.norm(v) + 1e-9)


def smoothstep(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


# ----------------------------------------------------------------------------------------------
# Face geometry from landmarks
class Geom:
    def __init__(self, p):
        self.p = p
        ia, ib = p[468], p[473]
        sets = (EYE_A, EYE_B) if ia[0] <= ib[0] else (EYE_B, EYE_A)
        self.sets = sets
        il, ir = p[sets[0]['iris']], p[sets[1]['iris']]
        self.iod = float(np.linalg.norm(ir - il))
        ex = unit(ir - il)
        ey = np.array([-ex[1], ex[0]])
        self.ex, self.ey = ex, ey
        self.eyes = [self._eye(sets[k], k) for k in (0, 1)]
        # mouth
        c0, c1 = p[sets[0]['corner']], p[sets[1]['corner']]
        self.corners = [c0, c1]
        self.mc = (p[13] + p[14]) / 2
        self.mouth_halfw = float(np.linalg.norm(c1 - c0)) / 2
        mids = np.array([(p[a] + p[b]) / 2 for a, b in SEAM_PAIRS])
        rel = mids - self.mc
        sa, sb = rel @ ex, rel @ ey
        o = np.argsort(sa)
        self.seam_a, self.seam_b = sa[o], sb[o]
        self.chin = p[152]
        self.chin_b = float((p[152] - self.mc) @ ey)
        self.upper_lip = p[0]
        self.lower_lip = p[17]
        self.nasal_root = p[168]
        self.nose_tip = p[1]
        self.jaws = [p[sets[0]['jaw']], p[sets[1]['jaw']]]
        self.cheeks = [e['origin'] + 0.5 * self.iod * ey + (-1 if k == 0 else 1) * 0.06 * self.iod * ex
                       for k, e in enumerate(self.eyes)]
        x0, y0 = p[:, 0].min(), p[:, 1].min()
        x1, y1 = p[:, 0].max(), p[:, 1].max()
        self.bbox = (x0, y0, x1, y1)

    def _eye(self, s, k):
        p = self.p
        a, b = p[s['c1']], p[s['c2']]
        if a[0] > b[0]:
            a, b = b, a
        origin = (a + b) / 2
        ex = unit(b - a)
        ey = np.array([-ex[1], ex[0]])
        ew = float(np.linalg.norm(b - a))

        def curve(idx):
            pts = np.vstack([a, b, p[idx]]) - origin
            u, v = pts @ ex, pts @ ey
            o = np.argsort(u)
            return u[o], v[o]

        uu, vu = curve(s['upper'])
        ul, vl = curve(s['lower'])
        brow = p[s['brow_lo']] - origin
        vb = float(np.mean(brow @ ey))
        vuc = float(np.interp(0.0, uu, vu))
        h_up = float(np.clip(0.8 * (vuc - vb), 0.3 * ew, 0.9 * ew))
        browpts = np.vstack([p[s['brow_lo']], p[s['brow_up']]])
        # brow handles: medial, middle, lateral (ordered by distance to the face midline)
        bl = p[s['brow_lo']]
        mid_x = (p[468][0] + p[473][0]) / 2
        o = np.argsort(np.abs(bl[:, 0] - mid_x))
        brow3 = [bl[o[0]], bl[o[len(o) // 2]], bl[o[-1]]]
        return dict(origin=origin, ex=ex, ey=ey, ew=ew, uu=uu, vu=vu, ul=ul, vl=vl, h_up=h_up,
                    h_lo=0.5 * ew, browpts=browpts, brow3=brow3, iris=p[s['iris']])

    def lat(self, k):
        return -self.ex if k == 0 else self.ex


# ----------------------------------------------------------------------------------------------
# Warping
CH_SIDE = ['up', 'lo', 'brow_up', 'brow_down', 'cheek', 'corner', 'corner_down', 'squeeze',
           'neck', 'pucker']
CH_GLOBAL = ['jaw', 'gaze']


def eyelid_map(g, k, X, Y, up, lo, gaze, bumps):
    """Eyelid occlusion map for eye k evaluated at points (X, Y) (arrays, work coords).

    up/lo: upper-lid descent / lower-lid rise as fractions of the local lid gap.
    bumps: list of (lid, u0, amp) local lid-margin bumps (myokymia), u0 in [-1, 1] half widths.
    """
    e = g.eyes[k]
    dx, dy = X - e['origin'][0], Y - e['origin'][1]
    u = dx * e['ex'][0] + dy * e['ex'][1]
    v = dx * e['ey'][0] + dy * e['ey'][1]
    vu = np.interp(u, e['uu'], e['vu'])
    vl = np.interp(u, e['ul'], e['vl'])
    gap = np.maximum(vl - vu, 0.0)
    upv = np.full_like(u, up)
    lov = np.full_like(u, lo)
    sig = 0.16 * e['ew']
    for lid, u0, amp in bumps:
        bump = amp * np.exp(-(u - u0 * e['ew'] / 2) ** 2 / (2 * sig * sig))
        if lid == 'up':
            upv += bump
        else:
            lov += bump
    upv = np.clip(upv, 0, 1.0)
    lov = np.clip(lov, 0, 1.0)
    A = upv * gap
    B = lov * gap
    tot = upv + lov
    over = tot > 1.0
    if np.any(over):
        A = np.where(over, gap * upv / np.maximum(tot, 1e-6), A)
        B = np.where(over, gap - A, B)
    vu2 = vu + A
    vl2 = vl - B
    vtop = vu - e['h_up']
    vbot = vl + e['h_lo']
    nv = v.copy()
    m1 = (v >= vtop) & (v <= vu2) & (A > 1e-3)
    nv[m1] = (vtop + (v - vtop) * (vu - vtop) / np.maximum(vu2 - vtop, 1e-6))[m1]
    if gaze > 0:
        m2 = (v > vu2) & (v < vl2)
        nv[m2] = (v - gaze * 0.3 * gap)[m2]
    m3 = (v >= vl2) & (v <= vbot) & (B > 1e-3)
    nv[m3] = (vbot - (vbot - v) * (vbot - vl) / np.maximum(vbot - vl2, 1e-6))[m3]
    dv = nv - v
    return X + dv * e['ey'][0], Y + dv * e['ey'][1]


def build_handles(g, a, myok):
    """Gaussian handles (cx, cy, sigma, dx, dy) = forward displacement of the skin."""
    H = []
    iod = g.iod
    ey = g.ey
    for k in (0, 1):
        e = g.eyes[k]
        lat = g.lat(k)
        med = -lat
        v = a['brow_up'][k]
        if v > 1e-4:
            for bp in e['brow3']:
                H.append((bp[0], bp[1], 0.2 * iod, *(-v * iod * ey)))
            H.append((*(e['brow3'][1] - 0.35 * iod * ey), 0.3 * iod, *(-0.7 * v * iod * ey)))
        v = a['brow_down'][k]
        if v > 1e-4:
            w = [(1.0, 0.45), (0.6, 0.15), (0.3, 0.0)]  # (down, medial) for medial/middle/lateral
            for bp, (dn, md) in zip(e['brow3'], w):
                d = v * iod * (dn * ey + md * med)
                H.append((bp[0], bp[1], 0.17 * iod, d[0], d[1]))
            H.append((g.nasal_root[0], g.nasal_root[1], 0.15 * iod, *(0.35 * v * iod * ey)))
        v = a['cheek'][k]
        if v > 1e-4:
            c = g.cheeks[k]
            d = v * iod * (-ey + 0.15 * lat)
            H.append((c[0], c[1], 0.28 * iod, d[0], d[1]))
        v = a['corner'][k]
        if v > 1e-4:
            c = g.corners[k]
            d = v * iod * (0.55 * lat - 0.8 * ey)
            H.append((c[0], c[1], 0.22 * iod, d[0], d[1]))
            nl = 0.5 * (c + g.cheeks[k])
            H.append((nl[0], nl[1], 0.2 * iod, *(0.45 * d)))
        v = a['corner_down'][k]
        if v > 1e-4:
            c = g.corners[k]
            d = v * iod * (0.35 * lat + 0.9 * ey)
            H.append((c[0], c[1], 0.22 * iod, d[0], d[1]))
        v = a['pucker'][k]
        if v > 1e-4:
            c = g.corners[k]
            d = v * iod * (0.95 * med - 0.1 * ey)
            H.append((c[0], c[1], 0.18 * iod, d[0], d[1]))
        v = a['squeeze'][k]
        if v > 1e-4:
            o = e['origin']
            for ang in np.linspace(0, 2 * np.pi, 8, endpoint=False):
                dirv = math.cos(ang) * e['ex'] + math.sin(ang) * e['ey']
                rad = 0.42 * iod * (1.0 if abs(math.sin(ang)) < 0.7 else 0.85)
                c = o + rad * dirv
                d = -v * 0.055 * iod * dirv
                H.append((c[0], c[1], 0.16 * iod, d[0], d[1]))
        v = a['neck'][k]
        if v > 1e-4:
            c = g.jaws[k] + 0.35 * iod * ey + 0.1 * iod * med
            d = v * iod * (0.8 * ey + 0.25 * lat)
            H.append((c[0], c[1], 0.3 * iod, d[0], d[1]))
            c2 = g.corners[k]
            d2 = 0.45 * v * iod * (0.3 * lat + 0.9 * ey)
            H.append((c2[0], c2[1], 0.2 * iod, d2[0], d2[1]))
    for (k, lid, u0, am, ask) in myok:
        e = g.eyes[k]
        uu = u0 * e['ew'] / 2
        if lid == 'lo':
            vv = float(np.interp(uu, e['ul'], e['vl'])) + 0.12 * e['ew']
            dirv = -e['ey']
        else:
            vv = float(np.interp(uu, e['uu'], e['vu'])) - 0.12 * e['ew']
            dirv = e['ey']
        c = e['origin'] + uu * e['ex'] + vv * e['ey']
        d = ask * e['ew'] * (dirv + 0.25 * (e['ex'] if k == 0 else -e['ex']))
        H.append((c[0], c[1], 0.1 * e['ew'], d[0], d[1]))
    return H


def field(g, H, jawJ, X, Y):
    Dx = np.zeros_like(X)
    Dy = np.zeros_like(Y)
    for cx, cy, s, dx, dy in H:
        w = np.exp(-((X - cx) ** 2 + (Y - cy) ** 2) * (0.5 / (s * s)))
        Dx += dx * w
        Dy += dy * w
    if jawJ > 1e-3:
        rx, ry = X - g.mc[0], Y - g.mc[1]
        aa = rx * g.ex[0] + ry * g.ex[1]
        bb = rx * g.ey[0] + ry * g.ey[1]
        bs = np.interp(aa, g.seam_a, g.seam_b)
        ws = 0.06 * g.iod
        st = smoothstep((bb - bs) / ws + 0.5)
        fx = np.exp(-aa ** 2 / (2 * (0.8 * g.iod) ** 2))
        fn = 1 - smoothstep((bb - g.chin_b) / (0.45 * g.iod))
        m = jawJ * st * fx * fn
        Dx += m * g.ey[0]
        Dy += m * g.ey[1]
    return Dx, Dy


def roi_of(g, shape, extra_down=0.0):
    h, w = shape[:2]
    x0, y0, x1, y1 = g.bbox
    m = 0.3 * g.iod
    x0 = int(max(0, math.floor(x0 - m)))
    y0 = int(max(0, math.floor(y0 - m)))
    x1 = int(min(w, math.ceil(x1 + m)))
    y1 = int(min(h, math.ceil(y1 + m + extra_down * g.iod)))
    return x0, y0, x1, y1


def apply_events(img, g, a, myok):
    """Warp img (work coords) according to activations a (dict of arrays) and myokymia patches."""
    H = build_handles(g, a, myok)
    jawJ = float(a['jaw'][0]) * g.iod
    gaze = float(a['gaze'][0])
    bumps = [[], []]
    for (k, lid, u0, am, ask) in myok:
        bumps[k].append((lid, u0, am))
    need_e = [a['up'][k] > 1e-3 or a['lo'][k] > 1e-3 or gaze > 1e-3 or len(bumps[k]) > 0
              for k in (0, 1)]
    if not H and jawJ <= 1e-3 and not any(need_e):
        return img
    neck = max(a['neck'][0], a['neck'][1]) > 0
    x0, y0, x1, y1 = roi_of(g, img.shape, extra_down=0.9 if neck else 0.25)
    w, h = x1 - x0, y1 - y0
    xs = np.arange(x0, x1, dtype=np.float32)
    ys = np.arange(y0, y1, dtype=np.float32)
    mapx, mapy = np.meshgrid(xs, ys)
    if H or jawJ > 1e-3:
        st = max(2, int(round(g.iod / 14)))
        nx, ny = int(math.ceil(w / st)), int(math.ceil(h / st))
        cxs = x0 + (np.arange(nx) + 0.5) * st - 0.5
        cys = y0 + (np.arange(ny) + 0.5) * st - 0.5
        CX, CY = np.meshgrid(cxs, cys)
        Dx, Dy = field(g, H, jawJ, CX, CY)
        sx, sy = CX - Dx, CY - Dy
        for _ in range(2):
            Dx, Dy = field(g, H, jawJ, sx, sy)
            sx, sy = CX - Dx, CY - Dy
        Bx = cv2.resize((sx - CX).astype(np.float32), (nx * st, ny * st), interpolation=cv2.INTER_LINEAR)[:h, :w]
        By = cv2.resize((sy - CY).astype(np.float32), (nx * st, ny * st), interpolation=cv2.INTER_LINEAR)[:h, :w]
        mapx = mapx + Bx
        mapy = mapy + By
    for k in (0, 1):
        if not need_e[k]:
            continue
        e = g.eyes[k]
        o = e['origin']
        r = 0.8 * e['ew'] + 0.12 * g.iod
        top = e['h_up'] + 0.6 * e['ew'] + 0.1 * g.iod
        bot = e['h_lo'] + 0.5 * e['ew'] + 0.1 * g.iod
        ex0 = int(max(x0, o[0] - max(r, top, bot)))
        ex1 = int(min(x1, o[0] + max(r, top, bot) + 1))
        ey0 = int(max(y0, o[1] - top))
        ey1 = int(min(y1, o[1] + bot + 1))
        if ex1 <= ex0 or ey1 <= ey0:
            continue
        sub = (slice(ey0 - y0, ey1 - y0), slice(ex0 - x0, ex1 - x0))
        nxm, nym = eyelid_map(g, k, mapx[sub].astype(np.float64), mapy[sub].astype(np.float64),
                              float(a['up'][k]), float(a['lo'][k]), gaze, bumps[k])
        mapx[sub] = nxm
        mapy[sub] = nym
    out_roi = cv2.remap(img, mapx.astype(np.float32), mapy.astype(np.float32), cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_REFLECT101)
    if jawJ > 0.01 * g.iod:
        # mouth cavity: where the lower face pulled away from the lip seam, darken
        dmy = np.gradient(mapy, axis=0)
        rx, ry = mapx - g.mc[0], mapy - g.mc[1]
        aa = rx * g.ex[0] + ry * g.ex[1]
        mw = smoothstep((g.mouth_halfw * 0.95 - np.abs(aa)) / (0.12 * g.iod))
        d = np.clip((0.85 - dmy) / 0.5, 0, 1) * mw * 0.88
        sg = max(1.0, g.iod / 28)
        d = cv2.GaussianBlur(d.astype(np.float32), (0, 0), sg)
        if np.any(d > 0.01):
            d3 = d[..., None].astype(np.float32)
            dark = np.array([22, 14, 30], np.float32)
            out_roi = (out_roi.astype(np.float32) * (1 - d3) + dark * d3).astype(np.uint8)
    res = img.copy()
    res[y0:y1, x0:x1] = out_roi
    return res


# ----------------------------------------------------------------------------------------------
# Bases
STILLS = {
    'single_face.jpg': dict(kind='still'),
    'astronaut': dict(kind='still'),
    'multi_face.jpg:girl_blonde': dict(kind='multi', c=(365, 300)),
    'multi_face.jpg:boy_curly': dict(kind='multi', c=(478, 262)),
    'multi_face.jpg:girl_brunette': dict(kind='multi', c=(580, 360)),
    'multi_face.jpg:girl_redhead': dict(kind='multi', c=(738, 352)),
}
# footage stretches: (file, first frame, last frame inclusive); chosen (by a MediaPipe eye
# aspect ratio scan) to hold no natural blink and to have the eyes open and the face visible.
FOOTAGE = {
    'WolfgangLanger_Pexels.mp4:laugh': ('WolfgangLanger_Pexels.mp4', 291, 383),
    'WolfgangLanger_Pexels.mp4:smile': ('WolfgangLanger_Pexels.mp4', 251, 286),
    'WolfgangLanger_Pexels.mp4:tilt': ('WolfgangLanger_Pexels.mp4', 390, 422),
    'WolfgangLanger_Pexels.mp4:hand': ('WolfgangLanger_Pexels.mp4', 156, 199),
    'single_face.mp4': ('single_face.mp4', 31, 71),
    'jefapato_2sec.mp4': ('jefapato_2sec.mp4', 0, 29),
}
# footage stretches whose mouth is hidden by a hand: only eye-only classes use them
MOUTH_HIDDEN = {'WolfgangLanger_Pexels.mp4:hand'}

_SRC_CACHE = {}


def load_video_frames(fname):
    if fname not in _SRC_CACHE:
        c = av.open(os.path.join(MEDIA, fname))
        s = c.streams.video[0]
        fps = float(s.average_rate)
        fr = [f.to_ndarray(format='bgr24') for f in c.decode(video=0)]
        c.close()
        _SRC_CACHE[fname] = (fr, fps)
    return _SRC_CACHE[fname]


def still_image(name):
    if name == 'single_face.jpg':
        return cv2.imread(os.path.join(MEDIA, 'single_face.jpg'))
    if name == 'astronaut':
        from skimage import data
        return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    info = STILLS[name]
    multi = cv2.imread(os.path.join(MEDIA, 'multi_face.jpg'))
    cx, cy = info['c']
    S = 135
    x0, y0 = max(0, cx - S), max(0, cy - S)
    crop = multi[y0:cy + S, x0:cx + S]
    # work at 2x so that the warp has room; the original pixels are what they are
    return cv2.resize(crop, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)


class StillBase:
    def __init__(self, name, flip):
        img = still_image(name)
        if flip:
            img = cv2.flip(img, 1)
        up = 3.0 if STILLS[name]['kind'] == 'multi' else 1.5
        p = detect(img, upscale=up)
        if p is None:
            raise RuntimeError('no face found in still ' + name)
        self.img = img
        self.geom = Geom(p)
        self.fbox = self.geom.bbox
        self.src_fps = None

    def frame(self, t):
        return self.img, self.geom


class FootageBase:
    def __init__(self, name, flip, speed, phase):
        fname, a, b = FOOTAGE[name]
        frames, fps = load_video_frames(fname)
        seg = [frames[i] for i in range(a, b + 1)]
        if flip:
            seg = [cv2.flip(f, 1) for f in seg]
        key = (name, flip)
        if key not in _SRC_CACHE:
            up = 1.0 if seg[0].shape[1] >= 1280 else 1.5
            lms = [detect(f, upscale=up) for f in seg]
            good = [i for i, l in enumerate(lms) if l is not None]
            if not good:
                raise RuntimeError('no face in footage ' + name)
            arr = np.zeros((len(seg), 478, 2))
            for i in range(len(seg)):
                if lms[i] is not None:
                    arr[i] = lms[i]
                else:
                    j = min(good, key=lambda q: abs(q - i))
                    arr[i] = lms[j]
            # temporal smoothing of landmark jitter
            k = np.array([0.25, 0.5, 0.25])
            pad = np.concatenate([arr[:1], arr, arr[-1:]])
            arr = k[0] * pad[:-2] + k[1] * pad[1:-1] + k[2] * pad[2:]
            _SRC_CACHE[key] = arr
        self.lm = _SRC_CACHE[key]
        self.seg = seg
        self.src_fps = fps
        self.speed = speed
        self.phase = phase
        n = len(seg)
        self.geoms = [None] * n
        mins = self.lm.min(axis=1)
        maxs = self.lm.max(axis=1)
        self.fbox = (float(np.median(mins[:, 0])), float(np.median(mins[:, 1])),
                     float(np.median(maxs[:, 0])), float(np.median(maxs[:, 1])))
        self.geom = self._geom(0)

    def reframe(self, x0, y0, x1, y1, f):
        """Crop every frame to [x0:x1, y0:y1] and scale by f (work resolution near output)."""
        seg = [f_[y0:y1, x0:x1] for f_ in self.seg]
        if abs(f - 1.0) > 1e-3:
            seg = [cv2.resize(f_, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) for f_ in seg]
        self.seg = seg
        self.lm = (self.lm - np.array([x0, y0])) * f
        self.geoms = [None] * len(seg)
        b = self.fbox
        self.fbox = ((b[0] - x0) * f, (b[1] - y0) * f, (b[2] - x0) * f, (b[3] - y0) * f)
        self.geom = self._geom(0)

    def _geom(self, i):
        if self.geoms[i] is None:
            self.geoms[i] = Geom(self.lm[i])
        return self.geoms[i]

    def pos(self, t):
        n = len(self.seg)
        period = 2 * (n - 1)
        q = (t * self.src_fps * self.speed + self.phase) % period
        if q > n - 1:
            q = period - q
        return q

    def frame(self, t):
        q = self.pos(t)
        i0 = int(math.floor(q))
        f = q - i0
        n = len(self.seg)
        if f < 0.08 or i0 >= n - 1:
            return self.seg[i0], self._geom(i0)
        if f > 0.92:
            return self.seg[i0 + 1], self._geom(i0 + 1)
        img = cv2.addWeighted(self.seg[i0], 1 - f, self.seg[i0 + 1], f, 0)
        return img, Geom((1 - f) * self.lm[i0] + f * self.lm[i0 + 1])


# ----------------------------------------------------------------------------------------------
# Timeline: events are made of components; a component is a smooth pulse that adds gains to
# activation channels (or a myokymia skin/lid-margin patch).
class Comp:
    __slots__ = ('t0', 'rise', 'hold', 'fall', 'gains', 'mod', 'myok')

    def __init__(self, t0, rise, hold, fall, gains=None, mod=None, myok=None):
        self.t0, self.rise, self.hold, self.fall = t0, max(rise, 1e-3), max(hold, 0.0), max(fall, 1e-3)
        self.gains = gains or {}
        self.mod = mod
        self.myok = myok

    @property
    def t1(self):
        return self.t0 + self.rise + self.hold + self.fall

    def env(self, t):
        x = t - self.t0
        y = np.zeros_like(t)
        r, h, f = self.rise, self.hold, self.fall
        m = (x >= 0) & (x < r)
        y[m] = 0.5 - 0.5 * np.cos(np.pi * x[m] / r)
        m = (x >= r) & (x < r + h)
        y[m] = 1.0
        m = (x >= r + h) & (x < r + h + f)
        y[m] = 0.5 + 0.5 * np.cos(np.pi * (x[m] - r - h) / f)
        if self.mod is not None:
            depth, freqs, phases = self.mod
            mm = np.zeros_like(t)
            for fr, ph in zip(freqs, phases):
                mm += np.sin(2 * np.pi * fr * t + ph)
            mm = 0.5 + 0.5 * mm / len(freqs)
            y = y * (1 - depth * mm)
        return y


class Event:
    def __init__(self, kind, side, regions, comps, t0=None, t1=None, **extra):
        self.kind = kind
        self.side = side            # 0 = image left, 1 = image right, 'both', 'none'
        self.regions = regions
        self.comps = comps
        self.t0 = min(c.t0 for c in comps) if t0 is None else t0
        self.t1 = max(c.t1 for c in comps) if t1 is None else t1
        self.extra = extra


def G(**kw):
    """gains helper: G(up=(a, b)) or G(up_0=a)"""
    d = {}
    for key, v in kw.items():
        if isinstance(v, tuple):
            d[(key, 0)] = v[0]
            d[(key, 1)] = v[1]
        elif key.endswith('_0') or key.endswith('_1'):
            d[(key[:-2], int(key[-1]))] = v
        else:
            d[(key, 0)] = v
    return d


def sided(ch, k, v):
    return {(ch, k): v}


def merge(*ds):
    out = {}
    for d in ds:
        for k, v in d.items():
            out[k] = out.get(k, 0.0) + v
    return out


def tremor(rng, depth):
    return (depth, list(rng.uniform(4.0, 9.0, 3)), list(rng.uniform(0, 2 * np.pi, 3)))


# ---- ordinary events -------------------------------------------------------------------------
def ev_blink(rng, t0, amp=None):
    c, h, o = rng.uniform(0.06, 0.10), rng.uniform(0.02, 0.07), rng.uniform(0.12, 0.22)
    if amp is None:
        amp = rng.uniform(0.92, 1.0) if rng.random() > 0.15 else rng.uniform(0.55, 0.8)
    gains = G(up=(amp * rng.uniform(0.97, 1.0), amp * rng.uniform(0.97, 1.0)),
              lo=(0.07 * amp, 0.07 * amp))
    comps = [Comp(t0, c, h, o, gains)]
    return Event('blink', 'both', ['upper_lid', 'eye'], comps, amplitude=round(float(amp), 2))


def ev_smile(rng, t0, dur, wk=(1.0, 1.0), duchenne=None):
    r, f = rng.uniform(0.25, 0.5), rng.uniform(0.35, 0.7)
    h = max(0.3, dur - r - f)
    A = rng.uniform(0.06, 0.11)
    asym = rng.uniform(0.9, 1.1, 2)
    if duchenne is None:
        duchenne = rng.uniform(0.08, 0.2)
    gains = G(corner=(A * wk[0] * asym[0], A * wk[1] * asym[1]),
              cheek=(0.45 * A * wk[0] * asym[0], 0.45 * A * wk[1] * asym[1]),
              lo=(duchenne, duchenne), up=(0.3 * duchenne, 0.3 * duchenne))
    regions = ['mouth', 'cheek'] + (['lower_lid'] if duchenne >= 0.1 else [])
    return Event('smile', 'both', regions, [Comp(t0, r, h, f, gains)])


def ev_talking(rng, t0, dur):
    comps = []
    t = t0
    rate = rng.uniform(3.5, 5.5)
    amp = rng.uniform(0.05, 0.11)
    end = t0 + dur
    while t < end - 0.25:
        if rng.random() < 0.12:
            t += rng.uniform(0.25, 0.5)  # short pause between words
            continue
        r, h, f = rng.uniform(0.06, 0.1), rng.uniform(0.0, 0.05), rng.uniform(0.08, 0.13)
        a = amp * rng.uniform(0.4, 1.0)
        g = G(jaw=a)
        if rng.random() < 0.2:
            g.update(G(pucker=(0.35 * a, 0.35 * a)))
        comps.append(Comp(t, r, h, f, g))
        t += (1.0 / rate) * rng.uniform(0.8, 1.25)
    return Event('talking', 'both', ['mouth', 'chin'], comps)


def ev_yawn(rng, t0):
    r, h, f = rng.uniform(1.0, 1.6), rng.uniform(0.8, 2.0), rng.uniform(0.8, 1.2)
    J = rng.uniform(0.22, 0.38)
    comps = [Comp(t0, r, h, f, G(jaw=J, brow_up=(0.02, 0.02))),
             Comp(t0 + 0.5 * r, 0.5 * r, h, 0.7 * f,
                  G(up=(rng.uniform(0.35, 0.7),) * 2, lo=(0.2, 0.2), cheek=(0.03, 0.03)))]
    return Event('yawn', 'both', ['mouth', 'chin', 'eye', 'upper_lid'], comps)


def ev_glance(rng, t0, dur):
    r, f = rng.uniform(0.15, 0.25), rng.uniform(0.18, 0.3)
    h = max(0.3, dur - r - f)
    gz = rng.uniform(0.6, 1.0)
    u = rng.uniform(0.28, 0.45)
    comps = [Comp(t0, r, h, f, G(gaze=gz, up=(u, u)))]
    return Event('glance_down', 'both', ['upper_lid', 'eye'], comps)


def ev_brow_raise(rng, t0, dur, wk=(1.0, 1.0)):
    r, f = rng.uniform(0.2, 0.35), rng.uniform(0.3, 0.45)
    h = max(0.3, dur - r - f)
    A = rng.uniform(0.06, 0.1)
    comps = [Comp(t0, r, h, f, G(brow_up=(A * wk[0], A * wk[1])))]
    return Event('brow_raise', 'both', ['brow'], comps)


def ev_eye_closure(rng, t0, dur):
    r, f = rng.uniform(0.2, 0.3), rng.uniform(0.25, 0.35)
    h = max(0.4, dur - r - f)
    comps = [Comp(t0, r, h, f, G(up=(1.0, 1.0), lo=(0.12, 0.12)))]
    return Event('eye_closure', 'both', ['upper_lid', 'eye'], comps)


def ev_pucker(rng, t0, dur, wk=(1.0, 1.0)):
    r, f = rng.uniform(0.25, 0.35), rng.uniform(0.3, 0.4)
    h = max(0.3, dur - r - f)
    A = rng.uniform(0.07, 0.12)
    comps = [Comp(t0, r, h, f, G(pucker=(A * wk[0], A * wk[1])))]
    return Event('pucker', 'both', ['mouth'], comps)


# ---- scheduling helpers ----------------------------------------------------------------------
EYE_BLOCKING = {'clonic_twitch', 'tonic_spasm', 'forceful_closure', 'flutter', 'eye_closure',
                'yawn', 'glance_down'}


def busy_eye(events):
    """Spans where the eyes are already closing for another reason (no ordinary blink there)."""
    return [(e.t0, e.t1) for e in events if e.kind in EYE_BLOCKING]


def free(t, d, busy, margin):
    for a, b in busy:
        if t < b + margin and t + d > a - margin:
            return False
    return True


def schedule_blinks(rng, dur, rate, busy, cluster_p=0.0, t_start=0.3, **kw):
    """Ordinary blinks at `rate` per minute of the whole clip, put into the time the eyes are
    not busy with other events; blink-to-blink spacing is irregular (jittered)."""
    margin, need = 0.12, 0.4
    lo, hi = t_start, dur - 0.45
    ivs = sorted((a - margin, b + margin) for a, b in busy)
    merged = []
    for a, b in ivs:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    frees = []
    cur = lo
    for a, b in merged:
        if a > cur:
            frees.append((cur, min(a, hi)))
        cur = max(cur, b)
    if cur < hi:
        frees.append((cur, hi))
    frees = [(a, b) for a, b in frees if b - a >= need]
    L = sum(b - a - need for a, b in frees)
    n = int(round(rate * dur / 60.0))
    if n <= 0 or L <= 0:
        return []
    # blink "units": single blinks, or double/triple blinks when cluster_p > 0
    sizes = []
    while sum(sizes) < n:
        sizes.append(int(rng.integers(2, 4)) if (cluster_p and rng.random() < cluster_p) else 1)
    if sum(sizes) > n:
        sizes[-1] -= sum(sizes) - n
    sizes = [z for z in sizes if z > 0]
    nu = len(sizes)
    min_sp = 0.5
    m = L / nu
    if m < min_sp:
        nu = max(1, int(L / min_sp))
        sizes = sizes[:nu]
        m = L / nu
    off = rng.uniform(0, 1.0) * min(m, 2.0) * 0.5
    xs = [off + i * m + rng.uniform(0, max(m - min_sp, 0.0)) for i in range(nu)]

    def to_time(x):
        for a, b in frees:
            ln = b - a - need
            if x <= ln:
                return a + x, b
            x -= ln
        return None, None

    evs = []
    for j, (x, z) in enumerate(zip(xs, sizes)):
        if x >= L:
            continue
        t, b_end = to_time(x)
        if t is None:
            continue
        e = ev_blink(rng, t, **kw)
        evs.append(e)
        tn = e.t1
        nxt = to_time(xs[j + 1])[0] if j + 1 < len(xs) and xs[j + 1] < L else dur
        for _ in range(z - 1):
            # double / triple blink: the next blink starts right after the lids reopen
            t2 = tn + rng.uniform(0.06, 0.2)
            if t2 + need < min(b_end + 0.1, nxt - 0.1, dur - 0.3):
                e2 = ev_blink(rng, t2, **kw)
                evs.append(e2)
                tn = e2.t1
    return evs


def sequential(rng, dur, items, t_start=0.6, gap=(0.6, 2.0), t_end_margin=0.5):
    """items: list of (callable(t0) -> list[Event] or Event, nominal duration). Places them one
    after the other with random gaps, scaled to fit in the clip."""
    total = sum(d for _, d in items)
    room = dur - t_start - t_end_margin - total
    n = len(items)
    gaps = rng.uniform(*gap, n)
    if room < gaps.sum():
        gaps = gaps * max(room, 0.2 * n) / gaps.sum()
    else:
        gaps = gaps + (room - gaps.sum()) * rng.dirichlet(np.ones(n))
    out = []
    t = t_start
    for (fn, d), gp in zip(items, gaps):
        t += gp * rng.uniform(0.6, 1.0) if out else gp * rng.uniform(0.2, 0.6)
        r = fn(t)
        r = r if isinstance(r, list) else [r]
        out.extend(r)
        t = max(e.t1 for e in r) if r else t + d
    return [e for e in out if e.t1 < dur - 0.15]


def ordinary_item(rng, kind, wk=(1.0, 1.0)):
    if kind == 'smile':
        d = rng.uniform(1.8, 4.0)
        return (lambda t, d=d: ev_smile(rng, t, d, wk=wk), d)
    if kind == 'talking':
        d = rng.uniform(2.0, 5.0)
        return (lambda t, d=d: ev_talking(rng, t, d), d)
    if kind == 'glance_down':
        d = rng.uniform(1.0, 3.0)
        return (lambda t, d=d: ev_glance(rng, t, d), d)
    if kind == 'yawn':
        return (lambda t: ev_yawn(rng, t), 4.5)
    if kind == 'brow_raise':
        d = rng.uniform(1.0, 2.0)
        return (lambda t, d=d: ev_brow_raise(rng, t, d, wk=wk), d)
    if kind == 'eye_closure':
        d = rng.uniform(1.0, 2.0)
        return (lambda t, d=d: ev_eye_closure(rng, t, d), d)
    if kind == 'pucker':
        d = rng.uniform(1.2, 2.4)
        return (lambda t, d=d: ev_pucker(rng, t, d, wk=wk), d)
    raise ValueError(kind)


def pick_ordinary(rng, n, mouth_ok=True, allow=('smile', 'talking', 'glance_down')):
    kinds = [k for k in allow if mouth_ok or k not in ('smile', 'talking', 'yawn', 'pucker')]
    if not kinds:
        kinds = ['glance_down']
    return [kinds[int(rng.integers(len(kinds)))] for _ in range(n)]


# ---- disorder generators ---------------------------------------------------------------------
def gen_normal(rng, dur, sev, k, mouth_ok):
    pool = ['smile', 'smile', 'talking', 'talking', 'glance_down', 'brow_raise', 'eye_closure',
            'pucker']
    if not mouth_ok:
        pool = ['glance_down', 'glance_down', 'brow_raise', 'eye_closure']
    n = int(rng.integers(3, 6))
    kinds = [pool[int(rng.integers(len(pool)))] for _ in range(n)]
    if mouth_ok and rng.random() < 0.35:
        kinds[int(rng.integers(n))] = 'yawn'
    if mouth_ok and 'smile' not in kinds:
        kinds[0] = 'smile'
    rng.shuffle(kinds)
    evs = sequential(rng, dur, [ordinary_item(rng, kd) for kd in kinds], gap=(0.8, 3.0))
    rate = rng.uniform(10, 20)
    evs += schedule_blinks(rng, dur, rate, busy_eye(evs))
    return evs, {}


def gen_frequent(rng, dur, sev, k, mouth_ok):
    n = int(rng.integers(1, 4))
    kinds = pick_ordinary(rng, n, mouth_ok)
    evs = sequential(rng, dur, [ordinary_item(rng, kd) for kd in kinds], gap=(1.5, 5.0))
    rate = rng.uniform(32, 42) if sev == 'mild' else rng.uniform(45, 62)
    evs += schedule_blinks(rng, dur, rate, busy_eye(evs), cluster_p=rng.uniform(0.1, 0.3))
    return evs, {}


def myok_episode(rng, t0, t1, k, lids, amp_m, amp_s):
    comps = []
    for lid in lids:
        n_units = int(rng.integers(1, 4))
        for _ in range(n_units):
            u0 = rng.uniform(-0.6, 0.6)
            f = rng.uniform(3.0, 8.0)
            t = t0 + rng.uniform(0, 1.0 / f)
            while t < t1:
                env_ramp = min(1.0, (t - t0) / 0.3, (t1 - t) / 0.3 + 0.3)
                a = rng.uniform(0.65, 1.0) * max(env_ramp, 0.3)
                comps.append(Comp(t, rng.uniform(0.02, 0.035), 0.0, rng.uniform(0.07, 0.12),
                                  myok=(k, lid, u0 + rng.normal(0, 0.05), amp_m * a, amp_s * a)))
                t += (1.0 / f) * rng.uniform(0.75, 1.3)
    regions = ['lower_lid' if l == 'lo' else 'upper_lid' for l in lids]
    return Event('flicker', k, regions, comps, t0=t0, t1=t1,
                 rate_hz_range=[3, 8])


def gen_myokymia(rng, dur, sev, k, mouth_ok, lid_choice='lo'):
    lids = {'lo': ['lo'], 'up': ['up'], 'both': ['lo', 'up']}[lid_choice]
    if sev == 'mild':
        amp_m, amp_s = rng.uniform(0.09, 0.14), rng.uniform(0.018, 0.028)
    else:
        amp_m, amp_s = rng.uniform(0.18, 0.28), rng.uniform(0.035, 0.055)
    evs = []
    if rng.random() < 0.25:
        t0 = rng.uniform(0.5, 2.0)
        t1 = dur - rng.uniform(0.5, 2.5)
        evs.append(myok_episode(rng, t0, t1, k, lids, amp_m, amp_s))
    else:
        t = rng.uniform(0.6, 2.5)
        while t < dur - 2.0:
            d = rng.uniform(1.5, 6.0)
            t1 = min(t + d, dur - 0.5)
            evs.append(myok_episode(rng, t, t1, k, lids, amp_m, amp_s))
            t = t1 + rng.uniform(1.0, 5.0)
    n = int(rng.integers(0, 3))
    kinds = pick_ordinary(rng, n, mouth_ok)
    evs += sequential(rng, dur, [ordinary_item(rng, kd) for kd in kinds], gap=(2.0, 6.0))
    evs += schedule_blinks(rng, dur, rng.uniform(10, 20), busy_eye(evs))
    return evs, {'myokymia_lids': ['lower_lid' if l == 'lo' else 'upper_lid' for l in lids]}


def hfs_twitch(rng, t0, k, P):
    r, h, f = rng.uniform(0.03, 0.06), rng.uniform(0.0, 0.06), rng.uniform(0.08, 0.2)
    s = rng.uniform(0.6, 1.0)
    up = P['tw_up'] * s
    lo = P['tw_lo'] * s
    g = merge(sided('up', k, up), sided('lo', k, lo), sided('squeeze', k, 0.4 * s),
              sided('cheek', k, P['tw_cheek'] * s))
    regions = ['lower_lid', 'eye'] + (['upper_lid'] if up >= 0.2 else []) + ['cheek']
    comps = [Comp(t0, r, h, f, g)]
    if P['spread'] and rng.random() < P['tw_mouth_p']:
        dl = rng.uniform(0.02, 0.08)
        comps.append(Comp(t0 + dl, r, h, f, sided('corner', k, P['tw_corner'] * s)))
        regions.append('mouth')
    return Event('clonic_twitch', k, regions, comps)


def hfs_tonic(rng, t0, hold, k, P):
    r, f = rng.uniform(0.15, 0.35), rng.uniform(0.3, 0.7)
    up = P['to_up']
    g_eye = merge(sided('up', k, up), sided('lo', k, P['to_lo']))
    g_sq = merge(sided('squeeze', k, rng.uniform(0.5, 0.9)), sided('cheek', k, P['to_cheek']))
    comps = [Comp(t0, r, hold, f, g_eye, mod=tremor(rng, rng.uniform(0.05, 0.15))),
             Comp(t0, r, hold, f, g_sq, mod=tremor(rng, rng.uniform(0.1, 0.25)))]
    regions = ['upper_lid', 'lower_lid', 'eye', 'cheek']
    if P['spread']:
        dl = rng.uniform(0.08, 0.25)
        comps.append(Comp(t0 + dl, r, max(hold - dl, 0.1), f, sided('corner', k, P['to_corner']),
                          mod=tremor(rng, rng.uniform(0.1, 0.25))))
        regions.append('mouth')
    if P['babinski']:
        comps.append(Comp(t0 + rng.uniform(0.0, 0.1), r, hold, f, sided('brow_up', k, P['to_brow'])))
        regions.append('brow')
    if P['neck']:
        comps.append(Comp(t0 + rng.uniform(0.1, 0.3), r, max(hold - 0.2, 0.1), f,
                          sided('neck', k, rng.uniform(0.04, 0.07))))
        regions += ['neck', 'chin']
    return Event('tonic_spasm', k, regions, comps)


def gen_hfs(rng, dur, sev, k, mouth_ok, grade=2):
    P = dict(spread=grade >= 2, babinski=grade >= 2 and rng.random() < 0.86,
             neck=grade >= 3 and rng.random() < 0.5)
    if grade == 1:
        P.update(tw_up=rng.uniform(0.1, 0.3), tw_lo=rng.uniform(0.3, 0.5), tw_cheek=0.015,
                 to_up=rng.uniform(0.45, 0.65), to_lo=rng.uniform(0.35, 0.5), to_cheek=0.02)
    else:
        P.update(tw_up=rng.uniform(0.25, 0.6), tw_lo=rng.uniform(0.35, 0.6),
                 tw_cheek=rng.uniform(0.02, 0.04), tw_corner=rng.uniform(0.025, 0.05),
                 tw_mouth_p=0.5 if grade == 2 else 0.8,
                 to_up=rng.uniform(0.8, 1.0) if grade == 2 else 1.0,
                 to_lo=rng.uniform(0.4, 0.6), to_cheek=rng.uniform(0.05, 0.09),
                 to_corner=rng.uniform(0.05, 0.09) if grade == 2 else rng.uniform(0.09, 0.13),
                 to_brow=rng.uniform(0.03, 0.06))
    evs = []
    t = rng.uniform(0.5, 2.0)
    n_tonic = {1: int(rng.integers(0, 2)), 2: int(rng.integers(1, 4)), 3: int(rng.integers(3, 6))}[grade]
    # build a sequence of bouts: clonic runs (some ending in a tonic spasm) and quiet spells
    tonic_left = n_tonic
    tonic_budget = {1: 0.08, 2: 0.2, 3: 0.35}[grade] * dur
    n_bouts = 0
    while t < dur - 1.0:
        n_tw = int(rng.integers(2, 9 if grade > 1 else 7))
        for _ in range(n_tw):
            e = hfs_twitch(rng, t, k, P)
            if e.t1 > dur - 0.3:
                break
            evs.append(e)
            t = e.t1 + rng.uniform(0.03, 0.35)
        n_bouts += 1
        remaining = dur - t
        if tonic_left > 0 and remaining > 2.0 and tonic_budget > 0.8 and (rng.random() < 0.6 or remaining < 6):
            hold = rng.uniform(0.8, 1.3) if grade == 1 else (rng.uniform(1.0, 3.0) if grade == 2 else rng.uniform(1.8, 4.5))
            hold = min(hold, remaining - 1.2, tonic_budget)
            tonic_budget -= hold + 0.5
            e = hfs_tonic(rng, t + rng.uniform(0.0, 0.2), hold, k, P)
            evs.append(e)
            tonic_left -= 1
            t = e.t1
            # clonic after-twitches
            for _ in range(int(rng.integers(0, 4))):
                e = hfs_twitch(rng, t + rng.uniform(0.05, 0.3), k, P)
                if e.t1 > dur - 0.3:
                    break
                evs.append(e)
                t = e.t1
        quiet = rng.uniform(1.0, 4.0) if grade > 1 else rng.uniform(1.5, 5.0)
        t += quiet
    # ordinary voluntary expressions in the quiet spells (HFS can be triggered by them)
    busy = [(e.t0, e.t1) for e in evs]
    n = int(rng.integers(1, 3)) if mouth_ok else 0
    for kd in pick_ordinary(rng, n, mouth_ok, allow=('smile', 'talking')):
        fn, d = ordinary_item(rng, kd)
        for _ in range(40):
            t0 = rng.uniform(0.3, dur - d - 0.5)
            if free(t0, d, busy, 0.1):
                e = fn(t0)
                e = e if isinstance(e, list) else [e]
                evs += e
                busy.append((t0, t0 + d))
                break
    evs += schedule_blinks(rng, dur, rng.uniform(10, 20), busy_eye(evs))
    return evs, {'hfs_grade_smc': grade, 'babinski2': bool(P['babinski'])}


def bsp_flutter(rng, t0, asym):
    n = int(rng.integers(3, 7))
    rate = rng.uniform(5.0, 8.0)
    comps = []
    t = t0
    for _ in range(n):
        a = rng.uniform(0.4, 0.75)
        comps.append(Comp(t, rng.uniform(0.04, 0.06), rng.uniform(0.0, 0.03), rng.uniform(0.06, 0.1),
                          G(up=(a * asym[0], a * asym[1]), lo=(0.15 * a, 0.15 * a))))
        t += (1.0 / rate) * rng.uniform(0.85, 1.15)
    return Event('flutter', 'both', ['upper_lid', 'eye'], comps)


def bsp_closure(rng, t0, hold, asym, P):
    r, f = rng.uniform(0.1, 0.2), rng.uniform(0.2, 0.45)
    lo = P['lo']
    comps = [Comp(t0, r, hold, f, G(up=(1.0, 1.0), lo=(lo * asym[0], lo * asym[1]))),
             Comp(t0 + rng.uniform(0.0, 0.05), r, hold, f,
                  G(squeeze=(P['sq'] * asym[0], P['sq'] * asym[1]),
                    brow_down=(P['brow'] * asym[0], P['brow'] * asym[1]),
                    cheek=(P['cheek'] * asym[0], P['cheek'] * asym[1])),
                  mod=tremor(rng, rng.uniform(0.1, 0.3)))]
    regions = ['upper_lid', 'lower_lid', 'eye', 'brow', 'nose', 'cheek']
    if P['meige'] and rng.random() < 0.7:
        comps.append(Comp(t0 + rng.uniform(0.05, 0.3), r, max(hold - 0.2, 0.2), f,
                          G(corner_down=(P['md'],) * 2, jaw=rng.uniform(0.02, 0.05)),
                          mod=tremor(rng, 0.3)))
        regions += ['mouth', 'chin']
    return Event('forceful_closure', 'both', regions, comps)


def gen_bsp(rng, dur, sev, k, mouth_ok):
    marked = sev == 'marked'
    P = dict(lo=rng.uniform(0.3, 0.4) if not marked else rng.uniform(0.45, 0.6),
             sq=rng.uniform(0.4, 0.7) if not marked else rng.uniform(0.8, 1.0),
             brow=rng.uniform(0.025, 0.045) if not marked else rng.uniform(0.05, 0.08),
             cheek=rng.uniform(0.02, 0.035) if not marked else rng.uniform(0.04, 0.06),
             meige=marked and mouth_ok and rng.random() < 0.5, md=rng.uniform(0.03, 0.05))
    asym = rng.uniform(0.9, 1.0, 2)
    # share of the clip with the eyes shut in spasm: mild = eyelid spasms < 1-2 s now and then;
    # marked = spasms > 1 s but eyes still open more than half the time (JRS frequency 3)
    closed_frac = rng.uniform(0.04, 0.12) if not marked else rng.uniform(0.18, 0.32)
    budget = closed_frac * dur
    items = []
    while budget > 0.3:
        hold = rng.uniform(0.5, 1.6) if not marked else rng.uniform(1.2, 4.5)
        hold = min(hold, max(0.5, budget - 0.4))
        items.append((lambda t, h=hold: bsp_closure(rng, t, h, asym, P), hold + 0.5))
        budget -= hold + 0.4
    n_fl = int(rng.integers(2, 6)) if not marked else int(rng.integers(1, 4))
    for _ in range(n_fl):
        items.append((lambda t: bsp_flutter(rng, t, asym), 0.9))
    rng.shuffle(items)
    evs = sequential(rng, dur, items, gap=(1.0, 4.0) if not marked else (0.8, 3.0))
    n = int(rng.integers(0, 2))
    busy = [(e.t0, e.t1) for e in evs]
    for kd in pick_ordinary(rng, n, mouth_ok, allow=('talking', 'smile')):
        fn, d = ordinary_item(rng, kd)
        for _ in range(40):
            t0 = rng.uniform(0.3, max(0.4, dur - d - 0.5))
            if free(t0, d, busy, 0.1):
                e = fn(t0)
                evs += e if isinstance(e, list) else [e]
                busy.append((t0, t0 + d))
                break
    # blink rate at rest > 27/min (Bentivoglio 2006 cut-off), counted over the whole clip
    rate = rng.uniform(28, 36) if not marked else rng.uniform(32, 45)
    evs += schedule_blinks(rng, dur, rate, busy_eye(evs), cluster_p=0.15)
    return evs, {'closed_in_spasm_share': round(float(closed_frac), 2),
                 'meige_spread': bool(P['meige'])}


def gen_synkinesis(rng, dur, sev, k, mouth_ok):
    marked = sev == 'marked'
    ko = 1 - k
    weak = rng.uniform(0.55, 0.85)
    wk = [1.0, 1.0]
    wk[k] = weak
    wk = tuple(wk)
    narrow = rng.uniform(0.25, 0.45) if not marked else rng.uniform(0.55, 0.9)
    lift = rng.uniform(0.025, 0.045) if not marked else rng.uniform(0.05, 0.09)
    rest_up = rng.uniform(0.06, 0.12) if not marked else rng.uniform(0.15, 0.28)
    rest = {('up', k): rest_up, ('lo', k): 0.4 * rest_up}

    def with_narrow(base_fn):
        def f(t):
            e = base_fn(t)
            e = e if isinstance(e, list) else [e]
            main = e[0]
            dl = rng.uniform(0.0, 0.08)
            c0 = main.comps[0]
            comps = [Comp(main.t0 + dl, c0.rise, max(main.t1 - main.t0 - c0.rise - c0.fall - dl, 0.1), c0.fall,
                          merge(sided('up', k, narrow), sided('lo', k, 0.45 * narrow),
                                sided('cheek', k, 0.015)))]
            s = Event('eye_narrowing', k, ['upper_lid', 'lower_lid', 'eye'], comps,
                      synkinetic=True, trigger=main.kind)
            return e + [s]
        return f

    def with_lift(base_fn):
        def f(t):
            e = base_fn(t)
            e = e if isinstance(e, list) else [e]
            main = e[0]
            dl = rng.uniform(0.0, 0.1)
            c0 = main.comps[0]
            comps = [Comp(main.t0 + dl, c0.rise, max(main.t1 - main.t0 - c0.rise - c0.fall - dl, 0.1), c0.fall,
                          merge(sided('corner', k, lift), sided('cheek', k, 0.3 * lift)))]
            regions = ['mouth', 'cheek']
            if marked and rng.random() < 0.5:
                comps.append(Comp(main.t0 + dl, c0.rise, 0.5, c0.fall, sided('neck', k, 0.03)))
                regions += ['chin', 'neck']
            s = Event('mouth_corner_lift', k, regions, comps, synkinetic=True, trigger=main.kind)
            return e + [s]
        return f

    kinds = ['smile', 'smile', 'pucker', 'eye_closure', 'brow_raise']
    if rng.random() < 0.5:
        kinds.append(['smile', 'pucker', 'eye_closure'][int(rng.integers(3))])
    if rng.random() < 0.5:
        kinds.append('talking')
    rng.shuffle(kinds)
    items = []
    for kd in kinds:
        fn, d = ordinary_item(rng, kd, wk=wk)
        if kd in ('smile', 'pucker'):
            fn = with_narrow(fn)
        elif kd == 'talking':
            if marked:
                fn = with_narrow(fn)
        elif kd in ('eye_closure', 'brow_raise'):
            fn = with_lift(fn)
        items.append((fn, d))
    evs = sequential(rng, dur, items, gap=(0.7, 2.2))
    blinks = schedule_blinks(rng, dur, rng.uniform(10, 20), busy_eye(evs))
    evs += blinks
    if marked:
        # ocular-oral synkinesis with spontaneous blinks: a small corner twitch on the affected side
        for b in blinks:
            if rng.random() < 0.7:
                c = b.comps[0]
                evs.append(Event('mouth_corner_lift', k, ['mouth'],
                                 [Comp(c.t0 + 0.02, c.rise, c.hold, c.fall,
                                       sided('corner', k, 0.4 * lift))], synkinetic=True,
                                 trigger='blink'))
    return evs, {'rest': rest, 'rest_fissure_narrowing': round(float(rest_up), 3),
                 'weak_side_movement_factor': round(float(weak), 2)}


GENERATORS = dict(normal=gen_normal, frequent_blinking=gen_frequent,
                  eyelid_myokymia=gen_myokymia, hemifacial_spasm=gen_hfs,
                  blepharospasm=gen_bsp, synkinesis=gen_synkinesis)

# ----------------------------------------------------------------------------------------------
# Plan
RES_STILL = {
    'single_face.jpg': [(640, 480), (480, 360), (640, 360), (854, 480), (960, 540), (480, 640), (360, 640)],
    'astronaut': [(640, 480), (480, 360), (640, 360), (320, 240), (480, 640), (854, 480)],
    'multi': [(320, 240), (480, 360), (640, 360), (240, 320), (360, 480), (424, 240)],
}
RES_FOOT = {
    'WolfgangLanger_Pexels.mp4': [(640, 360), (854, 480), (480, 360), (320, 240), (360, 480)],
    'single_face.mp4': [(640, 360), (480, 360), (320, 240), (854, 480)],
    'jefapato_2sec.mp4': [(1280, 720), (960, 540), (640, 360), (720, 1280), (480, 640)],
}
FPS_CHOICES = [24, 25, 30, 30, 30, Fraction(30000, 1001), 50, 60]


def make_plan(seed):
    rng = np.random.default_rng(np.random.SeedSequence([seed, 8008]))
    stills = list(STILLS.keys())
    foot = list(FOOTAGE.keys())
    clips = []
    still_cycle = []
    foot_cycle = []
    for ci, cls in enumerate(CLASSES):
        sevs = ['mild'] * 4 + ['marked'] * 4
        rng.shuffle(sevs)
        sides = [0] * 4 + [1] * 4
        rng.shuffle(sides)
        n_foot = 3
        for j in range(N_PER_CLASS):
            is_foot = j < n_foot
            if is_foot:
                if not foot_cycle:
                    foot_cycle = list(rng.permutation(foot))
                # eye-only classes may use the hand-over-mouth stretch
                cands = [f for f in foot_cycle if cls in ('frequent_blinking', 'eyelid_myokymia', 'blepharospasm')
                         or f not in MOUTH_HIDDEN]
                if not cands:
                    foot_cycle = [f for f in rng.permutation(foot) if f not in MOUTH_HIDDEN]
                    cands = foot_cycle
                name = cands[0]
                foot_cycle.remove(name)
            else:
                if not still_cycle:
                    still_cycle = list(rng.permutation(stills + ['single_face.jpg', 'astronaut']))
                cands = still_cycle
                if cls == 'eyelid_myokymia':
                    # a clinician films a twitching lid from close by: no tiny group-photo faces
                    cands = [s_ for s_ in still_cycle if STILLS[s_]['kind'] != 'multi']
                    if not cands:
                        cands = [str(rng.choice(['single_face.jpg', 'astronaut']))]
                        still_cycle.append(cands[0])
                name = cands[0]
                still_cycle.remove(name)
            clips.append(dict(cls=cls, base=name, footage=is_foot, sev=sevs[j], k=sides[j],
                              flip=bool(rng.random() < 0.45)))
    order = rng.permutation(len(clips))
    clips = [clips[i] for i in order]
    # myokymia lid choice: 6 lower, 1 upper, 1 both; HFS grades: 2x I, 4x II, 2x III
    lid_pool = list(rng.permutation(['lo'] * 6 + ['up', 'both']))
    grade_pool = list(rng.permutation([1, 1, 2, 2, 2, 2, 3, 3]))
    webm_idx = set(int(i) for i in rng.choice(len(clips), 8, replace=False))
    for i, c in enumerate(clips):
        c['id'] = 'v8_%03d' % (i + 1)
        c['clip_seed'] = int(rng.integers(2 ** 31))
        if c['footage']:
            src = FOOTAGE[c['base']][0]
            opts = RES_FOOT[src]
        else:
            opts = RES_STILL['multi' if STILLS[c['base']]['kind'] == 'multi' else c['base']]
        c['res'] = tuple(int(v) for v in opts[int(rng.integers(len(opts)))])
        c['fps'] = FPS_CHOICES[int(rng.integers(len(FPS_CHOICES)))]
        lo, hi = {'synkinesis': (17, 25), 'hemifacial_spasm': (15, 25)}.get(c['cls'], (12, 22))
        c['dur'] = float(rng.uniform(lo, hi))
        c['webm'] = i in webm_idx
        c['crf'] = int(rng.integers(18, 27))
        if c['cls'] == 'eyelid_myokymia':
            c['lid'] = str(lid_pool.pop())
        if c['cls'] == 'hemifacial_spasm':
            c['grade'] = int(grade_pool.pop())
            c['sev'] = {1: 'mild', 2: 'moderate', 3: 'marked'}[c['grade']]
        if c['cls'] in ('normal', 'frequent_blinking', 'blepharospasm'):
            c['k'] = None
    return clips


def split_of(ids_by_class):
    out = {}
    for cls, ids in ids_by_class.items():
        s = sorted(ids, key=lambda x: hashlib.sha256(x.encode()).hexdigest())
        for i, x in enumerate(s):
            out[x] = 'dev' if i < len(s) // 2 else 'locked'
    return out


# ----------------------------------------------------------------------------------------------
# Camera conditions
def camera_setup(rng, base, W, H, footage, min_iod=30.0):
    x0, y0, x1, y1 = base.fbox
    fw, fh = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 + 0.05 * fh
    img = base.seg[0] if footage else base.img
    ih, iw = img.shape[:2]
    frac = rng.uniform(0.35, 0.65)
    win_h = fh / frac
    win_w = win_h * W / H
    # the face must not end up too small to film the eyes (inter-ocular distance in output px)
    iod_out = base.geom.iod * W / win_w
    if iod_out < min_iod:
        z = min(min_iod / iod_out, 0.9 / frac)
        if fw * z > 0.9 * win_w:
            z = max(1.0, 0.9 * win_w / fw)
        win_w, win_h = win_w / z, win_h / z
    sc = min(1.0, iw / win_w, ih / win_h)
    win_w, win_h = win_w * sc, win_h * sc
    cx += rng.uniform(-0.06, 0.06) * win_w
    cy += rng.uniform(-0.04, 0.04) * win_h
    cx = float(np.clip(cx, win_w / 2, iw - win_w / 2))
    cy = float(np.clip(cy, win_h / 2, ih - win_h / 2))
    s = W / win_w
    M0 = np.array([[s, 0, W / 2 - s * cx], [0, s, H / 2 - s * cy], [0, 0, 1]])
    fc = M0 @ np.array([(x0 + x1) / 2, (y0 + y1) / 2, 1])
    amp = 0.35 if footage else 1.0
    cam = dict(
        M0=M0, fc=fc[:2],
        rot_amp=rng.uniform(0.5, 3.0) * amp, rot_f=rng.uniform(0.03, 0.15), rot_ph=rng.uniform(0, 6.3),
        tx_amp=rng.uniform(0.005, 0.03) * W * amp, tx_f=rng.uniform(0.03, 0.12), tx_ph=rng.uniform(0, 6.3),
        ty_amp=rng.uniform(0.005, 0.02) * H * amp, ty_f=rng.uniform(0.03, 0.12), ty_ph=rng.uniform(0, 6.3),
        z0=rng.uniform(1.02, 1.06), z_amp=rng.uniform(0.0, 0.14) * (0.6 if footage else 1.0),
        z_period=rng.uniform(8, 40), z_ph=rng.uniform(0, 6.3),
        jit=rng.uniform(0.0, 0.6),
        light_amp=rng.uniform(0.0, 0.15), light_period=rng.uniform(5, 30), light_ph=rng.uniform(0, 6.3),
        light_base=rng.uniform(0.85, 1.1), gamma=rng.uniform(0.9, 1.12),
        tint=rng.uniform(-0.05, 0.05, 3), tint_f=rng.uniform(0.02, 0.08),
        noise=float(rng.choice([0.0, 1.0, 2.0, 3.0, 4.5])) * (0.6 if footage else 1.0),
    )
    return cam


def cam_affine(cam, t, rng_j):
    th = math.radians(cam['rot_amp'] * math.sin(2 * math.pi * cam['rot_f'] * t + cam['rot_ph']))
    z = cam['z0'] + cam['z_amp'] * (0.5 - 0.5 * math.cos(2 * math.pi * t / cam['z_period'] + cam['z_ph']))
    tx = cam['tx_amp'] * math.sin(2 * math.pi * cam['tx_f'] * t + cam['tx_ph'])
    ty = cam['ty_amp'] * math.sin(2 * math.pi * cam['ty_f'] * t + cam['ty_ph'])
    tx += cam['jit'] * rng_j[0]
    ty += cam['jit'] * rng_j[1]
    c, s = math.cos(th) * z, math.sin(th) * z
    fx, fy = cam['fc']
    R = np.array([[c, -s, fx + tx - c * fx + s * fy], [s, c, fy + ty - s * fx - c * fy], [0, 0, 1]])
    return (R @ cam['M0'])[:2]


def cam_lut(cam, t):
    g = cam['light_base'] * (1 + cam['light_amp'] * math.sin(2 * math.pi * t / cam['light_period'] + cam['light_ph']))
    tint = cam['tint'] * math.sin(2 * math.pi * cam['tint_f'] * t)
    x = (np.arange(256) / 255.0) ** cam['gamma']
    lut = np.stack([np.clip(255 * x * g * (1 + tint[c]), 0, 255) for c in range(3)], axis=1)
    return lut.astype(np.uint8).reshape(256, 1, 3)


# ----------------------------------------------------------------------------------------------
def eval_channels(events, times, rest):
    n = len(times)
    ch = {c: np.zeros((2, n)) for c in CH_SIDE + CH_GLOBAL}
    myok = []
    for e in events:
        for c in e.comps:
            m = (times >= c.t0) & (times <= c.t1)
            if not np.any(m):
                continue
            idx = np.nonzero(m)[0]
            env = c.env(times[idx])
            if c.myok is not None:
                myok.append((c.myok, idx, env))
                continue
            for (name, k), v in c.gains.items():
                ch[name][k, idx] += v * env
    for (name, k), v in rest.items():
        ch[name][k] += v
    ch['up'] = np.clip(ch['up'], 0, 1.0)
    ch['lo'] = np.clip(ch['lo'], 0, 1.0)
    ch['gaze'] = np.clip(ch['gaze'], 0, 1.0)
    per_frame_myok = [[] for _ in range(n)]
    for (k, lid, u0, am, ask), idx, env in myok:
        for i, v in zip(idx, env):
            if v > 0.01:
                per_frame_myok[i].append((k, lid, u0, am * v, ask * v))
    return ch, per_frame_myok


def side_names(s):
    if s == 'both':
        return 'both', 'both'
    if s == 'none' or s is None:
        return 'none', 'none'
    # a face looking at the camera: the person's right eye is on the image's left
    return ('right', 'image_left') if s == 0 else ('left', 'image_right')


# regions -> check boxes
REG_MAP = {'upper_lid': 'eye', 'lower_lid': 'eye', 'eye': 'eye', 'brow': 'brow', 'cheek': 'cheek',
           'mouth': 'mouth', 'chin': 'chin', 'nose': 'nose', 'neck': 'neck'}
CHECK_REGIONS = ['eye', 'brow', 'cheek', 'mouth', 'chin', 'nose', 'neck']


def region_boxes(g):
    """Work-coordinate boxes (4 corner points) per (region, side)."""
    iod = g.iod
    out = {}
    for k in (0, 1):
        e = g.eyes[k]
        o, ex, ey, ew = e['origin'], e['ex'], e['ey'], e['ew']
        vtop = float(np.min(e['vu'])) - 0.35 * ew
        vbot = float(np.max(e['vl'])) + 0.35 * ew
        u0, u1 = -0.65 * ew, 0.65 * ew
        out[('eye', k)] = np.array([o + u * ex + v * ey for u, v in ((u0, vtop), (u1, vtop), (u1, vbot), (u0, vbot))])
        bp = e['browpts']
        out[('brow', k)] = np.array([[bp[:, 0].min() - 0.1 * iod, bp[:, 1].min() - 0.1 * iod],
                                     [bp[:, 0].max() + 0.1 * iod, bp[:, 1].max() + 0.1 * iod]])
        c = g.cheeks[k]
        out[('cheek', k)] = np.array([c - 0.2 * iod, c + 0.2 * iod])
        cr = g.corners[k]
        xs = [g.mc[0], cr[0] + (0.15 * iod if k == 1 else -0.15 * iod)]
        ys = [g.upper_lip[1] - 0.12 * iod, g.lower_lip[1] + 0.15 * iod]
        out[('mouth', k)] = np.array([[min(xs), min(ys)], [max(xs), max(ys)]])
        ch = g.chin
        out[('chin', k)] = np.array([[min(ch[0], ch[0] + (0.28 if k else -0.28) * iod), ch[1] - 0.3 * iod],
                                     [max(ch[0], ch[0] + (0.28 if k else -0.28) * iod), ch[1] + 0.15 * iod]])
        nr = g.nasal_root
        out[('nose', k)] = np.array([[nr[0] + (0 if k else -0.18 * iod), nr[1] - 0.18 * iod],
                                     [nr[0] + (0.18 * iod if k else 0), nr[1] + 0.25 * iod]])
        j = g.jaws[k]
        out[('neck', k)] = np.array([[min(j[0], ch[0]), ch[1] - 0.05 * iod], [max(j[0], ch[0]), ch[1] + 0.5 * iod]])
    return out


def boxes_to_out(boxes, M, W, H):
    res = {}
    for key, pts in boxes.items():
        P = np.hstack([pts, np.ones((len(pts), 1))]) @ M.T
        x0, y0 = np.floor(P.min(axis=0)).astype(int)
        x1, y1 = np.ceil(P.max(axis=0)).astype(int)
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(W, x1), min(H, y1)
        res[key] = (x0, y0, x1, y1) if x1 - x0 >= 2 and y1 - y0 >= 2 else None
    return res


REGION_CHANNELS = {
    'eye': ['up', 'lo', 'gaze', 'squeeze', 'brow_up', 'brow_down', 'cheek', 'corner'],
    'brow': ['brow_up', 'brow_down', 'squeeze', 'up'],
    'cheek': ['cheek', 'corner', 'corner_down', 'squeeze', 'lo', 'up', 'pucker', 'jaw'],
    'mouth': ['corner', 'corner_down', 'pucker', 'jaw', 'cheek', 'neck'],
    'chin': ['jaw', 'neck', 'corner_down', 'pucker', 'corner'],
    'nose': ['brow_down', 'squeeze', 'cheek', 'up'],
    'neck': ['neck', 'jaw', 'corner_down'],
}


def event_keys(e):
    ks = []
    sides = (0, 1) if e.side in ('both', 'none') else (e.side,)
    for r in e.regions:
        rr = REG_MAP.get(r)
        if rr is None:
            continue
        for k in sides:
            ks.append((rr, k))
    return sorted(set(ks))


# ----------------------------------------------------------------------------------------------
def yuv_frame(bgr):
    """BGR -> yuv420p VideoFrame (BT.601 limited range, by OpenCV), with every byte of each
    plane written, row padding included (edge-replicated), so that the encoder never sees
    uninitialised memory: that made x264 output differ from run to run."""
    H, W = bgr.shape[:2]
    yuv = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)
    Y = yuv[:H]
    U = yuv[H:H + H // 4].reshape(H // 2, W // 2)
    V = yuv[H + H // 4:].reshape(H // 2, W // 2)
    f = av.VideoFrame(W, H, 'yuv420p')
    for plane, arr in zip(f.planes, (Y, U, V)):
        ls = plane.line_size
        rows = plane.buffer_size // ls
        if ls > arr.shape[1] or rows > arr.shape[0]:
            arr = np.pad(arr, ((0, rows - arr.shape[0]), (0, ls - arr.shape[1])), mode='edge')
        plane.update(np.ascontiguousarray(arr))
    return f


class EncoderChild:
    """Encode in a separate, clean process (numpy + OpenCV + PyAV only), fed raw BGR frames
    through a pipe.  x264 output was not bit-reproducible when encoding inside the rendering
    process (MediaPipe/TFLite loaded); in a clean process it is."""

    def __init__(self, path, W, H, fps, webm, crf):
        import subprocess
        self.p = subprocess.Popen([sys.executable, os.path.abspath(__file__), '--encode-child'],
                                  stdin=subprocess.PIPE)
        hdr = dict(path=path, W=W, H=H, num=fps.numerator, den=fps.denominator, webm=bool(webm),
                   crf=int(crf))
        self.p.stdin.write((json.dumps(hdr) + '\n').encode())

    def write(self, bgr):
        self.p.stdin.write(np.ascontiguousarray(bgr).tobytes())

    def close(self):
        self.p.stdin.close()
        rc = self.p.wait()
        if rc != 0:
            raise RuntimeError('encoder child failed with %d' % rc)


def encode_child_main():
    cv2.setNumThreads(1)
    inp = sys.stdin.buffer
    hdr = json.loads(inp.readline())
    W, H = hdr['W'], hdr['H']
    fps = Fraction(hdr['num'], hdr['den'])
    tb = 1 / fps
    # bitexact: no random segment UID / dates in the container, so a seed gives the same bytes
    cont = av.open(hdr['path'], 'w', options={'fflags': '+bitexact'})
    if hdr['webm']:
        st = cont.add_stream('libvpx-vp9', rate=fps)
        # 'good' (not 'realtime', which adapts to the wall clock), one thread: reproducible
        st.options = {'crf': str(hdr['crf'] + 10), 'b': '0', 'deadline': 'good', 'cpu-used': '5'}
    else:
        st = cont.add_stream('libx264', rate=fps)
        st.options = {'crf': str(hdr['crf']), 'preset': 'veryfast'}
    st.codec_context.thread_count = 1
    st.time_base = tb
    st.codec_context.time_base = tb
    st.width, st.height = W, H
    st.pix_fmt = 'yuv420p'
    n = W * H * 3
    i = 0
    while True:
        buf = inp.read(n)
        if not buf or len(buf) < n:
            break
        frame = yuv_frame(np.frombuffer(buf, np.uint8).reshape(H, W, 3))
        frame.pts = i
        frame.time_base = tb
        for p in st.encode(frame):
            cont.mux(p)
        i += 1
    for p in st.encode():
        cont.mux(p)
    cont.close()
    return 0


def render_clip(c, out_dir, do_check=True):
    t_start = time.time()
    rng = np.random.default_rng(c['clip_seed'])
    W, H = c['res']
    fps = c['fps']
    fpsf = float(fps)
    if c['footage']:
        base = FootageBase(c['base'], c['flip'], speed=rng.uniform(0.55, 1.0),
                           phase=rng.uniform(0, 10))
    else:
        base = StillBase(c['base'], c['flip'])
    mouth_ok = c['base'] not in MOUTH_HIDDEN
    n = int(round(c['dur'] * fpsf))
    dur = n / fpsf
    times = np.arange(n) / fpsf
    erng = np.random.default_rng(c['clip_seed'] + 1)
    k = c['k']
    sev = c['sev']
    cls = c['cls']
    if cls == 'eyelid_myokymia':
        events, info = gen_myokymia(erng, dur, sev, k, mouth_ok, lid_choice=c['lid'])
    elif cls == 'hemifacial_spasm':
        events, info = gen_hfs(erng, dur, sev, k, mouth_ok, grade=c['grade'])
    else:
        events, info = GENERATORS[cls](erng, dur, sev, k, mouth_ok)
    events = [e for e in events if e.t0 >= 0 and e.t1 <= dur - 0.05]
    events.sort(key=lambda e: (e.t0, e.kind))
    rest = info.pop('rest', {})
    ch, myok = eval_channels(events, times, rest)
    cam = camera_setup(rng, base, W, H, c['footage'],
                       min_iod=48.0 if cls == 'eyelid_myokymia' else 30.0)
    if c['footage']:
        # work only on the part of the source frame the camera can see, at about output scale
        M0 = cam['M0']
        inv = np.linalg.inv(M0)
        cor = np.array([[0, 0, 1], [W, 0, 1], [0, H, 1], [W, H, 1]], float) @ inv.T
        sh, sw = base.seg[0].shape[:2]
        mx = 0.2 * (cor[:, 0].max() - cor[:, 0].min())
        my = 0.2 * (cor[:, 1].max() - cor[:, 1].min())
        x0 = int(max(0, cor[:, 0].min() - mx))
        y0 = int(max(0, cor[:, 1].min() - my))
        x1 = int(min(sw, cor[:, 0].max() + mx))
        y1 = int(min(sh, cor[:, 1].max() + my))
        f = min(1.0, 1.2 * M0[0, 0])
        if f < 0.85 or (x1 - x0) * (y1 - y0) < 0.8 * sw * sh:
            base.reframe(x0, y0, x1, y1, f)
            cam['M0'] = M0 @ np.array([[1 / f, 0, x0], [0, 1 / f, y0], [0, 0, 1]])
    jit = rng.normal(0, 1, (n, 2))
    jit = cv2.GaussianBlur(jit.astype(np.float32), (1, 9), 2.0) * 2.5
    nbank = []
    if cam['noise'] > 0:
        nrng = np.random.default_rng(c['clip_seed'] + 2)
        for _ in range(5):
            nbank.append((nrng.normal(0, cam['noise'], (H + 16, W + 16, 3))).astype(np.int16))
    ext = 'webm' if c['webm'] else 'mp4'
    fname = '%s.%s' % (c['id'], ext)
    path = os.path.join(out_dir, fname)
    fr = Fraction(fps)
    enc = EncoderChild(path, W, H, fr, c['webm'], c['crf'])
    Ms = []
    for i in range(n):
        t = times[i]
        img, g = base.frame(t)
        a = {name: ch[name][:, i] for name in ch}
        warped = apply_events(img, g, a, myok[i])
        M = cam_affine(cam, t, jit[i])
        Ms.append(M)
        out = cv2.warpAffine(warped, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
        out = cv2.LUT(out, cam_lut(cam, t))
        if nbank:
            nb = nbank[i % len(nbank)]
            ox, oy = int(rng.integers(0, 16)), int(rng.integers(0, 16))
            out = np.clip(out.astype(np.int16) + nb[oy:oy + H, ox:ox + W], 0, 255).astype(np.uint8)
        enc.write(out)
    enc.close()
    t_render = time.time() - t_start
    vis = None
    if do_check:
        vis = check_clip(path, base, cam, Ms, events, times, W, H, fps)
    side, image_side = side_names('none' if k is None else k)
    if cls == 'blepharospasm':
        side, image_side = 'both', 'both'
    n_blink = sum(1 for e in events if e.kind == 'blink')
    evs_out = []
    for j, e in enumerate(events):
        s, ims = side_names(e.side)
        d = dict(start_s=round(float(e.t0), 3), end_s=round(float(e.t1), 3), kind=e.kind, side=s,
                 image_side=ims, regions=list(dict.fromkeys(e.regions)))
        for kk, vv in e.extra.items():
            d[kk] = vv
        d['visible'] = None if vis is None else vis[j]
        evs_out.append(d)
    if c['footage']:
        fn_, a_, b_ = FOOTAGE[c['base']]
        _, sfps = load_video_frames(fn_)
        face = '%s[frames %d-%d, %.2f-%.2f s]' % (fn_, a_, b_, a_ / sfps, (b_ + 1) / sfps)
    else:
        face = c['base']
    rec = dict(id=c['id'], file=fname, split=None, face=face, base='footage' if c['footage'] else 'still',
               flipped=bool(c['flip']), disorder=cls, side=side, image_side=image_side,
               fps=round(fpsf, 3), width=W, height=H, duration_s=round(dur, 3),
               blink_rate_per_min=round(n_blink * 60.0 / dur, 1), severity=sev,
               container=ext, codec='vp9' if c['webm'] else 'h264',
               conditions=dict(head_rotation_deg=round(cam['rot_amp'], 2),
                               zoom_range=[round(cam['z0'], 3), round(cam['z0'] + cam['z_amp'], 3)],
                               lighting_drift=round(cam['light_amp'], 3), noise_sigma=cam['noise'],
                               crf=c['crf'] + (10 if c['webm'] else 0),
                               footage_speed=round(base.speed, 2) if c['footage'] else None),
               events=evs_out)
    rec.update(info)
    rec['_timing'] = dict(render_s=round(t_render, 1), total_s=round(time.time() - t_start, 1))
    return rec


_LAST_CHECK = {}  # metric / touched arrays of the last check, for debugging


def check_clip(path, base, cam, Ms, events, times, W, H, fps):
    """Is each planted event visible in the encoded frames?  Decoded frames are compared with
    the same frames rendered without any planted events (same head drift and lighting, no noise):
    per region box, the share of pixels whose grey level differs by more than T.  An event is
    visible when the peak share inside it clearly exceeds what that region shows at times when
    no event touches it (noise, compression, resampling)."""
    n = len(times)
    boxes_fixed = None if isinstance(base, FootageBase) else region_boxes(base.geom)
    metric = {(r, k): np.zeros(n) for r in CHECK_REGIONS for k in (0, 1)}
    T = max(10.0, 3.0 * cam['noise'] + 6.0)
    cont = av.open(path)
    i = 0
    for fr in cont.decode(video=0):
        if i >= n:
            break
        dec = fr.to_ndarray(format='bgr24')
        t = times[i]
        img, g = base.frame(t)
        M = Ms[i]
        neu = cv2.warpAffine(img, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
        neu = cv2.LUT(neu, cam_lut(cam, t))
        bx = boxes_to_out(boxes_fixed if boxes_fixed is not None else region_boxes(g), M, W, H)
        x0 = min(b[0] for b in bx.values() if b)
        y0 = min(b[1] for b in bx.values() if b)
        x1 = max(b[2] for b in bx.values() if b)
        y1 = max(b[3] for b in bx.values() if b)
        d = cv2.absdiff(cv2.cvtColor(dec[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY),
                        cv2.cvtColor(neu[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY))
        dm = d > T
        for key, b in bx.items():
            if b is None:
                continue
            sub = dm[b[1] - y0:b[3] - y0, b[0] - x0:b[2] - x0]
            metric[key][i] = sub.mean() if sub.size else 0.0
        i += 1
    cont.close()
    # frames where any activation that can move a region is on (rest offsets excluded)
    touched = {key: np.zeros(n, bool) for key in metric}
    ch, myok = eval_channels(events, times, {})
    for (r, k) in metric:
        act = np.zeros(n)
        for name in REGION_CHANNELS[r]:
            arr = ch[name]
            act = np.maximum(act, arr[0] if name in CH_GLOBAL else arr[k])
            if name in ('corner', 'cheek', 'pucker', 'corner_down', 'neck') and r in ('mouth', 'chin', 'nose'):
                act = np.maximum(act, arr[1 - k])
        on = act > 0.002
        if r == 'eye':
            on |= np.array([any(p_[0] == k for p_ in m_) for m_ in myok])
        # widen by 0.25 s: decoding and blending smear a little in time
        wdn = max(1, int(round(0.25 * float(fps))))
        on = np.convolve(on.astype(float), np.ones(2 * wdn + 1), 'same') > 0
        touched[(r, k)] = on
    ekeys = [event_keys(e) for e in events]
    _LAST_CHECK.clear()
    _LAST_CHECK.update(metric=metric, touched=touched)
    res = []
    for e, ks in zip(events, ekeys):
        m = (times >= e.t0) & (times <= e.t1)
        if not ks or not np.any(m):
            res.append(None)
            continue
        verdicts = []
        for key in ks:
            base_frames = ~touched[key]
            if base_frames.sum() < 10:
                continue
            bl = float(np.percentile(metric[key][base_frames], 98))
            pk = float(metric[key][m].max())
            verdicts.append(pk > bl + 0.02 and pk > 0.03)
        res.append(None if not verdicts else bool(any(verdicts)))
    return res


# ----------------------------------------------------------------------------------------------
def _worker(args):
    c, out_dir, do_check = args
    try:
        return render_clip(c, out_dir, do_check)
    except Exception as ex:  # pragma: no cover
        import traceback
        traceback.print_exc()
        return dict(id=c['id'], error=repr(ex))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--only', default='', help='comma-separated 1-based clip positions')
    ap.add_argument('--no-check', action='store_true')
    ap.add_argument('--jobs', type=int, default=1)
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    cv2.setNumThreads(1)
    plan = make_plan(args.seed)
    sel = list(range(len(plan)))
    if args.only:
        sel = [int(x) - 1 for x in args.only.split(',') if x.strip()]
    t0 = time.time()
    jobs = [(plan[i], args.out, not args.no_check) for i in sel]
    if args.jobs > 1:
        import multiprocessing as mpp
        with mpp.get_context('spawn').Pool(args.jobs) as pool:
            recs = pool.map(_worker, jobs, chunksize=1)
    else:
        recs = []
        for j in jobs:
            r = _worker(j)
            recs.append(r)
            if 'error' in r:
                print(r['id'], 'ERROR', r['error'], flush=True)
            else:
                print('%s %-18s %-9s %-40s %4dx%-4d %5.2ffps %5.1fs events=%d  %.1fs' % (
                    r['id'], r['disorder'], r['severity'], r['face'][:40], r['width'], r['height'],
                    r['fps'], r['duration_s'], len(r['events']), r['_timing']['total_s']), flush=True)
    errors = [r for r in recs if 'error' in r]
    truth_path = os.path.join(args.out, 'truth.json')
    existing = {}
    if args.only and os.path.exists(truth_path):
        with open(truth_path) as f:
            existing = {r['id']: r for r in json.load(f)}
    for r in recs:
        if 'error' not in r:
            r.pop('_timing', None)
            existing[r['id']] = r
    ids_by_class = {}
    for c in plan:
        ids_by_class.setdefault(c['cls'], []).append(c['id'])
    split = split_of(ids_by_class)
    out = []
    for cid in sorted(existing):
        r = existing[cid]
        r['split'] = split[cid]
        out.append(r)
    with open(truth_path, 'w') as f:
        json.dump(out, f, indent=1)
    print('wrote %d clips (%d in truth.json) to %s in %.1f s' % (len(recs) - len(errors), len(out),
                                                                  args.out, time.time() - t0))
    if errors:
        print('ERRORS:', [e['id'] for e in errors])
        return 1
    return 0


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == '--encode-child':
        sys.exit(encode_child_main())
    sys.exit(main())
