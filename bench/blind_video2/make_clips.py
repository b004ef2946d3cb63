#!/usr/bin/env python
"""Blind evaluation set: face videos with planted facial spasms (second writer).

python make_clips.py --out DIR [--seed 0] [--only N,M] [--no-check]

Every clip = a base face (a still photo/frame, or real moving footage tracked per frame with
MediaPipe Face Mesh) + landmark-driven displacement fields (eyelid occlusion warp per eye,
Gaussian RBF fields for cheeks / mouth / yaw) + head motion, lighting drift, sensor noise and
lossy encoding.  truth.json lists every planted (and every detected natural) event; `visible`
is measured afterwards by re-running Face Mesh on the decoded clip.
"""
import argparse, hashlib, json, os, sys, time
import numpy as np
import cv2
import av

MEDIA = '/work/shared/media/'
HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- landmark groups (MediaPipe)
EYE_A = dict(outer=33, inner=133, up=[246, 161, 160, 159, 158, 157, 173],
             lo=[7, 163, 144, 145, 153, 154, 155], brow=[46, 53, 52, 65, 55])
EYE_B = dict(outer=263, inner=362, up=[466, 388, 387, 386, 385, 384, 398],
             lo=[249, 390, 373, 374, 380, 381, 382], brow=[276, 283, 282, 295, 285])
MOUTH_A, MOUTH_B = 61, 291          # corners belonging to eye group A / B
CHEEK_A, CHEEK_B = 205, 425
UP_IN, LO_IN, LO_OUT, CHIN, NOSE = 13, 14, 17, 152, 1


def facemesh(static):
    import mediapipe as mp
    return mp.solutions.face_mesh.FaceMesh(static_image_mode=static, max_num_faces=1,
                                           refine_landmarks=True, min_detection_confidence=0.4)


def detect(img, fm):
    r = fm.process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    if not r.multi_face_landmarks:
        return None
    h, w = img.shape[:2]
    return np.array([[p.x * w, p.y * h] for p in r.multi_face_landmarks[0].landmark], np.float32)


def sides(L):
    """Return (groups for image-left eye, image-right eye) as dicts of index lists,
    decided by position, so mirrored landmark sets work too."""
    a = L[EYE_A['up']].mean(0)[0]; b = L[EYE_B['up']].mean(0)[0]
    ga = dict(EYE_A, mouth=MOUTH_A, cheek=CHEEK_A); gb = dict(EYE_B, mouth=MOUTH_B, cheek=CHEEK_B)
    return (ga, gb) if a < b else (gb, ga)


# ---------------------------------------------------------------- bases
def read_video(path):
    c = av.open(path)
    fr = [f.to_ndarray(format='bgr24') for f in c.decode(video=0)]
    rate = float(c.streams.video[0].average_rate)
    c.close()
    return fr, rate


def track_video(frames, cache):
    if os.path.exists(cache):
        return np.load(cache)
    fm = facemesh(False)
    L = np.array([detect(f, fm) for f in frames], np.float32)
    fm.close()
    np.save(cache, L)
    return L


_BASES = {}


def get_base(face, cache_dir):
    """Returns dict: frames (list of BGR), lms (N,478,2), rate, moving(bool), seg (i0,i1)."""
    if face in _BASES:
        return _BASES[face]
    flip = face.endswith('_flip')
    name = face[:-5] if flip else face
    moving = name.endswith('_mov')
    vids = {'wl': ('WolfgangLanger_Pexels.mp4', (150, 424), 330),
            'sfv': ('single_face.mp4', (31, 71), 50),
            'jef': ('jefapato_2sec.mp4', (0, 29), 10)}
    key = name.split('_')[0]
    if key in vids:
        fn, seg, still_i = vids[key]
        frames, rate = read_video(MEDIA + fn)
        L = track_video(frames, os.path.join(cache_dir, 'lm_%s.npy' % key))
        # light temporal smoothing of tracked landmarks (removes tracker jitter)
        Ls = L.copy(); Ls[1:-1] = 0.25 * L[:-2] + 0.5 * L[1:-1] + 0.25 * L[2:]
        if moving:
            frames = frames[seg[0]:seg[1] + 1]; Ls = Ls[seg[0]:seg[1] + 1]
        else:
            frames = [frames[still_i]]; Ls = L[still_i:still_i + 1]
    else:
        if name == 'astro':
            import skimage.data
            img = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
        elif name == 'sfjpg':
            img = cv2.imread(MEDIA + 'single_face.jpg')
        else:  # multi-face crops, one person at a time
            m = cv2.imread(MEDIA + 'multi_face.jpg')
            cx, cy = {'multiA': (362, 290), 'multiB': (475, 250), 'multiC': (581, 372),
                      'multiD': (737, 355)}[name]
            r = 130
            img = m[max(0, cy - r):cy + r, max(0, cx - r):min(m.shape[1], cx + r)]
            img = cv2.resize(img, None, fx=2.5, fy=2.5, interpolation=cv2.INTER_CUBIC)
        frames, rate = [img], None
        Ls = None
    if flip:
        frames = [np.ascontiguousarray(f[:, ::-1]) for f in frames]
        if Ls is not None:
            Ls = Ls.copy(); Ls[..., 0] = frames[0].shape[1] - 1 - Ls[..., 0]
    if Ls is None:
        fm = facemesh(True); Ls = detect(frames[0], fm)[None]; fm.close()
    b = dict(frames=frames, lms=Ls, rate=rate, moving=moving)
    _BASES[face] = b
    return b


# ---------------------------------------------------------------- eyelid occlusion warp
NU = 48


def eye_geometry(L, g):
    po, pi = L[g['outer']], L[g['inner']]
    c = 0.5 * (po + pi)
    eu = pi - po if pi[0] > po[0] else po - pi
    w = float(np.linalg.norm(eu)); eu = eu / w
    ev = np.array([-eu[1], eu[0]], np.float32)
    if ev[1] < 0:
        ev = -ev
    def uv(P):
        d = P - c
        return d @ eu, d @ ev
    us = np.linspace(-w, w, NU).astype(np.float32)
    def curve(idx):
        u, v = uv(L[idx])
        uc, vc = uv(np.stack([po, pi]))
        U = np.concatenate([uc, u]); V = np.concatenate([vc, v])
        o = np.argsort(U); U, V = U[o], V[o]
        inside = (us >= U[0]) & (us <= U[-1])
        out = np.interp(us, U, V)
        out[~inside] = np.interp(us[~inside], [U[0], U[-1]], [V[0], V[-1]])
        return out, inside
    vup, ins = curve(g['up']); vlo, _ = curve(g['lo'])
    vlo = np.maximum(vlo, vup)
    bu, bv = uv(L[g['brow']])
    vbrow = float(np.median(bv))
    vbrow = min(vbrow, float(vup.min()) - 0.15 * w)
    return dict(c=c, eu=eu, ev=ev, w=w, us=us, vup=vup, vlo=vlo, vbrow=vbrow, inside=ins)


