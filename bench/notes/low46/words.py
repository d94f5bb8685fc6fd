"""Clock-level summary of clockcand.py digests (issue 24, helper low46): per candidate and
set group, sessions whose clock moved, words with the clock > 0.3 s off, sessions with
every word within 0.3 s. Diagnosis only.

    python bench/notes/low46/words.py DIR CAND...
"""

import json
import sys
from pathlib import Path

import numpy as np

GROUPS = {
    "choose 641-730": ("big", "fresh45", "fresh45b"),
    "check 739-762": ("fresh45c",),
    "older DEV": ("dev", "dev2", "dev3", "fresh", "route", "last"),
}


def main(d, cands):
    dig = {c: json.loads((Path(d) / f"dig_{c}.json").read_text()) for c in ["cur", *cands]}
    print(
        f"  {'group':18s} {'cand':5s} sessions moved  words>0.3  sessions all-words-within  toward/away"
    )
    for name, sets in GROUPS.items():
        keys = [k for k in dig["cur"] if k.split("/h44/")[1].split("/")[0] in sets]
        for c in ["cur", *cands]:
            moved = [k for k in keys if dig[c][k]["losses"] != dig["cur"][k]["losses"]]
            w = [np.abs(dig[c][k]["words"]) for k in keys]
            off = sum(int((x > 0.3).sum()) for x in w)
            ok = sum(int(len(x) and (x <= 0.3).all()) for x in w)
            tw = sum(
                np.abs(dig[c][k]["words"]).mean() < np.abs(dig["cur"][k]["words"]).mean() - 0.05
                for k in moved
            )
            aw = sum(
                np.abs(dig[c][k]["words"]).mean() > np.abs(dig["cur"][k]["words"]).mean() + 0.05
                for k in moved
            )
            nw = sum(len(x) for x in w)
            print(
                f"  {name:18s} {c:5s} {len(moved):3d}/{len(keys):<3d}        {off:3d}/{nw:<4d}"
                f"   {ok:3d}/{len(keys):<3d}                     {tw}/{aw}"
            )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
