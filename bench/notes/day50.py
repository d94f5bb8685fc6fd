"""Issue 22, stop 50 (helper day50): what the model sees of 2025-10-14, and on which clock.

The 2025-10-14 sample files carry each row's host ARRIVAL second; the parser (main) takes it
as the watch's time. Two watch clocks were measured (the product change that reads them is
on branch day50-clock, refused by its guard, bench/notes/day50.txt); here they are applied
to what ``read_sample_clip`` returns, so the script runs on main:
C1 every row 20 ms after the one before, anchored on the lower envelope of arrival;
C2 each row as late as arrival allows, no later than it arrived and at least 20 ms before
the next (a burst after a stall spread back into it, a stall it cannot fill kept as lost).

- ``clock``: per day, how the rows' times agree with the motion they carry: the rotation
  the quaternions turn per second against the gyro's rate (median cosine and |implied| /
  |gyro| over rows where |gyro| > 1 rad/s), the recorded spacing of consecutive rows, their
  residual from one straight clock, the spacing the motion implies (angle between
  consecutive quaternion rows over the gyro's rate), and each sample's span.
- ``windows``: per class and day, what the evaluation window (1 s core) holds: peak
  horizontal / vertical acceleration in gravity's frame, peak |gyro|, the time the energy
  is over half its peak, the arm pose (mean gravity direction), and how many samples hold
  no whole gesture (span_flaw).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/day50.py clock
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/day50.py windows
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections import Counter
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from punch14 import window_features  # noqa: E402

from silkpipe import clips  # noqa: E402
from silkpipe.clips import load_clip_streams  # noqa: E402
from silkpipe.dataset import make_windows  # noqa: E402
from silkpipe.sessions import read_sensor_csv  # noqa: E402
from silkpipe.training import preset  # noqa: E402
from silkpipe.vocabulary import CLASSES  # noqa: E402

DATA = Path("/work/shared/data")
GESTURES = ("jump", "punch", "turn", "noise", "walk")
WATCH_RATE = 50.0
CLOCKS = ("arrival", "C1", "C2")


def c1_clock(arrival: np.ndarray, rate: float = WATCH_RATE) -> np.ndarray:
    made = np.arange(len(arrival)) / rate
    return float(np.min(arrival - made)) + made


def c2_clock(arrival: np.ndarray, rate: float = WATCH_RATE) -> np.ndarray:
    made = np.arange(len(arrival)) / rate
    return np.minimum.accumulate((arrival - made)[::-1])[::-1] + made


def on_clock(kind: str):
    """read_sample_clip with every sensor's times on that clock (both are shift-free, so
    applying them after the sample's slot offset is the same as before it)."""
    if kind == "arrival":
        return contextlib.nullcontext()
    rebuild = {"C1": c1_clock, "C2": c2_clock}[kind]
    read = clips.read_sample_clip

    def reading(path):
        name, raw = read(path)
        raw.times = {s: rebuild(t) for s, t in raw.times.items()}
        return name, raw

    return mock.patch.object(clips, "read_sample_clip", reading)


def qmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    w1, x1, y1, z1 = a.T
    w2, x2, y2, z2 = b.T
    return np.stack(
        [
            w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
            w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
            w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
            w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2,
        ],
        1,
    )


def unit_continuous(q: np.ndarray) -> np.ndarray:
    q = q / np.linalg.norm(q, axis=1, keepdims=True)
    flip = np.r_[1.0, np.sign(np.einsum("ij,ij->i", q[1:], q[:-1]))]
    return q * np.cumprod(np.where(flip < 0, -1.0, 1.0))[:, None]


def quat_vs_gyro(raw) -> tuple[float, float] | None:
    """(median cosine, median |implied|/|gyro|) of the body rate the quaternions imply on
    the recorded times against the gyro interpolated there; rows with |gyro| > 1 rad/s."""
    tq, q = raw.times["rotation_vector"], unit_continuous(raw.values["rotation_vector"])
    tg, g = raw.times["gyroscope"], raw.values["gyroscope"]
    omega = 2 * qmul(q * np.array([1, -1, -1, -1]), np.gradient(q, tq, axis=0))[:, 1:]
    gi = np.stack([np.interp(tq, tg, g[:, j]) for j in range(3)], 1)
    m = np.linalg.norm(gi, axis=1) > 1.0
    if m.sum() < 5:
        return None
    no, ng = np.linalg.norm(omega[m], axis=1), np.linalg.norm(gi[m], axis=1)
    cos = np.einsum("ij,ij->i", omega[m], gi[m]) / np.maximum(no * ng, 1e-12)
    return float(np.median(cos)), float(np.median(no / ng))