def eye_warp(geo, cu, cl, db, dk, shape):
    """Displacement (dx,dy) on a local pixel box.
    cu, cl: arrays (NU,) upper-lid descent / lower-lid rise as fraction of the opening;
    db: brow shift (+down) in eye widths, dk: lid-cheek junction rise in eye widths.
    Returns (x0,y0,dx,dy) box or None."""
    w = geo['w']; c = geo['c']; eu = geo['eu']; ev = geo['ev']
    R = 1.25 * w
    x0 = int(max(0, c[0] - R)); x1 = int(min(shape[1], c[0] + R + 1))
    y0 = int(max(0, c[1] - R)); y1 = int(min(shape[0], c[1] + R + 1))
    if x1 <= x0 or y1 <= y0:
        return None
    X, Y = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
    dX = X - c[0]; dY = Y - c[1]
    U = dX * eu[0] + dY * eu[1]; V = dX * ev[0] + dY * ev[1]
    k = np.clip(np.rint((U + w) / (2 * w) * (NU - 1)), 0, NU - 1).astype(np.int32)
    win = np.cos(np.clip(U / w, -1, 1) * np.pi / 2) ** 2
    vup = geo['vup'][k]; vlo = geo['vlo'][k]; h = vlo - vup
    cuk = np.clip(cu[k], 0, 1); clk = np.clip(cl[k], 0, 1)
    tot = cuk + clk
    s = np.where(tot > 0.97, 0.97 / np.maximum(tot, 1e-6), 1.0)
    cuk = cuk * s; clk = clk * s
    vtop = -1.2 * w; vbot = 1.1 * w
    vbrow = np.full_like(U, geo['vbrow']); vbrow2 = vbrow + db * w * win
    vch = np.full_like(U, 0.55 * w); vch2 = vch - dk * w * win
    vup2 = vup + cuk * h; vlo2 = vlo - clk * h
    d = np.float32(0.7)
    # knots: output positions (xs) and their source positions (fs)
    xs = [np.full_like(U, vtop), vbrow2, vup2, vup2 + d, vlo2 - d, vlo2, vch2, np.full_like(U, vbot)]
    fs = [np.full_like(U, vtop), vbrow, vup, vup2 + d, vlo2 - d, vlo, vch, np.full_like(U, vbot)]
    # keep knots ordered (thin openings)
    mid = 0.5 * (vup2 + vlo2)
    xs[3] = np.minimum(xs[3], mid); xs[4] = np.maximum(xs[4], mid)
    fs[3] = np.minimum(fs[3], mid); fs[4] = np.maximum(fs[4], mid)
    src = V.copy()
    for i in range(len(xs) - 1):
        a, b = xs[i], xs[i + 1]
        m = (V >= a) & (V < b)
        if not m.any():
            continue
        den = np.maximum(b - a, 1e-3)
        src[m] = (fs[i] + (V - a) * (fs[i + 1] - fs[i]) / den)[m]
    dv = src - V
    dv[(V < vtop) | (V >= vbot) | (np.abs(U) > w)] = 0
    return x0, y0, dv * ev[0], dv * ev[1]


def rbf(dx, dy, X, Y, x0, y0, cx, cy, vx, vy, sig):
    """Approximate backward warp of a forward Gaussian displacement (vx,vy) at (cx,cy)."""
    g = np.exp(-(((X - cx - vx) ** 2 + (Y - cy - vy) ** 2) / (2 * sig * sig)))
    dx -= vx * g; dy -= vy * g


# ---------------------------------------------------------------- per-frame facial state
def zero_state():
    return dict(cu=[np.zeros(NU, np.float32), np.zeros(NU, np.float32)],   # image-left, image-right
                cl=[np.zeros(NU, np.float32), np.zeros(NU, np.float32)],
                db=[0.0, 0.0], dk=[0.0, 0.0],
                corner=[np.zeros(2), np.zeros(2)],   # mouth-corner displacement in mouth widths (x lateral+, y up+)
                cheek=[0.0, 0.0], jaw=0.0, uplip=0.0, yaw=0.0)


