#!/usr/bin/env python3
"""Blind simulator of face-twitch (hemifacial spasm / blepharospasm) diaries with
botulinum toxin injections and a known, planted truth.

    python simulate.py --out DIR --n 360 --seed S

Writes DIR/<id>/days.csv, treatments.json, truth.json, and planted.json (the
planted parameters and daily expected rates, for checking; not part of the diary).
See README.md for the generative model.  numpy only.
"""
import argparse
import datetime as dt
import json
import math
import os

import numpy as np

ARCHETYPES = [
    ("typical", 0.24),
    ("blepharospasm_high", 0.14),
    ("low_count", 0.15),
    ("short_duration_early_reinjector", 0.08),
    ("long_duration_late", 0.08),
    ("new_patient_titration", 0.08),
    ("secondary_nonresponder", 0.04),
    ("primary_nonresponder", 0.02),
    ("changing_disease", 0.07),
    ("weak_responder", 0.05),
    ("chaotic_logger", 0.05),
]

DAY0_MIN = dt.date(2015, 1, 1)
DAY0_SPAN = (dt.date(2023, 12, 31) - DAY0_MIN).days


# ----------------------------------------------------------------------------
# Injection effect profile (shared with check.py)
# ----------------------------------------------------------------------------
def _smoothstep(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def half_position(shape, p):
    """Fraction x of the wear-off window at which down(x) = 1/2."""
    if shape == "cos":
        return 0.5
    return 1.0 - 0.5 ** (1.0 / p)


def reduction(inj, t):
    """Own fractional reduction of the expected daily rate of one injection,
    t = integer days since the injection (array; negative -> 0)."""
    t = np.asarray(t, dtype=float)
    L, R, T0, W = inj["L"], inj["R"], inj["T0"], inj["W"]
    up = np.where(t < L, 0.0, _smoothstep((t - L + 1.0) / (R + 1.0)))
    x = (t - T0) / W
    if inj["shape"] == "cos":
        down = 1.0 - _smoothstep(x)
    else:
        down = np.clip(1.0 - np.clip(x, 0.0, 1.0), 0.0, 1.0) ** inj["p"]
    return inj["depth"] * up * down


def injection_truth_days(inj):
    """(onset_offset, wear_off_offset, dmax) in days since injection, exactly from
    the planted profile.  onset: first day reduction >= dmax/2; wear_off: first day
    after the deepest day with reduction <= dmax/2."""
    horizon = int(math.ceil(inj["T0"] + inj["W"])) + 3
    t = np.arange(0, horizon + 1)
    r = reduction(inj, t)
    dmax = float(r.max())
    if dmax <= 0:
        return None, None, 0.0
    onset = int(np.argmax(r >= dmax / 2.0))
    peak_last = int(np.nonzero(r == dmax)[0][-1])
    after = np.nonzero((t > peak_last) & (r <= dmax / 2.0))[0]
    wear = int(after[0])
    return onset, wear, dmax


# ----------------------------------------------------------------------------
# Person
# ----------------------------------------------------------------------------
def lognorm(rng, median, sigma):
    return float(median * math.exp(rng.normal(0.0, sigma)))


def make_person(rng, arche):
    P = {"archetype": arche}
    if arche == "blepharospasm_high":
        P["condition"] = "blepharospasm"
    else:
        P["condition"] = "hemifacial_spasm" if rng.random() < 0.62 else "blepharospasm"

    # --- severity (untreated episodes/day at diary start) ---
    if arche == "low_count":
        level = "low"
    elif arche == "blepharospasm_high":
        level = "high"
    else:
        level = rng.choice(["low", "moderate", "high"], p=[0.17, 0.58, 0.25])
    if level == "low":
        B = rng.uniform(0.4, 3.0)
    elif level == "moderate":
        B = float(np.clip(lognorm(rng, 8.0, 0.45), 3.0, 22.0))
    else:
        B = float(np.clip(lognorm(rng, 30.0, 0.45), 12.0, 120.0))
    P["level"], P["B"] = str(level), B

    # --- injection response ---
    if arche == "short_duration_early_reinjector":
        P["D_med"] = rng.uniform(42, 72)
        P["W_med"] = rng.uniform(10, 30)
    elif arche == "long_duration_late":
        P["D_med"] = rng.uniform(125, 190)
        P["W_med"] = rng.uniform(21, 70)
    else:
        P["D_med"] = float(np.clip(lognorm(rng, 95.0, 0.25), 50, 190))
        P["W_med"] = rng.uniform(14, 56)
    P["D_cv"] = rng.uniform(0.07, 0.25)
    P["shape"] = "cos" if rng.random() < 0.5 else "power"
    P["p_med"] = float(math.exp(rng.uniform(math.log(0.6), math.log(2.5))))
    P["lat_mu"] = rng.uniform(0.3, 3.5)
    if rng.random() < 0.07:
        P["ramp_med"] = rng.uniform(16, 30)           # slow responder
    else:
        P["ramp_med"] = float(math.exp(rng.uniform(math.log(2.5), math.log(14))))
    if arche == "weak_responder":
        P["depth_mu"] = rng.uniform(0.42, 0.55)
    else:
        P["depth_mu"] = 0.45 + 0.5 * rng.beta(3.0, 2.0)
    P["depth_sd"] = rng.uniform(0.03, 0.10)
    P["p_fail"] = float(rng.beta(1.2, 12.0))
    if arche == "weak_responder":
        P["p_fail"] = float(rng.uniform(0.1, 0.3))
    P["fail_from"] = None
    P["switch_after"] = None
    if arche == "secondary_nonresponder":
        P["fail_from"] = int(rng.integers(1, 4))   # index among in-diary injections
        P["switch_after"] = 2 if rng.random() < 0.5 else None
    P["titration"] = arche == "new_patient_titration"

    # --- scheduling ---
    if arche == "short_duration_early_reinjector":
        P["policy"] = "scheduled" if rng.random() < 0.5 else "on_demand"
        P["I_weeks"] = int(rng.choice([7, 8, 8, 9, 10]))
    elif arche == "long_duration_late":
        P["policy"] = "irregular" if rng.random() < 0.5 else "on_demand"
        P["I_weeks"] = int(rng.choice([16, 20, 24]))
    else:
        P["policy"] = str(rng.choice(["scheduled", "on_demand", "irregular"], p=[0.55, 0.30, 0.15]))
        P["I_weeks"] = int(rng.choice([10, 11, 12, 12, 12, 12, 12, 13, 13, 14, 15, 16]))
    P["irr_med"] = P["I_weeks"] * 7 * rng.uniform(0.95, 1.25)
    P["p_delay"] = rng.uniform(0.03, 0.20)
    P["p_topup"] = rng.uniform(0.2, 0.8)
    P["treatment_break"] = bool(rng.random() < 0.07)
    P["stops_treatment"] = bool(rng.random() < 0.05)
    if arche == "primary_nonresponder":
        P["p_fail"] = 1.0
        P["stops_treatment"] = True

    # --- disease dynamics (log scale) ---
    P["trend"] = rng.normal(0.05, 0.15)                  # log units / year
    P["event"] = None
    if arche == "changing_disease":
        kind = rng.choice(["spread", "remission", "trend"], p=[0.45, 0.25, 0.30])
        if kind == "spread":
            P["event"] = {"kind": "spread", "size": rng.uniform(0.25, 0.6), "len": rng.uniform(20, 90)}
        elif kind == "remission":
            P["event"] = {"kind": "remission", "size": -rng.uniform(0.4, 1.2), "len": rng.uniform(60, 300)}
        else:
            P["trend"] = float(rng.choice([-1, 1]) * rng.uniform(0.35, 0.7))
    P["ou_tau"] = rng.uniform(20, 120)
    P["ou_sd"] = rng.uniform(0.05, 0.3)
    P["dow_amp"] = rng.uniform(0.0, 0.25) if rng.random() < 0.75 else 0.0
    P["dow_pattern"] = str(rng.choice(["weekday_stress", "weekend_worse", "random"]))
    if P["condition"] == "blepharospasm":
        P["season_amp"] = rng.uniform(0.05, 0.25)
    else:
        P["season_amp"] = rng.uniform(0.0, 0.12) if rng.random() < 0.4 else 0.0
    P["flare_rate"] = rng.uniform(0.0, 6.0)              # per year
    P["k"] = float(np.clip(lognorm(rng, 5.0, 0.7), 1.2, 50.0))   # gamma shape (overdispersion)
    P["p_spike"] = rng.uniform(0.0, 0.03)

    # --- diary keeping ---
    q = rng.random()
    if arche == "chaotic_logger":
        P["p0"] = rng.uniform(0.4, 0.7)
    elif q < 0.45:
        P["p0"] = rng.uniform(0.9, 0.995)
    elif q < 0.80:
        P["p0"] = rng.uniform(0.7, 0.9)
    else:
        P["p0"] = rng.uniform(0.45, 0.7)
    P["fade"] = None
    if rng.random() < (0.6 if arche == "chaotic_logger" else 0.3):
        P["fade"] = {"floor": rng.uniform(0.15, 0.6), "tau": rng.uniform(90, 400)}
    P["weekend_factor"] = rng.uniform(0.4, 0.8) if rng.random() < 0.2 else 1.0
    P["stickiness"] = rng.uniform(0.5, 0.95)           # P(log | missed yesterday) multiplier
    P["gap_rate"] = rng.uniform(0.3, 3.0) * (2 if arche == "chaotic_logger" else 1)
    P["long_gap"] = bool(rng.random() < (0.3 if arche == "chaotic_logger" else 0.1))
    P["informative"] = rng.uniform(0.5, 1.5) if rng.random() < 0.25 else 0.0
    P["backfill"] = bool(rng.random() < (0.3 if arche == "chaotic_logger" else 0.1))
    P["zero_fill"] = bool(rng.random() < 0.04)
    P["rounding"] = bool(level != "low" and rng.random() < 0.35)
    P["cap"] = int(rng.choice([30, 50, 99])) if (level == "high" and rng.random() < 0.3) else None
    P["missing_mode"] = "empty" if rng.random() < 0.55 else "absent"

    # --- reported onset / wear-off dates ---
    P["reports"] = bool(rng.random() < 0.45)
    P["p_rep_on"] = rng.uniform(0.5, 1.0)
    P["p_rep_off"] = rng.uniform(0.3, 0.9)
    P["b_on"] = rng.normal(0.0, 2.0)
    P["s_on"] = rng.uniform(1.0, 5.0)
    P["b_off"] = rng.normal(-8.0, 6.0)
    P["s_off"] = rng.uniform(3.0, 12.0)
    P["p_slip"] = rng.uniform(0.01, 0.06) * (2 if arche == "chaotic_logger" else 1)
    return P


# ----------------------------------------------------------------------------
# Injections
# ----------------------------------------------------------------------------
def make_injection(rng, P, day, worked):
    inj = {"day": int(day), "worked": bool(worked)}
    inj["L"] = int(min(10, 1 + rng.poisson(P["lat_mu"])))
    inj["R"] = float(np.clip(P["ramp_med"] * math.exp(rng.normal(0, 0.35)), 1.0, 40.0))
    D = float(np.clip(P["D_med"] * math.exp(rng.normal(0, P["D_cv"])), 35.0, 260.0))
    W = float(np.clip(P["W_med"] * math.exp(rng.normal(0, 0.2)), 10.0, 90.0))
    shape = P["shape"] if rng.random() < 0.85 else ("power" if P["shape"] == "cos" else "cos")
    p = float(np.clip(P["p_med"] * math.exp(rng.normal(0, 0.2)), 0.5, 3.0))
    inj["shape"], inj["p"] = shape, p
    if worked:
        inj["depth"] = float(np.clip(P["depth_mu"] + rng.normal(0, P["depth_sd"]), 0.41, 0.97))
    else:
        inj["depth"] = 0.0 if rng.random() < 0.5 else float(rng.uniform(0.02, 0.10))
    xh = half_position(shape, p)
    minT0 = inj["L"] + inj["R"] + 2.0
    T0 = D - xh * W
    if T0 < minT0:
        W = max(10.0, (D - minT0) / xh)
        T0 = D - xh * W
        if T0 < minT0:
            T0 = minT0
            D = T0 + xh * W
    inj["D"], inj["W"], inj["T0"] = D, W, T0
    on, off, dmax = injection_truth_days(inj)
    inj["onset_off"], inj["wear_off_off"], inj["dmax"] = on, off, dmax
    return inj


def to_weekday(day, day0):
    wd = (day0 + dt.timedelta(days=int(day))).weekday()
    if wd == 5:
        return day - 1
    if wd == 6:
        return day + 1
    return day


def gen_schedule(rng, P, N, day0):
    arche = P["archetype"]
    if arche in ("new_patient_titration",):
        scenario = "new"
    else:
        scenario = str(rng.choice(["new", "mid", "fresh"], p=[0.33, 0.37, 0.30]))
    injs = []
    history = False
    if scenario == "new":
        cur = int(rng.integers(5, 121))
    elif scenario == "mid":
        a = int(rng.integers(1, max(3, int(0.9 * P["D_med"]))))
        cur = -a
        if rng.random() < 0.3:
            history = True
            cur = -a - int(P["I_weeks"] * 7 + rng.integers(-10, 25))
    else:
        cur = int(rng.integers(0, 31))
    cur = to_weekday(cur, day0)

    n_given = 0
    fails_since_switch = 0
    switched = False
    break_at = int(rng.integers(1, 6)) if P["treatment_break"] else None
    stop_at = int(rng.integers(2, 8)) if P["stops_treatment"] else None
    if arche == "primary_nonresponder":
        stop_at = int(rng.integers(2, 5))
    prev_topup = False
    give_up = int(rng.integers(3, 5))
    while cur < N + 400:
        # does this injection work?
        n_in = sum(1 for i in injs if i["day"] >= 0)
        sec_fail = P["fail_from"] is not None and cur >= 0 and n_in >= P["fail_from"] and not switched
        if sec_fail:
            worked = False
        elif P["titration"] and n_given == 0 and scenario == "new":
            worked = rng.random() > 0.7
        else:
            worked = rng.random() > P["p_fail"]
        # a top-up after a failed dose works more often
        if prev_topup and P["archetype"] != "primary_nonresponder" and not sec_fail:
            worked = rng.random() > 0.15
        inj = make_injection(rng, P, cur, worked)
        inj["topup"] = prev_topup
        injs.append(inj)
        n_given += 1
        if sec_fail:
            fails_since_switch += 1
            if P["switch_after"] and fails_since_switch >= P["switch_after"]:
                switched = True      # switched toxin brand: responds again
            elif not P["switch_after"] and fails_since_switch >= give_up:
                break                # treatment abandoned; diary goes on
        if stop_at is not None and n_given >= stop_at and cur > 0:
            break
        # next interval
        prev_topup = False
        if not worked and not inj["topup"] and rng.random() < P["p_topup"] and arche != "primary_nonresponder":
            gap = int(rng.integers(14, 43))
            prev_topup = True
        elif P["policy"] == "scheduled":
            gap = int(round(P["I_weeks"] * 7 + rng.normal(0, 4)))
            if rng.random() < P["p_delay"]:
                gap += int(rng.integers(21, 121))
        elif P["policy"] == "on_demand":
            if worked:
                perceived = inj["wear_off_off"] - rng.uniform(0, 25)
                gap = int(round(perceived + rng.uniform(2, 40)))
            else:
                gap = int(rng.integers(56, 101))
        else:
            gap = int(round(P["irr_med"] * math.exp(rng.normal(0, 0.3))))
        gap = max(gap, 14 if prev_topup else 42)
        if break_at is not None and n_given == break_at:
            gap += int(rng.integers(150, 301))
        cur = to_weekday(cur + gap, day0)
    return injs, scenario, history


# ----------------------------------------------------------------------------
# Untreated rate
# ----------------------------------------------------------------------------
def untreated_rate(rng, P, N, day0):
    t = np.arange(N, dtype=float)
    logu = np.full(N, math.log(P["B"]))
    logu += P["trend"] * t / 365.0
    ev = P["event"]
    if ev is not None:
        t_ev = rng.uniform(0.15, 0.75) * N
        logu += ev["size"] * _smoothstep((t - t_ev) / ev["len"])
        ev["t"] = float(t_ev)
    # slow random walk (OU)
    a = math.exp(-1.0 / P["ou_tau"])
    x = np.empty(N)
    x[0] = rng.normal(0, P["ou_sd"])
    eps = rng.normal(0, 1, N)
    s = P["ou_sd"] * math.sqrt(1 - a * a)
    for i in range(1, N):
        x[i] = a * x[i - 1] + s * eps[i]
    logu += x
    # weekly rhythm
    wd = np.array([(day0 + dt.timedelta(days=i)).weekday() for i in range(N)])
    if P["dow_pattern"] == "weekday_stress":
        pat = np.array([1, 1, 1, 1, 1.2, -1.5, -1.5])
    elif P["dow_pattern"] == "weekend_worse":
        pat = np.array([-0.5, -0.5, -0.5, -0.3, 0.2, 1.0, 1.0])
    else:
        pat = rng.normal(0, 1, 7)
    pat = pat - pat.mean()
    pat = pat / (np.abs(pat).max() + 1e-9)
    logu += P["dow_amp"] * pat[wd]
    # season (bright light in summer)
    doy = np.array([(day0 + dt.timedelta(days=i)).timetuple().tm_yday for i in range(N)])
    logu += P["season_amp"] * np.cos(2 * math.pi * (doy - 180) / 365.25)
    # stress / fatigue flares (multi-day)
    nfl = rng.poisson(P["flare_rate"] * N / 365.0)
    for _ in range(nfl):
        st = int(rng.integers(0, N))
        ln = int(rng.integers(2, 15))
        logu[st:st + ln] += math.log(rng.uniform(1.3, 2.5))
    U = np.exp(logu)
    return U / (1.0 + U / 400.0), int(nfl)   # soft ceiling: nobody has thousands a day


# ----------------------------------------------------------------------------
# Diary keeping
# ----------------------------------------------------------------------------
def logging_mask(rng, P, N, day0, y, mu):
    t = np.arange(N)
    p = np.full(N, P["p0"])
    if P["fade"] is not None:
        f, tau = P["fade"]["floor"], P["fade"]["tau"]
        p = p * (f + (1 - f) * np.exp(-t / tau))
    wd = np.array([(day0 + dt.timedelta(days=int(i))).weekday() for i in range(N)])
    p = np.where(wd >= 5, p * P["weekend_factor"], p)
    if P["informative"] > 0:
        lg = np.log(np.clip(p, 1e-4, 1 - 1e-4) / (1 - np.clip(p, 1e-4, 1 - 1e-4)))
        lg = lg + P["informative"] * np.log((y + 1.0) / (mu + 1.0))
        p = 1 / (1 + np.exp(-lg))
    logged = np.zeros(N, dtype=bool)
    u = rng.random(N)
    prev = True
    for i in range(N):
        pi = p[i] if prev else p[i] * P["stickiness"]
        logged[i] = u[i] < pi
        prev = logged[i]
    # holiday / illness gaps
    ngap = rng.poisson(P["gap_rate"] * N / 365.0)
    gaps = []
    for _ in range(ngap):
        st = int(rng.integers(0, N))
        ln = int(np.clip(round(math.exp(rng.normal(math.log(10), 0.6))), 3, 60))
        logged[st:st + ln] = False
        gaps.append((st, ln))
    if P["long_gap"]:
        st = int(rng.integers(int(0.1 * N), int(0.9 * N)))
        ln = int(rng.integers(45, 121))
        logged[st:st + ln] = False
        gaps.append((st, ln))
    logged[0] = True
    if P["missing_mode"] == "absent":
        logged[-1] = True
    elif rng.random() < 0.7:
        logged[-1] = True
    return logged, gaps


def report_value(rng, P, v):
    if P["rounding"] and v >= 10 and rng.random() < 0.7:
        step = 10 if v >= 30 else 5
        v = int(step * round(v / step))
    elif v > 150:                      # nobody counts 150+ twitches exactly
        v = int(10 * round(v / 10))
    if P["cap"] is not None and v > P["cap"]:
        v = P["cap"]
    return int(v)


# ----------------------------------------------------------------------------
# Reported onset / wear-off dates
# ----------------------------------------------------------------------------
def slip(rng, d, inj_days_abs, interval):
    kind = rng.choice(["wrong_injection", "month", "year", "swap", "inj_date"])
    if kind == "wrong_injection":
        return d + int(rng.choice([-1, 1]) * interval), "wrong_injection"
    if kind == "month":
        return d + int(rng.choice([-31, -30, 30, 31])), "month_typo"
    if kind == "year":
        return d + int(rng.choice([-365, 365])), "year_typo"
    if kind == "inj_date":
        return inj_days_abs, "entered_injection_date"
    return None, "swap"


def make_reports(rng, P, listed, N, day0):
    out = []
    slips = []
    for j, inj in enumerate(listed):
        ro, rw = None, None
        nxt = listed[j + 1] if j + 1 < len(listed) else None
        interval = (nxt["day"] - inj["day"]) if nxt else (inj["day"] - listed[j - 1]["day"] if j > 0 else 90)
        if P["reports"]:
            hist_ok = inj["day"] >= 0 or rng.random() < 0.5
            if inj["worked"] and hist_ok:
                if rng.random() < P["p_rep_on"]:
                    ro = inj["day"] + inj["onset_off"] + int(round(rng.normal(P["b_on"], P["s_on"])))
                    ro = max(ro, inj["day"] + 1)
                masked = nxt is not None and nxt["day"] + nxt["L"] <= inj["day"] + inj["wear_off_off"]
                if rng.random() < P["p_rep_off"] * (0.35 if masked else 1.0):
                    rw = inj["day"] + inj["wear_off_off"] + int(round(rng.normal(P["b_off"], P["s_off"])))
                    if masked:
                        rw = min(rw, nxt["day"] - int(rng.integers(0, 11)))
                    rw = max(rw, (ro if ro is not None else inj["day"]) + 7)
            elif hist_ok:
                if rng.random() < 0.15:
                    ro = inj["day"] + int(rng.integers(4, 15))
                if rng.random() < 0.05:
                    rw = inj["day"] + int(rng.integers(20, 61))
            # a report about the future cannot exist at export time
            if ro is not None and ro > N - 1:
                ro = None
            if rw is not None and rw > N - 1:
                rw = None
            for which in ("on", "off"):
                val = ro if which == "on" else rw
                if val is not None and rng.random() < P["p_slip"]:
                    new, kind = slip(rng, val, inj["day"], interval)
                    if kind == "swap":
                        dd = day0 + dt.timedelta(days=int(val))
                        if dd.day <= 12 and dd.day != dd.month:
                            try:
                                sw = dt.date(dd.year, dd.day, dd.month)
                                new = (sw - day0).days
                            except ValueError:
                                new = None
                        else:
                            new = None
                    if new is not None and new != val:
                        slips.append({"injection": j, "field": which, "kind": kind,
                                      "from": iso(day0, val), "to": iso(day0, new)})
                        if which == "on":
                            ro = new
                        else:
                            rw = new
        out.append((ro, rw))
    return out, slips


def iso(day0, d):
    return (day0 + dt.timedelta(days=int(d))).isoformat()


# ----------------------------------------------------------------------------
# One diary
# ----------------------------------------------------------------------------
def simulate_one(rng, idx):
    arche = ARCHETYPES[rng.choice(len(ARCHETYPES), p=[w for _, w in ARCHETYPES])][0]
    P = make_person(rng, arche)
    day0 = DAY0_MIN + dt.timedelta(days=int(rng.integers(0, DAY0_SPAN)))
    q = rng.random()
    if arche == "secondary_nonresponder":
        N = int(rng.integers(450, 1096))
    elif q < 0.40:
        N = int(rng.integers(183, 366))
    elif q < 0.75:
        N = int(rng.integers(366, 731))
    else:
        N = int(rng.integers(731, 1096))
    injs, scenario, history = gen_schedule(rng, P, N, day0)

    listed = [i for i in injs if i["day"] < N]
    if len(listed) > 12:
        N = max(183, listed[12]["day"] - int(rng.integers(1, 31)))
        listed = [i for i in injs if i["day"] < N]
    while len(listed) > 12:            # only if history makes it impossible
        listed = listed[1:]
    near_end = False
    if rng.random() < 0.10:
        cand = [i for i in listed if i["day"] >= 183 - 1]
        if cand:
            last = cand[-1]
            N = last["day"] + int(rng.integers(1, 12))
            N = max(N, 183)
            listed = [i for i in listed if i["day"] < N]
            near_end = True
    if not listed:
        raise RuntimeError("no injection")
    all_injs = listed   # injections not listed lie after the diary end: no effect on it

    # planted expected rates
    U, nfl = untreated_rate(rng, P, N, day0)
    t = np.arange(N)
    keep = np.ones(N)
    for inj in all_injs:
        keep *= 1.0 - reduction(inj, t - inj["day"])
    Rtot = 1.0 - keep
    mu = U * keep

    # counts
    mult = rng.gamma(P["k"], 1.0 / P["k"], N)
    spikes = rng.random(N) < P["p_spike"]
    mult = np.where(spikes, mult * rng.uniform(2, 5, N), mult)
    lam = mu * np.minimum(mult, 6.0)
    y = rng.poisson(lam)

    logged, gaps = logging_mask(rng, P, N, day0, y, mu)
    values = [report_value(rng, P, int(v)) if l else None for v, l in zip(y, logged)]
    # retrospective back-filling of short gaps / zero for forgotten days
    filled = 0
    if P["backfill"] or P["zero_fill"]:
        i = 1
        while i < N:
            if values[i] is None:
                j = i
                while j < N and values[j] is None:
                    j += 1
                if j < N and (j - i) <= 10:
                    if P["backfill"] and rng.random() < 0.5:
                        recent = [v for v in values[max(0, i - 7):i] if v is not None]
                        guess = int(round(np.mean(recent))) if recent else 0
                        for k2 in range(i, j):
                            values[k2] = report_value(rng, P, guess)
                        filled += j - i
                    elif P["zero_fill"] and rng.random() < 0.3:
                        for k2 in range(i, j):
                            values[k2] = 0
                        filled += j - i
                i = j
            else:
                i += 1

    reports, slips = make_reports(rng, P, listed, N, day0)

    # truth
    truth_inj = []
    for j, inj in enumerate(listed):
        nxt = listed[j + 1] if j + 1 < len(listed) else None
        if inj["worked"]:
            on = inj["day"] + inj["onset_off"]
            wo = inj["day"] + inj["wear_off_off"]
            vis = (nxt is None or wo < nxt["day"] + nxt["L"]) and wo <= N - 1 - 14 and wo >= 0
            truth_inj.append({"date": iso(day0, inj["day"]), "worked": True,
                              "onset": iso(day0, on), "wear_off": iso(day0, wo),
                              "wear_off_visible": bool(vis)})
        else:
            truth_inj.append({"date": iso(day0, inj["day"]), "worked": False,
                              "onset": None, "wear_off": None, "wear_off_visible": False})

    notes = describe(P, scenario, history, near_end, listed, N, nfl, gaps, filled, slips)
    return {
        "P": P, "day0": day0, "N": N, "listed": listed, "U": U, "R": Rtot, "mu": mu,
        "y": y, "values": values, "reports": reports, "slips": slips,
        "truth": {"injections": truth_inj, "notes": notes}, "scenario": scenario,
        "near_end": near_end,
    }


def describe(P, scenario, history, near_end, listed, N, nfl, gaps, filled, slips):
    s = []
    cond = "Hemifacial spasm" if P["condition"] == "hemifacial_spasm" else "Blepharospasm"
    s.append(f"{cond}; archetype {P['archetype']}; {P['level']} counts (untreated ~{P['B']:.1f}/day at start).")
    s.append(f"Diary {N} days; {len(listed)} injections ({sum(i['worked'] for i in listed)} worked); "
             f"schedule policy {P['policy']} (~{P['I_weeks']} wk); typical effect duration ~{P['D_med']:.0f} d, "
             f"wear-off over ~{P['W_med']:.0f} d; typical depth {P['depth_mu']:.2f}.")
    st = {"new": "diary starts untreated before the first injection",
          "mid": "diary starts mid-cycle with a pre-diary injection still working",
          "fresh": "diary starts shortly before/at an injection, earlier effect gone"}[scenario]
    if history:
        st += " (plus an older history injection listed)"
    s.append(st + ".")
    if near_end:
        s.append("Last injection placed near the diary end.")
    if P["titration"]:
        s.append("New patient, first dose titrated (may be too low) with possible top-up.")
    if P["fail_from"] is not None:
        inside = [i for i in listed if i["day"] >= 0]
        if len(inside) > P["fail_from"]:
            s.append(f"Secondary non-response (antibodies) from the {P['fail_from'] + 1}. injection inside the diary"
                     + ("; a brand switch after 2 failures restores response" if P["switch_after"] else "") + ".")
        else:
            s.append("Planned secondary non-responder, but the failures fall after the diary end.")
    if P["archetype"] == "primary_nonresponder":
        s.append("Primary non-responder; treatment abandoned.")
    if P["stops_treatment"] and P["archetype"] != "primary_nonresponder":
        s.append("Stops injections part-way; diary continues.")
    if P["treatment_break"]:
        s.append("One long treatment break.")
    if any(i.get("topup") for i in listed):
        s.append("Contains a top-up shortly after a failed injection.")
    if P["event"] is not None:
        s.append(f"Disease {P['event']['kind']} around day {P['event'].get('t', 0):.0f}.")
    if abs(P["trend"]) > 0.3:
        s.append(f"Strong slow trend {P['trend']:+.2f} log/yr.")
    s.append(f"Overdispersion k={P['k']:.1f}, spike days {P['p_spike']*100:.1f}%, {nfl} multi-day flares, "
             f"weekly amp {P['dow_amp']:.2f} ({P['dow_pattern']}), season amp {P['season_amp']:.2f}.")
    beh = [f"logs ~{P['p0']*100:.0f}% of days", f"missing days {P['missing_mode']}"]
    if P["fade"]:
        beh.append(f"logging fades (floor {P['fade']['floor']:.2f}, tau {P['fade']['tau']:.0f} d)")
    if P["weekend_factor"] < 1:
        beh.append("skips weekends")
    if P["informative"] > 0:
        beh.append("more likely to log bad days")
    if gaps:
        beh.append(f"{len(gaps)} gaps of days-weeks" + (" incl. a long one" if P["long_gap"] else ""))
    if filled:
        beh.append(f"{filled} days back-filled/guessed")
    if P["rounding"]:
        beh.append("rounds counts")
    if P["cap"]:
        beh.append(f"caps counts at {P['cap']}")
    s.append("Logger: " + ", ".join(beh) + ".")
    if P["reports"]:
        s.append(f"Reports onset/wear-off dates (onset err ~{P['b_on']:+.0f}±{P['s_on']:.0f} d, wear-off err "
                 f"~{P['b_off']:+.0f}±{P['s_off']:.0f} d)" + (f"; {len(slips)} plainly wrong" if slips else "") + ".")
    return " ".join(s)


def write_diary(res, folder, rng, planted=True):
    os.makedirs(folder, exist_ok=True)
    day0, N, P = res["day0"], res["N"], res["P"]
    with open(os.path.join(folder, "days.csv"), "w") as f:
        f.write("date,episodes\n")
        for i, v in enumerate(res["values"]):
            if v is None:
                if P["missing_mode"] == "absent":
                    continue
                f.write(f"{iso(day0, i)},\n")
            else:
                f.write(f"{iso(day0, i)},{v}\n")
    tr = []
    for inj, (ro, rw) in zip(res["listed"], res["reports"]):
        tr.append({"date": iso(day0, inj["day"]), "kind": "botulinum_toxin",
                   "reported_onset": iso(day0, ro) if ro is not None else None,
                   "reported_wear_off": iso(day0, rw) if rw is not None else None})
    with open(os.path.join(folder, "treatments.json"), "w") as f:
        json.dump(tr, f, indent=1)
    with open(os.path.join(folder, "truth.json"), "w") as f:
        json.dump(res["truth"], f, indent=1)
    if planted:
        Pj = {k: (v if not isinstance(v, (np.floating, np.integer)) else v.item()) for k, v in P.items()}
        injs = []
        for inj in res["listed"]:
            d = {k: (v.item() if isinstance(v, (np.floating, np.integer)) else v) for k, v in inj.items()}
            d["date"] = iso(day0, inj["day"])
            d["effect_start"] = iso(day0, inj["day"] + inj["L"])
            injs.append(d)
        out = {"first_day": iso(day0, 0), "last_day": iso(day0, N - 1), "scenario": res["scenario"],
               "person": Pj, "injections": injs, "slips": res["slips"],
               "untreated": [float(f"{x:.7g}") for x in res["U"]],
               "expected": [float(f"{x:.7g}") for x in res["mu"]],
               "true_count": [int(x) for x in res["y"]]}
        with open(os.path.join(folder, "planted.json"), "w") as f:
            json.dump(out, f, default=lambda o: o.item() if hasattr(o, "item") else str(o))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, default=360)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-planted", action="store_true", help="do not write planted.json")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    ss = np.random.SeedSequence(a.seed)
    n_inj = n_worked = n_vis = 0
    for idx, child in enumerate(ss.spawn(a.n)):
        rng = np.random.default_rng(child)
        res = simulate_one(rng, idx)
        write_diary(res, os.path.join(a.out, f"cyc{idx + 1:03d}"), rng, planted=not a.no_planted)
        ti = res["truth"]["injections"]
        n_inj += len(ti)
        n_worked += sum(x["worked"] for x in ti)
        n_vis += sum(x["wear_off_visible"] for x in ti)
    print(f"{a.n} diaries, {n_inj} injections, {n_worked} worked, {n_vis} visible wear-offs -> {a.out}")


if __name__ == "__main__":
    main()
