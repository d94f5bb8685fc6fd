"""Why right offsets are refused on D14-like sessions (issue 24, helper d14dev). Not shipped.

Sessions like run D14 of bench/voice_path.py (clips-20251014 split by recording order,
split_day; realistic sessions from the later half, 30 gestures) with NEW synth seeds:
dev 211-216, held out 231-234 (looked at once, at the end).

    python bench/notes/d14_dev.py make OUT SEED...        # split_day + synth --realistic
    python bench/notes/d14_dev.py runs OUT.json KEY=VALUE... -- RUN_DIR...
        # session_classes_dev.py collect (run-level gate: first pass, veto, session-class
        # rounds, controls) with AlignConfig fields set (none: the defaults)
    python bench/notes/d14_dev.py labels KEY=VALUE... -- DIR...
        # label precision/recall at the TRUE offset (label_dev.py), defaults vs variant
    python bench/notes/d14_dev.py samples PART...          # census of a part's samples
    python bench/notes/d14_dev.py landing PART DIR...      # label precision at the truth
        # by the kind of sample under the label (whole, cut at its end/start, still)
    python bench/notes/d14_dev.py evidence DROP DIR...     # event-word energy at the truth
        # (arrival-clock sessions; DROP: event classes left out, "none")
"""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.voice_path import DAY_CLIPS, DAY_RUNS, split_day  # noqa: E402


def make(out: str, seeds: list[str]) -> None:
    """DayRun D14's sessions part and settings, other seeds (one folder per seed)."""
    from silkpipe import realistic

    run = DAY_RUNS[0]
    build, _ = split_day(DAY_CLIPS, Path(out) / "split")
    for seed in seeds:
        play = realistic.RealisticOptions(
            snr_db=20.0,
            seed=int(seed),
            drift_ppm=run.drift_ppm,
            gestures_per_session=run.gestures,
        )
        realistic.generate(build, Path(out) / f"s{seed}", play)
        print(f"seed {seed} done", flush=True)


def runs(out: str, args: list[str]) -> None:
    """session_classes_dev.collect under an AlignConfig variant (KEY=VALUE, floats/bools)."""
    import functools

    sys.path.insert(0, str(Path(__file__).parent))
    import gate_dev
    import session_classes_dev as scd

    import silkpipe.alignment as al

    plain = gate_dev._row

    def with_rate(kind, ev, rep, err, seconds):  # rows also say whether the rate was fitted
        return dict(plain(kind, ev, rep, err, seconds), rate_fitted=ev.rate_fitted)

    gate_dev._row = with_rate

    split = args.index("--")
    fields = dict(a.split("=", 1) for a in args[:split])
    typed = {k: (v == "True") if v in ("True", "False") else float(v) for k, v in fields.items()}
    al.AlignConfig = functools.partial(al.AlignConfig, **typed)
    scd.collect(out, args[split + 1 :])


def labels(_: str, args: list[str]) -> None:
    """Label time-overlap at the true offset on the true clock (label_dev.score), with the
    defaults and with the AlignConfig variant given."""
    from dataclasses import replace

    sys.path.insert(0, str(Path(__file__).parent))
    from label_dev import fmt, folders_of, score

    from silkpipe.alignment import AlignConfig

    split = args.index("--")
    folders = folders_of(args[split + 1 :])
    fields = dict(a.split("=", 1) for a in args[:split])
    typed = {k: (v == "True") if v in ("True", "False") else float(v) for k, v in fields.items()}
    for name, cfg in (("default", AlignConfig()), ("variant", replace(AlignConfig(), **typed))):
        print(name, fmt(*score(folders, cfg)), flush=True)


#: A sample whose smoothed motion envelope never reaches this holds no gesture (|linear
#: accel| + |gyro|; clips-dev button idle 0.2-0.8 at the 10th-90th percentile).
STILL_MAX = 3.0


def kinds(part: Path) -> dict[str, tuple[str, float, float]]:
    """Per sample: (kind, envelope max, rows per second per sensor). kind "still": the
    envelope never reaches STILL_MAX; "end-cut"/"start-cut": motion_span clipped at the
    recording's end/start (the envelope peaks within after/before_peak_s of it); else
    "whole"."""
    from silkpipe.motion_span import envelope, envelope_peak
    from silkpipe.semireal import sample_layout

    out = {}
    for c in sample_layout(part, sorted(part.glob("*_sample*.csv"))):
        _, m = envelope_peak(c.times, c.values, 0.3)
        top = float(envelope(m, 0.3).max())
        rate = sum(len(t) for t in c.times.values()) / 3 / (c.rec_end - c.rec_start)
        kind = "whole"
        if abs(c.end - c.rec_end) < 1e-6:
            kind = "end-cut"
        elif abs(c.start - c.rec_start) < 1e-6:
            kind = "start-cut"
        out[c.name] = ("still" if top < STILL_MAX else kind, top, rate)
    return out


