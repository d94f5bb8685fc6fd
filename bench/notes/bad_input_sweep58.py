"""Sixteenth bad-input sweep (stop 58): sweep 57's known leftovers (synth under a file-size
limit naming espeak-ng's temp file; a kill -9 between `evaluate --report`'s two renames),
then new ground: a current folder deleted under the shell, Ctrl-C in a checkpoint save and
twice in a run, a run killed (-9) in its train step then run again, a file-size and a
memory limit under `run`, two runs of two run ids on one store at once, a run id with a
space, a sensor file with old-Mac (CR-only) line ends, a clip folder mixing the two
dialects, stdout on a full disk. (ctrl_c_held's pending flag, the third leftover, is a
test only: tests/test_sigterm.py.)

The harness is bench/notes/bad_input_harness.py; each case says what the house rule expects
(its verdict is held to that). Each case builds its inputs under SCRATCH/CASE from copies of
../shared/data (never written) and runs what a user types, each command its own process.
Limits run under a shell's `ulimit` (limited(), sweep 57); a signal at a set point is a
runner that sends it to itself there (runner(), sweep 57), or the case polls TMPDIR for the
step it waits for.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice /work/main/.venv/bin/python \\
        bench/notes/bad_input_sweep58.py /tmp/review58/after --results after.jsonl [CASE ...]
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bad_input_harness import (  # noqa: E402
    DATA,
    PY,
    RUN,
    TRAIN,
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
from bad_input_sweep57 import limited, out_holds, runner  # noqa: E402

CASES = Cases()
expect = CASES.expect
KNOWN_TMP = {"torchinductor_root", ".ses"}


def tmp_left(root: Path) -> str:
    left = sorted(p.name for p in (root / "tmp").iterdir() if p.name not in KNOWN_TMP)
    return "tmp_left=" + (",".join(left) or "-")


def store_litter(root: Path) -> str:
    """Temp files and folders a killed writer left in the store."""
    marks = (".tmp-", ".partial")
    found = [
        p.name
        for p in (root / "store").rglob("*")
        if p.name.startswith(marks) or p.name.endswith((".old", ".partial"))
    ]
    return "store_litter=" + (",".join(sorted(found)[:4]) or "-")


def started(root: Path, *argv: str) -> subprocess.Popen:
    """`silkpipe ARGV` in the background, Ctrl-C at its default (as from a terminal)."""
    return subprocess.Popen(
        [PY, "-m", "silkpipe.cli", *argv],
        cwd=root,
        env=env(root),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def in_train_step(root: Path, proc: subprocess.Popen, limit: float = 300) -> bool:
    """Wait until the run's train step made its first model's scratch in TMPDIR."""
    t0 = time.time()
    while proc.poll() is None and time.time() - t0 < limit:
        if any((root / "tmp").glob("silkpipe-unlabelled-*")):
            return True
        time.sleep(0.05)
    return False


# ---- sweep 57's leftovers ----------------------------------------------------------------


@expect(
    "rc 1, one line naming the folder synth writes and the limit (no CalledProcessError, "
    "no espeak-ng temp file); nothing left beside it",
    "rc=1",
    "cannot write out",
    "File too large",
    "beside=[]",
    refuses=("CalledProcessError", "speech.wav"),
)
def synth_under_a_file_size_limit(root: Path) -> str:
    """`ulimit -f 1000; synth out --sessions 1` (1000 KiB a file: a batch job's limit)."""
    proc = limited(root, ("synth", "out", "--sessions", "1"), "ulimit -f 1000")
    beside = sorted(p.name for p in root.iterdir() if p.name not in {"tmp", "stderr.txt"})
    return summary(proc, f"beside=[{','.join(beside)}]", "out")


KILL_BETWEEN_MOVES = """
import os, runpy, signal, sys
real = os.replace
def replace(src, dst, *a, **k):
    real(src, dst, *a, **k)
    if str(dst).endswith("metrics.json"):
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
sys.argv = ["silkpipe", *sys.argv[1:]]
runpy.run_module("silkpipe.cli", run_name="__main__", alter_sys=True)
"""


def _pair(folder: Path, old: tuple[bytes, bytes], new: tuple[bytes, bytes]) -> str:
    got = (folder / "metrics.json").read_bytes(), (folder / "confusion.png").read_bytes()
    pairs = zip(got, old, new, strict=True)
    which = ["old" if g == o else "new" if g == n else "?" for g, o, n in pairs]
    return f"{which[0]}/{which[1]}"


@expect(
    "a kill (-9) cannot be held: the pair is mixed until the next report, which is whole "
    "and drops the killed one's scratch (left, by design: see the notes)",
    "next=new/new",
    "scratch=0",
)
def evaluate_report_killed_between_moves_then_rerun(root: Path) -> str:
    """rep/ holds the report of `--clips clips`; `evaluate ... --clips dev --report rep` is
    killed (-9) just after its metrics.json move; then the same command again."""
    trained_model(root)
    clips(root, source="clips-dev", per_class=2, name="dev")
    model = ("evaluate", "--model", "out/model")
    silkpipe(root, *model, "--clips", "dev", "--report", "ref_dev")
    silkpipe(root, *model, "--clips", "clips", "--report", "rep")
    rep = root / "rep"
    old = (rep / "metrics.json").read_bytes(), (rep / "confusion.png").read_bytes()
    ref = root / "ref_dev"
    new = (ref / "metrics.json").read_bytes(), (ref / "confusion.png").read_bytes()
    argv = (*model, "--clips", "dev", "--report", "rep")
    killed = runner(root, KILL_BETWEEN_MOVES, *argv)
    after_kill = _pair(rep, old, new)
    again = silkpipe(root, *argv)
    scratch = len(list(rep.glob(".partial-*")))
    extra = f"killed_rc={killed.returncode} killed={after_kill}"
    return summary(again, f"{extra} next={_pair(rep, old, new)} scratch={scratch}", "rep")


# ---- a current folder deleted under the shell ---------------------------------------------


def in_a_deleted_folder(root: Path, *argv: str) -> subprocess.CompletedProcess:
    """`silkpipe ARGV` from a shell whose current folder was deleted (another job cleared
    it); every path in ARGV is absolute."""
    cmd = "mkdir gone && cd gone && rmdir ../gone && exec " + " ".join(
        [PY, "-m", "silkpipe.cli", *argv]
    )
    proc = subprocess.run(
        ["bash", "-c", cmd], cwd=root, env=env(root), capture_output=True, timeout=600
    )
    with open(root / "stderr.txt", "ab") as log:
        log.write(b"$ " + cmd.encode() + b"\n" + proc.stderr)
    return proc


@expect(
    "rc 2, one line saying the current folder is gone (no oneMKL FATAL); nothing written",
    "rc=2",
    "current folder no longer exists",
    "out=none",
    refuses=("FATAL",),
)
def train_from_a_deleted_current_folder(root: Path) -> str:
    """`train --clips /abs/clips --out /abs/out --epochs 1` from a deleted folder."""
    clips(root)
    proc = in_a_deleted_folder(
        root, *[str(root / a) if a in ("clips", "out") else a for a in TRAIN]
    )
    return summary(proc, out_holds(root), "current")


@expect(
    "rc 2, one line saying the current folder is gone (no oneMKL FATAL); no store made",
    "rc=2",
    "current folder no longer exists",
    "store=none",
    refuses=("FATAL",),
)
def run_from_a_deleted_current_folder(root: Path) -> str:
    """`run /abs/sessions --store /abs/store --run-id r` from a deleted folder."""
    sessions(root)
    argv = [str(root / a) if a in ("sessions", "store") else a for a in RUN]
    proc = in_a_deleted_folder(root, *argv)
    made = "store=" + ("made" if (root / "store").exists() else "none")
    return summary(proc, made, "current")


# ---- Ctrl-C in a checkpoint save, twice in a run; kill -9 in the train step ---------------

SIGINT_IN_SECOND_CHECKPOINT_SAVE = """
import os, runpy, signal, sys, torch
real, saves = torch.save, []
def save(obj, path, *a, **k):
    real(obj, path, *a, **k)
    if str(path).endswith("checkpoint.tmp"):
        saves.append(path)
        if len(saves) == 2:
            os.kill(os.getpid(), signal.SIGINT)
torch.save = save
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.argv = ["silkpipe", *sys.argv[1:]]
runpy.run_module("silkpipe.cli", run_name="__main__", alter_sys=True)
"""


@expect(
    "rc 130; DIR/model.partial holds the kept checkpoint only (no cut checkpoint.tmp); the "
    "rerun publishes DIR/model",
    "rc=130",
    "partial=[checkpoint.pt]",
    "rerun=0 out=[model]",
    refuses=("checkpoint.tmp",),
)
def train_ctrl_c_in_a_checkpoint_save(root: Path) -> str:
    """`train --clips clips --out out --epochs 3`, Ctrl-C as epoch 2's checkpoint is saved
    (a runner sends SIGINT from inside the save), then the same command again."""
    clips(root)
    argv = ("train", "--clips", "clips", "--out", "out", "--epochs", "3")
    proc = runner(root, SIGINT_IN_SECOND_CHECKPOINT_SAVE, *argv)
    stopped = out_holds(root)
    again = silkpipe(root, *argv)
    return summary(proc, f"{stopped} rerun={again.returncode} {out_holds(root)}", "model")


@expect(
    "a shell's 130 (rc 130, or killed by SIGINT: -2), no traceback, no lock or unlabelled "
    "scratch left in TMPDIR; the rerun labels",
    "status=130",
    "rerun=0",
    "good=labelled",
    refuses=(".lock", "unlabelled"),
)
def run_ctrl_c_twice_in_its_train_step(root: Path) -> str:
    """`run sessions ...`, Ctrl-C pressed twice 0.2 s apart once its train step began (an
    impatient user), then run again."""
    sessions(root)
    proc = started(root, *RUN)
    if in_train_step(root, proc):
        proc.send_signal(signal.SIGINT)
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    status = 128 - proc.returncode if proc.returncode < 0 else proc.returncode
    tb = "TB" if b"Traceback" in err else "tb=-"
    left = tmp_left(root)
    again = silkpipe(root, *RUN)
    extra = f"status={status} first_tb={tb} {left} rerun={again.returncode}"
    return summary(again, f"{extra} {good_labelled(root)}")


@expect(
    "the rerun rc 0 and labels; no silkpipe scratch a killed run left in TMPDIR, no temp "
    "file in the store",
    "rerun=0",
    "good=labelled",
    "store_litter=-",
    refuses=("unlabelled",),
)
def run_killed_9_in_its_train_step_then_rerun(root: Path) -> str:
    """`run sessions ...` killed (-9: the OOM killer, a node reclaimed) once its train step
    made its scratch in TMPDIR, then run again as typed."""
    sessions(root)
    proc = started(root, *RUN)
    reached = in_train_step(root, proc)
    proc.kill()
    proc.communicate()
    again = silkpipe(root, *RUN)
    extra = f"killed_in_train={reached} rerun={again.returncode} {tmp_left(root)}"
    return summary(again, f"{extra} {store_litter(root)} {good_labelled(root)}")


# ---- limits and concurrency under `run` -----------------------------------------------------


@expect(
    "rc 1, one line naming the store file the limit stopped and the session not uploaded",
    "rc=1",
    "File too large",
    "not uploaded whole",
)
def run_under_a_file_size_limit(root: Path) -> str:
    """`ulimit -f 1000; run sessions --store store ...` (sensor_data.csv is 2.3 MB)."""
    sessions(root)
    proc = limited(root, RUN, "ulimit -f 1000")
    return summary(proc, store_litter(root), "store")


@expect("rc 0 under a 2-GiB address-space limit; the good session labelled", "rc=0", "good=")
def run_under_a_2_gib_memory_limit(root: Path) -> str:
    """`ulimit -v 2097152; run sessions --store store ...` (a batch job's memory limit)."""
    sessions(root)
    proc = limited(root, RUN, "ulimit -v 2097152")
    return summary(proc, good_labelled(root))


@expect(
    "both rc 0, each run's labels and model its own; no temp file in the store",
    "a=0 b=0",
    "labels=2",
    "store_litter=-",
)
def two_runs_of_two_run_ids_on_one_store_at_once(root: Path) -> str:
    """`run sessions --store store --run-id a` and `--run-id b`, started together."""
    sessions(root)
    argv = [RUN[:5] + (rid,) + RUN[6:] for rid in ("a", "b")]
    procs = [started(root, *a) for a in argv]
    for p in procs:
        p.communicate(timeout=900)
    rcs = [p.returncode for p in procs]
    labels = sum((root / "store" / "runs" / r / "labels.json").is_file() for r in "ab")
    extra = f"a={rcs[0]} b={rcs[1]} labels={labels} {store_litter(root)}"
    return f"rc={max(rcs)} tb=- {extra}"


@expect("rc 2, the run id refused naming the characters it may hold", "rc=2", "run id")
def run_id_with_a_space(root: Path) -> str:
    """`run sessions --store store --run-id "my run"`."""
    sessions(root)
    proc = silkpipe(root, *RUN[:5], "my run", *RUN[6:])
    return summary(proc, "", "run id")


# ---- file formats --------------------------------------------------------------------------


@expect("rc 0, both sessions labelled (CR-only line ends read as lines)", "rc=0", "good=")
def run_sensor_csv_with_old_mac_line_ends(root: Path) -> str:
    """case_session's sensor_data.csv with CR-only line ends (a classic-Mac export)."""
    path = sessions(root) / "sensor_data.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    proc = silkpipe(root, *RUN)
    labels = (root / "store/runs/r/labels.json").read_text() if proc.returncode == 0 else ""
    return summary(proc, f"{good_labelled(root)} case={'case_session' in labels}")


@expect(
    "rc 2 partial: the device clips in a sample-dialect folder named and skipped, each "
    "saying to give each dialect its own folder; the model written",
    "rc=2",
    "dialect",
    "model=yes",
)
def train_clip_folder_mixing_dialects(root: Path) -> str:
    """clips-20251014 (sample dialect) with 12 device clips of clips-dev copied in."""
    folder = clips(root)
    for path in sorted((DATA / "clips-dev").glob("*.csv"))[:12]:
        (folder / path.name).write_bytes(path.read_bytes())
    proc = silkpipe(root, *TRAIN)
    made = (root / "out" / "model" / "config.json").is_file()
    return summary(proc, f"model={'yes' if made else 'no'}", "dialect")


@expect(
    "rc 1, one line (stdout on a full disk); no traceback",
    "rc=1",
    "No space left",
)
def sessions_list_into_a_full_disk(root: Path) -> str:
    """`sessions list --store store > /dev/full` (stdout on a full disk) after an upload."""
    sessions(root)
    silkpipe(root, "sessions", "upload", "sessions", "--store", "store", "--run-id", "r")
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [PY, "-m", "silkpipe.cli", "sessions", "list", "--store", "store"],
            cwd=root,
            env=env(root),
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=300,
        )
    return summary(proc, "", "list")


if __name__ == "__main__":
    main(CASES)
