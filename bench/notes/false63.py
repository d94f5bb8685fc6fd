"""Why held-out ho2_fast drains 1686_02 passed "session classes" +1.59 s off and ho2_calm
drains 1696_01 passed "energy" -1.66 s off (helper false63, adapted from sessfalse62.py;
findings: bench/notes/false63.txt). Diagnosis only, truth used to score.

The brief named them 1686_00 and 1696_00: held51.sh's report prints n[4:10] ("1686_0");
the rows say real1686_02_session and real1696_01_session.

    CODE=/tmp/head63 python bench/notes/false63.py case RUN_DIR SESSION
        # the run's session rounds (session_classes_dev._rounds: first pass, veto, rounds),
        # then SESSION's final alignment again with its trainers' model: report fields, the
        # loss rules' records, how the count clock placed each envelope step (_place), the
        # rebuilt clock against truth.json's row_clock as stretches of constant error, each
        # word at the truth and at the fit (grouped by stretch), energy and the sessions
        # model's score at the fit and at the truth
    CODE=/tmp/head63 python bench/notes/false63.py fields ROWS.json...
        # every final session pass (fresh38.finals) of the rows files: gate fields per
        # route, min/p10/p50/p90/max of the right passes (|err| <= 0.3) beside every false
        # pass (> 0.5); round-0 verdict and trainer count; and offline, per session, the
        # count clock's envelope steps whose place nothing pinned (see _steps), how many
        # of the pass's words lie where such a step could still move them, truth's
        # misplaced words, and a candidate split test at the step's edges (_edge_split)
    CODE=/tmp/head63 python bench/notes/false63.py peaks ROWS.json...
        # per final right / false pass: where the all-word and event-word energy profiles
        # peak against the passed offset
    CODE=/tmp/head63 python bench/notes/false63.py misclock ROWS.json...
        # per session (final row): share of words truth says the rebuilt clock misplaces by
        # over 0.5 s, by verdict and delivery
    CODE=/tmp/head63 python bench/notes/false63.py census SET_DELIVERY_DIR...
        # every session's envelope steps by how the clock placed them, against truth

CODE (default /tmp/head63) is the checkout measured: its silkpipe and bench/notes are used.
Session folders: /tmp/held51/SET/DELIVERY/SEED/NAME (held51.sh's layout).
"""

import json
import os
import sys
from pathlib import Path

import numpy as np

CODE = Path(os.environ.get("CODE", "/tmp/head63"))
sys.path.insert(0, str(CODE / "bench" / "notes"))
sys.path.insert(0, str(CODE))

H = Path("/tmp/held51")
STEPS: list[dict] = []  # _place's calls while a clock is rebuilt (_record_steps)
PAIRS: list = [None]  # the rotation pairs of the last clock rebuilt (_record_steps)
ROWS_PER_S = 148.5  # the synthetic watch's rows per second (silkpipe.delivery)


def _record_steps():
    """Wrap clock_envelope._place: each envelope step between edges (rows from n0 b..c, the
    earliest row causality allows it at, its size), where _place put it and by which test;
    [] = nothing said where, so envelope_losses spread it (half by the ramp, the rest at
    the middle). 'early': where most of the step lies at one arrival gap, what the latency
    floor had already risen by before that gap (_place puts it with the rest there unless
    the rotation jumps before)."""
    import silkpipe.clock_envelope as ce

    if getattr(ce._place, "_false63", False):
        return
    plain = ce._place

    def place(t, n0, b, c, first, step, ramp, pairs, rate, cfg):
        out = plain(t, n0, b, c, first, step, ramp, pairs, rate, cfg)
        jumps = np.diff(ramp)
        rec = dict(n0=n0, b=b, c=c, first=first, step=float(step), out=out, t=t)
        if len(jumps) and jumps.max() >= step / 2:
            j = int(np.argmax(jumps)) + 1
            rec.update(how="gap", gap=b + j, early=float(ramp[j - 1]))
            if len(out) == 2:
                rec["how"] = "gap + turn before"
        elif not out:
            rec.update(how="spread", early=0.0)
        else:
            rec.update(how="turn/lagged/jumped", early=0.0)
        STEPS.append(rec)
        return out

    place._false63 = True
    ce._place = place
    import silkpipe.sessions as ss

    plain_rebuild = ss.rebuild_clock

    def rebuild(arrival, watch=None, cfg=None, spacing=None, pairs=None):
        PAIRS[0] = pairs
        return plain_rebuild(arrival, watch, cfg, spacing, pairs)

    ss.rebuild_clock = rebuild


