"""Bad-input sweep of stop 37's new surfaces: `evaluate --cv --store S --run-id R`,
`evaluate --cv --train-clips`, `train --clips A --clips B` (folder and store mode), and
the metadata.json that dates a training-only session (bench/notes/cliopts.txt).

Each case builds its inputs in its own folder (real clips copied from ../shared/data, a
store with one voice-labelled run r1 as tests/test_crossval_training_only._voice_run makes
it), damages one thing and runs one silkpipe command in its own process (TMPDIR inside the
case folder, run from it). Printed per case: exit status, error lines, whether the line
names the damaged thing, a traceback, whether the store changed (file -> sha256 before and
after), what is left in the output folder (whole / none / PARTIAL), whether a link target
outside the given folders was read (atime set to the epoch first), seconds, last line.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice .venv/bin/python bench/notes/cliopts.py \\
        /tmp/sweep [CASE ...]
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from tests.conftest import every_nth_clip  # noqa: E402
from tests.test_crossval_training_only import _voice_run  # noqa: E402

DATA = REPO.parent.parent / "shared" / "data"
if not DATA.is_dir():
    DATA = Path("/work/shared/data")
SESSION = "20251017_143217_session"
CV = ["evaluate", "--cv", "time-range", "--epochs", "1", "--report", "rep"]


def base(root: Path) -> None:
    """dev (tested clips), d14 (another day's sample clips), s (a store with run r1)."""
    (root / "dev").mkdir(parents=True)
    every_nth_clip(DATA, root / "dev", 8)
    d14 = root / "d14"
    d14.mkdir()
    shutil.copyfile(
        DATA / "clips-20251014" / "session_metadata.json", d14 / "session_metadata.json"
    )
    for path in sorted((DATA / "clips-20251014").glob("*.csv"))[::10]:
        shutil.copyfile(path, d14 / path.name)
    _voice_run(DATA, root / "s", "2025-10-16")


# ---- --run-id: runs that cannot give training-only sessions ---------------------------


def run_align_failed(root):
    """align failed for every session: failures recorded, no label set."""
    shutil.rmtree(root / "s" / "runs" / "r1" / "labels")
    fail = root / "s" / "runs" / "r1" / "failures" / "align"
    fail.mkdir(parents=True)
    (fail / f"{SESSION}.json").write_text(json.dumps({"session": SESSION, "error": "x"}))
    return [*CV, "--clips", "dev", "--store", "s", "--run-id", "r1"], "r1", "fail"


def run_none_gated(root):
    labels = root / "s" / "runs" / "r1" / "labels"
    (labels / "summary.json").write_text(
        json.dumps({"sessions": [SESSION], "failed": {}, "excluded": {SESSION: "gate"}})
    )
    return [*CV, "--clips", "dev", "--store", "s", "--run-id", "r1"], "r1", "fail"


def run_labels_empty(root):
    """The gated session's labels.csv holds a header only (nothing labelled)."""
    (root / "s" / "runs" / "r1" / "labels" / f"{SESSION}.csv").write_text("start,end,label\n")
    return [*CV, "--clips", "dev", "--store", "s", "--run-id", "r1"], "r1", "fail"


def run_labels_garbage(root):
    (root / "s" / "runs" / "r1" / "labels" / f"{SESSION}.csv").write_bytes(b"\xff\x00garbage")
    return [*CV, "--clips", "dev", "--store", "s", "--run-id", "r1"], f"{SESSION}.csv", "fail"


def run_summary_not_object(root):
    (root / "s" / "runs" / "r1" / "labels" / "summary.json").write_text("[1, 2]")
    return [*CV, "--clips", "dev", "--store", "s", "--run-id", "r1"], "summary.json", "fail"


def run_inputs_garbage(root):
    (root / "s" / "runs" / "r1" / "inputs.json").write_text("{not json")
    return [*CV, "--clips", "dev", "--store", "s", "--run-id", "r1"], "inputs.json", "fail"


def run_sensor_missing(root):
    (root / "s" / "sessions" / SESSION / "sensor_data.csv").unlink()
    return [*CV, "--clips", "dev", "--store", "s", "--run-id", "r1"], SESSION, "fail"


def store_is_runs_folder(root):
    """--store one level too deep (the runs/ folder)."""
    return [*CV, "--clips", "dev", "--store", "s/runs", "--run-id", "r1"], "r1", "fail"


def store_is_clips_folder(root):
    return [*CV, "--clips", "dev", "--store", "d14", "--run-id", "r1"], "r1", "fail"


def store_is_a_file(root):
    store = "dev/" + _first(root / "dev")
    return [*CV, "--clips", "dev", "--store", store, "--run-id", "r1"], "r1", "fail"


def store_missing(root):
    return [*CV, "--clips", "dev", "--store", "typo", "--run-id", "r1"], "r1", "fail"


def run_without_inputs_json(root):
    """A run uploaded by a workflow (no inputs.json): evaluate should read, not record."""
    return [*CV, "--clips", "dev", "--store", "s", "--run-id", "r1"], "", "ok"


def _first(folder: Path) -> str:
    return sorted(p.name for p in folder.glob("*.csv"))[0]


# ---- --clips twice / --train-clips: folders that are not what they should be ------------


def _folder_case(make, flag: str, command: str):
    """A case whose second clips folder is ``make(root)`` (a name under root)."""

    def case(root):
        name = make(root)
        if command == "cv":
            argv = [*CV, "--clips", "dev", flag, name]
        elif command == "train":
            argv = ["train", "--clips", "dev", "--clips", name, "--out", "out", "--epochs", "1"]
        else:  # train store mode: the run's sessions plus the two folders
            argv = ["train", "--store", "s", "--run-id", "r1", "--clips", "dev", "--clips", name]
            argv += ["--epochs", "1", "--no-progress"]
        return argv, name, "fail"

    case.__doc__ = make.__doc__
    return case


def empty(root):
    """an empty folder"""
    (root / "empty").mkdir()
    return "empty"


def other_dialect_broken(root):
    """sample-dialect files (session_metadata.json) all broken"""
    folder = root / "broken"
    folder.mkdir()
    shutil.copyfile(root / "d14" / "session_metadata.json", folder / "session_metadata.json")
    for name in ("jump_sample01.csv", "punch_sample01.csv"):
        (folder / name).write_text("timestamp,garbage\n1,2\n")
    return "broken"


def a_file(root):
    """a clip file instead of a folder"""
    return "d14/" + _first(root / "d14")


def link_loop(root):
    """a symlink to itself"""
    os.symlink("loop", root / "loop")
    return "loop"


def loop_inside(root):
    """a folder of good clips with a self-loop link inside"""
    folder = root / "looped"
    shutil.copytree(root / "d14", folder)
    os.symlink("self.csv", folder / "self.csv")
    return "looped"


def link_out_inside(root):
    """a folder of good clips with a link to a clip outside the given folders"""
    folder = root / "linked"
    shutil.copytree(root / "d14", folder)
    outside = root / "outside"
    outside.mkdir()
    shutil.move(str(folder / "jump_sample01.csv"), outside / "jump_sample01.csv")
    os.utime(outside / "jump_sample01.csv", (0, 0))
    os.symlink(outside / "jump_sample01.csv", folder / "jump_sample01.csv")
    return "linked"


def same_by_dotdot(root):
    """--clips dev again as ../<case>/dev"""
    return f"../{root.name}/dev"


def same_by_link(root):
    """--clips dev again through a symlink"""
    os.symlink("dev", root / "devlink")
    return "devlink"


FOLDERS = (empty, other_dialect_broken, a_file, link_loop, loop_inside, link_out_inside)


# ---- metadata.json of the run's session, malformed in each way --------------------------


def _metadata(raw: bytes, why: str):
    def case(root):
        (root / "s" / "sessions" / SESSION / "metadata.json").write_bytes(raw)
        return [*CV, "--clips", "dev", "--store", "s", "--run-id", "r1"], why, "ok"

    return case


METADATA = {
    "meta_invalid_json": (b"{not json", "invalid JSON"),
    "meta_empty": (b"", "invalid JSON"),
    "meta_not_utf8": (b'{"recording_date": "\xff\xfe"}', "invalid JSON"),
    "meta_array": (b"[1, 2]", "not an object"),
    "meta_string": (b'"2025-10-16"', "not an object"),
    "meta_null": (b"null", "not an object"),
    "meta_date_not_iso": (b'{"recording_date": "soon"}', "not an ISO date"),
    "meta_date_number": (b'{"recording_date": 20251016}', "not an ISO date"),
    "meta_date_null": (b'{"recording_date": null}', ""),
    "meta_deep": (b"[" * 100_000 + b"]" * 100_000, "invalid JSON"),
}


def cases() -> dict:
    out = {
        f.__name__: f
        for f in (
            run_align_failed,
            run_none_gated,
            run_labels_empty,
            run_labels_garbage,
            run_summary_not_object,
            run_inputs_garbage,
            run_sensor_missing,
            store_is_runs_folder,
            store_is_clips_folder,
            store_is_a_file,
            store_missing,
            run_without_inputs_json,
        )
    }
    for make in FOLDERS:
        out[f"cv_clips2_{make.__name__}"] = _folder_case(make, "--clips", "cv")
        out[f"cv_train_clips_{make.__name__}"] = _folder_case(make, "--train-clips", "cv")
        out[f"train_folder_{make.__name__}"] = _folder_case(make, "", "train")
        out[f"train_store_{make.__name__}"] = _folder_case(make, "", "store")
    for make in (same_by_dotdot, same_by_link):
        out[f"cv_train_clips_{make.__name__}"] = _folder_case(make, "--train-clips", "cv")
    for name, (raw, why) in METADATA.items():
        out[name] = _metadata(raw, why)
    return out


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (links not followed) -> sha256 (or the link target)."""
    out = {}
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def outputs(root: Path) -> str:
    """What the output folders hold: a report (cv.json), a model folder, the store's model."""
    left = []
    if (root / "rep").exists():
        left.append("rep:" + ("whole" if (root / "rep" / "cv.json").is_file() else "PARTIAL"))
    if (root / "out").exists():
        whole = (root / "out" / "model" / "config.json").is_file()
        left.append("out:" + ("whole" if whole else "PARTIAL"))
    model = root / "s" / "runs" / "r1" / "model.json"
    if (root / "s" / "runs" / "r1" / "model").exists():
        left.append("store-model:" + ("whole" if model.is_file() else "PARTIAL"))
    return ",".join(left) or "none"


def run_case(name: str, case, scratch: Path) -> dict:
    root = scratch / name
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    base(root)
    argv, names, expect = case(root)
    before = tree(root / "s")
    outside = root / "outside" / "jump_sample01.csv"
    tmp = root / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "OMP_NUM_THREADS": "1"}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "silkpipe.cli", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=600,
    )
    after = tree(root / "s")
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    errors = [ln for ln in proc.stderr.splitlines() if ": error: " in ln or "WARNING" in ln]
    lines = [ln for ln in proc.stderr.splitlines() if ": error: " in ln]
    return {
        "case": name,
        "doc": (case.__doc__ or "").strip(),
        "argv": " ".join(str(a) for a in argv),
        "expect": expect,
        "rc": proc.returncode,
        "error_lines": len(lines),
        "names": bool(names) and any(names in ln for ln in errors),
        "traceback": "Traceback" in proc.stderr,
        "store_changed": changed,
        "outputs": outputs(root),
        "read_outside": outside.exists() and outside.stat().st_atime > 0,
        "seconds": round(time.perf_counter() - t0, 1),
        "last": (lines or errors or proc.stderr.splitlines() or [""])[-1][-220:],
        "warnings": [
            ln.split(": ", 1)[-1][-220:] for ln in proc.stderr.splitlines() if "WARN" in ln
        ],
    }


def main() -> None:
    scratch = Path(sys.argv[1])
    chosen = sys.argv[2:]
    rows = []
    for name, case in cases().items():
        if chosen and name not in chosen:
            continue
        row = run_case(name, case, scratch)
        rows.append(row)
        print(
            f"{name:38s} rc={row['rc']} lines={row['error_lines']} nm={'Y' if row['names'] else '-'}"
            f" tb={'Y' if row['traceback'] else '-'} store={row['store_changed'] or '-'}"
            f" out={row['outputs']} readout={'Y' if row['read_outside'] else '-'}"
            f" {row['seconds']}s | {row['last']}",
            flush=True,
        )
    (scratch / "rows.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
