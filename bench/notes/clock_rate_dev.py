"""Dev harness of the envelope rate (issue 24, helper clk). Not shipped.

For each realistic session: the true watch rate (truth.json row_clock: production time per
row, slope over knots without losses), the time model's rate and source, and the arrival
envelope's rate with its bound. With --align: also the fitted clock scale and the offset
error (oracle words, main's AlignConfig).

    python bench/notes/clock_rate_dev.py DIR... [--align] [--out=JSON]
"""

import json
import sys
from pathlib import Path

import numpy as np

from silkpipe.clock_envelope import envelope_rate
from silkpipe.sessions import read_sensor_csv
from silkpipe.watch_clock import ClockConfig, stale_burst_rows


def true_rate(truth):
    """Rows per production second over row_clock knots, loss jumps and the burst left out."""
    k = np.array(truth["row_clock"], dtype=float)
    stale = truth["delivery"]["stale_rows"]
    k = k[k[:, 0] >= stale]
    dn, dt = np.diff(k[:, 0]), np.diff(k[:, 1])
    ok = dt < 1.5 * dn / 148.5
    return float(dn[ok].sum() / dt[ok].sum())


def arrival_of(folder):
    raw = read_sensor_csv(folder / "sensor_data.csv", session=folder.name)
    return raw, raw.clock_rows[:, 0]


def main(dirs, align=False, out=None):
    rows = {}
    for d in dirs:
        for f in sorted(Path(d).glob("*/truth.json")):
            truth = json.loads(f.read_text())
            raw, arrival = arrival_of(f.parent)
            tm = raw.time_model
            cfg = ClockConfig()
            est = envelope_rate(arrival, stale_burst_rows(arrival, cfg), cfg)
            r = true_rate(truth)
            row = dict(
                kind=truth["delivery"]["kind"],
                model=tm["kind"],
                true=round(r, 3),
                used=tm["rows_per_s"],
                source=tm["rate_source"],
                a_true=round(r / tm["rows_per_s"], 4),
                env=None if est is None else round(est.rate, 3),
                env_u=None if est is None else round(est.uncertainty, 4),
                env_err=None if est is None else round(est.rate / r - 1, 5),
                support=None if est is None else round(est.support_s, 1),
            )
            if align:
                row.update(_align(f.parent, truth))
            rows[f.parent.name] = row
            print(f.parent.name, row, flush=True)
    if out:
        Path(out).write_text(json.dumps(rows, indent=1))


def _align(folder, truth):
    sys.path.insert(0, str(Path(__file__).parent))
    from align_dev import load

    from silkpipe.alignment import AlignConfig, align_session

    _, motion, cmds = load(folder)
    _, rep = align_session(folder.name, motion, cmds, AlignConfig())
    err = None if rep.offset_s is None else round(rep.offset_s - truth["offset_s"], 3)
    return dict(
        scale=rep.clock_scale,
        err=err,
        excluded=rep.excluded,
        gate=rep.gate,
        q=round(rep.quality, 2),
        m_used=motion.time_model.get("rows_per_s"),
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    opts = dict(a[2:].split("=", 1) if "=" in a else (a[2:], "1") for a in args if a[:2] == "--")
    main([a for a in args if a[:2] != "--"], "align" in opts, opts.get("out"))
