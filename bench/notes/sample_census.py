"""Census of every clip the realistic generator can play as a gesture (issue 24, gensamp).

Per clip of the 2025-10-14 sample day (every sample, both halves of split_day) and of
clips-dev (device-ns, button-cut): the peak of its motion envelope (motion_span's envelope,
|linear accel| + |gyro| smoothed over SpanRule.smooth_s), where the peak sits in what the
generator plays (a sample: its whole recording; a device-ns clip: its button span), whether
motion_span's span reaches that start/end (the recording cut the gesture), and the envelope
at that edge. Decides the generator's rule for a whole gesture; needs no session and no
alignment.

    python bench/notes/sample_census.py [DAY_DIR] [CLIPS_DEV_DIR]   > sample_census.txt
"""

import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from silkpipe.motion_span import SpanRule, envelope, envelope_peak  # noqa: E402
from silkpipe.semireal import load_clips  # noqa: E402

DATA = REPO.parent / "shared" / "data"


def row(clip, rule: SpanRule) -> dict:
    """One clip's census row (times on the clip's own clock)."""
    lo, hi = clip.extent()
    inside = {s: (t >= lo) & (t <= hi) for s, t in clip.times.items()}
    times = {s: t[inside[s]] for s, t in clip.times.items()}
    values = {s: v[inside[s]] for s, v in clip.values.items()}
    peak, motion = envelope_peak(times, values, rule.smooth_s)
    env = envelope(motion, rule.smooth_s)
    return {
        "name": clip.name,
        "cls": clip.cls,
        "top": float(env.max()),
        "len": hi - lo,
        "peak_from_start": peak - lo,
        "peak_to_end": hi - peak,
        "start_cut": peak - rule.before_peak_s <= lo,
        "end_cut": peak + rule.after_peak_s >= hi,
        "edge_start": float(env[0] / env.max()) if env.max() > 0 else 0.0,
        "edge_end": float(env[-1] / env.max()) if env.max() > 0 else 0.0,
    }


def census(folder: Path, rule: SpanRule) -> list[dict]:
    clips = load_clips(folder)
    seen, out = set(), []
    for c in clips:
        if c.clip_name == "baseline_noise" or c.name in seen:
            continue  # filler only
        seen.add(c.name)  # a continuous recording's pieces: its first piece
        out.append(row(c, rule))
    return out


def report(name: str, rows: list[dict], detail: bool) -> None:
    print(f"== {name}: {len(rows)} clips")
    for cls in sorted({r["cls"] for r in rows}):
        rs = [r for r in rows if r["cls"] == cls]
        tops = np.array([r["top"] for r in rs])
        print(
            f"  {cls:6s} n {len(rs):3d}  envelope peak min {tops.min():.2f} "
            f"p10 {np.percentile(tops, 10):.2f} median {np.median(tops):.2f}; "
            f"< 1: {int((tops < 1).sum())}, < 2: {int((tops < 2).sum())}, "
            f"< 3: {int((tops < 3).sum())}, < 4: {int((tops < 4).sum())}; "
            f"span reaches start {sum(r['start_cut'] for r in rs)}, "
            f"end {sum(r['end_cut'] for r in rs)}"
        )
    print(
        "  lowest envelope peaks:",
        ", ".join(f"{r['name']} {r['top']:.2f}" for r in sorted(rows, key=lambda r: r["top"])[:14]),
    )
    events = [r for r in rows if r["cls"] in ("jump", "punch", "turn")]
    for level in (1.0, 2.0, 3.0, 4.0):
        kept = [r for r in events if r["top"] >= level and not (r["start_cut"] or r["end_cut"])]
        print(
            f"  events whole at still level {level}: {len(kept)} of {len(events)}; rejected "
            f"still {sum(r['top'] < level for r in events)}, cut (not still) "
            f"{sum(r['top'] >= level and (r['start_cut'] or r['end_cut']) for r in events)}"
        )
    if not detail:
        return
    print("  per clip: name cls top peak_from_start peak_to_end cut edge_env/peak(start,end)")
    for r in rows:
        if r["cls"] in ("walk", "idle"):
            continue
        cut = "start" if r["start_cut"] else "end" if r["end_cut"] else "-"
        print(
            f"    {r['name']:22s} {r['cls']:6s} {r['top']:6.2f} {r['peak_from_start']:5.2f} "
            f"{r['peak_to_end']:5.2f} {cut:5s} {r['edge_start']:.2f} {r['edge_end']:.2f}"
        )


def main() -> None:
    rule = SpanRule()
    day = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA / "clips-20251014"
    dev = Path(sys.argv[2]) if len(sys.argv) > 2 else DATA / "clips-dev"
    report("2025-10-14 samples (sample dialect, whole recording)", census(day, rule), True)
    report("clips-dev (device-ns, button span)", census(dev, rule), True)


if __name__ == "__main__":
    main()
