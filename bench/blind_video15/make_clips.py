#!/usr/bin/env python3
"""Blind evaluation set 15: face videos with planted facial events.

Usage: make_clips.py --out DIR [--seed N] [--jobs J] [--only v15_001,v15_002] [--no-events]

Renders 48 clips into DIR/clips/ and writes DIR/truth.json.  Deterministic for a seed.
--no-events renders the same clips with the planted disorder events switched off (blinks,
head motion, lighting and noise unchanged), for checking that the events show in the pixels.
"""
import argparse
import hashlib
import json
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import cv2

MEDIA = "/work/shared/media"
CLASSES = ["normal", "frequent_blinking", "eyelid_myokymia", "hemifacial_spasm",
           "blepharospasm", "synkinesis"]
ONE_SIDED = {"eyelid_myokymia", "hemifacial_spasm", "synkinesis"}

# MediaPipe face-mesh landmark chains (subject's right eye = 33..133, left eye = 263..362)
EYE_R_UP = [33, 246, 161, 160, 159, 158, 157, 173, 133]
EYE_R_LO = [33, 7, 163, 144, 145, 153, 154, 155, 133]
EYE_L_UP = [263, 466, 388, 387, 386, 385, 384, 398, 362]
EYE_L_LO = [263, 249, 390, 373, 374, 380, 381, 382, 362]
BROW_R_MID, BROW_R_IN = 105, 107
BROW_L_MID, BROW_L_IN = 334, 336
MOUTH_R, MOUTH_L = 61, 291
CHEEK_R, CHEEK_L = 205, 425

# still faces: name -> (file, crop box in source image or None)
STILLS = {
    "single_face_photo": ("single_face.jpg", None),
    "astronaut": ("astronaut", (120, 10, 360, 250)),
    "multi_face_blonde": ("multi_face.jpg", (265, 200, 465, 400)),
    "multi_face_curly": ("multi_face.jpg", (395, 170, 555, 330)),
    "multi_face_centre": ("multi_face.jpg", (485, 265, 685, 465)),
    "multi_face_red": ("multi_face.jpg", (635, 245, 845, 445)),
}
FOOTAGE = {
    "wolfgang_pexels": "WolfgangLanger_Pexels.mp4",
    "single_face_video": "single_face.mp4",
    "jefapato_laptop": "jefapato_2sec.mp4",
}

LANDSCAPE = [(426, 240), (640, 360), (854, 480), (1280, 720)]
PORTRAIT = [(360, 640), (480, 854), (270, 480)]
FPS_CHOICES = [24, 25, 30, 30, 30, 50, 60]


# ----------------------------------------------------------------------------- landmarks
def _facemesh():
    import mediapipe as mp
    return mp.solutions.face_mesh.FaceMesh(static_image_mode=False, max_num_faces=1,
                                           refine_landmarks=False, min_detection_confidence=0.3)


def _lm_from_result(res, w, h):
    if not res.multi_face_landmarks:
        return None
    l = res.multi_face_landmarks[0].landmark
    return np.array([[p.x * w, p.y * h] for p in l[:468]], np.float32)


def load_still(name):
    src, box = STILLS[name]
    if src == "astronaut":
        from skimage import data
        img = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    else:
        img = cv2.imread(os.path.join(MEDIA, src))
    if box is not None:
        x0, y0, x1, y1 = box
        img = img[y0:y1, x0:x1]
    # upscale small crops so the face is at least ~300 px wide for landmarking and rendering
    scale = max(1.0, 720.0 / max(img.shape[:2]))
    if scale > 1.0:
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return img


def still_landmarks(name, cache_dir):
    path = os.path.join(cache_dir, f"still_{name}.npy")
    if os.path.exists(path):
        return np.load(path)
    img = load_still(name)
    import mediapipe as mp
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1,
                                         refine_landmarks=False) as fm:
        lm = _lm_from_result(fm.process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB)),
                             img.shape[1], img.shape[0])
    if lm is None:
        raise RuntimeError(f"no face in still {name}")
    np.save(path, lm)
    return lm


def decode_video(fname):
    import av
    frames = []
    with av.open(os.path.join(MEDIA, fname)) as c:
        s = c.streams.video[0]
        fps = float(s.average_rate)
        for fr in c.decode(s):
            frames.append(fr.to_ndarray(format="bgr24"))
    return frames, fps


def footage_landmarks(name, cache_dir):
    path = os.path.join(cache_dir, f"footage_{name}.npy")
    if os.path.exists(path):
        return np.load(path)
    frames, fps = decode_video(FOOTAGE[name])
    out = []
    with _facemesh() as fm:
        last = None
        for f in frames:
            lm = _lm_from_result(fm.process(cv2.cvtColor(f, cv2.COLOR_BGR2RGB)),
                                 f.shape[1], f.shape[0])
            if lm is None:
                lm = last
            out.append(lm)
            last = lm
    # fill leading gaps
    first = next(x for x in out if x is not None)
    out = [first if x is None else x for x in out]
    arr = np.stack(out).astype(np.float32)
    np.save(path, arr)
    return arr


