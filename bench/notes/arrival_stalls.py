# ruff: noqa: UP031
"""Gaps in arrival (> 0.5 s) of session CSVs: delay or loss (issue 24, helper st). Not shipped.

python bench/notes/arrival_stalls.py DIR/sensor_data.csv...
"""

import csv
import sys

import numpy as np

from silkpipe.watch_clock import ClockConfig, spacing_pairs, stale_burst_rows

R = 148.5


def analyse(path):
    rows = list(csv.DictReader(open(path)))
    t = np.array([float(r["timestamp"]) for r in rows])
    s = np.array([r["sensor"] for r in rows])
    g = np.array(
        [
            [float(r[k]) for k in ("gyro_x", "gyro_y", "gyro_z")]
            for r in rows
            if r["sensor"] == "gyroscope"
        ]
    )
    q = np.array(
        [
            [float(r[k]) for k in ("rot_w", "rot_x", "rot_y", "rot_z")]
            for r in rows
            if r["sensor"] == "rotation_vector"
        ]
    )
    pairs = spacing_pairs(s, g, q)
    n0 = stale_burst_rows(t, ClockConfig())
    d = np.diff(t)
    gaps = np.flatnonzero(d > 0.5)
    gaps = gaps[gaps >= n0]
    e = t - np.arange(len(t)) / R
    ex_all = pairs.turn_excess
    out = []
    for k, gi in enumerate(gaps):
        nxt = gaps[k + 1] if k + 1 < len(gaps) else len(t) - 1
        L = d[gi]
        # residual latency step after the gap: min of e over the rows to the next gap (<=10 s of rows)
        stop = min(nxt + 1, gi + 1 + int(10 * R))
        resid = e[gi + 1 : stop].min() - e[gi] if stop > gi + 1 else np.nan
        # rows to catch up: first k where e <= e[gi] + 0.05
        back = np.flatnonzero(e[gi + 1 : stop] <= e[gi] + 0.05)
        catch = int(back[0]) + 1 if len(back) else -1
        # burst: rows arriving within 0.3 s after the gap ends
        burst = int(np.searchsorted(t, t[gi + 1] + 0.3) - (gi + 1))
        # rotation turn across the gap: the rotation pair whose later row is first after gi
        j = np.searchsorted(pairs.turn_row, gi + 1)
        tex = pairs.turn_excess[j] if j < len(pairs.turn_row) else np.nan
        out.append((t[gi], L, resid, catch, catch / (L * R) if catch > 0 else np.nan, burst, tex))
    return np.array(out), ex_all, t, n0


for p in sys.argv[1:]:
    a, ex, t, n0 = analyse(p)
    print(
        "==",
        p.split("/")[-2],
        "rows",
        len(t),
        "span %.1f" % (t[-1] - t[0]),
        "n0",
        n0,
        "gaps",
        len(a),
    )
    print(
        "  turn_excess all pairs: p50 {:.4f} p99 {:.4f} p99.9 {:.4f} max {:.3f}".format(
            *tuple(np.percentile(np.abs(ex), [50, 99, 99.9, 100]))
        )
    )
    if not len(a):
        continue
    L = a[:, 1]
    print(
        f"  gap len: median {np.median(L):.2f} p90 {np.percentile(L, 90):.2f} max {L.max():.2f}; share of span {L.sum() / (t[-1] - t[n0]):.3f}"
    )
    iv = np.diff(a[:, 0])
    print(
        "  time between gaps: median %.2f p10 %.2f p90 %.2f"
        % ((np.median(iv), np.percentile(iv, 10), np.percentile(iv, 90)) if len(iv) else (0, 0, 0))
    )
    r = a[:, 2]
    print(
        "  residual latency step (s): median %.3f p90 %.3f max %.3f; resid>0.3: %d"
        % (np.nanmedian(r), np.nanpercentile(r, 90), np.nanmax(r), np.sum(r > 0.3))
    )
    c = a[:, 4]
    print(
        "  catch-up rows / (gap*R): median %.2f p10 %.2f p90 %.2f; never caught up %d"
        % (np.nanmedian(c), np.nanpercentile(c, 10), np.nanpercentile(c, 90), np.sum(a[:, 3] < 0))
    )
    print(f"  burst rows in 0.3 s after gap / (gap*R): median {np.median(a[:, 5] / (L * R)):.2f}")
    tx = a[:, 6]
    print(
        "  turn excess across gap: median %.4f p90 %.4f max %.3f; >0.3 rad: %d"
        % (np.nanmedian(tx), np.nanpercentile(tx, 90), np.nanmax(tx), np.sum(tx > 0.3))
    )
    big = np.argsort(-L)[:5]
    for i in big:
        print(
            "   gap at %.1f len %.2f resid %.3f catch %d (%.2f x gap*R) burst %d turn %.3f"
            % tuple(a[i, [0, 1, 2, 3, 4, 5, 6]])
        )


def turn_test(path):
    rows = list(csv.DictReader(open(path)))
    t = np.array([float(r["timestamp"]) for r in rows])
    s = np.array([r["sensor"] for r in rows])
    gi_ = np.flatnonzero(s == "gyroscope")
    qi_ = np.flatnonzero(s == "rotation_vector")
    g = np.array([[float(rows[i][k]) for k in ("gyro_x", "gyro_y", "gyro_z")] for i in gi_])
    q = np.array([[float(rows[i][k]) for k in ("rot_w", "rot_x", "rot_y", "rot_z")] for i in qi_])
    w = np.linalg.norm(g, axis=1)
    d = np.diff(t)
    n0 = stale_burst_rows(t, ClockConfig())
    res = []
    for gi in np.flatnonzero(d > 0.5):
        if gi < n0:
            continue
        j = np.searchsorted(qi_, gi + 1)
        if j == 0 or j >= len(qi_):
            continue
        a = 2 * np.arccos(
            min(1, abs(q[j] @ q[j - 1]) / np.linalg.norm(q[j]) / np.linalg.norm(q[j - 1]))
        )
        k = np.searchsorted(gi_, gi + 1)
        om = w[max(k - 3, 0) : k + 3].mean()
        res.append((d[gi], a, om / 49.5, om * d[gi]))
    r = np.array(res)
    mv = r[:, 2] > 0.5 / 49.5
    print("  gaps with moving wrist (gyro>0.5 rad/s):", mv.sum(), "of", len(r))
    if mv.sum():
        m = r[mv]
        print(
            f"  angle across gap / (gyro*one period): median {np.median(m[:, 1] / m[:, 2]):.2f}; / (gyro*gap): median {np.median(m[:, 1] / m[:, 3]):.2f}"
        )
        print(
            f"  share with angle < 3 periods of gyro: {np.mean(m[:, 1] < 3 * m[:, 2]):.2f} ; angle > 0.5*gyro*gap: {np.mean(m[:, 1] > 0.5 * m[:, 3]):.2f}"
        )


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print("== turn", p.split("/")[-2])
        turn_test(p)
