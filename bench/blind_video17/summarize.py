#!/usr/bin/env python
"""Counts of a truth.json by class, split, side, format and more. Usage: summarize.py truth.json"""
import json
import sys
from collections import Counter


def table(title, counter):
    print(title)
    for k, v in sorted(counter.items(), key=lambda kv: str(kv[0])):
        print("  %-40s %d" % (k, v))


def main():
    truth = json.load(open(sys.argv[1]))
    print("clips: %d" % len(truth))
    table("by class", Counter(t["disorder"] for t in truth))
    table("by class x split", Counter("%s / %s" % (t["disorder"], t["split"]) for t in truth))
    table("by class x side", Counter("%s / %s" % (t["disorder"], t["side"]) for t in truth))
    table("by class x severity", Counter("%s / %s" % (t["disorder"], t["severity"]) for t in truth))
    table("by image_side", Counter(t["image_side"] for t in truth))
    table("by flipped", Counter(t["flipped"] for t in truth))
    table("by format", Counter(t["file"].rsplit(".", 1)[-1] for t in truth))
    table("by resolution", Counter("%dx%d" % (t["width"], t["height"]) for t in truth))
    table("by fps", Counter(t["fps"] for t in truth))
    table("by base", Counter(t["base"] for t in truth))
    table("by face", Counter(t["face"] for t in truth))
    d = [t["duration_s"] for t in truth]
    print("duration_s: min %.2f max %.2f" % (min(d), max(d)))
    by = {}
    for t in truth:
        by.setdefault(t["disorder"], []).append(t["blink_rate_per_min"])
    print("blink rate per min by class (min / mean / max)")
    for k, v in sorted(by.items()):
        print("  %-40s %.1f / %.1f / %.1f" % (k, min(v), sum(v) / len(v), max(v)))
    table("event kinds", Counter(e["kind"] for t in truth for e in t["events"]))


if __name__ == "__main__":
    main()
