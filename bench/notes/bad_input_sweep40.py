"""Third bad-input sweep (stop 40): failure kinds the earlier sweeps (bad_input_sweep,
session_bad_input_sweep, entry_bad_input_sweep, bad_input_sweep39) did not try:
interruption (Ctrl-C and SIGKILL in each step of `run`, then a re-run), a full disk, a
read-only store or output folder, a store that is a file, two runs at once on one store,
links and long names inside the given folders, and a few file variants none of them built.

Every case copies two real sessions that carry their own whisperx_output.json (no ASR)
from ../shared/data/sessions into its own folder under SCRATCH and runs what a user types,
each command in its own process, TMPDIR inside the case folder. Needs root (tmpfs mounts).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice /work/main/.venv/bin/python \\
        bench/notes/bad_input_sweep40.py /tmp/b40/sweep [CASE ...]
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bad_input_harness import disk  # noqa: E402

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
GOOD = ("20251017_143217_session", "20251017_143627_session")
FILES = ("sensor_data.csv", "metadata.json", "whisperx_output.json")
PY = sys.executable
CASES: dict[str, object] = {}


def case(build):
    CASES[build.__name__] = build
    return build


def sessions(root: Path, names=GOOD) -> Path:
    folder = root / "sessions"
    for name in names:
        (folder / name).mkdir(parents=True)
        for f in FILES:
            shutil.copyfile(DATA / "sessions" / name / f, folder / name / f)
    return folder


def env(root: Path) -> dict:
    tmp = root / "tmp"
    tmp.mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmp), "OMP_NUM_THREADS": "1"}


def silkpipe(root: Path, *argv: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PY, "-m", "silkpipe.cli", *argv],
        cwd=root,
        env=env(root),
        capture_output=True,
        text=True,
        timeout=600,
        **kw,
    )


def start(root: Path, *argv: str) -> subprocess.Popen:
    """A command in its own process group, as a shell runs a foreground job."""
    return subprocess.Popen(
        [PY, "-m", "silkpipe.cli", *argv],
        cwd=root,
        env=env(root),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # a background
    )  # job of a script starts with SIGINT ignored: Ctrl-C would then do nothing


def run_argv(store: str = "store", run_id: str = "r") -> tuple[str, ...]:
    return ("run", "sessions", "--store", store, "--run-id", run_id, "--workers", "1")


def whole(store: Path) -> str:
    """'whole' when every published pointer's files are there with their sha256; else what
    is wrong. Also names temp files left behind."""
    problems = []
    for pointer in sorted(store.glob("runs/*/*.json")):
        if pointer.name not in ("labels.json", "model.json"):
            continue
        record = json.loads(pointer.read_text())
        folder = pointer.parent / pointer.stem / record["version"]
        for name, digest in record.get("files", {}).items():
            path = folder / name
            if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                problems.append(f"{pointer.parent.name}/{pointer.stem}:{name}")
    temps = [p.name for p in store.rglob(".tmp-*")] if store.is_dir() else []
    if temps:
        problems.append(f"{len(temps)} temp file(s)")
    return "whole" if not problems else "BROKEN " + ",".join(problems)


def result(proc) -> dict:
    """The run's JSON summary (printed on stderr after the log lines)."""
    text = proc.stderr + "\n"
    begin, end = text.find("\n{\n"), text.rfind("\n}\n")
    return json.loads(text[begin + 1 : end + 2]) if 0 <= begin < end else {}


def summary(proc, extra: str = "") -> str:
    err = proc.stderr if isinstance(proc.stderr, str) else ""
    lines = [x for x in err.splitlines() if x.startswith("silkpipe ")]
    tb = "TB" if "Traceback" in err else "tb=-"
    last = lines[-1][-150:] if lines else (err.strip().splitlines() or ["(no line)"])[-1][-150:]
    named = [x for x in err.splitlines() if " ERROR " in x or " WARNING " in x]
    first = f" | first: {named[0][-170:]}" if named and named[0][-150:] != last else ""
    return f"rc={proc.returncode} {tb} {extra} | {last}{first}"


