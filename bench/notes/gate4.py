"""The fixed class model's lag profile as evidence about the offset (issue 24, helper gate4).

Run-level harness = d14_dev.py `runs` (session_classes_dev.py: first pass, veto,
session-class rounds, four controls per session, exact words, 40 shuffles; nothing is
regenerated). On top, every fixed-model class test (FIXED_MODELS: clip- or session-trained)
records the model's lag profile of the said event words: their mean log-probability
(clip_evidence.clip_scores, the statistic the class test permutes) at the chosen lag + d for
d in [-R, R] on a 0.05 s grid (R = 20 s, whatever the searched window), as `prof`.

    python bench/notes/gate4.py collect OUT.json KEY=VALUE... -- RUN_DIR...
    python bench/notes/gate4.py table ROWS.json... [away=1.2] [reach=20] [thr=0]
        # every fixed-model row: verdict, route, margin; and the counts at a threshold
    python bench/notes/gate4.py sweep ROWS.json...   # counts over thresholds (DEV only)
    python bench/notes/gate4.py compact OUT.json ROWS.json...   # rows with margins, no profiles
    python bench/notes/gate2.py table BEFORE.json AFTER.json  # before/after verdicts

The rule's on/off runs: `collect ... class_peak_margin=-inf -- DIRS` is main's gate (before),
`collect ... -- DIRS` the default (after). Held-out sets and runs: bench/notes/gate4_hold.sh make | before | after.
"""

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

STEP_S = 0.05
REACH_S = 20.0
EXTRA: list = []  # the lag profile of the align_session call's fixed-model class test


def patch():
    """Record the lag profile beside each gate row."""
    import gate_dev

    import silkpipe.alignment as al
    from silkpipe.class_evidence import event_words
    from silkpipe.gate import FIXED_MODELS

    plain_align, plain_test, plain_row = al.align_session, al._class_test, gate_dev._row
    shifts = np.round(np.arange(-REACH_S, REACH_S + 1e-9, STEP_S), 2)

    def align(*a, **k):
        EXTRA.clear()
        return plain_align(*a, **k)

    def test(commands, lag, motion, around, clips=None, *rest):
        out = plain_test(commands, lag, motion, around, clips, *rest)
        if clips is not None and out.testable and out.model in FIXED_MODELS:
            times = np.array([c.start for c in commands])
            e_times, labels = event_words(times, [c.cls for c in commands])
            prof = clips.scores(e_times, labels, lag + shifts)
            EXTRA.append(dict(prof=[round(float(x), 4) for x in prof]))
        return out

    def row(kind, ev, rep, err, seconds):
        extra = dict(EXTRA[-1]) if EXTRA else {}
        extra["quality_raw"] = ev.quality
        return dict(plain_row(kind, ev, rep, err, seconds), **extra)

    al.align_session, al._class_test, gate_dev._row = align, test, row


def collect(out, args):
    import d14_dev

    patch()
    d14_dev.runs(out, args)


# ---------------------------------------------------------------- offline statistics


def margin(prof, away=1.2, reach=REACH_S):
    """(score at the chosen lag - best score at away <= |d| <= reach) / spread, spread =
    the profile's standard deviation over |d| <= reach (where finite)."""
    p = np.asarray(prof, dtype=float)
    d = np.round(np.arange(-REACH_S, REACH_S + 1e-9, STEP_S), 2)
    inside = np.abs(d) <= reach + 1e-9
    far = inside & (np.abs(d) >= away - 1e-9)
    here = p[np.argmin(np.abs(d))]
    spread = float(np.nanstd(p[inside]))
    best = float(np.nanmax(p[far]))
    where = float(d[far][int(np.nanargmax(p[far]))])
    return (here - best) / max(spread, 1e-9), where


def _rows(paths):
    """Every fixed-model row with a profile: (set, run, name, kind, row)."""
    out = []
    for path in paths:
        runs = json.loads(Path(path).read_text())
        for run, data in runs.items():
            for n, rows in data["sessions"].items():
                for r in rows:
                    if "prof" in r:
                        out.append((Path(path).stem, run, n, "session", r))
            for n, rows in data["controls"].items():
                for r in rows:
                    if "prof" in r:
                        out.append((Path(path).stem, run, n, r["kind"], r))
    return out


