#!/usr/bin/env python3
"""Blind evaluation set 11: 48 face videos with planted facial events.

usage: make_clips.py --out DIR [--seed N] [--jobs J] [--only v11_001,v11_007]

Renders DIR/clips/v11_XXX.{mp4,webm} and DIR/truth.json.  Deterministic for a seed
(truth.json is byte-identical for a seed; the pixels are deterministic too, the
encoder bitstream may differ only if the encoder library changes).
See README.md for how clips are made.
"""
import argparse, hashlib, json, math, os, sys, time
from fractions import Fraction

import numpy as np
import cv2

cv2.setNumThreads(1)
MEDIA = '/work/shared/media'
CLASSES = ['normal', 'frequent_blinking', 'eyelid_myokymia', 'hemifacial_spasm',
           'blepharospasm', 'synkinesis']
ONE_SIDED = {'eyelid_myokymia', 'hemifacial_spasm', 'synkinesis'}
# MediaPipe face-mesh indices, by the subject's anatomical side
# (R = subject's right = image left in an unmirrored frame).
IDX = {'R': dict(oc=33, ic=133, up=159, lo=145, brow=105, mbrow=107, mouth=61, cheek=50),
       'L': dict(oc=263, ic=362, up=386, lo=374, brow=334, mbrow=336, mouth=291, cheek=280)}
OPP = {'left': 'right', 'right': 'left', 'both': 'both', None: None}
SIDE_WORD = {'R': 'right', 'L': 'left'}

# ----------------------------------------------------------------------------- sources
STILLS = {  # name -> (file, selector for multi-face)
    'single_face_jpg': ('single_face.jpg', None),
    'multi_face_b': ('multi_face.jpg', 743),   # face centred near x=743
    'multi_face_c': ('multi_face.jpg', 583),   # face centred near x=583
    'astronaut': (None, None),
}
FOOTAGE = {'wolfgang_langer': 'WolfgangLanger_Pexels.mp4', 'single_face_mp4': 'single_face.mp4'}


def _lm_array(fl, W, H):
    return np.array([[q.x * W, q.y * H] for q in fl.landmark], np.float32)


def load_still(name):
    f, _ = STILLS[name]
    if f is None:
        from skimage import data
        return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    return cv2.imread(os.path.join(MEDIA, f))


def decode_footage(name):
    import av
    c = av.open(os.path.join(MEDIA, FOOTAGE[name]))
    s = c.streams.video[0]
    fps = float(s.average_rate)
    frames = [fr.to_ndarray(format='bgr24') for fr in c.decode(video=0)]
    c.close()
    return frames, fps


def build_cache(path):
    """Landmarks of every still face and every footage frame (MediaPipe legacy face mesh)."""
    if os.path.exists(path):
        return dict(np.load(path))
    import mediapipe as mp
    fm = mp.solutions.face_mesh
    out = {}
    with fm.FaceMesh(static_image_mode=True, max_num_faces=6, refine_landmarks=False,
                     min_detection_confidence=0.3) as m:
        for name, (f, sel) in STILLS.items():
            img = load_still(name)
            H, W = img.shape[:2]
            r = m.process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
            lms = [_lm_array(fl, W, H) for fl in r.multi_face_landmarks]
            if sel is not None:
                lms.sort(key=lambda a: abs(a[:, 0].mean() - sel))
            out['still_' + name] = lms[0]
    for name in FOOTAGE:
        frames, fps = decode_footage(name)
        H, W = frames[0].shape[:2]
        arr = np.full((len(frames), 468, 2), np.nan, np.float32)
        with fm.FaceMesh(static_image_mode=False, max_num_faces=1, refine_landmarks=False) as m:
            for i, fr in enumerate(frames):
                r = m.process(cv2.cvtColor(fr, cv2.COLOR_BGR2RGB))
                if r.multi_face_landmarks:
                    arr[i] = _lm_array(r.multi_face_landmarks[0], W, H)
        # fill gaps, light temporal smoothing
        ok = ~np.isnan(arr[:, 0, 0])
        idx = np.arange(len(arr))
        for j in range(468):
            for d in range(2):
                arr[:, j, d] = np.interp(idx, idx[ok], arr[ok, j, d])
        from scipy.ndimage import uniform_filter1d
        arr = uniform_filter1d(arr, 3, axis=0)
        out['foot_' + name] = arr
        out['fps_' + name] = np.array(fps)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.savez(path, **out)
    return out


def ear(lm):
    """eye aspect ratio per eye for landmarks (..., 468, 2) -> (..., 2) [R, L]"""
    res = []
    for s in 'RL':
        I = IDX[s]
        h = np.linalg.norm(lm[..., I['up'], :] - lm[..., I['lo'], :], axis=-1)
        w = np.linalg.norm(lm[..., I['oc'], :] - lm[..., I['ic'], :], axis=-1)
        res.append(h / w)
    return np.stack(res, -1)


def src_index(k, fps, src_fps, nsrc, name):
    """source frame for output frame k: footage is played forward then ping-ponged."""
    i = int(k / fps * src_fps)
    lo = 32 if name == 'single_face_mp4' else 0   # single_face.mp4: after the first pass,
    if i < nsrc:                                    # bounce in the part after its own blink
        return i
    span = nsrc - 1 - lo
    j = (i - (nsrc - 1)) % (2 * span)
    return nsrc - 1 - j if j <= span else lo + (j - span)