def ear(lm):
    """mean eye opening / width of both eyes, per frame (lm: [...,468,2])"""
    def one(up, lo):
        w = np.linalg.norm(lm[..., up[0], :] - lm[..., up[-1], :], axis=-1)
        o = np.linalg.norm(lm[..., up[3:6], :] - lm[..., lo[3:6], :], axis=-1).mean(-1)
        return o / np.maximum(w, 1e-3)
    return 0.5 * (one(EYE_R_UP, EYE_R_LO) + one(EYE_L_UP, EYE_L_LO))


# ----------------------------------------------------------------------------- warps
def close_eye(img, up_pts, lo_pts, c, lash=True):
    """Lower the upper eyelid over a fraction c (0..1) of the aperture by stretching the
    lid skin above it (per image column, following the landmark lid contours)."""
    if c <= 0.01:
        return
    up = up_pts[np.argsort(up_pts[:, 0])]
    lo = lo_pts[np.argsort(lo_pts[:, 0])]
    xa, xb = float(min(up[0, 0], lo[0, 0])), float(max(up[-1, 0], lo[-1, 0]))
    w = xb - xa
    if w < 4:
        return
    H = 0.45 * w
    x0 = int(max(0, math.floor(xa - 1)))
    x1 = int(min(img.shape[1], math.ceil(xb + 2)))
    ytop_min = float(up[:, 1].min())
    ybot_max = float(lo[:, 1].max())
    y0 = int(max(0, math.floor(ytop_min - H - 2)))
    y1 = int(min(img.shape[0], math.ceil(ybot_max + 3)))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return
    xs = np.arange(x0, x1, dtype=np.float32)
    ytop = np.interp(xs, up[:, 0], up[:, 1]).astype(np.float32)
    ybot = np.interp(xs, lo[:, 0], lo[:, 1]).astype(np.float32)
    ybot = np.maximum(ybot, ytop)
    cc = min(1.0, c) * 1.04  # a full blink slightly overlaps the lower lid
    L = ytop + cc * (ybot - ytop)
    inside = (xs >= xa) & (xs <= xb)
    ys = np.arange(y0, y1, dtype=np.float32)[:, None]
    top = (ytop - H)[None, :]
    Lr = L[None, :]
    span = (Lr - top)
    mapy = np.where((ys >= top) & (ys <= Lr) & inside[None, :],
                    top + (ys - top) * (H / np.maximum(span, 1e-3)), ys)
    mapx = np.broadcast_to(xs[None, :], mapy.shape).astype(np.float32)
    roi = img[y0:y1, x0:x1]
    warped = cv2.remap(img, mapx, mapy.astype(np.float32), cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REFLECT)
    if lash and c > 0.05:
        d = (ys - Lr)
        dark = 1.0 - 0.35 * min(1.0, c * 1.5) * np.exp(-(d / max(1.0, 0.035 * w)) ** 2)
        dark = np.where(inside[None, :], dark, 1.0).astype(np.float32)
        warped = (warped.astype(np.float32) * dark[..., None]).clip(0, 255).astype(np.uint8)
    roi[:] = warped


