"""Dev harness of class channels in the offset search (issue 24, helper gt). Not shipped.

Wraps gate_dev.py (oracle words; per session the alignment, two one-period shifted
controls, one 5-20 s shifted control and one shuffled-audio control) with the alignment
config's class-channel fields set, and compares variants session by session.

    python bench/notes/class_channels_dev.py collect OUT.json DIR... [--weight=W] [--residual=0|1]
        [--stage=both|events] [--lift=L]
    python bench/notes/class_channels_dev.py compare A.json B.json ...
    python bench/notes/class_channels_dev.py levels A.json ...   (lifted gate levels, post hoc)
    python bench/notes/class_channels_dev.py runs OUT.json SEED_DIR... [--weight=W] [--lift=L]
"""

import functools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import gate_dev  # noqa: E402


def _events_only():
    """Variant: class channels in the gesture stage only; the all-command stage on energy."""
    from dataclasses import replace

    al = gate_dev.al
    energy_fit = al._energy_fit

    def stage_one(signal, motion, times, classes, cfg):
        flat = signal[:, 0] if signal.ndim == 2 else signal
        return energy_fit(flat, motion, times, classes, replace(cfg, class_channel_weight=0.0))

    al._energy_fit = stage_one


def collect(out, dirs, weight, residual, stage="both", lift=0.0):
    """Gate evidence of every row; the gate recorded with the quality levels lifted by
    ``lift`` (0: main's levels, so `levels` can score any lift afterwards)."""
    if stage == "events":
        _events_only()
    gate_dev.al.AlignConfig = functools.partial(
        gate_dev.al.AlignConfig,
        class_channel_weight=weight,
        class_channel_residual=residual,
        class_channel_lift=lift,
    )
    gate_dev.collect(out, dirs)


def runs(out, dirs, weight, lift):
    """session_classes_dev.py's run-level rows (session-class rounds and veto, as the align
    step does them) with the class-channel settings."""
    import session_classes_dev

    gate_dev.al.AlignConfig = functools.partial(
        gate_dev.al.AlignConfig, class_channel_weight=weight, class_channel_lift=lift
    )
    session_classes_dev.collect(out, dirs)


def levels(paths, lifts=(0.0, 0.5, 1.0, 1.5, 2.0, 2.5)):
    """Right / false / control passes of rows recorded at main's levels (lift 0) if the
    gate's quality levels were lifted (a pass needs quality >= 4 + lift, or >= 8: sure)."""
    for p in paths:
        cells = []
        for lift in lifts:

            def gate(r, lift=lift):
                return not r["excluded"] and (r["quality"] >= 4.0 + lift or r["quality"] >= 8.0)

            s = gate_dev.score(p, gate)
            cells.append(f"+{lift}: {s['right']}/{s['wrong']}/{s['ctl_pass']}")
        print(f"{Path(p).name:28s} within {s['within']}/{s['sessions']}  " + "  ".join(cells))
        print(f"{'':28s} highest quality off the truth: {worst(p)}")


def worst(path, n=3):
    """The highest qualities of rows that only quality refused or passed: controls not
    corrected to the truth and sessions > 0.5 s off."""
    out = []
    for name, rs in json.loads(Path(path).read_text()).items():
        for r in rs:
            if "quality" not in r or r["gate"] not in ("at chance", "energy"):
                continue
            near = r["err"] is not None and abs(r["err"]) <= (
                0.5 if r["kind"] == "session" else 0.3
            )
            if not near:
                out.append((round(r["quality"], 2), r["kind"], name.split("_session")[0]))
    return sorted(out, reverse=True)[:n]


def compare(paths):
    data = [json.loads(Path(p).read_text()) for p in paths]
    for p in paths:
        print(Path(p).name, gate_dev.score(p))
    names = sorted(set.intersection(*(set(d) for d in data)))
    for n in names:
        cells = []
        for d in data:
            s = d[n][0]
            err = "-" if s.get("err") is None else f"{s['err']:+.2f}"
            q = s.get("quality", float("nan"))
            ctl = max(
                (r.get("quality", -9) for r in d[n][1:] if not r.get("excluded", True)),
                default=None,
            )
            cq = " ".join(f"{r.get('quality', float('nan')):.1f}" for r in d[n][1:])
            cells.append(
                f"{err:>6s} q={q:5.2f} {'PASS' if not s['excluded'] else 'ex  '} "
                f"[{cq}]{'!' if ctl is not None else ''}"
            )
        print(f"{n:22s} " + " | ".join(cells))


if __name__ == "__main__":
    args = sys.argv[1:]
    opts = dict(a[2:].split("=", 1) for a in args if a.startswith("--"))
    rest = [a for a in args if not a.startswith("--")]
    if rest[0] == "collect":
        collect(
            rest[1],
            rest[2:],
            float(opts.get("weight", 0)),
            opts.get("residual", "1") == "1",
            opts.get("stage", "both"),
            float(opts.get("lift", 0)),
        )
    elif rest[0] == "runs":
        runs(rest[1], rest[2:], float(opts.get("weight", 0)), float(opts.get("lift", 0)))
    elif rest[0] == "levels":
        levels(rest[1:])
    else:
        compare(rest[1:])
