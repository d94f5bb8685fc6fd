"""The bad-input corpus: each case is built in a temp folder FROM THE REAL FILES.

Nothing here is stored in the repository: every builder copies a real session from
``../shared/data/sessions`` into ``root/<case session name>/`` and damages one file the way
recordings, uploads or disks damage them. A :class:`Case` says which step must catch it,
which file the error must name, and what the run must do with the session:

- ``fail``: the step exits != 0 for that session (per-session steps) or records it under
  ``failures/`` (the align join), with one line naming session and file;
- ``exclude``: the session is processed but excluded from training, with a reason;
- ``survive``: the session is processed normally (a known trap the pipeline must absorb);
- ``reject``: the name itself is refused before anything is written under it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SESSIONS = DATA / "sessions"
#: Real sessions that carry their own whisperx_output.json (no ASR needed: fast).
GOOD = ("20251017_143217_session", "20251017_143627_session")
#: A real session with audio only (17 s): the transcribe step must decode its WAV.
AUDIO = "20251017_110929_session"
HUGE_LINE_BYTES = 24 * 1024 * 1024


def cli(*argv: str, cwd: Path, umask: int | None = None) -> subprocess.CompletedProcess:
    """`silkpipe ARGV` as a user runs it: its own process (optionally under ``umask``),
    output captured as text."""

    def set_umask() -> None:
        if umask is not None:
            os.umask(umask)

    return subprocess.run(
        [sys.executable, "-m", "silkpipe.cli", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=set_umask,
    )


def python_program(code: str, *args: str) -> subprocess.CompletedProcess:
    """``python -c CODE ARGS`` as from a terminal (Ctrl-C at Python's default, whatever
    the test runner set), in this environment, output captured as text."""
    import signal

    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=300,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


@dataclass(frozen=True)
class Case:
    name: str  # short id of the case
    session: str  # session folder name it creates
    step: str  # step that must catch it: transcribe, align, upload
    expect: str  # fail | exclude | survive | reject
    file: str  # file the error must name ("" for reject/survive)
    words: tuple[str, ...] = ()  # words the error message must contain (lower case)


def copy_session(src: str, root: Path, name: str, *, files: tuple[str, ...] = ()) -> Path:
    """Copy a real session (only ``files`` if given) to root/name; returns the folder."""
    source = SESSIONS / src
    if not source.is_dir():
        raise FileNotFoundError(f"real session {source} is missing (tests read ../shared/data)")
    dest = Path(root) / name
    dest.mkdir(parents=True)
    for path in sorted(source.iterdir()):
        if path.is_file() and (not files or path.name in files):
            shutil.copyfile(path, dest / path.name)
    return dest


def _text_session(root: Path, name: str) -> Path:
    return copy_session(
        GOOD[0], root, name, files=("sensor_data.csv", "metadata.json", "whisperx_output.json")
    )


def _audio_session(root: Path, name: str) -> Path:
    return copy_session(
        AUDIO, root, name, files=("sensor_data.csv", "metadata.json", "audio_16k.wav")
    )


def _edit_line(path: Path, line_no: int, edit: Callable[[list[str]], list[str]]) -> None:
    lines = path.read_text().split("\n")
    lines[line_no - 1] = ",".join(edit(lines[line_no - 1].split(",")))
    path.write_text("\n".join(lines))


# ---- sensor_data.csv -------------------------------------------------------------------


def truncated_csv(root: Path) -> Case:
    """A copy that stopped mid-row (disk full, killed upload)."""
    folder = _text_session(root, "bad_truncated_csv")
    data = (folder / "sensor_data.csv").read_bytes()
    cut = int(len(data) * 0.6)
    while data[cut - 1 : cut] in (b"\n", b","):
        cut += 1
    (folder / "sensor_data.csv").write_bytes(data[:cut])
    return Case("truncated_csv", folder.name, "align", "fail", "sensor_data.csv", ("line",))


def garbled_field_csv(root: Path) -> Case:
    folder = _text_session(root, "bad_garbled_field")
    _edit_line(folder / "sensor_data.csv", 100, lambda row: [*row[:10], row[10], "12.3.4x"])
    return Case(
        "garbled_field", folder.name, "align", "fail", "sensor_data.csv", ("line 100", "timestamp")
    )


def shuffled_header_csv(root: Path) -> Case:
    """Columns in another order: values would land in the wrong channels if accepted."""
    folder = _text_session(root, "bad_shuffled_header")
    _edit_line(folder / "sensor_data.csv", 1, lambda row: [*row[3:6], *row[0:3], *row[6:]])
    return Case(
        "shuffled_header", folder.name, "align", "fail", "sensor_data.csv", ("line 1", "header")
    )


def shuffled_fields_csv(root: Path) -> Case:
    """Sensor name and timestamp swapped in one row."""
    folder = _text_session(root, "bad_shuffled_fields")
    _edit_line(folder / "sensor_data.csv", 2000, lambda row: [*row[:10], row[11], row[10]])
    return Case(
        "shuffled_fields", folder.name, "align", "fail", "sensor_data.csv", ("line 2000", "sensor")
    )


def nan_csv(root: Path) -> Case:
    folder = _text_session(root, "bad_nan_value")
    lines = (folder / "sensor_data.csv").read_text().split("\n")
    line_no = next(i for i in range(300, len(lines)) if "linear_acceleration" in lines[i - 1])
    _edit_line(folder / "sensor_data.csv", line_no, lambda row: ["nan", *row[1:]])
    return Case(
        "nan_value",
        folder.name,
        "align",
        "fail",
        "sensor_data.csv",
        (f"line {line_no}", "accel_x", "not finite"),
    )


def inf_csv(root: Path) -> Case:
    folder = _text_session(root, "bad_inf_value")
    _edit_line(folder / "sensor_data.csv", 500, lambda row: [*row[:11], "inf"])
    return Case(
        "inf_timestamp",
        folder.name,
        "align",
        "fail",
        "sensor_data.csv",
        ("line 500", "timestamp", "not finite"),
    )


def empty_csv(root: Path) -> Case:
    folder = _text_session(root, "bad_empty_csv")
    (folder / "sensor_data.csv").write_bytes(b"")
    return Case("zero_byte_csv", folder.name, "align", "fail", "sensor_data.csv", ("empty",))


def header_only_csv(root: Path) -> Case:
    folder = _text_session(root, "bad_header_only_csv")
    header = (folder / "sensor_data.csv").read_text().split("\n", 1)[0]
    (folder / "sensor_data.csv").write_text(header + "\n")
    return Case(
        "header_only_csv", folder.name, "align", "fail", "sensor_data.csv", ("no sensor rows",)
    )


def huge_line_csv(root: Path) -> Case:
    """A 24 MiB line (a corrupted writer): refused with a short message, no blow-up."""
    folder = _text_session(root, "bad_huge_line")
    path = folder / "sensor_data.csv"
    lines = path.read_bytes().split(b"\n")
    lines.insert(50, b"1" * HUGE_LINE_BYTES)
    path.write_bytes(b"\n".join(lines))
    return Case("huge_line", folder.name, "align", "fail", "sensor_data.csv", ("line 51",))


def two_recordings_csv(root: Path) -> Case:
    """The second half of the rows 1e8 s later (a clock jump): a grid over both would hold
    5e9 points."""
    folder = _text_session(root, "bad_two_recordings")
    path = folder / "sensor_data.csv"
    lines = path.read_text().split("\n")
    for i in range(len(lines) // 2, len(lines)):
        if lines[i]:
            row = lines[i].split(",")
            row[11] = repr(float(row[11]) + 1e8)
            lines[i] = ",".join(row)
    path.write_text("\n".join(lines))
    return Case("two_recordings", folder.name, "align", "fail", "sensor_data.csv", ("stretches",))


def binary_csv(root: Path) -> Case:
    folder = _text_session(root, "bad_binary_csv")
    path = folder / "sensor_data.csv"
    data = bytearray(path.read_bytes())
    data[5000:5016] = bytes(range(0xF0, 0x100))
    path.write_bytes(bytes(data))
    return Case("binary_csv", folder.name, "align", "fail", "sensor_data.csv", ("utf-8",))


def bom_csv(root: Path) -> Case:
    """Saved by a Windows editor: a byte-order mark before the header, CRLF line ends."""
    folder = _text_session(root, "trap_bom_csv")
    path = folder / "sensor_data.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    return Case("bom_crlf_csv", folder.name, "align", "survive", "")


# ---- audio -----------------------------------------------------------------------------


def corrupt_wav_header(root: Path) -> Case:
    folder = _audio_session(root, "bad_wav_header")
    path = folder / "audio_16k.wav"
    data = bytearray(path.read_bytes())
    data[0:12] = b"JUNKJUNKJUNK"
    path.write_bytes(bytes(data))
    return Case(
        "corrupt_wav_header", folder.name, "transcribe", "fail", "audio_16k.wav", ("bad audio",)
    )


def truncated_wav(root: Path) -> Case:
    folder = _audio_session(root, "bad_truncated_wav")
    path = folder / "audio_16k.wav"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 1])
    return Case("truncated_wav", folder.name, "transcribe", "fail", "audio_16k.wav", ("truncated",))


def empty_wav(root: Path) -> Case:
    folder = _audio_session(root, "bad_empty_wav")
    (folder / "audio_16k.wav").write_bytes(b"")
    return Case("zero_byte_wav", folder.name, "transcribe", "fail", "audio_16k.wav", ("empty",))


# ---- transcripts -----------------------------------------------------------------------


def empty_transcript_file(root: Path) -> Case:
    folder = _text_session(root, "bad_empty_transcript_file")
    (folder / "whisperx_output.json").write_bytes(b"")
    return Case(
        "zero_byte_transcript", folder.name, "transcribe", "fail", "whisperx_output.json", ("json",)
    )


def garbled_transcript(root: Path) -> Case:
    """Valid JSON, wrong shape: words as a string."""
    folder = _text_session(root, "bad_garbled_transcript")
    path = folder / "whisperx_output.json"
    doc = json.loads(path.read_text())
    doc["segments"][3]["words"] = "jump jump punch"
    path.write_text(json.dumps(doc))
    return Case(
        "garbled_transcript",
        folder.name,
        "transcribe",
        "fail",
        "whisperx_output.json",
        ("segments[3]",),
    )


def garbled_transcript_bytes(root: Path) -> Case:
    """Half a JSON document (cut upload)."""
    folder = _text_session(root, "bad_cut_transcript")
    path = folder / "whisperx_output.json"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return Case(
        "cut_transcript", folder.name, "transcribe", "fail", "whisperx_output.json", ("json",)
    )


def nan_transcript(root: Path) -> Case:
    folder = _text_session(root, "bad_nan_transcript")
    path = folder / "whisperx_output.json"
    text = path.read_text()
    doc = json.loads(text)
    doc["segments"][0]["words"][0]["start"] = float("nan")
    path.write_text(json.dumps(doc))  # json.dumps writes NaN
    return Case(
        "nan_word_time", folder.name, "transcribe", "fail", "whisperx_output.json", ("finite",)
    )


def deep_transcript(root: Path) -> Case:
    """JSON nested deeper than the parser recurses: bad input (exit 2), not a fault."""
    folder = _text_session(root, "bad_deep_transcript")
    (folder / "whisperx_output.json").write_text("[" * 100_000 + "]" * 100_000)
    return Case(
        "deep_transcript", folder.name, "transcribe", "fail", "whisperx_output.json", ("json",)
    )


def empty_transcript(root: Path) -> Case:
    """A transcript with no speech at all: nothing to align, excluded with a reason."""
    folder = _text_session(root, "bad_empty_transcript")
    (folder / "whisperx_output.json").write_text(json.dumps({"segments": [], "word_segments": []}))
    return Case("empty_transcript", folder.name, "align", "exclude", "", ("command",))


def no_commands(root: Path) -> Case:
    """The player only chatted: every word replaced by a non-command word."""
    folder = _text_session(root, "bad_no_commands")
    path = folder / "whisperx_output.json"
    doc = json.loads(path.read_text())
    chat = ("okay", "so", "this", "is", "fun", "right")
    for seg in doc["segments"]:
        for i, w in enumerate(seg["words"]):
            w["word"] = chat[i % len(chat)]
        seg["text"] = " ".join(w["word"] for w in seg["words"])
    doc["word_segments"] = [w for seg in doc["segments"] for w in seg["words"]]
    path.write_text(json.dumps(doc))
    return Case("no_commands", folder.name, "align", "exclude", "", ("command",))


def audio_longer(root: Path) -> Case:
    """The 38%-longer 16 kHz file trap: word times stretched by 1.38 past the IMU's end."""
    folder = _text_session(root, "trap_audio_longer")
    path = folder / "whisperx_output.json"
    doc = json.loads(path.read_text())
    for seg in doc["segments"]:
        seg["start"], seg["end"] = seg["start"] * 1.38, seg["end"] * 1.38
        for w in seg["words"]:
            for k in ("start", "end"):
                if k in w:
                    w[k] = round(w[k] * 1.38, 3)
    doc["word_segments"] = [w for seg in doc["segments"] for w in seg["words"]]
    path.write_text(json.dumps(doc))
    meta = json.loads((folder / "metadata.json").read_text())
    meta["audio_duration_sec"] = meta["audio_duration_sec"] * 1.38
    (folder / "metadata.json").write_text(json.dumps(meta))
    return Case("audio_38pct_longer", folder.name, "align", "survive", "")


