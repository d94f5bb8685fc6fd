"""The harness the bad-input sweeps share (bad_input_sweep47, 48, 49, 50): build a case's
inputs from copies of ../shared/data (never written), run what a user types, each command
in its own process, boil what it said down to one line, hold that line to the case's
expectation, and write the table. A sweep keeps only its case list:

    from bad_input_harness import Cases, main, ...
    CASES = Cases()
    case = CASES.add            # or CASES.expect("in words", "rc=2", ...) for a verdict
    ...
    if __name__ == "__main__":
        main(CASES)

`python SWEEP.py SCRATCH [CASE ...] [--results FILE]` prints a line a case (and appends
them to FILE as JSON); `python bad_input_harness.py table BEFORE AFTER` writes the table of
two such files (the parent's code and the branch's).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DATA = Path(os.environ.get("SILKPIPE_DATA", "/work/shared/data"))
GOOD = "20251017_143627_session"
BASE = "20251017_143217_session"
AUDIO = "20251017_110929_session"
FILES = ("sensor_data.csv", "metadata.json", "whisperx_output.json")
PY = sys.executable


def copy_session(src: Path, dest: Path, files=FILES) -> Path:
    dest.mkdir(parents=True)
    for f in files:
        if (src / f).exists():
            shutil.copyfile(src / f, dest / f)
    return dest


def sessions(root: Path, base: str = BASE, files=FILES, name="case_session") -> Path:
    """sessions/GOOD (untouched copy) + sessions/<name> (copy of base to damage)."""
    folder = root / "sessions"
    copy_session(DATA / "sessions" / GOOD, folder / GOOD)
    return copy_session(DATA / "sessions" / base, folder / name, files)


def clips(root: Path, source: str = "clips-20251014", per_class: int = 3, name="clips") -> Path:
    out = root / name
    out.mkdir(parents=True)
    seen: dict[str, int] = {}
    for path in sorted((DATA / source).iterdir()):
        if path.suffix != ".csv" or "continuous" in path.name:
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
    with open(root / "stderr.txt", "ab") as log:
        log.write(b"$ silkpipe " + " ".join(argv).encode() + b"\n" + proc.stderr)
    return proc


RUN = ("run", "sessions", "--store", "store", "--run-id", "r", "--workers", "1")
UPLOAD = ("sessions", "upload", "sessions", "--store", "store", "--run-id", "r")


def good_labelled(root: Path) -> str:
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
    shown = (named[:3] + closing[-1:]) or lines[-1:] or ["(no line)"]
    text = " || ".join(dict.fromkeys(s[:260] for s in shown))
    return f"rc={proc.returncode} {tb} {extra} | {text}"


def run_case(root: Path, mark: str = "case_session") -> str:
    proc = silkpipe(root, *RUN)
    return summary(proc, good_labelled(root), mark)


def train_clips(root: Path, *extra: str, mark: str = "sample") -> str:
    argv = ("train", "--clips", "clips", *extra, "--out", "out", "--epochs", "1")
    proc = silkpipe(root, *argv)
    return summary(proc, f"model={'yes' if (root / 'out/model').is_dir() else 'no'}", mark)


def outside(root: Path) -> list[str]:
    """Files written beside the case's inputs that no command was asked to write."""
    known = {"sessions", "clips", "store", "out", "tmp", "stderr.txt", "other"}
    return sorted(p.name for p in root.iterdir() if p.name not in known)


# ---- CSV text edits -----------------------------------------------------------------


def edit_text(path: Path, fn) -> None:
    path.write_bytes(fn(path.read_bytes()))


def rows(path: Path) -> tuple[str, list[list[str]]]:
    lines = path.read_text().splitlines()
    return lines[0], [x.split(",") for x in lines[1:]]


def write_rows(path: Path, header: str, body: list[list[str]]) -> None:
    path.write_text("\n".join([header] + [",".join(r) for r in body]) + "\n")


def edit_column(path: Path, column: str, fn) -> None:
    header, body = rows(path)
    i = header.split(",").index(column)
    for n, r in enumerate(body):
        r[i] = fn(r[i], n, r)
    write_rows(path, header, body)


def scale_times(path: Path, factor: float) -> None:
    edit_column(path, "timestamp", lambda v, n, r: repr(float(v) * factor))


