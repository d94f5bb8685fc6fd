"""Fourth bad-input sweep (stop 42): variants the earlier sweeps (bad_input_sweep,
session_bad_input_sweep, entry_bad_input_sweep, bad_input_sweep39, bad_input_sweep40) did
not build: byte-order marks in JSON files, UTF-16 and tab-separated CSVs, shuffled and
quoted rows, headers in another case, a one-hour hole, two sensor files in one session,
links back into the sessions folder itself, clip names that are not UTF-8 or hold a newline,
a 0.2 s WAV, metadata linked out, and the stand-alone `align`/`transcribe` commands.

Every case builds its inputs in its own folder under SCRATCH from copies of the real data
(../shared/data; never written) and runs what a user types, each command its own process,
TMPDIR inside the case folder. "run" cases hold the good session 20251017_143627 (its own
whisperx_output.json, no ASR; it passes the gate on its own) beside case_session, a damaged
copy of 20251017_143217 (which passes only with another session's classes).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice /work/main/.venv/bin/python \\
        bench/notes/bad_input_sweep42.py /tmp/review42/bad [CASE ...]
"""

from __future__ import annotations

import json
import os
import random
import shutil
import struct
import subprocess
import sys
import time
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


def sessions(root: Path, base: str = BASE, files=FILES) -> Path:
    """sessions/GOOD (untouched copy) + sessions/case_session (copy of base to damage)."""
    folder = root / "sessions"
    for name, src in ((GOOD, GOOD), ("case_session", base)):
        (folder / name).mkdir(parents=True)
        for f in files if name == "case_session" else FILES:
            if (DATA / "sessions" / src / f).exists():
                shutil.copyfile(DATA / "sessions" / src / f, folder / name / f)
    return folder / "case_session"


def clips(root: Path, source: str = "clips-dev", per_class: int = 3) -> Path:
    out = root / "clips"
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


def silkpipe(root: Path, *argv: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [PY, "-m", "silkpipe.cli", *argv],
        cwd=root,
        env=env(root),
        capture_output=True,
        timeout=900,
    )
    with open(root / "stderr.txt", "ab") as log:  # every line, to read after
        log.write(b"$ silkpipe " + " ".join(argv).encode() + b"\n" + proc.stderr)
    return proc


RUN = ("run", "sessions", "--store", "store", "--run-id", "r", "--workers", "1")


def good_labelled(root: Path) -> str:
    """Whether the good session got a label set in run r (it still went through)."""
    path = root / "store" / "runs" / "r" / "labels.json"
    if not path.is_file():
        return "labels=none"
    names = json.dumps(json.loads(path.read_text()))
    return "good=labelled" if GOOD in names else "good=MISSING"


def summary(proc, extra: str = "") -> str:
    err = proc.stderr.decode("utf-8", "backslashreplace")
    tb = "TB" if "Traceback" in err else "tb=-"
    lines = err.splitlines()
    named = [x for x in lines if "case_session" in x or "error" in x.lower() or "WARNING" in x]
    named = [x.split(" ", 3)[-1] if x[:4].isdigit() else x for x in named]
    closing = [x for x in lines if x.startswith("silkpipe ")]
    shown = (named[:2] + closing[-1:]) or lines[-1:] or ["(no line)"]
    text = " || ".join(dict.fromkeys(s[:260] for s in shown))
    return f"rc={proc.returncode} {tb} {extra} | {text}"


def run_case(root: Path) -> str:
    proc = silkpipe(root, *RUN)
    return summary(proc, good_labelled(root))


def csv_rewrite(path: Path, edit) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(edit(lines)), encoding="utf-8")


# ---- JSON with a byte-order mark -----------------------------------------------------


@case
def meta_bom(root: Path) -> str:
    s = sessions(root)
    (s / "metadata.json").write_bytes(b"\xef\xbb\xbf" + (s / "metadata.json").read_bytes())
    return run_case(root)


@case
def tr_bom(root: Path) -> str:
    s = sessions(root)
    path = s / "whisperx_output.json"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    return run_case(root)


@case
def clips_meta_bom_train(root: Path) -> str:
    c = clips(root, "clips-20251014")
    path = c / "session_metadata.json"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    proc = silkpipe(root, "train", "--clips", "clips", "--out", "out", "--epochs", "1")
    return summary(proc, f"model={'yes' if (root / 'out/model').is_dir() else 'no'}")


# ---- sensor CSV variants --------------------------------------------------------------


@case
def csv_utf16(root: Path) -> str:
    s = sessions(root)
    text = (s / "sensor_data.csv").read_text(encoding="utf-8")
    (s / "sensor_data.csv").write_bytes(text.encode("utf-16"))
    return run_case(root)


@case
def csv_tabs(root: Path) -> str:
    s = sessions(root)
    csv_rewrite(s / "sensor_data.csv", lambda lines: [x.replace(",", "\t") for x in lines])
    return run_case(root)


