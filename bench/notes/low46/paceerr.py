"""How far each candidate "after" pace reads from the true queue pace (truth's slow-phase
share x production rate), over the losses the code brackets (middle taken), as a share
of the watch rate R (issue 24, helper low46). Diagnosis only.

    python bench/notes/low46/paceerr.py PROBE_DIR
"""

import sys

import numpy as np
from score import GROUPS, PACES, category, in_bracket, load


def main(d):
    for name, sets in GROUPS.items():
        rows = [r for r in load(d, sets) if in_bracket(r) and r["share"]]
        print(f"{name}: {len(rows)} bracketed losses (middle taken); pace - true, share of R:")
        print("  " + " ".join(f"{p:>14s}" for p in PACES))
        cells = []
        for p in PACES:
            e = np.array([(r["paces"][p] or np.nan) / r["rate"] - r["share"] for r in rows])
            cells.append(
                f"{np.nanmean(e):+.3f}|{np.nanmean(abs(e)):.3f}|{int(np.nansum(abs(e) <= 0.03)):2d}"
            )
        print(
            "  "
            + " ".join(f"{c:>14s}" for c in cells)
            + "   (mean signed | mean abs | n within 0.03)"
        )
        for r in sorted(rows, key=lambda r: r["session"]):
            vals = " ".join(f"{(r['paces'][p] or np.nan) / r['rate']:.2f}" for p in PACES)
            print(f"    {r['session']} {category(r['x']):6s} true {r['share']:.2f} | {vals}")


if __name__ == "__main__":
    main(sys.argv[1])
