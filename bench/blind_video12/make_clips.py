#!/usr/bin/env python
"""Blind evaluation set 12: face videos with planted facial events.

usage: make_clips.py --out DIR [--seed N] [--jobs J] [--only v12_001,v12_002]

Bases: real footage from /work/shared/media (played back and forth so it lasts long
enough) and still photos animated by warping.  Facial actions (blinks, spasms,
myokymia ripple, synkinesis) are planted with local geometric warps driven by
MediaPipe Face Mesh landmarks.  Sides are anatomical: "R" = the subject's right.
"""
import argparse, hashlib, json, os, sys, time
from concurrent.futures import ProcessPoolExecutor
import numpy as np
import cv2

MEDIA = "/work/shared/media"
CLASSES = ["normal", "frequent_blinking", "eyelid_myokymia",
           "hemifacial_spasm", "blepharospasm", "synkinesis"]
ONE_SIDED = {"eyelid_myokymia", "hemifacial_spasm", "synkinesis"}
DISORDERS = {"eyelid_myokymia", "hemifacial_spasm", "blepharospasm", "synkinesis"}
N_PER_CLASS = 8

# MediaPipe face-mesh indices; R = subject's right (image left when not mirrored)
EYE = {"R": dict(out=33, inn=133, up=159, lo=145), "L": dict(out=263, inn=362, up=386, lo=374)}
BROW_MED = {"R": 107, "L": 336}
BROW = {"R": [70, 105, 107], "L": [300, 334, 336]}
CHEEK = {"R": 118, "L": 347}
MOUTH = {"R": 61, "L": 291}
NOSE = 1
# usable part of each footage (WolfgangLanger: outside it her eyes are held shut / she looks down)
FOOT_RANGE = {"WolfgangLanger_Pexels": (141, 437)}


# ----------------------------------------------------------------------------- cache
def _mesh(static):
    import mediapipe as mp
    return mp.solutions.face_mesh.FaceMesh(static_image_mode=static, max_num_faces=6 if static else 1,
                                           refine_landmarks=True, min_detection_confidence=0.3)


def _lm_array(res, w, h):
    return [np.array([[p.x * w, p.y * h] for p in f.landmark], np.float32) for f in res.multi_face_landmarks or []]


def build_cache(cdir):
    os.makedirs(cdir, exist_ok=True)
    stamp = os.path.join(cdir, "done.json")
    if os.path.exists(stamp):
        return json.load(open(stamp))
    import av
    info = {"stills": [], "footage": []}
    # stills
    stills = []
    img = cv2.imread(os.path.join(MEDIA, "single_face.jpg"))
    stills.append(("single_face_jpg", img))
    from skimage import data
    stills.append(("astronaut", cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)))
    multi = cv2.imread(os.path.join(MEDIA, "multi_face.jpg"))
    with _mesh(True) as fm:
        faces = _lm_array(fm.process(cv2.cvtColor(multi, cv2.COLOR_BGR2RGB)), multi.shape[1], multi.shape[0])
    faces.sort(key=lambda l: l[:, 0].mean())
    for k, lm in enumerate(faces):
        # keep the whole photo; the frame maker centres on this face (face k, left to right)
        stills.append((f"multi_face_{k}", (multi, lm)))
    with _mesh(True) as fm:
        for name, im in stills:
            if isinstance(im, tuple):
                im, lm = im; r = [lm]
            else:
                r = _lm_array(fm.process(cv2.cvtColor(im, cv2.COLOR_BGR2RGB)), im.shape[1], im.shape[0])
            if not r:
                continue
            cv2.imwrite(os.path.join(cdir, name + ".png"), im)
            np.save(os.path.join(cdir, name + "_lm.npy"), r[0])
            info["stills"].append(name)
    # footage
    for name, fn, maxw in [("WolfgangLanger_Pexels", "WolfgangLanger_Pexels.mp4", 640),
                           ("single_face_mp4", "single_face.mp4", 640),
                           ("jefapato_2sec", "jefapato_2sec.mp4", 1280)]:
        c = av.open(os.path.join(MEDIA, fn)); st = c.streams.video[0]
        fps = float(st.average_rate)
        frames = []
        for fr in c.decode(st):
            a = fr.to_ndarray(format="bgr24")
            if a.shape[1] > maxw:
                a = cv2.resize(a, (maxw, int(round(a.shape[0] * maxw / a.shape[1]))), interpolation=cv2.INTER_AREA)
            frames.append(a)
        c.close()
        arr = np.stack(frames)
        lms = []
        with _mesh(False) as fm:
            for a in arr:
                r = _lm_array(fm.process(cv2.cvtColor(a, cv2.COLOR_BGR2RGB)), a.shape[1], a.shape[0])
                lms.append(r[0] if r else None)
        # fill missing landmarks from neighbours
        good = [i for i, l in enumerate(lms) if l is not None]
        for i in range(len(lms)):
            if lms[i] is None:
                lms[i] = lms[min(good, key=lambda g: abs(g - i))]
        np.save(os.path.join(cdir, name + "_frames.npy"), arr)
        np.save(os.path.join(cdir, name + "_lm.npy"), np.stack(lms))
        info["footage"].append({"name": name, "fps": fps, "n": len(arr)})
    json.dump(info, open(stamp, "w"))
    return info


