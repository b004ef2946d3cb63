#!/usr/bin/env python
"""Blind evaluation set 17: face videos with planted facial events.

Usage: make_clips.py --out DIR [--seed N] [--jobs J] [--only ids] [--no-events]

Renders 48 clips into DIR/clips/ and writes DIR/truth.json. Deterministic for a seed.
--no-events renders the same clips with the disorder events (not the blinks) switched off,
into DIR/clips/ as well; use it with another DIR to check that events are visible in pixels.
"""
import argparse
import hashlib
import json
import math
import os
import sys
import time
from multiprocessing import Pool

import cv2
import numpy as np

MEDIA = "/work/shared/media"
CLASSES = ["normal", "frequent_blinking", "eyelid_myokymia", "hemifacial_spasm",
           "blepharospasm", "synkinesis"]
ONE_SIDED = {"eyelid_myokymia", "hemifacial_spasm", "synkinesis"}
N_PER_CLASS = 8

# MediaPipe face-mesh indices; eye sets are assigned to image sides by x position.
EYE_SETS = [
    dict(up=[33, 246, 161, 160, 159, 158, 157, 173, 133], lo=[33, 7, 163, 144, 145, 153, 154, 155, 133],
         c1=33, c2=133, brow_mid=105, brow_in=107, mouth=61, cheek=205),
    dict(up=[263, 466, 388, 387, 386, 385, 384, 398, 362], lo=[263, 249, 390, 373, 374, 380, 381, 382, 362],
         c1=263, c2=362, brow_mid=334, brow_in=336, mouth=291, cheek=425),
]

# Footage: file, usable source segment [a, b) (frames), source fps.
FOOTAGE = {
    "wolfgang": dict(file="WolfgangLanger_Pexels.mp4", seg=(146, 428)),
    "single_face_video": dict(file="single_face.mp4", seg=(31, 72)),
    "jefapato": dict(file="jefapato_2sec.mp4", seg=(0, 30)),
}
# Stills: name -> (source, face box x,y,w,h in source image or None)
STILLS = {
    "single_face_jpg": ("single_face.jpg", None),
    "astronaut": ("astronaut", None),
    "multi_face_a": ("multi_face.jpg", (529, 322, 114, 114)),
    "multi_face_b": ("multi_face.jpg", (679, 308, 117, 117)),
    "multi_face_c": ("multi_face.jpg", (314, 252, 102, 102)),
    "multi_face_d": ("multi_face.jpg", (433, 224, 87, 87)),
}

LANDSCAPE = [(426, 240), (640, 360), (854, 480), (1280, 720)]
PORTRAIT = [(240, 426), (360, 640), (480, 854), (720, 1280)]


# ----------------------------------------------------------------------------- media prep
def load_still(src):
    if src == "astronaut":
        from skimage import data
        return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    return cv2.imread(os.path.join(MEDIA, src))


def decode_video(path):
    import av
    frames = []
    with av.open(path) as c:
        s = c.streams.video[0]
        fps = float(s.average_rate)
        for fr in c.decode(video=0):
            frames.append(fr.to_ndarray(format="bgr24"))
    return frames, fps


def mesh_landmarks(img_bgr, mesh):
    h, w = img_bgr.shape[:2]
    r = mesh.process(cv2.cvtColor(img_bgr, cv2.COLOR_BGR2RGB))
    if not r.multi_face_landmarks:
        return None
    return np.array([[p.x * w, p.y * h] for p in r.multi_face_landmarks[0].landmark], np.float32)


def ear(P):
    e = []
    for s in EYE_SETS:
        up, lo = P[s["up"][3:6]], P[s["lo"][3:6]]
        e.append(np.mean(np.linalg.norm(up - lo, axis=1)) / np.linalg.norm(P[s["c1"]] - P[s["c2"]]))
    return np.mean(e)


def prepare_cache(cache_path):
    """Landmarks of every base (run once, in the main process)."""
    if os.path.exists(cache_path):
        return
    import mediapipe as mp
    fm = mp.solutions.face_mesh
    out = {}
    with fm.FaceMesh(static_image_mode=True, max_num_faces=1, refine_landmarks=True) as mesh:
        for name, (src, box) in STILLS.items():
            img = load_still(src)
            if box is None:
                P = mesh_landmarks(img, mesh)
            else:
                x, y, w, h = box
                cx, cy = x + w / 2, y + h / 2
                r = 1.4 * max(w, h)
                x0, y0 = int(max(0, cx - r)), int(max(0, cy - r))
                x1, y1 = int(min(img.shape[1], cx + r)), int(min(img.shape[0], cy + r))
                crop = img[y0:y1, x0:x1]
                k = 512.0 / crop.shape[1]
                P = mesh_landmarks(cv2.resize(crop, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC), mesh)
                P = P / k + np.array([x0, y0], np.float32)
            assert P is not None, name
            out["still_" + name] = P
    with fm.FaceMesh(static_image_mode=False, max_num_faces=1, refine_landmarks=True) as mesh:
        for name, f in FOOTAGE.items():
            frames, fps = decode_video(os.path.join(MEDIA, f["file"]))
            L = []
            last = None
            for fr in frames:
                P = mesh_landmarks(fr, mesh)
                if P is None:
                    P = last
                L.append(P)
                last = P
            first = next(P for P in L if P is not None)
            L = np.array([first if P is None else P for P in L], np.float32)
            # light temporal smoothing against landmark jitter
            Ls = L.copy()
            Ls[1:-1] = 0.25 * L[:-2] + 0.5 * L[1:-1] + 0.25 * L[2:]
            out["foot_" + name] = Ls
            out["ear_" + name] = np.array([ear(P) for P in L], np.float32)
            out["fps_" + name] = np.float32(fps)
    os.makedirs(os.path.dirname(cache_path), exist_ok=True)
    np.savez_compressed(cache_path, **out)