def _steps(folder: Path):
    """(raw streams, [step records]) of the session's count clock (read_sensor_csv again).
    Each record gains 'unpinned': seconds of the step whose place no test fixed (all of a
    spread step; a gap step's 'early' part put with the rest, no rotation jump before), and
    'range': rebuilt seconds [at the earliest row allowed, at the step's last row]."""
    from silkpipe.sessions import read_sensor_csv
    from silkpipe.watch_clock import ClockConfig

    _record_steps()
    STEPS.clear()
    raw = read_sensor_csv(folder / "sensor_data.csv")
    min_loss = ClockConfig().min_loss_s
    out = []
    reb = raw.clock_rows[:, 1]
    for r in STEPS:
        n0 = r["n0"]
        if r["how"] == "spread":
            unp = r["step"]
        elif r["how"] == "gap" and r["early"] >= min_loss:
            unp = r["early"]
        else:
            unp = 0.0
        lo, hi = n0 + r["first"], min(n0 + r["c"], len(reb) - 1)
        out.append(
            dict(
                how=r["how"],
                step=round(r["step"], 3),
                early=round(r["early"], 3),
                unpinned=round(unp, 3),
                range=(round(float(reb[lo]), 3), round(float(reb[hi]), 3)),
                arrival=(round(float(r["t"][r["first"]]), 3), round(float(r["t"][r["c"]]), 3)),
                rows=(lo, hi),
            )
        )
    return raw, out


def _truth_rows(folder: Path, raw) -> tuple[np.ndarray, np.ndarray]:
    """(rebuilt s, true session s) of every row in file order."""
    rc = np.array(json.loads((folder / "truth.json").read_text())["row_clock"])
    idx = np.arange(len(raw.clock_rows))
    return raw.clock_rows[:, 1], np.interp(idx, rc[:, 0], rc[:, 1])


def _stretches(true: np.ndarray, d: np.ndarray, tol: float = 0.1):
    """True-time stretches over which rebuilt - true stays within ``tol`` of its start (0.25 s
    bins of true time): [(from s, to s, median d, min d, max d)]."""
    out = []
    edges = np.arange(np.floor(true[0]), true[-1] + 0.25, 0.25)
    cur = None
    for a in edges:
        m = (true >= a) & (true < a + 0.25)
        if not m.any():
            continue
        v = float(np.median(d[m]))
        if cur is not None and abs(v - cur[2]) <= tol:
            cur[1] = a + 0.25
            cur[3].append(v)
        else:
            if cur is not None:
                out.append(cur)
            cur = [a, a + 0.25, v, [v]]
    out.append(cur)
    return [(s[0], s[1], float(np.median(s[3])), min(s[3]), max(s[3])) for s in out]


