"""`silkpipe evaluate --cv ... --report DIR | head`: the reader of stdout left after the
first lines, and the next print ended the command (exit 1, "[Errno 32] Broken pipe") with
no cv.json: every fold trained so far was lost (sweep 55). With --report the folds go on
into cv.json, the rest not printed; without it the command still ends there."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _clips(data_dir: Path, folder: Path) -> Path:
    """Three samples of each class of clips-20251014, its walk_continuous.csv and its
    session_metadata.json."""
    day = data_dir / "clips-20251014"
    folder.mkdir()
    for name in ("session_metadata.json", "walk_continuous.csv"):
        shutil.copyfile(day / name, folder / name)
    for cls in ("jump", "punch", "turn", "noise"):
        for n in (1, 2, 3):
            shutil.copyfile(day / f"{cls}_sample0{n}.csv", folder / f"{cls}_sample0{n}.csv")
    return folder


@pytest.mark.parametrize("report", [True, False])
def test_cv_whose_stdout_reader_left_still_writes_its_report(data_dir, tmp_path, report):
    clips = _clips(data_dir, tmp_path / "clips")
    argv = [sys.executable, "-m", "silkpipe", "evaluate", "--cv", "time-range"]
    argv += ["--epochs", "1", "--clips", str(clips)]
    argv += ["--report", str(tmp_path / "rep")] if report else []
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    with open(tmp_path / "stderr.txt", "wb") as err:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, env=env, cwd=tmp_path)
        proc.stdout.close()  # type: ignore[union-attr]  # `| head -0`: the reader is gone
        rc = proc.wait(timeout=600)
    lines = (tmp_path / "stderr.txt").read_text().strip().splitlines()
    assert "Traceback" not in "\n".join(lines)
    if report:
        assert rc == 0, lines[-1]
        assert any("stdout closed (its reader left)" in line for line in lines)
        (result,) = json.loads((tmp_path / "rep" / "cv.json").read_text())
        assert result["protocol"] == "time-range" and "pooled_macro_f1" in result
    else:
        assert rc == 1 and lines[-1] == "silkpipe evaluate: error: [Errno 32] Broken pipe"
