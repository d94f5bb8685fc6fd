"""Helper loss52 (stop 52, issue 24): the two never-draining false passes of fresh52 (983_02,
987_00) and a truth-free split signal at the time model's losses. Notes: bench/notes/loss52.txt.
Not shipped.

    python bench/notes/loss52.py diag SESSION_DIR...
        # per session: time model (kind, losses, unsure losses and kinds) against truth's
        # losses and slow phases; the plain fit (AlignConfig()) and with loss_size_search on;
        # offsets the commands before / after the TRUE loss support (truth used to split) and
        # before / after each time-model loss (truth-free), each side fitted alone by energy:
        # global best over the search and local best within LOCAL_S of the session's fit
    python bench/notes/loss52.py survey OUT.json ROWS.json...
        # per session of each rows file (final round, fresh38.finals): the split signal at
        # every loss of the time model (truth-free), saved with err / pass for counting
    python bench/notes/loss52.py count OUT.json... [--x X] [--min-words N] [--local]
        [--kinds bracket,...]
        # for a rule "refuse when some loss's split disagrees by more than X": per rows file,
        # right passes refused and wrong passes (> 0.5 s) caught
"""

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

LOCAL_S = 2.0  # a side's local best offset: within this of the whole session's fit


def _side_offsets(motion, said, fit, side, cfg):
    """(global best offset, local best offset near the fit, z of its best) of the words
    ``side`` (mask over ``said``), fitted alone by energy (alignment._split_offsets' way)."""
    import silkpipe.alignment as al

    times = np.array([c.start * fit.scale for c in said])
    classes = [c.cls for c, on in zip(said, side, strict=True) if on]
    z, _, lags, scores = al._energy_fit(
        al.search_signal(motion, cfg), motion, times[side], classes, cfg
    )
    g = float(lags[int(np.argmax(scores))]) - cfg.word_to_peak_s
    lag0 = fit.offset_s + cfg.word_to_peak_s
    near = np.abs(lags - lag0) <= LOCAL_S
    loc = (
        float(lags[near][int(np.argmax(scores[near]))]) - cfg.word_to_peak_s if near.any() else None
    )
    return g, loc, float(z)


def split_at(motion, said, fit, at, cfg, min_words=3):
    """Split of the words at rebuilt time ``at`` (placed by the fit): dict or None when a side
    holds fewer than ``min_words``."""
    times = np.array([c.start * fit.scale for c in said])
    before = times + fit.offset_s < at
    nb, na = int(before.sum()), int((~before).sum())
    if min(nb, na) < min_words:
        return dict(at=at, n=[nb, na])
    b = _side_offsets(motion, said, fit, before, cfg)
    a = _side_offsets(motion, said, fit, ~before, cfg)
    return dict(
        at=round(at, 3),
        n=[nb, na],
        before=[round(x, 3) if x is not None else None for x in b],
        after=[round(x, 3) if x is not None else None for x in a],
        d_global=round(a[0] - b[0], 3),
        d_local=None if a[1] is None or b[1] is None else round(a[1] - b[1], 3),
    )


def _fit(motion, cmds, cfg):
    import silkpipe.alignment as al

    said, _ = al.reachable_words(motion, cmds, cfg)
    fit = al._fit_clock(motion, said, cfg, None)
    return said, fit


def loss_splits(motion, cmds, cfg, min_words=3):
    """Truth-free: the split at every loss the time model inserted (rebuilt time from
    uncertain_losses where recorded, else the grid's invalid run nearest the arrival time)."""
    said, fit = _fit(motion, cmds, cfg)
    tm = motion.time_model
    out = []
    unsure = {round(u[0], 3): u for u in tm.get("uncertain_losses", [])}
    kinds = dict(
        zip(
            [round(u[0], 3) for u in tm.get("uncertain_losses", [])],
            tm.get("uncertain_loss_kinds") or [""] * len(unsure),
            strict=False,
        )
    )
    for arr, size in tm.get("losses", []):
        u = unsure.get(round(arr, 3))
        at = u[3] if u else _gap_after(motion, arr, size)
        if at is None:
            out.append(dict(arrival=arr, size=size, at=None))
            continue
        s = split_at(motion, said, fit, at, cfg, min_words)
        s.update(
            arrival=arr,
            size=size,
            spread=u[2] if u else None,
            kind=kinds.get(round(arr, 3), "exact"),
        )
        out.append(s)
    return fit, out


