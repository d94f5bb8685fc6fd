"""Adversarial bad-input sweep over the entry points the clip and session sweeps left out:
evaluate --spot on synth sessions (truth.json, sensor_data.csv), a damaged model folder,
train --calibrate / --adapt-to, synth --from-clips, score-voice, and the store's step
re-use (a cached output damaged between two `silkpipe run` calls).

Each case builds its inputs in its own folder (copies of real data from ../shared/data, or
of synth sessions made once from clips-dev), damages one thing, and runs one silkpipe
command in its own process under a memory cap and a time limit, TMPDIR inside the case
folder. Printed per case: exit status, whether one stderr line names the damaged file by
the user's full path, whether the healthy neighbour still completed, whether a traceback
leaked, whether a file outside the given folders was read (links) or a partial output was
left published, the re-use verdict for store cases, seconds, and the closing stderr line.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice .venv/bin/python \\
        bench/notes/entry_bad_input_sweep.py /tmp/sweep [CASE ...]
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
import badinputs  # noqa: E402

MEM_KB = 8_000_000
PY = sys.executable
DATA = badinputs.DATA
CLIPS_DEV = DATA / "clips-dev"
CLIPS_1014 = DATA / "clips-20251014"
CASE = "case_session"


class Shared:
    """Inputs made once per sweep folder: synth sessions, a small clip folder, a model, a
    finished store run (each case copies what it damages)."""

    def __init__(self, scratch: Path):
        self.root = scratch / "_shared"
        self.root.mkdir(parents=True, exist_ok=True)

    def clips(self) -> Path:
        out = self.root / "clips"
        if not out.is_dir():
            badinputs.clips_subset(out, per_class=3)
        return out

    def model(self) -> Path:
        out = self.root / "model"
        if not (out / "model" / "config.json").is_file():
            run(["train", "--clips", self.clips(), "--out", out, "--epochs", "1"], self.root)
        return out / "model"

    def store(self) -> Path:
        out = self.root / "store"
        if not (out / "runs" / "r" / "manifest.json").is_file():
            sessions = self.root / "sessions"
            for name in badinputs.GOOD:
                if not (sessions / name).is_dir():
                    badinputs.copy_session(
                        name,
                        sessions,
                        name,
                        files=("sensor_data.csv", "metadata.json", "whisperx_output.json"),
                    )
            run(["run", sessions, "--store", out, "--run-id", "r", "--workers", "1"], self.root)
        return out


def run(argv: list, root: Path, limit: int = 300) -> subprocess.CompletedProcess:
    """`silkpipe ARGV` in its own process: memory cap, time limit, TMPDIR under root; run
    from root, so the code is the one PYTHONPATH names (not the current folder's)."""
    tmp = root / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    quoted = " ".join(_quote(str(a)) for a in argv)
    cmd = f"ulimit -v {MEM_KB}; exec timeout {limit} {PY} -m silkpipe.cli {quoted}"
    env = {**os.environ, "TMPDIR": str(tmp), "OMP_NUM_THREADS": "1"}
    return subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=env, cwd=root)


