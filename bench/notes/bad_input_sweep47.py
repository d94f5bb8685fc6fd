"""Sixth bad-input sweep (stop 47): cases the earlier sweeps (bad_input_sweep,
session_bad_input_sweep, entry_bad_input_sweep, bad_input_sweep39, 40, 42, 43) did not
build: the 2025-10-14 recorder's walk_continuous.csv damaged (BOM, CRLF, semicolons, header
twice, times in ms, backwards, repeated, gesture column empty or mixed, gyro columns empty),
sample clips with semicolons / times in ms / a gesture column that contradicts the name,
session CSVs whose clock restarts mid-file, whose header comes twice, with an unknown sensor
name or an empty sensor's columns, transcripts beyond the audio or doubled, metadata naming
another session, a long session, session names '...' and 'x..y', run ids that are paths,
--clips given a session folder and vice versa, train --out inside its clips folder,
evaluate --model given a clips folder, score-voice on sessions without truth.

The harness is bench/notes/bad_input_harness.py. Each case builds its inputs in its own folder under SCRATCH from copies of ../shared/data
(never written) and runs what a user types, each command its own process.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice /work/main/.venv/bin/python \\
        bench/notes/bad_input_sweep47.py /tmp/review47/bad [CASE ...]
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bad_input_harness import (  # noqa: E402
    AUDIO,
    DATA,
    GOOD,
    RUN,
    UPLOAD,
    Cases,
    clips,
    edit_column,
    edit_text,
    good_labelled,
    main,
    outside,
    rows,
    run_case,
    scale_times,
    sessions,
    silkpipe,
    summary,
    train_clips,
    write_rows,
)

CASES = Cases()
case = CASES.add


# ---- clips-20251014: walk_continuous.csv (train) -------------------------------------


def walk(root: Path) -> Path:
    return clips(root) / "walk_continuous.csv"


def walk_train(root: Path) -> str:
    return train_clips(root, mark="walk_continuous")


@case
def c14_walk_bom(root: Path) -> str:
    edit_text(walk(root), lambda b: b"\xef\xbb\xbf" + b)
    return walk_train(root)


@case
def c14_walk_crlf(root: Path) -> str:
    edit_text(walk(root), lambda b: b.replace(b"\n", b"\r\n"))
    return walk_train(root)


@case
def c14_walk_semicolons(root: Path) -> str:
    edit_text(walk(root), lambda b: b.replace(b",", b";"))
    return walk_train(root)


@case
def c14_walk_header_twice(root: Path) -> str:
    def twice(b: bytes) -> bytes:
        head = b.split(b"\n", 1)[0]
        return head + b"\n" + b

    edit_text(walk(root), twice)
    return walk_train(root)


@case
def c14_walk_times_ms(root: Path) -> str:
    scale_times(walk(root), 1000.0)
    return walk_train(root)


@case
def c14_walk_backwards(root: Path) -> str:
    path = walk(root)
    header, body = rows(path)
    write_rows(path, header, body[::-1])
    return walk_train(root)


@case
def c14_walk_times_repeated(root: Path) -> str:
    """Every timestamp rounded to 1 s: runs of ~100 rows share one time."""
    edit_column(walk(root), "timestamp", lambda v, n, r: repr(float(int(float(v)))))
    return walk_train(root)


@case
def c14_walk_gesture_empty(root: Path) -> str:
    edit_column(walk(root), "gesture", lambda v, n, r: "")
    return walk_train(root)


@case
def c14_walk_gesture_mixed(root: Path) -> str:
    """The second half of walk_continuous.csv says jump: is the file walk or not?"""
    path = walk(root)
    total = len(path.read_text().splitlines())
    edit_column(path, "gesture", lambda v, n, r: "jump" if n > total // 2 else v)
    return walk_train(root)


@case
def c14_walk_gyro_empty(root: Path) -> str:
    """Gyroscope rows keep their sensor name, their gyro cells are empty."""
    path = walk(root)
    header, body = rows(path)
    cols = header.split(",")
    for r in body:
        if r[cols.index("sensor")] == "gyroscope":
            for c in ("gyro_x", "gyro_y", "gyro_z"):
                r[cols.index(c)] = ""
    write_rows(path, header, body)
    return walk_train(root)


@case
def c14_walk_times_reset(root: Path) -> str:
    """Two recordings glued: the clock goes back to 0 halfway."""
    path = walk(root)
    header, body = rows(path)
    half = body[len(body) // 2 :]
    write_rows(path, header, body + half[:0] + [list(r) for r in body[: len(body) // 2]])
    return walk_train(root)


# ---- clips-20251014: sample clips (train) --------------------------------------------


def sample(root: Path) -> Path:
    return clips(root) / "jump_sample01.csv"


@case
def c14_sample_semicolons(root: Path) -> str:
    edit_text(sample(root), lambda b: b.replace(b",", b";"))
    return train_clips(root)


@case
def c14_sample_times_ms(root: Path) -> str:
    scale_times(sample(root), 1000.0)
    return train_clips(root)


@case
def c14_sample_gesture_disagrees(root: Path) -> str:
    """jump_sample01.csv whose gesture column says punch in every row."""
    edit_column(sample(root), "gesture", lambda v, n, r: "punch")
    return train_clips(root)


@case
def c14_sample_number_disagrees(root: Path) -> str:
    """jump_sample01.csv whose sample column says 7."""
    edit_column(sample(root), "sample", lambda v, n, r: "7")
    return train_clips(root)


@case
def c14_sample_times_repeated(root: Path) -> str:
    """Each row twice, the copy with other readings (two sensors writing one time)."""
    path = sample(root)
    header, body = rows(path)
    cols = header.split(",")
    out = []
    for r in body:
        out.append(r)
        dup = list(r)
        for c in ("accel_x", "gyro_x", "rot_w"):
            if dup[cols.index(c)]:
                dup[cols.index(c)] = "0.5"
        out.append(dup)
    write_rows(path, header, out)
    return train_clips(root)


@case
def c14_only_continuous(root: Path) -> str:
    """A clips folder holding walk_continuous.csv and its metadata only."""
    c = clips(root)
    for p in c.glob("*_sample*.csv"):
        p.unlink()
    return train_clips(root, mark="walk")


# ---- sessions (run) -----------------------------------------------------------------


def session_csv(root: Path, **kw) -> Path:
    return sessions(root, **kw) / "sensor_data.csv"


@case
def csv_header_twice(root: Path) -> str:
    edit_text(session_csv(root), lambda b: b.split(b"\n", 1)[0] + b"\n" + b)
    return run_case(root)


@case
def csv_clock_restarts(root: Path) -> str:
    """Two recordings glued: times go back to 0.09 s at the middle row."""
    path = session_csv(root)
    header, body = rows(path)
    write_rows(path, header, body + body[: len(body) // 2])
    return run_case(root)


@case
def csv_times_ns(root: Path) -> str:
    scale_times(session_csv(root), 1e9)
    return run_case(root)


@case
def csv_unknown_sensor_name(root: Path) -> str:
    """gyroscope rows named 'gyro' (another recorder's word)."""
    edit_column(session_csv(root), "sensor", lambda v, n, r: "gyro" if v == "gyroscope" else v)
    return run_case(root)


@case
def csv_gyro_cells_empty(root: Path) -> str:
    path = session_csv(root)
    header, body = rows(path)
    cols = header.split(",")
    for r in body:
        if r[cols.index("sensor")] == "gyroscope":
            for c in ("gyro_x", "gyro_y", "gyro_z"):
                r[cols.index(c)] = ""
    write_rows(path, header, body)
    return run_case(root)


@case
def csv_long_session(root: Path) -> str:
    """The session's rows eight times over, each copy 230 s later (a 30-minute session)."""
    path = session_csv(root)
    header, body = rows(path)
    cols = header.split(",")
    t = cols.index("timestamp")
    out = []
    for k in range(8):
        for r in body:
            s = list(r)
            s[t] = repr(float(r[t]) + 230.0 * k)
            out.append(s)
    write_rows(path, header, out)
    return run_case(root)


@case
def tr_words_beyond_audio(root: Path) -> str:
    """Every word 300 s later: past the session's 221 s of sensor rows and 229 s of audio."""
    path = sessions(root) / "whisperx_output.json"
    doc = json.loads(path.read_text())

    def shift(node):
        if isinstance(node, dict):
            for k in ("start", "end"):
                if isinstance(node.get(k), (int, float)):
                    node[k] = node[k] + 300.0
            for v in node.values():
                shift(v)
        elif isinstance(node, list):
            for v in node:
                shift(v)

    shift(doc)
    path.write_text(json.dumps(doc))
    return run_case(root)


@case
def tr_segments_doubled(root: Path) -> str:
    """The segments list twice (a transcript appended to itself)."""
    path = sessions(root) / "whisperx_output.json"
    doc = json.loads(path.read_text())
    doc["segments"] = doc["segments"] + doc["segments"]
    path.write_text(json.dumps(doc))
    return run_case(root)


@case
def tr_half_words_no_times(root: Path) -> str:
    path = sessions(root) / "whisperx_output.json"
    doc = json.loads(path.read_text())
    n = 0
    for seg in doc["segments"]:
        for w in seg.get("words", []):
            n += 1
            if n % 2:
                w.pop("start", None)
                w.pop("end", None)
    path.write_text(json.dumps(doc))
    return run_case(root)


@case
def meta_names_other_session(root: Path) -> str:
    """case_session's metadata.json says it is GOOD (a copied folder)."""
    path = sessions(root) / "metadata.json"
    meta = json.loads(path.read_text())
    meta["session_name"] = GOOD
    path.write_text(json.dumps(meta))
    return run_case(root)


@case
def name_three_dots(root: Path) -> str:
    sessions(root, name="...")
    return run_case(root, mark="...")


@case
def name_dot_dot_inside(root: Path) -> str:
    sessions(root, name="x..y")
    return run_case(root, mark="x..y")


@case
def wav_upper_extension(root: Path) -> str:
    """audio_16k.WAV, no transcript: the audio exists but is not named as the reader expects."""
    s = sessions(root, base=AUDIO, files=("sensor_data.csv", "metadata.json"))
    shutil.copyfile(DATA / "sessions" / AUDIO / "audio_16k.wav", s / "audio_16k.WAV")
    proc = silkpipe(root, *UPLOAD)
    return summary(proc, "upload")


@case
def sessions_with_loose_files(root: Path) -> str:
    """A sessions folder that also holds a clips CSV and a README at its top."""
    s = sessions(root)
    shutil.copyfile(DATA / "clips-20251014" / "jump_sample01.csv", s.parent / "jump_sample01.csv")
    (s.parent / "README.txt").write_text("notes\n")
    return run_case(root, mark="jump_sample01")


# ---- wrong folders and paths -----------------------------------------------------------


@case
def run_id_dotdot(root: Path) -> str:
    sessions(root)
    proc = silkpipe(root, *UPLOAD[:-1], "../../escape")
    return summary(proc, f"outside={outside(root)}", "escape")


@case
def run_id_slash(root: Path) -> str:
    sessions(root)
    proc = silkpipe(root, *UPLOAD[:-1], "a/b")
    return summary(proc, f"outside={outside(root)}", "a/b")


@case
def run_id_absolute(root: Path) -> str:
    sessions(root)
    target = root / "abs_run"
    proc = silkpipe(root, *RUN[:-3], str(target), "--workers", "1")
    return summary(proc, f"outside={outside(root)}", "abs_run")


@case
def run_clips_is_session_folder(root: Path) -> str:
    sessions(root)
    proc = silkpipe(root, *RUN, "--clips", f"sessions/{GOOD}")
    return summary(proc, good_labelled(root), GOOD)


@case
def run_sessions_is_clips_folder(root: Path) -> str:
    clips(root)
    proc = silkpipe(root, "run", "clips", "--store", "store", "--run-id", "r", "--workers", "1")
    return summary(proc, f"store={'yes' if (root / 'store').exists() else 'no'}", "clips")


@case
def train_clips_is_sessions_folder(root: Path) -> str:
    sessions(root)
    proc = silkpipe(root, "train", "--clips", "sessions", "--out", "out", "--epochs", "1")
    return summary(proc, f"model={'yes' if (root / 'out/model').is_dir() else 'no'}", "sessions")


@case
def train_sessions_is_clips_folder(root: Path) -> str:
    clips(root)
    proc = silkpipe(root, "train", "--sessions", "clips", "--out", "out", "--epochs", "1")
    return summary(proc, f"model={'yes' if (root / 'out/model').is_dir() else 'no'}", "clips")


@case
def train_out_inside_clips(root: Path) -> str:
    """--out clips/out, then train again on the same folder: is the model read as clips?"""
    clips(root)
    argv = ("train", "--clips", "clips", "--out", "clips/out", "--epochs", "1")
    first = silkpipe(root, *argv)
    second = silkpipe(root, *argv)  # folder mode always trains (no --force)
    return f"first rc={first.returncode}; second " + summary(second, "", "out")


@case
def train_out_is_clips(root: Path) -> str:
    clips(root)
    before = sorted(p.name for p in (root / "clips").iterdir())
    proc = silkpipe(root, "train", "--clips", "clips", "--out", "clips", "--epochs", "1")
    after = sorted(p.name for p in (root / "clips").iterdir())
    added = sorted(set(after) - set(before))
    return summary(proc, f"added={added}", "clips")


@case
def evaluate_model_is_clips(root: Path) -> str:
    clips(root)
    proc = silkpipe(root, "evaluate", "--model", "clips", "--clips", "clips")
    return summary(proc, "", "clips")


@case
def evaluate_clips_is_session(root: Path) -> str:
    clips(root)
    silkpipe(root, "train", "--clips", "clips", "--out", "out", "--epochs", "1")
    sessions(root)
    proc = silkpipe(root, "evaluate", "--model", "out/model", "--clips", f"sessions/{GOOD}")
    return summary(proc, "", GOOD)


@case
def score_voice_real_sessions(root: Path) -> str:
    """Real sessions have no truth.json."""
    sessions(root)
    clips(root)
    proc = silkpipe(root, "score-voice", "sessions", "--clips", "clips", "--store", "store")
    return summary(proc, "", "truth")


@case
def score_voice_clips_is_sessions(root: Path) -> str:
    sessions(root)
    proc = silkpipe(root, "score-voice", "sessions", "--clips", "sessions", "--store", "store")
    return summary(proc, "", "sessions")


@case
def upload_clips_is_sessions_folder(root: Path) -> str:
    sessions(root)
    proc = silkpipe(root, *UPLOAD, "--clips", "sessions")
    return summary(proc, f"store={'yes' if (root / 'store').exists() else 'no'}", "sessions")


@case
def upload_sessions_is_clips_folder(root: Path) -> str:
    clips(root)
    proc = silkpipe(root, "sessions", "upload", "clips", "--store", "store", "--run-id", "r")
    return summary(proc, f"store={'yes' if (root / 'store').exists() else 'no'}", "clips")


@case
def session_csv_is_device_clip(root: Path) -> str:
    """A device clip (watch nanoseconds, 1 s) saved as a session's sensor_data.csv."""
    s = sessions(root)
    clip = sorted((DATA / "clips-dev").glob("jump_*.csv"))[0]
    shutil.copyfile(clip, s / "sensor_data.csv")
    return run_case(root)


if __name__ == "__main__":
    main(CASES, width=32, timed=False)
