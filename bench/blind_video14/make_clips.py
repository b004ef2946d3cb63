#!/usr/bin/env python
"""Blind evaluation set 14: face videos with planted facial events.

Usage: make_clips.py --out DIR [--seed N] [--jobs J] [--only v14_001,v14_002]
Writes DIR/clips/*.mp4|*.webm and DIR/truth.json.  Deterministic for a seed.
"""
import argparse, hashlib, json, os, sys, time
from concurrent.futures import ProcessPoolExecutor
import numpy as np
import cv2

MEDIA = '/work/shared/media'
CLASSES = ['normal', 'frequent_blinking', 'eyelid_myokymia', 'hemifacial_spasm', 'blepharospasm', 'synkinesis']
ONE_SIDED = {'eyelid_myokymia', 'hemifacial_spasm', 'synkinesis'}
SEVERITY_CLASSES = {'eyelid_myokymia', 'hemifacial_spasm', 'blepharospasm', 'synkinesis'}
OPP = {'left': 'right', 'right': 'left', 'both': 'both', None: None}

# face-mesh landmark groups, per anatomical side of the subject in the source image
LMS = {
    'R': dict(outer=33, inner=133, up=159, lo=145, brow=[70, 63, 105, 66, 107], mouth=61, cheek=205),
    'L': dict(outer=263, inner=362, up=386, lo=374, brow=[300, 293, 334, 296, 336], mouth=291, cheek=425),
}
FOOTAGE = {
    'wolfgang': 'WolfgangLanger_Pexels.mp4',
    'single_face_video': 'single_face.mp4',
    'jefapato': 'jefapato_2sec.mp4',
}
# still faces: (source, centre of crop for detection, max output height)
STILLS = {
    'single_face_photo': ('single_face.jpg', None, 1280),
    'astronaut': ('astronaut', None, 1280),
    'group_a': ('multi_face.jpg', (362, 294), 854),
    'group_b': ('multi_face.jpg', (475, 250), 854),
    'group_c': ('multi_face.jpg', (581, 375), 854),
    'group_d': ('multi_face.jpg', (737, 356), 854),
}


# ----------------------------------------------------------------------------- media + landmarks
def load_image(name):
    if name == 'astronaut':
        from skimage import data
        return np.ascontiguousarray(data.astronaut()[:, :, ::-1])
    return cv2.imread(os.path.join(MEDIA, name))


def decode_video(name, max_w=960):
    import av
    frames = []
    with av.open(os.path.join(MEDIA, name)) as c:
        s = c.streams.video[0]
        fps = float(s.average_rate)
        for fr in c.decode(s):
            im = fr.to_ndarray(format='bgr24')
            if im.shape[1] > max_w:
                im = cv2.resize(im, (max_w, int(round(im.shape[0] * max_w / im.shape[1]))), interpolation=cv2.INTER_AREA)
            frames.append(im)
    return frames, fps


def mesh_points(res, w, h):
    lm = res.multi_face_landmarks[0].landmark
    return np.array([[p.x * w, p.y * h] for p in lm], np.float32)


def prepare_cache(cache_dir):
    """Face-mesh landmarks for every base (once), stored in cache_dir."""
    os.makedirs(cache_dir, exist_ok=True)
    path = os.path.join(cache_dir, 'landmarks.npz')
    if os.path.exists(path):
        return path
    import mediapipe as mp
    fm = mp.solutions.face_mesh
    out = {}
    for key, fn in FOOTAGE.items():
        frames, fps = decode_video(fn)
        pts = []
        with fm.FaceMesh(static_image_mode=False, max_num_faces=1, refine_landmarks=True) as f:
            for im in frames:
                r = f.process(cv2.cvtColor(im, cv2.COLOR_BGR2RGB))
                pts.append(mesh_points(r, im.shape[1], im.shape[0]) if r.multi_face_landmarks else None)
        # fill gaps, light temporal smoothing
        last = next(p for p in pts if p is not None)
        for i, p in enumerate(pts):
            if p is None:
                pts[i] = last
            last = pts[i]
        P = np.stack(pts)
        Ps = P.copy()
        for i in range(len(P)):
            a, b = max(0, i - 1), min(len(P), i + 2)
            Ps[i] = P[a:b].mean(0)
        # keep raw eyelid points for blink detection
        out['foot_' + key] = Ps
        out['footraw_' + key] = P
        out['fps_' + key] = np.array(fps)
    for key, (fn, centre, _) in STILLS.items():
        im = load_image(fn)
        if centre is None:
            x0, y0, sc = 0, 0, 1.0
            sub = im
        else:
            x0, y0 = centre[0] - 150, centre[1] - 150
            sub = cv2.resize(im[y0:y0 + 300, x0:x0 + 300], (600, 600), interpolation=cv2.INTER_CUBIC)
            sc = 2.0
        with fm.FaceMesh(static_image_mode=True, max_num_faces=1, refine_landmarks=True) as f:
            r = f.process(cv2.cvtColor(sub, cv2.COLOR_BGR2RGB))
        p = mesh_points(r, sub.shape[1], sub.shape[0]) / sc + np.array([x0, y0], np.float32)
        out['still_' + key] = p
    np.savez(path, **out)
    return path


def ear(P, side):
    g = LMS[side]
    return np.linalg.norm(P[:, g['up']] - P[:, g['lo']], axis=1) / np.maximum(1e-3, np.linalg.norm(P[:, g['outer']] - P[:, g['inner']], axis=1))


