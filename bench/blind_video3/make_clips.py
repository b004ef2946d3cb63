#!/usr/bin/env python3
"""Blind evaluation set v3: face videos with planted eyelid / facial movements.

python make_clips.py --out DIR [--seed 0] [--only v3_004,v3_010] [--no-check]

Method (own design): MediaPipe Face Mesh landmarks of a base face (a still photo, or every
frame of a real moving video played back and forth) place two kinds of local warps on each
output frame:
  * an eyelid warp in eye-aligned coordinates (u along the corner-to-corner axis, v across it):
    the upper-lid margin is slid down over the eye by stretching the lid skin between the brow
    line and the margin; the lower lid is slid up the same way from the cheek; per-u bumps
    give local rippling of one lid (myokymia);
  * a smooth radial-basis displacement field (computed on a coarse grid, upsampled) for brows,
    cheeks and mouth corners, plus a mouth-opening warp that pushes the lower lip/chin down and
    paints the oral cavity.
Then global head motion (roll/yaw-keystone/translation/scale), lighting drift, sensor noise,
and encoding with PyAV (H.264, VP9 .webm or MJPEG .avi). Finally each rendered file is read
back and MediaPipe Face Mesh measures whether each truth event moved its landmarks.
"""
import argparse, hashlib, json, os, sys, time
from fractions import Fraction

import av
import cv2
import numpy as np

cv2.setNumThreads(1)
MEDIA = "/work/shared/media"

# ---------------------------------------------------------------- landmarks
# MediaPipe indices. "A" = the eye that MediaPipe calls the right eye (normally image-left).
EYE_UP = {"A": [33, 246, 161, 160, 159, 158, 157, 173, 133],
          "B": [263, 466, 388, 387, 386, 385, 384, 398, 362]}
EYE_LO = {"A": [33, 7, 163, 144, 145, 153, 154, 155, 133],
          "B": [263, 249, 390, 373, 374, 380, 381, 382, 362]}
BROW = {"A": [70, 63, 105, 66, 107], "B": [300, 293, 334, 296, 336]}
CHEEK = {"A": 205, "B": 425}
CORNER = {"A": 61, "B": 291}
LIP_UP_IN = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308]
LIP_LO_IN = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308]

_MESH = None


def mesh(static):
    import mediapipe as mp
    return mp.solutions.face_mesh.FaceMesh(static_image_mode=static, max_num_faces=1,
                                           refine_landmarks=False,
                                           min_detection_confidence=0.3)


def landmarks_rgb(m, rgb, maxw=640):
    h, w = rgb.shape[:2]
    s = min(1.0, maxw / w)
    small = cv2.resize(rgb, None, fx=s, fy=s, interpolation=cv2.INTER_AREA) if s < 1 else rgb
    r = m.process(np.ascontiguousarray(small))
    if not r.multi_face_landmarks:
        return None
    l = r.multi_face_landmarks[0].landmark
    return np.array([[p.x * w, p.y * h] for p in l], np.float32)


def side_keys(lm):
    """Map image side -> MediaPipe eye group. Returns dict {'il': 'A'/'B', 'ir': ...}."""
    if lm[EYE_UP["A"]][:, 0].mean() < lm[EYE_UP["B"]][:, 0].mean():
        return {"il": "A", "ir": "B"}
    return {"il": "B", "ir": "A"}


# ---------------------------------------------------------------- base faces
def read_video(name):
    c = av.open(os.path.join(MEDIA, name))
    frames = [f.to_ndarray(format="bgr24") for f in c.decode(video=0)]
    c.close()
    return frames


