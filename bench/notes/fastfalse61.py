"""Diagnosis of three false passes on the fast-pace set pace61 (issue 24, helper fastfalse61).
Measurement only: nothing here is chosen or shipped. Findings: fastfalse61.txt.

    python bench/notes/fastfalse61.py detail SESSION_DIR [TRAINER_DIR...]
        # the session aligned as the harness did (no model, or the sessions model of the
        # TRAINERS' first-pass labels); at the true lag and at the passed lag: energy score
        # (all words; event words alone), signature test, class tests; words, losses
    python bench/notes/fastfalse61.py census ROWS.json... -- SET_DIR...
        # every final pass of the "energy" route (|err| <= 0.3 or > 0.5): row fields and
        # the energy profile around its peak (score at +-0.5 s over the peak's), words
"""

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

import gate_dev  # noqa: E402  (captures the gate's evidence)
from align_dev import load  # noqa: E402

import silkpipe.alignment as al  # noqa: E402
from silkpipe import session_classes as sc  # noqa: E402
from silkpipe.vocabulary import EVENT_CLASSES  # noqa: E402

CFG = replace(al.AlignConfig(), shuffles=40)
FIT: dict = {}
_plain_sized = al._sized_losses


def _sized(motion, commands, cfg, clip_model):
    out = _plain_sized(motion, commands, cfg, clip_model)
    FIT.update(fit=out[0], motion=out[1], clips=out[3])
    return out


al._sized_losses = _sized


def profiles(motion, cmds, cfg=CFG):
    """(offsets, all-word energy scores, event-word energy scores) on the search signal."""
    kept, _ = al.reachable_words(motion, cmds, cfg)
    times = np.array([c.start for c in kept])
    classes = [c.cls for c in kept]
    signal = al.search_signal(motion, cfg)
    _, _, offsets, scores = al._energy_fit(signal, motion, times, classes, cfg)
    ev = [i for i, c in enumerate(classes) if c in EVENT_CLASSES]
    e_start, e_prof = al.predicted_profile(times[ev], [classes[i] for i in ev], motion.rate, cfg)
    e_off, e_scores = al.lag_scores(signal, motion.t[0], motion.rate, e_start, e_prof, cfg.search_s)
    return offsets, scores, np.interp(offsets, e_off, e_scores), kept


def words(motion, kept, off):
    """Event words on the stream at offset ``off``: classes in order, audio gaps."""
    t = np.array([c.start + off for c in kept])
    on = (t >= motion.t[0]) & (t <= motion.t[-1])
    ev = [(c.start, c.cls) for c, o in zip(kept, on, strict=True) if o and c.cls in EVENT_CLASSES]
    return ev, [c for c, o in zip(kept, on, strict=True) if o]


def loss_lines(motion, kept, truth, fit_offset, scale=1.0):
    """Per loss of the time model (any spread): kind, arrival, size (truth's size beside),
    spread, words before/after at the fit, and the two sides' offsets fitted apart (over the
    whole search; within loss_split_local_s of the fit), relative to the truth's offset."""
    from silkpipe.loss_search import unsure_losses

    out = []
    off0 = truth["offset_s"]

    def rel(o):
        return None if o is None else [round(x - off0, 2) for x in o]

    true = [b - a for a, b in truth["delivery"].get("losses") or []]
    fit = al.OffsetFit(fit_offset, 0.0, 0.0, 1.0, np.zeros(1), scale=scale)
    for loss, kind in unsure_losses(motion, 0.0):
        t = np.array([c.start * scale for c in kept]) + fit_offset
        before = int((t < loss[3]).sum())
        ev_b = sum(
            1 for c, x in zip(kept, t, strict=True) if x < loss[3] and c.cls in EVENT_CLASSES
        )
        ev_a = sum(
            1 for c, x in zip(kept, t, strict=True) if x >= loss[3] and c.cls in EVENT_CLASSES
        )
        whole = al._split_offsets(motion, kept, fit, loss[3], CFG)
        local = al._split_offsets(motion, kept, fit, loss[3], CFG, near=CFG.loss_split_local_s)
        out.append(
            dict(
                kind=kind,
                at=round(loss[0], 2),
                size=round(loss[1], 3),
                true_sizes=[round(x, 3) for x in true],
                spread=round(loss[2], 3),
                before=before,
                after=len(kept) - before,
                ev_before=ev_b,
                ev_after=ev_a,
                split_whole=rel(whole),
                split_local=rel(local),
            )
        )
    return out


