"""Eighth bad-input sweep (stop 49): cases the seven earlier sweeps (bad_input_sweep,
session_bad_input_sweep, entry_bad_input_sweep, bad_input_sweep39, 40, 42, 43, 47, 48) did
not build: labels.csv of train/evaluate --sessions with infinite, huge or non-UTF-8 rows, a
header only, a folder or a pipe of that name; `sessions export-report` into a folder holding
another run's export, failing midway, into a file; `transcribe --sessions-file` not UTF-8;
a model folder whose config.json names other input channels or a window that is not the
one it was trained with; a checkpoint torch reads that is no checkpoint; train killed
mid-fit then run again on other clips; a sample clip that is another's byte copy or a link
to it inside the folder; the continuous clip's metadata variants; transcripts with plural
or past-tense command words. Table and verdicts: bench/notes/bad_input_sweep49.txt.

The harness is bench/notes/bad_input_harness.py. Each case builds its inputs under
SCRATCH from copies of ../shared/data (never written) and runs what a user types, each
command its own process.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice /work/main/.venv/bin/python \\
        bench/notes/bad_input_sweep49.py /tmp/review49/bad [CASE ...]
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bad_input_harness import (  # noqa: E402
    DATA,
    GOOD,
    PY,
    TRAIN,
    Cases,
    clips,
    copy_session,
    edit_transcript,
    env,
    labelled_sessions,
    main,
    model_files,
    run_case,
    sessions,
    silkpipe,
    summary,
    trained_model,
)

CASES = Cases()
case = CASES.add
TRAIN_S = ("train", "--sessions", "s", "--out", "out", "--epochs", "1")
EVAL_S = ("evaluate", "--model", "out/model", "--sessions", "s", "--json")


def streams_trained(root: Path) -> str:
    cfg = root / "out" / "model" / "config.json"
    if not cfg.is_file():
        return "model=no"
    n = json.loads(cfg.read_text())["training"]["trained_on"][0]["streams"]
    return f"model=yes streams={n}"


def add_label_row(root: Path, row: bytes) -> None:
    with open(root / "s" / "b" / "labels.csv", "ab") as f:
        f.write(row)


# ---- labels.csv of train / evaluate --sessions ----------------------------------------


def train_sessions_with(root: Path, row: bytes) -> str:
    labelled_sessions(root, 0.0)
    add_label_row(root, row)
    return summary(silkpipe(root, *TRAIN_S), streams_trained(root), "labels")


@case
def train_sessions_labels_infinite(root: Path) -> str:
    """b's labels.csv gains the row '-inf,inf,walk' (a label over all time)."""
    return train_sessions_with(root, b"-inf,inf,walk\n")


@case
def train_sessions_labels_huge_end(root: Path) -> str:
    """b's labels.csv gains the row '10,1e308,walk'."""
    return train_sessions_with(root, b"10,1e308,walk\n")


@case
def train_sessions_labels_latin1(root: Path) -> str:
    """b's labels.csv gains a row with a Latin-1 byte ('no\\xefse')."""
    return train_sessions_with(root, b"10,11,no\xefse\n")


@case
def train_sessions_labels_bom(root: Path) -> str:
    """b's labels.csv saved with a byte-order mark (a Windows editor)."""
    labelled_sessions(root, 0.0)
    path = root / "s" / "b" / "labels.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    return summary(silkpipe(root, *TRAIN_S), streams_trained(root), "labels")


def edit_label_rows(root: Path, fn) -> None:
    path = root / "s" / "b" / "labels.csv"
    header, *rows = path.read_text().splitlines()
    path.write_text("\n".join([header, *fn([r.split(",") for r in rows])]) + "\n")


@case
def train_sessions_labels_overlapping(root: Path) -> str:
    """Every label of b ends 2 s late, over the next label (two classes at one time)."""
    labelled_sessions(root, 0.0)
    edit_label_rows(root, lambda rows: [f"{a},{float(b) + 2.0},{c}" for a, b, c in rows])
    return summary(silkpipe(root, *TRAIN_S), streams_trained(root), "labels")


@case
def train_sessions_labels_shuffled(root: Path) -> str:
    """b's label rows in reverse order."""
    labelled_sessions(root, 0.0)
    edit_label_rows(root, lambda rows: [",".join(r) for r in rows[::-1]])
    return summary(silkpipe(root, *TRAIN_S), streams_trained(root), "labels")