@case
def csv_shuffled_rows(root: Path) -> str:
    s = sessions(root)

    def shuffle(lines):
        body = lines[1:]
        random.Random(0).shuffle(body)
        return lines[:1] + body

    csv_rewrite(s / "sensor_data.csv", shuffle)
    return run_case(root)


@case
def csv_quoted_cells(root: Path) -> str:
    s = sessions(root)

    def quote(lines):
        return [",".join(f'"{c}"' for c in x.rstrip("\n").split(",")) + "\n" for x in lines]

    csv_rewrite(s / "sensor_data.csv", quote)
    return run_case(root)


@case
def csv_trailing_comma(root: Path) -> str:
    s = sessions(root)
    csv_rewrite(s / "sensor_data.csv", lambda lines: [x.rstrip("\n") + ",\n" for x in lines])
    return run_case(root)


@case
def csv_header_capitalised(root: Path) -> str:
    s = sessions(root)
    csv_rewrite(s / "sensor_data.csv", lambda lines: [lines[0].title()] + lines[1:])
    return run_case(root)


@case
def csv_hour_hole(root: Path) -> str:
    """The second half of the rows one hour later (the watch slept)."""
    s = sessions(root)

    def hole(lines):
        head = lines[0].rstrip("\n").split(",")
        cols = [
            i for i, c in enumerate(head) if c.startswith("timestamp") or c == "watch_timestamp"
        ]
        half = len(lines) // 2
        out = lines[:half]
        for x in lines[half:]:
            cells = x.rstrip("\n").split(",")
            for i in cols:
                v = float(cells[i])
                cells[i] = repr(v + (3600e9 if v > 1e15 else 3600.0))
            out.append(",".join(cells) + "\n")
        return out

    csv_rewrite(s / "sensor_data.csv", hole)
    return run_case(root)


@case
def csv_duplicate_times_new_values(root: Path) -> str:
    """Every row twice, the copy with other readings (two writers on one clock)."""
    s = sessions(root)

    def doubled(lines):
        out = lines[:1]
        for x in lines[1:]:
            cells = x.rstrip("\n").split(",")
            twin = [repr(float(c) * 0.5) if c and i < 10 else c for i, c in enumerate(cells)]
            out += [x, ",".join(twin) + "\n"]
        return out

    csv_rewrite(s / "sensor_data.csv", doubled)
    return run_case(root)


# ---- session layout --------------------------------------------------------------------


@case
def two_imu_files(root: Path) -> str:
    s = sessions(root)
    shutil.copyfile(DATA / "sessions" / GOOD / "sensor_data.csv", s / "sensor_data (1).csv")
    return run_case(root)


@case
def imu_only_other_name(root: Path) -> str:
    s = sessions(root)
    (s / "sensor_data.csv").rename(s / "Sensor_Data.CSV")
    return run_case(root)


@case
def meta_link_out(root: Path) -> str:
    s = sessions(root)
    outside = root / "outside.json"
    outside.write_text('{"recording_date": "1999-01-01"}')
    (s / "metadata.json").unlink()
    (s / "metadata.json").symlink_to(outside)
    return run_case(root)


@case
def link_to_sessions_folder(root: Path) -> str:
    s = sessions(root)
    (s.parent / "loop").symlink_to(s.parent)
    return run_case(root)


@case
def link_session_twice(root: Path) -> str:
    s = sessions(root)
    (s.parent / "case_twin").symlink_to(s)
    return run_case(root)


@case
def session_unreadable_root(root: Path) -> str:
    """chmod 000 on the CSV: root reads it all the same (this harness runs as root)."""
    s = sessions(root)
    os.chmod(s / "sensor_data.csv", 0)
    return run_case(root) + f" (uid={os.getuid()})"


@case
def sessions_arg_is_one_session(root: Path) -> str:
    """`run SESSIONS/one` where `run SESSIONS` was meant."""
    s = sessions(root)
    proc = silkpipe(root, "run", str(s), "--store", "store", "--run-id", "r")
    return summary(proc, f"store={'written' if (root / 'store').exists() else 'none'}")


# ---- audio (session 110929: no transcript, faster-whisper tiny.en) --------------------


def wav_bytes(samples: bytes, rate: int = 16000, channels: int = 1) -> bytes:
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * 2 * channels, 2 * channels, 16)
    body = b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(samples))
    return b"RIFF" + struct.pack("<I", 4 + len(body) + len(samples)) + b"WAVE" + body + samples


@case
def wav_0_2s(root: Path) -> str:
    s = sessions(root, AUDIO, ("sensor_data.csv", "metadata.json"))
    real = (DATA / "sessions" / AUDIO / "audio_16k.wav").read_bytes()
    (s / "audio_16k.wav").write_bytes(wav_bytes(real[44 : 44 + 6400]))
    return run_case(root)