def _gap_after(motion, arr, size):
    """Rebuilt time just after the invalid run of about ``size`` s nearest arrival ``arr``
    (None where the grid shows none): a loss the time model recorded without a spread."""
    v = motion.valid
    starts = np.flatnonzero(~v[1:] & v[:-1]) + 1
    ends = np.flatnonzero(v[1:] & ~v[:-1]) + 1
    best = None
    for s in starts:
        e = ends[ends > s]
        if not len(e):
            continue
        e = e[0]
        run = (e - s) / motion.rate
        if run < 0.5 * size:
            continue
        d = abs(motion.t[s] - arr)
        if best is None or d < best[0]:
            best = (d, float(motion.t[e]))
    return None if best is None or best[0] > 30 else best[1]


def diag(dirs):
    from dataclasses import replace

    from align_dev import load

    import silkpipe.alignment as al

    cfg = al.AlignConfig()
    for d in dirs:
        f = Path(d)
        truth, motion, cmds = load(f)
        off = truth["offset_s"]
        tm = motion.time_model
        dl = truth["delivery"]
        print(f"== {f.name} true offset {off:+.3f}")
        print(f"   truth: losses {dl['losses']} slow phases {dl['slow_phases']}")
        print(
            f"   time model: {tm['kind']} rate {tm['rows_per_s']} ({tm.get('rate_source')}) "
            f"losses {tm.get('losses')} unsure {tm.get('uncertain_losses')} "
            f"kinds {tm.get('uncertain_loss_kinds')} backlog {tm.get('max_backlog_s')} "
            f"queue_ratio {tm.get('queue_ratio')}"
        )
        for lo, hi in dl["losses"]:
            rec = [ls for ls in tm.get("losses", []) if abs(ls[0] - lo) < 3.0]
            for r in rec:
                print(
                    f"   loss true {lo:.3f}-{hi:.3f} ({hi - lo:.3f} s) recorded at {r[0]} size "
                    f"{r[1]}: size error {r[1] - (hi - lo):+.3f} s (later rows placed that much late)"
                )
        for name, c in (
            ("plain", cfg),
            ("loss_size_search", replace(cfg, loss_size_search=True)),
            (
                "size search, every kind/spread>0.05",
                replace(cfg, loss_size_search=True, loss_spread_s=0.05),
            ),
        ):
            _, rep = al.align_session(f.name, motion, cmds, c, keep_refused=True)
            err = None if rep.offset_s is None else rep.offset_s - off
            print(
                f"   fit {name}: err {err:+.3f} q {rep.quality:.2f} p {rep.quality_p_value:.3f} "
                f"excluded {rep.excluded} gate {rep.gate} loss_sizes {rep.loss_sizes} {rep.reason[:90]}"
            )
        said, fit = _fit(motion, cmds, cfg)
        print(
            f"   plain fit offset {fit.offset_s:+.3f} (err {fit.offset_s - off:+.3f}) scale {fit.scale}"
        )
        # truth split: the words whose true IMU time is before the true loss's start
        imu = {round(c["audio_start"], 3): c["imu_time"] for c in truth["commands"]}
        for lo, _hi in dl["losses"]:
            side = np.array([imu.get(round(c.start, 3), c.start + off) < lo for c in said])
            if min(side.sum(), (~side).sum()) < 2:
                print(f"   truth split at {lo}: n {int(side.sum())}/{int((~side).sum())} too few")
                continue
            b = _side_offsets(motion, said, fit, side, cfg)
            a = _side_offsets(motion, said, fit, ~side, cfg)
            print(
                f"   truth split at true loss {lo}: words {int(side.sum())} before / "
                f"{int((~side).sum())} after; offset err before global {b[0] - off:+.3f} local "
                f"{b[1] - off:+.3f} (z {b[2]:.1f}), after global {a[0] - off:+.3f} local "
                f"{a[1] - off:+.3f} (z {a[2]:.1f})"
            )
        _, splits = loss_splits(motion, cmds, cfg, min_words=2)
        for s in splits:
            print(f"   time-model loss split (truth-free): {s}")


