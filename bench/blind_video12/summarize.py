#!/usr/bin/env python
"""usage: summarize.py truth.json -- counts by class, split, side, format"""
import json, sys
from collections import Counter

t = json.load(open(sys.argv[1]))
print(f"{len(t)} clips, {sum(d['duration_s'] for d in t):.0f} s of video")
def show(title, key):
    c = Counter(key(d) for d in t)
    print(f"\n{title}:")
    for k, v in sorted(c.items(), key=lambda kv: str(kv[0])):
        print(f"  {str(k):45s} {v}")
show("class", lambda d: d["disorder"])
show("class x split", lambda d: (d["disorder"], d["split"]))
show("class x side (final video)", lambda d: (d["disorder"], d["side"]))
show("class x image_side", lambda d: (d["disorder"], d["image_side"]))
show("class x severity", lambda d: (d["disorder"], d["severity"]))
show("class x base", lambda d: (d["disorder"], d["base"]))
show("face", lambda d: d["face"])
show("flipped", lambda d: d["flipped"])
show("container/codec", lambda d: d["file"].rsplit(".", 1)[1])
show("resolution", lambda d: f"{d['width']}x{d['height']}" + (" portrait" if d["height"] > d["width"] else ""))
show("fps", lambda d: d["fps"])
print("\nblink rate per min by class (min / mean / max):")
for c in sorted({d["disorder"] for d in t}):
    r = [d["blink_rate_per_min"] for d in t if d["disorder"] == c]
    print(f"  {c:20s} {min(r):5.1f} {sum(r) / len(r):5.1f} {max(r):5.1f}")
print("\nevent kinds:")
for k, v in sorted(Counter(e["kind"] for d in t for e in d["events"]).items()):
    print(f"  {k:30s} {v}")
