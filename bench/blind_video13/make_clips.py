#!/usr/bin/env python
"""Blind evaluation set 13: face videos with planted facial events.

Usage: make_clips.py --out DIR [--seed N] [--jobs J] [--only v13_001,v13_002]

Every clip is a real face (moving footage or a still photo animated by warping) on which
eyelid closures, brow / cheek / mouth-corner movements and lid ripples are planted with
smooth local displacement fields (cv2.remap), driven by per-frame activation signals.
See README.md.
"""
import argparse, hashlib, json, math, os, sys, time
from multiprocessing import Pool

import numpy as np
import cv2

MEDIA = '/work/shared/media'
CLASSES = ['normal', 'frequent_blinking', 'eyelid_myokymia', 'hemifacial_spasm',
           'blepharospasm', 'synkinesis']
DISORDERS = ['eyelid_myokymia', 'hemifacial_spasm', 'blepharospasm', 'synkinesis']
ONE_SIDED = ['eyelid_myokymia', 'hemifacial_spasm', 'synkinesis']

# MediaPipe face-mesh indices. "R" = subject's anatomical right (image left in an unmirrored frame).
EYE = {
    'R': dict(up=[33, 246, 161, 160, 159, 158, 157, 173, 133], lo=[33, 7, 163, 144, 145, 153, 154, 155, 133],
              outer=33, inner=133),
    'L': dict(up=[263, 466, 388, 387, 386, 385, 384, 398, 362], lo=[263, 249, 390, 373, 374, 380, 381, 382, 362],
              outer=263, inner=362),
}
BROW = {'R': [70, 63, 105, 66, 107], 'L': [300, 293, 334, 296, 336]}
MOUTH = {'R': 61, 'L': 291}
CHEEK = {'R': 205, 'L': 425}

FOOTAGE = {
    'wolfgang': 'WolfgangLanger_Pexels.mp4',
    'single_face_video': 'single_face.mp4',
    'jefapato': 'jefapato_2sec.mp4',
}


# ----------------------------------------------------------------------------- landmarks
def _mesh(static):
    import mediapipe as mp
    return mp.solutions.face_mesh.FaceMesh(static_image_mode=static, max_num_faces=10 if static else 1,
                                           refine_landmarks=False, min_detection_confidence=0.3,
                                           min_tracking_confidence=0.3)


def _square(im):
    """Pad bottom/right to a square: the face mesh's normalised coordinates assume a square input."""
    h, w = im.shape[:2]
    n = max(h, w)
    return cv2.copyMakeBorder(im, 0, n - h, 0, n - w, cv2.BORDER_CONSTANT, value=0)


def load_still(face):
    """Return (image BGR, 468x2 landmarks) for a still face name."""
    if face == 'astronaut':
        from skimage import data
        im = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    elif face == 'single_face_photo':
        im = cv2.imread(os.path.join(MEDIA, 'single_face.jpg'))
    else:
        im = cv2.imread(os.path.join(MEDIA, 'multi_face.jpg'))
    H, W = im.shape[:2]
    with _mesh(True) as fm:
        # pass 1 on the whole picture: rough face positions only
        r = fm.process(cv2.cvtColor(im, cv2.COLOR_BGR2RGB))
        rough = [np.array([[l.x * W, l.y * H] for l in f.landmark[:468]], np.float32) for f in r.multi_face_landmarks]
        rough.sort(key=lambda p: p[:, 0].mean())
        p = rough[int(face.split('_')[-1])] if face.startswith('multi_face_') else rough[0]
        # pass 2 on a square crop around that face (the mesh assumes square input)
        cx, cy = p.mean(0)
        half = int(1.3 * (p[:, 0].max() - p[:, 0].min()))
        x0, y0 = int(cx) - half, int(cy) - half
        crop = cv2.copyMakeBorder(im, half, half, half, half, cv2.BORDER_REPLICATE)[y0 + half:y0 + 3 * half,
                                                                                   x0 + half:x0 + 3 * half]
        r = fm.process(cv2.cvtColor(crop, cv2.COLOR_BGR2RGB))
        n = crop.shape[0]
        faces = [np.array([[l.x * n, l.y * n] for l in f.landmark[:468]], np.float32) for f in r.multi_face_landmarks]
        best = min(faces, key=lambda q: np.linalg.norm(q.mean(0) - n / 2))
    return im, best + np.array([x0, y0], np.float32)


def footage_cache(name, cache_dir):
    """Decode the footage once and cache frames + per-frame landmarks."""
    path = os.path.join(cache_dir, name + '.npz')
    if os.path.exists(path):
        d = np.load(path)
        return d['frames'], d['lm'], float(d['fps'])
    import av
    c = av.open(os.path.join(MEDIA, FOOTAGE[name]))
    s = c.streams.video[0]
    fps = float(s.average_rate)
    frames = []
    for fr in c.decode(s):
        im = fr.to_ndarray(format='bgr24')
        if im.shape[1] > 960:  # 1080p source: keep a 720p copy
            im = cv2.resize(im, (1280, 720), interpolation=cv2.INTER_AREA)
        frames.append(im)
    c.close()
    lms = []
    with _mesh(False) as fm:
        last = None
        for im in frames:
            sq = _square(im)
            r = fm.process(cv2.cvtColor(sq, cv2.COLOR_BGR2RGB))
            h = w = sq.shape[0]
            if r.multi_face_landmarks:
                last = np.array([[l.x * w, l.y * h] for l in r.multi_face_landmarks[0].landmark[:468]], np.float32)
            lms.append(last)
    first = next(l for l in lms if l is not None)
    lms = [first if l is None else l for l in lms]
    frames = np.stack(frames)
    lm = np.stack(lms)
    tmp = path + '.tmp.npz'
    np.savez(tmp, frames=frames, lm=lm, fps=fps)
    os.replace(tmp, path)
    return frames, lm, fps


def ear(lm, side):
    e = EYE[side]
    up, lo = lm[e['up'][2:7]], lm[e['lo'][2:7]]
    w = np.linalg.norm(lm[e['outer']] - lm[e['inner']]) + 1e-6
    return float(np.mean(np.linalg.norm(up - lo, axis=1)) / w)


