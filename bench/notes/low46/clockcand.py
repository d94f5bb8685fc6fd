"""Clock digest (nd45/digest.py's) with _sized_lag's bracket low end read from a candidate
"after" pace (issue 24, helper low46). Diagnosis only, not shipped.

    python bench/notes/low46/clockcand.py CAND OUT.json SEED_DIR...

CAND: cur (the code as is), P1 / P2 (plain _pace, stalls in, over 1 / 2 s of rows after
the gap; P5 over 5 s), M2 / M5 (median of the plain pace of 0.25 s chunks over 2 s / of
0.5 s chunks over 5 s). Only a loss the code
already brackets (the middle taken, not _realtime_after's lag) is moved: its low end is
lag * min(candidate, before) / before, the middle of the new range its size, the half
range (+ far) its spread.
"""

import sys
from pathlib import Path

import numpy as np

import silkpipe.clock_envelope as ce

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "nd45"))
_orig = ce._sized_lag


def _chunk_median(rows: np.ndarray, rate: float, chunk_s: float) -> float | None:
    k = max(int(chunk_s * rate), 2)
    paces = [ce._pace(rows[i : i + k], rate) for i in range(0, len(rows) - k + 1, k)]
    paces = [p for p in paces if p is not None]
    return float(np.median(paces)) if paces else None


def _candidate(name: str):
    def sized(t, g, rate, cfg, found):
        size, spread, kind = _orig(t, g, rate, cfg, found)
        if kind != ce.BRACKET or ce._realtime_after(t, g, rate, cfg):
            return size, spread, kind
        before, _window = ce._paces_before(t, g, rate, cfg)
        queue = ce._queue_after_stall(t, g, rate, cfg, found)
        if queue is not None and before is not None and queue < before * (1 - cfg.pace_drop):
            before = queue
        lag = ce._lag_at(t, g, rate, before, cfg)
        floor = None if queue is not None else ce._floor_lag(t, g, rate, cfg, found)
        if floor is not None:
            before, lag = rate, floor
        old = ce._slower_pace(t, g, rate, cfg.min_steady_s, before, cfg)
        if old is None or before is None:
            return size, spread, kind
        rows = t[g : g + max(int(2.0 * rate), 2)]
        five = t[g : g + max(int(5.0 * rate), 2)]
        new = {
            "P1": ce._pace(t[g : g + max(int(1.0 * rate), 2)], rate),
            "P2": ce._pace(rows, rate),
            "P5": ce._pace(five, rate),
            "M2": _chunk_median(rows, rate, 0.25),
            "M5": _chunk_median(five, rate, 0.5),
        }[name]
        if new is None:
            return size, spread, kind
        shift = lag * (old - min(new, before)) / before / 2  # the low end moves by 2 x this
        return size - shift, spread + shift, kind

    return sized


if __name__ == "__main__":
    cand, out, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
    if cand != "cur":
        ce._sized_lag = _candidate(cand)
    import digest

    digest.digest(out, dirs)