def render_face(img, L, st):
    """Apply the facial state to a base frame; returns a new frame."""
    H, W = img.shape[:2]
    gl, gr = sides(L)
    eye_c = [L[gl['up']].mean(0), L[gr['up']].mean(0)]
    iod = float(np.linalg.norm(eye_c[1] - eye_c[0]))
    mw = float(np.linalg.norm(L[gl['mouth']] - L[gr['mouth']]))
    xs = L[:, 0]; ys = L[:, 1]
    fx0 = int(max(0, xs.min() - 0.35 * iod)); fx1 = int(min(W, xs.max() + 0.35 * iod))
    fy0 = int(max(0, ys.min() - 0.45 * iod)); fy1 = int(min(H, ys.max() + 0.45 * iod))
    X, Y = np.meshgrid(np.arange(fx0, fx1, dtype=np.float32), np.arange(fy0, fy1, dtype=np.float32))
    dx = np.zeros_like(X); dy = np.zeros_like(X)
    active = False
    for s, g in enumerate((gl, gr)):
        if st['cu'][s].any() or st['cl'][s].any() or st['db'][s] or st['dk'][s]:
            geo = eye_geometry(L, g)
            r = eye_warp(geo, st['cu'][s], st['cl'][s], st['db'][s], st['dk'][s], img.shape)
            if r is not None:
                x0, y0, ex, ey = r
                ys0, xs0 = y0 - fy0, x0 - fx0
                hh, ww = ex.shape
                yy0, xx0 = max(0, ys0), max(0, xs0)
                yy1, xx1 = min(dx.shape[0], ys0 + hh), min(dx.shape[1], xs0 + ww)
                if yy1 > yy0 and xx1 > xx0:
                    dx[yy0:yy1, xx0:xx1] += ex[yy0 - ys0:yy1 - ys0, xx0 - xs0:xx1 - xs0]
                    dy[yy0:yy1, xx0:xx1] += ey[yy0 - ys0:yy1 - ys0, xx0 - xs0:xx1 - xs0]
                active = True
    # face frame axes (roll-aware): ex_f to image right, ey_f downward
    exf = (eye_c[1] - eye_c[0]) / iod; eyf = np.array([-exf[1], exf[0]])
    for s, g in enumerate((gl, gr)):
        lat = -1 if s == 0 else 1
        cv = st['corner'][s]
        if abs(cv[0]) > 1e-4 or abs(cv[1]) > 1e-4:
            v = (lat * cv[0] * exf - cv[1] * eyf) * mw
            p = L[g['mouth']]
            rbf(dx, dy, X, Y, fx0, fy0, p[0], p[1], v[0], v[1], 0.33 * mw); active = True
        if st['cheek'][s] > 1e-4:
            p = L[g['cheek']]
            v = -st['cheek'][s] * mw * eyf
            rbf(dx, dy, X, Y, fx0, fy0, p[0], p[1], v[0], v[1], 0.45 * mw); active = True
    if st['jaw'] > 1e-4:
        j = st['jaw'] * mw
        p = L[LO_OUT]; rbf(dx, dy, X, Y, fx0, fy0, p[0], p[1], j * eyf[0], j * eyf[1], 0.42 * mw)
        p = L[CHIN]; rbf(dx, dy, X, Y, fx0, fy0, p[0], p[1], 0.8 * j * eyf[0], 0.8 * j * eyf[1], 0.7 * mw)
        active = True
    if st['uplip'] > 1e-4:
        u = st['uplip'] * mw; p = L[UP_IN]
        rbf(dx, dy, X, Y, fx0, fy0, p[0], p[1], -u * eyf[0], -u * eyf[1], 0.3 * mw); active = True
    if abs(st['yaw']) > 1e-4:
        p = L[NOSE]; fw = xs.max() - xs.min()
        v = st['yaw'] * fw * exf
        rbf(dx, dy, X, Y, fx0, fy0, p[0], p[1], v[0], v[1], 0.38 * fw); active = True
    if not active:
        return img
    out = img.copy()
    mx = X + dx; my = Y + dy
    out[fy0:fy1, fx0:fx1] = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    # oral cavity newly exposed by jaw opening: darken the band above the displaced lower lip
    if st['jaw'] > 0.02:
        j = st['jaw'] * mw
        lo = L[LO_IN] + j * eyf
        up = L[UP_IN] - st['uplip'] * mw * eyf
        gap = float(np.linalg.norm(lo - up))
        ctr = 0.5 * (lo + up) + 0.1 * j * eyf
        ax = (int(0.27 * mw * (0.8 + 0.6 * min(1, st['jaw'] / 0.3))), int(max(1, 0.42 * gap)))
        mask = np.zeros(out.shape[:2], np.uint8)
        ang = float(np.degrees(np.arctan2(exf[1], exf[0])))
        cv2.ellipse(mask, (int(ctr[0]), int(ctr[1])), ax, ang, 0, 360, 255, -1)
        k = max(3, int(0.08 * mw) | 1)
        sub = (slice(fy0, fy1), slice(fx0, fx1))
        a = cv2.GaussianBlur(mask[sub], (k, k), 0).astype(np.float32)[..., None] / 255.0
        a *= min(0.9, 0.3 + 4 * st['jaw'])
        dark = np.array([28, 22, 40], np.float32)
        out[sub] = (out[sub] * (1 - a) + dark * a).astype(np.uint8)
    return out


# ---------------------------------------------------------------- event timelines
def smoothstep(x):
    x = np.clip(x, 0, 1); return x * x * (3 - 2 * x)


def env(t, t0, t1, rise, fall):
    """Plateau envelope: rises over `rise` from t0, holds, falls over `fall` ending at t1."""
    return smoothstep((t - t0) / max(rise, 1e-3)) * smoothstep((t1 - t) / max(fall, 1e-3))


def blink_curve(t, t0, close, hold, opn):
    a = smoothstep((t - t0) / close)
    b = 1 - smoothstep((t - t0 - close - hold) / opn)
    return np.minimum(a, b) * (t >= t0)


class Clip:
    def __init__(self, spec, rng):
        self.spec = spec; self.rng = rng
        self.events = []      # truth dicts
        self.fx = []          # (t0, t1, fn(t, st))

    def add(self, t0, t1, kind, side, regions, fn, **extra):
        ev = dict(start_s=round(float(t0), 3), end_s=round(float(t1), 3), kind=kind, side=side,
                  regions=regions, visible=None)
        ev.update(extra)
        self.events.append(ev)
        if fn is not None:
            self.fx.append((t0, t1, fn))
        return ev

    def busy(self, t0, t1, pad=0.25):
        return any(not (t1 + pad < e['start_s'] or t0 - pad > e['end_s']) for e in self.events)


UNI_U = None


def lidprofile(center=0.0, width=None):
    us = np.linspace(-1, 1, NU)
    if width is None:
        return np.ones(NU, np.float32)
    return np.exp(-0.5 * ((us - center) / width) ** 2).astype(np.float32)


def plant_blink(c, t0, peak=None, force=0.0, both=True, cluster=False, extra_mouth=None):
    r = c.rng
    close = r.uniform(0.07, 0.11); hold = r.uniform(0.0, 0.05) + (0.04 if force else 0)
    opn = r.uniform(0.14, 0.24)
    if peak is None:
        peak = 1.0 if r.random() < 0.8 else r.uniform(0.6, 0.85)
    asym = r.uniform(-0.04, 0.04)
    def fn(t, st, t0=t0, close=close, hold=hold, opn=opn, peak=peak, asym=asym, force=force, em=extra_mouth):
        a = blink_curve(t, t0, close, hold, opn)
        for s in (0, 1):
            p = min(1, peak * (1 + (asym if s else -asym)))
            st['cu'][s] += 0.88 * a * p; st['cl'][s] += 0.12 * a * p
            if force:
                st['db'][s] += 0.10 * force * a; st['dk'][s] += 0.06 * force * a
        if em is not None:
            st['corner'][em[0]] += np.array([0.02, 0.05]) * em[1] * a
    t1 = t0 + close + hold + opn
    regions = ['upper_lid', 'eye'] + (['brow'] if force else []) + (['mouth'] if extra_mouth else [])
    ex = {}
    if cluster: ex['cluster'] = True
    if force: ex['forceful'] = True
    if extra_mouth is not None: ex['synkinetic_mouth_side'] = extra_mouth[2]
    return c.add(t0, t1, 'blink', 'both', regions, fn, **ex)


