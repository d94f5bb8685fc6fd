"""Which sessions carry a loss the count clock spread (TimeModel.spread_losses, align step
67), and what the gate did with them before (stop 64; findings: bench/notes/spread64.txt).

    CODE=/tmp/s64head python bench/notes/spread64.py census ROWS_GLOB SET_DELIVERY_DIR...
        # every session (SET_DELIVERY_DIR/SEED/NAME) whose clock spread a loss: its size,
        # the rows' range (rebuilt s), how many of its spoken words truth puts among them,
        # the rows and spoken words truth says the clock puts over 0.5 s off (less its
        # median error; a label there is that far off at any offset); then each verdict the
        # rows files (ROWS_GLOB, quoted) hold for it (right / FALSE / between / refused)
        # and the totals of passes with and without such a loss (ROWS_GLOB: globs joined
        # by commas)
    CODE=/tmp/s64head python bench/notes/spread64.py labels ROWS_GLOB SET_DELIVERY_DIR...
        # every final pass whose clock alone puts over 20 % of its words' labels more than
        # 0.5 s off (score-voice's word false-pass line), and the count per rows file

Truth is used only to score and to count words (a word's rebuilt time is the rebuilt time
of the row truth says was made at its gesture time; the fit's offset error is left out,
under 1 s on every pass, against ranges of 10 s and more). CODE is the checkout whose
clock is measured.
"""

import glob
import json
import os
import sys
from pathlib import Path

import numpy as np

CODE = Path(os.environ.get("CODE", "/tmp/s64head"))
sys.path.insert(0, str(CODE / "bench" / "notes"))
sys.path.insert(0, str(CODE))
ROWS_PER_S = 148.5  # the synthetic watch's rows per second (silkpipe.delivery)
HALF_OVER = 0.5  # AlignConfig.loss_spread_s: the rule reads losses whose half is over it


def _clock(folder: Path) -> dict:
    """The session's spread losses, words among them, and rows misclocked (truth)."""
    from silkpipe.sessions import read_sensor_csv

    raw = read_sensor_csv(folder / "sensor_data.csv")
    truth = json.loads((folder / "truth.json").read_text())
    rebuilt = raw.clock_rows[:, 1]
    rc = np.array(truth["row_clock"])
    true = np.interp(np.arange(len(rebuilt)), rc[:, 0], rc[:, 1])
    err = rebuilt - true
    off = float((np.abs(err - np.median(err)) > 0.5).sum()) / ROWS_PER_S
    said = [c["imu_time"] for c in truth["commands"]]
    at = np.interp(np.interp(said, rc[:, 1], rc[:, 0]), np.arange(len(rebuilt)), rebuilt)
    word_err = np.interp(np.interp(said, rc[:, 1], rc[:, 0]), np.arange(len(err)), err)
    words_off = int((np.abs(word_err - np.median(err)) > 0.5).sum())
    spread = []
    for loss in raw.time_model.get("spread_losses", []):
        inside = int(((at >= loss[3]) & (at <= loss[4])).sum())
        spread.append(dict(size=loss[2], range=loss[3:5], words=inside))
    return dict(spread=spread, misclocked_s=round(off, 2), words=len(said), words_off=words_off)


def _verdicts(pattern: str) -> dict:
    """{(delivery, session name): [(rows file, verdict, err)]} over the rows files (a seed's
    never-draining and draining sessions share their names)."""
    from fresh38 import finals, verdict

    out: dict = {}
    for path in sorted(p for one in pattern.split(",") for p in glob.glob(one)):
        for _, name, kind, row in finals(path):
            stem = Path(path).stem
            key = ("never_drains" if "_never_drains_" in stem else "drains", name)
            if kind == "session":
                out.setdefault(key, []).append((stem, verdict(kind, row), row["err"]))
    return out


def census(args: list[str]) -> None:
    verdicts = _verdicts(args[0])
    tally: dict = {}
    for d in args[1:]:
        for f in sorted(Path(d).glob("*/*/truth.json")):
            clock = _clock(f.parent)
            judged = [s for s in clock["spread"] if s["size"] / 2 > HALF_OVER and s["words"]]
            if clock["spread"]:
                print(f"  {d.split('/')[-2]}/{f.parent.name[4:11]}: {clock}", flush=True)
            for rows, v, err in verdicts.get((Path(d).name, f.parent.name), []):
                key = ("spread" if judged else "none", v)
                tally[key] = tally.get(key, 0) + 1
                if judged:
                    e = "none" if err is None else f"{err:+.2f}"
                    print(f"    {rows}: {v} ({e})")
    print("passes by spread loss (half > 0.5 s, words among its rows) and verdict:")
    for k in sorted(tally):
        print(f"  {k[0]:7s} {k[1]:9s} {tally[k]}")


def labels(args: list[str]) -> None:
    """ROWS_GLOB SET_DELIVERY_DIR...: per final pass, the share of its spoken words whose
    label the rebuilt clock alone puts more than 0.5 s off (less its median error), and
    the passes over score-voice's 20 % line (a word false pass), by verdict."""
    verdicts = _verdicts(args[0])
    tally: dict = {}
    for d in args[1:]:
        for f in sorted(Path(d).glob("*/*/truth.json")):
            rows = verdicts.get((Path(d).name, f.parent.name), [])
            passed = [(r, v) for r, v, _ in rows if v in ("right", "FALSE", "between")]
            if not passed:
                continue
            clock = _clock(f.parent)
            share = clock["words_off"] / max(clock["words"], 1)
            for r, v in passed:
                key = (r, v, share > 0.2)
                tally[key] = tally.get(key, 0) + 1
                if share > 0.2:
                    print(
                        f"  {r}: {f.parent.name[4:11]} {v}, {clock['words_off']} of "
                        f"{clock['words']} words > 0.5 s off on the clock, spread "
                        f"{[x['size'] for x in clock['spread']]}",
                        flush=True,
                    )
    print("passes (rows file, verdict, over 20 % of words > 0.5 s off on the clock): count")
    for k in sorted(tally):
        print(f"  {k[0]:34s} {k[1]:8s} {'OVER' if k[2] else 'ok':4s} {tally[k]}")


if __name__ == "__main__":
    {"census": census, "labels": labels}[sys.argv[1]](sys.argv[2:])
