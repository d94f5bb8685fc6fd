"""Eleventh bad-input sweep (stop 52): cases the ten earlier sweeps (bad_input_sweep,
session_bad_input_sweep, entry_bad_input_sweep, bad_input_sweep39, 40, 42, 43, 47, 48, 49,
50, 51) did not build: a labels.csv (train/evaluate --sessions) with a 200 KB cell, a NUL
byte or a stray quote (the only input read with the csv module); a clip day at the edge of
the calendar (session_metadata.json dated 9999-12-31 or 0001-01-01) in leave-day-out; the
disk filling up under `train --store`, `report --store --force`, `sessions list --run-id`
(the fan-out), `evaluate --cv --report` and `sessions upload` of a second session; SIGTERM
during `train --out` (then the same command again) and during `evaluate --cv --report`;
clip names differing only in case, macOS AppleDouble files (`._x.csv`, `__MACOSX/`) in a
clips folder and a sessions folder; a sensor_data.csv whose body is one 50 MB line, or
with a form feed inside a row; a big-endian (RIFX) WAV; a transcript whose words are all
empty; `synth --seed 2**64`; `evaluate --cv --seed` whose last seed is out of range;
`transcribe --sessions-file` naming a session twice.

The harness is bench/notes/bad_input_harness.py; each case says what the house rule expects
(its verdict is held to that). Each case builds its inputs under SCRATCH/CASE from copies of
../shared/data (never written) and runs what a user types, each command its own process.
Needs root (tmpfs mounts; each unmounted when its case ends).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice /work/main/.venv/bin/python \\
        bench/notes/bad_input_sweep52.py /tmp/review52/after --results after.jsonl [CASE ...]
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bad_input_harness import (  # noqa: E402
    AUDIO,
    DATA,
    GOOD,
    PY,
    Cases,
    clips,
    copy_session,
    disk,
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
expect = CASES.expect
TRAIN_S = ("train", "--sessions", "s", "--out", "out", "--epochs", "1")
EVAL_S = ("evaluate", "--model", "out/model", "--sessions", "s", "--json")
NAMED = "case_session named, good labelled, rc 2"


def streams_trained(root: Path) -> str:
    cfg = root / "out" / "model" / "config.json"
    if not cfg.is_file():
        return "model=no"
    n = json.loads(cfg.read_text())["training"]["trained_on"][0]["streams"]
    return f"model=yes streams={n}"


# ---- labels.csv: the one input read with the csv module ------------------------------------


def damage_labels(root: Path, text: bytes) -> None:
    """s/a and s/b labelled; b's labels.csv gets ``text`` after its third line."""
    labelled_sessions(root, 0.0)
    path = root / "s" / "b" / "labels.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:3]) + text + b"".join(lines[3:]))


BIG_CELL = b"10,11,walk" + b"k" * 200_000 + b"\n"  # over the csv module's 131072 field limit


@expect(
    "b and its labels.csv named in one line, rc 2 (evaluate refuses a bad labelled session)",
    "rc=2",
    "b/labels.csv",
)
def evaluate_sessions_labels_cell_200kb(root: Path) -> str:
    trained_model(root)
    damage_labels(root, BIG_CELL)
    return summary(silkpipe(root, *EVAL_S), "", "labels")


@expect("b's labels.csv named, a trained, rc 2", "rc=2", "b/labels.csv", "model=yes")
def train_sessions_labels_cell_200kb(root: Path) -> str:
    damage_labels(root, BIG_CELL)
    return summary(silkpipe(root, *TRAIN_S), streams_trained(root), "skipped")


@expect("b and its labels.csv named in one line, rc 2", "rc=2", "b/labels.csv")
def evaluate_sessions_labels_nul_byte(root: Path) -> str:
    trained_model(root)
    damage_labels(root, b"10,11,wa\x00lk\n")
    return summary(silkpipe(root, *EVAL_S), "", "labels")


@expect(
    "b's labels.csv named in one short line (its line), a trained, rc 2",
    "rc=2",
    "b/labels.csv",
    "model=yes",
    "line=short",
)
def train_sessions_labels_stray_quote(root: Path) -> str:
    """A quote opened and never closed: the csv module reads the rest of the file as one
    cell of one row."""
    damage_labels(root, b'10,11,"walk\n')
    proc = silkpipe(root, *TRAIN_S)
    named = [x for x in proc.stderr.decode().splitlines() if "labels.csv" in x] or [""]
    longest = max(map(len, named))
    state = "line=short" if longest < 500 else f"line={longest} chars"
    return summary(proc, f"{streams_trained(root)} {state}", "skipped")


