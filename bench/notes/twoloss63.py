"""The count clock against truth, session by session (stop 63's two-loss placement).

    CODE=/tmp/head63 python bench/notes/twoloss63.py clock OUT.json SET_DIR...
        # every session (SET_DIR/*/*/truth.json): the seconds of rows the rebuilt clock puts
        # more than 0.5 s from the truth (less its median error), the largest such error,
        # and the losses the clock found
    python bench/notes/twoloss63.py diff OLD.json NEW.json
        # the sessions whose clock changed, and the totals

CODE is the checkout measured (its silkpipe is imported). Truth is used only to score.
"""

import json
import os
import sys
from pathlib import Path

import numpy as np

CODE = Path(os.environ.get("CODE", "/tmp/head63"))
sys.path.insert(0, str(CODE))
ROWS_PER_S = 148.5  # the synthetic watch's rows per second (silkpipe.delivery)


def clock_errors(raw, folder: Path) -> dict:
    """The seconds of rows the rebuilt clock of ``raw`` (read_sensor_csv) puts more than
    0.5 s from the truth in ``folder``/truth.json, less its median error, and the largest
    such error."""
    rebuilt = raw.clock_rows[:, 1]
    rc = np.array(json.loads((folder / "truth.json").read_text())["row_clock"])
    true = np.interp(np.arange(len(rebuilt)), rc[:, 0], rc[:, 1])
    err = rebuilt - true
    off = np.abs(err - np.median(err))
    return dict(
        misclocked_s=round(float((off > 0.5).sum()) / ROWS_PER_S, 2),
        max_err=round(float(off.max()), 3),
    )


def _session(folder: Path) -> dict:
    from silkpipe.sessions import read_sensor_csv

    raw = read_sensor_csv(folder / "sensor_data.csv")
    return dict(clock_errors(raw, folder), losses=raw.time_model.get("losses"))


def clock(args: list[str]) -> None:
    out = {}
    for d in args[1:]:
        for f in sorted(Path(d).glob("*/*/truth.json")):
            key = f"{Path(d).parent.name}/{Path(d).name}/{f.parent.name}"
            out[key] = _session(f.parent)
    Path(args[0]).write_text(json.dumps(out, indent=1))
    bad = sum(v["misclocked_s"] >= 1.0 for v in out.values())
    print(f"{len(out)} sessions, {bad} misclocked (>= 1 s of rows > 0.5 s off)")


def diff(args: list[str]) -> None:
    old, new = (json.loads(Path(p).read_text()) for p in args)
    for k in sorted(old):
        a, b = old[k], new.get(k)
        if b and (a["misclocked_s"], a["max_err"]) != (b["misclocked_s"], b["max_err"]):
            print(
                f"  {k}: misclocked {a['misclocked_s']} -> {b['misclocked_s']} s, "
                f"max {a['max_err']} -> {b['max_err']} s"
            )
    for name, d in (("old", old), ("new", new)):
        vals = [v for k, v in d.items() if k in old and k in new]
        print(
            f"{name}: {sum(v['misclocked_s'] >= 1.0 for v in vals)} of {len(vals)} misclocked, "
            f"{sum(v['misclocked_s'] for v in vals):.1f} s of rows > 0.5 s off"
        )


if __name__ == "__main__":
    dict(clock=clock, diff=diff)[sys.argv[1]](sys.argv[2:])