def case(args):
    import fastfalse61 as ff  # noqa: F401  (its profiles helper; patches _sized_losses)
    import gate_dev
    import session_classes_dev as scd
    from align_dev import load

    import silkpipe.alignment as al
    import silkpipe.gate as gt
    from silkpipe import session_classes as sc
    from silkpipe.class_evidence import event_words
    from silkpipe.clip_evidence import FLOOR, bind
    from silkpipe.vocabulary import EVENT_CLASSES

    run, name = Path(args[0]), args[1]
    print("code:", al.__file__)
    cfg = scd.replace(al.AlignConfig(), shuffles=40)
    data = {f.parent.name: load(f.parent) for f in sorted(run.glob("*/truth.json"))}
    rows, passed = scd._rounds(data, cfg)
    for n, rs in rows.items():
        print(
            n,
            [
                (
                    r["round"],
                    round(r["err"], 3),
                    r["excluded"],
                    r["gate"],
                    len(r.get("trainers") or []),
                )
                for r in rs
            ],
        )
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
                rec["motion"], rec["said"], rec["fit"] = a[0], a[1], a[2]
            return out

        setattr(al, fn, wrap)
    gate_dev.CAPTURED.clear()
    _, rep = al.align_session(name, motion, cmds, cfg, clip_model=model)
    ev = gate_dev.CAPTURED[-1]
    off = truth["offset_s"]
    err = rep.offset_s - off
    print(f"\n== {name} final round {last['round']} trainers {trainers}")
    print(
        f"offset_s {rep.offset_s:.3f} truth {off:.3f} err {err:+.3f} "
        f"(fit.offset_s before settle {rec['fit'].offset_s:.3f}) excluded {rep.excluded}\n"
        f"gate [{rep.gate}] quality {rep.quality:.2f} p {rep.quality_p_value:.3f} "
        f"energy_level {rep.energy_level} conf {rep.offset_confidence:.2f}\n"
        f"class_model {rep.class_model} class_p {rep.class_p_value:.4f} words {ev.cls.words} "
        f"classes {ev.cls.classes} lag_margin {rep.class_lag_margin} best_away "
        f"{rep.class_best_away_s} common_margin {rep.class_common_margin} "
        f"sig_p {rep.signature_p:.3f} {ev.sig.jumps}j/{ev.sig.turns}t moved {ev.moved} "
        f"disagree {ev.disagree} rate_fitted {ev.rate_fitted} scale {rep.clock_scale} "
        f"contradicted {ev.contradicted} choice_away {ev.choice_away} "
        f"first_word_s {ev.first_word_s}"
    )
    tm = rep.clock
    print(
        f"time_model {rep.time_model} rows/s {tm['rows_per_s']} ({tm['rate_source']}, bound "
        f"{tm['rate_uncertainty']}) losses {tm['losses']} uncertain {tm['uncertain_losses']} "
        f"kinds {tm['uncertain_loss_kinds']}"
    )
    print(f"loss rules: straddled {rec['_straddled_loss']} split_bracket {rec['_split_bracket']}")
    print(f"  unchecked_bracket {rec['_unchecked_bracket']}")
    if rows[name][0]["gate"] == gt.CLASS_CONTRADICTS:  # the step carries it; the harness not
        _, again = al.align_session(name, motion, cmds, cfg, clip_model=model, contradicted=True)
        print(
            f"with the step's contradicted carry: excluded {again.excluded} [{again.gate}] "
            f"err {again.offset_s - truth['offset_s']:+.3f}"
        )

    # how the count clock placed the envelope's steps
    folder = next(run.glob(f"{name}/truth.json")).parent
    raw, steps = _steps(folder)
    print("\nenvelope steps (between edges; range = rebuilt s the step could lie anywhere in):")
    for s in steps:
        print(f"  {s}")

    # the clock against truth
    rebuilt, true = _truth_rows(folder, raw)
    d = rebuilt - true
    dl = truth["delivery"]["losses"]
    # _turn_jump's evidence: the rotation excess across each true loss vs the largest
    # elsewhere in the step's rows (loss_turn_rad, loss_turn_margin)
    pairs = PAIRS[0]
    if pairs is not None and len(pairs.turn_row):
        from silkpipe.watch_clock import ClockConfig

        ccfg = ClockConfig()
        for a, b in dl:
            row = int(np.searchsorted(true, b))  # first row after the lost stretch
            k = int(np.searchsorted(pairs.turn_row, row))
            near = pairs.turn_excess[max(k - 1, 0) : k + 2]
            held = [x["rows"] for x in steps if x["rows"][0] < row <= x["rows"][1]]
            if not held:
                print(f"true loss {a:.2f}-{b:.2f}: in no envelope step's rows")
                continue
            span = (pairs.turn_row > held[0][0]) & (pairs.turn_row <= held[0][1])
            top = np.sort(pairs.turn_excess[span])[-4:][::-1]
            print(
                f"rotation excess across true loss {a:.2f}-{b:.2f} (row {row}): "
                f"{np.round(near, 3).tolist()} rad; largest in the step's rows {held[0]} "
                f"{np.round(top, 3).tolist()} (loss_turn_rad {ccfg.loss_turn_rad}, margin "
                f"x{ccfg.loss_turn_margin})"
            )
    print(
        f"\nclock: true losses {dl} (sizes {[round(b - a, 3) for a, b in dl]}), slow phases "
        f"{truth['delivery']['slow_phases']}; rebuilt steps over 0.05 s:"
    )
    for j in np.flatnonzero(np.abs(np.diff(d)) > 0.05):
        print(
            f"  row {j}: rebuilt {rebuilt[j]:.3f}->{rebuilt[j + 1]:.3f} "
            f"({rebuilt[j + 1] - rebuilt[j]:.3f} s), true {true[j]:.3f}->{true[j + 1]:.3f} "
            f"({true[j + 1] - true[j]:.3f} s): rebuilt - true {d[j]:+.3f} -> {d[j + 1]:+.3f}"
        )
    st = _stretches(true, d)
    print("rebuilt - true by true-time stretch (within 0.1 s):")
    for a, b, med, lo, hi in st:
        print(f"  true {a:6.2f}..{b:6.2f}: {med:+.3f} ({lo:+.3f}..{hi:+.3f})")

    # each word: where its motion lies on the rebuilt clock vs where the fit puts it
    fit = rec["fit"]
    print(
        "\nword (class) true_imu_s stretch | rebuilt s of its motion | at fit | fit - motion"
        " | what its peak lands on at the fit (true gesture class, truth s)"
    )
    spans = [(g["start"], g["end"], g["class"]) for g in truth["gestures"]]
    spans += [(a, b, f"filler {c}") for a, b, c in truth["filler_motion"]]
    groups: dict[int, list] = {}
    for c, w in zip(cmds, truth["commands"], strict=True):
        t = w["imu_time"]
        on_stream = true[0] <= t <= true[-1]
        lost = any(a < t < b for a, b in dl)
        k = next((i for i, s in enumerate(st) if s[0] <= t < s[1]), -1)
        on = float(np.interp(t, true, rebuilt)) if on_stream and not lost else float("nan")
        at_fit = c.start * fit.scale + rep.offset_s
        tag = "lost" if lost else ("off" if not on_stream else f"s{k}")
        peak = float(np.interp(at_fit + cfg.word_to_peak_s, rebuilt, true))
        hit = [f"{g} {a:.2f}-{b:.2f}" for a, b, g in spans if a <= peak <= b] or ["-"]
        print(
            f"  {c.cls:6s} {t:7.3f} {tag:5s} | {on:7.3f} | {at_fit:7.3f} | {at_fit - on:+.3f}"
            f" | {', '.join(hit)}"
        )
        if tag.startswith("s"):
            groups.setdefault(k, []).append((c.cls, at_fit - on))
    print("per stretch: words (event words), fit - motion median:")
    for k in sorted(groups):
        g = groups[k]
        evn = sum(c in EVENT_CLASSES for c, _ in g)
        print(
            f"  s{k} true {st[k][0]:.2f}..{st[k][1]:.2f} (clock {st[k][2]:+.3f}): {len(g)} "
            f"({evn}) {sorted(c for c, _ in g)} median {np.median([x for _, x in g]):+.3f}"
        )

    # the loss rules' split test at the points where the clock is truly wrong (oracle: the
    # clock records no uncertain loss, so no rule looks there) and at the step's edges
    print("\nsplit test (_split_offsets, words before / after rebuilt s; offsets - truth):")
    pts = [(f"true loss {a:.2f}", float(np.interp(a, true, rebuilt))) for a, _ in dl]
    for x in steps:
        pts += [("step range start", x["range"][0]), ("step range end", x["range"][1])]
    for tag, at in pts:
        whole = al._split_offsets(rec["motion"], rec["said"], rec["fit"], at, cfg)
        local = al._split_offsets(
            rec["motion"], rec["said"], rec["fit"], at, cfg, near=cfg.loss_split_local_s
        )
        n_before = sum(c.start * fit.scale + fit.offset_s < at for c in rec["said"])
        rel = lambda o: None if o is None else [round(v - off, 2) for v in o]  # noqa: E731
        print(
            f"  {tag} (rebuilt {at:.2f}): words {n_before}/{len(rec['said']) - n_before}; "
            f"whole search {rel(whole)}, within {cfg.loss_split_local_s} s of the fit {rel(local)}"
        )

    # energy profile (all words; event words) around truth and fit
    offsets, scores, e_scores, kept = ff.profiles(motion, cmds, cfg)
    w2p = cfg.word_to_peak_s
    tl = off + w2p
    top, etop = scores.max(), e_scores.max()
    print(
        f"\nenergy: peak at truth{offsets[scores.argmax()] - tl:+.2f} (events "
        f"truth{offsets[e_scores.argmax()] - tl:+.2f}); at truth all "
        f"{np.interp(tl, offsets, scores) / top:.3f} events {np.interp(tl, offsets, e_scores) / etop:.3f}"
        f"; at fit all {np.interp(rep.offset_s + w2p, offsets, scores) / top:.3f} events "
        f"{np.interp(rep.offset_s + w2p, offsets, e_scores) / etop:.3f} (share of peak)"
    )
    for x in np.arange(-2.5, 2.51, 0.25):
        print(
            f"   truth{x:+5.2f}: all {np.interp(tl + x, offsets, scores) / top:.3f} events "
            f"{np.interp(tl + x, offsets, e_scores) / etop:.3f}"
            + ("  <- fit" if abs(x - err) < 0.13 else "")
        )
    kept, _ = al.reachable_words(motion, cmds, cfg)
    times = np.array([c.start for c in kept])
    e_t, labels = event_words(times, [c.cls for c in kept])
    for o, tag in ((rep.offset_s, "fit"), (off, "truth")):
        sig = al.signature_test(kept, o + w2p, motion)
        own = al._class_test(kept, o + w2p, motion, [0.0], None)
        print(
            f"  at {tag}: signature p {sig.p_value:.3f} j/t {sig.jumps}/{sig.turns}; self class "
            f"p {own.p_value:.4f} words {own.words}"
        )
    if model is not None:
        clips = bind(model, motion)
        lags = np.round(np.arange(-3.0, 3.0001, 0.02), 3) + rep.offset_s + w2p
        prof = clips.scores(e_t, labels, lags, missing=FLOOR)
        at = lambda o: float(np.interp(o + w2p, lags, prof))  # noqa: E731
        best = lags[int(np.argmax(prof))] - w2p
        print(
            f"\nsessions model ({len(labels)} event words, floored mean log-p): at fit "
            f"{at(rep.offset_s):.3f}, at truth {at(off):.3f}; best within +-3 s at truth"
            f"{best - off:+.3f}"
        )
        for o, tag in ((rep.offset_s, "fit"), (off, "truth")):
            tst = clips.test(e_t + o + w2p, labels, np.zeros(1))
            print(
                f"  class test at {tag}: p {tst.p_value:.4f} words {tst.words} stat {tst.separation}"
            )