def eye_openness(lm):
    """per-eye openness ratio for an (N,478,2) landmark array"""
    out = {}
    for s, e in EYE.items():
        out[s] = np.linalg.norm(lm[:, e["up"]] - lm[:, e["lo"]], axis=1) / np.linalg.norm(lm[:, e["out"]] - lm[:, e["inn"]], axis=1)
    return out


def native_closures(lm, fps):
    """frames where both eyes are closed in the footage -> list of (f0, f1, is_blink)"""
    o = eye_openness(lm)
    m = (o["R"] + o["L"]) / 2
    base = np.percentile(m, 75)
    closed = m < 0.55 * base
    runs, i = [], 0
    while i < len(closed):
        if closed[i]:
            j = i
            while j + 1 < len(closed) and closed[j + 1]:
                j += 1
            runs.append((i, j, (j - i + 1) / fps <= 0.6))
            i = j + 1
        else:
            i += 1
    return runs


# ----------------------------------------------------------------------------- planning
def stable_hash(s):
    return int(hashlib.sha256(s.encode()).hexdigest()[:12], 16)


def plan_set(seed, cache):
    rng = np.random.default_rng(seed)
    ids = [f"v12_{i + 1:03d}" for i in range(N_PER_CLASS * len(CLASSES))]
    classes = list(rng.permutation(np.repeat(CLASSES, N_PER_CLASS)))
    # formats
    fmts = ([(426, 240)] * 7 + [(640, 360)] * 10 + [(854, 480)] * 8 + [(960, 540)] * 5 + [(1280, 720)] * 6
            + [(360, 640)] * 7 + [(480, 854)] * 4 + [(720, 1280)] * 1)
    fmts = [fmts[i] for i in rng.permutation(len(fmts))]
    fps_opts = [24, 25, 30, 30, 30, 48, 50, 60]
    n_foot = {c: k for c, k in zip(rng.permutation(CLASSES), [3, 3, 3, 3, 2, 2])}
    footage_names = [f["name"] for f in cache["footage"]]
    foot_w = {"WolfgangLanger_Pexels": 3, "single_face_mp4": 2, "jefapato_2sec": 2}
    stills = cache["stills"]
    per_class = {c: [i for i, k in enumerate(classes) if k == c] for c in CLASSES}
    specs = [None] * len(ids)
    still_cycle = list(rng.permutation(stills))
    sc = 0
    for c in CLASSES:
        idx = per_class[c]
        order = sorted(idx, key=lambda i: stable_hash(f"{seed}:{ids[i]}"))
        dev = set(order[:4])
        sev = list(rng.permutation(["mild"] * 3 + ["moderate"] * 3 + ["marked"] * 2)) if c in DISORDERS else [None] * 8
        sides = list(rng.permutation(["left"] * 4 + ["right"] * 4)) if c in ONE_SIDED else [None] * 8
        flips = list(rng.permutation([True] * 2 + [False] * 6))
        bases = list(rng.permutation(["footage"] * n_foot[c] + ["still"] * (8 - n_foot[c])))
        for j, i in enumerate(idx):
            W, H = fmts[i]
            fps = int(rng.choice(fps_opts))
            if W * H >= 400_000 and fps > 30:
                fps = int(rng.choice([24, 25, 30]))
            if bases[j] == "footage":
                p = np.array([foot_w[n] for n in footage_names], float)
                face = str(rng.choice(footage_names, p=p / p.sum()))
            else:
                face = str(still_cycle[sc % len(still_cycle)]); sc += 1
            side = sides[j]
            if c == "blepharospasm":
                side = "both"
            specs[i] = dict(id=ids[i], disorder=c, split="dev" if i in dev else "locked", severity=sev[j],
                            side=side, flipped=bool(flips[j]), base=bases[j], face=face, width=W, height=H,
                            fps=fps, duration_s=round(float(rng.uniform(12, 25)), 1),
                            seed=int(rng.integers(1 << 31)))
    # VP9 for 8 clips of modest size
    small = [i for i, s in enumerate(specs) if s["width"] * s["height"] <= 960 * 540]
    vp9 = set(rng.choice(small, 8, replace=False).tolist())
    for i, s in enumerate(specs):
        s["codec"] = "vp9" if i in vp9 else "h264"
        s["file"] = f"clips/{s['id']}." + ("webm" if i in vp9 else "mp4")
    return specs


def smooth_noise(rng, n, fps, period_s):
    k = max(2, int(n / (fps * period_s)) + 3)
    pts = rng.normal(0, 1, k)
    return np.interp(np.arange(n), np.linspace(0, n - 1, k), pts)


