#!/usr/bin/env python3
"""Usage: summarize.py DIR/truth.json  -- counts by class, split, side, format, severity, base."""
import collections
import json
import sys

T = json.load(open(sys.argv[1]))
print(f"{len(T)} clips, {sum(r['duration_s'] for r in T):.0f} s of video")


def table(title, key):
    c = collections.Counter(key(r) for r in T)
    print(f"\n{title}")
    for k in sorted(c, key=str):
        print(f"  {str(k):45s} {c[k]}")


table("class", lambda r: r["disorder"])
table("class x split", lambda r: (r["disorder"], r["split"]))
table("class x side (anatomical, as shown)", lambda r: (r["disorder"], r["side"]))
table("class x image_side", lambda r: (r["disorder"], r["image_side"]))
table("class x severity", lambda r: (r["disorder"], r["severity"]))
table("flipped", lambda r: r["flipped"])
table("format", lambda r: r["file"].rsplit(".", 1)[-1])
table("base", lambda r: r["base"])
table("face", lambda r: r["face"])
table("resolution", lambda r: f"{r['width']}x{r['height']}")
table("fps", lambda r: r["fps"])
print("\nblink rate per min by class (min / mean / max)")
by = collections.defaultdict(list)
for r in T:
    by[r["disorder"]].append(r["blink_rate_per_min"])
for k, v in sorted(by.items()):
    print(f"  {k:20s} {min(v):5.1f} {sum(v) / len(v):5.1f} {max(v):5.1f}")