# ----------------------------------------------------------------------------- planning
def hval(*parts):
    return int(hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:12], 16)


def gamma_times(rng, rate_per_min, dur, min_gap, t0=0.4, avoid=()):
    """Renewal process (gamma intervals, shape 3) at a mean rate; returns onset times."""
    if rate_per_min <= 0:
        return []
    mean = 60.0 / rate_per_min
    t = t0 + rng.uniform(0, mean)
    out = []
    while t < dur - 0.6:
        if all(abs(t - a) > 0.7 for a in avoid):
            out.append(t)
        t += max(min_gap, rng.gamma(3.0, mean / 3.0))
    return out


def place_episodes(rng, dur, n, lo, hi, gap=0.8, margin=0.6):
    """n non-overlapping episodes with durations in [lo, hi] seconds."""
    for _ in range(200):
        ds = rng.uniform(lo, hi, n)
        free = dur - 2 * margin - ds.sum() - gap * (n - 1)
        if free <= 0:
            n = max(1, n - 1)
            continue
        cuts = np.sort(rng.uniform(0, free, n))
        starts, t = [], margin
        prev = 0.0
        for i in range(n):
            t += cuts[i] - prev
            prev = cuts[i]
            starts.append(t)
            t += ds[i] + gap
        return [(float(s), float(s + d)) for s, d in zip(starts, ds)]
    return []


def plan_all(seed):
    rng = np.random.default_rng(seed)
    classes = [c for c in CLASSES for _ in range(N_PER_CLASS)]
    classes = list(rng.permutation(classes))
    ids = ["v17_%03d" % (i + 1) for i in range(len(classes))]
    by_class = {c: [i for i in range(len(ids)) if classes[i] == c] for c in CLASSES}
    n_foot = list(rng.permutation([3, 3, 2, 3, 2, 3]))
    still_names = list(STILLS)
    foot_names = ["wolfgang", "wolfgang", "single_face_video", "jefapato"]
    plans = [None] * len(ids)
    still_k = int(rng.integers(len(still_names)))
    foot_k = int(rng.integers(len(foot_names)))
    for ci, c in enumerate(CLASSES):
        idx = by_class[c]
        sev = list(rng.permutation(["mild"] * 3 + ["moderate"] * 3 + ["marked"] * 2))
        sides = list(rng.permutation(["left"] * 4 + ["right"] * 4)) if c in ONE_SIDED else [None] * 8
        flips = set(rng.choice(8, 2, replace=False).tolist())
        foot = set(rng.choice(8, n_foot[ci], replace=False).tolist())
        order = sorted(idx, key=lambda i: hval(seed, ids[i]))
        dev = set(order[:4])
        for j, i in enumerate(idx):
            p = dict(id=ids[i], disorder=c, clip_seed=hval(seed, ids[i], "clip") % (2 ** 31),
                     split="dev" if i in dev else "locked", flipped=(j in flips),
                     severity=None if c == "normal" else str(sev[j]))
            if c in ONE_SIDED:
                p["side"] = str(sides[j])
            elif c == "blepharospasm":
                p["side"] = "both"
            else:
                p["side"] = None
            if j in foot:
                p["base"] = "footage"
                p["face"] = foot_names[foot_k % len(foot_names)]
                foot_k += 1
            else:
                p["base"] = "still"
                p["face"] = still_names[still_k % len(still_names)]
                still_k += 1
            plans[i] = p
    # formats
    for i, p in enumerate(plans):
        r = np.random.default_rng(p["clip_seed"])
        portrait = r.random() < 0.25
        small_face = p["face"].startswith("multi_face")
        sizes = PORTRAIT if portrait else LANDSCAPE
        sizes = sizes[:3] if small_face else sizes
        w, h = sizes[int(r.integers(len(sizes)))]
        big = max(w, h) >= 1280
        if p["base"] == "footage" or big:
            fps = float(r.choice([24, 25, 30]))
        else:
            fps = float(r.choice([24, 25, 30, 30, 50, 60]))
        p.update(width=int(w), height=int(h), fps=fps, format="mp4",
                 duration_s=float(np.round(r.uniform(12, 25), 2)),
                 crf=int(r.integers(20, 30)))
    small = [i for i, p in enumerate(plans) if max(p["width"], p["height"]) <= 854]
    for i in rng.choice(small, 7, replace=False):
        plans[int(i)]["format"] = "webm"
    return plans