def _quote(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def _synth_sessions(shared: Shared) -> Path:
    out = shared.root / "synth"
    if not out.is_dir():
        run(
            [
                *("synth", "--from-clips", CLIPS_DEV, "--out", out, "--realistic"),
                *("--gestures", "6", "--seed", "5"),
            ],
            shared.root,
        )
    return out


# ---- 1. evaluate --spot on synth sessions ------------------------------------------------

HEALTHY_SYNTH = "healthy_session"


def spot_inputs(shared: Shared, root: Path) -> Path:
    synth = sorted(p for p in _synth_sessions(shared).iterdir() if p.is_dir())
    sessions = root / "in" / "sessions"
    shutil.copytree(synth[0], sessions / CASE)
    shutil.copytree(synth[1], sessions / HEALTHY_SYNTH)
    return sessions


def _truth(edit):
    def build(shared, root):
        sessions = spot_inputs(shared, root)
        path = sessions / CASE / "truth.json"
        doc = json.loads(path.read_text())
        out = edit(doc)
        path.write_text(out if isinstance(out, str) else json.dumps(out))
        return spot_case(shared, sessions, path)

    build.__name__ = "truth_" + edit.__name__
    return build


def spot_case(shared, sessions: Path, damaged: Path) -> dict:
    argv = ["evaluate", "--model", shared.model(), "--sessions", sessions, "--spot", "--json"]
    return {"argv": argv, "damaged": damaged, "healthy": _spot_healthy}


def _spot_healthy(proc, root) -> bool:
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return False
    return HEALTHY_SYNTH in result.get("per_group", {}) and bool(result.get("session_events"))


@_truth
def invalid_json(doc):
    return json.dumps(doc)[:-40]


@_truth
def empty(doc):
    return ""


@_truth
def top_level_list(doc):
    return [doc]


@_truth
def intervals_as_string(doc):
    doc["intervals"] = "jump 1 2"
    return doc


@_truth
def times_as_strings(doc):
    doc["intervals"] = [[str(a), str(b), c] for a, b, c in doc["intervals"]]
    return doc


@_truth
def nan_times(doc):
    doc["intervals"] = [[math.nan, b, c] for a, b, c in doc["intervals"]]
    return doc


@_truth
def negative_times(doc):
    doc["intervals"] = [[a - 1000, b - 1000, c] for a, b, c in doc["intervals"]]
    return doc


@_truth
def huge_times(doc):
    doc["intervals"] = [[1e300, 1e308, c] for a, b, c in doc["intervals"]]
    return doc


@_truth
def end_before_start(doc):
    doc["intervals"] = [[b, a, c] for a, b, c in doc["intervals"]]
    return doc


@_truth
def unknown_class(doc):
    doc["intervals"] = [[a, b, "kick"] for a, b, c in doc["intervals"]]
    return doc


@_truth
def no_intervals(doc):
    doc.pop("intervals")
    return doc


@_truth
def no_offset(doc):
    doc.pop("offset_s")
    return doc


@_truth
def row_clock_backwards(doc):
    doc["row_clock"] = [[r, -t] for r, t in doc.get("row_clock", [[0, 0]])]
    return doc


@_truth
def row_clock_one_knot_huge(doc):
    doc["row_clock"] = [[0, 1e308]]
    return doc


@_truth
def deep_nesting(doc):
    return "[" * 100000 + "]" * 100000


def truth_link_out(shared, root):
    """truth.json links to a valid truth outside the sessions folder."""
    sessions = spot_inputs(shared, root)
    path = sessions / CASE / "truth.json"
    outside = root / "outside_truth.json"
    path.rename(outside)
    path.symlink_to(outside)
    return {**spot_case(shared, sessions, path), "outside": outside}


def truth_is_folder(shared, root):
    sessions = spot_inputs(shared, root)
    path = sessions / CASE / "truth.json"
    path.unlink()
    path.mkdir()
    return spot_case(shared, sessions, path)


def truth_fifo(shared, root):
    sessions = spot_inputs(shared, root)
    path = sessions / CASE / "truth.json"
    path.unlink()
    os.mkfifo(path)
    return spot_case(shared, sessions, path)


def spot_csv_garbage(shared, root):
    sessions = spot_inputs(shared, root)
    path = sessions / CASE / "sensor_data.csv"
    path.write_bytes(os.urandom(5000))
    return spot_case(shared, sessions, path)


def spot_csv_truncated(shared, root):
    sessions = spot_inputs(shared, root)
    path = sessions / CASE / "sensor_data.csv"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 7])
    return spot_case(shared, sessions, path)


def spot_csv_header_only(shared, root):
    sessions = spot_inputs(shared, root)
    path = sessions / CASE / "sensor_data.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    return spot_case(shared, sessions, path)