KEYS = ("quality", "p", "cls_p", "cls_words", "lag_margin", "common_margin")
KEYS += ("offset_confidence", "sig_p")


def _folder(tag: str, n: str) -> Path:
    st = tag.removeprefix("m_").split("_")
    cset, deliv = "_".join(st[:2]), "_".join(st[2:-1])
    return H / cset / deliv / n[4:8] / n


_STEP_CACHE: dict[Path, list] = {}


_WORDS: dict[Path, tuple] = {}


def _words_in_range(folder, r, steps, cfg, al, load):
    """(words on the stream at the row's offset, those inside an unpinned step's range)."""
    if folder not in _WORDS:
        truth, motion, cmds = load(folder)
        said, _ = al.reachable_words(motion, cmds, cfg)
        starts = np.array([c.start for c in said])
        _WORDS[folder] = (truth["offset_s"], starts, float(motion.t[0]), float(motion.t[-1]))
    true_off, starts, t0, t1 = _WORDS[folder]
    t = starts * r.get("scale", 1.0) + true_off + r["err"]
    on = (t >= t0) & (t <= t1)
    inside = np.zeros(len(t), dtype=bool)
    for s in steps:
        if s["unpinned"] >= cfg.loss_spread_s:
            inside |= (t >= s["range"][0]) & (t < s["range"][1])
    return int(on.sum()), int((on & inside).sum())