# ----------------------------------------------------------------------------- timelines
def add_pulse(arr, fps, t0, dur, peak, shape="blink", rng=None):
    n = len(arr)
    i0 = max(0, int(math.floor(t0 * fps)))
    i1 = min(n, int(math.ceil((t0 + dur) * fps)) + 1)
    if i1 <= i0:
        return
    u = (np.arange(i0, i1) / fps - t0) / dur
    u = np.clip(u, 0, 1)
    if shape == "blink":      # fast close, slower reopen
        a = 0.35
        v = np.where(u < a, 0.5 - 0.5 * np.cos(np.pi * u / a), 0.5 + 0.5 * np.cos(np.pi * (u - a) / (1 - a)))
    elif shape == "twitch":   # brief clonic jerk
        a = 0.3
        v = np.where(u < a, np.sin(0.5 * np.pi * u / a), np.cos(0.5 * np.pi * (u - a) / (1 - a)))
    elif shape == "tonic":    # sustained contraction with ramps and tremor
        ru, rd = min(0.25, 0.2 / dur * 1.0), min(0.3, 0.35 / dur)
        v = np.ones_like(u)
        v = np.where(u < ru, np.sin(0.5 * np.pi * u / ru), v)
        v = np.where(u > 1 - rd, np.cos(0.5 * np.pi * (u - 1 + rd) / rd), v)
        if rng is not None:
            tt = np.arange(i0, i1) / fps
            ph = rng.uniform(0, 2 * np.pi, 2)
            v = v * (1 - 0.06 * (1 + np.sin(2 * np.pi * 7.0 * tt + ph[0])) / 2
                     - 0.04 * (1 + np.sin(2 * np.pi * 11.0 * tt + ph[1])) / 2)
    else:                     # smooth (voluntary movement)
        v = np.sin(np.pi * u) ** 2
        v = np.where((u > 0.25) & (u < 0.75), np.maximum(v, 1.0), v)
        v = np.where(u <= 0.25, np.sin(2 * np.pi * u) ** 2, v)
        v = np.where(u >= 0.75, np.sin(2 * np.pi * u) ** 2, v)
    arr[i0:i1] = np.maximum(arr[i0:i1], peak * v)