def samples(part: str, more: list[str]) -> None:
    import numpy as np

    for folder in [part, *more]:
        table = kinds(Path(folder))
        print(Path(folder).name)
        for cls in ("jump", "punch", "turn", "noise"):
            rows = {n: v for n, v in table.items() if n.startswith(cls)}
            count = {k: sum(v[0] == k for v in rows.values()) for k in KINDS}
            tops = np.array([v[1] for v in rows.values()])
            rates = [v[2] for v in rows.values()]
            print(
                f"  {cls:5s} n {len(rows)} {count} envelope max median {np.median(tops):.1f} "
                f"(min {tops.min():.2f}); rows/s {min(rates):.0f}-{max(rates):.0f}; "
                f"still/cut: {sorted(n[-2:] + ':' + v[0] for n, v in rows.items() if v[0] != 'whole')}"
            )


KINDS = ("whole", "end-cut", "start-cut", "still")


def landing(part: str, dirs: list[str]) -> None:
    """Event and noise label precision at the true offset (true clock), split by the kind
    of sample of the label's nearest own-class gesture."""
    sys.path.insert(0, str(Path(__file__).parent))
    from label_dev import folders_of, labels_at, load

    from silkpipe.alignment import AlignConfig

    table = kinds(Path(part))
    agg: dict[tuple[str, str], list[float]] = {}
    for f in folders_of(dirs):
        truth, clock, cmds = load(f, False)
        for iv in labels_at(clock.motion, cmds, truth["offset_s"], AlignConfig()):
            gs = [g for g in truth["gestures"] if g["class"] == iv.label]
            if iv.label not in ("jump", "punch", "turn", "noise") or not gs:
                continue
            mid = (iv.start + iv.end) / 2
            near = min(gs, key=lambda g: abs((g["start"] + g["end"]) / 2 - mid))
            own = sum(max(0.0, min(iv.end, g["end"]) - max(iv.start, g["start"])) for g in gs)
            a = agg.setdefault((iv.label, table.get(near["clip"], ("whole",))[0]), [0.0, 0.0, 0])
            a[0], a[1], a[2] = a[0] + own, a[1] + iv.end - iv.start, a[2] + 1
    for cls in ("jump", "punch", "turn", "noise"):
        mine = {k: v for (c, k), v in agg.items() if c == cls}
        own, lab, n = (sum(v[i] for v in mine.values()) for i in range(3))
        cells = " ".join(
            f"{k} {v[0] / v[1]:.2f} ({int(v[2])}, {v[1]:.1f} s)" for k, v in sorted(mine.items())
        )
        print(f"{cls:5s} all {own / lab:.2f} ({int(n)} labels, {lab:.1f} s) | {cells}")


def evidence(drop: str, dirs: list[str]) -> None:
    """Energy-only event stage at the TRUE lag (arrival-clock sessions, no scale search):
    the score there, the shuffles' best-lag scores (mean, std) and their z; and the event-
    triggered mean of the energy signal per class around word + word_to_peak_s."""
    from dataclasses import replace

    import numpy as np

    sys.path.insert(0, str(Path(__file__).parent))
    from align_dev import load

    import silkpipe.alignment as al
    from silkpipe.class_evidence import EVENT_CLASSES

    cfg = replace(al.AlignConfig(), class_channel_weight=0.0)
    left_out = set(drop.split(","))
    ds = np.arange(-1.0, 1.01, 0.2)
    rows, trig = [], {c: [] for c in EVENT_CLASSES}
    for d in dirs:
        for f in sorted(Path(d).glob("*/truth.json")):
            truth, motion, cmds = load(f.parent)
            if motion.time_model.get("kind") != "arrival":
                continue
            sig = al.motion_signal(motion, cfg.smooth_s)
            lag = truth["offset_s"] + cfg.word_to_peak_s
            keep = [c for c in cmds if c.cls in EVENT_CLASSES and c.cls not in left_out]
            for c in keep:
                trig[c.cls].append(np.interp(c.start + lag + ds, motion.t, sig))
            if len(keep) < cfg.min_commands:
                continue
            times, classes = np.array([c.start for c in keep]), [c.cls for c in keep]
            p0, prof = al.predicted_profile(times, classes, motion.rate, cfg)
            offs, sc = al.lag_scores(sig, motion.t[0], motion.rate, p0, prof, cfg.search_s)
            null = al._null_peaks(sig, motion, times, classes, cfg)
            at = sc[np.abs(offs - lag) <= 0.25].max()
            rows.append((at, null.mean(), null.std(), (at - null.mean()) / null.std()))
    r = np.median(np.array(rows), axis=0)
    print(
        f"sessions {len(rows)}: score at truth {r[0]:.2f}, shuffles' best {r[1]:.2f} "
        f"(std {r[2]:.2f}), z {r[3]:.2f}"
    )
    print("offset s  " + " ".join(f"{x:+5.1f}" for x in ds))
    for c, v in trig.items():
        if v:
            print(f"{c:5s} {len(v):3d} " + " ".join(f"{x:+5.2f}" for x in np.mean(v, axis=0)))


if __name__ == "__main__":
    {
        "make": make,
        "runs": runs,
        "labels": labels,
        "samples": samples,
        "landing": landing,
        "evidence": evidence,
    }[sys.argv[1]](sys.argv[2], sys.argv[3:])
