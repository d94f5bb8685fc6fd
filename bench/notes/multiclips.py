"""Issue 22: one `silkpipe train` on two clip folders (helper multiclips, stop 37).

Runs, once and untuned, the command a user ships a two-day model with:

    silkpipe train --clips DATA/clips-dev --clips DATA/clips-20251014 --out OUT \
        --seed 1337 --no-progress

and prints its wall time, model folder size and what config.json says it trained on
(``training.trained_on``: per folder and day, the training windows by class). No score:
the cross-validated numbers are in the README ("Voice runs as training-only data").

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/multiclips.py [OUT]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
FOLDERS = ("clips-dev", "clips-20251014")


def main(out: Path) -> None:
    argv = [sys.executable, "-m", "silkpipe", "train", "--out", str(out)]
    for name in FOLDERS:
        argv += ["--clips", str(DATA / name)]
    argv += ["--seed", "1337", "--no-progress"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    start = time.perf_counter()
    subprocess.run(argv, check=True, env=env)
    wall = time.perf_counter() - start
    model = out / "model"
    files = {p.name: p.stat().st_size for p in sorted(model.iterdir()) if p.is_file()}
    training = json.loads((model / "config.json").read_text())["training"]
    print(f"wall {wall:.1f} s, train_seconds {training['train_seconds']:.1f}")
    print(f"model folder {sum(files.values()) / 1024:.0f} KiB: {files}")
    keys = ("epochs", "kept_epoch", "windows", "train_windows", "val_windows", "val_macro_f1")
    print({k: training[k] for k in keys})
    print(f"left out (no whole gesture): {training['left_out_of_training']}")
    for source in training["trained_on"]:
        for day, entry in source["days"].items():
            print(
                f"{Path(source['source']).name:16s} {day} streams {source['streams']:4d} "
                f"windows {entry['windows']:5d} {entry['classes']}"
            )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/multiclips/both"))