class Base:
    """A base face: frames (BGR), per-frame landmarks, base fps, and own-event labels."""

    def __init__(self, key, flip):
        self.key, self.flip = key, flip
        self.moving = key in ("wolfgang", "single_mp4", "jefapato")
        if key == "astronaut":
            from skimage import data
            self.frames = [cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)]
        elif key == "single_jpg":
            self.frames = [cv2.imread(os.path.join(MEDIA, "single_face.jpg"))]
        elif key.startswith("multi"):
            im = cv2.imread(os.path.join(MEDIA, "multi_face.jpg"))
            # face boxes from MediaPipe face detection on multi_face.jpg (x, y, w, h)
            boxes = {"multi0": (529, 322, 114, 114), "multi1": (679, 308, 117, 117),
                     "multi2": (314, 252, 102, 102), "multi3": (222, 78, 98, 98)}
            x, y, w, h = boxes[key]
            cx, cy = x + w / 2, y + h / 2
            half = int(w * 1.5)
            x0, y0 = int(max(0, cx - half)), int(max(0, cy - half * 0.95))
            x1, y1 = int(min(im.shape[1], cx + half)), int(min(im.shape[0], cy + half * 1.05))
            crop = im[y0:y1, x0:x1]
            self.frames = [cv2.resize(crop, None, fx=3.0, fy=3.0, interpolation=cv2.INTER_CUBIC)]
        elif key == "wolfgang":
            self.frames = read_video("WolfgangLanger_Pexels.mp4")
        elif key == "single_mp4":
            self.frames = read_video("single_face.mp4")
        elif key == "jefapato":
            self.frames = [cv2.resize(f, (1280, 720), interpolation=cv2.INTER_AREA)
                           for f in read_video("jefapato_2sec.mp4")]
        if flip:
            self.frames = [np.ascontiguousarray(f[:, ::-1]) for f in self.frames]
        self.fps = {"wolfgang": 24000 / 1001, "single_mp4": 30.0, "jefapato": 30.0}.get(key, 0)
        m = mesh(static=not self.moving)
        lms = []
        for f in self.frames:
            lm = landmarks_rgb(m, cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
            if lm is None:
                lm = lms[-1] if lms else None
            lms.append(lm)
        m.close()
        L = np.array(lms, np.float32)
        if len(L) > 2:  # light temporal smoothing against tracker jitter
            k = np.array([0.25, 0.5, 0.25], np.float32)
            P = np.concatenate([L[:1], L, L[-1:]])
            L = k[0] * P[:-2] + k[1] * P[1:-1] + k[2] * P[2:]
        self.lm = L
        # own events, from the traces measured on these videos (see README):
        # blink frames (both eyes) and smile frames in base-frame indices.
        self.blink_frames, self.smile_frames = set(), set()
        if key == "wolfgang":
            for a, b in [(152, 154), (201, 202), (248, 249), (288, 289), (385, 387)]:
                self.blink_frames |= set(range(a, b + 1))
            self.smile_frames = set(range(246, 472))
        elif key == "single_mp4":
            self.blink_frames = set(range(25, 30))
            self.smile_frames = set(range(18, 70))
        iod = np.linalg.norm(L[:, 33] - L[:, 263], axis=1)
        self.mouthw = np.linalg.norm(L[:, 61] - L[:, 291], axis=1) / iod


_BASES = {}


def get_base(key, flip):
    if (key, flip) not in _BASES:
        _BASES[(key, flip)] = Base(key, flip)
    return _BASES[(key, flip)]


def pingpong(n_out, fps_out, fps_base, a, b):
    """Base frame index for each output frame: play frames a..b forward, then backward, ..."""
    span = b - a
    idx = []
    for i in range(n_out):
        k = int(round(i / fps_out * fps_base))
        ph = k % (2 * span) if span > 0 else 0
        idx.append(a + (ph if ph <= span else 2 * span - ph))
    return np.array(idx)


# ---------------------------------------------------------------- warps
def eye_frame(up, lo):
    c0, c1 = up[0], up[-1]
    if c0[0] > c1[0]:
        c0, c1 = c1, c0
    d = c1 - c0
    W = float(np.hypot(*d)) + 1e-6
    eu = d / W
    ev = np.array([-eu[1], eu[0]])
    if ev[1] < 0:
        ev = -ev
    return c0, eu, ev, W


def eyelid_warp(img, up, lo, cu, cl, bumps):
    """Slide the upper lid down by cu (fraction of the opening) and the lower lid up by cl.
    bumps: list of (lid 'up'/'lo', u centre, amplitude fraction, width in u)."""
    if cu < 1e-3 and cl < 1e-3 and not bumps:
        return
    c0, eu, ev, W = eye_frame(up, lo)
    uu = np.sort(np.r_[((up - c0) @ eu) / W])
    vu_pts = (up - c0) @ ev
    vl_pts = (lo - c0) @ ev
    ou = np.argsort(((up - c0) @ eu))
    ol = np.argsort(((lo - c0) @ eu))
    ul = np.sort(((lo - c0) @ eu) / W)
    vu_pts, vl_pts = vu_pts[ou], vl_pts[ol]
    # patch
    corners = [c0 + eu * W * a + ev * W * b for a in (-0.45, 1.45) for b in (-0.85, 0.75)]
    corners = np.array(corners)
    x0, y0 = np.floor(corners.min(0)).astype(int)
    x1, y1 = np.ceil(corners.max(0)).astype(int)
    H, Wd = img.shape[:2]
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, Wd), min(y1, H)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    px, py = xs - c0[0], ys - c0[1]
    u = (px * eu[0] + py * eu[1]) / W
    v = px * ev[0] + py * ev[1]
    vu = np.interp(u, uu, vu_pts)
    vl = np.interp(u, ul, vl_pts)
    h = np.clip(vl - vu, 0, None)
    inside = ((u > 0) & (u < 1)).astype(np.float32)
    h = h * inside
    cuu = np.full_like(u, cu)
    cll = np.full_like(u, cl)
    for lid, uc, amp, wid in bumps:
        g = amp * np.exp(-0.5 * ((u - uc) / wid) ** 2)
        if lid == "up":
            cuu = cuu + g
        else:
            cll = cll + g
    s = np.maximum(cuu + cll, 1.0)
    cuu, cll = cuu / s, cll / s
    Hb, Hc = 0.55 * W, 0.45 * W
    vb = vu - Hb
    vu2 = vu + cuu * h
    vc = vl + Hc
    vl2 = vl - cll * h
    vs = v.copy()
    m1 = (v >= vb) & (v <= vu2)
    vs[m1] = (vb + (v - vb) * (vu - vb) / np.maximum(vu2 - vb, 1e-3))[m1]
    m2 = (v >= vl2) & (v <= vc)
    vs[m2] = (vc - (vc - v) * (vc - vl) / np.maximum(vc - vl2, 1e-3))[m2]
    dv = vs - v
    mapx = (xs + dv * ev[0]).astype(np.float32)
    mapy = (ys + dv * ev[1]).astype(np.float32)
    patch = cv2.remap(img, mapx, mapy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    # a slight shadow along a closing upper lid (lid skin is darker than the sclera it covers)
    if cu > 0.2:
        sh = np.exp(-0.5 * ((v - vu2) / (0.05 * W + 0.5)) ** 2) * (h > 0) * min(1.0, cu) * 0.1
        patch = (patch.astype(np.float32) * (1 - sh[..., None])).astype(np.uint8)
    img[y0:y1, x0:x1] = patch


def rbf_warp(img, ctrl, bbox):
    """ctrl: list of (cx, cy, sigma, dx, dy) - content near (cx,cy) moves by (dx,dy)."""
    ctrl = [c for c in ctrl if abs(c[3]) + abs(c[4]) > 0.05]
    if not ctrl:
        return
    H, Wd = img.shape[:2]
    x0, y0, x1, y1 = [int(v) for v in bbox]
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, Wd), min(y1, H)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return
    st = 4
    gx = np.arange(x0, x1 + st, st, dtype=np.float32)
    gy = np.arange(y0, y1 + st, st, dtype=np.float32)
    X, Y = np.meshgrid(gx, gy)
    DX = np.zeros_like(X)
    DY = np.zeros_like(X)
    for cx, cy, sg, dx, dy in ctrl:
        w = np.exp(-((X - cx) ** 2 + (Y - cy) ** 2) / (2 * sg * sg))
        DX += w * dx
        DY += w * dy
    # fade to zero at the patch border
    fy = np.minimum(np.linspace(0, 1, len(gy)), np.linspace(1, 0, len(gy))) * 8
    fx = np.minimum(np.linspace(0, 1, len(gx)), np.linspace(1, 0, len(gx))) * 8
    F = np.clip(np.minimum(fy[:, None], fx[None, :]), 0, 1)
    DX *= F
    DY *= F
    w_, h_ = x1 - x0, y1 - y0
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    dxf = cv2.resize(DX, (w_, h_), interpolation=cv2.INTER_LINEAR)
    dyf = cv2.resize(DY, (w_, h_), interpolation=cv2.INTER_LINEAR)
    img[y0:y1, x0:x1] = cv2.remap(img, (xs - dxf).astype(np.float32), (ys - dyf).astype(np.float32),
                                  cv2.INTER_LINEAR,
                                  borderMode=cv2.BORDER_REPLICATE)


