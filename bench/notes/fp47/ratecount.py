"""fp47: rate-fitted passes below sure_quality in run-level row files (nd40.py / fresh38.py /
l1carry.py format) and what three truth-free rules would refuse there. Not shipped.

    python bench/notes/fp47/ratecount.py ROWS.json...

Final rows only (each session's last round, every control), as fresh38.finals; knock-on
effects of a refusal on later rounds' class models are not modelled.
RA: rate_edge >= 0.5 (the shipped knob rate_edge_share at 0.5 instead of 1.0: off)
RB: the per-scale energy quality peaks at an edge of the searched scales (rows with `scales`)
RC: the rate was not read off the arrival envelope (source 'default', bound >= 1)
RD: the scale taken is not 1 (rate_edge > 0: rate_edge_share just above 0)
Also: rate-fitted passes at or above sure_quality (energy), listed, counted apart.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fresh38 import finals, verdict  # noqa: E402

SURE = 8.0


def peak_at_edge(r):
    sc = r.get("scales")
    if not sc:
        return None
    qs = [q for _, q, *_ in sc]
    i = qs.index(max(qs))
    return i in (0, len(qs) - 1)


def main(paths):
    for path in paths:
        tot = {"RA": {}, "RB": {}, "RC": {}, "RD": {}}
        sure = {}
        fitted = []
        for run, n, kind, r in finals(path):
            v = verdict(kind, r)
            if v == "refused" or not r.get("rate_fitted"):
                continue
            if r["quality"] >= SURE:
                key = (v, r.get("scale") != 1.0)
                sure[key] = sure.get(key, 0) + 1
                continue
            pe = peak_at_edge(r)
            hits = {
                "RA": (r.get("rate_edge") or 0) >= 0.5,
                "RB": bool(pe),
                "RC": r.get("source") == "default" or (r.get("bound") or 0) >= 1.0,
                "RD": (r.get("rate_edge") or 0) > 0,
            }
            fitted.append((run, n, kind, v, r, pe, hits))
            for k, h in hits.items():
                if h:
                    tot[k][v] = tot[k].get(v, 0) + 1
        print(f"== {Path(path).name}: rate-fitted passes below sure_quality {len(fitted)}")
        for run, n, kind, v, r, pe, hits in fitted:
            err = "None" if r["err"] is None else f"{r['err']:+.2f}"
            print(
                f"   {run} {n[4:]:16s} {kind:8s} {v:9s} err {err:>6s} [{r['gate'][:18]}] "
                f"q {r['quality']:.2f} scale {r.get('scale')} edge {r.get('rate_edge')} "
                f"src {r.get('source')} bound {r.get('bound')} lag {r.get('lag_margin')} "
                f"common {r.get('common_margin')} peak_at_edge {pe} "
                f"{' '.join(k for k, h in hits.items() if h)}"
            )
        print(f"   at/above sure_quality (verdict, scale != 1): {sure}")
        for k, c in tot.items():
            print(f"   {k} refuses: {c}")


if __name__ == "__main__":
    main(sys.argv[1:])
