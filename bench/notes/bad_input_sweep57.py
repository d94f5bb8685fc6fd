"""Fifteenth bad-input sweep (stop 57): sweep 56's known leftovers (a failed `train --out
DIR` leaving DIR/model.partial; --epochs, --seeds and --adapt-rounds without an upper bound;
`evaluate --report` stopped between its two moves; the date check reading this machine's
clock), then new ground: synth's counts, a file-size limit (`ulimit -f`) under `train
--out`, `sessions upload` and `evaluate --report`, a sample clip's header with a column
twice or its names in quotes, SIGHUP (the terminal closed) in a run, a training killed in
its first epoch then run again.

The harness is bench/notes/bad_input_harness.py; each case says what the house rule expects
(its verdict is held to that). Each case builds its inputs under SCRATCH/CASE from copies of
../shared/data (never written) and runs what a user types, each command its own process.
Counts that ran for ever run under a 30-s limit (TIMEOUT is a FAIL); those that filled
memory under `ulimit -v` (limited()). A machine whose clock is behind is a runner that sets
datetime.now (CLOCK_BEHIND), then runs silkpipe.cli; a signal between the report's two moves
is a runner that sends it to itself after the metrics.json move (SIGNAL_BETWEEN_MOVES).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice /work/main/.venv/bin/python \\
        bench/notes/bad_input_sweep57.py /tmp/review57/after --results after.jsonl [CASE ...]
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bad_input_harness import (  # noqa: E402
    PY,
    RUN,
    TRAIN,
    UPLOAD,
    Cases,
    clips,
    env,
    good_labelled,
    main,
    sessions,
    silkpipe,
    summary,
    trained_model,
)

CASES = Cases()
expect = CASES.expect


def limited(root: Path, argv: tuple[str, ...], limit: str, timeout: int = 600):
    """`silkpipe ARGV` under a shell ``limit`` (`ulimit -v N`, `ulimit -f N`), stderr logged."""
    cmd = f"{limit}; exec {PY} -m silkpipe.cli " + " ".join(argv)
    proc = subprocess.run(
        ["bash", "-c", cmd], cwd=root, env=env(root), capture_output=True, timeout=timeout
    )
    with open(root / "stderr.txt", "ab") as log:
        log.write(b"$ " + cmd.encode() + b"\n" + proc.stderr)
    return proc


def runner(root: Path, code: str, *argv: str, timeout: int = 600, **extra: str):
    """`silkpipe ARGV` run by ``code`` (python -c: it patches, then runs silkpipe.cli)."""
    proc = subprocess.run(
        [PY, "-c", code, *argv],
        cwd=root,
        env={**env(root), **extra},
        capture_output=True,
        timeout=timeout,
    )
    with open(root / "stderr.txt", "ab") as log:
        log.write(b"$ silkpipe " + " ".join(argv).encode() + b"\n" + proc.stderr)
    return proc


def out_holds(root: Path, out: str = "out") -> str:
    """What train left in --out DIR: its entries, and model.partial's."""
    folder = root / out
    if not folder.is_dir():
        return "out=none"
    names = sorted(p.name for p in folder.iterdir())
    partial = folder / "model.partial"
    inside = sorted(p.name for p in partial.iterdir()) if partial.is_dir() else []
    return f"out=[{','.join(names)}]" + (
        f" partial=[{','.join(inside)}]" if partial.is_dir() else ""
    )


# ---- sweep 56's leftover 1: what a failed `train --out DIR` leaves --------------------------


@expect(
    "rc 2 naming the divergence; DIR holds nothing (no model.partial, no checkpoint)",
    "rc=2",
    "diverged",
    "out=[]",
)
def train_diverges_at_epoch_3(root: Path) -> str:
    """`train --clips clips --out out --epochs 4 --lr 1e5`: epochs 1 and 2 checkpointed,
    epoch 3's loss NaN (a rerun of the same settings resumed and diverged again)."""
    clips(root)
    argv = ("train", "--clips", "clips", "--out", "out", "--epochs", "4", "--lr", "1e5")
    proc = silkpipe(root, *argv)
    return summary(proc, out_holds(root), "diverged")