def garbled_metadata(root: Path) -> Case:
    """metadata.json is informational: junk in it must not sink the session or the report."""
    folder = _text_session(root, "trap_garbled_metadata")
    (folder / "metadata.json").write_bytes(b"\xff\xfe{not json" + b"\x00" * 64)
    return Case("garbled_metadata", folder.name, "align", "survive", "")


# ---- names -----------------------------------------------------------------------------


def dotdot_name(root: Path) -> Case:
    """A folder whose name would be a traversal once used as a key part."""
    folder = _text_session(root, "..evil_session")
    return Case("dotdot_name", folder.name, "upload", "reject", "")


def space_name(root: Path) -> Case:
    folder = _text_session(root, "bad name; rm -rf")
    return Case("odd_name", folder.name, "upload", "reject", "")


BUILDERS: tuple[Callable[[Path], Case], ...] = (
    truncated_csv,
    garbled_field_csv,
    shuffled_header_csv,
    shuffled_fields_csv,
    nan_csv,
    inf_csv,
    empty_csv,
    header_only_csv,
    huge_line_csv,
    binary_csv,
    bom_csv,
    corrupt_wav_header,
    truncated_wav,
    empty_wav,
    empty_transcript_file,
    garbled_transcript,
    garbled_transcript_bytes,
    nan_transcript,
    deep_transcript,
    empty_transcript,
    no_commands,
    audio_longer,
    garbled_metadata,
    dotdot_name,
    space_name,
)

