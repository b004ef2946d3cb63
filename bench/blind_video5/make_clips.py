#!/usr/bin/env python3
"""Blind evaluation set v5: face videos with planted facial events.

python make_clips.py --out DIR [--seed 0] [--only N,N,...] [--no-check]

Method (see README.md): MediaPipe Face Mesh landmarks on every base frame (stills once,
real footage per source frame), then per output frame a backward displacement field built
from the landmarks (eyelid occlusion mapping in eye-local coordinates + Gaussian skin
translations for brows/cheeks/mouth corners + a jaw field with a dark mouth interior),
one cv2.remap over the face box, then a global similarity/affine head-motion warp,
lighting drift, sensor noise, and encoding with PyAV.  Afterwards every event is checked
with Face Mesh on the DECODED file against a counterfactual frame rendered without it.
"""
import argparse, hashlib, json, math, os, sys, time
import numpy as np
import cv2
import av

cv2.setNumThreads(1)
MEDIA = '/work/shared/media/'

# ---------------------------------------------------------------- landmarks
_FM = {}


def face_mesh(static=True):
    import mediapipe as mp
    key = static
    if key not in _FM:
        _FM[key] = mp.solutions.face_mesh.FaceMesh(static_image_mode=static, max_num_faces=1,
                                                    refine_landmarks=True, min_detection_confidence=0.3)
    return _FM[key]


def landmarks(img_bgr, static=True):
    h, w = img_bgr.shape[:2]
    r = face_mesh(static).process(cv2.cvtColor(img_bgr, cv2.COLOR_BGR2RGB))
    if not r.multi_face_landmarks:
        return None
    return np.array([[p.x * w, p.y * h] for p in r.multi_face_landmarks[0].landmark], np.float32)


# mesh indices; 'A'/'B' are decided per face by image x (A = image-left eye)
EYE_SETS = {
    'm1': dict(outer=33, inner=133, up=[246, 161, 160, 159, 158, 157, 173], lo=[7, 163, 144, 145, 153, 154, 155],
               brow=[70, 63, 105, 66, 107, 46, 53, 52, 65, 55], cheek=[205, 50, 118], corner=61,
               gap=[(159, 145), (158, 153), (160, 144)]),
    'm2': dict(outer=263, inner=362, up=[466, 388, 387, 386, 385, 384, 398], lo=[249, 390, 373, 374, 380, 381, 382],
               brow=[300, 293, 334, 296, 336, 276, 283, 282, 295, 285], cheek=[425, 280, 347], corner=291,
               gap=[(386, 374), (385, 380), (387, 373)]),
}
STABLE = [168, 6, 197, 195, 5, 4, 1, 133, 362, 234, 454, 10, 151, 9]
UP_IN = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308]
LO_IN = [308, 324, 318, 402, 317, 14, 87, 178, 88, 95, 78]


def side_sets(L):
    """return {'A': set for image-left eye, 'B': image-right}"""
    if L[33, 0] < L[263, 0]:
        return {'A': EYE_SETS['m1'], 'B': EYE_SETS['m2']}
    return {'A': EYE_SETS['m2'], 'B': EYE_SETS['m1']}


def iod(L):
    return float(np.linalg.norm(L[[33, 133]].mean(0) - L[[263, 362]].mean(0)))


# ---------------------------------------------------------------- bases
class Base:
    """frames(t)->(img, L) at output resolution."""

    def __init__(self, kind, name, frames, lms, fps_src):
        self.kind, self.name, self.frames, self.lms, self.fps_src = kind, name, frames, lms, fps_src

    def index(self, t):
        n = len(self.frames)
        if n == 1:
            return 0
        per = 2 * (n - 1)
        pos = int(round(t * self.fps_src)) % per
        return pos if pos <= n - 1 else per - pos