# ---- a clip day at the edge of the calendar (leave-day-out) -------------------------------


def dev_day(root: Path, classes=("jump", "punch", "turn", "walk", "idle"), per_class=3) -> Path:
    """clips-dev (another day, device-ns layout): per_class clips of each class."""
    out = root / "dev"
    out.mkdir()
    for cls in classes:
        for path in sorted((DATA / "clips-dev").glob(f"{cls}_*_to_*.csv"))[:per_class]:
            shutil.copyfile(path, out / path.name)
    return out


def dated_clips(root: Path, date: str) -> None:
    path = clips(root) / "session_metadata.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "date": date}))
    dev_day(root)


LDO = ("evaluate", "--cv", "leave-day-out", "--epochs", "1", "--clips", "clips", "--clips", "dev")


@expect(
    "scored (the day is a day), or the date named, rc 0 or 2",
    refuses=("rc=1", "Overflow"),
)
def ldo_clips_dated_9999_12_31(root: Path) -> str:
    dated_clips(root, "9999-12-31T23:00:00")
    proc = silkpipe(root, *LDO)
    head = [x for x in proc.stdout.decode().splitlines() if x.startswith("==")]
    return summary(proc, "", "session_metadata") + " || " + " ".join(head)


@expect(
    "scored (the day is a day), or the date named, rc 0 or 2",
    refuses=("rc=1", "Overflow"),
)
def ldo_clips_dated_0001_01_01(root: Path) -> str:
    dated_clips(root, "0001-01-01T00:00:00")
    proc = silkpipe(root, *LDO)
    head = [x for x in proc.stdout.decode().splitlines() if x.startswith("==")]
    return summary(proc, "", "session_metadata") + " || " + " ".join(head)


# ---- the disk filling up under a writer ---------------------------------------------------


def base_store(scratch: Path) -> Path:
    """A store holding run r of the good session alone (made once a sweep, then copied)."""
    base = scratch / "_base"
    if not (base / "store" / "runs" / "r" / "report").is_dir():
        shutil.rmtree(base, ignore_errors=True)
        copy_session(DATA / "sessions" / GOOD, base / "one" / GOOD)
        silkpipe(base, "run", "one", "--store", "store", "--run-id", "r", "--workers", "1")
    return base / "store"


def fill(folder: Path, leave: int) -> None:
    """Fill the disk under ``folder`` but ``leave`` bytes."""
    st = os.statvfs(folder)
    (folder / ".filler").write_bytes(b"\0" * max(0, st.f_bavail * st.f_frsize - leave))


def pointers(store: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((store / "runs" / "r").glob("*.json"))}


def kept(store: Path, before: dict[str, bytes]) -> str:
    now = pointers(store)
    changed = [k for k in before if now.get(k) != before[k]]
    return "pointers=kept" if not changed else f"pointers=CHANGED:{','.join(changed)}"


@expect(
    "one 'no space' line, rc 1; the run's pointers as they were (the old model kept)",
    "rc=1",
    "No space",
    "pointers=kept",
)
def train_store_full_disk(root: Path) -> str:
    base = base_store(root.parent)
    with disk(root / "store", "12M") as store:
        shutil.copytree(base, store, dirs_exist_ok=True)
        fill(store, 100_000)
        before = pointers(store)
        proc = silkpipe(root, "train", "--store", "store", "--run-id", "r", "--epochs", "1")
        return summary(proc, kept(store, before), "store")


@expect(
    "one 'no space' line, rc 1; report and manifest as they were",
    "rc=1",
    "No space",
    "pointers=kept",
    "report=kept",
)
def report_store_full_disk_force(root: Path) -> str:
    base = base_store(root.parent)
    with disk(root / "store", "12M") as store:
        shutil.copytree(base, store, dirs_exist_ok=True)
        fill(store, 300_000)
        before, page = pointers(store), (store / "runs/r/report/index.html").read_bytes()
        proc = silkpipe(root, "report", "--store", "store", "--run-id", "r", "--force")
        same = (store / "runs/r/report/index.html").read_bytes() == page
        return summary(proc, f"{kept(store, before)} report={'kept' if same else 'CHANGED'}")


@expect(
    "one 'no space' line, rc 1; no chunk ids on stdout, no fanout.json",
    "rc=1",
    "No space",
    "stdout=-",
    "fanout=none",
)
def fanout_store_full_disk(root: Path) -> str:
    base = base_store(root.parent)
    with disk(root / "store", "12M") as store:
        shutil.copytree(base, store, dirs_exist_ok=True)
        fill(store, 0)
        argv = ("sessions", "list", "--store", "store", "--run-id", "r", "--sessions-per-pod", "1")
        proc = silkpipe(root, *argv)
        f = store / "runs" / "r" / "fanout.json"
        state = "fanout=none" if not f.exists() else f"fanout={f.stat().st_size}B"
        return summary(proc, f"stdout={proc.stdout.decode().strip() or '-'} {state}", "fanout")