def footage_blinks(e, fps):
    """blinks in an EAR trace (mean of both eyes): short dips below the local baseline."""
    from scipy.ndimage import median_filter
    w = max(3, int(fps * 1.2) | 1)
    base = median_filter(e, w, mode='nearest')
    low = (e < 0.86 * base) & (base - e > 0.035)
    out, k = [], 0
    while k < len(e):
        if low[k]:
            j = k
            while j < len(e) and low[j]:
                j += 1
            if (j - k) / fps <= 0.5:
                m = k + int(np.argmin(e[k:j]))
                out.append((k / fps, j / fps, m / fps))
            k = j
        else:
            k += 1
    return out


# ----------------------------------------------------------------------------- timelines
def env(shape, t, t0, t1, rise=0.15, fall=0.2):
    """envelope in [0,1] over times t for an action between t0 and t1"""
    x = np.zeros_like(t)
    m = (t >= t0) & (t <= t1)
    if not m.any():
        return x
    tt = t[m]
    if shape == 'blink':        # fast close (35 %), slower reopening
        d = t1 - t0
        tc = t0 + 0.35 * d
        y = np.where(tt < tc, np.sin(0.5 * np.pi * (tt - t0) / (tc - t0)) ** 2,
                     np.cos(0.5 * np.pi * (tt - tc) / (t1 - tc)) ** 2)
    else:                       # plateau with smooth ramps
        r = min(rise, (t1 - t0) / 2)
        f = min(fall, (t1 - t0) / 2)
        y = np.ones_like(tt)
        a = tt < t0 + r
        y[a] = np.sin(0.5 * np.pi * (tt[a] - t0) / r) ** 2
        b = tt > t1 - f
        y[b] = np.cos(0.5 * np.pi * (tt[b] - (t1 - f)) / f) ** 2
    x[m] = y
    return x


def poisson_times(rng, rate_per_min, D, avoid=(), min_gap=0.9, start=0.4):
    """irregular event onsets whose count matches rate_per_min over the free time:
    jittered slots over the time not covered by `avoid`, with a refractory gap"""
    free = []
    t = start
    for a, b in sorted(avoid):
        if a - 0.6 > t:
            free.append((t, a - 0.6))
        t = max(t, b + 0.4)
    if D - 0.6 > t:
        free.append((t, D - 0.6))
    tot = sum(b - a for a, b in free)
    n = int(round(rate_per_min * D / 60.0 + rng.uniform(-0.5, 0.5)))
    if n <= 0 or tot <= 0:
        return []
    n = min(n, int(tot / min_gap))
    out, last = [], -9.0
    for j in range(n):
        x = (j + rng.uniform(0.1, 0.9)) * tot / n      # position in free time
        for a, b in free:
            if x <= b - a:
                tt = a + x
                break
            x -= b - a
        if tt - last >= min_gap:
            out.append(tt)
            last = tt
    return out


class TL:
    """a clip's timeline: actions on channels (by anatomical side of the source face)"""

    def __init__(self):
        self.acts = []      # (channel, side, shape, t0, t1, amp, rise, fall, disorder)
        self.myo = []       # (side, region, fascicle, t0, amp, disorder)
        self.blinks = []    # blink onset times (all blinks, for the rate)
        self.events = []    # truth events (anatomical side of source face)
        self.expr = []      # voluntary expressions (truth, informational)

    def add(self, ch, side, shape, t0, t1, amp, rise=0.15, fall=0.2, dis=False):
        sides = 'RL' if side == 'B' else side
        for s in sides:
            self.acts.append((ch, s, shape, float(t0), float(t1), float(amp), rise, fall, dis))

    def blink(self, rng, t0, dis=False, amp=None, dur=None):
        dur = dur if dur is not None else rng.uniform(0.2, 0.36)
        if amp is None:
            amp = rng.uniform(0.55, 0.75) if rng.random() < 0.1 else rng.uniform(0.92, 1.0)
        for s in 'RL':
            self.add('s', s, 'blink', t0, t0 + dur, min(1.0, amp + rng.uniform(-0.03, 0.03)), dis=dis)
        self.blinks.append(round(float(t0), 3))
        return dur

    def smile(self, rng, t0, dur, amp, dis=False, sides='B'):
        self.add('mouth_up', sides, 'plateau', t0, t0 + dur, amp, 0.35, 0.45, dis)
        self.add('r', sides, 'plateau', t0, t0 + dur, 0.12 * amp, 0.35, 0.45, dis)
        self.expr.append(dict(kind='smile', start_s=round(t0, 3), end_s=round(t0 + dur, 3)))


SEV_LIST = ['mild', 'mild', 'mild', 'moderate', 'moderate', 'moderate', 'marked', 'marked']