def crop_to(img, L, W, H, face_frac, cx=None, cy=None):
    """crop/scale img so the face (IOD) occupies face_frac of the output width; returns img, L, M"""
    d = iod(L)
    s = face_frac * W / d
    if cx is None:
        c = L[STABLE].mean(0)
        cx, cy = c[0], c[1] + 0.15 * d
    M = np.array([[s, 0, W / 2 - s * cx], [0, s, H / 2 - s * cy]], np.float32)
    out = cv2.warpAffine(img, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
    return out, M


def still_source(name):
    if name.startswith('astronaut'):
        from skimage import data
        img = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    elif name.startswith('single_face_jpg'):
        img = cv2.imread(MEDIA + 'single_face.jpg')
    elif name.startswith('multi'):
        big = cv2.imread(MEDIA + 'multi_face.jpg')
        boxes = {'multi1': (529, 322, 114), 'multi2': (679, 308, 117), 'multi3': (314, 252, 102), 'multi4': (433, 224, 87)}
        x, y, b = boxes[name.split('_')[0]]
        m = int(1.1 * b)
        x0, y0 = max(0, x - m), max(0, y - m)
        img = big[y0:y + b + m, x0:x + b + m]
        img = cv2.resize(img, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)
    if name.endswith('_flip'):
        img = cv2.flip(img, 1)
    return img


MOVING = {'wolfgang': ('WolfgangLanger_Pexels.mp4', 238, 425, 24000 / 1001),
          'single_mp4': ('single_face.mp4', 31, 68, 30.0), 'jefapato': ('jefapato_2sec.mp4', 0, 29, 30.0)}
_SRC_CACHE = {}


_LM_CACHE = {}


def moving_source(name):
    if name in _LM_CACHE:
        return _LM_CACHE[name]
    key = name.replace('_flip', '')
    if key not in _SRC_CACHE:
        fn, a, b, fps = MOVING[key]
        c = av.open(MEDIA + fn)
        fr = [f.to_ndarray(format='bgr24') for f in c.decode(video=0)][a:b + 1]
        c.close()
        _SRC_CACHE[key] = (fr, fps)
    fr, fps = _SRC_CACHE[key]
    if name.endswith('_flip'):
        fr = [cv2.flip(f, 1) for f in fr]
    import mediapipe as mp
    fm = mp.solutions.face_mesh.FaceMesh(static_image_mode=False, max_num_faces=1, refine_landmarks=True)
    lms = []
    for f in fr:
        r = fm.process(cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
        h, w = f.shape[:2]
        lms.append(np.array([[p.x * w, p.y * h] for p in r.multi_face_landmarks[0].landmark], np.float32))
    fm.close()
    lms = np.array(lms)
    sm = lms.copy()  # light temporal smoothing to avoid warp jitter
    sm[1:-1] = 0.25 * lms[:-2] + 0.5 * lms[1:-1] + 0.25 * lms[2:]
    _LM_CACHE[name] = (fr, sm, fps)
    return fr, sm, fps


def build_base(spec):
    W, H = spec['width'], spec['height']
    if spec['base'] == 'still':
        img = still_source(spec['face'])
        L = landmarks(img)
        out, M = crop_to(img, L, W, H, spec['face_frac'])
        L2 = landmarks(out)  # re-detect on the output-resolution frame
        if L2 is None:
            L2 = (L @ M[:, :2].T + M[:, 2]).astype(np.float32)
        return Base('still', spec['face'], [out], np.array([L2]), 1.0)
    fr, lms, fps = moving_source(spec['face'])
    c = lms[:, STABLE].mean((0, 1))
    d = np.mean([iod(l) for l in lms])
    s = spec['face_frac'] * W / d
    cx, cy = c[0], c[1] + 0.15 * d
    M = np.array([[s, 0, W / 2 - s * cx], [0, s, H / 2 - s * cy]], np.float32)
    frames = [cv2.warpAffine(f, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101) for f in fr]
    L = (lms @ M[:, :2].T + M[:, 2]).astype(np.float32)
    return Base('moving', spec['face'], frames, L, fps)


# ---------------------------------------------------------------- own events of real footage
def ear_gap(L, es):
    return np.mean([np.linalg.norm(L[a] - L[b]) for a, b in es['gap']]) / np.linalg.norm(L[es['outer']] - L[es['inner']])


def own_events(base, fps, n_frames):
    """Blinks and smiles of the person in the footage, mapped to output time."""
    if base.kind != 'moving':
        return []
    ss = side_sets(base.lms[0])
    ear = np.array([(ear_gap(l, ss['A']) + ear_gap(l, ss['B'])) / 2 for l in base.lms])
    mw = np.array([np.linalg.norm(l[61] - l[291]) / iod(l) for l in base.lms])
    med = np.median(ear)
    blink_src = ear < 0.62 * med
    lo, hi = np.percentile(mw, 3), np.percentile(mw, 97)
    smile_src = mw > lo + max(0.08, 0.35 * (hi - lo)) if hi - lo > 0.08 else np.zeros_like(mw, bool)
    idx = np.array([base.index(k / fps) for k in range(n_frames)])
    ev = []
    for flag, kind in ((blink_src[idx], 'blink'), (smile_src[idx], 'smile')):
        k = 0
        while k < n_frames:
            if flag[k]:
                j = k
                while j + 1 < n_frames and flag[j + 1]:
                    j += 1
                t0, t1 = k / fps, (j + 1) / fps
                if kind == 'blink':
                    if t1 - t0 <= 0.6:
                        ev.append(dict(kind='blink', t0=max(0, t0 - 0.05), t1=t1 + 0.08, side='both', own=True,
                                       regions=['upper_lid', 'eye'], amp=1.0))
                elif t1 - t0 >= 0.4:
                    ev.append(dict(kind='smile', t0=t0, t1=t1, side='both', own=True, regions=['mouth', 'cheek'], amp=1.0))
                k = j + 1
            else:
                k += 1
    return ev


# ---------------------------------------------------------------- event profiles -> face state
def smoothstep(x):
    x = np.clip(x, 0, 1)
    return x * x * (3 - 2 * x)


def env(t, t0, t1, rise, fall):
    if t <= t0 or t >= t1:
        return 0.0
    a = smoothstep((t - t0) / max(rise, 1e-3))
    b = smoothstep((t1 - t) / max(fall, 1e-3))
    return float(min(a, b))


def blink_profile(t, t0, t1):
    # closing ~30% of the duration, brief hold, slower reopening
    d = t1 - t0
    if t <= t0 or t >= t1:
        return 0.0
    x = (t - t0) / d
    if x < 0.3:
        return float(smoothstep(x / 0.3))
    if x < 0.42:
        return 1.0
    return float(smoothstep((1 - x) / 0.58))


def new_state():
    return dict(up={'A': 0., 'B': 0.}, lo={'A': 0., 'B': 0.}, rip={'A': [], 'B': []}, ripup={'A': [], 'B': []},
                brow_dn={'A': 0., 'B': 0.}, brow_up={'A': 0., 'B': 0.}, cheek={'A': 0., 'B': 0.},
                corner={'A': np.zeros(2), 'B': np.zeros(2)}, mouth=0., pucker=0., glance=0.)


def sides_of(ev):
    return ['A', 'B'] if ev['iside'] == 'both' else [ev['iside']]


def apply_event(st, ev, t):
    k = ev['kind']
    if t < ev['t0'] or t > ev['t1']:
        return
    a = ev.get('amp', 1.0)
    S = sides_of(ev)
    if k == 'blink':
        if ev.get('own'):
            return
        p = blink_profile(t, ev['t0'], ev['t1']) * a
        for s in S:
            st['up'][s] = max(st['up'][s], p)
            st['lo'][s] = max(st['lo'][s], 0.12 * p)
        if ev.get('syn_mouth'):
            s = ev['syn_mouth']
            st['corner'][s] = st['corner'][s] + np.array([0.25, 0.45]) * p * ev.get('syn_amp', 0.5)
            st['cheek'][s] = max(st['cheek'][s], 0.3 * p * ev.get('syn_amp', 0.5))
    elif k == 'flicker':
        e = env(t, ev['t0'], ev['t1'], 0.3, 0.3)
        key = 'rip' if 'lower_lid' in ev['regions'] else 'ripup'
        for (pt, u0, w) in ev['pulses']:
            dt = t - pt
            if -0.06 < dt < 0.12:
                g = math.exp(-0.5 * (dt / 0.035) ** 2) if dt < 0 else math.exp(-0.5 * (dt / 0.055) ** 2)
                st[key][S[0]].append((u0, w, a * e * g))
    elif k == 'clonic_twitch':
        p = env(t, ev['t0'], ev['t1'], 0.35 * (ev['t1'] - ev['t0']), 0.65 * (ev['t1'] - ev['t0'])) * a
        s = S[0]
        st['up'][s] = max(st['up'][s], p)
        st['lo'][s] = max(st['lo'][s], 0.6 * p)
        st['cheek'][s] = max(st['cheek'][s], 0.35 * p * ev.get('lower', 0.3))
        st['corner'][s] = st['corner'][s] + np.array([0.3, 0.5]) * p * ev.get('lower', 0.0)
    elif k == 'tonic_spasm':
        e = env(t, ev['t0'], ev['t1'], 0.35, 0.5)
        trem = 1.0 - 0.12 * (0.5 + 0.5 * math.sin(2 * math.pi * 9.0 * t + ev['t0'] * 7))
        p = e * trem
        s = S[0]
        st['up'][s] = max(st['up'][s], p * a)
        st['lo'][s] = max(st['lo'][s], p * a * 0.8)
        st['cheek'][s] = max(st['cheek'][s], p * (0.3 + 0.7 * ev.get('lower', 0.3)))
        st['corner'][s] = st['corner'][s] + np.array([0.55, 0.75]) * p * ev.get('lower', 0.3)
        if ev.get('babinski2'):
            st['brow_up'][s] = max(st['brow_up'][s], p * ev['babinski2'])
        else:
            st['brow_dn'][s] = max(st['brow_dn'][s], 0.35 * p)
    elif k == 'forceful_closure':
        e = env(t, ev['t0'], ev['t1'], 0.15, 0.35)
        for s in S:
            st['up'][s] = max(st['up'][s], e * a)
            st['lo'][s] = max(st['lo'][s], e * 0.7 * a)
            st['brow_dn'][s] = max(st['brow_dn'][s], e * ev.get('brow', 0.8))
            st['cheek'][s] = max(st['cheek'][s], e * 0.35 * a)
    elif k in ('smile', 'eye_narrowing', 'talking', 'pucker', 'glance_down', 'yawn'):
        d = ev['t1'] - ev['t0']
        e = env(t, ev['t0'], ev['t1'], min(0.5, 0.3 * d), min(0.6, 0.35 * d))
        if k == 'smile' and not ev.get('own'):
            for s in S:
                st['corner'][s] = st['corner'][s] + np.array([0.7, 1.0]) * e * a
                st['cheek'][s] = max(st['cheek'][s], 0.55 * e * a)
                st['lo'][s] = max(st['lo'][s], 0.22 * e * a)
                st['up'][s] = max(st['up'][s], 0.08 * e * a)
            st['mouth'] = max(st['mouth'], ev.get('open', 0.0) * e * (0.7 + 0.3 * math.sin(2 * math.pi * 4.5 * t)))
        elif k == 'eye_narrowing':
            for s in S:
                st['up'][s] = max(st['up'][s], e * a)
                st['lo'][s] = max(st['lo'][s], 0.7 * e * a)
                st['cheek'][s] = max(st['cheek'][s], 0.3 * e * a)
        elif k == 'talking':
            ph = ev['phase']
            syl = 0.5 + 0.5 * math.sin(2 * math.pi * (4.0 * t + 0.6 * math.sin(2 * math.pi * 0.7 * t + ph)))
            st['mouth'] = max(st['mouth'], e * a * syl)
            for s in ('A', 'B'):
                st['corner'][s] = st['corner'][s] + np.array([-0.15, 0.05]) * e * a * syl
        elif k == 'pucker':
            st['pucker'] = max(st['pucker'], e * a)
        elif k == 'glance_down':
            st['glance'] = max(st['glance'], e * a)
            for s in ('A', 'B'):
                st['up'][s] = max(st['up'][s], 0.42 * e * a)
        elif k == 'yawn':
            st['mouth'] = max(st['mouth'], e * a)
            for s in ('A', 'B'):
                st['up'][s] = max(st['up'][s], 0.45 * e)
                st['lo'][s] = max(st['lo'][s], 0.2 * e)
                st['brow_up'][s] = max(st['brow_up'][s], 0.3 * e)


# ---------------------------------------------------------------- warping
def eye_field(L, es, up, lo, rips, ripups, box, dx, dy):
    """Eyelid occlusion mapping, accumulated into the face-box displacement (dx, dy) as src-offsets."""
    e0, e1 = L[es['outer']], L[es['inner']]
    Wd = float(np.linalg.norm(e1 - e0))
    ax = (e1 - e0) / Wd
    n = np.array([-ax[1], ax[0]])
    if n[1] < 0:
        n = -n
    x0, y0 = box[0], box[1]
    pts = np.array([e0, e1, e0 - 0.6 * Wd * n, e1 + 0.5 * Wd * n, e0 - 0.3 * Wd * ax, e1 + 0.3 * Wd * ax])
    ext = np.concatenate([pts - 0.6 * Wd * n, pts + 0.5 * Wd * n])
    bx0 = int(max(box[0], np.floor(ext[:, 0].min())))
    bx1 = int(min(box[2], np.ceil(ext[:, 0].max())))
    by0 = int(max(box[1], np.floor(ext[:, 1].min())))
    by1 = int(min(box[3], np.ceil(ext[:, 1].max())))
    if bx1 <= bx0 or by1 <= by0:
        return
    ys, xs = np.mgrid[by0:by1, bx0:bx1].astype(np.float32)
    px, py = xs - e0[0], ys - e0[1]
    u = (px * ax[0] + py * ax[1]) / Wd
    v = (px * n[0] + py * n[1]) / Wd

    def curve(idx):
        P = L[idx] - e0
        uu = (P @ ax) / Wd
        vv = (P @ n) / Wd
        o = np.argsort(uu)
        uu = np.concatenate([[0.0], uu[o], [1.0]])
        vv = np.concatenate([[0.0], vv[o], [0.0]])
        return np.interp(np.clip(u, 0, 1), uu, vv)

    vu, vl = curve(es['up']), curve(es['lo'])
    gap = np.maximum(vl - vu, 0)
    vl_new = vl - lo * 0.45 * gap
    vu_new = vu + up * gap
    for (u0, w, a) in rips:  # lower-lid myokymia: local upward twitch of the lower lid
        vl_new = vl_new - a * 0.09 * np.exp(-0.5 * ((u - u0) / w) ** 2)
    for (u0, w, a) in ripups:
        vu_new = vu_new + a * 0.09 * np.exp(-0.5 * ((u - u0) / w) ** 2)
    meet = vu_new > vl_new
    mid = 0.5 * (vu_new + vl_new)
    vu_new = np.where(meet, mid, vu_new)
    vl_new = np.where(meet, mid, vl_new)
    Ku, Kl = 0.42, 0.32
    vt, vb = vu - Ku, vl + Kl
    src = v.copy()
    zu = (v >= vt) & (v <= vu_new)
    src = np.where(zu, vt + (v - vt) * (vu - vt) / np.maximum(vu_new - vt, 1e-3), src)
    zl = (v >= vl_new) & (v <= vb)
    src = np.where(zl, vb - (vb - v) * (vb - vl) / np.maximum(vb - vl_new, 1e-3), src)
    dv = (src - v) * smoothstep((u + 0.28) / 0.28) * smoothstep((1.28 - u) / 0.28)
    dx[by0 - y0:by1 - y0, bx0 - x0:bx1 - x0] += (dv * n[0] * Wd).astype(np.float32)
    dy[by0 - y0:by1 - y0, bx0 - x0:bx1 - x0] += (dv * n[1] * Wd).astype(np.float32)


class Coarse:
    """smooth displacement accumulated on a coarse grid (step f px) over the face box"""

    def __init__(self, box, f):
        self.box, self.f = box, f
        self.gx = np.arange(box[0], box[2], f, dtype=np.float32)
        self.gy = np.arange(box[1], box[3], f, dtype=np.float32)
        self.dx = np.zeros((len(self.gy), len(self.gx)), np.float32)
        self.dy = np.zeros_like(self.dx)
        self.used = False

    def full(self):
        bw, bh = self.box[2] - self.box[0], self.box[3] - self.box[1]
        if self.f == 1:
            return self.dx[:bh, :bw], self.dy[:bh, :bw]
        # resize so that coarse sample i sits at pixel i*f
        M = np.array([[1.0 / self.f, 0, 0], [0, 1.0 / self.f, 0]], np.float32)
        fx = cv2.warpAffine(self.dx, M, (bw, bh), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)
        fy = cv2.warpAffine(self.dy, M, (bw, bh), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)
        return fx, fy


def blob(cg, c, sig, vec):
    """forward translation of skin by vec around c (approximated by backward offset -vec); separable Gaussian."""
    if abs(vec[0]) + abs(vec[1]) < 0.05:
        return
    gx = np.exp(-(cg.gx - c[0]) ** 2 / (2 * sig * sig))
    gy = np.exp(-(cg.gy - c[1]) ** 2 / (2 * sig * sig))
    g = np.outer(gy, gx)
    cg.dx -= g * np.float32(vec[0])
    cg.dy -= g * np.float32(vec[1])
    cg.used = True


def warp_face(img, L, st):
    d = iod(L)
    H, W = img.shape[:2]
    lo_ = L.min(0) - 0.35 * d
    hi_ = L.max(0) + 0.35 * d
    box = [int(max(0, lo_[0])), int(max(0, lo_[1])), int(min(W, hi_[0])), int(min(H, hi_[1]))]
    bw, bh = box[2] - box[0], box[3] - box[1]
    active = (any(st['up'][s] > 0.01 or st['lo'][s] > 0.01 or st['rip'][s] or st['ripup'][s] or st['brow_dn'][s] > 0.01
                  or st['brow_up'][s] > 0.01 or st['cheek'][s] > 0.01 or np.abs(st['corner'][s]).sum() > 0.01
                  for s in 'AB') or st['mouth'] > 0.01 or st['pucker'] > 0.01 or st['glance'] > 0.01)
    if not active:
        return img
    dx = np.zeros((bh, bw), np.float32)
    dy = np.zeros((bh, bw), np.float32)
    cg = Coarse(box, max(1, int(d / 40)))
    ss = side_sets(L)
    up_vec = L[10] - L[152]
    up_vec = up_vec / np.linalg.norm(up_vec)
    mid_x = L[[168, 1, 152]].mean(0)
    for s in 'AB':
        es = ss[s]
        out_vec = L[es['outer']] - L[es['inner']]
        out_vec = out_vec / np.linalg.norm(out_vec)
        if st['up'][s] > 0.005 or st['lo'][s] > 0.005 or st['rip'][s] or st['ripup'][s]:
            eye_field(L, es, min(st['up'][s], 1.0), min(st['lo'][s], 1.0), st['rip'][s], st['ripup'][s], box, dx, dy)
        bc = L[es['brow']].mean(0)
        bdn = st['brow_dn'][s]
        if bdn > 0.01:  # corrugator/procerus/orbicularis: brow down and medial
            blob(cg, bc, 0.2 * d, (-up_vec * 0.065 - out_vec * 0.03) * bdn * d)
        if st['brow_up'][s] > 0.01:
            blob(cg, bc + up_vec * 0.05 * d, 0.22 * d, up_vec * 0.07 * st['brow_up'][s] * d)
        ck = st['cheek'][s]
        if ck > 0.01:
            cc = L[es['cheek']].mean(0)
            blob(cg, cc, 0.2 * d, up_vec * 0.07 * ck * d)
        cv = st['corner'][s]
        if np.abs(cv).sum() > 0.01:
            cp = L[es['corner']]
            vec = (out_vec * cv[0] * 0.07 + up_vec * cv[1] * 0.07) * d
            blob(cg, cp, 0.13 * d, vec)
            blob(cg, cp + (out_vec * 0.12 + up_vec * 0.15) * d, 0.14 * d, vec * 0.45)  # nasolabial fold
    if st['glance'] > 0.01:
        for s in 'AB':  # iris/gaze drop approximated by a small downward shift of the eye content
            blob(cg, L[ss[s]['up']].mean(0) + (L[ss[s]['lo']].mean(0) - L[ss[s]['up']].mean(0)) * 0.5,
                 0.09 * d, -up_vec * 0.035 * st['glance'] * d)
    if st['pucker'] > 0.01:
        for s in 'AB':
            cp = L[ss[s]['corner']]
            inward = (mid_x - cp)
            inward = inward / (np.linalg.norm(inward) + 1e-6)
            blob(cg, cp, 0.15 * d, inward * 0.14 * st['pucker'] * d)
    m = st['mouth']
    openpx = 0.0
    if m > 0.01:  # jaw drop: everything below the lip line moves down
        openpx = 0.24 * m * d
        lipc = L[[13, 14]].mean(0)
        xs, ys = cg.gx[None, :], cg.gy[:, None]
        rel = (xs - lipc[0]) * (-up_vec[0]) + (ys - lipc[1]) * (-up_vec[1])
        lat = (xs - lipc[0]) * up_vec[1] - (ys - lipc[1]) * up_vec[0]
        chin = float(np.linalg.norm(L[152] - lipc))
        f = smoothstep((rel + 0.02 * d) / (0.06 * d)) * smoothstep((chin * 1.5 - rel) / (chin * 0.6))
        f = f * np.exp(-0.5 * (lat / (0.55 * d)) ** 2)
        cg.dx += (f * up_vec[0] * openpx).astype(np.float32)
        cg.dy += (f * up_vec[1] * openpx).astype(np.float32)
        cg.used = True
    if cg.used:
        fx, fy = cg.full()
        dx += fx
        dy += fy
    mx = np.arange(box[0], box[2], dtype=np.float32)[None, :] + dx
    my = np.arange(box[1], box[3], dtype=np.float32)[:, None] + dy
    out = img.copy()
    out[box[1]:box[3], box[0]:box[2]] = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
    if openpx > 1.0:  # dark oral cavity between the upper inner lip and the displaced lower inner lip
        midl = 0.5 * (L[UP_IN] + L[LO_IN][::-1])  # mouth mid-line (lips' meeting line or between the teeth)
        low = L[LO_IN] - up_vec * openpx * 0.9
        poly = np.concatenate([midl, low]).astype(np.float32)
        x0, y0 = np.floor(poly.min(0) - 3).astype(int)
        x1, y1 = np.ceil(poly.max(0) + 3).astype(int)
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
        if x1 > x0 and y1 > y0:
            msk = np.zeros((y1 - y0, x1 - x0), np.float32)
            cv2.fillPoly(msk, [np.round((poly - [x0, y0]) * 4).astype(np.int32)], 1.0, lineType=cv2.LINE_AA, shift=2)
            msk = cv2.GaussianBlur(msk, (0, 0), max(0.6, 0.015 * d))[..., None] * min(0.85, openpx / 5.0)
            roi = out[y0:y1, x0:x1].astype(np.float32)
            dark = np.array([28, 22, 45], np.float32)
            out[y0:y1, x0:x1] = (roi * (1 - 0.9 * msk) + dark * 0.9 * msk).astype(np.uint8)
    return out


# ---------------------------------------------------------------- clip spec & timeline
CLASSES = ['normal', 'frequent_blinking', 'eyelid_myokymia', 'hemifacial_spasm', 'blepharospasm', 'synkinesis']
STILL_FACES = ['astronaut', 'astronaut_flip', 'single_face_jpg', 'single_face_jpg_flip', 'multi1', 'multi2_flip',
               'multi3', 'multi4_flip', 'multi1_flip', 'multi2', 'multi3_flip', 'multi4']
MOVING_FACES = ['wolfgang', 'single_mp4', 'jefapato', 'wolfgang_flip', 'single_mp4_flip', 'jefapato_flip']


def make_specs(seed):
    rng = np.random.default_rng(seed * 7919 + 11)
    specs = []
    n_per = 8
    cid = 0
    order = []
    for ci, c in enumerate(CLASSES):
        for j in range(n_per):
            order.append((c, j))
    perm = rng.permutation(len(order))
    for k, oi in enumerate(perm):
        c, j = order[oi]
        cid += 1
        moving = j < 3  # 3 of 8 per class on real footage
        if moving:
            face = MOVING_FACES[(CLASSES.index(c) + j * 2) % 6]
            if c == 'synkinesis' and face.startswith('wolfgang'):
                face = 'jefapato' if j % 2 else 'single_mp4_flip'
        else:
            face = STILL_FACES[(CLASSES.index(c) * 5 + j * 3) % 12]
        # resolution
        if moving and face.startswith('jefapato'):
            short = [1080, 720, 540, 360][j % 4] if c != 'blepharospasm' else 540
        elif moving:
            short = [360, 540, 270 + 90][j % 3]
        else:
            short = [360, 480, 240, 720, 540, 360, 1080, 480][(j + CLASSES.index(c)) % 8]
        if face.startswith('multi') and short > 720:
            short = 540
        aspect = [16 / 9, 16 / 9, 4 / 3, 9 / 16, 16 / 9][(j + 2 * CLASSES.index(c)) % 5]
        if moving and aspect < 1:
            aspect = 4 / 3
        if aspect >= 1:
            Hh = short
            Ww = int(round(short * aspect / 2)) * 2
        else:
            Ww = short
            Hh = int(round(short / aspect / 2)) * 2
        fps = [24, 25, 30, 30, 60, 25, 24, 30][(j + CLASSES.index(c) * 3) % 8]
        if moving:
            fps = 24 if face.startswith('wolfgang') else [30, 25, 30][j % 3]
        if fps == 60 and short > 540:
            fps = 30
        big = Ww * Hh >= 900000
        if big:
            fps = min(fps, 25)
        if big or fps == 60:
            dur = float(rng.uniform(15, 17))
        else:
            dur = float(rng.uniform(15.5, 21.5))
        codec = ['h264'] * 6 + ['vp9', 'mjpeg']
        codec = codec[(k * 5 + 3) % 8]
        if big and codec != 'h264':
            codec = 'h264'
        crf = int(rng.integers(18, 33))
        lat_side = ['image_left', 'image_right'][(j + CLASSES.index(c)) % 2]
        spec = dict(id='v5_%03d' % cid, disorder=c, face=face, base='moving' if moving else 'still',
                    width=Ww, height=Hh, fps=fps, duration_s=round(dur, 2), codec=codec, crf=crf,
                    lat_side=lat_side, variant=j,
                    face_frac=float(rng.uniform(0.16, 0.3)) if not moving else float(rng.uniform(0.17, 0.26)),
                    roll_deg=float(rng.uniform(0.5, 4.0)), trans_frac=float(rng.uniform(0.005, 0.04)),
                    scale_amp=float(rng.uniform(0.0, 0.08)), yaw_amp=float(rng.uniform(0.0, 0.05)),
                    light_amp=float(rng.uniform(0.0, 0.25)), side_light=float(rng.uniform(0, 35)),
                    noise_sigma=float(rng.choice([0.0, 1.5, 3.0, 5.0, 8.0])), seed=int(rng.integers(1 << 30)))
        if moving:
            spec['roll_deg'] *= 0.4
            spec['trans_frac'] *= 0.4
            spec['scale_amp'] *= 0.4
            spec['yaw_amp'] *= 0.4
        specs.append(spec)
    return specs


class Timeline:
    def __init__(self, dur, rng):
        self.dur, self.rng, self.busy, self.ev = dur, rng, [], []

    def free(self, t0, t1, pad=0.25):
        return all(t1 + pad <= a or t0 - pad >= b for a, b in self.busy)

    def place(self, length, lo=0.6, hi=None, tries=200, pad=0.3, block=True):
        hi = self.dur - 0.6 if hi is None else hi
        for _ in range(tries):
            t0 = self.rng.uniform(lo, max(lo, hi - length))
            if self.free(t0, t0 + length, pad):
                if block:
                    self.busy.append((t0, t0 + length))
                return t0
        return None

    def add(self, **e):
        self.ev.append(e)
        return e


def blinks(tl, rate, amp_lo=0.85, forbid=()):
    """renewal process of ordinary blinks at a given rate (per min)"""
    rng = tl.rng
    t = rng.uniform(0.3, 60.0 / rate)
    n = 0
    while t < tl.dur - 0.5:
        d = rng.uniform(0.24, 0.36)
        while not tl.free(t, t + d, 0.15) and t < tl.dur - 0.5:
            t += 0.15
        if t < tl.dur - 0.5 and tl.free(t, t + d, 0.15):
            a = 1.0 if rng.random() < 0.8 else rng.uniform(amp_lo - 0.2, 0.95)
            tl.add(kind='blink', t0=t, t1=t + d, iside='both', regions=['upper_lid', 'eye'], amp=a)
            tl.busy.append((t, t + d))
            n += 1
        mean = 60.0 / rate
        t += max(0.45, rng.gamma(3.0, mean / 3.0))
    # keep the realised rate within +-12% of the target: top up in free gaps or drop random blinks
    want = int(round(rate * tl.dur / 60.0))
    tries = 0
    while n < 0.88 * want and tries < 400:
        tries += 1
        t = rng.uniform(0.3, tl.dur - 0.6)
        d = rng.uniform(0.24, 0.36)
        if tl.free(t, t + d, 0.35):
            tl.add(kind='blink', t0=t, t1=t + d, iside='both', regions=['upper_lid', 'eye'], amp=1.0)
            tl.busy.append((t, t + d))
            n += 1
    mine = [e for e in tl.ev if e['kind'] == 'blink' and not e.get('own') and not e.get('cluster')][-n:] if n else []
    while n > 1.12 * want + 0.5 and mine:
        e = mine.pop(int(rng.integers(len(mine))))
        tl.ev.remove(e)
        n -= 1
    return n


def gen_events(spec, own):
    rng = np.random.default_rng(spec['seed'])
    dur = spec['duration_s']
    tl = Timeline(dur, rng)
    for e in own:  # person's own events from the footage
        e = dict(e)
        e['iside'] = 'both'
        tl.ev.append(e)
        if e['kind'] == 'blink':
            tl.busy.append((e['t0'], e['t1']))
    own_smiles = [e for e in own if e['kind'] == 'smile']
    own_blinks = len([e for e in own if e['kind'] == 'blink'])
    c, j = spec['disorder'], spec['variant']
    aff = 'A' if spec['lat_side'] == 'image_left' else 'B'
    rate_normal = rng.uniform(10, 19)
    planted_rate = lambda r: max(2.0, r - own_blinks * 60.0 / dur)
    if c == 'normal':
        for _ in range(int(rng.integers(1, 3))):
            L = rng.uniform(1.5, 3.5)
            t0 = tl.place(L, block=False)
            if t0 is not None:
                tl.add(kind='smile', t0=t0, t1=t0 + L, iside='both', regions=['mouth', 'cheek'],
                       amp=rng.uniform(0.4, 1.0), open=rng.choice([0.0, 0.0, 0.15]))
        for _ in range(int(rng.integers(1, 3))):
            L = rng.uniform(2.5, 6)
            t0 = tl.place(L, block=False)
            if t0 is not None:
                tl.add(kind='talking', t0=t0, t1=t0 + L, iside='both', regions=['mouth'],
                       amp=rng.uniform(0.15, 0.35), phase=rng.uniform(0, 6))
        extra = ['glance_down', 'yawn', 'laugh'][j % 3]
        if extra == 'glance_down':
            L = rng.uniform(1.0, 2.5)
            t0 = tl.place(L)
            if t0 is not None:
                tl.add(kind='glance_down', t0=t0, t1=t0 + L, iside='both', regions=['upper_lid', 'eye'], amp=rng.uniform(0.7, 1.0))
        elif extra == 'yawn':
            L = rng.uniform(3.5, 5.5)
            t0 = tl.place(L)
            if t0 is not None:
                tl.add(kind='yawn', t0=t0, t1=t0 + L, iside='both', regions=['mouth', 'eye'], amp=rng.uniform(0.7, 1.0))
        else:
            L = rng.uniform(1.5, 3.0)
            t0 = tl.place(L, block=False)
            if t0 is not None:
                tl.add(kind='smile', t0=t0, t1=t0 + L, iside='both', regions=['mouth', 'cheek', 'eye'], amp=1.0,
                       open=0.45, laugh=True)
        blinks(tl, planted_rate(rate_normal))
    elif c == 'frequent_blinking':
        blinks(tl, planted_rate(rng.uniform(36, 55)))
    elif c == 'eyelid_myokymia':
        lower = j % 4 != 3  # lower lid in 6 of 8
        n_b = int(rng.integers(3, 6))
        for _ in range(n_b):
            L = rng.uniform(2.0, 6.5)
            t0 = tl.place(L, pad=0.5, block=False)
            if t0 is None:
                continue
            pulses = []
            t = t0 + 0.1
            while t < t0 + L - 0.1:  # semirhythmic discharges, 3-8 Hz
                pulses.append((t, rng.uniform(0.25, 0.75), rng.uniform(0.14, 0.26)))
                t += rng.uniform(0.11, 0.3)
            amp = rng.uniform(0.6, 1.0) if j % 3 else rng.uniform(0.35, 0.6)
            tl.add(kind='flicker', t0=t0, t1=t0 + L, iside=aff, regions=['lower_lid' if lower else 'upper_lid'],
                   amp=amp, pulses=pulses)
        blinks(tl, planted_rate(rate_normal))
    elif c == 'hemifacial_spasm':
        early = j in (1, 4, 6)
        b2 = (0.0 if early else rng.choice([0.0, 0.6, 0.9]))
        n_t = int(rng.integers(3, 6)) if not early else int(rng.integers(1, 3))
        for i in range(n_t):
            L = rng.uniform(1.0, 4.5) if not early else rng.uniform(0.8, 1.8)
            t0 = tl.place(L, pad=0.6)
            if t0 is None:
                continue
            spread = t0 / dur
            lower = (0.15 + 0.85 * spread) if not early else 0.1 * spread
            tl.add(kind='tonic_spasm', t0=t0, t1=t0 + L, iside=aff,
                   regions=['eye', 'upper_lid', 'lower_lid', 'cheek'] + (['mouth'] if lower > 0.25 else []) +
                   (['brow'] if b2 else []),
                   amp=rng.uniform(0.7, 1.0) if not early else rng.uniform(0.3, 0.55), lower=lower, babinski2=b2)
        n_c = int(rng.integers(5, 12))
        k = 0
        while k < n_c:
            burst = int(rng.integers(1, 4))
            t0 = tl.place(0.25 * burst + 0.2, pad=0.35, block=False)
            if t0 is None:
                break
            for b in range(burst):
                L = rng.uniform(0.1, 0.3)
                tt = t0 + b * rng.uniform(0.22, 0.3)
                spread = tt / dur
                lower = 0.0 if early else 0.3 * spread
                tl.add(kind='clonic_twitch', t0=tt, t1=tt + L, iside=aff,
                       regions=['eye', 'lower_lid', 'upper_lid'] + (['cheek'] if lower > 0.15 else []),
                       amp=rng.uniform(0.2, 0.45) if early else rng.uniform(0.3, 0.7), lower=lower)
                tl.busy.append((tt, tt + L))
                k += 1
        blinks(tl, planted_rate(rate_normal))
    elif c == 'blepharospasm':
        mild = j in (0, 5, 7)
        n_f = int(rng.integers(2, 4)) if mild else int(rng.integers(3, 6))
        for _ in range(n_f):
            L = rng.uniform(0.9, 1.8) if mild else rng.uniform(1.0, 5.0)
            t0 = tl.place(L, pad=0.6)
            if t0 is not None:
                tl.add(kind='forceful_closure', t0=t0, t1=t0 + L, iside='both', regions=['eye', 'upper_lid', 'lower_lid', 'brow'],
                       amp=1.0, brow=rng.uniform(0.4, 0.7) if mild else rng.uniform(0.7, 1.0))
        for _ in range(int(rng.integers(1, 3)) if mild else int(rng.integers(2, 4))):
            nb = int(rng.integers(3, 7))
            t0 = tl.place(nb * 0.33 + 0.2, pad=0.5)
            if t0 is None:
                continue
            for b in range(nb):
                tt = t0 + b * rng.uniform(0.28, 0.36)
                tl.add(kind='blink', t0=tt, t1=tt + 0.24, iside='both', regions=['upper_lid', 'eye', 'brow'], amp=1.0,
                       cluster=True)
        blinks(tl, planted_rate(rng.uniform(28, 40) if mild else rng.uniform(32, 48)))
    elif c == 'synkinesis':
        amp = rng.uniform(0.25, 0.4) if j % 3 == 0 else rng.uniform(0.4, 0.7)
        vols = []
        for s in own_smiles:
            vols.append((s['t0'], s['t1']))
        kinds = ['smile', 'smile', 'talking', 'pucker', 'smile', 'talking', 'pucker']
        rng.shuffle(kinds)
        for kk in kinds[:int(rng.integers(4, 7))]:
            L = {'smile': rng.uniform(1.5, 3.5), 'talking': rng.uniform(2.5, 5.0), 'pucker': rng.uniform(1.2, 2.5)}[kk]
            t0 = tl.place(L, pad=0.8, block=False)
            if t0 is None:
                continue
            tl.busy.append((t0, t0 + L))
            if kk == 'smile':
                tl.add(kind='smile', t0=t0, t1=t0 + L, iside='both', regions=['mouth', 'cheek'], amp=rng.uniform(0.5, 1.0))
            elif kk == 'talking':
                tl.add(kind='talking', t0=t0, t1=t0 + L, iside='both', regions=['mouth'], amp=rng.uniform(0.2, 0.35),
                       phase=rng.uniform(0, 6))
            else:
                tl.add(kind='pucker', t0=t0, t1=t0 + L, iside='both', regions=['mouth'], amp=rng.uniform(0.6, 1.0))
            vols.append((t0, t0 + L))
        for (a, b) in vols:
            tl.add(kind='eye_narrowing', t0=a + 0.05, t1=b, iside=aff, regions=['eye', 'upper_lid', 'lower_lid'],
                   amp=amp * rng.uniform(0.85, 1.15), synkinetic=True)
        tl.busy = [(a, b) for a, b in tl.busy]  # blinks may fall anywhere else
        nb0 = len(tl.ev)
        blinks(tl, planted_rate(rate_normal))
        if j % 2 == 1:
            for e in tl.ev[nb0:]:
                if e['kind'] == 'blink':
                    e['syn_mouth'] = aff
                    e['syn_amp'] = rng.uniform(0.4, 0.8)
    return tl.ev


# ---------------------------------------------------------------- global conditions
def motion(spec, t, W, H):
    r = np.random.default_rng(spec['seed'] + 5)
    ph = r.uniform(0, 2 * np.pi, 8)
    f = r.uniform(0.04, 0.2, 8)
    s = lambda i: math.sin(2 * math.pi * f[i] * t + ph[i])
    roll = spec['roll_deg'] * s(0)
    tx = spec['trans_frac'] * W * s(1)
    ty = spec['trans_frac'] * H * 0.6 * s(2)
    sc = 1 + spec['scale_amp'] * s(3)
    yaw = spec['yaw_amp'] * s(4)
    c = (W / 2, H / 2)
    M = cv2.getRotationMatrix2D(c, roll, sc)
    # yaw-like: horizontal compression about the centre plus a matching shift (2-D approximation)
    Y = np.array([[1 - abs(yaw), 0, c[0] * abs(yaw) + yaw * 0.6 * W * 0.1], [0, 1, 0]], np.float64)
    M3 = np.vstack([M, [0, 0, 1]]) @ np.vstack([Y, [0, 0, 1]])
    M3[0, 2] += tx
    M3[1, 2] += ty
    return M3[:2].astype(np.float32), roll, yaw


class Renderer:
    def __init__(self, spec, base, events):
        self.spec, self.base, self.events = spec, base, events
        W, H = spec['width'], spec['height']
        self.ramp = np.ascontiguousarray(np.tile(np.linspace(0, 254, W).astype(np.uint8)[None, :, None], (H, 1, 3)))
        self.noise = []
        if spec['noise_sigma'] > 0:
            cv2.setRNGSeed(spec['seed'] % 100000)
            for i in range(10):
                nz = np.zeros((H, W, 3), np.int16)
                cv2.randn(nz, 0, spec['noise_sigma'])
                self.noise.append(nz)
        self.nrng = np.random.default_rng(spec['seed'] + 3)
        self.nidx = self.nrng.integers(0, 10, 200000)

    def render(self, k, skip=None):
        sp = self.spec
        t = k / sp['fps']
        bi = self.base.index(t)
        img = self.base.frames[bi]
        L = self.base.lms[bi]
        st = new_state()
        for i, e in enumerate(self.events):
            if skip is not None and i in skip:
                continue
            apply_event(st, e, t)
        img = warp_face(img, L, st)
        W, H = sp['width'], sp['height']
        M, _, _ = motion(sp, t, W, H)
        img = cv2.warpAffine(img, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
        gain = 1 + sp['light_amp'] * 0.5 * math.sin(2 * math.pi * 0.05 * t + sp['seed'] % 7)
        side = sp['side_light'] * math.sin(2 * math.pi * 0.03 * t + sp['seed'] % 5)
        if abs(side) > 2:  # side light: gain plus a horizontal brightness ramp of +-side grey levels
            img = cv2.addWeighted(img, gain, self.ramp, side / 127.0, -side)
        else:
            img = cv2.convertScaleAbs(img, alpha=gain)
        if sp['noise_sigma'] > 0:
            img = cv2.add(img, self.noise[self.nidx[k]], dtype=cv2.CV_8U)  # bank of 10 noise fields, random order
        return img, L, st


def encode(path, spec, frames_iter):
    codec = spec['codec']
    c = av.open(path, 'w')
    if codec == 'h264':
        s = c.add_stream('libx264', rate=spec['fps'])
        s.pix_fmt = 'yuv420p'
        s.options = {'crf': str(spec['crf']), 'preset': 'superfast'}
    elif codec == 'vp9':
        s = c.add_stream('libvpx-vp9', rate=spec['fps'])
        s.pix_fmt = 'yuv420p'
        s.options = {'crf': str(spec['crf'] + 4), 'b': '0', 'deadline': 'realtime', 'cpu-used': '8', 'row-mt': '0'}
    else:
        s = c.add_stream('mjpeg', rate=spec['fps'])
        s.pix_fmt = 'yuvj420p'
        s.options = {'q:v': str(3 + spec['crf'] // 6)}
    s.width, s.height = spec['width'], spec['height']
    s.thread_count = 1
    for img in frames_iter:
        for p in s.encode(av.VideoFrame.from_ndarray(img, format='bgr24')):
            c.mux(p)
    for p in s.encode():
        c.mux(p)
    c.close()


# ---------------------------------------------------------------- visibility check
def metrics(L):
    ss = side_sets(L)
    d = iod(L)
    out = {}
    for s in 'AB':
        es = ss[s]
        out['gap' + s] = np.mean([np.linalg.norm(L[a] - L[b]) for a, b in es['gap']]) / d
        out['lo' + s] = L[es['lo']]
        out['up' + s] = L[es['up']]
        out['brow' + s] = L[es['brow']]
        out['cheek' + s] = L[es['cheek']]
        out['corner' + s] = L[[es['corner']]]
    out['mouth'] = L[[61, 291, 13, 14, 17, 0, 152]]
    return out, d


def align(Lr, Lx):
    """similarity-align Lx onto Lr with stable points"""
    M, _ = cv2.estimateAffinePartial2D(Lx[STABLE], Lr[STABLE])
    if M is None:
        return Lx
    return Lx @ M[:, :2].T + M[:, 2]


def visible(ev, Lref, Lx):
    Lx = align(Lref, Lx)
    mr, d = metrics(Lref)
    mx, _ = metrics(Lx)
    S = ['A', 'B'] if ev['iside'] == 'both' else [ev['iside']]
    best = 0.0
    regs = set(ev['regions'])
    for s in S:
        score = 0.0
        if regs & {'eye', 'upper_lid', 'lower_lid'}:
            g0, g1 = mr['gap' + s], mx['gap' + s]
            score = max(score, abs(g1 - g0) / max(g0, 0.02) / 0.15)  # 15% change of the lid gap
            if 'lower_lid' in regs:
                score = max(score, np.abs(mx['lo' + s] - mr['lo' + s]).max() / d / 0.015)
            if 'upper_lid' in regs:
                score = max(score, np.abs(mx['up' + s] - mr['up' + s]).max() / d / 0.015)
        if 'brow' in regs:
            score = max(score, np.linalg.norm(mx['brow' + s] - mr['brow' + s], axis=1).mean() / d / 0.015)
        if 'cheek' in regs:
            score = max(score, np.linalg.norm(mx['cheek' + s] - mr['cheek' + s], axis=1).mean() / d / 0.015)
        if 'mouth' in regs:
            score = max(score, np.linalg.norm(mx['corner' + s] - mr['corner' + s], axis=1).max() / d / 0.02)
            score = max(score, np.linalg.norm(mx['mouth'] - mr['mouth'], axis=1).max() / d / 0.02)
        best = max(best, score)
    return bool(best >= 1.0), float(best)


def peak_time(ev, fps):
    k = ev['kind']
    if k == 'flicker':
        # three discharges from the middle of the bout (the check takes the best of them)
        ts = [p[0] for p in ev['pulses'] if ev['t0'] + 0.35 < p[0] < ev['t1'] - 0.35] or [(ev['t0'] + ev['t1']) / 2]
        m = len(ts) // 2
        return [x + 0.01 for x in ts[max(0, m - 1):m + 2]]
    if k in ('blink', 'clonic_twitch'):
        return ev['t0'] + 0.36 * (ev['t1'] - ev['t0'])
    if k == 'talking':
        # pick the most open syllable in the middle second
        mid = (ev['t0'] + ev['t1']) / 2
        ts = np.arange(mid - 0.5, mid + 0.5, 1 / fps)
        ph = ev['phase']
        syl = 0.5 + 0.5 * np.sin(2 * np.pi * (4.0 * ts + 0.6 * np.sin(2 * np.pi * 0.7 * ts + ph)))
        return float(ts[int(np.argmax(syl))])
    return (ev['t0'] + ev['t1']) / 2


# ---------------------------------------------------------------- main
PERSON = {'A': 'right', 'B': 'left', 'both': 'both'}
IMG = {'A': 'image_left', 'B': 'image_right', 'both': 'both'}


def render_clip(spec, outdir, check=True):
    t_start = time.process_time()
    base = build_base(spec)
    fps = spec['fps']
    n = int(round(spec['duration_s'] * fps))
    own = own_events(base, fps, n)
    events = gen_events(spec, own)
    events.sort(key=lambda e: e['t0'])
    rend = Renderer(spec, base, events)
    ext = {'h264': '.mp4', 'vp9': '.webm', 'mjpeg': '.avi'}[spec['codec']]
    fname = spec['id'] + ext
    path = os.path.join(outdir, fname)
    encode(path, spec, (rend.render(k)[0] for k in range(n)))
    t_render = time.process_time() - t_start
    # ---- visibility: decoded frame at the event peak vs counterfactual without the event
    vis = [None] * len(events)
    scores = [None] * len(events)
    if check:
        want = {}
        for i, e in enumerate(events):
            tps = peak_time(e, fps)
            for tp in (tps if isinstance(tps, list) else [tps]):
                tp = min(tp, spec['duration_s'] - 1.0 / fps)
                want.setdefault(int(round(tp * fps)), []).append(i)
        got = {}
        c = av.open(path)
        for k, fr in enumerate(c.decode(video=0)):
            if k in want:
                got[k] = fr.to_ndarray(format='bgr24')
        c.close()
        for k, idxs in want.items():
            if k not in got:
                continue
            Lx = landmarks(got[k])
            for i in idxs:
                e = events[i]
                if e.get('own'):
                    # own footage events: compare with a frame 0.35 s before the event, rendered the same way
                    kr = max(0, int(round((e['t0'] - 0.35) * fps)))
                    ref = rend.render(kr)[0]
                else:
                    ref = rend.render(k, skip={i})[0]
                Lr = landmarks(ref)
                if Lx is None or Lr is None:
                    v_, s_ = False, 0.0
                else:
                    v_, s_ = visible(e, Lr, Lx)
                if scores[i] is None or s_ > scores[i]:
                    vis[i], scores[i] = v_, s_
    t_total = time.process_time() - t_start
    out_ev = []
    for i, e in enumerate(events):
        ev = dict(start_s=round(e['t0'], 3), end_s=round(min(e['t1'], spec['duration_s']), 3), kind=e['kind'],
                  side=PERSON[e['iside']], image_side=IMG[e['iside']], regions=e['regions'], visible=vis[i],
                  visibility_score=None if scores[i] is None else round(scores[i], 2),
                  strength=round(float(e.get('amp', 1.0)), 2), source='base_video' if e.get('own') else 'planted')
        if e.get('lower') is not None:
            ev['lower_face_involvement'] = round(float(e['lower']), 2)
        if e.get('babinski2'):
            ev['babinski2_brow_raise'] = True
        if e.get('syn_mouth'):
            ev['synkinetic_mouth_pull'] = PERSON[e['syn_mouth']]
            ev['regions'] = e['regions'] + ['mouth']
        if e.get('laugh'):
            ev['laugh'] = True
        if e.get('cluster'):
            ev['in_rapid_cluster'] = True
        if e['kind'] == 'flicker':
            ev['discharges'] = len(e['pulses'])
        out_ev.append(ev)
    nbl = sum(1 for e in events if e['kind'] == 'blink')
    c = spec['disorder']
    if c in ('normal', 'frequent_blinking', 'blepharospasm'):
        side = 'both' if c == 'blepharospasm' else 'none'
        iside = 'both' if c == 'blepharospasm' else 'none'
    else:
        side = PERSON['A' if spec['lat_side'] == 'image_left' else 'B']
        iside = spec['lat_side']
    sha = hashlib.sha256(spec['id'].encode()).digest()
    return dict(id=spec['id'], file=fname,
                split='dev' if sha[0] % 2 == 0 else 'locked', face=spec['face'], base=spec['base'],
                disorder=c, side=side, image_side=iside, fps=fps, width=spec['width'], height=spec['height'],
                duration_s=round(n / fps, 3), blink_rate_per_min=round(nbl * 60.0 / (n / fps), 1), events=out_ev,
                conditions=dict(codec=spec['codec'], container=ext[1:], crf=spec['crf'] if spec['codec'] == 'h264' else None,
                                quality_param=(spec['crf'] + 4 if spec['codec'] == 'vp9' else
                                               (3 + spec['crf'] // 6 if spec['codec'] == 'mjpeg' else spec['crf'])),
                                face_width_frac=round(spec['face_frac'], 3), roll_deg_amp=round(spec['roll_deg'], 2),
                                translation_frac_amp=round(spec['trans_frac'], 3), scale_amp=round(spec['scale_amp'], 3),
                                yaw_like_amp=round(spec['yaw_amp'], 3), light_gain_amp=round(spec['light_amp'], 3),
                                side_light_amp=round(spec['side_light'], 1), noise_sigma=spec['noise_sigma'],
                                flipped=spec['face'].endswith('_flip'),
                                severity=('mild' if (c == 'blepharospasm' and spec['variant'] in (0, 5, 7)) else
                                          'early' if (c == 'hemifacial_spasm' and spec['variant'] in (1, 4, 6)) else None),
                                cpu_s_render=round(t_render, 2), cpu_s_total=round(t_total, 2)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--only', default='')
    ap.add_argument('--no-check', action='store_true')
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    specs = make_specs(a.seed)
    if a.only:
        keep = {int(x) for x in a.only.split(',')}
        specs = [s for i, s in enumerate(specs) if i + 1 in keep]
    truth = []
    t0 = time.process_time()
    for s in specs:
        r = render_clip(s, a.out, check=not a.no_check)
        truth.append(r)
        print('%s %-18s %-22s %s %4dx%-4d %2dfps %5.1fs %s ev=%d cpu=%.1f/%.1f' % (
            r['id'], r['disorder'], r['face'], r['base'][0], r['width'], r['height'], r['fps'], r['duration_s'],
            r['conditions']['codec'], len(r['events']), r['conditions']['cpu_s_render'], r['conditions']['cpu_s_total']),
            flush=True)
    with open(os.path.join(a.out, 'truth.json'), 'w') as f:
        json.dump(truth, f, indent=1)
    print('total cpu s (this process):', round(time.process_time() - t0, 1))


if __name__ == '__main__':
    main()
