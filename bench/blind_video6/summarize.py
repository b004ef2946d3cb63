#!/usr/bin/env python
"""Print counts per class, per event kind and visibility share from a set-6 truth.json."""
import json
import sys
from collections import Counter, defaultdict

path = sys.argv[1] if len(sys.argv) > 1 else "/work/bv/set6/truth.json"
T = json.load(open(path))
print("clips:", len(T))
print("\nper class (clips, dev/locked, footage/still):")
for c in sorted({t["disorder"] for t in T}):
    ts = [t for t in T if t["disorder"] == c]
    print("  %-18s %2d  dev %2d locked %2d  footage %2d still %2d" % (
        c, len(ts), sum(t["split"] == "dev" for t in ts), sum(t["split"] == "locked" for t in ts),
        sum(t["base"] == "footage" for t in ts), sum(t["base"] == "still" for t in ts)))
kinds = Counter()
vis = defaultdict(Counter)
for t in T:
    for e in t["events"]:
        kinds[e["kind"]] += 1
        vis[e["kind"]][str(e.get("visible"))] += 1
print("\nper event kind (count; visible true/false/null):")
for k, n in kinds.most_common():
    v = vis[k]
    tested = v["True"] + v["False"]
    share = "%.0f%%" % (100.0 * v["True"] / tested) if tested else "-"
    print("  %-18s %4d   %4d/%4d/%4d  visible share %s" % (k, n, v["True"], v["False"], v["None"], share))
print("\nper class x kind:")
for c in sorted({t["disorder"] for t in T}):
    cnt = Counter(e["kind"] for t in T if t["disorder"] == c for e in t["events"])
    print("  %-18s %s" % (c, ", ".join("%s %d" % kv for kv in cnt.most_common())))
rates = defaultdict(list)
for t in T:
    rates[t["disorder"]].append(t["blink_rate_per_min"])
print("\nblink rate per min (min-max):")
for c, r in sorted(rates.items()):
    print("  %-18s %5.1f - %5.1f" % (c, min(r), max(r)))
print("\ncodecs:", dict(Counter(t["codec"] for t in T)), " fps:", dict(Counter(t["fps"] for t in T)))
print("sizes:", dict(Counter("%dx%d" % (t["width"], t["height"]) for t in T)))