def tmpfs(path: Path, size: str, *, ro: bool = False) -> None:
    """A disk of ``size`` at ``path`` (needs root): full or read-only disk cases."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)
    if ro:
        subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)


def umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], check=False)


@contextmanager
def disk(path: Path, size: str, *, ro: bool = False) -> Iterator[Path]:
    """A case's full or read-only disk at ``path``, unmounted when the case ends, however
    it ends (each case had its own try/finally around tmpfs and umount)."""
    tmpfs(path, size, ro=ro)
    try:
        yield path
    finally:
        umount(path)


# ---- the same builds, shared by sweep 48 on -------------------------------------------


TRAIN = ("train", "--clips", "clips", "--out", "out", "--epochs", "1")


def edit_transcript(session: Path, fn) -> None:
    path = session / "whisperx_output.json"
    data = json.loads(path.read_text())
    path.write_text(json.dumps(fn(data)))


def model_files(root: Path) -> str:
    model = root / "out" / "model"
    if not model.is_dir():
        return "model=no"
    return "model=" + ",".join(sorted(p.name for p in model.iterdir()))


def trained_model(root: Path) -> Path:
    clips(root)
    silkpipe(root, *TRAIN)
    return root / "out" / "model"


def labelled_sessions(root: Path, shift: float) -> Path:
    """s/a (143217 with its own labels as labels.csv) and s/b (the same, labels + shift)."""
    real = DATA / "sessions" / "20251017_143217_session"
    rows = list(csv.DictReader((real / "original_labels.csv").open()))
    for name, by in (("a", 0.0), ("b", shift)):
        folder = root / "s" / name
        folder.mkdir(parents=True)
        shutil.copyfile(real / "sensor_data.csv", folder / "sensor_data.csv")
        lines = ["start,end,label"]
        for row in rows:
            t = float(row["timestamp"]) + by
            lines.append(f"{t},{t + float(row['duration'])},{row['gesture']}")
        (folder / "labels.csv").write_text("\n".join(lines) + "\n")
    return root / "s"


# ---- cases, verdicts, the table --------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """What the house rule asks of a case: in words for the table, and as text its line must
    hold (`needs`) or must not (`refuses`; a traceback is always refused)."""

    text: str
    needs: tuple[str, ...] = ()
    refuses: tuple[str, ...] = ()

    def verdict(self, got: str) -> str:
        head = got.split(" | ", 1)[0]
        bad = " TB " in head + " " or head.startswith("TIMEOUT")
        bad = bad or any(s not in got for s in self.needs) or any(s in got for s in self.refuses)
        return "FAIL" if bad else "ok"


class Cases(dict):
    """A sweep's cases by name, in the order written; each builds its inputs in the folder it
    is given and returns its line (summary())."""

    expected: dict[str, Expect]

    def __init__(self) -> None:
        super().__init__()
        self.expected = {}

    def add(self, build: Callable[[Path], str]) -> Callable[[Path], str]:
        self[build.__name__] = build
        return build

    def expect(self, text: str, *needs: str, refuses: tuple[str, ...] = ()):
        def add(build: Callable[[Path], str]) -> Callable[[Path], str]:
            self.expected[build.__name__] = Expect(text, needs, refuses)
            return self.add(build)

        return add


def run_one(cases: Cases, scratch: Path, name: str) -> dict:
    """One case in SCRATCH/NAME, built afresh; its line, seconds and verdict."""
    root = scratch / name
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    t0 = time.time()
    try:
        got = cases[name](root)
    except subprocess.TimeoutExpired:
        got = "TIMEOUT"
    row = {"case": name, "seconds": round(time.time() - t0), "got": got}
    if name in cases.expected:
        row["expected"] = cases.expected[name].text
        row["verdict"] = cases.expected[name].verdict(got)
    return row


def main(cases: Cases, *, width: int = 34, timed: bool = True) -> None:
    """Run the cases named (all when none) and print a line each, as the sweeps always did."""
    ap = argparse.ArgumentParser()
    ap.add_argument("scratch", type=Path)
    ap.add_argument("names", nargs="*")
    ap.add_argument("--results", type=Path, help="append each case's row here as JSON")
    args = ap.parse_intermixed_args()
    for name in args.names or list(cases):
        row = run_one(cases, args.scratch, name)
        secs = f" {row['seconds']:4d}s" if timed else ""
        verdict = f" [{row['verdict']}]" if "verdict" in row else ""
        print(f"{name:{width}}{secs}{verdict} {row['got']}", flush=True)
        if args.results:
            with open(args.results, "a") as f:
                f.write(json.dumps(row) + "\n")
    os.sync()


def read_rows(path: Path) -> dict[str, dict]:
    """The last row of each case in a --results file."""
    return {r["case"]: r for r in map(json.loads, path.read_text().splitlines())}


def table(before: Path, after: Path, expected: dict[str, Expect]) -> str:
    """A block a case: its name and verdict (FIXED where the parent failed and the branch
    passes, BROKEN the other way), what the house rule expects, and the line it got, the
    parent's above the branch's where they differ. Both files' lines are judged again by
    ``expected`` (the sweep's expectations as they are now); a count of verdicts last."""
    old, new = read_rows(before), read_rows(after)
    for row in [*old.values(), *new.values()]:
        if row["case"] in expected:
            want = expected[row["case"]]
            row["expected"], row["verdict"] = want.text, want.verdict(row["got"])
    out: list[str] = []
    counts: dict[str, int] = {}
    for name, row in new.items():
        was = old.get(name, {})
        verdict = row.get("verdict", "-")
        if was.get("verdict") == "FAIL" and verdict == "ok":
            verdict = "FIXED"
        elif was.get("verdict") == "ok" and verdict == "FAIL":
            verdict = "BROKEN"
        counts[verdict] = counts.get(verdict, 0) + 1
        out.append(f"{name}  [{verdict}]  {was.get('seconds', '-')}s / {row['seconds']}s")
        out.append(f"    expected: {row.get('expected', '-')}")
        if not was or was["got"] == row["got"]:
            out.append(f"    got:      {row['got']}")
        else:
            out += [f"    before:   {was['got']}", f"    after:    {row['got']}"]
    out.append("verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return "\n".join(out) + "\n"


def sweep_expected(path: Path) -> dict[str, Expect]:
    """The expectations a sweep file declares (its CASES.expected)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES.expected


if __name__ == "__main__" and sys.argv[1:2] == ["table"]:
    # python bad_input_harness.py table SWEEP.py BEFORE.jsonl AFTER.jsonl
    want = sweep_expected(Path(sys.argv[2]))
    print(table(Path(sys.argv[3]), Path(sys.argv[4]), want), end="")