#: Names a CLI user or a workflow parameter could pass as SESSION / --run-id.
BAD_NAMES = (
    "../etc",
    "a/b",
    "/abs",
    "..",
    ".hidden",
    "",
    "a\\b",
    "x" * 200,
    "nul\x00byte",
    "sp ace",
    "semi;colon",
    "trailing_newline\n",  # "$" matches before a final newline: passed check_name
    "../../../../tmp/silkpipe-escape",
)
BAD_KEYS = (
    "/etc/passwd",
    "runs/../../x",
    "runs//x",
    "runs/./x",
    "runs\\x",
    "",
    "a/",
    "sessions/..",
    "runs/r/../../../etc",
    "runs/r\n/labels.json",
)


# ---- clip folders (both dialects) -------------------------------------------------------


@dataclass(frozen=True)
class ClipCase:
    """One damaged (or trap) file added to a healthy clip folder. ``fail``: loading the
    folder raises one line naming ``file`` (train skips the file, naming it); ``survive``:
    the clip loads like its undamaged copy."""

    name: str
    file: str  # the file added or damaged, in the clip folder
    expect: str  # fail | survive
    words: tuple[str, ...] = ()  # words the error must contain (lower case)


def sample_clips(dest: Path, per_class: int = 2) -> Path:
    """A few real sample-dialect clips per class with their session_metadata.json."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    day = DATA / "clips-20251014"
    shutil.copyfile(day / "session_metadata.json", dest / "session_metadata.json")
    for cls in ("jump", "punch", "turn", "noise"):
        for n in range(1, per_class + 1):
            shutil.copyfile(day / f"{cls}_sample{n:02d}.csv", dest / f"{cls}_sample{n:02d}.csv")
    return dest


def _sample_copy(folder: Path, name: str, edit: Callable[[list[str]], list[str]]) -> str:
    """A copy of the folder's jump_sample01.csv named ``name``, its lines edited."""
    lines = (folder / "jump_sample01.csv").read_text().splitlines()
    (folder / name).write_text("\n".join(edit(lines)) + "\n")
    return name


