"""diag45 (not shipped): the loss rule (_straddled_loss) on a session's first pass, with
truth for diagnosis: the loss found vs true, each side's words, offsets, peak z.
Usage: split45.py SESSION_DIR..."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, "bench/notes")
from align_dev import load

import silkpipe.alignment as al
from silkpipe.voice_score import session_clock

REC = []
_orig = al._split_offsets


def _spy(motion, said, fit, at, cfg):
    out = _orig(motion, said, fit, at, cfg)
    times = np.array([c.start * fit.scale for c in said])
    before = times + fit.offset_s < at
    sig = al.search_signal(motion, cfg)
    sides = []
    for side in (before, ~before):
        if side.sum() < 2:
            sides.append(None)
            continue
        cl = [c.cls for c, on in zip(said, side, strict=True) if on]
        _, _, lags, sc = al._energy_fit(sig, motion, times[side], cl, cfg)
        o = lags - cfg.word_to_peak_s
        sd = float(np.std(sc)) or 1.0
        z = (sc - np.median(sc)) / sd
        i = int(np.argmax(sc))
        j = int(np.argmin(abs(o - fit.offset_s)))
        sides.append(
            dict(
                n=int(side.sum()),
                ev=sum(c in ("jump", "turn") for c in cl),
                peak=round(float(o[i]), 2),
                z=round(float(z[i]), 2),
                z_at_fit=round(float(z[j]), 2),
                o=o,
                z_arr=z,
            )
        )
    REC.append(dict(at=at, fit=fit.offset_s, scale=fit.scale, out=out, sides=sides))
    return out


al._split_offsets = _spy
cfg = al.AlignConfig()
for d in map(Path, sys.argv[1:] if __name__ == "__main__" else []):
    REC.clear()
    truth, _, cmds = load(d)
    motion = session_clock((d / "sensor_data.csv").read_text(), truth, d.name).motion
    T = truth["offset_s"]
    _, rep = al.align_session(d.name, motion, cmds, cfg, keep_refused=True)
    tm = motion.time_model
    print(
        f"# {d.name}: truth {T:.3f} first pass err {rep.offset_s - T:+.3f} q {rep.quality:.2f} gate {rep.gate}"
    )
    print(
        f"  true losses {truth['delivery'].get('losses')} slow {truth['delivery'].get('slow_phases')}"
    )
    print(
        f"  clock uncertain_losses [arrival, size, spread, rebuilt]: {tm.get('uncertain_losses')}"
    )
    for r in REC:
        print(
            f"  split at rebuilt {r['at']:.2f} fit off {r['fit'] - T:+.3f} (err) scale {r['scale']}: offsets(err) "
            + (
                "None"
                if r["out"] is None
                else f"{r['out'][0] - T:+.3f} / {r['out'][1] - T:+.3f} diff {r['out'][1] - r['out'][0]:+.3f}"
            )
        )
        for nm, s in zip(("before", "after"), r["sides"], strict=True):
            if s is None:
                continue
            k = int(np.argmin(abs(s["o"] - T)))
            pk = [
                i
                for i in range(1, len(s["z_arr"]) - 1)
                if s["z_arr"][i] >= s["z_arr"][i - 1] and s["z_arr"][i] >= s["z_arr"][i + 1]
            ]
            pk = sorted(pk, key=lambda i: -s["z_arr"][i])[:3]
            print(
                f"    {nm:6s} {s['n']:2d} words ({s['ev']} event): peak err {s['peak'] - T:+.2f} z {s['z']:.2f}; z at the whole fit {s['z_at_fit']:.2f}; z at truth {s['z_arr'][k]:.2f}; peaks "
                + ", ".join(f"{s['o'][i] - T:+.2f} z {s['z_arr'][i]:.2f}" for i in pk)
            )