def survey(args):
    from align_dev import load
    from fresh38 import finals

    import silkpipe.alignment as al

    out, paths = args[0], args[1:]
    cfg = al.AlignConfig()
    res = json.loads(Path(out).read_text()) if Path(out).exists() else {}
    for p in paths:
        rows = {}
        for _, n, k, r in finals(p):
            if k != "session":
                continue
            rows[n] = dict(err=r["err"], excluded=r["excluded"], gate=r["gate"])
        res.setdefault("rows", {})[Path(p).name] = rows
        setname = Path(p).name.removeprefix("m_").split("_")[0]
        deliv = "never_drains" if "never_drains" in Path(p).name else "drains"
        for n in rows:
            key = f"{setname}/{deliv}/{n}"
            if key in res.setdefault("sessions", {}):
                continue
            seed = n[4:7]
            f = Path(f"/tmp/held51/{setname}/{deliv}/{seed}/{n}")
            truth, motion, cmds = load(f)
            fit, splits = loss_splits(motion, cmds, cfg, min_words=2)
            res["sessions"][key] = dict(
                fit_err=round(fit.offset_s - truth["offset_s"], 3),
                splits=splits,
                time_model=motion.time_model.get("kind"),
                true_losses=truth["delivery"].get("losses"),
                slow=truth["delivery"].get("slow_phases"),
            )
            print(
                key,
                res["sessions"][key]["fit_err"],
                [(s.get("kind"), s.get("n"), s.get("d_global"), s.get("d_local")) for s in splits],
                flush=True,
            )
        Path(out).write_text(json.dumps(res))
    Path(out).write_text(json.dumps(res))


def signal(sess, x, min_words, local, kinds=None):
    """The largest |split disagreement| over the session's losses (sides of min_words or more)."""
    worst = 0.0
    for s in sess["splits"]:
        if s.get("at") is None or "before" not in s or min(s["n"]) < min_words:
            continue
        if kinds and s.get("kind") not in kinds:
            continue
        d = s["d_local"] if local else s["d_global"]
        if d is not None:
            worst = max(worst, abs(d))
    return worst


def count(args):
    x = float(args[args.index("--x") + 1]) if "--x" in args else 0.5
    mw = int(args[args.index("--min-words") + 1]) if "--min-words" in args else 3
    local = "--local" in args
    kinds = args[args.index("--kinds") + 1].split(",") if "--kinds" in args else None
    files = [a for a in args if a.endswith(".json")]
    tot = dict(right=0, right_ref=0, wrong=0, wrong_caught=0)
    for f in files:
        res = json.loads(Path(f).read_text())
        for rf, rows in sorted(res["rows"].items()):
            setname = rf.removeprefix("m_").split("_")[0]
            deliv = "never_drains" if "never_drains" in rf else "drains"
            c = dict(right=0, right_ref=0, wrong=0, wrong_caught=0, mid=0)
            caught = []
            for n, r in rows.items():
                if r["excluded"] or r["err"] is None:
                    continue
                sig = signal(res["sessions"][f"{setname}/{deliv}/{n}"], x, mw, local, kinds)
                if abs(r["err"]) <= 0.3:
                    c["right"] += 1
                    if sig > x:
                        c["right_ref"] += 1
                        caught.append(f"R {n[4:10]} {r['err']:+.2f} sig {sig:.2f}")
                elif abs(r["err"]) > 0.5:
                    c["wrong"] += 1
                    if sig > x:
                        c["wrong_caught"] += 1
                    caught.append(f"W {n[4:10]} {r['err']:+.2f} sig {sig:.2f}")
                else:
                    c["mid"] += 1
            for k in tot:
                tot[k] += c[k]
            print(
                f"{rf:40s} right passes refused {c['right_ref']}/{c['right']}  wrong caught "
                f"{c['wrong_caught']}/{c['wrong']}  (0.3-0.5 s passes {c['mid']})  {'; '.join(caught)}"
            )
    print(
        f"x {x} min_words {mw} {'local' if local else 'global'} kinds {kinds}: total right refused "
        f"{tot['right_ref']}/{tot['right']}, wrong caught {tot['wrong_caught']}/{tot['wrong']}"
    )


if __name__ == "__main__":
    {"diag": diag, "survey": survey, "count": count}[sys.argv[1]](sys.argv[2:])