def schedule_blinks(c, T, rate, natural=(), mingap=1.2):
    """Place ordinary blinks as a jittered renewal process at `rate`/min, away from busy times."""
    r = c.rng
    n_target = int(round(rate * T / 60.0)) - len(natural)
    placed = 0; t = r.uniform(0.3, 60.0 / max(rate, 1))
    tries = 0
    while placed < n_target and tries < 400:
        tries += 1
        if t > T - 0.6:
            t = r.uniform(0.3, T - 0.6)
        if not c.busy(t, t + 0.45, pad=mingap * 0.5):
            plant_blink(c, t); placed += 1
            t += r.gamma(4.0, (60.0 / rate) / 4.0)
        else:
            t += r.uniform(0.2, 0.6)
    return placed


# --- voluntary / ordinary expressions -------------------------------------------------------
def plant_smile(c, t0, dur, amp, laugh=False, synk=None):
    r = c.rng
    def fn(t, st, t0=t0, t1=t0 + dur, amp=amp, laugh=laugh):
        e = env(t, t0, t1, 0.35, 0.5)
        for s in (0, 1):
            st['corner'][s] += np.array([0.10, 0.16]) * amp * e
            st['cheek'][s] += 0.05 * amp * e
            st['cl'][s] += 0.12 * amp * e; st['dk'][s] += 0.05 * amp * e
        if laugh:
            st['jaw'] += 0.10 * e * (0.6 + 0.4 * np.sin(2 * np.pi * 4.5 * (t - t0)) ** 2)
    return c.add(t0, t0 + dur, 'smile', 'both', ['mouth', 'cheek'], fn, **({'laugh': True} if laugh else {}))


def plant_talking(c, t0, dur, amp):
    r = c.rng
    n = int(dur * 4) + 2
    ph = np.cumsum(r.uniform(0.17, 0.32, n)) + t0
    am = r.uniform(0.4, 1.0, n)
    def fn(t, st, t0=t0, t1=t0 + dur, ph=ph, am=am, amp=amp):
        e = env(t, t0, t1, 0.2, 0.2)
        i = np.searchsorted(ph, t)
        if 0 < i < len(ph):
            x = (t - ph[i - 1]) / (ph[i] - ph[i - 1])
            v = am[i] * np.sin(np.pi * x) ** 2
        else:
            v = 0
        st['jaw'] += 0.09 * amp * v * e; st['uplip'] += 0.015 * amp * v * e
        for s in (0, 1):
            st['corner'][s] += np.array([-0.02, 0.0]) * v * e
    return c.add(t0, t0 + dur, 'talking', 'both', ['mouth'], fn)


def plant_pucker(c, t0, dur, amp):
    def fn(t, st, t0=t0, t1=t0 + dur, amp=amp):
        e = env(t, t0, t1, 0.3, 0.4)
        for s in (0, 1):
            st['corner'][s] += np.array([-0.13, 0.0]) * amp * e
        st['uplip'] -= 0.0
    return c.add(t0, t0 + dur, 'pucker', 'both', ['mouth'], fn)


def plant_glance(c, t0, dur, amp):
    def fn(t, st, t0=t0, t1=t0 + dur, amp=amp):
        e = env(t, t0, t1, 0.25, 0.3)
        for s in (0, 1):
            st['cu'][s] += 0.38 * amp * e; st['db'][s] += 0.02 * amp * e
        st['pitch'] = st.get('pitch', 0) + 0.02 * amp * e
    return c.add(t0, t0 + dur, 'glance_down', 'both', ['eye', 'upper_lid'], fn)


def plant_yawn(c, t0, dur, amp):
    def fn(t, st, t0=t0, t1=t0 + dur, amp=amp):
        e = env(t, t0, t1, dur * 0.35, dur * 0.3)
        st['jaw'] += 0.38 * amp * e; st['uplip'] += 0.03 * amp * e
        for s in (0, 1):
            st['cu'][s] += 0.45 * amp * e; st['cl'][s] += 0.15 * amp * e
            st['db'][s] -= 0.04 * amp * e
            st['corner'][s] += np.array([-0.05, -0.02]) * amp * e
    return c.add(t0, t0 + dur, 'yawn', 'both', ['mouth', 'eye'], fn)


# --- disorder events ---------------------------------------------------------------------
SIDE_OF = {0: ('right', 'image_left'), 1: ('left', 'image_right')}   # image-left half shows the person's RIGHT


def plant_flicker(c, t0, dur, s, lid, amp):
    """Myokymia bout: irregular 3-8 Hz fine pulses of a part of one lid (lower lid: upward;
    upper lid: downward), spatially localised and wandering, the eye never closes."""
    r = c.rng
    pulses = []; t = t0
    while t < t0 + dur:
        pulses.append((t, r.uniform(0.05, 0.09), r.uniform(0.5, 1.0), r.uniform(-0.45, 0.35), r.uniform(0.25, 0.45)))
        t += r.uniform(1 / 8.0, 1 / 3.0)
    def fn(t, st, pulses=pulses, s=s, lid=lid, amp=amp, t0=t0, t1=t0 + dur):
        e = env(t, t0, t1, 0.3, 0.3)
        for (p0, pw, pa, pc, pwid) in pulses:
            if p0 <= t < p0 + pw:
                x = np.sin(np.pi * (t - p0) / pw) * pa * amp * e
                prof = lidprofile(pc, pwid)
                if lid == 'lower_lid':
                    st['cl'][s] += x * prof; st['dk'][s] += 0.25 * x * 0.3
                else:
                    st['cu'][s] += x * prof
    side, _ = SIDE_OF[s]
    return c.add(t0, t0 + dur, 'flicker', side, [lid], fn, amplitude=round(float(amp), 3),
                 n_pulses=len(pulses))


