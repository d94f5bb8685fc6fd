"""How much still time a folder of sessions holds (issue 24; results in voice_path_d14.txt).

A real player stands still between and around gestures; the offset search correlates the
words with motion energy, so a session that is motion from end to end gives it little to
lock on. Per session: the share of its valid 50 Hz grid points whose motion energy
(|linear acceleration| + |gyro|, smoothed over 0.3 s by silkpipe.motion_span.envelope) is
below 1, and the median of that energy; for synthetic sessions also the share of session
time truth.json labels as gesture. Each folder prints the median over its sessions and the
range. The sessions' own clocks are used as read (for real sessions that is arrival time:
backlog bunches rows, so their shares are a rough reference only).

    PYTHONPATH=. python bench/notes/still_share.py LABEL=SESSIONS_FOLDER [LABEL=FOLDER ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from silkpipe.motion_span import envelope
from silkpipe.sessions import read_sensor_csv, resample

STILL = 1.0
SMOOTH_S = 0.3


def session_row(folder: Path) -> tuple[float, float, float]:
    """(still share, median energy, labelled gesture share or nan) of one session."""
    motion = resample(read_sensor_csv(folder / "sensor_data.csv"), rate=50.0)
    energy = envelope(motion, SMOOTH_S)[motion.valid]
    gesture = float("nan")
    truth = folder / "truth.json"
    if truth.exists():
        t = json.loads(truth.read_text())
        spans = t.get("gestures") or [{"start": a, "end": b} for a, b, _ in t["intervals"]]
        gesture = sum(g["end"] - g["start"] for g in spans) / (motion.t[-1] - motion.t[0])
    return float(np.mean(energy < STILL)), float(np.median(energy)), gesture


def describe(label: str, folder: Path) -> None:
    rows = np.array([session_row(s.parent) for s in sorted(folder.glob("*/sensor_data.csv"))])
    parts = []
    for k, name in enumerate(("still share", "median energy", "gesture share")):
        col = rows[:, k]
        if np.isnan(col).all():
            continue
        parts.append(f"{name} {np.median(col):.2f} ({col.min():.2f}-{col.max():.2f})")
    print(f"{label:34s} {len(rows):2d} sessions: " + ", ".join(parts))


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        label, _, path = arg.partition("=")
        describe(label, Path(path))
