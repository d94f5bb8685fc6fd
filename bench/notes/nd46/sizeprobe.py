"""Every loss unseen_gap_losses sizes (_sized_lag) on the sessions given: arrival gap, the
paces it reads, its size and spread, and (truth, scoring only) the true size at that gap
and where the queue began inside it. Diagnosis only, not shipped.

    python bench/notes/nd46/sizeprobe.py OUT.json SESSION_DIR...
"""

import json
import sys
from pathlib import Path

import numpy as np

import silkpipe.clock_envelope as ce
from silkpipe.sessions import read_sensor_csv

CALLS: list[dict] = []
_orig = ce._sized_lag


def _spy(t, g, rate, cfg, found):
    before, window = ce._paces_before(t, g, rate, cfg)
    queue = ce._queue_after_stall(t, g, rate, cfg, found)
    floor = None if queue is not None else ce._floor_lag(t, g, rate, cfg, found)
    out = _orig(t, g, rate, cfg, found)
    bu, wi = before, window
    if queue is not None and bu is not None and queue < bu * (1 - cfg.pace_drop):
        bu = queue
    lag = ce._lag_at(t, g, rate, bu, cfg)
    far = max(ce._lag_at(t, g, rate, wi, cfg) - lag, 0.0) if wi != bu else 0.0
    if floor is not None:
        bu, lag, far = rate, floor, 0.0
    after = {
        str(w): ce._sending_pace(t[g : g + max(int(w * rate), 2)], rate, cfg)
        for w in (1.0, 2.0, 5.0, 10.0)
    }
    plain = {str(w): ce._pace(t[g : g + max(int(w * rate), 2)], rate) for w in (1.0, 2.0, 3.0, 5.0)}
    k = max(int(cfg.steady_window_s * rate), 2)
    lat = t[g : g + k] - np.arange(len(t[g : g + k])) / rate
    sm = np.minimum.accumulate(lat[::-1])[::-1]
    flat = {
        str(tol): float(np.argmax(sm > sm[0] + tol) / rate)
        if (sm > sm[0] + tol).any()
        else k / rate
        for tol in (0.03, 0.06, 0.125)
    }
    flat.update(
        {
            f"f{tol}": float(np.argmax(sm > lat[0] + tol) / rate)
            if (sm > lat[0] + tol).any()
            else k / rate
            for tol in (0.04, 0.06)
        }
    )
    flat["lat0_minus_min"] = float(lat[0] - sm[0])
    CALLS.append(
        dict(
            g=int(g),
            at=float(t[g - 1]),
            gap=float(t[g] - t[g - 1]),
            rate=rate,
            before=before,
            window=window,
            queue=queue,
            floor=floor,
            after=after,
            plain=plain,
            flat=flat,
            lag_R=ce._lag_at(t, int(g), rate, rate, cfg),
            lag=lag,
            far=far,
            bu=bu,
            size=out[0],
            spread=out[1],
        )
    )
    return out


ce._sized_lag = _spy


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
        slow = [a for a, _b, _r in dl.get("slow_phases", [])]
        for c in CALLS:
            # the file row after the gap: first row arriving after at + gap/2
            row = int(np.searchsorted(arr, c["at"] + c["gap"] / 2))
            p1, p0 = np.interp([row, row - 1], rc[:, 0], rc[:, 1])
            true = float(p1 - p0)
            tl = [(a, b) for a, b in dl.get("losses", []) if a - 1 <= p1 and b + 1 >= p0]
            x = None
            if tl and slow:
                a, b = tl[0]
                x = (slow[0] - a) / (b - a)
            c.update(
                session=sess.name[4:10],
                set=str(sess.parent.parent.parent.name),
                true=true,
                x=x,
                true_loss=tl,
                kept=c["size"] >= 0.5,
                qr=s.time_model.get("queue_ratio") if isinstance(s.time_model, dict) else None,
            )
            rows.append(dict(c))
    Path(out).write_text(json.dumps(rows, indent=0, default=float))
    print(len(rows), "sizings")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