def plant_clonic(c, t0, s, amp, lower, babinski):
    r = c.rng
    dur = r.uniform(0.10, 0.28)
    def fn(t, st, t0=t0, dur=dur, s=s, amp=amp, lower=lower):
        x = np.sin(np.pi * np.clip((t - t0) / dur, 0, 1)) ** 1.5 * amp
        st['cu'][s] += 0.75 * x; st['cl'][s] += 0.25 * x; st['dk'][s] += 0.08 * x
        if lower > 0.05:
            st['corner'][s] += np.array([0.05, 0.06]) * lower * x; st['cheek'][s] += 0.03 * lower * x
    regions = ['upper_lid', 'lower_lid', 'eye'] + (['mouth', 'cheek'] if lower * amp > 0.25 else [])
    side, _ = SIDE_OF[s]
    return c.add(t0, t0 + dur, 'clonic_twitch', side, regions, fn, amplitude=round(float(amp), 3))


def plant_tonic(c, t0, dur, s, amp, lower, babinski):
    r = c.rng
    jit = r.uniform(0, 6.28, 3)
    def fn(t, st, t0=t0, t1=t0 + dur, s=s, amp=amp, lower=lower, bab=babinski, jit=jit):
        e = env(t, t0, t1, 0.2, 0.35)
        trem = 1 + 0.08 * np.sin(2 * np.pi * 7.3 * t + jit[0]) + 0.06 * np.sin(2 * np.pi * 11.1 * t + jit[1])
        x = e * amp * trem
        st['cu'][s] += 0.8 * x; st['cl'][s] += 0.3 * x; st['dk'][s] += 0.10 * x
        if bab:
            st['db'][s] -= 0.09 * x     # other Babinski sign: brow rises while the eye closes
        st['cheek'][s] += 0.07 * lower * x
        st['corner'][s] += np.array([0.10, 0.12]) * lower * x
    regions = ['eye', 'upper_lid', 'lower_lid'] + (['brow'] if babinski else []) + \
              (['cheek', 'mouth'] if lower * amp > 0.2 else [])
    side, _ = SIDE_OF[s]
    return c.add(t0, t0 + dur, 'tonic_spasm', side, regions, fn, amplitude=round(float(amp), 3),
                 lower_face=round(float(lower * amp), 3))


def plant_forceful(c, t0, dur, amp):
    def fn(t, st, t0=t0, t1=t0 + dur, amp=amp):
        e = env(t, t0, t1, 0.15, 0.3)
        for s in (0, 1):
            st['cu'][s] += 0.85 * e * min(1, amp + 0.2); st['cl'][s] += 0.3 * e * amp
            st['db'][s] += 0.13 * e * amp; st['dk'][s] += 0.10 * e * amp
            st['cheek'][s] += 0.02 * e * amp
    return c.add(t0, t0 + dur, 'forceful_closure', 'both', ['eye', 'upper_lid', 'lower_lid', 'brow'], fn,
                 amplitude=round(float(amp), 3))


def plant_narrow(c, t0, dur, s, amp):
    def fn(t, st, t0=t0, t1=t0 + dur, s=s, amp=amp):
        e = env(t, t0, t1, 0.3, 0.4)
        st['cu'][s] += 0.6 * amp * e; st['cl'][s] += 0.4 * amp * e; st['dk'][s] += 0.06 * amp * e
    side, _ = SIDE_OF[s]
    return c.add(t0, t0 + dur, 'eye_narrowing', side, ['eye', 'upper_lid', 'lower_lid'], fn,
                 amplitude=round(float(amp), 3))


# ---------------------------------------------------------------- the set
CLASSES = ['normal', 'frequent_blinking', 'eyelid_myokymia', 'hemifacial_spasm', 'blepharospasm', 'synkinesis']
STILLS = ['astro', 'astro_flip', 'sfjpg', 'sfjpg_flip', 'multiA', 'multiB_flip', 'multiC', 'multiD',
          'multiA_flip', 'multiC_flip', 'multiD_flip', 'multiB', 'wl', 'sfv', 'jef', 'jef_flip', 'wl_flip', 'sfv_flip']
MOVING = ['wl_mov', 'sfv_mov', 'jef_mov', 'wl_mov_flip', 'sfv_mov_flip', 'jef_mov_flip']


def plan(seed):
    r = np.random.default_rng(seed)
    specs = []
    st_order = list(r.permutation(STILLS))
    k_st = 0
    for ci, cls in enumerate(CLASSES):
        mov = [MOVING[(ci + j) % 6] if j < 2 else MOVING[(ci + 3 + j) % 6] for j in range(3)]
        faces = mov + []
        for j in range(5):
            faces.append(st_order[k_st % len(st_order)]); k_st += 1
        sides = [0, 1] * 4
        r.shuffle(sides)
        for j, face in enumerate(faces):
            specs.append(dict(cls=cls, face=face, side=int(sides[j]), variant=j))
    # conditions
    codecs = ['h264'] * 40 + ['vp9'] * 4 + ['mjpeg'] * 4
    r.shuffle(codecs)
    order = r.permutation(len(specs))
    specs = [specs[i] for i in order]
    for i, sp in enumerate(specs):
        sp['codec'] = codecs[i]
        jef = sp['face'].startswith('jef')
        if sp['codec'] == 'h264':
            shorts = [240, 360, 360, 480, 480, 540, 720] if not jef else [720, 1080, 1080]
        else:
            shorts = [240, 360, 360]
        sp['short'] = int(r.choice(shorts))
        sp['fps'] = int(r.choice([24, 25, 30, 30, 60] if sp['short'] <= 480 else [24, 25, 30]))
        sp['dur'] = float(r.choice([15, 16, 18, 20, 22, 25, 30])) if sp['short'] <= 540 else float(r.choice([15, 16, 18]))
        sp['crf'] = int(r.integers(18, 33))
        sp['noise'] = float(r.choice([0.0, 1.5, 3.0, 5.0]))
        sp['light'] = float(r.uniform(0.0, 0.12))
        sp['roll'] = float(r.uniform(0.5, 4.0)); sp['yaw'] = float(r.uniform(0.0, 0.05))
        sp['trans'] = float(r.uniform(0.0, 0.03)); sp['zoom'] = float(r.uniform(0.0, 0.08))
        sp['facefrac'] = float(r.uniform(0.28, 0.5))
        sp['landscape'] = bool(r.random() < 0.75)
        sp['seed'] = int(r.integers(0, 2 ** 31))
    # myokymia: lower lid more often than upper (StatPearls)
    lids = iter(['lower_lid'] * 6 + ['upper_lid'] * 2)
    sev = {}
    for sp in specs:
        if sp['cls'] == 'eyelid_myokymia':
            sp['lid'] = next(lids)
        sev.setdefault(sp['cls'], []).append(sp)
    for cls, l in sev.items():   # graded severity within each class
        grades = np.linspace(0.0, 1.0, len(l)); r.shuffle(grades)
        for sp, gr in zip(l, grades):
            sp['severity'] = float(gr)
    return specs


