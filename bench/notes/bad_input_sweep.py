"""Adversarial bad-input sweep over clip folders (both dialects), sessions and options.

Each case copies real files from ../shared/data into a scratch folder, damages one thing,
and runs the commands that read it, each in its own process under a memory cap. Printed
per command: exit status, whether the damaged file is named on stderr, whether a Python
traceback leaked, and the last stderr line. Judge the outcome by hand against the rule:
bad input -> exit 2 and one line naming the file; a bad clip in train is skipped (named).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice .venv/bin/python bench/notes/bad_input_sweep.py \
        /tmp/sweep [CASE ...]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
import badinputs  # noqa: E402

DATA = badinputs.DATA
D1014 = DATA / "clips-20251014"
MEM_KB = 8_000_000
PY = sys.executable


def sample_base(dest: Path, per_class: int = 3) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(D1014 / "session_metadata.json", dest / "session_metadata.json")
    for cls in ("jump", "punch", "turn", "noise"):
        for n in range(1, per_class + 1):
            name = f"{cls}_sample{n:02d}.csv"
            shutil.copyfile(D1014 / name, dest / name)
    return dest


def dev_base(dest: Path) -> Path:
    return badinputs.clips_subset(dest, per_class=3)


def _meta(edit):
    def build(folder: Path) -> str:
        path = folder / "session_metadata.json"
        meta = json.loads(path.read_text())
        path.write_text(edit(meta))
        return "session_metadata.json"

    return build


def _raw_meta(data: bytes):
    def build(folder: Path) -> str:
        (folder / "session_metadata.json").write_bytes(data)
        return "session_metadata.json"

    return build


def _csv(name: str, edit):
    """Edit the lines of one clip CSV (a list of str, header first)."""

    def build(folder: Path) -> str:
        path = folder / name
        lines = path.read_text().splitlines()
        out = edit(lines)
        path.write_bytes(out if isinstance(out, bytes) else ("\n".join(out) + "\n").encode())
        return name

    return build


def _dev_first(prefix: str = "jump_") -> str:
    return sorted((DATA / "clips-dev").glob(f"{prefix}*.csv"))[0].name


def _set_col(lines, col: str, value: str, rows=None, sensor=None):
    """Set ``col`` to ``value`` in data rows ``rows`` (1-based) or all, counting only the
    rows of ``sensor`` when given."""
    header = lines[0].split(",")
    i = header.index(col)
    out, k = [lines[0]], 0
    for line in lines[1:]:
        row = line.split(",")
        if sensor is None or sensor in row:
            k += 1
            if rows is None or k in rows:
                row[i] = value
        out.append(",".join(row))
    return out


def _scale_time(lines, factor=None, add=None, rows=None):
    header = lines[0].split(",")
    i = header.index("timestamp")
    out = [lines[0]]
    for k, line in enumerate(lines[1:], start=1):
        row = line.split(",")
        if rows is None or k in rows:
            t = float(row[i])
            t = t * factor if factor is not None else t + add
            row[i] = repr(t)
        out.append(",".join(row))
    return out


def _symlink_out(target_name: str):
    def build(folder: Path) -> str:
        outside = folder.parent / (folder.name + "-outside")
        outside.mkdir(exist_ok=True)
        (outside / "secret.csv").write_text("PRIVATE-SECRET\n1,2,3\n")
        (folder / target_name).symlink_to(outside / "secret.csv")
        return target_name

    return build


def _meta_link_out(folder: Path) -> str:
    outside = folder.parent / (folder.name + "-outside")
    outside.mkdir(exist_ok=True)
    shutil.move(folder / "session_metadata.json", outside / "session_metadata.json")
    (folder / "session_metadata.json").symlink_to(outside / "session_metadata.json")
    return "session_metadata.json"


def _dir_like_clip(name: str):
    def build(folder: Path) -> str:
        (folder / name).mkdir()
        return name

    return build


def _dangling(name: str):
    def build(folder: Path) -> str:
        (folder / name).symlink_to(folder / "nowhere.bin")
        return name

    return build


def _sparse(name: str, size: int = 200 * 1024 * 1024):
    def build(folder: Path) -> str:
        with open(folder / name, "wb") as f:
            f.truncate(size)
        return name

    return build


def _only(prefix: str):
    def build(folder: Path) -> str:
        for p in folder.glob("*.csv"):
            if not p.name.startswith(prefix):
                p.unlink()
        return ""

    return build


def _empty(folder: Path) -> str:
    for p in folder.iterdir():
        p.unlink()
    return ""


def _add_file(name: str, data: bytes):
    def build(folder: Path) -> str:
        (folder / name).write_bytes(data)
        return name

    return build


def _copy_as(src_name: str, new_name: str, edit=None):
    def build(folder: Path) -> str:
        text = (folder / src_name).read_text()
        (folder / new_name).write_text(edit(text) if edit else text)
        return new_name

    return build


S1 = "jump_sample01.csv"
D1 = _dev_first()
SAMPLE_CASES = {
    "meta_not_json": _raw_meta(b"{nope"),
    "meta_empty": _raw_meta(b""),
    "meta_non_utf8": _raw_meta(b'{"session_id": "\xff\xfe"}'),
    "meta_null": _raw_meta(b"null"),
    "meta_no_session": _meta(
        lambda m: json.dumps({k: v for k, v in m.items() if k != "session_id"})
    ),
    "meta_session_dotdot": _meta(lambda m: json.dumps({**m, "session_id": "../../etc"})),
    "meta_session_huge": _meta(lambda m: json.dumps({**m, "session_id": "x" * 100000})),
    "meta_date_int": _meta(lambda m: json.dumps({**m, "date": 20251014})),
    "meta_no_date": _meta(lambda m: json.dumps({k: v for k, v in m.items() if k != "date"})),
    "meta_date_year_0": _meta(lambda m: json.dumps({**m, "date": "0000-01-01"})),
    "meta_duration_str": _meta(lambda m: json.dumps({**m, "recording_duration_sec": "2.5"})),
    "meta_duration_huge": _meta(lambda m: json.dumps({**m, "recording_duration_sec": 1e308})),
    "meta_duration_nan": _meta(lambda m: json.dumps({**m, "recording_duration_sec": float("nan")})),
    "meta_duration_inf": _meta(lambda m: json.dumps({**m, "recording_duration_sec": float("inf")})),
    "meta_big_int": _meta(lambda m: json.dumps({**m, "recording_duration_sec": 10**400})),
    "meta_gestures_str": _meta(lambda m: json.dumps({**m, "gestures_completed": "jump"})),
    "meta_deep": _raw_meta(b"[" * 100000 + b"]" * 100000),
    "meta_is_dir": lambda f: (
        (f / "session_metadata.json").unlink(),
        (f / "session_metadata.json").mkdir(),
        "session_metadata.json",
    )[2],
    "meta_link_out": _meta_link_out,
    "csv_missing_col": _csv(S1, lambda ls: [ls[0].replace("gyro_y,", "")] + ls[1:]),
    "csv_reordered": _csv(S1, lambda ls: _reorder(ls)),
    "csv_dup_header": _csv(S1, lambda ls: [ls[0].replace("gyro_y", "gyro_x")] + ls[1:]),
    "csv_empty_gyro_x": _csv(S1, lambda ls: _set_col(ls, "gyro_x", "", sensor="gyroscope")),
    "csv_non_numeric": _csv(
        S1, lambda ls: _set_col(ls, "gyro_x", "1,5", rows={5}, sensor="gyroscope")
    ),
    "csv_nan": _csv(S1, lambda ls: _set_col(ls, "gyro_x", "NaN", rows={5}, sensor="gyroscope")),
    "csv_inf": _csv(S1, lambda ls: _set_col(ls, "timestamp", "inf", rows={5})),
    "csv_huge_value": _csv(
        S1, lambda ls: _set_col(ls, "gyro_x", "1e300", rows={5}, sensor="gyroscope")
    ),
    "csv_bom": _csv(S1, lambda ls: ("\ufeff" + "\n".join(ls) + "\n").encode("utf-8")),
    "csv_crlf": _csv(S1, lambda ls: ("\r\n".join(ls) + "\r\n").encode()),
    "csv_truncated": _csv(S1, lambda ls: ("\n".join(ls))[:-7].encode()),
    "csv_header_only": _csv(S1, lambda ls: ls[:1]),
    "csv_zero_bytes": _csv(S1, lambda ls: b""),
    "csv_backwards": _csv(S1, lambda ls: [ls[0]] + ls[:0:-1]),
    "csv_one_row_each": _csv(S1, lambda ls: _one_per_sensor(ls)),
    "csv_zero_span": _csv(S1, lambda ls: _set_col(ls, "timestamp", "0.5")),
    "csv_hour_long": _csv(S1, lambda ls: _scale_time(ls, factor=1440.0)),
    "csv_glitch_1e9": _csv(S1, lambda ls: _set_col(ls, "timestamp", "1e9", rows={7})),
    "csv_glitch_1e7": _csv(S1, lambda ls: _set_col(ls, "timestamp", "1e7", rows={7})),
    "csv_negative_time": _csv(S1, lambda ls: _scale_time(ls, add=-1e6)),
    "csv_non_utf8": _csv(
        S1, lambda ls: ("\n".join(ls) + "\n").encode().replace(b"jump", b"j\xffmp", 3)
    ),
    "csv_nul_bytes": _csv(
        S1, lambda ls: ("\n".join(ls) + "\n").encode().replace(b",", b"\x00", 30)
    ),
    "csv_sparse_200mb": _sparse(S1),
    "name_unparsed": _copy_as(S1, "kick_sample01.csv", lambda t: t.replace(",jump,", ",kick,")),
    "name_no_number": _copy_as(S1, "jump_sample.csv"),
    "name_huge_number": _copy_as(S1, "jump_sample" + "9" * 200 + ".csv"),
    "name_big_number": _copy_as(S1, "jump_sample99999999999.csv"),
    "name_upper": _copy_as(S1, "JUMP_sample41.csv"),
    "dir_like_clip": _dir_like_clip("jump_sample41.csv"),
    "dangling_link": _dangling("jump_sample41.csv"),
    "link_out": _symlink_out("jump_sample41.csv"),
    "link_in": lambda f: ((f / "jump_sample41.csv").symlink_to(f / S1), "")[1],
    "empty_folder": _empty,
    "one_class": _only("jump_"),
    "continuous_garbage": _add_file("walk_continuous.csv", b"garbage\n"),
    "fifo_clip": lambda f: (os.mkfifo(f / "jump_sample41.csv"), "jump_sample41.csv")[1],
}
DEV_CASES = {
    "csv_bom": _csv(D1, lambda ls: ("\ufeff" + "\n".join(ls) + "\n").encode("utf-8")),
    "csv_crlf": _csv(D1, lambda ls: ("\r\n".join(ls) + "\r\n").encode()),
    "csv_truncated": _csv(D1, lambda ls: ("\n".join(ls))[:-7].encode()),
    "csv_header_only": _csv(D1, lambda ls: ls[:1]),
    "csv_one_row_each": _csv(D1, lambda ls: _one_per_sensor(ls)),
    "csv_two_rows_each": _csv(D1, lambda ls: _one_per_sensor(ls, 2)),
    "csv_zero_span": _csv(D1, lambda ls: _set_col(ls, "timestamp", "244422214317010")),
    "csv_hour_long": _csv(D1, lambda ls: _scale_time(ls, factor=1.0 + 1e-5)),
    "csv_glitch_far": _csv(D1, lambda ls: _set_col(ls, "timestamp", "9e18", rows={7})),
    "csv_session_times": _csv(D1, lambda ls: _scale_time(ls, factor=1e-9)),
    "csv_huge_value": _csv(
        D1, lambda ls: _set_col(ls, "gyro_x", "1e300", rows={5}, sensor="gyroscope")
    ),
    "csv_missing_sensor": _csv(D1, lambda ls: [x for x in ls if "gyroscope" not in x]),
    "csv_sparse_200mb": _sparse(D1),
    "name_unparsed": _copy_as(D1, "kick_1760841417930_to_1760841419042.csv"),
    "name_no_time": _copy_as(D1, "jump.csv"),
    "name_reversed_button": _copy_as(D1, "jump_1760841419042_to_1760841417930.csv"),
    "name_huge_ms": _copy_as(D1, "jump_9999999999999_to_9999999999999.csv"),
    "dir_like_clip": _dir_like_clip("jump_1760841417000_to_1760841418000.csv"),
    "dangling_link": _dangling("jump_1760841417000_to_1760841418000.csv"),
    "link_out": _symlink_out("jump_1760841417000_to_1760841418000.csv"),
    "empty_folder": _empty,
    "one_class": _only("jump_"),
    "stray_metadata": _add_file("session_metadata.json", b'{"session_id": "x"}'),
    "fifo_clip": lambda f: (
        os.mkfifo(f / "jump_1760841417000_to_1760841418000.csv"),
        "jump_1760841417000_to_1760841418000.csv",
    )[1],
}


def _reorder(lines):
    header = lines[0].split(",")
    order = list(reversed(range(len(header))))
    return [",".join(row.split(",")[i] for i in order) for row in lines]


def _one_per_sensor(lines, k=1):
    header = lines[0].split(",")
    i = header.index("sensor")
    seen: dict[str, int] = {}
    out = [lines[0]]
    for line in lines[1:]:
        s = line.split(",")[i]
        if seen.get(s, 0) < k:
            seen[s] = seen.get(s, 0) + 1
            out.append(line)
    return out


COMMANDS = {
    "train": ["train", "--clips", "{X}", "--out", "{O}", "--epochs", "1", "--no-progress"],
    "eval": ["evaluate", "--model", "{M}", "--clips", "{X}"],
    "cv": ["evaluate", "--cv", "time-range", "--clips", "{X}", "--epochs", "1"],
    "cal": [
        "train",
        "--clips",
        "{B}",
        "--out",
        "{O}",
        "--calibrate",
        "{X}",
        "--epochs",
        "1",
        "--no-progress",
    ],
    "adapt": [
        "train",
        "--clips",
        "{B}",
        "--out",
        "{O}",
        "--adapt-to",
        "{X}",
        "--epochs",
        "1",
        "--no-progress",
    ],
    "ldo": [
        "evaluate",
        "--cv",
        "leave-day-out",
        "--clips",
        "{OTHER}",
        "--clips",
        "{X}",
        "--epochs",
        "1",
        "--shots",
        "1",
    ],
    "synth": ["synth", "--from-clips", "{X}", "--out", "{O}", "--max-session", "60"],
}


def run_cmd(argv: list[str], cwd: Path, timeout: int = 90) -> tuple[int, str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = f"ulimit -v {MEM_KB}; exec {PY} -m silkpipe.cli " + " ".join(
        "'" + a.replace("'", "'\\''") + "'" for a in argv
    )
    try:
        proc = subprocess.run(
            ["bash", "-c", cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
        )
    except subprocess.TimeoutExpired:
        return 124, "TIMEOUT"
    return proc.returncode, proc.stderr


def sweep(root: Path, only: list[str], commands: list[str]) -> list[dict]:
    root.mkdir(parents=True, exist_ok=True)
    bases = {"smp": sample_base(root / "base-smp"), "dev": dev_base(root / "base-dev")}
    models = {}
    for d, base in bases.items():
        models[d] = root / f"model-{d}"
        if not (models[d] / "model/config.json").exists():
            run_cmd(
                [
                    "train",
                    "--clips",
                    str(base),
                    "--out",
                    str(models[d]),
                    "--epochs",
                    "1",
                    "--no-progress",
                ],
                root,
            )
    results = []
    for dialect, cases in (("smp", SAMPLE_CASES), ("dev", DEV_CASES)):
        other = "dev" if dialect == "smp" else "smp"
        for name, build in cases.items():
            case = f"{dialect}-{name}"
            if only and not any(o in case for o in only):
                continue
            folder = root / case
            if folder.exists() or folder.is_symlink():
                shutil.rmtree(folder)
            shutil.rmtree(root / (case + "-outside"), ignore_errors=True)
            (dev_base if dialect == "dev" else sample_base)(folder)
            target = build(folder)
            for cmd in commands:
                if cmd == "synth" and dialect != "dev":
                    continue
                out = root / "out" / case / cmd
                shutil.rmtree(out, ignore_errors=True)
                argv = [
                    a.format(
                        X=folder,
                        O=out,
                        M=models[dialect] / "model",
                        B=bases[dialect],
                        OTHER=bases[other],
                    )
                    for a in COMMANDS[cmd]
                ]
                rc, err = run_cmd(argv, root)
                lines = [x for x in err.splitlines() if x.strip()]
                row = {
                    "case": case,
                    "cmd": cmd,
                    "rc": rc,
                    "named": bool(target) and target[:60] in err,
                    "traceback": "Traceback" in err,
                    "secret": "PRIVATE-SECRET" in err,
                    "last": (lines[-1] if lines else "")[:220],
                }
                results.append(row)
                print(json.dumps(row), flush=True)
    return results


if __name__ == "__main__":
    root = Path(sys.argv[1])
    args = sys.argv[2:]
    cmds = [a[len("cmd=") :] for a in args if a.startswith("cmd=")]
    only = [a for a in args if not a.startswith("cmd=")]
    sweep(root, only, (cmds[0].split(",") if cmds else ["train", "eval", "cal"]))
