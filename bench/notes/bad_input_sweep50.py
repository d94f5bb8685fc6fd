"""Ninth bad-input sweep (stop 50): cases the eight earlier sweeps (bad_input_sweep,
session_bad_input_sweep, entry_bad_input_sweep, bad_input_sweep39, 40, 42, 43, 47, 48, 49)
did not build: a transcript of thousands of words, one of another recording, segments that
are an object, a word that is a number; a session metadata.json that is a list; the sessions
and store paths with a space and non-ASCII letters; `run` on the store's own sessions folder;
a run id longer than a file name may be; SIGTERM mid-run then the same run again; TMPDIR on
a full disk; a clips-20251014 folder inside the sessions folder; session_metadata.json a
list, listing a gesture twice or capitalised, with an empty session_id; walk_continuous.csv
of 0 bytes or 20 times longer; a sample column that is not a number; a labels.csv of
100,000 rows; synth into a full disk; evaluate --report on a read-only disk.

The harness is bench/notes/bad_input_harness.py; each case says what the house rule expects
(its verdict is held to that). Each case builds its inputs under SCRATCH/CASE from copies of
../shared/data (never written) and runs what a user types, each command its own process.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice /work/main/.venv/bin/python \\
        bench/notes/bad_input_sweep50.py /tmp/review50/after --results after.jsonl [CASE ...]
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
    RUN,
    Cases,
    clips,
    copy_session,
    disk,
    edit_column,
    edit_transcript,
    env,
    good_labelled,
    labelled_sessions,
    main,
    model_files,
    rows,
    run_case,
    sessions,
    silkpipe,
    summary,
    train_clips,
    trained_model,
    write_rows,
)

CASES = Cases()
expect = CASES.expect
NAMED = "case_session named, good labelled, rc 2"
CLEAN = "rc 0 or 2, good labelled"


def leftovers(tmp: Path) -> str:
    """What a command left in its TMPDIR (torch's and a library's own files aside)."""
    known = {"torchinductor_root", ".ses"}
    return "tmp_left=" + (
        ",".join(sorted(p.name for p in tmp.iterdir() if p.name not in known)) or "-"
    )


# ---- transcripts and sessions (run) ------------------------------------------------------


@expect(CLEAN + ", in minutes", "good=labelled", refuses=("rc=1",))
def tr_thousands_of_words(root: Path) -> str:
    """5,000 words more (every 40 ms, one in five a command word): a chatty recording."""
    s = sessions(root)

    def chatty(data):
        extra = [
            {"word": "jump" if i % 5 == 0 else "well", "start": i * 0.04, "end": i * 0.04 + 0.03}
            for i in range(5000)
        ]
        data["segments"].append({"start": 0.0, "end": 200.0, "text": "...", "words": extra})
        data.pop("word_segments", None)
        return data

    edit_transcript(s, chatty)
    return run_case(root)


@expect("excluded (no false labels), good labelled", "good=labelled", refuses=("rc=1",))
def tr_of_another_recording(root: Path) -> str:
    """143217's motion with 143627's transcript (a file copied into the wrong folder)."""
    s = sessions(root)
    shutil.copyfile(DATA / "sessions" / GOOD / "whisperx_output.json", s / "whisperx_output.json")
    got = run_case(root)
    return f"{got} || case: {gate_of(root, 'case_session')}"


def gate_of(root: Path, name: str) -> str:
    """The run's word on one session (its labels' summary.json): excluded or kept, offset."""
    found = sorted((root / "store" / "runs" / "r" / "labels").glob("v*/summary.json"))
    if not found:
        return "no label set"
    summary_ = json.loads(found[-1].read_text())
    if name in summary_.get("failed", {}):
        return f"failed: {str(summary_['failed'][name])[:120]}"
    rep = summary_.get("reports", {}).get(name)
    if rep is None:
        return "not in the label set"
    return f"excluded={rep.get('excluded')} offset_s={rep.get('offset_s')}"


@expect(NAMED, "rc=2", "case_session", "good=labelled")
def tr_segments_object(root: Path) -> str:
    edit_transcript(sessions(root), lambda d: {**d, "segments": {"0": d["segments"][0]}})
    return run_case(root)


@expect(NAMED + " (or the word skipped)", "good=labelled", refuses=("rc=1",))
def tr_word_is_number(root: Path) -> str:
    def number(d):
        d["segments"][0]["words"][0]["word"] = 5
        return d

    edit_transcript(sessions(root), number)
    return run_case(root)


@expect(
    "named: metadata only dates a session (meta_zero_bytes, stop 43)",
    "metadata.json",
    "good=labelled",
)
def meta_is_a_list(root: Path) -> str:
    (sessions(root) / "metadata.json").write_text("[]\n")
    return run_case(root)


@expect("rc 0, good labelled", "rc=0", "good=labelled")
def paths_space_unicode(root: Path) -> str:
    """The sessions and store folders named 'my sessions ü' and 'store ✓ 1'."""
    sessions(root).parent.rename(root / "my sessions ü")
    argv = ("run", "my sessions ü", "--store", "store ✓ 1", "--run-id", "r", "--workers", "1")
    proc = silkpipe(root, *argv)
    if (root / "store ✓ 1").is_dir():
        (root / "store ✓ 1").rename(root / "store")
    return summary(proc, good_labelled(root))


@expect("refused naming the folder, or r kept whole", "rc=", refuses=("rc=1", "r_kept=False"))
def run_on_the_stores_sessions(root: Path) -> str:
    """run r, then `run store/sessions --store store --run-id r2`: reading what it writes."""
    sessions(root)
    silkpipe(root, *RUN)
    pointers = {p: p.read_bytes() for p in (root / "store/runs/r").glob("*.json")}
    argv = ("run", "store/sessions", "--store", "store", "--run-id", "r2", "--workers", "1")
    proc = silkpipe(root, *argv)
    kept = all(p.read_bytes() == b for p, b in pointers.items())
    return summary(proc, f"r_kept={kept}", "store")


@expect("rc 2 naming the run id, nothing written", "rc=2", "store=none")
def run_id_300_chars(root: Path) -> str:
    sessions(root)
    proc = silkpipe(root, *RUN[:5], "r" * 300, "--workers", "1")
    runs = root / "store" / "runs"
    made = "store=none" if not runs.is_dir() or not any(runs.iterdir()) else "store=runs"
    return summary(proc, made, "run")


@expect(
    "SIGTERM cleans up as Ctrl-C (exit 143, TMPDIR clean); the rerun finishes",
    "term_rc=143",
    "tmp_left=-",
    "rerun rc=0",
    "good=labelled",
)
def run_sigterm_then_rerun(root: Path) -> str:
    """SIGTERM (a service stop, `kill PID`) 25 s into the run, then the same command again."""
    sessions(root)
    argv = [PY, "-m", "silkpipe.cli", *RUN]
    proc = subprocess.Popen(argv, cwd=root, env=env(root), stderr=subprocess.DEVNULL)
    time.sleep(25)
    proc.send_signal(signal.SIGTERM)
    first = proc.wait(timeout=120)
    left = leftovers(root / "tmp")
    again = silkpipe(root, *RUN)
    extra = f"term_rc={first} {left} rerun rc={again.returncode} {good_labelled(root)}"
    return summary(again, extra)


@expect("clear 'no space' line, rc 1 or 2", "No space", refuses=("TB",))
def run_tmpdir_full(root: Path) -> str:
    """TMPDIR on a 1 MB disk, full."""
    sessions(root)
    with disk(root / "tmp", "1M"):
        try:
            (root / "tmp" / "fill").write_bytes(b"\0" * (1024 * 1024 - 8192))
        except OSError:
            pass
        return run_case(root)


@expect("the clips folder named (not a session), good labelled", "clips", "good=labelled")
def run_sessions_holds_clips_folder(root: Path) -> str:
    sessions(root)
    clips(root, name="sessions/clips-20251014")
    return run_case(root, mark="clips")


# ---- clips-20251014 (train) --------------------------------------------------------------


def edit_meta(root: Path, fn) -> None:
    path = clips(root) / "session_metadata.json"
    path.write_text(json.dumps(fn(json.loads(path.read_text()))))


@expect("the file named, rc 2, no model", "rc=2", "session_metadata", "model=no")
def c14_meta_is_a_list(root: Path) -> str:
    edit_meta(root, lambda m: [m])
    return train_clips(root, mark="session_metadata")


@expect("trained (the order is the first listing)", "rc=0", "model=yes")
def c14_meta_gesture_listed_twice(root: Path) -> str:
    edit_meta(root, lambda m: {**m, "gestures_completed": ["jump", *m["gestures_completed"]]})
    return train_clips(root)


@expect("trained, or named", "model=yes", refuses=("rc=1",))
def c14_meta_gestures_capitalised(root: Path) -> str:
    edit_meta(
        root, lambda m: {**m, "gestures_completed": [g.title() for g in m["gestures_completed"]]}
    )
    return train_clips(root)


@expect("the file named, rc 2", "rc=2", "session_metadata")
def c14_meta_session_id_empty(root: Path) -> str:
    edit_meta(root, lambda m: {**m, "session_id": ""})
    return train_clips(root, mark="session_metadata")


@expect(
    "walk_continuous.csv named, the samples trained, rc 2", "rc=2", "walk_continuous", "model=yes"
)
def c14_walk_zero_bytes(root: Path) -> str:
    (clips(root) / "walk_continuous.csv").write_bytes(b"")
    return train_clips(root, mark="walk_continuous")


@expect("trained, in minutes", "rc=0", "model=yes")
def c14_walk_twenty_times(root: Path) -> str:
    """walk_continuous.csv's rows 20 times over, each copy after the last (about 20 min)."""
    path = clips(root) / "walk_continuous.csv"
    header, body = rows(path)
    t = header.split(",").index("timestamp")
    span = float(body[-1][t]) + 0.02
    out = []
    for k in range(20):
        for r in body:
            out.append([*r[:t], repr(float(r[t]) + span * k), *r[t + 1 :]])
    write_rows(path, header, out)
    return train_clips(root, mark="walk_continuous")