def build_events(c, T, natural_blinks, base_L_open):
    sp = c.spec; r = c.rng; cls = sp['cls']; s = sp['side']; sev = sp['severity']
    c.conditions_extra = {}
    for nb in natural_blinks:
        c.add(nb[0], nb[1], 'blink', 'both', ['upper_lid', 'eye'], None, natural=True)
    def free_slot(dur, lo=0.5, hi=None, pad=0.4):
        hi = T - dur - 0.5 if hi is None else hi
        for _ in range(200):
            t0 = r.uniform(lo, max(lo + 0.01, hi))
            if not c.busy(t0, t0 + dur, pad):
                return t0
        return None
    if cls == 'normal':
        kinds = list(r.permutation(['smile', 'talking', 'glance_down', 'yawn', 'laugh', 'smile', 'talking']))[:int(r.integers(2, 4))]
        for k in kinds:
            if k == 'smile': d = r.uniform(1.5, 3.5); t0 = free_slot(d); t0 is not None and plant_smile(c, t0, d, r.uniform(0.6, 1.2))
            if k == 'laugh': d = r.uniform(1.5, 3.0); t0 = free_slot(d); t0 is not None and plant_smile(c, t0, d, r.uniform(0.9, 1.3), laugh=True)
            if k == 'talking': d = r.uniform(3, 6); t0 = free_slot(d); t0 is not None and plant_talking(c, t0, d, r.uniform(0.7, 1.2))
            if k == 'glance_down': d = r.uniform(1.0, 2.5); t0 = free_slot(d); t0 is not None and plant_glance(c, t0, d, r.uniform(0.7, 1.0))
            if k == 'yawn': d = r.uniform(3.5, 5.5); t0 = free_slot(d); t0 is not None and plant_yawn(c, t0, d, r.uniform(0.7, 1.0))
        rate = r.uniform(10, 20)
        schedule_blinks(c, T, rate, natural_blinks)
    elif cls == 'frequent_blinking':
        rate = 34 + 26 * sev + r.uniform(-2, 2)
        schedule_blinks(c, T, rate, natural_blinks, mingap=0.7)
    elif cls == 'eyelid_myokymia':
        nb = int(r.integers(2, 5)); lid = sp['lid']
        amp = 0.10 + 0.15 * sev   # fraction of the palpebral opening, never closes the eye
        for _ in range(nb):
            d = r.uniform(2.0, 6.0); t0 = free_slot(d, pad=0.2)
            if t0 is not None:
                plant_flicker(c, t0, d, s, lid, amp * r.uniform(0.8, 1.2))
        schedule_blinks(c, T, r.uniform(10, 18), natural_blinks)
    elif cls == 'hemifacial_spasm':
        early = sev < 0.35
        bab = bool(r.random() < 0.8) and not early
        g0 = 0.0 if early else r.uniform(0.1, 0.5)
        g1 = (0.25 if early else r.uniform(0.8, 1.4))
        # bursts of clonic twitches
        t = r.uniform(0.8, 2.5)
        while t < T - 1:
            lower = g0 + (g1 - g0) * t / T
            if r.random() < (0.35 if early else 0.3) and t < T - 4.5:
                d = r.uniform(1.0, 4.0) if not early else r.uniform(0.8, 1.8)
                if not c.busy(t, t + d, 0.15):
                    a = r.uniform(0.35, 0.6) if early else r.uniform(0.6, 1.0)
                    plant_tonic(c, t, d, s, a, lower, bab)
                t += d + r.uniform(0.8, 3.0)
            else:
                nb = int(r.integers(1, 6))
                for k in range(nb):
                    a = r.uniform(0.15, 0.35) if early else r.uniform(0.3, 0.8)
                    if not c.busy(t, t + 0.3, 0.08):
                        plant_clonic(c, t, s, a, lower, bab)
                    t += r.uniform(0.18, 0.45)
                t += r.uniform(1.0, 3.5)
        c.conditions_extra.update(babinski2=bab, early_stage=bool(early), lower_face_gain=[round(g0, 2), round(g1, 2)])
        schedule_blinks(c, T, r.uniform(10, 18), natural_blinks)
    elif cls == 'blepharospasm':
        mild = sev < 0.35
        nclos = int(r.integers(1, 3)) if mild else int(r.integers(2, 5))
        for _ in range(nclos):
            d = r.uniform(1.0, 2.0) if mild else r.uniform(1.5, 5.0)
            t0 = free_slot(d)
            if t0 is not None:
                plant_forceful(c, t0, d, r.uniform(0.5, 0.8) if mild else r.uniform(0.8, 1.2))
        ncl = int(r.integers(0, 2)) if mild else int(r.integers(1, 4))
        for _ in range(ncl):
            n = int(r.integers(3, 7)); t0 = free_slot(n * 0.33)
            if t0 is None: continue
            for k in range(n):
                plant_blink(c, t0 + k * r.uniform(0.28, 0.38), peak=1.0, force=r.uniform(0.4, 0.9), cluster=True)
        rate = (28 + 6 * sev) + r.uniform(0, 6)
        schedule_blinks(c, T, rate, [e for e in c.events if e['kind'] == 'blink'], mingap=0.8)
        c.conditions_extra.update(mild=bool(mild))
    elif cls == 'synkinesis':
        rest = r.uniform(0.05, 0.15)   # narrower palpebral fissure at rest on the affected side
        c.conditions_extra.update(resting_narrowing=round(rest, 3))
        def restfn(t, st, s=s, rest=rest):
            st['cu'][s] += 0.6 * rest; st['cl'][s] += 0.4 * rest
        c.fx.append((-1, T + 1, restfn))
        k = int(r.integers(3, 6))
        for i in range(k):
            kind = ['smile', 'pucker', 'talking'][i % 3] if i < 3 else str(r.choice(['smile', 'pucker', 'talking']))
            d = {'smile': r.uniform(1.8, 3.5), 'pucker': r.uniform(1.5, 3.0), 'talking': r.uniform(3, 5)}[kind]
            t0 = free_slot(d, pad=0.6)
            if t0 is None: continue
            if kind == 'smile': plant_smile(c, t0, d, r.uniform(0.7, 1.2))
            elif kind == 'pucker': plant_pucker(c, t0, d, r.uniform(0.7, 1.2))
            else: plant_talking(c, t0, d, r.uniform(0.7, 1.2))
            na = 0.2 + 0.5 * sev + r.uniform(-0.05, 0.1)
            e = plant_narrow(c, t0 + 0.05, d - 0.05, s, na)
            e['synkinetic_with'] = kind
        # ocular-oral synkinesis: some blinks pull the affected mouth corner
        side, _ = SIDE_OF[s]
        rate = r.uniform(10, 18); n = int(round(rate * T / 60)) - len(natural_blinks)
        for _ in range(max(0, n)):
            t0 = free_slot(0.45, pad=0.6)
            if t0 is None: continue
            pull = r.random() < 0.6
            plant_blink(c, t0, extra_mouth=(s, r.uniform(0.6, 1.2), side) if pull else None)