@case
def train_sessions_labels_header_only(root: Path) -> str:
    labelled_sessions(root, 0.0)
    (root / "s" / "b" / "labels.csv").write_text("start,end,label\n")
    return summary(silkpipe(root, *TRAIN_S), streams_trained(root), "labels")


@case
def train_sessions_labels_is_folder(root: Path) -> str:
    labelled_sessions(root, 0.0)
    (root / "s" / "b" / "labels.csv").unlink()
    (root / "s" / "b" / "labels.csv").mkdir()
    return summary(silkpipe(root, *TRAIN_S), streams_trained(root), "labels")


@case
def train_sessions_copy(root: Path) -> str:
    """s/b a copy of s/a (sensor file and labels), as a user copies a folder to try."""
    labelled_sessions(root, 0.0)
    return summary(silkpipe(root, *TRAIN_S), streams_trained(root), "copy")


@case
def train_sessions_labels_without_sensor_file(root: Path) -> str:
    """s/b holds labels.csv, its sensor file named sensor_data (1).csv (a browser download)."""
    labelled_sessions(root, 0.0)
    (root / "s" / "b" / "sensor_data.csv").rename(root / "s" / "b" / "sensor_data (1).csv")
    return summary(silkpipe(root, *TRAIN_S), streams_trained(root), "b")


@case
def evaluate_sessions_labels_infinite(root: Path) -> str:
    trained_model(root)
    labelled_sessions(root, 0.0)
    add_label_row(root, b"-inf,inf,walk\n")
    proc = silkpipe(root, *EVAL_S)
    got = proc.stdout.decode(errors="replace")
    n = json.loads(got).get("windows", "?") if got.strip().startswith("{") else "-"
    return summary(proc, f"windows={n}", "labels")


@case
def evaluate_sessions_labels_latin1(root: Path) -> str:
    trained_model(root)
    labelled_sessions(root, 0.0)
    add_label_row(root, b"10,11,no\xefse\n")
    return summary(silkpipe(root, *EVAL_S), "", "labels")


# ---- sessions export-report ------------------------------------------------------------


def base_store(scratch: Path) -> Path:
    """One store with runs r (GOOD alone) and r2 (GOOD and 143217), made once per scratch."""
    base = scratch / "_base"
    if (base / "store" / "runs" / "r2" / "report" / "index.html").is_file():
        return base / "store"
    shutil.rmtree(base, ignore_errors=True)
    copy_session(DATA / "sessions" / GOOD, base / "one" / GOOD)
    copy_session(DATA / "sessions" / GOOD, base / "two" / GOOD)
    copy_session(DATA / "sessions" / "20251017_143217_session", base / "two" / "other_session")
    for folder, run in (("one", "r"), ("two", "r2")):
        argv = ("run", folder, "--store", "store", "--run-id", run, "--workers", "1")
        silkpipe(base, *argv)
    return base / "store"


def export(root: Path, run: str, dest: str = "dest") -> subprocess.CompletedProcess:
    argv = ("sessions", "export-report", "--store", "store", "--run-id", run, dest)
    return silkpipe(root, *argv)


def listing(folder: Path) -> str:
    if not folder.is_dir():
        return "dest=none"
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    return f"dest={len(files)} files"


@case
def export_over_other_runs_export(root: Path) -> str:
    """export r2, then r into the same DEST: DEST should be r's report, whole."""
    shutil.copytree(base_store(root.parent), root / "store")
    export(root, "r2")
    before = listing(root / "dest")
    proc = export(root, "r")
    page = (root / "dest" / "index.html").read_text(errors="replace")
    stale = (
        "STALE(other run's files kept)"
        if "other_session" in " ".join(str(p) for p in (root / "dest").rglob("*"))
        and "other_session" not in page
        else ""
    )
    return summary(proc, f"after r2 {before}; after r {listing(root / 'dest')} {stale}", "dest")


@case
def export_fails_midway(root: Path) -> str:
    """DEST holds r2's export; r's export then fails on a report file the store lost."""
    shutil.copytree(base_store(root.parent), root / "store")
    export(root, "r2")
    old = {p: p.read_bytes() for p in (root / "dest").rglob("*") if p.is_file()}
    report = root / "store" / "runs" / "r" / "report"
    figures = sorted(p for p in report.rglob("*.png"))
    figures[-1].unlink()
    figures[-1].mkdir()  # a key whose bytes cannot be read
    proc = export(root, "r")
    changed = sum(1 for p, b in old.items() if not p.is_file() or p.read_bytes() != b)
    return summary(proc, f"{listing(root / 'dest')} changed_of_old={changed}/{len(old)}", "dest")


