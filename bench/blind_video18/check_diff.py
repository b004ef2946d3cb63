"""Visibility check: render clips with and without planted events, compare decoded frames.
usage: check_diff.py DIR id [id ...]  (DIR must hold truth.json from make_clips.py, same seed)"""
import sys, json, os, numpy as np, av
sys.argv, args = sys.argv[:1], sys.argv[1:]
import make_clips as m
d, ids = args[0], args[1:]
lm = m.prepare(os.path.join(d, '.cache'))
T = {r['id']: r for r in json.load(open(os.path.join(d, 'truth.json')))}
specs = {s['id']: s for s in m.plan(18)}
def frames(p):
    return np.array([f.to_ndarray(format='gray').astype(np.int16) for f in av.open(p).decode(video=0)])
for cid in ids:
    sp = dict(specs[cid]); sp['_strip'] = True; sp['_suffix'] = '_bare'
    m.render(sp, d, lm)
    a = frames(os.path.join(d, T[cid]['file'])); b = frames(os.path.join(d, 'clips', cid + '_bare.' + sp['fmt']))
    import cv2
    diff = np.array([cv2.blur(np.abs(x - y).astype(np.float32), (7, 7)) for x, y in zip(a, b)]).reshape(len(a), -1)
    md = diff.mean(1); mx = diff.max(1)
    t = np.arange(len(a)) / T[cid]['fps']
    inside = {}
    for e in T[cid]['events']:
        k = e['kind']; w = (t >= e['start_s']) & (t <= e['end_s'])
        inside.setdefault(k, np.zeros(len(a), bool)); inside[k] |= w
    anyev = np.any(list(inside.values()), axis=0) if inside else np.zeros(len(a), bool)
    out = {k: round(float(np.percentile(mx[w], 90)), 1) for k, w in inside.items() if w.any()}
    print(cid, T[cid]['disorder'], T[cid]['severity'], 'max 7x7-mean |diff| (grey levels) in events:', out,
          'outside:', round(float(np.median(mx[~anyev])), 1) if (~anyev).any() else None)
    os.remove(os.path.join(d, 'clips', cid + '_bare.' + sp['fmt']))