def _dev_copy(folder: Path, name: str, edit: Callable[[str], bytes]) -> str:
    """A copy of the folder's first jump clip named ``name``, its text edited to bytes."""
    src = sorted(folder.glob("jump_*_to_*.csv"))[0]
    (folder / name).write_bytes(edit(src.read_text()))
    return name


def _column(lines: list[str], col: str, value: Callable[[str], str], sensor: str = "") -> list:
    """Lines with ``col`` replaced by value(old) in every row (of ``sensor`` if given)."""
    i = lines[0].split(",").index(col)
    out = [lines[0]]
    for line in lines[1:]:
        row = line.split(",")
        if not sensor or sensor in row:
            row[i] = value(row[i])
        out.append(",".join(row))
    return out


def _first_of(lines: list[str], sensor: str, col: str, text: str) -> list[str]:
    """Lines with ``col`` of the first ``sensor`` row set to ``text``."""
    at = next(k for k, line in enumerate(lines) if f",{sensor}," in line)
    i = lines[0].split(",").index(col)
    row = lines[at].split(",")
    row[i] = text
    return [*lines[:at], ",".join(row), *lines[at + 1 :]]


def bom_sample(folder: Path) -> ClipCase:
    """Saved by a Windows editor: a byte-order mark before the header."""
    name = "jump_sample41.csv"
    text = (folder / "jump_sample01.csv").read_text()
    (folder / name).write_text("\ufeff" + text.replace("\n", "\r\n"))
    return ClipCase("bom_crlf_sample", name, "survive")