_CLOCK: dict[Path, tuple] = {}


def _edge_split(folder: Path, r, steps, cfg, al, load):
    """A candidate, not in the gate: the loss rules' split test (_split_offsets within
    loss_split_local_s of the fit, as _split_bracket) at both edges of each unpinned step's
    range (the earliest and latest rebuilt s the step may lie at). [(edge s, words before,
    words after, offset before - after)] relative to nothing (differences only)."""
    truth, motion, cmds = load(folder)
    said, _ = al.reachable_words(motion, cmds, cfg)
    off = truth["offset_s"] + r["err"]
    fit = al.OffsetFit(off, 0.0, 0.0, 1.0, np.zeros(1), scale=r.get("scale", 1.0))
    out = []
    for x in steps:
        if x["unpinned"] < cfg.loss_spread_s:
            continue
        for at in x["range"]:
            sp = al._split_offsets(motion, said, fit, at, cfg, near=cfg.loss_split_local_s)
            nb = sum(c.start * fit.scale + off < at for c in said)
            gap = None if sp is None else round(sp[0] - sp[1], 2)
            out.append((at, nb, len(said) - nb, gap))
    return out


def _misplaced(folder: Path, r) -> tuple[int, int, float]:
    """Truth: (words whose motion lies on the stream, those the row's fit puts more than
    0.5 s from their own motion on the rebuilt clock, seconds of rows whose rebuilt time
    lies more than 0.5 s off the clock's median error): a right offset can still label a
    misclocked stretch wrong."""
    rebuilt, true = _CLOCK[folder]
    truth = json.loads((folder / "truth.json").read_text())
    lost = truth["delivery"]["losses"]
    d = rebuilt - true
    n = bad = 0
    for w in truth["commands"]:
        t = w["imu_time"]
        if not true[0] <= t <= true[-1] or any(a < t < b for a, b in lost):
            continue
        n += 1
        motion_at = float(np.interp(t, true, rebuilt))
        at_fit = (w["audio_start"]) * r.get("scale", 1.0) + truth["offset_s"] + r["err"]
        bad += abs(at_fit - motion_at) > 0.5
    return n, bad, float((np.abs(d - np.median(d)) > 0.5).sum()) / ROWS_PER_S


