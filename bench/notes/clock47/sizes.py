"""Clock level of L47: for each loss a probe moved (probe.py's JSON), the recorded size's
error (the step of rebuilt - production time across the gap, truth's row_clock: scoring
only) and the fitted size's. Not shipped.   python bench/notes/clock47/sizes.py PROBE.json...
"""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def size_error(sess: Path, at: float, size: float) -> float:
    """Recorded size - true size of the loss whose first row after it is at rebuilt ``at``."""
    from ndmiss import _error_curve

    _, _, prod, err = _error_curve(sess)
    reb = prod + err
    after = err[(reb >= at) & (reb < at + 1.5)]
    before = err[(reb >= at - size - 1.5) & (reb < at - size)]
    return float(np.median(after) - np.median(before))


def main(paths):
    toward = away = 0
    for p in paths:
        for sess, r in json.loads(Path(p).read_text()).items():
            for arrival, recorded, fitted in r["l47"]["sizes"]:
                at = next(x[0][3] for x in r["losses"] if abs(x[0][0] - arrival) < 1e-3)
                e0 = size_error(Path(sess), at, recorded)
                e1 = e0 + fitted - recorded
                way = (
                    "toward"
                    if abs(e1) < abs(e0) - 0.05
                    else "away"
                    if abs(e1) > abs(e0) + 0.05
                    else "same"
                )
                toward += way == "toward"
                away += way == "away"
                pe, le = r["parent"]["err"], r["l47"]["err"]
                print(
                    f"{Path(sess).name[4:10]} size {recorded:.2f} -> {fitted:.2f}: size error "
                    f"{e0:+.2f} -> {e1:+.2f} {way:6s} | first-pass offset err "
                    f"{pe if pe is None else round(pe, 2)} -> {le if le is None else round(le, 2)}"
                )
    print(f"moved sizes toward the truth {toward}, away {away}")


if __name__ == "__main__":
    main(sys.argv[1:])