# ----------------------------------------------------------------------------- signals
def blink_profile(t, t0, dur, amp):
    """Eyelid closure of one blink: fast close (~35%), brief hold, slower reopening."""
    tc, th = 0.3 * dur, 0.12 * dur
    x = t - t0
    out = np.zeros_like(t)
    m = (x >= 0) & (x < tc)
    out[m] = np.sin(0.5 * np.pi * x[m] / tc) ** 2
    m = (x >= tc) & (x < tc + th)
    out[m] = 1.0
    m = (x >= tc + th) & (x < dur)
    out[m] = np.cos(0.5 * np.pi * (x[m] - tc - th) / (dur - tc - th)) ** 2
    return amp * out


def plateau(t, t0, t1, ramp_in, ramp_out):
    out = np.zeros_like(t)
    m = (t >= t0) & (t < t0 + ramp_in)
    out[m] = np.sin(0.5 * np.pi * (t[m] - t0) / ramp_in) ** 2
    m = (t >= t0 + ramp_in) & (t < t1 - ramp_out)
    out[m] = 1.0
    m = (t >= t1 - ramp_out) & (t < t1)
    out[m] = np.cos(0.5 * np.pi * (t[m] - (t1 - ramp_out)) / ramp_out) ** 2
    return out


def smooth_noise(rng, n, fps, cutoff_s, amp):
    """Low-frequency random signal (sum of sinusoids), zero mean, ~amp peak."""
    t = np.arange(n) / fps
    out = np.zeros(n)
    for _ in range(4):
        f = rng.uniform(0.3, 1.0) / cutoff_s
        out += rng.normal() * np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3))
    return amp * out / 2.0


def spaced_times(rng, k, dur, avoid=(), gap=0.55):
    """k onsets spread over the clip (jittered grid, irregular), kept off natural blinks."""
    if k <= 0:
        return []
    step = (dur - 0.8) / k
    out = []
    for i in range(k):
        for _ in range(20):
            t = 0.3 + step * (i + 0.5) + rng.uniform(-0.42, 0.42) * step
            if all(abs(t - a) > gap for a in list(avoid) + out) and 0.2 < t < dur - 0.5:
                out.append(t)
                break
    return sorted(out)


def poisson_times(rng, rate_per_min, dur, min_gap, avoid=(), margin=0.4, avoid_gap=0.5):
    """Event onsets with gamma-distributed gaps (shape 2) at a given mean rate."""
    times = []
    t = rng.uniform(0.2, 60.0 / max(rate_per_min, 1e-3))
    mean = 60.0 / rate_per_min
    while t < dur - margin:
        if all(abs(t - a) > avoid_gap for a in avoid):
            times.append(t)
        t += max(min_gap, rng.gamma(2.0, mean / 2.0))
    return times