@case
def export_dest_is_file(root: Path) -> str:
    shutil.copytree(base_store(root.parent), root / "store")
    (root / "dest").write_text("notes\n")
    proc = export(root, "r")
    return summary(proc, f"dest_is_file={(root / 'dest').is_file()}", "dest")


# ---- transcribe --sessions-file ----------------------------------------------------------


@case
def transcribe_sessions_file_latin1(root: Path) -> str:
    sessions(root)
    silkpipe(root, "sessions", "upload", "sessions", "--store", "store", "--run-id", "r")
    (root / "names.txt").write_bytes(b"case_session\ncaf\xe9_session\n")
    argv = ("transcribe", "--sessions-file", "names.txt", "--store", "store", "--run-id", "r")
    return summary(silkpipe(root, *argv), "", "names.txt")


# ---- model folders edited by hand (evaluate) -------------------------------------------------


def edit_config(root: Path, fn) -> None:
    cfg = trained_model(root) / "config.json"
    cfg.write_text(json.dumps(fn(json.loads(cfg.read_text())), indent=2))


@case
def evaluate_config_channels_swapped(root: Path) -> str:
    """config.json's channels list with accel_x and gyro_x swapped (another layout)."""

    def swap(c):
        ch = c["channels"]
        i, j = ch.index("accel_x"), ch.index("gyro_x")
        ch[i], ch[j] = ch[j], ch[i]
        return c

    edit_config(root, swap)
    return summary(
        silkpipe(root, "evaluate", "--model", "out/model", "--clips", "clips"), "", "config"
    )


@case
def evaluate_config_rate_edited(root: Path) -> str:
    """config.json's window.rate 50 -> 100 (same length: the model still takes it)."""

    def rate(c):
        c["window"]["rate"] = 100.0
        return c

    edit_config(root, rate)
    return summary(
        silkpipe(root, "evaluate", "--model", "out/model", "--clips", "clips"), "", "config"
    )


# ---- train --out checkpoints ----------------------------------------------------------------


@case
def train_checkpoint_not_a_checkpoint(root: Path) -> str:
    """out/model.partial/checkpoint.pt a file torch reads that is no checkpoint (a list)."""
    clips(root)
    staging = root / "out" / "model.partial"
    staging.mkdir(parents=True)
    code = f"import torch; torch.save([1, 2, 3], {str(staging / 'checkpoint.pt')!r})"
    subprocess.run([PY, "-c", code], check=True)
    proc = silkpipe(root, *TRAIN)
    return summary(proc, model_files(root), "checkpoint")


@case
def train_killed_rerun_other_clips(root: Path) -> str:
    """train --epochs 4 killed (SIGKILL) once a checkpoint exists; again without 3 clips."""
    clips(root)
    argv = [PY, "-m", "silkpipe.cli", "train", "--clips", "clips", "--out", "out"]
    argv += ["--epochs", "4", "--no-progress", "--min-epochs", "4"]
    proc = subprocess.Popen(argv, cwd=root, env=env(root), stderr=subprocess.DEVNULL)
    ckpt = root / "out" / "model.partial" / "checkpoint.pt"
    for _ in range(3000):
        if ckpt.is_file() or proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for p in sorted((root / "clips").glob("jump_sample*.csv"))[:3]:
        p.unlink()
    again = silkpipe(root, "train", "--clips", "clips", "--out", "out", "--epochs", "4")
    err = again.stderr.decode(errors="replace")
    hist = root / "out" / "model" / "config.json"
    resumed = (
        json.loads(hist.read_text())["training"]["resumed_from_epoch"] if hist.is_file() else "-"
    )
    ignored = "ignoring" in err
    return summary(
        again,
        f"ckpt_seen={ckpt.is_file() or 'gone'} resumed_from={resumed} ignored_line={ignored}",
        "checkpoint",
    )


# ---- sample clips: copies and the continuous clip's metadata ----------------------------------


@case
def c14_sample_byte_copy(root: Path) -> str:
    """jump_sample04.csv a byte copy of jump_sample01.csv (one sample in two slots)."""
    c = clips(root)
    shutil.copyfile(c / "jump_sample01.csv", c / "jump_sample04.csv")
    proc = silkpipe(root, *TRAIN)
    return summary(proc, model_files(root), "sample")