class Timeline:
    CH = ["close", "low", "cheek", "brow_up", "brow_down", "mouth", "pucker", "rip"]

    def __init__(self, n, fps):
        self.n, self.fps = n, fps
        self.t = np.arange(n) / fps
        self.c = {(ch, s): np.zeros(n, np.float32) for ch in self.CH for s in "RL"}

    def env(self, t0, rise, hold, fall):
        t = self.t
        e = np.zeros(self.n, np.float32)
        a = (t >= t0) & (t < t0 + rise)
        e[a] = 0.5 - 0.5 * np.cos(np.pi * (t[a] - t0) / rise)
        b = (t >= t0 + rise) & (t < t0 + rise + hold)
        e[b] = 1
        d = (t >= t0 + rise + hold) & (t < t0 + rise + hold + fall)
        e[d] = 0.5 + 0.5 * np.cos(np.pi * (t[d] - t0 - rise - hold) / fall)
        return e

    def add(self, ch, sides, e, amp, mode="max"):
        for s in sides:
            if mode == "max":
                np.maximum(self.c[(ch, s)], amp * e, out=self.c[(ch, s)])
            else:
                self.c[(ch, s)] += amp * e


def blink_times(rng, dur, k, avoid=()):
    """k blink onsets: gamma-distributed gaps laid out on the time axis with the
    avoided intervals (spasms, native eye closures) cut out"""
    grid = np.arange(0.25, dur - 0.5, 0.01)
    ok = np.ones(len(grid), bool)
    for a, b in avoid:
        ok &= ~((grid > a - 0.45) & (grid < b + 0.3))
    free = grid[ok]
    if k <= 0 or len(free) < 10:
        return []
    gaps = np.maximum(rng.gamma(3.0, 1.0, k + 1), 0.3)
    pos = np.cumsum(gaps)[:-1] / gaps.sum()
    times = free[np.clip((pos * len(free)).astype(int), 0, len(free) - 1)]
    out = []
    for t in times:  # keep a minimum spacing
        if not out or t - out[-1] >= 0.45:
            out.append(float(t))
    return out