def implied_spacing(raw) -> np.ndarray:
    """Seconds between consecutive quaternion rows as the gyro's rate says (|gyro| > 2)."""
    tq, q = raw.times["rotation_vector"], unit_continuous(raw.values["rotation_vector"])
    tg, g = raw.times["gyroscope"], raw.values["gyroscope"]
    rate = np.linalg.norm(np.stack([np.interp(tq, tg, g[:, j]) for j in range(3)], 1), axis=1)
    ang = 2 * np.arccos(np.clip(np.abs(np.einsum("ij,ij->i", q[1:], q[:-1])), 0, 1))
    keep = rate[1:] > 2
    return ang[keep] / rate[1:][keep]


def day_raws(day: str) -> list:
    if day == "dev":
        paths = sorted((DATA / "clips-dev").glob("[jpt]*.csv"))
        return [read_sensor_csv(p) for p in paths]
    paths = sorted((DATA / "clips-20251014").glob("*_sample*.csv"))
    return [clips.read_sample_clip(p)[1] for p in paths]


def clock_rows(label: str, raws: list) -> None:
    qg = np.array([c for c in map(quat_vs_gyro, raws) if c is not None])
    dts = np.concatenate([np.diff(t) for r in raws for t in r.times.values()])
    resid = [
        np.std(t - np.polyval(np.polyfit(np.arange(len(t)), t, 1), np.arange(len(t))))
        for r in raws
        for t in r.times.values()
    ]
    spans = [
        max(t[-1] for t in r.times.values()) - min(t[0] for t in r.times.values()) for r in raws
    ]
    spacing = np.concatenate([implied_spacing(r) for r in raws])
    hist, _ = np.histogram(spacing * 1e3, bins=np.arange(0, 65, 5))
    pct = " ".join(f"{v:5.1f}" for v in 1e3 * np.percentile(dts, [10, 50, 90, 99]))
    print(
        f"{label:22s} files {len(raws):3d}  quat/gyro cos {np.median(qg[:, 0]):.3f} ratio "
        f"{np.median(qg[:, 1]):5.2f}  row dt ms p10/50/90/99 {pct}  residual from one "
        f"straight clock ms {1e3 * np.median(resid):5.1f}  span s median/p10/p90 "
        f"{' '.join(f'{v:.2f}' for v in np.percentile(spans, [50, 10, 90]))}"
    )
    print(f"{'':22s} motion-implied row spacing, 5-ms bins from 0: {hist.tolist()}")


def clock() -> None:
    clock_rows("clips-dev (watch ns)", day_raws("dev"))
    for kind in CLOCKS:
        with on_clock(kind):
            clock_rows(f"2025-10-14 {kind}", day_raws("1014"))


def feature_rows(label: str, streams: list) -> None:
    cfg = preset("default")
    w = make_windows(streams, cfg.window).primaries()
    f = window_features(w.core(), cfg.window.rate)
    flaws = Counter(st.flaw.split()[0] if st.flaw else "whole" for st in streams)
    print(f"{label}: samples by flaw {dict(flaws)}")
    for c in GESTURES:
        m = w.y == CLASSES.index(c)
        if not m.any():
            continue
        med = np.median(f[m], 0)
        print(
            f"  {c:6s} n={int(m.sum()):4d}  a_h {med[0]:5.1f}  a_v {med[1]:5.1f}  "
            f"gyro {med[3]:5.2f}  dur_s {med[4]:.2f}  pose {med[5]:+.2f} {med[6]:+.2f} "
            f"{med[7]:+.2f}"
        )


def windows() -> None:
    feature_rows("clips-dev", load_clip_streams(DATA / "clips-dev"))
    for kind in CLOCKS:
        with on_clock(kind):
            feature_rows(f"2025-10-14 {kind}", load_clip_streams(DATA / "clips-20251014"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["clock", "windows"])
    {"clock": clock, "windows": windows}[ap.parse_args().what]()


if __name__ == "__main__":
    main()
