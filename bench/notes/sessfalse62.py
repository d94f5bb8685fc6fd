"""Why held-out ho_side never_drains 1629_00 passed "session classes" 0.78 s off (helper
sessfalse62; findings: bench/notes/sessfalse62.txt). Diagnosis only, truth used to score.

    CODE=/tmp/head62 python bench/notes/sessfalse62.py case [RUN_DIR] [SESSION]
        # the run's session rounds (session_classes_dev._rounds: first pass, veto,
        # rounds; controls: nd40.py collect), then SESSION's final alignment again with
        # its trainers' model: report fields, the loss rules' records, the rebuilt clock
        # against truth.json's row_clock, each word at the truth and at the fit, and the
        # session-class model's score at the fit's lag and at the true one
    CODE=/tmp/head62 python bench/notes/sessfalse62.py fields ROWS.json...
        # every session-classes pass of the rows files (final rows, fresh38.finals): gate
        # fields, and offline at the row's reported offset the loss records the loss
        # rules read (bracket loss over loss_spread_s; words before it at the fit: all,
        # and those whose time lies on the stream before the inserted gap)
    CODE=/tmp/head62 python bench/notes/sessfalse62.py fields --all ROWS.json...
        # the same over every pass (energy too), printing only rows with such a loss

CODE (default /tmp/head62) is the checkout measured: its silkpipe and bench/notes are used.
Defaults: RUN_DIR /tmp/held51/ho_side/g4_never_drains/g4, SESSION real1629_00_session.
"""

import json
import os
import sys
from pathlib import Path

import numpy as np

CODE = Path(os.environ.get("CODE", "/tmp/head62"))
sys.path.insert(0, str(CODE / "bench" / "notes"))
sys.path.insert(0, str(CODE))

H = Path("/tmp/held51")


def _truth_rows(folder: Path, raw) -> tuple[np.ndarray, np.ndarray]:
    """(rebuilt s, true session s) of every row in file order."""
    rc = np.array(json.loads((folder / "truth.json").read_text())["row_clock"])
    idx = np.arange(len(raw.clock_rows))
    return raw.clock_rows[:, 1], np.interp(idx, rc[:, 0], rc[:, 1])


