"""The exact search-aware null of the session-class p (issue 24, helper gate3). Not shipped.

gate2.py's harness (d14_dev.runs, rows with p_cand/p_refine/p_window), plus, with exact=N,
every fixed-model class test also records

  p_search  each of N permutations of the event words' classes is put through the gate's OWN
            offset search (alignment._fit_clock: energy and class-channel search, noise
            hypotheses, event stage, class-aware choice with the same session model, clock
            scales where searched) and judged by the model at the lag that search picks;
            p = (1 + #{null >= observed}) / (N + 1), observed = the model's score at the
            chosen lag (gate2.py's convention for its simplified search).
  search_s  seconds spent on it

    python bench/notes/gate3.py collect OUT.json exact=N [only=NAME,...] [KEY=VALUE...] -- RUN_DIR...
      (only: align_session names to compute it for, e.g. real232_00_session-shifted;
      a rows file already holding a run is resumed, not recomputed: start from a new OUT)
    python bench/notes/gate3.py calib ROWS.json...   # p_search vs p_cand/p_window shares
"""

import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import gate2  # noqa: E402

FIT: list = []  # (motion, commands, cfg, clips) of the _fit_clock call of the session under way


def _search_null(clips, motion, commands, cfg, n):
    """Class scores of n label permutations, each at the lag the gate's own search picks."""
    import silkpipe.alignment as al
    from silkpipe.clip_evidence import EVENTS

    idx = [i for i, c in enumerate(commands) if c.cls in EVENTS]
    labels = np.array([EVENTS.index(commands[i].cls) for i in idx])
    times = np.array([commands[i].start for i in idx])
    rng = np.random.default_rng(1)
    null = []
    for _ in range(n):
        perm = rng.permutation(labels)
        cmds = list(commands)
        for i, k in zip(idx, perm, strict=True):
            cmds[i] = replace(cmds[i], cls=EVENTS[k])
        fit = al._fit_clock(motion, cmds, cfg, clips)
        lag = fit.offset_s + cfg.word_to_peak_s
        null.append(float(np.nanmean(clips.scores(times * fit.scale, perm, np.array([lag])))))
    return np.array(null)


def patch():
    import silkpipe.alignment as al
    from silkpipe.class_evidence import event_words, permutation_p

    gate2.patch()
    plain_fit, plain_test, plain_align = al._fit_clock, al._class_test, al.align_session

    def fit_clock(motion, commands, cfg, clips=None):
        fit = plain_fit(motion, commands, cfg, clips)
        FIT[:] = [(motion, commands, cfg, clips, fit.at_edge)]
        return fit

    def align(*a, **k):
        NAME[:] = [a[0] if a else k.get("session", "")]
        return plain_align(*a, **k)

    def test(commands, lag, motion, around, clips=None, *search):
        out = plain_test(commands, lag, motion, around, clips, *search)
        wanted = not ONLY or NAME[0] in ONLY
        if clips is not None and out.testable and gate2.EXTRA and FIT and wanted:
            m, cmds, cfg, bound, at_edge = FIT[-1]
            if at_edge:  # refused at the edge whatever its p (and not a calibration row)
                return out
            times = np.array([c.start for c in commands])
            e_times, labels = event_words(times, [c.cls for c in commands])
            observed = float(np.nanmean(clips.scores(e_times, labels, np.array([lag]))))
            t = time.time()
            al._fit_clock = plain_fit  # the permutations' searches are not recorded
            try:
                null = _search_null(bound, m, cmds, cfg, EXACT[0])
            finally:
                al._fit_clock = fit_clock
            gate2.EXTRA[-1]["p_search"] = permutation_p(null, observed)
            gate2.EXTRA[-1]["search_s"] = round(time.time() - t, 1)
        return out

    al._fit_clock, al._class_test, al.align_session = fit_clock, test, align


EXACT = [0]
ONLY: list = []  # session-name substrings to compute p_search for (empty: all)
NAME = [""]


def collect(out, args):
    import d14_dev

    for a in [a for a in args if a.startswith("exact=")]:
        EXACT[0] = int(a.split("=")[1])
        args.remove(a)
    for a in [a for a in args if a.startswith("only=")]:
        ONLY.extend(a.split("=")[1].split(","))
        args.remove(a)
    patch()
    d14_dev.runs(out, args)


def calib(first, rest):
    """Counts at .005 / .05 of each p of non-edge controls and of sessions within 0.3 s, and
    of p_search at its floor 1 / (N + 1) (a fair p is there with chance 1 / (N + 1))."""
    for path in [first, *rest]:
        runs = json.loads(Path(path).read_text())
        rows = {"controls": [], "right rows": []}
        for run in runs.values():
            for rws in run["controls"].values():
                rows["controls"] += [c for c in rws if not c["at_edge"]]
            for rws in run["sessions"].values():
                rows["right rows"] += [
                    r for r in rws if r["err"] is not None and abs(r["err"]) <= 0.3
                ]
        for name, rs in rows.items():
            rs = [r for r in rs if "p_search" in r]
            floor = min((r["p_search"] for r in rs), default=1.0)
            cells = [
                f"p_search at its floor {floor:.3f}: {sum(r['p_search'] <= floor for r in rs)}"
            ]
            for key in ("cls_p", "p_window", "p_search"):
                ps = [r[key] for r in rs]
                cells.append(f"{key} {sum(p <= 0.005 for p in ps)}/{sum(p <= 0.05 for p in ps)}")
            print(Path(path).name, name, f"n {len(rs)}:", "  ".join(cells))


if __name__ == "__main__":
    {"collect": collect, "calib": calib}[sys.argv[1]](sys.argv[2], sys.argv[3:])