def fields(args):
    import fresh38
    from align_dev import load

    import silkpipe.alignment as al

    cfg = al.AlignConfig()
    out = []
    for path in args:
        tag = Path(path).stem
        for run, n, kind, r in fresh38.finals(path):
            if kind != "session" or r["excluded"]:
                continue
            v = fresh38.verdict(kind, r)
            if v not in ("right", "FALSE"):
                continue
            rs = json.loads(Path(path).read_text())[run]["sessions"][n] if v == "FALSE" else None
            folder = _folder(tag, n)
            if folder not in _STEP_CACHE:
                raw, st = _steps(folder)
                _STEP_CACHE[folder] = st
                _CLOCK[folder] = _truth_rows(folder, raw)
            steps = _STEP_CACHE[folder]
            unp = max((s["unpinned"] for s in steps), default=0.0)
            on, inside = _words_in_range(folder, r, steps, cfg, al, load)
            off = _misplaced(folder, r)
            out.append((v, tag, run, n, r, unp, on, inside, rs, off))
    routes = sorted({x[4]["gate"] for x in out})
    for route in routes:
        sel = [x for x in out if x[4]["gate"] == route]
        right = [x for x in sel if x[0] == "right"]
        false = [x for x in sel if x[0] == "FALSE"]
        print(f"\n== route [{route}]: right {len(right)}, false {len(false)}")
        for k in KEYS:
            v = np.array([x[4][k] for x in right if x[4].get(k) is not None], dtype=float)
            if len(v):
                q = np.percentile(v, [0, 10, 50, 90, 100]).round(3).tolist()
                f = [None if x[4].get(k) is None else round(x[4][k], 3) for x in false]
                below = [int((v < x[4][k]).sum()) for x in false if x[4].get(k) is not None]
                print(
                    f"  {k}: n {len(v)} min/p10/p50/p90/max {q} | false {f} (#right below {below})"
                )
        sw = [x[4]["sig_words"] for x in right if x[4].get("sig_words")]
        if sw:
            j = np.percentile([a for a, _ in sw], [0, 10, 50, 90, 100]).tolist()
            tt = np.percentile([b for _, b in sw], [0, 10, 50, 90, 100]).tolist()
            print(f"  sig jumps {j} turns {tt} | false {[x[4].get('sig_words') for x in false]}")
        for x in false:
            rs = x[8]
            print(
                f"  FALSE {x[1]} {x[2]} {x[3][4:11]} err {x[4]['err']:+.2f}: rounds "
                f"{[(q['round'], q['gate'], q['cls_model'], round(q['cls_p'], 4), len(q.get('trainers') or [])) for q in rs]}"
            )
    # how the passes reached their route: first-pass verdict and trainer count
    print("\n== session-classes passes by round-0 verdict (right / false):")
    tally: dict = {}
    for path in args:
        tag = Path(path).stem
        d = json.loads(Path(path).read_text())
        for run, n, kind, r in fresh38.finals(path):
            if kind != "session" or r["excluded"] or r["gate"] != "session classes":
                continue
            v = fresh38.verdict(kind, r)
            if v not in ("right", "FALSE"):
                continue
            rs = d[run]["sessions"][n]
            key = (rs[0]["gate"], min(len(rs[-1].get("trainers") or []), 4))
            tally.setdefault(key, [0, 0])[v == "FALSE"] += 1
    for (g, t), (a, b) in sorted(tally.items()):
        print(f"  round 0 [{g}] trainers {'4+' if t == 4 else t}: right {a} false {b}")
    # the clock: unpinned envelope steps
    print("\n== count-clock envelope steps whose place no test fixed (unpinned >= loss_spread_s):")
    for route in routes:
        sel = [x for x in out if x[4]["gate"] == route]
        for v in ("right", "FALSE"):
            s = [x for x in sel if x[0] == v]
            hit = [x for x in s if x[5] >= cfg.loss_spread_s]
            inside = [x for x in hit if x[7] > 0]
            print(
                f"  [{route}] {v}: {len(s)} passes, {len(hit)} with one, {len(inside)} of them "
                f"with words inside its range"
            )
            off = [x for x in s if x[9][1] > 0]
            print(
                f"    truth: {len(off)} of the {len(s)} put words > 0.5 s off their motion (a "
                f"misclocked stretch); of those, {sum(x[5] >= cfg.loss_spread_s for x in off)} "
                f"carry an unpinned step"
            )
            flagged = 0
            for x in hit:
                es = _edge_split(
                    _folder(x[1], x[3]), x[4], _STEP_CACHE[_folder(x[1], x[3])], cfg, al, load
                )
                big = [e for e in es if e[3] is not None and abs(e[3]) > cfg.loss_bracket_split_s]
                flagged += bool(big)
                print(
                    f"     {x[1]} {x[2]} {x[3][4:11]} err {x[4]['err']:+.3f} unpinned {x[5]:.3f} "
                    f"words on stream {x[6]}, inside {x[7]} ({x[7] / max(x[6], 1):.2f}) truth: "
                    f"{x[9][1]}/{x[9][0]} words > 0.5 s off, clock off > 0.5 s over {x[9][2]:.1f} s of rows "
                    f"steps {[(s['how'], s['step'], s['early'], s['range']) for s in _STEP_CACHE[_folder(x[1], x[3])]]}"
                )
                print(
                    f"       split at the step's range edges (s, before, after, before - after): "
                    f"{es}{'  <- over loss_bracket_split_s' if big else ''}"
                )
            print(f"    edge split over loss_bracket_split_s: {flagged} of {len(hit)}")