def glitch_time_sample(folder: Path) -> ClipCase:
    """One row stamped 1e9 s: dropped as a glitch, not a 1e9-second grid."""
    name = _sample_copy(
        folder, "jump_sample42.csv", lambda ls: _first_of(ls, "gyroscope", "timestamp", "1e9")
    )
    return ClipCase("glitch_time_sample", name, "survive")


def cut_sample(folder: Path) -> ClipCase:
    """A copy that stopped mid-number in its last row (no final newline)."""
    name = "jump_sample43.csv"
    text = (folder / "jump_sample01.csv").read_text().rstrip("\n")
    (folder / name).write_text(text[:-7])
    return ClipCase("cut_sample", name, "fail", ("cut off",))


def huge_reading_sample(folder: Path) -> ClipCase:
    name = _sample_copy(
        folder, "jump_sample44.csv", lambda ls: _first_of(ls, "gyroscope", "gyro_x", "1e300")
    )
    return ClipCase("huge_reading_sample", name, "fail", ("not a physical value",))


def spanless_sample(folder: Path) -> ClipCase:
    """Every row at one time: no motion to resample."""
    name = _sample_copy(
        folder, "jump_sample45.csv", lambda ls: _column(ls, "timestamp", lambda t: "0.5")
    )
    return ClipCase("spanless_sample", name, "fail", ("fewer than 2",))