def mouth_open_warp(img, lm, amount):
    """Open the mouth by `amount` x mouth width: lower lip and chin pushed down, cavity painted."""
    if amount < 0.004:
        return
    m0, m1 = lm[61], lm[291]
    if m0[0] > m1[0]:
        m0, m1 = m1, m0
    d = m1 - m0
    Wm = float(np.hypot(*d)) + 1e-6
    eu = d / Wm
    ev = np.array([-eu[1], eu[0]])
    if ev[1] < 0:
        ev = -ev
    seam = lm[LIP_LO_IN]  # the lower lip (and chin) drop from here; upper lip/teeth stay
    gap0 = float(np.mean(np.linalg.norm(lm[LIP_UP_IN] - lm[LIP_LO_IN], axis=1))) / (
        float(np.linalg.norm(lm[61] - lm[291])) + 1e-6)
    su = np.sort(((seam - m0) @ eu) / Wm)
    sv = ((seam - m0) @ ev)[np.argsort((seam - m0) @ eu)]
    Hj = 0.9 * Wm
    corners = np.array([m0 + eu * Wm * a + ev * Wm * b for a in (-0.15, 1.15) for b in (-0.3, 1.0)])
    x0, y0 = np.floor(corners.min(0)).astype(int)
    x1, y1 = np.ceil(corners.max(0)).astype(int)
    H, Wd = img.shape[:2]
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, Wd), min(y1, H)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    px, py = xs - m0[0], ys - m0[1]
    u = (px * eu[0] + py * eu[1]) / Wm
    v = px * ev[0] + py * ev[1]
    s = np.interp(u, su, sv)
    g = amount * Wm * np.clip(np.sin(np.pi * np.clip(u, 0, 1)), 0, 1) ** 0.7
    lat = np.clip(1.6 - np.abs(u - 0.5) * 2.4, 0, 1)  # fade beyond the corners
    vs = v.copy()
    cav = (v > s) & (v < s + g)
    m = (v >= s + g) & (v <= s + Hj)
    vs[m] = (s + (v - s - g) * Hj / np.maximum(Hj - g, 1e-3))[m]
    dv = (vs - v) * lat
    patch = cv2.remap(img, (xs + dv * ev[0]).astype(np.float32), (ys + dv * ev[1]).astype(np.float32),
                      cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_REPLICATE)
    # cavity: dark, reddish, soft-edged; a hint of upper teeth when wide open
    depth = np.clip((v - s) / np.maximum(g, 1e-3), 0, 1)
    a = np.clip(np.minimum(v - s, s + g - v) / 2.0, 0, 1) * cav * 0.92
    col = np.stack([28 + 10 * depth, 22 + 6 * depth, 48 + 20 * depth], -1)
    if amount > 0.12 and gap0 < 0.04:
        teeth = (depth < 0.18).astype(np.float32)[..., None]
        col = col * (1 - teeth) + np.array([190, 195, 200], np.float32) * teeth
    patch = (patch * (1 - a[..., None]) + col * a[..., None]).astype(np.uint8)
    img[y0:y1, x0:x1] = patch


# ---------------------------------------------------------------- timelines
def blink_shape(x):
    """x = (t - t0)/dur in [0,1] -> closure 0..1: fast close, short closed, slower open."""
    x = np.asarray(x, float)
    out = np.zeros_like(x)
    a = (x >= 0) & (x < 0.3)
    out[a] = np.sin(0.5 * np.pi * x[a] / 0.3) ** 2
    b = (x >= 0.3) & (x < 0.4)
    out[b] = 1.0
    c = (x >= 0.4) & (x <= 1)
    out[c] = (1 - (x[c] - 0.4) / 0.6) ** 1.6
    return out


def plateau(t, t0, rise, hold, fall):
    t = np.asarray(t, float)
    y = np.zeros_like(t)
    r = (t >= t0) & (t < t0 + rise)
    y[r] = 0.5 - 0.5 * np.cos(np.pi * (t[r] - t0) / rise)
    hmask = (t >= t0 + rise) & (t < t0 + rise + hold)
    y[hmask] = 1
    f = (t >= t0 + rise + hold) & (t < t0 + rise + hold + fall)
    y[f] = 0.5 + 0.5 * np.cos(np.pi * (t[f] - t0 - rise - hold) / fall)
    return y


SIDE_IMG = {"left": "image_right", "right": "image_left", "both": "both", "none": "none"}


class TL:
    """Per-frame animation parameters; index 0 = image-left side, 1 = image-right side."""

    def __init__(self, n, fps):
        self.n, self.fps = n, fps
        self.t = np.arange(n) / fps
        z = lambda: np.zeros((2, n))
        self.cu, self.cl, self.brow, self.browin, self.cheek = z(), z(), z(), z(), z()
        self.cornx, self.corny = z(), z()
        self.mopen = np.zeros(n)
        self.bumps = [[] for _ in range(n)]  # (imgside, lid, u, amp, width)
        self.events = []

    def ev(self, s0, s1, kind, side, regions):
        self.events.append({"start_s": round(float(s0), 3), "end_s": round(float(s1), 3),
                            "kind": kind, "side": side, "regions": regions})

    @staticmethod
    def idx(side):
        # person's right is on the image left (index 0)
        return {"right": [0], "left": [1], "both": [0, 1]}[side]

    def blink(self, t0, dur=0.3, amp=1.0, side="both", record=True, lower=0.12):
        y = blink_shape((self.t - t0) / dur)
        for i in self.idx(side):
            self.cu[i] = np.maximum(self.cu[i], amp * y)
            self.cl[i] = np.maximum(self.cl[i], lower * amp * y)
        if record:
            self.ev(t0, t0 + dur, "blink", side, ["upper_lid", "eye"])

    def busy(self, t0, t1, kinds=None):
        for e in self.events:
            if kinds is not None and e["kind"] not in kinds:
                continue
            if e["start_s"] < t1 and e["end_s"] > t0:
                return True
        return False


def poisson_times(rng, dur, rate_per_min, refractory=None, t0=0.4, avoid=None):
    """Blink onsets: exactly round(rate x duration) of them, with gamma-distributed
    (irregular but not clumped) intervals; onsets that would collide with another
    lid event are pushed later."""
    n = int(round(rate_per_min * dur / 60.0))
    if refractory is None:
        refractory = min(0.9, 0.4 * 60.0 / max(rate_per_min, 1e-3))
    if n <= 0:
        return []
    gaps = rng.gamma(3.0, 1.0, n + 1)
    span = dur - t0 - 0.6 - refractory * (n + 1)
    if span <= 0:
        gaps = np.ones(n + 1)
        span = max(dur - t0 - 0.6, 1.0)
        refractory = 0.0
    gaps = gaps / gaps.sum() * span + refractory
    ts = []
    for t in t0 + np.cumsum(gaps[:-1]):
        k = 0
        while avoid is not None and avoid(t - 0.6, t + 0.7) and k < 40:
            t += 0.25
            k += 1
        if t > dur - 0.5 or (ts and t - ts[-1] < 0.45):
            continue
        ts.append(float(t))
    return ts


# ---------------------------------------------------------------- per-class scripts
def talk(tl, rng, t0, dur, amp):
    t = tl.t
    env = plateau(t, t0, 0.25, dur - 0.5, 0.25)
    # syllables at 3-5 Hz with irregular amplitude
    ph = np.cumsum(2 * np.pi * (3.2 + 1.3 * np.sin(2 * np.pi * 0.37 * t + rng.uniform(0, 6)))) / tl.fps
    syl = np.clip(np.sin(ph + rng.uniform(0, 6)), 0, None) ** 0.8
    jitter = 0.6 + 0.4 * np.sin(2 * np.pi * 0.9 * t + rng.uniform(0, 6))
    tl.mopen = np.maximum(tl.mopen, amp * env * syl * jitter)
    tl.cornx += -0.02 * env * syl  # corners come in a little when the lips round
    tl.ev(t0, t0 + dur, "talking", "both", ["mouth"])
    return env * syl


def smile(tl, rng, t0, dur, amp, eyes=0.08):
    env = plateau(tl.t, t0, 0.45, max(dur - 0.9, 0.1), 0.45)
    for i in (0, 1):
        a = amp * rng.uniform(0.9, 1.1)
        tl.cornx[i] += 0.55 * a * env
        tl.corny[i] += 0.45 * a * env
        tl.cheek[i] += 1.1 * a * env
        tl.cl[i] = np.maximum(tl.cl[i], eyes * env)
    tl.ev(t0, t0 + dur, "smile", "both", ["mouth", "cheek"])
    return env


