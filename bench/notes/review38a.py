"""Edge cases of the recent pace (issue 24's ndmiss merge; review38a, stop 38). Not shipped.

    python bench/notes/review38a.py
        # a 4 s loss at 15-19 s watch time (tests' deliver model) with a never-draining
        # queue (0.75 of R) beginning at AT, rows dropped in the second before the loss at
        # DROP (a fading link), for several recent_pace_s: the loss found, the recorded
        # loss_uncertainty_s, whether the true 4 s lies within it, and the clock's offset
        # after the loss; then an earlier, slower queue outside the 5 s window

The code measured is the one on PYTHONPATH.
"""

import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from test_clock_rate import _turns  # noqa: E402
from test_time_model import deliver  # noqa: E402

from silkpipe.watch_clock import ClockConfig, rebuild_clock  # noqa: E402


def _row(label, watch, arrival, cfg, jump, lo, hi, true=4.0):
    rebuilt, m = rebuild_clock(arrival, cfg=cfg, pairs=_turns(watch, jump))
    d = rebuilt - watch
    off = np.median(d[(watch > lo) & (watch < hi)]) - np.median(d[(watch > 5) & (watch < 14)])
    size = sum(s for _, s in m.losses)
    inside = abs(size - true) <= m.loss_uncertainty_s + 0.01  # rounding
    print(
        f"{label:34s} {m.kind:7s} loss {size:5.2f} +- {m.loss_uncertainty_s:4.2f} "
        f"{'holds 4 s' if inside else 'MISSES 4 s':10s} offset after {off:+.2f}"
    )


def main():
    for at in (13.0, 14.5, 14.9, 17.0, 19.0):
        for drop in (0.0, 0.1, 0.2, 0.3):
            watch, arrival = deliver(110, lambda t, a=at: 1.5 if t < a else 0.75, lost=(15, 19))
            rng = np.random.default_rng(5)
            keep = ~((watch >= 14) & (watch < 15) & (rng.random(len(watch)) < drop))
            for rp in (0.0, 1.0):
                label = f"queue at {at:4.1f} drop {drop:.1f} recent {rp:.0f}"
                _row(
                    label, watch[keep], arrival[keep], ClockConfig(recent_pace_s=rp), 19.0, 20, 100
                )
    for at in (13.0, 60.0):
        for stall in (0.3, 0.7):
            watch, arrival = deliver(110, lambda t, a=at: 1.5 if t < a else 0.75, lost=(15, 19))
            g = int(np.argmax(watch >= 15))  # the first row after the loss
            end = arrival[g - 1] - 0.2  # a host stall that ends 0.2 s before the gap
            held = (arrival > end - stall) & (arrival < end)
            arrival = np.where(held, end, arrival)
            for rp in (0.0, 1.0):
                label = f"queue at {at:4.1f} stall {stall:.1f} recent {rp:.0f}"
                _row(label, watch, arrival, ClockConfig(recent_pace_s=rp), 19.0, 20, 100)
    watch, arrival = deliver(
        120, lambda t: 1.5 if t < 20 else (0.5 if t < 28 else 0.75), lost=(34, 38)
    )
    for rp in (1.0, 5.0, 12.0):
        label = f"0.5 at 20-28, 0.75 on, recent {rp:.0f}"
        _row(label, watch, arrival, ClockConfig(recent_pace_s=rp), 38.0, 40, 100)


if __name__ == "__main__":
    main()