def build_timeline(p, n, fps, natural_blinks, events_on=True):
    """Per-frame channel arrays (index 0 = image-left before flip, 1 = image-right) and truth."""
    rng = np.random.default_rng(p["clip_seed"] + 7)
    brng = np.random.default_rng(p["clip_seed"] + 11)
    dur = n / fps
    keys = ["close", "lower", "brow_up", "brow_in", "mouth", "smile", "cheek"]
    ch = {k: np.zeros((2, n), np.float32) for k in keys}     # disorder channels
    bch = {k: np.zeros((2, n), np.float32) for k in keys}    # blinks and voluntary movement
    myok = []   # (side_idx, region, amp_array[3, n])
    events, voluntary = [], []
    c, sev = p["disorder"], p["severity"]
    # image side of the event in the final video, and in the frame before flipping
    if p["side"] in ("left", "right"):
        img_side = "left" if p["side"] == "right" else "right"
        pre = img_side if not p["flipped"] else ("right" if img_side == "left" else "left")
        si = 0 if pre == "left" else 1
        p["image_side"] = img_side
    else:
        si = None
        p["image_side"] = "both" if p["side"] == "both" else None

    def ev(kind, t0, t1, region, side=None):
        events.append(dict(kind=kind, start_s=round(float(t0), 3), end_s=round(float(min(t1, dur)), 3),
                           side=side if side is not None else p["side"], region=region))

    # --- blink rate by class
    if c == "frequent_blinking":
        rate = dict(mild=rng.uniform(28, 33), moderate=rng.uniform(34, 42), marked=rng.uniform(45, 58))[sev]
    elif c == "blepharospasm":
        rate = dict(mild=rng.uniform(30, 38), moderate=rng.uniform(28, 36), marked=rng.uniform(26, 34))[sev]
    else:
        rate = brng.uniform(10, 20)

    # --- disorder episodes (planned first so blinks can be kept off long spasms)
    busy = []
    amp_scale = dict(mild=0, moderate=1, marked=2).get(sev, 0)
    if c == "hemifacial_spasm":
        if sev == "mild":
            eps = place_episodes(rng, dur, int(rng.integers(3, 6)), 0.4, 1.8)
        elif sev == "moderate":
            eps = place_episodes(rng, dur, int(rng.integers(4, 7)), 1.0, 3.0)
        else:
            eps = place_episodes(rng, dur, int(rng.integers(4, 6)), 2.0, 4.5)
        for (t0, t1) in eps:
            busy.append((t0, t1))
            tonic = sev == "marked" or (sev == "moderate" and rng.random() < 0.4)
            t = t0
            while t < t1 - 0.08:          # irregular clonic jerks
                d = rng.uniform(0.08, 0.16)
                k = [rng.uniform(0.12, 0.3), rng.uniform(0.3, 0.6), rng.uniform(0.45, 0.8)][amp_scale]
                add_pulse(ch["close"][si], fps, t, d, k, "twitch")
                add_pulse(ch["lower"][si], fps, t, d, [0.25, 0.3, 0.35][amp_scale] * (0.6 + 0.4 * k), "twitch")
                if sev != "mild":
                    add_pulse(ch["mouth"][si], fps, t, d, k * [0, 0.6, 0.9][amp_scale], "twitch")
                    add_pulse(ch["cheek"][si], fps, t, d, k * [0, 0.6, 0.9][amp_scale], "twitch")
                    add_pulse(ch["brow_up"][si], fps, t, d, k * [0, 0.4, 0.7][amp_scale], "twitch")
                t += d + rng.uniform(0.04, 0.35)
            if tonic:
                td = min(t1 - t0, rng.uniform(0.8, 3.0) if sev == "moderate" else rng.uniform(1.5, 4.0))
                ts = t0 + rng.uniform(0, max(0.0, (t1 - t0) - td))
                k = 0.7 if sev == "moderate" else rng.uniform(0.88, 1.0)
                add_pulse(ch["close"][si], fps, ts, td, k, "tonic", rng)
                add_pulse(ch["lower"][si], fps, ts, td, 0.35, "tonic", rng)
                add_pulse(ch["mouth"][si], fps, ts, td, k, "tonic", rng)
                add_pulse(ch["cheek"][si], fps, ts, td, k, "tonic", rng)
                add_pulse(ch["brow_up"][si], fps, ts, td, 0.8 * k, "tonic", rng)   # Babinski-2
                ev("hfs_tonic", ts, ts + td, "periocular+perioral+brow")
            region = "periocular" if sev == "mild" else "periocular+perioral+brow"
            ev("hfs_clonic", t0, t1, region)
        events.sort(key=lambda e: e["start_s"])
    elif c == "blepharospasm":
        n_sp = dict(mild=0, moderate=int(rng.integers(3, 5)), marked=int(rng.integers(4, 6)))[sev]
        n_fl = dict(mild=int(rng.integers(3, 6)), moderate=int(rng.integers(1, 3)), marked=int(rng.integers(1, 3)))[sev]
        lo_hi = dict(mild=(0.3, 0.3), moderate=(1.1, 2.5), marked=(2.0, 5.0))[sev]
        kinds = ["spasm"] * n_sp + ["flutter"] * n_fl
        kinds = list(rng.permutation(kinds))
        eps = place_episodes(rng, dur, len(kinds), 0.5, lo_hi[1] if n_sp else 0.9, gap=1.2)
        for (t0, t1), kind in zip(eps, kinds):
            lag = rng.uniform(0, 0.02)
            if kind == "spasm":
                td = min(t1 - t0, rng.uniform(*lo_hi))
                t1 = t0 + td
                k = rng.uniform(0.92, 1.0)
                for s in (0, 1):
                    add_pulse(ch["close"][s], fps, t0 + s * lag, td, k, "tonic", rng)
                    add_pulse(ch["lower"][s], fps, t0 + s * lag, td, 0.3, "tonic", rng)
                    add_pulse(ch["brow_in"][s], fps, t0 + s * lag, td, [0.5, 0.7, 1.0][amp_scale], "tonic", rng)
                ev("bsp_spasm", t0, t1, "periocular+brow", "both")
            else:
                t1 = t0 + rng.uniform(0.4, 0.9)
                t = t0
                while t < t1 - 0.06:
                    d = rng.uniform(0.08, 0.14)
                    k = rng.uniform(0.35, 0.7)
                    for s in (0, 1):
                        add_pulse(ch["close"][s], fps, t + s * lag, d, k, "twitch")
                        add_pulse(ch["brow_in"][s], fps, t + s * lag, d, 0.3 * k, "twitch")
                    t += d + rng.uniform(0.0, 0.05)
                ev("bsp_flutter", t0, t1, "periocular", "both")
            busy.append((t0, t1))
        events.sort(key=lambda e: e["start_s"])
    elif c == "eyelid_myokymia":
        region = "upper_lid" if rng.random() < 0.25 else "lower_lid"
        eps = dict(mild=place_episodes(rng, dur, int(rng.integers(2, 4)), 1.5, 4.0),
                   moderate=place_episodes(rng, dur, int(rng.integers(3, 5)), 2.5, 5.5),
                   marked=place_episodes(rng, dur, int(rng.integers(2, 4)), 4.0, 9.0))[sev]
        A = np.zeros((3, n), np.float32)
        amp = dict(mild=0.015, moderate=0.025, marked=0.035)[sev]
        for (t0, t1) in eps:
            for k in range(3):       # independent, semirhythmic motor-unit discharges at 3-8 Hz
                f = rng.uniform(3, 8)
                t = t0 + rng.uniform(0, 1 / f)
                row = np.zeros(n, np.float32)
                while t < t1:
                    add_pulse(row, fps, t, rng.uniform(0.06, 0.1), amp * rng.uniform(0.6, 1.0), "twitch")
                    t += (1 / f) * rng.uniform(0.8, 1.25)
                A[k] = np.maximum(A[k], row)
            ev("myokymia", t0, t1, region)
        myok.append((si, region, A))
    elif c == "synkinesis":
        # voluntary smiles every few seconds; oral-ocular synkinesis narrows the affected eye
        rest = dict(mild=0.0, moderate=0.08, marked=0.15)[sev]
        ch["close"][si] += rest
        if rest > 0:
            ev("resting_fissure_narrowing", 0, dur, "periocular")
        eps = place_episodes(rng, dur, max(2, int(dur / rng.uniform(4.5, 7))), 1.5, 3.0, gap=1.5)
        weak = dict(mild=1.0, moderate=0.85, marked=0.7)[sev]
        nk = dict(mild=0.22, moderate=0.38, marked=0.55)[sev]
        for (t0, t1) in eps:
            d = t1 - t0
            add_pulse(bch["smile"][1 - si], fps, t0, d, 1.0, "smooth")
            add_pulse(bch["smile"][si], fps, t0, d, weak, "smooth")
            add_pulse(bch["cheek"][1 - si], fps, t0, d, 0.5, "smooth")
            add_pulse(bch["lower"][1 - si], fps, t0, d, 0.1, "smooth")
            add_pulse(ch["close"][si], fps, t0 + 0.05, d - 0.05, nk, "smooth")
            add_pulse(ch["lower"][si], fps, t0 + 0.05, d - 0.05, 0.25, "smooth")
            add_pulse(ch["cheek"][si], fps, t0, d, 0.5, "smooth")
            voluntary.append(dict(kind="smile", start_s=round(t0, 3), end_s=round(t1, 3), side="both", region="mouth"))
            ev("synkinesis_oral_ocular", t0 + 0.05, t1, "periocular")
            busy.append((t0, t1))
    if c in ("normal", "frequent_blinking", "eyelid_myokymia") and brng.random() < 0.5:
        for (t0, t1) in place_episodes(brng, dur, int(brng.integers(1, 3)), 1.5, 3.0, gap=3.0):
            for s in (0, 1):
                add_pulse(bch["smile"][s], fps, t0, t1 - t0, 1.0, "smooth")
                add_pulse(bch["cheek"][s], fps, t0, t1 - t0, 0.5, "smooth")
                add_pulse(bch["lower"][s], fps, t0, t1 - t0, 0.1, "smooth")
            voluntary.append(dict(kind="smile", start_s=round(t0, 3), end_s=round(t1, 3), side="both", region="mouth"))
    if c == "frequent_blinking":
        ev("frequent_blinking", 0, dur, "eyes", "both")

    # --- blinks (natural blinks of footage count towards the rate)
    n_target = rate * dur / 60.0
    n_syn = max(0, int(round(n_target - len(natural_blinks))))
    syn_rate = n_syn / dur * 60.0
    long_busy = [(a_, b_) for a_, b_ in busy if b_ - a_ > 1.0]
    nat = [t for t, _ in natural_blinks]
    gap = 0.45 if rate > 25 else 0.9

    def ok(t, taken):
        return (0.3 < t < dur - 0.6 and all(abs(t - u) > gap for u in taken + nat)
                and not any(a_ - 0.35 < t < b_ + 0.1 for a_, b_ in long_busy))
    starts = []
    for t in gamma_times(brng, max(rate, 1.0), dur, gap):
        if len(starts) < n_syn and ok(t, starts):
            starts.append(t)
    tries = 0
    while len(starts) < n_syn and tries < 2000:
        t = brng.uniform(0.3, dur - 0.6)
        if ok(t, starts):
            starts.append(t)
        tries += 1
    starts.sort()
    blinks = []
    for t in starts:
        d = brng.uniform(0.2, 0.38)
        k = brng.uniform(0.85, 1.0)
        lag = brng.uniform(-0.01, 0.01)
        add_pulse(bch["close"][0], fps, t, d, k, "blink")
        add_pulse(bch["close"][1], fps, t + lag, d, k * brng.uniform(0.96, 1.0), "blink")
        if c == "synkinesis" and (sev != "mild" or rng.random() < 0.5):
            mk = dict(mild=0.25, moderate=0.45, marked=0.7)[sev]       # ocular-oral synkinesis
            add_pulse(ch["mouth"][si], fps, t + 0.02, d + 0.1, mk, "blink")
            ev("synkinesis_ocular_oral", t + 0.02, t + d + 0.12, "perioral")
        blinks.append(dict(start_s=round(float(t), 3), end_s=round(float(t + d), 3), source="synthetic"))
    for t, d in natural_blinks:
        blinks.append(dict(start_s=round(float(t), 3), end_s=round(float(t + d), 3), source="footage"))
    blinks.sort(key=lambda b: b["start_s"])
    events.sort(key=lambda e: e["start_s"])
    if not events_on:
        ch = bch
        myok = []
    else:
        ch = {k: np.maximum(ch[k], bch[k]) for k in keys}
    for k in ch:
        np.clip(ch[k], 0, 1, out=ch[k])
    return ch, myok, events, voluntary, blinks