def pucker(tl, rng, t0, dur, amp):
    env = plateau(tl.t, t0, 0.35, max(dur - 0.7, 0.1), 0.35)
    for i in (0, 1):
        tl.cornx[i] -= amp * env
        tl.corny[i] -= 0.15 * amp * env
    tl.ev(t0, t0 + dur, "pucker", "both", ["mouth"])
    return env


def base_blinks(tl, rng, dur, rate, avoid=True, incomplete=0.15):
    closing = ("blink", "tonic_spasm", "forceful_closure", "clonic_twitch", "glance_down", "yawn")
    av_fn = (lambda a, b: tl.busy(a, b, closing)) if avoid else None
    for t in poisson_times(rng, dur, rate, avoid=av_fn):
        amp = rng.uniform(0.55, 0.8) if rng.random() < incomplete else rng.uniform(0.9, 1.0)
        tl.blink(t, rng.uniform(0.24, 0.36), amp)


def script_normal(tl, rng, dur, spec):
    n_act = 0
    if not spec.get("own_smile"):
        for _ in range(rng.integers(1, 3)):
            t0 = rng.uniform(1, dur - 5)
            if not tl.busy(t0 - 0.5, t0 + 4.5):
                smile(tl, rng, t0, rng.uniform(2, 4), rng.uniform(0.06, 0.11), eyes=rng.uniform(0.03, 0.1))
    for _ in range(rng.integers(1, 3) if not spec.get("own_smile") else 0):
        t0 = rng.uniform(0.5, dur - 6)
        d = rng.uniform(2.5, 5.5)
        if not tl.busy(t0 - 0.3, t0 + d + 0.3):
            talk(tl, rng, t0, d, rng.uniform(0.05, 0.12))
    extra = rng.choice(["glance_down", "yawn", "laugh"]) if not spec.get("own_smile") else "glance_down"
    t0 = rng.uniform(2, dur - 6)
    for _ in range(20):
        if not tl.busy(t0 - 0.3, t0 + 5):
            break
        t0 = rng.uniform(1, dur - 5)
    if extra == "glance_down":
        d = rng.uniform(1.0, 2.2)
        env = plateau(tl.t, t0, 0.25, d - 0.5, 0.25)
        a = rng.uniform(0.3, 0.45)
        for i in (0, 1):
            tl.cu[i] = np.maximum(tl.cu[i], a * env)
        tl.ev(t0, t0 + d, "glance_down", "both", ["upper_lid", "eye"])
    elif extra == "yawn":
        d = rng.uniform(3.0, 4.5)
        env = plateau(tl.t, t0, 1.0, d - 2.0, 1.0)
        tl.mopen = np.maximum(tl.mopen, rng.uniform(0.3, 0.45) * env)
        for i in (0, 1):
            tl.cu[i] = np.maximum(tl.cu[i], 0.35 * env)
            tl.cl[i] = np.maximum(tl.cl[i], 0.2 * env)
            tl.brow[i] -= 0.04 * env
        tl.ev(t0, t0 + d, "yawn", "both", ["mouth", "eye"])
    else:  # laugh: smile with rhythmic mouth opening
        d = rng.uniform(2.0, 3.0)
        smile(tl, rng, t0, d, rng.uniform(0.1, 0.14), eyes=0.15)
        env = plateau(tl.t, t0 + 0.3, 0.2, d - 0.8, 0.3)
        tl.mopen = np.maximum(tl.mopen, env * (0.12 + 0.08 * np.clip(np.sin(2 * np.pi * 4.5 * tl.t), 0, 1)))
        tl.ev(t0 + 0.3, t0 + d - 0.3, "talking", "both", ["mouth"])
    base_blinks(tl, rng, dur, spec["rate"])


def script_frequent(tl, rng, dur, spec):
    base_blinks(tl, rng, dur, spec["rate"], incomplete=0.2)
    # the odd doublet, as in real frequent blinkers
    for t in list(e["start_s"] for e in tl.events if e["kind"] == "blink")[::7]:
        if not tl.busy(t + 0.35, t + 0.75):
            tl.blink(t + 0.4, 0.28, rng.uniform(0.8, 1.0))


def script_myokymia(tl, rng, dur, spec):
    i = TL.idx(spec["side"])[0]
    lid = spec["lid"]
    bouts, t = [], rng.uniform(1.0, 3.0)
    while t < dur - 3:
        d = rng.uniform(2.0, 6.0)
        d = min(d, dur - 0.5 - t)
        bouts.append((t, d))
        t += d + rng.uniform(2.0, 6.0)
    amp = spec["strength"]
    for t0, d in bouts:
        # semirhythmic discharges at 3-8 Hz from a few independent patches of the lid
        units = [(rng.uniform(0.25, 0.75), rng.uniform(3.0, 8.0)) for _ in range(rng.integers(1, 4))]
        for uc, hz in units:
            tt = t0 + rng.uniform(0, 0.2)
            while tt < t0 + d:
                fire_dur = rng.uniform(0.07, 0.13)
                a = amp * rng.uniform(0.6, 1.2)
                f0 = int(np.ceil(tt * tl.fps))
                f1 = int(np.floor((tt + fire_dur) * tl.fps))
                for f in range(f0, min(f1 + 1, tl.n)):
                    x = (f / tl.fps - tt) / fire_dur
                    tl.bumps[f].append((i, lid, uc + rng.normal(0, 0.02), a * np.sin(np.pi * x), 0.15))
                tt += (1.0 / hz) * rng.uniform(0.75, 1.3)
        tl.ev(t0, t0 + d, "flicker", spec["side"], ["lower_lid" if lid == "lo" else "upper_lid"])
    base_blinks(tl, rng, dur, spec["rate"])