def spot_csv_link_out(shared, root):
    sessions = spot_inputs(shared, root)
    path = sessions / CASE / "sensor_data.csv"
    outside = root / "outside.csv"
    path.rename(outside)
    path.symlink_to(outside)
    return {**spot_case(shared, sessions, path), "outside": outside}


def spot_csv_fifo(shared, root):
    sessions = spot_inputs(shared, root)
    path = sessions / CASE / "sensor_data.csv"
    path.unlink()
    os.mkfifo(path)
    return spot_case(shared, sessions, path)


def spot_csv_is_folder(shared, root):
    sessions = spot_inputs(shared, root)
    path = sessions / CASE / "sensor_data.csv"
    path.unlink()
    path.mkdir()
    return spot_case(shared, sessions, path)


def spot_labels_csv_garbage(shared, root):
    """A labels.csv beside truth.json: evaluate reads it first (the labelled path)."""
    sessions = spot_inputs(shared, root)
    path = sessions / CASE / "labels.csv"
    path.write_text("start,end,label\n1.0,zwei,jump\n")
    return spot_case(shared, sessions, path)


SPOT = (
    *(invalid_json, empty, top_level_list, intervals_as_string),
    *(times_as_strings, nan_times, negative_times, huge_times),
    *(end_before_start, unknown_class, no_intervals, no_offset),
    *(row_clock_backwards, row_clock_one_knot_huge, deep_nesting),
    *(truth_link_out, truth_is_folder, truth_fifo),
    *(spot_csv_garbage, spot_csv_truncated, spot_csv_header_only, spot_csv_link_out),
    *(spot_csv_fifo, spot_csv_is_folder),
    spot_labels_csv_garbage,
)


# ---- 2. a damaged model folder -----------------------------------------------------------


def model_inputs(shared, root) -> Path:
    model = root / "in" / "model"
    shutil.copytree(shared.model(), model)
    return model


def model_case(shared, root, model: Path, damaged: Path, backend="onnx") -> dict:
    sessions = root / "in" / "sessions"
    if not sessions.is_dir():
        synth = sorted(p for p in _synth_sessions(shared).iterdir() if p.is_dir())
        shutil.copytree(synth[1], sessions / HEALTHY_SYNTH)
    report = root / "out" / "report"
    argv = ["evaluate", "--model", model, "--clips", shared.clips(), "--sessions", sessions]
    argv += ["--spot", "--backend", backend, "--report", report]
    return {"argv": argv, "damaged": damaged, "published": report}


def _config(edit):
    def build(shared, root):
        model = model_inputs(shared, root)
        path = model / "config.json"
        doc = json.loads(path.read_text())
        out = edit(doc)
        path.write_text(out if isinstance(out, str) else json.dumps(out))
        return model_case(shared, root, model, path)

    build.__name__ = "config_" + edit.__name__.removeprefix("cfg_")
    return build


@_config
def cfg_invalid_json(doc):
    return json.dumps(doc)[:-10]


@_config
def cfg_not_object(doc):
    return [doc]


@_config
def cfg_no_labels(doc):
    doc.pop("labels")
    return doc


@_config
def cfg_fewer_labels(doc):
    doc["labels"] = doc["labels"][:2]
    return doc


@_config
def cfg_labels_not_strings(doc):
    doc["labels"] = [1, 2, 3, 4, 5, 6]
    return doc


@_config
def cfg_no_window(doc):
    doc.pop("window")
    return doc


@_config
def cfg_window_negative(doc):
    for k, v in doc["window"].items():
        if isinstance(v, int | float) and not isinstance(v, bool):
            doc["window"][k] = -abs(v) - 1
    return doc


@_config
def cfg_normalisation_short(doc):
    for k, v in doc["normalisation"].items():
        if isinstance(v, list):
            doc["normalisation"][k] = v[:2]
    return doc


@_config
def cfg_channels_unknown(doc):
    doc["channels"] = ["accel_q"] * len(doc["channels"])
    return doc


