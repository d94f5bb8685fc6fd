"""How often a stream's rotation rows jump away from arrival gaps (align step 70's guard).

    CODE=/tmp/tree python bench/notes/jumps67.py OUT.json DIR...
        # every sensor_data.csv under each DIR (links to runs, m_*, left out): the rotation
        # pairs that span no arrival pause over 0.5 s, and the share of them whose turn
        # exceeds the gyro's one-period rotation by loss_turn_rad (watch_clock.jump_share);
        # prints the count and max / p99.9 / p99 / median of the shares

A jump across an arrival gap is the clock's sign of lost rows. That sign means something
only where the stream's rows do not jump on their own: the synthetic streams (clips
replayed at the watch rate) jump in at most 0.4 % of such pairs, the four real sessions in
0.8-8.8 % (bench/notes/turned67.txt).
"""

import csv
import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, os.environ.get("CODE", "."))
from silkpipe.watch_clock import ClockConfig, jump_share, spacing_pairs  # noqa: E402


def share(path: Path) -> float | None:
    rows = list(csv.DictReader(path.open()))
    sensor = np.array([r["sensor"] for r in rows])
    arrival = np.array([float(r["timestamp"]) for r in rows])
    gyro = np.array(
        [[float(r[f"gyro_{a}"]) for a in "xyz"] for r in rows if r["sensor"] == "gyroscope"]
    )
    quat = np.array(
        [[float(r[f"rot_{a}"]) for a in "wxyz"] for r in rows if r["sensor"] == "rotation_vector"]
    )
    return jump_share(spacing_pairs(sensor, gyro, quat), arrival, ClockConfig())


def main(out: str, dirs: list[str]) -> None:
    shares = {}
    for d in dirs:
        for f in sorted(Path(d).rglob("sensor_data.csv")):
            if "/m_" not in str(f):
                shares[str(f.parent)] = share(f)
    Path(out).write_text(json.dumps(shares, indent=1))
    v = np.array([s for s in shares.values() if s is not None])
    q = np.percentile(v, [99.9, 99, 50])
    print(
        f"{len(v)} streams: max {v.max():.4f}, p99.9 {q[0]:.4f}, p99 {q[1]:.4f}, median {q[2]:.5f}"
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