def script_hfs(tl, rng, dur, spec):
    i = TL.idx(spec["side"])[0]
    early, sev = spec["early"], spec["strength"]
    babinski = spec["babinski"]
    t = rng.uniform(0.8, 2.0)
    while t < dur - 1.5:
        frac = t / dur
        spread = 0.0 if early else np.clip((frac - 0.25) / 0.6, 0, 1)
        if rng.random() < (0.7 if early else 0.5):
            # run of clonic twitches of the lids
            n = rng.integers(2, 7)
            tt, t_start = t, t
            for _ in range(n):
                d = rng.uniform(0.09, 0.2)
                a = sev * rng.uniform(0.35, 0.75) * (0.7 if early else 1)
                y = plateau(tl.t, tt, d * 0.35, d * 0.2, d * 0.45)
                tl.cu[i] = np.maximum(tl.cu[i], 0.6 * a * y)
                tl.cl[i] = np.maximum(tl.cl[i], a * y)
                tl.cheek[i] += 0.15 * a * y * (0.3 + spread)
                tt += d + rng.uniform(0.08, 0.35)
            tl.ev(t_start, tt, "clonic_twitch", spec["side"], ["upper_lid", "lower_lid", "eye"])
            t = tt + rng.uniform(1.0, 4.0)
        else:
            hold = rng.uniform(0.8, 3.5)
            rise, fall = rng.uniform(0.15, 0.4), rng.uniform(0.3, 0.7)
            y = plateau(tl.t, t, rise, hold, fall)
            y = y * (1 + 0.06 * np.sin(2 * np.pi * 7 * tl.t))  # tremulous hold
            close = sev * (rng.uniform(0.35, 0.6) if early else rng.uniform(0.55, 1.0))
            tl.cu[i] = np.maximum(tl.cu[i], close * y)
            tl.cl[i] = np.maximum(tl.cl[i], min(1, 0.5 * close + 0.1) * y)
            regions = ["eye", "upper_lid", "lower_lid"]
            ch = sev * (0.05 + 0.2 * spread + (0 if early else 0.05))
            if ch > 0.04:
                tl.cheek[i] += ch * y
                regions.append("cheek")
            mouth = sev * 0.12 * spread
            if mouth > 0.015:
                tl.cornx[i] += 0.6 * mouth * y
                tl.corny[i] += mouth * y
                regions.append("mouth")
            if babinski and not early:
                tl.brow[i] -= 0.12 * sev * y  # frontalis co-contraction: brow rises
                regions.append("brow")
            tl.ev(t, t + rise + hold + fall, "tonic_spasm", spec["side"], regions)
            t += rise + hold + fall + rng.uniform(1.5, 5.0)
    base_blinks(tl, rng, dur, spec["rate"])


def script_bleph(tl, rng, dur, spec):
    sev = spec["strength"]
    t = rng.uniform(1.0, 3.0)
    while t < dur - 2:
        if rng.random() < 0.55:
            hold = rng.uniform(0.6, 4.0) * (0.6 if sev < 0.8 else 1)
            rise, fall = rng.uniform(0.12, 0.3), rng.uniform(0.25, 0.6)
            y = plateau(tl.t, t, rise, hold, fall) * (1 + 0.05 * np.sin(2 * np.pi * 6 * tl.t + t))
            close = min(1.0, sev * rng.uniform(0.85, 1.15))
            for i in (0, 1):
                tl.cu[i] = np.maximum(tl.cu[i], close * y)
                tl.cl[i] = np.maximum(tl.cl[i], 0.35 * close * y)
                tl.brow[i] += 0.22 * sev * y   # brows pulled down (squeeze)
                tl.browin[i] += 0.08 * sev * y  # and in (corrugator/procerus)
                tl.cheek[i] += 0.05 * sev * y
            tl.ev(t, t + rise + hold + fall, "forceful_closure", "both", ["eye", "upper_lid", "lower_lid", "brow"])
            t += rise + hold + fall + rng.uniform(1.5, 5.0)
        else:
            n = rng.integers(3, 7)
            tt = t
            for _ in range(n):
                d = rng.uniform(0.2, 0.3)
                tl.blink(tt, d, 1.0, lower=0.3)
                y = blink_shape((tl.t - tt) / d)
                for i in (0, 1):
                    tl.brow[i] += 0.1 * sev * y
                tt += d + rng.uniform(0.05, 0.2)
            t = tt + rng.uniform(1.5, 4.0)
    base_blinks(tl, rng, dur, spec["rate"])


def script_synk(tl, rng, dur, spec, drive=None):
    i = TL.idx(spec["side"])[0]
    o = 1 - i
    sev = spec["strength"]
    if drive is not None:  # own smiles of a moving base drive the synkinetic narrowing
        y = drive
        tl.cu[i] = np.maximum(tl.cu[i], 0.55 * sev * y)
        tl.cl[i] = np.maximum(tl.cl[i], 0.3 * sev * y)
        tl.cheek[i] += 0.08 * sev * y
    else:
        t = rng.uniform(0.8, 2.0)
        while t < dur - 3:
            act = rng.choice(["smile", "pucker", "talking"], p=[0.4, 0.3, 0.3])
            d = rng.uniform(1.8, 4.0)
            if act == "smile":
                y = smile(tl, rng, t, d, rng.uniform(0.07, 0.12), eyes=0.04)
            elif act == "pucker":
                y = pucker(tl, rng, t, d, rng.uniform(0.1, 0.18))
            else:
                d = rng.uniform(2.5, 5.0)
                y = talk(tl, rng, t, d, rng.uniform(0.06, 0.12))
                # the affected eye follows the syllables, smoothed
                k = max(1, int(0.15 * tl.fps))
                y = np.convolve(y, np.ones(k) / k, mode="same")
                y = y / max(y.max(), 1e-3) * plateau(tl.t, t, 0.2, d - 0.4, 0.2)
            tl.cu[i] = np.maximum(tl.cu[i], 0.55 * sev * y)
            tl.cl[i] = np.maximum(tl.cl[i], 0.3 * sev * y)
            tl.cheek[i] += 0.06 * sev * y
            tl.ev(t, t + d, "eye_narrowing", spec["side"], ["eye", "upper_lid", "lower_lid"])
            t += d + rng.uniform(1.5, 4.5)
    base_blinks(tl, rng, dur, spec["rate"])


SCRIPTS = {"normal": script_normal, "frequent_blinking": script_frequent,
           "eyelid_myokymia": script_myokymia, "hemifacial_spasm": script_hfs,
           "blepharospasm": script_bleph, "synkinesis": script_synk}


# ---------------------------------------------------------------- clip plan
CLASSES = ["normal", "frequent_blinking", "eyelid_myokymia", "hemifacial_spasm",
           "blepharospasm", "synkinesis"]
# moving bases per class: (key, flip, segment a, segment b)
MOVING = {
    "normal": [("wolfgang", False, 250, 384), ("jefapato", False, 1, 29), ("single_mp4", True, 30, 68)],
    "frequent_blinking": [("single_mp4", False, 0, 71), ("wolfgang", False, 140, 230), ("jefapato", True, 1, 29)],
    "eyelid_myokymia": [("jefapato", False, 1, 29), ("wolfgang", True, 155, 200), ("single_mp4", False, 30, 68)],
    "hemifacial_spasm": [("wolfgang", False, 228, 384), ("jefapato", True, 1, 29), ("single_mp4", True, 30, 68)],
    "blepharospasm": [("wolfgang", True, 140, 230), ("jefapato", False, 1, 29), ("single_mp4", True, 0, 71)],
    "synkinesis": [("wolfgang", False, 228, 384), ("wolfgang", True, 250, 384), ("single_mp4", False, 0, 24, 0.5)],
}
STILLS = [("astronaut", False), ("astronaut", True), ("single_jpg", False), ("single_jpg", True),
          ("multi0", False), ("multi1", False), ("multi2", False), ("multi0", True), ("multi1", True),
          ("multi2", True), ("multi3", False)]


