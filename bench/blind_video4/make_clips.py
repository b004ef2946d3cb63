#!/usr/bin/env python3
"""Blind evaluation set v4: face videos with planted facial movements.

python make_clips.py --out DIR [--seed 0] [--only N,M] [--no-check]

Method (see README.md): MediaPipe Face Mesh landmarks of each base frame drive
local backward displacement fields (cv2.remap on the face ROI only):
  * eyelids: per-column 1-D remap in the eye's own rotated frame; the upper-lid
    skin is stretched down over the (unmoved) eyeball, the lower-lid skin is
    pushed up; spatially varying amounts give the myokymia ripple;
  * brows, cheeks, mouth corners: Gaussian RBF displacements;
  * jaw opening: lower lip/chin shifted down below the inner-lip line with a
    darkened mouth-interior strip.
Then a per-frame homography (roll, small yaw, translation, distance), lighting
drift, sensor noise, and encoding with PyAV.  Every rendered file is decoded
again and run through Face Mesh to fill in the `visible` flag of each event.
"""
import argparse, hashlib, json, math, os, sys, time
import numpy as np
import cv2
import av

MEDIA = '/work/shared/media'

# ---------------------------------------------------------------- landmarks
# image-left ('L') is the person's RIGHT in a rendered image; 'R' the person's left
EYE = {
    'L': dict(up=[33, 246, 161, 160, 159, 158, 157, 173, 133], lo=[33, 7, 163, 144, 145, 153, 154, 155, 133],
              outer=33, inner=133, brow=[70, 63, 105, 66, 107], cheek=[50, 118, 101], corner=61),
    'R': dict(up=[263, 466, 388, 387, 386, 385, 384, 398, 362], lo=[263, 249, 390, 373, 374, 380, 381, 382, 362],
              outer=263, inner=362, brow=[300, 293, 334, 296, 336], cheek=[280, 347, 330], corner=291),
}
UP_INNER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308]
LO_INNER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308]
AP_PAIRS = {'L': [(160, 144), (159, 145), (158, 153)], 'R': [(387, 373), (386, 374), (385, 380)]}


def face_feats(p):
    """Scale-free measures from one frame's landmarks (478x2)."""
    iod = np.linalg.norm(p[468] - p[473]) + 1e-6
    f = {}
    for s in 'LR':
        e = EYE[s]
        w = np.linalg.norm(p[e['outer']] - p[e['inner']]) + 1e-6
        f['ap' + s] = np.mean([np.linalg.norm(p[a] - p[b]) for a, b in AP_PAIRS[s]]) / w
        ec = (p[e['outer']] + p[e['inner']]) / 2
        f['brow' + s] = np.linalg.norm(np.mean(p[e['brow']], 0) - ec) / iod
        f['cheek' + s] = np.linalg.norm(np.mean(p[e['cheek']], 0) - ec) / iod
        f['corner' + s] = np.linalg.norm(p[e['corner']] - ec) / iod
    f['mw'] = np.linalg.norm(p[61] - p[291]) / iod
    f['mo'] = np.linalg.norm(p[13] - p[14]) / iod
    f['iod'] = iod
    return f


_FM = None


def mesh(static=False):
    import mediapipe as mp
    return mp.solutions.face_mesh.FaceMesh(static_image_mode=static, max_num_faces=1, refine_landmarks=True,
                                           min_detection_confidence=0.3, min_tracking_confidence=0.3)


def detect(img, m):
    h, w = img.shape[:2]
    r = m.process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    if not r.multi_face_landmarks:
        return None
    return np.array([(l.x * w, l.y * h) for l in r.multi_face_landmarks[0].landmark], np.float32)


# ---------------------------------------------------------------- bases
class Base:
    """frames: list of BGR images (1 for a still); lms: (n,478,2); script: list of (a,b) frame ranges."""

    def __init__(self, name, frames, fps=None, moving=False):
        self.name, self.frames, self.fps, self.moving = name, frames, fps, moving
        self.lms = None

    def track(self):
        lms = []
        with mesh(static=not self.moving) as m:
            last = None
            for fr in self.frames:
                p = detect(fr, m)
                if p is None:
                    p = last
                lms.append(p)
                last = p
        lms = np.array(lms, np.float32)
        if len(lms) > 2:  # light temporal smoothing of landmark jitter
            sm = lms.copy()
            sm[1:-1] = 0.25 * lms[:-2] + 0.5 * lms[1:-1] + 0.25 * lms[2:]
            lms = sm
        self.lms = lms
        self.feats = [face_feats(p) for p in lms]


