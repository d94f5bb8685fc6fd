"""Thirteenth bad-input sweep (stop 55): sweep 54's known leftovers (evaluate --report into a
model folder; a clip folder dated 9999-12-31; a report's figures on a full disk), then new
ground: other output folders in a model folder (train --out, a folder store, export-report),
train --out inside a folder store, device clip names timed in 2200 or in seconds, a voice
run's session dated 9999-12-31 as --cv training-only data, `evaluate --cv --report | head`,
`transcribe --beam-size 100000`, `transcribe --chunk-length 200`.

The harness is bench/notes/bad_input_harness.py; each case says what the house rule expects
(its verdict is held to that). Each case builds its inputs under SCRATCH/CASE from copies of
../shared/data (never written) and runs what a user types, each command its own process.
The full-disk case mounts a tmpfs (needs root). The beam case runs under `ulimit -v 4 GiB`
(the unbounded beam filled 23 GiB by hand and the OOM killer ended it).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice /work/main/.venv/bin/python \\
        bench/notes/bad_input_sweep55.py /tmp/review55/after --results after.jsonl [CASE ...]
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bad_input_harness import (  # noqa: E402
    AUDIO,
    DATA,
    GOOD,
    PY,
    TRAIN,
    Cases,
    clips,
    copy_session,
    disk,
    env,
    main,
    silkpipe,
    summary,
    trained_model,
)

CASES = Cases()
expect = CASES.expect
MODEL_FILES = "config.json,history.json,model.onnx,model.ts,weights.pt"


def listing(folder: Path) -> str:
    return ",".join(sorted(p.name for p in folder.iterdir())) if folder.is_dir() else "none"


def base_store(scratch: Path) -> Path:
    """A store holding run r of the good session alone (made once a sweep, then copied)."""
    base = scratch / "_base"
    if not (base / "store" / "runs" / "r" / "report").is_dir():
        shutil.rmtree(base, ignore_errors=True)
        copy_session(DATA / "sessions" / GOOD, base / "one" / GOOD)
        silkpipe(base, "run", "one", "--store", "store", "--run-id", "r", "--workers", "1")
    return base / "store"


# ---- output folders in a model folder ------------------------------------------------------


@expect(
    "rc 2 naming out/model (a model folder); the model folder holds its files only",
    "rc=2",
    "a model folder",
    f"model={MODEL_FILES}",
)
def evaluate_report_into_model_folder(root: Path) -> str:
    """`evaluate --model out/model --clips clips --report out/model`, then train again."""
    model = trained_model(root)
    proc = silkpipe(
        root, "evaluate", "--model", "out/model", "--clips", "clips", "--report", "out/model"
    )
    held = listing(model)
    silkpipe(root, *TRAIN)
    kept = "yes" if (model / "metrics.json").is_file() else "no"
    return summary(proc, f"model={held} report_after_retrain={kept}", "out/model")


@expect(
    "rc 2 naming out/model; no model nested in the old one",
    "rc=2",
    "a model folder",
    f"model={MODEL_FILES}",
)
def train_out_is_the_model_folder(root: Path) -> str:
    """`train --clips clips --out out/model`: the folder evaluate --model was given."""
    model = trained_model(root)
    proc = silkpipe(root, "train", "--clips", "clips", "--out", "out/model", "--epochs", "1")
    return summary(proc, f"model={listing(model)}", "out/model")


@expect(
    "rc 2 naming the store path (a model folder); nothing written into it",
    "rc=2",
    "a model folder",
    f"model={MODEL_FILES}",
)
def upload_store_in_model_folder(root: Path) -> str:
    """`sessions upload sessions --store out/model --run-id r`."""
    model = trained_model(root)
    copy_session(DATA / "sessions" / GOOD, root / "sessions" / GOOD)
    proc = silkpipe(root, "sessions", "upload", "sessions", "--store", "out/model", "--run-id", "r")
    return summary(proc, f"model={listing(model)}", "model")


@expect(
    "rc 2 naming DEST (inside a model folder); nothing written into it",
    "rc=2",
    "model folder",
    f"model={MODEL_FILES}",
)
def export_report_into_model_subfolder(root: Path) -> str:
    """`sessions export-report --store store --run-id r out/model/report`."""
    model = trained_model(root)
    shutil.copytree(base_store(root.parent), root / "store")
    argv = ("sessions", "export-report", "--store", "store", "--run-id", "r", "out/model/report")
    proc = silkpipe(root, *argv)
    return summary(proc, f"model={listing(model)}", "out/model")


@expect(
    "rc 2 naming the store; its published model versions kept",
    "rc=2",
    "the store",
    "versions=kept",
)
def train_out_inside_store(root: Path) -> str:
    """`train --clips clips --out store/runs/r`: out/model is the store's runs/r/model."""
    clips(root)
    shutil.copytree(base_store(root.parent), root / "store")
    before = listing(root / "store/runs/r/model")
    proc = silkpipe(root, "train", "--clips", "clips", "--out", "store/runs/r", "--epochs", "1")
    now = listing(root / "store/runs/r/model")
    return summary(proc, "versions=" + ("kept" if now == before else f"CHANGED:{now}"), "store")