def native_blinks(Praw):
    """Eye-closure intervals (frame indices) in real footage, from the eye aspect ratio."""
    e = (ear(Praw, 'L') + ear(Praw, 'R')) / 2
    base = np.percentile(e, 75)
    closed = e < 0.55 * base
    iv, i = [], 0
    while i < len(closed):
        if closed[i]:
            j = i
            while j + 1 < len(closed) and closed[j + 1]:
                j += 1
            iv.append((max(0, i - 2), min(len(closed) - 1, j + 2)))
            i = j + 1
        else:
            i += 1
    return iv


# ----------------------------------------------------------------------------- planning
def stable_hash(s):
    return int(hashlib.sha256(s.encode()).hexdigest()[:12], 16)


def blink_times(rng, dur, n_target, avoid=(), min_gap=0.45):
    """n_target blink onsets at random times, apart from each other and from `avoid` spans."""
    ts = []
    tries = 0
    while len(ts) < n_target and tries < 2000:
        tries += 1
        t = rng.uniform(0.3, dur - 0.6)
        if all(abs(t - u) > min_gap for u in ts) and all(not (a - 0.5 < t < b + 0.3) for a, b in avoid):
            ts.append(t)
    return sorted(ts)


def make_blink(rng, t, amp=None):
    close = rng.uniform(0.07, 0.11)
    hold = rng.uniform(0.02, 0.06)
    opn = rng.uniform(0.14, 0.24)
    if amp is None:
        amp = 1.0 if rng.random() > 0.15 else rng.uniform(0.6, 0.85)
    return dict(kind='blink', start_s=round(t, 3), end_s=round(t + close + hold + opn, 3), side='both',
                region='eyelids', _c=close, _h=hold, _o=opn, _a=amp)