@expect(
    "one 'no space' line naming rep, rc 1; rep holds no cv.json (or a whole one)",
    "rc=1",
    "No space",
    "rep",
    refuses=("cv.json=HALF",),
)
def cv_report_full_disk(root: Path) -> str:
    clips(root)
    with disk(root / "rep", "4k") as rep:
        argv = ("evaluate", "--cv", "time-range", "--clips", "clips", "--epochs", "1")
        proc = silkpipe(root, *argv, "--report", "rep")
        cv = rep / "cv.json"
        state = "cv.json=none"
        if cv.exists():
            try:
                json.loads(cv.read_text())
                state = "cv.json=whole"
            except ValueError:
                state = "cv.json=HALF"
        left = sorted(p.name for p in rep.iterdir())
        return summary(proc, f"{state} rep={left}", "rep")


def uploaded(store: Path, src: Path) -> str:
    """Per session folder: whole (every file as its source), half, or none in the store."""
    out = []
    for folder in sorted(src.iterdir()):
        there = store / "sessions" / folder.name
        if not there.exists():
            out.append(f"{folder.name[:15]}=none")
            continue
        if not any(there.iterdir()):  # a folder store's empty folder lists as no session
            out.append(f"{folder.name[:15]}=empty-folder")
            continue
        same = all(
            (there / f.name).is_file() and (there / f.name).read_bytes() == f.read_bytes()
            for f in folder.iterdir()
        )
        out.append(f"{folder.name[:15]}={'whole' if same else 'HALF'}")
    return " ".join(out)


@expect(
    "one 'no space' line, rc 1 (a fault); the session that fitted whole, the other not half",
    "rc=1",
    "No space",
    refuses=("HALF",),
)
def upload_second_session_full_disk(root: Path) -> str:
    """A 4 MB store: room for one session (2.4 MB) of the two."""
    sessions(root)
    with disk(root / "store", "4M") as store:
        proc = silkpipe(root, "sessions", "upload", "sessions", "--store", "store")
        state = uploaded(store, root / "sessions")
        return summary(proc, f"{state} stdout={proc.stdout.decode().strip() or '-'}")


# ---- SIGTERM (a service stop, `kill PID`) mid-training -----------------------------------


def start(root: Path, *argv: str) -> tuple[subprocess.Popen, Path]:
    log = root / "term.txt"
    proc = subprocess.Popen(
        [PY, "-m", "silkpipe.cli", *argv],
        cwd=root,
        env=env(root),
        stderr=open(log, "wb"),  # noqa: SIM115
    )
    return proc, log


def term_when(proc: subprocess.Popen, log: Path, text: str, after: float = 1.5) -> int:
    """SIGTERM ``after`` seconds once ``text`` is on its stderr (training began)."""
    for _ in range(600):
        if text in log.read_text(errors="replace") or proc.poll() is not None:
            break
        time.sleep(0.1)
    time.sleep(after)
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=120)


def leftovers(tmp: Path) -> str:
    """What a command left in its TMPDIR (torch's own files aside)."""
    known = {"torchinductor_root", ".ses"}
    return "tmp_left=" + (
        ",".join(sorted(p.name for p in tmp.iterdir() if p.name not in known)) or "-"
    )


LONG_TRAIN = ("train", "--clips", "clips", "--out", "out", "--epochs", "300")
LONG_TRAIN += ("--patience", "100000")


@expect(
    "SIGTERM: exit 143, no out/model, TMPDIR clean; the same command again finishes (rc 0)",
    "term_rc=143",
    "model_after_term=no",
    "tmp_left=-",
    "rerun rc=0",
)
def train_out_sigterm_then_rerun(root: Path) -> str:
    clips(root)
    proc, log = start(root, *LONG_TRAIN)
    rc = term_when(proc, log, "windows:")
    model = "yes" if (root / "out" / "model").exists() else "no"
    left = leftovers(root / "tmp")
    last = log.read_text(errors="replace").strip().splitlines()[-1:] or ["-"]
    again = silkpipe(root, *LONG_TRAIN)
    extra = f"term_rc={rc} model_after_term={model} {left} ({last[0][:120]}) rerun"
    return summary(again, extra + f" rc={again.returncode} {model_files(root)[:40]}", "out")


