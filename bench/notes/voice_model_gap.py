"""Dev harness for the voice-vs-clip model gap (issue 24, helper vm). Not shipped.

Why does a model trained on *perfectly* labelled continuous sessions (truth.json) score
below one trained on the button-labelled clips they were built from? Trains on several
label sources (each several seeds) and scores every model on the same evaluation clips.

Protocol: sessions /tmp/a24/dev51..dev62 were built (synth --realistic) from the EVEN half
of R12's training side of clips-dev; the evaluation clips are the ODD half (disjoint: no
clip timestamp in common). Settings are chosen on dev51-56 and checked on dev57-62.

    python bench/notes/voice_model_gap.py SOURCE [SOURCE...] --sessions=51-56 [--seeds=3]
        [--set=field=value ...] [--tag=NAME]

SOURCE: truth (truth.json intervals on the aligner's clock, as score-voice trains the
"truth" model), truthst (the same on the true session time), used (the clips the sessions
used as gestures, as clips), even (every even-half clip).
Results are appended to /tmp/vm/results.jsonl (cached by key).
"""

import json
import os
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from silkpipe.dataset import load_clip_streams, make_windows, session_stream
from silkpipe.evaluation import evaluate
from silkpipe.sessions import resample
from silkpipe.training import TrainConfig, train
from silkpipe.vocabulary import CLASSES
from silkpipe.voice_score import session_clock, session_times, truth_on_clock

ROOT = Path(os.environ.get("VM_ROOT", "/tmp/vm"))
DEV = Path("/tmp/a24")


def sessions(spec: str) -> list[Path]:
    lo, hi = (int(x) for x in spec.split("-"))
    return [
        f.parent for s in range(lo, hi + 1) for f in sorted((DEV / f"dev{s}").glob("*/truth.json"))
    ]


def truth_streams(folders: list[Path], session_time: bool, spoken_only: bool = False) -> list:
    out = []
    for f in folders:
        truth = json.loads((f / "truth.json").read_text())
        text = (f / "sensor_data.csv").read_text()
        if spoken_only:  # what a perfect voice label set holds: the said gestures only
            said = [g["spoken"] for g in truth["gestures"]]
            truth = {
                **truth,
                "intervals": [iv for iv, s in zip(truth["intervals"], said, strict=True) if s],
            }
        if session_time:  # rows stamped with their true production time: no clock error
            motion = resample(_on_session_time(text, truth, f.name))
            spans = [tuple(iv) for iv in truth["intervals"]]
        else:
            clock = session_clock(text, truth, f.name)
            motion, spans = clock.motion, truth_on_clock(clock, truth)
        out.append(session_stream(f.name, motion, spans))
    return out


def _on_session_time(text: str, truth: dict, name: str):
    """The session's rows per sensor, each at its true session (production) time."""
    from silkpipe.sessions import SENSOR_COLUMNS, RawStreams

    rows = [r.split(",") for r in text.splitlines()[1:] if r]
    rows = [r for r in rows if r[10] in SENSOR_COLUMNS]
    t = session_times(truth, len(rows))
    raw = RawStreams(path=name, dialect="session")
    for sensor, cols in SENSOR_COLUMNS.items():
        idx = [i for i, r in enumerate(rows) if r[10] == sensor]
        ts = t[idx]
        vals = np.array([[float(rows[i][c]) for c in cols] for i in idx])
        order = np.argsort(ts, kind="stable")
        ts, vals = ts[order], vals[order]
        keep = np.concatenate([[True], np.diff(ts) > 0])
        raw.times[sensor], raw.values[sensor] = ts[keep], vals[keep]
    return raw


def _filled(stream, margin: float = 0.3, min_s: float = 0.6, one: bool = False):
    """The stream with every unlabelled stretch (``margin`` clear of labels) labelled noise."""
    from silkpipe.dataset import session_stream

    t0, t1 = float(stream.motion.t[0]), float(stream.motion.t[-1])
    spans, last = list(stream.intervals), t0
    extra = []
    for a, b, _ in sorted(stream.intervals) + [(t1 + margin, t1 + margin, "")]:
        if a - margin - (last + margin) >= min_s:
            lo, hi = last + margin, a - margin
            if one:  # a single 1 s window at the stretch's centre
                lo, hi = (lo + hi) / 2 - 0.5, (lo + hi) / 2 + 0.5
            extra.append((lo, hi, "noise"))
        last = max(last, b)
    return session_stream(stream.name, stream.motion, [tuple(iv) for iv in spans] + extra)