def align(folder, model=None):
    truth, motion, cmds = load(folder)
    gate_dev.CAPTURED.clear()
    iv, rep = al.align_session(folder.name, motion, cmds, CFG, clip_model=model)
    return truth, motion, cmds, iv, rep, gate_dev.CAPTURED[-1], FIT["fit"]


def detail(args):
    folder = Path(args[0])
    model = None
    if len(args) > 1:
        trained = []
        for a in args[1:]:
            _, m, _, iv, rep, _, _ = align(Path(a))
            print(f"   trainer {Path(a).name}: excluded {rep.excluded} [{rep.gate}]")
            trained.append((m, iv))
        model = sc.fit_session_model(trained)
    truth, motion, cmds, iv, rep, ev, fit = align(folder, model)
    w2p = CFG.word_to_peak_s
    true_lag, lag = truth["offset_s"] + w2p, fit.offset_s + w2p
    err = rep.offset_s - truth["offset_s"]
    print(
        f"== {folder.name} err {err:+.3f} fit err {fit.offset_s - truth['offset_s']:+.3f} "
        f"gate [{rep.gate}] excluded {rep.excluded} q {rep.quality:.2f} "
        f"p {rep.quality_p_value:.3f}"
        f" model {rep.class_model} cls_p {rep.class_p_value:.4f} sig_p {rep.signature_p:.3f}"
        f" lag_margin {rep.class_lag_margin} best_away {rep.class_best_away_s}"
        f" common {rep.class_common_margin} class_peak_s {rep.class_peak_s} scale {fit.scale}"
    )
    print(
        f"   energy_level {rep.energy_level} conf {rep.offset_confidence:.2f} "
        f"candidates {[round(c, 2) for c in fit.candidates]} time_model {rep.time_model}"
    )
    print(f"   truth delivery {truth['delivery']['kind']} losses {truth['delivery'].get('losses')}")
    print(
        f"   report loss_sizes {rep.loss_sizes}; evidence uncertain_loss {ev.uncertain_loss}"
        f" unchecked_loss {ev.unchecked_loss} first_word_s {ev.first_word_s}"
    )
    clock = {k: v for k, v in rep.clock.items() if k not in ("knots", "rows")}
    print(f"   clock {json.dumps(clock, default=str)[:900]}")
    offsets, scores, e_scores, kept = profiles(motion, cmds)
    top, etop = scores.max(), e_scores.max()
    print(
        f"   all-word energy peak at {offsets[scores.argmax()] - true_lag:+.2f} s from truth; "
        f"event-word peak at {offsets[e_scores.argmax()] - true_lag:+.2f}"
    )
    for d in np.arange(-2.0, 2.01, 0.25):
        s = np.interp(true_lag + d, offsets, scores) / top
        e = np.interp(true_lag + d, offsets, e_scores) / etop
        print(
            f"     truth{d:+5.2f}: all {s:5.3f} events {e:5.3f}"
            + ("  <- passed" if abs(d - (lag - true_lag)) < 0.13 else "")
        )
    clips = FIT["clips"]
    e_times, labels = al._said_events(kept)
    for name, at in (("true", true_lag), ("passed", lag)):
        sig = al.signature_test(kept, at, motion)
        own = al._class_test(kept, at, motion, [0.0], None)
        line = (
            f"   at {name:6s} lag: signature stat {sig.statistic:+.3f} p {sig.p_value:.3f} "
            f"j/t {sig.jumps}/{sig.turns} | self class sep {own.separation:.3f} "
            f"p {own.p_value:.4f} "
            f"words {own.words} classes {own.classes}"
        )
        if clips is not None:
            ct = clips.test(e_times + at, labels, np.array([0.0]))
            line += f" | sessions model sep {ct.separation:.3f} p {ct.p_value:.4f}"
        print(line)
    if clips is not None:
        shifts = np.arange(-2.5, 2.51, 0.25)
        sc_ = clips.scores(e_times, labels, true_lag + shifts)
        print(
            "   sessions-model class score by lag from truth: "
            + " ".join(f"{d:+.2f}:{s:.2f}" for d, s in zip(shifts, sc_, strict=True))
        )
    for line in loss_lines(motion, kept, truth, fit.offset_s, fit.scale):
        print(f"   loss {line}")
    ev_words, on = words(motion, kept, truth["offset_s"])
    gaps = np.diff([t for t, _ in ev_words])
    print(
        f"   on stream (true offset): {len(on)} words, {len(ev_words)} event words: "
        + " ".join(f"{c[:2]}@{t:.1f}" for t, c in ev_words)
    )
    print(f"   event-word gaps: median {np.median(gaps):.2f} s, {np.round(gaps, 2).tolist()}")
    allg = np.diff([c.start for c in on])
    print(f"   all-word gaps median {np.median(allg):.2f}; classes {[c.cls[:2] for c in on]}")