def case(args):
    import gate_dev
    import session_classes_dev as scd
    from align_dev import load

    import silkpipe.alignment as al
    from silkpipe import session_classes as sc
    from silkpipe.class_evidence import event_words
    from silkpipe.clip_evidence import FLOOR, bind
    from silkpipe.sessions import read_sensor_csv

    run = Path(args[0] if args else H / "ho_side/g4_never_drains/g4")
    name = args[1] if len(args) > 1 else "real1629_00_session"
    print("code:", al.__file__)
    cfg = scd.replace(al.AlignConfig(), shuffles=40)
    data = {f.parent.name: load(f.parent) for f in sorted(run.glob("*/truth.json"))}
    rows, passed = scd._rounds(data, cfg)
    for n, rs in rows.items():
        print(n, [(r["round"], round(r["err"], 3), r["excluded"], r["gate"]) for r in rs])
    last = rows[name][-1]
    trainers = last.get("trainers") or []
    model = sc.fit_session_model([(data[m][1], passed[m]) for m in trainers]) if trainers else None
    truth, motion, cmds = data[name]
    rec = {}
    for fn in ("_unchecked_bracket", "_split_bracket", "_straddled_loss"):
        plain = getattr(al, fn)

        def wrap(*a, _p=plain, _n=fn):
            out = _p(*a)
            rec[_n] = out
            if _n == "_unchecked_bracket":
                rec["said"], rec["fit"] = a[1], a[2]
            return out

        setattr(al, fn, wrap)
    gate_dev.CAPTURED.clear()
    _, rep = al.align_session(name, motion, cmds, cfg, clip_model=model)
    ev = gate_dev.CAPTURED[-1]
    off = truth["offset_s"]
    print(f"\n== {name} final round {last['round']} trainers {trainers}")
    print(
        f"offset_s {rep.offset_s:.3f} truth {off:.3f} err {rep.offset_s - off:+.3f} "
        f"(fit.offset_s before settle {rec['fit'].offset_s:.3f}) excluded {rep.excluded}\n"
        f"gate [{rep.gate}] quality {rep.quality:.2f} p {rep.quality_p_value:.3f} "
        f"energy_level {rep.energy_level} conf {rep.offset_confidence:.2f}\n"
        f"class_model {rep.class_model} class_p {rep.class_p_value:.4f} words {ev.cls.words} "
        f"classes {ev.cls.classes} lag_margin {rep.class_lag_margin} best_away "
        f"{rep.class_best_away_s} common_margin {rep.class_common_margin} "
        f"sig_p {rep.signature_p:.3f} {ev.sig.jumps}j/{ev.sig.turns}t moved {ev.moved} "
        f"disagree {ev.disagree} rate_fitted {ev.rate_fitted} scale {rep.clock_scale}"
    )
    tm = rep.clock
    print(
        f"time_model {rep.time_model} rows/s {tm['rows_per_s']} ({tm['rate_source']}, bound "
        f"{tm['rate_uncertainty']}) losses {tm['losses']} uncertain {tm['uncertain_losses']} "
        f"kinds {tm['uncertain_loss_kinds']}"
    )
    print(f"loss rules: straddled {rec['_straddled_loss']} split_bracket {rec['_split_bracket']}")
    print(f"  unchecked_bracket {rec['_unchecked_bracket']}")
    said, fit = rec["said"], rec["fit"]
    for loss, kind in al.unsure_losses(motion, 0.0):
        if kind == al.BRACKET:
            sp = al._split_offsets(motion, said, fit, loss[3], cfg, near=cfg.loss_split_local_s)
            print(f"  bracket {loss} split offsets (before, after) {sp} (fit {fit.offset_s:.3f})")

    # the clock against truth
    folder = next(run.glob(f"{name}/truth.json")).parent
    raw = read_sensor_csv(folder / "sensor_data.csv")
    rebuilt, true = _truth_rows(folder, raw)
    step = int(np.argmax(np.diff(rebuilt)))
    d = rebuilt - true
    dl = truth["delivery"]["losses"]
    print(
        f"\nclock: true losses {dl} (size {dl[0][1] - dl[0][0]:.3f}); rebuilt gap at row {step}: "
        f"{rebuilt[step]:.3f}->{rebuilt[step + 1]:.3f} ({rebuilt[step + 1] - rebuilt[step]:.3f} s)"
        f", true {true[step]:.3f}->{true[step + 1]:.3f} ({true[step + 1] - true[step]:.3f} s)\n"
        f"  rebuilt - true before the gap: median {np.median(d[: step + 1]):+.3f} "
        f"(p5..p95 {np.percentile(d[: step + 1], 5):+.3f}..{np.percentile(d[: step + 1], 95):+.3f})"
        f"; after: median {np.median(d[step + 1 :]):+.3f} (p5..p95 "
        f"{np.percentile(d[step + 1 :], 5):+.3f}..{np.percentile(d[step + 1 :], 95):+.3f})"
    )

    # each word: where its motion lies on the rebuilt clock vs where the fit puts it
    gap = (true[step], true[step + 1])
    print("\nword (class) true_imu_s | rebuilt s of its motion | at fit | fit - motion")
    for c, w in zip(cmds, truth["commands"], strict=True):
        t = w["imu_time"]
        where = "gap" if gap[0] < t < gap[1] else ("after" if t >= gap[1] else "before")
        if t > true[-1]:
            where = "past end"
        on = np.interp(t, true, rebuilt) if where in ("before", "after") else float("nan")
        at_fit = c.start * fit.scale + rep.offset_s
        print(f"  {c.cls:6s} {t:7.3f} {where:8s} | {on:7.3f} | {at_fit:7.3f} | {at_fit - on:+.3f}")
    kept, _ = al.reachable_words(motion, cmds, cfg)
    times = np.array([c.start for c in kept])
    e_t, labels = event_words(times, [c.cls for c in kept])
    if model is not None:
        clips = bind(model, motion)
        lags = np.round(np.arange(-2.0, 2.0001, 0.02), 3) + rep.offset_s + cfg.word_to_peak_s
        prof = clips.scores(e_t, labels, lags, missing=FLOOR)
        at = lambda o: float(np.interp(o + cfg.word_to_peak_s, lags, prof))  # noqa: E731
        best = lags[int(np.argmax(prof))] - cfg.word_to_peak_s
        print(
            f"\nsession-class model ({len(labels)} event words, floored mean log-p): at fit "
            f"{at(rep.offset_s):.3f}, at truth {at(off):.3f}, at truth-0.865 (the clock's step) "
            f"{at(off - 0.865):.3f}; best within +-2 s at offset {best:.3f} "
            f"(truth {best - off:+.3f})"
        )
        for o, tag in ((rep.offset_s, "fit"), (off, "truth")):
            tst = clips.test(e_t + o + cfg.word_to_peak_s, labels, np.zeros(1))
            print(
                f"  class test at {tag}: p {tst.p_value:.4f} words {tst.words} stat {tst.separation}"
            )


