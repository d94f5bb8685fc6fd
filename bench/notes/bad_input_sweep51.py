"""Tenth bad-input sweep (stop 51): cases the nine earlier sweeps (bad_input_sweep,
session_bad_input_sweep, entry_bad_input_sweep, bad_input_sweep39, 40, 42, 43, 47, 48, 49,
50) did not build: a store, --out and --report path that is a symbolic link loop (or a link
to nowhere); a mistyped store given to `transcribe`; the S3 store (moto on loopback, started
by the case) with a bucket that does not exist, wrong credentials, a closed port, a bucket
name S3 refuses; `score-voice` with --epochs 0 or --seeds 0; `synth` with a voice that does
not exist, a duration of 31 years, --realistic --gestures 0; `evaluate --cv leave-day-out`
with one day, and with a second day that holds one class; `train --sessions` with a
labels.csv whose classes are all unknown; a session transcript that is a FIFO.

The harness is bench/notes/bad_input_harness.py; each case says what the house rule expects
(its verdict is held to that). Each case builds its inputs under SCRATCH/CASE from copies of
../shared/data (never written) and runs what a user types, each command its own process.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice /work/main/.venv/bin/python \\
        bench/notes/bad_input_sweep51.py /tmp/review51/after --results after.jsonl [CASE ...]
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bad_input_harness import (  # noqa: E402
    DATA,
    RUN,
    UPLOAD,
    Cases,
    clips,
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
expect = CASES.expect


# ---- link loops and links to nowhere as the store, --out, --report ------------------------


def loop(path: Path) -> Path:
    """PATH a symbolic link to itself (`ln -s x x`): every open of it fails with ELOOP."""
    path.symlink_to(path.name)
    return path


@expect("rc 2 naming the store (a link loop), nothing written", "rc=2", "store", "store=link")
def run_store_link_loop(root: Path) -> str:
    sessions(root)
    loop(root / "store")
    proc = silkpipe(root, *RUN)
    state = "store=link" if (root / "store").is_symlink() else "store=REPLACED"
    return summary(proc, state, "store")


@expect("rc 2 naming the store (a link loop)", "rc=2", "store", refuses=("rc=0",))
def upload_store_link_loop(root: Path) -> str:
    sessions(root)
    loop(root / "store")
    return summary(silkpipe(root, *UPLOAD), "", "store")


@expect("rc 2 naming the store (a link loop), not an empty list", "rc=2", "store")
def list_store_link_loop(root: Path) -> str:
    loop(root / "store")
    proc = silkpipe(root, "sessions", "list", "--store", "store")
    return summary(proc, f"stdout={proc.stdout.decode().strip() or '-'}", "store")


@expect("rc 2 naming out (a link loop), no model", "rc=2", "out", "model=no", refuses=("rc=1",))
def train_out_link_loop(root: Path) -> str:
    clips(root)
    loop(root / "out")
    return train_clips(root, mark="out")


@expect(
    "rc 2 naming out (a link to nowhere), or the model written where it points",
    "out",
    refuses=("rc=1",),
)
def train_out_link_to_nowhere(root: Path) -> str:
    clips(root)
    (root / "out").symlink_to("other/model-folder")
    got = train_clips(root, mark="out")
    made = (root / "other" / "model-folder" / "model").is_dir()
    return got.replace(" | ", f" through_link={'yes' if made else 'no'} | ", 1)


@expect("rc 2 naming rep", "rc=2", "rep", refuses=("rc=0",))
def evaluate_report_link_loop(root: Path) -> str:
    trained_model(root)
    loop(root / "rep")
    argv = ("evaluate", "--model", "out/model", "--clips", "clips", "--report", "rep")
    return summary(silkpipe(root, *argv), model_files(root), "rep")


@expect("rc 2 naming the store, no folder made of the mistyped name", "rc=2", "made=none")
def transcribe_store_mistyped(root: Path) -> str:
    """`transcribe --store stroe` (a store that holds nothing): refused; is stroe made?"""
    sessions(root)
    silkpipe(root, *UPLOAD)
    argv = ("transcribe", "--store", "stroe", "--run-id", "r", "case_session")
    proc = silkpipe(root, *argv)
    made = sorted(str(p.relative_to(root)) for p in (root / "stroe").rglob("*"))
    state = "made=none" if not (root / "stroe").exists() else f"made={made[:3]}"
    return summary(proc, state, "stroe")


# ---- the S3 store: moto on loopback, started and stopped by the case ----------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def s3(root: Path, *, auth: bool = False, key: str = "k-test") -> Iterator[int]:
    """moto's S3 server on a free loopback port (with IAM auth: every key is unknown to it),
    the store's S3 settings in the environment the commands get; stopped when the case
    ends, by its own process id."""
    binary = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    port = free_port()
    env = {**os.environ, **({"INITIAL_NO_AUTH_ACTION_COUNT": "0"} if auth else {})}
    log = open(root / "moto.log", "wb")  # noqa: SIM115 (as long as the server)
    proc = subprocess.Popen(
        [binary, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log, env=env
    )
    saved = {k: os.environ.get(k) for k in S3_ENV}
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        os.environ.update(
            SILKPIPE_S3_ENDPOINT=f"127.0.0.1:{port}",
            SILKPIPE_S3_ACCESS_KEY=key,
            SILKPIPE_S3_SECRET_KEY="secret-do-not-print",
            SILKPIPE_S3_SECURE="0",
        )
        yield port
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


S3_ENV = ("SILKPIPE_S3_ENDPOINT", "SILKPIPE_S3_ACCESS_KEY", "SILKPIPE_S3_SECRET_KEY")
S3_ENV += ("SILKPIPE_S3_SECURE",)


def buckets(port: int) -> str:
    """The buckets moto holds (ListBuckets; moto without auth answers anyone)."""
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read().decode()
    names = [x.split("</Name>")[0] for x in body.split("<Name>")[1:]]
    return "buckets=" + (",".join(names) or "none")


@expect(
    "rc 2 naming the bucket that does not exist; no bucket made",
    "rc=2",
    "silkpipe-typo",
    "buckets=none",
)
def s3_list_bucket_missing(root: Path) -> str:
    with s3(root) as port:
        proc = silkpipe(root, "sessions", "list", "--store", "s3://silkpipe-typo/p")
        out = proc.stdout.decode().strip() or "-"
        return summary(proc, f"stdout={out} {buckets(port)}", "silkpipe-typo")


@expect(
    "rc 2 naming the bucket that does not exist; no bucket made, no dest",
    "rc=2",
    "silkpipe-typo",
    "buckets=none",
    "dest=none",
)
def s3_export_bucket_missing(root: Path) -> str:
    with s3(root) as port:
        argv = ("sessions", "export-report", "--store", "s3://silkpipe-typo", "--run-id", "r")
        proc = silkpipe(root, *argv, "dest")
        dest = "dest=none" if not (root / "dest").exists() else "dest=MADE"
        return summary(proc, f"{dest} {buckets(port)}", "silkpipe-typo")


@expect(
    "rc 2, the refused key's reason in one line, no secret printed",
    "rc=2",
    "InvalidAccessKeyId",
    refuses=("secret-do-not-print",),
)
def s3_upload_wrong_credentials(root: Path) -> str:
    sessions(root)
    with s3(root, auth=True):
        argv = ("sessions", "upload", "sessions", "--store", "s3://silkpipe-cases/p")
        return summary(silkpipe(root, *argv), "", "bucket")


@expect("rc 2 naming the endpoint, in seconds", "rc=2", "127.0.0.1", refuses=("TIMEOUT",))
def s3_run_endpoint_closed(root: Path) -> str:
    """SILKPIPE_S3_ENDPOINT a loopback port nothing listens on."""
    sessions(root)
    with s3(root):
        os.environ["SILKPIPE_S3_ENDPOINT"] = f"127.0.0.1:{free_port()}"
        argv = ("run", "sessions", "--store", "s3://silkpipe-cases/p", "--run-id", "r")
        t0 = time.time()
        proc = silkpipe(root, *argv, "--workers", "1", timeout=300)
        return summary(proc, f"{time.time() - t0:.0f}s", "bucket")


@expect("rc 2 naming the bucket name", "rc=2", "Bad_Bucket")
def s3_upload_bucket_name_invalid(root: Path) -> str:
    sessions(root)
    with s3(root):
        argv = ("sessions", "upload", "sessions", "--store", "s3://Bad_Bucket/p")
        return summary(silkpipe(root, *argv), "", "Bad_Bucket")


# ---- score-voice and synth options -------------------------------------------------------


def synth_sessions(root: Path) -> Path:
    """One 30 s synthetic session with truth.json (seed 1, as sweep 50's synth case)."""
    argv = ("synth", "syn", "--sessions", "1", "--duration", "30", "--clips-per-class", "2")
    silkpipe(root, *argv, "--seed", "1")
    return root / "syn"


SCORE = ("score-voice", "syn/sessions", "--clips", "clips", "--oracle", "--no-controls")


@expect("rc 2 naming --epochs (train and evaluate refuse 0)", "rc=2", "--epochs")
def score_voice_epochs_zero(root: Path) -> str:
    synth_sessions(root)
    clips(root)
    proc = silkpipe(root, *SCORE, "--seeds", "1", "--epochs", "0")
    return summary(proc, "", "epochs")


@expect("rc 2 naming --seeds (evaluate refuses 0)", "rc=2", "--seeds")
def score_voice_seeds_zero(root: Path) -> str:
    synth_sessions(root)
    clips(root)
    proc = silkpipe(root, *SCORE, "--seeds", "0", "--epochs", "1")
    return summary(proc, "", "seeds")


@expect("rc 2 naming the voice, nothing written", "rc=2", "nonesuch", "o=none", refuses=("rc=1",))
def synth_voice_unknown(root: Path) -> str:
    clips(root)
    argv = ("synth", "--from-clips", "clips", "--out", "o", "--voice", "nonesuch")
    proc = silkpipe(root, *argv)
    return summary(proc, "o=none" if not (root / "o").exists() else "o=MADE", "voice")


@expect("rc 2 naming --duration, in seconds", "rc=2", "--duration", refuses=("TIMEOUT",))
def synth_duration_31_years(root: Path) -> str:
    """--duration 1e9 (a typo for 1e3): a 50 Hz stream of 31 years."""
    proc = silkpipe(root, "synth", "syn", "--sessions", "1", "--duration", "1e9", timeout=90)
    return summary(proc, "", "duration")


@expect("rc 2 naming --gestures", "rc=2", "--gestures")
def synth_realistic_gestures_zero(root: Path) -> str:
    clips(root)
    argv = ("synth", "--from-clips", "clips", "--out", "o", "--realistic", "--gestures", "0")
    return summary(silkpipe(root, *argv), "", "gestures")


# ---- evaluate --cv leave-day-out, train --sessions, run -----------------------------------


def dev_day(root: Path, classes=("jump", "punch", "turn", "walk", "idle"), per_class=3) -> Path:
    """clips-dev (another day, device-ns layout): per_class clips of each class."""
    out = root / "dev"
    out.mkdir()
    for cls in classes:
        for path in sorted((DATA / "clips-dev").glob(f"{cls}_*_to_*.csv"))[:per_class]:
            shutil.copyfile(path, out / path.name)
    return out


LDO = ("evaluate", "--cv", "leave-day-out", "--epochs", "1")


@expect("rc 2: one day makes no leave-day-out fold", "rc=2", "two days")
def ldo_one_day_only(root: Path) -> str:
    clips(root)
    proc = silkpipe(root, *LDO, "--clips", "clips")
    folds = "printed_no_folds=" + ("yes" if "no folds" in proc.stdout.decode() else "no")
    return summary(proc, folds, "day")


@expect(
    "scored on the classes both days hold (named in the header), rc 0",
    "rc=0",
    "classes: jump",
)
def ldo_second_day_one_class(root: Path) -> str:
    clips(root)
    dev_day(root, classes=("jump",))
    proc = silkpipe(root, *LDO, "--clips", "clips", "--clips", "dev")
    head = [x for x in proc.stdout.decode().splitlines() if x.startswith("==")]
    return summary(proc, "", "day") + " || " + " ".join(head)


@expect("b named (no known class), a trained, rc 2", "rc=2", "(b)", "model=yes")
def train_sessions_labels_all_unknown(root: Path) -> str:
    """b's labels.csv: every label an unknown class (WALKx, NOISEx, ...)."""
    labelled_sessions(root, 0.0)
    path = root / "s" / "b" / "labels.csv"
    lines = path.read_text().splitlines()
    body = [",".join([*x.split(",")[:2], x.split(",")[2].upper() + "x"]) for x in lines[1:]]
    path.write_text("\n".join([lines[0], *body]) + "\n")
    proc = silkpipe(root, "train", "--sessions", "s", "--out", "out", "--epochs", "1")
    return summary(proc, model_files(root).replace("model=", "model=yes:", 1), "skipped")


@expect("case_session named (not a regular file), good labelled", "case_session", "good=labelled")
def run_transcript_fifo(root: Path) -> str:
    s = sessions(root)
    (s / "whisperx_output.json").unlink()
    os.mkfifo(s / "whisperx_output.json")
    return run_case(root)


if __name__ == "__main__":
    main(CASES)
