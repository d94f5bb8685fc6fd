"""DEV offline count for candidate C-b (untested rule): at each loss the clock found, fit the
words before / after it separately (energy, scale 1). Truth used only to score."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, "bench/notes")
from align_dev import load
from ndmiss import _error_curve

import silkpipe.alignment as al
from silkpipe.sessions import read_sensor_csv

cfg = al.AlignConfig()


def fit(sig, motion, ws):
    times = np.array([c.start for c in ws])
    _, _, off, sc = al._energy_fit(sig, motion, times, [c.cls for c in ws], cfg)
    i = int(sc.argmax())
    sd = float(np.std(sc)) or 1
    return off[i] - cfg.word_to_peak_s, (sc[i] - np.median(sc)) / sd


n = 0
for d in sys.argv[1:]:
    for f in sorted(Path(d).glob("*/truth.json")):
        s = read_sensor_csv(f.parent / "sensor_data.csv", session=f.parent.name)
        losses = s.time_model["losses"] if isinstance(s.time_model, dict) else s.time_model.losses
        if not losses:
            continue
        truth, motion, cmds = load(f.parent)
        T = truth["offset_s"]
        _, rep = al.align_session(f.parent.name, motion, cmds, cfg, keep_refused=True)
        if rep.offset_s is None:
            continue
        kept, _ = al.reachable_words(motion, cmds, cfg)
        arr, reb = s.clock_rows[:, 0], s.clock_rows[:, 1]
        sig = al.search_signal(motion, cfg)
        _, _, prod, cerr = _error_curve(f.parent)
        for at, size in losses:
            cut = reb[np.argmax(arr > at + 1e-6)]
            b = [c for c in kept if c.start + rep.offset_s < cut]
            a = [c for c in kept if c.start + rep.offset_s >= cut]
            if len(b) < 3 or len(a) < 3:
                continue
            n += 1
            (ob, zb), (oa, za) = fit(sig, motion, b), fit(sig, motion, a)
            ok = abs(rep.offset_s - T) <= 0.3
            print(
                f"{'ok ' if ok else 'OFF'} {f.parent.name[4:11]} {d.split('/')[-3]}/{d.split('/')[-2][:6]} loss {at:.1f}+{size:.2f} "
                f"pass {not rep.excluded} gate {rep.gate} q {rep.quality:.2f} err {rep.offset_s - T:+.2f} | before {len(b)} w peak {ob - T:+.2f} z {zb:.2f} | "
                f"after {len(a)} w peak {oa - T:+.2f} z {za:.2f} | diff {oa - ob:+.2f}",
                flush=True,
            )
print("splits", n)