@expect(
    "SIGTERM: exit 143, no rep/cv.json, TMPDIR clean",
    "term_rc=143",
    "rep=none",
    "tmp_left=-",
)
def cv_report_sigterm(root: Path) -> str:
    clips(root)
    argv = ("evaluate", "--cv", "time-range", "--clips", "clips", "--epochs", "400")
    proc, log = start(root, *argv, "--seeds", "3", "--report", "rep")
    rc = term_when(proc, log, "windows:")
    rep = root / "rep"
    state = "rep=none" if not rep.exists() else f"rep={sorted(p.name for p in rep.iterdir())}"
    last = log.read_text(errors="replace").strip().splitlines()[-1:] or ["-"]
    return f"term_rc={rc} {state} {leftovers(root / 'tmp')} | {last[0][:200]}"


# ---- clip and session names -------------------------------------------------------------


@expect("trained; the upper-case name named (no class) or read, no traceback", "model=yes")
def c14_clip_names_differ_in_case(root: Path) -> str:
    """jump_sample01.csv beside JUMP_sample01.csv (another jump sample's bytes)."""
    folder = clips(root)
    shutil.copyfile(DATA / "clips-20251014" / "jump_sample05.csv", folder / "JUMP_sample01.csv")
    return train_clips(root, mark="JUMP")


APPLEDOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + b"\x00" * 64


@expect("trained; the ._ file named or passed over, __MACOSX not read", "model=yes")
def c14_clips_macos_appledouble(root: Path) -> str:
    """A clips folder unzipped from a macOS zip: ._jump_sample01.csv (AppleDouble bytes)
    beside each clip, and __MACOSX/ holding more of them."""
    folder = clips(root)
    (folder / "__MACOSX").mkdir()
    for path in list(folder.glob("*.csv"))[:3]:
        (folder / f"._{path.name}").write_bytes(APPLEDOUBLE)
        (folder / "__MACOSX" / f"._{path.name}").write_bytes(APPLEDOUBLE)
    return train_clips(root, mark="._")


@expect("the good session uploaded; __MACOSX named (not a session) or passed over", GOOD)
def upload_sessions_macos_zip(root: Path) -> str:
    folder = sessions(root)
    mac = folder / "__MACOSX"
    (mac / GOOD).mkdir(parents=True)
    (mac / f"._{GOOD}").write_bytes(APPLEDOUBLE)
    (mac / GOOD / "._sensor_data.csv").write_bytes(APPLEDOUBLE)
    proc = silkpipe(root, "sessions", "upload", "sessions", "--store", "store")
    return summary(proc, f"stdout={proc.stdout.decode().strip()}", "MACOSX")


# ---- session file contents (run) --------------------------------------------------------