def read_video(path, a=0, b=None, scale=1.0):
    out = []
    c = av.open(path)
    for i, fr in enumerate(c.decode(video=0)):
        if i < a:
            continue
        if b is not None and i > b:
            break
        im = fr.to_ndarray(format='bgr24')
        if scale != 1.0:
            im = cv2.resize(im, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        out.append(im)
    c.close()
    return out


def load_bases():
    import skimage.data
    B = {}
    ast = np.ascontiguousarray(skimage.data.astronaut()[:, :, ::-1])
    sf = cv2.imread(f'{MEDIA}/single_face.jpg')
    mf = cv2.imread(f'{MEDIA}/multi_face.jpg')
    crops = {'multi_a': (470, 240, 700, 510), 'multi_b': (260, 170, 480, 430),
             'multi_c': (640, 230, 860, 470), 'multi_d': (400, 170, 560, 360)}
    stills = {'astronaut': ast, 'single_face_jpg': sf}
    for k, (x0, y0, x1, y1) in crops.items():
        stills[k] = cv2.resize(mf[y0:y1, x0:x1], None, fx=2.5, fy=2.5, interpolation=cv2.INTER_CUBIC)
    for k, im in stills.items():
        B[k] = Base(k, [im])
        B[k + '_flip'] = Base(k + '_flip', [np.ascontiguousarray(im[:, ::-1])])
    # moving bases.  Wolfgang: frames 205-420 (eyes open, smiling/laughing, no hand on face)
    wl = read_video(f'{MEDIA}/WolfgangLanger_Pexels.mp4', 205, 420)
    sv = read_video(f'{MEDIA}/single_face.mp4')
    jf = read_video(f'{MEDIA}/jefapato_2sec.mp4', scale=0.75)
    for k, fr, fps in [('wolfgang', wl, 24000 / 1001), ('single_face_mp4', sv, 30.0), ('jefapato', jf, 30.0)]:
        B[k] = Base(k, fr, fps, True)
        B[k + '_flip'] = Base(k + '_flip', [np.ascontiguousarray(f[:, ::-1]) for f in fr], fps, True)
    for b in B.values():
        b.track()
    return B


def base_timemap(base, n_out, fps, rng, smile_times=None):
    """Index of the base frame for each output frame: the footage is looped back and forth.
    single_face_mp4: neutral frames 0-16 rock slowly; at smile_times it plays into the smile (frames
    17-65, which contain the person's own blink at 25-29), holds, and plays back."""
    n = len(base.frames)
    if not base.moving:
        return np.zeros(n_out, int)
    t = np.arange(n_out) / fps
    if base.name.startswith('single_face_mp4'):
        idx = np.empty(n_out)
        # neutral rocking between 0 and 16 at half speed
        ph = (t * base.fps * 0.5) % 32
        idx[:] = np.where(ph < 16, ph, 32 - ph)
        for (s0, hold) in (smile_times or []):
            rise = 44 / base.fps  # 16 -> 60 at normal speed
            for i in range(n_out):
                dt = t[i] - s0
                if 0 <= dt < rise:
                    idx[i] = 16 + dt * base.fps
                elif rise <= dt < rise + hold:
                    q = ((dt - rise) * base.fps * 0.6) % 40
                    idx[i] = 60 - (q if q < 20 else 40 - q)
                elif rise + hold <= dt < 2 * rise + hold:
                    idx[i] = 60 - (dt - rise - hold) * base.fps
        return np.clip(np.round(idx), 0, n - 1).astype(int)
    speed = rng.uniform(0.85, 1.0)
    start = rng.uniform(0, n - 1)
    ph = (start + t * base.fps * speed) % (2 * (n - 1))
    idx = np.where(ph < n - 1, ph, 2 * (n - 1) - ph)
    return np.clip(np.round(idx), 0, n - 1).astype(int)


def base_events(base, tmap, fps):
    """The person's own blinks and smiles, found from the Face Mesh measures of the base footage."""
    if not base.moving:
        return []
    F = base.feats
    ap = np.array([(F[i]['apL'] + F[i]['apR']) / 2 for i in tmap])
    mw = np.array([F[i]['mw'] for i in tmap])
    ev = []
    med = np.median([(f['apL'] + f['apR']) / 2 for f in F])
    closed = ap < 0.62 * med
    for a, b in runs(closed):
        # widen to where the lid starts to move
        a0, b0 = a, b
        while a > 0 and a0 - a < 0.12 * fps and ap[a - 1] < 0.88 * med:
            a -= 1
        while b < len(ap) - 1 and b - b0 < 0.2 * fps and ap[b + 1] < 0.88 * med:
            b += 1
        ev.append(dict(start_s=a / fps, end_s=(b + 1) / fps, kind='blink', iside='B',
                       regions=['upper_lid', 'lower_lid', 'eye'], source='base'))
    thr = {'wolfgang': 1.0, 'single_face_mp4': 0.9}.get(base.name.replace('_flip', ''))
    if thr:
        for a, b in runs(mw > thr):
            if (b - a + 1) / fps >= 0.4:
                ev.append(dict(start_s=a / fps, end_s=(b + 1) / fps, kind='smile', iside='B',
                               regions=['mouth', 'cheek'], source='base'))
    # merge blinks that touch
    return ev


def runs(mask):
    out, i, n = [], 0, len(mask)
    while i < n:
        if mask[i]:
            j = i
            while j + 1 < n and mask[j + 1]:
                j += 1
            out.append((i, j))
            i = j + 1
        else:
            i += 1
    return out


# ---------------------------------------------------------------- rig
def smoothstep(x):
    x = np.clip(x, 0, 1)
    return x * x * (3 - 2 * x)


class Rig:
    """Apply per-side actions to one base frame with landmarks P."""

    def __init__(self, img, P):
        self.img, self.P = img, P
        h, w = img.shape[:2]
        lo, hi = P.min(0), P.max(0)
        fw = hi[0] - lo[0]
        x0, y0 = int(max(0, lo[0] - 0.15 * fw)), int(max(0, lo[1] - 0.25 * fw))
        x1, y1 = int(min(w, hi[0] + 0.15 * fw)), int(min(h, hi[1] + 0.45 * fw))
        self.roi = (x0, y0, x1, y1)
        xs = np.arange(x0, x1, dtype=np.float32)
        ys = np.arange(y0, y1, dtype=np.float32)
        self.X, self.Y = np.meshgrid(xs, ys)
        self.DX = np.zeros_like(self.X)
        self.DY = np.zeros_like(self.X)
        self.mid = (P[1] + P[168]) / 2
        self.mw = np.linalg.norm(P[61] - P[291])
        self.dark = None

    def eye(self, s, close=0.0, lift=0.0, rip_up=None, rip_lo=None):
        e, P = EYE[s], self.P
        po, pi = P[e['outer']], P[e['inner']]
        w = np.linalg.norm(po - pi)
        ax = (pi - po) / w if s == 'L' else (po - pi) / w  # points to image right
        n = np.array([-ax[1], ax[0]])
        if n[1] < 0:
            n = -n
        c0 = (po + pi) / 2
        # restrict to the eye's box
        bx0, bx1 = c0[0] - 0.62 * w, c0[0] + 0.62 * w
        by0, by1 = c0[1] - 1.0 * w, c0[1] + 0.8 * w
        x0, y0, x1, y1 = self.roi
        ix0, ix1 = int(max(bx0 - x0, 0)), int(min(bx1 - x0, x1 - x0))
        iy0, iy1 = int(max(by0 - y0, 0)), int(min(by1 - y0, y1 - y0))
        if ix1 <= ix0 or iy1 <= iy0:
            return
        X = self.X[iy0:iy1, ix0:ix1] - c0[0]
        Y = self.Y[iy0:iy1, ix0:ix1] - c0[1]
        u = X * ax[0] + Y * ax[1]
        v = X * n[0] + Y * n[1]
        pu = (P[e['up']] - c0) @ ax, (P[e['up']] - c0) @ n
        pl = (P[e['lo']] - c0) @ ax, (P[e['lo']] - c0) @ n
        ou, ol = np.argsort(pu[0]), np.argsort(pl[0])
        vu = np.interp(u, pu[0][ou], pu[1][ou])
        vl = np.interp(u, pl[0][ol], pl[1][ol])
        umin, umax = max(pu[0].min(), pl[0].min()), min(pu[0].max(), pl[0].max())
        inside = (u > umin) & (u < umax)
        ap = np.where(inside, np.maximum(vl - vu, 0), 0)
        un = (u - umin) / max(umax - umin, 1e-3)  # 0 at image-left corner .. 1
        L = np.full_like(u, lift)
        C = np.full_like(u, close)
        if rip_lo is not None:
            L = L + rip_lo(un)
        if rip_up is not None:
            C = C + rip_up(un)
        L, C = np.clip(L, 0, 0.95), np.clip(C, 0, 1)
        vl2 = vl - L * ap
        vu2 = vu + C * (vl2 - vu)
        Dup = vu2 - vu
        Dlo = vl - vl2
        Sup, Slo = 0.75 * w, 0.55 * w
        vtop, vbot = vu - Sup, vl + Slo
        dv = np.zeros_like(u)
        m1 = (v >= vtop) & (v < vu2)
        t1 = (v - vtop) / np.maximum(vu2 - vtop, 1e-3)
        dv = np.where(m1, -Dup * t1 * t1, dv)
        m2 = (v >= vl2) & (v < vbot)
        t2 = (vbot - v) / np.maximum(vbot - vl2, 1e-3)
        dv = np.where(m2, Dlo * t2 * t2, dv)
        self.DX[iy0:iy1, ix0:ix1] += dv * n[0]
        self.DY[iy0:iy1, ix0:ix1] += dv * n[1]

    def gauss(self, c, sx, sy, d):
        """backward RBF displacement: content at c moves by d."""
        if abs(d[0]) + abs(d[1]) < 1e-3:
            return
        x0, y0, x1, y1 = self.roi
        ix0, ix1 = int(max(c[0] - 3 * sx - x0, 0)), int(min(c[0] + 3 * sx - x0, x1 - x0))
        iy0, iy1 = int(max(c[1] - 3 * sy - y0, 0)), int(min(c[1] + 3 * sy - y0, y1 - y0))
        if ix1 <= ix0 or iy1 <= iy0:
            return
        X = self.X[iy0:iy1, ix0:ix1] - c[0] + 0.5 * d[0]
        Y = self.Y[iy0:iy1, ix0:ix1] - c[1] + 0.5 * d[1]
        G = np.exp(-0.5 * ((X / sx) ** 2 + (Y / sy) ** 2))
        self.DX[iy0:iy1, ix0:ix1] -= d[0] * G
        self.DY[iy0:iy1, ix0:ix1] -= d[1] * G

    def brow(self, s, down=0.0, inward=0.0):
        e, P = EYE[s], self.P
        w = np.linalg.norm(P[e['outer']] - P[e['inner']])
        c = np.mean(P[e['brow']], 0)
        sgn = 1 if s == 'L' else -1  # towards the midline
        self.gauss(c, 0.7 * w, 0.45 * w, (sgn * inward * w, down * w))

    def cheek(self, s, up=0.0):
        e, P = EYE[s], self.P
        w = np.linalg.norm(P[e['outer']] - P[e['inner']])
        c = np.mean(P[e['cheek']], 0)
        self.gauss(c, 0.7 * w, 0.55 * w, (0, -up * w))

    def corner(self, s, pull=0.0, inward=0.0):
        P = self.P
        c = P[EYE[s]['corner']]
        sgn = -1 if s == 'L' else 1  # lateral
        mw = self.mw
        d = (sgn * (0.55 * pull - inward) * mw, -0.8 * pull * mw)
        self.gauss(c, 0.32 * mw, 0.3 * mw, d)

    def jaw(self, J):
        """open the mouth by J (fraction of mouth width)."""
        if J <= 0.003:
            return
        P, mw = self.P, self.mw
        x0, y0, x1, y1 = self.roi
        pts = 0.5 * (P[LO_INNER] + P[UP_INNER])
        cx = (P[61][0] + P[291][0]) / 2
        X, Y = self.X, self.Y
        line = np.interp(X, *zip(*sorted(zip(pts[:, 0], pts[:, 1]))))
        half = 0.5 * np.linalg.norm(P[61] - P[291])
        lens = np.clip(1 - ((X - cx) / half) ** 2, 0, 1) ** 0.6
        chin = P[152][1]
        eps = 1.0 + 0.45 * mw * (1 - lens)
        r = smoothstep((Y - line) / eps + 0.5)
        below = np.clip(1 - (Y - chin) / (0.6 * mw), 0, 1)
        below = np.where(Y < chin, 1.0, below)
        wx = np.exp(-0.5 * ((X - cx) / (0.9 * mw)) ** 2)
        dy = J * mw * wx * r * below
        self.DY -= dy
        self.dark = (line, lens, J * mw)

    def mouth_color(self):
        P = self.P
        x0, y0 = np.floor(P[[61, 291, 13, 14]].min(0)).astype(int)
        x1, y1 = np.ceil(P[[61, 291, 13, 14]].max(0)).astype(int)
        reg = self.img[max(0, y0 - 2):y1 + 3, max(0, x0):x1 + 1].reshape(-1, 3).astype(np.float32)
        lum = reg.sum(1)
        dark = reg[lum <= np.percentile(lum, 10)].mean(0)
        return np.minimum(dark * 0.8, np.array([60, 50, 90], np.float32))

    def render(self, out):
        x0, y0, x1, y1 = self.roi
        if not (np.any(self.DX) or np.any(self.DY)):
            return
        mx = (self.X + self.DX).astype(np.float32)
        my = (self.Y + self.DY).astype(np.float32)
        patch = cv2.remap(self.img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        if self.dark is not None:
            line, lens, Jp = self.dark
            gap = Jp * lens
            t = (self.Y - line) / np.maximum(gap, 1e-3)
            a = np.where((t > 0) & (t < 1), np.sin(np.pi * np.clip(t, 0, 1)) ** 0.7, 0) * np.clip(gap / 3.0, 0, 1)
            a = (0.8 * a)[..., None]
            col = self.mouth_color()
            patch = (patch * (1 - a) + col * a).astype(np.uint8)
        out[y0:y1, x0:x1] = patch


# ---------------------------------------------------------------- event profiles
def env_ar(t, t0, t1, ra, rd):
    """attack-hold-release envelope, 0..1."""
    return smoothstep((t - t0) / ra) * (1 - smoothstep((t - (t1 - rd)) / rd))


def blink_profile(t, t0, amp, tc, th, to):
    if t < t0 or t > t0 + tc + th + to:
        return 0.0
    if t < t0 + tc:
        return amp * smoothstep((t - t0) / tc)
    if t < t0 + tc + th:
        return amp
    x = (t - t0 - tc - th) / to
    return amp * (1 - x) ** 1.6


class Actions:
    def __init__(self):
        self.close = {'L': 0.0, 'R': 0.0}
        self.lift = {'L': 0.0, 'R': 0.0}
        self.rip = {'L': [None, None], 'R': [None, None]}
        self.brow_down = {'L': 0.0, 'R': 0.0}
        self.brow_in = {'L': 0.0, 'R': 0.0}
        self.cheek = {'L': 0.0, 'R': 0.0}
        self.pull = {'L': 0.0, 'R': 0.0}
        self.inward = {'L': 0.0, 'R': 0.0}
        self.jaw = 0.0
        self.pitch = 0.0

    def add_close(self, s, c):
        for k in sides(s):
            self.close[k] = 1 - (1 - self.close[k]) * (1 - min(max(c, 0), 1))

    def add(self, attr, s, v):
        d = getattr(self, attr)
        for k in sides(s):
            d[k] += v

    def active(self):
        return (any(self.close.values()) or any(self.lift.values()) or any(r[0] or r[1] for r in self.rip.values())
                or any(self.brow_down.values()) or any(self.brow_in.values()) or any(self.cheek.values())
                or any(self.pull.values()) or any(self.inward.values()) or self.jaw > 0)


def sides(s):
    return ['L', 'R'] if s == 'B' else [s]


def other(s):
    return {'L': 'R', 'R': 'L'}[s]


class Ev:
    """A planted event: truth fields plus a function adding its actions at time t."""

    def __init__(self, t0, t1, kind, iside, regions, fn, **extra):
        self.t0, self.t1, self.kind, self.iside, self.regions, self.fn = t0, t1, kind, iside, regions, fn
        self.extra = extra


def ev_blink(t0, rng, amp=None, side='B', fast=False, pull_side=None, pull=0.0, forceful=False):
    tc = rng.uniform(0.06, 0.09) if not fast else rng.uniform(0.05, 0.07)
    th = rng.uniform(0.0, 0.05) if not forceful else rng.uniform(0.05, 0.12)
    to = rng.uniform(0.14, 0.24) if not fast else rng.uniform(0.1, 0.16)
    amp = amp if amp is not None else (1.0 if rng.random() < 0.8 else rng.uniform(0.6, 0.9))
    asym = rng.uniform(-0.04, 0.04)

    def fn(A, t):
        b = blink_profile(t, t0, amp, tc, th, to)
        if b <= 0:
            return
        if side == 'B':
            A.add_close('L', b * (1 + asym))
            A.add_close('R', b * (1 - asym))
        else:
            A.add_close(side, b)
        A.add('lift', side, 0.06 * b)
        if forceful:
            A.add('lift', side, 0.2 * b)
            A.add('brow_down', side, 0.07 * b)
            A.add('brow_in', side, 0.03 * b)
            A.add('cheek', side, 0.05 * b)
        if pull_side:
            A.add('pull', pull_side, pull * b)
            A.add('cheek', pull_side, 0.5 * pull * b)
    regions = ['upper_lid', 'lower_lid', 'eye'] + (['brow'] if forceful else [])
    extra = {}
    if forceful:
        extra['forceful'] = True
    if pull_side:
        extra['synkinetic_mouth_pull'] = {'iside': pull_side, 'amount': round(pull, 3)}
    return Ev(t0, t0 + tc + th + to, 'blink', side, regions, fn, **extra)


def ev_smile(t0, dur, rng, amp=None, aff=None, aff_gain=1.0, teeth=False):
    amp = amp if amp is not None else rng.uniform(0.08, 0.16)
    ra, rd = rng.uniform(0.3, 0.6), rng.uniform(0.4, 0.8)
    t1 = t0 + dur

    def fn(A, t):
        e = env_ar(t, t0, t1, ra, rd)
        if e <= 0:
            return
        for s in 'LR':
            g = aff_gain if s == aff else 1.0
            A.add('pull', s, amp * e * g)
            A.add('cheek', s, 0.5 * amp * e * g)
            A.add('lift', s, 0.9 * amp * e * g)
        if teeth:
            A.jaw += 0.35 * amp * e
    return Ev(t0, t1, 'smile', 'B', ['mouth', 'cheek'], fn)


def ev_talk(t0, dur, rng, amp=None):
    amp = amp if amp is not None else rng.uniform(0.05, 0.12)
    n = int(dur * 4.5) + 2
    syl = np.cumsum(rng.uniform(0.14, 0.32, n))
    sa = rng.uniform(0.3, 1.0, n)
    t1 = t0 + dur

    def fn(A, t):
        e = env_ar(t, t0, t1, 0.15, 0.2)
        if e <= 0:
            return
        x = t - t0
        k = np.searchsorted(syl, x)
        if k >= n:
            return
        a = syl[k - 1] if k > 0 else 0.0
        ph = (x - a) / max(syl[k] - a, 1e-3)
        o = amp * sa[k] * math.sin(math.pi * ph) ** 2 * e
        A.jaw += o
        A.add('inward', 'B', 0.25 * o * (1 if k % 3 == 0 else 0))
        A.add('pull', 'B', 0.12 * o)
    return Ev(t0, t1, 'talking', 'B', ['mouth'], fn)


def ev_pucker(t0, dur, rng, amp=None):
    amp = amp if amp is not None else rng.uniform(0.1, 0.18)
    t1 = t0 + dur

    def fn(A, t):
        e = env_ar(t, t0, t1, 0.35, 0.45)
        if e > 0:
            A.add('inward', 'B', amp * e)
    return Ev(t0, t1, 'pucker', 'B', ['mouth'], fn)


def ev_glance(t0, dur, rng):
    amp = rng.uniform(0.35, 0.55)
    t1 = t0 + dur

    def fn(A, t):
        e = env_ar(t, t0, t1, 0.25, 0.3)
        if e > 0:
            A.add_close('B', amp * e)
            A.pitch += e
    return Ev(t0, t1, 'glance_down', 'B', ['upper_lid', 'eye'], fn)


def ev_yawn(t0, dur, rng):
    amp = rng.uniform(0.2, 0.3)
    t1 = t0 + dur

    def fn(A, t):
        e = env_ar(t, t0, t1, 0.45 * dur, 0.35 * dur)
        if e > 0:
            A.jaw += amp * e
            A.add_close('B', 0.55 * e)
            A.add('lift', 'B', 0.15 * e)
            A.add('brow_down', 'B', -0.04 * e)
            A.pitch -= 0.6 * e
    return Ev(t0, t1, 'yawn', 'B', ['mouth', 'eye'], fn)


def ev_flicker(t0, dur, side, lid, rng, amp, fps):
    f0 = min(rng.uniform(3.5, 8.0), fps / 3.6)
    cen = rng.uniform(0.3, 0.7)
    wid = rng.uniform(0.18, 0.3)
    k = rng.uniform(1.0, 2.5) * rng.choice([-1, 1])
    # semirhythmic: frequency wanders
    ts = np.arange(0, dur + 0.5, 0.01)
    fr = f0 * (1 + 0.25 * np.convolve(rng.standard_normal(len(ts)), np.ones(25) / 5, 'same'))
    phase = 2 * np.pi * np.cumsum(fr) * 0.01
    t1 = t0 + dur

    def fn(A, t):
        e = env_ar(t, t0, t1, 0.3, 0.4)
        if e <= 0:
            return
        ph = np.interp(t - t0, ts, phase)

        def rip(un, ph=ph, e=e):
            bump = np.exp(-0.5 * ((un - cen) / wid) ** 2)
            wave = 0.5 * (1 + np.sin(ph - 2 * np.pi * k * (un - cen)))
            return amp * e * bump * wave
        A.rip[side][0 if lid == 'upper_lid' else 1] = rip
    return Ev(t0, t1, 'flicker', side, [lid], fn, freq_hz=round(float(f0), 2))


def ev_clonic(t0, side, rng, amp, n=1, cheek=0.0, mouth=0.0, brow=0.0):
    gaps = np.cumsum(np.r_[0, rng.uniform(0.1, 0.22, n - 1)])
    durs = rng.uniform(0.1, 0.2, n)
    amps = amp * rng.uniform(0.7, 1.1, n)
    t1 = t0 + gaps[-1] + durs[-1]

    def fn(A, t):
        x = 0.0
        for g, d, a in zip(gaps, durs, amps):
            s0 = t0 + g
            if s0 <= t <= s0 + d:
                r = (t - s0) / d
                x = max(x, a * (smoothstep(r / 0.3) if r < 0.3 else (1 - (r - 0.3) / 0.7) ** 1.3))
        if x <= 0:
            return
        A.add_close(side, 0.7 * x)
        A.add('lift', side, 0.45 * x)
        A.add('cheek', side, cheek * x)
        A.add('pull', side, mouth * x)
        A.add('brow_down', side, -brow * x)
    regions = ['upper_lid', 'lower_lid', 'eye'] + (['cheek'] if cheek > 0.02 else []) + (['mouth'] if mouth > 0.02 else [])
    return Ev(t0, t1, 'clonic_twitch', side, regions, fn, n_jerks=int(n))


def ev_tonic(t0, dur, side, rng, eye, cheek, mouth, brow=0.0):
    ra, rd = rng.uniform(0.15, 0.4), rng.uniform(0.25, 0.5)
    t1 = t0 + dur
    jf = rng.uniform(5, 9)
    jph = rng.uniform(0, 6.28)

    def fn(A, t):
        e = env_ar(t, t0, t1, ra, rd)
        if e <= 0:
            return
        j = 1 + 0.12 * math.sin(2 * math.pi * jf * t + jph) * math.sin(2 * math.pi * 1.3 * t)
        x = min(e * j, 1.05)
        A.add_close(side, eye * x)
        A.add('lift', side, 0.5 * eye * x)
        A.add('cheek', side, cheek * x)
        A.add('pull', side, mouth * x)
        A.add('brow_down', side, -brow * x)
    regions = ['upper_lid', 'lower_lid', 'eye'] + (['cheek'] if cheek > 0.02 else []) + \
              (['mouth'] if mouth > 0.02 else []) + (['brow'] if brow > 0.02 else [])
    return Ev(t0, t1, 'tonic_spasm', side, regions, fn, eye_closure=round(eye, 2), brow_raise=brow > 0.02)


def ev_forceful(t0, dur, rng, strength):
    ra, rd = rng.uniform(0.12, 0.3), rng.uniform(0.25, 0.5)
    t1 = t0 + dur
    wf = rng.uniform(0.7, 1.6)

    def fn(A, t):
        e = env_ar(t, t0, t1, ra, rd)
        if e <= 0:
            return
        sq = e * (0.85 + 0.15 * math.sin(2 * math.pi * wf * t))
        A.add_close('B', min(1.0, e * 1.05))
        A.add('lift', 'B', 0.3 * sq * strength)
        A.add('brow_down', 'B', 0.13 * sq * strength)
        A.add('brow_in', 'B', 0.06 * sq * strength)
        A.add('cheek', 'B', 0.06 * sq * strength)
    return Ev(t0, t1, 'forceful_closure', 'B', ['upper_lid', 'lower_lid', 'eye', 'brow'], fn)


def ev_narrow(trigger, side, amp, lag, extra_kind_of_trigger):
    """synkinetic eye narrowing that follows a voluntary movement's envelope."""
    t0, t1 = trigger.t0 + lag, trigger.t1 + lag

    def fn(A, t):
        e = env_ar(t, t0, t1, 0.35, 0.45)
        if e > 0:
            A.add_close(side, amp * e)
            A.add('lift', side, 0.5 * amp * e)
    return Ev(t0, t1, 'eye_narrowing', side, ['upper_lid', 'lower_lid', 'eye'], fn,
              synkinetic_with=extra_kind_of_trigger)


# ---------------------------------------------------------------- schedules
def place(rng, dur, occupied, length, tries=60, margin=0.25, lo=0.6):
    for _ in range(tries):
        t = rng.uniform(lo, dur - length - 0.6)
        if all(t + length + margin < a or t > b + margin for a, b in occupied):
            occupied.append((t, t + length))
            return t
    return None


def blink_train(rng, dur, rate, occupied, **kw):
    evs, t = [], rng.uniform(0.3, 60 / rate)
    while t < dur - 0.6:
        block = [b for a, b in occupied if not (t + 0.4 < a or t > b + 0.1)]
        if block:  # postpone the blink until just after the blocking event
            t = max(block) + rng.uniform(0.15, 0.5)
            continue
        evs.append(ev_blink(t, rng, **kw))
        occupied.append((t, t + 0.4))
        t += max(0.45, rng.gamma(2.2, 60 / rate / 2.2))
    return evs


def schedule(cl, rng, base_ev):
    """Return the list of planted events for a clip config."""
    d, dis, s, fps = cl['duration'], cl['disorder'], cl['iside'], cl['fps']
    occ = [(e['start_s'], e['end_s']) for e in base_ev if e['kind'] == 'blink']
    occ_smile = [(e['start_s'], e['end_s']) for e in base_ev if e['kind'] == 'smile']
    ev = []
    # the person's own blinks (moving bases) count towards the clip's blink rate
    base_rate = sum(1 for e in base_ev if e['kind'] == 'blink') / d * 60
    rate = max(3.0, cl['planted_blink_rate'] - base_rate)
    sev = cl.get('severity', 'moderate')
    if dis == 'normal':
        busy = list(occ_smile)
        for k in cl['expr']:
            L = {'smile': rng.uniform(1.5, 3.0), 'talking': rng.uniform(2.5, 5.0), 'glance_down': rng.uniform(0.9, 2.0),
                 'yawn': rng.uniform(3.5, 5.0), 'laugh': rng.uniform(1.5, 2.5)}[k]
            t = place(rng, d, busy, L, margin=1.0)
            if t is None:
                continue
            if k == 'smile':
                ev.append(ev_smile(t, L, rng))
            elif k == 'laugh':
                ev.append(ev_smile(t, L, rng, amp=rng.uniform(0.14, 0.2), teeth=True))
                ev.append(ev_talk(t + 0.2, L - 0.4, rng, amp=0.12))
            elif k == 'talking':
                ev.append(ev_talk(t, L, rng))
            elif k == 'glance_down':
                ev.append(ev_glance(t, L, rng))
            elif k == 'yawn':
                ev.append(ev_yawn(t, L, rng))
        occ2 = occ + [(e.t0, e.t1) for e in ev if e.kind in ('glance_down', 'yawn')]
        ev += blink_train(rng, d, rate, occ2)
    elif dis == 'frequent_blinking':
        ev += blink_train(rng, d, rate, occ)
    elif dis == 'eyelid_myokymia':
        lid = cl['lid']
        busy = []
        nb = cl['n_bouts']
        for i in range(nb):
            L = rng.uniform(2.0, 6.0)
            t = place(rng, d, busy, L, margin=1.5)
            if t is None:
                continue
            amp = cl['flicker_amp'] * rng.uniform(0.8, 1.2)
            ev.append(ev_flicker(t, L, s, lid, rng, amp, fps))
        ev += blink_train(rng, d, rate, occ)  # blinks go on during bouts
    elif dis == 'hemifacial_spasm':
        early = sev == 'early'
        busy = []
        n_ton = 1 if early else int(rng.integers(2, 4))
        for i in range(n_ton):
            L = rng.uniform(1.0, 2.0) if early else rng.uniform(1.5, 4.5)
            # later spasms are placed in the later part (spread)
            lo = 0.6 if i == 0 else d * 0.45
            t = place(rng, d, busy, L, margin=0.8, lo=lo)
            if t is None:
                continue
            prog = t / d
            if early:
                ev.append(ev_tonic(t, L, s, rng, eye=rng.uniform(0.3, 0.5), cheek=0.0, mouth=0.0))
            else:
                eye = rng.uniform(0.65, 1.0)
                mouth = (0.03 + 0.14 * prog) * cl['spread_gain']
                ev.append(ev_tonic(t, L, s, rng, eye=eye, cheek=(0.04 + 0.08 * prog) * cl['spread_gain'],
                                   mouth=mouth, brow=cl['brow_raise'] * rng.uniform(0.05, 0.09)))
        n_cl = int(rng.integers(5, 9)) if early else int(rng.integers(6, 12))
        for i in range(n_cl):
            t = place(rng, d, busy, 0.7, margin=0.4)
            if t is None:
                continue
            prog = t / d
            if early:
                ev.append(ev_clonic(t, s, rng, amp=rng.uniform(0.25, 0.45), n=int(rng.integers(1, 3))))
            else:
                ev.append(ev_clonic(t, s, rng, amp=rng.uniform(0.4, 0.8), n=int(rng.integers(1, 5)),
                                    cheek=0.06 * prog * cl['spread_gain'], mouth=0.08 * prog * cl['spread_gain']))
        ev += blink_train(rng, d, rate, occ + [(e.t0, e.t1) for e in ev])
    elif dis == 'blepharospasm':
        mild = sev == 'mild'
        busy = []
        n_cl = int(rng.integers(2, 4)) if not mild else int(rng.integers(1, 3))
        for i in range(n_cl):
            L = rng.uniform(1.0, 2.0) if mild else rng.uniform(1.5, 5.0)
            t = place(rng, d, busy, L, margin=0.8)
            if t is not None:
                ev.append(ev_forceful(t, L, rng, strength=0.5 if mild else rng.uniform(0.8, 1.2)))
        n_clu = int(rng.integers(1, 3))
        for i in range(n_clu):
            nb = int(rng.integers(3, 7))
            t = place(rng, d, busy, nb * 0.33 + 0.2, margin=0.6)
            if t is None:
                continue
            tt = t
            for j in range(nb):
                ev.append(ev_blink(tt, rng, amp=1.0, fast=True, forceful=True))
                tt += rng.uniform(0.26, 0.38)
        ev += blink_train(rng, d, rate, occ + busy)
    elif dis == 'synkinesis':
        busy = list(occ_smile)
        trig = []
        for e in base_ev:
            if e['kind'] == 'smile':
                trig.append(Ev(e['start_s'], e['end_s'], 'smile', 'B', [], lambda A, t: None))
        for k in cl['expr']:
            L = {'smile': rng.uniform(1.5, 3.0), 'talking': rng.uniform(2.5, 4.5), 'pucker': rng.uniform(1.2, 2.2)}[k]
            t = place(rng, d, busy, L + 0.3, margin=1.2)
            if t is None:
                continue
            if k == 'smile':
                e = ev_smile(t, L, rng, aff=s, aff_gain=cl['weak_gain'])
            elif k == 'talking':
                e = ev_talk(t, L, rng)
            else:
                e = ev_pucker(t, L, rng)
            ev.append(e)
            trig.append(e)
        for e in trig:
            ev.append(ev_narrow(e, s, cl['narrow_amp'] * rng.uniform(0.8, 1.2), rng.uniform(0.0, 0.12), e.kind))
        pull = cl['blink_pull']
        ev += blink_train(rng, d, rate, occ + [(e.t0, e.t1) for e in ev if e.kind == 'eye_narrowing'],
                          pull_side=s if pull > 0 else None, pull=pull)
    return ev


# ---------------------------------------------------------------- clip list
FACES_STILL = ['astronaut', 'astronaut_flip', 'single_face_jpg', 'single_face_jpg_flip', 'multi_a', 'multi_a_flip',
               'multi_b', 'multi_b_flip', 'multi_c', 'multi_c_flip', 'multi_d', 'multi_d_flip']
FACES_MOVING = ['wolfgang', 'wolfgang_flip', 'single_face_mp4', 'single_face_mp4_flip', 'jefapato', 'jefapato_flip']
CLASSES = ['normal', 'frequent_blinking', 'eyelid_myokymia', 'hemifacial_spasm', 'blepharospasm', 'synkinesis']
RES = [(640, 360), (854, 480), (480, 360), (640, 480), (426, 240), (960, 540), (360, 640), (320, 240),
       (1280, 720), (800, 600), (640, 360), (720, 1280)]


def build_list(seed):
    rng = np.random.default_rng(seed + 1000)
    clips = []
    mov_i, still_i = int(rng.integers(0, 6)), int(rng.integers(0, 12))
    res_i = 0
    fps_cycle = [24, 25, 30, 30, 60, 25, 24, 30]
    for ci, dis in enumerate(CLASSES):
        sides_ = ['L', 'R', 'L', 'R', 'R', 'L', 'R', 'L'] if dis not in ('normal', 'frequent_blinking', 'blepharospasm') else ['B'] * 8
        rng.shuffle(sides_)
        for k in range(8):
            moving = k in (0, 3, 6)
            if moving:
                face = FACES_MOVING[mov_i % 6]
                mov_i += 1
                fps = [24, 25, 30][(k // 3 + ci) % 3]
            else:
                face = FACES_STILL[still_i % 12]
                still_i += 5
                fps = fps_cycle[(k + ci) % 8]
            W, H = RES[res_i % len(RES)]
            res_i += 1
            if face.startswith('multi') and min(W, H) > 540:
                W, H = (640, 360) if W > H else (360, 640)
            if (face.startswith('wolfgang') or face.startswith('single_face_mp4')) and (W < H or min(W, H) > 540):
                W, H = [(640, 360), (854, 480), (960, 540)][res_i % 3]
            if fps == 60 and W * H > 1e6:
                fps = 30
            if dis == 'frequent_blinking' and k == 3:
                W, H, face = 1280, 720, 'jefapato_flip'
            cl = dict(disorder=dis, face=face, moving=moving, fps=fps, W=W, H=H, iside=sides_[k])
            cl['duration'] = float(np.round(rng.uniform(15, 19) if rng.random() < 0.85 else rng.uniform(19, 28), 1))
            if W * H > 0.8e6 or fps == 60:
                cl['duration'] = float(np.round(rng.uniform(15, 16), 1))
            r = rng.random()
            cl['codec'] = 'h264' if r < 0.8 else ('vp9' if r < 0.9 else 'mjpeg')
            if cl['codec'] != 'h264' and W * H > 1e6:
                cl['codec'] = 'h264'
            cl['crf'] = int(rng.integers(18, 33))
            cl['noise'] = float(np.round(rng.choice([0.0, 1.5, 3.0, 5.0]), 1))
            cl['light_amp'] = float(np.round(rng.uniform(0.0, 0.12), 3))
            cl['light_grad'] = bool(rng.random() < 0.3)
            cl['motion'] = str(rng.choice(['tripod', 'handheld', 'drift', 'drift']))
            cl['blur'] = bool(rng.random() < 0.15)
            # class-specific
            if dis == 'normal':
                cl['planted_blink_rate'] = float(rng.uniform(10, 19))
                ex = ['smile', 'talking', 'glance_down', 'yawn', 'laugh', 'smile', 'talking']
                rng.shuffle(ex)
                cl['expr'] = ex[:int(rng.integers(2, 5))]
            elif dis == 'frequent_blinking':
                cl['planted_blink_rate'] = float(rng.uniform(34, 60))
            elif dis == 'eyelid_myokymia':
                cl['planted_blink_rate'] = float(rng.uniform(9, 18))
                cl['lid'] = 'lower_lid' if k not in (2, 5, 7) else 'upper_lid'
                cl['n_bouts'] = int(rng.integers(2, 5))
                cl['flicker_amp'] = float(rng.choice([0.25, 0.35, 0.45]))
            elif dis == 'hemifacial_spasm':
                cl['planted_blink_rate'] = float(rng.uniform(9, 18))
                cl['severity'] = 'early' if k in (1, 4, 7) else 'established'
                cl['spread_gain'] = float(rng.uniform(0.7, 1.4))
                cl['brow_raise'] = float(rng.random() < 0.6)
            elif dis == 'blepharospasm':
                cl['severity'] = 'mild' if k in (2, 5) else 'moderate'
                cl['planted_blink_rate'] = float(rng.uniform(32, 48))
            elif dis == 'synkinesis':
                cl['planted_blink_rate'] = float(rng.uniform(9, 18))
                ex = ['smile', 'talking', 'pucker', 'smile', 'talking', 'pucker', 'smile']
                rng.shuffle(ex)
                cl['expr'] = ex[:int(rng.integers(3, 6))]
                cl['narrow_amp'] = float(rng.choice([0.25, 0.4, 0.55]))
                cl['weak_gain'] = float(rng.uniform(0.55, 0.9))
                cl['blink_pull'] = float(rng.choice([0.0, 0.05, 0.09]))
                cl['rest_narrow'] = float(rng.choice([0.0, 0.0, 0.12]))
            clips.append(cl)
    order = rng.permutation(len(clips))
    out = []
    for n, i in enumerate(order):
        c = clips[i]
        c['id'] = f'v4_{n + 1:03d}'
        ext = {'h264': 'mp4', 'vp9': 'webm', 'mjpeg': 'avi'}[c['codec']]
        c['file'] = f"{c['id']}.{ext}"
        out.append(c)
    return out


# ---------------------------------------------------------------- rendering
def global_h(cl, base, t, rng_params, pitch):
    """homography base->output at time t."""
    W, H = cl['W'], cl['H']
    p = rng_params
    P0 = base.lms[0] if not base.moving else p['mean_lms']
    fc = (P0[10] + P0[152]) / 2 if not base.moving else p['mean_center']
    fh = np.linalg.norm(P0[10] - P0[152])
    img_h, img_w = base.frames[0].shape[:2]
    cover = max(W / img_w, H / img_h)
    if base.moving:
        sc = p['zoom'] * cover * 1.04
        fc = np.array([img_w / 2, img_h / 2]) * (1 - p['center_pull']) + p['mean_center'] * p['center_pull']
    else:
        sc = max(p['face_frac'] * min(W, H) * 1.1 / fh, 1.12 * cover)
        fc = np.array(fc, np.float64)
    # keep the output window inside the source image (no mirrored borders)
    oc = p['out_center']
    hw, hh = W / sc, H / sc
    fc = np.array([np.clip(fc[0], oc[0] * hw + 0.03 * hw, img_w - (1 - oc[0]) * hw - 0.03 * hw),
                   np.clip(fc[1], oc[1] * hh + 0.03 * hh, img_h - (1 - oc[1]) * hh - 0.03 * hh)])
    m = cl['motion']
    amp = {'tripod': 0.15, 'handheld': 1.0, 'drift': 0.7}[m] * (0.5 if base.moving else 1.0)
    ph = p['ph']
    roll = amp * (3.0 * math.sin(2 * math.pi * t / p['T'][0] + ph[0]))
    yaw = amp * (4.0 * math.sin(2 * math.pi * t / p['T'][1] + ph[1]))
    tx = amp * 0.04 * W * math.sin(2 * math.pi * t / p['T'][2] + ph[2])
    ty = amp * 0.03 * H * math.sin(2 * math.pi * t / p['T'][3] + ph[3]) + pitch * 0.012 * H
    z = 1 + amp * 0.06 * math.sin(2 * math.pi * t / p['T'][4] + ph[4])
    if m == 'handheld':
        roll += 0.5 * math.sin(2 * math.pi * 1.7 * t + ph[0]) + 0.3 * math.sin(2 * math.pi * 3.1 * t)
        tx += 0.004 * W * math.sin(2 * math.pi * 2.3 * t + ph[1])
        ty += 0.004 * H * math.sin(2 * math.pi * 1.9 * t + ph[2])
    f = 3.0 * fh
    ps = math.radians(yaw)
    Hy = np.array([[math.cos(ps), 0, f * math.sin(ps)], [0, 1, 0], [-math.sin(ps) / f, 0, math.cos(ps)]])
    T0 = np.array([[1, 0, -fc[0]], [0, 1, -fc[1]], [0, 0, 1]])
    # recentre after yaw
    c = Hy @ np.array([0, 0, 1.0])
    Tc = np.array([[1, 0, -c[0] / c[2]], [0, 1, -c[1] / c[2]], [0, 0, 1]])
    r = math.radians(roll)
    s = sc * z
    R = np.array([[s * math.cos(r), -s * math.sin(r), 0], [s * math.sin(r), s * math.cos(r), 0], [0, 0, 1]])
    oc = p['out_center']
    T1 = np.array([[1, 0, oc[0] * W + tx], [0, 1, oc[1] * H + ty], [0, 0, 1]])
    return T1 @ R @ Tc @ Hy @ T0


def open_writer(path, cl):
    c = av.open(path, 'w')
    from fractions import Fraction
    fps = Fraction(cl['fps']).limit_denominator(1001)
    if cl['codec'] == 'h264':
        st = c.add_stream('libx264', rate=fps)
        st.pix_fmt = 'yuv420p'
        st.options = {'crf': str(cl['crf']), 'preset': 'superfast' if cl['W'] * cl['H'] < 5e5 else 'ultrafast', 'threads': '1'}
    elif cl['codec'] == 'vp9':
        st = c.add_stream('libvpx-vp9', rate=fps)
        st.pix_fmt = 'yuv420p'
        st.options = {'crf': str(cl['crf'] + 10), 'b': '0', 'deadline': 'realtime', 'cpu-used': '8', 'threads': '1'}
    else:
        st = c.add_stream('mjpeg', rate=fps)
        st.pix_fmt = 'yuvj420p'
        st.options = {'qmin': '2', 'qmax': str(max(3, cl['crf'] // 4))}
    st.width, st.height = cl['W'], cl['H']
    return c, st


def render_clip(cl, B, outdir, seed):
    rng = np.random.default_rng(seed * 7919 + int(cl['id'][3:]))
    base = B[cl['face']]
    fps, W, H = cl['fps'], cl['W'], cl['H']
    n = int(round(cl['duration'] * fps))
    smile_times = None
    if cl['face'].startswith('single_face_mp4'):
        k = 1 if cl['disorder'] in ('frequent_blinking', 'eyelid_myokymia', 'blepharospasm') else 2
        smile_times = []
        occ = []
        for _ in range(k):
            hold = rng.uniform(1.0, 2.5)
            t = place(rng, cl['duration'], occ, 2 * 44 / 30 + hold, margin=2.5, lo=1.0)
            if t is not None:
                smile_times.append((t, hold))
    tmap = base_timemap(base, n, fps, rng, smile_times)
    bev = base_events(base, tmap, fps)
    evs = schedule(cl, rng, bev)
    # global motion params
    gp = dict(ph=rng.uniform(0, 6.28, 5), T=rng.uniform(6, 20, 5), face_frac=rng.uniform(0.32, 0.6),
              out_center=(rng.uniform(0.45, 0.55), rng.uniform(0.42, 0.52)))
    if base.moving:
        gp['mean_lms'] = base.lms.mean(0)
        gp['mean_center'] = base.lms[:, 168].mean(0)
        gp['zoom'] = rng.uniform(1.0, 1.25) if not base.name.startswith('jefapato') else rng.uniform(1.6, 2.4)
        gp['center_pull'] = min(1.0, (gp['zoom'] - 1) * 1.5)
        gp['out_center'] = (0.5, 0.5)
    # lighting & noise
    lph = rng.uniform(0, 6.28, 3)
    lT = rng.uniform(5, 15, 2)
    noise = None
    if cl['noise'] > 0:  # signed sensor noise as (positive, negative) uint8 pairs, added with saturation
        noise = []
        for _ in range(4):
            nz = np.round(rng.normal(0, cl['noise'], (H, W, 1))).clip(-30, 30)
            nz = np.repeat(nz, 3, 2) + np.round(rng.normal(0, 0.4 * cl['noise'], (H, W, 3)))
            noise.append((np.clip(nz, 0, 255).astype(np.uint8), np.clip(-nz, 0, 255).astype(np.uint8)))
    grad = None
    if cl['light_grad']:
        grad = np.repeat(np.linspace(-1, 1, W, dtype=np.float32)[None, :, None], H, 0)
        grad = np.repeat(grad, 3, 2)
    gimg = None
    tint = rng.uniform(0.93, 1.07, 3)
    path = os.path.join(outdir, cl['file'])
    cont, st = open_writer(path, cl)
    for i in range(n):
        t = i / fps
        bi = tmap[i]
        img = base.frames[bi]
        P = base.lms[bi]
        A = Actions()
        for e in evs:
            if e.t0 - 0.05 <= t <= e.t1 + 0.6:
                e.fn(A, t)
        if cl['disorder'] == 'synkinesis' and cl.get('rest_narrow'):
            A.add_close(cl['iside'], cl['rest_narrow'])
        if A.active():
            frame = img.copy()
            rig = Rig(img, P)
            for s in 'LR':
                if A.close[s] or A.lift[s] or A.rip[s][0] or A.rip[s][1]:
                    rig.eye(s, A.close[s], A.lift[s], A.rip[s][0], A.rip[s][1])
                if A.brow_down[s] or A.brow_in[s]:
                    rig.brow(s, A.brow_down[s], A.brow_in[s])
                if A.cheek[s]:
                    rig.cheek(s, A.cheek[s])
                if A.pull[s] or A.inward[s]:
                    rig.corner(s, A.pull[s], A.inward[s])
            rig.jaw(A.jaw)
            rig.render(frame)
        else:
            frame = img
        Hm = global_h(cl, base, t, gp, A.pitch)
        out = cv2.warpPerspective(frame, Hm, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        if cl['blur']:
            out = cv2.GaussianBlur(out, (0, 0), 1.1)
        g = 1 + cl['light_amp'] * math.sin(2 * math.pi * t / lT[0] + lph[0])
        out = cv2.multiply(out, tuple(float(x) for x in g * tint) + (0.0,))
        if grad is not None:
            if i % 8 == 0:  # slowly moving side light, refreshed every 8 frames
                k = 0.12 * math.sin(2 * math.pi * t / lT[1] + lph[1])
                gimg = np.clip(128 * (1 + k * grad), 0, 255).astype(np.uint8)
            out = cv2.multiply(out, gimg, scale=1 / 128.0)
        if noise is not None:
            npos, nneg = noise[i % 4]
            out = cv2.subtract(cv2.add(out, npos), nneg)
        vf = av.VideoFrame.from_ndarray(out, format='bgr24')
        for pkt in st.encode(vf):
            cont.mux(pkt)
    for pkt in st.encode():
        cont.mux(pkt)
    cont.close()
    return evs, bev, n, smile_times


# ---------------------------------------------------------------- visibility check
FEATS_FOR = {
    'blink': ['ap'], 'flicker': ['ap'], 'clonic_twitch': ['ap', 'cheek', 'corner'], 'tonic_spasm': ['ap', 'cheek', 'corner', 'brow'],
    'forceful_closure': ['ap', 'brow'], 'smile': ['mw', 'corner'], 'pucker': ['mw'], 'eye_narrowing': ['ap'],
    'talking': ['mo'], 'glance_down': ['ap'], 'yawn': ['mo', 'ap'],
}


def measure(path, stride=1):
    c = av.open(path)
    rows = []
    with mesh() as m:
        for i, fr in enumerate(c.decode(video=0)):
            if i % stride:
                rows.append(None)
                continue
            p = detect(fr.to_ndarray(format='bgr24'), m)
            rows.append(face_feats(p) if p is not None else None)
    c.close()
    return rows


def check_visible(rows, events, fps):
    n = len(rows)
    ok = np.array([r is not None for r in rows])
    keys = [k for k in (rows[np.argmax(ok)] or {}).keys()]
    S = {k: np.array([r[k] if r is not None else np.nan for r in rows]) for k in keys}
    busy = np.zeros(n, bool)
    for e in events:
        a, b = int(e['start_s'] * fps), int(math.ceil(e['end_s'] * fps))
        busy[max(0, a - 1):min(n, b + 2)] = True
    quiet = ~busy & ok
    res = []
    spans = [(int(e['start_s'] * fps), min(n, int(math.ceil(e['end_s'] * fps)) + 1)) for e in events]
    for ei, e in enumerate(events):
        a, b = spans[ei]
        # frames of this event that no other event touching the same features overlaps
        own = np.zeros(n, bool)
        own[a:b] = True
        for ej, o in enumerate(events):
            if ej != ei and set(FEATS_FOR[o['kind']]) & set(FEATS_FOR[e['kind']]):
                oa, ob = spans[ej]
                own[max(0, oa - 1):min(n, ob + 1)] = False
        if own[a:b].sum() >= 2:
            own_idx = np.where(own)[0]
        else:
            own_idx = np.arange(a, b)
        w = int(2.0 * fps)
        idx = np.r_[max(0, a - w):a, b:min(n, b + w)]
        bl = idx[quiet[idx]] if len(idx) else idx
        if len(bl) < 8:
            bl = np.where(quiet)[0]
        if len(bl) < 8:
            bl = np.where(ok)[0]
        best = 0.0
        sides_ = {'B': 'LR', 'L': 'L', 'R': 'R'}[e['iside']]
        for f in FEATS_FOR[e['kind']]:
            names = [f] if f in ('mw', 'mo') else [f + s for s in sides_]
            sig = np.nanmean([S[k] for k in names], 0)
            seg = sig[own_idx]
            seg = seg[~np.isnan(seg)]
            base = sig[bl]
            base = base[~np.isnan(base)]
            if len(seg) == 0 or len(base) < 4:
                continue
            med = np.median(base)
            mad = 1.4826 * np.median(np.abs(base - med)) + 1e-4
            if e['kind'] == 'flicker':
                ds = np.diff(np.where(own[a:b], sig[a:b], np.nan))
                ds = ds[~np.isnan(ds)]
                rs = np.std(ds) if len(ds) > 2 else 0
                rb = np.std(np.diff(base)) + 1e-4
                dev = np.percentile(np.abs(seg - med), 90)
                z = max(rs / rb / 1.6, dev / (4 * mad)) if dev > 0.04 * abs(med) else 0
            else:
                dev = np.max(np.abs(seg - med)) if len(seg) < 4 else np.sort(np.abs(seg - med))[-2]
                rel = 0.08 if f == 'ap' else 0.025
                z = dev / (4 * mad) if dev > rel * abs(med) else 0
            best = max(best, z)
        res.append(bool(best >= 1.0))
    return res


# ---------------------------------------------------------------- truth
SIDE_NAME = {'L': 'right', 'R': 'left', 'B': 'both', 'N': 'none'}
IMG_SIDE = {'L': 'image_left', 'R': 'image_right', 'B': 'both', 'N': 'none'}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--only', default='')
    ap.add_argument('--no-check', action='store_true')
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    t_start, c_start = time.time(), time.process_time()
    B = load_bases()
    print(f'bases tracked in {time.time() - t_start:.1f}s', flush=True)
    clips = build_list(a.seed)
    only = set(a.only.split(',')) if a.only else None
    truth = []
    for cl in clips:
        if only and cl['id'] not in only:
            continue
        t0 = time.time()
        evs, bev, n, smile_times = render_clip(cl, B, a.out, a.seed)
        events = []
        for e in bev:
            events.append(dict(e))
        for e in evs:
            d = dict(start_s=e.t0, end_s=e.t1, kind=e.kind, iside=e.iside, regions=e.regions, source='planted')
            d.update(e.extra)
            events.append(d)
        events = [e for e in events if e['start_s'] < cl['duration'] and e['end_s'] > 0]
        events.sort(key=lambda e: e['start_s'])
        if not a.no_check:
            stride = 1 if cl['disorder'] == 'eyelid_myokymia' else max(1, int(round(cl['fps'] / 15)))
            rows = measure(os.path.join(a.out, cl['file']), stride)
            vis = check_visible(rows, events, cl['fps'])
        else:
            vis = [None] * len(events)
        out_ev = []
        for e, v in zip(events, vis):
            o = dict(start_s=round(float(e['start_s']), 3), end_s=round(float(min(e['end_s'], cl['duration'])), 3),
                     kind=e['kind'], side=SIDE_NAME[e['iside']], image_side=IMG_SIDE[e['iside']],
                     regions=e['regions'], visible=v, source=e['source'])
            for k, val in e.items():
                if k not in ('start_s', 'end_s', 'kind', 'iside', 'regions', 'source'):
                    if isinstance(val, dict) and 'iside' in val:
                        val = dict(side=SIDE_NAME[val['iside']], image_side=IMG_SIDE[val['iside']], amount=val['amount'])
                    o[k] = val
            out_ev.append(o)
        nbl = sum(1 for e in out_ev if e['kind'] == 'blink')
        split = 'dev' if hashlib.sha256(cl['id'].encode()).digest()[0] % 2 == 0 else 'locked'
        side = cl['iside'] if cl['disorder'] not in ('normal', 'frequent_blinking') else 'N'
        cond = {k: cl[k] for k in ('codec', 'crf', 'noise', 'light_amp', 'light_grad', 'motion', 'blur')}
        cond.update({k: cl[k] for k in ('severity', 'lid', 'n_bouts', 'flicker_amp', 'spread_gain', 'brow_raise',
                                         'narrow_amp', 'weak_gain', 'blink_pull', 'rest_narrow', 'expr',
                                         'planted_blink_rate') if k in cl})
        if cl['codec'] != 'h264':
            cond['crf_note'] = 'vp9 crf = crf+10; mjpeg qmax = crf//4'
        cond['base_smile_episodes'] = smile_times
        truth.append(dict(id=cl['id'], file=cl['file'], split=split, face=cl['face'],
                          base='moving' if cl['moving'] else 'still', disorder=cl['disorder'],
                          side=SIDE_NAME[side], image_side=IMG_SIDE[side], fps=cl['fps'], width=cl['W'],
                          height=cl['H'], duration_s=round(n / cl['fps'], 3),
                          blink_rate_per_min=round(nbl / (n / cl['fps']) * 60, 1), events=out_ev, conditions=cond))
        nv = sum(1 for v in vis if v)
        print(f"{cl['id']} {cl['disorder']:18s} {cl['face']:22s} {cl['W']}x{cl['H']}@{cl['fps']} {cl['codec']} "
              f"{n} fr, {len(out_ev)} ev, vis {nv}/{len(out_ev)}, {time.time() - t0:.1f}s", flush=True)
    with open(os.path.join(a.out, 'truth.json'), 'w') as f:
        json.dump(truth, f, indent=1)
    print(f'done: {len(truth)} clips, wall {time.time() - t_start:.0f}s, cpu(main) {time.process_time() - c_start:.0f}s')


if __name__ == '__main__':
    main()