def used_clips(folders: list[Path]) -> Path:
    names = set()
    for f in folders:
        names |= set(json.loads((f / "truth.json").read_text())["clips"])
    key = f"used-{abs(hash(tuple(sorted(names)))) % 10**8}"
    out = ROOT / key
    if not out.is_dir():
        out.mkdir(parents=True)
        for p in (ROOT / "even").glob("*.csv"):
            if any(_stamp(p.stem) == _stamp(n) for n in names):
                shutil.copyfile(p, out / p.name)
    return out


def _stamp(name: str) -> str:
    import re

    return ",".join(re.findall(r"\d{13}|\d{10}", name))


def counts(streams) -> dict:
    w = make_windows(streams)
    c = np.bincount(w.y, minlength=len(CLASSES))
    return {k: int(v) for k, v in zip(CLASSES, c, strict=True)}


def run(source: str, spec: str, seeds: int, over: dict, tag: str, ev: str = "eval") -> dict:
    folders = sessions(spec)
    if source in ("truth", "truthst"):
        streams = truth_streams(folders, source == "truthst")
    elif source == "truthfill":  # unlabelled stream time (filler motion) as noise
        streams = [_filled(st) for st in truth_streams(folders, False)]
    elif source in ("spoken", "spokenfill", "spokenfill1"):
        streams = truth_streams(folders, False, spoken_only=True)
        if source != "spoken":
            one = source == "spokenfill1"
            streams = [_filled(st, min_s=1.5 if one else 0.6, one=one) for st in streams]
    elif source == "used":
        streams = load_clip_streams(used_clips(folders))
    elif source == "usednoise":  # the used clips plus every even-half noise clip
        extra = [s for s in load_clip_streams(ROOT / "even") if s.intervals[0].label == "noise"]
        have = {s.name for s in load_clip_streams(used_clips(folders))}
        streams = load_clip_streams(used_clips(folders)) + [s for s in extra if s.name not in have]
    elif source == "even":
        streams = load_clip_streams(ROOT / "even")
    else:
        raise SystemExit(f"unknown source {source}")
    cfg = replace(TrainConfig(), **{"sessions_preset": "", **over})  # recipes set by hand
    evals = load_clip_streams(ROOT / ev)
    f1s, per, conf = [], [], 0
    t0 = time.time()
    for k in range(seeds):
        folder = ROOT / "models" / f"{tag}-{source}-{spec}-{k}"
        shutil.rmtree(folder, ignore_errors=True)
        train(streams, folder, config=replace(cfg, seed=cfg.seed + k), progress=False)
        res = evaluate(folder, evals)
        f1s.append(res["macro_f1"])
        per.append({c: v["f1"] for c, v in res["per_class"].items()})
        conf = conf + np.asarray(res["confusion"]["matrix"])
        shutil.rmtree(folder, ignore_errors=True)
    row = {
        "tag": tag,
        "source": source,
        "sessions": spec,
        "eval": ev,
        "over": over,
        "seeds": f1s,
        "mean": round(float(np.mean(f1s)), 4),
        "per_class": {c: round(float(np.mean([p.get(c, 0) for p in per])), 3) for c in per[0]},
        "windows": counts(streams),
        "confusion": conf.tolist(),
        "seconds": round(time.time() - t0),
    }
    with open(ROOT / "results.jsonl", "a") as fh:
        fh.write(json.dumps(row) + "\n")
    return row


def _value(v: str):
    for cast in (int, float):
        try:
            return cast(v)
        except ValueError:
            pass
    return {"True": True, "False": False}.get(v, v)


if __name__ == "__main__":
    args = sys.argv[1:]
    opts = dict(
        a[2:].split("=", 1) for a in args if a.startswith("--") and not a.startswith("--set=")
    )
    over = dict(a[6:].split("=", 1) for a in args if a.startswith("--set="))
    over = {k: _value(v) for k, v in over.items()}
    for src in [a for a in args if not a.startswith("--")]:
        r = run(
            src,
            opts.get("sessions", "51-56"),
            int(opts.get("seeds", 3)),
            over,
            opts.get("tag", "base"),
            opts.get("eval", "eval"),
        )
        print(
            f"{r['tag']:10s} {r['eval']:7s} {src:8s} {r['sessions']} {r['mean']:.3f} {r['seeds']} {r['per_class']} {r['windows']} {r['seconds']}s",
            flush=True,
        )
