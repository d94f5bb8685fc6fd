"""Review of the multiclips merge (helper review37b, stop 37): does one `train --clips`
folder in store mode keep the model key it had before the merge (existing models re-used)?

Builds one small clips-only store and one clip folder (real clips-20251014 samples), then
prints train_plan's key for no --clips and for one --clips folder, under this tree and
under BASE (the parent of the merge, extracted with git archive). Equal keys: re-used.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/review37b.py [BASE]
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import inspect, sys
from pathlib import Path
from silkpipe.steps.train import train_plan
from silkpipe.store import open_store
from silkpipe.training import TrainConfig
store, folder = open_store(sys.argv[1]), Path(sys.argv[2])
several = "clips_dirs" in inspect.signature(train_plan).parameters
one = {"clips_dirs": [folder]} if several else {"clips_dir": folder}
plan = train_plan(store, "r1", TrainConfig())
print(plan.inputs, train_plan(store, "r1", TrainConfig(), **one).inputs, *one)
"""


def _fixture(root: Path) -> tuple[Path, Path]:
    sys.path.insert(0, str(REPO / "tests"))
    import badinputs

    from silkpipe import store as keys
    from silkpipe.store import open_store

    store = open_store(str(root / "store"))
    keys.put_json(store, keys.run_inputs_key("r1"), {"sessions": {}, "clips": {}})
    keys.put_json(store, f"{keys.run_prefix('r1')}/labels/summary.json", {"sessions": []})
    return root / "store", badinputs.sample_clips(root / "day", per_class=1)


def _keys(tree: Path, store: Path, folder: Path) -> str:
    argv = [sys.executable, "-c", PROBE, str(store), str(folder)]
    env = {"PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"}
    run = subprocess.run(argv, env=env, cwd=tree, capture_output=True, text=True, check=True)
    return run.stdout  # cwd: python -c puts it first on sys.path


def main(base: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store, folder = _fixture(Path(tmp))
        old = Path(tmp) / "base"
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", base, "silkpipe"], capture_output=True, check=True
        ).stdout
        (Path(tmp) / "base.tar").write_bytes(archive)
        with tarfile.open(Path(tmp) / "base.tar") as tar:
            tar.extractall(old, filter="data")
        print(f"{base:10s} no --clips / one --clips: {_keys(old, store, folder).strip()}")
        print(f"{'this tree':10s} no --clips / one --clips: {_keys(REPO, store, folder).strip()}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "c0699e0")