def plan_clip(spec, cache_dir, cache, events_on=True):
    """returns timeline, frame map (footage), truth extras. Deterministic from spec."""
    rng = np.random.default_rng(spec["seed"])
    fps, dur = spec["fps"], spec["duration_s"]
    n = int(round(fps * dur))
    tl = Timeline(n, fps)   # disorder channels
    tb = Timeline(n, fps)   # natural blinks and voluntary movements
    cls, sev = spec["disorder"], spec["severity"]
    # anatomical side in the *source* (before mirroring): "R"/"L"
    side_final = spec["side"]
    if side_final in ("left", "right"):
        src_left = (side_final == "left") != spec["flipped"]
        aside = "L" if src_left else "R"
    else:
        aside = None
    events, voluntary, blinks = [], [], []
    busy = []  # intervals where eyes are already closed (avoid blinks there)

    # ---- target blink rate
    if cls == "frequent_blinking":
        rate = rng.uniform(28, 45)
    elif cls == "blepharospasm":
        rate = {"mild": rng.uniform(26, 34), "moderate": rng.uniform(30, 40), "marked": rng.uniform(34, 46)}[sev]
    else:
        rate = rng.uniform(10, 20)

    # ---- footage playback map
    fmap = None
    native = []
    if spec["base"] == "footage":
        f = next(x for x in cache["footage"] if x["name"] == spec["face"])
        lm = np.load(os.path.join(cache_dir, f["name"] + "_lm.npy"), mmap_mode="r")
        runs = native_closures(np.asarray(lm), f["fps"])
        lo, hi = FOOT_RANGE.get(f["name"], (0, f["n"] - 1))
        runs = [(a0 - lo, b0 - lo, bl) for a0, b0, bl in runs if a0 >= lo and b0 <= hi]
        N = hi - lo + 1
        step = f["fps"] / fps * rng.uniform(0.9, 1.1)
        pos = rng.uniform(0, N * 0.3); d = 1.0
        last_blink, gap = -10.0, rng.gamma(3.0, (60 / rate) / 3.0)
        inside = None
        fmap = np.zeros(n, np.int32)
        for i in range(n):
            nxt = pos + d * step
            if nxt < 0 or nxt > N - 1:
                d = -d; nxt = pos + d * step
            r = next((rr for rr in runs if rr[0] - 1 <= nxt <= rr[1] + 1), None)
            if r is not None and inside is not r:
                if r[2] and (i / fps - last_blink) < gap:
                    d = -d; nxt = pos + d * step  # bounce before the native blink
                    nxt = min(max(nxt, 0), N - 1)
                else:
                    inside = r
            elif r is None:
                inside = None
            pos = nxt
            fmap[i] = int(round(pos))
            fr = fmap[i]
            rr = next((q for q in runs if q[0] <= fr <= q[1]), None)
            if rr is not None and (i == 0 or not (rr[0] <= fmap[i - 1] <= rr[1])):
                t0 = i / fps
                if rr[2]:
                    native.append(t0); last_blink = t0; gap = rng.gamma(3.0, (60 / rate) / 3.0)
                busy.append((t0, t0 + (rr[1] - rr[0] + 1) / f["fps"] / step * (f["fps"] / fps) + 0.2))
        fmap += lo
        for t0 in native:
            blinks.append({"start_s": round(t0, 3), "source": "footage"})

    # ---- disorder events (before blinks, so blinks avoid spasm intervals)
    S = ["R", "L"]
    if cls == "hemifacial_spasm":
        a = aside
        b2 = sev != "mild" and rng.random() < 0.7
        n_cl = {"mild": rng.integers(3, 6), "moderate": rng.integers(4, 7), "marked": rng.integers(5, 9)}[sev]
        n_to = {"mild": 0, "moderate": rng.integers(1, 3), "marked": rng.integers(3, 5)}[sev]
        amp_cl = {"mild": (0.25, 0.45), "moderate": (0.4, 0.7), "marked": (0.55, 0.9)}[sev]
        slots = sorted(rng.uniform(0.8, dur - 4.5, n_cl + n_to))
        kinds = list(rng.permutation(["c"] * n_cl + ["t"] * n_to))
        last = -10
        for t0, k in zip(slots, kinds):
            t0 = max(t0, last + 0.6)
            if t0 > dur - 4:
                break
            region = "eye" if sev == "mild" else "eye+mouth"
            if k == "c":
                tt, m = t0, rng.integers(3, 9)
                for _ in range(m):
                    amp = rng.uniform(*amp_cl)
                    e = tl.env(tt, rng.uniform(0.04, 0.07), rng.uniform(0.03, 0.1), rng.uniform(0.08, 0.15))
                    tl.add("close", a, e, amp); tl.add("low", a, e, 0.5)
                    tl.add("cheek", a, e, 0.3 * amp)
                    if sev != "mild":
                        tl.add("mouth", a, e, amp * rng.uniform(0.5, 0.8))
                    tt += rng.uniform(0.15, 0.55)
                end = tt + 0.1
                events.append(dict(kind="hfs_clonic", start_s=t0, end_s=end, side=a, region=region))
            else:
                hold = {"moderate": rng.uniform(0.8, 1.8), "marked": rng.uniform(1.5, 3.5)}[sev]
                e = tl.env(t0, rng.uniform(0.12, 0.25), hold, rng.uniform(0.25, 0.45))
                trem = 1 - 0.15 * np.abs(smooth_noise(rng, n, fps, 0.12)).clip(0, 1)
                amp = 1.0 if sev == "marked" else rng.uniform(0.75, 0.95)
                tl.add("close", a, e * trem, amp); tl.add("low", a, e, 0.6)
                tl.add("cheek", a, e * trem, 0.8 * amp); tl.add("mouth", a, e * trem, amp)
                if b2:
                    tl.add("brow_up", a, e, rng.uniform(0.6, 1.0))
                end = t0 + hold + 0.6
                events.append(dict(kind="hfs_tonic", start_s=t0, end_s=end, side=a,
                                   region="eye+mouth+brow" if b2 else "eye+mouth"))
                busy.append((t0, end))
            last = end
    elif cls == "blepharospasm":
        asym = {s: rng.uniform(0.88, 1.0) for s in S}
        n_fl = {"mild": rng.integers(2, 5), "moderate": rng.integers(1, 3), "marked": rng.integers(1, 3)}[sev]
        n_sp = {"mild": 0, "moderate": rng.integers(2, 4), "marked": rng.integers(4, 7)}[sev]
        slots = sorted(rng.uniform(0.8, dur - 6, n_fl + n_sp))
        kinds = list(rng.permutation(["f"] * n_fl + ["s"] * n_sp))
        last = -10
        for t0, k in zip(slots, kinds):
            t0 = max(t0, last + 0.8)
            if t0 > dur - 5.5:
                break
            if k == "f":
                tt, m = t0, rng.integers(3, 7)
                for _ in range(m):
                    e = tl.env(tt, 0.05, rng.uniform(0.02, 0.06), 0.1)
                    for s in S:
                        tl.add("close", s, e, asym[s] * rng.uniform(0.45, 0.8))
                    tt += rng.uniform(0.18, 0.3)
                eb = tl.env(t0, 0.2, tt - t0 - 0.2, 0.3)
                tl.add("brow_down", S, eb, 0.3)
                end = tt + 0.2
                events.append(dict(kind="bsp_flutter", start_s=t0, end_s=end, side="both", region="eyes"))
            else:
                hold = {"moderate": rng.uniform(1.0, 2.5), "marked": rng.uniform(2.0, 5.0)}[sev]
                e = tl.env(t0, rng.uniform(0.1, 0.2), hold, rng.uniform(0.2, 0.4))
                trem = 1 - 0.1 * np.abs(smooth_noise(rng, n, fps, 0.15)).clip(0, 1)
                for s in S:
                    tl.add("close", s, e, asym[s]); tl.add("low", s, e * trem, 0.7)
                    tl.add("cheek", s, e * trem, 0.6 * asym[s]); tl.add("brow_down", s, e * trem, asym[s])
                end = t0 + hold + 0.6
                events.append(dict(kind="bsp_spasm", start_s=t0, end_s=end, side="both", region="eyes+brows"))
                busy.append((t0, end))
            last = end
        events.append(dict(kind="increased_blink_rate", start_s=0.0, end_s=dur, side="both", region="eyes"))
    elif cls == "eyelid_myokymia":
        a = aside
        lid = "upper_lid" if rng.random() < 0.25 else "lower_lid"
        amp = {"mild": rng.uniform(0.03, 0.04), "moderate": rng.uniform(0.05, 0.065), "marked": rng.uniform(0.075, 0.095)}[sev]
        nb = {"mild": rng.integers(2, 4), "moderate": rng.integers(3, 5), "marked": rng.integers(2, 4)}[sev]
        blen = {"mild": (1.5, 3.5), "moderate": (2.0, 5.0), "marked": (4.0, 8.0)}[sev]
        slots = sorted(rng.uniform(0.5, dur - 3, nb)); last = -10
        for t0 in slots:
            t0 = max(t0, last + 1.0)
            L = rng.uniform(*blen)
            if t0 + L > dur - 0.3:
                L = dur - 0.3 - t0
            if L < 1.0:
                break
            e = tl.env(t0, 0.3, L - 0.6, 0.3)
            mod = 0.6 + 0.4 * np.abs(smooth_noise(rng, n, fps, 0.25)).clip(0, 1)
            tl.add("rip", a, e * mod, amp)
            events.append(dict(kind="myokymia", start_s=t0, end_s=t0 + L, side=a, region=lid))
            last = t0 + L
        spec["_lid"] = lid
    elif cls == "synkinesis":
        a = aside
        k_eye = {"mild": rng.uniform(0.15, 0.3), "moderate": rng.uniform(0.35, 0.55), "marked": rng.uniform(0.6, 0.85)}[sev]
        rest = {"mild": 0.0, "moderate": rng.uniform(0.05, 0.1), "marked": rng.uniform(0.1, 0.18)}[sev]
        k_mouth = {"mild": 0.0, "moderate": rng.uniform(0.25, 0.4), "marked": rng.uniform(0.4, 0.6)}[sev]
        weak = rng.uniform(0.7, 0.9)
        nv = rng.integers(2, 5)
        slots = sorted(rng.uniform(1.0, dur - 4, nv)); last = -10
        for t0 in slots:
            t0 = max(t0, last + 1.5)
            if t0 > dur - 3.5:
                break
            pucker = rng.random() < 0.3
            hold = rng.uniform(1.0, 2.5)
            e = tl.env(t0, rng.uniform(0.3, 0.5), hold, rng.uniform(0.3, 0.5))
            end = t0 + hold + 0.9
            if pucker:
                tb.add("pucker", S, e, rng.uniform(0.7, 1.0))
                voluntary.append(dict(kind="lip_pucker", start_s=t0, end_s=end))
            else:
                amp = rng.uniform(0.6, 1.0)
                for s in S:
                    tb.add("mouth", s, e, amp * (weak if s == a else 1.0))
                    tb.add("cheek", s, e, 0.4 * amp); tb.add("close", s, e, 0.08 * amp)
                voluntary.append(dict(kind="smile", start_s=t0, end_s=end))
            tl.add("close", a, e, k_eye); tl.add("low", a, e, 0.5); tl.add("cheek", a, e, 0.3 * k_eye)
            events.append(dict(kind="synkinesis_oral_ocular", start_s=t0, end_s=end, side=a, region="eye"))
            last = end
        if rest > 0:
            tl.c[("close", a)] += rest
            events.append(dict(kind="resting_fissure_narrowing", start_s=0.0, end_s=dur, side=a, region="eye"))
        spec["_kmouth"] = k_mouth
    elif cls == "frequent_blinking":
        events.append(dict(kind="increased_blink_rate", start_s=0.0, end_s=dur, side="both", region="eyes"))

    # voluntary symmetric smiles in other classes (nuisance, so smiles are not a give-away)
    if cls != "synkinesis" and rng.random() < 0.5:
        for _ in range(rng.integers(1, 3)):
            t0 = rng.uniform(1, dur - 4)
            if any(a0 - 1 < t0 < b0 + 1 for a0, b0 in busy):
                continue
            hold = rng.uniform(1.0, 2.5)
            e = tl.env(t0, 0.4, hold, 0.4); amp = rng.uniform(0.5, 0.9)
            tb.add("mouth", S, e, amp); tb.add("cheek", S, e, 0.4 * amp); tb.add("close", S, e, 0.08 * amp)
            voluntary.append(dict(kind="smile", start_s=t0, end_s=t0 + hold + 0.8))

    # ---- planted blinks (top up footage blinks to the target rate)
    dur_eff = dur
    want = rate * dur / 60.0 - len(native)
    if want > 0.5:
        bt = blink_times(rng, dur, int(round(want * (0.93 if cls in ("frequent_blinking", "blepharospasm") else 0.97))), avoid=busy)
    else:
        bt = []
    for t0 in bt:
        cl, hold, op = rng.uniform(0.07, 0.1), rng.uniform(0.02, 0.06), rng.uniform(0.14, 0.22)
        e = tl.env(t0, cl, hold, op)
        amp = rng.uniform(0.85, 1.0)
        tb.add("close", S, e, amp); tb.add("low", S, e, 0.15)
        blinks.append({"start_s": round(float(t0), 3), "source": "planted"})
        if cls == "synkinesis" and spec.get("_kmouth", 0) > 0:
            tl.add("mouth", aside, e, spec["_kmouth"])
            events.append(dict(kind="synkinesis_ocular_oral", start_s=t0, end_s=t0 + cl + hold + op,
                               side=aside, region="mouth"))
        if rng.random() < (0.12 if cls in ("frequent_blinking", "blepharospasm") else 0.04):
            t1 = t0 + cl + hold + op + rng.uniform(0.05, 0.15)  # double blink
            e = tl.env(t1, cl, hold, op); tb.add("close", S, e, amp)
            blinks.append({"start_s": round(float(t1), 3), "source": "planted"})
    blinks.sort(key=lambda b: b["start_s"])
    for ch in tl.c:
        tl.c[ch] = np.clip(np.maximum(tb.c[ch], tl.c[ch]) if events_on else tb.c[ch], 0, 1)
    events.sort(key=lambda e: e["start_s"])
    return tl, fmap, events, blinks, voluntary


