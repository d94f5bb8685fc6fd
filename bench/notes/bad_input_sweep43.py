"""Fifth bad-input sweep (stop 43): cases the earlier sweeps (bad_input_sweep,
session_bad_input_sweep, entry_bad_input_sweep, bad_input_sweep39, 40, 42) did not build:
the 2025-10-14 recorder's dialect (session_metadata.json cut, empty, a folder, linked out,
with empty or mistyped fields; sample clips empty, cut mid-row, with nan / inf / 1e309,
linked out, numbered twice, of a class the metadata does not list), a clips folder given
twice under two paths, device clips with a reversed button span, the transcripts-only
layout beside real sessions, session names with spaces, in two Unicode forms or differing
in case only, a character device named sensor_data.csv, an empty metadata.json, overflowing
sensor readings, A-law and ADPCM WAVs, and one run id re-used with other inputs.

Every case builds its inputs in its own folder under SCRATCH from copies of the real data
(../shared/data; never written) and runs what a user types, each command its own process,
TMPDIR inside the case folder (as root: chmod does not stop reads, so none is tried).
"run" cases hold the good session 20251017_143627 (its own whisperx_output.json; it passes
the gate on its own) beside case_session, a damaged copy of 20251017_143217.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice /work/main/.venv/bin/python \\
        bench/notes/bad_input_sweep43.py /tmp/review43/bad [CASE ...]
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

DATA = Path(os.environ.get("SILKPIPE_DATA", "/work/shared/data"))
GOOD = "20251017_143627_session"  # passes the gate on energy alone
BASE = "20251017_143217_session"
AUDIO = "20251017_110929_session"
FILES = ("sensor_data.csv", "metadata.json", "whisperx_output.json")
PY = sys.executable
CASES: dict[str, object] = {}


def case(build):
    CASES[build.__name__] = build
    return build


def copy_session(src: Path, dest: Path, files=FILES) -> Path:
    dest.mkdir(parents=True)
    for f in files:
        if (src / f).exists():
            shutil.copyfile(src / f, dest / f)
    return dest


def sessions(root: Path, base: str = BASE, files=FILES) -> Path:
    """sessions/GOOD (untouched copy) + sessions/case_session (copy of base to damage)."""
    folder = root / "sessions"
    copy_session(DATA / "sessions" / GOOD, folder / GOOD)
    return copy_session(DATA / "sessions" / base, folder / "case_session", files)


def clips(root: Path, source: str = "clips-dev", per_class: int = 3, name="clips") -> Path:
    out = root / name
    out.mkdir(parents=True)
    seen: dict[str, int] = {}
    for path in sorted((DATA / source).iterdir()):
        if path.suffix != ".csv":
            shutil.copyfile(path, out / path.name)
            continue
        cls = path.name.split("_")[0]
        if seen.get(cls, 0) < per_class:
            seen[cls] = seen.get(cls, 0) + 1
            shutil.copyfile(path, out / path.name)
    return out


def env(root: Path) -> dict:
    tmp = root / "tmp"
    tmp.mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmp), "OMP_NUM_THREADS": "1"}


def silkpipe(root: Path, *argv: str, timeout: int = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [PY, "-m", "silkpipe.cli", *argv],
        cwd=root,
        env=env(root),
        capture_output=True,
        timeout=timeout,
    )
    with open(root / "stderr.txt", "ab") as log:  # every line, to read after
        log.write(b"$ silkpipe " + " ".join(argv).encode() + b"\n" + proc.stderr)
    return proc


RUN = ("run", "sessions", "--store", "store", "--run-id", "r", "--workers", "1")
UPLOAD = ("sessions", "upload", "sessions", "--store", "store", "--run-id", "r")


def good_labelled(root: Path) -> str:
    """Whether the good session got a label set in run r (it still went through)."""
    path = root / "store" / "runs" / "r" / "labels.json"
    if not path.is_file():
        return "labels=none"
    names = json.dumps(json.loads(path.read_text()))
    return "good=labelled" if GOOD in names else "good=MISSING"


def summary(proc, extra: str = "", mark: str = "case_session") -> str:
    err = proc.stderr.decode("utf-8", "backslashreplace")
    tb = "TB" if "Traceback" in err else "tb=-"
    lines = err.splitlines()
    named = [x for x in lines if mark in x or "error" in x.lower() or "WARNING" in x]
    named = [x.split(" ", 3)[-1] if x[:4].isdigit() else x for x in named]
    closing = [x for x in lines if x.startswith("silkpipe ")]
    shown = (named[:2] + closing[-1:]) or lines[-1:] or ["(no line)"]
    text = " || ".join(dict.fromkeys(s[:260] for s in shown))
    return f"rc={proc.returncode} {tb} {extra} | {text}"


def run_case(root: Path) -> str:
    proc = silkpipe(root, *RUN)
    return summary(proc, good_labelled(root))


def uploaded(root: Path, proc) -> str:
    text = proc.stdout.decode("utf-8", "backslashreplace").strip()
    names = json.loads(text) if text.startswith("[") else text.split()
    return f"stdout={','.join(sorted(names)) or '-'}"


def train_clips(root: Path, *extra: str, mark: str = "sample") -> str:
    argv = ("train", "--clips", "clips", *extra, "--out", "out", "--epochs", "1")
    proc = silkpipe(root, *argv)
    return summary(proc, f"model={'yes' if (root / 'out/model').is_dir() else 'no'}", mark)


def first_clip(folder: Path, cls: str = "jump") -> Path:
    return sorted(p for p in folder.iterdir() if p.name.startswith(cls + "_"))[0]


def outside_file(root: Path, text: str) -> Path:
    path = root / "outside" / "secret.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


# ---- clips-20251014: session_metadata.json ---------------------------------------------


def meta_edit(root: Path, edit) -> str:
    c = clips(root, "clips-20251014")
    meta = json.loads((c / "session_metadata.json").read_text())
    edit(meta)
    (c / "session_metadata.json").write_text(json.dumps(meta))
    return train_clips(root, mark="session_metadata")


@case
def c14_meta_cut_half(root: Path) -> str:
    c = clips(root, "clips-20251014")
    path = c / "session_metadata.json"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return train_clips(root, mark="session_metadata")


@case
def c14_meta_zero_bytes(root: Path) -> str:
    c = clips(root, "clips-20251014")
    (c / "session_metadata.json").write_bytes(b"")
    return train_clips(root, mark="session_metadata")


@case
def c14_meta_is_folder(root: Path) -> str:
    c = clips(root, "clips-20251014")
    (c / "session_metadata.json").unlink()
    (c / "session_metadata.json").mkdir()
    return train_clips(root, mark="session_metadata")


@case
def c14_meta_link_out(root: Path) -> str:
    c = clips(root, "clips-20251014")
    real = (c / "session_metadata.json").read_text()
    (c / "session_metadata.json").unlink()
    (c / "session_metadata.json").symlink_to(outside_file(root, real))
    return train_clips(root, mark="session_metadata")


@case
def c14_meta_date_empty(root: Path) -> str:
    return meta_edit(root, lambda m: m.update(date=""))


@case
def c14_meta_duration_string(root: Path) -> str:
    return meta_edit(root, lambda m: m.update(recording_duration_sec="2.5"))


@case
def c14_meta_session_id_path(root: Path) -> str:
    """session_id names the block; one with '/' and '..' in it (store mode: run --clips)."""
    sessions(root)
    c = clips(root, "clips-20251014")
    meta = json.loads((c / "session_metadata.json").read_text())
    meta["session_id"] = "../../../etc/x"
    (c / "session_metadata.json").write_text(json.dumps(meta))
    proc = silkpipe(root, *UPLOAD, "--clips", "clips")
    return summary(proc, uploaded(root, proc), "session_metadata") + (
        " | escaped=" + str((root / "etc").exists())
    )


@case
def c14_meta_gestures_string(root: Path) -> str:
    return meta_edit(root, lambda m: m.update(gestures_completed="punch,jump"))


# ---- clips-20251014: sample clips ------------------------------------------------------


def sample_edit(root: Path, edit) -> str:
    path = first_clip(clips(root, "clips-20251014"))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(edit(lines)), encoding="utf-8")
    return train_clips(root)


def set_first_value(lines: list[str], value: str) -> list[str]:
    """The first linear_acceleration reading of the sample replaced by value."""
    head = lines[0].rstrip("\r\n").split(",")
    sensor = head.index("sensor")
    for i, line in enumerate(lines[1:], start=1):
        cells = line.rstrip("\r\n").split(",")
        if cells[sensor] == "linear_acceleration":
            col = next(j for j, h in enumerate(head) if h.startswith("linear") or h == "accel_x")
            cells[col] = value
            lines[i] = ",".join(cells) + "\n"
            return lines
    raise RuntimeError("no linear_acceleration row")


@case
def c14_sample_zero_bytes(root: Path) -> str:
    return sample_edit(root, lambda lines: [])


@case
def c14_sample_cut_mid_row(root: Path) -> str:
    return sample_edit(root, lambda lines: lines[:-1] + [lines[-1][: len(lines[-1]) // 2]])


@case
def c14_sample_nan_reading(root: Path) -> str:
    return sample_edit(root, lambda lines: set_first_value(lines, "nan"))


@case
def c14_sample_overflow_reading(root: Path) -> str:
    return sample_edit(root, lambda lines: set_first_value(lines, "1e309"))


@case
def c14_sample_link_out(root: Path) -> str:
    path = first_clip(clips(root, "clips-20251014"))
    real = path.read_text()
    path.unlink()
    path.symlink_to(outside_file(root, real))
    return train_clips(root)


@case
def c14_sample_numbered_twice(root: Path) -> str:
    """jump_sample1.csv beside jump_sample01.csv (the same sample number, two files)."""
    path = first_clip(clips(root, "clips-20251014"))
    shutil.copyfile(path, path.with_name("jump_sample1.csv"))
    return train_clips(root)


@case
def c14_sample_class_not_in_meta(root: Path) -> str:
    """An idle sample in a folder whose gestures_completed lists no idle."""
    c = clips(root, "clips-20251014")
    src = first_clip(c, "noise")
    text = src.read_text().replace(",noise", ",idle")
    (c / "idle_sample01.csv").write_text(text)
    return train_clips(root, mark="idle")


@case
def c14_walk_continuous_header_only(root: Path) -> str:
    c = clips(root, "clips-20251014")
    path = c / "walk_continuous.csv"
    shutil.copyfile(DATA / "clips-20251014" / "walk_continuous.csv", path)
    path.write_text(path.read_text().splitlines(keepends=True)[0])
    return train_clips(root, mark="walk_continuous")


@case
def c14_folder_twice_two_paths(root: Path) -> str:
    """One day's folder given twice under two paths (a copy): trained twice as two days?"""
    clips(root, "clips-20251014")
    shutil.copytree(root / "clips", root / "clips_copy")
    out = train_clips(root, "--clips", "clips_copy", mark="clips_copy")
    config = root / "out" / "model" / "config.json"
    if config.is_file():
        trained = json.loads(config.read_text())["training"].get("trained_on")
        out += " | trained_on=" + json.dumps(trained)[:300]
    return out


