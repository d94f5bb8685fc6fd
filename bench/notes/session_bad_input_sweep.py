"""Adversarial bad-input sweep over VOICE SESSION folders (audio, sensor CSV, transcript,
folder shapes), through `silkpipe run`, beside one healthy real session.

Each case copies a real session from ../shared/data/sessions into a scratch folder, damages
one thing, and runs `silkpipe run SESSIONS --store S --run-id r --workers 1` in its own
process under a memory cap and a time limit. Printed per case: exit status, whether the
damaged session and file are named on stderr, whether the healthy session still got its
labels, whether a Python traceback leaked, seconds, and the closing stderr line. The rule:
the bad session is refused in one line naming session and file (or absorbed, for a trap),
the healthy one publishes, the run ends with its summary line and exit 2.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice .venv/bin/python \\
        bench/notes/session_bad_input_sweep.py /tmp/sweep [CASE ...]
"""

from __future__ import annotations

import io
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
TEXT = badinputs.GOOD[0]  # sensor_data.csv + whisperx_output.json (221 s)
HEALTHY = badinputs.GOOD[1]
AUDIO = badinputs.AUDIO  # sensor_data.csv + audio_16k.wav (13 s of speech)
CASE = "case_session"


def text_session(root: Path) -> Path:
    return badinputs.copy_session(
        TEXT, root, CASE, files=("sensor_data.csv", "metadata.json", "whisperx_output.json")
    )


def audio_session(root: Path) -> Path:
    return badinputs.copy_session(
        AUDIO, root, CASE, files=("sensor_data.csv", "metadata.json", "audio_16k.wav")
    )


def _pcm(folder: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(folder / "audio_16k.wav")) as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2"), w.getframerate()


def _wav(samples: np.ndarray, rate: int, channels: int = 1, width: int = 2) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return buf.getvalue()


# ---- audio -------------------------------------------------------------------------------


def wav_is_mp3(root):
    f = audio_session(root)
    (f / "audio_16k.wav").write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + os.urandom(4000))
    return "audio_16k.wav"


def wav_is_text(root):
    f = audio_session(root)
    (f / "audio_16k.wav").write_text("jump jump punch\n")
    return "audio_16k.wav"


def wav_stereo(root):
    f = audio_session(root)
    x, rate = _pcm(f)
    (f / "audio_16k.wav").write_bytes(_wav(np.repeat(x, 2), rate, channels=2))
    return "audio_16k.wav"


