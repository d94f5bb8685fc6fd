"""Misses on fresh seeds 511-528 (issue 24, helper nd42): per-word leads weighted by energy.
Rule and results: bench/notes/nd42.txt. Not shipped; truth used to diagnose only.

    python bench/notes/nd42.py weighted SESSION_DIR...
        # per session: each event word's motion peak less its true IMU time (nd40.py lead),
        # the plain mean and the mean weighted by each gesture's peak smoothed energy, each
        # less word_to_peak_s: the offset a perfect fit of the peaks would make, with every
        # word counted once or by its energy (a summed-bump fit weighs strong gestures more)
The code measured is the silkpipe on PYTHONPATH.
"""

import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))


def weighted(dirs):
    from align_dev import load

    import silkpipe.alignment as al
    from silkpipe.vocabulary import EVENT_CLASSES

    cfg = al.AlignConfig()
    for d in dirs:
        truth, motion, _ = load(Path(d))
        sig = al.motion_signal(motion, cfg.smooth_s)
        spans = [g for g in truth["gestures"] if g["spoken"] and g["class"] in EVENT_CLASSES]
        rows = []
        for w in (c for c in truth["commands"] if c["class"] in EVENT_CLASSES):
            g = min(spans, key=lambda g: abs(g["start"] - w["imu_time"]), default=None)
            if g is None or g["start"] > motion.t[-1]:
                continue
            inside = (motion.t >= g["start"]) & (motion.t <= g["end"])
            if not inside.any():
                continue
            k = int(np.argmax(sig[inside]))
            rows.append(
                (float(motion.t[inside][k] - w["imu_time"]), float(sig[inside][k]), w["class"])
            )
        lead = np.array([r[0] for r in rows])
        wt = np.array([r[1] for r in rows])
        print(
            f"{Path(d).name[4:10]} words {len(rows)} plain {lead.mean() - cfg.word_to_peak_s:+.2f} "
            f"energy-weighted {np.average(lead, weights=wt) - cfg.word_to_peak_s:+.2f} | "
            + " ".join(f"{c[0]}{x:+.2f}/{e:.1f}" for x, e, c in rows),
            flush=True,
        )


if __name__ == "__main__":
    {"weighted": weighted}[sys.argv[1]](sys.argv[2:])