# ---- clips-dev -------------------------------------------------------------------------


@case
def dev_button_reversed(root: Path) -> str:
    """jump_<release>_to_<press>.csv: the button span backwards."""
    path = first_clip(clips(root))
    start, _, end = path.stem.split("_")[1:4]
    path.rename(path.with_name(f"jump_{end}_to_{start}.csv"))
    return train_clips(root, mark="jump_")


@case
def dev_and_c14_in_two_folders_same_name(root: Path) -> str:
    """run --clips A/clips --clips B/clips: two folders with one base name, two dialects."""
    sessions(root)
    (root / "a").mkdir()
    (root / "b").mkdir()
    clips(root / "a", "clips-dev")
    clips(root / "b", "clips-20251014")
    proc = silkpipe(root, *UPLOAD, "--clips", "a/clips", "--clips", "b/clips")
    names = (
        sorted(p.name for p in (root / "store" / "clips").glob("*"))
        if (root / "store" / "clips").is_dir()
        else []
    )
    return summary(proc, uploaded(root, proc) + f" store/clips={names}", "clips")


# ---- sessions: layout and names (sessions upload: no ASR, no training) -----------------


@case
def transcripts_only_beside_sessions(root: Path) -> str:
    """A transcripts-only session (no sensor_data.csv) among real ones: run goes on."""
    sessions(root)
    src = DATA / "transcripts-only" / "20251017_125600_session"
    copy_session(src, root / "sessions" / src.name, (*FILES, "original_labels.csv"))
    proc = silkpipe(root, *RUN)
    return summary(proc, good_labelled(root), "20251017_125600")