def huge_number_sample(folder: Path) -> ClipCase:
    """A sample number so large its slot swamps the sample's own seconds."""
    name = _sample_copy(folder, "jump_sample" + "9" * 40 + ".csv", lambda ls: ls)
    return ClipCase("huge_number_sample", name, "fail", ("nn up to",))


def folder_named_like_a_clip(folder: Path) -> ClipCase:
    (folder / "jump_sample46.csv").mkdir()
    return ClipCase(
        "folder_named_like_a_clip", "jump_sample46.csv", "fail", ("not a regular file",)
    )


def broken_link_clip(folder: Path) -> ClipCase:
    (folder / "jump_sample47.csv").symlink_to(folder / "gone.csv")
    return ClipCase("broken_link_clip", "jump_sample47.csv", "fail", ("not a regular file",))


def unknown_class_sample(folder: Path) -> ClipCase:
    name = _sample_copy(
        folder, "kick_sample01.csv", lambda ls: _column(ls, "gesture", lambda g: "kick")
    )
    return ClipCase("unknown_class_sample", name, "fail", ("no known class",))


def deep_metadata(folder: Path) -> ClipCase:
    """JSON nested deeper than the parser recurses: bad input, not a fault."""
    (folder / "session_metadata.json").write_text("[" * 100_000 + "]" * 100_000)
    return ClipCase("deep_metadata", "session_metadata.json", "fail", ("invalid json",))


def metadata_link_out(folder: Path) -> ClipCase:
    """session_metadata.json links out of the folder: refused unread, like any link out."""
    outside = folder.parent / f"{folder.name}-outside.json"
    (folder / "session_metadata.json").rename(outside)
    (folder / "session_metadata.json").symlink_to(outside)
    return ClipCase("metadata_link_out", "session_metadata.json", "fail", ("link out",))


def bom_device_clip(folder: Path) -> ClipCase:
    name = _dev_copy(
        folder, "jump_1760841417000_to_1760841418000.csv", lambda t: ("\ufeff" + t).encode()
    )
    return ClipCase("bom_device_clip", name, "survive")


def huge_reading_device_clip(folder: Path) -> ClipCase:
    def edit(text: str) -> bytes:
        lines = _first_of(text.splitlines(), "gyroscope", "gyro_x", "1e300")
        return ("\n".join(lines) + "\n").encode()

    name = _dev_copy(folder, "jump_1760841417000_to_1760841418001.csv", edit)
    return ClipCase("huge_reading_device_clip", name, "fail", ("not a physical value",))


def spanless_device_clip(folder: Path) -> ClipCase:
    """Every event at one watch time: one grid point, padded into windows if accepted."""

    def edit(text: str) -> bytes:
        lines = _column(text.splitlines(), "timestamp", lambda t: "244422214317010")
        return ("\n".join(lines) + "\n").encode()

    name = _dev_copy(folder, "jump_1760841417000_to_1760841418002.csv", edit)
    return ClipCase("spanless_device_clip", name, "fail", ("one timestamp",))