# ---- interruption ----------------------------------------------------------------------

TRIGGERS = {  # step -> (store path that shows the step has begun, extra wait s)
    "upload": ("sessions", 0.0),
    "transcribe": ("runs/r/inputs.json", 0.2),
    "align": ("runs/r/transcripts/" + GOOD[1] + ".json", 3.0),
    "train": ("runs/r/labels.json", 2.0),
    "report": ("runs/r/model.json", 0.3),
}


def pointers(store: Path) -> dict:
    """kind -> published version of run r (labels, model)."""
    found = {}
    for kind in ("labels", "model"):
        path = store / "runs" / "r" / f"{kind}.json"
        if path.is_file():
            found[kind] = json.loads(path.read_text()).get("version")
    return found


def interrupt(root: Path, step: str, sig: int) -> str:
    sessions(root)
    proc = start(root, *run_argv())
    marker, wait = TRIGGERS[step]
    while not (root / "store" / marker).exists() and proc.poll() is None:
        time.sleep(0.02)
    time.sleep(wait)
    if proc.poll() is not None:
        return f"missed: the run ended before the signal (rc={proc.returncode})"
    os.killpg(proc.pid, sig)  # Ctrl-C reaches the whole foreground group
    out, err = proc.communicate(timeout=120)
    proc.stderr = err
    state = whole(root / "store")
    first = summary(proc, f"nlines={len(err.strip().splitlines())} store={state}")
    versions = pointers(root / "store")
    again = silkpipe(root, *run_argv())
    kept = [k for k, v in pointers(root / "store").items() if versions.get(k) == v]
    reused = result(again).get("gate", {}).get("reused", "?")
    left = sorted(p.name for p in (root / "tmp").iterdir())
    state = f"store={whole(root / 'store')} reused={reused} kept={kept} tmp_left={left}"
    second = summary(again, state)
    return f"{first}\n    rerun: {second}"


for _step in TRIGGERS:
    for _sig, _tag in ((signal.SIGINT, "sigint"), (signal.SIGKILL, "sigkill")):

        def _build(root, step=_step, sig=_sig):
            return interrupt(root, step, sig)

        _build.__name__ = f"{_tag}_{_step}"
        case(_build)


# ---- full disk, read-only, store is a file ----------------------------------------------


@case
def disk_full_store_fresh(root: Path) -> str:
    sessions(root)
    with disk(root / "store", "2M"):
        proc = silkpipe(root, *run_argv())
        return summary(proc, f"store={whole(root / 'store')}")


@case
def disk_full_store_second_run(root: Path) -> str:
    """A finished run r on a nearly full disk; run r2 on the same store fills it."""
    sessions(root)
    with disk(root / "store", "8M"):
        first = silkpipe(root, *run_argv())
        before = whole(root / "store")
        pointers = {p: p.read_bytes() for p in (root / "store/runs/r").glob("*.json")}
        proc = silkpipe(root, *run_argv(run_id="r2"))
        kept = all(p.read_bytes() == b for p, b in pointers.items())
        return summary(
            proc, f"first rc={first.returncode} {before}; r kept={kept} now={whole(root / 'store')}"
        )


@case
def disk_full_train_out(root: Path) -> str:
    sessions(root)
    base = silkpipe(root, *run_argv())
    with disk(root / "out", "300K"):
        proc = silkpipe(
            root, "train", "--clips", str(DATA / "clips-dev"), "--out", "out", "--epochs", "1"
        )
        left = sorted(p.name for p in (root / "out").rglob("*"))
        return summary(proc, f"base rc={base.returncode} out holds {left}")


@case
def readonly_store_rerun(root: Path) -> str:
    sessions(root)
    silkpipe(root, *run_argv())
    shutil.copytree(root / "store", root / "copy")
    with disk(root / "store2", "20M"):
        shutil.copytree(root / "copy", root / "store2", dirs_exist_ok=True)
        subprocess.run(["mount", "-o", "remount,ro", str(root / "store2")], check=True)
        same = silkpipe(root, *run_argv("store2"))
        new = silkpipe(root, *run_argv("store2", "r2"))
        return summary(same, "same run-id") + "\n    new run-id: " + summary(new)


