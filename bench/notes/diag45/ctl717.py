"""diag45 (not shipped): 717_02's far control. Run from the repo root, PYTHONPATH=worktree."""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, "bench/notes")
from align_dev import load

import silkpipe.alignment as al
from silkpipe.voice_score import SHIFTS, session_clock, shifted_control

D = Path(
    sys.argv[1] if len(sys.argv) > 1 else "/tmp/h44/fresh45b/never_drains/s717/real717_02_session"
)
IDX = int(sys.argv[2]) if len(sys.argv) > 2 else 2
truth, _, cmds = load(D)
motion = session_clock((D / "sensor_data.csv").read_text(), truth, D.name).motion
T = truth["offset_s"]
cfg = al.AlignConfig()
rng = np.random.default_rng([0, IDX])
shifts = {}
for kind, lo, hi in SHIFTS:
    shifts[kind] = float(rng.choice([-1.0, 1.0]) * rng.uniform(lo, hi))
print("shifts", shifts)
row = shifted_control(D.name, motion, cmds, T, shifts["far"], cfg)
print(
    "far control:",
    {
        k: row[k]
        for k in ("offset_error", "quality", "gate", "excluded", "fit_offset_s", "at_window_edge")
    },
)
print("  reason:", row["reason"])
centre = T + shifts["far"] + cfg.word_to_peak_s
print(
    f"  window: search_s {abs(shifts['far']) - 0.5:.2f} around err {shifts['far']:+.2f}: err range "
    f"[{shifts['far'] - (abs(shifts['far']) - 0.5):+.2f}, {shifts['far'] + abs(shifts['far']) - 0.5:+.2f}]"
)
kept, _ = al.reachable_words(motion, cmds, cfg)
print("kept words", len(kept), [c.cls for c in kept])
sig = al.search_signal(motion, cfg)
times = np.array([c.start for c in kept])
_, _, off, sc = al._energy_fit(sig, motion, times, [c.cls for c in kept], cfg)
e = off - cfg.word_to_peak_s - T
sd = float(np.std(sc)) or 1.0
z = (sc - np.median(sc)) / sd
pk = [i for i in range(1, len(sc) - 1) if sc[i] >= sc[i - 1] and sc[i] >= sc[i + 1]]
pk = sorted(pk, key=lambda i: -sc[i])[:6]
print(
    "energy profile (scale 1, all kept words; err, score, z):",
    ", ".join(f"{e[i]:+.2f} {sc[i]:.3f} {z[i]:+.2f}" for i in pk),
)
for x in (0.0, row["offset_error"]):
    i = int(np.argmin(abs(e - x)))
    print(f"  at err {x:+.2f}: score {sc[i]:.3f} z {z[i]:+.2f}")
# where each kept word lands at the control's error: true gesture vs motion there
g_all = [
    (g["start"], g["end"], g["class"], "spoken" if g["spoken"] else "unspoken")
    for g in truth["gestures"]
]
g_all += [(a, b, c, "filler") for a, b, c in truth["filler_motion"]]
E = row["offset_error"]
print(f"words at err {E:+.2f} (word imu time = audio start + T + err):")
for c in kept:
    t0 = c.start + T
    mine = min(g_all, key=lambda g: abs(g[0] - t0) if g[2] == c.cls and g[3] == "spoken" else 1e9)
    land = mine[0] + E
    hit = [g for g in g_all if g[0] - 0.3 <= land <= g[1]]
    same = [g for g in hit if g[2] == c.cls]
    print(
        f"  {c.cls:6s} true gesture {mine[0]:7.2f}-{mine[1]:6.2f} ({mine[3]}) -> {land:7.2f}: "
        + ("; ".join(f"{g[2]} {g[0]:.2f}-{g[1]:.2f} {g[3]}" for g in hit) or "nothing")
        + ("   SAME CLASS" if same else "")
    )
json.dump({"e": e.tolist(), "score": sc.tolist()}, open("/tmp/diag45/prof717.json", "w"))