#: Cases added to sample_clips(folder) / clips_subset(folder); each adds its own file, so
#: all of one dialect can share a folder.
SAMPLE_CLIP_CASES: tuple[Callable[[Path], ClipCase], ...] = (
    bom_sample,
    glitch_time_sample,
    cut_sample,
    huge_reading_sample,
    spanless_sample,
    huge_number_sample,
    folder_named_like_a_clip,
    broken_link_clip,
    unknown_class_sample,
)
#: Cases that spoil the whole sample folder (its metadata): one folder each.
SAMPLE_FOLDER_CASES: tuple[Callable[[Path], ClipCase], ...] = (deep_metadata, metadata_link_out)
DEVICE_CLIP_CASES: tuple[Callable[[Path], ClipCase], ...] = (
    bom_device_clip,
    huge_reading_device_clip,
    spanless_device_clip,
)


def build_all(root: Path, builders=BUILDERS) -> list[Case]:
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    return [build(root) for build in builders]


def good_sessions(root: Path) -> list[str]:
    """Copy the two transcript-carrying real sessions (the run's healthy majority)."""
    for name in GOOD:
        copy_session(
            name, root, name, files=("sensor_data.csv", "metadata.json", "whisperx_output.json")
        )
    return list(GOOD)


def bad_clips(dest: Path) -> list[str]:
    """Two damaged copies of real clips beside the good ones: a 0-byte clip and one with NaN."""
    dest = Path(dest)
    real = sorted((DATA / "clips-dev").glob("jump_*.csv"))[-1]
    empty = dest / "punch_1000000000000_to_1000000001000.csv"
    empty.write_bytes(b"")
    lines = real.read_text().split("\n")
    at = next(i for i in range(20, len(lines)) if ",linear_acceleration," in lines[i])
    row = lines[at].split(",")
    row[0] = "nan"  # accel_x of an accelerometer row: a value the parser must read
    lines[at] = ",".join(row)
    nan = dest / f"bad_{real.name}".replace("bad_jump", "jump_bad")
    nan.write_text("\n".join(lines))
    return [empty.name, nan.name]


def clips_subset(dest: Path, per_class: int = 3) -> Path:
    """A few real clips per class, copied (a link out of the clips folder is not read)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for prefix in ("jump_", "punch_", "turn_left_", "walk_", "idle_", "noise_action_1"):
        for path in sorted((DATA / "clips-dev").glob(f"{prefix}*.csv"))[:per_class]:
            shutil.copyfile(path, dest / path.name)
    return dest


def train_twins(monkeypatch, clips: Path, out: Path) -> list[BaseException]:
    """Two `train --clips CLIPS --out OUT` in threads, made to overlap: the second starts once
    the first has trained, and the first renames DIR/model.partial only after the second has
    trained (or 3 s have passed, where a lock holds the second off). Returns what either
    raised."""
    import threading
    import time

    import silkpipe.training as training
    from silkpipe.cli import build_parser

    real_train, calls = training.train, []
    first_trained, second_trained = threading.Event(), threading.Event()

    def train_then_overlap(*args, **kwargs):
        calls.append(1)
        first = len(calls) == 1
        summary = real_train(*args, **kwargs)
        if first:
            first_trained.set()
            second_trained.wait(timeout=3)  # held off by a lock: it waits
        else:
            second_trained.set()
            time.sleep(0.5)  # the first renames DIR/model.partial now, if it can
        return summary

    monkeypatch.setattr(training, "train", train_then_overlap)
    argv = ["train", "--clips", str(clips), "--out", str(out), "--epochs", "1", "--no-progress"]
    errors: list[BaseException] = []

    def one(argv=argv):
        args = build_parser().parse_args(argv)
        try:
            args.func(args)
        except BaseException as err:  # noqa: BLE001 - the caller reports it
            errors.append(err)

    twins = [threading.Thread(target=one) for _ in range(2)]
    twins[0].start()
    assert first_trained.wait(timeout=300)
    twins[1].start()
    for twin in twins:
        twin.join(timeout=300)
    return errors