# ----------------------------------------------------------------------------- warping
def side_sets(P):
    """Eye sets ordered [image-left, image-right]."""
    a, b = EYE_SETS
    return [a, b] if P[a["c1"], 0] < P[b["c1"], 0] else [b, a]


def gauss_add(ox, oy, x0, y0, cx, cy, vx, vy, sig):
    """Add a backward-mapping offset field that moves content at (cx, cy) by (vx, vy)."""
    H, W = ox.shape
    r = 3 * sig
    xa, xb = int(max(0, cx - r - x0)), int(min(W, cx + r - x0 + 1))
    ya, yb = int(max(0, cy - r - y0)), int(min(H, cy + r - y0 + 1))
    if xb <= xa or yb <= ya:
        return
    gx = np.exp(-((np.arange(xa, xb) + x0 - cx) ** 2) / (2 * sig * sig)).astype(np.float32)
    gy = np.exp(-((np.arange(ya, yb) + y0 - cy) ** 2) / (2 * sig * sig)).astype(np.float32)
    g = gy[:, None] * gx[None, :]
    ox[ya:yb, xa:xb] -= vx * g
    oy[ya:yb, xa:xb] -= vy * g


def lid_curves(P, s, xs):
    up = P[s["up"]]
    lo = P[s["lo"]]
    ou, ol = np.argsort(up[:, 0]), np.argsort(lo[:, 0])
    xmin, xmax = up[:, 0].min(), up[:, 0].max()
    yt = np.interp(xs, up[ou, 0], up[ou, 1])
    yb = np.interp(xs, lo[ol, 0], lo[ol, 1])
    inside = (xs > xmin) & (xs < xmax)
    yb = np.where(inside, np.maximum(yb, yt), yt)
    return yt, yb, inside