# ---------------------------------------------------------------- natural blinks in moving bases
def ear(L):
    gl, gr = sides(L[0])
    def one(g):
        up = L[:, g['up'][2:5]]; lo = L[:, g['lo'][2:5]]
        h = np.linalg.norm(up - lo, axis=2).mean(1)
        w = np.linalg.norm(L[:, g['outer']] - L[:, g['inner']], axis=1)
        return h / w
    return 0.5 * (one(gl) + one(gr))


def natural_blinks_from(e, fps):
    """Blinks in the base's own footage: frames where the mean eye opening drops below 55% of a
    rolling median (+-1 s); each run is one blink, padded by one frame on each side."""
    n = len(e); w = int(fps)
    med = np.array([np.median(e[max(0, i - w):i + w + 1]) for i in range(n)])
    low = e < 0.55 * med
    out = []; i = 0
    while i < n:
        if low[i]:
            j = i
            while j + 1 < n and low[j + 1]: j += 1
            out.append((max(0, i - 2) / fps, min(n - 1, j + 3) / fps))
            i = j + 1
        else:
            i += 1
    return out


# ---------------------------------------------------------------- rendering
def smooth_noise(r, n, T, fps, scale):
    """Sum of a few random sinusoids: smooth drift."""
    t = np.arange(n) / fps
    out = np.zeros(n)
    for _ in range(3):
        f = r.uniform(0.03, 0.25); out += r.uniform(0.3, 1.0) * np.sin(2 * np.pi * f * t + r.uniform(0, 6.3))
    return scale * out / 1.6