def config_missing(shared, root):
    model = model_inputs(shared, root)
    (model / "config.json").unlink()
    return model_case(shared, root, model, model / "config.json")


def config_link_out(shared, root):
    model = model_inputs(shared, root)
    path, outside = model / "config.json", root / "outside_config.json"
    path.rename(outside)
    path.symlink_to(outside)
    return {**model_case(shared, root, model, path), "outside": outside}


def onnx_truncated(shared, root):
    model = model_inputs(shared, root)
    path = model / "model.onnx"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return model_case(shared, root, model, path)


def onnx_random(shared, root):
    model = model_inputs(shared, root)
    path = model / "model.onnx"
    path.write_bytes(os.urandom(path.stat().st_size))
    return model_case(shared, root, model, path)


def onnx_missing(shared, root):
    model = model_inputs(shared, root)
    (model / "model.onnx").unlink()
    return model_case(shared, root, model, model / "model.onnx")


def onnx_is_folder(shared, root):
    model = model_inputs(shared, root)
    (model / "model.onnx").unlink()
    (model / "model.onnx").mkdir()
    return model_case(shared, root, model, model / "model.onnx")


def onnx_link_out(shared, root):
    model = model_inputs(shared, root)
    path, outside = model / "model.onnx", root / "outside.onnx"
    path.rename(outside)
    path.symlink_to(outside)
    return {**model_case(shared, root, model, path), "outside": outside}


def onnx_other_model(shared, root):
    """model.onnx of a model with other channels (a file copied from another folder)."""
    model = model_inputs(shared, root)
    doc = json.loads((model / "config.json").read_text())
    doc["model"]["channels"] = doc["model"]["channels"] + 3
    doc["channels"] = doc["channels"] + ["x", "y", "z"]
    (model / "config.json").write_text(json.dumps(doc))
    return model_case(shared, root, model, model / "config.json")


def ts_missing(shared, root):
    model = model_inputs(shared, root)
    (model / "model.ts").unlink()
    return model_case(shared, root, model, model / "model.ts", backend="torchscript")


def ts_truncated(shared, root):
    model = model_inputs(shared, root)
    path = model / "model.ts"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return model_case(shared, root, model, path, backend="torchscript")


def model_dir_is_file(shared, root):
    path = root / "in" / "model"
    path.parent.mkdir(parents=True)
    path.write_text("not a folder")
    return model_case(shared, root, path, path)


MODEL = (
    *(cfg_invalid_json, cfg_not_object, cfg_no_labels, cfg_fewer_labels),
    *(cfg_labels_not_strings, cfg_no_window, cfg_window_negative),
    *(cfg_normalisation_short, cfg_channels_unknown, config_missing, config_link_out),
    *(onnx_truncated, onnx_random, onnx_missing, onnx_is_folder, onnx_link_out),
    *(onnx_other_model, ts_missing, ts_truncated, model_dir_is_file),
)


# ---- 3. train --calibrate / --adapt-to ---------------------------------------------------


def newday_case(shared, root, flag: str, folder: Path, damaged: Path) -> dict:
    out = root / "out"
    argv = ["train", "--clips", shared.clips(), "--out", out, "--epochs", "1", "--no-progress"]
    argv += [flag, folder]
    if flag == "--adapt-to":
        argv += ["--adapt-rounds", "1"]
    return {"argv": argv, "damaged": damaged, "published": out / "model", "whole": True}