# ----------------------------------------------------------------------------- rendering
def _affine_pts(M, p):
    return p @ M[:, :2].T + M[:, 2]


def eye_warp(img, lm, s, close, low, rip_amp, rip_phase, lid):
    e = EYE[s]
    po, pi_, pu, pl = lm[e["out"]], lm[e["inn"]], lm[e["up"]], lm[e["lo"]]
    c = (po + pi_) / 2; hw = np.linalg.norm(pi_ - po) / 2
    if hw < 3:
        return
    e1 = (pi_ - po) / (2 * hw); e2 = np.array([-e1[1], e1[0]])
    if e2[1] < 0:
        e2 = -e2
    vu, vl = float((pu - c) @ e2), float((pl - c) @ e2)
    H = max(vl - vu, 1.0)
    R = int(hw * 1.6) + 4
    x0, y0 = int(c[0]) - R, int(c[1] - R)
    x1, y1 = int(c[0]) + R, int(c[1] + R)
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    dx, dy = xs - c[0], ys - c[1]
    u = (dx * e1[0] + dy * e1[1]) / hw
    v = dx * e2[0] + dy * e2[1]
    prof = np.clip(1 - u * u, 0, None)
    vuu, vll = vu * prof, vl * prof
    src_v = v.copy()
    if close > 0.002:
        K = 1.1 * H
        op = (vll - vuu)
        D = close * op * (1 - 0.15 * (1 + low))
        Lr = close * op * 0.15 * (1 + low)
        vtop = vuu - K
        m1 = (v >= vtop) & (v < vuu + D)
        src_v = np.where(m1, vtop + (v - vtop) * (vuu - vtop) / (vuu + D - vtop), src_v)
        vbot = vll + 0.9 * K
        m2 = (v > vll - Lr) & (v <= vbot)
        src_v = np.where(m2, vbot - (vbot - v) * (vbot - vll) / (vbot - (vll - Lr) + 1e-6), src_v)
    if rip_amp > 0.001:
        ref = vll if lid == "lower_lid" else vuu
        sig = 0.45 * H
        wgt = np.exp(-((v - ref) / sig) ** 2) * np.clip(1.2 - np.abs(u), 0, 1) ** 1.5
        wave = 0.65 * np.sin(2 * np.pi * 0.9 * u - rip_phase[0]) + 0.35 * np.sin(2 * np.pi * 1.7 * u + rip_phase[1])
        src_v = src_v + rip_amp * 2 * hw * wave * wgt
    src_u = u * hw
    mx = (c[0] + src_u * e1[0] + src_v * e2[0]).astype(np.float32)
    my = (c[1] + src_u * e1[1] + src_v * e2[1]).astype(np.float32)
    img[y0:y1, x0:x1] = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def flow_warp(img, lm, acts):
    """acts: list of (point, displacement vector, radius) in image px"""
    if not acts:
        return
    h, w = img.shape[:2]
    pts = np.array([a[0] for a in acts]); rad = max(a[2] for a in acts)
    x0, y0 = np.maximum(pts.min(0) - 2.5 * rad, 0).astype(int)
    x1, y1 = np.minimum(pts.max(0) + 2.5 * rad, [w, h]).astype(int)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    fx = np.zeros_like(xs); fy = np.zeros_like(xs)
    for p, d, r in acts:
        g = np.exp(-((xs - p[0]) ** 2 + (ys - p[1]) ** 2) / (2 * r * r))
        fx += d[0] * g; fy += d[1] * g
    img[y0:y1, x0:x1] = cv2.remap(img, xs - fx, ys - fy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def apply_actions(img, lm, tl, i, lid, phases, with_events=True):
    ec = {s: (lm[EYE[s]["out"]] + lm[EYE[s]["inn"]]) / 2 for s in "RL"}
    iod = np.linalg.norm(ec["L"] - ec["R"])
    ex = (ec["L"] - ec["R"]) / iod; ey = np.array([-ex[1], ex[0]])
    if ey[1] < 0:
        ey = -ey
    lat = {"R": (ec["R"] - ec["L"]) / iod, "L": ex}
    acts = []
    g = lambda ch, s: float(tl.c[(ch, s)][i])
    for s in "RL":
        if g("brow_up", s) > 0.005:
            for k in BROW[s]:
                acts.append((lm[k], -ey * 0.07 * iod * g("brow_up", s), 0.22 * iod))
        if g("brow_down", s) > 0.005:
            acts.append((lm[BROW_MED[s]], (ey * 0.05 - lat[s] * 0.03) * iod * g("brow_down", s), 0.2 * iod))
        if g("cheek", s) > 0.005:
            acts.append((lm[CHEEK[s]], -ey * 0.05 * iod * g("cheek", s), 0.25 * iod))
        if g("mouth", s) > 0.005:
            acts.append((lm[MOUTH[s]], (lat[s] * 0.06 - ey * 0.06) * iod * g("mouth", s), 0.2 * iod))
        if g("pucker", s) > 0.005:
            acts.append((lm[MOUTH[s]], -lat[s] * 0.08 * iod * g("pucker", s), 0.2 * iod))
    flow_warp(img, lm, acts)
    for s in "RL":
        eye_warp(img, lm, s, g("close", s), g("low", s), g("rip", s), phases[s][:, i], lid)


def still_frame_maker(spec, cache_dir, rng, n):
    img = cv2.imread(os.path.join(cache_dir, spec["face"] + ".png"))
    lm0 = np.load(os.path.join(cache_dir, spec["face"] + "_lm.npy"))
    W, H, fps = spec["width"], spec["height"], spec["fps"]
    ec = [(lm0[EYE[s]["out"]] + lm0[EYE[s]["inn"]]) / 2 for s in "RL"]
    iod = np.linalg.norm(ec[1] - ec[0])
    ih, iw = img.shape[:2]
    cover = 1.03 * max(W / iw, H / ih)  # the frame must stay inside the photo
    scale = max(rng.uniform(0.2, 0.3) * min(W, H) / iod, cover)
    ctr = lm0[NOSE].copy()
    # clamp the centre so the output window lies inside the photo
    hx, hy = W / 2 / scale * 1.02, H / 2 / scale * 1.02
    ctr[0] = np.clip(ctr[0], hx, iw - hx) if iw > 2 * hx else iw / 2
    ctr[1] = np.clip(ctr[1] + 0.05 * iod, hy, ih - hy) if ih > 2 * hy else ih / 2
    tx = [smooth_noise(rng, n, fps, p) for p in (2.5, 2.5, 3.0, 4.0)]
    jit = [smooth_noise(rng, n, fps, 0.4) for _ in range(2)]
    def make(i):
        ang = 1.8 * tx[2][i] + 0.3 * jit[0][i]
        sc = scale * (1 + 0.015 * tx[3][i])
        M = cv2.getRotationMatrix2D((float(ctr[0]), float(ctr[1])), ang, sc)
        M[0, 2] += W / 2 - ctr[0] + 0.012 * W * tx[0][i] + 0.002 * W * jit[1][i]
        M[1, 2] += H * 0.5 - ctr[1] + 0.01 * H * tx[1][i]
        fr = cv2.warpAffine(img, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
        return fr, _affine_pts(M, lm0)
    return make


def footage_frame_maker(spec, cache_dir, rng, n, fmap):
    frames = np.load(os.path.join(cache_dir, spec["face"] + "_frames.npy"), mmap_mode="r")
    lms = np.load(os.path.join(cache_dir, spec["face"] + "_lm.npy"))
    W, H = spec["width"], spec["height"]
    med = np.median(lms[:, :, :], axis=0)
    x0, y0 = med.min(0); x1, y1 = med.max(0)
    fw, fh = x1 - x0, y1 - y0
    sh, sw = frames.shape[1:3]
    # crop of output aspect around the face; face height ~ 45-65% of crop height (limited by source)
    ch = min(fh / rng.uniform(0.45, 0.65), sh, sw * H / W)
    ch = max(ch, fh * 1.2)
    cw = ch * W / H
    cx = (x0 + x1) / 2; cy = (y0 + y1) / 2 - 0.05 * fh
    s = H / ch
    M = np.array([[s, 0, W / 2 - s * cx], [0, s, H / 2 - s * cy]], np.float32)
    def make(i):
        k = fmap[i]
        fr = cv2.warpAffine(np.asarray(frames[k]), M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
        return fr, _affine_pts(M, lms[k])
    return make


def render(spec, out_dir, cache_dir, cache, with_events=True, return_frames=False, frame_idx=None):
    sp = dict(spec)
    tl, fmap, events, blinks, vol = plan_clip(sp, cache_dir, cache, events_on=with_events)
    lid = sp.get("_lid", "lower_lid")
    rng = np.random.default_rng(spec["seed"] + 7)
    n = tl.n; fps = spec["fps"]; W, H = spec["width"], spec["height"]
    phases = {}
    for s in "RL":
        f = 5.0 + 1.5 * smooth_noise(rng, n, fps, 0.8)  # semirhythmic 3-8 Hz
        f = np.clip(f, 3, 8)
        p1 = np.cumsum(2 * np.pi * f / fps) + rng.uniform(0, 6.3)
        p2 = np.cumsum(2 * np.pi * (f * rng.uniform(0.8, 1.25)) / fps) + rng.uniform(0, 6.3)
        phases[s] = np.stack([p1, p2])
    if spec["base"] == "still":
        make = still_frame_maker(spec, cache_dir, rng, n)
    else:
        make = footage_frame_maker(spec, cache_dir, rng, n, fmap)
    # lighting drift + noise
    gain = 1 + rng.uniform(0.03, 0.08) * smooth_noise(rng, n, fps, rng.uniform(4, 10))
    off = rng.uniform(2, 6) * smooth_noise(rng, n, fps, rng.uniform(4, 10))
    sig = rng.uniform(1.0, 3.5)
    nrng = np.random.default_rng(spec["seed"] + 11)
    bank = []
    for _ in range(5):
        z = nrng.normal(0, sig, (H, W, 1)).astype(np.float32) + nrng.normal(0, sig * 0.5, (H, W, 3)).astype(np.float32)
        bank.append((np.clip(z, 0, 255).astype(np.uint8), np.clip(-z, 0, 255).astype(np.uint8)))
    out_frames = []
    cont = None
    if not return_frames:
        import av
        path = os.path.join(out_dir, spec["file"])
        cont = av.open(path, "w")
        if spec["codec"] == "vp9":
            st = cont.add_stream("libvpx-vp9", rate=fps)
            st.options = {"crf": str(int(rng.integers(30, 38))), "b": "0", "deadline": "realtime", "cpu-used": "8",
                          "row-mt": "1"}
        else:
            st = cont.add_stream("libx264", rate=fps)
            st.options = {"crf": str(int(rng.integers(21, 29))), "preset": "superfast"}
        st.width, st.height, st.pix_fmt = W, H, "yuv420p"
        st.thread_count = 1
    idx = range(n) if frame_idx is None else frame_idx
    for i in idx:
        fr, lm = make(i)
        apply_actions(fr, lm, tl, i, lid, phases)
        fr = cv2.convertScaleAbs(fr, alpha=float(gain[i]), beta=float(off[i]))
        pp, nn = bank[nrng.integers(len(bank))]
        fr = cv2.subtract(cv2.add(fr, pp), nn)
        if spec["flipped"]:
            fr = np.ascontiguousarray(fr[:, ::-1])
        if return_frames:
            out_frames.append(fr)
        else:
            import av
            yuv = cv2.cvtColor(fr, cv2.COLOR_BGR2YUV_I420)
            for pkt in st.encode(av.VideoFrame.from_ndarray(yuv, format="yuv420p")):
                cont.mux(pkt)
    if cont is not None:
        for pkt in st.encode():
            cont.mux(pkt)
        cont.close()
    return out_frames


def truth_entry(spec, cache_dir, cache):
    sp = dict(spec)
    tl, fmap, events, blinks, vol = plan_clip(sp, cache_dir, cache)
    flip = spec["flipped"]
    def fin(s):  # source anatomical side -> final anatomical side name
        if s in ("both", None):
            return s
        left = (s == "L") != flip
        return "left" if left else "right"
    img_side = {"left": "right", "right": "left", "both": "both", None: None}
    ev = []
    for e in events:
        fs = fin(e["side"])
        ev.append(dict(kind=e["kind"], start_s=round(float(e["start_s"]), 3), end_s=round(float(e["end_s"]), 3),
                       side=fs, image_side=img_side[fs], region=e["region"]))
    side = spec["side"]
    d = dict(id=spec["id"], file=spec["file"], disorder=spec["disorder"], side=side, image_side=img_side[side],
             flipped=flip, split=spec["split"], fps=spec["fps"], width=spec["width"], height=spec["height"],
             duration_s=spec["duration_s"], n_frames=tl.n, severity=spec["severity"],
             blink_rate_per_min=round(len(blinks) / spec["duration_s"] * 60, 2), n_blinks=len(blinks),
             base=spec["base"], face=spec["face"], codec=spec["codec"],
             container="webm" if spec["codec"] == "vp9" else "mp4", events=ev,
             blinks=[b["start_s"] for b in blinks],
             voluntary=[dict(kind=v["kind"], start_s=round(float(v["start_s"]), 3), end_s=round(float(v["end_s"]), 3))
                        for v in vol])
    if spec["disorder"] == "eyelid_myokymia":
        d["myokymia_lid"] = sp.get("_lid")
    return d


def _work(args):
    spec, out_dir, cache_dir, cache = args
    t = time.time()
    render(spec, out_dir, cache_dir, cache)
    return spec["id"], time.time() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    t0 = time.time()
    cache_dir = os.path.join(a.out, "cache")
    cache = build_cache(cache_dir)
    print(f"cache ready {time.time() - t0:.1f}s", flush=True)
    os.makedirs(os.path.join(a.out, "clips"), exist_ok=True)
    specs = plan_set(a.seed, cache)
    truth = [truth_entry(s, cache_dir, cache) for s in specs]
    json.dump(truth, open(os.path.join(a.out, "truth.json"), "w"), indent=1)
    only = set(x for x in a.only.split(",") if x)
    todo = [s for s in specs if not only or s["id"] in only]
    # longest first for better packing
    todo.sort(key=lambda s: -s["width"] * s["height"] * s["fps"] * s["duration_s"])
    jobs = [(s, a.out, cache_dir, cache) for s in todo]
    if a.jobs > 1:
        with ProcessPoolExecutor(a.jobs) as ex:
            for cid, dt in ex.map(_work, jobs):
                print(f"{cid} {dt:.1f}s", flush=True)
    else:
        for j in jobs:
            cid, dt = _work(j)
            print(f"{cid} {dt:.1f}s", flush=True)
    print(f"done: {len(todo)} clips in {time.time() - t0:.1f}s wall", flush=True)


if __name__ == "__main__":
    cv2.setNumThreads(1)
    main()
