"""Where the realistic sessions' offset misses come from (issue 24, helper off). Not shipped.

    python bench/notes/offset_misses.py clock OUT.json DIR...   # rebuilt clock vs truth
    python bench/notes/offset_misses.py scales SESSION_DIR...    # the offset fit per scale
    python bench/notes/offset_misses.py table ROWS.json...       # gate_dev rows by time model

``clock``: per session the time model, the rate's source and bound, the truth's delivery
(kind, backlog, losses) against the losses found, and the rebuilt clock minus the truth's
row_clock: at the anchor row (d0), its slope over the session, its median and spread at the
said words, then the alignment (oracle words, default AlignConfig): offset error, the scale
it chose, its quality and gate. ``scales``: the offset fit (offset_fit, oracle words) at
every clock scale the session's rate bound leaves, with the error of b and of b / a.
``table``: gate_dev.py rows (collect them with max_hypothesis_dev.py collect ... --max=0)
scored per time model: within 0.3 s, right / false passes, controls passed.
"""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import silkpipe.alignment as al  # noqa: E402
from silkpipe.sessions import read_sensor_csv, resample  # noqa: E402
from silkpipe.transcripts import extract_commands, parse_transcript  # noqa: E402
from silkpipe.voice_score import oracle_transcript  # noqa: E402


def _load(folder: Path):
    truth = json.loads((folder / "truth.json").read_text())
    raw = read_sensor_csv(folder / "sensor_data.csv", session=folder.name)
    cmds = extract_commands(
        parse_transcript(oracle_transcript(truth), session=folder.name)
    ).commands
    return truth, raw, cmds


def clock_row(folder: Path, align: bool = True) -> dict:
    truth, raw, cmds = _load(folder)
    tm = raw.time_model
    knots = np.asarray([k[:2] for k in truth["row_clock"]], float)
    true_t = np.interp(np.arange(len(raw.clock_rows)), knots[:, 0], knots[:, 1])
    diff = raw.clock_rows[:, 1] - true_t
    n0 = tm["stale_rows"]
    slope = float(np.polyfit(true_t[n0:], diff[n0:], 1)[0])
    words = np.array([c.start for c in cmds]) + truth["offset_s"]
    at_words = np.interp(words, true_t, diff) if len(words) else np.array([np.nan])
    dl = truth["delivery"]
    row = dict(
        kind=tm["kind"],
        delivery=dl["kind"],
        rate_source=tm["rate_source"],
        bound=tm.get("rate_uncertainty"),
        offset=truth["offset_s"],
        backlog_max=dl["backlog_max_s"],
        losses=len(dl["losses"]),
        losses_found=len(tm["losses"]),
        d0=round(float(diff[n0]), 3),
        slope=round(slope, 6),
        d_words=round(float(np.median(at_words)), 3),
        d_spread=round(float(np.ptp(at_words)), 3),
        word_mean_s=round(float(np.mean([c.start for c in cmds])), 1) if cmds else 0.0,
    )
    if align:
        _, rep = al.align_session(folder.name, resample(raw), cmds, al.AlignConfig())
        err = None if rep.offset_s is None else round(rep.offset_s - truth["offset_s"], 3)
        row.update(err=err, scale=rep.clock_scale, quality=round(rep.quality, 2), gate=rep.gate)
    return row


def clock(out: str, dirs: list[str]) -> None:
    rows = {}
    for d in dirs:
        for f in sorted(Path(d).glob("*/truth.json")):
            r = rows[f.parent.name] = clock_row(f.parent)
            err = "-" if r.get("err") is None else f"{r['err']:+.2f}"
            print(
                f"{f.parent.name[4:10]} {r['kind']:7s} {r['delivery']:12s} {r['rate_source']:8s} "
                f"bound={r['bound'] or 0:.4f} backlog={r['backlog_max']:5.1f} "
                f"loss={r['losses']}/{r['losses_found']} d0={r['d0']:+.2f} "
                f"slope={r['slope'] * 100:+.3f}% d_words={r['d_words']:+.2f} "
                f"spread={r['d_spread']:.2f} words_at={r['word_mean_s']:.0f}s err={err} "
                f"scale={r.get('scale', 1):.4f} q={r.get('quality', 0):.1f} {r.get('gate', '')}",
                flush=True,
            )
    Path(out).write_text(json.dumps(rows, indent=1))


def scales(folders: list[str]) -> None:
    from silkpipe.class_evidence import feature_traces
    from silkpipe.clock_fit import clock_scales, scaled

    cfg = al.AlignConfig()
    for folder in map(Path, folders):
        truth, raw, cmds = _load(folder)
        motion = resample(raw)
        signal, traces = al.search_signal(motion, cfg), feature_traces(motion)
        print(folder.name, motion.time_model["kind"], motion.time_model.get("rate_source"))
        for a in clock_scales(motion.time_model):
            f = al.offset_fit(signal, motion, scaled(cmds, a), cfg, traces, None)
            print(
                f"  a={a:.4f} q={f.quality:5.2f} err(b)={f.offset_s - truth['offset_s']:+.2f} "
                f"err(b/a)={f.offset_s / a - truth['offset_s']:+.2f}"
            )


def table(paths: list[str]) -> None:
    for p in paths:
        rows = json.loads(Path(p).read_text())
        out = {}
        for rs in rows.values():
            s = rs[0]
            k = s.get("time_model") or "-"
            c = out.setdefault(k, dict(n=0, within=0, right=0, false=0, ctl=0, ctl_pass=0))
            ok = s.get("err") is not None and abs(s["err"]) <= 0.3
            passed = not s["excluded"]
            c["n"] += 1
            c["within"] += ok
            c["right"] += passed and ok
            c["false"] += bool(passed and (s.get("err") is None or abs(s["err"]) > 0.5))
            for r in rs[1:]:
                c["ctl"] += 1
                fixed = r["err"] is not None and abs(r["err"]) <= 0.3 and r["kind"] != "shuffled"
                c["ctl_pass"] += bool(not r["excluded"] and not fixed)
        cells = [
            f"{k}: within {c['within']}/{c['n']} right {c['right']} false {c['false']} "
            f"controls {c['ctl_pass']}/{c['ctl']}"
            for k, c in sorted(out.items())
        ]
        print(f"{Path(p).name:32s} " + " | ".join(cells))


if __name__ == "__main__":
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd == "clock":
        clock(rest[0], rest[1:])
    elif cmd == "scales":
        scales(rest)
    else:
        table(rest)