@case
def c14_sample_link_in(root: Path) -> str:
    """jump_sample04.csv a link to jump_sample01.csv in the same folder."""
    c = clips(root)
    (c / "jump_sample04.csv").symlink_to("jump_sample01.csv")
    proc = silkpipe(root, *TRAIN)
    return summary(proc, model_files(root), "sample")


@case
def c14_cv_sample_byte_copy(root: Path) -> str:
    """evaluate --cv time-range on a folder with jump_sample04 = jump_sample01's bytes."""
    c = clips(root, per_class=6)
    shutil.copyfile(c / "jump_sample01.csv", c / "jump_sample07.csv")
    argv = ("evaluate", "--cv", "time-range", "--clips", "clips", "--seeds", "1", "--epochs", "1")
    return summary(silkpipe(root, *argv), "", "sample")


def edit_meta(root: Path, fn) -> Path:
    c = clips(root)
    meta = c / "session_metadata.json"
    meta.write_text(json.dumps(fn(json.loads(meta.read_text()))))
    return c


@case
def c14_meta_duration_zero_point_one(root: Path) -> str:
    """recording_duration_sec 0.1 (the samples are ~2.5 s)."""
    edit_meta(root, lambda m: {**m, "recording_duration_sec": 0.1})
    return summary(silkpipe(root, *TRAIN), model_files(root), "metadata")


@case
def c14_meta_session_id_other_folder(root: Path) -> str:
    """Two sample folders, the second a different day's copy with the same session_id."""
    clips(root)
    c2 = clips(root, name="clips2")
    meta = json.loads((c2 / "session_metadata.json").read_text())
    meta["date"] = "2025-10-20T10:00:00"
    (c2 / "session_metadata.json").write_text(json.dumps(meta))
    argv = ("train", "--clips", "clips", "--clips", "clips2", "--out", "out", "--epochs", "1")
    return summary(silkpipe(root, *argv), model_files(root), "clips2")


@case
def c14_continuous_without_samples(root: Path) -> str:
    """walk_continuous.csv beside jump samples only (metadata lists five gestures)."""
    c = clips(root)
    for p in c.glob("*_sample*.csv"):
        if not p.name.startswith("jump"):
            p.unlink()
    return summary(silkpipe(root, *TRAIN), model_files(root), "sample")


# ---- evaluate on what the model was trained on; --report over things -------------------------


def evaluate_json(root: Path, clips_dir: str) -> str:
    argv = ("evaluate", "--model", "out/model", "--clips", clips_dir, "--json")
    proc = silkpipe(root, *argv)
    got = proc.stdout.decode(errors="replace")
    f1 = json.loads(got).get("macro_f1", "?") if got.strip().startswith("{") else "-"
    return summary(proc, f"macro_f1={f1}", "trained")


@case
def evaluate_on_its_training_clips(root: Path) -> str:
    """evaluate --model out/model --clips clips: the very clips it was trained on."""
    trained_model(root)
    return evaluate_json(root, "clips")


@case
def evaluate_on_a_copy_of_its_training_clips(root: Path) -> str:
    """The training clips copied to another folder, then evaluated on."""
    trained_model(root)
    shutil.copytree(root / "clips", root / "copy")
    return evaluate_json(root, "copy")


@case
def evaluate_report_is_file(root: Path) -> str:
    trained_model(root)
    (root / "rep").write_text("notes\n")
    argv = ("evaluate", "--model", "out/model", "--clips", "clips", "--report", "rep")
    proc = silkpipe(root, *argv)
    return summary(proc, f"rep_is_file={(root / 'rep').is_file()}", "rep")


@case
def evaluate_report_inside_clips_then_train(root: Path) -> str:
    """--report clips/rep, then train on clips again: the report is not read as clips."""
    trained_model(root)
    argv = ("evaluate", "--model", "out/model", "--clips", "clips", "--report", "clips/rep")
    first = silkpipe(root, *argv)
    shutil.rmtree(root / "out")
    proc = silkpipe(root, *TRAIN)
    return summary(proc, f"eval rc={first.returncode} {model_files(root)}", "rep")


# ---- transcripts (run) -----------------------------------------------------------------------


@case
def tr_words_inflected(root: Path) -> str:
    """Every command word inflected ('jumps', 'punched', 'turning'): not the commands."""
    s = sessions(root)

    def inflect(data):
        for seg in data["segments"]:
            for w in seg.get("words", []):
                w["word"] = w["word"].rstrip() + "s"
        data.pop("word_segments", None)
        return data

    edit_transcript(s, inflect)
    return run_case(root)


if __name__ == "__main__":
    main(CASES)