def make_timeline(rng, cls, sev, side, D, foot_blinks, foot_smiles, still):
    """side: anatomical side on the SOURCE face ('R'/'L') for one-sided classes."""
    tl = TL()
    fb = [(a, b) for a, b, _ in foot_blinks]
    nfb = len(foot_blinks)
    tl.blinks.extend(round(m, 3) for _, _, m in foot_blinks)

    def natural_blinks(rate, avoid=()):
        extra = max(0.0, rate - nfb * 60.0 / D)
        for t in poisson_times(rng, extra, D, avoid=list(fb) + list(avoid)):
            tl.blink(rng, t)

    def casual_smiles(avoid=()):
        if still and rng.random() < 0.6:
            for _ in range(rng.integers(1, 3)):
                t0 = rng.uniform(1.0, D - 4.0)
                if any(a - 1 < t0 < b + 1 for a, b in avoid):
                    continue
                tl.smile(rng, t0, rng.uniform(1.5, 3.5), rng.uniform(0.5, 1.0))

    if cls == 'normal':
        natural_blinks(rng.uniform(10, 20))
        casual_smiles()
    elif cls == 'frequent_blinking':
        rate = {'mild': (26, 31), 'moderate': (32, 40), 'marked': (42, 52)}[sev]
        rate = rng.uniform(*rate)
        extra = max(0.0, rate - nfb * 60.0 / D)
        for t in poisson_times(rng, extra, D, avoid=fb, min_gap=0.7):
            d = tl.blink(rng, t, dis=True)
            if rng.random() < 0.2 and t + d + 0.5 < D:   # occasional doublet
                tl.blink(rng, t + d + rng.uniform(0.08, 0.2), dis=True)
        tl.events.append(dict(kind='increased_blink_rate', start_s=0.0, end_s=D, side='both',
                              region='eyelids'))
        casual_smiles()
    elif cls == 'eyelid_myokymia':
        natural_blinks(rng.uniform(10, 20))
        region = 'upper_lid' if rng.random() < 0.25 else 'lower_lid'
        amp = {'mild': 0.010, 'moderate': 0.016, 'marked': 0.024}[sev]
        frac = {'mild': 0.22, 'moderate': 0.38, 'marked': 0.6}[sev]
        t = rng.uniform(0.5, 3.0)
        while t < D - 1.5:
            blen = rng.uniform(1.5, 6.0) * (1.5 if sev == 'marked' else 1.0)
            t1 = min(D - 0.3, t + blen)
            for fasc in (0, 1):          # two fascicles firing independently
                hz = rng.uniform(3, 8)
                tp = t + rng.uniform(0, 1 / hz)
                while tp < t1:
                    tl.myo.append((side, region, fasc, float(tp), float(amp * rng.uniform(0.55, 1.0)), True))
                    tp += (1 / hz) * rng.uniform(0.75, 1.3)
            tl.events.append(dict(kind='myokymia', start_s=round(t, 3), end_s=round(t1, 3), side=side,
                                  region=region))
            t = t1 + blen * (1 - frac) / frac * rng.uniform(0.6, 1.4)
        casual_smiles()
    elif cls == 'hemifacial_spasm':
        natural_blinks(rng.uniform(10, 20))
        spread = sev != 'mild'
        babinski = sev != 'mild' and rng.random() < 0.8
        t = rng.uniform(0.5, 2.5)
        gap = {'mild': (3.0, 8.0), 'moderate': (2.0, 6.0), 'marked': (1.0, 3.5)}[sev]
        while t < D - 1.0:
            tonic = (sev == 'marked' and rng.random() < 0.6) or (sev == 'moderate' and rng.random() < 0.25)
            if tonic:
                dur = rng.uniform(1.5, 4.0) if sev == 'marked' else rng.uniform(0.8, 1.6)
                dur = min(dur, D - 0.3 - t)
                sc = 0.97 if sev == 'marked' else rng.uniform(0.6, 0.85)
                tl.add('s', side, 'plateau', t, t + dur, sc, 0.12, 0.3, True)
                tl.add('r', side, 'plateau', t, t + dur, 0.25, 0.12, 0.3, True)
                tl.add('mouth_up', side, 'plateau', t, t + dur, 1.0 if sev == 'marked' else 0.6, 0.15, 0.3, True)
                tl.add('cheek_up', side, 'plateau', t, t + dur, 1.0 if sev == 'marked' else 0.6, 0.15, 0.3, True)
                if babinski:
                    tl.add('brow_up', side, 'plateau', t, t + dur, 0.8, 0.15, 0.3, True)
                kind, end = 'tonic_spasm', t + dur
            else:
                n = rng.integers(2, 7)
                tj = t
                for _ in range(n):
                    dj = rng.uniform(0.08, 0.2)
                    a = rng.uniform(0.6, 1.0)
                    if sev == 'mild':
                        tl.add('r', side, 'blink', tj, tj + dj, 0.35 * a, dis=True)
                        tl.add('s', side, 'blink', tj, tj + dj, 0.25 * a, dis=True)
                    else:
                        tl.add('r', side, 'blink', tj, tj + dj, 0.3 * a, dis=True)
                        tl.add('s', side, 'blink', tj, tj + dj, (0.55 if sev == 'moderate' else 0.75) * a, dis=True)
                        tl.add('mouth_up', side, 'blink', tj, tj + dj, 0.6 * a, dis=True)
                        tl.add('cheek_up', side, 'blink', tj, tj + dj, 0.6 * a, dis=True)
                        if babinski:
                            tl.add('brow_up', side, 'blink', tj, tj + dj, 0.6 * a, dis=True)
                    tj += dj + rng.uniform(0.05, 0.3)
                kind, end = 'clonic_burst', tj
            region = 'periocular' if not spread else ('periocular+perioral+brow' if babinski else 'periocular+perioral')
            tl.events.append(dict(kind=kind, start_s=round(t, 3), end_s=round(min(end, D), 3), side=side, region=region))
            t = end + rng.uniform(*gap)
        casual_smiles()
    elif cls == 'blepharospasm':
        rate = {'mild': (30, 38), 'moderate': (30, 40), 'marked': (34, 44)}[sev]   # all blinks, > 27/min
        spasms = []
        t = rng.uniform(1.0, 3.0)
        while t < D - 1.0:
            if sev == 'mild':       # fluttering, < 1 s, no sustained spasm
                n = rng.integers(2, 5)
                tj = t
                for _ in range(n):
                    dj = rng.uniform(0.1, 0.16)
                    tl.add('s', 'B', 'blink', tj, tj + dj, rng.uniform(0.5, 0.9), dis=True)
                    tl.blinks.append(round(float(tj), 3))
                    tj += dj + rng.uniform(0.0, 0.05)
                tl.add('brow_down', 'B', 'plateau', t, tj, 0.4, 0.1, 0.2, True)
                tl.events.append(dict(kind='eyelid_flutter', start_s=round(t, 3), end_s=round(tj, 3),
                                      side='both', region='eyelids'))
                spasms.append((t, tj))
                t = tj + rng.uniform(4.0, 11.0)
            else:
                dur = rng.uniform(1.1, 2.5) if sev == 'moderate' else rng.uniform(2.0, 6.0)
                dur = min(dur, D - 0.3 - t)
                for s in 'RL':   # bilateral, synchronous (tiny onset jitter)
                    j = rng.uniform(0, 0.03)
                    tl.add('s', s, 'plateau', t + j, t + dur, 0.98, 0.1, 0.25, True)
                    tl.add('r', s, 'plateau', t + j, t + dur, 0.0, 0.1, 0.25, True)
                    tl.add('brow_down', s, 'plateau', t + j, t + dur, 1.0, 0.15, 0.3, True)
                    tl.add('cheek_up', s, 'plateau', t + j, t + dur, 0.5 if sev == 'moderate' else 0.9, 0.15, 0.3, True)
                    if sev == 'marked':
                        tl.add('mouth_up', s, 'plateau', t + j, t + dur, 0.35, 0.2, 0.3, True)
                region = 'orbicularis_oculi+brow' if sev == 'moderate' else 'orbicularis_oculi+brow+midface'
                tl.events.append(dict(kind='blepharospasm_spasm', start_s=round(t, 3), end_s=round(t + dur, 3),
                                      side='both', region=region))
                spasms.append((t, t + dur))
                gap = rng.uniform(2.5, 7.0) if sev == 'moderate' else rng.uniform(1.5, 4.5)
                t = t + dur + gap
        r = rng.uniform(*rate)
        extra = max(8.0, r - len(tl.blinks) * 60.0 / D)
        for tb in poisson_times(rng, extra, D, avoid=fb + spasms, min_gap=0.7):
            tl.blink(rng, tb, dis=True)
        tl.events.append(dict(kind='increased_blink_rate', start_s=0.0, end_s=D, side='both', region='eyelids'))
    elif cls == 'synkinesis':
        natural_blinks(rng.uniform(10, 20))
        narrow = {'mild': (0.2, 0.3), 'moderate': (0.4, 0.55), 'marked': (0.65, 0.8)}[sev]
        mouth = {'mild': 0.25, 'moderate': 0.45, 'marked': 0.7}[sev]
        rest = {'mild': 0.05, 'moderate': 0.08, 'marked': 0.12}[sev]
        tl.add('s', side, 'plateau', 0.0, D, rest, 0.01, 0.01, True)
        tl.events.append(dict(kind='resting_fissure_narrowing', start_s=0.0, end_s=D, side=side, region='eye'))
        vol = list(foot_smiles)     # the footage's own smiles
        if still:
            t = rng.uniform(1.0, 3.0)
            while t < D - 3.0:
                dur = rng.uniform(1.5, 3.0)
                if rng.random() < 0.7:
                    other = 'L' if side == 'R' else 'R'
                    amp = rng.uniform(0.7, 1.0)
                    tl.add('mouth_up', other, 'plateau', t, t + dur, amp, 0.35, 0.45)
                    tl.add('mouth_up', side, 'plateau', t, t + dur, amp * 0.8, 0.35, 0.45)  # residual weakness
                    tl.add('r', 'B', 'plateau', t, t + dur, 0.1 * amp, 0.35, 0.45)
                    tl.expr.append(dict(kind='smile', start_s=round(t, 3), end_s=round(t + dur, 3)))
                else:
                    tl.add('mouth_in', 'B', 'plateau', t, t + dur, rng.uniform(0.7, 1.0), 0.3, 0.4)
                    tl.expr.append(dict(kind='lip_pucker', start_s=round(t, 3), end_s=round(t + dur, 3)))
                vol.append((t, t + dur))
                t += dur + rng.uniform(2.5, 6.0)
        for a, b in vol:   # oral-ocular synkinesis: eye narrows with the voluntary mouth movement
            n = rng.uniform(*narrow)
            tl.add('s', side, 'plateau', a + 0.1, b, n * 0.65, 0.3, 0.4, True)
            tl.add('r', side, 'plateau', a + 0.1, b, n * 0.35, 0.3, 0.4, True)
            tl.events.append(dict(kind='oral_ocular_synkinesis', start_s=round(a + 0.1, 3), end_s=round(b, 3),
                                  side=side, region='eye'))
        # ocular-oral synkinesis: mouth corner pulls up with each blink / eye closure
        allb = sorted(tl.blinks)
        if sev != 'mild':   # voluntary firm eye closures
            for _ in range(rng.integers(1, 3)):
                t0 = rng.uniform(1.0, D - 3.0)
                if any(a - 0.8 < t0 < b + 0.8 for a, b in vol):
                    continue
                dur = rng.uniform(1.0, 2.0)
                tl.add('s', 'B', 'plateau', t0, t0 + dur, 0.97, 0.15, 0.25)
                tl.expr.append(dict(kind='eye_closure', start_s=round(t0, 3), end_s=round(t0 + dur, 3)))
                tl.add('mouth_up', side, 'plateau', t0 + 0.05, t0 + dur, mouth, 0.15, 0.25, True)
                tl.add('cheek_up', side, 'plateau', t0 + 0.05, t0 + dur, mouth * 0.6, 0.15, 0.25, True)
                tl.events.append(dict(kind='ocular_oral_synkinesis', start_s=round(t0 + 0.05, 3),
                                      end_s=round(t0 + dur, 3), side=side, region='mouth'))
        for tb in allb:
            tl.add('mouth_up', side, 'blink', tb, tb + 0.4, mouth * 0.8, dis=True)
            tl.events.append(dict(kind='ocular_oral_synkinesis', start_s=round(tb, 3), end_s=round(tb + 0.4, 3),
                                  side=side, region='mouth'))
    tl.blinks.sort()
    return tl