def eye_close_add(oy, x0, y0, P, s, c, lo, ew):
    """Piecewise vertical remap: upper lid lowered by c, lower lid raised by lo (fractions)."""
    H, W = oy.shape
    xmin, xmax = P[s["up"], 0].min(), P[s["up"], 0].max()
    xa, xb = int(max(0, xmin - x0)), int(min(W, xmax - x0 + 2))
    ytop = P[s["up"], 1].min()
    ybot = P[s["lo"], 1].max()
    Ha, Hb = 0.6 * ew, 0.4 * ew
    ya, yb_ = int(max(0, ytop - Ha - y0 - 1)), int(min(H, ybot + Hb - y0 + 2))
    if xb <= xa or yb_ <= ya:
        return
    xs = np.arange(xa, xb, dtype=np.float32) + x0
    yt, yb, _ = lid_curves(P, s, xs)
    h = yb - yt
    ybp = yb - lo * h
    yl = yt + c * (ybp - yt)
    Y = (np.arange(ya, yb_, dtype=np.float32) + y0)[:, None]
    yt, yb, ybp, yl = yt[None], yb[None], ybp[None], yl[None]
    src = Y.copy() * np.ones_like(yt)
    m1 = (Y >= yt - Ha) & (Y < yl)
    src = np.where(m1, (yt - Ha) + (Y - (yt - Ha)) * Ha / np.maximum(yl - yt + Ha, 1e-3), src)
    m2 = (Y >= yl) & (Y < ybp)
    src = np.where(m2, yt + (Y - yl) * (yb - yt) / np.maximum(ybp - yl, 1e-3), src)
    m3 = (Y >= ybp) & (Y < yb + Hb)
    src = np.where(m3, yb + (Y - ybp) * Hb / np.maximum(yb + Hb - ybp, 1e-3), src)
    oy[ya:yb_, xa:xb] += (src - Y).astype(np.float32)


