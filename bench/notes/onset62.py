"""Loss sizes against the truth at each bracket (issue 24, stop 62). Findings: onset62.txt.
Measurement only; bracket61.py's hooks log each never_drains gap _sized_lag sized.

    python bench/notes/onset62.py gaps SET... > GAPS.jsonl   # SET: /tmp/held51/SET
        # bracket61.py's line per gap, plus what _queue_held_last_row reads: the last row's
        # height over the window's latency floor (held), seconds since a row lay on it
        # (lastfloor_before_s); OLD=1 in the environment: step 64 (the rule off)
    python bench/notes/onset62.py table GAPS.jsonl...
        # per set and where the queue began against the loss (bracket61.onset): the size
        # error of every bracket-sized gap whose true loss is over 0.3 s
"""

import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import bracket61 as b  # noqa: E402  (its hooks wrap the clock; import first)

import silkpipe.clock_envelope as ce  # noqa: E402

FOUND: list[dict] = []
_logged = ce._sized_lag  # bracket61's logging wrapper


def _sized(t, g, rate, cfg, found):
    out = _logged(t, g, rate, cfg, found)
    lo = max(g - max(int(cfg.steady_window_s * rate), 2), 0)
    latency = ce._net_latency(t, lo, g, rate, found)
    floor = latency.min()
    last_on_floor = int(np.flatnonzero(latency <= floor + 2 * cfg.latency_jitter_s)[-1])
    FOUND.append(
        dict(held=float(latency[-1] - floor), lastfloor_before_s=(g - lo - last_on_floor) / rate)
    )
    return out


ce._sized_lag = _sized
if os.environ.get("OLD"):
    ce._queue_held_last_row = lambda *args: False


def gaps(labels):
    for label in labels:
        for folder in sorted(Path("/tmp/held51", label, "never_drains").glob("*/*_session")):
            FOUND.clear()
            for line, extra in zip(list(b.gaps(folder, label)), FOUND, strict=True):
                print(json.dumps(line | extra), flush=True)


def table(paths):
    errors: dict[str, list[float]] = {}
    for row in (json.loads(x) for p in paths for x in open(p)):
        if row["kind"] == "bracket" and row["true"] > 0.3:
            where = b.onset(row["loss_after_queue"], row["true"])
            for key in (f"{row['set']} {where}", f"{row['set']} all"):
                errors.setdefault(key, []).append(row["err"])
    for key, e in sorted(errors.items()):
        e = np.array(e)
        print(
            f"{key:22s} n {len(e):2d}  median {np.median(e):+.2f}  median |e| "
            f"{np.median(abs(e)):.2f}  over 0.5 s {int((abs(e) > 0.5).sum())}"
        )


if __name__ == "__main__":
    {"gaps": gaps, "table": table}[sys.argv[1]](sys.argv[2:])
