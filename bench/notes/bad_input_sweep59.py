"""Seventeenth bad-input sweep (stop 59): sweep 58's leftovers (score-voice's temporary
folders, made with mkdtemp, outside locks.temp_scratch: a kill -9 left them in TMPDIR for
good; stdout on a full disk said "[Errno 28] No space left on device" and not that it was
stdout), then new ground: the sample dialect's session_metadata.json (a key given twice,
NaN and Infinity literals) and sample files (another sample's rows appended, header only,
rows reversed), transcripts with shuffled words or words before the recording, an 8-bit
WAV, a HOME that does not exist, LC_ALL=C with non-ASCII folder names, a store under a
file, SIGTERM to score-voice.

The harness is bench/notes/bad_input_harness.py; each case says what the house rule expects
(its verdict is held to that). Each case builds its inputs under SCRATCH/CASE from copies of
../shared/data (never written), or from `silkpipe synth` (score-voice's sessions need a
truth.json), and runs what a user types, each command its own process. A signal or kill at
a set point is a runner that sends it to itself there (runner(), sweep 57).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice /work/main/.venv/bin/python \\
        bench/notes/bad_input_sweep59.py /tmp/sw59/after --results after.jsonl [CASE ...]
"""

from __future__ import annotations

import json
import random
import struct
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bad_input_harness import (  # noqa: E402
    AUDIO,
    DATA,
    PY,
    RUN,
    TRAIN,
    UPLOAD,
    Cases,
    clips,
    edit_text,
    edit_transcript,
    env,
    good_labelled,
    main,
    model_files,
    rows,
    sessions,
    silkpipe,
    summary,
    trained_model,
    write_rows,
)
from bad_input_sweep57 import runner  # noqa: E402

CASES = Cases()
expect = CASES.expect
KNOWN_TMP = {"torchinductor_root", ".ses"}


def tmp_kinds(root: Path) -> str:
    """The silkpipe folders left in TMPDIR, by kind (their random part cut), with counts."""
    kinds: dict[str, int] = {}
    for path in (root / "tmp").iterdir():
        if path.name not in KNOWN_TMP:
            kind = path.name.rsplit("-", 1)[0]
            kinds[kind] = kinds.get(kind, 0) + 1
    return "tmp_left=" + (",".join(f"{k}x{n}" for k, n in sorted(kinds.items())) or "-")


# ---- sweep 58's leftover (a): score-voice's temporary folders -----------------------------

SCORE = ("score-voice", "syn/sessions", "--clips", "ev/clips", "--oracle")
SCORE += ("--seeds", "1", "--epochs", "1")

STOP_IN_TRANSCRIBE = """
import os, runpy, signal, sys
from silkpipe import voice_score
def stopped(*args, **kwargs):
    os.kill(os.getpid(), getattr(signal, os.environ["STOP_WITH"]))
    raise SystemExit("the signal was not answered")
voice_score.transcribe_all = stopped
sys.argv = ["silkpipe", *sys.argv[1:]]
runpy.run_module("silkpipe.cli", run_name="__main__", alter_sys=True)
"""


def synth_sets(root: Path) -> None:
    """syn/: two 60-s sessions with truth.json (seed 21); ev/: clips to score on (seed 22)."""
    base = ("--clips-per-class", "2")
    silkpipe(root, "synth", "syn", "--sessions", "2", "--duration", "60", *base, "--seed", "21")
    silkpipe(root, "synth", "ev", "--sessions", "1", "--duration", "20", *base, "--seed", "22")


