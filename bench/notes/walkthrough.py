"""Walk the README's user-facing commands on the real data (helper walkthrough, stop 38).

Usage (from the repository root): python bench/notes/walkthrough.py SCRATCH
Runs every command of bench/notes/walkthrough.txt in order, one at a time, with a scratch store
and outputs under SCRATCH (never inside the repository), and prints each command's exit status
and the first lines of what it wrote. --cv runs use --seeds 1 --epochs 5 to stay lean: their
scores only show that the command runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

DATA = "../shared/data"
A, B = f"{DATA}/clips-dev", f"{DATA}/clips-20251014"
LEAN = ["--seeds", "1", "--epochs", "5"]


def commands(w: str) -> list[list[str]]:
    """The walk, in README order; w is the scratch folder."""
    s, r = f"{w}/store", ["--store", f"{w}/store", "--run-id", "my-run"]
    return [
        ["run", f"{DATA}/sessions", "--clips", A, *r],
        ["synth", f"{w}/synth"],
        ["synth", "--from-clips", B, "--out", f"{w}/semi"],
        ["synth", "--from-clips", B, "--out", f"{w}/sess", "--realistic", "--seed", "301"]
        + ["--gestures", "9"],
        ["synth", f"{w}/x", "--realistic"],  # refused since ec0c9ae (was ignored)
        ["transcribe", "20251017_110929_session", *r],
        ["align", *r],
        ["train", *r],
        ["train", "--clips", A, "--out", f"{w}/m1", "--no-progress"],
        ["train", "--clips", A, "--out", f"{w}/m2", "--calibrate", f"{w}/few", "--adapt-to", B]
        + ["--epochs", "5", "--no-progress"],
        ["evaluate", "--model", f"{w}/m1/model", "--clips", B, "--json"],
        ["evaluate", "--model", f"{w}/m1/model", "--clips", B, "--spot"],
        ["evaluate", "--cv", "all", "--clips", A, "--clips", B, *LEAN]
        + ["--report", f"{s}/runs/my-run/report"],
        ["report", *r],  # must show the cv.json just written (fixed 43c88a9)
        ["evaluate", "--cv", "leave-day-out", "--adapt", *LEAN],  # as the README table writes it
        ["evaluate", "--cv", "leave-day-out", "--adapt", "--clips", A, "--clips", B, *LEAN],
        ["evaluate", "--cv", "leave-day-out", "--shots", "3", "--clips", A, "--clips", B, *LEAN],
        ["evaluate", "--cv", "leave-day-out", "--clips", A, "--clips", B, *r, *LEAN],
        ["evaluate", "--cv", "time-range", "--clips", A, "--train-clips", B, *LEAN],
        ["evaluate", "--model", f"{w}/m1/model", "--sessions", f"{w}/sess", "--spot", "--clips", B],
        ["sessions", "list", "--store", s],
        ["sessions", "list", "--store", s, "--run-id", "my-run", "--sessions-per-pod", "2"],
        ["sessions", "export-report", f"{w}/exported", *r],
        ["sessions", "upload", f"{DATA}/sessions", "--store", f"{w}/store2"],
        ["sessions", "upload", f"{DATA}/transcripts-only", "--store", f"{w}/store2", "--clips", B],
        ["train", "--clips", A, "--clips", B, "--out", f"{w}/multiclips/both", "--seed", "1337"]
        + ["--no-progress"],
        ["score-voice", f"{w}/synth/sessions", "--clips", B, "--seeds", "1", "--no-controls"]
        + ["--epochs", "5"],
    ]


def few_shots(w: str) -> None:
    """FEW for --calibrate: the first 3 samples of each gesture of 2025-10-14 + its metadata."""
    few = Path(w, "few")
    few.mkdir(parents=True, exist_ok=True)
    shutil.copy(f"{B}/session_metadata.json", few)
    for cls in ("jump", "punch", "turn", "noise"):
        for n in (1, 2, 3):
            shutil.copy(f"{B}/{cls}_sample{n:02d}.csv", few)


def main(w: str) -> None:
    few_shots(w)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.getcwd()}
    for argv in commands(w):
        started = time.perf_counter()
        done = subprocess.run(
            ["nice", sys.executable, "-m", "silkpipe", *argv],
            capture_output=True,
            text=True,
            env=env,
        )
        lines = [
            line
            for line in (done.stdout + done.stderr).replace("\r", "\n").splitlines()
            if line.strip() and "epoch/s" not in line and not line.startswith(("train:", "clips:"))
        ]
        print(f"### silkpipe {' '.join(argv)}")
        print(f"rc={done.returncode} {time.perf_counter() - started:.0f} s")
        print("\n".join(lines[:3]), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