@expect("the file named (or read by its name), rc 0 or 2", "model=yes", refuses=("rc=1",))
def c14_sample_column_not_a_number(root: Path) -> str:
    edit_column(clips(root) / "jump_sample01.csv", "sample", lambda v, n, r: "x")
    return train_clips(root)


# ---- train --sessions, synth, evaluate --report ------------------------------------------


@expect("trained, in minutes", "rc=0", "streams=2")
def train_sessions_labels_100k_rows(root: Path) -> str:
    """b's labels.csv: its 212 labels and 100,000 short walk labels more."""
    labelled_sessions(root, 0.0)
    with open(root / "s" / "b" / "labels.csv", "a") as f:
        for i in range(100_000):
            f.write(f"{i * 0.002:.3f},{i * 0.002 + 0.5:.3f},walk\n")
    proc = silkpipe(root, "train", "--sessions", "s", "--out", "out", "--epochs", "1")
    cfg = root / "out" / "model" / "config.json"
    n = json.loads(cfg.read_text())["training"]["trained_on"][0]["streams"] if cfg.is_file() else 0
    return summary(proc, f"streams={n}", "labels")


@expect(
    "one line naming disk/syn and no space, no half folder",
    "disk/syn: No space",
    "syn=none",
    refuses=("TB",),
)
def synth_out_full_disk(root: Path) -> str:
    with disk(root / "disk", "2M"):
        proc = silkpipe(root, "synth", "disk/syn", "--sessions", "3", "--seed", "1")
        syn = root / "disk" / "syn"
        left = sorted(p.name for p in (root / "disk").iterdir())
        state = "syn=none" if not syn.exists() else f"syn={len(list(syn.rglob('*')))} files"
        return summary(proc, f"{state} disk={left}", "syn")