@case
def wav_stereo_44k_named_16k(root: Path) -> str:
    s = sessions(root, AUDIO, ("sensor_data.csv", "metadata.json"))
    real = (DATA / "sessions" / AUDIO / "audio_16k.wav").read_bytes()[44:]
    frames = b"".join(real[i : i + 2] * 2 for i in range(0, len(real) - 1, 2))
    (s / "audio_16k.wav").write_bytes(wav_bytes(frames, 44100, 2))
    return run_case(root)


# ---- clips: names ---------------------------------------------------------------------


def clip_rename(root: Path, new: bytes) -> None:
    c = clips(root)
    first = sorted(p for p in c.iterdir() if p.name.startswith("jump_"))[0]
    os.rename(bytes(first), bytes(c) + b"/" + new)


@case
def clip_name_not_utf8_train(root: Path) -> str:
    clip_rename(root, b"jump_1760841417930_to_1760841419042\xff.csv")
    proc = silkpipe(root, "train", "--clips", "clips", "--out", "out", "--epochs", "1")
    return summary(proc, f"model={'yes' if (root / 'out/model').is_dir() else 'no'}")


@case
def clip_name_not_utf8_run(root: Path) -> str:
    sessions(root)
    clip_rename(root, b"jump_1760841417930_to_1760841419042\xff.csv")
    proc = silkpipe(root, *RUN, "--clips", "clips")
    return summary(proc, good_labelled(root))


@case
def clip_name_newline_run(root: Path) -> str:
    sessions(root)
    clip_rename(root, b"jump_1760841417930_to_1760841419042\n.csv")
    proc = silkpipe(root, *RUN, "--clips", "clips")
    return summary(proc, good_labelled(root))


@case
def clip_name_accented_train(root: Path) -> str:
    clip_rename(root, "jump_1760841417930_to_1760841419042_é.csv".encode())
    proc = silkpipe(root, "train", "--clips", "clips", "--out", "out", "--epochs", "1")
    return summary(proc, f"model={'yes' if (root / 'out/model').is_dir() else 'no'}")


# ---- the stand-alone commands ---------------------------------------------------------


@case
def align_after_upload_bad_csv(root: Path) -> str:
    """upload + transcribe + align as three commands, the case session's CSV cut mid-row."""
    s = sessions(root)
    data = (s / "sensor_data.csv").read_bytes()
    (s / "sensor_data.csv").write_bytes(data[: len(data) // 2 - 7])
    out = []
    for argv in (
        ("sessions", "upload", "sessions", "--store", "store", "--run-id", "r"),
        ("transcribe", GOOD, "--store", "store", "--run-id", "r"),
        ("transcribe", "case_session", "--store", "store", "--run-id", "r"),
        ("align", "--store", "store", "--run-id", "r"),
    ):
        out.append(f"{argv[0]}: " + summary(silkpipe(root, *argv)))
    return "\n    ".join(out)


@case
def transcribe_name_outside(root: Path) -> str:
    sessions(root)
    silkpipe(root, "sessions", "upload", "sessions", "--store", "store", "--run-id", "r")
    out = []
    for name in ("../../sessions/" + GOOD, "no_such_session", "/etc"):
        proc = silkpipe(root, "transcribe", name, "--store", "store", "--run-id", "r")
        out.append(f"{name}: " + summary(proc))
    return "\n    ".join(out)


# ---- clips through train --clips (folder mode) ----------------------------------------


def train_clips(root: Path) -> str:
    proc = silkpipe(root, "train", "--clips", "clips", "--out", "out", "--epochs", "1")
    return summary(proc, f"model={'yes' if (root / 'out/model').is_dir() else 'no'}")


def first_clip(folder: Path, cls: str = "jump") -> Path:
    return sorted(p for p in folder.iterdir() if p.name.startswith(cls + "_"))[0]


@case
def clips_upper_case_extension(root: Path) -> str:
    c = clips(root)
    for p in list(c.iterdir()):
        p.rename(p.with_suffix(".CSV"))
    return train_clips(root)


@case
def clip_utf16(root: Path) -> str:
    path = first_clip(clips(root))
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    return train_clips(root)


@case
def clip_tabs(root: Path) -> str:
    path = first_clip(clips(root))
    path.write_text(path.read_text(encoding="utf-8").replace(",", "\t"), encoding="utf-8")
    return train_clips(root)


@case
def clips_meta_us_date(root: Path) -> str:
    c = clips(root, "clips-20251014")
    meta = json.loads((c / "session_metadata.json").read_text())
    meta["date"] = "10/14/2025"
    (c / "session_metadata.json").write_text(json.dumps(meta))
    return train_clips(root)


@case
def clip_sample_utf16(root: Path) -> str:
    path = first_clip(clips(root, "clips-20251014"))
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    return train_clips(root)


@case
def clips_in_subfolder_only(root: Path) -> str:
    """The clips one folder down (an unzipped archive's own folder)."""
    c = clips(root)
    inner = c / "clips-dev"
    inner.mkdir()
    for p in list(c.iterdir()):
        if p.is_file():
            p.rename(inner / p.name)
    return train_clips(root)


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