@expect(
    "the rerun rc 0 and its report kept; the killed run's store and controls' scratch "
    "dropped from TMPDIR (one score-voice folder left: the rerun's, with its report)",
    "rerun=0 tmp_left=silkpipe-score-voicex1 ",
)
def score_voice_killed_9_then_rerun(root: Path) -> str:
    """`score-voice syn/sessions --clips ev/clips --oracle` (no --store: a temporary one)
    killed (-9) as it transcribes, after its store and its controls were made; then the
    same command again."""
    synth_sets(root)
    killed = runner(root, STOP_IN_TRANSCRIBE, *SCORE, STOP_WITH="SIGKILL")
    after_kill = tmp_kinds(root)
    again = silkpipe(root, *SCORE)
    extra = f"killed_rc={killed.returncode} {after_kill} rerun={again.returncode}"
    return summary(again, f"{extra} {tmp_kinds(root)} ", "score-voice")


@expect(
    "rc 143, one line; its temporary store and controls' scratch deleted (no report was "
    "written: nothing in it is a result)",
    "rc=143",
    "tmp_left=-",
)
def score_voice_sigterm_without_a_store(root: Path) -> str:
    """`score-voice ...` (no --store) sent SIGTERM as it transcribes (a batch job's limit)."""
    synth_sets(root)
    proc = runner(root, STOP_IN_TRANSCRIBE, *SCORE, STOP_WITH="SIGTERM")
    return summary(proc, tmp_kinds(root), "score-voice")


# ---- sweep 58's leftover (b): stdout on a full disk ----------------------------------------


def into_dev_full(root: Path, *argv: str) -> subprocess.CompletedProcess:
    """`silkpipe ARGV > /dev/full` (stdout on a full disk)."""
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [PY, "-m", "silkpipe.cli", *argv],
            cwd=root,
            env=env(root),
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=600,
        )
    with open(root / "stderr.txt", "ab") as log:
        log.write(b"$ silkpipe " + " ".join(argv).encode() + b" > /dev/full\n" + proc.stderr)
    return proc


@expect(
    "rc 1, one line saying stdout could not be written (a full disk); no traceback",
    "rc=1",
    "cannot write stdout",
    "No space left",
)
def sessions_list_into_a_full_disk(root: Path) -> str:
    """`sessions list --store store > /dev/full` after an upload (sweep 58's case)."""
    sessions(root)
    silkpipe(root, *UPLOAD)
    proc = into_dev_full(root, "sessions", "list", "--store", "store")
    return summary(proc, "", "list")


@expect(
    "rc 1, one line saying stdout could not be written (a full disk); no traceback",
    "rc=1",
    "cannot write stdout",
    "No space left",
)
def evaluate_into_a_full_disk(root: Path) -> str:
    """`evaluate --model out/model --clips clips > /dev/full` (the scores table)."""
    trained_model(root)
    proc = into_dev_full(root, "evaluate", "--model", "out/model", "--clips", "clips")
    return summary(proc, "", "evaluate")


# ---- the sample dialect: session_metadata.json ---------------------------------------------


def meta_edit(root: Path, old: bytes, new: bytes) -> None:
    path = clips(root) / "session_metadata.json"
    text = path.read_bytes()
    assert old in text, old
    edit_text(path, lambda b: b.replace(old, new, 1))


@expect(
    "rc 2, the folder refused naming the key given twice and both values; no model",
    "rc=2",
    "given twice",
    "model=no",
)
def c14_meta_date_given_twice(root: Path) -> str:
    """A second "date" (1999-01-01) added below the first: a date corrected by hand."""
    meta_edit(
        root,
        b'"recording_duration_sec"',
        b'"date": "1999-01-01T00:00:00",\n  "recording_duration_sec"',
    )
    proc = silkpipe(root, *TRAIN)
    return summary(proc, model_files(root), "session_metadata")


@expect(
    "rc 2, recording_duration_sec named as not a positive number; no model",
    "rc=2",
    "recording_duration_sec",
    "model=no",
)
def c14_meta_duration_nan_literal(root: Path) -> str:
    """`"recording_duration_sec": NaN` (JavaScript's JSON.stringify writes null; a Python
    json.dump writes NaN)."""
    meta_edit(root, b'"recording_duration_sec": 2.5', b'"recording_duration_sec": NaN')
    proc = silkpipe(root, *TRAIN)
    return summary(proc, model_files(root), "session_metadata")


