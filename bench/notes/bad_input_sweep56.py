"""Fourteenth bad-input sweep (stop 56): sweep 55's known leftovers (--threads and
--batch-size without an upper bound, and transcribe --chunk-length beside them, judged on
too short an audio by sweep 55; two `evaluate --report DIR` at once into one DIR), then
new ground: the model's size options (--blocks, --conv x --hidden) and the epoch's size
options (--window-event-crops, --min-epoch-windows) at values a typo gives, a --lr or
--jitter that makes the loss NaN, --ema-decay / --dropout / --label-smoothing at 1 (the end
of their range, where nothing is learnt), a report folder holding a folder named like its
files, a report killed between its two moves then run again, a switch given both ways.

The harness is bench/notes/bad_input_harness.py; each case says what the house rule expects
(its verdict is held to that). Each case builds its inputs under SCRATCH/CASE from copies of
../shared/data (never written) and runs what a user types, each command its own process.
Cases that ran out of memory by hand run under `ulimit -v` (limited()): this machine is
shared, and without the limit the kernel's OOM killer ends them (or the machine's other work).
The two-at-once case slows the first writer's os.replace after metrics.json (a runner that
patches it, then runs silkpipe.cli), so the second writer lands inside its window every time.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice /work/main/.venv/bin/python \\
        bench/notes/bad_input_sweep56.py /tmp/review56/after --results after.jsonl [CASE ...]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bad_input_harness import (  # noqa: E402
    AUDIO,
    DATA,
    PY,
    TRAIN,
    Cases,
    clips,
    copy_session,
    env,
    main,
    silkpipe,
    summary,
    trained_model,
)

CASES = Cases()
expect = CASES.expect


def limited(root: Path, argv: tuple[str, ...], gib: int, timeout: int = 600):
    """`silkpipe ARGV` under an address-space limit of ``gib`` GiB, stderr logged."""
    cmd = f"ulimit -v {gib * 1024 * 1024}; exec {PY} -m silkpipe.cli " + " ".join(argv)
    proc = subprocess.run(
        ["bash", "-c", cmd], cwd=root, env=env(root), capture_output=True, timeout=timeout
    )
    with open(root / "stderr.txt", "ab") as log:
        log.write(b"$ silkpipe " + " ".join(argv).encode() + b"\n" + proc.stderr)
    return proc


def made(root: Path, out: str = "out") -> str:
    return "model=" + ("yes" if (root / out / "model" / "config.json").is_file() else "no")


# ---- sweep 55's leftover 1: counts with no upper bound -------------------------------------


@expect("rc 2 naming threads, before any training (no libgomp OOM)", "rc=2", "threads")
def train_threads_100000(root: Path) -> str:
    """`train --clips clips --out out --threads 100000` under 8 GiB."""
    clips(root)
    proc = limited(root, (*TRAIN, "--threads", "100000"), 8)
    return summary(proc, made(root), "threads")


@expect("rc 2 naming TrainConfig.batch_size (it has a bound)", "rc=2", "batch_size")
def train_batch_size_100000(root: Path) -> str:
    """`train ... --batch-size 100000`: TrainConfig.batch_size is in LIMITS (1..4096)."""
    clips(root)
    proc = silkpipe(root, *TRAIN, "--batch-size", "100000")
    return summary(proc, made(root), "batch")


def audio_store(root: Path) -> None:
    copy_session(
        DATA / "sessions" / AUDIO,
        root / "sessions" / AUDIO,
        ("sensor_data.csv", "metadata.json", "audio_16k.wav"),
    )
    silkpipe(root, "sessions", "upload", "sessions", "--store", "store", "--run-id", "r")


def transcribed(root: Path) -> str:
    done = list((root / "store" / "runs" / "r" / "transcripts").glob("*.json"))
    return f"transcripts={len(done)}"


@expect("rc 2 naming --threads, before the model loads (no segfault)", "rc=2", "--threads")
def transcribe_threads_100000(root: Path) -> str:
    """`transcribe S --threads 100000` (CTranslate2's cpu_threads) under 4 GiB."""
    audio_store(root)
    argv = ("transcribe", AUDIO, "--store", "store", "--run-id", "r", "--threads", "100000")
    proc = limited(root, argv, 4)
    return summary(proc, transcribed(root), "threads")


@expect("rc 2 naming --batch-size, before any decoding", "rc=2", "--batch-size")
def transcribe_batch_size_100000(root: Path) -> str:
    """`transcribe S --batch-size 100000`: every speech chunk of the audio in one batch (by
    hand: 3.4 GiB for 711 s of audio against 0.9 GiB at 4; a 6 h session is 30 times that)."""
    audio_store(root)
    argv = ("transcribe", AUDIO, "--store", "store", "--run-id", "r", "--batch-size", "100000")
    proc = silkpipe(root, *argv, "--threads", "1")
    return summary(proc, transcribed(root), "batch")


def long_audio_store(root: Path) -> str:
    """A 12-minute session: 20251017_135233's 89 s of audio played 8 times (a longer game)."""
    import wave

    name = "20251017_135233_session"
    folder = copy_session(
        DATA / "sessions" / name, root / "sessions" / name, ("sensor_data.csv", "metadata.json")
    )
    with wave.open(str(DATA / "sessions" / name / "audio_16k.wav")) as src:
        params, frames = src.getparams(), src.readframes(src.getnframes())
    with wave.open(str(folder / "audio_16k.wav"), "wb") as out:
        out.setparams(params)
        out.writeframes(frames * 8)
    silkpipe(root, "sessions", "upload", "sessions", "--store", "store", "--run-id", "r")
    return name


def words(root: Path) -> str:
    found = list((root / "store" / "runs" / "r" / "transcripts").glob("*.json"))
    if not found:
        return "words=none"
    segments = json.loads(found[0].read_text())["segments"]
    return f"words={sum(len(s.get('words', [])) for s in segments)}"


@expect("rc 2 naming --chunk-length (at most 30), before decoding", "rc=2", "--chunk-length")
def transcribe_chunk_length_200_on_12_minutes(root: Path) -> str:
    """`transcribe S --chunk-length 200` on 12 minutes of audio (sweep 55 took 200 on 89 s)."""
    name = long_audio_store(root)
    argv = ("transcribe", name, "--store", "store", "--run-id", "r", "--chunk-length", "200")
    proc = silkpipe(root, *argv, "--threads", "1")
    return summary(proc, words(root), "chunk")


@expect(
    "rc 2 naming --chunk-length (at most 30); never a transcript missing words",
    "rc=2",
    "--chunk-length",
    "words=none",
)
def transcribe_chunk_length_60_on_12_minutes(root: Path) -> str:
    """`transcribe S --chunk-length 60` on the same audio (by hand: 312 words; 30: 605)."""
    name = long_audio_store(root)
    argv = ("transcribe", name, "--store", "store", "--run-id", "r", "--chunk-length", "60")
    proc = silkpipe(root, *argv, "--threads", "1")
    return summary(proc, words(root), "chunk")


# ---- sweep 55's leftover 2: two reports into one folder at once ----------------------------

SLOW_REPLACE = """
import os, runpy, sys, time
real = os.replace
def replace(src, dst, *a, **k):
    real(src, dst, *a, **k)
    if str(dst).endswith("metrics.json"):
        open(os.environ["MARK"], "w").close()
        end = time.time() + 40
        while not os.path.exists(os.environ["GO"]) and time.time() < end:
            time.sleep(0.1)
os.replace = replace
sys.argv = ["silkpipe", *sys.argv[1:]]
runpy.run_module("silkpipe.cli", run_name="__main__", alter_sys=True)
"""


def _report_of(folder: Path) -> tuple[bytes, bytes]:
    return (folder / "metrics.json").read_bytes(), (folder / "confusion.png").read_bytes()


def _which(root: Path, got: tuple[bytes, bytes]) -> str:
    refs = {name: _report_of(root / f"ref_{name}") for name in ("a", "b")}
    metrics = [n for n, r in refs.items() if r[0] == got[0]]
    figure = [n for n, r in refs.items() if r[1] == got[1]]
    return f"metrics={''.join(metrics) or '?'} confusion={''.join(figure) or '?'}"


@expect(
    "the folder holds one run's pair (metrics and confusion of the same run), both rc 0",
    "pair=whole",
)
def evaluate_report_twice_at_once(root: Path) -> str:
    """`evaluate --model out/model --clips clips --report rep` (a) and `... --clips dev
    --report rep` (b) at once; a's writer is held after its metrics.json until b exits."""
    trained_model(root)
    clips(root, source="clips-dev", per_class=2, name="dev")
    argv = {
        n: ("evaluate", "--model", "out/model", "--clips", n_clips)
        for n, n_clips in (("a", "clips"), ("b", "dev"))
    }
    for n in ("a", "b"):
        silkpipe(root, *argv[n], "--report", f"ref_{n}")
    mark, go = root / "tmp" / "mark", root / "tmp" / "go"
    run_env = {**env(root), "MARK": str(mark), "GO": str(go)}
    a = subprocess.Popen(
        [PY, "-c", SLOW_REPLACE, *argv["a"], "--report", "rep"],
        cwd=root,
        env=run_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    while not mark.exists() and a.poll() is None:
        time.sleep(0.1)
    b = silkpipe(root, *argv["b"], "--report", "rep", timeout=120) if a.poll() is None else None
    go.touch()
    a.wait(timeout=120)
    which = _which(root, _report_of(root / "rep"))
    whole = which in ("metrics=a confusion=a", "metrics=b confusion=b")
    rcs = f"a={a.returncode} b={b.returncode if b else '-'}"
    return summary(b or a, f"{rcs} {which} pair={'whole' if whole else 'MIXED'}", "rep")


@expect(
    "rc 2 naming rep/confusion.png before scoring; the old metrics.json kept",
    "rc=2",
    "confusion.png",
    "metrics=old",
)
def evaluate_report_confusion_png_is_folder(root: Path) -> str:
    """rep/ holds an old metrics.json and a folder named confusion.png (a report's figure
    unpacked, a tool's output folder): `evaluate --model out/model --clips clips --report
    rep`."""
    trained_model(root)
    (root / "rep" / "confusion.png").mkdir(parents=True)
    (root / "rep" / "metrics.json").write_text('{"old": true}')
    argv = ("evaluate", "--model", "out/model", "--clips", "clips", "--report", "rep")
    proc = silkpipe(root, *argv)
    old = (root / "rep" / "metrics.json").read_text() == '{"old": true}'
    return summary(proc, f"metrics={'old' if old else 'REPLACED'}", "confusion")


@expect("rc 2 naming rep/cv.json before any fold is trained", "rc=2", "cv.json", "folds=0")
def evaluate_cv_report_cv_json_is_folder(root: Path) -> str:
    """`evaluate --cv time-range --epochs 1 --clips clips --report rep`, rep/cv.json a folder."""
    clips(root)
    (root / "rep" / "cv.json").mkdir(parents=True)
    argv = ("evaluate", "--cv", "time-range", "--epochs", "1", "--clips", "clips")
    proc = silkpipe(root, *argv, "--report", "rep")
    folds = proc.stderr.decode().count("silkpipe.training: windows:")
    return summary(proc, f"folds={folds}", "cv.json")


# ---- the model's and the epoch's size options ----------------------------------------------


@expect("rc 2 naming blocks, before any training (never an OOM)", "rc=2", "blocks")
def train_blocks_4096(root: Path) -> str:
    """`train ... --blocks 4096` (in LIMITS' 1..4096, shared with --conv) under 6 GiB."""
    clips(root)
    proc = limited(root, (*TRAIN, "--blocks", "4096"), 6)
    return summary(proc, made(root), "blocks")


@expect("rc 2 naming the model's size, before any training", "rc=2", "conv")
def train_conv_hidden_4096(root: Path) -> str:
    """`train ... --conv 4096 --hidden 4096` (each in range alone) under 6 GiB."""
    clips(root)
    proc = limited(root, (*TRAIN, "--conv", "4096", "--hidden", "4096"), 6)
    return summary(proc, made(root), "conv")


@expect("rc 2 naming event_crops, before any training", "rc=2", "event_crops")
def train_event_crops_1e8(root: Path) -> str:
    """`train ... --window-event-crops 100000000` under 6 GiB."""
    clips(root)
    proc = limited(root, (*TRAIN, "--window-event-crops", "100000000"), 6)
    return summary(proc, made(root), "crops")


@expect("rc 2 naming min_epoch_windows, before any training", "rc=2", "min_epoch_windows")
def train_min_epoch_windows_1e9(root: Path) -> str:
    """`train ... --min-epoch-windows 1000000000` under 6 GiB."""
    clips(root)
    proc = limited(root, (*TRAIN, "--min-epoch-windows", "1000000000"), 6)
    return summary(proc, made(root), "epoch_windows")


# ---- a loss that turns NaN ------------------------------------------------------------------


def weights_state(model: Path) -> str:
    code = (
        "import sys, torch; s = torch.load(sys.argv[1], map_location='cpu');"
        "bad = [k for k, v in s.items() if v.is_floating_point() and not v.isfinite().all()];"
        "print('nan' if bad else 'finite')"
    )
    weights = model / "weights.pt"
    if not weights.is_file():
        return "none"
    proc = subprocess.run([PY, "-c", code, str(weights)], capture_output=True, text=True)
    return proc.stdout.strip() or "?"


@expect(
    "rc 2 naming the setting (loss NaN), the earlier model in out/ kept (finite weights)",
    "rc=2",
    "--lr",
    "weights=finite",
)
def train_lr_1e30_over_a_model(root: Path) -> str:
    """`train --clips clips --out out --epochs 1` then the same with `--lr 1e30`."""
    model = trained_model(root)
    proc = silkpipe(root, *TRAIN, "--lr", "1e30")
    return summary(proc, f"weights={weights_state(model)}", "diverged")


@expect("rc 2 naming the loss (NaN), no model written", "rc=2", "NaN", "weights=none")
def train_jitter_1e30(root: Path) -> str:
    """`train ... --jitter 1e30` into a new folder."""
    clips(root)
    proc = silkpipe(root, *TRAIN, "--jitter", "1e30")
    return summary(proc, f"weights={weights_state(root / 'out' / 'model')}", "diverged")


# ---- the end of a range where nothing is learnt --------------------------------------------


def val_f1(proc) -> str:
    err = proc.stderr.decode()
    found = err.split("validation macro-F1 ")[1].split(" ")[0] if "macro-F1 " in err else "-"
    return f"val_f1={found}"


def ten_epochs(root: Path, *options: str) -> str:
    """`train --clips clips --out out --epochs 10 OPTIONS` (the defaults: val_f1 0.663)."""
    clips(root)
    argv = ("train", "--clips", "clips", "--out", "out", "--epochs", "10", *options)
    proc = silkpipe(root, *argv)
    return summary(proc, f"{made(root)} {val_f1(proc)}", options[-2].lstrip("-"))


@expect("rc 2 naming ema_decay (the average never moves)", "rc=2", "ema_decay", "model=no")
def train_ema_decay_1(root: Path) -> str:
    return ten_epochs(root, "--weight-average", "ema", "--ema-decay", "1")


@expect("rc 2 naming dropout (the head sees no feature)", "rc=2", "dropout", "model=no")
def train_dropout_1(root: Path) -> str:
    return ten_epochs(root, "--dropout", "1")


@expect("rc 2 naming label_smoothing (uniform targets)", "rc=2", "label_smoothing", "model=no")
def train_label_smoothing_1(root: Path) -> str:
    return ten_epochs(root, "--label-smoothing", "1")


# ---- an interrupted report; a switch given both ways ----------------------------------


@expect(
    "the rerun (rc 0) leaves its own whole pair and nothing of the killed writer (scratch=0)",
    "rerun=0",
    "pair=whole",
    "scratch=0",
)
def evaluate_report_killed_then_rerun(root: Path) -> str:
    """`evaluate ... --report rep` killed (-9) between its two moves (held there as in
    evaluate_report_twice_at_once), then run again as typed."""
    trained_model(root)
    silkpipe(root, "evaluate", "--model", "out/model", "--clips", "clips", "--report", "ref_a")
    clips(root, source="clips-dev", per_class=2, name="dev")
    silkpipe(root, "evaluate", "--model", "out/model", "--clips", "dev", "--report", "ref_b")
    mark, go = root / "tmp" / "mark", root / "tmp" / "go"
    argv = ("evaluate", "--model", "out/model", "--clips", "dev", "--report", "rep")
    run_env = {**env(root), "MARK": str(mark), "GO": str(go)}
    silkpipe(root, "evaluate", "--model", "out/model", "--clips", "clips", "--report", "rep")
    a = subprocess.Popen([PY, "-c", SLOW_REPLACE, *argv], cwd=root, env=run_env)
    while not mark.exists() and a.poll() is None:
        time.sleep(0.1)
    a.kill()
    a.wait()
    killed = _which(root, _report_of(root / "rep"))
    proc = silkpipe(root, *argv)
    which = _which(root, _report_of(root / "rep"))
    scratch = len(list((root / "rep").glob(".partial-*")))
    whole = "whole" if which == "metrics=b confusion=b" else "MIXED"
    extra = f"killed: {killed}; rerun={proc.returncode} {which} pair={whole} scratch={scratch}"
    return summary(proc, extra, "rep")


@expect("rc 2 naming both spellings; nothing trained", "rc=2", "both ways", "model=no")
def train_switch_given_both_ways(root: Path) -> str:
    """`train --clips clips --out out --epochs 1 --shift --no-shift` (a base command and an
    override; a value option given twice with two values is refused already)."""
    clips(root)
    proc = silkpipe(root, *TRAIN, "--shift", "--no-shift")
    return summary(proc, made(root), "shift")


if __name__ == "__main__":
    main(CASES)