@expect(NAMED + ", in seconds", "rc=2", "case_session", "sensor_data", "good=labelled")
def csv_body_one_50mb_line(root: Path) -> str:
    """sensor_data.csv: the header, then every row on one line (rows joined by ';'),
    repeated to 50 MB."""
    path = sessions(root) / "sensor_data.csv"
    lines = path.read_text().splitlines()
    body = ";".join(lines[1:])
    body = (body + ";") * (50_000_000 // len(body) + 1)
    path.write_text(lines[0] + "\n" + body[:50_000_000] + "\n")
    return run_case(root)


@expect(NAMED, "rc=2", "case_session", "sensor_data", "good=labelled")
def csv_form_feed_in_row(root: Path) -> str:
    """A form feed (\\x0c, which str.splitlines breaks on) inside row 500's cells."""
    path = sessions(root) / "sensor_data.csv"
    lines = path.read_text().split("\n")
    lines[499] = lines[499].replace(",", ",\x0c", 1)
    path.write_text("\n".join(lines))
    return run_case(root)


@expect(NAMED + " (the WAV named)", "rc=2", "case_session", "audio", "good=labelled")
def wav_rifx_big_endian(root: Path) -> str:
    """audio_16k.wav with a big-endian RIFX header (its bytes otherwise as they were)."""
    files = ("sensor_data.csv", "metadata.json", "audio_16k.wav")
    path = sessions(root, base=AUDIO, files=files) / "audio_16k.wav"
    data = bytearray(path.read_bytes())
    data[:4] = b"RIFX"
    path.write_bytes(bytes(data))
    return run_case(root)


@expect(
    "case_session excluded by the gate, its reason named (0 commands), good labelled "
    "(as sweep 39's tr_empty_segments: rc 0)",
    "case_session",
    "only 0 command",
    "good=labelled",
)
def tr_words_all_empty(root: Path) -> str:
    def blank(data: dict) -> dict:
        for seg in data.get("segments", []):
            seg["text"] = ""
            for w in seg.get("words", []):
                w["word"] = ""
        for w in data.get("word_segments", []):
            w["word"] = ""
        return data

    edit_transcript(sessions(root), blank)
    return run_case(root)


# ---- options ------------------------------------------------------------------------------


@expect("written (numpy takes any seed) or --seed named, rc 0 or 2", refuses=("rc=1",))
def synth_seed_2_64(root: Path) -> str:
    proc = silkpipe(root, "synth", "syn", "--sessions", "1", "--seed", str(2**64))
    made = len(list((root / "syn").rglob("*"))) if (root / "syn").exists() else 0
    return summary(proc, f"syn={made} files", "seed")


@expect("rc 2 naming the seed, before training", "rc=2", "seed")
def cv_seed_last_over_range(root: Path) -> str:
    clips(root)
    argv = ("evaluate", "--cv", "time-range", "--clips", "clips", "--epochs", "1")
    proc = silkpipe(root, *argv, "--seed", str(2**32 - 1), "--seeds", "2")
    return summary(proc, "", "seed")


@expect("the session transcribed once, rc 0 (or the repeat named, rc 2)", refuses=("rc=1",))
def transcribe_sessions_file_twice(root: Path) -> str:
    shutil.copytree(base_store(root.parent), root / "store")
    (root / "list.txt").write_text(f"{GOOD}\n\n{GOOD}\n")
    argv = ("transcribe", "--store", "store", "--run-id", "r", "--sessions-file", "list.txt")
    proc = silkpipe(root, *argv, "--force")
    made = sorted(p.name for p in (root / "store/runs/r/transcripts").iterdir())
    return summary(proc, f"transcripts={made}", GOOD)


@expect("the session transcribed (a BOM is no name), rc 0", "rc=0", "transcribed 1")
def transcribe_sessions_file_bom(root: Path) -> str:
    """The names file saved by Windows Notepad: a UTF-8 byte-order mark, CRLF."""
    shutil.copytree(base_store(root.parent), root / "store")
    (root / "list.txt").write_bytes(f"\ufeff{GOOD}\r\n".encode())
    argv = ("transcribe", "--store", "store", "--run-id", "r", "--sessions-file", "list.txt")
    return summary(silkpipe(root, *argv, "--force"), "", "list.txt")


@expect(
    "the comment line named in one line (no traceback), the session transcribed, rc 2",
    "rc=2",
    "# sessions",
    "transcripts=['20251017_143627_session.json']",
)
def transcribe_sessions_file_comment_line(root: Path) -> str:
    """A names file with a comment line first (no session name can start with '#')."""
    shutil.copytree(base_store(root.parent), root / "store")
    shutil.rmtree(root / "store/runs/r/transcripts")
    (root / "list.txt").write_text(f"# sessions of day 1\n{GOOD}\n")
    argv = ("transcribe", "--store", "store", "--run-id", "r", "--sessions-file", "list.txt")
    proc = silkpipe(root, *argv)
    made = sorted(p.name for p in (root / "store/runs/r/transcripts").glob("*"))
    return summary(proc, f"transcripts={made}", "# sessions")


@expect("rc 2 naming runs/r/fanout.json", "rc=2", "fanout.json", refuses=("rc=1",))
def transcribe_chunk_fanout_chunks_a_list(root: Path) -> str:
    """runs/r/fanout.json (written by `sessions list --run-id r`) edited: its chunks a list."""
    shutil.copytree(base_store(root.parent), root / "store")
    silkpipe(root, "sessions", "list", "--store", "store", "--run-id", "r")
    (root / "store/runs/r/fanout.json").write_text(json.dumps({"chunks": ["00000"]}))
    argv = ("transcribe", "--store", "store", "--run-id", "r", "--chunk", "00000")
    return summary(silkpipe(root, *argv), "", "fanout")


@expect(
    "the report written (the record read as missing) or the file named, never rc 1",
    "manifest",
    refuses=("rc=1",),
)
def report_failure_record_a_list(root: Path) -> str:
    """A failure record of the run (runs/r/failures/align/zz_session.json) edited into a
    JSON list; `report --force`."""
    shutil.copytree(base_store(root.parent), root / "store")
    folder = root / "store/runs/r/failures/align"
    folder.mkdir(parents=True)
    (folder / "zz_session.json").write_text("[1]")
    argv = ("report", "--store", "store", "--run-id", "r", "--force")
    return summary(silkpipe(root, *argv), "", "failures")


if __name__ == "__main__":
    main(CASES)