@expect(
    "rc 0: samples_per_gesture is never read (the files say how many samples), the model written",
    "rc=0",
    "model=config.json",
)
def c14_meta_samples_infinity_literal(root: Path) -> str:
    """`"samples_per_gesture": Infinity`."""
    meta_edit(root, b'"samples_per_gesture": 40', b'"samples_per_gesture": Infinity')
    proc = silkpipe(root, *TRAIN)
    return summary(proc, model_files(root), "session_metadata")


# ---- the sample dialect: sample files -------------------------------------------------------


@expect(
    "rc 2 partial: jump_sample01.csv named (its times go back: two samples in one file) and "
    "skipped; the model written without it",
    "rc=2",
    "times go back",
    "model=config.json",
)
def c14_sample_with_another_samples_rows_appended(root: Path) -> str:
    """jump_sample01.csv with jump_sample02.csv's rows appended, header dropped (`tail -n
    +2 b >> a`)."""
    path = clips(root) / "jump_sample01.csv"
    more = (DATA / "clips-20251014" / "jump_sample02.csv").read_text().splitlines()[1:]
    path.write_text(path.read_text() + "\n".join(more) + "\n")
    proc = silkpipe(root, *TRAIN)
    return summary(proc, model_files(root), "jump_sample01")


@expect(
    "rc 2 partial: the header-only sample named and skipped; the model written",
    "rc=2",
    "jump_sample01.csv",
    "model=config.json",
)
def c14_sample_header_only(root: Path) -> str:
    """jump_sample01.csv cut to its header line (the recorder stopped before a row)."""
    path = clips(root) / "jump_sample01.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    proc = silkpipe(root, *TRAIN)
    return summary(proc, model_files(root), "jump_sample01")


@expect(
    "rc 0: rows in reverse order read (each row carries its time), the model written",
    "rc=0",
    "model=config.json",
)
def c14_sample_rows_reversed(root: Path) -> str:
    """jump_sample01.csv with its rows in reverse order (sorted descending by time)."""
    path = clips(root) / "jump_sample01.csv"
    header, body = rows(path)
    write_rows(path, header, body[::-1])
    proc = silkpipe(root, *TRAIN)
    return summary(proc, model_files(root), "jump_sample01")


# ---- transcripts and audio ------------------------------------------------------------------


def _words(doc: dict) -> list[dict]:
    return [w for seg in doc["segments"] for w in seg.get("words", [])]


@expect(
    "rc 0, both sessions labelled: words are placed by their times, not their order",
    "rc=0",
    "good=labelled",
    "case=labelled",
)
def tr_words_and_segments_shuffled(root: Path) -> str:
    """case_session's whisperx_output.json with its segments, and each one's words, in a
    random order (a tool that rewrote the file from a hash map)."""

    def shuffle(doc: dict) -> dict:
        for seg in doc["segments"]:
            random.Random(1).shuffle(seg.get("words", []))
        random.Random(2).shuffle(doc["segments"])
        return doc

    edit_transcript(sessions(root), shuffle)
    proc = silkpipe(root, *RUN)
    return summary(proc, f"{good_labelled(root)} {_case_state(root)}")


def _case_state(root: Path) -> str:
    path = root / "store" / "runs" / "r" / "labels.json"
    if not path.is_file():
        return "case=none"
    excluded = json.loads(path.read_text()).get("excluded", {})
    return "case=excluded" if "case_session" in json.dumps(excluded) else "case=labelled"


@expect(
    "rc 0; words before the recording began (negative times) are not placed on motion, the "
    "rest labels the session as before",
    "rc=0",
    "good=labelled",
)
def tr_first_words_at_negative_times(root: Path) -> str:
    """The first five timed words moved to before the recording (start -5 s - start)."""

    def negative(doc: dict) -> dict:
        for word in [w for w in _words(doc) if "start" in w][:5]:
            word["start"] = -5.0 - word["start"]
            word["end"] = word["start"] + 0.2
        return doc

    edit_transcript(sessions(root), negative)
    proc = silkpipe(root, *RUN)
    return summary(proc, good_labelled(root))