def _final(paths):
    """{session: last row}, [control rows]: the run-level verdicts."""
    sess, ctl = {}, []
    for path in paths:
        for data in json.loads(Path(path).read_text()).values():
            for n, rows in data["sessions"].items():
                sess[(Path(path).stem, n)] = rows[-1]
            for n, rows in data["controls"].items():
                ctl += [(Path(path).stem, n, r) for r in rows]
    return sess, ctl


ROUTES = ("clip classes", "session classes")


def _class_pass(r):
    return not r["excluded"] and r["gate"] in ROUTES


def _refused_by(r, thr, away, reach):
    return "prof" in r and _class_pass(r) and margin(r["prof"], away, reach)[0] < thr


def _count(sess, ctl, thr, away, reach):
    """(right, false, controls passed, right lost, false refused, controls refused)."""
    right = false = cpass = lost = frefused = crefused = 0
    for r in sess.values():
        if r["excluded"] or r["err"] is None:
            continue
        gone = _refused_by(r, thr, away, reach)
        if abs(r["err"]) <= 0.3:
            right += not gone
            lost += gone
        elif abs(r["err"]) > 0.5:
            false += not gone
            frefused += gone
    for _, _, c in ctl:
        corrected = c["err"] is not None and abs(c["err"]) <= 0.3 and c["kind"] != "shuffled"
        if c["excluded"] or corrected:
            continue
        gone = _refused_by(c, thr, away, reach)
        cpass += not gone
        crefused += gone
    return right, false, cpass, lost, frefused, crefused


def _opts(rest):
    kv = dict(a.split("=") for a in rest if "=" in a)
    paths = [a for a in rest if "=" not in a]
    return paths, float(kv.get("away", 1.2)), float(kv.get("reach", REACH_S)), kv


def table(first, rest):
    paths, away, reach, kv = _opts([first, *rest])
    thr = float(kv.get("thr", 0.0))
    print("set run name kind err verdict gate q p cls_p margin peak_d")
    for s, run, n, kind, r in _rows(paths):
        m, where = margin(r["prof"], away, reach)
        err = "-" if r["err"] is None else f"{r['err']:+.2f}"
        verdict = "refused" if r["excluded"] else "PASS"
        print(
            f"{s} {run} {n} {kind} {err} {verdict} [{r['gate']}] q {r['quality']:.2f} "
            f"p {r['p']:.3f} cls_p {r['cls_p']:.4f} margin {m:+.2f} at {where:+.2f}"
        )
    sess, ctl = _final(paths)
    keys = "right false ctl_passed right_lost false_refused ctl_refused"
    counts = _count(sess, ctl, thr, away, reach)
    print(f"thr {thr} away {away} reach {reach}:", dict(zip(keys.split(), counts, strict=True)))


def sweep(first, rest):
    paths, away, reach, _ = _opts([first, *rest])
    sess, ctl = _final(paths)
    print("thr  right false ctl_passed | right_lost false_refused ctl_refused")
    for thr in (-1.0, -0.5, 0.0, 0.25, 0.5, 0.75, 1.0, 1.5):
        print(thr, _count(sess, ctl, thr, away, reach))


def compact(out, rest):
    """Every fixed-model row of the rows files with its margin (reach 10 s) and where the
    best lag away lies, without the profiles: bench/notes/gate4_rows.json."""
    keep = ("err", "excluded", "gate", "quality", "p", "cls_p", "cls_model", "round")
    rows = []
    for s, run, n, kind, r in _rows(rest):
        m, where = margin(r["prof"], 1.2, 10.0)
        row = dict(set=s, run=run, name=n, kind=kind, **{k: r.get(k) for k in keep})
        rows.append(dict(row, margin=round(m, 3), best_away_s=where))
    Path(out).write_text(json.dumps(rows, indent=0))


if __name__ == "__main__":
    {"collect": collect, "table": table, "sweep": sweep, "compact": compact}[sys.argv[1]](
        sys.argv[2], sys.argv[3:]
    )