def fields(args):
    import fresh38
    from align_dev import load

    import silkpipe.alignment as al
    from silkpipe.loss_search import unsure_losses

    cfg = al.AlignConfig()
    keys = ("quality", "p", "cls_p", "cls_words", "lag_margin", "common_margin")
    keys += ("offset_confidence", "sig_p", "bound")
    every = "--all" in args
    args = [a for a in args if a != "--all"]
    out = []
    for path in args:
        tag = Path(path).stem
        st = tag.removeprefix("m_").split("_")
        cset, deliv = "_".join(st[:2]), "_".join(st[2:-1])
        for run, n, kind, r in fresh38.finals(path):
            if kind != "session" or r["excluded"]:
                continue
            if not every and r["gate"] != "session classes":
                continue
            folder = H / cset / deliv / n[4:8] / n
            truth, motion, cmds = load(folder)
            said, _ = al.reachable_words(motion, cmds, cfg)
            off = truth["offset_s"] + r["err"]
            t = np.array([c.start * r.get("scale", 1.0) for c in said]) + off
            loss_txt = "-"
            for loss, k in unsure_losses(motion, cfg.loss_spread_s):
                if k != al.BRACKET:
                    continue
                gap0 = loss[3] - loss[1]  # the inserted gap: rebuilt [at - size, at]
                before = int((t < loss[3]).sum())
                on_before = int(((t < gap0) & (t >= motion.t[0])).sum())
                ev_on = sum(
                    1
                    for c, x in zip(said, t, strict=True)
                    if motion.t[0] <= x < gap0 and c.cls != "noise"
                )
                loss_txt = (
                    f"bracket at {loss[3]:.1f} size {loss[1]:.2f} spread {loss[2]:.2f}: "
                    f"before {before} on-stream-before-gap {on_before} (non-noise {ev_on}) "
                    f"after {len(said) - before}"
                )
                break
            if every and loss_txt == "-":
                continue
            v = fresh38.verdict(kind, r)
            out.append((v, tag, run, n, r, loss_txt))
    for v, tag, run, n, r, lt in sorted(out, key=lambda x: x[0]):
        f = " ".join(
            f"{k} {'-' if r.get(k) is None else round(r[k], 3)}" for k in keys if k in r or True
        )
        print(f"{v:6s} [{r['gate'][:16]}] {tag} {run} {n[4:11]} err {r['err']:+.2f} {f} | {lt}")
    right = [x[4] for x in out if x[0] == "right"]
    print(f"\nright passes listed: {len(right)}")
    for k in keys:
        v = np.array([x[k] for x in right if x.get(k) is not None], dtype=float)
        if len(v):
            q = np.percentile(v, [0, 10, 50, 90, 100]).round(3).tolist()
            print(f"  {k}: n {len(v)} min/p10/p50/p90/max {q}")


if __name__ == "__main__":
    {"case": case, "fields": fields}[sys.argv[1]](sys.argv[2:])
