"""Clock-level DEV scan of helper clock45's rules (not shipped; run from the repo root with
PYTHONPATH set to the code measured). Per session: the losses, their spreads, the gaps
counted across unjudged, and the clock error (rebuilt - production) at each spoken word
(median over the gesture). Truth used only to score.

    python bench/notes/clock45scan.py OUT.json SET_DIR/DELIVERY/sSEED...
    python bench/notes/clock45scan.py diff MAIN.json CAND.json
"""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from ndmiss import _error_curve, _median_in


def scan(out, dirs):
    rows = {}
    for d in dirs:
        for f in sorted(Path(d).glob("*/truth.json")):
            truth, tm, prod, err = _error_curve(f.parent)
            spoken = [g for g in truth["gestures"] if g["spoken"]]
            at = [_median_in(prod, err, g["start"], g["end"]) for g in spoken]
            rows[f"{d}/{f.parent.name}"] = {
                "kind": tm["kind"],
                "source": tm["rate_source"],
                "losses": tm["losses"],
                "unc": tm["loss_uncertainty_s"],
                "uncertain": tm.get("uncertain_losses", []),
                "unjudged": tm.get("unjudged_gaps", []),
                "true": truth["delivery"].get("losses", []),
                "words": [None if not np.isfinite(x) else round(x, 3) for x in at],
            }
    Path(out).write_text(json.dumps(rows))
    print(out, len(rows), "sessions")


def _off(words):
    w = np.array([x for x in words if x is not None])
    if not len(w):
        return 0, 0.0
    return int((abs(w - np.median(w)) > 0.5).sum()), float(np.median(w))


def diff(a_path, b_path):
    a, b = json.loads(Path(a_path).read_text()), json.loads(Path(b_path).read_text())
    changed = 0
    for k in sorted(a):
        x, y = a[k], b.get(k)
        if y is None:
            continue
        if (x["losses"], x["unc"], x["words"]) == (y["losses"], y["unc"], y["words"]) and not (
            y["uncertain"] or y["unjudged"]
        ):
            continue
        if (x["losses"], x["unc"], x["words"]) != (y["losses"], y["unc"], y["words"]):
            changed += 1
        tag = "CHANGED" if (x["losses"], x["unc"]) != (y["losses"], y["unc"]) else "same   "
        name = k.split("real")[-1][:7]
        true = [[round(s, 2), round(e - s, 2)] for s, e in y["true"]]
        (n0, m0), (n1, m1) = _off(x["words"]), _off(y["words"])
        print(
            f"{tag} {name} {k.split('/')[-3]} {y['kind']}/{y['source']} true {true} | main "
            f"{x['losses']} unc {x['unc']} off>0.5 {n0} med {m0:+.2f} | cand {y['losses']} "
            f"unc {y['unc']} uncertain {y['uncertain']} unjudged {y['unjudged']} "
            f"off>0.5 {n1} med {m1:+.2f}"
        )
    print("sessions", len(a), "clocks changed", changed)


if __name__ == "__main__":
    if sys.argv[1] == "diff":
        diff(sys.argv[2], sys.argv[3])
    else:
        scan(sys.argv[1], sys.argv[2:])