@expect("rc 2 naming the split; DIR holds nothing", "rc=2", "empty side", "out=[]")
def train_split_refused_after_it_began(root: Path) -> str:
    """`train ... --purge-s 1e9`: refused once the windows are made ("leaves an empty side")."""
    clips(root)
    proc = silkpipe(root, *TRAIN, "--purge-s", "1e9")
    return summary(proc, out_holds(root), "empty side")


@expect(
    "the rerun rc 0; DIR holds model/ only (the killed run's empty model.partial re-used)",
    "rc=0",
    "out=[model]",
)
def train_killed_in_its_first_epoch_then_rerun(root: Path) -> str:
    """`train ... --epochs 3` killed (-9) once DIR/model.partial exists (before its first
    checkpoint), then run again as typed."""
    clips(root)
    argv = ("train", "--clips", "clips", "--out", "out", "--epochs", "3")
    proc = subprocess.Popen(
        [PY, "-m", "silkpipe.cli", *argv], cwd=root, env=env(root), stderr=subprocess.DEVNULL
    )
    while not (root / "out" / "model.partial").is_dir() and proc.poll() is None:
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    killed = out_holds(root)
    again = silkpipe(root, *argv)
    return summary(again, f"killed: {killed}; {out_holds(root)}", "model")


# ---- sweep 56's leftover 2: counts of whole trainings with no upper bound ------------------


@expect("rc 2 naming max_epochs, before any training", "rc=2", "max_epochs")
def train_epochs_1e8(root: Path) -> str:
    """`train --clips clips --out out --epochs 100000000` (a typo for 100), 30 s at most."""
    clips(root)
    argv = ("train", "--clips", "clips", "--out", "out", "--epochs", "100000000")
    proc = silkpipe(root, *argv, timeout=30)
    return summary(proc, out_holds(root), "epochs")


@expect("rc 2 naming --seeds, before any fold (no MemoryError)", "rc=2", "--seeds")
def evaluate_cv_seeds_1e10(root: Path) -> str:
    """`evaluate --cv time-range --clips clips --epochs 1 --seeds 10000000000` under 4 GiB."""
    clips(root)
    argv = ("evaluate", "--cv", "time-range", "--clips", "clips", "--epochs", "1")
    proc = limited(root, (*argv, "--seeds", "10000000000"), "ulimit -v 4194304", timeout=120)
    return summary(proc, "", "seeds")


@expect("rc 2 naming rounds, before any training", "rc=2", "rounds")
def train_adapt_rounds_100000(root: Path) -> str:
    """`train --clips clips --adapt-to dev --out out --epochs 1 --adapt-rounds 100000`, 30 s
    at most."""
    clips(root)
    clips(root, source="clips-dev", per_class=2, name="dev")
    argv = ("train", "--clips", "clips", "--adapt-to", "dev", "--out", "out", "--epochs", "1")
    proc = silkpipe(root, *argv, "--adapt-rounds", "100000", timeout=30)
    return summary(proc, out_holds(root), "rounds")


# ---- sweep 56's leftover 3: a report stopped between its two moves --------------------------

SIGNAL_BETWEEN_MOVES = """
import os, runpy, signal, sys
real = os.replace
def replace(src, dst, *a, **k):
    real(src, dst, *a, **k)
    if str(dst).endswith("metrics.json"):
        os.kill(os.getpid(), getattr(signal, os.environ["SIGNAL"]))
os.replace = replace
sys.argv = ["silkpipe", *sys.argv[1:]]
runpy.run_module("silkpipe.cli", run_name="__main__", alter_sys=True)
"""


def _report_of(folder: Path) -> tuple[bytes, bytes]:
    return (folder / "metrics.json").read_bytes(), (folder / "confusion.png").read_bytes()