# ----------------------------------------------------------------------------- specs
def sha(s):
    return hashlib.sha256(s.encode()).hexdigest()


def make_specs(seed, cache):
    rng = np.random.default_rng(seed)
    n = 48
    ids = ['v11_%03d' % (i + 1) for i in range(n)]
    cls = np.repeat(CLASSES, 8)
    rng.shuffle(cls)
    # footage for 16 clips (2-3 per class)
    foot_ids = set()
    for c in CLASSES:
        mine = [i for i in range(n) if cls[i] == c]
        k = 3 if c in ('normal', 'hemifacial_spasm', 'synkinesis', 'eyelid_myokymia') else 2
        foot_ids.update(rng.choice(mine, k, replace=False).tolist())
    foot_order = sorted(foot_ids)
    foot_face = {i: ('single_face_mp4' if j % 4 == 3 else 'wolfgang_langer') for j, i in enumerate(
        [foot_order[q] for q in rng.permutation(len(foot_order))])}
    still_faces = ['single_face_jpg', 'multi_face_b', 'multi_face_c', 'astronaut']
    # formats
    res_pool = [(426, 240)] * 10 + [(640, 360)] * 13 + [(854, 480)] * 9 + [(1280, 720)] * 6 + \
               [(360, 640)] * 6 + [(480, 854)] * 4
    res_pool = [res_pool[q] for q in rng.permutation(n)]
    webm = set(rng.choice([i for i in range(n) if res_pool[i][0] * res_pool[i][1] <= 854 * 480], 7,
                          replace=False).tolist())
    flipped = set(rng.choice(n, 12, replace=False).tolist())
    per_class = {c: [i for i in range(n) if cls[i] == c] for c in CLASSES}
    sev_of, side_of = {}, {}
    for c, mine in per_class.items():
        sv = list(SEV_LIST)
        rng.shuffle(sv)
        sd = ['left'] * 4 + ['right'] * 4
        rng.shuffle(sd)
        for j, i in enumerate(mine):
            sev_of[i] = sv[j] if c != 'normal' else None
            side_of[i] = sd[j] if c in ONE_SIDED else ('both' if c == 'blepharospasm' else None)
    split = {}
    for c, mine in per_class.items():
        order = sorted(mine, key=lambda i: sha('%d:%s' % (seed, ids[i])))
        for j, i in enumerate(order):
            split[i] = 'dev' if j < 4 else 'locked'
    specs = []
    si = 0
    for i in range(n):
        crng = np.random.default_rng([seed, i])
        W, H = res_pool[i]
        big = W * H >= 1280 * 720 or (W * H >= 480 * 854)
        fps_choices = [Fraction(24), Fraction(25), Fraction(30), Fraction(30000, 1001)]
        if W * H <= 640 * 360 and i not in webm:
            fps_choices += [Fraction(48), Fraction(50), Fraction(60)]
        fps = fps_choices[crng.integers(len(fps_choices))]
        D = float(crng.uniform(12, 15 if big else 22))
        foot = i in foot_ids
        if foot:
            face = foot_face[i]
        else:
            face = still_faces[si % 4]
            si += 1
        if face in ('multi_face_b', 'multi_face_c', 'astronaut') and W * H > 854 * 480:
            face = 'single_face_jpg'     # tiny faces are not blown up to 720p
        nfr = int(round(D * float(fps)))
        D = nfr / float(fps)
        # footage blinks / smiles in clip time
        fb, fsm = [], []
        if foot:
            lm = cache['foot_' + face]
            sfps = float(cache['fps_' + face])
            seq = [src_index(k, float(fps), sfps, len(lm), face) for k in range(nfr)]
            e = ear(lm[seq]).mean(-1)
            fb = footage_blinks(e, float(fps))
            mw = np.linalg.norm(lm[seq, 61] - lm[seq, 291], axis=-1) / np.linalg.norm(
                lm[seq, 33] - lm[seq, 263], axis=-1)
            base = np.percentile(mw, 15)
            sm = mw > base * 1.12
            k = 0
            while k < nfr:
                if sm[k]:
                    j = k
                    while j < nfr and sm[j]:
                        j += 1
                    if (j - k) / float(fps) >= 0.6:
                        fsm.append((k / float(fps), j / float(fps)))
                    k = j
                else:
                    k += 1
        flip = i in flipped
        fside = side_of[i]
        src_side = None
        if fside in ('left', 'right'):
            s_src = OPP[fside] if flip else fside       # side on the source face
            src_side = 'R' if s_src == 'right' else 'L'
        tl = make_timeline(crng, cls[i], sev_of[i], src_side, D, fb, fsm, not foot)
        for ev in tl.events:
            if ev['side'] in ('R', 'L'):
                s = SIDE_WORD[ev['side']]
                ev['side'] = OPP[s] if flip else s
        ext = 'webm' if i in webm else 'mp4'
        truth = dict(
            id=ids[i], file='clips/%s.%s' % (ids[i], ext), disorder=str(cls[i]), side=fside,
            image_side=OPP[fside] if fside in ('left', 'right') else fside, flipped=flip,
            split=split[i], fps=round(float(fps), 3), width=W, height=H, duration_s=round(D, 3),
            n_frames=nfr, severity=sev_of[i],
            blink_rate_per_min=round(len(tl.blinks) * 60.0 / D, 2), base='footage' if foot else 'still',
            face=face, codec='vp9' if ext == 'webm' else 'h264', events=tl.events,
            blink_times_s=tl.blinks, footage_blink_times_s=[round(m, 3) for _, _, m in fb],
            voluntary_expressions=tl.expr + [dict(kind='footage_smile', start_s=round(a, 3), end_s=round(b, 3))
                                             for a, b in fsm])
        spec = dict(i=i, id=ids[i], W=W, H=H, fps=fps, nfr=nfr, face=face, foot=foot, flip=flip,
                    ext=ext, acts=tl.acts, myo=tl.myo, crf=int(crng.integers(21, 31)),
                    vpx_crf=int(crng.integers(30, 40)), face_frac=float(crng.uniform(0.38, 0.55)),
                    nseed=[seed, i, 7])
        specs.append((spec, truth))
    return specs


