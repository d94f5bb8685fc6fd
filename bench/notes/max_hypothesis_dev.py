"""Dev harness of the max over search hypotheses (issue 24, helper mx). Not shipped.

AlignConfig.class_channel_max: the offset search scores every lag with class channels
(weight 0.75) and on energy alone, keeps the better, and gives every shuffle the same max.
Wraps gate_dev.py (oracle words; per session the alignment, two one-period shifted controls,
one 5-20 s shifted control, one shuffled-audio control). Each row also records rate_fitted,
which search won, and the two searches' own qualities (at the best clock scale), so the gate
can be re-decided for any lift without re-aligning (`regate`, exact: gate_verdict on the
row's evidence).

    python bench/notes/max_hypothesis_dev.py collect OUT.json DIR... [--max=0|1] [--lift=L]
    python bench/notes/max_hypothesis_dev.py regate OUT.json... [--lifts=0,1,2] [--sig=0|1]
    python bench/notes/max_hypothesis_dev.py compare A.json B.json
"""

import functools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import gate_dev  # noqa: E402

al = gate_dev.al
FITS: list = []  # (the searches' qualities, the max's quality, the winner) of each max
_better = al.better_fit
_row = gate_dev._row


def _record(fits):
    out = _better(fits)
    FITS.append(([f.quality for f in fits], out.quality, out.class_channels))
    return out


def _row_plus(kind, ev, rep, err, seconds):
    row = _row(kind, ev, rep, err, seconds)
    row["rate_fitted"] = ev.rate_fitted
    row["class_channels"] = ev.class_channels
    if FITS:  # the best call's (the best clock scale's) per-search qualities
        qs, _, _ = max(FITS, key=lambda f: f[1])
        row["q_energy"], row["q_channels"] = round(qs[0], 3), round(qs[1], 3)
    FITS.clear()
    return row


def collect(out, dirs, use_max, lift):
    al.better_fit = _record
    gate_dev._row = _row_plus
    al.AlignConfig = functools.partial(
        al.AlignConfig, class_channel_max=use_max, class_max_lift=lift
    )
    gate_dev.collect(out, dirs)


def verdict(r, cfg, sig_route=True):
    """The gate's verdict on a row's recorded evidence under ``cfg`` (True: passes)."""
    from silkpipe.class_evidence import ClassTest
    from silkpipe.signature import SignatureTest

    if "quality" not in r:
        return not r["excluded"]
    sig = SignatureTest(0.0, r["sig_p"], r["sig_words"][0], r["sig_words"][1], r["sig_testable"])
    cls = None
    if r["cls_p"] is not None:
        cls = ClassTest(0.0, r["cls_p"], r["cls_words"], 2, r["cls_testable"], r["cls_model"])
    channels = r.get("class_channels", True) or not sig_route
    at_chance, _ = al.gate_verdict(
        r["quality"],
        r["p"],
        sig,
        cfg,
        cls,
        r["at_edge"],
        r["moved"],
        r["disagree"],
        r.get("rate_fitted", False),
        channels,
    )
    return not at_chance


def regate(paths, lifts, sig_route):
    for p in paths:
        cells = []
        for lift in lifts:
            cfg = al.AlignConfig(class_channel_max=True, class_max_lift=lift)
            s = gate_dev.score(p, functools.partial(verdict, cfg=cfg, sig_route=sig_route))
            cells.append(f"lift {lift}: {s['right']}/{s['wrong']}/{s['ctl_pass']}")
        print(f"{Path(p).name:30s} within {s['within']}/{s['sessions']}  " + "  ".join(cells))
        print(f"{'':30s} highest quality off the truth: {worst(p)}")


def worst(path, n=4):
    """Highest qualities of controls not corrected to the truth and sessions > 0.5 s off."""
    out = []
    for name, rs in json.loads(Path(path).read_text()).items():
        for r in rs:
            if "quality" not in r:
                continue
            lim = 0.5 if r["kind"] == "session" else 0.3
            if not (r["err"] is not None and abs(r["err"]) <= lim):
                won = "c" if r.get("class_channels", True) else "e"
                out.append((round(r["quality"], 2), r["kind"], won, name.split("_session")[0]))
    return sorted(out, reverse=True)[:n]


def compare(a, b):
    da, db = (json.loads(Path(p).read_text()) for p in (a, b))
    for p in (a, b):
        print(Path(p).name, gate_dev.score(p))
    for n in sorted(set(da) & set(db)):
        cells = []
        for d in (da, db):
            s = d[n][0]
            err = "-" if s.get("err") is None else f"{s['err']:+.2f}"
            won = "" if "q_energy" not in s else f" e{s['q_energy']:.1f}/c{s['q_channels']:.1f}"
            cells.append(
                f"{err:>6s} q={s.get('quality', float('nan')):5.2f}{won} "
                f"{'PASS' if not s['excluded'] else 'ex  '} {s.get('gate', '')[:16]}"
            )
        print(f"{n:20s} " + " | ".join(cells))


if __name__ == "__main__":
    args = sys.argv[1:]
    opts = dict(a[2:].split("=", 1) for a in args if a.startswith("--"))
    rest = [a for a in args if not a.startswith("--")]
    if rest[0] == "collect":
        collect(rest[1], rest[2:], opts.get("max", "1") == "1", float(opts.get("lift", 2.0)))
    elif rest[0] == "regate":
        lifts = [float(x) for x in opts.get("lifts", "0,0.5,1,1.5,2,2.5,3").split(",")]
        regate(rest[1:], lifts, opts.get("sig", "1") == "1")
    else:
        compare(rest[1], rest[2])