def plan_clip(spec, seed, natives_count_fn=None):
    """Adds event lists to spec (all sides in spec are final anatomical sides)."""
    rng = np.random.default_rng(stable_hash(f'{seed}:{spec["id"]}:events'))
    cls, sev, dur = spec['disorder'], spec['severity'], spec['duration_s']
    sidef = spec['side']
    ev = []
    native = spec.get('_native_blinks', [])  # list of (start_s, end_s)
    avoid = list(native)
    lvl = {'mild': 0, 'moderate': 1, 'marked': 2}.get(sev, 0)

    def add_cluster(t0, kind, n, region, side='both', amp=(0.85, 1.0)):
        out, t = [], t0
        for _ in range(n):
            b = make_blink(rng, t, amp=rng.uniform(*amp))
            b['_c'], b['_h'], b['_o'] = rng.uniform(0.05, 0.08), rng.uniform(0.0, 0.04), rng.uniform(0.08, 0.14)
            b['end_s'] = round(t + b['_c'] + b['_h'] + b['_o'], 3)
            out.append(b)
            t = b['end_s'] + rng.uniform(0.02, 0.08)
        return out, t

    if cls == 'normal':
        rate = rng.uniform(10, 20)
    elif cls == 'frequent_blinking':
        rate = rng.uniform(30, 48)
    elif cls == 'blepharospasm':
        rate = [rng.uniform(28, 34), rng.uniform(32, 40), rng.uniform(34, 44)][lvl]
    else:
        rate = rng.uniform(10, 20)

    # disorder events first (they claim time), then blinks around them
    dis = []
    if cls == 'hemifacial_spasm':
        n_clusters = int(round(dur / 60 * [12, 22, 32][lvl] + rng.uniform(-1, 1)))
        n_clusters = max(2 + lvl, n_clusters)
        starts = np.sort(rng.uniform(0.8, dur - 3.0, n_clusters))
        region = ['periocular', 'periocular+cheek+mouth', 'periocular+cheek+mouth'][lvl]
        for i, t in enumerate(starts):
            if dis and t < dis[-1]['end_s'] + 0.6:
                continue
            tonic = rng.random() < [0.0, 0.3, 0.5][lvl]
            if tonic:
                d = rng.uniform(*[(0.8, 1.2), (0.8, 1.8), (1.2, 3.0)][lvl])
                dis.append(dict(kind='hfs_tonic_spasm', start_s=t, end_s=t + d, side=sidef, region=region,
                                _a=rng.uniform(0.8, 1.0)))
            else:
                n = int(rng.integers(2, [4, 6, 8][lvl]))
                tt, jerks = t, []
                for _ in range(n):
                    jd = rng.uniform(0.08, 0.22)
                    jerks.append((tt, jd, rng.uniform(0.6, 1.0)))
                    tt += jd + rng.uniform(0.05, 0.35)
                dis.append(dict(kind='hfs_clonic_burst', start_s=t, end_s=tt, side=sidef, region=region, _jerks=jerks))
    elif cls == 'eyelid_myokymia':
        lid = 'lower' if rng.random() < 0.7 else 'upper'
        frac = [0.25, 0.45, 0.75][lvl]
        t = rng.uniform(0.5, 2.5)
        while t < dur - 1.5:
            d = rng.uniform(*[(2, 4.5), (3, 7), (5, 12)][lvl])
            e = min(dur - 0.5, t + d)
            dis.append(dict(kind='myokymia_burst', start_s=t, end_s=e, side=sidef, region=lid + '_eyelid',
                            _f=[rng.uniform(3, 8) for _ in range(3)], _u=[-0.45, 0.0, 0.45]))
            t = e + d * (1 - frac) / frac * rng.uniform(0.7, 1.3)
    elif cls == 'blepharospasm':
        n_fl = int(round(dur / 60 * [8, 8, 8][lvl] + rng.uniform(0, 1.5)))
        n_sp = int(round(dur / 60 * [0, 5, 8][lvl] + rng.uniform(0, 1)))
        n_sp = max([0, 2, 3][lvl], n_sp)
        slots = np.sort(rng.uniform(0.8, dur - 3.5, n_fl + n_sp))
        kinds = ['flutter'] * n_fl + ['spasm'] * n_sp
        rng.shuffle(kinds)
        last = -9
        for t, k in zip(slots, kinds):
            if t < last + 0.8:
                continue
            if k == 'flutter':
                bl, e = add_cluster(t, 'blink', int(rng.integers(2, 5)), 'eyelids', amp=(0.6, 1.0))
                dis.append(dict(kind='bsp_flutter', start_s=t, end_s=e, side='both', region='eyelids', _blinks=bl))
                last = e
            else:
                d = rng.uniform(*[(1.0, 1.5), (1.1, 2.2), (2.0, 4.0)][lvl])
                region = 'eyelids+brows' if lvl < 2 else 'eyelids+brows+cheeks'
                dis.append(dict(kind='bsp_spasm', start_s=t, end_s=t + d, side='both', region=region,
                                _a=[0.9, 0.95, 1.0][lvl], _asym=rng.uniform(-0.04, 0.04)))
                last = t + d
    elif cls == 'synkinesis':
        n = int(rng.integers(4, 7))
        slots = np.sort(rng.uniform(0.8, dur - 3.5, n))
        last = -9
        for t in slots:
            if t < last + 1.2:
                continue
            d = rng.uniform(1.5, 3.2)
            mv = 'smile' if rng.random() < 0.65 else 'pucker'
            dis.append(dict(kind='voluntary_' + mv, start_s=t, end_s=t + d, side='both', region='mouth', _a=rng.uniform(0.7, 1.0)))
            dis.append(dict(kind='synkinetic_eye_narrowing', start_s=t, end_s=t + d, side=sidef, region='periocular',
                            _a=[rng.uniform(0.2, 0.3), rng.uniform(0.38, 0.5), rng.uniform(0.55, 0.7)][lvl]))
            last = t + d
    # voluntary smiles as nuisance for some still-based non-synkinesis clips
    if cls != 'synkinesis' and spec['base'] == 'still' and rng.random() < 0.4:
        t = rng.uniform(1, dur - 4)
        if all(not (e['start_s'] - 3 < t < e['end_s'] + 0.5) for e in dis):
            dis.append(dict(kind='voluntary_smile', start_s=t, end_s=t + rng.uniform(1.5, 3), side='both', region='mouth',
                            _a=rng.uniform(0.5, 0.9), _nuisance=True))

    for e in dis:
        if e['kind'] in ('hfs_tonic_spasm', 'bsp_spasm'):
            avoid.append((e['start_s'], e['end_s']))
        if e['kind'] == 'bsp_flutter':
            avoid.append((e['start_s'], e['end_s']))
    flutter_blinks = sum(len(e['_blinks']) for e in dis if e['kind'] == 'bsp_flutter')
    n_native = len(native)
    lo_r, hi_r = {'normal': (10, 20), 'frequent_blinking': (30, 48)}.get(cls, (10, 20) if cls != 'blepharospasm' else (28, 44))
    n_tot = int(round(rate * dur / 60.0))
    n_tot = min(max(n_tot, int(np.ceil(lo_r * dur / 60.0))), int(np.floor(hi_r * dur / 60.0)))
    want = n_tot - n_native - flutter_blinks
    bl = [make_blink(rng, t) for t in blink_times(rng, dur, max(0, want), avoid)]
    # ocular-oral synkinesis: mouth corner twitches with blinks (moderate/marked)
    if cls == 'synkinesis' and lvl >= 1:
        for b in bl:
            if rng.random() < [0, 0.6, 0.9][lvl]:
                dis.append(dict(kind='synkinetic_mouth_twitch', start_s=b['start_s'], end_s=b['end_s'] + 0.1, side=sidef,
                                region='mouth_corner', _a=[0, 0.35, 0.6][lvl]))
    for e in dis:
        e['start_s'] = round(float(e['start_s']), 3)
        e['end_s'] = round(float(e['end_s']), 3)
    all_blinks = len(bl) + flutter_blinks + n_native
    spec['blink_rate_per_min'] = round(all_blinks * 60.0 / dur, 2)
    spec['n_blinks'] = all_blinks
    spec['_events'] = sorted(bl + dis, key=lambda e: e['start_s'])
    if cls == 'synkinesis':
        spec['_rest_narrow'] = [0.06, 0.1, 0.15][lvl]
    return spec


