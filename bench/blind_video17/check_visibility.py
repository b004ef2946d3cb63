import json, sys, numpy as np, av, cv2
A, B = sys.argv[1], sys.argv[2]
truth = {t["id"]: t for t in json.load(open(A + "/truth.json"))}
def frames(p):
    with av.open(p) as c:
        return np.array([f.to_ndarray(format="gray") for f in c.decode(video=0)], np.float32)
for cid in sys.argv[3].split(","):
    t = truth[cid]
    fa, fb = frames(A + "/" + t["file"]), frames(B + "/" + t["file"])
    n = min(len(fa), len(fb))
    d = np.abs(fa[:n] - fb[:n]).reshape(n, -1)
    d = np.sort(d, axis=1)[:, -200:].mean(1)   # mean of the 200 largest pixel differences per frame
    ev = np.zeros(n, bool)
    for e in t["events"]:
        if e["end_s"] - e["start_s"] < t["duration_s"] * 0.9:
            ev[int(e["start_s"] * t["fps"]):int(e["end_s"] * t["fps"]) + 1] = True
    print(cid, t["disorder"], t["severity"], t["side"], t["image_side"], "blinks/min", t["blink_rate_per_min"],
          "n_ev", len(t["events"]), "diff in-event %.1f  out %.1f" % (d[ev].mean() if ev.any() else -1, d[~ev].mean()))