# ----------------------------------------------------------------------------- rendering
def crop_affine(lm_ref, img_w, img_h, W, H, frac):
    x0, y0 = lm_ref.min(0)
    x1, y1 = lm_ref.max(0)
    fw = x1 - x0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 - 0.05 * (y1 - y0)
    cw = fw / frac
    ch = cw * H / W
    if ch > img_h:
        ch = img_h
        cw = ch * W / H
    if cw > img_w:
        cw = img_w
        ch = cw * H / W
    ox = min(max(cx - cw / 2, 0), img_w - cw)
    oy = min(max(cy - ch / 2, 0), img_h - ch)
    s = W / cw
    return np.array([[s, 0, -ox * s], [0, s, -oy * s]], np.float32)


def channel_arrays(spec, disorder=True):
    fps = float(spec['fps'])
    n = spec['nfr']
    t = np.arange(n) / fps
    ch = {}
    for (c, s, shape, t0, t1, amp, rise, fall, dis) in spec['acts']:
        if dis and not disorder:
            continue
        key = (c, s)
        e = env(shape, t, t0, t1, rise, fall) * amp
        ch[key] = np.maximum(ch.get(key, 0), e)
    myo = {}
    for (s, region, fasc, t0, amp, dis) in spec['myo']:
        if dis and not disorder:
            continue
        key = (s, region, fasc)
        e = env('blink', t, t0, t0 + 0.09) * amp
        myo[key] = np.maximum(myo.get(key, 0), e)
    return ch, myo


