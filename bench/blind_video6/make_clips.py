#!/usr/bin/env python
"""Blind evaluation set 6: 48 face videos with planted facial events.

Written blind (see README.md).  Usage:
    python make_clips.py --out /work/bv/set6 [--seed 0] [--only 3,17] [--no-check]
"""
import argparse
import hashlib
import json
import os
import sys
import time
from fractions import Fraction
from multiprocessing import Pool

import numpy as np
import cv2
import av

cv2.setNumThreads(1)
MEDIA = "/work/shared/media"
N_CLIPS = 48
CLASSES = ["normal", "frequent_blinking", "eyelid_myokymia", "hemifacial_spasm",
           "blepharospasm", "synkinesis"]

# MediaPipe face-mesh indices.  "A" = the mesh's right-eye set, "B" = left-eye set; which one is
# on the image left is decided from the landmark positions (flipped bases are re-detected).
EYE = {"A": dict(c=[33, 133], up=[246, 161, 160, 159, 158, 157, 173], lo=[7, 163, 144, 145, 153, 154, 155]),
       "B": dict(c=[263, 362], up=[466, 388, 387, 386, 385, 384, 398], lo=[249, 390, 373, 374, 380, 381, 382])}
BROW = {"A": [70, 63, 105, 66, 107], "B": [300, 293, 334, 296, 336]}
CORNER = {"A": 61, "B": 291}

# --------------------------------------------------------------------------- landmarks
_FM = {}


def facemesh(img_bgr):
    import mediapipe as mp
    if "m" not in _FM:
        _FM["m"] = mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1,
                                                   refine_landmarks=True, min_detection_confidence=0.3)
    h, w = img_bgr.shape[:2]
    r = _FM["m"].process(cv2.cvtColor(img_bgr, cv2.COLOR_BGR2RGB))
    if not r.multi_face_landmarks:
        return None
    return np.array([[q.x * w, q.y * h] for q in r.multi_face_landmarks[0].landmark], np.float32)


def sides_of(P):
    """Return mapping image side -> mesh set key."""
    ax = P[EYE["A"]["c"]][:, 0].mean()
    bx = P[EYE["B"]["c"]][:, 0].mean()
    return {"L": "A", "R": "B"} if ax < bx else {"L": "B", "R": "A"}


def ear(P, key):
    e = EYE[key]
    w = np.linalg.norm(P[e["c"][0]] - P[e["c"][1]])
    h = np.mean([np.linalg.norm(P[a] - P[b]) for a, b in zip(e["up"][2:5], e["lo"][2:5])])
    return h / max(w, 1e-6)


# --------------------------------------------------------------------------- bases
STILLS = ["single_face", "multi_face", "astronaut"]
FOOTAGE = ["wolfgang", "single_face_video", "jefapato"]
_BASES = {}


def _load_still(name):
    if name == "single_face":
        img = cv2.imread(os.path.join(MEDIA, "single_face.jpg"))
        return cv2.resize(img, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)
    if name == "multi_face":
        img = cv2.imread(os.path.join(MEDIA, "multi_face.jpg"))
        import mediapipe as mp
        with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=10,
                                             refine_landmarks=True) as m:
            r = m.process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
        h, w = img.shape[:2]
        if r.multi_face_landmarks:
            c = np.array([[q.x * w, q.y * h] for q in r.multi_face_landmarks[0].landmark]).mean(0)
        else:
            c = np.array([584.0, 377.0])
        x0, y0 = int(max(c[0] - 220, 0)), int(max(c[1] - 230, 0))
        crop = img[y0:y0 + 460, x0:x0 + 440]
        return cv2.resize(crop, None, fx=2.4, fy=2.4, interpolation=cv2.INTER_CUBIC)
    if name == "astronaut":
        from skimage import data
        img = np.ascontiguousarray(data.astronaut()[:, :, ::-1])
        crop = img[0:400, 60:400]
        return cv2.resize(crop, None, fx=2.6, fy=2.6, interpolation=cv2.INTER_CUBIC)
    raise KeyError(name)


