"""The table of bench/notes/voice_adapt.txt from voice_adapt.sh's /tmp/va/rSEED.json.

python bench/notes/voice_adapt_table.py SEED...
"""

from __future__ import annotations

import json
import sys

import numpy as np


def row(seed: str, r: dict) -> tuple | None:
    m, passed = r["models"], len(r["sessions_trained_on"])
    if "voice" not in m:
        print(f"  {seed}  {passed}/4  no voice model (no session passed the gate)")
        return None
    v, a, t, c = (m[k]["macro_f1"] for k in ("voice", "voice_adapted", "truth", "clips"))
    vs, ad = m["voice"]["macro_f1_per_seed"], m["voice_adapted"]["macro_f1_per_seed"]
    diff = ", ".join(f"{x - y:+.2f}" for x, y in zip(ad, vs, strict=True))
    print(
        f"  {seed}  {passed}/4  voice {v:.3f} [{min(vs):.2f}-{max(vs):.2f}]"
        f"  adapted {a:.3f} [{min(ad):.2f}-{max(ad):.2f}]  {a - v:+.3f} (seeds {diff})"
        f"  truth {t:.3f}  clips {c:.3f}"
    )
    fv, fa = m["voice"]["f1"], m["voice_adapted"]["f1"]
    print("        F1 voice/adapted: " + ", ".join(f"{k} {fv[k]:.2f}/{fa[k]:.2f}" for k in fv))
    return v, a, c, t


def main(seeds: list[str]) -> None:
    rows = [row(s, json.load(open(f"/tmp/va/r{s}.json"))) for s in seeds]
    x = np.array([r for r in rows if r is not None])
    if not len(x):
        return
    d = x[:, 1] - x[:, 0]
    print(
        f"  mean of {len(x)} runs: voice {x[:, 0].mean():.3f}, adapted {x[:, 1].mean():.3f}, "
        f"truth {x[:, 3].mean():.3f}, clips {x[:, 2].mean():.3f}; adapted - voice "
        f"{d.mean():+.3f} [{d.min():+.3f}, {d.max():+.3f}], {int((d > 0).sum())} of {len(d)} up"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