# ---- dates no recording has ----------------------------------------------------------------


def leave_day_out(root: Path, *folders: str, extra: tuple[str, ...] = ()):
    argv = ["evaluate", "--cv", "leave-day-out", "--epochs", "1", *extra]
    for folder in folders:
        argv += ["--clips", folder]
    return silkpipe(root, *argv)


def days(proc) -> str:
    found = sorted(set(re.findall(r"test day (\S+)", proc.stdout.decode())))
    return "days=" + (",".join(found) or "-")


def dev_clips(root: Path, name: str = "dev", shift_ms: int = 0) -> Path:
    """Two clips-dev clips of each class, their names' times moved by ``shift_ms``."""
    out = root / name
    out.mkdir()
    for cls in ("jump", "punch", "turn", "walk", "idle"):
        for path in sorted((DATA / "clips-dev").glob(f"{cls}_*_to_*.csv"))[:2]:
            moved = re.sub(r"\d{13}", lambda m: str(int(m.group()) + shift_ms), path.name)
            shutil.copyfile(path, out / moved)
    return out


@expect(
    "rc 2 naming d2/session_metadata.json (a date in the future); no day 9999-12-31 scored",
    "rc=2",
    "session_metadata.json",
    refuses=("9999-12-31 ",),
)
def ldo_clips_dated_9999_12_31(root: Path) -> str:
    """A second copy of the 20251014 samples whose session_metadata.json says 9999-12-31."""
    clips(root)
    clips(root, name="d2")
    meta = root / "d2" / "session_metadata.json"
    data = json.loads(meta.read_text())
    meta.write_text(json.dumps({**data, "date": "9999-12-31T10:00:00", "session_id": "x2"}))
    proc = leave_day_out(root, "clips", "d2")
    return summary(proc, days(proc), "d2")


@expect(
    "rc 2 naming a clip of 2199/2200 (its name's time is in the future); no such day scored",
    "rc=2",
    "in the future",
    refuses=("test day 2199", "test day 2200"),
)
def ldo_device_clips_timed_2200(root: Path) -> str:
    """clips-dev names moved to 2200 (a watch clock set far ahead), beside the 20251014
    samples."""
    clips(root)
    dev_clips(root, shift_ms=7258118400000 - 1760841417930)
    proc = leave_day_out(root, "clips", "dev")
    return summary(proc, days(proc), "dev/")


@expect(
    "the renamed clip named (rc 2 partial), the model trained on the others",
    "rc=2",
    "13 digits",
    "model=yes",
)
def train_clip_button_in_seconds(root: Path) -> str:
    """A clips-dev clip renamed jump_<s>_to_<s>.csv (seconds for milliseconds)."""
    dev = dev_clips(root, name="clips")
    first = sorted(dev.glob("jump_*.csv"))[0]
    _, start, _, end = first.stem.split("_")
    first.rename(dev / f"jump_{start[:10]}_to_{end[:10]}.csv")
    proc = silkpipe(root, "train", "--clips", "clips", "--out", "out", "--epochs", "1")
    made = "yes" if (root / "out/model/config.json").is_file() else "no"
    return summary(proc, f"model={made}", "jump_")


@expect(
    "the session's recording_date named; the session dated 2025-10-17 by its name (rc 0)",
    "rc=0",
    "recording_date",
    "session_day=2025-10-17",
)
def cv_training_only_session_dated_9999(root: Path) -> str:
    """A voice run whose session's metadata.json says recording_date 9999-12-31, as
    `evaluate --cv leave-day-out --store --run-id` training-only data."""
    session = copy_session(DATA / "sessions" / GOOD, root / "one" / GOOD)
    data = json.loads((session / "metadata.json").read_text())
    data["recording_date"] = "9999-12-31T10:00:00"
    (session / "metadata.json").write_text(json.dumps(data))
    silkpipe(root, "run", "one", "--store", "store", "--run-id", "r", "--workers", "1")
    clips(root)
    dev_clips(root)
    extra = ("--store", "store", "--run-id", "r", "--json")
    proc = leave_day_out(root, "clips", "dev", extra=extra)
    try:
        runs = json.loads(proc.stdout.decode())[0]["training_only"]
        day = {s["day"] for r in runs for s in r.get("sessions", [])}
    except (ValueError, KeyError, IndexError, TypeError):
        day = {"?"}
    return summary(proc, f"session_day={','.join(sorted(day))}", "recording_date")


