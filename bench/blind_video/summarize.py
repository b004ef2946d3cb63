"""Print class/split counts and the share of visible events per kind from DIR/truth.json."""
import json, sys
from collections import Counter, defaultdict
T = json.load(open(sys.argv[1]))
print('clips', len(T))
c = Counter((r['disorder'], r['split']) for r in T)
for d in sorted({r['disorder'] for r in T}):
    sides = Counter(r['side'] for r in T if r['disorder'] == d)
    print(f"{d:18s} dev {c[(d,'dev')]:2d} locked {c[(d,'locked')]:2d}  sides {dict(sides)}  "
          f"blink/min {min(r['blink_rate_per_min'] for r in T if r['disorder']==d):.0f}-"
          f"{max(r['blink_rate_per_min'] for r in T if r['disorder']==d):.0f}")
vis = defaultdict(lambda: [0, 0])
for r in T:
    for e in r['events']:
        vis[e['kind']][0] += bool(e['visible']); vis[e['kind']][1] += 1
for k, (a, b) in sorted(vis.items()):
    print(f'{k:18s} visible {a:4d}/{b:4d} = {a/b:.0%}')
print('fps', Counter(r['fps'] for r in T), 'codec', Counter(r['conditions']['codec'] for r in T))
print('short side', Counter(min(r['width'], r['height']) for r in T))
print('faces', Counter(r['face'] for r in T), 'flipped', sum(r['flipped'] for r in T))
