"""Seventh bad-input sweep (stop 48): cases the seven earlier sweeps (bad_input_sweep,
session_bad_input_sweep, entry_bad_input_sweep, bad_input_sweep39, 40, 42, 43, 47) did not
build: transcripts whose segments carry no word list, a NaN literal, upper-case and
punctuated command words, overlapping words, UTF-16; a sensor file of two rows; a sample
folder whose session_metadata.json lists a gesture with no files, a sample count that
disagrees, or is missing; train --out re-runs that fail, a damaged checkpoint left in
DIR/model.partial, two trainings into one --out with their own TMPDIRs, DIR/model a file
or a link, --out inside --sessions; synth into a written folder, into its own --from-clips
folder, killed mid-write; empty-string paths; a file manager's copy of a clip; labels.csv
off its session's stream (train and evaluate --sessions); transcript times in ms; a
config.json edited by hand (a trailing comma, the window doubled). Table and verdicts:
bench/notes/bad_input_sweep48.txt.

The harness is bench/notes/bad_input_harness.py. Each case builds its inputs under
SCRATCH from copies of ../shared/data (never written) and runs what a user types, each
command its own process.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice /work/main/.venv/bin/python \\
        bench/notes/bad_input_sweep48.py /tmp/review48/bad [CASE ...]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bad_input_harness import (  # noqa: E402
    PY,
    TRAIN,
    Cases,
    clips,
    edit_transcript,
    env,
    labelled_sessions,
    main,
    model_files,
    run_case,
    sessions,
    silkpipe,
    summary,
    train_clips,
    trained_model,
)

CASES = Cases()
case = CASES.add


# ---- transcripts ----------------------------------------------------------------------


@case
def tr_segments_without_words(root: Path) -> str:
    """Whisper run without word timestamps: segments keep text, start, end; no words."""
    s = sessions(root)

    def strip(data):
        for seg in data["segments"]:
            seg.pop("words", None)
        data.pop("word_segments", None)
        return data

    edit_transcript(s, strip)
    return run_case(root)


@case
def tr_nan_literal(root: Path) -> str:
    s = sessions(root)
    path = s / "whisperx_output.json"
    data = json.loads(path.read_text())
    data["segments"][0]["words"][0]["start"] = float("nan")
    path.write_text(json.dumps(data))  # writes the NaN literal
    return run_case(root)


@case
def tr_words_upper_punct(root: Path) -> str:
    """Every word upper-cased with '!' after it ('JUMP!'): the same commands."""
    s = sessions(root)

    def shout(data):
        for seg in data["segments"]:
            for w in seg.get("words", []):
                w["word"] = w["word"].strip().upper() + "!"
        return data

    edit_transcript(s, shout)
    return run_case(root)


@case
def tr_words_overlapping(root: Path) -> str:
    """Each word ends 1 s after the next starts."""
    s = sessions(root)

    def overlap(data):
        words = [w for seg in data["segments"] for w in seg.get("words", [])]
        for a, b in zip(words, words[1:], strict=False):
            if "start" in b and "end" in a:
                a["end"] = b["start"] + 1.0
        return data

    edit_transcript(s, overlap)
    return run_case(root)


@case
def tr_utf16(root: Path) -> str:
    s = sessions(root)
    path = s / "whisperx_output.json"
    path.write_bytes(path.read_text().encode("utf-16"))
    return run_case(root)


# ---- sensor file --------------------------------------------------------------------


@case
def csv_two_rows(root: Path) -> str:
    s = sessions(root)
    lines = (s / "sensor_data.csv").read_text().splitlines()
    (s / "sensor_data.csv").write_text("\n".join(lines[:3]) + "\n")
    return run_case(root)


# ---- sample folder metadata ---------------------------------------------------------


def edit_meta(folder: Path, fn) -> None:
    path = folder / "session_metadata.json"
    path.write_text(json.dumps(fn(json.loads(path.read_text()))))


@case
def c14_meta_gesture_without_files(root: Path) -> str:
    c = clips(root)
    edit_meta(c, lambda m: {**m, "gestures_completed": [*m["gestures_completed"], "kick"]})
    return train_clips(root)


@case
def c14_meta_samples_disagree(root: Path) -> str:
    """samples_per_gesture says 40, the folder holds 3 per class."""
    clips(root)
    return train_clips(root)


@case
def c14_meta_missing(root: Path) -> str:
    c = clips(root)
    (c / "session_metadata.json").unlink()
    return train_clips(root, mark="metadata")


@case
def c14_synth_gesture_without_files(root: Path) -> str:
    c = clips(root)
    edit_meta(c, lambda m: {**m, "gestures_completed": ["kick", *m["gestures_completed"]]})
    argv = ("synth", "--from-clips", "clips", "--out", "syn", "--seed", "1")
    proc = silkpipe(root, *argv)
    made = sorted(p.name for p in (root / "syn").glob("*")) if (root / "syn").exists() else []
    return summary(proc, f"syn={made}", "kick")


# ---- output folders -----------------------------------------------------------------


@case
def train_rerun_fails_keeps_old(root: Path) -> str:
    """A finished model in out/, then a re-run whose clips are all unreadable."""
    c = clips(root)
    silkpipe(root, *TRAIN)
    before = model_files(root)
    for p in c.glob("*_sample*.csv"):
        p.write_text("garbage\n")
    proc = silkpipe(root, *TRAIN)
    same = "same" if model_files(root) == before else f"CHANGED {model_files(root)}"
    return summary(proc, f"{before} after={same}", "clips")


@case
def train_partial_checkpoint_damaged(root: Path) -> str:
    """A checkpoint.pt cut short in out/model.partial (a copy, a full disk)."""
    clips(root)
    staging = root / "out" / "model.partial"
    staging.mkdir(parents=True)
    (staging / "checkpoint.pt").write_bytes(b"PK\x03\x04 cut short")
    proc = silkpipe(root, *TRAIN)
    again = silkpipe(root, *TRAIN)
    return summary(proc, f"{model_files(root)} rerun_rc={again.returncode}", "checkpoint")


@case
def train_two_at_once_own_tmpdirs(root: Path) -> str:
    """Two trainings into one --out, each with its own TMPDIR (two batch jobs)."""
    clips(root)
    procs = []
    for n in (1, 2):
        tmp = root / f"tmp{n}"
        tmp.mkdir()
        e = {**env(root), "TMPDIR": str(tmp)}
        argv = [PY, "-m", "silkpipe.cli", *TRAIN[:-1], "3", "--no-progress"]
        procs.append(subprocess.Popen(argv, cwd=root, env=e, stderr=subprocess.PIPE))
    errs = [p.communicate(timeout=900)[1] for p in procs]
    rcs = [p.returncode for p in procs]
    tails = [e.decode(errors="replace").strip().splitlines()[-1:] for e in errs]
    (root / "stderr.txt").write_bytes(b"\n=====\n".join(errs))
    return f"rc={rcs} {model_files(root)} | {tails}"


@case
def synth_out_is_its_clips(root: Path) -> str:
    """synth --from-clips clips --out clips: its clips written among the real ones?"""
    c = clips(root)
    before = sorted(p.name for p in c.iterdir())
    proc = silkpipe(root, "synth", "--from-clips", "clips", "--out", "clips", "--seed", "1")
    added = sorted(set(p.name for p in c.iterdir()) - set(before))
    train = silkpipe(root, *TRAIN)
    return summary(proc, f"added={added} train_rc={train.returncode}", "clips")


@case
def train_out_empty_string(root: Path) -> str:
    clips(root)
    before = sorted(p.name for p in root.iterdir())
    proc = silkpipe(root, "train", "--clips", "clips", "--out", "", "--epochs", "1")
    added = sorted(set(p.name for p in root.iterdir()) - set(before) - {"stderr.txt"})
    return summary(proc, f"added={added}", "out")


@case
def run_store_empty_string(root: Path) -> str:
    sessions(root)
    before = sorted(p.name for p in root.iterdir())
    argv = ("sessions", "upload", "sessions", "--store", "", "--run-id", "r")
    proc = silkpipe(root, *argv)
    added = sorted(set(p.name for p in root.iterdir()) - set(before) - {"stderr.txt"})
    return summary(proc, f"added={added}", "store")


@case
def train_out_model_is_file(root: Path) -> str:
    """out/model is a file (a note saved under that name); then trained twice."""
    clips(root)
    (root / "out").mkdir()
    (root / "out" / "model").write_text("my notes\n")
    first = silkpipe(root, *TRAIN)
    proc = silkpipe(root, *TRAIN)
    left = sorted(p.name for p in (root / "out").iterdir())
    return summary(proc, f"first_rc={first.returncode} out={left}", "model")


@case
def train_out_model_links_out(root: Path) -> str:
    """out/model is a link to a model folder elsewhere ('the current model'); trained twice."""
    clips(root)
    other = root / "other" / "model"
    other.mkdir(parents=True)
    (other / "keep.txt").write_text("not the training's\n")
    (root / "out").mkdir()
    (root / "out" / "model").symlink_to(other)
    first = silkpipe(root, *TRAIN)
    proc = silkpipe(root, *TRAIN)
    left = sorted(p.name for p in (root / "out").iterdir())
    kept = sorted(p.name for p in other.iterdir())
    return summary(proc, f"first_rc={first.returncode} out={left} other={kept}", "model")


@case
def synth_rerun_fewer_sessions(root: Path) -> str:
    """synth X --sessions 3 --seed 1, then synth X --sessions 2 --seed 2 (the same --out)."""
    silkpipe(
        root,
        "synth",
        "syn",
        "--sessions",
        "3",
        "--seed",
        "1",
        "--duration",
        "40",
        "--clips-per-class",
        "1",
    )
    proc = silkpipe(
        root,
        "synth",
        "syn",
        "--sessions",
        "2",
        "--seed",
        "2",
        "--duration",
        "40",
        "--clips-per-class",
        "1",
    )
    names = sorted(p.name for p in (root / "syn" / "sessions").iterdir())
    seeds = sorted(
        {
            json.loads((root / "syn/sessions" / n / "truth.json").read_text()).get("seed", "?")
            for n in names
            if (root / "syn/sessions" / n / "truth.json").is_file()
        },
        key=str,
    )
    return summary(proc, f"sessions={names} truth_seeds={seeds}", "syn")


@case
def clip_copy_other_name(root: Path) -> str:
    """A device clip a file manager copied in its folder ('<name> copy.csv')."""
    c = clips(root, "clips-dev")
    first = sorted(c.glob("jump_*.csv"))[0]
    shutil.copyfile(first, c / f"{first.stem} copy.csv")
    proc = silkpipe(root, *TRAIN)
    hist = root / "out" / "model" / "config.json"
    n = "?"
    if hist.is_file():
        n = json.loads(hist.read_text())["training"]["trained_on"][0]["streams"]
    return summary(proc, f"{model_files(root)} clips_trained={n} (21 given + 1 copy)", "copy")


@case
def tr_times_ms(root: Path) -> str:
    """Word times in milliseconds (another tool's export): 0.267 s written 267."""
    s = sessions(root)

    def ms(data):
        for seg in data["segments"]:
            for w in seg.get("words", []):
                for k in ("start", "end"):
                    if k in w:
                        w[k] = round(w[k] * 1000)
        data.pop("word_segments", None)
        return data

    edit_transcript(s, ms)
    return run_case(root)


@case
def evaluate_config_trailing_comma(root: Path) -> str:
    """config.json edited by hand, left with a trailing comma."""
    cfg = trained_model(root) / "config.json"
    cfg.write_text(cfg.read_text().rstrip().rstrip("}") + ",\n}")
    proc = silkpipe(root, "evaluate", "--model", "out/model", "--clips", "clips")
    return summary(proc, "", "config")


@case
def evaluate_config_window_doubled(root: Path) -> str:
    """config.json edited by hand: the window twice as long as the model was trained on."""
    cfg = trained_model(root) / "config.json"
    data = json.loads(cfg.read_text())
    data["window"]["length"] = data["window"]["length"] * 2
    cfg.write_text(json.dumps(data))
    proc = silkpipe(root, "evaluate", "--model", "out/model", "--clips", "clips")
    return summary(proc, "", "config")


@case
def train_sessions_labels_off_stream(root: Path) -> str:
    """train --sessions: b's labels.csv lies 5000 s after its sensor stream."""
    labelled_sessions(root, 5000.0)
    argv = ("train", "--sessions", "s", "--out", "out", "--epochs", "1")
    proc = silkpipe(root, *argv)
    cfg = root / "out" / "model" / "config.json"
    n = (
        json.loads(cfg.read_text())["training"]["trained_on"][0]["streams"]
        if cfg.is_file()
        else "-"
    )
    return summary(proc, f"{model_files(root)} streams_trained={n}", "labels")


@case
def evaluate_sessions_labels_off_stream(root: Path) -> str:
    """evaluate --sessions: b's labels.csv lies 5000 s after its sensor stream."""
    trained_model(root)
    labelled_sessions(root, 5000.0)
    argv = ("evaluate", "--model", "out/model", "--sessions", "s", "--json")
    proc = silkpipe(root, *argv)
    got = proc.stdout.decode(errors="replace")
    n = json.loads(got).get("windows", "?") if got.strip().startswith("{") else "-"
    return summary(proc, f"windows={n}", "labels")


@case
def synth_killed_then_rerun(root: Path) -> str:
    """synth killed (SIGKILL) mid-write, then the same command again."""
    import signal
    import time

    argv = [PY, "-m", "silkpipe.cli", "synth", "syn", "--sessions", "3", "--seed", "1"]
    proc = subprocess.Popen(argv, cwd=root, env=env(root), stderr=subprocess.DEVNULL)
    for _ in range(600):  # until its first session folder is being written
        if list(root.glob("*syn*/sessions/*")) or list(root.glob("*syn*/*/sessions/*")):
            break
        time.sleep(0.1)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    mid = sorted(str(p.relative_to(root)) for p in root.glob("*syn*/sessions/*"))
    mid += sorted(p.name for p in root.iterdir() if p.name != "tmp")
    again = silkpipe(root, "synth", "syn", "--sessions", "3", "--seed", "1")
    names = sorted(p.name for p in (root / "syn" / "sessions").iterdir())
    return summary(again, f"killed: top={mid} | rerun: sessions={names}", "syn")


@case
def train_out_inside_sessions(root: Path) -> str:
    """train --sessions s --out s/out, twice: the second reads s/out as a session?"""
    labelled_sessions(root, 0.0)
    argv = ("train", "--sessions", "s", "--out", "s/out", "--epochs", "1")
    first = silkpipe(root, *argv)
    proc = silkpipe(root, *argv)
    return summary(proc, f"first_rc={first.returncode} {model_files(root / 's')}", "out")


if __name__ == "__main__":
    main(CASES, width=32, timed=False)