def plan(seed):
    rng = np.random.default_rng(seed + 1000)
    specs = []
    still_i = 0
    for ci, cls in enumerate(CLASSES):
        for k in range(8):
            s = {"disorder": cls}
            if k < 3:
                key, flip, a, b = MOVING[cls][k][:4]
                sp = MOVING[cls][k][4] if len(MOVING[cls][k]) > 4 else 1.0
                s.update(base="moving", key=key, flip=flip, seg=(a, b), speed=sp)
            else:
                key, flip = STILLS[(still_i * 5 + ci) % len(STILLS)]
                still_i += 1
                s.update(base="still", key=key, flip=flip, seg=(0, 0))
            s["side"] = ["left", "right"][(k + ci) % 2] if cls in (
                "eyelid_myokymia", "hemifacial_spasm", "synkinesis") else (
                "both" if cls in ("frequent_blinking", "blepharospasm") else "none")
            s["fps"] = int(rng.choice([24, 25, 30, 30, 60], p=[0.25, 0.25, 0.2, 0.15, 0.15]))
            s["dur"] = float(rng.uniform(15, 22) if s["fps"] == 60 else rng.uniform(16, 28))
            small = s["key"].startswith("multi") or s["key"] in ("wolfgang", "single_mp4")
            if s["key"] == "jefapato":
                short = int(rng.choice([480, 720, 1080], p=[0.3, 0.45, 0.25]))
            elif small:
                short = int(rng.choice([240, 360, 480], p=[0.25, 0.5, 0.25]))
            else:
                short = int(rng.choice([240, 360, 480, 720], p=[0.1, 0.35, 0.35, 0.2]))
            if short >= 1080:
                s["fps"] = int(rng.choice([24, 25]))
                s["dur"] = float(rng.uniform(15, 18))
            s["short"] = short
            s["aspect"] = str(rng.choice(["16:9", "4:3", "9:16"], p=[0.55, 0.3, 0.15]))
            r = rng.random()
            s["codec"] = "vp9" if r < 0.1 else ("mjpeg" if r < 0.2 else "h264")
            if s["codec"] == "vp9" and short > 480:
                s["codec"] = "h264"
            s["crf"] = int(rng.integers(18, 33))
            s["noise"] = float(rng.choice([0, 1.5, 3, 5, 8], p=[0.2, 0.3, 0.25, 0.15, 0.1]))
            s["light"] = float(rng.uniform(0, 0.18))
            s["roll"] = float(rng.uniform(0.5, 4.0))
            s["yaw"] = float(rng.uniform(0, 0.12))
            s["shift"] = float(rng.uniform(0, 0.04))
            s["zoom"] = float(rng.uniform(0, 0.12))
            s["facefrac"] = float(rng.uniform(0.28, 0.5))
            # class parameters
            if cls == "normal":
                s["rate"] = float(rng.uniform(9, 18))
            elif cls == "frequent_blinking":
                s["rate"] = float(rng.uniform(34, 55))
            elif cls == "eyelid_myokymia":
                s["rate"] = float(rng.uniform(10, 19))
                s["lid"] = "lo" if k % 4 != 1 else "up"
                s["strength"] = float(rng.choice([0.25, 0.35, 0.45, 0.55]))
            elif cls == "hemifacial_spasm":
                s["rate"] = float(rng.uniform(10, 19))
                s["early"] = k in (2, 6)
                s["strength"] = float(rng.uniform(0.55, 1.0)) if not s["early"] else float(rng.uniform(0.5, 0.8))
                s["babinski"] = k % 3 != 0
            elif cls == "blepharospasm":
                s["rate"] = float(rng.uniform(22, 38))
                s["strength"] = float(rng.uniform(0.6, 0.8)) if k in (1, 4, 7) else float(rng.uniform(0.85, 1.0))
            elif cls == "synkinesis":
                s["rate"] = float(rng.uniform(10, 19))
                s["strength"] = float(rng.uniform(0.45, 1.0))
            specs.append(s)
    order = rng.permutation(len(specs))
    out = []
    for n, j in enumerate(order):
        s = specs[j]
        s["id"] = "v3_%03d" % (n + 1)
        s["file"] = s["id"] + {"h264": ".mp4", "vp9": ".webm", "mjpeg": ".avi"}[s["codec"]]
        s["seed"] = int(seed * 100003 + n * 7919 + 17)
        out.append(s)
    return out


def out_size(short, aspect):
    a, b = [int(x) for x in aspect.split(":")]
    if a >= b:
        h = short
        w = int(round(short * a / b / 2)) * 2
    else:
        w = short
        h = int(round(short * b / a / 2)) * 2
    return w, h