def _load_footage(name):
    fn = {"wolfgang": "WolfgangLanger_Pexels.mp4", "single_face_video": "single_face.mp4",
          "jefapato": "jefapato_2sec.mp4"}[name]
    c = av.open(os.path.join(MEDIA, fn))
    st = c.streams.video[0]
    fps = float(st.average_rate)
    frames = []
    for fr in c.decode(video=0):
        im = fr.to_ndarray(format="bgr24")
        if im.shape[1] > 1000:
            im = cv2.resize(im, (im.shape[1] // 2, im.shape[0] // 2), interpolation=cv2.INTER_AREA)
        frames.append(im)
    c.close()
    return frames, fps


def get_base(face, flipped):
    key = (face, flipped)
    if key in _BASES:
        return _BASES[key]
    if face in STILLS:
        img = _load_still(face)
        if flipped:
            img = np.ascontiguousarray(img[:, ::-1])
        P = facemesh(img)
        base = dict(kind="still", frames=[img], lms=[P], fps=None, runs=[(0, 0)], mw=None)
    else:
        frames, fps = _load_footage(face)
        if flipped:
            frames = [np.ascontiguousarray(f[:, ::-1]) for f in frames]
        lms = [facemesh(f) for f in frames]
        # usable frames: face found and both eyes clearly open (no blink / closure / look-down)
        ok = np.array([P is not None for P in lms])
        ears = np.array([min(ear(P, "A"), ear(P, "B")) if P is not None else 0 for P in lms])
        ref = np.median(ears[ok])
        good = ok & (ears > 0.72 * ref) & (ears > 0.2)
        bad = ~good
        # dilate bad frames by 3
        bd = bad.copy()
        for k in range(1, 4):
            bd[k:] |= bad[:-k]
            bd[:-k] |= bad[k:]
        runs, s = [], None
        for i, g in enumerate(~bd):
            if g and s is None:
                s = i
            if (not g or i == len(bd) - 1) and s is not None:
                e = i if g else i - 1
                if e - s + 1 >= 18:
                    runs.append((s, e))
                s = None
        mw = np.array([np.linalg.norm(P[61] - P[291]) / np.linalg.norm(P[33] - P[263]) if P is not None else np.nan
                       for P in lms])
        base = dict(kind="footage", frames=frames, lms=lms, fps=fps, runs=runs, mw=mw)
    _BASES[key] = base
    return base


# --------------------------------------------------------------------------- envelopes
def smooth(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def env_blink(tau, dur):
    if tau < 0 or tau > dur:
        return 0.0
    c, h = 0.32 * dur, 0.10 * dur
    if tau < c:
        return float(smooth(tau / c))
    if tau < c + h:
        return 1.0
    return float(1 - smooth((tau - c - h) / (dur - c - h)))


def env_plateau(tau, rise, hold, fall):
    if tau < 0 or tau > rise + hold + fall:
        return 0.0
    if tau < rise:
        return float(smooth(tau / rise))
    if tau < rise + hold:
        return 1.0
    return float(1 - smooth((tau - rise - hold) / fall))


def env_twitch(tau, rise=0.045, fall=0.13):
    if tau < 0 or tau > rise + fall:
        return 0.0
    if tau < rise:
        return float(smooth(tau / rise))
    return float(1 - smooth((tau - rise) / fall))


# --------------------------------------------------------------------------- per-frame state
def new_state():
    st = {}
    for s in "LR":
        st["close" + s] = 0.0     # upper-lid closure fraction of the aperture
        st["lower" + s] = 0.0     # lower-lid raise fraction
        st["browup" + s] = 0.0    # brow raise (units of eye half-width), negative = lowering
        st["browmed" + s] = 0.0   # brow medial pull
        st["cheek" + s] = 0.0     # cheek raise (eye half-widths)
        st["corner" + s] = np.zeros(2)  # corner pull (mouth widths): (outward, upward)
        st["myo" + s] = []        # list of (lid 'lo'/'up', x position -1..1, amplitude in w units)
    st["jaw"] = 0.0               # jaw opening (mouth half-widths)
    st["pucker"] = 0.0
    return st


def addmax(st, k, v):
    st[k] = max(st[k], v)


def apply_event(ev, t, st):
    """Add the contribution of one event at time t to state."""
    p = ev["p"]
    tau = t - ev["t0"]
    kind = ev["kind"]
    sides = "LR" if ev["iside"] == "both" else ("L" if ev["iside"] == "image_left" else "R")
    if kind == "blink" or kind == "eye_closure":
        if kind == "blink":
            e = env_blink(tau, p["dur"])
        else:
            e = env_plateau(tau, 0.25, p["hold"], 0.35)
        if e <= 0:
            return
        for s in sides:
            addmax(st, "close" + s, e * p["amp"] * p.get("f" + s, 1.0))
            addmax(st, "lower" + s, e * 0.08)
        for s, g in p.get("oral", {}).items():  # ocular-oral synkinesis
            st["corner" + s] = st["corner" + s] + e * np.array([0.4, 1.0]) * g
    elif kind in ("glance_down", "eye_narrowing"):
        e = env_plateau(tau, p.get("rise", 0.2), p["hold"], p.get("fall", 0.3))
        if e <= 0:
            return
        for s in sides:
            addmax(st, "close" + s, e * p["amp"] * p.get("f" + s, 1.0))
            addmax(st, "lower" + s, e * p.get("lo", 0.05))
            st["browup" + s] += -e * p.get("brow", 0.0)
            st["cheek" + s] += e * p.get("cheek", 0.0)
    elif kind == "flicker":  # myokymia episode: semirhythmic unit discharges
        if tau < 0 or tau > ev["t1"] - ev["t0"]:
            return
        s = sides[0]
        for u in p["units"]:
            # discharge times precomputed
            dts = tau - u["times"]
            dts = dts[(dts >= 0) & (dts < 0.2)]
            if len(dts) == 0:
                continue
            val = sum(env_twitch(d, 0.03, 0.09) for d in dts)
            ramp = min(1.0, tau / 0.4, (ev["t1"] - ev["t0"] - tau) / 0.4)
            st["myo" + s].append((u["lid"], u["x"], u["amp"] * val * max(ramp, 0)))
    elif kind in ("clonic_twitch", "tonic_spasm"):
        s = sides[0]
        if kind == "clonic_twitch":
            e = 0.0
            for tt, a in zip(p["times"], p["amps"]):
                e = max(e, a * env_twitch(tau - tt, p["rise"], p["fall"]))
            eo = e
            # lower-face component lags slightly (spread from the eye downwards)
            em = 0.0
            for tt, a in zip(p["times"], p["amps"]):
                em = max(em, a * env_twitch(tau - tt - p["lag"], p["rise"], p["fall"]))
        else:
            eo = env_plateau(tau, p["rise"], p["hold"], p["fall"])
            em = env_plateau(tau - p["lag"], p["rise"], p["hold"], p["fall"])
            # superimposed clonic jitter during the tonic phase
            eo = eo * (1 - 0.12 * (0.5 + 0.5 * np.sin(2 * np.pi * 4.3 * tau)))
        if eo <= 0 and em <= 0:
            return
        addmax(st, "close" + s, eo * p["close"])
        addmax(st, "lower" + s, eo * p["lower"])
        st["cheek" + s] += em * p["cheek"]
        st["browup" + s] += eo * p["brow"]
        st["corner" + s] = st["corner" + s] + em * np.array([0.6, 0.8]) * p["mouth"]
    elif kind in ("forceful_closure", "flutter"):
        if kind == "forceful_closure":
            e = env_plateau(tau, p["rise"], p["hold"], p["fall"])
            if e > 0:
                e = e * (1 - 0.08 * (0.5 + 0.5 * np.sin(2 * np.pi * 3.1 * tau)))
        else:
            e = 0.0
            for tt, a in zip(p["times"], p["amps"]):
                e = max(e, a * env_twitch(tau - tt, 0.04, 0.09))
        if e <= 0:
            return
        for s in sides:
            addmax(st, "close" + s, e * p["close"] * p.get("f" + s, 1.0))
            addmax(st, "lower" + s, e * p["lower"] * p.get("f" + s, 1.0))
            st["browup" + s] += -e * p["brow"] * p.get("f" + s, 1.0)
            st["browmed" + s] += e * p["brow"] * 0.6 * p.get("f" + s, 1.0)
            st["cheek" + s] += e * p["cheek"] * p.get("f" + s, 1.0)
            st["corner" + s] = st["corner" + s] + e * np.array([0.5, -0.7]) * p.get("grimace", 0.0)
    elif kind == "smile":
        e = env_plateau(tau, 0.35, p["hold"], 0.45)
        if e <= 0:
            return
        for s in "LR":
            g = p.get("f" + s, 1.0)
            st["corner" + s] = st["corner" + s] + e * np.array([1.1, 1.2]) * p["amp"] * g
            st["cheek" + s] += e * p["amp"] * 1.2 * g
            addmax(st, "lower" + s, e * 0.12 * g)
        for s, a in p.get("eye_syn", {}).items():
            addmax(st, "close" + s, e * a)
            addmax(st, "lower" + s, e * a * 0.5)
    elif kind == "pucker":
        e = env_plateau(tau, 0.3, p["hold"], 0.4)
        if e <= 0:
            return
        st["pucker"] = max(st["pucker"], e * p["amp"])
        for s, a in p.get("eye_syn", {}).items():
            addmax(st, "close" + s, e * a)
            addmax(st, "lower" + s, e * a * 0.5)
    elif kind == "brow_raise":
        e = env_plateau(tau, 0.3, p["hold"], 0.4)
        if e <= 0:
            return
        for s in "LR":
            st["browup" + s] += e * p["amp"] * p.get("f" + s, 1.0)
        for s, g in p.get("oral", {}).items():
            st["corner" + s] = st["corner" + s] + e * np.array([0.3, 1.0]) * g
    elif kind == "mouth_corner_pull":
        e = env_plateau(tau, 0.12, p["hold"], 0.2)
        if e > 0:
            s = sides[0]
            st["corner" + s] = st["corner" + s] + e * np.array([0.4, 1.0]) * p["amp"]
    elif kind == "talking":
        if 0 <= tau <= ev["t1"] - ev["t0"]:
            sy = p["syll"]
            k = int(tau * p["rate"])
            ph = tau * p["rate"] - k
            a = sy[k % len(sy)]
            st["jaw"] = max(st["jaw"], a * np.sin(np.pi * ph) ** 2)
            for s in "LR":
                st["corner" + s] = st["corner" + s] + np.array([-0.15, 0.0]) * a * np.sin(np.pi * ph) ** 2
    elif kind == "yawn":
        e = env_plateau(tau, 1.3, p["hold"], 1.0)
        if e <= 0:
            return
        st["jaw"] = max(st["jaw"], e * p["amp"])
        for s in "LR":
            addmax(st, "close" + s, e * 0.55)
            addmax(st, "lower" + s, e * 0.15)
            st["browup" + s] += e * 0.15
    # head_movement is handled by the global transform


# --------------------------------------------------------------------------- warping
def eye_frame(P, key):
    e = EYE[key]
    a, b = P[e["c"][0]], P[e["c"][1]]
    if a[0] > b[0]:
        a, b = b, a
    o = (a + b) / 2
    u = (b - a) / max(np.linalg.norm(b - a), 1e-6)
    v = np.array([-u[1], u[0]])
    w = np.linalg.norm(b - a) / 2

    def loc(pts):
        d = pts - o
        return np.stack([d @ u, d @ v], 1)
    up = loc(P[e["up"] + e["c"]])
    lo = loc(P[e["lo"] + e["c"]])
    up = up[np.argsort(up[:, 0])]
    lo = lo[np.argsort(lo[:, 0])]
    return o, u, v, w, up, lo


def warp_face(img, P, st, smap):
    """Apply all local deformations; returns new image (copy only of the face ROI)."""
    x0, y0, x1, y1 = face_box(P, img.shape)
    H, W = y1 - y0, x1 - x0
    gx, gy = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
    dx = np.zeros((H, W), np.float32)
    dy = np.zeros((H, W), np.float32)
    fill = np.zeros((H, W), np.float32)
    active = False
    iod = np.linalg.norm(P[33] - P[263])
    for s in "LR":
        key = smap[s]
        o, u, v, w, up, lo = eye_frame(P, key)
        a = min(st["close" + s], 1.0)
        lw = min(st["lower" + s], 0.6)
        myo = st["myo" + s]
        # eye / lid warp in a local box
        if a > 0.003 or lw > 0.003 or myo:
            active = True
            bx0, by0, bx1, by1 = box_around(o, 1.5 * w, 2.4 * w, x0, y0, x1, y1)
            if bx1 > bx0 and by1 > by0:
                X = gx[by0:by1, bx0:bx1] - o[0]
                Y = gy[by0:by1, bx0:bx1] - o[1]
                xl = X * u[0] + Y * u[1]
                yl = X * v[0] + Y * v[1]
                inside = np.abs(xl) < w
                xc = np.clip(xl, -w, w)
                U = np.interp(xc, up[:, 0], up[:, 1])
                L = np.interp(xc, lo[:, 0], lo[:, 1])
                gap = np.maximum(L - U, 0)
                D = a * gap * 0.9
                E = np.minimum(lw * gap + a * gap * 0.1, gap - D)
                E = np.maximum(E, 0)
                S, S2 = 0.9 * w, 0.7 * w
                src = yl.copy()
                m1 = inside & (yl >= U - S) & (yl <= U + D)
                src[m1] = ((U - S) + (yl - (U - S)) * S / (S + D))[m1]
                m2 = inside & (yl >= L - E) & (yl <= L + S2)
                src[m2] = ((L + S2) - ((L + S2) - yl) * S2 / (S2 + E))[m2]
                ddy = src - yl
                # horizontal taper at the corners
                tap = np.clip((w - np.abs(xl)) / (0.2 * w), 0, 1)
                ddy *= tap
                for lid, xp, amp in myo:
                    if amp == 0:
                        continue
                    gxp = np.exp(-((xl - xp * w) / (0.28 * w)) ** 2)
                    if lid == "lo":
                        prof = np.exp(-((yl - L - 0.18 * w) / (0.2 * w)) ** 2)
                    else:
                        prof = np.exp(-((yl - U + 0.22 * w) / (0.22 * w)) ** 2)
                    ddy += (amp * w) * gxp * prof
                dx[by0:by1, bx0:bx1] += ddy * v[0]
                dy[by0:by1, bx0:bx1] += ddy * v[1]
        # brow
        bu, bm = st["browup" + s], st["browmed" + s]
        if abs(bu) > 0.003 or bm > 0.003:
            active = True
            c = P[BROW[key]].mean(0)
            medial = (P[9] - c)
            medial = medial / max(np.linalg.norm(medial), 1e-6)
            mv = -v * bu * w * 0.35 + medial * bm * w * 0.25
            add_blob(dx, dy, gx, gy, c, 1.1 * w, 0.75 * w, u, mv)
        ch = st["cheek" + s]
        if ch > 0.003:
            active = True
            c = o + v * 1.7 * w
            add_blob(dx, dy, gx, gy, c, 1.0 * w, 0.9 * w, u, -v * ch * w * 0.25)
    # mouth corners / pucker / jaw
    mc = (P[13] + P[14]) / 2
    ca, cb = P[CORNER[smap["L"]]], P[CORNER[smap["R"]]]
    mwid = np.linalg.norm(cb - ca)
    um = (cb - ca) / max(mwid, 1e-6)
    vm = np.array([-um[1], um[0]])
    for s, cpt, sign in (("L", ca, -1), ("R", cb, 1)):
        cp = st["corner" + s]
        if np.abs(cp).sum() > 0.002:
            active = True
            mv = (um * sign * cp[0] - vm * cp[1]) * mwid * 0.18
            add_blob(dx, dy, gx, gy, cpt, 0.33 * mwid, 0.28 * mwid, um, mv)
    if st["pucker"] > 0.003:
        active = True
        pk = st["pucker"]
        add_blob(dx, dy, gx, gy, ca, 0.3 * mwid, 0.25 * mwid, um, um * pk * 0.2 * mwid)
        add_blob(dx, dy, gx, gy, cb, 0.3 * mwid, 0.25 * mwid, um, -um * pk * 0.2 * mwid)
    J = st["jaw"]
    if J > 0.003:
        active = True
        wm = mwid / 2
        chin_d = max(np.dot(P[152] - mc, vm), wm)
        X = gx - mc[0]
        Y = gy - mc[1]
        xl = X * um[0] + Y * um[1]
        yl = X * vm[0] + Y * vm[1]
        lipprof = np.clip(1 - (xl / (1.05 * wm)) ** 2, 0, 1) ** 0.6
        jawprof = np.exp(-(xl / (1.4 * wm)) ** 2)
        mix = np.clip(yl / (0.5 * chin_d), 0, 1)
        hprof = lipprof * (1 - mix) + jawprof * mix
        vert = np.where(yl < 0, 0.0, np.clip(1 - (yl - chin_d) / (0.6 * wm), 0, 1))
        disp = J * wm * hprof * vert
        src = yl - disp
        dx += -disp * vm[0]
        dy += -disp * vm[1]
        gapm = (yl > 0) & (src < 0) & (lipprof > 0)
        fill = np.where(gapm, np.clip(-src / 2.0, 0, 1), 0).astype(np.float32)
    if not active:
        return img
    out = img.copy()
    roi = cv2.remap(img, gx + dx, gy + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
    if fill.any():
        col = np.array([35, 35, 70], np.float32)
        f = 0.9 * cv2.GaussianBlur(fill, (5, 5), 0)[..., None]
        roi = (roi.astype(np.float32) * (1 - f) + col * f).astype(np.uint8)
    out[y0:y1, x0:x1] = roi
    return out


def add_blob(dx, dy, gx, gy, c, sx, sy, u, mv):
    """Smooth forward motion mv of tissue around c (backward map: subtract)."""
    X = gx - c[0]
    Y = gy - c[1]
    xl = X * u[0] + Y * u[1]
    yl = -X * u[1] + Y * u[0]
    g = np.exp(-0.5 * ((xl / sx) ** 2 + (yl / sy) ** 2)).astype(np.float32)
    dx -= g * mv[0]
    dy -= g * mv[1]


def face_box(P, shape):
    mn, mx = P.min(0), P.max(0)
    sz = mx - mn
    x0 = int(max(mn[0] - 0.15 * sz[0], 0))
    y0 = int(max(mn[1] - 0.12 * sz[1], 0))
    x1 = int(min(mx[0] + 0.15 * sz[0], shape[1]))
    y1 = int(min(mx[1] + 0.25 * sz[1], shape[0]))
    return x0, y0, x1, y1


def box_around(o, hw, hh, x0, y0, x1, y1):
    bx0 = int(max(o[0] - hw, x0)) - x0
    bx1 = int(min(o[0] + hw, x1)) - x0
    by0 = int(max(o[1] - hh, y0)) - y0
    by1 = int(min(o[1] + hh, y1)) - y0
    return bx0, by0, bx1, by1


# --------------------------------------------------------------------------- clip planning
def rate_times(rng, T, rate, t_start=0.3, cv=0.6, mind=0.35):
    out = []
    t = t_start + rng.uniform(0, 60.0 / rate)
    k = 1 / cv ** 2
    while t < T - 0.6:
        out.append(t)
        t += max(mind, rng.gamma(k, (60.0 / rate) / k))
    return out


class Planner:
    def __init__(self, rng, T):
        self.rng, self.T, self.ev = rng, T, []

    def add(self, kind, t0, t1, iside, regions, p=None, **extra):
        d = dict(kind=kind, t0=float(t0), t1=float(t1), iside=iside, regions=regions, p=p or {})
        d.update(extra)
        self.ev.append(d)
        return d

    def busy(self, t0, t1, kinds=None):
        for e in self.ev:
            if kinds and e["kind"] not in kinds:
                continue
            if e["t0"] < t1 and t0 < e["t1"]:
                return True
        return False

    def free_slot(self, dur, avoid=None, tries=40):
        for _ in range(tries):
            t0 = self.rng.uniform(0.5, max(0.6, self.T - dur - 0.5))
            if not self.busy(t0 - 0.4, t0 + dur + 0.4, avoid):
                return t0
        return None

    def comp_rate(self, rate, kinds):
        busy = sum(e["t1"] - e["t0"] + 0.1 for e in self.ev if e["kind"] in kinds)
        free = max(self.T - busy, 0.3 * self.T) / self.T
        return min(rate / free, 1.8 * rate)

    def blinks(self, rate, amp_lo=0.85, cluster=0.0, exclude=None):
        rng = self.rng
        exclude = list(exclude or []) + ["blink"]
        want = rate * self.T / 60.0
        for _ in range(30):   # keep the realised count close to the intended rate
            times = rate_times(rng, self.T, rate, cv=0.5)
            if abs(len(times) * (1 + 0.2 * cluster) - want) <= max(1.0, 0.15 * want):
                break
        for t in times:
            n = 1
            if cluster and rng.random() < cluster:
                n = int(rng.integers(2, 4))
            for j in range(n):
                dur = float(rng.uniform(0.16, 0.34))
                tt = t + j * (dur + rng.uniform(0.05, 0.18))
                if tt + dur > self.T - 0.1:
                    break
                if exclude and self.busy(tt - 0.05, tt + dur + 0.05, exclude):
                    continue
                amp = float(rng.uniform(amp_lo, 1.0)) if rng.random() > 0.1 else float(rng.uniform(0.5, 0.8))
                self.add("blink", tt, tt + dur, "both", ["upper_lid", "eye"], dict(dur=dur, amp=amp))

    def expressions(self, n, kinds=("smile", "talking", "glance_down", "brow_raise", "yawn", "head_movement"),
                    weights=None, avoid=None):
        rng = self.rng
        kinds = list(kinds)
        w = np.array(weights if weights else [1.0] * len(kinds))
        w = w / w.sum()
        for _ in range(n):
            k = kinds[int(rng.choice(len(kinds), p=w))]
            if k == "smile":
                hold = rng.uniform(0.8, 3.0)
                t0 = self.free_slot(hold + 0.8, avoid)
                if t0 is not None:
                    self.add("smile", t0, t0 + hold + 0.8, "both", ["mouth", "cheek"],
                             dict(hold=hold, amp=rng.uniform(0.5, 1.0)))
            elif k == "talking":
                dur = rng.uniform(2.0, 6.0)
                t0 = self.free_slot(dur, avoid)
                if t0 is not None:
                    self.add("talking", t0, t0 + dur, "both", ["mouth", "chin"],
                             dict(rate=rng.uniform(3.0, 5.0), syll=list(rng.uniform(0.05, 0.25, 64))))
            elif k == "glance_down":
                hold = rng.uniform(0.6, 2.0)
                t0 = self.free_slot(hold + 0.5, avoid)
                if t0 is not None:
                    self.add("glance_down", t0, t0 + hold + 0.5, "both", ["upper_lid", "eye"],
                             dict(hold=hold, amp=rng.uniform(0.3, 0.5), lo=0.0))
            elif k == "brow_raise":
                hold = rng.uniform(0.5, 1.5)
                t0 = self.free_slot(hold + 0.7, avoid)
                if t0 is not None:
                    self.add("brow_raise", t0, t0 + hold + 0.7, "both", ["brow"],
                             dict(hold=hold, amp=rng.uniform(0.5, 1.0)))
            elif k == "yawn":
                hold = rng.uniform(0.8, 1.8)
                t0 = self.free_slot(hold + 2.3, avoid)
                if t0 is not None:
                    self.add("yawn", t0, t0 + hold + 2.3, "both", ["mouth", "chin", "eye"],
                             dict(hold=hold, amp=rng.uniform(0.5, 0.8)))
            elif k == "head_movement":
                dur = rng.uniform(1.0, 2.5)
                t0 = self.free_slot(dur, None)
                if t0 is not None:
                    self.add("head_movement", t0, t0 + dur, "none", [],
                             dict(dur=dur, rot=rng.uniform(-5, 5), dy=rng.uniform(-0.04, 0.04)))


def side_names(iside):
    return {"image_left": "right", "image_right": "left", "both": "both", "none": "none"}[iside]


def plan_clip(idx, seed, disorder, severity):
    rng = np.random.default_rng([seed, idx, 6])
    T = float(np.round(rng.uniform(15.0 if disorder == "synkinesis" else 12.0, 25.0), 1))
    pl = Planner(rng, T)
    iside = "none"
    info = {"severity": severity}
    mild, marked = severity == "mild", severity == "marked"
    normal_rate = float(rng.uniform(10, 20))
    if disorder == "normal":
        pl.expressions(int(rng.integers(3, 6)), weights=[2, 2, 1.5, 1, 0.6, 1.5])
        pl.blinks(pl.comp_rate(normal_rate, ["yawn"]), exclude=["yawn"])
    elif disorder == "frequent_blinking":
        iside = "both"
        rate = float(rng.uniform(32, 42) if mild else rng.uniform(45, 70))
        pl.expressions(int(rng.integers(1, 3)), kinds=("smile", "talking", "glance_down", "head_movement"))
        pl.blinks(rate, cluster=0.2 if not mild else 0.1)
        normal_rate = rate
    elif disorder == "eyelid_myokymia":
        iside = "image_left" if rng.random() < 0.5 else "image_right"
        r = rng.random()
        lids = ["lo"] if r < 0.7 else (["up"] if r < 0.9 else ["lo", "up"])
        pl.expressions(int(rng.integers(1, 3)), kinds=("smile", "talking", "glance_down", "head_movement"))
        # episodes
        if marked:
            eps = [(rng.uniform(0.5, 2.0), T - rng.uniform(0.5, 2.5))]
        else:
            n = int(rng.integers(1, 4))
            eps, t = [], rng.uniform(0.8, 3.0)
            for _ in range(n):
                d = rng.uniform(2.0, 6.0)
                if t + d > T - 0.5:
                    break
                eps.append((t, t + d))
                t += d + rng.uniform(1.5, 5.0)
            if not eps:
                eps = [(1.0, min(T - 0.5, 5.0))]
        amp_rng = (0.05, 0.08) if mild else ((0.07, 0.11) if severity == "moderate" else (0.09, 0.14))
        for (a, b) in eps:
            units = []
            for lid in lids:
                for _ in range(int(rng.integers(1, 4))):
                    rate = rng.uniform(3.0, 8.0)
                    times, t = [], rng.uniform(0, 0.2)
                    while t < b - a:
                        times.append(t)
                        t += (1.0 / rate) * rng.uniform(0.75, 1.3)
                        if rng.random() < 0.08:
                            t += rng.uniform(0.2, 0.6)  # brief pause: semirhythmic
                    units.append(dict(lid=lid, x=float(rng.uniform(-0.6, 0.6)), amp=float(rng.uniform(*amp_rng)),
                                      times=np.array(times), rate=float(rate)))
            regs = ["lower_lid" if l == "lo" else "upper_lid" for l in lids]
            pl.add("flicker", a, b, iside, regs, dict(units=units), rate_hz=[round(u["rate"], 2) for u in units])
        pl.blinks(normal_rate)
        info["lids"] = ["lower" if l == "lo" else "upper" for l in lids]
    elif disorder == "hemifacial_spasm":
        iside = "image_right" if rng.random() < 0.62 else "image_left"   # mostly the person's left
        grade = {"mild": 1, "moderate": 2, "marked": 3}[severity]
        spread_in_clip = grade >= 2 and rng.random() < 0.4
        babinski = grade >= 2 and rng.random() < 0.75
        info.update(grade=grade, babinski2=bool(babinski), spread_within_clip=bool(spread_in_clip))
        t = rng.uniform(0.8, 3.0)
        while t < T - 1.0:
            frac = t / T
            lower_face = grade >= 2 and not (spread_in_clip and frac < 0.4)
            if grade >= 2 and rng.random() < (0.25 if grade == 2 else 0.4):
                hold = rng.uniform(0.8, 2.5) if grade == 2 else rng.uniform(1.5, 5.0)
                hold = min(hold, T - t - 1.0)
                if hold < 0.5:
                    break
                p = dict(rise=rng.uniform(0.12, 0.3), hold=hold, fall=rng.uniform(0.3, 0.6), lag=rng.uniform(0.0, 0.08),
                         close=rng.uniform(0.75, 1.0) if grade == 3 else rng.uniform(0.55, 0.85),
                         lower=rng.uniform(0.25, 0.4), cheek=rng.uniform(0.6, 1.1) if lower_face else 0.25,
                         mouth=rng.uniform(0.5, 1.0) if lower_face else 0.0,
                         brow=rng.uniform(0.5, 0.9) if babinski else 0.0)
                regs = ["upper_lid", "lower_lid", "eye", "cheek"] + (["mouth"] if lower_face else []) + \
                       (["brow"] if babinski else []) + (["chin"] if grade == 3 and lower_face else [])
                d = p["rise"] + hold + p["fall"] + p["lag"]
                pl.add("tonic_spasm", t, t + d, iside, regs, p)
                t += d + rng.uniform(1.0, 4.0)
            else:
                n = int(rng.integers(2, 6) if grade == 1 else rng.integers(3, 10))
                times, tt = [], 0.0
                for _ in range(n):
                    times.append(tt)
                    tt += rng.uniform(0.12, 0.45)
                amps = list(rng.uniform(0.6, 1.0, n))
                p = dict(times=times, amps=amps, rise=rng.uniform(0.03, 0.06), fall=rng.uniform(0.09, 0.18),
                         lag=rng.uniform(0.0, 0.06),
                         close=rng.uniform(0.15, 0.4) if grade == 1 else rng.uniform(0.35, 0.8),
                         lower=rng.uniform(0.2, 0.4), cheek=(rng.uniform(0.4, 0.9) if lower_face else 0.15),
                         mouth=(rng.uniform(0.35, 0.8) if lower_face else 0.0),
                         brow=(rng.uniform(0.2, 0.5) if babinski and grade == 3 else 0.0))
                regs = ["lower_lid", "upper_lid", "eye"] + (["cheek", "mouth"] if lower_face else [])
                d = tt + 0.25
                if t + d > T - 0.3:
                    break
                pl.add("clonic_twitch", t, t + d, iside, regs, p, n_twitches=n)
                gap = {1: (2.0, 6.0), 2: (1.2, 4.5), 3: (0.6, 3.0)}[grade]
                t += d + rng.uniform(*gap)
        pl.expressions(int(rng.integers(0, 3)), kinds=("smile", "talking", "glance_down", "head_movement"),
                       avoid=["tonic_spasm", "clonic_twitch"])
        pl.blinks(pl.comp_rate(normal_rate, ["tonic_spasm"]), exclude=["tonic_spasm"])
    elif disorder == "blepharospasm":
        iside = "both"
        rate = float(rng.uniform(28, 38) if mild else rng.uniform(32, 50))
        normal_rate = rate
        grimace = marked and rng.random() < 0.6
        fL, fR = (1.0, float(rng.uniform(0.82, 1.0))) if rng.random() < 0.5 else (float(rng.uniform(0.82, 1.0)), 1.0)
        info.update(lower_face_spread=bool(grimace))
        n_sp = {"mild": (0.5, 1.5), "moderate": (1.5, 2.5), "marked": (2.5, 4.0)}[severity]
        for _ in range(max(1, int(round(rng.uniform(*n_sp) * T / 20.0)))):
            hold = {"mild": (0.3, 1.0), "moderate": (0.9, 2.5), "marked": (1.5, 5.0)}[severity]
            hold = rng.uniform(*hold)
            p = dict(rise=rng.uniform(0.08, 0.2), hold=hold, fall=rng.uniform(0.2, 0.5), close=1.0,
                     lower=rng.uniform(0.2, 0.4), brow=rng.uniform(0.5, 1.0), cheek=rng.uniform(0.4, 0.9),
                     grimace=rng.uniform(0.4, 0.8) if grimace else 0.0, fL=fL, fR=fR)
            d = p["rise"] + hold + p["fall"]
            t0 = pl.free_slot(d)
            if t0 is None:
                continue
            regs = ["upper_lid", "lower_lid", "eye", "brow", "cheek"] + (["mouth", "chin"] if grimace else [])
            pl.add("forceful_closure", t0, t0 + d, "both", regs, p)
        for _ in range(int(rng.integers(1, 4))):
            n = int(rng.integers(3, 7))
            times, tt = [], 0.0
            hz = rng.uniform(5.0, 8.0)
            for _ in range(n):
                times.append(tt)
                tt += 1.0 / hz
            p = dict(times=times, amps=list(rng.uniform(0.45, 0.85, n)), close=1.0, lower=0.15,
                     brow=0.25, cheek=0.2, fL=fL, fR=fR)
            t0 = pl.free_slot(tt + 0.2)
            if t0 is None:
                continue
            pl.add("flutter", t0, t0 + tt + 0.2, "both", ["upper_lid", "eye"], p, rate_hz=round(float(hz), 2))
        if not mild or rng.random() < 0.5:
            hold = rng.uniform(1.2, 3.5)
            t0 = pl.free_slot(hold + 0.6)
            if t0 is not None:
                pl.add("eye_narrowing", t0, t0 + hold + 0.6, "both", ["upper_lid", "lower_lid", "eye", "brow"],
                       dict(hold=hold, amp=rng.uniform(0.35, 0.6), lo=0.25, brow=0.6, cheek=0.3, fL=fL, fR=fR))
        pl.expressions(int(rng.integers(0, 2)), kinds=("talking", "glance_down", "head_movement"))
        pl.blinks(pl.comp_rate(rate, ["forceful_closure"]), cluster=0.25, exclude=["forceful_closure"])
    elif disorder == "synkinesis":
        iside = "image_left" if rng.random() < 0.5 else "image_right"
        s = "L" if iside == "image_left" else "R"
        o = "R" if s == "L" else "L"
        k = {"mild": 0.5, "moderate": 0.8, "marked": 1.0}[severity]
        rest = float(rng.uniform(0.06, 0.12) if mild else rng.uniform(0.12, 0.25))
        weak = float(rng.uniform(0.6, 0.85) if mild else rng.uniform(0.35, 0.65))
        info.update(rest_fissure_narrowing=round(rest, 3), affected_side_strength=round(weak, 2))
        tasks = ["smile", "pucker", "eye_closure", "brow_raise"]
        n = int(rng.integers(4, 8))
        seq = list(rng.permutation(tasks)) + list(rng.choice(tasks, n))
        t = rng.uniform(0.8, 2.0)
        for task in seq:
            hold = rng.uniform(0.8, 1.8)
            dur = hold + 0.7
            if t + dur > T - 0.4:
                break
            if task == "smile":
                a = float(rng.uniform(0.3, 0.7) * k)
                pl.add("smile", t, t + dur, "both", ["mouth", "cheek"],
                       {"hold": hold, "amp": rng.uniform(0.7, 1.0), "f" + s: weak, "f" + o: 1.0, "eye_syn": {s: a}},
                       voluntary=True)
                pl.add("eye_narrowing", t + 0.1, t + dur, iside, ["upper_lid", "lower_lid", "eye"], {"hold": 0},
                       synkinetic=True, amp=round(a, 3), render=False)
            elif task == "pucker":
                a = float(rng.uniform(0.3, 0.7) * k)
                pl.add("pucker", t, t + dur, "both", ["mouth"],
                       {"hold": hold, "amp": rng.uniform(0.7, 1.0), "eye_syn": {s: a}}, voluntary=True)
                pl.add("eye_narrowing", t + 0.1, t + dur, iside, ["upper_lid", "lower_lid", "eye"], {"hold": 0},
                       synkinetic=True, amp=round(a, 3), render=False)
            elif task == "eye_closure":
                g = float(rng.uniform(0.45, 0.9) * k)
                pl.add("eye_closure", t, t + hold + 0.6, "both", ["upper_lid", "eye"],
                       {"hold": hold, "amp": 0.97, "oral": {s: g}}, voluntary=True)
                pl.add("mouth_corner_pull", t + 0.1, t + hold + 0.6, iside, ["mouth", "cheek"], {"hold": 0},
                       synkinetic=True, amp=round(g, 3), render=False)
            elif task == "brow_raise":
                g = float(rng.uniform(0.35, 0.8) * k) if rng.random() < 0.85 else 0.0
                pl.add("brow_raise", t, t + hold + 0.7, "both", ["brow"],
                       {"hold": hold, "amp": rng.uniform(0.7, 1.0), "f" + s: weak, "f" + o: 1.0,
                        "oral": ({s: g} if g else {})}, voluntary=True)
                if g:
                    pl.add("mouth_corner_pull", t + 0.1, t + hold + 0.7, iside, ["mouth"], {"hold": 0},
                           synkinetic=True, amp=round(g, 3), render=False)
            t += dur + rng.uniform(0.6, 1.8)
        pl.blinks(pl.comp_rate(normal_rate, ["eye_closure"]), exclude=["eye_closure"])
        if not mild:   # ocular-oral synkinesis with ordinary blinks
            g = float(rng.uniform(0.2, 0.45) * k)
            for e in list(pl.ev):
                if e["kind"] == "blink":
                    e["p"]["oral"] = {s: g}
                    pl.add("mouth_corner_pull", e["t0"] + 0.03, e["t1"], iside, ["mouth"], {"hold": 0},
                           synkinetic=True, amp=round(g, 3), render=False, trigger="blink")
        pl.rest = {"close" + s: rest}
    info["blink_rate_target"] = normal_rate
    return T, pl, iside, info


# --------------------------------------------------------------------------- clip list
def clip_specs(seed):
    rng = np.random.default_rng([seed, 606])
    cls = [c for c in CLASSES for _ in range(8)]
    order = rng.permutation(len(cls))
    specs = []
    sev_cycle = ["mild", "mild", "moderate", "moderate", "moderate", "marked", "marked", "marked"]
    sev_by_cls = {c: list(rng.permutation(sev_cycle)) for c in CLASSES}
    # base assignment: per class 3 footage + 5 stills
    foot_faces = [("wolfgang", False), ("wolfgang", True), ("single_face_video", False), ("single_face_video", True),
                  ("jefapato", False), ("jefapato", True)]
    still_faces = [(f, fl) for f in STILLS for fl in (False, True)]
    fi = {c: 0 for c in CLASSES}
    fcount = int(rng.integers(0, 6))
    scount = int(rng.integers(0, 6))
    resos = [(320, 240), (640, 360), (640, 480), (854, 480), (960, 540), (1280, 720), (360, 640), (480, 640),
             (720, 1280), (400, 400), (640, 360), (854, 480), (1280, 720), (480, 854)]
    for pos, o in enumerate(order):
        c = cls[o]
        k = fi[c]
        fi[c] += 1
        if k < 3:
            face, fl = foot_faces[fcount % 6]
            fcount += 1
            base = "footage"
        else:
            face, fl = still_faces[scount % 6]
            scount += 1
            base = "still"
        r = rng.random()
        if r < 0.72:
            codec, ext = "libx264", "mp4"
        elif r < 0.9:
            codec, ext = "libvpx-vp9", "webm"
        elif r < 0.96:
            codec, ext = "libx264", "mkv"
        else:
            codec, ext = "mpeg4", "avi"
        fps = [24, 25, 30, 30, 30, Fraction(30000, 1001), 24, 30, 50, 60][int(rng.integers(0, 10))]
        W, H = resos[int(rng.integers(0, len(resos)))]
        if codec == "libvpx-vp9" and W * H > 700000:
            W, H = (854, 480) if W > H else (480, 854)
        if float(fps) > 45 and W * H > 500000:
            W, H = (640, 360) if W > H else (360, 640)
        specs.append(dict(pos=pos + 1, id="v6_%03d" % (pos + 1), disorder=c, severity=("none" if c == "normal" else sev_by_cls[c][k]), face=face,
                          flipped=fl, base=base, codec=codec, ext=ext, fps=fps, W=W, H=H))
    return specs


# --------------------------------------------------------------------------- rendering
def render_clip(spec, seed, outdir, check):
    t_start = time.time()
    idx = spec["pos"]
    T, pl, iside, info = plan_clip(idx, seed, spec["disorder"], spec["severity"])
    rng = np.random.default_rng([seed, idx, 7])
    base = get_base(spec["face"], spec["flipped"])
    fps = spec["fps"]
    fpsf = float(fps)
    W, H = spec["W"], spec["H"]
    nfr = int(round(T * fpsf))
    T = nfr / fpsf
    # footage playback schedule (ping-pong inside an eyes-open run)
    if base["kind"] == "footage":
        runs = base["runs"]
        run = runs[int(rng.integers(0, len(runs)))]
        speed = rng.uniform(0.7, 1.0)
        L = run[1] - run[0]

        def src_index(t):
            x = t * base["fps"] * speed
            ph = x % (2 * L)
            return run[0] + int(round(ph if ph <= L else 2 * L - ph))
        P0 = np.mean([base["lms"][i] for i in range(run[0], run[1] + 1)], 0)
    else:
        def src_index(t):
            return 0
        P0 = base["lms"][0]
    smap = sides_of(P0)
    c0 = P0.mean(0)
    fw = np.linalg.norm(P0[234] - P0[454])
    ff = rng.uniform(0.3, 0.5) if W >= H else rng.uniform(0.45, 0.65)
    s0 = ff * min(W, H) / fw if W >= H else ff * W / fw
    # slow drifts
    ph = rng.uniform(0, 2 * np.pi, 8)
    drift_amp = rng.uniform(0.01, 0.04)
    rot_amp = rng.uniform(0.5, 3.0)
    dist_amp = rng.uniform(0.0, 0.12)
    light_amp = rng.uniform(0.03, 0.15)
    grad_amp = rng.uniform(0.0, 0.12)
    noise_sd = rng.uniform(1.0, 6.0)
    per = rng.uniform(6, 14, 4)
    heads = [e for e in pl.ev if e["kind"] == "head_movement"]
    noise_bank = [rng.normal(0, noise_sd, (H, W, 1)).astype(np.float32) for _ in range(4)]
    ramp = np.linspace(-1, 1, W, dtype=np.float32)[None, :, None]
    rest = getattr(pl, "rest", {})
    render_evs = [e for e in pl.ev if e.get("render", True) and e["kind"] != "head_movement"]
    path = os.path.join(outdir, "%s.%s" % (spec["id"], spec["ext"]))
    cont = av.open(path, "w")
    stream = cont.add_stream(spec["codec"], rate=fps if isinstance(fps, Fraction) else int(fps))
    stream.width, stream.height = W, H
    stream.pix_fmt = "yuv420p"
    if spec["codec"] == "libx264":
        stream.options = {"preset": "veryfast", "crf": str(int(rng.integers(18, 27)))}
    elif spec["codec"] == "libvpx-vp9":
        stream.options = {"deadline": "realtime", "cpu-used": "8", "crf": "34", "b": "0", "row-mt": "1"}
    else:
        stream.bit_rate = 2500000
    ears = []
    for fi in range(nfr):
        t = fi / fpsf
        si = src_index(t)
        img = base["frames"][si]
        P = base["lms"][si]
        if P is None:
            P = P0
        st = new_state()
        for k, v in rest.items():
            st[k] = v
        for e in render_evs:
            if e["t0"] - 0.05 <= t <= e["t1"] + 0.3:
                apply_event(e, t, st)
        frame = warp_face(img, P, st, smap)
        # global transform
        hr, hdy = 0.0, 0.0
        for e in heads:
            en = env_plateau(t - e["t0"], 0.4, max(e["p"]["dur"] - 0.8, 0.0), 0.4)
            hr += en * e["p"]["rot"]
            hdy += en * e["p"]["dy"]
        ang = rot_amp * np.sin(2 * np.pi * t / per[0] + ph[0]) + hr
        sc = s0 * (1 + dist_amp * np.sin(2 * np.pi * t / (per[1] * 1.7) + ph[1]))
        tx = W / 2 + drift_amp * W * np.sin(2 * np.pi * t / per[2] + ph[2])
        ty = H / 2 + drift_amp * H * np.sin(2 * np.pi * t / per[3] + ph[3]) + hdy * H
        M = cv2.getRotationMatrix2D((float(c0[0]), float(c0[1])), float(ang), float(sc))
        M[0, 2] += tx - c0[0]
        M[1, 2] += ty - c0[1]
        out = cv2.warpAffine(frame, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
        g = 1 + light_amp * np.sin(2 * np.pi * t / (per[0] * 1.3) + ph[4])
        gr = grad_amp * np.sin(2 * np.pi * t / (per[2] * 1.5) + ph[5])
        f = out.astype(np.float32) * (g * (1 + gr * ramp)) + noise_bank[fi % 4]
        out = np.clip(f, 0, 255).astype(np.uint8)
        vf = av.VideoFrame.from_ndarray(out, format="bgr24")
        for pkt in stream.encode(vf):
            cont.mux(pkt)
    for pkt in stream.encode():
        cont.mux(pkt)
    cont.close()
    # truth
    evs = []
    for e in sorted(pl.ev, key=lambda e: e["t0"]):
        if e["t0"] >= T - 0.05:
            continue
        d = {"start_s": round(e["t0"], 3), "end_s": round(min(e["t1"], T), 3), "kind": e["kind"],
             "side": side_names(e["iside"]), "image_side": e["iside"], "regions": e["regions"]}
        for k in ("n_twitches", "rate_hz", "synkinetic", "voluntary", "amp", "trigger"):
            if k in e:
                d[k] = e[k]
        d["_peak"] = peak_time(e)
        evs.append(d)
    # natural smiles already in the footage
    if base["kind"] == "footage" and spec["face"] != "jefapato":
        thr = 0.70 if spec["face"] == "wolfgang" else 0.65
        sm = np.array([base["mw"][src_index(i / fpsf)] > thr for i in range(nfr)])
        i = 0
        while i < nfr:
            if sm[i]:
                j = i
                while j < nfr and (sm[j] or sm[j:j + int(0.6 * fpsf)].any()):
                    j += 1
                if (j - i) / fpsf >= 0.4:
                    evs.append({"start_s": round(i / fpsf, 3), "end_s": round(j / fpsf, 3), "kind": "smile",
                                "side": "both", "image_side": "both", "regions": ["mouth", "cheek"],
                                "source": "footage", "_peak": (i + j) / 2 / fpsf})
                i = j
            else:
                i += 1
        evs.sort(key=lambda d: d["start_s"])
    nbl = sum(1 for d in evs if d["kind"] == "blink")
    side = side_names(iside)
    truth = {"id": spec["id"], "file": os.path.basename(path), "split": split_of(spec["id"]),
             "face": spec["face"] + ("_flipped" if spec["flipped"] else ""), "base": spec["base"],
             "flipped": bool(spec["flipped"]), "disorder": spec["disorder"], "side": side, "image_side": iside,
             "severity": spec["severity"], "fps": round(fpsf, 3), "width": W, "height": H,
             "duration_s": round(T, 3), "blink_rate_per_min": round(nbl / T * 60, 1),
             "codec": spec["codec"], "container": spec["ext"], "details": info, "events": evs}
    if check:
        try:
            check_clip(path, truth, smap)
        except Exception as ex:  # pragma: no cover
            print("check failed", spec["id"], ex, file=sys.stderr)
            for d in evs:
                d["visible"] = None
    else:
        for d in evs:
            d["visible"] = None
    for d in evs:
        d.pop("_peak", None)
    truth["render_s"] = round(time.time() - t_start, 1)
    return truth


def peak_time(e):
    k, p = e["kind"], e["p"]
    if k == "blink":
        return e["t0"] + 0.37 * p["dur"]
    if k == "clonic_twitch":
        i = int(np.argmax(p["amps"]))
        return e["t0"] + p["times"][i] + p["rise"]
    if k in ("tonic_spasm", "forceful_closure"):
        return e["t0"] + p["rise"] + p["hold"] / 2
    if k == "flutter":
        i = int(np.argmax(p["amps"]))
        return e["t0"] + p["times"][i] + 0.04
    if k == "yawn":
        return e["t0"] + 1.3 + p["hold"] / 2
    return (e["t0"] + e["t1"]) / 2


def split_of(cid):
    return "dev" if int(hashlib.sha256(cid.encode()).hexdigest()[0], 16) % 2 == 0 else "locked"


# --------------------------------------------------------------------------- visibility check
def check_clip(path, truth, smap):
    """Decode the rendered clip; for each event compare a peak frame with a quiet reference frame."""
    c = av.open(path)
    frames = [f.to_ndarray(format="bgr24") for f in c.decode(video=0)]
    c.close()
    fps = truth["fps"]
    n = len(frames)
    evs = truth["events"]
    busy = np.zeros(n, bool)
    for d in evs:
        a, b = int(d["start_s"] * fps) - 2, int(d["end_s"] * fps) + 3
        busy[max(a, 0):min(b, n)] = True
    lm_cache = {}

    def lm(i):
        if i not in lm_cache:
            lm_cache[i] = facemesh(frames[i])
        return lm_cache[i]

    def quiet_near(i):
        for dd in range(int(0.3 * fps), int(6 * fps)):
            for j in (i - dd, i + dd):
                if 0 <= j < n and not busy[j]:
                    return j
        return None

    def metrics(P):
        sm = sides_of(P)
        iod = np.linalg.norm(P[33] - P[263])
        m = {}
        for s in "LR":
            k = sm[s]
            m["ear" + s] = ear(P, k)
            m["brow" + s] = np.linalg.norm(P[BROW[k]].mean(0) - P[EYE[k]["c"]].mean(0)) / iod
            m["corner" + s] = np.linalg.norm(P[CORNER[k]] - P[EYE[k]["c"][0]]) / iod
            m["cornerx" + s] = np.linalg.norm(P[CORNER[k]] - P[1]) / iod
        m["jaw"] = np.linalg.norm(P[13] - P[14]) / iod
        return m

    def roi_energy(i0, i1, P, s, lid):
        sm = sides_of(P)
        e = EYE[sm[s]]
        o = P[e["c"]].mean(0)
        w = np.linalg.norm(P[e["c"][0]] - P[e["c"][1]]) / 2
        yc = o[1] + (0.35 * w if lid == "lower_lid" else -0.3 * w)
        x0, x1 = int(o[0] - w), int(o[0] + w)
        y0, y1 = int(yc - 0.35 * w), int(yc + 0.35 * w)
        if x1 - x0 < 2 or y1 - y0 < 2:
            return 0.0
        g = [cv2.cvtColor(frames[i][max(y0, 0):y1, max(x0, 0):x1], cv2.COLOR_BGR2GRAY).astype(np.float32)
             for i in range(i0, i1)]
        if len(g) < 3:
            return 0.0
        # high-pass along time: remove slow drift
        g = np.stack(g)
        hp = g[1:-1] - 0.5 * (g[:-2] + g[2:])
        return float(np.abs(hp).mean())

    for d in evs:
        if d["kind"] == "head_movement" or d.get("source") == "footage":
            d["visible"] = None
            continue
        ip = min(max(int(round(d["_peak"] * fps)), 0), n - 1)
        iq = quiet_near(ip)
        if d["kind"] == "flicker":
            iq = ip
        if iq is None:
            d["visible"] = None
            continue
        sides = "LR" if d["image_side"] in ("both", "none") else ("L" if d["image_side"] == "image_left" else "R")
        if d["kind"] == "flicker":
            Pq = lm(iq)
            if Pq is None:
                d["visible"] = None
                continue
            a0, a1 = int(d["start_s"] * fps), int(d["end_s"] * fps)
            mid = (a0 + a1) // 2
            span = max(int(fps * 1.0), 6)
            ein = roi_energy(max(mid - span, a0), min(mid + span, a1), Pq, sides[0], d["regions"][0])
            # reference: same region of the other eye over the same frames, and quiet frames of this eye
            other = "R" if sides[0] == "L" else "L"
            eo = roi_energy(max(mid - span, a0), min(mid + span, a1), Pq, other, d["regions"][0])
            d["visible"] = bool(ein > 1.3 * eo and ein - eo > 0.15)
            continue
        Pp, Pq = lm(ip), lm(iq)
        if Pp is None or Pq is None:
            d["visible"] = bool(Pp is None and Pq is not None and d["kind"] in ("forceful_closure", "tonic_spasm"))
            continue
        mp_, mq = metrics(Pp), metrics(Pq)
        vis = False
        regs = d["regions"]
        if any(r in regs for r in ("eye", "upper_lid", "lower_lid")):
            for s in sides:
                if mq["ear" + s] > 0 and (mq["ear" + s] - mp_["ear" + s]) / mq["ear" + s] > 0.15:
                    vis = True
        if "brow" in regs and not vis:
            for s in sides:
                if abs(mp_["brow" + s] - mq["brow" + s]) / mq["brow" + s] > 0.04:
                    vis = True
        if any(r in regs for r in ("mouth", "chin")) and not vis:
            if abs(mp_["jaw"] - mq["jaw"]) > 0.05:
                vis = True
            for s in sides:
                if abs(mp_["corner" + s] - mq["corner" + s]) / mq["corner" + s] > 0.035 or \
                        abs(mp_["cornerx" + s] - mq["cornerx" + s]) / mq["cornerx" + s] > 0.035:
                    vis = True
        d["visible"] = bool(vis)


# --------------------------------------------------------------------------- main
def _work(args):
    spec, seed, outdir, check = args
    t = render_clip(spec, seed, outdir, check)
    print("%s %-18s %-8s %-5s %4dx%-4d %5.1ffps %5.1fs  %.1fs" % (
        t["id"], t["disorder"], t["severity"], t["container"], t["width"], t["height"], t["fps"], t["duration_s"],
        t["render_s"]), flush=True)
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default="")
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    specs = clip_specs(a.seed)
    if a.only:
        keep = {int(x) for x in a.only.split(",") if x.strip()}
        specs = [s for s in specs if s["pos"] in keep]
    # group by base so that each worker loads few bases; longest work first
    specs_sorted = sorted(specs, key=lambda s: (s["face"], s["flipped"]))
    t0 = time.time()
    jobs = [(s, a.seed, a.out, not a.no_check) for s in specs_sorted]
    if a.jobs > 1 and len(jobs) > 1:
        with Pool(a.jobs) as pool:
            res = pool.map(_work, jobs, chunksize=4)
    else:
        res = [_work(j) for j in jobs]
    res.sort(key=lambda t: t["id"])
    tp = os.path.join(a.out, "truth.json")
    if a.only and os.path.exists(tp):
        old = {t["id"]: t for t in json.load(open(tp))}
        for t in res:
            old[t["id"]] = t
        res = [old[k] for k in sorted(old)]
    with open(tp, "w") as f:
        json.dump(res, f, indent=1)
    print("wrote %d clips in %.1fs to %s" % (len(res), time.time() - t0, a.out))


if __name__ == "__main__":
    main()