@expect(
    "rc 143; the folder holds one run's pair (metrics and confusion of the same run)",
    "rc=143",
    "pair=whole",
)
def evaluate_report_sigterm_between_moves(root: Path) -> str:
    """rep/ holds the report of `--clips clips`; `evaluate ... --clips dev --report rep` is
    sent SIGTERM (`kill PID`, a service stop) just after its metrics.json move."""
    trained_model(root)
    clips(root, source="clips-dev", per_class=2, name="dev")
    model = ("evaluate", "--model", "out/model")
    silkpipe(root, *model, "--clips", "dev", "--report", "ref_dev")
    silkpipe(root, *model, "--clips", "clips", "--report", "rep")
    old = _report_of(root / "rep")
    argv = (*model, "--clips", "dev", "--report", "rep")
    proc = runner(root, SIGNAL_BETWEEN_MOVES, *argv, SIGNAL="SIGTERM")
    new, got = _report_of(root / "ref_dev"), _report_of(root / "rep")
    which = [
        "old" if g == o else "new" if g == n else "?" for g, o, n in zip(got, old, new, strict=True)
    ]
    whole = "whole" if which[0] == which[1] else "MIXED"
    return summary(proc, f"metrics={which[0]} confusion={which[1]} pair={whole}", "rep")


# ---- sweep 56's leftover 4: the date check reads this machine's clock ---------------------

CLOCK_BEHIND = """
import datetime, runpy, sys
class Clock(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls(2024, 6, 1, 12, tzinfo=tz)
datetime.datetime = Clock
sys.argv = ["silkpipe", *sys.argv[1:]]
runpy.run_module("silkpipe.cli", run_name="__main__", alter_sys=True)
"""


@expect("rc 0, a model written (at most a warning about the clock)", "rc=0", "model=yes")
def train_on_a_machine_whose_clock_is_behind(root: Path) -> str:
    """`train --clips clips --out out --epochs 1` (clips-20251014, dated 2025-10-14 in its
    session_metadata.json) on a machine whose clock reads 2024-06-01 (a board without a
    clock battery, a VM restored from a snapshot)."""
    clips(root)
    proc = runner(root, CLOCK_BEHIND, *TRAIN)
    made = (root / "out" / "model" / "config.json").is_file()
    return summary(proc, f"model={'yes' if made else 'no'}", "clock")


@expect("rc 0, the device clips scored", "rc=0", "scored=yes")
def evaluate_device_clips_on_a_clock_behind(root: Path) -> str:
    """`evaluate --model out/model --clips dev` (clips-dev: device clips named by their
    2025-10-19 button times) on the same machine; the model trained on a right clock."""
    trained_model(root)
    clips(root, source="clips-dev", per_class=2, name="dev")
    proc = runner(root, CLOCK_BEHIND, "evaluate", "--model", "out/model", "--clips", "dev")
    scored = "macro-F1" in proc.stdout.decode() + proc.stderr.decode()
    return summary(proc, f"scored={'yes' if scored else 'no'}", "clock")


# ---- synth's counts ----------------------------------------------------------------------


@expect("rc 2 naming --sessions, nothing written", "rc=2", "--sessions", "out=none")
def synth_sessions_1e8(root: Path) -> str:
    """`synth out --sessions 100000000` (a typo for 100), 30 s at most."""
    proc = silkpipe(root, "synth", "out", "--sessions", "100000000", timeout=30)
    return summary(proc, "out=" + ("some" if (root / "out").exists() else "none"), "sessions")


@expect("rc 2 naming --clips-per-class (no MemoryError)", "rc=2", "--clips-per-class")
def synth_clips_per_class_1e9(root: Path) -> str:
    """`synth out --clips-per-class 1000000000` under 4 GiB."""
    argv = ("synth", "out", "--clips-per-class", "1000000000")
    proc = limited(root, argv, "ulimit -v 4194304", timeout=120)
    return summary(proc, "", "clips-per-class")


# ---- a file-size limit (`ulimit -f`: a batch job's limit; a quota acts alike) -----------