def model_files(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*")}


@case
def sigkill_train_out_export(root: Path) -> str:
    """`train --out O` again over a finished model, killed while it writes the new one:
    O/model must hold the old model whole or the new one whole, never a mix."""
    argv = ("train", "--clips", str(DATA / "clips-dev"), "--out", "out", "--epochs", "2")
    first = silkpipe(root, *argv, "--seed", "1")
    old = model_files(root / "out/model")
    history = root / "out/model/history.json"
    mark = history.stat().st_mtime
    proc = start(root, *argv, "--seed", "2")
    staged = root / "out/model.partial/history.json"  # where a staging train writes it
    while proc.poll() is None and history.stat().st_mtime == mark and not staged.exists():
        time.sleep(0.01)
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    now = model_files(root / "out/model")
    same = sorted(k for k in now if now[k] == old.get(k))
    changed = sorted(k for k in now if now[k] != old.get(k))
    verdict = "whole" if not same or not changed else "MIXED"
    return f"first rc={first.returncode}; killed: {verdict} old={same} new={changed}"


@case
def readonly_train_out(root: Path) -> str:
    with disk(root / "out", "5M", ro=True):
        proc = silkpipe(
            root, "train", "--clips", str(DATA / "clips-dev"), "--out", "out", "--epochs", "1"
        )
        return summary(proc)


@case
def store_is_a_file(root: Path) -> str:
    sessions(root)
    (root / "store").write_text("not a folder\n")
    return summary(silkpipe(root, *run_argv()))


@case
def store_runs_is_a_file(root: Path) -> str:
    sessions(root)
    (root / "store").mkdir()
    (root / "store/runs").write_text("x\n")
    return summary(silkpipe(root, *run_argv()))


def run_twice(root: Path, store: str) -> str:
    """`run` twice with ``store``: the second upload meets what the first wrote."""
    sessions(root)
    first = silkpipe(root, *run_argv(store))
    again = silkpipe(root, *run_argv(store))
    return summary(first) + "\n    again: " + summary(again)


@case
def store_inside_sessions(root: Path) -> str:
    """--store inside the sessions folder, run twice: the second upload meets the store."""
    return run_twice(root, "sessions/store")


@case
def store_is_the_sessions_folder(root: Path) -> str:
    return run_twice(root, "sessions")


@case
def two_runs_at_once(root: Path) -> str:
    sessions(root)
    a, b = start(root, *run_argv()), start(root, *run_argv())
    out = []
    for proc in (a, b):
        _, proc.stderr = proc.communicate(timeout=600)
        out.append(summary(proc))
    third = silkpipe(root, *run_argv())
    reused = result(third).get("gate", {}).get("reused", "?")
    return (
        "\n    ".join(out)
        + f"\n    store={whole(root / 'store')}; third: {summary(third, f'reused={reused}')}"
    )


# ---- links and names -------------------------------------------------------------------


@case
def link_session_subfolder_out(root: Path) -> str:
    """A folder link inside a session folder pointing outside (to a whole other session)."""
    folder = sessions(root)
    outside = root / "outside"
    sessions(outside, GOOD[:1])
    os.symlink(outside / "sessions" / GOOD[0], folder / GOOD[1] / "extra")
    return summary(silkpipe(root, *run_argv()))


@case
def link_clips_subfolder_out(root: Path) -> str:
    """clips folder holding a link to a folder of clips outside it."""
    clips = root / "clips"
    clips.mkdir()
    for p in sorted((DATA / "clips-dev").iterdir())[:12]:
        shutil.copyfile(p, clips / p.name)
    os.symlink(DATA / "clips-dev", clips / "more")
    return summary(silkpipe(root, "train", "--clips", "clips", "--out", "out", "--epochs", "1"))


@case
def sessions_folder_is_link(root: Path) -> str:
    folder = sessions(root)
    folder.rename(root / "real_sessions")
    os.symlink(root / "real_sessions", folder)
    return summary(silkpipe(root, *run_argv()))


@case
def name_250_chars(root: Path) -> str:
    folder = sessions(root)
    long = "s" * 250
    (folder / GOOD[0]).rename(folder / long)
    proc = silkpipe(root, *run_argv())
    return summary(proc, f"store={whole(root / 'store')}")


@case
def name_leading_dash(root: Path) -> str:
    folder = sessions(root)
    (folder / GOOD[0]).rename(folder / "-rf")
    return summary(silkpipe(root, *run_argv()))


@case
def name_dot_prefix(root: Path) -> str:
    folder = sessions(root)
    (folder / GOOD[0]).rename(folder / ".hidden")
    return summary(silkpipe(root, *run_argv()))


@case
def name_not_utf8_bytes(root: Path) -> str:
    folder = sessions(root)
    os.rename(bytes(folder / GOOD[0]), bytes(folder) + b"/bad\xff\xfename")
    return summary(silkpipe(root, *run_argv()))


# ---- file variants none of the earlier sweeps built -------------------------------------


def damage(root: Path, name: str, edit) -> str:
    folder = sessions(root)
    path = folder / GOOD[0] / name
    path.write_bytes(edit(path.read_bytes()))
    return summary(silkpipe(root, *run_argv()))


@case
def csv_header_only(root: Path) -> str:
    return damage(root, "sensor_data.csv", lambda b: b.split(b"\n", 1)[0] + b"\n")


@case
def csv_empty_file(root: Path) -> str:
    return damage(root, "sensor_data.csv", lambda b: b"")


@case
def csv_nul_bytes(root: Path) -> str:
    return damage(root, "sensor_data.csv", lambda b: b[:50000] + b"\0" * 4096 + b[50000:])


@case
def tr_empty_file(root: Path) -> str:
    return damage(root, "whisperx_output.json", lambda b: b"")


@case
def tr_nested_nulls(root: Path) -> str:
    return damage(
        root, "whisperx_output.json", lambda b: b'{"segments": [null, {"words": [null]}]}'
    )


@case
def tr_huge_number_times(root: Path) -> str:
    def edit(b: bytes) -> bytes:
        doc = json.loads(b)
        doc["segments"][0]["words"][0]["start"] = 10**400
        return json.dumps(doc).encode()

    return damage(root, "whisperx_output.json", edit)


@case
def meta_nested_nulls(root: Path) -> str:
    return damage(root, "metadata.json", lambda b: b'{"recording_date": null, "x": [null, {}]}')


@case
def clips_meta_wrong_types(root: Path) -> str:
    clips = root / "clips"
    shutil.copytree(DATA / "clips-20251014", clips)
    (clips / "session_metadata.json").write_text(
        '{"date": 20251014, "gestures_completed": {"a": null}, "sensors": 7}'
    )
    return summary(silkpipe(root, "train", "--clips", "clips", "--out", "out", "--epochs", "1"))


@case
def clips_meta_date_null(root: Path) -> str:
    clips = root / "clips"
    shutil.copytree(DATA / "clips-20251014", clips)
    meta = json.loads((clips / "session_metadata.json").read_text())
    meta = {k: None for k in meta}
    (clips / "session_metadata.json").write_text(json.dumps(meta))
    return summary(silkpipe(root, "train", "--clips", "clips", "--out", "out", "--epochs", "1"))


def main() -> None:
    scratch = Path(sys.argv[1])
    names = sys.argv[2:] or list(CASES)
    for name in names:
        root = scratch / name
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        mark = time.perf_counter()
        try:
            line = CASES[name](root)
        except Exception as err:  # noqa: BLE001 - the harness reports, it does not stop
            line = f"HARNESS {type(err).__name__}: {err}"
        print(f"{name:28s} {time.perf_counter() - mark:5.0f}s {line}", flush=True)


if __name__ == "__main__":
    main()