# ----------------------------------------------------------------------------- warping
class Warper:
    """Builds a displacement field over a face ROI from named activations and remaps."""

    def __init__(self, shape):
        self.h, self.w = shape[:2]

    def apply(self, img, lm, act):
        iod = float(np.linalg.norm(lm[EYE['R']['outer']] - lm[EYE['L']['outer']]))
        x0 = int(max(0, lm[:, 0].min() - 0.3 * iod)); x1 = int(min(self.w, lm[:, 0].max() + 0.3 * iod))
        y0 = int(max(0, lm[:, 1].min() - 0.5 * iod)); y1 = int(min(self.h, lm[:, 1].max() + 0.3 * iod))
        if x1 - x0 < 8 or y1 - y0 < 8:
            return img
        W, H = x1 - x0, y1 - y0
        dx = np.zeros((H, W), np.float32)
        dy = np.zeros((H, W), np.float32)
        any_ = False
        off = np.array([x0, y0], np.float32)
        L = lm - off
        for s in 'RL':
            # local blobs: brow (up +/-), brow medial pull, cheek raise, mouth corner pull, lower-lid twitch
            b = act.get('brow_' + s, 0.0)
            if abs(b) > 1e-3:
                any_ = True
                p = L[BROW[s]].mean(0)
                self._blob(dx, dy, p, 0.2 * iod, (0.0, -b * 0.06 * iod), sy=0.14 * iod)
            bm = act.get('browmed_' + s, 0.0)
            if abs(bm) > 1e-3:
                any_ = True
                med = L[BROW[s][-1]]
                mid = 0.5 * (L[EYE['R']['inner']] + L[EYE['L']['inner']])
                v = (mid - med) / (np.linalg.norm(mid - med) + 1e-6)
                self._blob(dx, dy, med, 0.1 * iod, (bm * 0.035 * iod * v[0], bm * 0.03 * iod))
            c = act.get('cheek_' + s, 0.0)
            if abs(c) > 1e-3:
                any_ = True
                self._blob(dx, dy, L[CHEEK[s]], 0.2 * iod, (0.0, -c * 0.05 * iod), sy=0.16 * iod)
            m = act.get('mouth_' + s, None)
            if m is not None and (abs(m[0]) > 1e-3 or abs(m[1]) > 1e-3):
                any_ = True
                p = L[MOUTH[s]]
                outward = -1.0 if s == 'R' else 1.0  # subject's right is image left (unmirrored)
                if lm[EYE['R']['outer'], 0] > lm[EYE['L']['outer'], 0]:
                    outward = -outward
                self._blob(dx, dy, p, 0.14 * iod, (outward * m[0] * 0.08 * iod, -m[1] * 0.08 * iod))
            tw = act.get('lowlid_' + s, 0.0)
            if abs(tw) > 1e-4:
                any_ = True
                e = EYE[s]
                p = L[e['lo'][2:7]].mean(0)
                self._blob(dx, dy, p + np.array([0, 0.04 * iod]), 0.12 * iod, (0.0, -tw * 0.03 * iod), sy=0.05 * iod)
            rip = act.get('ripple_' + s, None)
            if rip is not None:
                any_ = True
                e = EYE[s]
                idx = e['lo'][1:8] if rip[0] == 'lower' else e['up'][1:8]
                pts = L[idx]
                sgn = -1.0 if rip[0] == 'lower' else 1.0
                for p, a in zip(pts[1::2], rip[1]):
                    if abs(a) > 1e-4:
                        self._blob(dx, dy, p + np.array([0, -sgn * 0.03 * iod]), 0.05 * iod, (0.0, sgn * a * iod),
                                   sy=0.035 * iod)
        for s in 'RL':
            cu, cl = act.get('close_' + s, 0.0), act.get('lowraise_' + s, 0.0)
            if cu > 1e-3 or cl > 1e-3:
                any_ = True
                self._lid(dy, L, s, iod, min(cu, 1.0), min(cl, 0.5))
        if not any_:
            return img
        dx += np.arange(W, dtype=np.float32)[None, :]
        dy += np.arange(H, dtype=np.float32)[:, None]
        roi = img[y0:y1, x0:x1]
        warped = cv2.remap(roi, dx, dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        out = img.copy()
        out[y0:y1, x0:x1] = warped
        return out

    @staticmethod
    def _blob(dx, dy, c, sigma, v, sy=None):
        """Content near c moves by v (so output samples from p - v*g); anisotropic if sy is given."""
        H, W = dx.shape
        sy = sigma if sy is None else sy
        r, ry = int(3 * sigma) + 1, int(3 * sy) + 1
        cx, cy = int(round(c[0])), int(round(c[1]))
        xa, xb, ya, yb = max(0, cx - r), min(W, cx + r + 1), max(0, cy - ry), min(H, cy + ry + 1)
        if xa >= xb or ya >= yb:
            return
        xs = np.arange(xa, xb, dtype=np.float32) - c[0]
        ys = np.arange(ya, yb, dtype=np.float32) - c[1]
        g = np.exp(-(ys[:, None] ** 2) / (2 * sy * sy) - (xs[None, :] ** 2) / (2 * sigma * sigma)).astype(np.float32)
        dx[ya:yb, xa:xb] -= v[0] * g
        dy[ya:yb, xa:xb] -= v[1] * g

    @staticmethod
    def _lid(dy, L, s, iod, cu, cl):
        """Per-column eyelid closure: upper lid margin descends by cu of the aperture (skin above is
        stretched down over the eye), lower lid rises by cl."""
        H, W = dy.shape
        e = EYE[s]
        up, lo = L[e['up']], L[e['lo']]
        xa, xb = float(min(up[:, 0].min(), lo[:, 0].min())), float(max(up[:, 0].max(), lo[:, 0].max()))
        ew = xb - xa
        cols = np.arange(max(0, int(xa) - 1), min(W, int(xb) + 2))
        if len(cols) == 0:
            return
        ou, ol = np.argsort(up[:, 0]), np.argsort(lo[:, 0])
        top = np.interp(cols, up[ou, 0], up[ou, 1])
        bot = np.interp(cols, lo[ol, 0], lo[ol, 1])
        A = np.clip(bot - top, 0, None)
        inside = (cols >= xa) & (cols <= xb)
        A = A * inside
        Hu, Hl = 0.22 * iod, 0.12 * iod
        yu = top + cu * A
        yl = np.maximum(bot - cl * A, yu + 1e-3)
        ya = int(max(0, np.floor((top - Hu).min())))
        yb = int(min(H, np.ceil((bot + Hl).max()) + 1))
        if ya >= yb:
            return
        Y = np.arange(ya, yb, dtype=np.float32)[:, None]
        T, B, YU, YL = top[None], bot[None], yu[None], yl[None]
        src = Y.repeat(len(cols), 1).astype(np.float32)
        m1 = (Y >= T - Hu) & (Y < YU)
        s1 = T - Hu + (Y - (T - Hu)) * Hu / np.maximum(YU - (T - Hu), 1e-3)
        m2 = (Y >= YU) & (Y < YL)
        s2 = YU + (Y - YU) * (B - YU) / np.maximum(YL - YU, 1e-3)
        m3 = (Y >= YL) & (Y < B + Hl)
        s3 = B + (Y - YL) * Hl / np.maximum(B + Hl - YL, 1e-3)
        src = np.where(m1, s1, np.where(m2, s2, np.where(m3, s3, src)))
        d = (src - Y).astype(np.float32)
        d[:, ~inside] = 0
        dy[ya:yb, cols[0]:cols[-1] + 1] += d


# ----------------------------------------------------------------------------- planning
def plan_set(seed):
    rng = np.random.default_rng(seed)
    ids = ['v13_%03d' % i for i in range(1, 49)]
    cls = [c for c in CLASSES for _ in range(8)]
    rng.shuffle(cls)
    by_cls = {c: [i for i, k in zip(ids, cls) if k == c] for c in CLASSES}
    # multi_face_0 wears sunglasses (eyes invisible), so it is not used
    faces_still = ['single_face_photo', 'astronaut', 'multi_face_1', 'multi_face_2', 'multi_face_3', 'multi_face_4']
    sizes_land = [(426, 240), (640, 360), (854, 480), (1280, 720)]
    sizes_port = [(360, 640), (480, 854)]
    fps_opts = [24, 25, 30, 30, 50, 60]
    specs = {}
    n_foot = {c: k for c, k in zip(CLASSES, [3, 3, 3, 3, 2, 2])}
    for ci, c in enumerate(CLASSES):
        members = by_cls[c]
        order = sorted(members, key=lambda i: hashlib.sha256(('%d:%s' % (seed, i)).encode()).hexdigest())
        split = {i: ('dev' if k < 4 else 'locked') for k, i in enumerate(order)}
        sev = (['mild'] * 3 + ['moderate'] * 3 + ['marked'] * 2) if c in DISORDERS else [None] * 8
        sev = list(rng.permutation(sev))
        if c in ONE_SIDED:
            sides = list(rng.permutation(['left'] * 4 + ['right'] * 4))
        elif c == 'blepharospasm':
            sides = ['both'] * 8
        else:
            sides = [None] * 8
        bases = list(rng.permutation(['footage'] * n_foot[c] + ['still'] * (8 - n_foot[c])))
        for k, i in enumerate(members):
            specs[i] = dict(id=i, disorder=c, split=split[i], severity=sev[k], side=sides[k], base=bases[k])
    # formats etc. drawn over the whole set in id order
    foot_src = ['wolfgang'] * 10 + ['jefapato'] * 3 + ['single_face_video'] * 3
    rng.shuffle(foot_src)
    fi = 0
    for n, i in enumerate(ids):
        s = specs[i]
        s['seed'] = int(rng.integers(1 << 30))
        if s['base'] == 'footage':
            s['face'] = foot_src[fi]; fi += 1
        else:
            s['face'] = faces_still[int(rng.integers(len(faces_still)))]
        portrait = rng.random() < 0.2
        s['width'], s['height'] = (sizes_port if portrait else sizes_land)[int(rng.integers(2 if portrait else 4))]
        s['fps'] = int(fps_opts[int(rng.integers(len(fps_opts)))])
        if s['width'] * s['height'] >= 1280 * 720 and s['fps'] > 30:
            s['fps'] = 30
        s['duration_s'] = float(np.round(rng.uniform(12, 25), 2))
        s['codec'] = 'vp9' if rng.random() < 0.2 else 'h264'
        s['flipped'] = bool(rng.random() < 0.25)
    return [specs[i] for i in ids]


def anat_side(side_final, flipped):
    """Planting happens before the optional mirror; return the side to plant in the source frame."""
    if side_final in ('left', 'right') and flipped:
        return 'right' if side_final == 'left' else 'left'
    return side_final


def image_side(side_final):
    return {'left': 'right', 'right': 'left', 'both': 'both', None: None}[side_final]


# ----------------------------------------------------------------------------- base sources
def crop_rect(face_box, src_w, src_h, out_w, out_h, face_frac, rng):
    """Crop rectangle (x, y, w, h) of output aspect with the face box filling face_frac of the width."""
    fx0, fy0, fx1, fy1 = face_box
    fw, fh = fx1 - fx0, fy1 - fy0
    # face width = face_frac of the crop width, but the whole face (plus margin) must fit vertically
    cw = max(fw / face_frac, (fh / 0.62) * out_w / out_h, (fw / 0.85))
    cw = min(src_w, cw)
    ch = cw * out_h / out_w
    if ch > src_h:
        ch = src_h; cw = ch * out_w / out_h
    cx = 0.5 * (fx0 + fx1) + rng.uniform(-0.05, 0.05) * cw
    cy = 0.5 * (fy0 + fy1) - 0.03 * ch + rng.uniform(-0.03, 0.03) * ch
    x = float(np.clip(cx - cw / 2, 0, src_w - cw)); y = float(np.clip(cy - ch / 2, 0, src_h - ch))
    return x, y, cw, ch


def warp_crop(img, rect, out_w, out_h, extra=None):
    x, y, cw, ch = rect
    s = out_w / cw
    M = np.array([[s, 0, -x * s], [0, s, -y * s]], np.float64)
    if extra is not None:
        M = extra @ np.vstack([M, [0, 0, 1]])
    return cv2.warpAffine(img, M, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT), M


def tf_pts(M, p):
    return p @ M[:, :2].T + M[:, 2]


# ----------------------------------------------------------------------------- disorder plans
SEV = {'mild': 0, 'moderate': 1, 'marked': 2}


def plan_events(spec, rng, dur, natural_blinks, smile_sig_fn):
    """Return list of event dicts (times in s, side anatomical in the final video)."""
    c, sev, side = spec['disorder'], spec['severity'], spec['side']
    ev = []
    si = SEV.get(sev, 0)
    # voluntary expressions in every clip (smiles, lip puckers) -- context for synkinesis and nuisance
    n_expr = int(rng.integers(2, 4)) if c == 'synkinesis' else int(rng.integers(0, 2 if c == 'blepharospasm' else 3))
    t = rng.uniform(1.0, 3.0)
    for _ in range(n_expr):
        d = rng.uniform(1.2, 2.5)
        if t + d > dur - 0.5:
            break
        kind = 'smile' if (rng.random() < 0.7) else 'lip_pucker'
        ev.append(dict(kind=kind, start_s=t, end_s=t + d, side='both', region='mouth', amp=float(rng.uniform(0.6, 1.0)),
                       voluntary=True))
        t += d + rng.uniform(2.0, 5.0)
    # blinks
    if c == 'frequent_blinking':
        rate = rng.uniform(30, 48)
    elif c == 'blepharospasm':
        rate = [rng.uniform(29, 36), rng.uniform(32, 42), rng.uniform(34, 44)][si]
    else:
        rate = rng.uniform(11, 18)
    nat_rate = len(natural_blinks) * 60.0 / dur
    add_rate = max(rate - nat_rate, 0.0)
    if add_rate > 0.5:
        for bt in spaced_times(rng, int(round(add_rate * dur / 60.0)), dur, avoid=natural_blinks):
            d = rng.uniform(0.18, 0.38)
            amp = 1.0 if rng.random() < 0.85 else rng.uniform(0.6, 0.85)
            ev.append(dict(kind='blink', start_s=bt, end_s=bt + d, side='both', region='eyelids', amp=float(amp)))
    # disorder events avoid each other and the voluntary expressions; blinks may fall inside them
    busy = [(e['start_s'], e['end_s']) for e in ev if e['kind'] != 'blink']

    def free(t0, t1, gap=0.3):
        return all(t1 + gap < a or t0 - gap > b for a, b in busy)

    if c == 'eyelid_myokymia':
        lid = 'lower' if rng.random() < 0.8 else 'upper'
        amp = [0.008, 0.014, 0.022][si]  # peak ripple displacement as a fraction of inter-ocular distance
        n_bouts = [int(rng.integers(2, 4)), int(rng.integers(2, 4)), int(rng.integers(1, 3))][si]
        blen = [(1.5, 4.0), (3.0, 7.0), (6.0, 12.0)][si]
        t = rng.uniform(0.8, 3.0)
        for _ in range(n_bouts):
            d = rng.uniform(*blen)
            if t + d > dur - 0.3:
                d = dur - 0.3 - t
                if d < 1.2:
                    break
            ev.append(dict(kind='myokymia', start_s=t, end_s=t + d, side=side, region=lid + '_eyelid', amp=amp,
                           freq_hz=[float(rng.uniform(3, 8)) for _ in range(3)]))
            t += d + rng.uniform(1.5, 5.0)
    elif c == 'hemifacial_spasm':
        n_clusters = [int(rng.integers(3, 5)), int(rng.integers(4, 7)), int(rng.integers(5, 8))][si]
        regions = [['orbicularis_oculi'],
                   ['orbicularis_oculi', 'frontalis', 'zygomaticus', 'mouth_corner'],
                   ['orbicularis_oculi', 'frontalis', 'zygomaticus', 'mouth_corner']][si]
        tries = 0
        while n_clusters > 0 and tries < 200:
            tries += 1
            t0 = rng.uniform(0.5, dur - 3.5)
            tonic = (si == 2 and rng.random() < 0.5) or (si == 1 and rng.random() < 0.2)
            if tonic:
                d = rng.uniform(1.0, 3.0) if si == 2 else rng.uniform(0.6, 1.2)
                if not free(t0, t0 + d):
                    continue
                ev.append(dict(kind='hfs_tonic', start_s=t0, end_s=t0 + d, side=side, region='+'.join(regions),
                               amp=[0.35, 0.7, 1.0][si]))
                busy.append((t0, t0 + d))
            else:
                k = int(rng.integers(2, 7))
                tt = t0
                ts = []
                for _ in range(k):
                    ts.append(tt)
                    tt += rng.uniform(0.12, 0.45)
                if not free(t0, tt):
                    continue
                for tj in ts:
                    dj = rng.uniform(0.08, 0.22)
                    ev.append(dict(kind='hfs_clonic', start_s=tj, end_s=tj + dj, side=side, region='+'.join(regions),
                                   amp=float([0.3, 0.55, 0.85][si] * rng.uniform(0.7, 1.0))))
                busy.append((t0, tt))
            n_clusters -= 1
    elif c == 'blepharospasm':
        # mild (JRS 2): fluttering <1 s; moderate (JRS 3): spasms >1 s; marked: long spasms, eyes shut often
        n_fl = [int(rng.integers(2, 5)), int(rng.integers(1, 4)), int(rng.integers(1, 3))][si]
        n_sp = [0, int(rng.integers(2, 4)), 3][si]
        splen = [(0, 0), (1.1, 2.5), (1.6, 3.8)][si]
        tries = 0
        while (n_fl > 0 or n_sp > 0) and tries < 300:
            tries += 1
            if n_sp > 0:
                d = rng.uniform(*splen); kind = 'bsp_spasm'
            else:
                d = rng.uniform(0.4, 0.95); kind = 'bsp_flutter'
            t0 = rng.uniform(0.5, dur - d - 0.3)
            if not free(t0, t0 + d):
                continue
            e = dict(kind=kind, start_s=t0, end_s=t0 + d, side='both', region='orbicularis_oculi+procerus+corrugator',
                     amp=[0.6, 0.85, 1.0][si] if kind == 'bsp_spasm' else float(rng.uniform(0.35, 0.7)))
            if kind == 'bsp_flutter':
                e['region'] = 'orbicularis_oculi'
                e['flutter_hz'] = float(rng.uniform(4, 7))
                e['closure_cycles'] = int(round(d * e['flutter_hz']))
            ev.append(e)
            busy.append((t0, t0 + d))
            if n_sp > 0:
                n_sp -= 1
            else:
                n_fl -= 1
    elif c == 'synkinesis':
        ev.append(dict(kind='synkinesis_oral_ocular', start_s=0.0, end_s=dur, side=side,
                       region='orbicularis_oculi', amp=[0.25, 0.45, 0.7][si],
                       note='affected eye narrows with every smile / lip pucker (coupled to mouth movement)'))
        if si >= 1:
            ev.append(dict(kind='synkinesis_ocular_oral', start_s=0.0, end_s=dur, side=side, region='mouth_corner',
                           amp=[0, 0.35, 0.6][si], note='affected mouth corner lifts with each blink / eye closure'))
        ev.append(dict(kind='resting_fissure_narrowing', start_s=0.0, end_s=dur, side=side,
                       region='palpebral_fissure', amp=[0.06, 0.1, 0.16][si]))
    if c == 'blepharospasm':
        # a blink that would fall inside a spasm / flutter burst is absorbed by it
        sp = [(e['start_s'] - 0.2, e['end_s'] + 0.2) for e in ev if e['kind'].startswith('bsp')]
        ev = [e for e in ev if e['kind'] != 'blink' or all(e['end_s'] < a or e['start_s'] > b for a, b in sp)]
        # top the blinks up again in the open-eye time so the overall rate stays at the planned rate
        want = int(round(rate * dur / 60.0)) - len(natural_blinks) - sum(e['kind'] == 'bsp_flutter' for e in ev)
        have = [e['start_s'] for e in ev if e['kind'] == 'blink']
        tries = 0
        while len(have) < want and tries < 2000:
            tries += 1
            bt = rng.uniform(0.3, dur - 0.6)
            if any(a - 0.4 < bt < b for a, b in sp) or any(abs(bt - h) < 0.55 for h in have + list(natural_blinks)):
                continue
            have.append(bt)
            ev.append(dict(kind='blink', start_s=bt, end_s=bt + rng.uniform(0.18, 0.36), side='both',
                           region='eyelids', amp=1.0))
    for e in ev:
        e['start_s'] = float(round(e['start_s'], 3)); e['end_s'] = float(round(e['end_s'], 3))
    ev.sort(key=lambda e: e['start_s'])
    return ev, rate


def activations(spec, events, t, side_src, nat_smile, nat_close):
    """Per-frame activation arrays. side_src: 'R'/'L' anatomical side in the source frame (pre-mirror)."""
    n = len(t)
    A = {}

    def add(key, arr):
        A[key] = A.get(key, np.zeros(n)) + arr

    sev = SEV.get(spec['severity'], 0)
    voluntary = np.zeros(n)
    blink_all = np.zeros(n)
    for e in events:
        k = e['kind']
        if k == 'blink':
            b = blink_profile(t, e['start_s'], e['end_s'] - e['start_s'], e['amp'])
            blink_all += b
            add('close_R', b); add('close_L', b * (1 - 0.03 * np.random.default_rng(int(e['start_s'] * 1000)).random()))
            add('lowraise_R', 0.08 * b); add('lowraise_L', 0.08 * b)
        elif k in ('smile', 'lip_pucker'):
            p = plateau(t, e['start_s'], e['end_s'], 0.35, 0.45) * e['amp']
            voluntary += p
            if k == 'smile':
                for s in 'RL':
                    A['mouth_' + s] = A.get('mouth_' + s, np.zeros((n, 2))) + np.stack([0.55 * p, 0.6 * p], 1)
                    add('cheek_' + s, 0.35 * p)
            else:
                for s in 'RL':
                    A['mouth_' + s] = A.get('mouth_' + s, np.zeros((n, 2))) + np.stack([-0.6 * p, 0.05 * p], 1)
    voluntary = np.clip(voluntary + nat_smile, 0, 1)
    for e in events:
        k = e['kind']
        s = side_src
        if k == 'myokymia':
            ripples = []
            for j, f in enumerate(e['freq_hz']):
                # semirhythmic motor-unit discharges at f Hz with jitter; each twitch ~70 ms
                rng = np.random.default_rng(int(e['start_s'] * 1000) + j)
                x = np.zeros(n)
                tt = e['start_s'] + rng.uniform(0, 1.0 / f)
                while tt < e['end_s']:
                    x += np.where(np.abs(t - tt) < 0.035, np.cos(np.pi * (t - tt) / 0.07) ** 2, 0)
                    tt += (1.0 / f) * rng.uniform(0.75, 1.3)
                env = plateau(t, e['start_s'], e['end_s'], 0.3, 0.3)
                ripples.append(x * env * e['amp'] * rng.uniform(0.6, 1.0))
            lid = e['region'].split('_')[0]
            if 'ripple_' + s in A:
                ripples = [r0 + r1 for r0, r1 in zip(A['ripple_' + s][1], ripples)]
            A['ripple_' + s] = (lid, ripples)
        elif k in ('hfs_clonic', 'hfs_tonic'):
            if k == 'hfs_clonic':
                p = blink_profile(t, e['start_s'], e['end_s'] - e['start_s'], 1.0) * e['amp']
            else:
                p = plateau(t, e['start_s'], e['end_s'], 0.15, 0.3) * e['amp']
                # superimposed clonic tremor inside the tonic contraction
                p = p * (0.9 + 0.1 * np.sin(2 * np.pi * 6 * t))
            add('close_' + s, p)
            add('lowraise_' + s, 0.35 * p)
            add('lowlid_' + s, 1.0 * p)
            if sev >= 1:
                add('brow_' + s, 0.8 * p)   # Babinski-2: brow rises as the eye closes
                add('cheek_' + s, 0.9 * p)
                A['mouth_' + s] = A.get('mouth_' + s, np.zeros((n, 2))) + np.stack([0.5 * p, 0.45 * p], 1)
        elif k in ('bsp_spasm', 'bsp_flutter'):
            if k == 'bsp_spasm':
                p = plateau(t, e['start_s'], e['end_s'], 0.12, 0.35) * e['amp']
                for s2 in 'RL':
                    add('close_' + s2, p * (0.97 + 0.03 * (s2 == 'R')))
                    add('lowraise_' + s2, 0.3 * p)
                    add('brow_' + s2, -0.8 * p)     # corrugator / procerus pull the brows down
                    add('browmed_' + s2, 0.9 * p)   # and medially
                    add('cheek_' + s2, 0.5 * p)
            else:
                env = plateau(t, e['start_s'], e['end_s'], 0.05, 0.1)
                fl = 0.5 * (1 - np.cos(2 * np.pi * e['flutter_hz'] * (t - e['start_s'])))
                p = env * fl * e['amp']
                for s2 in 'RL':
                    add('close_' + s2, p)
                    add('lowraise_' + s2, 0.15 * p)
                    add('browmed_' + s2, 0.25 * env * e['amp'])
        elif k == 'synkinesis_oral_ocular':
            add('close_' + s, e['amp'] * voluntary)
            add('lowraise_' + s, 0.4 * e['amp'] * voluntary)
            add('cheek_' + s, 0.3 * e['amp'] * voluntary)
        elif k == 'synkinesis_ocular_oral':
            cl = np.clip(blink_all + nat_close, 0, 1)
            A['mouth_' + s] = A.get('mouth_' + s, np.zeros((n, 2))) + np.stack([0.3 * e['amp'] * cl, 0.7 * e['amp'] * cl], 1)
        elif k == 'resting_fissure_narrowing':
            add('close_' + s, np.full(n, e['amp']))
            add('lowraise_' + s, np.full(n, 0.4 * e['amp']))
    if spec['disorder'] == 'synkinesis':
        # residual weakness: the affected mouth corner moves less in a smile
        s = side_src
        if 'mouth_' + s in A:
            A['mouth_' + s] = A['mouth_' + s] * np.array([0.75, 0.75])
    return A


# ----------------------------------------------------------------------------- rendering
def render_clip(spec, out_dir, cache_dir, probe=False):
    import av
    cv2.setNumThreads(1)
    rng = np.random.default_rng(spec['seed'])
    W, Hh, fps, dur = spec['width'], spec['height'], spec['fps'], spec['duration_s']
    n = int(round(dur * fps))
    t = np.arange(n) / fps
    side_final = spec['side']
    src_side = anat_side(side_final, spec['flipped'])
    side_src = {'left': 'L', 'right': 'R'}.get(src_side, 'R')

    # ---- base frames + landmarks per output frame
    if spec['base'] == 'footage':
        frames, lms, sfps = footage_cache(spec['face'], cache_dir)
        nsrc = len(frames)
        L = nsrc / sfps
        speed = 1.0 if spec['face'] == 'wolfgang' else rng.uniform(0.5, 0.8)  # short clips: slowed a bit
        t0 = rng.uniform(0, max(0.0, L - dur * speed)) if L > dur * speed else 0.0
        st = t0 + t * speed
        period = 2 * L
        st = np.mod(st, period)
        st = np.where(st > L, period - st, st)  # ping-pong so the footage lasts long enough
        sidx = np.clip((st * sfps).astype(int), 0, nsrc - 1)
        box = (lms[:, :, 0].min(), lms[:, :, 1].min(), lms[:, :, 0].max(), lms[:, :, 1].max())
        sh, sw = frames.shape[1:3]
        rect = crop_rect(box, sw, sh, W, Hh, rng.uniform(0.55, 0.8), rng)
        e_r = np.array([ear(lms[i], 'R') for i in sidx]); e_l = np.array([ear(lms[i], 'L') for i in sidx])
        e_m = 0.5 * (e_r + e_l)
        base_ear = np.median(e_m)
        closed = np.clip(1 - e_m / base_ear, 0, 1)
        # natural blinks: dips below 60% of the median EAR lasting < 0.6 s; longer closures are noted separately
        low = e_m < 0.6 * base_ear
        nat_blinks, nat_long = [], []
        i = 0
        while i < n:
            if low[i]:
                j = i
                while j < n and low[j]:
                    j += 1
                if (j - i) / fps < 0.6:
                    nat_blinks.append(float(round(t[i], 3)))
                else:
                    nat_long.append([float(round(t[i], 3)), float(round(t[j - 1], 3))])
                i = j
            else:
                i += 1
        mw = np.array([np.linalg.norm(lms[i][61] - lms[i][291]) / np.linalg.norm(lms[i][33] - lms[i][263]) for i in sidx])
        # the subject's own smiles: mouth clearly wider than her typical (median) width
        nat_smile = np.clip((mw - np.median(mw) - 0.03) / 0.08, 0, 1)
        nat_close = np.clip((closed - 0.3) / 0.5, 0, 1)
    else:
        img, lm0 = load_still(spec['face'])
        box = (lm0[:, 0].min(), lm0[:, 1].min(), lm0[:, 0].max(), lm0[:, 1].max())
        rect = crop_rect(box, img.shape[1], img.shape[0], W, Hh, rng.uniform(0.45, 0.7), rng)
        nat_blinks, nat_long = [], []
        nat_smile = np.zeros(n); nat_close = np.zeros(n)
    events, target_rate = plan_events(spec, rng, dur, nat_blinks, None)
    A = activations(spec, events, t, side_src, nat_smile, nat_close)
    if probe:
        base_ev = [e for e in events if e['kind'] in ('blink', 'smile', 'lip_pucker')]
        A0 = activations(spec, base_ev, t, side_src, nat_smile, nat_close)

    # ---- nuisance: head motion (stills), lighting drift, noise, compression
    iod_out = None
    motion = [smooth_noise(rng, n, fps, 3.0, a) for a in (0.012 * W, 0.010 * Hh, 1.2, 0.012)]
    gain = 1.0 + smooth_noise(rng, n, fps, 6.0, 0.05)
    bias = smooth_noise(rng, n, fps, 6.0, 5.0)
    grad_amp = smooth_noise(rng, n, fps, 8.0, 0.05)
    gx = np.linspace(-1, 1, W, dtype=np.float32)[None, :, None]
    noise_sigma = rng.uniform(1.0, 3.0)
    noise_pos, noise_neg = [], []
    for _ in range(6):
        nz = np.round(rng.normal(0, noise_sigma, (Hh, W, 3)))
        noise_pos.append(np.clip(nz, 0, 255).astype(np.uint8)); noise_neg.append(np.clip(-nz, 0, 255).astype(np.uint8))
    grad_cache = {}
    warper = None

    def act_at(AA, fi):
        act = {}
        for k, v in AA.items():
            if k.startswith('ripple_'):
                act[k] = (v[0], [r[fi] for r in v[1]])
            else:
                act[k] = v[fi] if v.ndim == 1 else (float(v[fi, 0]), float(v[fi, 1]))
        return act

    def base_frame(fi):
        if spec['base'] == 'footage':
            frame, M = warp_crop(frames[sidx[fi]], rect, W, Hh)
            return frame, tf_pts(M, lms[sidx[fi]])
        cx, cy = W / 2, Hh / 2
        R = cv2.getRotationMatrix2D((cx, cy), motion[2][fi], 1 + motion[3][fi])
        R[0, 2] += motion[0][fi]; R[1, 2] += motion[1][fi]
        frame, M = warp_crop(img, rect, W, Hh, extra=R)
        return frame, tf_pts(M, lm0)

    if probe:
        # visibility check: each planted disorder event's frame against the same frame without it
        rep = []
        wp = None
        for e in events:
            if e['kind'] in ('blink', 'smile', 'lip_pucker'):
                continue
            a, b = int(e['start_s'] * fps), min(n - 1, int(e['end_s'] * fps))
            if e['kind'].startswith('synkinesis_oral') or e['kind'] == 'resting_fissure_narrowing':
                vol = [x for x in events if x['kind'] in ('smile', 'lip_pucker')]
                if vol and e['kind'].startswith('synkinesis_oral'):
                    a, b = int(vol[0]['start_s'] * fps), int(vol[0]['end_s'] * fps)
            best = (0.0, 0, 0.0)
            step = 1 if e['kind'] == 'myokymia' else max(1, (b - a) // 12)
            for fi in range(a, b + 1, step):
                fr, lm = base_frame(fi)
                if wp is None:
                    wp = Warper(fr.shape)
                d = np.abs(wp.apply(fr, lm, act_at(A, fi)).astype(np.int16) - wp.apply(fr, lm, act_at(A0, fi)))
                d = d.max(2)
                if d.max() > best[0]:
                    best = (float(d.max()), int((d > 10).sum()), float(np.percentile(d[d > 0], 99)) if (d > 0).any() else 0.0)
            iod = float(np.linalg.norm(lm[33] - lm[263]))
            rep.append(dict(kind=e['kind'], start_s=e['start_s'], max_absdiff=best[0], px_over10=best[1],
                            p99=round(best[2], 1), iod_px=round(iod, 1)))
        return rep

    ext = 'webm' if spec['codec'] == 'vp9' else 'mp4'
    rel = 'clips/%s.%s' % (spec['id'], ext)
    path = os.path.join(out_dir, rel)
    tmp = path + '.part.' + ext
    container = av.open(tmp, mode='w')
    if spec['codec'] == 'vp9':
        st_ = container.add_stream('libvpx-vp9', rate=fps)
        st_.options = {'crf': str(int(rng.integers(30, 38))), 'b': '0', 'deadline': 'realtime', 'cpu-used': '8',
                       'row-mt': '1'}
    else:
        st_ = container.add_stream('libx264', rate=fps)
        st_.options = {'crf': str(int(rng.integers(20, 28))), 'preset': 'superfast'}
    st_.width, st_.height, st_.pix_fmt = W, Hh, 'yuv420p'

    keys = list(A.keys())
    for fi in range(n):
        if spec['base'] == 'footage':
            src = frames[sidx[fi]]
            frame, M = warp_crop(src, rect, W, Hh)
            lm = tf_pts(M, lms[sidx[fi]])
        else:
            cx, cy = W / 2, Hh / 2
            ang, sc = motion[2][fi], 1 + motion[3][fi]
            R = cv2.getRotationMatrix2D((cx, cy), ang, sc)
            R[0, 2] += motion[0][fi]; R[1, 2] += motion[1][fi]
            frame, M = warp_crop(img, rect, W, Hh, extra=R)
            lm = tf_pts(M, lm0)
        if warper is None:
            warper = Warper(frame.shape)
        act = {}
        for k in keys:
            v = A[k]
            if k.startswith('ripple_'):
                act[k] = (v[0], [r[fi] for r in v[1]])
            else:
                act[k] = v[fi] if v.ndim == 1 else (float(v[fi, 0]), float(v[fi, 1]))
        frame = warper.apply(frame, lm, act)
        lut = np.clip(np.arange(256) * gain[fi] + bias[fi], 0, 255).astype(np.uint8)
        frame = cv2.LUT(frame, lut)
        gq = int(round(grad_amp[fi] / 0.004))
        if gq != 0:
            if gq not in grad_cache:
                row = np.clip(128 * (1 + gq * 0.004 * gx[0, :, 0]), 0, 255).astype(np.uint8)
                grad_cache[gq] = np.ascontiguousarray(np.broadcast_to(row[None, :, None], (Hh, W, 3)))
            frame = cv2.multiply(frame, grad_cache[gq], scale=1.0 / 128)
        k = fi % len(noise_pos)
        frame = cv2.subtract(cv2.add(frame, noise_pos[k]), noise_neg[k])
        if spec['flipped']:
            frame = frame[:, ::-1]
        vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format='bgr24')
        for pkt in st_.encode(vf):
            container.mux(pkt)
    for pkt in st_.encode():
        container.mux(pkt)
    container.close()
    os.replace(tmp, path)

    planted_blinks = [e for e in events if e['kind'] == 'blink']
    n_blinks = len(planted_blinks) + len(nat_blinks)
    if spec['disorder'] == 'blepharospasm':
        # each flutter burst (<1 s of rapid partial closures) counts as one blink event
        n_blinks += sum(e['kind'] == 'bsp_flutter' for e in events)
    out_events = []
    for e in events:
        d = {k: v for k, v in e.items() if k not in ('freq_hz',)}
        if 'freq_hz' in e:
            d['discharge_hz'] = [round(x, 2) for x in e['freq_hz']]
        if isinstance(d.get('amp'), float):
            d['amp'] = round(d['amp'], 4)
        out_events.append(d)
    truth = dict(id=spec['id'], file=rel, disorder=spec['disorder'], side=side_final,
                 image_side=image_side(side_final), flipped=spec['flipped'], split=spec['split'],
                 fps=fps, width=W, height=Hh, duration_s=round(n / fps, 3), severity=spec['severity'],
                 blink_rate_per_min=round(n_blinks * 60.0 / (n / fps), 2), base=spec['base'], face=spec['face'],
                 codec=spec['codec'], format=ext, events=out_events,
                 natural_blinks_s=nat_blinks, natural_long_eye_closures_s=nat_long)
    return truth


def _job(args):
    spec, out_dir, cache_dir = args
    t0 = time.time()
    tr = render_clip(spec, out_dir, cache_dir)
    tr['_render_s'] = round(time.time() - t0, 2)
    return tr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=13)
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--only', default='')
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    os.makedirs(os.path.join(out, 'clips'), exist_ok=True)
    cache = os.path.join(out, 'cache')
    os.makedirs(cache, exist_ok=True)
    t0 = time.time()
    specs = plan_set(a.seed)
    if a.only:
        want = set(a.only.split(','))
        specs = [s for s in specs if s['id'] in want]
    need = sorted({s['face'] for s in specs if s['base'] == 'footage'})
    with Pool(a.jobs) as pool:
        pool.starmap(footage_cache, [(nm, cache) for nm in need])
        # longest clips first for better packing
        order = sorted(specs, key=lambda s: -s['duration_s'] * s['fps'] * s['width'] * s['height'])
        results = pool.map(_job, [(s, out, cache) for s in order], chunksize=1)
    results.sort(key=lambda r: r['id'])
    times = {r['id']: r.pop('_render_s') for r in results}
    tpath = os.path.join(out, 'truth.json')
    if a.only and os.path.exists(tpath):
        old = {r['id']: r for r in json.load(open(tpath))}
        old.update({r['id']: r for r in results})
        results = [old[k] for k in sorted(old)]
    with open(tpath, 'w') as f:
        json.dump(results, f, indent=1)
    wall = time.time() - t0
    with open(os.path.join(out, 'render_log.json'), 'w') as f:
        json.dump(dict(seed=a.seed, jobs=a.jobs, wall_s=round(wall, 1), per_clip_s=times,
                       loadavg_at_end=os.getloadavg()), f, indent=1)
    print('rendered %d clips in %.1f s wall' % (len(specs), wall))


if __name__ == '__main__':
    main()