@case
def name_with_space(root: Path) -> str:
    s = sessions(root)
    s.rename(s.with_name("case session"))
    proc = silkpipe(root, *UPLOAD)
    return summary(proc, uploaded(root, proc), "case session")


@case
def names_nfc_nfd(root: Path) -> str:
    """'café' twice: composed and decomposed (macOS writes the second)."""
    s = sessions(root)
    nfc = unicodedata.normalize("NFC", "case_café")
    nfd = unicodedata.normalize("NFD", "case_café")
    shutil.copytree(s, s.with_name(nfc))
    s.rename(s.with_name(nfd))
    proc = silkpipe(root, *UPLOAD)
    return summary(proc, uploaded(root, proc), "case_caf")


@case
def names_differ_in_case(root: Path) -> str:
    """Case_Session beside case_session (two sessions on a case-insensitive S3 view?)."""
    s = sessions(root)
    shutil.copytree(s, s.with_name("Case_Session"))
    proc = silkpipe(root, *UPLOAD)
    return summary(proc, uploaded(root, proc), "ase_")


@case
def csv_char_device(root: Path) -> str:
    """sensor_data.csv is a character device (/dev/zero's numbers): never read for ever."""
    s = sessions(root)
    (s / "sensor_data.csv").unlink()
    os.mknod(s / "sensor_data.csv", 0o600 | 0o020000, os.makedev(1, 5))
    proc = silkpipe(root, *UPLOAD, timeout=120)
    return summary(proc, uploaded(root, proc))