def _newday(flag: str, kind: str):
    def build(shared, root):
        folder = root / "in" / "newday"
        if kind == "empty":
            folder.mkdir(parents=True)
            damaged = folder
        elif kind == "only_bad":
            folder.mkdir(parents=True)
            for cls in ("jump", "punch", "turn"):
                (folder / f"{cls}_sample01.csv").write_bytes(os.urandom(3000))
            damaged = folder / "jump_sample01.csv"
        elif kind == "file":
            folder.parent.mkdir(parents=True)
            folder.write_text("not a folder\n")
            damaged = folder
        elif kind == "missing":
            damaged = folder
        elif kind == "clip_link_out":
            folder.mkdir(parents=True)
            src = sorted(shared.clips().glob("*.csv"))
            for p in src[:6]:
                shutil.copyfile(p, folder / p.name)
            outside = root / "outside.csv"
            shutil.copyfile(src[7], outside)
            damaged = folder / src[7].name
            damaged.symlink_to(outside)
            return {**newday_case(shared, root, flag, folder, damaged), "outside": outside}
        elif kind == "session_link_out":
            folder.mkdir(parents=True)
            synth = sorted(p for p in _synth_sessions(shared).iterdir() if p.is_dir())
            shutil.copytree(synth[1], folder / HEALTHY_SYNTH)
            outside = root / "outside_session"
            shutil.copytree(synth[0], outside)
            damaged = folder / CASE
            damaged.symlink_to(outside)
            return {**newday_case(shared, root, flag, folder, damaged), "outside": outside}
        elif kind == "bad_session_beside_good":
            folder.mkdir(parents=True)
            synth = sorted(p for p in _synth_sessions(shared).iterdir() if p.is_dir())
            shutil.copytree(synth[1], folder / HEALTHY_SYNTH)
            shutil.copytree(synth[0], folder / CASE)
            damaged = folder / CASE / "sensor_data.csv"
            damaged.write_bytes(os.urandom(4000))
        return newday_case(shared, root, flag, folder, damaged)

    build.__name__ = f"{flag.strip('-').replace('-', '_')}_{kind}"
    return build


NEWDAY = tuple(
    _newday(flag, kind)
    for flag in ("--calibrate", "--adapt-to")
    for kind in ("empty", "only_bad", "file", "missing", "clip_link_out")
) + tuple(_newday("--adapt-to", kind) for kind in ("session_link_out", "bad_session_beside_good"))


# ---- 4. the store's step re-use ----------------------------------------------------------


def _pointer_version(store: Path, kind: str) -> str:
    return json.loads((store / "runs" / "r" / f"{kind}.json").read_text())["version"]


def _located(store: Path, where: str) -> Path:
    """A store path; {labels} / {model} stand for the published version's folder."""
    for kind in ("labels", "model"):
        tag = "{" + kind + "}"
        if tag in where:
            where = where.replace(tag, f"runs/r/{kind}/{_pointer_version(store, kind)}")
    return store / where


def _store(where: str, how: str):
    def build(shared, root):
        store = root / "store"
        shutil.copytree(shared.store(), store, symlinks=True)
        path = _located(store, where)
        if how == "truncate":
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
        elif how == "delete":
            path.unlink()
        elif how == "edit":
            path.write_bytes(_edited(path))
        sessions = shared.root / "sessions"
        argv = ["run", sessions, "--store", store, "--run-id", "r", "--workers", "1"]
        case = {"argv": argv, "store_where": where, "damaged_bytes": _bytes(path), "how": how}
        return {**case, "healthy": _store_healthy}

    name = where.replace("{", "").replace("}", "").split("/")
    build.__name__ = f"store_{how}_{name[-2]}_{name[-1]}".replace(S1, "s1").replace(".", "_")
    return build


def _store_healthy(proc, root) -> bool:
    """Both sessions have published labels and the run a published ONNX model."""
    store = root / "store"
    try:
        labels = [_located(store, f"{{labels}}/{s}.csv") for s in badinputs.GOOD]
        model = _located(store, "{model}/model.onnx")
    except (OSError, ValueError, KeyError):
        return False
    return all(p.is_file() for p in labels) and model.is_file()