def build_specs(seed):
    rng = np.random.default_rng(seed * 7919 + 14)
    n = 48
    classes = [c for c in CLASSES for _ in range(8)]
    rng.shuffle(classes)
    ids = [f'v14_{i + 1:03d}' for i in range(n)]
    bycls = {c: [i for i in range(n) if classes[i] == c] for c in CLASSES}
    specs = [dict(id=ids[i], disorder=classes[i]) for i in range(n)]
    # footage bases: 16 of 48, spread over classes
    foot_per_cls = [3, 3, 3, 3, 2, 2]
    rng.shuffle(foot_per_cls)
    foot_keys = ['wolfgang'] * 8 + ['single_face_video'] * 4 + ['jefapato'] * 4
    rng.shuffle(foot_keys)
    still_keys = ['single_face_photo'] * 8 + ['astronaut'] * 8 + ['group_a', 'group_b', 'group_c', 'group_d'] * 4
    rng.shuffle(still_keys)
    fk, sk = iter(foot_keys), iter(still_keys)
    for ci, c in enumerate(CLASSES):
        idx = list(bycls[c])
        rng.shuffle(idx)
        sev = ['mild'] * 3 + ['moderate'] * 3 + ['marked'] * 2
        rng.shuffle(sev)
        sides = ['left'] * 4 + ['right'] * 4
        rng.shuffle(sides)
        flips = [True, True, False, False, False, False, False, False]
        rng.shuffle(flips)
        dev = sorted(idx, key=lambda i: stable_hash(f'{seed}:{ids[i]}:split'))[:4]
        for k, i in enumerate(idx):
            s = specs[i]
            s['severity'] = sev[k] if c in SEVERITY_CLASSES else None
            s['side'] = sides[k] if c in ONE_SIDED else ('both' if c == 'blepharospasm' else None)
            s['image_side'] = OPP[s['side']]
            s['flipped'] = flips[k]
            s['split'] = 'dev' if i in dev else 'locked'
            if k < foot_per_cls[ci]:
                s['base'], s['face'] = 'footage', next(fk)
            else:
                s['base'], s['face'] = 'still', next(sk)
    # formats
    webm = set(rng.choice(n, 8, replace=False).tolist())
    for i, s in enumerate(specs):
        r = np.random.default_rng(stable_hash(f'{seed}:{s["id"]}:fmt'))
        cap = STILLS[s['face']][2] if s['base'] == 'still' else 1280
        opts = [(426, 240), (640, 360), (854, 480), (1280, 720), (360, 640), (480, 854), (720, 1280), (270, 480)]
        opts = [o for o in opts if max(o) <= cap]
        if i in webm:
            opts = [o for o in opts if max(o) <= 854]
        w, h = opts[int(r.integers(len(opts)))]
        big = max(w, h) >= 1280
        fps = float(r.choice([24, 25, 30]) if big else r.choice([24, 25, 30, 30, 50, 60]))
        if fps >= 50 and max(w, h) > 854:
            fps = 30.0
        dur = float(r.uniform(12, 16) if (big or fps >= 50) else r.uniform(12, 25))
        if s['face'] == 'wolfgang' and dur > 19:
            dur = float(r.uniform(15, 19))  # it plays forward mostly once
        s.update(width=w, height=h, fps=fps, duration_s=round(dur, 2),
                 codec='vp9' if i in webm else 'h264', ext='webm' if i in webm else 'mp4')
        s['file'] = f'clips/{s["id"]}.{s["ext"]}'
        s['_crf'] = int(r.integers(20, 29))
        s['_noise'] = float(r.uniform(1.0, 3.5))
    return specs


# ----------------------------------------------------------------------------- geometry helpers
def crop_matrix(pts, w, h, face_frac, src_shape=None, rng=None):
    """Affine matrix mapping source coordinates to the output frame, face centred."""
    x0, y0 = pts.min(0)
    x1, y1 = pts.max(0)
    fw = x1 - x0
    s = face_frac * w / fw
    if h / w > 1.2:
        s = face_frac * 1.6 * w / fw
    s = min(s, 0.62 * h / (y1 - y0))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 - 0.05 * (y1 - y0)
    if src_shape is not None:  # keep the crop inside the source (no mirrored borders)
        Hs, Ws = src_shape[:2]
        s = max(s, 1.08 * w / Ws, 1.08 * h / Hs)
        hw, hh = w / (2 * s), h / (2 * s)
        cx = float(np.clip(cx, hw * 1.03, Ws - hw * 1.03))
        cy = float(np.clip(cy, hh * 1.03, Hs - hh * 1.03))
    M = np.array([[s, 0, w / 2 - s * cx], [0, s, h / 2 - s * cy]], np.float64)
    return M


def tf(M, p):
    return p @ M[:, :2].T + M[:, 2]


def side_sets(P):
    """Return dict image-side ('left'/'right') -> landmark group for that side of the image."""
    r_x = P[LMS['R']['outer'], 0]
    l_x = P[LMS['L']['outer'], 0]
    return {'left': LMS['R'], 'right': LMS['L']} if r_x < l_x else {'left': LMS['L'], 'right': LMS['R']}


def gauss_disp(mx, my, x0, y0, cx, cy, sx, sy, dx, dy):
    """Backward map update for moving the skin around (cx,cy) by (dx,dy); maps are ROI-local."""
    H, W = mx.shape
    ax0, ax1 = int(max(0, cx - 3 * sx - x0)), int(min(W, cx + 3 * sx - x0 + 1))
    ay0, ay1 = int(max(0, cy - 3 * sy - y0)), int(min(H, cy + 3 * sy - y0 + 1))
    if ax1 <= ax0 or ay1 <= ay0:
        return
    gx = np.exp(-0.5 * ((np.arange(ax0, ax1) + x0 - cx) / sx) ** 2).astype(np.float32)
    gy = np.exp(-0.5 * ((np.arange(ay0, ay1) + y0 - cy) / sy) ** 2).astype(np.float32)
    g = gy[:, None] * gx[None, :]
    if dx:
        mx[ay0:ay1, ax0:ax1] -= dx * g
    if dy:
        my[ay0:ay1, ax0:ax1] -= dy * g