def wav_8bit(root):
    f = audio_session(root)
    x, rate = _pcm(f)
    (f / "audio_16k.wav").write_bytes(_wav((x // 256 + 128).astype(np.uint8), rate, width=1))
    return "audio_16k.wav"


def wav_8khz(root):
    f = audio_session(root)
    x, _ = _pcm(f)
    (f / "audio_16k.wav").write_bytes(_wav(x[::2].copy(), 8000))
    return "audio_16k.wav"


def wav_huge_header(root):
    """data chunk size 0xFFFFFFFF (a writer killed before it fixed the header)."""
    f = audio_session(root)
    data = bytearray((f / "audio_16k.wav").read_bytes())
    at = data.index(b"data")
    data[at + 4 : at + 8] = b"\xff\xff\xff\xff"
    data[4:8] = b"\xff\xff\xff\xff"
    (f / "audio_16k.wav").write_bytes(bytes(data))
    return "audio_16k.wav"


def wav_zero_frames(root):
    f = audio_session(root)
    (f / "audio_16k.wav").write_bytes(_wav(np.zeros(0, "<i2"), 16000))
    return "audio_16k.wav"


def wav_silence(root):
    f = audio_session(root)
    x, rate = _pcm(f)
    (f / "audio_16k.wav").write_bytes(_wav(np.zeros_like(x), rate))
    return "audio_16k.wav"


def wav_is_folder(root):
    f = audio_session(root)
    (f / "audio_16k.wav").unlink()
    (f / "audio_16k.wav").mkdir()
    return "audio_16k.wav"


def wav_unreadable(root):
    f = audio_session(root)
    (f / "audio_16k.wav").chmod(0)
    return "audio_16k.wav"


def wav_link_out(root):
    f = audio_session(root)
    outside = root.parent / "outside.wav"
    (f / "audio_16k.wav").rename(outside)
    (f / "audio_16k.wav").symlink_to(outside)
    return "audio_16k.wav"


def wav_fifo(root):
    f = audio_session(root)
    (f / "audio_16k.wav").unlink()
    os.mkfifo(f / "audio_16k.wav")
    return "audio_16k.wav"


# ---- sensor_data.csv ---------------------------------------------------------------------


def _csv_lines(f: Path) -> list[str]:
    return (f / "sensor_data.csv").read_text().splitlines()


def _write_csv(f: Path, lines: list[str]) -> None:
    (f / "sensor_data.csv").write_text("\n".join(lines) + "\n")


def csv_backwards(root):
    f = text_session(root)
    lines = _csv_lines(f)
    _write_csv(f, [lines[0], *reversed(lines[1:])])
    return "sensor_data.csv"


def csv_duplicate_rows(root):
    f = text_session(root)
    lines = _csv_lines(f)
    _write_csv(f, [lines[0], *(x for line in lines[1:] for x in (line, line))])
    return "sensor_data.csv"


def csv_extra_column(root):
    f = text_session(root)
    lines = _csv_lines(f)
    _write_csv(f, [lines[0] + ",battery", *(line + ",0.9" for line in lines[1:])])
    return "sensor_data.csv"


def csv_semicolons(root):
    f = text_session(root)
    _write_csv(f, [line.replace(",", ";") for line in _csv_lines(f)])
    return "sensor_data.csv"


def csv_decimal_commas(root):
    """A European spreadsheet export: ';' between fields and ',' as the decimal mark."""
    f = text_session(root)
    _write_csv(f, [line.replace(",", ";").replace(".", ",") for line in _csv_lines(f)])
    return "sensor_data.csv"


def csv_nan_timestamp(root):
    f = text_session(root)
    lines = _csv_lines(f)
    row = lines[400].split(",")
    row[11] = "nan"
    lines[400] = ",".join(row)
    _write_csv(f, lines)
    return "sensor_data.csv"


def csv_one_sensor_missing(root):
    f = text_session(root)
    _write_csv(f, [line for line in _csv_lines(f) if ",gyroscope," not in line])
    return "sensor_data.csv"


def csv_ms_timestamps(root):
    """Timestamps written in milliseconds: a 221 s session looks 221 000 s long."""
    f = text_session(root)
    lines = _csv_lines(f)
    out = [lines[0]]
    for line in lines[1:]:
        row = line.split(",")
        row[11] = repr(float(row[11]) * 1000)
        out.append(",".join(row))
    _write_csv(f, out)
    return "sensor_data.csv"


def csv_is_folder(root):
    f = text_session(root)
    (f / "sensor_data.csv").unlink()
    (f / "sensor_data.csv").mkdir()
    return "sensor_data.csv"


def csv_unreadable(root):
    f = text_session(root)
    (f / "sensor_data.csv").chmod(0)
    return "sensor_data.csv"


def csv_link_out(root):
    f = text_session(root)
    outside = root.parent / "outside.csv"
    (f / "sensor_data.csv").rename(outside)
    (f / "sensor_data.csv").symlink_to(outside)
    return "sensor_data.csv"


def csv_fifo(root):
    f = text_session(root)
    (f / "sensor_data.csv").unlink()
    os.mkfifo(f / "sensor_data.csv")
    return "sensor_data.csv"


# ---- whisperx_output.json ----------------------------------------------------------------


def _transcript(edit):
    def build(root):
        f = text_session(root)
        path = f / "whisperx_output.json"
        path.write_text(edit(json.loads(path.read_text())))
        return "whisperx_output.json"

    build.__name__ = edit.__name__
    return build


def _words(doc):
    return [w for seg in doc["segments"] for w in seg.get("words") or []]


@_transcript
def tr_words_out_of_order(doc):
    for seg in doc["segments"]:
        seg["words"] = list(reversed(seg["words"]))
    doc["segments"].reverse()
    return json.dumps(doc)


@_transcript
def tr_negative_times(doc):
    for w in _words(doc):
        if "start" in w:
            w["start"], w["end"] = w["start"] - 500, w["end"] - 500
    return json.dumps(doc)


@_transcript
def tr_end_before_start(doc):
    for w in _words(doc):
        if "start" in w:
            w["start"], w["end"] = w["end"], w["start"]
    return json.dumps(doc)


@_transcript
def tr_no_segments_key(doc):
    return json.dumps({"text": "jump punch"})


@_transcript
def tr_word_without_text(doc):
    for w in _words(doc):
        w.pop("word", None)
    return json.dumps(doc)


@_transcript
def tr_times_as_strings(doc):
    for w in _words(doc):
        if "start" in w:
            w["start"], w["end"] = str(w["start"]), str(w["end"])
    return json.dumps(doc)


@_transcript
def tr_unicode_words(doc):
    for i, w in enumerate(_words(doc)):
        w["word"] = ("JUMP", "Pünch", "ジャンプ", "\u202ewalk", "tu\u0000rn", "🦘")[i % 6]
    return json.dumps(doc, ensure_ascii=False)


@_transcript
def tr_top_level_list(doc):
    return json.dumps(doc["segments"])


@_transcript
def tr_huge_times(doc):
    for w in _words(doc):
        if "start" in w:
            w["start"], w["end"] = 1e308, 1e308
    return json.dumps(doc)


@_transcript
def tr_gigantic(doc):
    """~60 MB: the same words 400 times, one after another in time."""
    seg = doc["segments"]
    span = max(s["end"] for s in seg) + 1
    out = []
    for k in range(400):
        for s in seg:
            c = json.loads(json.dumps(s))
            c["start"], c["end"] = c["start"] + k * span, c["end"] + k * span
            for w in c.get("words") or []:
                if "start" in w:
                    w["start"], w["end"] = w["start"] + k * span, w["end"] + k * span
            out.append(c)
    return json.dumps({"segments": out})


def tr_unreadable(root):
    f = text_session(root)
    (f / "whisperx_output.json").chmod(0)
    return "whisperx_output.json"


def tr_link_out(root):
    f = text_session(root)
    outside = root.parent / "outside.json"
    (f / "whisperx_output.json").rename(outside)
    (f / "whisperx_output.json").symlink_to(outside)
    return "whisperx_output.json"


# ---- folder shapes -----------------------------------------------------------------------


def session_is_a_file(root):
    (root / CASE).write_text("not a folder")
    return ""


def session_link_out(root):
    outside = root.parent / "outside_session"
    badinputs.copy_session(TEXT, outside.parent, outside.name)
    (root / CASE).symlink_to(outside)
    return ""


def session_unreadable(root):
    f = text_session(root)
    f.chmod(0)
    return ""


def metadata_garbage(root):
    f = text_session(root)
    (f / "metadata.json").write_text('[1, {"duration_sec": "NaN"}]')
    return "metadata.json"


def both_audio_files_differ(root):
    """audio.wav (44.1 kHz) from another session beside this one's audio_16k.wav."""
    f = audio_session(root)
    shutil.copyfile(
        badinputs.SESSIONS / "20251017_135233_session" / "audio_16k.wav", f / "audio.wav"
    )
    return ""


CASES = (
    *(wav_is_mp3, wav_is_text, wav_stereo, wav_8bit, wav_8khz, wav_huge_header),
    *(wav_zero_frames, wav_silence, wav_is_folder, wav_unreadable, wav_link_out, wav_fifo),
    *(csv_backwards, csv_duplicate_rows, csv_extra_column, csv_semicolons, csv_decimal_commas),
    *(csv_nan_timestamp, csv_one_sensor_missing, csv_ms_timestamps, csv_is_folder),
    *(csv_unreadable, csv_link_out, csv_fifo),
    *(tr_words_out_of_order, tr_negative_times, tr_end_before_start, tr_no_segments_key),
    *(tr_word_without_text, tr_times_as_strings, tr_unicode_words, tr_top_level_list),
    *(tr_huge_times, tr_gigantic, tr_unreadable, tr_link_out),
    *(session_is_a_file, session_link_out, session_unreadable, metadata_garbage),
    both_audio_files_differ,
)


def run_case(build, scratch: Path) -> dict:
    root = scratch / build.__name__
    if root.exists():
        subprocess.run(["chmod", "-R", "u+rwX", str(root)], check=False)
        shutil.rmtree(root)
    sessions = root / "in" / "sessions"
    badinputs.copy_session(
        HEALTHY,
        sessions,
        HEALTHY,
        files=("sensor_data.csv", "metadata.json", "whisperx_output.json"),
    )
    damaged = build(sessions)
    tmp = root / "tmp"
    tmp.mkdir()
    cmd = (
        f"ulimit -v {MEM_KB}; exec timeout 300 {PY} -m silkpipe.cli run {sessions} "
        f"--store {root / 'store'} --run-id r --workers 1"
    )
    t0 = time.perf_counter()
    proc = subprocess.run(
        ["bash", "-c", cmd], capture_output=True, text=True, env={**os.environ, "TMPDIR": str(tmp)}
    )
    seconds = time.perf_counter() - t0
    labels = root / "store" / "runs" / "r" / "labels.json"
    healthy = False
    if labels.is_file():
        version = json.loads(labels.read_text())["version"]
        healthy = (root / "store/runs/r/labels" / version / f"{HEALTHY}.csv").is_file()
    err = proc.stderr
    named_lines = [ln for ln in err.splitlines() if CASE in ln and (damaged or CASE) in ln]
    return {
        "case": build.__name__,
        "rc": proc.returncode,
        "named": bool(named_lines),
        "healthy": healthy,
        "traceback": "Traceback" in err,
        "left_in_tmp": sorted(p.name for p in tmp.iterdir()),
        "seconds": round(seconds, 1),
        "why": (named_lines[0] if named_lines else "")[-160:],
        "last": (err.strip().splitlines() or [""])[-1][-160:],
    }


def main() -> None:
    scratch = Path(sys.argv[1])
    wanted = set(sys.argv[2:])
    rows = []
    for build in CASES:
        if wanted and build.__name__ not in wanted:
            continue
        row = run_case(build, scratch)
        rows.append(row)
        print(
            f"{row['case']:26s} rc={row['rc']} named={'Y' if row['named'] else '-'} "
            f"healthy={'Y' if row['healthy'] else '-'} tb={'Y' if row['traceback'] else '-'} "
            f"{row['seconds']:6.1f}s  {row['why'] or row['last']}",
            flush=True,
        )
    (scratch / "rows.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
