"""Losses hidden in backlogs the envelope cannot see (issue 24, helper off2). Not shipped.

    python bench/notes/backlog_losses.py gaps DIR...          # arrival gaps vs true losses
    python bench/notes/backlog_losses.py hashes OUT.json DIR...  # rebuilt clock per session

``gaps``: per session the truth's delivery kind and losses (production time, and the file row
after each), the losses the rebuilt clock found, then every arrival gap after the stale burst
that is a true loss, has a rotation jump (turn excess >= 0.3 rad) or a lag of >= 0.5 s:
its length, the arrival pace before and after it (over R), how far arrival after it stays
behind the pace before (lag, host s; times pace / R: watch s, what unseen_gap_losses inserts),
the turn excess across it and the true watch time between the rows either side.
``hashes``: a hash of each session's rebuilt clock and time model (losses left out), to run
under two PYTHONPATHs: the alignment reads only the clock and the model, so sessions with
equal hashes give equal gate_dev rows and only the others need re-collecting.
"""

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

import silkpipe.sessions as ss
from silkpipe.clock_envelope import _gap_turn

CAPTURED: dict = {}
_rebuild = ss.rebuild_clock


def _grab(arrival, watch=None, cfg=None, spacing=None, pairs=None):
    CAPTURED.update(arrival=np.asarray(arrival, float), pairs=pairs)
    return _rebuild(arrival, watch, cfg, spacing, pairs)


def gap_rows(folder: Path) -> None:
    ss.rebuild_clock = _grab
    truth = json.loads((folder / "truth.json").read_text())
    dl = truth["delivery"]
    tm = ss.read_sensor_csv(folder / "sensor_data.csv", session=folder.name).time_model
    a, pairs = CAPTURED["arrival"], CAPTURED["pairs"]
    knots = np.asarray([k[:2] for k in truth["row_clock"]], float)
    true_t = np.interp(np.arange(len(a)), knots[:, 0], knots[:, 1])
    n0, rate = tm["stale_rows"], tm["rows_per_s"]
    loss_rows = [int(np.searchsorted(true_t, b)) for _, b in dl["losses"]]
    print(
        folder.name[4:10],
        dl["kind"],
        tm["kind"],
        tm["rate_source"],
        f"backlog={dl['backlog_max_s']}",
        f"true={dl['losses']} rows={loss_rows} found={tm['losses']}",
    )
    for g in np.flatnonzero(np.diff(a[n0:]) > 0.5) + n0 + 1:
        k = int(5 * rate)
        before, after = a[max(g - k, n0) : g], a[g : g + k]
        rb = (len(before) - 1) / max(before[-1] - before[0], 1e-9)
        ra = (len(after) - 1) / max(after[-1] - after[0], 1e-9)
        gap = a[g] - a[g - 1]
        seg = a[g : g + int(3 * gap * max(rb, 1)) + int(rate)]
        lag = float(np.min(seg - (a[g - 1] + np.arange(1, len(seg) + 1) / rb)))
        turn = _gap_turn(pairs, int(g))
        loss = min([abs(g - r) for r in loss_rows] or [99999]) < 200
        if loss or turn >= 0.3 or lag * rb / rate >= 0.5:
            print(
                f"   row={g} t={a[g]:.1f} gap={gap:.2f} pace={rb / rate:.2f}/{ra / rate:.2f} "
                f"lag={lag:.2f} s watch={lag * rb / rate:.2f} s turn={turn:.2f} "
                f"true_dt={true_t[g] - true_t[g - 1]:.2f}{' LOSS' if loss else ''}"
            )


def hashes(out: str, dirs: list[str]) -> None:
    rows = {}
    for d in dirs:
        for f in sorted(Path(d).glob("*/sensor_data.csv")):
            raw = ss.read_sensor_csv(f, session=f.parent.name)
            tm = dict(raw.time_model)
            losses = tm.pop("losses")
            blob = (
                np.round(raw.clock_rows[:, 1], 9).tobytes()
                + json.dumps(tm, sort_keys=True).encode()
            )
            rows[f.parent.name] = dict(
                h=hashlib.md5(blob).hexdigest(), kind=tm["kind"], losses=losses
            )
    Path(out).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd == "gaps":
        for d in rest:
            gap_rows(Path(d))
    else:
        hashes(rest[0], rest[1:])
