"""Offline DEV count of clock45's gate rule (not shipped): which final passes of existing
run-level rows (main's code) a refusal of sub-sure passes whose words straddle a loss of
uncertain size (spread > SPREAD) would turn into refusals. The spreads are the candidate
clock's (clock45scan.py output); the straddle is read from truth (spoken gestures before
and after the true loss nearest the found one), the sure level from the row (10 with class
channels, else 8). Rows are not re-run: session-class rounds could move with the refusals.

    python bench/notes/clock45gate.py CAND_SCAN.json SPREAD [only_new MAIN_SCAN.json] -- ROWS.json...
"""

import json
import sys
from pathlib import Path


def flagged(cand, spread, main=None):
    out = {}
    for k, v in cand.items():
        for loss in v["uncertain"]:
            if loss[2] <= spread:
                continue
            if main is not None and main[k]["unc"] > 0:  # bracketed at main already
                continue
            truth = json.loads((Path(k) / "truth.json").read_text())
            true = min(truth["delivery"]["losses"], key=lambda ab: abs(ab[0] - loss[0]))
            said = [g["start"] for g in truth["gestures"] if g["spoken"]]
            if min(said) < true[0] and max(said) > true[1]:
                out[Path(k).name] = (loss, true)
    return out


def main(argv):
    split = argv.index("--")
    cand = json.loads(Path(argv[0]).read_text())
    mscan = json.loads(Path(argv[3]).read_text()) if len(argv[:split]) > 2 else None
    flags = flagged(cand, float(argv[1]), mscan)
    for path in argv[split + 1 :]:
        rows = json.loads(Path(path).read_text())
        for run, data in rows.items():
            for name, rs in data["sessions"].items():
                r = rs[-1]
                if name not in flags or r["excluded"]:
                    continue
                sure = 10.0 if r.get("class_channels") else 8.0
                if r["quality"] >= sure:
                    verdict = "kept (sure energy)"
                elif r["err"] is not None and abs(r["err"]) <= 0.3:
                    verdict = "RIGHT PASS LOST"
                elif r["err"] is not None and abs(r["err"]) > 0.5:
                    verdict = "FALSE PASS REFUSED"
                else:
                    verdict = "0.3-0.5 pass refused"
                loss, true = flags[name]
                print(
                    f"{Path(path).name[:30]:30s} {run[:6]:6s} {name[4:11]} err {r['err']:+.2f} "
                    f"[{r['gate']}] q {r['quality']:.2f} loss {loss[:3]} true "
                    f"{[round(true[0], 2), round(true[1] - true[0], 2)]}: {verdict}"
                )
    print("flagged sessions (straddled by spoken words):", len(flags))


if __name__ == "__main__":
    main(sys.argv[1:])