@expect(
    "one line naming the file the limit stopped (no torch 'unexpected pos'); DIR holds nothing",
    "File too large",
    "model.partial/",
    "out=[]",
    refuses=("unexpected pos",),
)
def train_out_under_a_file_size_limit(root: Path) -> str:
    """`ulimit -f 200; train --clips clips --out out --epochs 1` (200 KiB a file)."""
    clips(root)
    proc = limited(root, TRAIN, "ulimit -f 200")
    return summary(proc, out_holds(root), "model")


@expect(
    "one line naming the store file the limit stopped; no half session listed",
    "File too large",
    "not uploaded whole",
)
def upload_under_a_file_size_limit(root: Path) -> str:
    """`ulimit -f 2000; sessions upload sessions --store store --run-id r` (sensor_data.csv
    is 2.3 MB)."""
    sessions(root)
    proc = limited(root, UPLOAD, "ulimit -f 2000")
    listed = silkpipe(root, "sessions", "list", "--store", "store").stdout.decode()
    return summary(proc, f"listed={listed.count('_session')}", "store")


@expect("one line naming rep; rep holds neither file", "rc=1", "cannot write rep", "rep=[]")
def evaluate_report_under_a_file_size_limit(root: Path) -> str:
    """`ulimit -f 10; evaluate --model out/model --clips clips --report rep`."""
    trained_model(root)
    argv = ("evaluate", "--model", "out/model", "--clips", "clips", "--report", "rep")
    proc = limited(root, argv, "ulimit -f 10")
    held = sorted(p.name for p in (root / "rep").iterdir()) if (root / "rep").is_dir() else []
    return summary(proc, f"rep=[{','.join(held)}]", "rep")


# ---- a sample clip's header ---------------------------------------------------------------


def header_case(root: Path, edit) -> str:
    folder = clips(root)
    path = folder / "jump_sample01.csv"
    lines = path.read_text().split("\n")
    path.write_text("\n".join(edit(lines)))
    proc = silkpipe(root, *TRAIN)
    return summary(proc, "", "jump_sample01")


@expect("rc 2 partial, naming the column given twice (timestamp)", "rc=2", "timestamp")
def c14_sample_timestamp_column_twice(root: Path) -> str:
    """jump_sample01.csv with a second `timestamp` column (a join that kept both)."""
    return header_case(
        root, lambda ls: [ls[0] + ",timestamp"] + [x + ",5" if x else x for x in ls[1:]]
    )


@expect("rc 2 partial, saying the names are quoted", "rc=2", "quotes")
def c14_sample_header_quoted(root: Path) -> str:
    """jump_sample01.csv's header names in quotes (a spreadsheet's export)."""
    return header_case(root, lambda ls: [",".join(f'"{c}"' for c in ls[0].split(","))] + ls[1:])


# ---- SIGHUP: the terminal closed ---------------------------------------------------------


@expect(
    "SIGHUP answered as SIGTERM (rc 129, no lock or scratch left in TMPDIR); the rerun labels",
    "hup_rc=129",
    "rerun=0",
    "good=labelled",
    refuses=(".lock", "unlabelled"),
)
def run_sighup_then_rerun(root: Path) -> str:
    """`run sessions ...` sent SIGHUP 20 s in (the terminal closed, an ssh link dropped),
    then run again."""
    sessions(root)
    proc = subprocess.Popen(
        [PY, "-m", "silkpipe.cli", *RUN], cwd=root, env=env(root), stderr=subprocess.DEVNULL
    )
    time.sleep(20)
    proc.send_signal(signal.SIGHUP)
    first = proc.wait(timeout=120)
    known = {"torchinductor_root", ".ses"}
    left = sorted(p.name for p in (root / "tmp").iterdir() if p.name not in known)
    again = silkpipe(root, *RUN)
    extra = f"hup_rc={first} tmp_left={','.join(left) or '-'} rerun={again.returncode}"
    return summary(again, f"{extra} {good_labelled(root)}")


if __name__ == "__main__":
    main(CASES)