def _bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def _edited(path: Path) -> bytes:
    """A plausible edit: a labels CSV loses its last label, a JSON file a field's value
    changes, a binary file one byte flips."""
    data = path.read_bytes()
    if path.suffix == ".csv":
        lines = data.decode().splitlines()
        return ("\n".join(lines[:-1]) + "\n").encode()
    if path.suffix == ".json":
        doc = json.loads(data)
        if isinstance(doc, dict) and "segments" in doc:
            doc["segments"] = doc["segments"][: len(doc["segments"]) // 2]
        elif isinstance(doc, dict) and "labels" in doc and isinstance(doc["labels"], list):
            doc["labels"] = list(reversed(doc["labels"]))
        elif isinstance(doc, dict):
            doc["edited"] = True
        return json.dumps(doc).encode()
    flipped = bytearray(data)
    flipped[len(flipped) // 2] ^= 0xFF
    return bytes(flipped)


def _reuse_verdict(case: dict, root: Path) -> str:
    """'recomputed' when the damaged bytes are no longer where the run reads them, 'REUSED'
    when they still are (the damaged entry was taken as good)."""
    store = root / "store"
    try:
        now = _bytes(_located(store, case["store_where"]))
    except (OSError, ValueError, KeyError):
        return "gone"
    if case["damaged_bytes"] is None:
        return "recomputed" if now is not None else "missing"
    return "REUSED" if now == case["damaged_bytes"] else "recomputed"


S1 = badinputs.GOOD[0]
STORE = (
    _store(f"runs/r/transcripts/{S1}.json", "truncate"),
    _store(f"runs/r/transcripts/{S1}.json", "edit"),
    _store(f"runs/r/transcripts/{S1}.json", "delete"),
    _store(f"{{labels}}/{S1}.csv", "truncate"),
    _store(f"{{labels}}/{S1}.csv", "edit"),
    _store(f"{{labels}}/{S1}.csv", "delete"),
    _store(f"{{labels}}/{S1}.json", "edit"),
    _store("{labels}/summary.json", "delete"),
    _store("runs/r/labels.json", "truncate"),
    _store("{model}/model.onnx", "truncate"),
    _store("{model}/model.onnx", "delete"),
    _store("{model}/config.json", "edit"),
    _store("runs/r/model.json", "truncate"),
    _store("runs/r/report/index.html", "truncate"),
    _store("runs/r/manifest.json", "truncate"),
    _store("runs/r/manifest.json", "edit"),
    _store("runs/r/inputs.json", "truncate"),
    _store(f"sessions/{S1}/sensor_data.csv", "edit"),
)


# ---- 5. synth --from-clips and score-voice -----------------------------------------------


def _synth_clips(kind: str):
    def build(shared, root):
        clips = root / "in" / "clips"
        damaged = clips
        if kind == "empty":
            clips.mkdir(parents=True)
        elif kind == "file":
            clips.parent.mkdir(parents=True)
            clips.write_text("x\n")
        elif kind == "missing":
            pass
        elif kind == "only_bad":
            clips.mkdir(parents=True)
            for cls in ("jump", "punch", "turn", "walk"):
                (clips / f"{cls}_1760841409525_to_1760841414826.csv").write_bytes(os.urandom(3000))
            damaged = clips / "jump_1760841409525_to_1760841414826.csv"
        elif kind in ("one_bad_beside_good", "link_out", "fifo"):
            shutil.copytree(shared.clips(), clips)
            victim = sorted(clips.glob("jump_*.csv"))[0]
            damaged = victim
            if kind == "one_bad_beside_good":
                victim.write_bytes(os.urandom(3000))
            elif kind == "link_out":
                outside = root / "outside.csv"
                victim.rename(outside)
                victim.symlink_to(outside)
            else:
                victim.unlink()
                os.mkfifo(victim)
        out = root / "out" / "synth"
        argv = ["synth", "--from-clips", clips, "--out", out, "--realistic"]
        argv += ["--gestures", "6", "--seed", "5"]
        healthy = (lambda p, r: any(out.glob("*/truth.json"))) if "beside" in kind else None
        return {"argv": argv, "damaged": damaged, "published": out, "healthy": healthy}

    build.__name__ = f"synth_clips_{kind}"
    return build


SYNTH = tuple(
    _synth_clips(k)
    for k in ("empty", "file", "missing", "only_bad", "one_bad_beside_good", "link_out", "fifo")
)


def _score_voice(edit_name: str, edit):
    def build(shared, root):
        sessions = spot_inputs(shared, root)
        path = sessions / CASE / "truth.json"
        outside = edit(path, root)
        argv = ["score-voice", sessions, "--clips", CLIPS_1014, "--oracle", "--no-controls"]
        argv += ["--seeds", "1", "--epochs", "1", "--store", root / "store", "--json"]
        case = {"argv": argv, "damaged": path, "healthy": _voice_healthy}
        return {**case, "outside": outside} if outside else case

    build.__name__ = f"voice_truth_{edit_name}"
    return build


def _voice_healthy(proc, root) -> bool:
    try:
        start = proc.stdout.index("{")
        result = json.loads(proc.stdout[start:])
    except ValueError:
        return False
    return HEALTHY_SYNTH in json.dumps(result.get("sessions", []))


def _vt_invalid(path, root):
    path.write_text(path.read_text()[:-50])


def _vt_types(path, root):
    doc = json.loads(path.read_text())
    doc["commands"] = "jump"
    path.write_text(json.dumps(doc))


def _vt_nan(path, root):
    doc = json.loads(path.read_text())
    doc["offset_s"] = math.nan
    path.write_text(json.dumps(doc))


def _vt_folder(path, root):
    path.unlink()
    path.mkdir()


def _vt_fifo(path, root):
    path.unlink()
    os.mkfifo(path)


def _vt_link_out(path, root):
    outside = root / "outside_truth.json"
    path.rename(outside)
    path.symlink_to(outside)
    return outside


def _vt_clips_dir_out(path, root):
    """truth.json names a clips folder that is not a clip folder (clips_dir)."""
    doc = json.loads(path.read_text())
    doc["clips_dir"] = "/etc"
    path.write_text(json.dumps(doc))


VOICE = tuple(
    _score_voice(n, f)
    for n, f in (
        ("invalid_json", _vt_invalid),
        ("wrong_types", _vt_types),
        ("nan_offset", _vt_nan),
        ("is_folder", _vt_folder),
        ("fifo", _vt_fifo),
        ("link_out", _vt_link_out),
        ("clips_dir_out", _vt_clips_dir_out),
    )
)

# ---- 6. run --model: a damaged Whisper (CTranslate2) model folder ------------------------


def _whisper(kind: str):
    def build(shared, root):
        from silkpipe.transcription import bundled_model_dir

        sessions = root / "in" / "sessions"
        files = ("sensor_data.csv", "metadata.json")
        badinputs.copy_session(badinputs.AUDIO, sessions, CASE, files=(*files, "audio_16k.wav"))
        healthy = badinputs.GOOD[1]
        badinputs.copy_session(healthy, sessions, healthy, files=(*files, "whisperx_output.json"))
        model = root / "in" / "whisper"
        shutil.copytree(bundled_model_dir(), model)
        damaged = model / ("config.json" if kind == "config_invalid" else "model.bin")
        if kind == "empty":
            shutil.rmtree(model)
            model.mkdir()
            damaged = model
        elif kind == "model_bin_truncated":
            damaged.write_bytes(damaged.read_bytes()[:1_000_000])
        elif kind == "config_invalid":
            damaged.write_text("{")
        argv = ["run", sessions, "--store", root / "store", "--run-id", "r", "--workers", "1"]
        # the loader does not say which of its files failed: the line must name the folder
        return {"argv": [*argv, "--model", model], "damaged": model, "healthy": _labelled}

    build.__name__ = f"whisper_{kind}"
    return build


def _labelled(proc, root) -> bool:
    try:
        path = _located(root / "store", f"{{labels}}/{badinputs.GOOD[1]}.csv")
    except (OSError, ValueError, KeyError):
        return False
    return path.is_file()


WHISPER = tuple(_whisper(k) for k in ("empty", "model_bin_truncated", "config_invalid"))

CASES = (*SPOT, *MODEL, *NEWDAY, *STORE, *SYNTH, *VOICE, *WHISPER)


# ---- running one case --------------------------------------------------------------------


def _published_state(case: dict, rc: int) -> str:
    """'-' when nothing was to be published; 'none' / 'whole' / 'PARTIAL'."""
    out = case.get("published")
    if out is None:
        return "-"
    out = Path(out)
    if not out.exists():
        return "none"
    if rc != 0:
        return "PARTIAL" if any(out.rglob("*")) or out.is_file() else "none"
    return "whole"


def _outside_read(case: dict, root: Path, before: float | None) -> str:
    """Was the outside link target read? Its access time moved (the sweep sets it to the
    epoch first, so relatime updates it on any read)."""
    outside = case.get("outside")
    if outside is None or before is None:
        return "-"
    target = Path(outside)
    files = [target] if target.is_file() else list(target.rglob("*"))
    return "READ" if any(f.stat().st_atime > before for f in files if f.is_file()) else "no"


def _age_outside(case: dict) -> float | None:
    outside = case.get("outside")
    if outside is None:
        return None
    target = Path(outside)
    for f in [target] if target.is_file() else list(target.rglob("*")):
        if f.is_file():
            os.utime(f, (0, f.stat().st_mtime))
    return 1.0


def run_case(build, scratch: Path, shared: Shared) -> dict:
    root = scratch / build.__name__
    if root.exists():
        subprocess.run(["chmod", "-R", "u+rwX", str(root)], check=False)
        shutil.rmtree(root)
    root.mkdir(parents=True)
    case = build(shared, root)
    before = _age_outside(case)
    t0 = time.perf_counter()
    proc = run([str(a) for a in case["argv"]], root)
    seconds = time.perf_counter() - t0
    err = proc.stderr
    damaged = str(case.get("damaged") or "")
    named = [ln for ln in err.splitlines() if damaged and damaged in ln]
    healthy = case.get("healthy")
    row = {
        "case": build.__name__,
        "rc": proc.returncode,
        "named": bool(named) if damaged else None,
        "healthy": healthy(proc, root) if healthy else None,
        "traceback": "Traceback" in err,
        "outside": _outside_read(case, root, before),
        "published": _published_state(case, proc.returncode),
        "reuse": _reuse_verdict(case, root) if "store_where" in case else "-",
        "left_in_tmp": sorted(p.name for p in (root / "tmp").iterdir()),
        "seconds": round(seconds, 1),
        "why": (named[0] if named else "")[-200:],
        "last": (err.strip().splitlines() or [""])[-1][-200:],
    }
    return row


def _mark(value) -> str:
    return "n/a" if value is None else ("Y" if value else "-")


def main() -> None:
    scratch = Path(sys.argv[1])
    wanted = set(sys.argv[2:])
    shared = Shared(scratch)
    rows = []
    for build in CASES:
        if (
            wanted
            and build.__name__ not in wanted
            and not any(build.__name__.startswith(w.rstrip("*")) for w in wanted if w.endswith("*"))
        ):
            continue
        row = run_case(build, scratch, shared)
        rows.append(row)
        print(
            f"{row['case']:38s} rc={row['rc']:<3} named={_mark(row['named']):3s} "
            f"ok={_mark(row['healthy']):3s} tb={_mark(row['traceback'])} "
            f"out={row['outside']:4s} pub={row['published']:7s} reuse={row['reuse']:10s} "
            f"{row['seconds']:6.1f}s  {row['why'] or row['last']}",
            flush=True,
        )
    out = scratch / "rows.json"
    old = json.loads(out.read_text()) if out.is_file() else []
    keep = [r for r in old if r["case"] not in {r["case"] for r in rows}]
    out.write_text(json.dumps(keep + rows, indent=1))


if __name__ == "__main__":
    main()