def wav_bytes_8bit(samples16: bytes) -> bytes:
    """16-bit PCM as 8-bit unsigned PCM, in a WAV of its own."""
    import numpy as np

    x = np.frombuffer(samples16, dtype="<i2").astype(np.int32)
    data = ((x >> 8) + 128).astype(np.uint8).tobytes()
    fmt = struct.pack("<HHIIHH", 1, 1, 16000, 16000, 1, 8)
    body = b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(data))
    return b"RIFF" + struct.pack("<I", 4 + len(body) + len(data)) + b"WAVE" + body + data


@expect(
    "rc 0, the 8-bit audio transcribed as the 16-bit original is (2 commands: excluded with "
    "that reason, as the original)",
    "rc=0",
    "good=labelled",
    "only 2 command",
)
def wav_8bit_unsigned(root: Path) -> str:
    """The audio session (110929) with its WAV as 8-bit unsigned PCM (an old recorder)."""
    s = sessions(root, AUDIO, ("sensor_data.csv", "metadata.json"))
    real = (DATA / "sessions" / AUDIO / "audio_16k.wav").read_bytes()
    (s / "audio_16k.wav").write_bytes(wav_bytes_8bit(real[44:]))
    proc = silkpipe(root, *RUN)
    return summary(proc, good_labelled(root))


# ---- the environment --------------------------------------------------------------------------


@expect(
    "rc 0 with HOME=/nonexistent (a batch job's user): the audio session transcribed",
    "rc=0",
    "good=labelled",
    "only 2 command",
)
def run_with_home_nonexistent(root: Path) -> str:
    """`HOME=/nonexistent run ...` on the audio session (Whisper's model, caches)."""
    sessions(root, AUDIO, ("sensor_data.csv", "metadata.json", "audio_16k.wav"))
    proc = subprocess.run(
        [PY, "-m", "silkpipe.cli", *RUN],
        cwd=root,
        env={**env(root), "HOME": "/nonexistent"},
        capture_output=True,
        timeout=900,
    )
    return summary(proc, good_labelled(root))


@expect(
    "rc 0 under LC_ALL=C: folders named 'sessións ü', 'clips ✓' and 'store ✓' read and "
    "written, the names printed as given",
    "rc=0",
    "upload=0",
    "listed=2",
)
def lc_all_c_with_non_ascii_folder_names(root: Path) -> str:
    """`LC_ALL=C sessions upload 'sessións ü' --clips 'clips ✓' --store 'store ✓'`, then
    `sessions list` (a minimal container's locale)."""
    sessions(root).parent.rename(root / "sessións ü")
    clips(root).rename(root / "clips ✓")
    e = {**env(root), "LC_ALL": "C", "LANG": "C"}

    def call(*argv: str) -> subprocess.CompletedProcess:
        argv_ = [PY, "-m", "silkpipe.cli", *argv]
        return subprocess.run(argv_, cwd=root, env=e, capture_output=True, timeout=600)

    up = call("sessions", "upload", "sessións ü", "--clips", "clips ✓", "--store", "store ✓")
    listed = call("sessions", "list", "--store", "store ✓")
    names = json.loads(listed.stdout or b"[]")
    return summary(up, f"upload={up.returncode} listed={len(names)}", "ü")


@expect(
    "rc 2, one line naming the store path and 'Not a directory'; nothing written",
    "rc=2",
    "Not a directory",
)
def store_under_a_file(root: Path) -> str:
    """`sessions upload sessions --store notes.txt/store` (notes.txt a file)."""
    sessions(root)
    (root / "notes.txt").write_text("notes\n")
    proc = silkpipe(root, "sessions", "upload", "sessions", "--store", "notes.txt/store")
    return summary(proc, "", "store")


if __name__ == "__main__":
    main(CASES)