def apply_face_warps(img, P, i, ch, myok):
    act = {k: v[:, i] for k, v in ch.items()}
    live = any(float(v.max()) > 0.004 for v in act.values()) or any(float(A[:, i].max()) > 0 for _, _, A in myok)
    if not live:
        return img
    sets = side_sets(P)
    H, W = img.shape[:2]
    x0, y0 = np.floor(P.min(0) - 0.15 * (P.max(0) - P.min(0))).astype(int)
    x1, y1 = np.ceil(P.max(0) + 0.15 * (P.max(0) - P.min(0))).astype(int)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return img
    ox = np.zeros((y1 - y0, x1 - x0), np.float32)
    oy = np.zeros_like(ox)
    for k, s in enumerate(sets):
        ew = float(np.linalg.norm(P[s["c1"]] - P[s["c2"]]))
        out = -1.0 if k == 0 else 1.0   # lateral direction (image coordinates)
        c, lo = float(act["close"][k]), float(act["lower"][k])
        if c > 0.004 or lo > 0.004:
            eye_close_add(oy, x0, y0, P, s, min(c, 1.0), min(lo, 0.45), ew)
        v = float(act["brow_up"][k])
        if v > 0.004:
            bx, by = P[s["brow_mid"]]
            gauss_add(ox, oy, x0, y0, bx, by, 0, -0.22 * ew * v, 0.55 * ew)
        v = float(act["brow_in"][k])
        if v > 0.004:
            bx, by = P[s["brow_in"]]
            gauss_add(ox, oy, x0, y0, bx, by, -out * 0.1 * ew * v, 0.16 * ew * v, 0.4 * ew)
        v = float(act["smile"][k])
        if v > 0.004:
            mx, my = P[s["mouth"]]
            gauss_add(ox, oy, x0, y0, mx, my, out * 0.18 * ew * v, -0.22 * ew * v, 0.45 * ew)
        v = float(act["mouth"][k])
        if v > 0.004:
            mx, my = P[s["mouth"]]
            gauss_add(ox, oy, x0, y0, mx, my, out * 0.14 * ew * v, -0.2 * ew * v, 0.4 * ew)
        v = float(act["cheek"][k])
        if v > 0.004:
            cx, cy = P[s["cheek"]]
            gauss_add(ox, oy, x0, y0, cx, cy, 0, -0.12 * ew * v, 0.5 * ew)
    for si, region, A in myok:
        a = A[:, i]
        if a.max() <= 0:
            continue
        s = sets[si]
        ew = float(np.linalg.norm(P[s["c1"]] - P[s["c2"]]))
        xmin, xmax = P[s["up"], 0].min(), P[s["up"], 0].max()
        for k, f in enumerate((0.3, 0.5, 0.7)):
            if a[k] <= 0:
                continue
            xk = xmin + f * (xmax - xmin)
            yt, yb, _ = lid_curves(P, s, np.array([xk], np.float32))
            if region == "lower_lid":
                yk, vy = yb[0] + 0.12 * ew, -a[k] * ew
            else:
                yk, vy = yt[0] - 0.1 * ew, a[k] * ew
            gauss_add(ox, oy, x0, y0, xk, yk, 0, vy, 0.1 * ew)
    gy, gx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    roi = cv2.remap(img, gx + ox, gy + oy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
    img = img.copy()
    img[y0:y1, x0:x1] = roi
    return img


# ----------------------------------------------------------------------------- rendering
def crop_matrix(P_all, src_w, src_h, out_w, out_h, rng, fit_inside):
    lo, hi = P_all.min(0), P_all.max(0)
    fw = hi[0] - lo[0]
    cx, cy = (lo + hi) / 2
    frac = rng.uniform(0.55, 0.7) if out_h > out_w else rng.uniform(0.3, 0.45)
    cw = fw / frac
    ch_ = cw * out_h / out_w
    if fit_inside:
        k = min(1.0, src_w / cw, src_h / ch_)
        cw, ch_ = cw * k, ch_ * k
    cy = cy + 0.05 * ch_   # face slightly above centre
    x0, y0 = cx - cw / 2 + rng.uniform(-0.04, 0.04) * cw, cy - ch_ / 2
    if fit_inside:
        x0 = min(max(0, x0), src_w - cw)
        y0 = min(max(0, y0), src_h - ch_)
    s = out_w / cw
    return np.array([[s, 0, -x0 * s], [0, s, -y0 * s]], np.float32)


def smooth_motion(rng, n, fps, amp):
    t = np.arange(n) / fps
    out = np.zeros(n)
    for _ in range(3):
        f = rng.uniform(0.05, 0.45)
        out += np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi)) * rng.uniform(0.3, 1.0)
    return amp * out / 2.0


