"""Where each spoken event word lands at a given offset error: on a gesture of its own class,
another, or none (truth.json); is a wrong offset a gesture-period alias? fp46 helper. Not shipped.

    python bench/notes/fp46/alias.py TRUTH.json ERR_S [TRUTH.json ERR_S...]
"""

import json
import sys

EV = {"jump", "punch", "turn"}
for path, err in [(a, float(b)) for a, b in zip(sys.argv[1::2], sys.argv[2::2], strict=False)]:
    t = json.load(open(path))
    gs = t["gestures"]
    same = other = none = 0
    rows = []
    for c in t["commands"]:
        if c["class"] not in EV or c.get("imu_time") is None:
            continue
        x = c["imu_time"] + err
        near = min(
            gs,
            key=lambda g: (
                0
                if g["start"] - 0.3 <= x <= g["end"] + 0.3
                else min(abs(g["start"] - x), abs(g["end"] - x))
            ),
        )
        d = (
            0
            if near["start"] - 0.3 <= x <= near["end"] + 0.3
            else min(abs(near["start"] - x), abs(near["end"] - x))
        )
        if d > 0.5:
            none += 1
            rows.append(c["class"] + ">-")
        elif near["class"] == c["class"]:
            same += 1
            rows.append(c["class"] + "=")
        else:
            other += 1
            rows.append(c["class"] + ">" + near["class"])
    print(
        path.split("/")[-2],
        "err",
        err,
        "event words",
        same + other + none,
        "land on same class",
        same,
        "other class",
        other,
        "no gesture",
        none,
        " ".join(rows),
    )