def gaussian_flow(img, ops):
    """ops: list of (px, py, dx, dy, r); backward map src = x - sum D(x)."""
    ops = [o for o in ops if abs(o[2]) + abs(o[3]) > 0.05]
    if not ops:
        return
    h, w = img.shape[:2]
    xs0 = int(max(0, min(o[0] - 3 * o[4] for o in ops)))
    xs1 = int(min(w, max(o[0] + 3 * o[4] for o in ops) + 1))
    ys0 = int(max(0, min(o[1] - 3 * o[4] for o in ops)))
    ys1 = int(min(h, max(o[1] + 3 * o[4] for o in ops) + 1))
    if xs1 - xs0 < 2 or ys1 - ys0 < 2:
        return
    gx = np.arange(xs0, xs1, dtype=np.float32)[None, :]
    gy = np.arange(ys0, ys1, dtype=np.float32)[:, None]
    fx = np.zeros((ys1 - ys0, xs1 - xs0), np.float32)
    fy = np.zeros_like(fx)
    for px, py, dx, dy, r in ops:
        g = np.exp(-(((gx - px) ** 2 + (gy - py) ** 2) / (2.0 * r * r)))
        fx += dx * g
        fy += dy * g
    mapx = gx - fx
    mapy = gy - fy
    img[ys0:ys1, xs0:xs1] = cv2.remap(img, mapx.astype(np.float32), mapy.astype(np.float32),
                                      cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


# ----------------------------------------------------------------------------- timelines
def blink_profile(t, t0, dur, amp):
    """eyelid closure of a blink starting at t0: fast close, short closed phase, slower open."""
    tc, th = 0.3 * dur, 0.15 * dur
    u = t - t0
    if u < 0 or u > dur:
        return 0.0
    if u < tc:
        return amp * math.sin(0.5 * math.pi * u / tc) ** 2
    if u < tc + th:
        return amp
    v = (u - tc - th) / (dur - tc - th)
    return amp * (1 - v) ** 2 * (1 + 2 * v) if v < 1 else 0.0


def twitch(u, rise=0.04, decay=0.09):
    """single motor-unit / clonic twitch shape, peak 1 at u=rise"""
    if u < 0:
        return 0.0
    if u < rise:
        return math.sin(0.5 * math.pi * u / rise) ** 2
    return math.exp(-(u - rise) / decay)


def plateau(t, t0, t1, ramp):
    if t < t0 or t > t1:
        return 0.0
    a = min(1.0, (t - t0) / ramp, (t1 - t) / ramp)
    return 0.5 - 0.5 * math.cos(math.pi * max(0.0, a))


def schedule_times(rng, dur, rate_per_min, min_gap, avoid=(), margin=0.4):
    """irregular (gamma-interval) event times at roughly the given rate"""
    n_target = rate_per_min * dur / 60.0
    times = []
    mean_iv = 60.0 / max(rate_per_min, 1e-3)
    t = rng.uniform(0.2, min(mean_iv, dur * 0.3))
    while t < dur - margin:
        if all(abs(t - a) > min_gap for a in avoid) and all(abs(t - b) > min_gap for b in times):
            times.append(t)
        t += max(min_gap, rng.gamma(3.0, mean_iv / 3.0))
    # trim or top up towards the target count
    n = int(math.ceil(n_target - 0.25))
    while len(times) > n:
        times.pop(int(rng.integers(len(times))))
    tries = 0
    while len(times) < n and tries < 3000:
        tries += 1
        c = rng.uniform(0.3, dur - margin)
        if all(abs(c - a) > min_gap for a in avoid) and all(abs(c - b) > min_gap for b in times):
            times.append(c)
    return sorted(times)


# ----------------------------------------------------------------------------- planning
def plan_all(seed):
    rng = np.random.default_rng(seed)
    ids = [f"v15_{i:03d}" for i in range(1, 49)]
    classes = np.repeat(CLASSES, 8)
    rng.shuffle(classes)
    by_class = {c: [i for i, k in zip(ids, classes) if k == c] for c in CLASSES}
    specs = {}
    still_names = list(STILLS)
    foot_names = ["wolfgang_pexels", "wolfgang_pexels", "single_face_video", "jefapato_laptop"]
    n_foot = {c: n for c, n in zip(CLASSES, [3, 3, 3, 3, 2, 2])}
    si = 0
    fi = 0
    for ci, cls in enumerate(CLASSES):
        cids = by_class[cls]
        sev = ["mild", "mild", "mild", "moderate", "moderate", "moderate", "marked", "marked"]
        rng.shuffle(sev)
        sides = ["left"] * 4 + ["right"] * 4
        rng.shuffle(sides)
        flips = [True, False, False] * 3
        rng.shuffle(flips)
        bases = ["footage"] * n_foot[cls] + ["still"] * (8 - n_foot[cls])
        rng.shuffle(bases)
        order = sorted(cids, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())
        dev = set(order[:4])
        for k, cid in enumerate(cids):
            r = np.random.default_rng(int(hashlib.sha256(f"{seed}/{cid}".encode()).hexdigest()[:12], 16))
            base = bases[k]
            if base == "footage":
                face = foot_names[(fi + ci) % len(foot_names)]
                fi += 1
            else:
                face = still_names[(si + ci) % len(still_names)]
                si += 1
            portrait = r.random() < 0.25
            if portrait:
                W, H = PORTRAIT[int(r.integers(len(PORTRAIT)))]
            else:
                W, H = LANDSCAPE[int(r.integers(len(LANDSCAPE)))]
            fps = int(FPS_CHOICES[int(r.integers(len(FPS_CHOICES)))])
            if max(W, H) >= 1280 and fps > 30:
                fps = 30
            if max(W, H) >= 854 and fps > 50:
                fps = 50
            fmt = "webm" if r.random() < 0.2 else "mp4"
            dur = float(np.round(r.uniform(12.0, 25.0) * fps) / fps)
            specs[cid] = dict(id=cid, disorder=cls, split="dev" if cid in dev else "locked",
                              severity=None if cls == "normal" else sev[k],
                              side=(sides[k] if cls in ONE_SIDED else ("both" if cls == "blepharospasm" else None)),
                              flipped=bool(flips[k]), base=base, face=face, width=W, height=H,
                              fps=fps, duration_s=dur, fmt=fmt,
                              seed=int(r.integers(1 << 31)))
    return [specs[i] for i in ids]


# ----------------------------------------------------------------------------- events
def make_timeline(spec, rng, source_closures):
    """Returns (blinks, events, nuisance, drive) where drive(t) gives the per-frame controls."""
    cls, sev, dur = spec["disorder"], spec["severity"], spec["duration_s"]
    S = {"mild": 0, "moderate": 1, "marked": 2}.get(sev, 0)
    events = []
    nuisance = []
    # anatomical side in the unflipped render (the final video is mirrored when flipped)
    side = spec["side"]
    if side in ("left", "right") and spec["flipped"]:
        render_side = "right" if side == "left" else "left"
    else:
        render_side = side
    # --- blink rate
    if cls == "frequent_blinking":
        rate = [rng.uniform(27, 32), rng.uniform(33, 40), rng.uniform(42, 55)][S]
    elif cls == "blepharospasm":
        rate = [rng.uniform(28, 33), rng.uniform(33, 40), rng.uniform(40, 50)][S]
    else:
        rate = rng.uniform(11, 19)
    src_blinks = [b for b in source_closures if b[1] - b[0] <= 1.0]
    n_src = len(src_blinks)
    synth_rate = max(0.0, rate - n_src * 60.0 / dur)
    avoid = [0.5 * (a + b) for a, b in source_closures]
    # spasm episodes first (blepharospasm / HFS), so blinks avoid them
    spasms = []
    if cls == "blepharospasm":
        n = [int(rng.integers(2, 4)), int(rng.integers(4, 6)), int(rng.integers(6, 9))][S]
        lens = [(0.5, 1.2), (1.0, 2.5), (2.0, 4.5)][S]
        t = rng.uniform(1.0, 3.0)
        for i in range(n):
            L = rng.uniform(*lens)
            if t + L > dur - 0.5:
                break
            amp = [rng.uniform(0.8, 0.95), rng.uniform(0.9, 1.0), 1.0][S]
            spasms.append((t, t + L, amp))
            events.append(dict(kind="blepharospasm_spasm", start_s=round(t, 3), end_s=round(t + L, 3),
                               side="both", region="orbicularis_oculi+brows"))
            t += L + rng.uniform(0.6, (dur - t - L) / max(1, n - i) * 1.6 + 0.6)
    hfs = []
    if cls == "hemifacial_spasm":
        n_cl = [int(rng.integers(2, 4)), int(rng.integers(3, 5)), int(rng.integers(4, 6))][S]
        t = rng.uniform(0.8, 3.0)
        brow = not (S == 0 and rng.random() < 0.5)
        region = ["orbicularis_oculi", "orbicularis_oculi+cheek+mouth", "orbicularis_oculi+cheek+mouth"][S]
        for i in range(n_cl):
            tonic = S >= 1 and rng.random() < (0.35 if S == 1 else 0.6)
            L = rng.uniform(1.2, 3.0) if not tonic else rng.uniform(1.5, 4.0 if S == 2 else 2.5)
            if t + L > dur - 0.4:
                break
            jerks = []
            u = t
            while u < t + L:
                a = [rng.uniform(0.3, 0.45), rng.uniform(0.5, 0.75), rng.uniform(0.75, 1.0)][S]
                jerks.append((u, a))
                u += rng.uniform(0.12, 0.5)
            hfs.append(dict(t0=t, t1=t + L, tonic=tonic, jerks=jerks, brow=brow))
            events.append(dict(kind="hfs_tonic_spasm" if tonic else "hfs_clonic_twitches",
                               start_s=round(t, 3), end_s=round(max(t + L, jerks[-1][0]) + 0.35, 3), side=side,
                               region=region + ("+frontalis(brow_raise)" if brow else "")))
            t += L + rng.uniform(1.0, max(1.5, (dur - t - L) / max(1, n_cl - i) * 1.5))
    myo = []
    lid = "lower"
    if cls == "eyelid_myokymia":
        lid = "lower" if rng.random() < 0.75 else "upper"
        n_b = [2, 3, int(rng.integers(3, 5))][S]
        lens = [(2.0, 4.0), (3.0, 6.0), (5.0, 9.0)][S]
        t = rng.uniform(0.5, 3.0)
        for i in range(n_b):
            L = rng.uniform(*lens)
            if t + L > dur - 0.3:
                break
            fasc = []
            for j in range(3):
                ft = []
                u = t + rng.uniform(0, 0.15)
                while u < t + L:
                    ft.append(u)
                    u += rng.uniform(0.1, 0.25)  # semirhythmic ~4-8 Hz discharges
                fasc.append((rng.uniform(0.25, 0.75), ft, rng.uniform(0.6, 1.0)))
            myo.append(dict(t0=t, t1=t + L, fasc=fasc))
            events.append(dict(kind="myokymia_burst", start_s=round(t, 3), end_s=round(t + L + 0.3, 3),
                               side=side, region=f"{lid}_eyelid"))
            t += L + rng.uniform(1.0, max(1.2, (dur - t - L) / max(1, n_b - i) * 1.5))
    smiles = []
    if cls == "synkinesis" or (cls == "normal" and rng.random() < 0.5) or rng.random() < 0.15:
        n_s = int(rng.integers(2, 5)) if cls == "synkinesis" else int(rng.integers(1, 3))
        t = rng.uniform(1.0, 3.0)
        for i in range(n_s):
            L = rng.uniform(1.5, 3.0)
            if t + L > dur - 0.5:
                break
            smiles.append((t, t + L, rng.uniform(0.7, 1.0)))
            if cls == "synkinesis":
                events.append(dict(kind="synkinesis_eye_narrowing_on_smile", start_s=round(t, 3),
                                   end_s=round(t + L, 3), side=side, region="orbicularis_oculi(with voluntary smile)"))
            else:
                nuisance.append(dict(kind="voluntary_smile_symmetric", start_s=round(t, 3), end_s=round(t + L, 3)))
            t += L + rng.uniform(1.5, 4.0)
    busy = [(a, b) for a, b, _ in spasms] + [(h["t0"], h["t1"]) for h in hfs]
    avoid_b = avoid + [x for a, b in busy for x in np.arange(a, b + 0.01, 0.2)]
    times = schedule_times(rng, dur, synth_rate, 0.6 if rate < 30 else 0.4, avoid_b)
    blinks = []
    for bt in times:
        bd = rng.uniform(0.2, 0.38)
        amp = 1.0 if rng.random() < 0.8 else rng.uniform(0.6, 0.9)
        blinks.append((bt, bd, amp))
    blink_list = sorted([dict(t=round(b[0], 3), dur=round(b[1], 3), source="synthetic") for b in blinks]
                        + [dict(t=round(a, 3), dur=round(b - a, 3), source="footage") for a, b in src_blinks],
                        key=lambda d: d["t"])
    for a, b in source_closures:
        if b - a > 1.0:
            nuisance.append(dict(kind="footage_eye_closure", start_s=round(a, 3), end_s=round(b, 3)))
    if cls == "frequent_blinking":
        for b in blink_list:
            events.append(dict(kind="blink", start_s=b["t"], end_s=round(b["t"] + b["dur"], 3),
                               side="both", region="eyelids"))
    if cls == "synkinesis" and S >= 1:
        events.append(dict(kind="synkinesis_resting_fissure_narrowing", start_s=0.0, end_s=round(dur, 3),
                           side=side, region="palpebral_fissure"))
        for b in blinks:
            events.append(dict(kind="synkinesis_mouth_twitch_on_blink", start_s=round(b[0], 3),
                               end_s=round(b[0] + b[1] + 0.1, 3), side=side, region="mouth_corner(with blink)"))
    events.sort(key=lambda e: e["start_s"])
    blink_rate = 60.0 * len(blink_list) / dur

    aff = render_side  # anatomical side in the unflipped render ("left"/"right"/"both"/None)
    syn_rest = [0.0, 0.1, 0.18][S] if cls == "synkinesis" else 0.0
    syn_narrow = [0.25, 0.4, 0.6][S]
    syn_mouth = [0.0, 0.05, 0.08][S]
    myo_amp = [0.04, 0.06, 0.09][S]
    lid_myo = lid if myo else "lower"

    def drive(t, with_events=True):
        """controls at time t: eyelid closure per anatomical side, flow-op amplitudes"""
        cR = cL = 0.0
        for bt, bd, amp in blinks:
            v = blink_profile(t, bt, bd, amp)
            cR, cL = max(cR, v), max(cL, v)
        ctl = dict(cR=cR, cL=cL, smile=0.0, browdown=0.0, cheekR=0.0, cheekL=0.0,
                   mouthR=0.0, mouthL=0.0, browupR=0.0, browupL=0.0, myoR=[], myoL=[],
                   lid_myo=lid_myo)
        for a, b, amp in smiles:
            ctl["smile"] = max(ctl["smile"], amp * plateau(t, a, b, 0.35))
        if not with_events:
            return ctl
        blink_now = max(cR, cL)
        if cls == "blepharospasm":
            for a, b, amp in spasms:
                p = plateau(t, a, b, 0.12)
                if p > 0:
                    flutter = 0.04 * math.sin(2 * math.pi * 7 * t) if p > 0.9 else 0.0
                    v = min(1.0, amp * p + flutter)
                    ctl["cR"] = max(ctl["cR"], v)
                    ctl["cL"] = max(ctl["cL"], v)
                    ctl["browdown"] = max(ctl["browdown"], [0.6, 0.8, 1.0][S] * p)
                    ctl["cheekR"] = max(ctl["cheekR"], [0.4, 0.6, 0.8][S] * p)
                    ctl["cheekL"] = max(ctl["cheekL"], [0.4, 0.6, 0.8][S] * p)
        if cls == "hemifacial_spasm":
            c = 0.0
            for h in hfs:
                if t < h["t0"] - 0.05 or t > h["t1"] + 0.6:
                    continue
                v = 0.0
                for jt, a in h["jerks"]:
                    v = max(v, a * twitch(t - jt, 0.05, 0.12))
                if h["tonic"]:
                    v = max(v, [0.5, 0.65, 0.9][S] * plateau(t, h["t0"], h["t1"], 0.25) + 0.08 * v)
                c = max(c, min(1.0, v))
            if c > 0:
                k = "R" if aff == "right" else "L"
                ctl["c" + k] = max(ctl["c" + k], c)
                ctl["cheek" + k] = [0.5, 0.8, 1.0][S] * c
                ctl["mouth" + k] = [0.0, 0.45, 1.0][S] * c
                if any(h["brow"] and h["t0"] - 0.1 <= t <= h["t1"] + 0.6 for h in hfs):
                    ctl["browup" + k] = [0.4, 0.6, 0.8][S] * c
        if cls == "synkinesis":
            k = "R" if aff == "right" else "L"
            narrow = syn_rest + syn_narrow * ctl["smile"]
            ctl["c" + k] = max(ctl["c" + k], narrow)
            ctl["cheek" + k] = max(ctl["cheek" + k], 0.5 * syn_narrow * ctl["smile"])
            if syn_mouth > 0:
                ctl["mouth" + k] = max(ctl["mouth" + k], blink_now * syn_mouth / 0.08 * 0.6)
        if cls == "eyelid_myokymia":
            k = "R" if aff == "right" else "L"
            lst = []
            for m in myo:
                if t < m["t0"] or t > m["t1"] + 0.4:
                    continue
                env = plateau(t, m["t0"], m["t1"], 0.3)
                for pos, ft, g in m["fasc"]:
                    v = 0.0
                    for u in ft:
                        if u <= t < u + 0.5:
                            v += twitch(t - u, 0.03, 0.07)
                    lst.append((pos, myo_amp * g * min(1.5, v) * max(env, 0.3 if v > 0 else 0)))
            ctl["myo" + k] = lst
        return ctl

    return blink_list, blink_rate, events, nuisance, drive


def apply_controls(img, lm, ctl):
    """Warp one frame according to the controls; lm in frame coordinates (unflipped)."""
    # image-left eye is the subject's right eye in an unmirrored frontal frame
    eR_up, eR_lo = lm[EYE_R_UP], lm[EYE_R_LO]
    eL_up, eL_lo = lm[EYE_L_UP], lm[EYE_L_LO]
    cR_c = eR_up.mean(0)
    cL_c = eL_up.mean(0)
    D = float(np.linalg.norm(cR_c - cL_c))
    wR = float(np.linalg.norm(lm[33] - lm[133]))
    wL = float(np.linalg.norm(lm[263] - lm[362]))
    close_eye(img, eR_up, eR_lo, ctl["cR"])
    close_eye(img, eL_up, eL_lo, ctl["cL"])
    ops = []
    mid = 0.5 * (cR_c + cL_c)
    out_R = np.sign(lm[33, 0] - mid[0]) or -1.0  # lateral direction for the subject's right
    out_L = -out_R
    s = ctl["smile"]
    if s > 0:
        for idx, o in ((MOUTH_R, out_R), (MOUTH_L, out_L)):
            p = lm[idx]
            ops.append((p[0], p[1], o * 0.06 * D * s, -0.08 * D * s, 0.22 * D))
    for k, o, w, lo, brow_mid, brow_in, cheek, mouth in (
            ("R", out_R, wR, eR_lo, BROW_R_MID, BROW_R_IN, CHEEK_R, MOUTH_R),
            ("L", out_L, wL, eL_lo, BROW_L_MID, BROW_L_IN, CHEEK_L, MOUTH_L)):
        ch = ctl["cheek" + k]
        if ch > 0:
            p = lo.mean(0)
            ops.append((p[0], p[1] + 0.25 * w, 0.0, -0.12 * w * ch, 0.3 * w))
            q = lm[cheek]
            ops.append((q[0], q[1], 0.0, -0.06 * D * ch, 0.3 * D))
        m = ctl["mouth" + k]
        if m > 0:
            q = lm[mouth]
            ops.append((q[0], q[1], o * 0.06 * D * m, -0.06 * D * m, 0.22 * D))
        bu = ctl["browup" + k]
        if bu > 0:
            q = lm[brow_mid]
            ops.append((q[0], q[1], 0.0, -0.07 * D * bu, 0.3 * D))
        bd = ctl["browdown"]
        if bd > 0:
            q = lm[brow_in]
            ops.append((q[0], q[1], -o * 0.035 * D * bd, 0.08 * D * bd, 0.2 * D))
            q = lm[brow_mid]
            ops.append((q[0], q[1], 0.0, 0.05 * D * bd, 0.25 * D))
        for pos, a in ctl["myo" + k]:
            if abs(a) < 1e-4:
                continue
            # a point along the lid, from the outer corner (pos 0) to the inner corner (pos 1)
            chain = lo if ctl["lid_myo"] == "lower" else (eR_up if k == "R" else eL_up)
            i = pos * (len(chain) - 1)
            i0 = int(i)
            p = chain[i0] + (chain[min(i0 + 1, len(chain) - 1)] - chain[i0]) * (i - i0)
            if ctl["lid_myo"] == "lower":
                ops.append((p[0], p[1] + 0.06 * w, 0.15 * a * w * (-o), -a * w, 0.12 * w))
            else:
                ops.append((p[0], p[1] - 0.06 * w, 0.15 * a * w * (-o), a * w, 0.12 * w))
    gaussian_flow(img, ops)


# ----------------------------------------------------------------------------- rendering
def crop_params(face_box, src_w, src_h, W, H, frac):
    """source crop (cx, cy, scale) so that the face width is frac of output width"""
    fx0, fy0, fx1, fy1 = face_box
    fw = fx1 - fx0
    scale = frac * W / fw
    cx = 0.5 * (fx0 + fx1)
    cy = 0.5 * (fy0 + fy1) - 0.05 * (fy1 - fy0)
    return cx, cy, scale


def clamp_crop(cx, cy, scale, sw, sh, W, H, margin):
    """keep the output window (plus a motion margin) inside the source image, so that no
    reflected border ever shows: enlarge the scale if needed, then shift the centre"""
    scale = max(scale, margin * W / sw, margin * H / sh)
    hw, hh = margin * W / scale / 2, margin * H / scale / 2
    cx = min(max(cx, hw), sw - hw)
    cy = min(max(cy, hh), sh - hh)
    return cx, cy, scale


def affine_for(cx, cy, scale, W, H, dx=0.0, dy=0.0, rot=0.0, dscale=1.0):
    s = scale * dscale
    a = math.radians(rot)
    ca, sa = math.cos(a) * s, math.sin(a) * s
    # maps source point p to W/2 + R*s*(p - c) + (dx,dy)
    M = np.array([[ca, -sa, W / 2 + dx - ca * cx + sa * cy],
                  [sa, ca, H / 2 + dy - sa * cx - ca * cy]], np.float32)
    return M


def render_clip(args):
    spec, out_dir, cache_dir, with_events = args
    t_start = time.time()
    rng = np.random.default_rng(spec["seed"])
    cv2.setRNGSeed(spec["seed"])
    W, H, fps, dur = spec["width"], spec["height"], spec["fps"], spec["duration_s"]
    nfr = int(round(dur * fps))
    portrait = H > W
    if spec["base"] == "footage":
        frames, sfps = decode_video(FOOTAGE[spec["face"]])
        lms = footage_landmarks(spec["face"], cache_dir)
        n_src = len(frames)
        sd = n_src / sfps
        off = rng.uniform(0, 2 * sd)
        # single_face.mp4 is 2.4 s with one blink: play it slower so the looped blink stays ~18/min
        speed = rng.uniform(0.62, 0.7) if spec["face"] == "single_face_video" else rng.uniform(0.9, 1.05)

        def src_index(t):
            s = (off + t * speed) % (2 * sd)
            if s >= sd:
                s = 2 * sd - s
            return min(n_src - 1, int(s * sfps))
        allp = lms.reshape(-1, 2)
        box = (np.percentile(lms[:, :, 0].min(1), 50), np.percentile(lms[:, :, 1].min(1), 50),
               np.percentile(lms[:, :, 0].max(1), 50), np.percentile(lms[:, :, 1].max(1), 50))
        frac = rng.uniform(0.6, 0.75) if portrait else rng.uniform(0.3, 0.45)
        cx, cy, scale = crop_params(box, frames[0].shape[1], frames[0].shape[0], W, H, frac)
        cx, cy, scale = clamp_crop(cx, cy, scale, frames[0].shape[1], frames[0].shape[0], W, H, 1.04)
        # source closures on the output timeline (EAR dips)
        e = ear(lms)
        # blinks: short dips below 82% of the local (1 s running median) eye opening
        k = max(3, int(sfps) | 1)
        pad = np.pad(e, k // 2, mode="edge")
        local = np.array([np.median(pad[j:j + k]) for j in range(len(e))])
        closed_src = (e < 0.82 * local) | (e < 0.5 * np.median(e))
        flags = np.array([closed_src[src_index(i / fps)] for i in range(nfr)])
        closures = []
        i = 0
        while i < nfr:
            if flags[i]:
                j = i
                while j < nfr and flags[j]:
                    j += 1
                closures.append((i / fps, j / fps))
                i = j
            else:
                i += 1
        still_img = None
    else:
        img0 = load_still(spec["face"])
        lm0 = still_landmarks(spec["face"], cache_dir)
        box = (lm0[:, 0].min(), lm0[:, 1].min(), lm0[:, 0].max(), lm0[:, 1].max())
        frac = rng.uniform(0.55, 0.7) if portrait else rng.uniform(0.32, 0.5)
        cx, cy, scale = crop_params(box, img0.shape[1], img0.shape[0], W, H, frac)
        cx, cy, scale = clamp_crop(cx, cy, scale, img0.shape[1], img0.shape[0], W, H, 1.1)
        closures = []
        still_img = img0

    blinks, blink_rate, events, nuisance, drive = make_timeline(spec, rng, closures)

    # head motion (random smooth walk), lighting drift, noise
    def smooth_walk(n, sigma, corr):
        x = rng.standard_normal(n + 200)
        k = np.exp(-np.arange(-3 * corr, 3 * corr + 1) ** 2 / (2 * corr * corr))
        y = np.convolve(x, k / np.sqrt((k ** 2).sum()), mode="same")[100:100 + n]
        return sigma * y
    corr = max(4, int(fps * 0.8))
    still = spec["base"] == "still"
    mot_dx = smooth_walk(nfr, (0.008 * W) if still else 0.004 * W, corr)
    mot_dy = smooth_walk(nfr, (0.008 * H) if still else 0.003 * H, corr)
    mot_rot = smooth_walk(nfr, 0.8 if still else 0.3, corr)
    mot_sc = 1 + smooth_walk(nfr, 0.012 if still else 0.004, corr)
    light_T = rng.uniform(5, 15)
    light_a = rng.uniform(0.04, 0.1)
    light_phase = rng.uniform(0, 2 * math.pi)
    grad_a = rng.uniform(0.0, 0.08)
    noise_sigma = rng.uniform(1.5, 4.0)
    gx = np.linspace(-1, 1, W, dtype=np.float32)[None, :, None]

    fname = f"clips/{spec['id']}.{spec['fmt']}"
    path = os.path.join(out_dir, fname)
    import av
    cont = av.open(path, "w")
    if spec["fmt"] == "mp4":
        st = cont.add_stream("libx264", rate=fps)
        crf = int(rng.integers(21, 29))
        st.options = {"crf": str(crf), "preset": "veryfast", "threads": "1"}
    else:
        st = cont.add_stream("libvpx-vp9", rate=fps)
        crf = int(rng.integers(30, 40))
        # one thread; the decoded pixels are repeatable (WebM container bytes are not)
        st.options = {"crf": str(crf), "b": "0", "deadline": "realtime", "cpu-used": "8",
                      "threads": "1"}
    st.width, st.height, st.pix_fmt = W, H, "yuv420p"
    noise = np.empty((H, W, 3), np.int16)
    for i in range(nfr):
        t = i / fps
        M = affine_for(cx, cy, scale, W, H, mot_dx[i], mot_dy[i], mot_rot[i], mot_sc[i])
        if still:
            src = still_img
            lm_src = lm0
        else:
            si = src_index(t)
            src = frames[si]
            lm_src = lms[si]
        fr = cv2.warpAffine(src, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        lm = lm_src @ M[:, :2].T + M[:, 2]
        ctl = drive(t, with_events)
        apply_controls(fr, lm, ctl)
        g = 1 + light_a * math.sin(2 * math.pi * t / light_T + light_phase)
        ga = grad_a * math.sin(2 * math.pi * t / (light_T * 1.7) + 1.0)
        f32 = fr.astype(np.float32) * (g * (1 + ga * gx))
        cv2.randn(noise, 0, noise_sigma)
        fr = np.clip(f32 + noise, 0, 255).astype(np.uint8)
        if spec["flipped"]:
            fr = fr[:, ::-1]
        vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(fr), format="bgr24")
        for pkt in st.encode(vf):
            cont.mux(pkt)
    for pkt in st.encode():
        cont.mux(pkt)
    cont.close()

    side = spec["side"]
    if side in ("left", "right"):
        image_side = "right" if side == "left" else "left"
    else:
        image_side = side
    rec = dict(id=spec["id"], file=fname, disorder=spec["disorder"], side=side,
               image_side=image_side, flipped=spec["flipped"], split=spec["split"],
               fps=fps, width=W, height=H, duration_s=round(nfr / fps, 3),
               n_frames=nfr, format=spec["fmt"],
               codec="h264" if spec["fmt"] == "mp4" else "vp9", crf=crf,
               severity=spec["severity"], blink_rate_per_min=round(blink_rate, 2),
               n_blinks=len(blinks), blinks=blinks,
               base=spec["base"], face=spec["face"], events=events, nuisance=nuisance,
               render_s=round(time.time() - t_start, 2), events_rendered=with_events)
    return rec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default="")
    ap.add_argument("--no-events", action="store_true")
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    os.makedirs(os.path.join(out, "clips"), exist_ok=True)
    cache = os.path.join(out, ".cache")
    os.makedirs(cache, exist_ok=True)
    t0 = time.time()
    specs = plan_all(a.seed)
    if a.only:
        keep = set(a.only.split(","))
        specs = [s for s in specs if s["id"] in keep]
    # landmarks once, before the pool (cached under DIR/.cache)
    for name in sorted({s["face"] for s in specs}):
        if name in STILLS:
            still_landmarks(name, cache)
        else:
            footage_landmarks(name, cache)
    jobs = [(s, out, cache, not a.no_events) for s in specs]
    # longest first for better packing
    jobs.sort(key=lambda j: -j[0]["width"] * j[0]["height"] * j[0]["fps"] * j[0]["duration_s"])
    if a.jobs > 1:
        with ProcessPoolExecutor(a.jobs) as ex:
            recs = list(ex.map(render_clip, jobs))
    else:
        recs = [render_clip(j) for j in jobs]
    recs.sort(key=lambda r: r["id"])
    tpath = os.path.join(out, "truth.json")
    if a.only and os.path.exists(tpath):
        old = {r["id"]: r for r in json.load(open(tpath))}
        for r in recs:
            old[r["id"]] = r
        recs = [old[k] for k in sorted(old)]
    with open(tpath, "w") as f:
        json.dump(recs, f, indent=1)
    print(f"rendered {len(jobs)} clips in {time.time() - t0:.1f} s -> {out}")


if __name__ == "__main__":
    main()