def render_clip(args):
    p, out_dir, cache_path, events_on = args
    t_start = time.time()
    cache = np.load(cache_path)
    rng = np.random.default_rng(p["clip_seed"])
    W, H, fps = p["width"], p["height"], p["fps"]
    n = int(round(p["duration_s"] * fps))
    # ---- base frames and landmarks (in output coordinates)
    natural = []
    if p["base"] == "footage":
        f = FOOTAGE[p["face"]]
        frames, sfps = decode_video(os.path.join(MEDIA, f["file"]))
        a, b = f["seg"]
        L = b - a
        period = 2 * L - 2
        off = rng.uniform(0, period)
        src_idx = []
        for i in range(n):
            q = (i / fps * sfps + off) % period
            q = int(round(q)) % period
            src_idx.append(a + (q if q < L else period - q))
        src_idx = np.array(src_idx)
        Ls = cache["foot_" + p["face"]]
        E = cache["ear_" + p["face"]]
        med = np.median(E[a:b])
        blink_src = E < 0.62 * med
        # natural blinks: runs of blink frames in the output timeline
        i = 0
        while i < n:
            if blink_src[src_idx[i]]:
                j = i
                while j < n and blink_src[src_idx[j]]:
                    j += 1
                if (j - i) / fps <= 0.7:
                    natural.append(((i - 1) / fps if i > 0 else 0.0, (j - i + 2) / fps))
                i = j
            else:
                i += 1
        M = crop_matrix(Ls[a:b].reshape(-1, 2), frames[0].shape[1], frames[0].shape[0], W, H, rng, True)
        get_base = lambda i: cv2.warpAffine(frames[src_idx[i]], M, (W, H), flags=cv2.INTER_AREA if M[0, 0] < 1 else cv2.INTER_LINEAR,
                                            borderMode=cv2.BORDER_REFLECT101)
        get_P = lambda i: Ls[src_idx[i]] @ M[:, :2].T + M[:, 2]
        motion_amp = 0.3
    else:
        src, _ = STILLS[p["face"]]
        img = load_still(src)
        P0 = cache["still_" + p["face"]]
        M = crop_matrix(P0, img.shape[1], img.shape[0], W, H, rng, False)
        base = cv2.warpAffine(img, M, (W, H), flags=cv2.INTER_AREA if M[0, 0] < 1 else cv2.INTER_CUBIC,
                              borderMode=cv2.BORDER_REFLECT101)
        Pb = P0 @ M[:, :2].T + M[:, 2]
        get_base = lambda i: base
        get_P = lambda i: Pb
        motion_amp = 1.0
    ch, myok, events, voluntary, blinks = build_timeline(p, n, fps, natural, events_on)
    # ---- nuisance
    ang = smooth_motion(rng, n, fps, 1.6 * motion_amp)
    tx = smooth_motion(rng, n, fps, 0.012 * W * motion_amp)
    ty = smooth_motion(rng, n, fps, 0.01 * H * motion_amp)
    sc = 1 + smooth_motion(rng, n, fps, 0.012 * motion_amp)
    gain = 1 + smooth_motion(rng, n, fps, 0.07)
    bias = smooth_motion(rng, n, fps, 6.0)
    sigma = rng.uniform(1.0, 3.5)
    nbank = []
    for _ in range(4):
        z = rng.normal(0, sigma, (H, W, 3)).astype(np.float32)
        nbank.append((np.clip(z, 0, 255).astype(np.uint8), np.clip(-z, 0, 255).astype(np.uint8)))
    # ---- encode
    import av
    os.makedirs(os.path.join(out_dir, "clips"), exist_ok=True)
    rel = "clips/%s.%s" % (p["id"], p["format"])
    path = os.path.join(out_dir, rel)
    from fractions import Fraction
    cont = av.open(path, "w")
    if p["format"] == "mp4":
        st = cont.add_stream("libx264", rate=Fraction(int(fps), 1))
        st.options = {"crf": str(p["crf"]), "preset": "veryfast"}
    else:
        st = cont.add_stream("libvpx-vp9", rate=Fraction(int(fps), 1))
        st.options = {"crf": str(p["crf"] + 8), "b": "0", "deadline": "realtime", "cpu-used": "8", "row-mt": "1"}
    st.width, st.height, st.pix_fmt = W, H, "yuv420p"
    st.codec_context.thread_count = 1
    cx, cy = W / 2, H / 2
    for i in range(n):
        fr = apply_face_warps(get_base(i), get_P(i), i, ch, myok)
        A = cv2.getRotationMatrix2D((cx, cy), float(ang[i]), float(sc[i]))
        A[0, 2] += tx[i]
        A[1, 2] += ty[i]
        fr = cv2.warpAffine(fr, A, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
        fr = cv2.convertScaleAbs(fr, alpha=float(gain[i]), beta=float(bias[i]))
        if p["flipped"]:
            fr = cv2.flip(fr, 1)
        pos, neg = nbank[int(rng.integers(4))]
        fr = cv2.subtract(cv2.add(fr, pos), neg)
        vf = av.VideoFrame.from_ndarray(fr, format="bgr24")
        for pkt in st.encode(vf):
            cont.mux(pkt)
    for pkt in st.encode():
        cont.mux(pkt)
    cont.close()
    dur = n / fps
    truth = dict(id=p["id"], file=rel, disorder=p["disorder"], side=p["side"], image_side=p["image_side"],
                 flipped=bool(p["flipped"]), split=p["split"], fps=fps, width=W, height=H,
                 frames=n, duration_s=round(dur, 3), severity=p["severity"],
                 blink_rate_per_min=round(len(blinks) / dur * 60.0, 2),
                 base=p["base"], face=p["face"], format=p["format"], codec="h264" if p["format"] == "mp4" else "vp9",
                 events=events, blinks=blinks, voluntary=voluntary)
    return truth, time.time() - t_start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--only", default="")
    ap.add_argument("--no-events", action="store_true")
    a = ap.parse_args()
    t0 = time.time()
    cache_path = os.path.join(a.out, ".cache", "landmarks_v1.npz")
    prepare_cache(cache_path)
    plans = plan_all(a.seed)
    only = set(x.strip() for x in a.only.split(",") if x.strip())
    todo = [p for p in plans if not only or p["id"] in only]
    jobs = [(p, a.out, cache_path, not a.no_events) for p in todo]
    # longest/biggest first for better packing
    jobs.sort(key=lambda j: -j[0]["width"] * j[0]["height"] * j[0]["fps"] * j[0]["duration_s"])
    results = []
    if a.jobs > 1:
        with Pool(a.jobs) as pool:
            for r in pool.imap_unordered(render_clip, jobs):
                results.append(r)
                print("%s %.1fs" % (r[0]["id"], r[1]), flush=True)
    else:
        for j in jobs:
            r = render_clip(j)
            results.append(r)
            print("%s %.1fs" % (r[0]["id"], r[1]), flush=True)
    truth = sorted([r[0] for r in results], key=lambda t: t["id"])
    tp = os.path.join(a.out, "truth.json")
    if only and os.path.exists(tp):
        old = {t["id"]: t for t in json.load(open(tp))}
        old.update({t["id"]: t for t in truth})
        truth = [old[k] for k in sorted(old)]
    with open(tp, "w") as f:
        json.dump(truth, f, indent=1)
    print("rendered %d clips in %.1f s (wall)" % (len(results), time.time() - t0))


if __name__ == "__main__":
    main()