def census(args):
    from fresh38 import finals

    i = args.index("--")
    dirs = {}  # (delivery, name): folder; a rows file names its delivery
    for d in args[i + 1 :]:
        for f in Path(d).glob("*/*/truth.json"):
            dirs[Path(d).name, f.parent.name] = f.parent
    for path in args[:i]:
        deliv = "never_drains" if "never_drains" in Path(path).name else "drains"
        for _, n, kind, r in finals(path):
            if kind != "session" or r["excluded"] or r["gate"] != "energy" or r["err"] is None:
                continue
            if 0.3 < abs(r["err"]) <= 0.5:
                continue
            truth, motion, cmds = load(dirs[deliv, n])
            offsets, scores, e_scores, kept = profiles(motion, cmds)
            b = int(scores.argmax())
            pk, top = offsets[b], scores[b]
            side = [np.interp(pk + d, offsets, scores) / top for d in (-0.5, 0.5)]
            eb = offsets[int(e_scores.argmax())]
            eside = [np.interp(eb + d, offsets, e_scores) / e_scores.max() for d in (-0.5, 0.5)]
            near = np.abs(offsets - pk) <= 2.0
            from scipy.signal import find_peaks

            pks, _ = find_peaks(scores, distance=max(int(0.3 * motion.rate), 1))
            others = [scores[k] / top for k in pks if k != b and near[k]]
            ev_words, _ = words(motion, kept, truth["offset_s"])
            gaps = np.diff([t for t, _ in ev_words])
            ncls = len({c for _, c in ev_words})
            out = dict(
                name=n,
                file=Path(path).stem,
                err=r["err"],
                q=r["quality"],
                p=r["p"],
                cls_p=r.get("cls_p"),
                cls_words=r.get("cls_words"),
                cls_model=r.get("cls_model"),
                sig_p=r["sig_p"],
                sig_words=r["sig_words"],
                lag_margin=r.get("lag_margin"),
                common=r.get("common_margin"),
                conf=r.get("offset_confidence"),
                ev_words=len(ev_words),
                ev_classes=ncls,
                ev_gap=float(np.median(gaps)) if len(gaps) else None,
                side_lo=side[0],
                side_hi=side[1],
                second=max(others, default=0.0),
                e_side_lo=eside[0],
                e_side_hi=eside[1],
                losses=len(truth["delivery"].get("losses") or []),
                loss=loss_lines(motion, kept, truth, truth["offset_s"] + r["err"]),
            )
            print(json.dumps(out), flush=True)


def losses(args):
    """Every final session row (of rows files /tmp/held51/rows/SET_DELIVERY_TAG.json) whose
    time model holds a loss of uncertain size: verdict, gate, quality, and loss_lines at the
    passed offset (truth + err)."""
    from fresh38 import finals, verdict

    for path in args:
        stem = Path(path).stem
        deliv = "never_drains" if "never_drains" in stem else "drains"
        root = Path("/tmp/held51") / stem.split("_")[0] / deliv
        for _, n, kind, r in finals(path):
            if kind != "session" or r["err"] is None:
                continue
            truth, motion, cmds = load(root / n[4:8] / n)
            if not motion.time_model.get("uncertain_losses"):
                continue
            kept, _ = al.reachable_words(motion, cmds, CFG)
            out = dict(
                set=stem,
                name=n,
                err=round(r["err"], 3),
                verdict=verdict(kind, r),
                gate=r["gate"],
                q=round(r["quality"], 2),
                loss=loss_lines(motion, kept, truth, truth["offset_s"] + r["err"]),
            )
            print(json.dumps(out), flush=True)


if __name__ == "__main__":
    {"detail": detail, "census": census, "losses": losses}[sys.argv[1]](sys.argv[2:])