def _gauss(dx, dy, X0, Y0, p, sig, m):
    h, w = dx.shape
    r = 3 * sig
    xa, xb = int(max(0, p[0] - r - X0)), int(min(w, p[0] + r - X0 + 1))
    ya, yb = int(max(0, p[1] - r - Y0)), int(min(h, p[1] + r - Y0 + 1))
    if xa >= xb or ya >= yb:
        return
    xs = (np.arange(xa, xb, dtype=np.float32) + X0 - p[0]) ** 2
    ys = (np.arange(ya, yb, dtype=np.float32) + Y0 - p[1]) ** 2
    G = np.exp(-(ys[:, None] + xs[None, :]) / (2 * sig * sig))
    dx[ya:yb, xa:xb] -= m[0] * G
    dy[ya:yb, xa:xb] -= m[1] * G


def _eye(dx, dy, X0, Y0, lm, side, s, r):
    I = IDX[side]
    c1, c2 = lm[I['oc']], lm[I['ic']]
    U, L = lm[I['up']], lm[I['lo']]
    O = (c1 + c2) / 2
    eu = (c2 - c1) / (np.linalg.norm(c2 - c1) + 1e-6)
    ev = np.array([-eu[1], eu[0]], np.float32)
    if np.dot(L - U, ev) < 0:
        ev = -ev
    w = np.linalg.norm(c2 - c1) / 2 * 1.08
    vU, vL = float(np.dot(U - O, ev)), float(np.dot(L - O, ev))
    G = max(vL - vU, 1.0)
    tot = s + r
    if tot > 0.97:
        s, r = s * 0.97 / tot, r * 0.97 / tot
    vtop, vbot = vU - 1.7 * G, vL + 1.3 * G
    # bounding box of the affected eye region
    pts = np.array([O + a * eu + b * ev for a in (-w, w) for b in (vtop, vbot)])
    xa, ya = np.floor(pts.min(0)).astype(int) - 1
    xb, yb = np.ceil(pts.max(0)).astype(int) + 2
    h, wd = dx.shape
    xa, xb = max(xa - X0, 0), min(xb - X0, wd)
    ya, yb = max(ya - Y0, 0), min(yb - Y0, h)
    if xa >= xb or ya >= yb:
        return
    X, Y = np.meshgrid(np.arange(xa, xb, dtype=np.float32) + X0 - O[0],
                       np.arange(ya, yb, dtype=np.float32) + Y0 - O[1])
    u = X * eu[0] + Y * eu[1]
    v = X * ev[0] + Y * ev[1]
    b = np.sqrt(np.clip(1 - (u / w) ** 2, 0, 1))
    vu, vl = vU * b, vL * b
    g = (vl - vu)
    vu2, vl2 = vu + s * g, vl - r * g
    src = v.copy()
    m1 = (v >= vtop) & (v < vu2)
    src[m1] = (vtop + (v - vtop) * (vu - vtop) / np.maximum(vu2 - vtop, 1e-3))[m1]
    m2 = (v >= vu2) & (v <= vl2)
    src[m2] = (vu + (v - vu2) * (vl - vu) / np.maximum(vl2 - vu2, 1e-3))[m2]
    m3 = (v > vl2) & (v <= vbot)
    src[m3] = (vbot - (vbot - v) * (vbot - vl) / np.maximum(vbot - vl2, 1e-3))[m3]
    d = src - v
    dx[ya:yb, xa:xb] += d * ev[0]
    dy[ya:yb, xa:xb] += d * ev[1]