@expect(
    "rc 2 naming clips/session_metadata.json before anything is uploaded; no store",
    "rc=2",
    "session_metadata.json",
    "store=none",
)
def upload_clips_dated_9999_12_31(root: Path) -> str:
    """`sessions upload sessions --clips clips --store store --run-id r`, the clips folder's
    session_metadata.json dated 9999-12-31."""
    copy_session(DATA / "sessions" / GOOD, root / "sessions" / GOOD)
    clips(root)
    meta = root / "clips" / "session_metadata.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "date": "9999-12-31"}))
    argv = ("sessions", "upload", "sessions", "--clips", "clips", "--store", "store")
    proc = silkpipe(root, *argv, "--run-id", "r")
    stored = len(list((root / "store").rglob("*.csv"))) if (root / "store").exists() else 0
    return summary(proc, f"store={stored or 'none'}", "session_metadata")


# ---- sweep 52's leftover: the report's figures on a full disk ------------------------------


@expect(
    "one 'no space' line, rc 1; the store's report folder as it was (no partial figures)",
    "rc=1",
    "No space",
    "report_folder=kept",
)
def report_full_disk_after_first_figure(root: Path) -> str:
    """`report --force` with 100 KB left: the disk fills inside the figures."""
    base = base_store(root.parent)
    with disk(root / "store", "12M") as store:
        shutil.copytree(base, store, dirs_exist_ok=True)
        free = shutil.disk_usage(store).free
        (store / ".filler").write_bytes(b"\0" * max(0, free - 100_000))
        before = {str(p.relative_to(store)) for p in (store / "runs/r/report").rglob("*")}
        proc = silkpipe(root, "report", "--store", "store", "--run-id", "r", "--force")
        after = {str(p.relative_to(store)) for p in (store / "runs/r/report").rglob("*")}
        state = "kept" if after == before else f"CHANGED:+{sorted(after - before)[:2]}"
        return summary(proc, f"report_folder={state}", "figures")


# ---- a stdout whose reader left; a beam of 100000 ------------------------------------------


@expect(
    "cv.json written with every protocol (the rest not printed), rc 0",
    "rc=0",
    "cv.json=3",
)
def cv_report_stdout_closed(root: Path) -> str:
    """`evaluate --cv all --epochs 1 --clips clips --report rep | head -2`."""
    clips(root)
    cmd = f"{PY} -m silkpipe.cli evaluate --cv all --epochs 1 --clips clips --report rep"
    cmd += " 2>>stderr.txt | head -2 >/dev/null; exit ${PIPESTATUS[0]}"
    proc = subprocess.run(["bash", "-c", cmd], cwd=root, env=env(root), capture_output=True)
    proc.stderr = (root / "stderr.txt").read_bytes()
    cv = root / "rep" / "cv.json"
    n = len(json.loads(cv.read_text())) if cv.is_file() else 0
    return summary(proc, f"cv.json={n}", "stdout")


@expect(
    "rc 2 naming --beam-size, before any decoding (never an OOM kill)",
    "rc=2",
    "--beam-size",
)
def transcribe_beam_size_100000(root: Path) -> str:
    """`transcribe S --beam-size 100000`, under a 4 GiB address-space limit."""
    copy_session(
        DATA / "sessions" / AUDIO,
        root / "sessions" / AUDIO,
        ("sensor_data.csv", "metadata.json", "audio_16k.wav"),
    )
    silkpipe(root, "sessions", "upload", "sessions", "--store", "store", "--run-id", "r")
    cmd = f"ulimit -v 4194304; exec {PY} -m silkpipe.cli transcribe {AUDIO} --store store"
    cmd += " --run-id r --beam-size 100000"
    proc = subprocess.run(
        ["bash", "-c", cmd], cwd=root, env=env(root), capture_output=True, timeout=600
    )
    return summary(proc, "", "beam")


@expect(
    "taken (faster-whisper splits its windows), rc 0",
    "rc=0",
    "transcribed 1",
)
def transcribe_chunk_length_200(root: Path) -> str:
    """`transcribe S --chunk-length 200` (Whisper's window is 30 s) on 178 s of audio."""
    name = "20251017_135233_session"
    copy_session(
        DATA / "sessions" / name,
        root / "sessions" / name,
        ("sensor_data.csv", "metadata.json", "audio_16k.wav"),
    )
    silkpipe(root, "sessions", "upload", "sessions", "--store", "store", "--run-id", "r")
    argv = ("transcribe", name, "--store", "store", "--run-id", "r", "--chunk-length", "200")
    proc = silkpipe(root, *argv, "--threads", "1")
    return summary(proc, "", "chunk")


if __name__ == "__main__":
    main(CASES)