@case
def meta_zero_bytes(root: Path) -> str:
    s = sessions(root)
    (s / "metadata.json").write_bytes(b"")
    return run_case(root)


@case
def csv_reading_in_unused_column(root: Path) -> str:
    """'1e309' in accel_x of a rotation_vector row (a column that sensor leaves empty)."""
    s = sessions(root)
    lines = (s / "sensor_data.csv").read_text().splitlines(keepends=True)
    row = next(i for i in range(5000, len(lines)) if ",rotation_vector," in lines[i])
    cells = lines[row].split(",")
    cells[0] = "1e309"
    lines[row] = ",".join(cells)
    (s / "sensor_data.csv").write_text("".join(lines))
    return run_case(root)


@case
def csv_overflow_reading(root: Path) -> str:
    """A reading '1e309' (floats overflow to inf) in a linear_acceleration row."""
    s = sessions(root)
    lines = (s / "sensor_data.csv").read_text().splitlines(keepends=True)
    row = next(i for i in range(5000, len(lines)) if ",linear_acceleration," in lines[i])
    cells = lines[row].split(",")
    cells[0] = "1e309"
    lines[row] = ",".join(cells)
    (s / "sensor_data.csv").write_text("".join(lines))
    return run_case(root)


# ---- audio (stand-alone transcribe of one uploaded session) ----------------------------


def wav_header(fmt_tag: int, bits: int, block: int, extra: bytes, data: bytes) -> bytes:
    rate = 16000
    fmt = struct.pack("<HHIIHH", fmt_tag, 1, rate, rate * block, block, bits) + extra
    body = b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data))
    return b"RIFF" + struct.pack("<I", 4 + len(body) + len(data)) + b"WAVE" + body + data


def audio_case(root: Path, wav: bytes) -> str:
    s = sessions(root, AUDIO, ("sensor_data.csv", "metadata.json"))
    (s / "audio_16k.wav").write_bytes(wav)
    silkpipe(root, *UPLOAD)
    proc = silkpipe(root, "transcribe", "case_session", "--store", "store", "--run-id", "r")
    return summary(proc)


@case
def wav_alaw(root: Path) -> str:
    real = (DATA / "sessions" / AUDIO / "audio_16k.wav").read_bytes()[44:]
    return audio_case(root, wav_header(6, 8, 1, b"\0\0", real[::2]))


@case
def wav_ima_adpcm(root: Path) -> str:
    real = (DATA / "sessions" / AUDIO / "audio_16k.wav").read_bytes()[44:]
    return audio_case(root, wav_header(0x11, 4, 256, struct.pack("<HH", 2, 505), real[::4]))


# ---- one run id re-used with other inputs ----------------------------------------------


@case
def run_id_reused_other_folder(root: Path) -> str:
    """run A -r r, then run B -r r where B holds only case_session: B's run must not keep
    A's session (inputs.json, labels, manifest) nor a model trained on it."""
    sessions(root)
    first = silkpipe(root, *RUN)
    (root / "other").mkdir()
    shutil.move(root / "sessions" / "case_session", root / "other" / "case_session")
    shutil.copytree(root / "sessions" / GOOD, root / "other" / "second_session")
    second = silkpipe(root, "run", "other", "--store", "store", "--run-id", "r", "--workers", "1")
    run = root / "store" / "runs" / "r"
    inputs = (
        json.loads((run / "inputs.json").read_text()) if (run / "inputs.json").is_file() else {}
    )
    manifest = run / "manifest.json"
    listed = sorted((inputs.get("sessions") or {}).keys()) if isinstance(inputs, dict) else []
    page = (
        (run / "report" / "index.html").read_text() if (run / "report/index.html").is_file() else ""
    )
    return (
        f"first rc={first.returncode}; second {summary(second)} | inputs={listed} "
        f"manifest={'yes' if manifest.is_file() else 'no'} report_names_GOOD={GOOD in page}"
    )


def main(argv: list[str]) -> None:
    scratch = Path(argv[0])
    wanted = argv[1:] or list(CASES)
    scratch.mkdir(parents=True, exist_ok=True)
    for name in wanted:
        root = scratch / name
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir()
        began = time.time()
        try:
            line = CASES[name](root)
        except Exception as err:  # the harness's own fault, shown as such
            line = f"HARNESS {type(err).__name__}: {err}"
        print(f"{name:32s} {time.time() - began:5.0f}s {line}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