def eye_geom(P, g):
    po, pi = P[g['outer']], P[g['inner']]
    c = (po + pi) / 2
    hw = abs(pi[0] - po[0]) / 2
    up = max(1.0, c[1] - P[g['up'], 1])
    lo = max(1.0, P[g['lo'], 1] - c[1])
    brow = P[g['brow']].mean(0)
    return c, hw, up, lo, brow


def close_eye(img, P, g, c_amt):
    """Upper lid slides down over the eye by fraction c_amt (0 open .. 1 closed)."""
    if c_amt < 0.01:
        return
    c, hw, up, lo, brow = eye_geom(P, g)
    hw *= 1.08
    skin = max(2.0, 0.7 * (c[1] - up - brow[1]))
    x0, x1 = int(c[0] - hw) - 1, int(c[0] + hw) + 2
    y0, y1 = int(c[1] - up - skin) - 1, int(c[1] + lo) + 3
    Hh, Ww = img.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(Ww, x1), min(Hh, y1)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return
    xs = np.arange(x0, x1, dtype=np.float32)
    ys = np.arange(y0, y1, dtype=np.float32)
    u = np.clip((xs - c[0]) / hw, -1, 1)
    prof = np.sqrt(np.maximum(0, 1 - u ** 2))
    yu = c[1] - up * prof            # upper lid margin
    yl = c[1] + lo * prof            # lower lid margin
    m = yu + c_amt * (yl - yu)       # new margin
    yt = yu - skin * np.maximum(prof, 0.35)
    Y = ys[:, None].repeat(len(xs), 1)
    src = Y.copy()
    inlid = (Y >= yt[None]) & (Y <= m[None])
    den = np.maximum(1e-3, m - yt)
    stretched = yt[None] + (Y - yt[None]) * ((yu - yt) / den)[None]
    src = np.where(inlid, stretched, src).astype(np.float32)
    X = np.broadcast_to(xs[None], src.shape).astype(np.float32)
    roi = img[y0:y1, x0:x1]
    img[y0:y1, x0:x1] = cv2.remap(img, X, src, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    del roi


def smooth_env(t, a, b, rise=0.12, fall=0.2):
    if t <= a or t >= b + fall:
        return 0.0
    if t < a + rise:
        x = (t - a) / rise
        return 0.5 - 0.5 * np.cos(np.pi * x)
    if t <= b:
        return 1.0
    x = (t - b) / fall
    return 0.5 + 0.5 * np.cos(np.pi * x)


def blink_amt(e, t):
    a = t - e['start_s']
    if a < 0:
        return 0.0
    if a < e['_c']:
        return e['_a'] * np.sin(0.5 * np.pi * a / e['_c'])
    a -= e['_c']
    if a < e['_h']:
        return e['_a']
    a -= e['_h']
    if a < e['_o']:
        return e['_a'] * (0.5 + 0.5 * np.cos(np.pi * a / e['_o']))
    return 0.0


def twitch(t, t0, d):
    if t < t0 or t > t0 + d:
        return 0.0
    return float(np.sin(np.pi * (t - t0) / d)) ** 1.5


# ----------------------------------------------------------------------------- per-frame state
def frame_state(spec, t, plant=True):
    """Per image-side muscle activations at time t (image sides after rendering, pre-flip)."""
    st = {s: dict(close=0.0, lowlid=0.0, brow=0.0, browmed=0.0, cheek=0.0, mouth_up=0.0, mouth_lat=0.0, myo=None)
          for s in ('left', 'right')}
    pre_flip_side = lambda anat: OPP[anat] if not spec['flipped'] else anat  # image side before mirroring
    blink = 0.0
    for e in spec['_events']:
        if e['kind'] == 'blink' and e['start_s'] <= t <= e['end_s']:
            blink = max(blink, blink_amt(e, t))
    if not plant:
        # baseline render: keep ordinary blinks only (flutter blinks are part of the disorder)
        for s in st.values():
            s['close'] = blink
        return st
    for e in spec['_events']:
        k = e['kind']
        if not (e['start_s'] - 0.05 <= t <= e['end_s'] + 0.4):
            continue
        sides = ['left', 'right'] if e['side'] == 'both' else [pre_flip_side(e['side'])]
        if k == 'bsp_flutter':
            for b in e['_blinks']:
                if b['start_s'] <= t <= b['end_s']:
                    blink = max(blink, blink_amt(b, t))
        elif k == 'bsp_spasm':
            env = smooth_env(t, e['start_s'], e['end_s'], 0.15, 0.25)
            for i, s in enumerate(('left', 'right')):
                a = env * e['_a'] * (1 + (e['_asym'] if i else -e['_asym']))
                st[s]['close'] = max(st[s]['close'], min(1.0, a))
                st[s]['brow'] -= 0.12 * a          # procerus / corrugator pull brows down
                st[s]['browmed'] += 0.08 * a       # and medially
                st[s]['lowlid'] += 0.12 * a
                if 'cheeks' in e['region']:
                    st[s]['cheek'] += 0.10 * a
        elif k in ('hfs_tonic_spasm', 'hfs_clonic_burst'):
            if k == 'hfs_tonic_spasm':
                a = smooth_env(t, e['start_s'], e['end_s'], 0.1, 0.2) * e['_a']
            else:
                a = max([twitch(t, t0, d) * amp for t0, d, amp in e['_jerks']] + [0.0])
            lvl = {'mild': 0, 'moderate': 1, 'marked': 2}[spec['severity']]
            s = sides[0]
            st[s]['close'] = max(st[s]['close'], a * [0.45, 0.8, 1.0][lvl])
            st[s]['lowlid'] += a * [0.25, 0.3, 0.35][lvl]
            st[s]['brow'] += a * [0.05, 0.1, 0.14][lvl]  # Babinski-2: frontalis co-contracts
            if 'cheek' in e['region']:
                st[s]['cheek'] += a * [0, 0.12, 0.2][lvl]
                st[s]['mouth_up'] += a * [0, 0.12, 0.22][lvl]
                st[s]['mouth_lat'] += a * [0, 0.08, 0.14][lvl]
        elif k == 'myokymia_burst':
            env = smooth_env(t, e['start_s'], e['end_s'], 0.3, 0.3)
            lvl = {'mild': 0, 'moderate': 1, 'marked': 2}[spec['severity']]
            amps = []
            for j, f in enumerate(e['_f']):
                # semirhythmic motor-unit discharge train at f Hz with jitter
                ph = t * f + 0.37 * np.sin(2 * np.pi * 0.7 * t + j) + j * 0.31
                x = ph - np.floor(ph)
                amps.append(env * max(0.0, np.sin(np.pi * min(1.0, x / 0.55))) * (0.8 + 0.2 * np.sin(5.1 * t + j)))
            st[sides[0]]['myo'] = dict(lid=e['region'].split('_')[0], amp=[0.08, 0.12, 0.16][lvl], u=e['_u'], a=amps)
        elif k in ('voluntary_smile', 'voluntary_pucker'):
            env = smooth_env(t, e['start_s'], e['end_s'], 0.35, 0.4) * e['_a']
            for s in ('left', 'right'):
                weak = 1.0
                if spec['disorder'] == 'synkinesis' and s == pre_flip_side(spec['side']):
                    weak = 0.8  # residual weakness on the once-paralysed side
                if k == 'voluntary_smile':
                    st[s]['mouth_up'] += 0.18 * env * weak
                    st[s]['mouth_lat'] += 0.12 * env * weak
                    st[s]['cheek'] += 0.05 * env * weak
                else:
                    st[s]['mouth_lat'] -= 0.14 * env * weak
        elif k == 'synkinetic_eye_narrowing':
            env = smooth_env(t, e['start_s'], e['end_s'], 0.35, 0.4)
            s = sides[0]
            st[s]['close'] = max(st[s]['close'], env * e['_a'])
            st[s]['lowlid'] += env * e['_a'] * 0.4
            st[s]['cheek'] += env * e['_a'] * 0.1
        elif k == 'synkinetic_mouth_twitch':
            a = twitch(t, e['start_s'], e['end_s'] - e['start_s']) * e['_a']
            st[sides[0]]['mouth_up'] += 0.15 * a
            st[sides[0]]['mouth_lat'] += 0.06 * a
    for s in st.values():
        s['close'] = max(s['close'], blink)
    if spec.get('_rest_narrow'):
        s = st[pre_flip_side(spec['side'])]
        s['close'] = max(s['close'], spec['_rest_narrow'])
    return st


def apply_face(img, P, st):
    """Apply muscle activations to frame img (uint8, modified in place) with landmarks P."""
    sets = side_sets(P)
    iod = np.linalg.norm(P[33] - P[263])
    x0, y0 = P.min(0) - 0.25 * iod
    x1, y1 = P.max(0) + 0.25 * iod
    Hh, Ww = img.shape[:2]
    x0, y0, x1, y1 = int(max(0, x0)), int(max(0, y0)), int(min(Ww, x1)), int(min(Hh, y1))
    need = any(abs(v) > 1e-4 for s in st.values() for k, v in s.items() if k not in ('close', 'myo')) or \
        any(s['myo'] for s in st.values())
    if need and x1 - x0 > 4 and y1 - y0 > 4:
        xs = np.arange(x0, x1, dtype=np.float32)
        ys = np.arange(y0, y1, dtype=np.float32)
        mx = np.broadcast_to(xs[None], (len(ys), len(xs))).copy()
        my = np.broadcast_to(ys[:, None], (len(ys), len(xs))).copy()
        for side, s in st.items():
            g = sets[side]
            c, hw, up, lo, brow = eye_geom(P, g)
            eh = up + lo
            outward = -1.0 if c[0] < (P[33, 0] + P[263, 0]) / 2 else 1.0
            if s['brow']:
                gauss_disp(mx, my, x0, y0, brow[0], brow[1], 0.9 * hw, 0.45 * hw, 0, -s['brow'] * iod)
            if s['browmed']:
                gauss_disp(mx, my, x0, y0, brow[0] - outward * 0.4 * hw, brow[1], 0.6 * hw, 0.45 * hw, -outward * s['browmed'] * iod, 0)
            if s['lowlid']:
                gauss_disp(mx, my, x0, y0, c[0], c[1] + lo + 0.25 * eh, 0.8 * hw, 0.35 * eh + 1, 0, -s['lowlid'] * eh)
            if s['cheek']:
                ch = P[g['cheek']]
                gauss_disp(mx, my, x0, y0, ch[0], ch[1] - 0.1 * iod, 0.35 * iod, 0.3 * iod, 0, -s['cheek'] * 0.3 * iod)
            if s['mouth_up'] or s['mouth_lat']:
                m = P[g['mouth']]
                out = -1.0 if m[0] < (P[61, 0] + P[291, 0]) / 2 else 1.0
                gauss_disp(mx, my, x0, y0, m[0], m[1], 0.22 * iod, 0.2 * iod,
                           out * s['mouth_lat'] * 0.4 * iod, -s['mouth_up'] * 0.4 * iod)
            if s['myo']:
                mo = s['myo']
                sign = -1.0 if mo['lid'] == 'lower' else 1.0
                yb = c[1] + lo + 0.3 * lo if mo['lid'] == 'lower' else c[1] - up - 0.3 * up
                for u, a in zip(mo['u'], mo['a']):
                    if a > 1e-3:
                        gauss_disp(mx, my, x0, y0, c[0] + u * hw, yb, 0.3 * hw, 0.3 * eh + 0.8, 0,
                                   sign * a * max(mo['amp'] * eh, 2.5 * mo['amp']))
        img[y0:y1, x0:x1] = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    for side, s in st.items():
        close_eye(img, P, sets[side], min(1.0, s['close']))


# ----------------------------------------------------------------------------- rendering
class Base:
    def __init__(self, spec, lmk, seed):
        self.spec = spec
        w, h = spec['width'], spec['height']
        r = np.random.default_rng(stable_hash(f'{seed}:{spec["id"]}:base'))
        self.r = r
        if spec['base'] == 'footage':
            key = spec['face']
            self.frames, self.src_fps = decode_video(FOOTAGE[key])
            self.P = lmk['foot_' + key]
            n = len(self.frames)
            allp = self.P.reshape(-1, 2)
            lo_, hi_ = np.percentile(allp, 2, axis=0), np.percentile(allp, 98, axis=0)
            self.M = crop_matrix(np.array([lo_, hi_]), w, h, r.uniform(0.3, 0.42), self.frames[0].shape)
            # segment for ping-pong play
            nb = native_blinks(lmk['footraw_' + key])
            if n < 120:   # short clip: loop a blink-free stretch, its own blink is not repeated
                gaps, prev = [], 0
                for a, b in nb + [(n, n)]:
                    gaps.append((prev, a - 1))
                    prev = b + 1
                a, b = max(gaps, key=lambda g: g[1] - g[0])
                self.seg = (a, b)
                self.nb = []
            else:
                self.seg = (0, n - 1)
                self.nb = nb
            self.offset = 0 if n >= 120 else int(r.integers(0, max(1, self.seg[1] - self.seg[0])))
            self.speed = r.uniform(0.95, 1.05) if n >= 120 else 1.0
        else:
            key = spec['face']
            self.img = load_image(STILLS[key][0])
            self.P0 = lmk['still_' + key]
            self.M = crop_matrix(self.P0, w, h, r.uniform(0.33, 0.45), self.img.shape)
            # smooth random head motion
            self.mot = [(r.uniform(0.05, 0.25), r.uniform(0, 6.3)) for _ in range(8)]
            self.amp = r.uniform(0.6, 1.4)

    def src_index(self, t):
        a, b = self.seg
        L = b - a
        if L <= 0:
            return a
        x = int(round(t * self.src_fps * self.speed)) + self.offset
        p = x % (2 * L)
        return a + (p if p <= L else 2 * L - p)

    def native_blinks_out(self, fps, nframes):
        """Native blink intervals of real footage as they fall in the output time line."""
        if self.spec['base'] != 'footage' or not self.nb:
            return []
        closed = np.zeros(nframes, bool)
        for i in range(nframes):
            k = self.src_index(i / fps)
            closed[i] = any(a <= k <= b for a, b in self.nb)
        out, i = [], 0
        while i < nframes:
            if closed[i]:
                j = i
                while j + 1 < nframes and closed[j + 1]:
                    j += 1
                out.append((round(i / fps, 3), round((j + 1) / fps, 3)))
                i = j + 1
            else:
                i += 1
        return out

    def frame(self, t):
        w, h = self.spec['width'], self.spec['height']
        if self.spec['base'] == 'footage':
            k = self.src_index(t)
            M = self.M.copy()
            img = cv2.warpAffine(self.frames[k], M, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
            return img, tf(M, self.P[k])
        m = self.mot
        iod = np.linalg.norm(self.P0[33] - self.P0[263]) * self.M[0, 0]
        dx = self.amp * 0.06 * iod * (np.sin(2 * np.pi * m[0][0] * t + m[0][1]) + 0.5 * np.sin(2 * np.pi * m[1][0] * 2.3 * t + m[1][1]))
        dy = self.amp * 0.04 * iod * (np.sin(2 * np.pi * m[2][0] * t + m[2][1]) + 0.5 * np.sin(2 * np.pi * m[3][0] * 1.9 * t + m[3][1]))
        ang = self.amp * 1.5 * np.sin(2 * np.pi * m[4][0] * t + m[4][1])
        sc = 1 + self.amp * 0.015 * np.sin(2 * np.pi * m[5][0] * t + m[5][1])
        R = cv2.getRotationMatrix2D((w / 2, h / 2), ang, sc)
        R[:, 2] += (dx, dy)
        M = np.vstack([R, [0, 0, 1]]) @ np.vstack([self.M, [0, 0, 1]])
        M = M[:2]
        img = cv2.warpAffine(self.img, M, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        return img, tf(M, self.P0)


def frames_iter(spec, lmk, seed, plant=True):
    """Yields final uint8 BGR frames of a clip (before encoding)."""
    base = Base(spec, lmk, seed)
    fps, dur = spec['fps'], spec['duration_s']
    n = int(round(fps * dur))
    r = np.random.default_rng(stable_hash(f'{seed}:{spec["id"]}:nuis'))
    w, h = spec['width'], spec['height']
    noise = [r.normal(0, spec['_noise'], (h, w, 3)) for _ in range(4)]
    npos = [np.clip(z, 0, 255).astype(np.uint8) for z in noise]
    nneg = [np.clip(-z, 0, 255).astype(np.uint8) for z in noise]
    lp = (r.uniform(0.03, 0.12), r.uniform(0, 6.3), r.uniform(0.02, 0.07), r.uniform(-6, 6))
    for i in range(n):
        t = i / fps
        img, P = base.frame(t)
        apply_face(img, P, frame_state(spec, t, plant))
        gain = 1 + lp[2] * np.sin(2 * np.pi * lp[0] * t + lp[1])
        img = cv2.convertScaleAbs(img, alpha=gain, beta=lp[3] + 3 * np.sin(2 * np.pi * lp[0] * 0.7 * t))
        k = int(r.integers(4))
        img = cv2.subtract(cv2.add(img, npos[k]), nneg[k])
        if spec['flipped']:
            img = cv2.flip(img, 1)
        yield img


def finalize_spec(spec, lmk, seed):
    """Plans events (needs native blinks of the footage in output time)."""
    if spec['base'] == 'footage':
        b = Base(spec, lmk, seed)
        spec['_native_blinks'] = b.native_blinks_out(spec['fps'], int(round(spec['fps'] * spec['duration_s'])))
    plan_clip(spec, seed)
    return spec


def encode(spec, frames, path):
    import av
    fps = spec['fps']
    from fractions import Fraction
    rate = Fraction(fps).limit_denominator(1001)
    with av.open(path, 'w') as c:
        if spec['codec'] == 'vp9':
            s = c.add_stream('libvpx-vp9', rate=rate)
            s.options = {'deadline': 'realtime', 'cpu-used': '8', 'crf': str(spec['_crf'] + 10), 'b': '0', 'row-mt': '1'}
        else:
            s = c.add_stream('libx264', rate=rate)
            s.options = {'preset': 'veryfast', 'crf': str(spec['_crf'])}
        s.width, s.height, s.pix_fmt = spec['width'], spec['height'], 'yuv420p'
        s.codec_context.thread_count = 2
        for img in frames:
            fr = av.VideoFrame.from_ndarray(img, format='bgr24')
            for p in s.encode(fr):
                c.mux(p)
        for p in s.encode():
            c.mux(p)


def render_one(args):
    spec, lmk_path, seed, out = args
    t0 = time.time()
    lmk = dict(np.load(lmk_path))
    encode(spec, frames_iter(spec, lmk, seed), os.path.join(out, spec['file']))
    return spec['id'], time.time() - t0


def public(spec):
    keys = ['id', 'file', 'disorder', 'side', 'image_side', 'flipped', 'split', 'fps', 'width', 'height', 'duration_s',
            'severity', 'blink_rate_per_min', 'n_blinks', 'base', 'face', 'codec']
    d = {k: spec[k] for k in keys}
    evs = []
    for e in spec['_events']:
        pe = {k: e[k] for k in ('kind', 'start_s', 'end_s', 'side', 'region')}
        pe['image_side'] = OPP[e['side']] if e['side'] in ('left', 'right') else 'both'
        if e.get('_nuisance'):
            pe['nuisance'] = True
        evs.append(pe)
    d['events'] = evs
    d['native_blinks'] = [dict(start_s=a, end_s=b) for a, b in spec.get('_native_blinks', [])]
    return d


def all_specs(seed, lmk_path):
    lmk = dict(np.load(lmk_path))
    return [finalize_spec(s, lmk, seed) for s in build_specs(seed)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=14)
    ap.add_argument('--jobs', type=int, default=1)
    ap.add_argument('--only', default='')
    a = ap.parse_args()
    t0 = time.time()
    os.makedirs(os.path.join(a.out, 'clips'), exist_ok=True)
    lmk_path = prepare_cache(os.path.join(a.out, 'cache'))
    specs = all_specs(a.seed, lmk_path)
    only = set(x for x in a.only.split(',') if x)
    todo = [s for s in specs if not only or s['id'] in only]
    # longest first for better packing
    todo.sort(key=lambda s: -s['width'] * s['height'] * s['fps'] * s['duration_s'])
    jobs = [(s, lmk_path, a.seed, a.out) for s in todo]
    if a.jobs > 1:
        with ProcessPoolExecutor(a.jobs) as ex:
            for cid, dt in ex.map(render_one, jobs):
                print(f'{cid} {dt:.1f}s', flush=True)
    else:
        for j in jobs:
            cid, dt = render_one(j)
            print(f'{cid} {dt:.1f}s', flush=True)
    with open(os.path.join(a.out, 'truth.json'), 'w') as f:
        json.dump([public(s) for s in specs], f, indent=1)
    print(f'done {len(todo)} clips in {time.time() - t0:.1f}s')


if __name__ == '__main__':
    main()
