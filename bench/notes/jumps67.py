"""How often a stream's rotation rows jump away from arrival gaps (align step 70's guard).

    CODE=/tmp/tree python bench/notes/jumps67.py OUT.json DIR...
        # every sensor_data.csv under each DIR (links to runs, m_*, left out): the share of
        # its rotation pairs whose rows arrived within 0.5 s of each other that turn by
        # loss_turn_rad more than the gyro allows (watch_clock.jump_share, read from the
        # time model); prints the count and max / p99.9 / p99 / median of the shares

A jump across an arrival gap is the clock's sign of lost rows. That sign means something
only where the stream's rows do not jump on their own: the synthetic streams (clips
replayed at the watch rate) jump in at most 0.4 % of such pairs, the four real sessions in
0.8-8.8 % (bench/notes/turned67.txt).
"""

import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, os.environ.get("CODE", "."))
from silkpipe.sessions import read_sensor_csv  # noqa: E402


def share(path: Path) -> float | None:
    """The stream's jump_share, as its time model records it (align step 70 on)."""
    return read_sensor_csv(path).time_model["jump_share"]


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