def peaks(args):
    """ROWS.json...: per final right / false pass, the energy profiles (fastfalse61.profiles:
    all words; event words alone) against the passed offset: where each peaks (s from the
    passed offset) and the all-word score at the passed offset as a share of its peak."""
    import fastfalse61 as ff
    import fresh38
    from align_dev import load

    import silkpipe.alignment as al

    cfg = ff.CFG
    prof: dict[Path, tuple] = {}
    out = []
    for path in args:
        tag = Path(path).stem
        for _run, n, kind, r in fresh38.finals(path):
            v = fresh38.verdict(kind, r)
            if kind != "session" or r["excluded"] or v not in ("right", "FALSE"):
                continue
            folder = _folder(tag, n)
            if folder not in prof:
                truth, motion, cmds = load(folder)
                prof[folder] = (truth["offset_s"], *ff.profiles(motion, cmds, cfg)[:3])
            true_off, offsets, scores, e_scores = prof[folder]
            lag = true_off + r["err"] + cfg.word_to_peak_s
            all_at = float(offsets[scores.argmax()] - lag)
            ev_at = float(offsets[e_scores.argmax()] - lag)
            share = float(np.interp(lag, offsets, scores) / scores.max())
            out.append((r["gate"], v, tag, n[4:11], all_at, ev_at, share))
    for route in sorted({x[0] for x in out}):
        sel = [x for x in out if x[0] == route]
        right = [x for x in sel if x[1] == "right"]
        far = [x for x in right if abs(x[4]) > al.AlignConfig().clip_agree_s]
        d = np.abs([x[4] for x in right])
        print(
            f"[{route}] right {len(right)}: |all-word peak - passed| min/p50/p90/max "
            f"{np.percentile(d, [0, 50, 90, 100]).round(2).tolist()}, over clip_agree_s {len(far)}"
            f"; all-word share at passed p10/p50 "
            f"{np.percentile([x[6] for x in right], [10, 50]).round(3).tolist()}"
        )
        for x in far:
            print(
                f"   right {x[2]} {x[3]} all-word peak {x[4]:+.2f} events {x[5]:+.2f} share {x[6]:.3f}"
            )
        for x in sel:
            if x[1] == "FALSE":
                print(
                    f"   FALSE {x[2]} {x[3]} all-word peak {x[4]:+.2f} events {x[5]:+.2f} share {x[6]:.3f}"
                )


