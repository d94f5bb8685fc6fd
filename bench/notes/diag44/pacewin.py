"""Diagnosis helper of bench/notes/diag44.txt (not shipped; run from the repo root): the
clock at main vs _sized_lag reading the pace after a gap over WIN s of rows (candidate C-c,
clock level only). Clock error at spoken words and the losses, truth used to score."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, "bench/notes")
from ndmiss import _error_curve, _median_in

import silkpipe.clock_envelope as ce

ORIG = ce._sending_pace
WIN = float(sys.argv[1])


def _wide(t, rate, cfg):
    """_sending_pace, but over WIN s of rows where _sized_lag asks for min_steady_s."""
    n = max(int(cfg.min_steady_s * rate), 2)
    if len(t) == n and CUR is not None:
        g = int(np.searchsorted(CUR, t[0]))
        t = CUR[g : g + max(int(WIN * rate), 2)]
    return ORIG(t, rate, cfg)


CUR = None


def run(sess, wide):
    global CUR
    ce._sending_pace = _wide if wide else ORIG
    truth, tm, prod, err = _error_curve(sess)
    at = [_median_in(prod, err, g["start"], g["end"]) for g in truth["gestures"] if g["spoken"]]
    at = np.array([x for x in at if np.isfinite(x)])
    return tm["losses"], tm["loss_uncertainty_s"], at


def main(dirs):
    global CUR
    for d in dirs:
        for f in sorted(Path(d).glob("*/truth.json")):
            import csv

            with open(f.parent / "sensor_data.csv") as fh:
                CUR = np.array([float(r["timestamp"]) for r in csv.DictReader(fh)])
            a, b = run(f.parent, False), run(f.parent, True)
            if a[0] == b[0] and a[1] == b[1]:
                continue
            true = [[round(x, 2), round(y - x, 2)] for x, y in truth_losses(f)]
            print(
                f"{f.parent.name[4:11]} {'/'.join(d.split('/')[-3:-1])} true {true} | main "
                f"{a[0]} unc {a[1]} words>0.5 {int((abs(a[2]) > 0.5).sum())}/{len(a[2])} | "
                f"wide {b[0]} unc {b[1]} words>0.5 {int((abs(b[2]) > 0.5).sum())}/{len(b[2])}",
                flush=True,
            )


def truth_losses(f):
    import json

    return json.loads(f.read_text())["delivery"].get("losses", [])


if __name__ == "__main__":
    main(sys.argv[2:])
