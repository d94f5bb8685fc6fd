"""Second bad-input sweep (stop 39): the cases the earlier sweeps (bad_input_sweep,
session_bad_input_sweep, entry_bad_input_sweep, review38b) left out, run through what a
user types: `run`, `run --clips`, `train --clips`, `evaluate --cv time-range`,
`sessions list`, `score-voice`.

Every case builds its inputs in its own folder under SCRATCH from copies of the real
sessions and clips in ../shared/data (never the originals) or `silkpipe synth` sessions,
damages one thing, and runs one command in its own process under a memory cap, a time limit
and TMPDIR inside the case folder. Printed per case: exit status, whether a stderr line names
the damaged session/file, whether the healthy neighbour still went through, whether a
traceback leaked, whether an output folder was left half-written, seconds, the naming line.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice .venv/bin/python \\
        bench/notes/bad_input_sweep39.py /tmp/badin39/sweep [CASE ...]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
import badinputs  # noqa: E402

MEM_KB = 8_000_000
PY = sys.executable
TEXT = badinputs.GOOD[0]  # sensor_data.csv + whisperx_output.json
HEALTHY = badinputs.GOOD[1]
AUDIO = badinputs.AUDIO  # sensor_data.csv + audio_16k.wav + audio.wav
DATA = badinputs.DATA
CASE = "case_session"
CASES: dict[str, tuple] = {}


def case(kind: str, needle: str = ""):
    """Register a builder: kind = which command runs; needle = text the naming line holds."""

    def wrap(build):
        CASES[build.__name__] = (build, kind, needle or CASE)
        return build

    return wrap


def text_session(root: Path, name: str = CASE) -> Path:
    return badinputs.copy_session(
        TEXT, root, name, files=("sensor_data.csv", "metadata.json", "whisperx_output.json")
    )


def audio_session(root: Path, name: str = CASE) -> Path:
    return badinputs.copy_session(
        AUDIO, root, name, files=("sensor_data.csv", "metadata.json", "audio_16k.wav")
    )


def lines_of(f: Path) -> list[str]:
    return (f / "sensor_data.csv").read_text().split("\n")


def write_lines(f: Path, lines: list[str], newline: str = "\n") -> None:
    (f / "sensor_data.csv").write_bytes(newline.join(lines).encode())


def edit_cell(f: Path, sensor: str, col: int, value: str, nth: int = 400) -> None:
    lines = lines_of(f)
    hits = [i for i, ln in enumerate(lines) if f",{sensor}," in ln]
    row = lines[hits[nth]].split(",")
    row[col] = value
    lines[hits[nth]] = ",".join(row)
    write_lines(f, lines)


def shift_times(f: Path, shift) -> None:
    lines = lines_of(f)
    for i in range(1, len(lines)):
        if lines[i]:
            row = lines[i].split(",")
            row[11] = repr(shift(float(row[11])))
            lines[i] = ",".join(row)
    write_lines(f, lines)


# ---- sensor_data.csv of a voice session ---------------------------------------------------


@case("run")
def csv_nan_string_gyro(root):
    edit_cell(text_session(root), "gyroscope", 3, "nan")


@case("run")
def csv_minus_inf_rot(root):
    edit_cell(text_session(root), "rotation_vector", 6, "-inf")


@case("run")
def csv_nan_word(root):
    """A logger that writes NaN as the word 'NaN' in the sensor column (pandas style)."""
    edit_cell(text_session(root), "linear_acceleration", 2, "NaN")


@case("run")
def csv_all_times_equal(root):
    shift_times(text_session(root), lambda t: 12.5)


@case("run")
def csv_all_times_zero(root):
    shift_times(text_session(root), lambda t: 0.0)


@case("run")
def csv_times_year_2200(root):
    shift_times(text_session(root), lambda t: t + 7_258_118_400.0)


@case("run")
def csv_times_negative(root):
    shift_times(text_session(root), lambda t: t - 1_000.0)


@case("run")
def csv_header_mid_file(root):
    f = text_session(root)
    lines = lines_of(f)
    lines.insert(len(lines) // 2, lines[0])
    write_lines(f, lines)


@case("run")
def csv_bom_session(root):
    f = text_session(root)
    (f / "sensor_data.csv").write_bytes(b"\xef\xbb\xbf" + (f / "sensor_data.csv").read_bytes())


@case("run")
def csv_crlf_session(root):
    f = text_session(root)
    write_lines(f, lines_of(f), "\r\n")


@case("run")
def csv_latin1_byte_deep(root):
    """One Latin-1 byte (0xe9) in a sensor name 20000 rows down."""
    f = text_session(root)
    data = (f / "sensor_data.csv").read_bytes().split(b"\n")
    at = next(i for i in range(20000, len(data)) if b",gyroscope," in data[i])
    data[at] = data[at].replace(b"gyroscope", b"gyrosc\xe9pe")
    (f / "sensor_data.csv").write_bytes(b"\n".join(data))


@case("run")
def csv_cut_mid_row_no_newline(root):
    f = text_session(root)
    data = (f / "sensor_data.csv").read_bytes()
    (f / "sensor_data.csv").write_bytes(data[: len(data) // 3 + 7])


@case("run")
def csv_one_row(root):
    f = text_session(root)
    write_lines(f, lines_of(f)[:2] + [""])


@case("run")
def csv_ten_times_columns(root):
    f = text_session(root)
    write_lines(f, [",".join([ln] * 10) if ln else ln for ln in lines_of(f)])


@case("run")
def csv_blank_lines(root):
    f = text_session(root)
    lines = lines_of(f)
    for i in range(len(lines) - 100, 100, -1000):
        lines.insert(i, "")
    write_lines(f, lines)


@case("run")
def csv_whitespace_cells(root):
    """Cells padded with spaces (' 0.5 ,'), as some spreadsheet exports write them."""
    f = text_session(root)
    lines = lines_of(f)
    write_lines(f, [lines[0]] + [", ".join(ln.split(",")) for ln in lines[1:]])


@case("run")
def csv_only_two_sensors(root):
    f = text_session(root)
    write_lines(f, [ln for ln in lines_of(f) if ",rotation_vector," not in ln])


@case("run")
def csv_short_session(root):
    """A real session cut to its first 3 s (a recorder stopped at once)."""
    f = text_session(root)
    lines = lines_of(f)
    keep = [lines[0]] + [ln for ln in lines[1:] if ln and float(ln.split(",")[11]) < 3.0]
    write_lines(f, keep + [""])


# ---- audio --------------------------------------------------------------------------------


def _pcm(folder: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(folder / "audio_16k.wav")) as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2"), w.getframerate()


def _riff(fmt: bytes, data: bytes, extra: bytes = b"") -> bytes:
    body = b"WAVE" + b"fmt " + len(fmt).to_bytes(4, "little") + fmt + extra
    body += b"data" + len(data).to_bytes(4, "little") + data + b"\0" * (len(data) % 2)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def _fmt(tag: int, channels: int, rate: int, bits: int, ext: bytes = b"") -> bytes:
    block = channels * bits // 8
    return (
        tag.to_bytes(2, "little")
        + channels.to_bytes(2, "little")
        + rate.to_bytes(4, "little")
        + (rate * block).to_bytes(4, "little")
        + block.to_bytes(2, "little")
        + bits.to_bytes(2, "little")
        + ext
    )


@case("run")
def wav_float32(root):
    f = audio_session(root)
    x, rate = _pcm(f)
    data = (x.astype("<f4") / 32768).tobytes()
    (f / "audio_16k.wav").write_bytes(_riff(_fmt(3, 1, rate, 32), data))


@case("run")
def wav_24bit(root):
    f = audio_session(root)
    x, rate = _pcm(f)
    v = x.astype("<i4") << 8
    data = np.stack([(v >> s) & 0xFF for s in (0, 8, 16)], axis=1).astype(np.uint8).tobytes()
    (f / "audio_16k.wav").write_bytes(_riff(_fmt(1, 1, rate, 24), data))


@case("run")
def wav_extensible_pcm16(root):
    """WAVE_FORMAT_EXTENSIBLE with the PCM sub-format (what many recorders write)."""
    f = audio_session(root)
    x, rate = _pcm(f)
    guid = bytes.fromhex("0100000000001000800000aa00389b71")
    ext = (22).to_bytes(2, "little") + (16).to_bytes(2, "little") + (4).to_bytes(4, "little")
    (f / "audio_16k.wav").write_bytes(_riff(_fmt(0xFFFE, 1, rate, 16, ext + guid), x.tobytes()))


@case("run")
def wav_list_chunk_first(root):
    """A LIST/INFO chunk between fmt and data (ffmpeg, Audacity)."""
    f = audio_session(root)
    x, rate = _pcm(f)
    info = b"INFOISFT" + (14).to_bytes(4, "little") + b"Lavf58.76.100\0"
    extra = b"LIST" + len(info).to_bytes(4, "little") + info
    (f / "audio_16k.wav").write_bytes(_riff(_fmt(1, 1, rate, 16), x.tobytes(), extra))


@case("run")
def wav_rate_zero(root):
    f = audio_session(root)
    x, _ = _pcm(f)
    (f / "audio_16k.wav").write_bytes(_riff(_fmt(1, 1, 0, 16), x.tobytes()))


@case("run")
def wav_odd_byte_count(root):
    """The data chunk cut one byte into a frame."""
    f = audio_session(root)
    x, rate = _pcm(f)
    (f / "audio_16k.wav").write_bytes(_riff(_fmt(1, 1, rate, 16), x.tobytes()[:-1]))


@case("run")
def wav_claims_ten_hours(root):
    """A header that says 10 h of audio over 1 s of bytes."""
    f = audio_session(root)
    x, rate = _pcm(f)
    raw = bytearray(_riff(_fmt(1, 1, rate, 16), x[:rate].tobytes()))
    at = raw.index(b"data")
    raw[at + 4 : at + 8] = (36000 * rate * 2).to_bytes(4, "little")
    (f / "audio_16k.wav").write_bytes(bytes(raw))


@case("run")
def wav_only_audio_wav_44k(root):
    """Only the 44.1 kHz audio.wav (no audio_16k.wav): README says either works."""
    badinputs.copy_session(
        AUDIO, root, CASE, files=("sensor_data.csv", "metadata.json", "audio.wav")
    )


@case("run")
def wav_mp3_named_audio_wav(root):
    f = badinputs.copy_session(AUDIO, root, CASE, files=("sensor_data.csv", "metadata.json"))
    (f / "audio.wav").write_bytes(b"\xff\xfb\x90\x64" + os.urandom(6000))


# ---- metadata.json ------------------------------------------------------------------------


def _meta(edit):
    def build(root):
        f = text_session(root)
        text = edit(json.loads((f / "metadata.json").read_text()))
        (f / "metadata.json").write_text(text if isinstance(text, str) else json.dumps(text))

    build.__name__ = edit.__name__
    return build


@case("run")
@_meta
def meta_date_number(doc):
    return {**doc, "recording_date": 20251017}


@case("run")
@_meta
def meta_lists_for_strings(doc):
    return {**doc, "recording_date": ["2025-10-17"], "session_name": ["a", "b"]}


@case("run")
@_meta
def meta_date_garbage_string(doc):
    return {**doc, "recording_date": "yesterday"}


@case("run")
@_meta
def meta_duplicate_keys(doc):
    return '{"recording_date": "2025-10-17T14:36:11", "recording_date": 7, "duration_sec": 600}'


@case("run")
@_meta
def meta_top_level_list(doc):
    return [doc]


@case("run")
@_meta
def meta_huge(doc):
    return {**doc, "notes": "x" * 60_000_000}


@case("run", "metadata.json")
@_meta
def meta_deep_nesting(doc):
    return "[" * 100_000 + "]" * 100_000


@case("run", "metadata.json")
@_meta
def meta_5000_digit_number(doc):
    return '{"duration_sec": ' + "1" * 5000 + "}"


@case("run")
@_meta
def meta_nan_duration(doc):
    return json.dumps({**doc, "duration_sec": float("nan")})


# ---- whisperx_output.json ------------------------------------------------------------------


def _tr(edit):
    def build(root):
        f = text_session(root)
        doc = json.loads((f / "whisperx_output.json").read_text())
        out = edit(doc)
        text = out if isinstance(out, str) else json.dumps(out if out is not None else doc)
        (f / "whisperx_output.json").write_text(text)

    build.__name__ = edit.__name__
    return build


def _words(doc):
    return [w for s in doc["segments"] for w in s.get("words", [])]


@case("run")
@_tr
def tr_words_missing_times(doc):
    for i, w in enumerate(_words(doc)):
        if i % 3 == 0:
            w.pop("start", None)
            w.pop("end", None)


@case("run")
@_tr
def tr_all_words_missing_times(doc):
    for w in _words(doc):
        w.pop("start", None)
        w.pop("end", None)
    doc.pop("word_segments", None)


@case("run")
@_tr
def tr_empty_segments(doc):
    return {"segments": [], "word_segments": []}


@case("run")
@_tr
def tr_segments_empty_words(doc):
    for s in doc["segments"]:
        s["words"] = []
    doc.pop("word_segments", None)


@case("run")
@_tr
def tr_words_null(doc):
    for s in doc["segments"]:
        s["words"] = None
    doc.pop("word_segments", None)


@case("run")
@_tr
def tr_segment_is_string(doc):
    doc["segments"][3] = "jump jump"


@case("run")
@_tr
def tr_word_is_number(doc):
    _words(doc)[5]["word"] = 42


@case("run")
@_tr
def tr_start_after_end_everywhere(doc):
    for w in _words(doc):
        if "start" in w and "end" in w:
            w["start"], w["end"] = w["end"] + 5.0, w["start"]


@case("run")
@_tr
def tr_duplicate_keys(doc):
    text = json.dumps(doc)
    return text.replace('"segments":', '"segments": [], "segments":', 1)


@case("run")
@_tr
def tr_infinity_literal(doc):
    _words(doc)[7]["start"] = float("inf")
    return json.dumps(doc)


# ---- folder layout --------------------------------------------------------------------------


@case("run", "case")
def name_unicode(root):
    text_session(root, "séance_1")


@case("run", "case")
def name_newline(root):
    text_session(root, "case\nsession")


@case("run", "case")
def name_trailing_newline(root):
    text_session(root, "case_session\n")


@case("run", "case")
def name_trailing_space(root):
    text_session(root, "case_session ")


@case("run")
def nested_same_name(root):
    """SESSIONS/case_session and SESSIONS/deeper/case_session (the second is not a session)."""
    text_session(root)
    text_session(root / "deeper")


@case("run_only")
def empty_sessions_folder(root):
    pass


@case("run_only")
def only_bad_sessions(root):
    for name in ("case_session", "case_session2"):
        f = text_session(root, name)
        (f / "sensor_data.csv").write_bytes(b"\xff\xfe garbage\n")


@case("run_only", "sessions")
def sessions_arg_is_file(root):
    root.rmdir()
    root.write_text("not a folder\n")


@case("run")
def session_folder_empty(root):
    (root / CASE).mkdir()


@case("run")
def transcripts_only_layout(root):
    """A transcripts-only folder (metadata + whisperx_output.json, no sensor_data.csv)."""
    src = DATA / "transcripts-only" / "20251017_125600_session"
    shutil.copytree(src, root / CASE)


@case("run")
def session_no_metadata(root):
    (text_session(root) / "metadata.json").unlink()


# ---- clip folders (run --clips, train --clips, evaluate --cv) ------------------------------


def dev_clips(dest: Path, per_class: int = 3) -> Path:
    return badinputs.clips_subset(dest, per_class)


def sample_clips(dest: Path, per_class: int = 3) -> Path:
    return badinputs.sample_clips(dest, per_class)


@case("clips", "session_metadata.json")
def clips_mixed_dialects(clips):
    """Sample-dialect clips with their session_metadata.json beside device-ns clips."""
    for p in sample_clips(clips.parent / "s").iterdir():
        shutil.copy(p, clips / p.name)


@case("clips", "session_metadata.json")
def clips_meta_sensors_absent(clips):
    """session_metadata.json names a sensor the CSVs do not hold; and misses gyroscope."""
    shutil.rmtree(clips)
    sample_clips(clips)
    meta = json.loads((clips / "session_metadata.json").read_text())
    meta["sensors_collected"] = ["magnetometer", "linear_acceleration"]
    (clips / "session_metadata.json").write_text(json.dumps(meta))


@case("clips", "session_metadata.json")
def clips_meta_gestures_empty(clips):
    shutil.rmtree(clips)
    sample_clips(clips)
    meta = json.loads((clips / "session_metadata.json").read_text())
    meta["gestures_completed"] = []
    (clips / "session_metadata.json").write_text(json.dumps(meta))


@case("clips", "session_metadata.json")
def clips_meta_date_tz(clips):
    """A date with a timezone and a 'Z' suffix."""
    shutil.rmtree(clips)
    sample_clips(clips)
    meta = json.loads((clips / "session_metadata.json").read_text())
    meta["date"] = "2025-10-14T20:49:43Z"
    (clips / "session_metadata.json").write_text(json.dumps(meta))


@case("clips", "jump_sample01.csv")
def clips_sample_missing_gesture_col(clips):
    """A sample clip without its gesture/sample/stance columns (the device header)."""
    shutil.rmtree(clips)
    sample_clips(clips)
    p = clips / "jump_sample01.csv"
    lines = p.read_text().split("\n")
    head = lines[0].split(",")
    keep = [i for i, h in enumerate(head) if h not in ("gesture", "sample", "stance")]
    p.write_text("\n".join(",".join(ln.split(",")[i] for i in keep) if ln else ln for ln in lines))


@case("clips", "jump_sample01.csv")
def clips_sample_other_gesture_col(clips):
    """jump_sample01.csv whose gesture column says punch."""
    shutil.rmtree(clips)
    sample_clips(clips)
    p = clips / "jump_sample01.csv"
    p.write_text(p.read_text().replace(",jump,", ",punch,"))


@case("clips", "idle")
def clips_dev_nan_string(clips):
    p = sorted(clips.glob("idle_*.csv"))[0]
    lines = p.read_text().split("\n")
    row = lines[5].split(",")
    row[0] = "nan"
    lines[5] = ",".join(row)
    p.write_text("\n".join(lines))


@case("clips", "idle")
def clips_dev_times_equal(clips):
    """Every row of one device clip at one timestamp but two distinct sensors."""
    p = sorted(clips.glob("idle_*.csv"))[0]
    lines = p.read_text().split("\n")
    out = [lines[0]]
    for ln in lines[1:]:
        if ln:
            row = ln.split(",")
            row[11] = "244416568891473"
            out.append(",".join(row))
    p.write_text("\n".join(out) + "\n")


@case("clips", "clips")
def clips_only_metadata(clips):
    shutil.rmtree(clips)
    clips.mkdir()
    shutil.copy(DATA / "clips-20251014" / "session_metadata.json", clips)


# ---- runner ---------------------------------------------------------------------------------


def _command(kind: str, root: Path, sessions: Path, clips: Path) -> list[str]:
    store = ["--store", str(root / "store"), "--run-id", "r"]
    if kind in ("run", "run_only"):
        return ["run", str(sessions), *store, "--workers", "1"]
    if kind == "run_clips":
        return ["run", str(sessions), "--clips", str(clips), *store, "--workers", "1"]
    if kind == "train":
        return ["train", "--clips", str(clips), "--out", str(root / "model"), "--epochs", "1"]
    if kind == "cv":
        return ["evaluate", "--cv", "time-range", "--clips", str(clips), "--seeds", "1"]
    raise ValueError(kind)


def _healthy(root: Path, kind: str) -> str:
    if kind == "run":
        labels = root / "store" / "runs" / "r" / "labels.json"
        if not labels.is_file():
            return "-"
        version = json.loads(labels.read_text())["version"]
        ok = (root / "store/runs/r/labels" / version / f"{HEALTHY}.csv").is_file()
        return "Y" if ok else "-"
    if kind == "train":
        return "Y" if (root / "model" / "model" / "model.onnx").is_file() else "-"
    return "n/a"


def _partial(root: Path) -> str:
    """An output folder left with a part of its files (model/, store runs/r/model/...)."""
    model = root / "model" / "model"  # train --out O writes O/model/
    if model.is_dir() and not (model / "config.json").is_file():
        return "PARTIAL model/"
    tmp_left = [p.name for p in (root / "tmp").iterdir() if p.name.startswith("silkpipe")]
    return f"LEFT {tmp_left}" if tmp_left else ""


def run_one(name: str, kind: str, needle: str, root: Path) -> dict:
    tmp = root / "tmp"
    tmp.mkdir()
    t0 = time.perf_counter()
    proc = subprocess.run(
        ["bash", "-c", f'ulimit -v {MEM_KB}; exec timeout 300 "$@"', "x", PY, "-m"]
        + ["silkpipe.cli", *_command(kind, root, root / "in" / "sessions", root / "in" / "c")],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
        cwd=root,
    )
    err = proc.stderr
    (root / f"stderr-{kind}.txt").write_text(err)
    named = [ln for ln in err.splitlines() if needle in ln and "WARNING" not in ln[:0]]
    return {
        "case": name,
        "kind": kind,
        "rc": proc.returncode,
        "named": "Y" if named else "-",
        "ok": _healthy(root, kind),
        "tb": "Y" if "Traceback" in err else "-",
        "partial": _partial(root),
        "seconds": round(time.perf_counter() - t0),
        "why": (named[0] if named else (err.strip().splitlines() or [""])[-1])[-170:],
    }


def build_case(name: str, scratch: Path) -> list[dict]:
    build, kind, needle = CASES[name]
    root = scratch / name
    if root.exists():
        shutil.rmtree(root)
    sessions = root / "in" / "sessions"
    sessions.mkdir(parents=True)
    if kind == "clips":
        clips = dev_clips(root / "in" / "c")
        build(clips)
        return (
            [run_one(name, k, needle, _fresh(root, k)) for k in ("train", "cv", "run_clips")]
            if _seed_healthy(sessions)
            else []
        )
    if kind == "run":
        _seed_healthy(sessions)
    build(sessions)
    return [run_one(name, "run" if kind == "run" else "run_only", needle, root)]


def _seed_healthy(sessions: Path) -> bool:
    badinputs.copy_session(
        HEALTHY,
        sessions,
        HEALTHY,
        files=("sensor_data.csv", "metadata.json", "whisperx_output.json"),
    )
    return True


def _fresh(root: Path, kind: str) -> Path:
    for leftover in ("tmp", "store", "model"):
        if (root / leftover).exists():
            shutil.rmtree(root / leftover)
    return root


def main() -> None:
    scratch = Path(sys.argv[1])
    scratch.mkdir(parents=True, exist_ok=True)
    wanted = sys.argv[2:] or list(CASES)
    rows = []
    for name in wanted:
        for row in build_case(name, scratch):
            rows.append(row)
            print(
                f"{row['case']:32s} {row['kind']:9s} rc={row['rc']} nm={row['named']} "
                f"ok={row['ok']} tb={row['tb']} {row['partial']} {row['seconds']:4d}s  "
                f"{row['why']}",
                flush=True,
            )
    (scratch / "rows.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