@expect("clear 'read-only' line naming rep, rc 1 or 2", "rep", refuses=("TB",))
def evaluate_report_readonly(root: Path) -> str:
    trained_model(root)
    with disk(root / "rep", "1M", ro=True):
        argv = ("evaluate", "--model", "out/model", "--clips", "clips", "--report", "rep")
        proc = silkpipe(root, *argv)
        return summary(proc, model_files(root), "rep")


@expect("one line naming rep and no space", "rep: No space", refuses=("TB",))
def evaluate_report_full_disk(root: Path) -> str:
    trained_model(root)
    with disk(root / "rep", "16k"):
        argv = ("evaluate", "--model", "out/model", "--clips", "clips", "--report", "rep")
        proc = silkpipe(root, *argv)
        left = sorted(p.name for p in (root / "rep").iterdir())
        return summary(proc, f"rep={left}", "rep")


def base_store(scratch: Path) -> Path:
    """A store holding run r of the good session alone (made once a sweep, then copied)."""
    base = scratch / "_base"
    if not (base / "store" / "runs" / "r" / "report").is_dir():
        shutil.rmtree(base, ignore_errors=True)
        copy_session(DATA / "sessions" / GOOD, base / "one" / GOOD)
        silkpipe(base, "run", "one", "--store", "store", "--run-id", "r", "--workers", "1")
    return base / "store"


@expect(
    "one line naming dest and no space; dest as it was (none)",
    "No space",
    "dest=[]",
    refuses=("-> None",),
)
def export_dest_full_disk(root: Path) -> str:
    shutil.copytree(base_store(root.parent), root / "store")
    with disk(root / "disk", "64k"):
        argv = ("sessions", "export-report", "--store", "store", "--run-id", "r", "disk/dest")
        proc = silkpipe(root, *argv)
        dest = root / "disk" / "dest"
        left = sorted(str(p.relative_to(dest)) for p in dest.rglob("*")) if dest.exists() else []
        return summary(proc, f"dest={left[:4]}{'...' if len(left) > 4 else ''}", "dest")


if __name__ == "__main__":
    main(CASES)