def deform(img, lm, vals, myo):
    """vals: {(channel, side): value}; myo: {(side, region, fasc): value}; backward-warp the face."""
    if not vals and not myo:
        return img
    H, W = img.shape[:2]
    iod = float(np.linalg.norm(lm[[33, 133]].mean(0) - lm[[263, 362]].mean(0)))
    x0, y0 = lm.min(0)
    x1, y1 = lm.max(0)
    mx, my = 0.25 * (x1 - x0), 0.15 * (y1 - y0)
    X0, Y0 = int(max(0, x0 - mx)), int(max(0, y0 - my))
    X1, Y1 = int(min(W, x1 + mx)), int(min(H, y1 + my))
    if X1 - X0 < 4 or Y1 - Y0 < 4:
        return img
    dx = np.zeros((Y1 - Y0, X1 - X0), np.float32)
    dy = np.zeros_like(dx)
    down = lm[152] - lm[10]
    down = down / (np.linalg.norm(down) + 1e-6)
    up = -down
    mc = (lm[61] + lm[291]) / 2
    for s in 'RL':
        I = IDX[s]
        sv, rv = vals.get(('s', s), 0.0), vals.get(('r', s), 0.0)
        if sv > 1e-3 or rv > 1e-3:
            _eye(dx, dy, X0, Y0, lm, s, sv, rv)
        a = vals.get(('brow_up', s), 0.0)
        if a > 1e-3:
            _gauss(dx, dy, X0, Y0, lm[I['brow']] + up * 0.08 * iod, 0.22 * iod, up * 0.07 * iod * a)
        a = vals.get(('brow_down', s), 0.0)
        if a > 1e-3:
            med = lm[168] - lm[I['mbrow']]
            med = med / (np.linalg.norm(med) + 1e-6)
            _gauss(dx, dy, X0, Y0, lm[I['mbrow']], 0.16 * iod, (down * 0.05 + med * 0.03) * iod * a)
        corner = lm[I['mouth']]
        out = corner - mc
        out = out / (np.linalg.norm(out) + 1e-6)
        a = vals.get(('mouth_up', s), 0.0)
        if a > 1e-3:
            _gauss(dx, dy, X0, Y0, corner, 0.2 * iod, (up * 0.065 + out * 0.06) * iod * a)
            _gauss(dx, dy, X0, Y0, lm[I['cheek']], 0.25 * iod, up * 0.025 * iod * a)
        a = vals.get(('mouth_in', s), 0.0)
        if a > 1e-3:
            _gauss(dx, dy, X0, Y0, corner, 0.17 * iod, -out * 0.08 * iod * a)
        a = vals.get(('cheek_up', s), 0.0)
        if a > 1e-3:
            _gauss(dx, dy, X0, Y0, lm[I['cheek']], 0.25 * iod, up * 0.045 * iod * a)
    for (s, region, fasc), a in myo.items():
        if a < 1e-4:
            continue
        I = IDX[s]
        c1, c2 = lm[I['oc']], lm[I['ic']]
        O = (c1 + c2) / 2
        eu = (c2 - c1) / (np.linalg.norm(c2 - c1) + 1e-6)
        w = np.linalg.norm(c2 - c1) / 2
        uo = (-0.35 if fasc == 0 else 0.3) * w
        if region == 'lower_lid':
            p = O + uo * eu + down * (np.dot(lm[I['lo']] - O, down) + 0.02 * iod)
            m = up * a * iod
        else:
            p = O + uo * eu + down * (np.dot(lm[I['up']] - O, down) - 0.03 * iod)
            m = down * a * iod
        _gauss(dx, dy, X0, Y0, p, 0.32 * w, m)
    gx, gy = np.meshgrid(np.arange(X0, X1, dtype=np.float32), np.arange(Y0, Y1, dtype=np.float32))
    outimg = img.copy()
    outimg[Y0:Y1, X0:X1] = cv2.remap(img, gx + dx, gy + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    return outimg


def smooth_noise(rng, n, fps, sd, fc=0.3):
    """slow random walk-like signal (low-passed noise), unit-ish amplitude * sd"""
    from scipy.ndimage import gaussian_filter1d
    x = gaussian_filter1d(rng.normal(0, 1, n + 200), sigma=float(fps) / fc / 6, mode='wrap')[100:100 + n]
    x = x / (x.std() + 1e-9)
    return x * sd


def render_frames(spec, cache, disorder=True):
    """generator of final BGR frames (uint8) for a clip"""
    W, H, n = spec['W'], spec['H'], spec['nfr']
    fps = float(spec['fps'])
    face = spec['face']
    ch, myo = channel_arrays(spec, disorder)
    nrng = np.random.default_rng(spec['nseed'])      # nuisance only: independent of events
    if spec['foot']:
        frames, sfps = decode_footage(face)
        lms = cache['foot_' + face]
        A = crop_affine(np.nanmedian(lms, 0), frames[0].shape[1], frames[0].shape[0], W, H, spec['face_frac'])
        seq = [src_index(k, fps, sfps, len(frames), face) for k in range(n)]
        jit = 0.3
    else:
        src = load_still(face)
        slm = cache['still_' + face]
        A = crop_affine(slm, src.shape[1], src.shape[0], W, H, spec['face_frac'])
        jit = 1.0
    A3 = np.vstack([A, [0, 0, 1]]).astype(np.float64)
    # nuisance: head motion (stills: full; footage: tiny extra camera shake), lighting, noise
    rot = smooth_noise(nrng, n, fps, 1.2 * jit)            # degrees
    tx = smooth_noise(nrng, n, fps, 0.012 * W * jit)
    ty = smooth_noise(nrng, n, fps, 0.010 * H * jit)
    sc = 1 + smooth_noise(nrng, n, fps, 0.012 * jit)
    gain = 1 + smooth_noise(nrng, n, fps, 0.05, fc=0.1)
    tint = nrng.uniform(-0.03, 0.03, 3)
    tint_t = smooth_noise(nrng, n, fps, 1.0, fc=0.05)
    sigma = nrng.uniform(1.5, 4.0)
    bank = [nrng.normal(0, sigma, (H, W, 3)) for _ in range(4)]
    bank = [(np.clip(b, 0, 255).astype(np.uint8), np.clip(-b, 0, 255).astype(np.uint8)) for b in bank]
    ramp = np.arange(256, dtype=np.float32)
    chkeys = list(ch.keys())
    myokeys = list(myo.keys())
    for k in range(n):
        if spec['foot']:
            src = frames[seq[k]]
            slm = lms[seq[k]]
        vals = {key: float(ch[key][k]) for key in chkeys if ch[key][k] > 1e-3}
        mv = {key: float(myo[key][k]) for key in myokeys if myo[key][k] > 1e-4}
        im = deform(src, slm, vals, mv)          # face deformation in source pixels
        c = slm.mean(0) @ A[:, :2].T + A[:, 2]
        M = cv2.getRotationMatrix2D((float(c[0]), float(c[1])), float(rot[k]), float(sc[k]))
        M[0, 2] += tx[k]
        M[1, 2] += ty[k]
        Mt = (np.vstack([M, [0, 0, 1]]) @ A3)[:2]
        im = cv2.warpAffine(im, Mt, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        g = gain[k] * (1 + tint * tint_t[k])
        lut = np.clip(ramp[:, None] * g[None, :].astype(np.float32), 0, 255).astype(np.uint8).reshape(256, 1, 3)
        im = cv2.LUT(im, lut)
        p, q = bank[(k * 7 + (k // 3)) % 4]
        im = cv2.subtract(cv2.add(im, p), q)
        if spec['flip']:
            im = cv2.flip(im, 1)
        yield im


def render_clip(args):
    spec, out_dir, cache_path = args
    import av
    cache = dict(np.load(cache_path))
    t0 = time.time()
    path = os.path.join(out_dir, 'clips', '%s.%s' % (spec['id'], spec['ext']))
    tmp = path + '.part.' + spec['ext']
    c = av.open(tmp, 'w')
    if spec['ext'] == 'mp4':
        st = c.add_stream('libx264', rate=spec['fps'])
        st.options = {'crf': str(spec['crf']), 'preset': 'superfast', 'threads': '1'}
    else:
        st = c.add_stream('libvpx-vp9', rate=spec['fps'])
        st.options = {'crf': str(spec['vpx_crf']), 'b': '0', 'deadline': 'realtime', 'cpu-used': '8',
                      'threads': '1', 'row-mt': '0'}
    st.width, st.height, st.pix_fmt = spec['W'], spec['H'], 'yuv420p'
    for im in render_frames(spec, cache):
        fr = av.VideoFrame.from_ndarray(im, format='bgr24')
        for p in st.encode(fr):
            c.mux(p)
    for p in st.encode():
        c.mux(p)
    c.close()
    os.replace(tmp, path)
    return spec['id'], time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=11)
    ap.add_argument('--jobs', type=int, default=1)
    ap.add_argument('--only', default='')
    a = ap.parse_args()
    t0 = time.time()
    os.makedirs(os.path.join(a.out, 'clips'), exist_ok=True)
    cache_path = os.path.join(a.out, '_cache', 'landmarks.npz')
    cache = build_cache(cache_path)
    specs = make_specs(a.seed, cache)
    only = set(x.strip() for x in a.only.split(',') if x.strip())
    todo = [(s, a.out, cache_path) for s, _ in specs if not only or s['id'] in only]
    # biggest first for better packing
    todo.sort(key=lambda x: -x[0]['W'] * x[0]['H'] * x[0]['nfr'] * (3 if x[0]['ext'] == 'webm' else 1))
    print('prepared %d specs in %.1fs' % (len(specs), time.time() - t0), flush=True)
    if a.jobs > 1:
        import multiprocessing as mp
        with mp.get_context('fork').Pool(a.jobs) as pool:
            for cid, dt in pool.imap_unordered(render_clip, todo):
                print('%s %.1fs' % (cid, dt), flush=True)
    else:
        for x in todo:
            cid, dt = render_clip(x)
            print('%s %.1fs' % (cid, dt), flush=True)
    truth = [t for s, t in specs if not only or s['id'] in only]
    with open(os.path.join(a.out, 'truth.json'), 'w') as f:
        json.dump(truth, f, indent=1)
    print('done: %d clips in %.1fs wall' % (len(todo), time.time() - t0), flush=True)


if __name__ == '__main__':
    main()
