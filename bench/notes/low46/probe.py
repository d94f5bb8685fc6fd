"""Every loss unseen_gap_losses sizes (_sized_lag), with the candidate "after" paces of
the bracket's low end (issue 24, helper low46). Diagnosis only, not shipped; extends
bench/notes/nd46/sizeprobe.py (same truth reading: the true size at the gap from
row_clock, x = where the queue began inside the true loss).

    python bench/notes/low46/probe.py OUT.json SESSION_DIR...
"""

import json
import sys
from pathlib import Path

import numpy as np

import silkpipe.clock_envelope as ce
from silkpipe.sessions import read_sensor_csv

CALLS: list[dict] = []
_orig = ce._sized_lag


def _chunk_median(rows: np.ndarray, rate: float, chunk_s: float) -> float | None:
    """Median over chunks of ``chunk_s`` of rows of their plain pace (stalls in)."""
    k = max(int(chunk_s * rate), 2)
    paces = [ce._pace(rows[i : i + k], rate) for i in range(0, len(rows) - k + 1, k)]
    paces = [p for p in paces if p is not None]
    return float(np.median(paces)) if paces else None


def _spy(t, g, rate, cfg, found):
    out = _orig(t, g, rate, cfg, found)
    before, window = ce._paces_before(t, g, rate, cfg)
    queue = ce._queue_after_stall(t, g, rate, cfg, found)
    bu = before
    if queue is not None and bu is not None and queue < bu * (1 - cfg.pace_drop):
        bu = queue
    lag = ce._lag_at(t, g, rate, bu, cfg)
    floor = None if queue is not None else ce._floor_lag(t, g, rate, cfg, found)
    if floor is not None:
        bu, lag = rate, floor
    slower = ce._slower_pace(t, g, rate, cfg.min_steady_s, bu, cfg)
    seg = lambda w: t[g : g + max(int(w * rate), 2)]  # noqa: E731
    paces = {
        "S1": ce._sending_pace(seg(1.0), rate, cfg),
        "S2": ce._sending_pace(seg(2.0), rate, cfg),
        "S5": ce._sending_pace(seg(5.0), rate, cfg),
        "P1": ce._pace(seg(1.0), rate),
        "P2": ce._pace(seg(2.0), rate),
        "P5": ce._pace(seg(5.0), rate),
        "M5": _chunk_median(seg(5.0), rate, 0.5),
        "M2": _chunk_median(seg(2.0), rate, 0.25),
    }
    CALLS.append(
        dict(
            g=int(g),
            at=float(t[g - 1]),
            gap=float(t[g] - t[g - 1]),
            rate=rate,
            bu=bu,
            lag=lag,
            slower=slower,
            realtime=bool(ce._realtime_after(t, g, rate, cfg)),
            paces=paces,
            size=out[0],
            spread=out[1],
            kind=out[2],
        )
    )
    return out


ce._sized_lag = _spy


def _queue_x(dl: dict, a: float, b: float) -> tuple[float | None, float | None]:
    """(x, true queue pace as a share of production) for the slow phase that holds the
    loss's start or begins after it (x = (queue start - a) / (b - a))."""
    for start, end, share in dl.get("slow_phases", []):
        if start <= a <= end or a < start:
            return (start - a) / (b - a), share
    return None, None


def main(out, dirs):
    rows = []
    for d in dirs:
        sess = Path(d)
        CALLS.clear()
        s = read_sensor_csv(sess / "sensor_data.csv", session=sess.name)
        truth = json.loads((sess / "truth.json").read_text())
        rc = np.asarray(truth["row_clock"], dtype=float)
        arr = s.clock_rows[:, 0]
        dl = truth["delivery"]
        for c in CALLS:
            row = int(np.searchsorted(arr, c["at"] + c["gap"] / 2))
            p1, p0 = np.interp([row, row - 1], rc[:, 0], rc[:, 1])
            tl = [(a, b) for a, b in dl.get("losses", []) if a - 1 <= p1 and b + 1 >= p0]
            x, share = _queue_x(dl, *tl[0]) if tl else (None, None)
            c.update(
                session=sess.name[4:10],
                set=sess.parent.parent.parent.name,
                delivery=dl["kind"],
                true=float(p1 - p0),
                x=x,
                share=share,
                true_loss=tl,
            )
            rows.append(dict(c))
    Path(out).write_text(json.dumps(rows, indent=0, default=float))
    print(len(rows), "sizings")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
