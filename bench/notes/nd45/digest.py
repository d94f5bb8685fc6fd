"""Clock digest per session (the code on PYTHONPATH): kind, rate source, losses, and the
clock error at each spoken word (truth.json; scoring only).  digest OUT.json DIR...  /
compare A.json B.json: the sessions whose clocks differ, and per-loss size errors."""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def digest(out, dirs):
    from ndmiss import _error_curve, _median_in

    res = {}
    for d in dirs:
        for f in sorted(Path(d).glob("*/truth.json")):
            truth, tm, prod, err = _error_curve(f.parent)
            spoken = [g for g in truth["gestures"] if g["spoken"]]
            at = [_median_in(prod, err, g["start"], g["end"]) for g in spoken]
            sizes = []
            for a, b in truth["delivery"].get("losses", []):
                pre = err[(prod >= a - 3) & (prod < a)]
                post = err[(prod > b) & (prod <= b + 3)]
                if len(pre) and len(post):
                    sizes.append(
                        [round(b - a, 2), round(float(np.median(post) - np.median(pre)), 2)]
                    )
            res[str(f.parent)] = {
                "kind": tm["kind"],
                "src": tm["rate_source"],
                "losses": [[float(x) for x in loss] for loss in tm["losses"]],
                "words": [round(x, 3) for x in at if np.isfinite(x)],
                "loss_err": sizes,
            }
    Path(out).write_text(json.dumps(res))
    print(out, len(res))


def compare(a, b):
    A, B = (json.loads(Path(p).read_text()) for p in (a, b))
    moved = 0
    for k in A:
        x, y = A[k], B[k]
        if x["losses"] == y["losses"] and x["kind"] == y["kind"]:
            continue
        moved += 1

        def off(w):
            w = np.array(w)
            return (int((abs(w) > 0.3).sum()), len(w)) if len(w) else (0, 0)

        print(f"{k.split('/h44/')[1]}: {x['kind']} {x['losses']} -> {y['kind']} {y['losses']}")
        print(f"   loss size err (true, err): {x['loss_err']} -> {y['loss_err']}")
        print(
            f"   words |clock err| > 0.3: {off(x['words'])} -> {off(y['words'])}; "
            f"{sorted(set(round(v, 2) for v in x['words']))[:6]} -> {sorted(set(round(v, 2) for v in y['words']))[:6]}"
        )
    print("sessions", len(A), "moved", moved)


if __name__ == "__main__":
    {"digest": lambda a: digest(a[0], a[1:]), "compare": lambda a: compare(*a)}[sys.argv[1]](
        sys.argv[2:]
    )