def render_clip(sp, cid, outdir, cache_dir):
    r = np.random.default_rng(sp['seed'])
    base = get_base(sp['face'], cache_dir)
    if base['frames'][0].shape[0] >= 2.0 * sp['short'] * 1.05 and base['frames'][0].shape[0] > 700:
        key = (sp['face'], 'half')          # halve big sources before warping (cheaper)
        if key not in _BASES:
            _BASES[key] = dict(base, frames=[cv2.resize(f, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
                                             for f in base['frames']], lms=base['lms'] * 0.5)
        base = _BASES[key]
    fps = sp['fps']; T = sp['dur']; n = int(round(T * fps))
    bh, bw = base['frames'][0].shape[:2]
    # time -> base frame (moving bases loop back and forth at natural speed)
    if base['moving']:
        m = len(base['frames']); per = 2 * (m - 1)
        off = r.integers(0, per)
        idx = []
        for i in range(n):
            k = (int(round(i / fps * base['rate'])) + off) % per
            idx.append(k if k < m else per - k)
        idx = np.array(idx)
        e = ear(base['lms'][idx])
        nat = natural_blinks_from(e, fps)
    else:
        idx = np.zeros(n, int); nat = []
    c = Clip(sp, r)
    build_events(c, T, nat, None)
    # output geometry
    short = sp['short']
    if sp['landscape']:
        H = short; W = int(round(short * 16 / 9 / 2) * 2) if short != 240 else 320
        if short == 480: W = 640
    else:
        W = short; H = int(round(short * 4 / 3 / 2) * 2)
    L0 = np.median(base['lms'][idx[:: max(1, n // 50)]], axis=0)
    fc = L0.mean(0); fw = L0[:, 0].max() - L0[:, 0].min()
    if sp['face'].split('_')[0] in ('wl', 'sfv', 'jef') and base['moving']:
        scale = max(H / bh, W / bw) * (1.0 + 0.3 * r.random())   # keep the camera framing
    else:
        scale = sp['facefrac'] * W / fw
        scale = max(scale, max(H / bh, W / bw))
    # crop centre: face centre, kept inside the frame when possible
    cx = np.clip(fc[0], W / 2 / scale, bw - W / 2 / scale) if bw * scale > W else bw / 2
    cy = np.clip(fc[1] + 0.05 * fw, H / 2 / scale, bh - H / 2 / scale) if bh * scale > H else bh / 2
    roll = smooth_noise(r, n, T, fps, sp['roll'])
    yaw = smooth_noise(r, n, T, fps, sp['yaw'])
    tx = smooth_noise(r, n, T, fps, sp['trans'] * W); ty = smooth_noise(r, n, T, fps, sp['trans'] * H * 0.7)
    zm = 1 + smooth_noise(r, n, T, fps, sp['zoom'])
    gain = 1 + smooth_noise(r, n, T, fps, sp['light'])
    grad = smooth_noise(r, n, T, fps, sp['light'] * 1.5)
    ramp = np.linspace(-0.5, 0.5, W, dtype=np.float32)[None, :, None]
    noise = []
    if sp['noise'] > 0:
        for _ in range(12):
            z = r.normal(0, sp['noise'], (H, W, 1)).astype(np.float32)
            z = z + r.normal(0, sp['noise'] * 0.5, (H, W, 3)).astype(np.float32)
            noise.append((np.clip(z, 0, 255).astype(np.uint8), np.clip(-z, 0, 255).astype(np.uint8)))
    # container
    ext = {'h264': '.mp4', 'vp9': '.webm', 'mjpeg': '.avi'}[sp['codec']]
    fname = cid + ext
    path = os.path.join(outdir, fname)
    cont = av.open(path, 'w')
    from fractions import Fraction
    if sp['codec'] == 'h264':
        vs = cont.add_stream('libx264', rate=fps)
        vs.options = {'crf': str(sp['crf']), 'preset': 'superfast', 'threads': '1'}
        vs.pix_fmt = 'yuv420p'
    elif sp['codec'] == 'vp9':
        vs = cont.add_stream('libvpx-vp9', rate=fps)
        vs.options = {'crf': str(sp['crf'] + 6), 'b': '0', 'deadline': 'realtime', 'cpu-used': '8', 'threads': '1'}
        vs.pix_fmt = 'yuv420p'
    else:
        vs = cont.add_stream('mjpeg', rate=fps)
        vs.pix_fmt = 'yuvj420p'
        vs.options = {'qscale': '4'}
        vs.codec_context.qmin = 3; vs.codec_context.qmax = 8
    vs.width = W; vs.height = H
    times = np.arange(n) / fps
    gcache = {}
    for i in range(n):
        t = times[i]
        img = base['frames'][idx[i]]; L = base['lms'][idx[i]]
        st = zero_state(); st['yaw'] = float(yaw[i])
        for (t0, t1, fn) in c.fx:
            if t0 - 0.05 <= t <= t1 + 0.05:
                fn(t, st)
        if c.spec['cls'] == 'synkinesis' and base['moving']:
            pass
        face = render_face(img, L, st)
        pitch = st.get('pitch', 0.0)
        a = np.deg2rad(roll[i]); s = scale * zm[i]
        ca, sa = np.cos(a) * s, np.sin(a) * s
        px, py = cx, cy - pitch * fw
        M = np.array([[ca, -sa, W / 2 + tx[i] - (ca * px - sa * py)],
                      [sa, ca, H / 2 + ty[i] - (sa * px + ca * py)]], np.float32)
        out = cv2.warpAffine(face, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        q = int(round(grad[i] * 400))
        if q not in gcache:
            gcache[q] = np.ascontiguousarray(np.broadcast_to(
                np.clip((1 + q / 400.0 * ramp) * 128, 0, 255).astype(np.uint8), (H, W, 3)))
        out = cv2.multiply(out, gcache[q], scale=gain[i] / 128.0)
        if noise:
            zp, zn = noise[r.integers(0, len(noise))]
            out = cv2.subtract(cv2.add(out, zp), zn)
        fr = av.VideoFrame.from_ndarray(out, format='bgr24')
        for p in vs.encode(fr):
            cont.mux(p)
    for p in vs.encode():
        cont.mux(p)
    cont.close()
    # truth
    side, iside = SIDE_OF[sp['side']]
    if sp['cls'] in ('normal', 'frequent_blinking'):
        side, iside = 'none', 'none'
    elif sp['cls'] == 'blepharospasm':
        side, iside = 'both', 'both'
    bl = [e for e in c.events if e['kind'] == 'blink']
    c.events.sort(key=lambda e: e['start_s'])
    split = 'dev' if hashlib.sha256(cid.encode()).digest()[0] % 2 == 0 else 'locked'
    cond = dict(codec=sp['codec'], crf=sp['crf'] if sp['codec'] != 'mjpeg' else None, noise_sigma=sp['noise'],
                lighting_drift=round(sp['light'], 3), roll_deg=round(sp['roll'], 2), yaw_frac=round(sp['yaw'], 3),
                translation_frac=round(sp['trans'], 3), zoom_frac=round(sp['zoom'], 3),
                face_width_px=round(float(fw * scale), 1), severity=round(sp['severity'], 2),
                natural_blinks=len(nat), flipped=sp['face'].endswith('_flip'))
    if sp['cls'] == 'eyelid_myokymia':
        cond['lid'] = sp['lid']
    cond.update(getattr(c, 'conditions_extra', {}))
    care = {'normal': 'self-care', 'frequent_blinking': 'self-care or GP if persistent',
            'eyelid_myokymia': 'self-care; GP if >2 weeks', 'hemifacial_spasm': 'see a doctor (neurology referral)',
            'blepharospasm': 'see a doctor (neurology / ophthalmology)', 'synkinesis': 'see a doctor (facial nerve clinic)'}
    return dict(id=cid, file=fname, split=split, face=sp['face'], base='moving' if base['moving'] else 'still',
                disorder=sp['cls'], side=side, image_side=iside, fps=fps, width=W, height=H, duration_s=T,
                blink_rate_per_min=round(len(bl) * 60.0 / T, 1), expected_care=care[sp['cls']],
                events=c.events, conditions=cond)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True); ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--only', default=None); ap.add_argument('--no-check', action='store_true')
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cache_dir = os.path.join(HERE, 'cache'); os.makedirs(cache_dir, exist_ok=True)
    specs = plan(a.seed)
    only = None if a.only is None else {int(x) for x in a.only.split(',')}
    truth = []
    t0 = time.process_time(); w0 = time.time()
    for i, sp in enumerate(specs):
        if only is not None and i not in only:
            continue
        cid = 'v2_%03d' % i
        tc = time.process_time()
        truth.append(render_clip(sp, cid, a.out, cache_dir))
        print('%s %-18s %-13s %4dx%-4d %2dfps %4.1fs %5.1f cpu-s' % (cid, sp['cls'], sp['face'], truth[-1]['width'],
              truth[-1]['height'], sp['fps'], sp['dur'], time.process_time() - tc), flush=True)
    print('render: %.1f cpu-s, %.1f wall-s' % (time.process_time() - t0, time.time() - w0), flush=True)
    if not a.no_check:
        import check_visible
        t1 = time.process_time()
        for tr in truth:
            check_visible.check(tr, a.out)
        print('visibility check: %.1f cpu-s' % (time.process_time() - t1))
    with open(os.path.join(a.out, 'truth.json'), 'w') as f:
        json.dump(truth, f, indent=1)


if __name__ == '__main__':
    main()