def misclock(args):
    """ROWS.json...: every session's final row beside the truth's misclocked words (words
    on the stream whose motion the rebuilt clock puts more than 0.5 s from their true time,
    less the clock's median error): verdict by share of such words, and the unpinned step."""
    import fresh38

    tally: dict = {}
    for path in args:
        tag = Path(path).stem
        for _run, n, kind, r in fresh38.finals(path):
            if kind != "session":
                continue
            folder = _folder(tag, n)
            if folder not in _CLOCK:
                raw, st = _steps(folder)
                _STEP_CACHE[folder] = st
                _CLOCK[folder] = _truth_rows(folder, raw)
            rebuilt, true = _CLOCK[folder]
            truth = json.loads((folder / "truth.json").read_text())
            lost = truth["delivery"]["losses"]
            med = float(np.median(rebuilt - true))
            ts = [
                w["imu_time"]
                for w in truth["commands"]
                if true[0] <= w["imu_time"] <= true[-1]
                and not any(a < w["imu_time"] < b for a, b in lost)
            ]
            d = np.interp(ts, true, rebuilt) - np.array(ts) - med
            share = float((np.abs(d) > 0.5).mean()) if len(ts) else 0.0
            band = "none" if share == 0 else ("<half" if share < 0.5 else ">=half")
            v = fresh38.verdict(kind, r)
            v = "refused" if v.startswith("refused") else v
            unp = max((x["unpinned"] for x in _STEP_CACHE[folder]), default=0.0) >= 0.5
            key = (tag.split("_")[-2] if "never" not in tag else "never_drains", band)
            tally.setdefault(key, {}).setdefault(v, [0, 0])
            tally[key][v][0] += 1
            tally[key][v][1] += unp
    print("delivery, share of on-stream words misclocked > 0.5 s (truth): verdicts (with an")
    print("unpinned envelope step >= 0.5 s)")
    for (dl, band), vs in sorted(tally.items()):
        line = ", ".join(f"{v} {a} ({b})" for v, (a, b) in sorted(vs.items()))
        print(f"  {dl:12s} {band:6s}: {line}")


def census(args):
    """SET_DIR...: every session's envelope steps by how _place placed them (and how many
    of truth's losses lie between the step's rows), beside the truth: a session counts as
    misclocked where the rebuilt clock lies more than 0.5 s off its median error over at
    least 1 s of rows (148.5 rows a second)."""
    tally: dict = {}
    for d in args:
        for f in sorted(Path(d).glob("*/*/truth.json")):
            raw, steps = _steps(f.parent)
            rebuilt, true = _truth_rows(f.parent, raw)
            err = rebuilt - true
            secs = float((np.abs(err - np.median(err)) > 0.5).sum()) / ROWS_PER_S
            bad = secs >= 1.0
            kinds = {"none"} if not steps else set()
            lost = json.loads((f.parent / "truth.json").read_text())["delivery"]["losses"]
            for x in steps:
                k = x["how"]
                if k == "gap":
                    k = "gap, early >= 0.5" if x["early"] >= 0.5 else "gap, early < 0.5"
                kinds.add(k)
                lo, hi = true[x["rows"][0] - 1], true[x["rows"][1]]  # true losses inside
                inside = sum(lo <= a and b <= hi + 0.01 for a, b in lost)
                kinds.add(f"{k}: {min(inside, 2)}{'+' if inside >= 2 else ''} true losses")
            for k in kinds:
                tally.setdefault(k, [0, 0])
                tally[k][0] += 1
                tally[k][1] += bad
            tally.setdefault("all", [0, 0])
            tally["all"][0] += 1
            tally["all"][1] += bad
            if any(k.endswith("2+ true losses") for k in kinds):
                tally.setdefault("any step with 2+ true losses", [0, 0])
                tally["any step with 2+ true losses"][0] += 1
                tally["any step with 2+ true losses"][1] += bad
            if "spread" in kinds:
                print(f"  spread: {f.parent.name[4:11]} misclocked {secs:.1f} s", flush=True)
    print("envelope step kind: sessions (misclocked > 0.5 s over >= 1 s, truth)")
    for k, (n, b) in sorted(tally.items()):
        print(f"  {k:22s} {n:4d} ({b})")


COMMANDS = dict(case=case, fields=fields, census=census, misclock=misclock)
COMMANDS.update(peaks=peaks)

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](sys.argv[2:])
