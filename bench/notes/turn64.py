"""Envelope steps the clock put whole at one rotation jump (_place's _turn_jump) while a second
jump in the step's range also stands above the noise: how often such a step holds two
losses, and whether arrival can tell their split (stop 64; findings in spread64.txt, "Next").

    CODE=/tmp/s64head python bench/notes/turn64.py census SET_DELIVERY_DIR...
        # per step placed at one jump: its largest and second jump (rad beyond the gyro),
        # truth's losses inside and the seconds of rows misclocked (> 0.5 s off, less the
        # clock's median error); printed where the second is over loss_turn_rad or the
        # step is misclocked; then the tally
    CODE=/tmp/s64head python bench/notes/turn64.py split SET_DELIVERY_DIR...
        # per such step with a second jump of 0.4 rad or more: where both jumps lie (truth's
        # session s), the latency floor's rise (ramp) just before the later one against the
        # step, and truth's losses (start s, size): a ramp under the step there bounds the
        # first loss; one equal to the step leaves the split unknown

Truth is used only to score. CODE is the checkout measured (its silkpipe and bench/notes).
"""

import json
import os
import sys
from pathlib import Path

import numpy as np

CODE = Path(os.environ.get("CODE", "/tmp/s64head"))
sys.path.insert(0, str(CODE / "bench" / "notes"))
sys.path.insert(0, str(CODE))
ROWS_PER_S = 148.5  # the synthetic watch's rows per second (silkpipe.delivery)
CALLS: list[dict] = []  # _place's calls while a clock is rebuilt (_record)


def _record() -> None:
    """Wrap clock_envelope._place: keep each call's step, ramp, pairs and answer."""
    import silkpipe.clock_envelope as ce

    plain = ce._place

    def place(t, n0, b, c, first, step, ramp, pairs, rate, cfg):
        out = plain(t, n0, b, c, first, step, ramp, pairs, rate, cfg)
        CALLS.append(dict(n0=n0, b=b, c=c, first=first, step=step, ramp=ramp, pairs=pairs, out=out))
        return out

    ce._place = place


def _one_jump_steps(folder: Path):
    """(truth's session s per row, rebuilt error per row, truth's losses, [(call, jump rows
    by size, their sizes)]) of the steps put whole at one place."""
    import false63

    CALLS.clear()
    raw, _ = false63._steps(folder)
    rebuilt, true = false63._truth_rows(folder, raw)
    lost = json.loads((folder / "truth.json").read_text())["delivery"]["losses"]
    out = []
    for call in CALLS:
        p, n0 = call["pairs"], call["n0"]
        if p is None or len(call["out"]) != 1:
            continue
        inside = (p.turn_row > n0 + call["first"]) & (p.turn_row <= n0 + call["c"])
        order = np.argsort(p.turn_excess[inside])[::-1]
        out.append((call, p.turn_row[inside][order], p.turn_excess[inside][order]))
    return true, rebuilt - true, lost, out


def _losses_inside(true, lost, lo: int, hi: int) -> list:
    tlo, thi = true[lo - 1], true[min(hi, len(true) - 1)]
    return [(round(a, 1), round(b - a, 2)) for a, b in lost if tlo <= a and b <= thi + 0.01]


def census(dirs: list[str]) -> None:
    from silkpipe.watch_clock import ClockConfig

    level, tally = ClockConfig().loss_turn_rad, {}
    for d in dirs:
        for f in sorted(Path(d).glob("*/*/truth.json")):
            true, err, lost, steps = _one_jump_steps(f.parent)
            for call, _, sizes in steps:
                lo, hi = call["n0"] + call["first"], call["n0"] + call["c"]
                off = np.abs(err[lo : hi + 1] - np.median(err))
                mis = float((off > 0.5).sum()) / ROWS_PER_S
                top = float(sizes[0]) if len(sizes) else 0.0
                second = float(sizes[1]) if len(sizes) > 1 else 0.0
                n = len(_losses_inside(true, lost, lo, hi))
                key = (second >= level, n >= 2, mis >= 1.0)
                tally[key] = tally.get(key, 0) + 1
                if second >= level or mis >= 1.0:
                    print(
                        f"  {f.parent.name[4:11]} step {call['step']:.2f} top {top:.2f} "
                        f"second {second:.2f} true losses {n} misclocked {mis:.1f} s",
                        flush=True,
                    )
    print("(second jump >= loss_turn_rad, 2+ true losses, misclocked >= 1 s): steps")
    for k in sorted(tally):
        print(f"  {k} {tally[k]}")


def split(dirs: list[str]) -> None:
    for d in dirs:
        for f in sorted(Path(d).glob("*/*/truth.json")):
            true, _, lost, steps = _one_jump_steps(f.parent)
            for call, rows, sizes in steps:
                if len(sizes) < 2 or sizes[1] < 0.4:
                    continue
                later = max(int(rows[0]), int(rows[1]))
                early = float(call["ramp"][later - call["n0"] - call["b"] - 1])
                lo, hi = call["n0"] + call["first"], call["n0"] + call["c"]
                print(
                    f"  {f.parent.name[4:11]} step {call['step']:.2f} jumps "
                    f"{sizes[0]:.2f}@{true[int(rows[0])]:.1f} {sizes[1]:.2f}@{true[int(rows[1])]:.1f}"
                    f" ramp before the later {early:.2f} truth {_losses_inside(true, lost, lo, hi)}",
                    flush=True,
                )


if __name__ == "__main__":
    _record()
    {"census": census, "split": split}[sys.argv[1]](sys.argv[2:])