# ---------------------------------------------------------------- rendering
def render(spec, outdir):
    rng = np.random.default_rng(spec["seed"])
    base = get_base(spec["key"], spec["flip"])
    fps, dur = spec["fps"], spec["dur"]
    n = int(round(dur * fps))
    dur = n / fps
    W, H = out_size(spec["short"], spec["aspect"])
    t = np.arange(n) / fps
    bidx = (pingpong(n, fps, base.fps * spec.get("speed", 1.0), *spec["seg"]) if base.moving
            else np.zeros(n, int))

    tl = TL(n, fps)
    # own events of the moving base (blinks and smiles seen in the real footage)
    own_blink = np.array([b in base.blink_frames for b in bidx])
    own_smile = np.array([b in base.smile_frames for b in bidx])

    def runs(mask):
        r, i = [], 0
        while i < n:
            if mask[i]:
                j = i
                while j + 1 < n and mask[j + 1]:
                    j += 1
                r.append((i, j))
                i = j + 1
            else:
                i += 1
        return r

    for i0, i1 in runs(own_blink):
        tl.ev(t[i0] - 0.04, t[i1] + 0.08, "blink", "both", ["upper_lid", "eye"])
    for i0, i1 in runs(own_smile):
        if (i1 - i0) / fps > 0.4:
            tl.ev(t[i0], t[i1], "smile", "both", ["mouth", "cheek"])
    spec["own_smile"] = bool(own_smile.any())
    own_rate = len(runs(own_blink)) / dur * 60
    spec = dict(spec, rate=max(spec.get("rate", 0) - own_rate, 2.0)) if "rate" in spec else spec
    drive = None
    if spec["disorder"] == "synkinesis" and base.moving:
        mw = base.mouthw[bidx]
        lo, hi = np.percentile(base.mouthw, 10), np.percentile(base.mouthw, 95)
        drive = np.clip((mw - lo) / max(hi - lo, 1e-3) * 1.3 - 0.15, 0, 1)
        k = max(1, int(0.1 * fps))
        drive = np.convolve(drive, np.ones(k) / k, mode="same")
        for i0, i1 in runs(drive > 0.15):
            tl.ev(t[i0], t[i1], "eye_narrowing", spec["side"], ["eye", "upper_lid", "lower_lid"])
    if drive is not None:
        SCRIPTS["synkinesis"](tl, rng, dur, spec, drive=drive)
    else:
        SCRIPTS[spec["disorder"]](tl, rng, dur, spec)

    # ---- global geometry: base landmarks -> output frame
    L0 = base.lm[bidx[0]]
    fw_src = np.ptp(base.lm[:, :, 0], axis=1).mean()
    scale0 = spec["facefrac"] * W / fw_src
    fc_src = base.lm[:, :, :].mean(axis=(0, 1))
    ph = rng.uniform(0, 2 * np.pi, 8)
    roll = spec["roll"] * (0.6 * np.sin(2 * np.pi * 0.07 * t + ph[0]) + 0.4 * np.sin(2 * np.pi * 0.21 * t + ph[1]))
    yaw = spec["yaw"] * np.sin(2 * np.pi * 0.05 * t + ph[2])
    zoom = 1 + spec["zoom"] * np.sin(2 * np.pi * 0.03 * t + ph[3])
    sx = spec["shift"] * W * np.sin(2 * np.pi * 0.045 * t + ph[4])
    sy = spec["shift"] * H * np.sin(2 * np.pi * 0.06 * t + ph[5])
    light = 1 + spec["light"] * np.sin(2 * np.pi * 0.04 * t + ph[6])
    warm = 1 + 0.5 * spec["light"] * np.sin(2 * np.pi * 0.027 * t + ph[7])
    noise_bank = None
    if spec["noise"] > 0:
        nb = np.random.default_rng(spec["seed"] + 5)
        noise_bank = []
        for _ in range(6):
            z = np.clip(nb.normal(0, spec["noise"], (H, W, 1)), -40, 40).round()
            z = np.repeat(z, 3, axis=2) + nb.normal(0, spec["noise"] * 0.3, (H, W, 3)).round()
            noise_bank.append((np.clip(z, 0, 255).astype(np.uint8), np.clip(-z, 0, 255).astype(np.uint8)))

    path = os.path.join(outdir, spec["file"])
    cont = av.open(path, "w")
    if spec["codec"] == "h264":
        st = cont.add_stream("libx264", rate=Fraction(fps))
        st.options = {"crf": str(spec["crf"]), "preset": "veryfast" if W * H < 600000 else "superfast"}
        st.pix_fmt = "yuv420p"
    elif spec["codec"] == "vp9":
        st = cont.add_stream("libvpx-vp9", rate=Fraction(fps))
        st.options = {"crf": str(spec["crf"] + 6), "b": "0", "deadline": "realtime", "cpu-used": "8"}
        st.pix_fmt = "yuv420p"
    else:
        st = cont.add_stream("mjpeg", rate=Fraction(fps))
        st.pix_fmt = "yuvj420p"
        st.bit_rate = int(W * H * fps * 0.6)
    st.width, st.height = W, H

    for f in range(n):
        src = base.frames[bidx[f]]
        lm = base.lm[bidx[f]]
        # homography: centre face, scale, roll, yaw keystone, translation
        c = fc_src
        s = scale0 * zoom[f]
        a = np.deg2rad(roll[f])
        T1 = np.array([[1, 0, -c[0]], [0, 1, -c[1]], [0, 0, 1]])
        R = np.array([[s * np.cos(a), -s * np.sin(a), 0], [s * np.sin(a), s * np.cos(a), 0], [0, 0, 1]])
        K = np.array([[1, 0, 0], [0, 1, 0], [yaw[f] / (fw_src * s), 0, 1]])
        T2 = np.array([[1, 0, W / 2 + sx[f]], [0, 1, H * 0.47 + sy[f]], [0, 0, 1]])
        M = T2 @ K @ R @ T1
        img = cv2.warpPerspective(src, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        P = cv2.perspectiveTransform(lm[None].astype(np.float64), M)[0]
        keys = side_keys(P)
        iod = float(np.linalg.norm(P[33] - P[263]))
        # ---- local animation
        ctrl = []
        for si, sk in enumerate(("il", "ir")):
            g = keys[sk]
            up, lo = P[EYE_UP[g]], P[EYE_LO[g]]
            ew = float(np.linalg.norm(up[0] - up[-1]))
            bmid = P[BROW[g]].mean(0)
            inward = 1 if sk == "il" else -1  # towards the nose, in image x
            if abs(tl.brow[si, f]) > 1e-3 or abs(tl.browin[si, f]) > 1e-3:
                ctrl.append((bmid[0], bmid[1], 0.45 * ew, inward * tl.browin[si, f] * ew, tl.brow[si, f] * ew))
                ctrl.append((bmid[0] + inward * 0.3 * ew, bmid[1] + 0.1 * ew, 0.3 * ew,
                             inward * tl.browin[si, f] * ew, 0.6 * tl.brow[si, f] * ew))
            if abs(tl.cheek[si, f]) > 1e-3:
                ch = P[CHEEK[g]]
                ctrl.append((ch[0], ch[1] - 0.2 * ew, 0.55 * ew, 0, -tl.cheek[si, f] * ew))
            if abs(tl.cornx[si, f]) > 1e-4 or abs(tl.corny[si, f]) > 1e-4:
                cp = P[CORNER[g]]
                mw = float(np.linalg.norm(P[61] - P[291]))
                ctrl.append((cp[0], cp[1], 0.33 * mw, -inward * tl.cornx[si, f] * mw, -tl.corny[si, f] * mw))
        for (i_, lid, u_, a_, w_) in tl.bumps[f]:
            g = keys[("il", "ir")[i_]]
            up, lo = P[EYE_UP[g]], P[EYE_LO[g]]
            c0, eu, ev, ew = eye_frame(up, lo)
            sgn = 1 if lid == "lo" else -1
            pt = c0 + eu * ew * u_ + ev * (0.22 * ew * sgn + (lo[4] - c0) @ ev * (lid == "lo") + (up[4] - c0) @ ev * (lid == "up"))
            ctrl.append((pt[0], pt[1], 0.16 * ew, 0.0, -sgn * 0.13 * a_ * ew))
        if ctrl:
            x0, y0 = P.min(0) - 0.3 * iod
            x1, y1 = P.max(0) + 0.3 * iod
            rbf_warp(img, ctrl, (x0, y0, x1, y1))
        mouth_open_warp(img, P, tl.mopen[f])
        for si, sk in enumerate(("il", "ir")):
            g = keys[sk]
            bumps = [(lid, u, a_, w_) for (i_, lid, u, a_, w_) in tl.bumps[f] if i_ == si]
            eyelid_warp(img, P[EYE_UP[g]], P[EYE_LO[g]], tl.cu[si, f], tl.cl[si, f], bumps)
        # ---- lighting, noise
        gains = np.array([light[f] / warm[f] ** 0.5, light[f], light[f] * warm[f] ** 0.5])
        lut = np.clip(np.arange(256)[:, None] * gains[None, :], 0, 255).astype(np.uint8)
        img = cv2.LUT(img, lut.reshape(256, 1, 3))
        if noise_bank is not None:
            npos, nneg = noise_bank[(f * 7 + (f // 3)) % len(noise_bank)]
            cv2.add(img, npos, dst=img)
            cv2.subtract(img, nneg, dst=img)
        vf = av.VideoFrame.from_ndarray(img, format="bgr24")
        for pkt in st.encode(vf):
            cont.mux(pkt)
    for pkt in st.encode():
        cont.mux(pkt)
    cont.close()
    tl.events.sort(key=lambda e: e["start_s"])
    for e in tl.events:  # keep events inside the clip
        e["start_s"] = round(max(0.0, e["start_s"]), 3)
        e["end_s"] = round(min(dur, e["end_s"]), 3)
    return tl, W, H, n, dur


# ---------------------------------------------------------------- visibility check
def measure(path):
    """Per-frame landmark measures (normalised by inter-ocular distance) of a rendered file."""
    m = mesh(static=False)
    c = av.open(path)
    rows = []
    for fr in c.decode(video=0):
        rgb = fr.to_ndarray(format="rgb24")
        lm = landmarks_rgb(m, rgb, maxw=480)
        if lm is None:
            rows.append(None)
            continue
        iod = float(np.linalg.norm(lm[33] - lm[263]))
        keys = side_keys(lm)
        r = {}
        nose = lm[168]
        for sk in ("il", "ir"):
            g = keys[sk]
            up, lo = lm[EYE_UP[g]], lm[EYE_LO[g]]
            c0, eu, ev, W = eye_frame(up, lo)
            vu = ((up[3:6] - c0) @ ev).mean()
            vl = ((lo[3:6] - c0) @ ev).mean()
            r[sk + "_open"] = (vl - vu) / iod
            r[sk + "_up"] = vu / iod
            r[sk + "_lo"] = vl / iod
            r[sk + "_brow"] = ((lm[BROW[g]].mean(0) - c0) @ ev) / iod
            r[sk + "_cheek"] = ((lm[CHEEK[g]] - c0) @ ev) / iod
            cp = lm[CORNER[g]] - nose
            r[sk + "_cx"] = abs(cp @ eu) / iod
            r[sk + "_cy"] = (cp @ ev) / iod
        r["mopen"] = float(np.linalg.norm(lm[13] - lm[14])) / iod
        rows.append(r)
    c.close()
    m.close()
    return rows


REGION_METRICS = {"upper_lid": ["open", "up"], "lower_lid": ["open", "lo"], "eye": ["open"],
                  "brow": ["brow"], "cheek": ["cheek"], "mouth": ["cx", "cy", "mopen"]}


def check_events(rows, events, fps):
    n = len(rows)
    t = np.arange(n) / fps
    busy = np.zeros(n, bool)
    for e in events:
        busy |= (t >= e["start_s"] - 0.15) & (t <= e["end_s"] + 0.15)
    keys = [k for k in (rows[0] or next(r for r in rows if r)).keys()]
    M = {k: np.array([r[k] if r else np.nan for r in rows]) for k in keys}
    for e in events:
        sides = {"right": ["il"], "left": ["ir"], "both": ["il", "ir"], "none": ["il", "ir"]}[e["side"]]
        names = []
        for reg in e["regions"]:
            for mname in REGION_METRICS[reg]:
                if mname == "mopen":
                    names.append("mopen")
                else:
                    names += [s + "_" + mname for s in sides]
        inside = (t >= e["start_s"]) & (t <= e["end_s"] + 0.05)
        near = (np.abs(t - e["start_s"]) < 2.5) | (np.abs(t - e["end_s"]) < 2.5)
        basem = near & ~busy
        if basem.sum() < 5:
            basem = ~busy
        if basem.sum() < 5:
            basem = ~inside
        vis = False
        for k in set(names):
            x = M[k]
            b = x[basem]
            b = b[~np.isnan(b)]
            xi = x[inside]
            xi = xi[~np.isnan(xi)]
            if len(b) < 3 or len(xi) == 0:
                continue
            med = np.median(b)
            noise = 1.4826 * np.median(np.abs(b - med))
            if e["kind"] == "flicker":
                d_in = np.abs(np.diff(xi)) if len(xi) > 1 else np.array([0])
                allb = x[~busy]
                allb = allb[~np.isnan(allb)]
                d_b = np.abs(np.diff(allb)) if len(allb) > 2 else np.array([0])
                thr = max(np.percentile(d_b, 95) * 1.5 if len(d_b) else 0, 0.006)
                if np.percentile(d_in, 90) > thr:
                    vis = True
                # or: the lid measure is clearly more variable during the bout than at rest
                if len(allb) > 10 and np.std(xi) > 2 * np.std(allb) and np.ptp(xi) > 0.006:
                    vis = True
            else:
                resp = np.max(np.abs(xi - med))
                if resp > max(4 * noise, 0.006):
                    vis = True
        e["visible"] = bool(vis)


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default="")
    ap.add_argument("--no-check", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    specs = plan(args.seed)
    if args.only:
        keep = set(args.only.split(","))
        specs = [s for s in specs if s["id"] in keep]
    truth = []
    t_render = t_check = 0.0
    c0 = time.process_time()
    for s in specs:
        a = time.process_time()
        tl, W, H, n, dur = render(s, args.out)
        b = time.process_time()
        t_render += b - a
        if not args.no_check:
            rows = measure(os.path.join(args.out, s["file"]))
            check_events(rows, tl.events, s["fps"])
        t_check += time.process_time() - b
        nb = sum(1 for e in tl.events if e["kind"] == "blink")
        face = s["key"] + ("_flipped" if s["flip"] else "")
        seg = s["seg"]
        truth.append({
            "id": s["id"], "file": s["file"],
            "split": "dev" if hashlib.sha256(s["id"].encode()).digest()[0] % 2 == 0 else "locked",
            "face": face, "base": s["base"], "disorder": s["disorder"], "side": s["side"],
            "image_side": SIDE_IMG[s["side"]], "fps": s["fps"], "width": W, "height": H,
            "duration_s": round(dur, 3), "blink_rate_per_min": round(nb / dur * 60, 1),
            "events": tl.events,
            "conditions": {
                "codec": s["codec"], "crf": s["crf"] if s["codec"] != "mjpeg" else None,
                "noise_sigma": s["noise"], "lighting_drift": round(s["light"], 3),
                "roll_deg": round(s["roll"], 2), "yaw_keystone": round(s["yaw"], 3),
                "translation_frac": round(s["shift"], 3), "distance_drift": round(s["zoom"], 3),
                "face_width_frac": round(s["facefrac"], 3),
                "base_segment_frames": list(seg) if s["base"] == "moving" else None,
                "base_playback_speed": s.get("speed") if s["base"] == "moving" else None,
                "strength": round(s.get("strength", 0), 3) or None,
                "myokymia_lid": {"lo": "lower", "up": "upper"}.get(s.get("lid")),
                "hfs_early_stage": s.get("early"), "hfs_brow_raise_sign": s.get("babinski"),
                "planted_blink_rate_target": round(s.get("rate", 0), 1)},
        })
        print("%s %-18s %-10s %5s %4dx%-4d %2dfps %5.1fs ev=%d blinks=%.0f/min render=%.1fs" % (
            s["id"], s["disorder"], face, s["side"], W, H, s["fps"], dur, len(tl.events),
            nb / dur * 60, b - a), flush=True)
    with open(os.path.join(args.out, "truth.json"), "w") as fh:
        json.dump(truth, fh, indent=1)
    print("render CPU %.1fs, check CPU %.1fs, total process CPU %.1fs" % (
        t_render, t_check, time.process_time() - c0))


if __name__ == "__main__":
    main()
